/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The poll-mode IO page-fault handler.
 *
 * Fault sources (the software IOMMU's page-request queue, the iommufd fault
 * fd, DSA partial completions) register with a handler. The handler reads
 * fault records in batches, groups them, resolves each page in the address
 * space bound to the record's PASID, and answers each group once:
 *
 * - process address space: the page is faulted in through the CPU MMU with
 *   MADV_POPULATE_WRITE (write faults) or MADV_POPULATE_READ (read faults),
 *   plus up to @ref sva_iopf_conf.fault_ahead following pages; a device
 *   that keeps faulting in or right after the pages made present last time
 *   (a sequential stream) gets a window twice as large each time, up to
 *   @ref sva_iopf_conf.fault_ahead_max, like the kernel's readahead, the
 *   part beyond fault_ahead made present after the answer;
 * - managed address space: the address space's resolve callback, or INVALID;
 * - an unmapped address, or an access the mapping does not allow: INVALID.
 *
 * Run it either as a dedicated pinned thread (sva_iopf_start()) that spins
 * while faults flow and backs off when idle, or by calling sva_iopf_poll()
 * from an application core. Exactly one of them polls at a time.
 */
#ifndef SVA_IOPF_H
#define SVA_IOPF_H

#include <stdbool.h>
#include <stdint.h>

#include "sva_hist.h"

struct sva_iopf;
struct sva_as;
struct sva_idle;

/** Response codes (the values of iommufd's page response). */
enum sva_iopf_code {
	SVA_IOPF_SUCCESS = 0, /**< fault resolved: the device retries */
	SVA_IOPF_INVALID = 1, /**< not resolvable: the device fails the access */
};

/** Record flags. */
#define SVA_IOPF_F_LAST (1u << 0)       /**< last record of its group */
#define SVA_IOPF_F_PASID_VALID (1u << 1) /**< @ref sva_iopf_fault.pasid is meaningful */

/** One fault record, as a source hands it to the handler. */
struct sva_iopf_fault {
	uint64_t addr;     /**< faulting address */
	uint64_t length;   /**< bytes needed from @ref addr (0: one page) */
	uint64_t cookie;   /**< the source's token to answer the group */
	uint64_t t_raised; /**< sva_tsc() when raised, 0 if unknown */
	uint32_t pasid;    /**< PASID of the access */
	uint32_t grpid;    /**< group id, unique among the source's open groups */
	uint32_t perm;     /**< SVA_PERM_READ / SVA_PERM_WRITE needed */
	uint32_t flags;    /**< SVA_IOPF_F_* */
};

/** Interface of a fault source. Every callback gets the source's @p ctx. */
struct sva_iopf_source_ops {
	const char *name; /**< source name in the handler's log messages (not NULL) */
	/** Read up to @p n records; never blocks. @return count (0: none) or -errno. */
	int (*read)(void *ctx, struct sva_iopf_fault *f, unsigned int n);
	/** Answer the group @p last belongs to (once per group). @return 0 or -errno. */
	int (*respond)(void *ctx, const struct sva_iopf_fault *last, enum sva_iopf_code code);
	/** Address space for the record's PASID, with a reference; NULL if none. */
	struct sva_as *(*lookup_as)(void *ctx, const struct sva_iopf_fault *f);
	/** Whether records are waiting (cheap, non-blocking). May be NULL if wait_fd is set. */
	bool (*pending)(void *ctx);
	/** A descriptor that polls readable while records wait, or -1. May be NULL. */
	int (*wait_fd)(void *ctx);
	/** The handler's waker (NULL on removal): kick it after queuing records. May be NULL. */
	void (*set_waker)(void *ctx, struct sva_idle *waker);
};

/** sva_iopf_conf.fault_ahead: the default (15 pages). */
#define SVA_IOPF_FAULT_AHEAD_DEFAULT (-1)
/** sva_iopf_conf.fault_ahead: no fault-ahead (only the faulting page). */
#define SVA_IOPF_FAULT_AHEAD_OFF 0

/**
 * Handler configuration. Zero fields take the defaults — except
 * @ref fault_ahead, where 0 is a choice (off): set it to
 * SVA_IOPF_FAULT_AHEAD_DEFAULT for the default. A NULL configuration gives
 * every default.
 */
struct sva_iopf_conf {
	const char *name;       /**< for logs and the thread name */
	uint32_t batch;         /**< records read per source per poll (default 64) */
	/** Pages resolved after the faulting one: SVA_IOPF_FAULT_AHEAD_DEFAULT
	 *  (-1, or any negative value) for the default of 15, SVA_IOPF_FAULT_AHEAD_OFF
	 *  (0) for none, or 1..511. */
	int32_t fault_ahead;
	/** Idle backoff of the dedicated thread, see struct sva_idle: idle
	 *  rounds spent spinning (0 = default, 2048). */
	uint32_t idle_spins;
	uint32_t idle_yields;   /**< then idle rounds spent yielding the CPU (0 = default, 64) */
	uint32_t idle_sleep_ms; /**< then longest single block, ms (0 = default, 100) */
	/** Largest fault-ahead of a sequential stream, in pages after the
	 *  faulting one (0 = default, 255; at most 511). The window of a stream
	 *  starts at @ref fault_ahead + 1 pages and doubles at each fault inside
	 *  it or on the first page after it; the first @ref fault_ahead + 1
	 *  pages are made present before the answer, the rest after it (a
	 *  chunk per poll round). A value not above @ref fault_ahead turns the
	 *  ramp off. Only for process address spaces. */
	uint32_t fault_ahead_max;
};

/** Handler statistics. */
struct sva_iopf_stats {
	uint64_t requests;          /**< fault records read */
	uint64_t groups;            /**< groups answered */
	uint64_t pages_resolved;    /**< faulting pages made present / mapped */
	uint64_t invalid;           /**< groups answered INVALID */
	uint64_t fault_ahead_pages; /**< pages made present ahead of a fault */
	uint64_t coalesced;         /**< records answered from an earlier resolution */
	uint64_t respond_errors;    /**< responses a source refused */
	uint64_t polls;             /**< poll rounds */
	uint64_t busy_polls;        /**< rounds that found records */
	uint64_t sleeps;            /**< times the thread blocked while idle */
	uint64_t lat_count;         /**< groups with a known raise time */
	uint64_t lat_p50_ns;        /**< request raised → response posted, median, nanoseconds */
	uint64_t lat_p99_ns;        /**< the same, 99th percentile, nanoseconds */
	uint64_t lat_max_ns;        /**< the same, largest, nanoseconds */
};

/**
 * Create a handler (not running). @p conf may be NULL.
 * @return the handler, or NULL (errno: EINVAL, ENOMEM).
 */
struct sva_iopf *sva_iopf_create(const struct sva_iopf_conf *conf);

/**
 * Stop (draining), detach every source, free. Safe on NULL.
 * The devices it served may still be open: their sources forget the handler,
 * and a fault they raise afterwards fails as if no handler were attached
 * (until sva_dev_detach_iopf() and sva_dev_attach_iopf() give them another).
 */
void sva_iopf_destroy(struct sva_iopf *pf);

/**
 * Register a fault source. The handler calls @p ops with @p ctx until
 * sva_iopf_remove_source().
 * @return 0; -EINVAL (missing callbacks), -EEXIST, -ENOSPC (too many sources).
 */
int sva_iopf_add_source(struct sva_iopf *pf, const struct sva_iopf_source_ops *ops, void *ctx);

/**
 * Unregister the source with context @p ctx after answering what it has
 * queued. @return 0 or -ENOENT.
 */
int sva_iopf_remove_source(struct sva_iopf *pf, void *ctx);

/**
 * Run one round: read up to @p budget records over all sources, resolve and
 * answer complete groups, then make up to 128 pages of the far part of
 * sequential streams' windows present (see @ref sva_iopf_conf.fault_ahead_max;
 * that part is done after the answers, so the device works meanwhile). Any
 * thread may call it; one at a time.
 * @return records processed (0: none), -EBUSY (the dedicated thread runs,
 *         or another thread is polling now), -EINVAL.
 */
int sva_iopf_poll(struct sva_iopf *pf, unsigned int budget);

/**
 * Start the dedicated thread, pinned to @p cpu (-1: not pinned).
 * @return 0; -EALREADY (running), -EINVAL (bad CPU), -errno (thread creation).
 */
int sva_iopf_start(struct sva_iopf *pf, int cpu);

/**
 * Stop the dedicated thread. Before it exits it drains: every record queued
 * at its sources is answered. @return 0 or -EALREADY (not running).
 */
int sva_iopf_stop(struct sva_iopf *pf);

/** Whether the dedicated thread runs. */
bool sva_iopf_running(const struct sva_iopf *pf);

/** Answer everything queued now, from the calling thread (used by teardown). @return records answered. */
int sva_iopf_drain(struct sva_iopf *pf);

/** Fill @p st. @return 0 or -EINVAL. */
int sva_iopf_stats_get(const struct sva_iopf *pf, struct sva_iopf_stats *st);

/** Zero the statistics (not while the thread runs). @return 0 or -EBUSY. */
int sva_iopf_stats_reset(struct sva_iopf *pf);

/** The request→response latency histogram (nanoseconds). */
const struct sva_hist *sva_iopf_latency_hist(const struct sva_iopf *pf);

/** Configured fault-ahead (pages). */
unsigned int sva_iopf_fault_ahead(const struct sva_iopf *pf);

/** Largest fault-ahead of a sequential stream (pages); equal to
 *  sva_iopf_fault_ahead() when the ramp is off. */
unsigned int sva_iopf_fault_ahead_max(const struct sva_iopf *pf);

/**
 * Resolve one fault synchronously in the calling thread, as the handler
 * would (used where no handler runs, and by tests).
 * @param as    address space to resolve in (NULL: INVALID)
 * @param addr  faulting address (any byte of the page)
 * @param perm  SVA_PERM_READ and/or SVA_PERM_WRITE needed (0: read); other
 *              bits: INVALID
 * @param ahead pages to make present after the faulting one (process address
 *              space only; if that longer range fails, e.g. because it
 *              crosses the end of the mapping, only the faulting page is
 *              made present)
 * @param ahead_done if not NULL, receives the pages made present ahead
 *              (@p ahead or 0)
 * @return SVA_IOPF_SUCCESS or SVA_IOPF_INVALID.
 */
enum sva_iopf_code sva_iopf_resolve(struct sva_as *as, uint64_t addr, uint32_t perm,
				    unsigned int ahead, unsigned int *ahead_done);

#endif
