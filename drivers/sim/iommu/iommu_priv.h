/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal state of the software IOMMU, shared by its files. */
#ifndef SIM_IOMMU_PRIV_H
#define SIM_IOMMU_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include "sim_iommu.h"
#include "sva_atomic.h"

#define PASID_DIR_BITS 10
#define PASID_LEAF_BITS 10
#define PASID_LEAF_SIZE (1u << PASID_LEAF_BITS)

enum pasid_state { PASID_FREE = 0, PASID_ALLOCATED, PASID_FREEING };

struct pasid_entry {
	_Atomic uint8_t state;          /* enum pasid_state; changed under mmu->lock */
	struct sva_as *as;              /* bound address space, under mmu->lock */
	_Atomic uint32_t outstanding;   /* page-request groups not yet answered */
};

/* One listener per distinct address space bound to any PASID. */
struct as_binding {
	struct sva_as_listener l;       /* first: the callback gets &l */
	struct sim_iommu *mmu;
	struct sva_as *as;
	unsigned int pasids;
	struct as_binding *next;
};

#define INV_LOG 64
#define INV_ANY_PASID UINT32_MAX

struct inv_entry {
	_Atomic uint32_t pasid;
	_Atomic uint64_t start;
	_Atomic uint64_t end;
};

struct sim_iommu {
	char name[32];
	uint32_t pasid_bits;
	uint32_t pasid_max;             /* highest valid PASID */
	pthread_rwlock_t lock;          /* PASID table and bindings */
	struct pasid_entry *dir[1u << PASID_DIR_BITS];
	uint32_t next_pasid;            /* next-fit allocation hint */
	uint32_t in_use;
	struct as_binding *bindings;
	/* invalidation log: entries [seq - INV_LOG, seq) are valid */
	pthread_mutex_t inv_lock;
	struct inv_entry inv[INV_LOG];
	_Atomic uint64_t inv_seq;
	/* page requests */
	struct sva_iopf_swq *prq; /* keeps the attached handler */
	_Atomic uint32_t inj_xlate_every, inj_drop_every, inj_delay_us;
	_Atomic uint64_t inj_walk_count, inj_req_count;
	_Atomic uint64_t walks, walk_pages, atc_hits, invalidations, page_requests, injected;
	int pagemap_fd;
};

struct pasid_entry *pasid_entry(struct sim_iommu *mmu, uint32_t pasid, bool create);

/* Walk: fill the bits of 64 pages from page_va for pasid. Caller holds no lock.
 * Returns 0, or -ENOENT when the PASID is not bound. */
int iommu_walk(struct sim_iommu *mmu, uint32_t pasid, uint64_t page_va, bool ctrl,
	       uint64_t *rbits, uint64_t *wbits);

void iommu_post_invalidation(struct sim_iommu *mmu, uint32_t pasid, uint64_t start, uint64_t end);

/* One page-request group on @pasid is over (answered, or never queued). */
void iommu_group_done(struct sim_iommu *mmu, uint32_t pasid);

#endif
