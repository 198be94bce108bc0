/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Software CRCs with the conventions of svadk's operations: what the software
 * DSA/IAA device computes, and what applications use to check device results
 * or to compute a CRC on the CPU.
 *
 * - CRC-32C (Castagnoli): the DSA CRC-generation and copy-with-CRC result.
 *   Uses the SSE4.2 crc32 instruction (three interleaved streams combined with
 *   PCLMULQDQ on large buffers) when the CPU has it, checked at run time, and a
 *   slicing-by-8 table otherwise.
 * - CRC-32 as gzip/zlib computes it (zlib's crc32()).
 * - CRC-64 with an arbitrary polynomial and bit order: the IAA CRC64 operation
 *   (slicing-by-8 table built per polynomial by the caller).
 *
 * Every function is pure and thread-safe; the only globals are read-only tables.
 */
#ifndef SVA_CRC_H
#define SVA_CRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final
 * XOR all ones), chainable like zlib's crc32().
 *
 * @param seed  0 to start, or the CRC-32C of the bytes before @p buf: then
 *              sva_sw_crc32c(sva_sw_crc32c(0, a, la), b, lb) == sva_sw_crc32c(0, a||b, la+lb).
 *              This is the DSA CRC-generation result for that seed.
 * @param buf   data (any alignment); may be NULL when @p len is 0
 * @param len   bytes
 * @return the CRC-32C, e.g. sva_sw_crc32c(0, "123456789", 9) == 0xE3069283.
 */
uint32_t sva_sw_crc32c(uint32_t seed, const void *buf, size_t len);

/**
 * Same result as sva_sw_crc32c(), always computed by the portable slicing-by-8
 * table code (never the SSE4.2 instruction). For tests and comparisons.
 */
uint32_t sva_sw_crc32c_portable(uint32_t seed, const void *buf, size_t len);

/** True when sva_sw_crc32c() uses the SSE4.2 crc32 instruction on this CPU. */
bool sva_sw_crc32c_hw_available(void);

/**
 * CRC-32 as gzip and zlib compute it (reflected polynomial 0xEDB88320, initial
 * value and final XOR all ones), chainable like zlib's crc32(); computed by zlib.
 * sva_sw_crc32(0, "123456789", 9) == 0xCBF43926.
 */
uint32_t sva_sw_crc32(uint32_t seed, const void *buf, size_t len);

/** CRC-64 flag: LSB-first bit order (reflected polynomial, input and output). */
#define SVA_SW_CRC64_REFLECT 1u
/** CRC-64 flag: initial value and final XOR all ones (over the CRC's width). */
#define SVA_SW_CRC64_INVERT  2u

/**
 * Lookup tables of one CRC-64 polynomial and flag set, built by
 * sva_sw_crc64_init(); read-only afterwards, so one table may be shared by
 * any number of threads.
 */
struct sva_sw_crc64 {
	uint64_t poly;       /**< polynomial, normal (non-reflected) form, MSB-aligned */
	uint32_t flags;      /**< SVA_SW_CRC64_* */
	uint64_t mask;       /**< the CRC's bits inside the 64-bit register */
	uint64_t t[8][256];  /**< slicing-by-8 tables */
};

/**
 * Build the tables of a CRC-64 with an arbitrary polynomial, as the IAA CRC64
 * operation takes it.
 *
 * @param t      tables to fill (about 16 KiB)
 * @param poly   the polynomial in normal form without its x^64 term, e.g.
 *               0x42F0E1EBA9EA3693 for ECMA-182. A CRC narrower than 64 bits
 *               is given MSB-aligned: CRC-16/T10-DIF 0x8BB7 is
 *               0x8BB7000000000000 and CRC-32 0x04C11DB7 is
 *               0x04C11DB700000000. The width of the CRC is 64 minus the
 *               number of trailing zero bits of @p poly.
 * @param flags  SVA_SW_CRC64_REFLECT: LSB-first (the polynomial is reflected
 *               internally; the result is then in the low @e width bits).
 *               Without it the CRC is MSB-first and a narrow result is
 *               MSB-aligned (in the high @e width bits).
 *               SVA_SW_CRC64_INVERT: initial value and final XOR all ones over the
 *               CRC's width bits (all 64 bits for a 64-bit polynomial).
 *
 * Check values on "123456789": 0x42F0E1EBA9EA3693 with flags 0 (CRC-64/ECMA-182)
 * gives 0x6C40DF5F0B497347; with REFLECT|INVERT (CRC-64/XZ) 0x995DC9BBDF1939FA.
 */
void sva_sw_crc64_init(struct sva_sw_crc64 *t, uint64_t poly, uint32_t flags);

/**
 * CRC-64 of @p buf with the polynomial and flags @p t was built for.
 * @return the CRC (see sva_sw_crc64_init() for where a narrow CRC lies).
 */
uint64_t sva_sw_crc64(const struct sva_sw_crc64 *t, const void *buf, size_t len);

/**
 * Make @p t the tables of @p poly and @p flags: rebuilt only when they
 * differ from what @p t holds (a table kept per queue or engine serves a run
 * of operations with the same CRC for free).
 */
static inline void sva_sw_crc64_prepare(struct sva_sw_crc64 *t, uint64_t poly, uint32_t flags)
{
	if (t->poly != poly || t->flags != flags)
		sva_sw_crc64_init(t, poly, flags);
}

#endif
