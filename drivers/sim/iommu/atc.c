/* SPDX-License-Identifier: BSD-3-Clause */
/* Device TLB model and the first-level walk.
 *
 * Each engine owns a private, direct-mapped translation cache whose entries
 * cover 2 MiB of one PASID with three bitmaps (walked, readable, writable)
 * of 512 pages. Only positive translations are cached, like a real ATC: a
 * page that is not present is walked again on every access, so a page that
 * the fault handler (or fault-ahead) made present is seen at once.
 *
 * Invalidations are posted to a log that every cache applies before its next
 * descriptor (sim_atc_sync()); a cache that fell more than a log's length
 * behind flushes itself. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iommu_priv.h"
#include "sva_defaults.h"
#include "sva_log.h"

#define CHUNK_SHIFT SIM_ATC_CHUNK_SHIFT
#define CHUNK_SIZE SIM_ATC_CHUNK_SIZE
#define CHUNK_PAGES (CHUNK_SIZE >> SVA_PAGE_SHIFT)
#define CHUNK_WORDS SIM_ATC_CHUNK_WORDS

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_PRESENT (1ull << 63)
#define PM_FILE (1ull << 61)
#define PM_EXCLUSIVE (1ull << 56)

struct sim_atc *sim_atc_create(struct sim_iommu *mmu, unsigned int entries)
{
	if (!entries)
		entries = SVA_DEFAULT_ATC_ENTRIES;
	entries = sva_pow2_ceil(entries);
	struct sim_atc *atc = calloc(1, sizeof(*atc));
	if (!atc)
		return NULL;
	atc->e = calloc(entries, sizeof(*atc->e));
	if (!atc->e) {
		free(atc);
		return NULL;
	}
	atc->mmu = mmu;
	atc->mask = entries - 1;
	atc->shift = 64u - (unsigned int)__builtin_ctz(entries);
	atc->seen = atomic_load_explicit(&mmu->inv_seq, memory_order_acquire);
	return atc;
}

void sim_atc_free(struct sim_atc *atc)
{
	if (!atc)
		return;
	atomic_fetch_add(&atc->mmu->atc_hits, sva_counter_read(&atc->hits));
	free(atc->e);
	free(atc);
}

void sim_atc_flush(struct sim_atc *atc)
{
	for (unsigned int i = 0; i <= atc->mask; i++)
		atc->e[i].tag = 0;
}

static void clear_range(struct sim_atc_entry *e, uint64_t start, uint64_t end)
{
	uint64_t base = e->tag & ~1ull;
	uint64_t s = SVA_MAX(start, base), t = SVA_MIN(end, base + CHUNK_SIZE);
	if (s >= t)
		return;
	if (s == base && t == base + CHUNK_SIZE) {
		e->tag = 0;
		return;
	}
	for (uint64_t p = (s - base) >> SVA_PAGE_SHIFT; p < ((t - base + SVA_PAGE_SIZE - 1) >> SVA_PAGE_SHIFT); p++) {
		uint64_t bit = 1ull << (p % 64);
		e->known[p / 64] &= ~bit;
		e->rd[p / 64] &= ~bit;
		e->wr[p / 64] &= ~bit;
	}
}

static void apply(struct sim_atc *atc, uint32_t pasid, uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i <= atc->mask; i++) {
		struct sim_atc_entry *e = &atc->e[i];
		if (!(e->tag & 1) || (pasid != INV_ANY_PASID && e->pasid != pasid))
			continue;
		clear_range(e, start, end);
	}
}

void sim_atc_sync(struct sim_atc *atc)
{
	struct sim_iommu *mmu = atc->mmu;
	uint64_t seq = atomic_load_explicit(&mmu->inv_seq, memory_order_acquire);
	if (sva_likely(seq == atc->seen))
		return;
	if (seq - atc->seen > INV_LOG) {
		sim_atc_flush(atc);
		atc->seen = seq;
		return;
	}
	for (uint64_t s = atc->seen; s < seq; s++) {
		struct inv_entry *ie = &mmu->inv[s % INV_LOG];
		uint32_t pasid = atomic_load_explicit(&ie->pasid, memory_order_relaxed);
		uint64_t a = atomic_load_explicit(&ie->start, memory_order_relaxed);
		uint64_t b = atomic_load_explicit(&ie->end, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		/* Entry s is rewritten once the log reaches s + INV_LOG. */
		if (atomic_load_explicit(&mmu->inv_seq, memory_order_relaxed) >= s + INV_LOG) {
			sim_atc_flush(atc);
			break;
		}
		apply(atc, pasid, a, b);
	}
	atc->seen = seq;
}

void iommu_post_invalidation(struct sim_iommu *mmu, uint32_t pasid, uint64_t start, uint64_t end)
{
	pthread_mutex_lock(&mmu->inv_lock);
	uint64_t seq = atomic_load_explicit(&mmu->inv_seq, memory_order_relaxed);
	struct inv_entry *ie = &mmu->inv[seq % INV_LOG];
	atomic_store_explicit(&ie->pasid, pasid, memory_order_relaxed);
	atomic_store_explicit(&ie->start, start, memory_order_relaxed);
	atomic_store_explicit(&ie->end, end, memory_order_relaxed);
	atomic_store_explicit(&mmu->inv_seq, seq + 1, memory_order_release);
	pthread_mutex_unlock(&mmu->inv_lock);
	atomic_fetch_add_explicit(&mmu->invalidations, 1, memory_order_relaxed);
}

void sim_iommu_invalidate(struct sim_iommu *mmu, uint32_t pasid, uint64_t va, uint64_t len)
{
	if (len == 0)
		iommu_post_invalidation(mmu, pasid, 0, UINT64_MAX);
	else
		iommu_post_invalidation(mmu, pasid, SVA_ALIGN_DOWN(va, (uint64_t)SVA_PAGE_SIZE),
					va + len < va ? UINT64_MAX : va + len);
}

/* First-level walk of the process page tables for 64 pages from @page_va. */
static int walk_process(struct sim_iommu *mmu, struct sva_as *as, uint64_t page_va,
			uint64_t *rbits, uint64_t *wbits)
{
	uint64_t pm[64];
	*rbits = *wbits = 0;
	ssize_t n = pread(mmu->pagemap_fd, pm, sizeof(pm), (off_t)((page_va >> SVA_PAGE_SHIFT) * 8));
	if (n <= 0)
		return 0; /* beyond the user address space: nothing present */
	unsigned int cnt = (unsigned int)n / 8;
	atomic_fetch_add_explicit(&mmu->walk_pages, cnt, memory_order_relaxed);
	uint64_t vma_end = 0;
	uint32_t vperm = 0;
	bool shared = false;
	for (unsigned int i = 0; i < cnt; i++) {
		if (!(pm[i] & PM_PRESENT))
			continue;
		uint64_t va = page_va + ((uint64_t)i << SVA_PAGE_SHIFT);
		if (va >= vma_end) {
			uint64_t end = 0;
			vperm = sva_as_perm(as, va, &end, &shared);
			vma_end = end > va ? end : va + SVA_PAGE_SIZE;
		}
		if (vperm & SVA_PERM_READ)
			*rbits |= 1ull << i;
		/* A present page is writable through the first level only when its
		 * PTE is: shared mappings (treated as writable once present), or a
		 * private page that is ours alone and not a page-cache page still
		 * shared copy-on-write (the zero page, a forked parent's page or an
		 * unwritten private file page all need a write fault first). */
		if ((vperm & SVA_PERM_WRITE) &&
		    (shared || ((pm[i] & PM_EXCLUSIVE) && !(pm[i] & PM_FILE))))
			*wbits |= 1ull << i;
	}
	return 0;
}

int iommu_walk(struct sim_iommu *mmu, uint32_t pasid, uint64_t page_va, bool ctrl,
	       uint64_t *rbits, uint64_t *wbits)
{
	atomic_fetch_add_explicit(&mmu->walks, 1, memory_order_relaxed);
	uint32_t every = atomic_load_explicit(&mmu->inj_xlate_every, memory_order_relaxed);
	if (every && !ctrl && atomic_fetch_add(&mmu->inj_walk_count, 1) % every == every - 1) {
		atomic_fetch_add_explicit(&mmu->injected, 1, memory_order_relaxed);
		return -EIO;
	}
	struct sva_as *as = sim_iommu_pasid_as(mmu, pasid);
	if (!as)
		return -ENOENT;
	int rc = sva_as_type(as) == SVA_AS_MANAGED ? sva_as_managed_bits(as, page_va, 64, rbits, wbits)
						   : walk_process(mmu, as, page_va, rbits, wbits);
	sva_as_put(as);
	return rc;
}

static inline struct sim_atc_entry *lookup(struct sim_atc *atc, uint32_t pasid, uint64_t chunk)
{
	/* Fibonacci hashing of (chunk, PASID), index from the top bits, which
	 * depend on every bit of the key. (The PASID used to be XORed into the
	 * low bits of the product, which the index never used: every PASID
	 * translating the same 2 MiB chunk shared one entry and evicted the
	 * others on each access.) */
	struct sim_atc_entry *e = &atc->e[atc->mask ? sim_atc_hash(pasid, chunk) >> atc->shift : 0];
	if (e->tag != (chunk | 1) || e->pasid != pasid) {
		e->tag = chunk | 1;
		e->pasid = pasid;
		memset(e->known, 0, sizeof(e->known));
	} else {
		sva_counter_add(&atc->hits, 1);
	}
	return e;
}

enum sim_xlate sim_atc_translate_slow(struct sim_atc *atc, uint32_t pasid, uint64_t va,
				      uint64_t len, uint32_t perm, uint64_t *ok_len)
{
	*ok_len = 0;
	if (len == 0)
		return SIM_XLATE_OK;
	uint64_t end = va + len;
	if (end < va)
		return SIM_XLATE_INVALID;
	uint64_t p = va;
	while (p < end) {
		uint64_t chunk = p & ~(CHUNK_SIZE - 1);
		struct sim_atc_entry *e = lookup(atc, pasid, chunk);
		uint64_t seg_end = SVA_MIN(end, chunk + CHUNK_SIZE);
		unsigned int i0 = (unsigned int)((p - chunk) >> SVA_PAGE_SHIFT);
		unsigned int i1 = (unsigned int)((seg_end - 1 - chunk) >> SVA_PAGE_SHIFT);
		for (unsigned int w = i0 / 64; w <= i1 / 64; w++) {
			unsigned int lo = w == i0 / 64 ? i0 % 64 : 0;
			unsigned int hi = w == i1 / 64 ? i1 % 64 : 63;
			uint64_t mask = (hi - lo == 63 ? ~0ull : ((1ull << (hi - lo + 1)) - 1)) << lo;
			if (mask & ~e->known[w]) {
				uint64_t r, wb;
				int rc = iommu_walk(atc->mmu, pasid, chunk + (uint64_t)w * 64 * SVA_PAGE_SIZE,
						    perm & SIM_XLATE_F_CTRL,
						    &r, &wb);
				if (rc < 0) {
					e->tag = 0;
					return SIM_XLATE_INVALID;
				}
				e->known[w] = r | wb; /* positive translations only */
				e->rd[w] = r;
				e->wr[w] = wb;
			}
			uint64_t allowed = e->known[w];
			if (perm & SVA_PERM_READ)
				allowed &= e->rd[w];
			if (perm & SVA_PERM_WRITE)
				allowed &= e->wr[w];
			uint64_t bad = mask & ~allowed;
			if (bad) {
				unsigned int b = (unsigned int)__builtin_ctzll(bad);
				uint64_t page = chunk + ((uint64_t)(w * 64 + b) << SVA_PAGE_SHIFT);
				/* The retry after the page response must walk again. */
				e->known[w] &= ~(1ull << b);
				*ok_len = page > va ? page - va : 0;
				return SIM_XLATE_FAULT;
			}
		}
		p = seg_end;
	}
	*ok_len = len;
	return SIM_XLATE_OK;
}
