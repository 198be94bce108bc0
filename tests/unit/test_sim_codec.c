/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the data-transform kernels of the DSA/IAA model:
 * lib/core/crc.c (software CRCs) and drivers/sim/dsa/sim_deflate.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <zlib.h>

#include "sva_crc.h"
#include "sim_deflate.h"
#include "sva_build_config.h"
#include "sva_dma.h"
#include "sva_test.h"
#include "sva_test_ref.h"

#ifdef SVA_HAVE_ISAL
#include <isa-l/crc.h>
#include <isa-l/crc64.h>
#endif

/* ------------------------------------------------------------------------- */
/* Helpers */

/* Compressible text: words from a small vocabulary. */
static void fill_text(uint8_t *p, size_t n)
{
	static const char *const words[] = {
		"the", "device", "queue", "descriptor", "completion", "address", "space",
		"page", "fault", "translation", "engine", "portal", "batch", "of", "and",
		"a", "with", "deflate", "window", "history", "stream", "block", "record",
	};
	size_t i = 0;
	while (i < n) {
		const char *w = words[rnd() % (sizeof(words) / sizeof(words[0]))];
		for (; *w && i < n; w++)
			p[i++] = (uint8_t)*w;
		if (i < n)
			p[i++] = (rnd() % 11) ? ' ' : '\n';
	}
}

static uint8_t *xmalloc(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	CU_ASSERT_FATAL(p != NULL);
	return p;
}

/* ------------------------------------------------------------------------- */
/* CRC-32C */

static void test_crc32c_check_values(void)
{
	static const char check[] = "123456789";
	uint8_t buf[32];

	CU_ASSERT_EQUAL(sva_sw_crc32c(0, check, 9), 0xE3069283u);
	CU_ASSERT_EQUAL(sva_sw_crc32c_portable(0, check, 9), 0xE3069283u);
	CU_ASSERT_EQUAL(sva_sw_crc32c(0, NULL, 0), 0u);
	CU_ASSERT_EQUAL(sva_sw_crc32c(0x12345678u, NULL, 0), 0x12345678u);
	CU_ASSERT_EQUAL(sva_sw_crc32c_portable(0x12345678u, NULL, 0), 0x12345678u);

	/* iSCSI test vectors (RFC 3720 B.4) */
	memset(buf, 0, sizeof(buf));
	CU_ASSERT_EQUAL(sva_sw_crc32c(0, buf, 32), 0x8A9136AAu);
	CU_ASSERT_EQUAL(sva_sw_crc32c_portable(0, buf, 32), 0x8A9136AAu);
	memset(buf, 0xff, sizeof(buf));
	CU_ASSERT_EQUAL(sva_sw_crc32c(0, buf, 32), 0x62A8AB43u);
	CU_ASSERT_EQUAL(sva_sw_crc32c_portable(0, buf, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(sva_sw_crc32c(0, buf, 32), 0x46DD794Eu);
	CU_ASSERT_EQUAL(sva_sw_crc32c_portable(0, buf, 32), 0x46DD794Eu);

	printf("\n    CRC-32C: SSE4.2 path %s\n",
	       sva_sw_crc32c_hw_available() ? "in use" : "not available (table only)");
}

/* Every size 0..4097 at every start offset 0..7, both paths, random seeds. */
static void test_crc32c_vs_reference_small(void)
{
	enum { MAXN = 4097 };
	uint8_t *buf = xmalloc(MAXN + 8);
	unsigned int bad = 0;

	fill_random(buf, MAXN + 8);
	for (size_t off = 0; off < 8; off++) {
		uint32_t seed = (uint32_t)rnd();
		uint32_t reg = ~seed; /* incremental reference over the prefixes */
		for (size_t n = 0; n <= MAXN; n++) {
			uint32_t want = ~reg;
			if (sva_sw_crc32c(seed, buf + off, n) != want ||
			    sva_sw_crc32c_portable(seed, buf + off, n) != want) {
				if (bad++ < 5)
					printf("\n    mismatch off %zu len %zu", off, n);
			}
			if (n < MAXN)
				reg = ref_crc32c_raw(reg, buf + off + n, 1);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(buf);
}

/* Sizes that reach the three-stream rounds (3 x 8 KiB and 3 x 256 bytes). */
static void test_crc32c_vs_reference_large(void)
{
	static const size_t sizes[] = {
		767, 768, 769, 3 * 8192 - 1, 3 * 8192, 3 * 8192 + 1, 3 * 8192 + 768 + 13,
		65536, 100003, 6 * 8192 + 5 * 768 + 7, (1 << 20) + 5,
	};
	size_t maxn = (1 << 20) + 5 + 8;
	uint8_t *buf = xmalloc(maxn);

	fill_random(buf, maxn);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t off = 0; off < 8; off += 3) {
			uint32_t seed = (uint32_t)rnd();
			uint32_t want = ref_crc32c_bitwise(seed, buf + off, sizes[i]);
			CU_ASSERT_EQUAL(sva_sw_crc32c(seed, buf + off, sizes[i]), want);
			CU_ASSERT_EQUAL(sva_sw_crc32c_portable(seed, buf + off, sizes[i]), want);
		}
	}
	for (int k = 0; k < 40; k++) {
		size_t n = rnd() % 200000, off = rnd() % 8;
		uint32_t want = ref_crc32c_bitwise(0, buf + off, n);
		CU_ASSERT_EQUAL(sva_sw_crc32c(0, buf + off, n), want);
		CU_ASSERT_EQUAL(sva_sw_crc32c_portable(0, buf + off, n), want);
	}
	free(buf);
}

static void test_crc32c_chaining(void)
{
	enum { N = 70000 };
	uint8_t *buf = xmalloc(N);

	fill_random(buf, N);
	for (int k = 0; k < 200; k++) {
		size_t n = k < 100 ? rnd() % 1100 : rnd() % N;
		size_t a = n ? rnd() % (n + 1) : 0;
		uint32_t whole = sva_sw_crc32c(0, buf, n);
		CU_ASSERT_EQUAL(sva_sw_crc32c(sva_sw_crc32c(0, buf, a), buf + a, n - a), whole);
		CU_ASSERT_EQUAL(sva_sw_crc32c_portable(sva_sw_crc32c_portable(0, buf, a), buf + a, n - a), whole);
		CU_ASSERT_EQUAL(sva_sw_crc32c(sva_sw_crc32c_portable(0, buf, a), buf + a, n - a), whole);
	}
	/* byte at a time */
	uint32_t c = 0;
	for (size_t i = 0; i < 1000; i++)
		c = sva_sw_crc32c(c, buf + i, 1);
	CU_ASSERT_EQUAL(c, sva_sw_crc32c(0, buf, 1000));
	free(buf);
}

#ifdef SVA_HAVE_ISAL
static void test_crc32c_vs_isal(void)
{
	enum { N = 300000 };
	uint8_t *buf = xmalloc(N);

	fill_random(buf, N);
	for (int k = 0; k < 200; k++) {
		size_t n = rnd() % (k < 100 ? 5000 : N), off = rnd() % 16;
		if (off + n > N)
			n = N - off;
		uint32_t seed = (uint32_t)rnd();
		/* isa-l's crc32_iscsi() neither inverts the initial value nor the result */
		uint32_t want = ~crc32_iscsi(buf + off, (int)n, ~seed);
		CU_ASSERT_EQUAL(sva_sw_crc32c(seed, buf + off, n), want);
		CU_ASSERT_EQUAL(sva_sw_crc32c_portable(seed, buf + off, n), want);
	}
	free(buf);
}
#endif

/* ------------------------------------------------------------------------- */
/* CRC-32 (gzip) */

static void test_crc32_gzip(void)
{
	enum { N = 10000 };
	uint8_t *buf = xmalloc(N);

	CU_ASSERT_EQUAL(sva_sw_crc32(0, "123456789", 9), 0xCBF43926u);
	fill_random(buf, N);
	CU_ASSERT_EQUAL(sva_sw_crc32(sva_sw_crc32(0, buf, 1234), buf + 1234, N - 1234),
			(uint32_t)crc32(0, buf, N));
	free(buf);
}

/* ------------------------------------------------------------------------- */
/* CRC-64 */

static void test_crc64_check_values(void)
{
	static const struct {
		const char *name;
		uint64_t poly;
		uint32_t flags;
		uint64_t check;
	} cv[] = {
		{ "CRC-64/ECMA-182", 0x42F0E1EBA9EA3693ull, 0, 0x6C40DF5F0B497347ull },
		{ "CRC-64/XZ", 0x42F0E1EBA9EA3693ull, SVA_SW_CRC64_REFLECT | SVA_SW_CRC64_INVERT,
		  0x995DC9BBDF1939FAull },
		{ "CRC-64/WE", 0x42F0E1EBA9EA3693ull, SVA_SW_CRC64_INVERT, 0x62EC59E3F1A4F00Aull },
		{ "CRC-64/GO-ISO", 0x000000000000001Bull, SVA_SW_CRC64_REFLECT | SVA_SW_CRC64_INVERT,
		  0xB90956C775A41001ull },
		{ "CRC-64/NVME", 0xAD93D23594C93659ull, SVA_SW_CRC64_REFLECT | SVA_SW_CRC64_INVERT,
		  0xAE8B14860A799888ull },
		{ "CRC-64/REDIS", 0xAD93D23594C935A9ull, SVA_SW_CRC64_REFLECT, 0xE9C6D914C4B8D9CAull },
		{ "CRC-16/T10-DIF", 0x8BB7ull << 48, 0, 0xD0DBull << 48 },
		{ "CRC-32/ISO-HDLC", 0x04C11DB7ull << 32, SVA_SW_CRC64_REFLECT | SVA_SW_CRC64_INVERT,
		  0xCBF43926ull },
		{ "CRC-32/BZIP2", 0x04C11DB7ull << 32, SVA_SW_CRC64_INVERT, 0xFC891918ull << 32 },
		{ "CRC-32C", 0x1EDC6F41ull << 32, SVA_SW_CRC64_REFLECT | SVA_SW_CRC64_INVERT,
		  0xE3069283ull },
	};
	struct sva_sw_crc64 *t = malloc(sizeof(*t));
	CU_ASSERT_FATAL(t != NULL);

	for (size_t i = 0; i < sizeof(cv) / sizeof(cv[0]); i++) {
		sva_sw_crc64_init(t, cv[i].poly, cv[i].flags);
		uint64_t got = sva_sw_crc64(t, "123456789", 9);
		if (got != cv[i].check)
			printf("\n    %s: got %016llx want %016llx", cv[i].name,
			       (unsigned long long)got, (unsigned long long)cv[i].check);
		CU_ASSERT_EQUAL(got, cv[i].check);
		CU_ASSERT_EQUAL(ref_crc64(cv[i].poly, cv[i].flags, (const uint8_t *)"123456789", 9),
				cv[i].check);
	}
	free(t);
}

static void test_crc64_vs_reference(void)
{
	const uint64_t polys[] = {
		0x42F0E1EBA9EA3693ull, 0x000000000000001Bull, 0xAD93D23594C935A9ull,
		0x8BB7ull << 48, 0x04C11DB7ull << 32, rnd() | 1, (rnd() | 1) << 20, 0,
	};
	enum { N = 3000 };
	uint8_t *buf = xmalloc(N + 8);
	struct sva_sw_crc64 *t = malloc(sizeof(*t));
	CU_ASSERT_FATAL(t != NULL);
	unsigned int bad = 0;

	fill_random(buf, N + 8);
	for (size_t i = 0; i < sizeof(polys) / sizeof(polys[0]); i++) {
		for (uint32_t flags = 0; flags < 4; flags++) {
			sva_sw_crc64_init(t, polys[i], flags);
			for (int k = 0; k < 40; k++) {
				size_t n = k < 20 ? (size_t)k : rnd() % N, off = rnd() % 8;
				uint64_t want = ref_crc64(polys[i], flags, buf + off, n);
				if (sva_sw_crc64(t, buf + off, n) != want && bad++ < 5)
					printf("\n    poly %016llx flags %u len %zu off %zu",
					       (unsigned long long)polys[i], flags, n, off);
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(t);
	free(buf);
}

#ifdef SVA_HAVE_ISAL
/* isa-l's crc64_*() invert the initial value and the result. */
static void test_crc64_vs_isal(void)
{
	enum { N = 100000 };
	uint8_t *buf = xmalloc(N + 16);
	struct sva_sw_crc64 *t = malloc(4 * sizeof(*t));
	CU_ASSERT_FATAL(t != NULL);

	fill_random(buf, N + 16);
	sva_sw_crc64_init(&t[0], 0x42F0E1EBA9EA3693ull, 0);
	sva_sw_crc64_init(&t[1], 0x42F0E1EBA9EA3693ull, SVA_SW_CRC64_INVERT);
	sva_sw_crc64_init(&t[2], 0x42F0E1EBA9EA3693ull, SVA_SW_CRC64_REFLECT);
	sva_sw_crc64_init(&t[3], 0x42F0E1EBA9EA3693ull, SVA_SW_CRC64_REFLECT | SVA_SW_CRC64_INVERT);
	for (int k = 0; k < 100; k++) {
		size_t n = k < 50 ? rnd() % 600 : rnd() % N, off = rnd() % 16;
		const uint8_t *p = buf + off;
		CU_ASSERT_EQUAL(sva_sw_crc64(&t[0], p, n), ~crc64_ecma_norm(~0ull, p, n));
		CU_ASSERT_EQUAL(sva_sw_crc64(&t[1], p, n), crc64_ecma_norm(0, p, n));
		CU_ASSERT_EQUAL(sva_sw_crc64(&t[2], p, n), ~crc64_ecma_refl(~0ull, p, n));
		CU_ASSERT_EQUAL(sva_sw_crc64(&t[3], p, n), crc64_ecma_refl(0, p, n));
	}
	free(t);
	free(buf);
}
#endif

/* ------------------------------------------------------------------------- */
/* Deflate / inflate */

/* Output room for sim_deflate() (and for zlib with its default window). */
static size_t bound(size_t n)
{
	size_t b = (size_t)sim_deflate_bound((uint32_t)n);
	size_t z = compressBound((uLong)n);
	return b > z ? b : z;
}

/* sim_inflate of a whole stream in one call. */
static long sim_inflate_all(const uint8_t *src, size_t len, uint8_t *dst, size_t cap)
{
	struct sim_inflate *s = sim_inflate_new();
	uint32_t consumed, produced;
	bool end;
	CU_ASSERT_FATAL(s != NULL);
	int rc = sim_inflate(s, src, (uint32_t)len, dst, (uint32_t)cap, true, true, &consumed,
			     &produced, &end);
	sim_inflate_free(s);
	if (rc || !end || consumed != len)
		return -1;
	return (long)produced;
}

enum data_kind { DATA_TEXT, DATA_RANDOM, DATA_ZEROS, DATA_MIXED };

static void fill_kind(uint8_t *p, size_t n, enum data_kind kind)
{
	switch (kind) {
	case DATA_TEXT:
		fill_text(p, n);
		break;
	case DATA_RANDOM:
		fill_random(p, n);
		break;
	case DATA_ZEROS:
		memset(p, 0, n);
		break;
	case DATA_MIXED:
		for (size_t i = 0; i < n; i += 5000) {
			size_t m = n - i < 5000 ? n - i : 5000;
			if ((i / 5000) % 3 == 0)
				fill_random(p + i, m);
			else if ((i / 5000) % 3 == 1)
				fill_text(p + i, m);
			else
				memset(p + i, (int)(i & 0xff), m);
		}
		break;
	}
}

static void roundtrip(size_t n, enum data_kind kind, int level)
{
	uint8_t *src = xmalloc(n), *comp = xmalloc(bound(n)), *out = xmalloc(n + 16);
	uint32_t clen = 0;

	fill_kind(src, n, kind);
	int rc = sim_deflate(src, (uint32_t)n, comp, (uint32_t)bound(n), true, level, &clen);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(clen >= 2);
	if (rc == 0) {
		CU_ASSERT_EQUAL(sim_inflate_all(comp, clen, out, n + 16), (long)n);
		CU_ASSERT(memcmp(src, out, n) == 0);
		memset(out, 0, n);
		CU_ASSERT_EQUAL(ref_zinflate(comp, clen, out, n + 16), (long)n);
		CU_ASSERT(memcmp(src, out, n) == 0);
	}
	free(src);
	free(comp);
	free(out);
}

static void test_deflate_roundtrip(void)
{
	static const size_t sizes[] = { 0, 1, 2, 100, 4095, 4096, 4097, 65536, 100000 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (int kind = DATA_TEXT; kind <= DATA_MIXED; kind++)
			roundtrip(sizes[i], (enum data_kind)kind, 1);
	for (int level = 1; level <= 9; level++)
		roundtrip(50000, DATA_MIXED, level);
}

static void test_deflate_roundtrip_4mib(void)
{
	for (int kind = DATA_TEXT; kind <= DATA_MIXED; kind++)
		roundtrip(4u << 20, (enum data_kind)kind, 1);
	roundtrip(4u << 20, DATA_TEXT, 9);
}

/* The window is 4 KiB: a repeat 5000 bytes back is not found, 3000 back is. */
static void test_deflate_window(void)
{
	enum { DBLK = 3000, DFAR = 5000 };
	uint8_t src[2 * DFAR], comp[4 * DFAR];
	uint32_t near_len, far_len;

	fill_random(src, DFAR);
	memcpy(src + DBLK, src, DBLK);
	CU_ASSERT_EQUAL(sim_deflate(src, 2 * DBLK, comp, sizeof(comp), true, 1, &near_len), 0);
	fill_random(src, DFAR);
	memcpy(src + DFAR, src, DBLK);
	CU_ASSERT_EQUAL(sim_deflate(src, DFAR + DBLK, comp, sizeof(comp), true, 9, &far_len), 0);
	CU_ASSERT(near_len < DBLK + 200);   /* second copy became a match */
	CU_ASSERT(far_len > DFAR + DBLK - 50); /* out of the 4 KiB window: stored/literals */
}

/* 64 KiB chunks compressed independently, concatenated, inflated in one go. */
static void test_deflate_chunked(void)
{
	enum { CHUNK = 64 << 10 };
	const size_t n = (1 << 20) + 12345;
	uint8_t *src = xmalloc(n), *comp = xmalloc(bound(n) + (n / CHUNK + 1) * 16);
	uint8_t *out = xmalloc(n + 16);
	size_t total = 0, nchunks = 0;
	uint32_t chunk_len[64];

	fill_kind(src, n, DATA_MIXED);
	for (size_t off = 0; off < n; off += CHUNK) {
		size_t m = n - off < CHUNK ? n - off : CHUNK;
		bool last = off + m == n;
		uint32_t clen;
		CU_ASSERT_FATAL(sim_deflate(src + off, (uint32_t)m, comp + total,
					    (uint32_t)bound(m), last, 1, &clen) == 0);
		if (!last) /* ends with the sync-flush marker */
			CU_ASSERT(clen >= 4 &&
				  memcmp(comp + total + clen - 4, "\x00\x00\xff\xff", 4) == 0);
		chunk_len[nchunks++] = clen;
		total += clen;
	}
	CU_ASSERT_EQUAL(ref_zinflate(comp, total, out, n + 16), (long)n);
	CU_ASSERT(memcmp(src, out, n) == 0);
	CU_ASSERT_EQUAL(sim_inflate_all(comp, total, out, n + 16), (long)n);
	CU_ASSERT(memcmp(src, out, n) == 0);

	/* One sim_inflate call per compressed chunk, as one descriptor each. */
	struct sim_inflate *s = sim_inflate_new();
	size_t in_off = 0, out_off = 0;
	memset(out, 0, n);
	for (size_t i = 0; i < nchunks; i++) {
		uint32_t consumed, produced;
		bool end;
		int rc = sim_inflate(s, comp + in_off, chunk_len[i], out + out_off,
				     (uint32_t)(n + 16 - out_off), i == 0, i == nchunks - 1,
				     &consumed, &produced, &end);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(consumed, chunk_len[i]);
		CU_ASSERT_EQUAL(end, i == nchunks - 1);
		in_off += consumed;
		out_off += produced;
	}
	CU_ASSERT_EQUAL(out_off, n);
	CU_ASSERT(memcmp(src, out, n) == 0);
	sim_inflate_free(s);
	free(src);
	free(comp);
	free(out);
}

/*
 * Feed a stream in pieces of in_chunk bytes into output buffers of out_chunk
 * bytes, continuing after -ENOSPC. Returns the bytes produced, -1 on error.
 */
static long inflate_pieces(const uint8_t *comp, size_t clen, uint8_t *out, size_t cap,
			   size_t in_chunk, size_t out_chunk, unsigned int *nospc)
{
	struct sim_inflate *s = sim_inflate_new();
	size_t in = 0, outp = 0;
	bool first = true, end = false;
	long iter = 0, limit = (long)(clen + cap) * 4 + 100;

	CU_ASSERT_FATAL(s != NULL);
	*nospc = 0;
	while (!end) {
		size_t piece_end = in + in_chunk < clen ? in + in_chunk : clen;
		bool last = piece_end == clen;
		/* Within one piece, continue after -ENOSPC with the rest of it. */
		for (;;) {
			uint32_t consumed, produced;
			size_t ocap = cap - outp < out_chunk ? cap - outp : out_chunk;
			int rc = sim_inflate(s, comp + in, (uint32_t)(piece_end - in),
					     out + outp, (uint32_t)ocap, first, last, &consumed,
					     &produced, &end);
			first = false;
			in += consumed;
			outp += produced;
			if (++iter > limit || (rc && rc != -ENOSPC)) {
				printf("\n    rc %d at in %zu out %zu", rc, in, outp);
				sim_inflate_free(s);
				return -1;
			}
			if (end)
				break;
			if (rc == -ENOSPC) {
				(*nospc)++;
				continue;
			}
			CU_ASSERT(in == piece_end);
			break;
		}
	}
	sim_inflate_free(s);
	if (in != clen)
		return -1;
	return (long)outp;
}

/* zlib level 9, 32 KiB window (matches up to 32 KiB back), fed in odd pieces. */
static void test_inflate_streaming(void)
{
	const size_t n = 200000;
	uint8_t *src = xmalloc(n), *comp = xmalloc(bound(n)), *out = xmalloc(n + 16);
	static const size_t in_chunks[] = { 1, 7, 4096, 1 << 20 };
	static const size_t out_chunks[] = { 1, 3, 100, 4096 };

	/* text plus a 20 KiB random block repeated: long-distance matches */
	fill_text(src, n);
	fill_random(src + 10000, 20000);
	memcpy(src + 30000, src + 10000, 20000);
	memcpy(src + 60000, src + 40000, 20000);
	size_t clen = ref_zdeflate(src, n, comp, bound(n), 9, false);

	for (size_t i = 0; i < sizeof(in_chunks) / sizeof(in_chunks[0]); i++) {
		for (size_t j = 0; j < sizeof(out_chunks) / sizeof(out_chunks[0]); j++) {
			unsigned int nospc;
			memset(out, 0, n);
			long got = inflate_pieces(comp, clen, out, n, in_chunks[i], out_chunks[j],
						  &nospc);
			CU_ASSERT_EQUAL(got, (long)n);
			CU_ASSERT(got == (long)n && memcmp(src, out, n) == 0);
			if (out_chunks[j] < 4096 || in_chunks[i] > 4096)
				CU_ASSERT(nospc > 0);
		}
	}
	free(src);
	free(comp);
	free(out);
}

/* An output buffer of exactly the decompressed size is not an overflow. */
static void test_inflate_exact_output(void)
{
	uint8_t src[20000], comp[25000], out[20000];

	for (int k = 0; k < 60; k++) {
		size_t n = 1 + rnd() % sizeof(src);
		fill_kind(src, n, (enum data_kind)(k % 4));
		size_t clen = k & 1 ? ref_zdeflate(src, n, comp, sizeof(comp), 9, false) : 0;
		if (!(k & 1)) {
			uint32_t l;
			int rc = sim_deflate(src, (uint32_t)n, comp, sizeof(comp), true, 1, &l);
			CU_ASSERT_FATAL(rc == 0);
			clen = l;
		}
		struct sim_inflate *s = sim_inflate_new();
		uint32_t consumed, produced;
		bool end;
		int rc = sim_inflate(s, comp, (uint32_t)clen, out, (uint32_t)n, true, true,
				     &consumed, &produced, &end);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT(end);
		CU_ASSERT_EQUAL(produced, n);
		CU_ASSERT_EQUAL(consumed, clen);
		CU_ASSERT(memcmp(src, out, n) == 0);

		/* one byte short: -ENOSPC, then one more byte finishes it */
		rc = sim_inflate(s, comp, (uint32_t)clen, out, (uint32_t)n - 1, true, true,
				 &consumed, &produced, &end);
		CU_ASSERT_EQUAL(rc, -ENOSPC);
		CU_ASSERT(!end);
		CU_ASSERT_EQUAL(produced, n - 1);
		rc = sim_inflate(s, comp + consumed, (uint32_t)(clen - consumed), out + n - 1, 1,
				 false, true, &consumed, &produced, &end);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT(end);
		CU_ASSERT_EQUAL(produced, 1);
		CU_ASSERT(memcmp(src, out, n) == 0);
		sim_inflate_free(s);
	}
}

static void test_inflate_trailing_and_restart(void)
{
	uint8_t src[5000], comp[8000], out[6000];
	uint32_t clen, consumed, produced;
	bool end;
	struct sim_inflate *s = sim_inflate_new();

	fill_text(src, sizeof(src));
	CU_ASSERT_FATAL(sim_deflate(src, sizeof(src), comp, sizeof(comp), true, 1, &clen) == 0);
	memset(comp + clen, 0xA5, 100); /* garbage after the end */
	CU_ASSERT_EQUAL(sim_inflate(s, comp, clen + 100, out, sizeof(out), true, false, &consumed,
				    &produced, &end), 0);
	CU_ASSERT(end);
	CU_ASSERT_EQUAL(consumed, clen);
	CU_ASSERT_EQUAL(produced, sizeof(src));
	/* After the end: nothing more is consumed, the end is reported again. */
	CU_ASSERT_EQUAL(sim_inflate(s, comp + clen, 100, out, sizeof(out), false, true, &consumed,
				    &produced, &end), 0);
	CU_ASSERT(end);
	CU_ASSERT_EQUAL(consumed, 0);
	CU_ASSERT_EQUAL(produced, 0);
	/* first=true starts again */
	CU_ASSERT_EQUAL(sim_inflate(s, comp, clen, out, sizeof(out), true, true, &consumed,
				    &produced, &end), 0);
	CU_ASSERT(end);
	CU_ASSERT(memcmp(src, out, sizeof(src)) == 0);
	sim_inflate_free(s);
	sim_inflate_free(NULL);
}

static void test_inflate_corrupt(void)
{
	static const uint8_t bad_type[] = { 0xff, 0x00, 0x00 };             /* BTYPE=11 */
	static const uint8_t bad_stored[] = { 0x01, 0x05, 0x00, 0x00, 0x00 }; /* NLEN != ~LEN */
	/* fixed-Huffman block whose first symbol is a match: distance too far back */
	static const uint8_t bad_dist[] = { 0x03, 0x02, 0x00, 0x00 };
	uint8_t out[1024];
	uint32_t consumed, produced;
	bool end;
	struct sim_inflate *s = sim_inflate_new();

	CU_ASSERT_EQUAL(sim_inflate(s, bad_type, sizeof(bad_type), out, sizeof(out), true, true,
				    &consumed, &produced, &end), -EBADMSG);
	/* stays in error until restarted */
	CU_ASSERT_EQUAL(sim_inflate(s, bad_type, sizeof(bad_type), out, sizeof(out), false, true,
				    &consumed, &produced, &end), -EBADMSG);
	CU_ASSERT_EQUAL(sim_inflate(s, bad_stored, sizeof(bad_stored), out, sizeof(out), true,
				    true, &consumed, &produced, &end), -EBADMSG);
	CU_ASSERT_EQUAL(sim_inflate(s, bad_dist, sizeof(bad_dist), out, sizeof(out), true, true,
				    &consumed, &produced, &end), -EBADMSG);

	/* Flipped bytes in a valid stream: an error or wrong data, never a crash. */
	uint8_t src[8000], comp[9000], cor[9000], big[9000];
	uint32_t clen;
	unsigned int detected = 0;
	fill_text(src, sizeof(src));
	CU_ASSERT_FATAL(sim_deflate(src, sizeof(src), comp, sizeof(comp), true, 6, &clen) == 0);
	for (int k = 0; k < 200; k++) {
		memcpy(cor, comp, clen);
		cor[rnd() % clen] ^= (uint8_t)(1 + rnd() % 255);
		int rc = sim_inflate(s, cor, clen, big, sizeof(big), true, true, &consumed,
				     &produced, &end);
		CU_ASSERT(rc == 0 || rc == -EBADMSG || rc == -EPIPE || rc == -ENOSPC);
		if (rc != 0 || produced != sizeof(src) || memcmp(big, src, sizeof(src)) != 0)
			detected++;
	}
	CU_ASSERT(detected > 150);
	sim_inflate_free(s);
}

static void test_inflate_truncated(void)
{
	uint8_t src[30000], comp[32000], out[31000];
	uint32_t clen, consumed, produced;
	bool end;
	struct sim_inflate *s = sim_inflate_new();

	fill_text(src, sizeof(src));
	CU_ASSERT_FATAL(sim_deflate(src, sizeof(src), comp, sizeof(comp), true, 1, &clen) == 0);

	/* empty input is a truncated stream when last */
	CU_ASSERT_EQUAL(sim_inflate(s, NULL, 0, out, sizeof(out), true, true, &consumed,
				    &produced, &end), -EPIPE);
	/* not when more is to come */
	CU_ASSERT_EQUAL(sim_inflate(s, NULL, 0, out, sizeof(out), true, false, &consumed,
				    &produced, &end), 0);

	uint32_t cuts[] = { 1, 2, clen / 2, clen - 1 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		int rc = sim_inflate(s, comp, cuts[i], out, sizeof(out), true, true, &consumed,
				     &produced, &end);
		CU_ASSERT_EQUAL(rc, -EPIPE);
		CU_ASSERT(!end);
		CU_ASSERT_EQUAL(consumed, cuts[i]);
		/* the same cut without last is fine, and the rest completes it */
		rc = sim_inflate(s, comp, cuts[i], out, sizeof(out), true, false, &consumed,
				 &produced, &end);
		CU_ASSERT_EQUAL(rc, 0);
		uint32_t p0 = produced;
		rc = sim_inflate(s, comp + cuts[i], clen - cuts[i], out + p0,
				 (uint32_t)sizeof(out) - p0, false, true, &consumed, &produced,
				 &end);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT(end);
		CU_ASSERT_EQUAL(p0 + produced, sizeof(src));
		CU_ASSERT(memcmp(src, out, sizeof(src)) == 0);
	}

	/* a sync-flushed chunk alone, last=true: the final block never came */
	CU_ASSERT_FATAL(sim_deflate(src, 1000, comp, sizeof(comp), false, 1, &clen) == 0);
	CU_ASSERT_EQUAL(sim_inflate(s, comp, clen, out, sizeof(out), true, true, &consumed,
				    &produced, &end), -EPIPE);
	CU_ASSERT_EQUAL(produced, 1000);
	CU_ASSERT_EQUAL(consumed, clen);
	sim_inflate_free(s);
}

static void test_deflate_overflow(void)
{
	uint8_t src[65536], dst[70000];
	uint32_t len = 12345;

	fill_random(src, sizeof(src));
	CU_ASSERT_EQUAL(sim_deflate(src, sizeof(src), dst, 1024, true, 1, &len), -ENOSPC);
	CU_ASSERT_EQUAL(len, 0);
	len = 1;
	CU_ASSERT_EQUAL(sim_deflate(src, sizeof(src), dst, 1024, false, 1, &len), -ENOSPC);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(sim_deflate(src, 0, dst, 0, true, 1, &len), -ENOSPC);
	CU_ASSERT_EQUAL(sim_deflate(src, 0, dst, 1, true, 1, &len), -ENOSPC);
	CU_ASSERT_EQUAL(sim_deflate(src, 10, dst, sizeof(dst), true, 0, &len), -EINVAL);
	CU_ASSERT_EQUAL(sim_deflate(src, 10, dst, sizeof(dst), true, 10, &len), -EINVAL);
}

/* sim_deflate_bound() holds for incompressible data at every level. */
static void test_deflate_bound(void)
{
	const size_t n = 1 << 20;
	uint8_t *src = xmalloc(n), *dst = xmalloc((size_t)sim_deflate_bound((uint32_t)n));
	static const size_t sizes[] = { 0, 1, 100, 4096, 65536, 1 << 20 };

	fill_random(src, n);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (int level = 1; level <= 9; level++) {
			for (int last = 0; last < 2; last++) {
				uint32_t len;
				uint32_t cap = (uint32_t)sim_deflate_bound((uint32_t)sizes[i]);
				CU_ASSERT_EQUAL(sim_deflate(src, (uint32_t)sizes[i], dst, cap, last,
							    level, &len), 0);
				if (sizes[i] == n && level == 1 && last)
					printf("\n    random 1 MiB at level 1: %u bytes "
					       "(bound %u)", len, cap);
			}
		}
	}
	free(src);
	free(dst);
}

/* dst_cap == the exact output size fits, one byte less does not. */
static void test_deflate_exact_fit(void)
{
	uint8_t src[40000], ref[45000], dst[45000];
	unsigned int bad = 0;

	for (int k = 0; k < 120; k++) {
		size_t n = k < 10 ? (size_t)k : rnd() % sizeof(src);
		bool last = k & 1;
		int level = 1 + (int)(rnd() % 9);
		uint32_t rlen, len;
		fill_kind(src, n, (enum data_kind)((k / 2) % 4));
		int rc = sim_deflate(src, (uint32_t)n, ref, sizeof(ref), last, level, &rlen);
		CU_ASSERT_FATAL(rc == 0);
		rc = sim_deflate(src, (uint32_t)n, dst, rlen, last, level, &len);
		if (rc != 0 || len != rlen || memcmp(ref, dst, rlen) != 0) {
			if (bad++ < 5)
				printf("\n    exact fit: n %zu last %d level %d rc %d", n, last,
				       level, rc);
		}
		rc = sim_deflate(src, (uint32_t)n, dst, rlen - 1, last, level, &len);
		if (rc != -ENOSPC || len != 0) {
			if (bad++ < 5)
				printf("\n    one short: n %zu last %d level %d rc %d", n, last,
				       level, rc);
		}
		if (!last) {
			CU_ASSERT(rlen >= 5 && memcmp(ref + rlen - 4, "\x00\x00\xff\xff", 4) == 0);
			CU_ASSERT((ref[0] & 1) == 0); /* BFINAL clear */
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ------------------------------------------------------------------------- */

/* Bytes the process has allocated (sanitizer builds: 0, their leak checker
 * reports instead). */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

/* The cpu device runs these kernels under a guard: an operation whose
 * memory faults is cut short, and must leave nothing allocated behind. */
static void test_cpu_fault_no_leak(void)
{
	struct sva_dev *dev = sva_dev_open("cpu", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_queue *q = sva_queue_create(dev, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	static uint8_t out[65536], src[4096];
	const void *bad = (const void *)(uintptr_t)0x1000; /* nothing mapped there */
	struct sva_result res;
	enum sva_status st[1];
	uint16_t last;
	size_t before = 0;
	for (int i = 0; i < 512; i++) {
		if (i == 16)
			before = heap_in_use(); /* after the queue's one-time state */
		int op = i % 3;
		int rc = op == 0 ? sva_decompress(q, out, sizeof(out), bad, 100, 0, NULL, &res,
						  SVA_OP_FLAG_SUBMIT)
			 : op == 1 ? sva_compress(q, out, sizeof(out), bad, 100, SVA_COMP_F_LAST, &res,
						  SVA_OP_FLAG_SUBMIT)
				   : sva_compress(q, out, sizeof(out), src, sizeof(src),
						  SVA_COMP_F_LAST, &res, SVA_OP_FLAG_SUBMIT);
		CU_ASSERT(rc >= 0);
		CU_ASSERT_EQUAL(sva_completed_status(q, 1, &last, st), 1);
		CU_ASSERT_EQUAL(st[0], op == 2 ? SVA_STATUS_SUCCESS : SVA_STATUS_PAGE_FAULT);
	}
	size_t after = heap_in_use();
	CU_ASSERT(after < before + (1u << 20));
	if (after >= before + (1u << 20))
		fprintf(stderr, "cpu device: heap grew by %zu bytes\n", after - before);
	CU_ASSERT_EQUAL(sva_queue_destroy(q), 0);
	CU_ASSERT_EQUAL(sva_dev_close(dev), 0);
}

static int register_suites(void)
{
	static const struct sva_test_case crc[] = {
		{ "crc32c_check_values", test_crc32c_check_values },
		{ "crc32c_vs_reference_small", test_crc32c_vs_reference_small },
		{ "crc32c_vs_reference_large", test_crc32c_vs_reference_large },
		{ "crc32c_chaining", test_crc32c_chaining },
#ifdef SVA_HAVE_ISAL
		{ "crc32c_vs_isal", test_crc32c_vs_isal },
#endif
		{ "crc32_gzip", test_crc32_gzip },
		{ "crc64_check_values", test_crc64_check_values },
		{ "crc64_vs_reference", test_crc64_vs_reference },
#ifdef SVA_HAVE_ISAL
		{ "crc64_vs_isal", test_crc64_vs_isal },
#endif
		{ NULL, NULL },
	};
	static const struct sva_test_case codec[] = {
		{ "deflate_roundtrip", test_deflate_roundtrip },
		{ "deflate_roundtrip_4mib", test_deflate_roundtrip_4mib },
		{ "deflate_window", test_deflate_window },
		{ "deflate_chunked", test_deflate_chunked },
		{ "deflate_overflow", test_deflate_overflow },
		{ "deflate_bound", test_deflate_bound },
		{ "deflate_exact_fit", test_deflate_exact_fit },
		{ "inflate_streaming", test_inflate_streaming },
		{ "inflate_exact_output", test_inflate_exact_output },
		{ "inflate_trailing_and_restart", test_inflate_trailing_and_restart },
		{ "inflate_corrupt", test_inflate_corrupt },
		{ "inflate_truncated", test_inflate_truncated },
		{ "cpu_fault_no_leak", test_cpu_fault_no_leak },
		{ NULL, NULL },
	};
	if (sva_test_add_suite("sim_crc", crc, NULL, NULL) ||
	    sva_test_add_suite("sim_deflate", codec, NULL, NULL))
		return -1;
	return 0;
}

int main(void)
{
	return sva_test_main(register_suites);
}
