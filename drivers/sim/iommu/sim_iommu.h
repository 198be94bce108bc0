/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The software IOMMU: what a device model in this process translates through.
 *
 * - A PASID table (20-bit space, PASID 0 reserved) whose entries bind a PASID
 *   to one address space (lib/as); several PASIDs may share one.
 * - Translation of (PASID, VA, length, access): accessible, page request
 *   needed, or invalid. For a process address space the first-level walk
 *   reads the real state of this process's page tables (/proc/self/pagemap:
 *   present, exclusively mapped, file-backed) and the mapping's permissions;
 *   nothing is ever filled in by the library. For a managed address space it
 *   reads the explicit mappings.
 * - A device TLB (ATC): one private translation cache per engine, invalidated
 *   by PASID or by range through an invalidation log all engines read.
 * - A page-request queue (a lib/iopf software fault queue): page requests in
 *   groups, answered by the fault handler; the requester polls its ticket.
 * - Fault injection for tests: translation failures, delayed and dropped
 *   page responses.
 */
#ifndef SIM_IOMMU_H
#define SIM_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "sva_as.h"
#include "sva_iopf.h"
#include "sva_iopf_swq.h"

struct sim_iommu;
struct sim_atc;

/** Creation parameters; zero fields take the defaults. */
struct sim_iommu_conf {
	const char *name;     /**< for logs */
	uint32_t pasid_bits;  /**< PASID width, 1..20 (default 20) */
	uint32_t prq_depth;   /**< page-request queue records (default 1024) */
	uint32_t prq_groups;  /**< open page-request groups (default 512) */
};

/** Fault injection (all off by default). */
struct sim_iommu_inject {
	/** Every Nth translation walk of a data buffer fails (0: never). Walks for
	 *  the device's own structures (SIM_XLATE_F_CTRL: descriptor lists,
	 *  completion records) are never failed, so every operation still gets
	 *  its record. */
	uint32_t xlate_fail_every;
	uint32_t drop_every;        /**< every Nth page request is lost (0: never) */
	uint32_t delay_us;          /**< responses become visible this late */
};

/** Translation results. */
enum sim_xlate {
	SIM_XLATE_OK = 0,      /**< the whole range is accessible */
	SIM_XLATE_FAULT = 1,   /**< a page needs a page request (see fault address) */
	SIM_XLATE_INVALID = 2, /**< PASID not bound (or injected failure): no request possible */
};

/** Statistics. */
struct sim_iommu_stats {
	uint64_t walks;            /**< translation-cache misses walked */
	uint64_t walk_pages;       /**< page-table entries read */
	uint64_t atc_hits;         /**< chunk lookups served by a translation cache */
	uint64_t invalidations;    /**< invalidation requests */
	uint64_t page_requests;    /**< groups raised */
	uint64_t prq_overflow;     /**< page requests refused: queue full */
	uint64_t injected;         /**< injected failures and drops */
	uint32_t pasids_in_use;    /**< allocated (incl. freeing) PASIDs */
};

/** Create an IOMMU instance. @return it, or NULL (errno). */
struct sim_iommu *sim_iommu_create(const struct sim_iommu_conf *conf);

/** Destroy: unbinds every PASID, answers queued page requests INVALID. */
void sim_iommu_destroy(struct sim_iommu *mmu);

/** Name given at creation. */
const char *sim_iommu_name(const struct sim_iommu *mmu);

/**
 * Allocate a PASID (never 0).
 * @return 0, or -ENOSPC when the PASID space is exhausted.
 */
int sim_iommu_pasid_alloc(struct sim_iommu *mmu, uint32_t *pasid);

/**
 * Free a PASID (unbinding it first if bound). It becomes reusable only once
 * every page request raised on it has been answered.
 * @return 0, or -EINVAL (not allocated).
 */
int sim_iommu_pasid_free(struct sim_iommu *mmu, uint32_t pasid);

/**
 * Bind an allocated PASID to @p as (a reference is taken).
 * @return 0; -EINVAL (not allocated / bad PASID), -EBUSY (already bound).
 */
int sim_iommu_bind(struct sim_iommu *mmu, uint32_t pasid, struct sva_as *as);

/**
 * Unbind: the PASID reaches nothing from now on (its translations are
 * invalidated); page requests in flight on it are answered INVALID.
 * @return 0, or -EINVAL (not bound).
 */
int sim_iommu_unbind(struct sim_iommu *mmu, uint32_t pasid);

/** Address space bound to @p pasid, with a reference, or NULL. */
struct sva_as *sim_iommu_pasid_as(struct sim_iommu *mmu, uint32_t pasid);

/** Whether @p pasid is allocated (bound or not, not freeing). */
bool sim_iommu_pasid_allocated(struct sim_iommu *mmu, uint32_t pasid);

/** Invalidate cached translations of @p pasid (all of them if len == 0). */
void sim_iommu_invalidate(struct sim_iommu *mmu, uint32_t pasid, uint64_t va, uint64_t len);

/**
 * Register the page-request queue with a fault handler.
 * @return 0, -EBUSY (a handler is attached) or -errno.
 */
int sim_iommu_attach_iopf(struct sim_iommu *mmu, struct sva_iopf *pf);

/**
 * Unregister it (answering what is queued). Destroying the handler first
 * detaches it too: this call then only forgets it.
 * @return 0 or -ENOENT.
 */
int sim_iommu_detach_iopf(struct sim_iommu *mmu);

/** Whether a fault handler is attached (and not destroyed since). */
bool sim_iommu_has_iopf(const struct sim_iommu *mmu);

/**
 * Raise a page-request group of @p n pages (1..64) on @p pasid.
 * @return 0 with @p ticket set; -ENODEV (no handler attached), -ENOSPC
 *         (queue full: counted), -EINVAL.
 */
int sim_iommu_page_request(struct sim_iommu *mmu, uint32_t pasid, const struct sva_iopf_page *pages,
			   unsigned int n, uint64_t *ticket);

/**
 * Poll a page request raised at @p raised_ns (sva_now_ns()):
 * SVA_IOPF_SWQ_PENDING, SVA_IOPF_SUCCESS or SVA_IOPF_INVALID (the ticket is
 * consumed by an answer). With injected delay, answers are held back until
 * @p raised_ns + delay.
 */
int sim_iommu_page_response(struct sim_iommu *mmu, uint64_t ticket, uint64_t raised_ns);

/** Give up on a page request (timeout). */
void sim_iommu_page_cancel(struct sim_iommu *mmu, uint64_t ticket);

/** Set fault injection. */
void sim_iommu_set_inject(struct sim_iommu *mmu, const struct sim_iommu_inject *inj);

/** Statistics. */
void sim_iommu_stats_get(struct sim_iommu *mmu, struct sim_iommu_stats *st);

/** The page-request queue (for its statistics). */
struct sva_iopf_swq *sim_iommu_prq(struct sim_iommu *mmu);

/* --- translation caches (one per engine, used by one thread at a time) ---- */

/** Create a translation cache of @p entries 2 MiB entries (0: default). */
struct sim_atc *sim_atc_create(struct sim_iommu *mmu, unsigned int entries);

/** Free it. */
void sim_atc_free(struct sim_atc *atc);

/** Drop every entry. */
void sim_atc_flush(struct sim_atc *atc);

/**
 * Apply invalidations posted since the last call (cheap when none).
 * Device models call it before each descriptor.
 */
void sim_atc_sync(struct sim_atc *atc);

/** Flag for sim_atc_translate()'s @p perm: the access is the device's own
 *  (descriptor list, completion record), which fault injection leaves alone. */
#define SIM_XLATE_F_CTRL (1u << 8)

/**
 * Translate [va, va + len) for @p perm (SVA_PERM_*, optionally
 * SIM_XLATE_F_CTRL) on @p pasid.
 * @param atc     the calling engine's translation cache
 * @param pasid   PASID of the access
 * @param va      first byte of the range
 * @param len     bytes (0: SIM_XLATE_OK at once)
 * @param perm    SVA_PERM_READ and/or SVA_PERM_WRITE, optionally | SIM_XLATE_F_CTRL
 * @param ok_len  receives the accessible prefix length (== len on OK)
 * @return SIM_XLATE_OK, SIM_XLATE_FAULT (the page at va + *ok_len needs a
 *         page request; it is dropped from the cache so that the retry walks
 *         again), or SIM_XLATE_INVALID.
 */
static inline enum sim_xlate sim_atc_translate(struct sim_atc *atc, uint32_t pasid, uint64_t va,
					       uint64_t len, uint32_t perm, uint64_t *ok_len);

/* --- guarded device access -------------------------------------------------- */

/**
 * Run @p fn(@p arg) with SIGSEGV and SIGBUS caught: a device model copying
 * through a translation that went stale (the process unmapped the memory
 * without sva_as_invalidate()) gets -EFAULT and the faulting address instead
 * of crashing the process. Faults outside a guarded call go to the handler
 * that was installed before (or the default action).
 * @return 0, or -EFAULT with @p fault_addr set.
 */
int sim_guarded(void (*fn)(void *arg), void *arg, uint64_t *fault_addr);

#include "sim_atc.h"

#endif
