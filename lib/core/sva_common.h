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
/** log2(SVA_PAGE_SIZE): shift between an address and its page number. */
#define SVA_PAGE_SHIFT 12

/** Branch hint: @p x is expected to be true (non-zero). */
#define sva_likely(x) __builtin_expect(!!(x), 1)
/** Branch hint: @p x is expected to be false (zero). */
#define sva_unlikely(x) __builtin_expect(!!(x), 0)

/** The smaller of @p a and @p b. Evaluates its arguments more than once. */
#define SVA_MIN(a, b) ((a) < (b) ? (a) : (b))
/** The larger of @p a and @p b. Evaluates its arguments more than once. */
#define SVA_MAX(a, b) ((a) > (b) ? (a) : (b))
/** Number of elements of the array @p a (an array, not a pointer). */
#define SVA_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/**
 * @p x rounded down to a multiple of @p a, in the type of @p x. @p a must be
 * a power of two.
 */
#define SVA_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
/**
 * @p x rounded up to a multiple of @p a (a power of two). No overflow check:
 * the rounded value must fit in the type of @p x.
 */
#define SVA_ALIGN_UP(x, a) SVA_ALIGN_DOWN((x) + (a) - 1, (a))
/** Whether @p x is a power of two (0 is not). Evaluates @p x more than once. */
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

/** Largest power of two not above @p v (0 for 0). */
static inline uint32_t sva_pow2_floor(uint32_t v)
{
	return v ? 1u << (31 - __builtin_clz(v)) : 0;
}

#endif
