/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Layout of the software IOMMU's device TLB, and the inline fast path of
 * sim_atc_translate(): a device model calls it for every buffer of every
 * descriptor, so a cached one-page translation costs no function call.
 * Included by sim_iommu.h; use the functions declared there.
 */
#ifndef SIM_ATC_H
#define SIM_ATC_H

#include <stdint.h>

#include "sva_atomic.h"
#include "sva_common.h"

#define SIM_ATC_CHUNK_SHIFT 21
#define SIM_ATC_CHUNK_SIZE (1ull << SIM_ATC_CHUNK_SHIFT)
#define SIM_ATC_CHUNK_WORDS ((SIM_ATC_CHUNK_SIZE >> SVA_PAGE_SHIFT) / 64)

/** One entry: 2 MiB of one PASID, bitmaps of walked, readable, writable pages. */
struct sim_atc_entry {
	uint64_t tag;       /**< chunk base | 1 when valid */
	uint32_t pasid;
	uint64_t known[SIM_ATC_CHUNK_WORDS];
	uint64_t rd[SIM_ATC_CHUNK_WORDS];
	uint64_t wr[SIM_ATC_CHUNK_WORDS];
};

/** A translation cache (one per engine, used by one thread at a time). */
struct sim_atc {
	struct sim_iommu *mmu;
	unsigned int mask;
	unsigned int shift;  /**< 64 - log2(entries): index = top bits of the hash */
	uint64_t seen;       /**< invalidation log position applied */
	struct sim_atc_entry *e;
	sva_counter_t hits;
};

/** Fibonacci hashing of (chunk, PASID); the index is taken from the top bits,
 *  which depend on every bit of the key. */
static inline uint64_t sim_atc_hash(uint32_t pasid, uint64_t chunk)
{
	return ((chunk >> SIM_ATC_CHUNK_SHIFT) << 20 ^ pasid) * 0x9E3779B97F4A7C15ull;
}

enum sim_xlate sim_atc_translate_slow(struct sim_atc *atc, uint32_t pasid, uint64_t va,
				      uint64_t len, uint32_t perm, uint64_t *ok_len);

/* Fast path: a range within one page whose translation is cached (most
 * descriptors' buffers, every completion record); anything else walks. */
static inline enum sim_xlate sim_atc_translate(struct sim_atc *atc, uint32_t pasid, uint64_t va,
					       uint64_t len, uint32_t perm, uint64_t *ok_len)
{
	if (sva_likely(len && len <= SVA_PAGE_SIZE && !((va ^ (va + len - 1)) >> SVA_PAGE_SHIFT))) {
		uint64_t chunk = va & ~(SIM_ATC_CHUNK_SIZE - 1);
		struct sim_atc_entry *e = &atc->e[atc->mask ? sim_atc_hash(pasid, chunk) >> atc->shift : 0];
		if (e->tag == (chunk | 1) && e->pasid == pasid) {
			unsigned int pg = (unsigned int)((va - chunk) >> SVA_PAGE_SHIFT);
			uint64_t ok = e->known[pg / 64];
			if (perm & SVA_PERM_READ)
				ok &= e->rd[pg / 64];
			if (perm & SVA_PERM_WRITE)
				ok &= e->wr[pg / 64];
			if (ok >> (pg % 64) & 1) {
				sva_counter_add(&atc->hits, 1);
				*ok_len = len;
				return SIM_XLATE_OK;
			}
		}
	}
	return sim_atc_translate_slow(atc, pasid, va, len, perm, ok_len);
}

#endif
