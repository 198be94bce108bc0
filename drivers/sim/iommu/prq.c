/* SPDX-License-Identifier: BSD-3-Clause */
/* Page-request queue of the software IOMMU, with fault injection. */
#include <errno.h>

#include "iommu_priv.h"
#include "sva_log.h"
#include "sva_time.h"

/* A ticket with this bit set stands for a request that injection dropped
 * (it is never answered); with the delay bits, one whose answer is held. */
#define TICKET_DROPPED (1ull << 63)

/* The queue keeps the handler, and forgets it when the handler lets go of it
 * (also when the handler is destroyed first). */
int sim_iommu_attach_iopf(struct sim_iommu *mmu, struct sva_iopf *pf)
{
	return sva_iopf_swq_attach(mmu->prq, pf);
}

int sim_iommu_detach_iopf(struct sim_iommu *mmu)
{
	return sva_iopf_swq_detach(mmu->prq);
}

bool sim_iommu_has_iopf(const struct sim_iommu *mmu)
{
	return sva_iopf_swq_handler(mmu->prq) != NULL;
}

struct sva_iopf_swq *sim_iommu_prq(struct sim_iommu *mmu)
{
	return mmu->prq;
}

void sim_iommu_set_inject(struct sim_iommu *mmu, const struct sim_iommu_inject *inj)
{
	atomic_store(&mmu->inj_xlate_every, inj ? inj->xlate_fail_every : 0);
	atomic_store(&mmu->inj_drop_every, inj ? inj->drop_every : 0);
	atomic_store(&mmu->inj_delay_us, inj ? inj->delay_us : 0);
}

int sim_iommu_page_request(struct sim_iommu *mmu, uint32_t pasid, const struct sva_iopf_page *pages,
			   unsigned int n, uint64_t *ticket)
{
	if (!sim_iommu_has_iopf(mmu))
		return -ENODEV;
	uint32_t every = atomic_load_explicit(&mmu->inj_drop_every, memory_order_relaxed);
	if (every && atomic_fetch_add(&mmu->inj_req_count, 1) % every == every - 1) {
		atomic_fetch_add_explicit(&mmu->injected, 1, memory_order_relaxed);
		*ticket = TICKET_DROPPED;
		return 0;
	}
	pthread_rwlock_rdlock(&mmu->lock);
	struct pasid_entry *e = pasid_entry(mmu, pasid, false);
	if (!e || e->state != PASID_ALLOCATED) {
		pthread_rwlock_unlock(&mmu->lock);
		return -EINVAL;
	}
	atomic_fetch_add(&e->outstanding, 1);
	pthread_rwlock_unlock(&mmu->lock);
	int rc = sva_iopf_swq_raise(mmu->prq, pasid, pages, n, ticket);
	if (rc < 0) {
		/* Not queued: undo the count like an answer would, so that a
		 * free that ran meanwhile is finished rather than left pending. */
		iommu_group_done(mmu, pasid);
		if (rc == -ENOSPC)
			SVA_LOG(IOMMU, DEBUG, "%s: page-request queue full (PASID %u)", mmu->name, pasid);
		return rc;
	}
	atomic_fetch_add_explicit(&mmu->page_requests, 1, memory_order_relaxed);
	return 0;
}

int sim_iommu_page_response(struct sim_iommu *mmu, uint64_t ticket, uint64_t raised_ns)
{
	if (ticket & TICKET_DROPPED)
		return SVA_IOPF_SWQ_PENDING;
	uint32_t delay = atomic_load_explicit(&mmu->inj_delay_us, memory_order_relaxed);
	if (delay && sva_now_ns() < raised_ns + (uint64_t)delay * 1000)
		return SVA_IOPF_SWQ_PENDING; /* injected: the answer is held back */
	return sva_iopf_swq_check(mmu->prq, ticket);
}

void sim_iommu_page_cancel(struct sim_iommu *mmu, uint64_t ticket)
{
	if (ticket & TICKET_DROPPED)
		return;
	sva_iopf_swq_cancel(mmu->prq, ticket);
}
