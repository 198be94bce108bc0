/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Small definitions every svadk component uses: cache-line alignment, branch
 * hints, min/max, and the read/write permission bits shared by address spaces,
 * translations and fault records.
 */
#ifndef SVA_COMMON_H
#define SVA_COMMON_H

#include <stddef.h>
#include <stdint.h>

/** Cache-line size assumed for alignment and padding. */
#define SVA_CACHE_LINE 64
/** Align an object on its own cache line. */
#define sva_cache_aligned __attribute__((aligned(SVA_CACHE_LINE)))
/** Size of a CPU page the library works with (faults are resolved per page). */
#define SVA_PAGE_SIZE 4096u
#define SVA_PAGE_SHIFT 12

#define sva_likely(x) __builtin_expect(!!(x), 1)
#define sva_unlikely(x) __builtin_expect(!!(x), 0)

#define SVA_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SVA_MAX(a, b) ((a) > (b) ? (a) : (b))
#define SVA_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SVA_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define SVA_ALIGN_UP(x, a) SVA_ALIGN_DOWN((x) + (a) - 1, (a))
#define SVA_IS_POW2(x) ((x) != 0 && ((x) & ((x) - 1)) == 0)

/** The structure that embeds @p member at @p ptr. */
#define sva_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/** Access permissions: of a mapping, a translation request or a fault. */
enum sva_perm {
	SVA_PERM_READ = 1u << 0,  /**< read access */
	SVA_PERM_WRITE = 1u << 1, /**< write access */
};

/** Round @p v up to the next power of two (v > 0, v <= 2^31). */
static inline uint32_t sva_pow2_ceil(uint32_t v)
{
	return v <= 1 ? 1 : 1u << (32 - __builtin_clz(v - 1));
}

#endif
