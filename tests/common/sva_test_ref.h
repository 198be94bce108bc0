/* SPDX-License-Identifier: BSD-3-Clause */
/* Reference code shared by the unit tests: a deterministic pseudo-random
 * generator, CRCs computed bit by bit, and zlib's raw deflate and inflate in
 * one call. Header-only, static inline: each test uses what it needs. */
#ifndef SVA_TEST_REF_H
#define SVA_TEST_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "sva_crc.h"
#include "sva_test.h"

/* The generator's state: every program starts from the same seed. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

/* xorshift64* */
static inline uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static inline void fill_random(void *p, size_t n)
{
	uint8_t *b = p;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v = rnd();
		memcpy(b + i, &v, 8);
	}
	for (; i < n; i++)
		b[i] = (uint8_t)(rnd() >> 56);
}

/* Bitwise CRC-32C register update (reflected 0x82F63B78, LSB first), no
 * inversion. */
static inline uint32_t ref_crc32c_raw(uint32_t reg, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		reg ^= p[i];
		for (int b = 0; b < 8; b++)
			reg = (reg >> 1) ^ (0x82F63B78u & (0u - (reg & 1)));
	}
	return reg;
}

/* CRC-32C bit by bit: init and final XOR all ones, chainable (the seed is the
 * CRC of the preceding bytes). */
static inline uint32_t ref_crc32c_bitwise(uint32_t seed, const uint8_t *p, size_t n)
{
	return ~ref_crc32c_raw(~seed, p, n);
}

/*
 * CRC-64 bit by bit in the textbook model, flags SVA_SW_CRC64_*: the register
 * holds the polynomial remainder MSB-first (non-reflected), the input bits are
 * taken LSB-first when reflecting, and the result is bit-reversed then. A CRC
 * of width w (the polynomial MSB-aligned) lives in the top w bits of the
 * register; INVERT sets/xors those w bits.
 */
static inline uint64_t ref_crc64(uint64_t poly, uint32_t flags, const uint8_t *p, size_t n)
{
	int width = 64;
	if (poly)
		for (uint64_t q = poly; !(q & 1); q >>= 1)
			width--;
	uint64_t ones = width == 64 ? ~0ull : ((1ull << width) - 1) << (64 - width);
	uint64_t reg = (flags & SVA_SW_CRC64_INVERT) ? ones : 0;
	for (size_t i = 0; i < n; i++) {
		for (int b = 0; b < 8; b++) {
			int bit = (flags & SVA_SW_CRC64_REFLECT) ? (p[i] >> b) & 1
							       : (p[i] >> (7 - b)) & 1;
			int top = (int)(reg >> 63) ^ bit;
			reg <<= 1;
			if (top)
				reg ^= poly;
		}
	}
	if (flags & SVA_SW_CRC64_INVERT)
		reg ^= ones;
	if (flags & SVA_SW_CRC64_REFLECT) {
		uint64_t r = 0;
		for (int i = 0; i < 64; i++, reg >>= 1)
			r = (r << 1) | (reg & 1);
		reg = r;
	}
	return reg;
}

/* zlib raw inflate (32 KiB window) of a whole stream: the bytes out, or -1
 * (an error, a stream that does not end, or input left after its end). */
static inline long ref_zinflate(const uint8_t *src, size_t len, uint8_t *dst, size_t cap)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -15) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)(uintptr_t)src;
	zs.avail_in = (uInt)len;
	zs.next_out = dst;
	zs.avail_out = (uInt)cap;
	int rc = inflate(&zs, Z_FINISH);
	long out = rc == Z_STREAM_END ? (long)(cap - zs.avail_out) : -1;
	if (rc == Z_STREAM_END && zs.avail_in != 0)
		out = -1;
	inflateEnd(&zs);
	return out;
}

/* zlib deflate in one go with a 32 KiB window: raw, or (@gzip) gzip with its
 * plain 10-byte header and 8-byte trailer stripped, which is raw deflate too.
 * Returns the raw deflate length. */
static inline size_t ref_zdeflate(const uint8_t *src, size_t len, uint8_t *dst, size_t cap,
				  int level, bool gzip)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	CU_ASSERT_FATAL(deflateInit2(&zs, level, Z_DEFLATED, gzip ? 31 : -15, 9,
				     Z_DEFAULT_STRATEGY) == Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)src;
	zs.avail_in = (uInt)len;
	zs.next_out = dst;
	zs.avail_out = (uInt)cap;
	CU_ASSERT_FATAL(deflate(&zs, Z_FINISH) == Z_STREAM_END);
	size_t out = cap - zs.avail_out;
	deflateEnd(&zs);
	if (gzip) {
		CU_ASSERT_FATAL(out > 18 && dst[0] == 0x1f && dst[1] == 0x8b && dst[3] == 0);
		memmove(dst, dst + 10, out - 18);
		out -= 18;
	}
	return out;
}

#endif
