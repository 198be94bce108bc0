/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the software DSA/IAA device and of the idxd data path over it,
 * through the public API (lib/dma) unless the point is the raw device:
 *
 * - every DSA operation with its data checked byte for byte over sizes from
 *   1 byte to 16 MiB, unaligned, through page faults, in both fault modes,
 *   with the fault handler as a thread or polled from the test thread;
 * - IAA compression/decompression against zlib, CRC-64 against a bitwise
 *   reference;
 * - faults in source, destination and completion record; isolation of
 *   managed address spaces; PASIDs stamped by the portal;
 * - ring limits, teardown with work in flight, hardware error statuses
 *   through raw descriptors, fault injection, stale translations.
 *
 * Waits are bounded only to turn a lost completion into a failure; nothing
 * asserts on time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "idxd_hw.h"
#include "sim_copy.h"
#include "sim_dsa.h"
#include "sim_iommu.h"
#include "sva_as.h"
#include "sva_common.h"
#include "sva_dma.h"
#include "sva_iopf.h"
#include "sva_log.h"
#include "sva_test.h"
#include "sva_test_ref.h"
#include "sva_test_util.h"
#include "sva_time.h"

#define MiB (1024u * 1024u)
/* Liveness bound of this program's waits (a lost completion), never a timing
 * check: twice SVA_TEST_DEADLINE_NS, as its large fault-driven copies run
 * for seconds under the sanitizers. */
#define DEADLINE_NS (2 * SVA_TEST_DEADLINE_NS)

/* ---- references ----------------------------------------------------------------- */

/* The reference: bit by bit, or for the largest buffers a byte at a time
 * through a table built with the bitwise code (checked against it). */
static uint32_t crc32c_tab[256];

static uint32_t ref_crc32c(uint32_t seed, const uint8_t *p, size_t n)
{
	if (n <= 2 * MiB)
		return ref_crc32c_bitwise(seed, p, n);
	if (!crc32c_tab[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
			crc32c_tab[i] = c;
		}
	}
	uint32_t c = ~seed;
	for (size_t i = 0; i < n; i++)
		c = crc32c_tab[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return ~c;
}

static void test_references(void)
{
	const uint8_t *check = (const uint8_t *)"123456789";
	EXPECT_EQ(ref_crc32c_bitwise(0, check, 9), 0xE3069283u);
	EXPECT_EQ(ref_crc32c(0, check, 9), 0xE3069283u);
	EXPECT_EQ(ref_crc32c(ref_crc32c(0, check, 4), check + 4, 5), 0xE3069283u);
	/* The table path agrees with the bitwise one. */
	size_t n = 2 * MiB + 1000;
	uint8_t *big = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	fill_random(big, n);
	EXPECT_EQ(ref_crc32c(7, big, n), ref_crc32c_bitwise(7, big, n));
	free(big);
	EXPECT_EQ(ref_crc64(SVA_CRC64_POLY_ECMA, 0, check, 9), 0x6C40DF5F0B497347ull);
	EXPECT_EQ(ref_crc64(SVA_CRC64_POLY_ECMA, SVA_CRC64_F_REFLECT | SVA_CRC64_F_INVERT, check, 9),
		  0x995DC9BBDF1939FAull);
}

/* ---- buffers -------------------------------------------------------------------- */

/* A buffer of @len bytes at @off bytes into a fresh anonymous mapping, with
 * guard bytes before and after it (only the pages holding the guards are
 * touched: the rest is not present until someone writes it). */
struct buf {
	uint8_t *map;
	size_t maplen;
	uint8_t *p;
	size_t len;
	size_t off;
	int fd; /* shared buffers: the memfd behind them, else -1 */
};

#define GUARD 64
#define GUARD_BYTE 0xEE

static void buf_map(struct buf *b, size_t len, size_t off, bool shared)
{
	b->maplen = SVA_ALIGN_UP(off + len + GUARD, PG) + PG;
	b->fd = -1;
	if (shared) {
		b->fd = memfd_create("buf", 0);
		CU_ASSERT_FATAL(b->fd >= 0);
		CU_ASSERT_FATAL(ftruncate(b->fd, (off_t)b->maplen) == 0);
		b->map = mmap(NULL, b->maplen, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	} else {
		b->map = mmap(NULL, b->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
	}
	CU_ASSERT_FATAL(b->map != MAP_FAILED);
	b->off = PG + off;
	b->p = b->map + b->off;
	b->len = len;
	memset(b->p - GUARD, GUARD_BYTE, GUARD);
	memset(b->p + len, GUARD_BYTE, GUARD);
}

/* Private anonymous: pages not present until written. */
static void buf_alloc(struct buf *b, size_t len, size_t off)
{
	buf_map(b, len, off, false);
}

/* Shared (memfd): the data survives buf_drop(), which takes the pages out of
 * the page tables so that the device faults on them again. */
static void buf_alloc_shared(struct buf *b, size_t len, size_t off)
{
	buf_map(b, len, off, true);
}

/* Take the pages out of the page tables, reported to the device: they fault
 * again. A private buffer's data is lost (zeros): see buf_drop(). */
static void buf_evict(struct buf *b, struct sva_dev *dev)
{
	CU_ASSERT(madvise(b->map, b->maplen, MADV_DONTNEED) == 0);
	EXPECT_EQ(sva_as_invalidate(sva_dev_process_as(dev), b->map, b->maplen), 0);
}

/* buf_evict() of a shared buffer: its data stays. */
static void buf_drop(struct buf *b, struct sva_dev *dev)
{
	CU_ASSERT(b->fd >= 0);
	buf_evict(b, dev);
}

static bool buf_guards_ok(const struct buf *b)
{
	for (size_t i = 0; i < GUARD; i++)
		if (b->p[-1 - (ptrdiff_t)i] != GUARD_BYTE || b->p[b->len + i] != GUARD_BYTE)
			return false;
	return true;
}

static void buf_free(struct buf *b)
{
	if (b->map)
		munmap(b->map, b->maplen);
	if (b->fd >= 0)
		close(b->fd);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

/* ---- rig: device + handler + queue ------------------------------------------------ */

enum pf_mode {
	PF_THREAD, /* the handler's own thread */
	PF_POLL,   /* sva_iopf_poll() from the test thread */
	PF_NONE,   /* no handler attached */
	PF_IDLE,   /* attached, never run: faults are never answered */
};

struct cfg {
	const char *name;
	const char *args;
	enum sva_fault_mode mode;
	enum pf_mode pfm;
};

struct rig {
	struct sva_dev *dev;
	struct sva_iopf *pf;
	struct sva_queue *q;
	enum pf_mode pfm;
	const struct cfg *cfg; /* rig_open_cfg() */
};

/* Small work queues and batches in some: submissions the portal refuses
 * (retried from the completion path) and bursts split over descriptors. */
static const struct cfg cfgs[] = {
	{"engines=2 block thread", "engines=2,wq_size=4", SVA_FAULT_BLOCK, PF_THREAD},
	{"engines=1 partial thread", "engines=1,max_batch=5", SVA_FAULT_PARTIAL, PF_THREAD},
	{"engines=0 block poll", "engines=0", SVA_FAULT_BLOCK, PF_POLL},
	{"engines=0 partial poll", "engines=0,wq_size=2,max_batch=3", SVA_FAULT_PARTIAL, PF_POLL},
};
#define NB_CFGS ((int)SVA_ARRAY_SIZE(cfgs))

static void rig_dev(struct rig *r, const char *name, const char *args, enum pf_mode pfm)
{
	memset(r, 0, sizeof(*r));
	r->pfm = pfm;
	r->dev = sva_dev_open(name, args);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->dev);
	if (pfm != PF_NONE) {
		r->pf = sva_iopf_create(NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r->pf);
		EXPECT_EQ(sva_dev_attach_iopf(r->dev, r->pf), 0);
		if (pfm == PF_THREAD)
			EXPECT_EQ(sva_iopf_start(r->pf, -1), 0);
	}
}

static struct sva_queue *rig_queue(struct rig *r, uint16_t nb_desc, enum sva_fault_mode mode,
				   struct sva_as *as)
{
	struct sva_queue *q = sva_queue_create(r->dev, &(struct sva_queue_conf){
							       .nb_desc = nb_desc, .fault_mode = mode, .as = as});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	if (!r->q)
		r->q = q;
	return q;
}

static void rig_open(struct rig *r, const char *name, const char *args, enum sva_fault_mode mode,
		     enum pf_mode pfm, uint16_t nb_desc)
{
	rig_dev(r, name, args, pfm);
	rig_queue(r, nb_desc, mode, NULL);
}

static void rig_open_cfg(struct rig *r, const char *name, const struct cfg *c, uint16_t nb_desc)
{
	rig_open(r, name, c->args, c->mode, c->pfm, nb_desc);
	r->cfg = c;
}

static void rig_close(struct rig *r)
{
	EXPECT_EQ(sva_dev_close(r->dev), 0);
	sva_iopf_destroy(r->pf);
	memset(r, 0, sizeof(*r));
}

/* Run @fn on a rig of device @name with a queue of @nb_desc, once per
 * configuration (r->cfg), naming the configuration when it fails. */
static void run_cfgs(const char *name, uint16_t nb_desc, void (*fn)(struct rig *r))
{
	for (int c = 0; c < NB_CFGS; c++) {
		struct rig r;
		rig_open_cfg(&r, name, &cfgs[c], nb_desc);
		unsigned int f0 = CU_get_number_of_failures();
		fn(&r);
		if (CU_get_number_of_failures() != f0)
			fprintf(stderr, "  (config '%s')\n", cfgs[c].name);
		rig_close(&r);
	}
}

/* Reap @n completions of @q in order with their statuses. */
static unsigned int wait_n(struct rig *r, struct sva_queue *q, unsigned int n, enum sva_status *st)
{
	unsigned int got = 0;
	uint64_t t0 = sva_now_ns();
	while (got < n) {
		if (r->pfm == PF_POLL)
			sva_iopf_poll(r->pf, 64);
		uint16_t last;
		uint16_t want = (uint16_t)SVA_MIN(n - got, 256u);
		got += sva_completed_status(q, want, &last, st + got);
		if (sva_now_ns() - t0 > DEADLINE_NS) {
			fprintf(stderr, "wait_n: %u of %u completions\n", got, n);
			sva_queue_dump(q, stderr);
			CU_FAIL("lost completion");
			break;
		}
	}
	return got;
}

/* Reap one completion and return its status. */
static enum sva_status wait_one(struct rig *r, struct sva_queue *q)
{
	enum sva_status st = SVA_STATUS_UNKNOWN;
	if (wait_n(r, q, 1, &st) != 1)
		return SVA_STATUS_UNKNOWN;
	return st;
}

/* Enqueue with SVA_OP_FLAG_SUBMIT happened: expect one completion with @want. */
#define EXPECT_DONE(r, q, rc, want)                                                           \
	do {                                                                                  \
		int rc_ = (rc);                                                               \
		CU_ASSERT(rc_ >= 0);                                                          \
		if (rc_ >= 0)                                                                 \
			EXPECT_EQ(wait_one((r), (q)), (want));                                \
	} while (0)

static struct sva_queue_stats qstats(struct sva_queue *q)
{
	struct sva_queue_stats st;
	EXPECT_EQ(sva_queue_stats_get(q, &st), 0);
	return st;
}

/* ---- DSA operations, byte for byte ------------------------------------------------- */

static const size_t sizes[] = {1, 7, 63, 64, 4095, 4097, 65536 + 3, MiB + 1, 16 * MiB};
#define NB_SIZES SVA_ARRAY_SIZE(sizes)

static void op_copy(struct rig *r, size_t len, size_t so, size_t dof)
{
	struct buf s, d;
	buf_alloc_shared(&s, len, so);
	buf_alloc(&d, len, dof);
	fill_random(s.p, len);
	buf_drop(&s, r->dev);
	EXPECT_DONE(r, r->q, sva_copy(r->q, d.p, s.p, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(s.p, d.p, len) == 0);
	CU_ASSERT(buf_guards_ok(&d));
	CU_ASSERT(buf_guards_ok(&s));
	buf_free(&s);
	buf_free(&d);
}

static void op_fill(struct rig *r, size_t len, size_t so, size_t dof)
{
	(void)so;
	struct buf d;
	buf_alloc(&d, len, dof);
	const uint64_t pat = 0x0123456789ABCDEFull ^ len;
	EXPECT_DONE(r, r->q, sva_fill(r->q, d.p, pat, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	size_t bad = len;
	for (size_t i = 0; i < len && bad == len; i++)
		if (d.p[i] != (uint8_t)(pat >> (8 * (i % 8))))
			bad = i;
	if (bad != len)
		fprintf(stderr, "fill %zu at +%zu: first wrong byte at %zu\n", len, dof, bad);
	EXPECT_EQ(bad, len);
	CU_ASSERT(buf_guards_ok(&d));
	buf_free(&d);
}

static void op_compare(struct rig *r, size_t len, size_t so, size_t dof)
{
	struct buf a, b;
	buf_alloc_shared(&a, len, so);
	buf_alloc_shared(&b, len, dof);
	fill_random(a.p, len);
	memcpy(b.p, a.p, len);
	buf_drop(&a, r->dev);
	buf_drop(&b, r->dev);
	struct sva_result res = {.status = 0xff};
	EXPECT_DONE(r, r->q, sva_compare(r->q, a.p, b.p, (uint32_t)len, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.status, SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.value, 0);
	EXPECT_EQ(res.bytes, len);
	/* Differences: first byte, last byte, somewhere in the middle. */
	size_t at[3] = {0, len - 1, len / 2 + 1 < len ? len / 2 + 1 : len - 1};
	for (int k = 0; k < 3; k++) {
		memcpy(b.p, a.p, len);
		b.p[at[k]] ^= 0x10;
		if (k == 2 && at[k] + 1 < len)
			b.p[at[k] + 1] ^= 0x01; /* a later difference does not matter */
		buf_drop(&a, r->dev);
		buf_drop(&b, r->dev);
		memset(&res, 0xff, sizeof(res));
		EXPECT_DONE(r, r->q,
			    sva_compare(r->q, a.p, b.p, (uint32_t)len, &res, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_SUCCESS);
		EXPECT_EQ(res.value, 1);
		EXPECT_EQ(res.bytes, at[k]);
	}
	buf_free(&a);
	buf_free(&b);
}

static void op_compare_pattern(struct rig *r, size_t len, size_t so, size_t dof)
{
	(void)dof;
	struct buf a;
	buf_alloc_shared(&a, len, so);
	const uint64_t pat = 0xA5A5000011112222ull + len;
	for (size_t i = 0; i < len; i++)
		a.p[i] = (uint8_t)(pat >> (8 * (i % 8)));
	buf_drop(&a, r->dev);
	struct sva_result res;
	memset(&res, 0xff, sizeof(res));
	EXPECT_DONE(r, r->q,
		    sva_compare_pattern(r->q, a.p, pat, (uint32_t)len, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.value, 0);
	EXPECT_EQ(res.bytes, len);
	size_t at = len > 5000 ? len - 4999 : len - 1;
	a.p[at] ^= 0x80;
	buf_drop(&a, r->dev);
	memset(&res, 0xff, sizeof(res));
	EXPECT_DONE(r, r->q,
		    sva_compare_pattern(r->q, a.p, pat, (uint32_t)len, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.value, 1);
	EXPECT_EQ(res.bytes, at);
	buf_free(&a);
}

static void op_crc32c(struct rig *r, size_t len, size_t so, size_t dof)
{
	(void)dof;
	struct buf a;
	buf_alloc_shared(&a, len, so);
	fill_random(a.p, len);
	uint32_t want = ref_crc32c(0, a.p, len);
	buf_drop(&a, r->dev);
	struct sva_result res;
	memset(&res, 0xff, sizeof(res));
	EXPECT_DONE(r, r->q, sva_crc32c(r->q, a.p, (uint32_t)len, 0, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.status, SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.value, want);
	/* Chained: the CRC of the first part seeds the second. */
	if (len > 1) {
		size_t l1 = len / 3 + 1;
		struct sva_result r1, r2;
		buf_drop(&a, r->dev);
		EXPECT_DONE(r, r->q, sva_crc32c(r->q, a.p, (uint32_t)l1, 0, &r1, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_SUCCESS);
		EXPECT_EQ(r1.value, ref_crc32c(0, a.p, l1));
		EXPECT_DONE(r, r->q,
			    sva_crc32c(r->q, a.p + l1, (uint32_t)(len - l1), (uint32_t)r1.value, &r2,
				       SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_SUCCESS);
		EXPECT_EQ(r2.value, want);
	}
	buf_free(&a);
}

static void op_copy_crc32c(struct rig *r, size_t len, size_t so, size_t dof)
{
	struct buf s, d;
	buf_alloc_shared(&s, len, so);
	buf_alloc(&d, len, dof);
	fill_random(s.p, len);
	buf_drop(&s, r->dev);
	const uint32_t seed = 0x12345678;
	struct sva_result res;
	memset(&res, 0xff, sizeof(res));
	EXPECT_DONE(r, r->q,
		    sva_copy_crc32c(r->q, d.p, s.p, (uint32_t)len, seed, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.value, ref_crc32c(seed, s.p, len));
	CU_ASSERT(memcmp(s.p, d.p, len) == 0);
	CU_ASSERT(buf_guards_ok(&d));
	buf_free(&s);
	buf_free(&d);
}

static void op_dualcast(struct rig *r, size_t len, size_t so, size_t dof)
{
	struct buf s, d1, d2;
	buf_alloc_shared(&s, len, so);
	buf_alloc(&d1, len, dof);
	buf_alloc(&d2, len, dof); /* same offset within a page */
	fill_random(s.p, len);
	buf_drop(&s, r->dev);
	EXPECT_DONE(r, r->q,
		    sva_dualcast(r->q, d1.p, d2.p, s.p, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(s.p, d1.p, len) == 0);
	CU_ASSERT(memcmp(s.p, d2.p, len) == 0);
	CU_ASSERT(buf_guards_ok(&d1));
	CU_ASSERT(buf_guards_ok(&d2));
	buf_free(&s);
	buf_free(&d1);
	buf_free(&d2);
}

static void op_cache_flush(struct rig *r, size_t len, size_t so, size_t dof)
{
	(void)dof;
	struct buf a;
	buf_alloc_shared(&a, len, so);
	fill_random(a.p, len);
	uint32_t before = ref_crc32c(0, a.p, len);
	buf_drop(&a, r->dev);
	EXPECT_DONE(r, r->q, sva_cache_flush(r->q, a.p, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(ref_crc32c(0, a.p, len), before);
	buf_free(&a);
}

typedef void (*op_fn)(struct rig *r, size_t len, size_t so, size_t dof);

static void run_op_sizes(op_fn fn, int ncfg)
{
	for (int c = 0; c < ncfg; c++) {
		struct rig r;
		rig_open_cfg(&r, "dsa_sim0", &cfgs[c], 64);
		for (size_t i = 0; i < NB_SIZES; i++) {
			unsigned int f0 = CU_get_number_of_failures();
			fn(&r, sizes[i], 3 + i, 5 + 2 * i);
			if (CU_get_number_of_failures() != f0)
				fprintf(stderr, "  (config '%s', size %zu)\n", cfgs[c].name, sizes[i]);
		}
		struct sva_queue_stats st = qstats(r.q);
		EXPECT_EQ(st.completed, st.submitted);
		EXPECT_EQ(st.errors, 0);
		if (cfgs[c].mode == SVA_FAULT_PARTIAL)
			CU_ASSERT(st.faults > 0 && st.resubmits > 0);
		rig_close(&r);
	}
}

static void test_copy(void) { run_op_sizes(op_copy, NB_CFGS); }
static void test_fill(void) { run_op_sizes(op_fill, NB_CFGS); }
static void test_compare(void) { run_op_sizes(op_compare, NB_CFGS); }
static void test_compare_pattern(void) { run_op_sizes(op_compare_pattern, NB_CFGS); }
static void test_crc32c(void) { run_op_sizes(op_crc32c, NB_CFGS); }
static void test_copy_crc32c(void) { run_op_sizes(op_copy_crc32c, NB_CFGS); }
static void test_dualcast(void) { run_op_sizes(op_dualcast, NB_CFGS); }
static void test_cache_flush(void) { run_op_sizes(op_cache_flush, NB_CFGS); }

/* Fill with an 8-byte pattern at every offset within 8 bytes, across pages
 * that fault (odd offsets put each partial completion at an odd byte). */
static void fill_offsets(struct rig *r)
{
	for (size_t off = 0; off < 8; off++) {
		size_t len = 5 * PG + 13;
		struct buf d;
		buf_alloc(&d, len, off + 1);
		const uint64_t pat = 0x8877665544332211ull;
		EXPECT_DONE(r, r->q, sva_fill(r->q, d.p, pat, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_SUCCESS);
		size_t bad = len;
		for (size_t i = 0; i < len && bad == len; i++)
			if (d.p[i] != (uint8_t)(pat >> (8 * (i % 8))))
				bad = i;
		if (bad != len)
			fprintf(stderr, "fill at +%zu (%s): first wrong byte at %zu\n", off + 1,
				r->cfg->name, bad);
		EXPECT_EQ(bad, len);
		CU_ASSERT(buf_guards_ok(&d));
		buf_free(&d);
	}
}

static void test_fill_offsets(void) { run_cfgs("dsa_sim0", 64, fill_offsets); }

/* A compare whose first difference lies after a partial completion, and a
 * pattern compare likewise. */
static void test_compare_after_fault(void)
{
	struct rig r;
	rig_open(&r, "dsa_sim0", "engines=0", SVA_FAULT_PARTIAL, PF_POLL, 16);
	size_t len = 4 * PG;
	struct buf a, b;
	buf_alloc(&a, len, 0);
	buf_alloc(&b, len, 0);
	memset(a.p, 0, len);
	a.p[PG + 1000] = 7;    /* b stays zero (its pages are faulted in as zero pages) */
	b.p[0] = 0;            /* b's first page present, the rest not */
	struct sva_result res;
	memset(&res, 0xff, sizeof(res));
	EXPECT_DONE(&r, r.q, sva_compare(r.q, a.p, b.p, (uint32_t)len, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.value, 1);
	EXPECT_EQ(res.bytes, PG + 1000);
	struct sva_queue_stats st = qstats(r.q);
	CU_ASSERT(st.faults >= 1);

	/* Pattern compare from an odd offset: the fault ends the first part at
	 * an odd byte count, and the pattern must stay in phase. */
	struct buf c;
	buf_alloc(&c, 3 * PG, 3);
	const uint64_t pat = 0x0102030405060708ull;
	memset(c.map + PG, 0, PG); /* first page present */
	uint64_t f0 = qstats(r.q).faults;
	/* Leave the second page absent by writing only the first page's part. */
	for (size_t i = 0; i < PG - 3; i++)
		c.p[i] = (uint8_t)(pat >> (8 * (i % 8)));
	memset(&res, 0xff, sizeof(res));
	/* The absent part reads as zeros: the first difference is the first byte
	 * of the second page whose pattern byte is not zero, i.e. PG - 3. */
	EXPECT_DONE(&r, r.q,
		    sva_compare_pattern(r.q, c.p, pat, (uint32_t)(2 * PG), &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.value, 1);
	EXPECT_EQ(res.bytes, PG - 3);
	CU_ASSERT(qstats(r.q).faults > f0);
	/* Now write the whole pattern: equal. */
	for (size_t i = 0; i < 2 * PG; i++)
		c.p[i] = (uint8_t)(pat >> (8 * (i % 8)));
	memset(&res, 0xff, sizeof(res));
	EXPECT_DONE(&r, r.q,
		    sva_compare_pattern(r.q, c.p, pat, (uint32_t)(2 * PG), &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.value, 0);
	EXPECT_EQ(res.bytes, 2 * PG);
	/* A pattern compare of freshly faulted memory (zero) against a pattern
	 * whose low byte is zero: the difference is after the fault. */
	struct buf z;
	buf_alloc(&z, 3 * PG, 5);
	const uint64_t zpat = 0x0100000000000000ull; /* byte 7 of each 8 differs */
	memset(&res, 0xff, sizeof(res));
	EXPECT_DONE(&r, r.q,
		    sva_compare_pattern(r.q, z.p, zpat, (uint32_t)(2 * PG), &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.value, 1);
	EXPECT_EQ(res.bytes, 7);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
	buf_free(&z);
	rig_close(&r);
}

/* CRC-32C through a fault in partial mode: the partial CRC seeds the rest. */
static void crc_across_faults(struct rig *r)
{
	/* Source in a shared mapping whose pages were dropped: the data is
	 * there, the page-table entries are not. */
	size_t len = 64 * PG - 22;
	struct buf s;
	buf_alloc_shared(&s, len, 11);
	fill_random(s.p, len);
	uint32_t want = ref_crc32c(0, s.p, len);
	buf_drop(&s, r->dev);
	struct sva_result res;
	EXPECT_DONE(r, r->q, sva_crc32c(r->q, s.p, (uint32_t)len, 0, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.value, want);
	/* Copy with CRC from it into fresh memory. */
	buf_drop(&s, r->dev);
	struct buf d;
	buf_alloc(&d, len, 1);
	EXPECT_DONE(r, r->q,
		    sva_copy_crc32c(r->q, d.p, s.p, (uint32_t)len, 0, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	EXPECT_EQ(res.value, want);
	CU_ASSERT(memcmp(d.p, s.p, len) == 0);
	if (r->cfg->mode == SVA_FAULT_PARTIAL)
		CU_ASSERT(qstats(r->q).faults >= 2);
	buf_free(&d);
	buf_free(&s);
}

static void test_crc_across_faults(void) { run_cfgs("dsa_sim0", 16, crc_across_faults); }

/* Overlapping copies, both directions, through faults. */
static void copy_overlap(struct rig *r)
{
	size_t len = 6 * PG + 100;
	struct buf a;
	buf_alloc(&a, len + 3 * PG, 7);
	uint8_t *ref = malloc(len + 3 * PG);
	/* Up: dst above src. First half present, rest absent. */
	fill_random(a.p, len);
	memcpy(ref, a.p, len + 3 * PG);
	memmove(ref + 2 * PG + 9, ref, len);
	EXPECT_DONE(r, r->q, sva_copy(r->q, a.p + 2 * PG + 9, a.p, (uint32_t)len,
				      SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(ref, a.p, len + 3 * PG) == 0);
	/* Down: dst below src. */
	memcpy(ref, a.p, len + 3 * PG);
	memmove(ref + 1, ref + PG + 1, len);
	EXPECT_DONE(r, r->q, sva_copy(r->q, a.p + 1, a.p + PG + 1, (uint32_t)len,
				      SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(ref, a.p, len + 3 * PG) == 0);
	CU_ASSERT(buf_guards_ok(&a));
	free(ref);
	buf_free(&a);
}

static void test_copy_overlap(void) { run_cfgs("dsa_sim0", 16, copy_overlap); }

/* The device's inline small copy against memmove(): every size up to 64
 * bytes and past it, disjoint and overlapping either way, and the bytes
 * around the destination untouched. */
static void test_move_small(void)
{
	uint8_t buf[256], ref[256];
	unsigned int bad = 0;
	for (uint32_t n = 0; n <= 80; n++) {
		for (int shift = -70; shift <= 70; shift += 1) {
			uint32_t src = 90, dst = (uint32_t)(90 + shift);
			for (unsigned int i = 0; i < sizeof(buf); i++)
				buf[i] = (uint8_t)(i * 37 + n);
			memcpy(ref, buf, sizeof(buf));
			memmove(ref + dst, ref + src, n);
			sim_move(buf + dst, buf + src, n);
			bad += memcmp(buf, ref, sizeof(buf)) != 0;
		}
	}
	EXPECT_EQ(bad, 0);
}

/* Small overlapping copies in one batch (the device's fast path): each as
 * memmove() would leave it. */
static void copy_overlap_small(struct rig *r)
{
	enum { N = 128, SPAN = 256 };
	struct buf a;
	buf_alloc(&a, N * SPAN, 3);
	fill_random(a.p, N * SPAN);
	uint8_t *ref = malloc(N * SPAN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	memcpy(ref, a.p, N * SPAN);
	/* The second round finds the translations cached. */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			uint32_t len = 1 + (uint32_t)i % 64;
			int shift = (i % 2 ? 1 : -1) * (int)(1 + (uint32_t)(i * 7) % 40);
			uint8_t *base = a.p + (size_t)i * SPAN + 100;
			memmove(ref + (base - a.p) + shift, ref + (base - a.p), len);
			CU_ASSERT(sva_copy(r->q, base + shift, base, len, 0) >= 0);
		}
		EXPECT_EQ(sva_submit(r->q), 0);
		enum sva_status st[N];
		EXPECT_EQ(wait_n(r, r->q, N, st), N);
		for (int i = 0; i < N; i++)
			EXPECT_EQ(st[i], SVA_STATUS_SUCCESS);
		CU_ASSERT(memcmp(ref, a.p, N * SPAN) == 0);
	}
	CU_ASSERT(buf_guards_ok(&a));
	free(ref);
	buf_free(&a);
}

static void test_copy_overlap_small(void) { run_cfgs("dsa_sim0", 256, copy_overlap_small); }

/* Many small operations per doorbell (batch descriptors), all verified. */
static void bursts(struct rig *r)
{
	enum { N = 200 };
	struct buf s, d;
	buf_alloc(&s, N * 1000, 1);
	buf_alloc(&d, N * 1000, 2);
	fill_random(s.p, N * 1000);
	struct sva_result res[N];
	for (int i = 0; i < N; i++) {
		size_t o = (size_t)i * 1000;
		int rc;
		switch (i % 4) {
		case 0:
			rc = sva_copy(r->q, d.p + o, s.p + o, 1000, 0);
			break;
		case 1:
			rc = sva_copy_crc32c(r->q, d.p + o, s.p + o, 1000, 0, &res[i], 0);
			break;
		case 2:
			rc = sva_fill(r->q, d.p + o, 0x0706050403020100ull, 1000, 0);
			break;
		default:
			rc = sva_crc32c(r->q, s.p + o, 1000, 0, &res[i], 0);
			break;
		}
		EXPECT_EQ(rc, i);
	}
	EXPECT_EQ(sva_submit(r->q), 0);
	enum sva_status st[N];
	EXPECT_EQ(wait_n(r, r->q, N, st), N);
	for (int i = 0; i < N; i++) {
		size_t o = (size_t)i * 1000;
		EXPECT_EQ(st[i], SVA_STATUS_SUCCESS);
		switch (i % 4) {
		case 0:
			CU_ASSERT(memcmp(d.p + o, s.p + o, 1000) == 0);
			break;
		case 1:
			CU_ASSERT(memcmp(d.p + o, s.p + o, 1000) == 0);
			EXPECT_EQ(res[i].value, ref_crc32c(0, s.p + o, 1000));
			break;
		case 2:
			for (int k = 0; k < 1000; k++)
				if (d.p[o + k] != (uint8_t)(k % 8)) {
					CU_FAIL("fill in a burst");
					break;
				}
			break;
		default:
			EXPECT_EQ(res[i].value, ref_crc32c(0, s.p + o, 1000));
			break;
		}
	}
	struct sva_queue_stats qs = qstats(r->q);
	EXPECT_EQ(qs.submitted, N);
	CU_ASSERT(qs.doorbells < N); /* batched */
	buf_free(&s);
	buf_free(&d);
}

static void test_bursts(void) { run_cfgs("dsa_sim0", 256, bursts); }

/* ---- IAA ------------------------------------------------------------------------------- */

/* Compressible test data: words from a small dictionary with noise. */
static void fill_text(uint8_t *p, size_t n)
{
	static const char *words[] = {"svadk ", "shared ", "virtual ", "addressing ", "DMA ",
				      "PASID ", "fault ", "queue ", "deflate ", "\n"};
	size_t i = 0;
	while (i < n) {
		const char *w = words[rnd() % 10];
		size_t l = strlen(w);
		if (rnd() % 16 == 0) {
			p[i++] = (uint8_t)rnd();
			continue;
		}
		for (size_t k = 0; k < l && i < n; k++)
			p[i++] = (uint8_t)w[k];
	}
}

static void iaa_compress_roundtrip(struct rig *r)
{
	static const size_t lens[] = {1, 100, 4097, 65536 + 3, MiB + 1, 4 * MiB};
	for (size_t i = 0; i < SVA_ARRAY_SIZE(lens); i++) {
		size_t len = lens[i];
		struct buf s, d;
		buf_alloc(&s, len, 3);
		size_t cap = len + len / 4 + 1024;
		buf_alloc(&d, cap, 1);
		if (i % 2)
			fill_text(s.p, len);
		else
			fill_random(s.p, len);
		struct sva_result res;
		memset(&res, 0xff, sizeof(res));
		EXPECT_DONE(r, r->q,
			    sva_compress(r->q, d.p, (uint32_t)cap, s.p, (uint32_t)len, SVA_COMP_F_LAST,
					 &res, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_SUCCESS);
		EXPECT_EQ(res.status, SVA_STATUS_SUCCESS);
		CU_ASSERT(res.bytes > 0 && res.bytes <= cap);
		EXPECT_EQ(res.value, crc32(0, s.p, (uInt)len));
		uint8_t *out = malloc(len + 1);
		EXPECT_EQ(ref_zinflate(d.p, res.bytes, out, len + 1), (long)len);
		CU_ASSERT(memcmp(out, s.p, len) == 0);
		CU_ASSERT(buf_guards_ok(&d));
		if (i % 2)
			CU_ASSERT(res.bytes < len / 2 || len < 200);
		free(out);
		buf_free(&s);
		buf_free(&d);
	}
}

static void iaa_compress_chunks(struct rig *r)
{
	size_t len = 3 * MiB + 777, chunk = 256 * 1024;
	struct buf s, d;
	buf_alloc(&s, len, 0);
	fill_text(s.p, len);
	size_t cap = len + len / 4 + 4096;
	buf_alloc(&d, cap, 0);
	size_t out = 0;
	uLong crc = crc32(0, NULL, 0);
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = SVA_MIN(chunk, len - off);
		bool last = off + n == len;
		struct sva_result res;
		EXPECT_DONE(r, r->q,
			    sva_compress(r->q, d.p + out, (uint32_t)(cap - out), s.p + off, (uint32_t)n,
					 last ? SVA_COMP_F_LAST : 0, &res, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_SUCCESS);
		EXPECT_EQ(res.value, crc32(0, s.p + off, (uInt)n));
		crc = crc32(crc, s.p + off, (uInt)n);
		out += res.bytes;
	}
	uint8_t *plain = malloc(len);
	EXPECT_EQ(ref_zinflate(d.p, out, plain, len), (long)len);
	CU_ASSERT(memcmp(plain, s.p, len) == 0);
	EXPECT_EQ(crc32(0, plain, (uInt)len), crc);
	free(plain);
	buf_free(&s);
	buf_free(&d);
}

static void iaa_decompress(struct rig *r)
{
	size_t len = 2 * MiB + 5;
	struct buf s, c, d;
	buf_alloc(&s, len, 0);
	fill_text(s.p, len);
	size_t ccap = len + len / 8 + 1024;
	buf_alloc(&c, ccap, 0);
	for (int gz = 0; gz < 2; gz++) {
		size_t clen = ref_zdeflate(s.p, len, c.p, ccap, gz ? 9 : 6, gz);
		/* One operation. */
		buf_alloc(&d, len, 9);
		struct sva_result res;
		memset(&res, 0xff, sizeof(res));
		EXPECT_DONE(r, r->q,
			    sva_decompress(r->q, d.p, (uint32_t)len, c.p, (uint32_t)clen,
					   SVA_COMP_F_FIRST | SVA_COMP_F_LAST, NULL, &res,
					   SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_SUCCESS);
		EXPECT_EQ(res.bytes, len);
		EXPECT_EQ(res.consumed, clen);
		EXPECT_EQ(res.value, crc32(0, s.p, (uInt)len));
		CU_ASSERT(memcmp(d.p, s.p, len) == 0);
		CU_ASSERT(buf_guards_ok(&d));
		buf_free(&d);

		/* A stream over several operations with a state buffer, the input
		 * cut at odd places, the output into one buffer. */
		buf_alloc(&d, len, 0);
		void *state = aligned_alloc(64, SVA_DECOMP_STATE_SIZE);
		CU_ASSERT_PTR_NOT_NULL_FATAL(state);
		memset(state, 0, SVA_DECOMP_STATE_SIZE);
		size_t in = 0, outn = 0, step = 70001 + (size_t)gz * 3333;
		int ops = 0;
		uLong crc = crc32(0, NULL, 0);
		while (in < clen) {
			size_t n = SVA_MIN(step, clen - in);
			bool last = in + n == clen;
			uint32_t fl = (ops == 0 ? SVA_COMP_F_FIRST : 0) | (last ? SVA_COMP_F_LAST : 0);
			memset(&res, 0xff, sizeof(res));
			EXPECT_DONE(r, r->q,
				    sva_decompress(r->q, d.p + outn, (uint32_t)(len - outn), c.p + in,
						   (uint32_t)n, fl, state, &res, SVA_OP_FLAG_SUBMIT),
				    SVA_STATUS_SUCCESS);
			if (res.status != SVA_STATUS_SUCCESS)
				break;
			EXPECT_EQ(res.consumed, n);
			EXPECT_EQ(res.value, crc32(0, d.p + outn, res.bytes));
			crc = crc32(crc, d.p + outn, res.bytes);
			outn += res.bytes;
			in += n;
			ops++;
		}
		CU_ASSERT(ops > 3);
		EXPECT_EQ(outn, len);
		CU_ASSERT(memcmp(d.p, s.p, len) == 0);
		EXPECT_EQ(crc, crc32(0, s.p, (uInt)len));
		free(state);
		buf_free(&d);
	}

	/* Corrupt input: a block of the reserved type 3. */
	uint8_t bad[64];
	memset(bad, 0xff, sizeof(bad));
	bad[0] = 0x07;
	buf_alloc(&d, 4096, 0);
	struct sva_result res;
	EXPECT_DONE(r, r->q,
		    sva_decompress(r->q, d.p, 4096, bad, sizeof(bad), SVA_COMP_F_FIRST | SVA_COMP_F_LAST,
				   NULL, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_DATA_ERROR);
	EXPECT_EQ(res.status, SVA_STATUS_DATA_ERROR);
	/* Truncated stream with LAST. */
	size_t clen = ref_zdeflate(s.p, 100000, c.p, ccap, 6, false);
	buf_free(&d);
	buf_alloc(&d, 100000, 0);
	EXPECT_DONE(r, r->q,
		    sva_decompress(r->q, d.p, 100000, c.p, (uint32_t)(clen / 2),
				   SVA_COMP_F_FIRST | SVA_COMP_F_LAST, NULL, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_DATA_ERROR);
	/* Output too small. */
	EXPECT_DONE(r, r->q,
		    sva_decompress(r->q, d.p, 1000, c.p, (uint32_t)clen,
				   SVA_COMP_F_FIRST | SVA_COMP_F_LAST, NULL, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_OUTBUF_OVERFLOW);
	EXPECT_EQ(res.status, SVA_STATUS_OUTBUF_OVERFLOW);
	/* Compress into too little room. */
	fill_random(s.p, 100000);
	EXPECT_DONE(r, r->q,
		    sva_compress(r->q, d.p, 5000, s.p, 100000, SVA_COMP_F_LAST, &res, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_OUTBUF_OVERFLOW);
	/* A stream continued with a state buffer nobody started. */
	void *state = aligned_alloc(64, SVA_DECOMP_STATE_SIZE);
	memset(state, 0x5a, SVA_DECOMP_STATE_SIZE);
	EXPECT_DONE(r, r->q,
		    sva_decompress(r->q, d.p, 100000, c.p, (uint32_t)clen, SVA_COMP_F_LAST, state, &res,
				   SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_DATA_ERROR);
	free(state);
	buf_free(&d);
	buf_free(&s);
	buf_free(&c);
}

static void iaa_crc64(struct rig *r)
{
	static const size_t lens[] = {1, 9, 4097, MiB + 1, 16 * MiB};
	struct {
		uint64_t poly;
		uint32_t flags;
	} kinds[] = {
		{0, 0}, /* ECMA-182 by default */
		{SVA_CRC64_POLY_ECMA, SVA_CRC64_F_REFLECT | SVA_CRC64_F_INVERT}, /* CRC-64/XZ */
		{0x000000000000001Bull, SVA_CRC64_F_REFLECT}, /* ISO polynomial, reflected */
		{0xAD93D23594C935A9ull, SVA_CRC64_F_INVERT},
	};
	for (size_t i = 0; i < SVA_ARRAY_SIZE(lens); i++) {
		size_t len = lens[i];
		struct buf s;
		buf_alloc(&s, len, 1);
		if (len == 9)
			memcpy(s.p, "123456789", 9);
		else
			fill_random(s.p, len);
		for (size_t k = 0; k < SVA_ARRAY_SIZE(kinds); k++) {
			if (len > MiB + 1 && k > 1)
				continue; /* the bitwise reference is slow */
			uint64_t poly = kinds[k].poly ? kinds[k].poly : SVA_CRC64_POLY_ECMA;
			uint64_t want = ref_crc64(poly, kinds[k].flags, s.p, len);
			struct sva_result res;
			memset(&res, 0xff, sizeof(res));
			EXPECT_DONE(r, r->q,
				    sva_crc64(r->q, s.p, (uint32_t)len, kinds[k].poly, kinds[k].flags,
					      &res, SVA_OP_FLAG_SUBMIT),
				    SVA_STATUS_SUCCESS);
			EXPECT_EQ(res.value, want);
		}
		if (len == 9) {
			struct sva_result res;
			EXPECT_DONE(r, r->q, sva_crc64(r->q, s.p, 9, 0, 0, &res, SVA_OP_FLAG_SUBMIT),
				    SVA_STATUS_SUCCESS);
			EXPECT_EQ(res.value, 0x6C40DF5F0B497347ull);
			EXPECT_DONE(r, r->q,
				    sva_crc64(r->q, s.p, 9, SVA_CRC64_POLY_ECMA,
					      SVA_CRC64_F_REFLECT | SVA_CRC64_F_INVERT, &res,
					      SVA_OP_FLAG_SUBMIT),
				    SVA_STATUS_SUCCESS);
			EXPECT_EQ(res.value, 0x995DC9BBDF1939FAull);
		}
		buf_free(&s);
	}
}

static void iaa_copy(struct rig *r)
{
	for (size_t i = 0; i < NB_SIZES; i++)
		op_copy(r, sizes[i], 1 + i, 2 + i);
}


static void test_iaa_compress(void) { run_cfgs("iaa_sim0", 16, iaa_compress_roundtrip); }
static void test_iaa_compress_chunks(void) { run_cfgs("iaa_sim0", 16, iaa_compress_chunks); }
static void test_iaa_decompress(void) { run_cfgs("iaa_sim0", 16, iaa_decompress); }
static void test_iaa_crc64(void) { run_cfgs("iaa_sim0", 16, iaa_crc64); }
static void test_iaa_copy(void) { run_cfgs("iaa_sim0", 16, iaa_copy); }

/* ---- raw device rig ---------------------------------------------------------------- */

struct raw {
	struct sim_dsa *hw;
	struct sim_iommu *mmu;
	struct sva_iopf *pf;
	bool pf_thread;
	uint32_t pasid[2];
	struct sva_as *as[2];
	struct sim_portal *portal[2];
};

/* A raw device with one PASID per address space given (NULL entries: the
 * process address space), a portal on work queue i for PASID i. */
static void raw_open(struct raw *r, const struct sim_dsa_conf *c, struct sva_as *as0,
		     struct sva_as *as1, int nb, enum pf_mode pfm)
{
	memset(r, 0, sizeof(*r));
	struct sim_dsa_conf conf = *c;
	if (conf.nb_wqs < (uint16_t)nb)
		conf.nb_wqs = (uint16_t)nb;
	r->hw = sim_dsa_create(&conf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->hw);
	EXPECT_EQ(sim_dsa_start(r->hw), 0);
	r->mmu = sim_dsa_iommu(r->hw);
	if (pfm == PF_THREAD || pfm == PF_POLL || pfm == PF_IDLE) {
		r->pf = sva_iopf_create(NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r->pf);
		EXPECT_EQ(sim_iommu_attach_iopf(r->mmu, r->pf), 0);
		if (pfm == PF_THREAD) {
			EXPECT_EQ(sva_iopf_start(r->pf, -1), 0);
			r->pf_thread = true;
		}
	}
	struct sva_as *given[2] = {as0, as1};
	for (int i = 0; i < nb; i++) {
		r->as[i] = given[i] ? given[i] : sva_as_create_process("raw");
		if (given[i])
			sva_as_get(given[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r->as[i]);
		EXPECT_EQ(sim_iommu_pasid_alloc(r->mmu, &r->pasid[i]), 0);
		EXPECT_EQ(sim_iommu_bind(r->mmu, r->pasid[i], r->as[i]), 0);
		r->portal[i] = sim_dsa_portal_open(r->hw, (unsigned int)i, r->pasid[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r->portal[i]);
		EXPECT_EQ(sim_portal_pasid(r->portal[i]), r->pasid[i]);
	}
}

static void raw_close(struct raw *r)
{
	for (int i = 0; i < 2; i++) {
		if (!r->portal[i])
			continue;
		sim_portal_close(r->portal[i]);
		sim_iommu_unbind(r->mmu, r->pasid[i]);
		sim_iommu_pasid_free(r->mmu, r->pasid[i]);
	}
	if (r->pf)
		sim_iommu_detach_iopf(r->mmu);
	sim_dsa_destroy(r->hw);
	sva_iopf_destroy(r->pf);
	for (int i = 0; i < 2; i++)
		if (r->as[i])
			sva_as_put(r->as[i]);
	memset(r, 0, sizeof(*r));
}

/* Wait for the status byte at @cr; returns it (0: lost). */
static uint8_t raw_wait(struct raw *r, int i, const volatile uint8_t *cr)
{
	uint64_t t0 = sva_now_ns();
	for (;;) {
		sim_portal_poll(r->portal[i]);
		if (r->pf && !r->pf_thread)
			sva_iopf_poll(r->pf, 64);
		uint8_t st = idxd_cr_status((const void *)(uintptr_t)cr);
		if (st)
			return st;
		if (sva_now_ns() - t0 > DEADLINE_NS) {
			CU_FAIL("raw: lost completion record");
			return 0;
		}
	}
}

static void dsa_desc(uint8_t d[64], uint8_t op, uint32_t flags, const void *cr, uint64_t src,
		     uint64_t dst, uint32_t size);

/* Everything written through portal @i before now has been executed: a no-op
 * descriptor behind it (one engine, or inline: in order) has completed.
 * @cr: 64 bytes, 64-byte aligned, writable through the portal's PASID. */
static void raw_settle_at(struct raw *r, int i, uint8_t *cr)
{
	uint8_t d[64];
	memset(cr, 0, 64);
	dsa_desc(d, DSA_OPCODE_NOOP, IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR, cr, 0, 0, 0);
	EXPECT_EQ(sim_portal_submit(r->portal[i], d), 0);
	EXPECT_EQ(raw_wait(r, i, cr), DSA_COMP_SUCCESS);
}

static void raw_settle(struct raw *r, int i)
{
	static _Alignas(64) uint8_t cr[64];
	raw_settle_at(r, i, cr);
}

/* A DSA descriptor. */
static void dsa_desc(uint8_t d[64], uint8_t op, uint32_t flags, const void *cr, uint64_t src,
		     uint64_t dst, uint32_t size)
{
	memset(d, 0, 64);
	uint32_t f = flags & 0xffffff;
	memcpy(d + 4, &f, 3);
	d[7] = op;
	idxd_wr64(d, 8, u(cr));
	idxd_wr64(d, 16, src);
	idxd_wr64(d, 24, dst);
	memcpy(d + 32, &size, 4);
}

static void set_desc_pasid(uint8_t d[64], uint32_t pasid)
{
	uint32_t w0;
	memcpy(&w0, d, 4);
	w0 = (w0 & ~0xfffffu) | (pasid & 0xfffff);
	memcpy(d, &w0, 4);
}

static uint32_t cr_bytes_completed(const uint8_t *cr)
{
	uint32_t v;
	memcpy(&v, cr + 4, 4);
	return v;
}

static uint64_t dev_page_requests(struct raw *r)
{
	struct sim_dsa_stats st;
	sim_dsa_stats_get(r->hw, &st);
	return st.page_requests;
}

/* ---- faults -------------------------------------------------------------------------- */

/* Source pages absent (dropped from a shared mapping, data kept), destination
 * pages never touched: both fault, the bytes arrive. */
static void fault_src_dst(struct rig *r)
{
	size_t len = 300 * PG + 123;
	struct buf s;
	buf_alloc_shared(&s, len, 7);
	fill_random(s.p, len);
	uint8_t *ref = malloc(len);
	memcpy(ref, s.p, len);
	buf_drop(&s, r->dev);
	struct buf d;
	buf_alloc(&d, len, 11);
	EXPECT_DONE(r, r->q, sva_copy(r->q, d.p, s.p, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(d.p, ref, len) == 0);
	CU_ASSERT(buf_guards_ok(&d));
	struct sva_iopf_stats ps;
	EXPECT_EQ(sva_iopf_stats_get(r->pf, &ps), 0);
	CU_ASSERT(ps.requests > 0);
	if (r->cfg->mode == SVA_FAULT_PARTIAL) {
		struct sva_queue_stats qs = qstats(r->q);
		CU_ASSERT(qs.faults > 0);
		EXPECT_EQ(qs.resubmits, qs.faults);
	}
	free(ref);
	buf_free(&d);
	buf_free(&s);
}

static void test_fault_src_dst(void) { run_cfgs("dsa_sim0", 16, fault_src_dst); }

/* Raw: a completion record in a fresh page faults; the record arrives. */
static void test_fault_completion_record(void)
{
	for (int c = 0; c < NB_CFGS; c++) {
		struct raw r;
		struct sim_dsa_conf conf = {.nb_engines = cfgs[c].pfm == PF_POLL ? 0 : 1};
		raw_open(&r, &conf, NULL, NULL, 1, cfgs[c].pfm);
		uint8_t *crpage = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				       -1, 0);
		CU_ASSERT_FATAL(crpage != MAP_FAILED);
		uint8_t *cr = crpage + 96;
		static uint8_t src[1000], dst[1000];
		fill_random(src, sizeof(src));
		memset(dst, 0, sizeof(dst));
		uint64_t pr0 = dev_page_requests(&r);
		uint8_t d[64];
		uint32_t fl = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR |
			      (cfgs[c].mode == SVA_FAULT_BLOCK ? IDXD_OP_FLAG_BOF : 0);
		dsa_desc(d, DSA_OPCODE_MEMMOVE, fl, cr, u(src), u(dst), sizeof(src));
		EXPECT_EQ(sim_portal_submit(r.portal[0], d), 0);
		EXPECT_EQ(raw_wait(&r, 0, cr), DSA_COMP_SUCCESS);
		CU_ASSERT(memcmp(src, dst, sizeof(src)) == 0);
		CU_ASSERT(dev_page_requests(&r) > pr0);
		/* A record on a page the process cannot write: software error log. */
		uint8_t *ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CU_ASSERT_FATAL(ro != MAP_FAILED);
		struct sim_swerr e;
		while (sim_dsa_swerr_read(r.hw, &e) == 0)
			;
		dsa_desc(d, DSA_OPCODE_MEMMOVE, fl, ro, u(src), u(dst), sizeof(src));
		EXPECT_EQ(sim_portal_submit(r.portal[0], d), 0);
		raw_settle(&r, 0);
		EXPECT_EQ(sim_dsa_swerr_read(r.hw, &e), 0);
		EXPECT_EQ(e.status, DSA_COMP_CRA_XLAT);
		EXPECT_EQ(e.addr, u(ro));
		EXPECT_EQ(e.pasid, r.pasid[0]);
		EXPECT_EQ(e.opcode, DSA_OPCODE_MEMMOVE);
		munmap(ro, PG);
		munmap(crpage, PG);
		raw_close(&r);
	}
}

/* A bad address (nothing mapped there) completes with a page-fault status,
 * with a handler or without one. */
static void test_fault_bad_address(void)
{
	for (int c = 0; c < NB_CFGS; c++) {
		for (int withpf = 0; withpf < 2; withpf++) {
			struct rig r;
			rig_open(&r, "dsa_sim0", cfgs[c].args, cfgs[c].mode,
				 withpf ? cfgs[c].pfm : PF_NONE, 16);
			struct buf s;
			buf_alloc(&s, 3 * PG, 0);
			fill_random(s.p, 3 * PG);
			void *hole = (void *)(uintptr_t)0x1000;
			EXPECT_DONE(&r, r.q, sva_copy(r.q, hole, s.p, 100, SVA_OP_FLAG_SUBMIT),
				    SVA_STATUS_PAGE_FAULT);
			EXPECT_DONE(&r, r.q, sva_copy(r.q, s.p, hole, 100, SVA_OP_FLAG_SUBMIT),
				    SVA_STATUS_PAGE_FAULT);
			/* A read-only page as destination. */
			CU_ASSERT(mprotect(s.map, PG, PROT_READ) == 0);
			EXPECT_EQ(sva_as_invalidate(sva_dev_process_as(r.dev), s.map, PG), 0);
			EXPECT_DONE(&r, r.q, sva_copy(r.q, s.map + 10, s.p, 100, SVA_OP_FLAG_SUBMIT),
				    SVA_STATUS_PAGE_FAULT);
			struct sva_result res;
			EXPECT_DONE(&r, r.q, sva_crc32c(r.q, hole, 10, 0, &res, SVA_OP_FLAG_SUBMIT),
				    SVA_STATUS_PAGE_FAULT);
			EXPECT_EQ(res.status, SVA_STATUS_PAGE_FAULT);
			/* The queue goes on. */
			EXPECT_DONE(&r, r.q, sva_copy(r.q, s.p + PG, s.p, 100, SVA_OP_FLAG_SUBMIT),
				    SVA_STATUS_SUCCESS);
			CU_ASSERT(memcmp(s.p, s.p + PG, 100) == 0);
			EXPECT_EQ(qstats(r.q).errors, 4);
			buf_free(&s);
			rig_close(&r);
		}
	}
}

/* ---- several queues at once (threads) ----------------------------------------------- */

struct qthread {
	struct rig *r;
	struct sva_queue *q;
	int id;
	atomic_int *failures;
};

static void *qthread_main(void *arg)
{
	struct qthread *t = arg;
	uint64_t seed = 0x1234567ull * (uint64_t)(t->id + 1);
	for (int iter = 0; iter < 60; iter++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		size_t len = 1 + seed % (200 * 1024);
		uint8_t *s = mmap(NULL, len + PG, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint8_t *d = mmap(NULL, len + PG, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (s == MAP_FAILED || d == MAP_FAILED) {
			atomic_fetch_add(t->failures, 1);
			return NULL;
		}
		for (size_t i = 0; i < len; i++)
			s[i + 1] = (uint8_t)(i * 31 + (size_t)t->id);
		int rc = sva_copy(t->q, d + 3, s + 1, (uint32_t)len, 0);
		struct sva_result res;
		int rc2 = sva_crc32c(t->q, s + 1, (uint32_t)len, 0, &res, SVA_OP_FLAG_SUBMIT);
		enum sva_status st[2] = {SVA_STATUS_UNKNOWN, SVA_STATUS_UNKNOWN};
		unsigned int got = 0;
		uint64_t t0 = sva_now_ns();
		while (got < 2 && sva_now_ns() - t0 < DEADLINE_NS) {
			uint16_t last;
			got += sva_completed_status(t->q, (uint16_t)(2 - got), &last, st + got);
		}
		if (rc < 0 || rc2 < 0 || got != 2 || st[0] != SVA_STATUS_SUCCESS ||
		    st[1] != SVA_STATUS_SUCCESS || memcmp(d + 3, s + 1, len) != 0 ||
		    res.value != ref_crc32c(0, s + 1, len)) {
			fprintf(stderr, "queue %d iter %d: rc %d/%d got %u st %d/%d\n", t->id, iter,
				rc, rc2, got, st[0], st[1]);
			atomic_fetch_add(t->failures, 1);
		}
		munmap(s, len + PG);
		munmap(d, len + PG);
	}
	return NULL;
}

static void test_multi_queue(void)
{
	for (int shared = 0; shared < 2; shared++) {
		struct rig r;
		rig_dev(&r, "dsa_sim0", shared ? "wqs=1,shared=1,engines=2" : "wqs=4,engines=2",
			PF_THREAD);
		enum { NQ = 4 };
		struct qthread t[NQ];
		pthread_t th[NQ];
		atomic_int failures = 0;
		for (int i = 0; i < NQ; i++) {
			t[i] = (struct qthread){.r = &r, .id = i, .failures = &failures};
			t[i].q = rig_queue(&r, 64, i % 2 ? SVA_FAULT_PARTIAL : SVA_FAULT_BLOCK, NULL);
			for (int k = 0; k < i; k++)
				CU_ASSERT(sva_queue_pasid(t[k].q) != sva_queue_pasid(t[i].q));
		}
		for (int i = 0; i < NQ; i++)
			CU_ASSERT_FATAL(pthread_create(&th[i], NULL, qthread_main, &t[i]) == 0);
		for (int i = 0; i < NQ; i++)
			pthread_join(th[i], NULL);
		EXPECT_EQ(atomic_load(&failures), 0);
		for (int i = 0; i < NQ; i++) {
			struct sva_queue_stats qs = qstats(t[i].q);
			EXPECT_EQ(qs.completed, 120);
			EXPECT_EQ(qs.errors, 0);
		}
		rig_close(&r);
	}
}

/* ---- isolation --------------------------------------------------------------------- */

static void test_managed_isolation(void)
{
	for (int c = 0; c < NB_CFGS; c++) {
		struct rig r;
		rig_dev(&r, "dsa_sim0", cfgs[c].args, cfgs[c].pfm);
		struct sva_as *as = sva_as_create_managed(&(struct sva_as_conf){.name = "iso"});
		CU_ASSERT_PTR_NOT_NULL_FATAL(as);
		struct sva_queue *q = rig_queue(&r, 16, cfgs[c].mode, as);
		size_t len = 4 * PG;
		/* a is followed by a page of its own that @as does not map. */
		uint8_t *a = mmap(NULL, len + PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				  -1, 0);
		uint8_t *ro = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint8_t *out = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CU_ASSERT_FATAL(a != MAP_FAILED && ro != MAP_FAILED && out != MAP_FAILED);
		memset(a, 0x11, len);
		memset(a + len, 0x44, PG);
		memset(ro, 0x22, len);
		memset(out, 0x33, len);   /* the secret: never mapped into @as */
		EXPECT_EQ(sva_as_map(as, a, len, RW), 0);
		EXPECT_EQ(sva_as_map(as, ro, len, SVA_PERM_READ), 0);

		/* Inside: fine. */
		EXPECT_DONE(&r, q, sva_copy(q, a + PG, ro, 100, SVA_OP_FLAG_SUBMIT), SVA_STATUS_SUCCESS);
		EXPECT_EQ(a[PG], 0x22);
		memset(a, 0x11, len);
		/* Read outside (the secret into the mapped buffer). */
		EXPECT_DONE(&r, q, sva_copy(q, a, out, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_PAGE_FAULT);
		for (size_t i = 0; i < len; i++)
			if (a[i] != 0x11) {
				CU_FAIL("a queue on a managed space read memory outside it");
				break;
			}
		/* Write outside. */
		EXPECT_DONE(&r, q, sva_copy(q, out, a, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_PAGE_FAULT);
		EXPECT_DONE(&r, q, sva_fill(q, out + 5, 0, 1000, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_PAGE_FAULT);
		/* Write into the read-only mapping. */
		EXPECT_DONE(&r, q, sva_copy(q, ro + 1, a, 2 * PG, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_PAGE_FAULT);
		/* Straddle the end of the mapping: the part outside is not written. */
		EXPECT_DONE(&r, q, sva_fill(q, a + len - 100, 0, 200, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_PAGE_FAULT);
		for (size_t i = 0; i < PG; i++)
			if (a[len + i] != 0x44) {
				CU_FAIL("a queue on a managed space wrote past its mapping");
				break;
			}
		for (size_t i = 0; i < len; i++)
			if (out[i] != 0x33 || ro[i] != 0x22) {
				CU_FAIL("a queue on a managed space wrote memory outside it");
				break;
			}
		/* Unmapped again: unreachable again. */
		EXPECT_EQ(sva_as_unmap(as, ro, len), 0);
		EXPECT_DONE(&r, q, sva_copy(q, a, ro, 100, SVA_OP_FLAG_SUBMIT), SVA_STATUS_PAGE_FAULT);
		/* The process queue of the same device reaches everything. */
		struct sva_queue *pq = rig_queue(&r, 16, cfgs[c].mode, NULL);
		EXPECT_DONE(&r, pq, sva_copy(pq, a, out, 64, SVA_OP_FLAG_SUBMIT), SVA_STATUS_SUCCESS);
		EXPECT_EQ(a[0], 0x33);
		EXPECT_EQ(sva_queue_destroy(pq), 0);
		EXPECT_EQ(sva_queue_destroy(q), 0);
		r.q = NULL;
		sva_as_put(as);
		munmap(a, len + PG);
		munmap(ro, len);
		munmap(out, len);
		rig_close(&r);
	}
}

struct resolve_ctx {
	atomic_int calls;
	uint8_t *lo, *hi; /* what the callback agrees to map */
};

static int resolve_map(struct sva_as *as, uint64_t addr, uint32_t perm, void *arg)
{
	struct resolve_ctx *rc = arg;
	atomic_fetch_add(&rc->calls, 1);
	(void)perm;
	uint64_t page = SVA_ALIGN_DOWN(addr, (uint64_t)PG);
	if (page < u(rc->lo) || page >= u(rc->hi))
		return -EPERM;
	int e = sva_as_map(as, (void *)(uintptr_t)page, PG, RW);
	return e == -EEXIST ? 0 : e;
}

static void test_managed_resolve(void)
{
	for (int c = 0; c < NB_CFGS; c++) {
		struct rig r;
		rig_dev(&r, "dsa_sim0", cfgs[c].args, cfgs[c].pfm);
		size_t len = 16 * PG;
		uint8_t *mem = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				    -1, 0);
		CU_ASSERT_FATAL(mem != MAP_FAILED);
		struct resolve_ctx ctx = {.lo = mem, .hi = mem + len};
		struct sva_as *as = sva_as_create_managed(&(struct sva_as_conf){
			.name = "ondemand", .resolve = resolve_map, .resolve_arg = &ctx});
		CU_ASSERT_PTR_NOT_NULL_FATAL(as);
		struct sva_queue *q = rig_queue(&r, 16, cfgs[c].mode, as);
		unsigned int maps0 = sva_as_mapping_count(as); /* the queue's rings */
		fill_random(mem, len / 2);
		memset(mem + len, 0x77, len);
		/* Copy the first half onto the second: every page mapped on demand. */
		EXPECT_DONE(&r, q, sva_copy(q, mem + len / 2 + 3, mem, (uint32_t)(len / 2 - 3),
					    SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_SUCCESS);
		CU_ASSERT(memcmp(mem + len / 2 + 3, mem, len / 2 - 3) == 0);
		CU_ASSERT(atomic_load(&ctx.calls) > 0);
		EXPECT_EQ(sva_as_mapping_count(as), maps0 + 16);
		/* Beyond what the callback maps: refused, untouched. */
		EXPECT_DONE(&r, q, sva_copy(q, mem + len, mem, 100, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_PAGE_FAULT);
		for (size_t i = 0; i < len; i++)
			if (mem[len + i] != 0x77) {
				CU_FAIL("written outside the managed space");
				break;
			}
		EXPECT_EQ(sva_queue_destroy(q), 0);
		r.q = NULL;
		sva_as_put(as);
		munmap(mem, 2 * len);
		rig_close(&r);
	}
}

/* Raw: the PASID the application writes into a descriptor is ignored; the
 * portal's PASID is what the device uses. */
static void test_pasid_stamped(void)
{
	for (int inl = 0; inl < 2; inl++) {
		struct sva_as *as0 = sva_as_create_managed(&(struct sva_as_conf){.name = "p0"});
		struct sva_as *as1 = sva_as_create_managed(&(struct sva_as_conf){.name = "p1"});
		CU_ASSERT_PTR_NOT_NULL_FATAL(as0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(as1);
		struct raw r;
		struct sim_dsa_conf conf = {.nb_engines = inl ? 0 : 1};
		raw_open(&r, &conf, as0, as1, 2, inl ? PF_POLL : PF_THREAD);
		CU_ASSERT(r.pasid[0] != r.pasid[1]);
		size_t len = 4 * PG;
		uint8_t *x = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint8_t *y0 = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint8_t *y1 = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint8_t *crs = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				    -1, 0);
		CU_ASSERT_FATAL(x != MAP_FAILED && y0 != MAP_FAILED && y1 != MAP_FAILED &&
				crs != MAP_FAILED);
		memset(x, 0xAB, len);
		memset(y0, 0, len);
		memset(y1, 0, len);
		memset(crs, 0, 2 * PG);
		/* PASID 0 reaches x, y0 and its record page; PASID 1 only y1 and its own. */
		EXPECT_EQ(sva_as_map(as0, x, len, RW), 0);
		EXPECT_EQ(sva_as_map(as0, y0, len, RW), 0);
		EXPECT_EQ(sva_as_map(as0, crs, PG, RW), 0);
		EXPECT_EQ(sva_as_map(as1, y1, len, RW), 0);
		EXPECT_EQ(sva_as_map(as1, crs + PG, PG, RW), 0);
		uint8_t d[64];
		uint8_t *cr0 = crs, *cr1 = crs + PG;
		/* Through portal 0, claiming PASID 1: runs as PASID 0. */
		dsa_desc(d, DSA_OPCODE_MEMMOVE, IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR, cr0, u(x), u(y0),
			 (uint32_t)len);
		set_desc_pasid(d, r.pasid[1]);
		EXPECT_EQ(sim_portal_submit(r.portal[0], d), 0);
		EXPECT_EQ(raw_wait(&r, 0, cr0), DSA_COMP_SUCCESS);
		CU_ASSERT(memcmp(x, y0, len) == 0);
		/* Through portal 1, claiming PASID 0, reading x: x is not PASID 1's. */
		for (int bof = 0; bof < 2; bof++) {
			memset(cr1, 0, 32);
			dsa_desc(d, DSA_OPCODE_MEMMOVE,
				 IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | (bof ? IDXD_OP_FLAG_BOF : 0), cr1,
				 u(x), u(y1), (uint32_t)len);
			set_desc_pasid(d, r.pasid[0]);
			EXPECT_EQ(sim_portal_submit(r.portal[1], d), 0);
			uint8_t st = raw_wait(&r, 1, cr1) & DSA_COMP_STATUS_MASK;
			CU_ASSERT(st == DSA_COMP_PAGE_FAULT_IR || st == DSA_COMP_PAGE_FAULT_NOBOF);
			EXPECT_EQ(cr_bytes_completed(cr1), 0);
			/* ... and a record in PASID 0's page is not written. */
			memset(cr0, 0, 32);
			dsa_desc(d, DSA_OPCODE_MEMFILL, IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR, cr0, 0x55,
				 u(y1), 64);
			set_desc_pasid(d, r.pasid[0]);
			EXPECT_EQ(sim_portal_submit(r.portal[1], d), 0);
			raw_settle_at(&r, 1, cr1 + 64);
			EXPECT_EQ(cr0[0], 0);
		}
		for (size_t i = 0; i < len; i++)
			if (y1[i] != (i < 64 ? 0x55 * (i % 8 == 0) : 0)) {
				CU_FAIL("PASID 1 reached memory of PASID 0");
				break;
			}
		raw_close(&r);
		sva_as_put(as0);
		sva_as_put(as1);
		munmap(x, len);
		munmap(y0, len);
		munmap(y1, len);
		munmap(crs, 2 * PG);
	}
}

/* ---- ring ----------------------------------------------------------------------------- */

static void ring_full(struct rig *r)
{
	static uint8_t s[64], d[16][64];
	memset(s, 1, sizeof(s));
	memset(d, 0, sizeof(d)); /* present: drain does not poll the handler */
	EXPECT_EQ(sva_burst_capacity(r->q), 16);
	for (int i = 0; i < 16; i++) {
		EXPECT_EQ(sva_copy(r->q, d[i], s, 64, 0), i);
		EXPECT_EQ(sva_burst_capacity(r->q), 15 - i);
	}
	EXPECT_EQ(sva_copy(r->q, d[0], s, 64, 0), -ENOSPC);
	EXPECT_EQ(sva_fill(r->q, d[0], 0, 64, SVA_OP_FLAG_SUBMIT), -ENOSPC);
	EXPECT_EQ(sva_burst_capacity(r->q), 0);
	EXPECT_EQ(sva_submit(r->q), 0);
	/* Completed but not reaped: still full. */
	EXPECT_EQ(sva_queue_drain(r->q, 30000), 0);
	EXPECT_EQ(sva_burst_capacity(r->q), 0);
	EXPECT_EQ(sva_copy(r->q, d[0], s, 64, 0), -ENOSPC);
	uint16_t last = 0xffff;
	bool err = true;
	EXPECT_EQ(sva_completed(r->q, 5, &last, &err), 5);
	EXPECT_EQ(last, 4);
	CU_ASSERT(!err);
	EXPECT_EQ(sva_burst_capacity(r->q), 5);
	EXPECT_EQ(sva_completed(r->q, 64, &last, &err), 11);
	EXPECT_EQ(last, 15);
	EXPECT_EQ(sva_burst_capacity(r->q), 16);
	EXPECT_EQ(sva_completed(r->q, 64, &last, &err), 0);
	EXPECT_EQ(last, 15); /* unchanged */
}

static void test_ring_full(void) { run_cfgs("dsa_sim0", 16, ring_full); }

/* Ring indexes run over 16 bits and wrap; completions stay in step. */
static void test_ring_wrap(void)
{
	struct rig r;
	rig_open(&r, "dsa_sim0", "engines=0", SVA_FAULT_BLOCK, PF_POLL, 64);
	static uint8_t s[256], d[256];
	fill_random(s, sizeof(s));
	uint16_t expect = 0;
	uint32_t total = 0;
	while (total < 70000) {
		int n = 1 + (int)(rnd() % 40);
		for (int i = 0; i < n; i++) {
			int idx = sva_copy(r.q, d, s, 1 + (uint32_t)(rnd() % 256), 0);
			EXPECT_EQ(idx, (uint16_t)(expect + i));
			if (idx < 0)
				break;
		}
		EXPECT_EQ(sva_submit(r.q), 0);
		uint16_t got = 0, last = 0;
		uint64_t t0 = sva_now_ns();
		while (got < n && sva_now_ns() - t0 < DEADLINE_NS) {
			bool err = false;
			got += sva_completed(r.q, (uint16_t)(n - got), &last, &err);
			CU_ASSERT(!err);
		}
		EXPECT_EQ(got, n);
		EXPECT_EQ(last, (uint16_t)(expect + n - 1));
		expect = (uint16_t)(expect + n);
		total += (uint32_t)n;
		if (CU_get_number_of_failures())
			break;
	}
	struct sva_queue_stats st = qstats(r.q);
	EXPECT_EQ(st.completed, total);
	rig_close(&r);
}

/* ---- errors through the public API -------------------------------------------------- */

static void test_api_errors(void)
{
	for (int c = 0; c < NB_CFGS; c++) {
		struct rig r;
		rig_open(&r, "dsa_sim0", c < 2 ? "engines=1,max_xfer=65536" : "engines=0,max_xfer=65536",
			 cfgs[c].mode, cfgs[c].pfm, 32);
		struct buf a, b, b2;
		buf_alloc(&a, 3 * PG, 0);
		buf_alloc(&b, 3 * PG, 0);
		buf_alloc(&b2, 3 * PG, 8);
		fill_random(a.p, 3 * PG);
		memset(b.p, 0, 3 * PG); /* present: drain does not poll the handler */
		EXPECT_DONE(&r, r.q, sva_copy(r.q, b.p, a.p, 0, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_INVALID_LENGTH);
		uint8_t *big = malloc(65537 * 2);
		EXPECT_DONE(&r, r.q, sva_copy(r.q, big, big + 65537, 65537, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_INVALID_LENGTH);
		free(big);
		/* Dualcast destinations must share bits 11:0. */
		EXPECT_DONE(&r, r.q, sva_dualcast(r.q, b.p, b2.p, a.p, 100, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_INVALID_ADDR);
		EXPECT_DONE(&r, r.q, sva_dualcast(r.q, b.p, b.p + 100, a.p, 200, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_INVALID_ADDR);
		EXPECT_DONE(&r, r.q, sva_dualcast(r.q, b.p, b.p + PG, a.p, 100, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_SUCCESS);
		/* Copy with CRC may not overlap. */
		struct sva_result res;
		EXPECT_DONE(&r, r.q, sva_copy_crc32c(r.q, a.p + 10, a.p, 100, 0, &res, SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_INVALID_ADDR);
		EXPECT_EQ(res.status, SVA_STATUS_INVALID_ADDR);
		for (size_t i = 0; i < 3 * PG; i++)
			if (b2.p[i] != 0) {
				CU_FAIL("a refused dualcast wrote");
				break;
			}

		/* sva_completed() stops before a failed operation. */
		CU_ASSERT(sva_copy(r.q, b.p, a.p, 100, 0) >= 0);
		CU_ASSERT(sva_copy(r.q, b.p, a.p, 100, 0) >= 0);
		CU_ASSERT(sva_copy(r.q, b.p, a.p, 0, 0) >= 0); /* fails */
		CU_ASSERT(sva_copy(r.q, b.p, a.p, 100, 0) >= 0);
		CU_ASSERT(sva_copy(r.q, b.p, a.p, 0, 0) >= 0); /* fails */
		CU_ASSERT(sva_copy(r.q, b.p, a.p, 100, 0) >= 0);
		EXPECT_EQ(sva_submit(r.q), 0);
		EXPECT_EQ(sva_queue_drain(r.q, 30000), 0);
		uint16_t last = 0;
		bool err = false;
		EXPECT_EQ(sva_completed(r.q, 32, &last, &err), 2);
		CU_ASSERT(err);
		err = false;
		EXPECT_EQ(sva_completed(r.q, 32, &last, &err), 0);
		CU_ASSERT(err);
		enum sva_status st[4];
		EXPECT_EQ(sva_completed_status(r.q, 1, &last, st), 1);
		EXPECT_EQ(st[0], SVA_STATUS_INVALID_LENGTH);
		EXPECT_EQ(sva_completed(r.q, 32, &last, &err), 1);
		CU_ASSERT(err);
		EXPECT_EQ(sva_completed_status(r.q, 4, &last, st), 2);
		EXPECT_EQ(st[0], SVA_STATUS_INVALID_LENGTH);
		EXPECT_EQ(st[1], SVA_STATUS_SUCCESS);
		EXPECT_EQ(sva_completed(r.q, 32, &last, &err), 0);
		CU_ASSERT(!err);
		buf_free(&a);
		buf_free(&b);
		buf_free(&b2);
		rig_close(&r);
	}
}

/* A fenced operation after a failure in the same batch is not attempted;
 * unfenced ones after it run. */
static void batch_fence(struct rig *r)
{
	struct buf a, b;
	buf_alloc(&a, PG, 0);
	buf_alloc(&b, 8 * PG, 0);
	memset(a.p, 9, PG);
	memset(b.p, 0, 8 * PG);
	void *hole = (void *)(uintptr_t)0x2000;
	CU_ASSERT(sva_copy(r->q, b.p, a.p, 100, 0) >= 0);                       /* ok */
	CU_ASSERT(sva_copy(r->q, b.p + PG, a.p, 0, 0) >= 0);                    /* bad length */
	CU_ASSERT(sva_copy(r->q, b.p + 2 * PG, a.p, 100, 0) >= 0);              /* runs */
	CU_ASSERT(sva_copy(r->q, b.p + 3 * PG, hole, 100, 0) >= 0);             /* page fault */
	CU_ASSERT(sva_copy(r->q, b.p + 4 * PG, a.p, 100, SVA_OP_FLAG_FENCE) >= 0); /* not attempted */
	CU_ASSERT(sva_copy(r->q, b.p + 5 * PG, a.p, 100, 0) >= 0);              /* not attempted */
	EXPECT_EQ(sva_submit(r->q), 0);
	enum sva_status st[6];
	EXPECT_EQ(wait_n(r, r->q, 6, st), 6);
	EXPECT_EQ(st[0], SVA_STATUS_SUCCESS);
	EXPECT_EQ(st[1], SVA_STATUS_INVALID_LENGTH);
	EXPECT_EQ(st[2], SVA_STATUS_SUCCESS);
	EXPECT_EQ(st[3], SVA_STATUS_PAGE_FAULT);
	EXPECT_EQ(st[4], SVA_STATUS_NOT_ATTEMPTED);
	EXPECT_EQ(st[5], SVA_STATUS_NOT_ATTEMPTED);
	EXPECT_EQ(b.p[0], 9);
	EXPECT_EQ(b.p[2 * PG], 9);
	EXPECT_EQ(b.p[4 * PG], 0);
	EXPECT_EQ(b.p[5 * PG], 0);
	/* Fence without a failure: everything runs. */
	CU_ASSERT(sva_copy(r->q, b.p + 6 * PG, a.p, 100, 0) >= 0);
	CU_ASSERT(sva_copy(r->q, b.p + 7 * PG, b.p + 6 * PG, 100, SVA_OP_FLAG_FENCE | SVA_OP_FLAG_SUBMIT) >= 0);
	EXPECT_EQ(wait_n(r, r->q, 2, st), 2);
	EXPECT_EQ(st[0], SVA_STATUS_SUCCESS);
	EXPECT_EQ(st[1], SVA_STATUS_SUCCESS);
	EXPECT_EQ(b.p[7 * PG + 99], 9);
	/* A fault that is resolved is no failure: in partial mode the
	 * device abandons the batch at the fence all the same, and the
	 * library hands the rest over again. Then a real failure before a
	 * second fence: only what that fence covers is skipped. */
	struct buf f;
	buf_alloc(&f, 4 * PG, 0);
	CU_ASSERT(sva_copy(r->q, f.p, a.p, (uint32_t)PG, 0) >= 0);                 /* faults */
	CU_ASSERT(sva_copy(r->q, f.p + PG, f.p, 100, SVA_OP_FLAG_FENCE) >= 0);     /* needs it */
	CU_ASSERT(sva_copy(r->q, f.p + 2 * PG, hole, 100, SVA_OP_FLAG_FENCE) >= 0); /* fails */
	CU_ASSERT(sva_copy(r->q, f.p + 3 * PG, a.p, 100, 0) >= 0);                 /* runs */
	CU_ASSERT(sva_copy(r->q, f.p + 3 * PG + 100, a.p, 100, SVA_OP_FLAG_FENCE) >= 0); /* skipped */
	CU_ASSERT(sva_copy(r->q, f.p + 3 * PG + 200, a.p, 100, 0) >= 0);           /* skipped */
	EXPECT_EQ(sva_submit(r->q), 0);
	EXPECT_EQ(wait_n(r, r->q, 6, st), 6);
	EXPECT_EQ(st[0], SVA_STATUS_SUCCESS);
	EXPECT_EQ(st[1], SVA_STATUS_SUCCESS);
	EXPECT_EQ(st[2], SVA_STATUS_PAGE_FAULT);
	EXPECT_EQ(st[3], SVA_STATUS_SUCCESS);
	EXPECT_EQ(st[4], SVA_STATUS_NOT_ATTEMPTED);
	EXPECT_EQ(st[5], SVA_STATUS_NOT_ATTEMPTED);
	EXPECT_EQ(f.p[PG + 99], 9);
	EXPECT_EQ(f.p[3 * PG + 99], 9);
	EXPECT_EQ(f.p[3 * PG + 100], 0);
	EXPECT_EQ(f.p[3 * PG + 200], 0);
	buf_free(&f);
	buf_free(&a);
	buf_free(&b);
}

static void test_batch_fence(void) { run_cfgs("dsa_sim0", 32, batch_fence); }

/* Asserts an enqueue worked; 1 for counting. */
static int enq(int rc)
{
	CU_ASSERT(rc >= 0);
	return 1;
}

/* A burst split over several descriptors (max_batch, ring end): a fenced
 * operation still starts only after every earlier one of its burst, and is
 * skipped, with the rest of the burst, after a failure, as in one batch. */
static void test_fence_split(void)
{
	static const char *const args[] = {"engines=2,max_batch=3", "engines=0,max_batch=3",
					   "engines=2,wq_size=2,max_batch=2"};
	for (int c = 0; c < 3; c++) {
		for (int mode = 0; mode < 2; mode++) {
			struct rig r;
			rig_open(&r, "dsa_sim0", args[c], mode ? SVA_FAULT_PARTIAL : SVA_FAULT_BLOCK,
				 c == 1 ? PF_POLL : PF_THREAD, 16);
			size_t len = 2 * MiB;
			struct buf a, b, cc, e;
			buf_alloc_shared(&a, len, 0);
			buf_alloc(&b, len, 0);  /* faults: the first copy is slow */
			buf_alloc(&cc, len, 0);
			/* Every small copy has a destination of its own: with two engines,
			 * copies in different descriptors may run at the same time. */
			buf_alloc(&e, 8 * 64, 0);
			fill_random(a.p, len);
			buf_drop(&a, r.dev);
			for (int round = 0; round < 3; round++) {
				/* Start the bursts at different ring positions. */
				int k = 0;
				k += enq(sva_copy(r.q, b.p, a.p, (uint32_t)len, 0));
				k += enq(sva_copy(r.q, e.p, a.p, 64, 0));
				for (int pad = 0; pad < round; pad++)
					k += enq(sva_copy(r.q, e.p + 64 * (1 + pad), a.p, 64, 0));
				k += enq(sva_copy(r.q, cc.p, b.p, (uint32_t)len, SVA_OP_FLAG_FENCE));
				k += enq(sva_copy(r.q, e.p + 64 * 7, a.p, 64, SVA_OP_FLAG_SUBMIT));
				enum sva_status st[8];
				EXPECT_EQ(wait_n(&r, r.q, (unsigned int)k, st), k);
				for (int i = 0; i < k; i++)
					EXPECT_EQ(st[i], SVA_STATUS_SUCCESS);
				if (memcmp(cc.p, a.p, len)) {
					fprintf(stderr, "fence_split %s mode %d round %d: the fenced copy ran "
						"before the copy it depends on\n", args[c], mode, round);
					CU_FAIL("fence across descriptors");
				}
				memset(b.p, 0, len);
				memset(cc.p, 0, len);
				buf_evict(&b, r.dev);
				buf_evict(&cc, r.dev);
			}
			/* After a failure: the fenced operation and the rest of the
			 * burst are not attempted, whatever descriptor they are in. */
			for (int round = 0; round < 3; round++) {
				int k = 0;
				memset(e.p, 0, 64);
				k += enq(sva_copy(r.q, e.p, a.p, 0, 0)); /* fails */
				for (int pad = 0; pad < round; pad++)
					k += enq(sva_copy(r.q, e.p + 64 + pad, a.p, 1, 0));
				k += enq(sva_copy(r.q, e.p + 2, a.p, 1, SVA_OP_FLAG_FENCE));
				for (int tail = 0; tail < 4; tail++)
					k += enq(sva_copy(r.q, e.p + 3 + tail, a.p, 1, 0));
				EXPECT_EQ(sva_submit(r.q), 0);
				enum sva_status st[12];
				EXPECT_EQ(wait_n(&r, r.q, (unsigned int)k, st), k);
				EXPECT_EQ(st[0], SVA_STATUS_INVALID_LENGTH);
				for (int i = 1; i <= round; i++)
					EXPECT_EQ(st[i], SVA_STATUS_SUCCESS);
				for (int i = round + 1; i < k; i++)
					EXPECT_EQ(st[i], SVA_STATUS_NOT_ATTEMPTED);
				for (int i = 2; i < 7; i++)
					EXPECT_EQ(e.p[i], 0);
			}
			/* The next burst is not affected. */
			EXPECT_DONE(&r, r.q, sva_copy(r.q, e.p, a.p, 64, SVA_OP_FLAG_FENCE | SVA_OP_FLAG_SUBMIT),
				    SVA_STATUS_SUCCESS);
			buf_free(&a);
			buf_free(&b);
			buf_free(&cc);
			buf_free(&e);
			rig_close(&r);
		}
	}
}

/* ---- hardware error statuses through raw descriptors ------------------------------- */

static uint8_t raw_run(struct raw *r, const uint8_t *d, volatile uint8_t *cr)
{
	memset((void *)(uintptr_t)cr, 0, 64);
	EXPECT_EQ(sim_portal_submit(r->portal[0], d), 0);
	return raw_wait(r, 0, cr);
}

static void test_hw_errors_dsa(void)
{
	for (int inl = 0; inl < 2; inl++) {
		struct raw r;
		struct sim_dsa_conf conf = {.nb_engines = inl ? 0 : 1, .max_xfer = 8192, .max_batch = 8};
		raw_open(&r, &conf, NULL, NULL, 1, PF_POLL);
		static _Alignas(64) uint8_t cr[64];
		static _Alignas(64) uint8_t bcr[64];
		static uint8_t src[16384], dst[16384];
		static _Alignas(64) uint8_t list[16][64];
		fill_random(src, sizeof(src));
		memset(dst, 0, sizeof(dst)); /* no BOF below: keep clear of faults */
		const uint32_t F = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
		uint8_t d[64];

		/* Bad opcode. */
		dsa_desc(d, 0x3f, F, cr, u(src), u(dst), 100);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_BAD_OPCODE);
		/* Reserved bits: in the first word, at byte 38, in an unused field. */
		dsa_desc(d, DSA_OPCODE_MEMMOVE, F, cr, u(src), u(dst), 100);
		d[2] |= 0x10; /* bit 20 */
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_NOZERO_RESERVE);
		dsa_desc(d, DSA_OPCODE_MEMMOVE, F, cr, u(src), u(dst), 100);
		d[38] = 1;
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_NOZERO_RESERVE);
		dsa_desc(d, DSA_OPCODE_MEMMOVE, F, cr, u(src), u(dst), 100);
		d[50] = 1;
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_NOZERO_RESERVE);
		/* Undefined flag bit; privileged descriptor. */
		dsa_desc(d, DSA_OPCODE_MEMMOVE, F | 0x800000, cr, u(src), u(dst), 100);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_INVALID_FLAGS);
		dsa_desc(d, DSA_OPCODE_MEMMOVE, F, cr, u(src), u(dst), 100);
		d[3] |= 0x80;
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_PRIV_BAD);
		/* Zero and oversized transfers. */
		dsa_desc(d, DSA_OPCODE_MEMMOVE, F, cr, u(src), u(dst), 0);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_XFER_ERANGE);
		dsa_desc(d, DSA_OPCODE_MEMMOVE, F, cr, u(src), u(dst), 8193);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_XFER_ERANGE);
		dsa_desc(d, DSA_OPCODE_MEMMOVE, F, cr, u(src), u(dst), 8192);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_SUCCESS);
		/* Failures without RCR still write a record; successes do not. */
		dsa_desc(d, DSA_OPCODE_MEMMOVE, IDXD_OP_FLAG_CRAV, cr, u(src), u(dst), 0);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_XFER_ERANGE);
		memset(cr, 0, sizeof(cr));
		dsa_desc(d, DSA_OPCODE_MEMMOVE, IDXD_OP_FLAG_CRAV, cr, u(src), u(dst), 10);
		EXPECT_EQ(sim_portal_submit(r.portal[0], d), 0);
		raw_settle(&r, 0);
		EXPECT_EQ(cr[0], 0);

		/* Misaligned completion record: nothing written, a log entry. */
		struct sim_swerr e;
		while (sim_dsa_swerr_read(r.hw, &e) == 0)
			;
		memset(cr, 0, sizeof(cr));
		memset(dst, 0, 100);
		dsa_desc(d, DSA_OPCODE_MEMMOVE, F, cr + 8, u(src), u(dst), 100);
		EXPECT_EQ(sim_portal_submit(r.portal[0], d), 0);
		raw_settle(&r, 0);
		for (size_t i = 0; i < sizeof(cr); i++)
			EXPECT_EQ(cr[i], 0);
		EXPECT_EQ(sim_dsa_swerr_read(r.hw, &e), 0);
		EXPECT_EQ(e.status, DSA_COMP_CRA_ALIGN);
		EXPECT_EQ(e.addr, u(cr + 8));
		EXPECT_EQ(e.opcode, DSA_OPCODE_MEMMOVE);
		EXPECT_EQ(e.pasid, r.pasid[0]);
		EXPECT_EQ(e.wq, 0);
		EXPECT_EQ(sim_dsa_swerr_read(r.hw, &e), -EAGAIN);
		struct sim_dsa_stats st;
		sim_dsa_stats_get(r.hw, &st);
		CU_ASSERT(st.swerrs >= 1);

		/* Dualcast bits 11:0; overlapping copy with CRC. */
		dsa_desc(d, DSA_OPCODE_DUALCAST, F, cr, u(src), u(dst), 100);
		idxd_wr64(d, 40, u(dst) + 4097);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_DCAST_ERR);
		dsa_desc(d, DSA_OPCODE_COPY_CRC, F, cr, u(src), u(src) + 50, 100);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_OVERLAP_BUFFERS);

		/* Batches: count out of range, misaligned list, a batch in a batch. */
		for (int k = 0; k < 3; k++) {
			uint32_t cnt = k == 0 ? 1 : k == 1 ? 9 : 0;
			dsa_desc(d, DSA_OPCODE_BATCH, F, bcr, u(list), 0, cnt);
			EXPECT_EQ(raw_run(&r, d, bcr), DSA_COMP_DESC_CNT_ERANGE);
		}
		dsa_desc(d, DSA_OPCODE_BATCH, F, bcr, u(list) + 32, 0, 2);
		EXPECT_EQ(raw_run(&r, d, bcr), DSA_COMP_DESCLIST_ALIGN);
		static _Alignas(32) uint8_t mcr[8][32];
		memset(mcr, 0, sizeof(mcr));
		dsa_desc(list[0], DSA_OPCODE_MEMMOVE, F, mcr[0], u(src), u(dst), 10);
		dsa_desc(list[1], DSA_OPCODE_BATCH, F, mcr[1], u(list), 0, 2);
		dsa_desc(d, DSA_OPCODE_BATCH, F, bcr, u(list), 0, 2);
		EXPECT_EQ(raw_run(&r, d, bcr), DSA_COMP_BATCH_FAIL);
		EXPECT_EQ(cr_bytes_completed(bcr), 2);
		EXPECT_EQ(mcr[0][0], DSA_COMP_SUCCESS);
		EXPECT_EQ(mcr[1][0], DSA_COMP_BAD_OPCODE);

		/* Fence after a failure: the rest of the batch is abandoned. */
		memset(mcr, 0, sizeof(mcr));
		memset(dst, 0, sizeof(dst));
		dsa_desc(list[0], DSA_OPCODE_MEMMOVE, F, mcr[0], u(src), u(dst), 10);
		dsa_desc(list[1], 0x3e, F, mcr[1], u(src), u(dst) + 100, 10);
		dsa_desc(list[2], DSA_OPCODE_MEMMOVE, F, mcr[2], u(src), u(dst) + 200, 10); /* runs */
		dsa_desc(list[3], DSA_OPCODE_MEMMOVE, F | IDXD_OP_FLAG_FENCE, mcr[3], u(src),
			 u(dst) + 300, 10);
		dsa_desc(list[4], DSA_OPCODE_MEMMOVE, F, mcr[4], u(src), u(dst) + 400, 10);
		dsa_desc(d, DSA_OPCODE_BATCH, F, bcr, u(list), 0, 5);
		EXPECT_EQ(raw_run(&r, d, bcr), DSA_COMP_BATCH_FAIL);
		EXPECT_EQ(cr_bytes_completed(bcr), 3);
		EXPECT_EQ(mcr[0][0], DSA_COMP_SUCCESS);
		EXPECT_EQ(mcr[1][0], DSA_COMP_BAD_OPCODE);
		EXPECT_EQ(mcr[2][0], DSA_COMP_SUCCESS);
		EXPECT_EQ(mcr[3][0], 0);
		EXPECT_EQ(mcr[4][0], 0);
		CU_ASSERT(memcmp(dst + 200, src, 10) == 0);
		EXPECT_EQ(dst[300], 0);
		EXPECT_EQ(dst[400], 0);
		/* A whole good batch; noop and drain. */
		memset(mcr, 0, sizeof(mcr));
		for (int k = 0; k < 8; k++)
			dsa_desc(list[k], DSA_OPCODE_MEMFILL, IDXD_OP_FLAG_CRAV, mcr[k], 0x1111111111111111ull * (uint64_t)k,
				 u(dst) + (size_t)k * 64, 64);
		dsa_desc(d, DSA_OPCODE_BATCH, F, bcr, u(list), 0, 8);
		EXPECT_EQ(raw_run(&r, d, bcr), DSA_COMP_SUCCESS);
		for (int k = 0; k < 8; k++) {
			EXPECT_EQ(dst[k * 64 + 63], 0x11 * k);
			EXPECT_EQ(mcr[k][0], 0);
		}
		dsa_desc(d, DSA_OPCODE_NOOP, F, cr, 0, 0, 0);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_SUCCESS);
		dsa_desc(d, DSA_OPCODE_DRAIN, F, cr, 0, 0, 0);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_SUCCESS);
		/* Compare with "check result": the outcome as expected is SUCCESS,
		 * otherwise SUCCESS_PRED. */
		dsa_desc(d, DSA_OPCODE_COMPARE, F | IDXD_OP_FLAG_CR, cr, u(src), u(src), 100);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_SUCCESS);
		d[40] = 1; /* expected: different */
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_SUCCESS_PRED);
		raw_close(&r);
	}
}

static void test_hw_errors_iaa(void)
{
	struct raw r;
	struct sim_dsa_conf conf = {.type = SIM_DEV_IAA, .max_xfer = 65536};
	raw_open(&r, &conf, NULL, NULL, 1, PF_POLL);
	static _Alignas(64) uint8_t cr[64];
	static uint8_t src[4096], dst[8192];
	static _Alignas(64) uint8_t aecs[IAX_AECS_SIZE];
	fill_text(src, sizeof(src));
	memset(dst, 0, sizeof(dst)); /* no BOF below: keep clear of faults */
	const uint32_t F = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
	uint8_t d[64];
	dsa_desc(d, 0x7f, F, cr, u(src), u(dst), 100);
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_BAD_OPCODE);
	/* DSA-only opcodes are not IAA's. */
	dsa_desc(d, DSA_OPCODE_BATCH, F, cr, u(src), 0, 2);
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_BAD_OPCODE);
	dsa_desc(d, IAX_OPCODE_MEMMOVE, F, cr, u(src), u(dst), 0);
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_INVALID_SIZE);
	/* Compress: no output room declared, reserved field, bad flags, overlap. */
	dsa_desc(d, IAX_OPCODE_COMPRESS, F, cr, u(src), u(dst), 100);
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_INVALID_SIZE);
	idxd_wr64(d, 48, sizeof(dst));
	idxd_wr64(d, 56, 1);
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_NOZERO_RESERVE);
	idxd_wr64(d, 56, 0);
	idxd_wr16(d, 38, 0x0100);
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_INVALID_COMP_FLAG);
	idxd_wr16(d, 38, IAX_COMPR_FLAG_END_APPEND_EOB_SIM);
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_SUCCESS);
	idxd_wr64(d, 24, u(src) + 10);
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_OVERLAP_BUFFERS);
	/* Decompress without the enable flag; AECS misaligned, too small. */
	dsa_desc(d, IAX_OPCODE_DECOMPRESS, F, cr, u(src), u(dst), 100);
	idxd_wr64(d, 48, sizeof(dst));
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_INVALID_COMP_FLAG);
	idxd_wr16(d, 38, IAX_DECOMPR_FLAG_ENABLE);
	uint32_t f = F | IDXD_OP_FLAG_WR_SRC2_AECS_COMP;
	memcpy(d + 4, &f, 3);
	idxd_wr64(d, 40, u(aecs) + 8);
	uint32_t s2 = IAX_AECS_SIZE;
	memcpy(d + 52, &s2, 4);
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_ADDR_ALIGN);
	idxd_wr64(d, 40, u(aecs));
	s2 = 64;
	memcpy(d + 52, &s2, 4);
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_INVALID_SIZE);
	/* CRC64 with unknown flags. */
	dsa_desc(d, IAX_OPCODE_CRC64, F, cr, u(src), 0, 100);
	idxd_wr16(d, 38, 0x0001);
	idxd_wr64(d, 56, SVA_CRC64_POLY_ECMA);
	EXPECT_EQ(raw_run(&r, d, cr), IAX_COMP_INVALID_COMP_FLAG);
	/* Misaligned (32-byte) record: IAA records are 64-byte aligned. */
	struct sim_swerr e;
	while (sim_dsa_swerr_read(r.hw, &e) == 0)
		;
	dsa_desc(d, IAX_OPCODE_MEMMOVE, F, cr + 32, u(src), u(dst), 100);
	EXPECT_EQ(sim_portal_submit(r.portal[0], d), 0);
	raw_settle(&r, 0);
	EXPECT_EQ(sim_dsa_swerr_read(r.hw, &e), 0);
	EXPECT_EQ(e.status, IAX_COMP_CRA_ALIGN);
	raw_close(&r);
}

/* ---- teardown with work in flight ----------------------------------------------------- */

/* A stalled fault handler: the resolve callback of a managed space blocks
 * the handler's thread until released. */
static atomic_int stall_release;

static int stall_resolve(struct sva_as *as, uint64_t addr, uint32_t perm, void *arg)
{
	(void)as;
	(void)addr;
	(void)perm;
	(void)arg;
	uint64_t t0 = sva_now_ns();
	while (!atomic_load(&stall_release) && sva_now_ns() - t0 < DEADLINE_NS)
		usleep(1000);
	return -EFAULT;
}

static void teardown(bool drain, enum sva_fault_mode mode, const char *args)
{
	enum { N = 24 };
	struct rig r;
	char a[128];
	snprintf(a, sizeof(a), "%s,prs_timeout_ms=50", args);
	rig_dev(&r, "dsa_sim0", a, PF_THREAD);
	atomic_store(&stall_release, 0);
	struct sva_as *as = sva_as_create_managed(&(struct sva_as_conf){
		.name = "stall", .resolve = stall_resolve});
	CU_ASSERT_PTR_NOT_NULL_FATAL(as);
	struct sva_queue *q = rig_queue(&r, 64, mode, as);
	size_t len = 8 * PG;
	uint8_t *mem = mmap(NULL, N * len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(mem != MAP_FAILED);
	struct sva_result res[N];
	memset(res, 0xff, sizeof(res));
	/* Nothing of @mem is mapped in @as: every operation faults, and the
	 * handler's thread never comes back with an answer. */
	for (int i = 0; i < N; i++) {
		int rc = i % 2 ? sva_crc32c(q, mem + (size_t)i * len, (uint32_t)len, 0, &res[i], 0)
			       : sva_compare_pattern(q, mem + (size_t)i * len, 0, (uint32_t)len,
						     &res[i], 0);
		EXPECT_EQ(rc, i);
	}
	EXPECT_EQ(sva_submit(q), 0);
	if (drain) {
		EXPECT_EQ(sva_queue_drain(q, 60000), 0);
		enum sva_status st[N + 1];
		uint16_t last;
		EXPECT_EQ(sva_completed_status(q, N + 1, &last, st), N);
		EXPECT_EQ(last, N - 1);
		for (int i = 0; i < N; i++) {
			EXPECT_EQ(st[i], SVA_STATUS_FAULT_TIMEOUT);
			EXPECT_EQ(res[i].status, SVA_STATUS_FAULT_TIMEOUT);
		}
		EXPECT_EQ(sva_completed_status(q, N, &last, st), 0);
		struct sva_queue_stats qs = qstats(q);
		EXPECT_EQ(qs.completed, N);
		EXPECT_EQ(qs.errors, N);
	}
	EXPECT_EQ(sva_queue_destroy(q), 0);
	r.q = NULL;
	for (int i = 0; i < N; i++)
		EXPECT_EQ(res[i].status, SVA_STATUS_FAULT_TIMEOUT);
	atomic_store(&stall_release, 1);
	munmap(mem, N * len);
	rig_close(&r);
	sva_as_put(as);
}

static void test_teardown_drain(void)
{
	teardown(true, SVA_FAULT_BLOCK, "engines=1");
	teardown(true, SVA_FAULT_PARTIAL, "engines=1");
	teardown(true, SVA_FAULT_BLOCK, "engines=0");
	teardown(true, SVA_FAULT_PARTIAL, "engines=0");
}

static void test_teardown_destroy(void)
{
	teardown(false, SVA_FAULT_BLOCK, "engines=2");
	teardown(false, SVA_FAULT_PARTIAL, "engines=1");
	teardown(false, SVA_FAULT_BLOCK, "engines=0");
	teardown(false, SVA_FAULT_PARTIAL, "engines=0");
}

/* With the handler polled by the application (no thread), draining or
 * destroying a queue resolves its faults rather than letting them time out. */
static void test_drain_poll_mode(void)
{
	for (int c = 0; c < NB_CFGS; c++) {
		if (cfgs[c].pfm != PF_POLL)
			continue;
		for (int destroy = 0; destroy < 2; destroy++) {
			enum { N = 8 };
			struct rig r;
			rig_open_cfg(&r, "dsa_sim0", &cfgs[c], 16);
			struct buf s, d;
			buf_alloc_shared(&s, N * 3 * PG, 0);
			buf_alloc(&d, N * 3 * PG, 0);
			fill_random(s.p, N * 3 * PG);
			uint32_t want = ref_crc32c(0, s.p, N * 3 * PG);
			buf_drop(&s, r.dev);
			struct sva_result res;
			memset(&res, 0xff, sizeof(res));
			for (int i = 0; i < N; i++)
				CU_ASSERT(sva_copy(r.q, d.p + i * 3 * PG, s.p + i * 3 * PG,
						   (uint32_t)(3 * PG), 0) >= 0);
			CU_ASSERT(sva_crc32c(r.q, d.p, (uint32_t)(N * 3 * PG), 0, &res, 0) >= 0);
			EXPECT_EQ(sva_submit(r.q), 0);
			if (destroy) {
				EXPECT_EQ(sva_queue_destroy(r.q), 0);
				r.q = NULL;
			} else {
				EXPECT_EQ(sva_queue_drain(r.q, 60000), 0);
				enum sva_status st[N + 1];
				uint16_t last;
				EXPECT_EQ(sva_completed_status(r.q, N + 1, &last, st), N + 1);
				for (int i = 0; i <= N; i++)
					EXPECT_EQ(st[i], SVA_STATUS_SUCCESS);
			}
			EXPECT_EQ(res.status, SVA_STATUS_SUCCESS);
			EXPECT_EQ(res.value, want);
			CU_ASSERT(memcmp(s.p, d.p, N * 3 * PG) == 0);
			buf_free(&s);
			buf_free(&d);
			rig_close(&r);
		}
	}
}

/* Raw: stop the engines while one is blocked on a fault nobody answers, then
 * close the portal: the descriptor finishes (page-response timeout). */
static void test_stop_while_blocked(void)
{
	struct raw r;
	struct sim_dsa_conf conf = {.nb_engines = 1, .prs_timeout_ms = 50};
	raw_open(&r, &conf, NULL, NULL, 1, PF_IDLE);
	uint8_t *dst = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(dst != MAP_FAILED);
	static _Alignas(32) uint8_t cr[2][32];
	static uint8_t src[PG];
	memset(cr, 0, sizeof(cr));
	uint8_t d[64];
	for (int i = 0; i < 2; i++) {
		dsa_desc(d, DSA_OPCODE_MEMMOVE, IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_BOF,
			 cr[i], u(src), u(dst) + (size_t)i * 2 * PG, PG);
		EXPECT_EQ(sim_portal_submit(r.portal[0], d), 0);
	}
	uint64_t t0 = sva_now_ns();
	while (dev_page_requests(&r) == 0 && sva_now_ns() - t0 < DEADLINE_NS)
		usleep(100);
	CU_ASSERT(dev_page_requests(&r) > 0);
	EXPECT_EQ(sim_dsa_stop(r.hw), 0);
	EXPECT_EQ(cr[0][0] & DSA_COMP_STATUS_MASK, DSA_COMP_PRS_TIMEOUT_SIM);
	sim_portal_close(r.portal[0]); /* runs the second one in this thread */
	r.portal[0] = NULL;
	EXPECT_EQ(cr[1][0] & DSA_COMP_STATUS_MASK, DSA_COMP_PRS_TIMEOUT_SIM);
	sim_iommu_unbind(r.mmu, r.pasid[0]);
	sim_iommu_pasid_free(r.mmu, r.pasid[0]);
	struct sim_dsa_stats st;
	sim_dsa_stats_get(r.hw, &st);
	EXPECT_EQ(st.prs_timeouts, 2);
	EXPECT_EQ(st.descs, 2);
	raw_close(&r);
	munmap(dst, 4 * PG);
}

/* ---- fault injection ------------------------------------------------------------------- */

static void test_inject_xlate(void)
{
	for (int c = 0; c < NB_CFGS; c++) {
		struct rig r;
		char a[96];
		snprintf(a, sizeof(a), "%s,inject_xlate=7", cfgs[c].args);
		rig_open(&r, "dsa_sim0", a, cfgs[c].mode, cfgs[c].pfm, 16);
		int ok = 0, xlate = 0;
		for (int i = 0; i < 30; i++) {
			struct buf s, d;
			buf_alloc(&s, 5 * PG, 1);
			buf_alloc(&d, 5 * PG, 2);
			fill_random(s.p, 5 * PG);
			/* New mappings, maybe where earlier ones were: walk them afresh. */
			struct sva_as *pas = sva_dev_process_as(r.dev);
			EXPECT_EQ(sva_as_invalidate(pas, s.map, s.maplen), 0);
			EXPECT_EQ(sva_as_invalidate(pas, d.map, d.maplen), 0);
			enum sva_status st = SVA_STATUS_UNKNOWN;
			int rc = sva_copy(r.q, d.p, s.p, (uint32_t)(5 * PG), SVA_OP_FLAG_SUBMIT);
			CU_ASSERT(rc >= 0);
			if (rc >= 0)
				st = wait_one(&r, r.q);
			if (st == SVA_STATUS_SUCCESS) {
				ok++;
				CU_ASSERT(memcmp(s.p, d.p, 5 * PG) == 0);
			} else if (st == SVA_STATUS_TRANSLATION_FAULT) {
				xlate++;
			} else {
				fprintf(stderr, "inject_xlate (%s): status %s\n", cfgs[c].name,
					sva_status_str(st));
				CU_FAIL("unexpected status");
			}
			CU_ASSERT(buf_guards_ok(&d));
			buf_free(&s);
			buf_free(&d);
		}
		CU_ASSERT(xlate > 0);
		CU_ASSERT(ok > 0);
		rig_close(&r);
	}
}

static void test_inject_drop(void)
{
	for (int c = 0; c < NB_CFGS; c++) {
		if (cfgs[c].mode != SVA_FAULT_BLOCK)
			continue; /* drops hit the IOMMU's page requests: block on fault */
		struct rig r;
		char a[96];
		snprintf(a, sizeof(a), "%s,inject_drop=1,prs_timeout_ms=30", cfgs[c].args);
		rig_open(&r, "dsa_sim0", a, cfgs[c].mode, cfgs[c].pfm, 16);
		struct buf s, d;
		buf_alloc(&s, 4 * PG, 0);
		buf_alloc(&d, 4 * PG, 0);
		fill_random(s.p, 4 * PG);
		EXPECT_DONE(&r, r.q, sva_copy(r.q, d.p, s.p, (uint32_t)(4 * PG), SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_FAULT_TIMEOUT);
		/* Present pages need no page request: fine. */
		memset(d.p, 0, 4 * PG);
		EXPECT_DONE(&r, r.q, sva_copy(r.q, d.p, s.p, (uint32_t)(4 * PG), SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_SUCCESS);
		CU_ASSERT(memcmp(s.p, d.p, 4 * PG) == 0);
		buf_free(&s);
		buf_free(&d);
		rig_close(&r);
	}
}

static void test_inject_delay(void)
{
	for (int c = 0; c < NB_CFGS; c++) {
		struct rig r;
		char a[96];
		snprintf(a, sizeof(a), "%s,inject_delay_us=2000", cfgs[c].args);
		rig_open(&r, "dsa_sim0", a, cfgs[c].mode, cfgs[c].pfm, 16);
		struct buf s, d;
		buf_alloc(&s, 64 * PG, 3);
		buf_alloc(&d, 64 * PG, 4);
		fill_random(s.p, 64 * PG);
		EXPECT_DONE(&r, r.q, sva_copy(r.q, d.p, s.p, (uint32_t)(64 * PG), SVA_OP_FLAG_SUBMIT),
			    SVA_STATUS_SUCCESS);
		CU_ASSERT(memcmp(s.p, d.p, 64 * PG) == 0);
		buf_free(&s);
		buf_free(&d);
		rig_close(&r);
	}
}

/* ---- stale translations ----------------------------------------------------------------- */

/* Small copies in one burst take the device's fast path: a source that went
 * stale fails its own copies, the others in the same batch complete. */
static void stale_burst(struct rig *r)
{
	uint8_t *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(s != MAP_FAILED);
	uint8_t *good = malloc(PG), *d = malloc(8 * 64);
	fill_random(s, PG);
	fill_random(good, PG);
	enum sva_status st[8];
	for (int i = 0; i < 8; i++)
		CU_ASSERT(sva_copy(r->q, d + i * 64, s + i * 64, 64, 0) >= 0);
	EXPECT_EQ(sva_submit(r->q), 0);
	EXPECT_EQ(wait_n(r, r->q, 8, st), 8);
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(st[i], SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(d, s, 8 * 64) == 0);
	/* Translated and cached; now gone without sva_as_invalidate(). */
	CU_ASSERT(munmap(s, PG) == 0);
	void *hole = mmap(s, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			  -1, 0);
	CU_ASSERT_FATAL(hole == s);
	memset(d, 0, 8 * 64);
	for (int i = 0; i < 8; i++)
		CU_ASSERT(sva_copy(r->q, d + i * 64, (i & 1 ? s : good) + i * 64, 64, 0) >= 0);
	EXPECT_EQ(sva_submit(r->q), 0);
	EXPECT_EQ(wait_n(r, r->q, 8, st), 8);
	for (int i = 0; i < 8; i++) {
		if (i & 1) {
			CU_ASSERT(st[i] == SVA_STATUS_TRANSLATION_FAULT ||
				  st[i] == SVA_STATUS_PAGE_FAULT);
		} else {
			EXPECT_EQ(st[i], SVA_STATUS_SUCCESS);
			CU_ASSERT(memcmp(d + i * 64, good + i * 64, 64) == 0);
		}
	}
	munmap(s, PG);
	free(good);
	free(d);
}

static void test_stale_burst(void) { run_cfgs("dsa_sim0", 64, stale_burst); }

static void stale_translation(struct rig *r)
{
	size_t len = 16 * PG;
	uint8_t *s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *d = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(s != MAP_FAILED && d != MAP_FAILED);
	fill_random(s, len);
	memset(d, 0, len);
	/* Translated and cached. */
	EXPECT_DONE(r, r->q, sva_copy(r->q, d, s, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	/* Gone behind the device's back (no sva_as_invalidate()): the copy
	 * fails with a status, the process lives. The range is kept
	 * inaccessible so that nothing else lands there. */
	CU_ASSERT(munmap(s, len) == 0);
	void *hole = mmap(s, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			  -1, 0);
	CU_ASSERT_FATAL(hole == s);
	enum sva_status st = SVA_STATUS_UNKNOWN;
	int rc = sva_copy(r->q, d, s, (uint32_t)len, SVA_OP_FLAG_SUBMIT);
	CU_ASSERT(rc >= 0);
	if (rc >= 0)
		st = wait_one(r, r->q);
	CU_ASSERT(st == SVA_STATUS_TRANSLATION_FAULT || st == SVA_STATUS_PAGE_FAULT);
	if (st != SVA_STATUS_TRANSLATION_FAULT && st != SVA_STATUS_PAGE_FAULT)
		fprintf(stderr, "stale (%s): %s\n", r->cfg->name, sva_status_str(st));
	/* A destination gone the same way. */
	uint8_t *snap = malloc(len);
	memcpy(snap, d, len);
	CU_ASSERT(mprotect(d, len, PROT_READ) == 0);
	uint8_t *s2 = malloc(len);
	memset(s2, 0x42, len);
	rc = sva_copy(r->q, d, s2, (uint32_t)len, SVA_OP_FLAG_SUBMIT);
	st = rc >= 0 ? wait_one(r, r->q) : SVA_STATUS_UNKNOWN;
	CU_ASSERT(st == SVA_STATUS_TRANSLATION_FAULT || st == SVA_STATUS_PAGE_FAULT);
	CU_ASSERT(memcmp(d, snap, len) == 0);
	free(snap);
	/* Reported properly, the device sees the change. */
	EXPECT_EQ(sva_as_invalidate(sva_dev_process_as(r->dev), d, len), 0);
	EXPECT_DONE(r, r->q, sva_copy(r->q, d, s2, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_PAGE_FAULT);
	/* Made writable again but not reported: the device's view stays
	 * read-only while the handler resolves every fault: the operation
	 * fails after a bounded number of retries (never a livelock). */
	CU_ASSERT(mprotect(d, len, PROT_READ | PROT_WRITE) == 0);
	EXPECT_DONE(r, r->q, sva_copy(r->q, d, s2, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_PAGE_FAULT);
	EXPECT_EQ(sva_as_invalidate(sva_dev_process_as(r->dev), d, len), 0);
	EXPECT_DONE(r, r->q, sva_copy(r->q, d, s2, (uint32_t)len, SVA_OP_FLAG_SUBMIT),
		    SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(d, s2, len) == 0);
	free(s2);
	munmap(s, len);
	munmap(d, len);
}

static void test_stale_translation(void) { run_cfgs("dsa_sim0", 16, stale_translation); }

/* Stale-translation scenarios: everything one touches (records, lists,
 * data, the stale page) lives in one 2 MiB chunk of fresh memory, so all of it
 * sits in one entry of the device's direct-mapped translation cache: nothing
 * the scenario touches can evict the stale page's translation (two chunks
 * would collide in 1 of SVA_DEFAULT_ATC_ENTRIES layouts). Page 0 holds small
 * buffers; STALE_PG is the page that goes stale, and stays an inaccessible
 * page of the chunk until the chunk goes. */
#define STALE_PG 8

static uint8_t *stale_chunk_map(void)
{
	size_t c = SIM_ATC_CHUNK_SIZE;
	uint8_t *m = mmap(NULL, 2 * c, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(m != MAP_FAILED);
	uint8_t *a = (uint8_t *)SVA_ALIGN_UP((uintptr_t)m, c);
	if (a != m)
		CU_ASSERT(munmap(m, (size_t)(a - m)) == 0);
	if (a + c != m + 2 * c)
		CU_ASSERT(munmap(a + c, (size_t)(m + c - a)) == 0);
	return a;
}

static void stale_chunk_unmap(uint8_t *chunk)
{
	CU_ASSERT(munmap(chunk, SIM_ATC_CHUNK_SIZE) == 0);
}

/* Page STALE_PG of @chunk, mapped afresh and given a cached translation (as
 * record, and as source and destination of a copy), then replaced behind the
 * device's back (no sva_as_invalidate()) by an inaccessible page. Uses the
 * last two lines of page 0 of @chunk. */
static uint8_t *stale_page(struct raw *r, uint8_t *chunk)
{
	uint8_t *cr = chunk + PG - 128, *scratch = chunk + PG - 64;
	uint8_t d[64];
	uint8_t *p = chunk + STALE_PG * PG;
	void *m = mmap(p, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CU_ASSERT_FATAL(m == p);
	const uint32_t F = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_BOF;
	dsa_desc(d, DSA_OPCODE_MEMMOVE, F, p, u(p) + 64, u(scratch), 64);
	EXPECT_EQ(raw_run(r, d, p), DSA_COMP_SUCCESS);
	dsa_desc(d, DSA_OPCODE_MEMMOVE, F, cr, u(scratch), u(p) + 64, 64);
	EXPECT_EQ(raw_run(r, d, cr), DSA_COMP_SUCCESS);
	void *hole = mmap(p, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CU_ASSERT_FATAL(hole == p);
	return p;
}

static void expect_shifted(const uint8_t *buf)
{
	EXPECT_EQ(buf[0], 0);
	for (int i = 1; i <= 16; i++)
		EXPECT_EQ(buf[i], i - 1);
	EXPECT_EQ(buf[17], 17);
}

/* Raw: a guard fault after an operation's data was done (its record write,
 * or an operation without a record) completes it exactly once: an
 * overlapping move run twice would shift the data twice. */
static void test_stale_record_once(void)
{
	for (int inl = 0; inl < 2; inl++) {
		struct raw r;
		struct sim_dsa_conf conf = {.nb_engines = inl ? 0 : 1};
		raw_open(&r, &conf, NULL, NULL, 1, PF_POLL);
		const uint32_t F = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_BOF;
		uint8_t *chunk = stale_chunk_map();
		uint8_t *buf = chunk, *buf2 = chunk + 64, *bcr = chunk + 128, *mcr = chunk + 192;
		uint8_t(*list)[64] = (uint8_t(*)[64])(chunk + 256);
		uint8_t d[64];
		struct sim_dsa_stats s0, s1;
		struct sim_swerr e;
		while (sim_dsa_swerr_read(r.hw, &e) == 0)
			;

		/* A single operation whose record write hits the guard. */
		for (int i = 0; i < 64; i++)
			buf[i] = (uint8_t)i;
		uint8_t *rec = stale_page(&r, chunk);
		sim_dsa_stats_get(r.hw, &s0);
		dsa_desc(d, DSA_OPCODE_MEMMOVE, F, rec, u(buf), u(buf) + 1, 16);
		EXPECT_EQ(sim_portal_submit(r.portal[0], d), 0);
		raw_settle(&r, 0);
		sim_dsa_stats_get(r.hw, &s1);
		expect_shifted(buf);
		EXPECT_EQ(s1.descs - s0.descs, 2); /* the move and the settling no-op */
		EXPECT_EQ(s1.errors - s0.errors, 0);
		EXPECT_EQ(s1.swerrs - s0.swerrs, 1);
		EXPECT_EQ(s1.stale - s0.stale, 1);
		EXPECT_EQ(sim_dsa_swerr_read(r.hw, &e), 0);
		EXPECT_EQ(e.status, DSA_COMP_CRA_XLAT);
		EXPECT_EQ(e.addr, u(rec));
		EXPECT_EQ(sim_dsa_swerr_read(r.hw, &e), -EAGAIN);

		/* The same as a batch member; the next member still runs. */
		for (int i = 0; i < 64; i++)
			buf[i] = (uint8_t)i;
		memset(buf2, 0, 64);
		memset(mcr, 0, 64);
		rec = stale_page(&r, chunk);
		dsa_desc(list[0], DSA_OPCODE_MEMMOVE, F, rec, u(buf), u(buf) + 1, 16);
		dsa_desc(list[1], DSA_OPCODE_MEMMOVE, F, mcr, u(buf) + 32, u(buf2), 16);
		dsa_desc(d, DSA_OPCODE_BATCH, F, bcr, u(list), 0, 2);
		sim_dsa_stats_get(r.hw, &s0);
		EXPECT_EQ(raw_run(&r, d, bcr), DSA_COMP_SUCCESS);
		sim_dsa_stats_get(r.hw, &s1);
		EXPECT_EQ(cr_bytes_completed(bcr), 2);
		EXPECT_EQ(mcr[0], DSA_COMP_SUCCESS);
		expect_shifted(buf);
		CU_ASSERT(memcmp(buf2, buf + 32, 16) == 0);
		EXPECT_EQ(s1.descs - s0.descs, 2);
		EXPECT_EQ(s1.swerrs - s0.swerrs, 1);
		EXPECT_EQ(s1.stale - s0.stale, 1);
		EXPECT_EQ(sim_dsa_swerr_read(r.hw, &e), 0);
		EXPECT_EQ(e.addr, u(rec));
		EXPECT_EQ(sim_dsa_swerr_read(r.hw, &e), -EAGAIN);

		/* No record at all: a stale source fails the operation, once. */
		uint8_t *src = stale_page(&r, chunk);
		sim_dsa_stats_get(r.hw, &s0);
		dsa_desc(d, DSA_OPCODE_MEMMOVE, IDXD_OP_FLAG_BOF, NULL, u(src) + 64, u(buf2), 64);
		EXPECT_EQ(sim_portal_submit(r.portal[0], d), 0);
		raw_settle(&r, 0);
		sim_dsa_stats_get(r.hw, &s1);
		EXPECT_EQ(s1.descs - s0.descs, 2);
		EXPECT_EQ(s1.errors - s0.errors, 1);
		EXPECT_EQ(s1.stale - s0.stale, 1);
		EXPECT_EQ(s1.swerrs - s0.swerrs, 0);
		raw_close(&r);
		stale_chunk_unmap(chunk);
	}
}

/* The CPUs a task may run on as the kernel lists them ("3", "0-1"), from
 * its /proc status file @path, into @out; false if it cannot be read. */
static bool status_cpus(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[256], buf[64];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "Cpus_allowed_list: %63s", buf) == 1;
	fclose(f);
	if (found)
		snprintf(out, len, "%s", buf);
	return found;
}

/* The same for the thread of this process named @comm. */
static bool thread_cpus(const char *comm, char *out, size_t len)
{
	DIR *dir = opendir("/proc/self/task");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	bool found = false;
	struct dirent *de;
	while (!found && (de = readdir(dir)) != NULL) {
		char path[300], name[64] = "";
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f))
			name[strcspn(name, "\n")] = '\0';
		fclose(f);
		if (strcmp(name, comm) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", de->d_name);
		found = status_cpus(path, out, len);
	}
	closedir(dir);
	return found;
}

/* Raw: an engine given a CPU runs pinned to it; one given a CPU the process
 * may not use runs unpinned, with a warning, and still does its work. */
static void test_engine_pinning(void)
{
	cpu_set_t allowed;
	CU_ASSERT_FATAL(sched_getaffinity(0, sizeof(allowed), &allowed) == 0);
	int mine = -1, other = -1;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (CPU_ISSET(c, &allowed))
			mine = c;
		else if (other < 0 && c > mine && mine >= 0)
			other = c;
	}
	CU_ASSERT_FATAL(mine >= 0 && other >= 0);
	char process_cpus[64] = "";
	CU_ASSERT_FATAL(status_cpus("/proc/self/status", process_cpus, sizeof(process_cpus)));
	const int cpus[2] = {mine, other};
	for (int k = 0; k < 2; k++) {
		struct sim_dsa_conf conf = {.name = "pinsim", .nb_engines = 1, .engines_pinned = true};
		conf.engine_cpu[0] = (int16_t)cpus[k];
		struct raw r;
		log_begin();
		raw_open(&r, &conf, NULL, NULL, 1, PF_POLL);
		const char *log = log_end();
		char got[64] = "", want[64];
		CU_ASSERT(thread_cpus("pinsim-e0", got, sizeof(got)));
		snprintf(want, sizeof(want), "%d", mine);
		const char *expect = k == 0 ? want : process_cpus;
		CU_ASSERT_STRING_EQUAL(got, expect);
		if (strcmp(got, expect) != 0)
			fprintf(stderr, "engine_pinning: engine on CPUs '%s', expected '%s'\n", got,
				expect);
		CU_ASSERT((strstr(log, "cannot pin engine 0") != NULL) == (k == 1));
		static _Alignas(64) uint8_t cr[64];
		uint8_t d[64];
		dsa_desc(d, DSA_OPCODE_NOOP, IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR, cr, 0, 0, 0);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_SUCCESS);
		raw_close(&r);
	}
}

/* Raw: batch members with a misaligned record address fail alike whether
 * the batch runs on its fast path or the general one (shaping): nothing
 * copied, one software error each. */
static void test_batch_cr_align(void)
{
	for (int k = 0; k < 4; k++) {
		struct raw r;
		struct sim_dsa_conf conf = {.nb_engines = k & 1 ? 0 : 1, .lat_ns = k & 2 ? 1 : 0};
		raw_open(&r, &conf, NULL, NULL, 1, PF_POLL);
		static _Alignas(64) uint8_t bcr[64], mcr[64], list[2][64];
		static uint8_t src[256], dst[256];
		struct sim_dsa_stats s0, s1;
		struct sim_swerr e;
		uint8_t d[64];
		fill_random(src, sizeof(src));
		memset(dst, 0, sizeof(dst));
		/* Translations cached: the members qualify for the fast path. */
		dsa_desc(d, DSA_OPCODE_MEMMOVE, IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_BOF,
			 bcr, u(src), u(dst), sizeof(src));
		EXPECT_EQ(raw_run(&r, d, bcr), DSA_COMP_SUCCESS);
		memset(dst, 0, sizeof(dst));
		while (sim_dsa_swerr_read(r.hw, &e) == 0)
			;
		for (int i = 0; i < 2; i++)
			dsa_desc(list[i], DSA_OPCODE_MEMMOVE, IDXD_OP_FLAG_CRAV, mcr + 8, u(src) + i * 128,
				 u(dst) + i * 128, 128);
		dsa_desc(d, DSA_OPCODE_BATCH, IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR, bcr, u(list), 0, 2);
		sim_dsa_stats_get(r.hw, &s0);
		EXPECT_EQ(raw_run(&r, d, bcr), DSA_COMP_BATCH_FAIL);
		sim_dsa_stats_get(r.hw, &s1);
		EXPECT_EQ(cr_bytes_completed(bcr), 2);
		static const uint8_t zero[sizeof(dst)];
		CU_ASSERT(memcmp(dst, zero, sizeof(dst)) == 0);
		EXPECT_EQ(s1.swerrs - s0.swerrs, 2);
		EXPECT_EQ(s1.errors - s0.errors, 2);
		for (int i = 0; i < 2; i++) {
			EXPECT_EQ(sim_dsa_swerr_read(r.hw, &e), 0);
			EXPECT_EQ(e.status, DSA_COMP_CRA_ALIGN);
			EXPECT_EQ(e.addr, u(mcr) + 8);
		}
		raw_close(&r);
	}
}

/* IAA decompression from a source page whose translation the device has
 * cached, then unmapped behind its back (see stale_page()). */
struct stale_iaa {
	struct raw r;
	uint8_t *chunk; /* record at 0, output at PG (2 pages), AECS at 3 PG */
	uint8_t comp[4096];
	size_t clen;
	uint8_t plain[8192];
};

static void iaa_decomp_desc(uint8_t d[64], const uint8_t *cr, uint64_t src, uint32_t len,
			    uint8_t *dst, uint32_t cap, uint32_t aecs_flags, const uint8_t *aecs)
{
	dsa_desc(d, IAX_OPCODE_DECOMPRESS,
		 IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_BOF | aecs_flags, cr,
		 src, u(dst), len);
	idxd_wr16(d, 38, IAX_DECOMPR_FLAG_ENABLE | (aecs_flags ? 0 : IAX_DECOMPR_FLAG_CHECK_EOB));
	memcpy(d + 48, &cap, 4);
	if (aecs_flags) {
		uint32_t s2 = IAX_AECS_SIZE;
		idxd_wr64(d, 40, u(aecs));
		memcpy(d + 52, &s2, 4);
	}
}

/* The compressed data on page STALE_PG of the chunk, decompressed once
 * (translation cached), then replaced by an inaccessible page. */
static uint8_t *stale_iaa_src(struct stale_iaa *t)
{
	uint8_t *cr = t->chunk, *out = t->chunk + PG;
	uint8_t d[64];
	uint8_t *p = t->chunk + STALE_PG * PG;
	void *m = mmap(p, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CU_ASSERT_FATAL(m == p);
	memcpy(p, t->comp, t->clen);
	iaa_decomp_desc(d, cr, u(p), (uint32_t)t->clen, out, 2 * PG, 0, NULL);
	EXPECT_EQ(raw_run(&t->r, d, cr), IAX_COMP_SUCCESS);
	void *hole = mmap(p, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CU_ASSERT_FATAL(hole == p);
	return p;
}

static void *stale_iaa_main(void *arg)
{
	struct stale_iaa *t = arg;
	uint8_t *cr = t->chunk, *out = t->chunk + PG, *aecs = t->chunk + 3 * PG;
	const uint32_t OUT = 2 * PG;
	uint8_t d[64];
	/* Stateless: the operation fails, the next one runs. */
	uint8_t *src = stale_iaa_src(t);
	iaa_decomp_desc(d, cr, u(src), (uint32_t)t->clen, out, OUT, 0, NULL);
	EXPECT_EQ(raw_run(&t->r, d, cr), IAX_COMP_TRANSLATION_FAIL);
	iaa_decomp_desc(d, cr, u(t->comp), (uint32_t)t->clen, out, OUT, 0, NULL);
	EXPECT_EQ(raw_run(&t->r, d, cr), IAX_COMP_SUCCESS);
	CU_ASSERT(memcmp(out, t->plain, sizeof(t->plain)) == 0);
	/* A stream through an AECS: its step that faults ends the stream,
	 * which cannot be continued (and does not keep its slot). */
	const uint32_t WR = IDXD_OP_FLAG_WR_SRC2_AECS_COMP;
	const uint32_t RDWR = IDXD_OP_FLAG_RD_SRC2_AECS | WR;
	uint32_t half = (uint32_t)t->clen / 2;
	iaa_decomp_desc(d, cr, u(t->comp), half, out, OUT, WR, aecs);
	EXPECT_EQ(raw_run(&t->r, d, cr), IAX_COMP_SUCCESS);
	src = stale_iaa_src(t);
	iaa_decomp_desc(d, cr, u(src) + half, (uint32_t)t->clen - half, out, OUT, RDWR, aecs);
	EXPECT_EQ(raw_run(&t->r, d, cr), IAX_COMP_TRANSLATION_FAIL);
	iaa_decomp_desc(d, cr, u(t->comp) + half, (uint32_t)t->clen - half, out, OUT, RDWR,
			aecs);
	EXPECT_EQ(raw_run(&t->r, d, cr), IAX_COMP_ANALYTICS_ERROR);
	/* More faulting stream starts than the device has streams: none is
	 * left holding one. */
	for (int i = 0; i < 65; i++) {
		src = stale_iaa_src(t);
		iaa_decomp_desc(d, cr, u(src), half, out, OUT, WR, aecs);
		EXPECT_EQ(raw_run(&t->r, d, cr), IAX_COMP_TRANSLATION_FAIL);
	}
	iaa_decomp_desc(d, cr, u(t->comp), half, out, OUT, WR, aecs);
	EXPECT_EQ(raw_run(&t->r, d, cr), IAX_COMP_SUCCESS);
	iaa_decomp_desc(d, cr, u(t->comp) + half, (uint32_t)t->clen - half, out, OUT, RDWR,
			aecs);
	EXPECT_EQ(raw_run(&t->r, d, cr), IAX_COMP_SUCCESS);
	raw_close(&t->r);
	return NULL;
}

/* Raw IAA: a guard fault in a decompression leaves no lock held: later
 * operations and the device's teardown go on. Bounded: a hang fails. */
static void test_stale_decompress(void)
{
	for (int inl = 0; inl < 2; inl++) {
		static struct stale_iaa t;
		struct sim_dsa_conf conf = {.type = SIM_DEV_IAA, .nb_engines = inl ? 0 : 1};
		raw_open(&t.r, &conf, NULL, NULL, 1, PF_POLL);
		t.chunk = stale_chunk_map();
		fill_text(t.plain, sizeof(t.plain));
		t.clen = ref_zdeflate(t.plain, sizeof(t.plain), t.comp, sizeof(t.comp), 6, false);
		CU_ASSERT_FATAL(t.clen > 64 && t.clen <= PG);
		pthread_t th;
		CU_ASSERT_FATAL(pthread_create(&th, NULL, stale_iaa_main, &t) == 0);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 30;
		if (pthread_timedjoin_np(th, NULL, &until) != 0) {
			fprintf(stderr, "stale_decompress (%s): hangs\n", inl ? "inline" : "engine");
			_exit(1); /* the device is stuck: fail rather than hang */
		}
		stale_chunk_unmap(t.chunk);
	}
}

/* Raw: pages dropped with MADV_DONTNEED and reported fault again. */
static void test_dontneed_refaults(void)
{
	for (int inl = 0; inl < 2; inl++) {
		struct raw r;
		struct sim_dsa_conf conf = {.nb_engines = inl ? 0 : 1};
		raw_open(&r, &conf, NULL, NULL, 1, inl ? PF_POLL : PF_THREAD);
		size_t len = 32 * PG;
		uint8_t *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CU_ASSERT_FATAL(buf != MAP_FAILED);
		static uint8_t src[32 * 4096];
		static _Alignas(64) uint8_t cr[64];
		fill_random(src, sizeof(src));
		uint8_t d[64];
		const uint32_t F = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_BOF;
		dsa_desc(d, DSA_OPCODE_MEMMOVE, F, cr, u(src), u(buf), (uint32_t)len);
		uint64_t p0 = dev_page_requests(&r);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_SUCCESS);
		uint64_t p1 = dev_page_requests(&r);
		CU_ASSERT(p1 > p0);
		/* Present and cached: no page request. */
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_SUCCESS);
		EXPECT_EQ(dev_page_requests(&r), p1);
		/* Dropped and reported: faults again, and the data lands. */
		CU_ASSERT(madvise(buf, len, MADV_DONTNEED) == 0);
		EXPECT_EQ(sva_as_invalidate(r.as[0], buf, len), 0);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_SUCCESS);
		uint64_t p2 = dev_page_requests(&r);
		CU_ASSERT(p2 > p1);
		CU_ASSERT(memcmp(buf, src, len) == 0);
		/* Part of it dropped: only that part faults. */
		CU_ASSERT(madvise(buf + 16 * PG, PG, MADV_DONTNEED) == 0);
		EXPECT_EQ(sva_as_invalidate(r.as[0], buf + 16 * PG, PG), 0);
		EXPECT_EQ(raw_run(&r, d, cr), DSA_COMP_SUCCESS);
		EXPECT_EQ(dev_page_requests(&r), p2 + 1);
		CU_ASSERT(memcmp(buf, src, len) == 0);
		munmap(buf, len);
		raw_close(&r);
	}
}

/* ---- registration ----------------------------------------------------------------------- */

static const struct sva_test_case ref_tests[] = {
	{"references", test_references},
	{NULL, NULL},
};

static const struct sva_test_case dsa_tests[] = {
	{"copy", test_copy},
	{"fill", test_fill},
	{"fill_offsets", test_fill_offsets},
	{"compare", test_compare},
	{"compare_pattern", test_compare_pattern},
	{"compare_after_fault", test_compare_after_fault},
	{"crc32c", test_crc32c},
	{"copy_crc32c", test_copy_crc32c},
	{"crc_across_faults", test_crc_across_faults},
	{"dualcast", test_dualcast},
	{"cache_flush", test_cache_flush},
	{"copy_overlap", test_copy_overlap},
	{"move_small", test_move_small},
	{"copy_overlap_small", test_copy_overlap_small},
	{"bursts", test_bursts},
	{NULL, NULL},
};

static const struct sva_test_case iaa_tests[] = {
	{"iaa_copy", test_iaa_copy},
	{"iaa_compress", test_iaa_compress},
	{"iaa_compress_chunks", test_iaa_compress_chunks},
	{"iaa_decompress", test_iaa_decompress},
	{"iaa_crc64", test_iaa_crc64},
	{NULL, NULL},
};

static const struct sva_test_case fault_tests[] = {
	{"fault_src_dst", test_fault_src_dst},
	{"fault_completion_record", test_fault_completion_record},
	{"fault_bad_address", test_fault_bad_address},
	{"multi_queue", test_multi_queue},
	{"managed_isolation", test_managed_isolation},
	{"managed_resolve", test_managed_resolve},
	{"pasid_stamped", test_pasid_stamped},
	{NULL, NULL},
};

static const struct sva_test_case queue_tests[] = {
	{"ring_full", test_ring_full},
	{"ring_wrap", test_ring_wrap},
	{"api_errors", test_api_errors},
	{"batch_fence", test_batch_fence},
	{"fence_split", test_fence_split},
	{"teardown_drain", test_teardown_drain},
	{"teardown_destroy", test_teardown_destroy},
	{"drain_poll_mode", test_drain_poll_mode},
	{"stop_while_blocked", test_stop_while_blocked},
	{NULL, NULL},
};

static const struct sva_test_case hw_tests[] = {
	{"hw_errors_dsa", test_hw_errors_dsa},
	{"hw_errors_iaa", test_hw_errors_iaa},
	{"inject_xlate", test_inject_xlate},
	{"inject_drop", test_inject_drop},
	{"inject_delay", test_inject_delay},
	{"stale_translation", test_stale_translation},
	{"stale_burst", test_stale_burst},
	{"stale_record_once", test_stale_record_once},
	{"stale_decompress", test_stale_decompress},
	{"batch_cr_align", test_batch_cr_align},
	{"engine_pinning", test_engine_pinning},
	{"dontneed_refaults", test_dontneed_refaults},
	{NULL, NULL},
};

static int register_suites(void)
{
	if (sva_test_add_suite("sim_dsa_ref", ref_tests, NULL, NULL) ||
	    sva_test_add_suite("sim_dsa_ops", dsa_tests, NULL, NULL) ||
	    sva_test_add_suite("sim_iaa_ops", iaa_tests, NULL, NULL) ||
	    sva_test_add_suite("sim_dsa_faults", fault_tests, NULL, NULL) ||
	    sva_test_add_suite("sim_dsa_queue", queue_tests, NULL, NULL) ||
	    sva_test_add_suite("sim_dsa_hw", hw_tests, NULL, NULL))
		return -1;
	return 0;
}

int main(void)
{
	return sva_test_main(register_suites);
}
