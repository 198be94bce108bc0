/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Software CRCs with the conventions of svadk's operations, for applications
 * that check device results or compute a CRC on the CPU: CRC-32C as
 * sva_sw_crc32c() (DSA CRC generation), CRC-32 as gzip (IAA compress and
 * decompress results), CRC-64 with any polynomial (IAA CRC64).
 * All functions are pure and thread-safe.
 */
#ifndef SVA_CRC_H
#define SVA_CRC_H

#include <stddef.h>
#include <stdint.h>

/**
 * CRC-32C (Castagnoli), chainable: @p seed is 0 to start, or the CRC of the
 * bytes before. sva_sw_crc32c(0, "123456789", 9) == 0xE3069283.
 */
uint32_t sva_sw_crc32c(uint32_t seed, const void *buf, size_t len);

/** CRC-32 as gzip/zlib computes it, chainable. sva_sw_crc32(0, "123456789", 9) == 0xCBF43926. */
uint32_t sva_sw_crc32(uint32_t seed, const void *buf, size_t len);

/** Tables of one CRC-64 polynomial and flag set (about 16 KiB; read-only once built). */
struct sva_sw_crc64 {
	uint64_t poly;      /**< polynomial, normal form, MSB-aligned */
	uint32_t flags;     /**< SVA_CRC64_F_* of sva_dma.h */
	uint64_t mask;      /**< the CRC's bits inside the 64-bit register */
	uint64_t t[8][256]; /**< slicing-by-8 tables */
};

/**
 * Build the tables for @p poly (normal form without the x^64 term; narrower
 * CRCs MSB-aligned) and @p flags (SVA_CRC64_F_REFLECT, SVA_CRC64_F_INVERT).
 */
void sva_sw_crc64_init(struct sva_sw_crc64 *t, uint64_t poly, uint32_t flags);

/** CRC-64 of @p buf. ECMA-182 (flags 0) of "123456789" is 0x6C40DF5F0B497347. */
uint64_t sva_sw_crc64(const struct sva_sw_crc64 *t, const void *buf, size_t len);

#endif
