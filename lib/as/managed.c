/* SPDX-License-Identifier: BSD-3-Clause */
/* Managed address spaces: explicit, non-overlapping mappings (IOVA == VA). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "as_priv.h"
#include "sva_log.h"

static int check_range(const struct sva_as *as, const void *va, size_t len, const char *what)
{
	uint64_t s = (uint64_t)(uintptr_t)va;
	if (as->type != SVA_AS_MANAGED) {
		SVA_LOG(AS, ERR, "%s: %s needs a managed address space", as->name, what);
		return -EINVAL;
	}
	if (len == 0 || (s | len) & (SVA_PAGE_SIZE - 1) || s + len < s) {
		SVA_LOG(AS, ERR, "%s: %s %p+%zu: address and length must be page aligned and "
			"non-empty", as->name, what, va, len);
		return -EINVAL;
	}
	return 0;
}

int sva_as_map(struct sva_as *as, void *va, size_t len, uint32_t perm)
{
	int rc = check_range(as, va, len, "map");
	if (rc < 0)
		return rc;
	if (perm == 0 || perm & ~(uint32_t)(SVA_PERM_READ | SVA_PERM_WRITE)) {
		SVA_LOG(AS, ERR, "%s: map %p+%zu: bad permission 0x%x", as->name, va, len, perm);
		return -EINVAL;
	}
	/* Like an IOAS map pins its pages: make them present now, with the
	 * access the mapping grants; fails when the process cannot. */
	int adv = perm & SVA_PERM_WRITE ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
	if (madvise(va, len, adv) != 0) {
		SVA_LOG(AS, ERR, "%s: map %p+%zu: the process cannot %s that range (%s)", as->name,
			va, len, perm & SVA_PERM_WRITE ? "write" : "read", strerror(errno));
		return -EFAULT;
	}
	uint64_t s = (uint64_t)(uintptr_t)va, e = s + len;
	pthread_rwlock_wrlock(&as->lock);
	unsigned int at = as_table_lower(&as->table, s);
	if (at < as->table.n && as->table.r[at].start < e) {
		struct as_range o = as->table.r[at];
		pthread_rwlock_unlock(&as->lock);
		SVA_LOG(AS, ERR, "%s: map %p+%zu overlaps mapping 0x%llx-0x%llx", as->name, va, len,
			(unsigned long long)o.start, (unsigned long long)o.end);
		return -EEXIST;
	}
	struct as_range r = {.start = s, .end = e, .perm = perm};
	rc = as_table_insert(&as->table, at, &r);
	pthread_rwlock_unlock(&as->lock);
	return rc;
}

int sva_as_unmap(struct sva_as *as, void *va, size_t len)
{
	int rc = check_range(as, va, len, "unmap");
	if (rc < 0)
		return rc;
	uint64_t s = (uint64_t)(uintptr_t)va, e = s + len;
	pthread_rwlock_wrlock(&as->lock);
	unsigned int first = as_table_lower(&as->table, s), last = first;
	while (last < as->table.n && as->table.r[last].start < e)
		last++;
	if (first == last) {
		pthread_rwlock_unlock(&as->lock);
		return -ENOENT;
	}
	if (as->table.r[first].start < s || as->table.r[last - 1].end > e) {
		pthread_rwlock_unlock(&as->lock);
		SVA_LOG(AS, ERR, "%s: unmap %p+%zu would split a mapping", as->name, va, len);
		return -EINVAL;
	}
	as_table_remove(&as->table, first, last - first);
	pthread_rwlock_unlock(&as->lock);
	/* Devices must stop reaching the range before we return. */
	as_notify(as, s, e);
	return 0;
}

int sva_as_managed_bits(struct sva_as *as, uint64_t page_va, unsigned int npages,
			uint64_t *rbits, uint64_t *wbits)
{
	if (as->type != SVA_AS_MANAGED || npages == 0 || npages > 64)
		return -EINVAL;
	uint64_t r = 0, w = 0, s = SVA_ALIGN_DOWN(page_va, (uint64_t)SVA_PAGE_SIZE);
	uint64_t e = s + (uint64_t)npages * SVA_PAGE_SIZE;
	pthread_rwlock_rdlock(&as->lock);
	for (unsigned int i = as_table_lower(&as->table, s);
	     i < as->table.n && as->table.r[i].start < e; i++) {
		const struct as_range *m = &as->table.r[i];
		uint64_t a = SVA_MAX(m->start, s), b = SVA_MIN(m->end, e);
		unsigned int p0 = (unsigned int)((a - s) >> SVA_PAGE_SHIFT);
		unsigned int p1 = (unsigned int)((b - s) >> SVA_PAGE_SHIFT);
		uint64_t mask = (p1 - p0 == 64 ? ~0ull : ((1ull << (p1 - p0)) - 1)) << p0;
		if (m->perm & SVA_PERM_READ)
			r |= mask;
		if (m->perm & SVA_PERM_WRITE)
			w |= mask;
	}
	pthread_rwlock_unlock(&as->lock);
	*rbits = r;
	*wbits = w;
	return 0;
}

unsigned int sva_as_mapping_count(struct sva_as *as)
{
	if (as->type != SVA_AS_MANAGED)
		return 0;
	pthread_rwlock_rdlock(&as->lock);
	unsigned int n = as->table.n;
	pthread_rwlock_unlock(&as->lock);
	return n;
}

int sva_as_resolve_managed(struct sva_as *as, uint64_t addr, uint32_t perm)
{
	if (as->type != SVA_AS_MANAGED || !as->resolve)
		return -EFAULT;
	return as->resolve(as, addr, perm, as->resolve_arg);
}
