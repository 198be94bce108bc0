/* SPDX-License-Identifier: BSD-3-Clause */
/* Conformance of an svadk device to the lib/dma fast-path contract, run on
 * the device named by argv[1] or SVADK_TEST_DEVICE (default
 * "dpdk:dma_skeleton": DPDK's dma_skeleton through the drivers/dma/dpdk
 * adapter). The same program runs on "dsa_sim0" as the reference: every check
 * here holds for both.
 *
 * Contract checked: copy (sizes, alignments, fresh never-touched memory),
 * fill or -ENOTSUP, ring indexes (from 0, consecutive, across the 16-bit
 * wrap), last_idx untouched when nothing is reaped, ring full (-ENOSPC) and
 * burst capacity, in-order completion with errors (zero length, over
 * max_xfer, a NULL pointer): sva_completed() stops before a failed operation
 * and sets has_error, sva_completed_status() reaps it; overlapping copies
 * either work as memmove or fail with "invalid address" leaving the
 * destination untouched; stop (-EIO on enqueue, in-flight completions still
 * reaped) and start; drain; statistics; -ENOTSUP for every operation the
 * device does not list. On "dpdk:" devices, adapter specifics too: opening by
 * a name that does not exist, twice, with bad arguments, queues beyond the
 * vchans, and iova=memseg (DPDK memory works, malloc memory completes with
 * "translation fault"). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sva_build_config.h"
#include "sva_common.h"
#include "sva_dma.h"
#include "sva_iopf.h"
#include "sva_test.h"
#include "sva_time.h"

#include <rte_config.h>
#include <rte_malloc.h>

#define DEADLINE_NS (30ull * 1000000000ull)
#define RING 64u
#define MAX_XFER 4096u

static const char *devname = "dpdk:dma_skeleton";
static bool is_dpdk;

struct ctx {
	struct sva_dev *dev;
	struct sva_iopf *pf;
	struct sva_queue *q;
	struct sva_dev_info info;
};

/* Open the device under test with max_xfer=MAX_XFER, a handler when it takes
 * one, and one queue of RING descriptors. */
static bool ctx_open(struct ctx *c, uint16_t ring)
{
	memset(c, 0, sizeof(*c));
	c->dev = sva_dev_open(devname, "max_xfer=4096");
	CU_ASSERT_PTR_NOT_NULL(c->dev);
	if (!c->dev)
		return false;
	c->pf = sva_iopf_create(NULL);
	if (c->pf && sva_dev_attach_iopf(c->dev, c->pf) == 0) {
		EXPECT_EQ(sva_iopf_start(c->pf, -1), 0);
	} else {
		sva_iopf_destroy(c->pf);
		c->pf = NULL;
	}
	c->q = sva_queue_create(c->dev, &(struct sva_queue_conf){.nb_desc = ring});
	CU_ASSERT_PTR_NOT_NULL(c->q);
	EXPECT_EQ(sva_dev_info_get(c->dev, &c->info), 0);
	return c->q != NULL;
}

static void ctx_close(struct ctx *c)
{
	if (c->q)
		EXPECT_EQ(sva_queue_destroy(c->q), 0);
	if (c->dev)
		EXPECT_EQ(sva_dev_close(c->dev), 0);
	sva_iopf_destroy(c->pf);
	memset(c, 0, sizeof(*c));
}

/* Reap exactly @n completions with their statuses into @st (may be NULL). */
static unsigned int reap_status(struct sva_queue *q, unsigned int n, enum sva_status *st,
				uint16_t *last)
{
	unsigned int got = 0;
	enum sva_status tmp[64];
	uint16_t dummy;
	if (!last)
		last = &dummy;
	uint64_t t0 = sva_now_ns();
	while (got < n && sva_now_ns() - t0 < DEADLINE_NS) {
		uint16_t want = (uint16_t)SVA_MIN(n - got, 64u);
		uint16_t k = sva_completed_status(q, want, last, tmp);
		if (st)
			memcpy(st + got, tmp, k * sizeof(*tmp));
		got += k;
	}
	return got;
}

/* Reap @n successful completions with sva_completed(). */
static unsigned int reap_ok(struct sva_queue *q, unsigned int n, uint16_t *last)
{
	unsigned int got = 0;
	uint16_t dummy;
	if (!last)
		last = &dummy;
	uint64_t t0 = sva_now_ns();
	while (got < n && sva_now_ns() - t0 < DEADLINE_NS) {
		bool err = false;
		got += sva_completed(q, (uint16_t)SVA_MIN(n - got, 64u), last, &err);
		if (err) {
			CU_FAIL("unexpected failed operation");
			break;
		}
	}
	return got;
}

static void fill_random(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* ---- tests --------------------------------------------------------------------- */

static void test_info(void)
{
	struct ctx c;
	if (!ctx_open(&c, RING))
		goto out;
	CU_ASSERT((c.info.capa & SVA_CAPA_OP(SVA_OP_COPY)) != 0);
	CU_ASSERT((c.info.capa & SVA_CAPA_SVA) != 0);
	CU_ASSERT((c.info.capa & SVA_CAPA_BLOCK_ON_FAULT) != 0);
	CU_ASSERT(SVA_IS_POW2(c.info.max_desc));
	CU_ASSERT(c.info.min_desc <= RING && RING <= c.info.max_desc);
	EXPECT_EQ(c.info.max_xfer, MAX_XFER);
	CU_ASSERT(c.info.max_queues >= 1);
	EXPECT_EQ(c.info.nb_queues, 1);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	EXPECT_EQ(sva_dev_dump(c.dev, f), 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "queue 0"));
	if (is_dpdk)
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, "dmadev"));
	free(buf);
out:
	ctx_close(&c);
}

static void test_copy(void)
{
	struct ctx c;
	static const uint32_t sizes[] = {1, 3, 8, 63, 64, 65, 255, 1500, 4095, 4096};
	if (!ctx_open(&c, RING))
		goto out;
	uint8_t *src = malloc(2 * MAX_XFER + 64), *dst = malloc(2 * MAX_XFER + 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dst);
	for (unsigned int i = 0; i < SVA_ARRAY_SIZE(sizes); i++) {
		for (unsigned int mis = 0; mis < 3; mis++) {
			uint32_t n = sizes[i];
			fill_random(src, 2 * MAX_XFER + 64, i * 7 + mis);
			memset(dst, 0xee, 2 * MAX_XFER + 64);
			int idx = sva_copy(c.q, dst + mis * 5, src + mis * 3, n, SVA_OP_FLAG_SUBMIT);
			CU_ASSERT(idx >= 0);
			uint16_t last = 0xffff;
			EXPECT_EQ(reap_ok(c.q, 1, &last), 1);
			EXPECT_EQ(last, idx);
			CU_ASSERT(memcmp(dst + mis * 5, src + mis * 3, n) == 0);
			if (mis)
				EXPECT_EQ(dst[mis * 5 - 1], 0xee);
			EXPECT_EQ(dst[mis * 5 + n], 0xee);
		}
	}
	free(src);
	free(dst);
out:
	ctx_close(&c);
}

/* Memory that was never touched: the first DMA access faults, and the
 * device's fault path (handler, or the CPU's MMU) makes it present. */
static void test_copy_fresh_memory(void)
{
	struct ctx c;
	size_t len = 64 * 4096;
	if (!ctx_open(&c, RING))
		goto out;
	uint8_t *src = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *dst = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(src != MAP_FAILED && dst != MAP_FAILED);
	for (size_t off = 0; off < len; off += 2 * 4096) /* every other source page */
		fill_random(src + off, 4096, (uint32_t)off);
	unsigned int n = 0;
	for (size_t off = 0; off < len; off += MAX_XFER) {
		CU_ASSERT(sva_copy(c.q, dst + off, src + off, MAX_XFER, 0) >= 0);
		n++;
	}
	EXPECT_EQ(sva_submit(c.q), 0);
	enum sva_status st[64];
	EXPECT_EQ(reap_status(c.q, n, st, NULL), n);
	for (unsigned int i = 0; i < n; i++)
		EXPECT_EQ(st[i], SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(dst, src, len) == 0);
	munmap(src, len);
	munmap(dst, len);
out:
	ctx_close(&c);
}

static void test_fill(void)
{
	struct ctx c;
	if (!ctx_open(&c, RING))
		goto out;
	uint8_t buf[300];
	memset(buf, 0xee, sizeof(buf));
	uint64_t pat = 0x0123456789abcdefull;
	int idx = sva_fill(c.q, buf + 1, pat, 100, SVA_OP_FLAG_SUBMIT);
	if (!(c.info.capa & SVA_CAPA_OP(SVA_OP_FILL))) {
		EXPECT_EQ(idx, -ENOTSUP);
		goto out;
	}
	CU_ASSERT(idx >= 0);
	EXPECT_EQ(reap_ok(c.q, 1, NULL), 1);
	for (unsigned int i = 0; i < 100; i++)
		EXPECT_EQ(buf[1 + i], (uint8_t)(pat >> (8 * (i % 8))));
	EXPECT_EQ(buf[0], 0xee);
	EXPECT_EQ(buf[101], 0xee);
out:
	ctx_close(&c);
}

/* Indexes start at 0, are consecutive and wrap at 16 bits. */
static void test_ring_indexes(void)
{
	struct ctx c;
	if (!ctx_open(&c, RING))
		goto out;
	uint64_t a = 0x1111, b = 0;
	uint16_t last = 0x4242;
	bool err = true;
	EXPECT_EQ(sva_completed(c.q, 8, &last, &err), 0);
	EXPECT_EQ(last, 0x4242); /* untouched when nothing is reaped */
	CU_ASSERT(!err);
	uint32_t expect = 0;
	unsigned int total = 70000;
	while (expect < total) {
		unsigned int burst = SVA_MIN(RING / 2, total - expect);
		for (unsigned int i = 0; i < burst; i++) {
			int idx = sva_copy(c.q, &b, &a, sizeof(a), 0);
			if (idx != (int)((expect + i) & 0xffff)) {
				EXPECT_EQ(idx, (int)((expect + i) & 0xffff));
				goto out;
			}
		}
		EXPECT_EQ(sva_submit(c.q), 0);
		if (reap_ok(c.q, burst, &last) != burst) {
			CU_FAIL("completions lost");
			goto out;
		}
		expect += burst;
		EXPECT_EQ(last, (uint16_t)(expect - 1));
	}
	EXPECT_EQ(b, a);
	last = 0x4242;
	EXPECT_EQ(sva_completed(c.q, 8, &last, NULL), 0);
	EXPECT_EQ(last, 0x4242);
out:
	ctx_close(&c);
}

static void test_ring_full(void)
{
	struct ctx c;
	if (!ctx_open(&c, RING))
		goto out;
	static uint8_t src[RING], dst[RING];
	EXPECT_EQ(sva_burst_capacity(c.q), RING);
	unsigned int n = 0;
	int rc;
	while ((rc = sva_copy(c.q, dst + n % RING, src, 1, 0)) >= 0)
		n++;
	EXPECT_EQ(rc, -ENOSPC);
	EXPECT_EQ(n, RING);
	EXPECT_EQ(sva_burst_capacity(c.q), 0);
	EXPECT_EQ(sva_submit(c.q), 0);
	EXPECT_EQ(sva_copy(c.q, dst, src, 1, 0), -ENOSPC); /* not reaped yet */
	EXPECT_EQ(reap_ok(c.q, RING / 2, NULL), RING / 2);
	EXPECT_EQ(sva_burst_capacity(c.q), RING / 2);
	EXPECT_EQ(reap_ok(c.q, RING / 2, NULL), RING / 2);
	EXPECT_EQ(sva_burst_capacity(c.q), RING);
out:
	ctx_close(&c);
}

/* Failed operations complete in order, between successful ones. */
static void test_errors_in_order(void)
{
	struct ctx c;
	if (!ctx_open(&c, RING))
		goto out;
	static uint8_t src[2 * MAX_XFER], dst[2 * MAX_XFER];
	fill_random(src, sizeof(src), 5);
	int i0 = sva_copy(c.q, dst, src, 16, 0);
	int i1 = sva_copy(c.q, dst + 16, src + 16, 0, 0);              /* zero length */
	int i2 = sva_copy(c.q, dst + 32, src + 32, 16, 0);
	int i3 = sva_copy(c.q, dst, src, MAX_XFER + 1, 0);              /* over max_xfer */
	int i4 = sva_copy(c.q, NULL, src, 16, 0);                       /* NULL destination */
	int i5 = sva_copy(c.q, dst + 48, src + 48, 16, SVA_OP_FLAG_SUBMIT);
	CU_ASSERT(i0 >= 0 && i1 == i0 + 1 && i2 == i0 + 2 && i3 == i0 + 3 && i4 == i0 + 4 &&
		  i5 == i0 + 5);
	uint16_t last = 0x4242;
	bool err = false;
	uint64_t t0 = sva_now_ns();
	uint16_t n = 0;
	/* sva_completed() reaps the first and stops before the failed one. */
	while (n == 0 && !err && sva_now_ns() - t0 < DEADLINE_NS)
		n = sva_completed(c.q, 16, &last, &err);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(last, i0);
	t0 = sva_now_ns();
	while (!err && sva_now_ns() - t0 < DEADLINE_NS)
		CU_ASSERT(sva_completed(c.q, 16, &last, &err) == 0);
	CU_ASSERT(err);
	EXPECT_EQ(sva_completed(c.q, 16, &last, &err), 0); /* still stopped there */
	CU_ASSERT(err);
	enum sva_status st[5];
	EXPECT_EQ(reap_status(c.q, 5, st, &last), 5);
	EXPECT_EQ(last, i5);
	EXPECT_EQ(st[0], SVA_STATUS_INVALID_LENGTH);
	EXPECT_EQ(st[1], SVA_STATUS_SUCCESS);
	EXPECT_EQ(st[2], SVA_STATUS_INVALID_LENGTH);
	CU_ASSERT(st[3] == SVA_STATUS_PAGE_FAULT || st[3] == SVA_STATUS_TRANSLATION_FAULT);
	EXPECT_EQ(st[4], SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(dst, src, 16) == 0);
	CU_ASSERT(memcmp(dst + 32, src + 32, 32) == 0);
	struct sva_queue_stats qs;
	EXPECT_EQ(sva_queue_stats_get(c.q, &qs), 0);
	EXPECT_EQ(qs.completed, 6);
	EXPECT_EQ(qs.errors, 3);
	/* And the queue goes on. */
	CU_ASSERT(sva_copy(c.q, dst, src, 64, SVA_OP_FLAG_SUBMIT) >= 0);
	EXPECT_EQ(reap_ok(c.q, 1, &last), 1);
	EXPECT_EQ(last, (uint16_t)(i5 + 1));
out:
	ctx_close(&c);
}

/* Overlap: memmove, or refused without touching the destination. */
static void test_overlap(void)
{
	struct ctx c;
	if (!ctx_open(&c, RING))
		goto out;
	uint8_t buf[1024], ref[1024], before[1024];
	for (int dir = 0; dir < 2; dir++) {
		fill_random(buf, sizeof(buf), 9 + dir);
		memcpy(ref, buf, sizeof(buf));
		memcpy(before, buf, sizeof(buf));
		uint8_t *s = dir ? buf + 100 : buf, *d = dir ? buf : buf + 100;
		memmove(dir ? ref : ref + 100, dir ? ref + 100 : ref, 800);
		CU_ASSERT(sva_copy(c.q, d, s, 800, SVA_OP_FLAG_SUBMIT) >= 0);
		enum sva_status st;
		EXPECT_EQ(reap_status(c.q, 1, &st, NULL), 1);
		if (st == SVA_STATUS_SUCCESS) {
			CU_ASSERT(memcmp(buf, ref, sizeof(buf)) == 0);
		} else {
			EXPECT_EQ(st, SVA_STATUS_INVALID_ADDR);
			CU_ASSERT(memcmp(buf, before, sizeof(buf)) == 0);
		}
	}
out:
	ctx_close(&c);
}

static void test_stop_start(void)
{
	struct ctx c;
	if (!ctx_open(&c, RING))
		goto out;
	static uint8_t src[32 * 256], dst[32 * 256];
	fill_random(src, sizeof(src), 3);
	for (unsigned int i = 0; i < 32; i++)
		CU_ASSERT(sva_copy(c.q, dst + i * 256, src + i * 256, 256, 0) >= 0);
	EXPECT_EQ(sva_submit(c.q), 0);
	EXPECT_EQ(sva_dev_stop(c.dev), 0);
	/* Stopped: no enqueue, no doorbell, but what was in flight completes. */
	EXPECT_EQ(sva_copy(c.q, dst, src, 8, 0), -EIO);
	EXPECT_EQ(sva_submit(c.q), -EIO);
	uint16_t last = 0;
	EXPECT_EQ(reap_ok(c.q, 32, &last), 32);
	EXPECT_EQ(last, 31);
	CU_ASSERT(memcmp(dst, src, sizeof(dst)) == 0);
	EXPECT_EQ(sva_dev_start(c.dev), 0);
	/* Indexes go on where they were. */
	EXPECT_EQ(sva_copy(c.q, dst, src, 8, SVA_OP_FLAG_SUBMIT), 32);
	EXPECT_EQ(reap_ok(c.q, 1, &last), 1);
	EXPECT_EQ(last, 32);
out:
	ctx_close(&c);
}

static void test_drain_and_stats(void)
{
	struct ctx c;
	if (!ctx_open(&c, RING))
		goto out;
	static uint8_t src[40 * 100], dst[40 * 100];
	fill_random(src, sizeof(src), 4);
	for (unsigned int i = 0; i < 40; i++)
		CU_ASSERT(sva_copy(c.q, dst + i * 100, src + i * 100, 100, 0) >= 0);
	/* Drain submits what is enqueued and waits for it all. */
	EXPECT_EQ(sva_queue_drain(c.q, 10000), 0);
	CU_ASSERT(memcmp(dst, src, sizeof(dst)) == 0);
	uint16_t last;
	bool err = true;
	EXPECT_EQ(sva_completed(c.q, 64, &last, &err), 40);
	CU_ASSERT(!err);
	EXPECT_EQ(last, 39);
	struct sva_queue_stats st;
	EXPECT_EQ(sva_queue_stats_get(c.q, &st), 0);
	EXPECT_EQ(st.submitted, 40);
	EXPECT_EQ(st.completed, 40);
	EXPECT_EQ(st.errors, 0);
	EXPECT_EQ(st.bytes, 4000);
	CU_ASSERT(st.doorbells >= 1);
	EXPECT_EQ(sva_queue_stats_reset(c.q), 0);
	EXPECT_EQ(sva_queue_stats_get(c.q, &st), 0);
	EXPECT_EQ(st.completed, 0);
	EXPECT_EQ(st.bytes, 0);
out:
	ctx_close(&c);
}

static void test_unsupported(void)
{
	struct ctx c;
	if (!ctx_open(&c, RING))
		goto out;
	uint8_t a[64] = {0}, b[64] = {0};
	struct sva_result r;
	uint8_t state[SVA_DECOMP_STATE_SIZE] __attribute__((aligned(64)));
	for (int op = 0; op < SVA_OP_MAX; op++) {
		if (c.info.capa & SVA_CAPA_OP(op))
			continue;
		int rc = 0;
		switch (op) {
		case SVA_OP_COPY: rc = sva_copy(c.q, a, b, 8, 0); break;
		case SVA_OP_FILL: rc = sva_fill(c.q, a, 0, 8, 0); break;
		case SVA_OP_COMPARE: rc = sva_compare(c.q, a, b, 8, &r, 0); break;
		case SVA_OP_COMPARE_PATTERN: rc = sva_compare_pattern(c.q, a, 0, 8, &r, 0); break;
		case SVA_OP_CRC32C: rc = sva_crc32c(c.q, a, 8, 0, &r, 0); break;
		case SVA_OP_COPY_CRC32C: rc = sva_copy_crc32c(c.q, a, b, 8, 0, &r, 0); break;
		case SVA_OP_DUALCAST: rc = sva_dualcast(c.q, a, b, a, 8, 0); break;
		case SVA_OP_CACHE_FLUSH: rc = sva_cache_flush(c.q, a, 8, 0); break;
		case SVA_OP_COMPRESS: rc = sva_compress(c.q, a, 64, b, 8, 0, &r, 0); break;
		case SVA_OP_DECOMPRESS:
			rc = sva_decompress(c.q, a, 64, b, 8, 0, state, &r, 0);
			break;
		case SVA_OP_CRC64: rc = sva_crc64(c.q, a, 8, 0, 0, &r, 0); break;
		}
		if (rc != -ENOTSUP)
			fprintf(stderr, "op %s: %d, expected -ENOTSUP\n", sva_op_name(op), rc);
		EXPECT_EQ(rc, -ENOTSUP);
	}
	EXPECT_EQ(sva_burst_capacity(c.q), RING); /* nothing was taken */
out:
	ctx_close(&c);
}

/* ---- the adapter's own --------------------------------------------------------------- */

static void test_adapter_open(void)
{
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dev_open("dpdk:", NULL));
	EXPECT_EQ(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dev_open("dpdk:no_such_dmadev", NULL));
	EXPECT_EQ(errno, ENODEV);
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dev_open(devname, "iova=phys"));
	EXPECT_EQ(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dev_open(devname, "vchans=0"));
	EXPECT_EQ(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dev_open(devname, "bogus=1"));
	EXPECT_EQ(errno, EINVAL);

	struct sva_dev *dev = sva_dev_open(devname, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dev_open(devname, NULL)); /* one svadk device per dmadev */
	EXPECT_EQ(errno, EBUSY);
	struct sva_dev_info info;
	EXPECT_EQ(sva_dev_info_get(dev, &info), 0);
	struct sva_queue *q[256];
	unsigned int n = 0;
	while (n < info.max_queues && (q[n] = sva_queue_create(dev, NULL)) != NULL)
		n++;
	EXPECT_EQ(n, info.max_queues);
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_queue_create(dev, NULL));
	EXPECT_EQ(errno, ENOSPC);
	/* The device was probed by the adapter: closing removes it, and it can
	 * be opened again. */
	EXPECT_EQ(sva_dev_close(dev), 0);
	dev = sva_dev_open(devname, NULL);
	CU_ASSERT_PTR_NOT_NULL(dev);
	if (dev)
		EXPECT_EQ(sva_dev_close(dev), 0);
}

/* iova=memseg: only DPDK memory has an IOVA. */
static void test_adapter_memseg(void)
{
	struct sva_dev *dev = sva_dev_open(devname, "iova=memseg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_queue *q = sva_queue_create(dev, &(struct sva_queue_conf){.nb_desc = RING});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	uint8_t *hs = rte_malloc(NULL, 4096, 64), *hd = rte_zmalloc(NULL, 4096, 64);
	uint8_t *ms = malloc(4096), *md = calloc(1, 4096);
	CU_ASSERT_FATAL(hs && hd && ms && md);
	fill_random(hs, 4096, 1);
	fill_random(ms, 4096, 2);
	CU_ASSERT(sva_copy(q, hd, hs, 4096, 0) >= 0);   /* DPDK → DPDK */
	CU_ASSERT(sva_copy(q, md, hs, 4096, 0) >= 0);   /* DPDK → malloc */
	CU_ASSERT(sva_copy(q, hd, ms, 100, 0) >= 0);    /* malloc → DPDK */
	CU_ASSERT(sva_copy(q, hd + 200, hs + 200, 50, SVA_OP_FLAG_SUBMIT) >= 0);
	enum sva_status st[4];
	EXPECT_EQ(reap_status(q, 4, st, NULL), 4);
	EXPECT_EQ(st[0], SVA_STATUS_SUCCESS);
	EXPECT_EQ(st[1], SVA_STATUS_TRANSLATION_FAULT);
	EXPECT_EQ(st[2], SVA_STATUS_TRANSLATION_FAULT);
	EXPECT_EQ(st[3], SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(hd, hs, 4096) == 0);
	for (unsigned int i = 0; i < 4096; i++)
		if (md[i]) {
			CU_FAIL("the device wrote malloc memory it has no IOVA for");
			break;
		}
	rte_free(hs);
	rte_free(hd);
	free(ms);
	free(md);
	EXPECT_EQ(sva_dev_close(dev), 0);
}

static const struct sva_test_case generic_cases[] = {
	{"info", test_info},
	{"copy", test_copy},
	{"copy_fresh_memory", test_copy_fresh_memory},
	{"fill", test_fill},
	{"ring_indexes", test_ring_indexes},
	{"ring_full", test_ring_full},
	{"errors_in_order", test_errors_in_order},
	{"overlap", test_overlap},
	{"stop_start", test_stop_start},
	{"drain_and_stats", test_drain_and_stats},
	{"unsupported", test_unsupported},
	{NULL, NULL},
};

static const struct sva_test_case adapter_cases[] = {
	{"adapter_open", test_adapter_open},
	{"adapter_memseg", test_adapter_memseg},
	{NULL, NULL},
};

static int register_suites(void)
{
	if (is_dpdk) {
		/* Probe the device once, to skip cleanly where DPDK cannot run. */
		struct sva_dev *dev = sva_dev_open(devname, NULL);
		if (!dev) {
			char why[256];
			snprintf(why, sizeof(why), "cannot open %s: %s", devname, strerror(errno));
			sva_test_skip(why);
			return 0;
		}
		sva_dev_close(dev);
	}
	if (sva_test_add_suite("conformance", generic_cases, NULL, NULL) < 0)
		return -1;
	if (is_dpdk && sva_test_add_suite("adapter", adapter_cases, NULL, NULL) < 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		devname = argv[1];
	else if (getenv("SVADK_TEST_DEVICE"))
		devname = getenv("SVADK_TEST_DEVICE");
	is_dpdk = strncmp(devname, "dpdk:", 5) == 0;
	printf("device under test: %s\n", devname);
	return sva_test_main(register_suites);
}
