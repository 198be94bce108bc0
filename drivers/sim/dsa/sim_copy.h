/* SPDX-License-Identifier: BSD-3-Clause */
/* Copies of at most 64 bytes, inline, with memmove semantics: every byte is
 * loaded before any is stored, so overlapping buffers come out as if copied
 * through a temporary. The device's batch fast path moves many small
 * buffers; a call into the C library's memmove (through the PLT, with its
 * size dispatch) costs more than such a copy itself. */
#ifndef SIM_COPY_H
#define SIM_COPY_H

#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline void sim_move_small(void *dst, const void *src, uint32_t n)
{
	const uint8_t *s = src;
	uint8_t *d = dst;
#if defined(__SSE2__)
	if (n >= 32) { /* two 16-byte pairs from each end, overlapping in the middle */
		__m128i a = _mm_loadu_si128((const __m128i *)s);
		__m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
		__m128i c = _mm_loadu_si128((const __m128i *)(s + n - 32));
		__m128i e = _mm_loadu_si128((const __m128i *)(s + n - 16));
		_mm_storeu_si128((__m128i *)d, a);
		_mm_storeu_si128((__m128i *)(d + 16), b);
		_mm_storeu_si128((__m128i *)(d + n - 32), c);
		_mm_storeu_si128((__m128i *)(d + n - 16), e);
		return;
	}
	if (n >= 16) {
		__m128i a = _mm_loadu_si128((const __m128i *)s);
		__m128i b = _mm_loadu_si128((const __m128i *)(s + n - 16));
		_mm_storeu_si128((__m128i *)d, a);
		_mm_storeu_si128((__m128i *)(d + n - 16), b);
		return;
	}
#else
	if (n >= 16) {
		memmove(d, s, n);
		return;
	}
#endif
	if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n) {
		uint8_t a = s[0], b = s[n / 2], c = s[n - 1];
		d[0] = a;
		d[n / 2] = b;
		d[n - 1] = c;
	}
}

/* memmove(), inline for the small sizes. */
static inline void sim_move(void *dst, const void *src, uint32_t n)
{
	if (n <= 64)
		sim_move_small(dst, src, n);
	else
		memmove(dst, src, n);
}

#endif
