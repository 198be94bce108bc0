/* SPDX-License-Identifier: BSD-3-Clause */
/* PASID table: allocation, binding to address spaces, deferred release. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iommu_priv.h"
#include "sva_defaults.h"
#include "sva_log.h"

struct pasid_entry *pasid_entry(struct sim_iommu *mmu, uint32_t pasid, bool create)
{
	if (pasid == 0 || pasid > mmu->pasid_max)
		return NULL;
	struct pasid_entry **leaf = &mmu->dir[pasid >> PASID_LEAF_BITS];
	if (!*leaf) {
		if (!create)
			return NULL;
		*leaf = calloc(PASID_LEAF_SIZE, sizeof(**leaf));
		if (!*leaf)
			return NULL;
	}
	return &(*leaf)[pasid & (PASID_LEAF_SIZE - 1)];
}

static struct sva_as *prq_lookup_as(void *arg, uint32_t pasid)
{
	return sim_iommu_pasid_as(arg, pasid);
}

/* A PASID being freed becomes free once nothing is outstanding on it.
 * Caller holds the write lock. */
static void finish_free_locked(struct sim_iommu *mmu, struct pasid_entry *e)
{
	if (atomic_load(&e->state) == PASID_FREEING && atomic_load(&e->outstanding) == 0) {
		atomic_store(&e->state, PASID_FREE);
		mmu->in_use--;
	}
}

/* A page-request group on @pasid was answered (or never queued): the PASID
 * may now be reusable.
 *
 * Called for every answered group, so the common case takes no lock: the
 * entry was created before the request was raised (its leaf pointer is
 * never written again), and only the last outstanding group of a PASID
 * being freed needs the table. The seq_cst decrement-then-load pairs with
 * sim_iommu_pasid_free()'s store-FREEING-then-load: at least one side sees
 * the other and finishes the free, under the lock. */
void iommu_group_done(struct sim_iommu *mmu, uint32_t pasid)
{
	struct pasid_entry *e = pasid_entry(mmu, pasid, false);
	if (!e)
		return;
	if (atomic_fetch_sub(&e->outstanding, 1) != 1 || atomic_load(&e->state) != PASID_FREEING)
		return;
	pthread_rwlock_wrlock(&mmu->lock);
	finish_free_locked(mmu, e);
	pthread_rwlock_unlock(&mmu->lock);
}

static void prq_group_done(void *arg, uint32_t pasid)
{
	iommu_group_done(arg, pasid);
}

struct sim_iommu *sim_iommu_create(const struct sim_iommu_conf *conf)
{
	uint32_t bits = conf && conf->pasid_bits ? conf->pasid_bits : SVA_DEFAULT_PASID_BITS;
	if (bits > 20) {
		SVA_LOG(IOMMU, ERR, "PASID width %u: at most 20 bits", bits);
		errno = EINVAL;
		return NULL;
	}
	struct sim_iommu *mmu = calloc(1, sizeof(*mmu));
	if (!mmu)
		return NULL;
	snprintf(mmu->name, sizeof(mmu->name), "%s", conf && conf->name ? conf->name : "sim_iommu");
	mmu->pasid_bits = bits;
	mmu->pasid_max = (1u << bits) - 1;
	mmu->next_pasid = 1;
	pthread_rwlock_init(&mmu->lock, NULL);
	pthread_mutex_init(&mmu->inv_lock, NULL);
	mmu->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (mmu->pagemap_fd < 0) {
		int e = errno;
		SVA_LOG(IOMMU, ERR, "%s: cannot open /proc/self/pagemap: %s", mmu->name, strerror(e));
		free(mmu);
		errno = e;
		return NULL;
	}
	char qname[48];
	snprintf(qname, sizeof(qname), "%s.prq", mmu->name);
	struct sva_iopf_swq_conf qc = {
		.name = qname,
		.depth = conf ? conf->prq_depth : 0,
		.groups = conf ? conf->prq_groups : 0,
		.lookup_as = prq_lookup_as,
		.group_done = prq_group_done,
		.arg = mmu,
	};
	mmu->prq = sva_iopf_swq_create(&qc);
	if (!mmu->prq) {
		int e = errno;
		close(mmu->pagemap_fd);
		free(mmu);
		errno = e;
		return NULL;
	}
	return mmu;
}

const char *sim_iommu_name(const struct sim_iommu *mmu)
{
	return mmu->name;
}

static void as_invalidate_cb(struct sva_as_listener *l, struct sva_as *as, uint64_t start,
			     uint64_t end)
{
	struct as_binding *b = sva_container_of(l, struct as_binding, l);
	(void)as;
	iommu_post_invalidation(b->mmu, INV_ANY_PASID, start, end);
}

int sim_iommu_pasid_alloc(struct sim_iommu *mmu, uint32_t *pasid)
{
	pthread_rwlock_wrlock(&mmu->lock);
	uint32_t n = mmu->pasid_max, p = mmu->next_pasid;
	for (uint32_t i = 0; i < n; i++, p = p % mmu->pasid_max + 1) {
		struct pasid_entry *e = pasid_entry(mmu, p, true);
		if (!e) {
			pthread_rwlock_unlock(&mmu->lock);
			return -ENOMEM;
		}
		if (e->state == PASID_FREE) {
			e->state = PASID_ALLOCATED;
			e->as = NULL;
			mmu->in_use++;
			mmu->next_pasid = p % mmu->pasid_max + 1;
			pthread_rwlock_unlock(&mmu->lock);
			*pasid = p;
			return 0;
		}
	}
	pthread_rwlock_unlock(&mmu->lock);
	SVA_LOG(IOMMU, DEBUG, "%s: PASID space (%u bits) exhausted", mmu->name, mmu->pasid_bits);
	return -ENOSPC;
}

/* Drop @as's binding count; caller holds the write lock. Returns the binding
 * to unregister (outside the lock) when it was the last PASID on @as. */
static struct as_binding *unbind_as_locked(struct sim_iommu *mmu, struct sva_as *as)
{
	for (struct as_binding **pp = &mmu->bindings; *pp; pp = &(*pp)->next) {
		if ((*pp)->as == as) {
			struct as_binding *b = *pp;
			if (--b->pasids == 0) {
				*pp = b->next;
				return b;
			}
			return NULL;
		}
	}
	return NULL;
}

static void release_binding(struct as_binding *b)
{
	if (!b)
		return;
	sva_as_del_listener(b->as, &b->l);
	free(b);
}

int sim_iommu_bind(struct sim_iommu *mmu, uint32_t pasid, struct sva_as *as)
{
	if (!as)
		return -EINVAL;
	struct as_binding *nb = calloc(1, sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	pthread_rwlock_wrlock(&mmu->lock);
	struct pasid_entry *e = pasid_entry(mmu, pasid, false);
	if (!e || e->state != PASID_ALLOCATED) {
		pthread_rwlock_unlock(&mmu->lock);
		free(nb);
		return -EINVAL;
	}
	if (e->as) {
		pthread_rwlock_unlock(&mmu->lock);
		free(nb);
		return -EBUSY;
	}
	struct as_binding *b;
	for (b = mmu->bindings; b && b->as != as; b = b->next)
		;
	bool fresh = !b;
	if (fresh) {
		b = nb;
		b->l.invalidate = as_invalidate_cb;
		b->mmu = mmu;
		b->as = as;
		b->next = mmu->bindings;
		mmu->bindings = b;
		nb = NULL;
	}
	b->pasids++;
	sva_as_get(as);
	e->as = as;
	pthread_rwlock_unlock(&mmu->lock);
	free(nb);
	/* Registered outside our lock: the address space calls back into us
	 * (post_invalidation takes inv_lock only, never mmu->lock). */
	if (fresh)
		sva_as_add_listener(as, &b->l);
	SVA_LOG(IOMMU, DEBUG, "%s: PASID %u bound to %s", mmu->name, pasid, sva_as_name(as));
	return 0;
}

int sim_iommu_unbind(struct sim_iommu *mmu, uint32_t pasid)
{
	pthread_rwlock_wrlock(&mmu->lock);
	struct pasid_entry *e = pasid_entry(mmu, pasid, false);
	if (!e || !e->as) {
		pthread_rwlock_unlock(&mmu->lock);
		return -EINVAL;
	}
	struct sva_as *as = e->as;
	e->as = NULL;
	struct as_binding *gone = unbind_as_locked(mmu, as);
	pthread_rwlock_unlock(&mmu->lock);
	iommu_post_invalidation(mmu, pasid, 0, UINT64_MAX);
	release_binding(gone);
	sva_as_put(as);
	SVA_LOG(IOMMU, DEBUG, "%s: PASID %u unbound", mmu->name, pasid);
	return 0;
}

int sim_iommu_pasid_free(struct sim_iommu *mmu, uint32_t pasid)
{
	pthread_rwlock_rdlock(&mmu->lock);
	struct pasid_entry *e = pasid_entry(mmu, pasid, false);
	bool bound = e && e->state == PASID_ALLOCATED && e->as;
	bool ok = e && e->state == PASID_ALLOCATED;
	pthread_rwlock_unlock(&mmu->lock);
	if (!ok)
		return -EINVAL;
	if (bound)
		sim_iommu_unbind(mmu, pasid);
	pthread_rwlock_wrlock(&mmu->lock);
	if (e->state != PASID_ALLOCATED) {
		pthread_rwlock_unlock(&mmu->lock);
		return -EINVAL;
	}
	/* FREEING first, then look at what is outstanding: with requests in
	 * flight, the answer to the last one finishes the job. */
	atomic_store(&e->state, PASID_FREEING);
	finish_free_locked(mmu, e);
	pthread_rwlock_unlock(&mmu->lock);
	return 0;
}

struct sva_as *sim_iommu_pasid_as(struct sim_iommu *mmu, uint32_t pasid)
{
	pthread_rwlock_rdlock(&mmu->lock);
	struct pasid_entry *e = pasid_entry(mmu, pasid, false);
	struct sva_as *as = e && e->state == PASID_ALLOCATED ? e->as : NULL;
	if (as)
		sva_as_get(as);
	pthread_rwlock_unlock(&mmu->lock);
	return as;
}

bool sim_iommu_pasid_allocated(struct sim_iommu *mmu, uint32_t pasid)
{
	pthread_rwlock_rdlock(&mmu->lock);
	struct pasid_entry *e = pasid_entry(mmu, pasid, false);
	bool r = e && e->state == PASID_ALLOCATED;
	pthread_rwlock_unlock(&mmu->lock);
	return r;
}

void sim_iommu_destroy(struct sim_iommu *mmu)
{
	if (!mmu)
		return;
	sim_iommu_detach_iopf(mmu);
	for (uint32_t d = 0; d < (1u << PASID_DIR_BITS); d++) {
		if (!mmu->dir[d])
			continue;
		for (uint32_t i = 0; i < PASID_LEAF_SIZE; i++)
			if (mmu->dir[d][i].as)
				sim_iommu_unbind(mmu, d << PASID_LEAF_BITS | i);
	}
	sva_iopf_swq_free(mmu->prq); /* answers what is queued */
	for (uint32_t d = 0; d < (1u << PASID_DIR_BITS); d++)
		free(mmu->dir[d]);
	close(mmu->pagemap_fd);
	pthread_rwlock_destroy(&mmu->lock);
	pthread_mutex_destroy(&mmu->inv_lock);
	free(mmu);
}

void sim_iommu_stats_get(struct sim_iommu *mmu, struct sim_iommu_stats *st)
{
	struct sva_iopf_swq_stats q;
	sva_iopf_swq_stats_get(mmu->prq, &q);
	st->walks = atomic_load(&mmu->walks);
	st->walk_pages = atomic_load(&mmu->walk_pages);
	st->atc_hits = atomic_load(&mmu->atc_hits);
	st->invalidations = atomic_load(&mmu->invalidations);
	st->page_requests = atomic_load(&mmu->page_requests);
	st->prq_overflow = q.overflow;
	st->injected = atomic_load(&mmu->injected);
	pthread_rwlock_rdlock(&mmu->lock);
	st->pasids_in_use = mmu->in_use;
	pthread_rwlock_unlock(&mmu->lock);
}
