/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Logging: one log type per component, five levels, printf-style messages.
 *
 * Levels are set per type with sva_log_set_level() or, at the first message,
 * from the environment variable SVADK_LOG ("iopf:debug,dma:info" or
 * "*:warning"). Messages go to stderr unless sva_log_set_stream() says
 * otherwise. Logging takes a lock and formats text: it belongs on control and
 * error paths only, never on fast paths.
 */
#ifndef SVA_LOG_H
#define SVA_LOG_H

#include <stdarg.h>
#include <stdio.h>

/** Components, one log type each. */
enum sva_log_type {
	SVA_LOG_CORE,    /**< lib/core */
	SVA_LOG_AS,      /**< lib/as: address spaces */
	SVA_LOG_IOMMU,   /**< drivers/sim/iommu */
	SVA_LOG_IOPF,    /**< lib/iopf: fault handler */
	SVA_LOG_DMA,     /**< lib/dma: devices and queues */
	SVA_LOG_IDXD,    /**< drivers/dma/idxd */
	SVA_LOG_SIM,     /**< drivers/sim/dsa */
	SVA_LOG_IOMMUFD, /**< drivers/iommu/iommufd */
	SVA_LOG_DPDK,    /**< lib/dpdk, drivers/dma/dpdk */
	SVA_LOG_APP,     /**< applications */
	SVA_LOG_TYPE_MAX
};

/** Severity, most severe first. */
enum sva_log_level {
	SVA_LOG_ERR = 1,
	SVA_LOG_WARNING,
	SVA_LOG_NOTICE,
	SVA_LOG_INFO,
	SVA_LOG_DEBUG,
};

/**
 * Set the level of one log type (or of all, with type SVA_LOG_TYPE_MAX).
 * @return 0, or -EINVAL for an unknown type or level.
 */
int sva_log_set_level(enum sva_log_type type, enum sva_log_level level);

/** Current level of @p type. */
enum sva_log_level sva_log_get_level(enum sva_log_type type);

/**
 * Apply a level specification such as "iopf:debug,*:warning": items are
 * "type:level", "*:level" or a bare "level" (= "*:level"). Levels are names
 * (error, warning/warn, notice, info, debug) or numbers 1-5. An item naming a
 * type wins over '*' items whatever the order; otherwise the last item wins.
 * @return 0, or -EINVAL (nothing is changed) for an unknown name or level.
 */
int sva_log_parse_spec(const char *spec);

/** Send messages to @p stream (NULL: back to stderr). */
void sva_log_set_stream(FILE *stream);

/** Name of a log type ("iopf"), or "?" */
const char *sva_log_type_name(enum sva_log_type type);

/** Whether a message of @p level for @p type would be printed. */
int sva_log_enabled(enum sva_log_type type, enum sva_log_level level);

/** Print one message (a newline is added when missing). */
void sva_log(enum sva_log_type type, enum sva_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** va_list flavour of sva_log(). */
void sva_vlog(enum sva_log_type type, enum sva_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/**
 * Shorthand for sva_log() with the type and level named without their
 * prefixes: SVA_LOG(IOPF, ERR, "%s: ...", name) logs with SVA_LOG_IOPF and
 * SVA_LOG_ERR. The arguments are evaluated even when the level is disabled.
 */
#define SVA_LOG(type, level, ...) sva_log(SVA_LOG_##type, SVA_LOG_##level, __VA_ARGS__)

#endif
