/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The software DSA/IAA device: a descriptor-accurate model of Intel's Data
 * Streaming Accelerator and In-Memory Analytics Accelerator, behind the
 * software IOMMU, inside the application's process.
 *
 * - Work queues fed through portals. Opening a portal binds it to a PASID,
 *   which the device stamps on every descriptor written through it (the PASID
 *   field of the descriptor itself is ignored, as with ENQCMD or a dedicated
 *   queue's configured PASID). A dedicated work queue takes one portal, a
 *   shared one several.
 * - Engines that execute descriptors: threads (optionally pinned), or none:
 *   then descriptors run inline in the threads that submit and poll
 *   (sim_portal_poll()), for one-core use and deterministic tests.
 * - DSA: noop, batch, drain, memmove, fill, compare, compare-pattern, CRC
 *   generation, copy with CRC, dualcast, cache flush. IAA: noop, drain,
 *   memmove, compress, decompress (stateful through an AECS), CRC64.
 *   Completion records with the hardware's status codes; errors the device
 *   cannot report in a record (misaligned or untranslatable completion record
 *   address) go to the software error log.
 * - Every address is translated with the portal's PASID through the software
 *   IOMMU and its device TLB. A page that is not present raises a page request
 *   and waits (block on fault), or ends the descriptor with a partial
 *   completion. A page request left unanswered for prs_timeout_ms ends the
 *   descriptor with an error. A stale address never crashes the process.
 * - Shaping (bandwidth cap, latency per descriptor) and fault injection.
 */
#ifndef SIM_DSA_H
#define SIM_DSA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim_iommu.h"

struct sim_dsa;
struct sim_portal;

/** Kind of device modelled. */
enum sim_dev_type {
	SIM_DEV_DSA = 0,
	SIM_DEV_IAA = 1,
};

#define SIM_DSA_MAX_WQS 16     /**< most work queues of a device (sim_dsa_conf.nb_wqs) */
#define SIM_DSA_MAX_ENGINES 16 /**< most engine threads of a device (sim_dsa_conf.nb_engines) */

/** Device configuration; zero fields take the defaults. */
struct sim_dsa_conf {
	const char *name;           /**< for logs and thread names (default "dsa_sim") */
	enum sim_dev_type type;     /**< DSA or IAA (default DSA) */
	uint16_t nb_wqs;            /**< work queues (default 1, max 16) */
	uint16_t wq_size;           /**< entries per work queue (default 256) */
	bool wq_shared;             /**< shared work queues (default: dedicated) */
	bool no_block_on_fault;     /**< work queues refuse BOF (default: allowed) */
	uint16_t nb_engines;        /**< engine threads; 0 = execute inline */
	int16_t engine_cpu[SIM_DSA_MAX_ENGINES]; /**< CPU per engine, -1: not pinned */
	bool engines_pinned;        /**< engine_cpu[] is meaningful */
	uint32_t max_xfer;          /**< bytes per operation (default 1 GiB) */
	uint16_t max_batch;         /**< descriptors per batch (default 256) */
	uint32_t prs_timeout_ms;    /**< page-response timeout (default 2000) */
	uint64_t bw_bytes_per_s;    /**< per-engine bandwidth cap (0: none) */
	uint32_t lat_ns;            /**< added latency per descriptor (0: none) */
	uint32_t atc_entries;       /**< translation-cache entries per engine (2 MiB each) */
	uint32_t pasid_bits;        /**< PASID width of the device's IOMMU */
	uint32_t prq_depth;         /**< page-request queue depth */
	int comp_level;             /**< deflate level of the IAA model, 1..9 (default 1) */
	struct sim_iommu_inject inject; /**< fault injection */
};

/** Software error log entry (SWERR). */
struct sim_swerr {
	uint8_t status;     /**< DSA/IAA status code */
	uint8_t opcode;     /**< opcode of the descriptor */
	uint16_t wq;        /**< work queue it was submitted to */
	uint32_t pasid;     /**< PASID of the portal it was submitted through */
	uint64_t addr;      /**< completion-record address involved */
};

/** Device statistics. */
struct sim_dsa_stats {
	uint64_t descs;          /**< operations executed (batch members included) */
	uint64_t batches;        /**< batch descriptors */
	uint64_t bytes;          /**< bytes processed */
	uint64_t errors;         /**< operations that completed with an error status */
	uint64_t page_requests;  /**< page requests raised (block on fault, records) */
	uint64_t partials;       /**< partial completions (no block on fault) */
	uint64_t prs_timeouts;   /**< page responses that never came */
	uint64_t stale;          /**< accesses caught by the guard (stale translations) */
	uint64_t swerrs;         /**< software error log entries (incl. overflowed) */
	uint64_t wq_full;        /**< submissions refused: work queue full */
};

/** Create a device (engines not started). @return it, or NULL (errno). */
struct sim_dsa *sim_dsa_create(const struct sim_dsa_conf *conf);

/** Stop the engines, close remaining portals (draining them), free. */
void sim_dsa_destroy(struct sim_dsa *dev);

/** Start the engine threads (no-op in inline mode). @return 0 or -errno. */
int sim_dsa_start(struct sim_dsa *dev);

/** Stop the engine threads after their current descriptor. @return 0. */
int sim_dsa_stop(struct sim_dsa *dev);

/** The device's IOMMU. */
struct sim_iommu *sim_dsa_iommu(struct sim_dsa *dev);

/** Configuration in effect (defaults filled in). */
const struct sim_dsa_conf *sim_dsa_config(const struct sim_dsa *dev);

/**
 * Open a portal on work queue @p wq for @p pasid (allocated in the device's
 * IOMMU). @return the portal, or NULL with errno: EINVAL, EBUSY (dedicated
 * queue already open), ENOMEM.
 */
struct sim_portal *sim_dsa_portal_open(struct sim_dsa *dev, unsigned int wq, uint32_t pasid);

/**
 * Close a portal: every descriptor written through it is executed first (by
 * the engines, or by the caller when there are none or they are stopped).
 */
void sim_portal_close(struct sim_portal *p);

/**
 * Write one 64-byte descriptor to the portal.
 * @return 0, or -EAGAIN when the work queue is full (nothing was queued).
 */
int sim_portal_submit(struct sim_portal *p, const void *desc);

/**
 * Execute queued work of the portal's work queue in the caller: in inline
 * mode, and while the engine threads are stopped (an item taken then is
 * finished by later calls, even once they run again). Otherwise a no-op.
 */
void sim_portal_poll(struct sim_portal *p);

/** PASID the portal stamps. */
uint32_t sim_portal_pasid(const struct sim_portal *p);

/**
 * Descriptors written through the portal that the device has not finished
 * yet (a batch counts as one). 0: everything submitted so far has completed,
 * records written.
 */
uint32_t sim_portal_inflight(const struct sim_portal *p);

/** Read the oldest software-error-log entry. @return 0, or -EAGAIN (empty). */
int sim_dsa_swerr_read(struct sim_dsa *dev, struct sim_swerr *e);

/** Statistics. */
void sim_dsa_stats_get(struct sim_dsa *dev, struct sim_dsa_stats *st);

/** Print state and counters. */
void sim_dsa_dump(struct sim_dsa *dev, FILE *f);

#endif
