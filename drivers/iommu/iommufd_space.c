/* SPDX-License-Identifier: BSD-3-Clause */
/* An IOAS mirroring one svadk address space with IOVA == VA, filled on demand.
 *
 * The fault handler sees a managed "shadow" address space whose resolve
 * callback is space_resolve(): it asks the mirrored address space what the
 * access may do (the process's VMA permission, or a managed space's mapping
 * and resolve callback), maps a window of pages from the faulting one with
 * that permission, and remembers the mapping. An invalidation of the
 * mirrored space unmaps every remembered mapping it touches. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as_table.h"
#include "iommufd_priv.h"
#include "sva_as.h"
#include "sva_atomic.h"
#include "sva_common.h"
#include "sva_log.h"

#define SPACE_DEFAULT_MAP_PAGES 16

/* Counters written from the handler and from invalidating threads alike. */
static inline void cnt_add(sva_counter_t *c, uint64_t v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

struct sva_iommufd_space {
	struct sva_as_listener listener;
	struct sva_iommufd *ic;
	uint32_t ioas;
	char name[48];
	struct sva_as *as;     /* mirrored (a reference) */
	struct sva_as *shadow; /* what the fault handler resolves in */
	uint32_t map_pages;
	pthread_mutex_t lock;
	struct as_table table; /* what the IOAS has mapped: sorted, disjoint */
	sva_counter_t maps, pages_mapped, unmaps, refused, map_errors;
};

static struct sva_iommufd_space *from_listener(struct sva_as_listener *l)
{
	return sva_container_of(l, struct sva_iommufd_space, listener);
}

/* Unmap and forget mapping @at. Caller holds the lock. */
static void remove_at(struct sva_iommufd_space *sp, unsigned int at)
{
	const struct as_range *r = &sp->table.r[at];
	int rc = sva_iommufd_unmap(sp->ic, sp->ioas, r->start, r->end - r->start);
	if (rc < 0)
		SVA_LOG(IOMMUFD, WARNING, "%s: unmap 0x%llx-0x%llx: %s", sp->name,
			(unsigned long long)r->start, (unsigned long long)r->end, strerror(-rc));
	cnt_add(&sp->unmaps, 1);
	as_table_remove(&sp->table, at, 1);
}

static void on_invalidate(struct sva_as_listener *l, struct sva_as *as, uint64_t start,
			  uint64_t end)
{
	struct sva_iommufd_space *sp = from_listener(l);
	(void)as;
	pthread_mutex_lock(&sp->lock);
	unsigned int i = as_table_lower(&sp->table, start);
	while (i < sp->table.n && sp->table.r[i].start < end)
		remove_at(sp, i);
	pthread_mutex_unlock(&sp->lock);
}

/* Map [start, end) with perm, falling back to the faulting page alone. */
static int map_window(struct sva_iommufd_space *sp, uint64_t start, uint64_t end, uint32_t perm,
		      uint64_t *mapped_end)
{
	int rc = sva_iommufd_map(sp->ic, sp->ioas, start, end - start, start, perm);
	if (rc < 0 && end - start > SVA_PAGE_SIZE) {
		end = start + SVA_PAGE_SIZE;
		rc = sva_iommufd_map(sp->ic, sp->ioas, start, SVA_PAGE_SIZE, start, perm);
	}
	if (rc == 0)
		*mapped_end = end;
	return rc;
}

int sva_iommufd_space_resolve(struct sva_iommufd_space *sp, uint64_t addr, uint32_t perm)
{
	uint64_t page = SVA_ALIGN_DOWN(addr, (uint64_t)SVA_PAGE_SIZE);
	perm &= SVA_PERM_READ | SVA_PERM_WRITE;
	if (!perm)
		perm = SVA_PERM_READ;
	if (page == 0) {
		cnt_add(&sp->refused, 1);
		return -EFAULT;
	}
	uint64_t end = 0;
	uint32_t allowed = sva_as_perm(sp->as, page, &end, NULL);
	if ((allowed & perm) != perm && sva_as_type(sp->as) == SVA_AS_MANAGED &&
	    sva_as_resolve_managed(sp->as, addr, perm) == 0)
		allowed = sva_as_perm(sp->as, page, &end, NULL);
	if ((allowed & perm) != perm) {
		cnt_add(&sp->refused, 1);
		return -EFAULT;
	}
	allowed &= SVA_PERM_READ | SVA_PERM_WRITE;
	pthread_mutex_lock(&sp->lock);
	unsigned int i = as_table_lower(&sp->table, page);
	if (i < sp->table.n && sp->table.r[i].start <= page) {
		if ((sp->table.r[i].perm & perm) == perm) {
			/* Mapped meanwhile (another record of the group, a race). */
			pthread_mutex_unlock(&sp->lock);
			return 0;
		}
		remove_at(sp, i); /* mapped read-only, now written: map again */
	}
	uint64_t wend = page + (uint64_t)sp->map_pages * SVA_PAGE_SIZE;
	if (wend < page || wend > end)
		wend = end;
	if (i < sp->table.n && sp->table.r[i].start < wend)
		wend = sp->table.r[i].start;
	uint64_t mend = 0;
	int rc = map_window(sp, page, wend, allowed, &mend);
	if (rc == 0) {
		struct as_range r = {.start = page, .end = mend, .perm = allowed};
		rc = as_table_insert(&sp->table, i, &r);
		if (rc < 0) {
			/* Not remembered, so not unmapped on invalidation: undo. */
			sva_iommufd_unmap(sp->ic, sp->ioas, page, mend - page);
		} else {
			cnt_add(&sp->maps, 1);
			cnt_add(&sp->pages_mapped, (mend - page) >> SVA_PAGE_SHIFT);
		}
	} else {
		cnt_add(&sp->map_errors, 1);
		SVA_LOG(IOMMUFD, DEBUG, "%s: IOMMU_IOAS_MAP 0x%llx: %s", sp->name,
			(unsigned long long)page, strerror(-rc));
	}
	pthread_mutex_unlock(&sp->lock);
	return rc;
}

static int shadow_resolve(struct sva_as *as, uint64_t addr, uint32_t perm, void *arg)
{
	(void)as;
	return sva_iommufd_space_resolve(arg, addr, perm);
}

struct sva_iommufd_space *sva_iommufd_space_create(struct sva_iommufd *ic,
						   const struct sva_iommufd_space_conf *conf)
{
	if (!ic || !conf || !conf->as) {
		errno = EINVAL;
		return NULL;
	}
	struct sva_iommufd_space *sp = calloc(1, sizeof(*sp));
	if (!sp) {
		errno = ENOMEM;
		return NULL;
	}
	sp->ic = ic;
	sp->map_pages = conf->map_pages ? conf->map_pages : SPACE_DEFAULT_MAP_PAGES;
	snprintf(sp->name, sizeof(sp->name), "%s", conf->name ? conf->name : "iommufd-space");
	pthread_mutex_init(&sp->lock, NULL);
	int rc = sva_iommufd_ioas_alloc(ic, &sp->ioas);
	if (rc < 0) {
		SVA_LOG(IOMMUFD, ERR, "%s: IOMMU_IOAS_ALLOC: %s", sp->name, strerror(-rc));
		goto fail;
	}
	char sname[64];
	snprintf(sname, sizeof(sname), "%s.shadow", sp->name);
	sp->shadow = sva_as_create_managed(&(struct sva_as_conf){
		.name = sname, .resolve = shadow_resolve, .resolve_arg = sp});
	if (!sp->shadow) {
		rc = -errno;
		goto fail_ioas;
	}
	sp->listener.invalidate = on_invalidate;
	rc = sva_as_add_listener(conf->as, &sp->listener);
	if (rc < 0)
		goto fail_shadow;
	sva_as_get(conf->as);
	sp->as = conf->as;
	return sp;
fail_shadow:
	sva_as_put(sp->shadow);
fail_ioas:
	sva_iommufd_destroy(ic, sp->ioas);
fail:
	pthread_mutex_destroy(&sp->lock);
	free(sp);
	errno = -rc;
	return NULL;
}

void sva_iommufd_space_destroy(struct sva_iommufd_space *sp)
{
	if (!sp)
		return;
	sva_as_del_listener(sp->as, &sp->listener);
	pthread_mutex_lock(&sp->lock);
	while (sp->table.n)
		remove_at(sp, sp->table.n - 1);
	pthread_mutex_unlock(&sp->lock);
	int rc = sva_iommufd_destroy(sp->ic, sp->ioas);
	if (rc < 0)
		SVA_LOG(IOMMUFD, WARNING, "%s: destroy IOAS %u: %s (a HWPT or device still uses it)",
			sp->name, sp->ioas, strerror(-rc));
	sva_as_put(sp->shadow);
	sva_as_put(sp->as);
	pthread_mutex_destroy(&sp->lock);
	as_table_free(&sp->table);
	free(sp);
}

uint32_t sva_iommufd_space_ioas(const struct sva_iommufd_space *sp)
{
	return sp->ioas;
}

struct sva_as *sva_iommufd_space_as(const struct sva_iommufd_space *sp)
{
	return sp->as;
}

struct sva_as *iommufd_space_shadow(struct sva_iommufd_space *sp)
{
	return sp->shadow;
}

void sva_iommufd_space_stats(struct sva_iommufd_space *sp, struct sva_iommufd_space_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->maps = sva_counter_read(&sp->maps);
	st->pages_mapped = sva_counter_read(&sp->pages_mapped);
	st->unmaps = sva_counter_read(&sp->unmaps);
	st->refused = sva_counter_read(&sp->refused);
	st->map_errors = sva_counter_read(&sp->map_errors);
	pthread_mutex_lock(&sp->lock);
	st->mappings = sp->table.n;
	pthread_mutex_unlock(&sp->lock);
}
