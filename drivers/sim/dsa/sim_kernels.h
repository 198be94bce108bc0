/* SPDX-License-Identifier: BSD-3-Clause */
/* Data kernels shared by the software device's engines (ops_dsa.c) and the
 * cpu device (drivers/dma/cpu), so that both do the same work. */
#ifndef SIM_KERNELS_H
#define SIM_KERNELS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sva_common.h"

/* Whether [a, a + al) and [b, b + bl) overlap (empty ranges never do). */
static inline bool sim_overlap(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
	return al && bl && a < b + bl && b < a + al;
}

/* Same-length buffers overlap. */
static inline bool sim_overlap_n(uint64_t a, uint64_t b, uint64_t len)
{
	return sim_overlap(a, len, b, len);
}

/* 64 bytes of the 8-byte @pattern, starting at its byte @phase. */
static inline void sim_pattern64(uint8_t pat[64], uint64_t pattern, uint64_t phase)
{
	for (unsigned int i = 0; i < 64; i++)
		pat[i] = (uint8_t)(pattern >> (8 * ((i + phase) % 8)));
}

/* Fill n bytes at dst with the pattern, starting at its byte @phase. */
static inline void sim_fill_pattern(uint8_t *dst, uint64_t pattern, uint64_t phase, uint64_t n)
{
	uint8_t pat[64];
	sim_pattern64(pat, pattern, phase);
	while (n >= 64) {
		memcpy(dst, pat, 64);
		dst += 64;
		n -= 64;
	}
	memcpy(dst, pat, n);
}

/* Offset of the first byte of [p, p+n) differing from the pattern, or n. */
static inline uint64_t sim_diff_pattern(const uint8_t *p, uint64_t pattern, uint64_t phase,
					uint64_t n)
{
	uint8_t pat[64];
	sim_pattern64(pat, pattern, phase);
	uint64_t i = 0;
	while (i < n) {
		uint64_t k = SVA_MIN(n - i, (uint64_t)64);
		if (memcmp(p + i, pat, k)) {
			for (uint64_t j = 0; j < k; j++)
				if (p[i + j] != pat[j])
					return i + j;
		}
		i += k;
	}
	return n;
}

/* Offset of the first byte where a and b differ, or n. */
static inline uint64_t sim_diff_buffers(const uint8_t *a, const uint8_t *b, uint64_t n)
{
	uint64_t i = 0;
	while (i < n) {
		uint64_t k = SVA_MIN(n - i, (uint64_t)4096);
		if (memcmp(a + i, b + i, k)) {
			for (uint64_t j = 0; j < k; j++)
				if (a[i + j] != b[i + j])
					return i + j;
		}
		i += k;
	}
	return n;
}

/* Write back and invalidate the cache lines of [p, p+n). */
static inline void sim_cache_flush(const uint8_t *p, uint64_t n)
{
#if defined(__x86_64__) || defined(__i386__)
	uintptr_t s = (uintptr_t)p & ~(uintptr_t)63, e = (uintptr_t)p + n;
	for (uintptr_t q = s; q < e; q += 64)
		__builtin_ia32_clflush((const void *)q);
#else
	(void)p;
	(void)n;
#endif
}

#endif
