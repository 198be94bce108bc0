/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of lib/dma's control path on the dsa_sim / iaa_sim drivers:
 * opening devices by name with arguments (and the logged reasons of
 * refusals), device information, queue configuration checks, queue and PASID
 * limits, stop/start with operations in flight, close with queues open, and
 * the -ENOTSUP slots of operations a device does not have. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sva_as.h"
#include "sva_common.h"
#include "sva_dma.h"
#include "sva_iopf.h"
#include "sva_log.h"
#include "sva_test.h"
#include "sva_test_util.h"
#include "sva_time.h"

/* Open must fail with @err, and the log must name @needle. */
static void open_fails(const char *name, const char *args, int err, const char *needle)
{
	log_begin();
	errno = 0;
	struct sva_dev *dev = sva_dev_open(name, args);
	int e = errno;
	const char *log = log_end();
	CU_ASSERT_PTR_NULL(dev);
	if (dev)
		sva_dev_close(dev);
	if (e != err)
		fprintf(stderr, "open(%s, %s): errno %d, expected %d; log: %s\n", name,
			args ? args : "NULL", e, err, log);
	EXPECT_EQ(e, err);
	if (needle && !strstr(log, needle)) {
		fprintf(stderr, "open(%s, %s): log does not mention '%s': %s\n", name,
			args ? args : "NULL", needle, log);
		CU_FAIL("the logged reason does not name the key");
	}
}

/* Reap @n completions of @q (any status), counting them. */
static unsigned int reap(struct sva_queue *q, unsigned int n, enum sva_status *first_bad)
{
	unsigned int got = 0;
	uint64_t t0 = sva_now_ns();
	if (first_bad)
		*first_bad = SVA_STATUS_SUCCESS;
	while (got < n && sva_now_ns() - t0 < SVA_TEST_DEADLINE_NS) {
		enum sva_status st[32];
		uint16_t last;
		uint16_t k = sva_completed_status(q, 32, &last, st);
		for (uint16_t i = 0; i < k; i++)
			if (st[i] != SVA_STATUS_SUCCESS && first_bad && *first_bad == SVA_STATUS_SUCCESS)
				*first_bad = st[i];
		got += k;
	}
	return got;
}

/* ---- names ------------------------------------------------------------------------ */

static void test_names(void)
{
	for (int op = 0; op < SVA_OP_MAX; op++) {
		const char *n = sva_op_name(op);
		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		EXPECT_EQ(sva_op_from_name(n), op);
	}
	CU_ASSERT_PTR_NULL(sva_op_name(SVA_OP_MAX));
	CU_ASSERT_PTR_NULL(sva_op_name((enum sva_op)-1));
	EXPECT_EQ(sva_op_from_name("memcpy"), -EINVAL);
	EXPECT_EQ(sva_op_from_name(NULL), -EINVAL);
	CU_ASSERT_STRING_EQUAL(sva_op_name(SVA_OP_COPY), "copy");
	CU_ASSERT_STRING_EQUAL(sva_status_str(SVA_STATUS_SUCCESS), "success");
	CU_ASSERT_STRING_EQUAL(sva_status_str(SVA_STATUS_PAGE_FAULT), "page fault");
	for (int st = 0; st <= SVA_STATUS_UNKNOWN; st++)
		CU_ASSERT(strlen(sva_status_str(st)) > 0);
	CU_ASSERT_STRING_EQUAL(sva_status_str((enum sva_status)200), "unknown");

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	sva_dev_list_drivers(f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "dsa_sim"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "iaa_sim"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "engines"));
	free(buf);
}

/* ---- opening ---------------------------------------------------------------------- */

static void test_open_unknown(void)
{
	open_fails("nosuchdev0", NULL, ENODEV, "nosuchdev0");
	open_fails("dsa0", "wqs=1", ENODEV, NULL);
	open_fails("", NULL, EINVAL, NULL);
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dev_open(NULL, NULL));
	EXPECT_EQ(errno, EINVAL);
}

static void test_open_bad_args(void)
{
	/* Unknown key, in the name or in the extra arguments. */
	open_fails("dsa_sim0,bogus=1", NULL, EINVAL, "bogus");
	open_fails("dsa_sim0", "wqs=1,frobnicate=2", EINVAL, "frobnicate");
	open_fails("iaa_sim0", "turbo=yes", EINVAL, "turbo");
	/* Bad values: not a number, out of range, not a power of two, bad bool. */
	open_fails("dsa_sim0,wqs=abc", NULL, EINVAL, "wqs");
	open_fails("dsa_sim0,wqs=0", NULL, EINVAL, "wqs");
	open_fails("dsa_sim0,wqs=17", NULL, EINVAL, "wqs");
	open_fails("dsa_sim0,engines=99", NULL, EINVAL, "engines");
	open_fails("dsa_sim0,wq_size=100", NULL, EINVAL, "wq_size");
	open_fails("dsa_sim0,max_batch=1", NULL, EINVAL, "max_batch");
	open_fails("dsa_sim0,max_xfer=12", NULL, EINVAL, "max_xfer");
	open_fails("dsa_sim0,pasid_bits=21", NULL, EINVAL, "pasid_bits");
	open_fails("dsa_sim0,comp_level=0", NULL, EINVAL, "comp_level");
	open_fails("dsa_sim0,bof=maybe", NULL, EINVAL, "bof");
	open_fails("dsa_sim0,shared=2", NULL, EINVAL, "shared");
	open_fails("dsa_sim0,prs_timeout_ms=0", NULL, EINVAL, "prs_timeout_ms");
	open_fails("dsa_sim0,engines=2,engine_cpus=0", NULL, EINVAL, "engine_cpus");
	open_fails("dsa_sim0,engines=1,engine_cpus=x", NULL, EINVAL, "engine_cpus");
	/* The same key twice (name and args). */
	open_fails("dsa_sim0,wqs=1", "wqs=2", EINVAL, "wqs");
	/* Not key=value. */
	open_fails("dsa_sim0,wqs", NULL, EINVAL, "wqs");
}

static void test_open_args_merge(void)
{
	struct sva_dev *dev = sva_dev_open("dsa_sim3,wqs=3", "engines=0,max_batch=8");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_dev_info info;
	EXPECT_EQ(sva_dev_info_get(dev, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.name, "dsa_sim3");
	CU_ASSERT_STRING_EQUAL(sva_dev_name(dev), "dsa_sim3");
	EXPECT_EQ(info.max_queues, 3);
	EXPECT_EQ(info.max_batch, 8);
	EXPECT_EQ(sva_dev_close(dev), 0);
	EXPECT_EQ(sva_dev_close(NULL), -EINVAL);
	CU_ASSERT_STRING_EQUAL(sva_dev_name(NULL), "(null)");
}

/* ---- information ------------------------------------------------------------------ */

static const uint64_t dsa_ops = SVA_CAPA_OP(SVA_OP_COPY) | SVA_CAPA_OP(SVA_OP_FILL) |
				SVA_CAPA_OP(SVA_OP_COMPARE) | SVA_CAPA_OP(SVA_OP_COMPARE_PATTERN) |
				SVA_CAPA_OP(SVA_OP_CRC32C) | SVA_CAPA_OP(SVA_OP_COPY_CRC32C) |
				SVA_CAPA_OP(SVA_OP_DUALCAST) | SVA_CAPA_OP(SVA_OP_CACHE_FLUSH);
static const uint64_t iaa_ops = SVA_CAPA_OP(SVA_OP_COPY) | SVA_CAPA_OP(SVA_OP_COMPRESS) |
				SVA_CAPA_OP(SVA_OP_DECOMPRESS) | SVA_CAPA_OP(SVA_OP_CRC64);
static const uint64_t all_ops = (1ull << SVA_OP_MAX) - 1;

static void test_info_dsa(void)
{
	struct sva_dev *dev = sva_dev_open("dsa_sim0", "wqs=3,engines=0,max_xfer=65536,"
					   "max_batch=32,pasid_bits=8,numa=0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_dev_info info;
	EXPECT_EQ(sva_dev_info_get(dev, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.name, "dsa_sim0");
	CU_ASSERT_STRING_EQUAL(info.driver, "dsa_sim");
	EXPECT_EQ(info.capa & all_ops, dsa_ops);
	CU_ASSERT((info.capa & SVA_CAPA_SVA) != 0);
	CU_ASSERT((info.capa & SVA_CAPA_MANAGED_AS) != 0);
	CU_ASSERT((info.capa & SVA_CAPA_BLOCK_ON_FAULT) != 0);
	CU_ASSERT((info.capa & SVA_CAPA_PARTIAL) != 0);
	EXPECT_EQ(info.max_queues, 3);
	EXPECT_EQ(info.nb_queues, 0);
	CU_ASSERT(info.min_desc >= 1);
	CU_ASSERT(SVA_IS_POW2(info.max_desc));
	CU_ASSERT(info.min_desc <= info.max_desc);
	EXPECT_EQ(info.max_xfer, 65536);
	EXPECT_EQ(info.max_batch, 32);
	EXPECT_EQ(info.pasid_bits, 8);
	EXPECT_EQ(info.numa_node, 0);
	EXPECT_EQ(sva_dev_info_get(dev, NULL), -EINVAL);
	EXPECT_EQ(sva_dev_info_get(NULL, &info), -EINVAL);

	struct sva_as *as = sva_dev_process_as(dev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(as);
	EXPECT_EQ(sva_as_type(as), SVA_AS_PROCESS);
	CU_ASSERT_PTR_NULL(sva_dev_process_as(NULL));

	struct sva_queue *q = sva_queue_create(dev, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	EXPECT_EQ(sva_dev_info_get(dev, &info), 0);
	EXPECT_EQ(info.nb_queues, 1);
	CU_ASSERT(sva_queue_pasid(q) > 0 && sva_queue_pasid(q) < 256);

	/* Dumps name the device, its operations and the queue. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	EXPECT_EQ(sva_dev_dump(dev, f), 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "dsa_sim0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "dualcast"));
	CU_ASSERT_PTR_NULL(strstr(buf, "compress"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "queue 0"));
	free(buf);
	EXPECT_EQ(sva_dev_dump(NULL, stdout), -EINVAL);
	EXPECT_EQ(sva_queue_dump(q, NULL), -EINVAL);
	EXPECT_EQ(sva_queue_destroy(q), 0);
	EXPECT_EQ(sva_queue_destroy(NULL), -EINVAL);
	EXPECT_EQ(sva_dev_info_get(dev, &info), 0);
	EXPECT_EQ(info.nb_queues, 0);
	EXPECT_EQ(sva_dev_close(dev), 0);
}

static void test_info_iaa(void)
{
	struct sva_dev *dev = sva_dev_open("iaa_sim1", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_dev_info info;
	EXPECT_EQ(sva_dev_info_get(dev, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.name, "iaa_sim1");
	CU_ASSERT_STRING_EQUAL(info.driver, "iaa_sim");
	EXPECT_EQ(info.capa & all_ops, iaa_ops);
	CU_ASSERT((info.capa & SVA_CAPA_SVA) != 0);
	CU_ASSERT((info.capa & SVA_CAPA_BLOCK_ON_FAULT) != 0);
	CU_ASSERT((info.capa & SVA_CAPA_PARTIAL) != 0);
	EXPECT_EQ(info.max_queues, 2); /* default wqs=2, dedicated */
	EXPECT_EQ(info.max_batch, 1);   /* IAA has no batch descriptor */
	EXPECT_EQ(info.max_xfer, 1u << 30);
	EXPECT_EQ(info.pasid_bits, 20);
	EXPECT_EQ(info.numa_node, -1);
	EXPECT_EQ(sva_dev_close(dev), 0);
}

/* Queue creation must fail with @err, and the log must name @needle. */
static void conf_fails(struct sva_dev *dev, const struct sva_queue_conf *c, int err,
		       const char *needle)
{
	log_begin();
	errno = 0;
	struct sva_queue *q = sva_queue_create(dev, c);
	int e = errno;
	const char *log = log_end();
	CU_ASSERT_PTR_NULL(q);
	if (q)
		sva_queue_destroy(q);
	EXPECT_EQ(e, err);
	if (needle && !strstr(log, needle)) {
		fprintf(stderr, "queue conf: log does not mention '%s': %s\n", needle, log);
		CU_FAIL("the logged reason is not the expected one");
	}
}

static void test_bof_off(void)
{
	struct sva_dev *dev = sva_dev_open("dsa_sim0,bof=0,engines=0", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_dev_info info;
	EXPECT_EQ(sva_dev_info_get(dev, &info), 0);
	CU_ASSERT((info.capa & SVA_CAPA_BLOCK_ON_FAULT) == 0);
	CU_ASSERT((info.capa & SVA_CAPA_PARTIAL) != 0);
	conf_fails(dev, &(struct sva_queue_conf){.nb_desc = 64, .fault_mode = SVA_FAULT_BLOCK},
		   ENOTSUP, "block");
	struct sva_queue *q = sva_queue_create(dev, &(struct sva_queue_conf){
		.nb_desc = 64, .fault_mode = SVA_FAULT_PARTIAL});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	/* It works, with partial completions. */
	char *src = malloc(10000), *dst = malloc(10000);
	memset(src, 0x5a, 10000);
	memset(dst, 0, 10000);
	CU_ASSERT(sva_copy(q, dst, src, 10000, SVA_OP_FLAG_SUBMIT) >= 0);
	enum sva_status bad;
	EXPECT_EQ(reap(q, 1, &bad), 1);
	EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(src, dst, 10000) == 0);
	free(src);
	free(dst);
	EXPECT_EQ(sva_dev_close(dev), 0);
}

/* ---- queue configuration ---------------------------------------------------------- */

static void test_queue_conf(void)
{
	struct sva_dev *dev = sva_dev_open("dsa_sim0,engines=0", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_dev_info info;
	EXPECT_EQ(sva_dev_info_get(dev, &info), 0);

	conf_fails(dev, &(struct sva_queue_conf){.nb_desc = 100}, EINVAL, "power of two");
	conf_fails(dev, &(struct sva_queue_conf){.nb_desc = 3}, EINVAL, "power of two");
	conf_fails(dev, &(struct sva_queue_conf){.nb_desc = (uint16_t)(info.max_desc * 2)}, EINVAL,
		   "range");
	if (info.min_desc > 1)
		conf_fails(dev, &(struct sva_queue_conf){.nb_desc = 1}, EINVAL, "range");
	conf_fails(dev, &(struct sva_queue_conf){.nb_desc = 64, .fault_mode = 7}, EINVAL,
		   "fault mode");
	conf_fails(dev, &(struct sva_queue_conf){.nb_desc = 64, .priority = 16}, EINVAL,
		   "priority");
	conf_fails(dev, &(struct sva_queue_conf){.nb_desc = 64, .priority = 255}, EINVAL,
		   "priority");
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_queue_create(NULL, NULL));
	EXPECT_EQ(errno, EINVAL);

	/* Limits themselves are accepted. */
	struct sva_queue *q = sva_queue_create(dev, &(struct sva_queue_conf){
							    .nb_desc = info.max_desc, .priority = 15});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	EXPECT_EQ(sva_burst_capacity(q), info.max_desc);
	EXPECT_EQ(sva_queue_destroy(q), 0);
	q = sva_queue_create(dev, &(struct sva_queue_conf){.nb_desc = info.min_desc});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	EXPECT_EQ(sva_burst_capacity(q), info.min_desc);
	EXPECT_EQ(sva_queue_destroy(q), 0);
	/* NULL conf: the default ring. */
	q = sva_queue_create(dev, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	EXPECT_EQ(sva_burst_capacity(q), 1024);
	EXPECT_EQ(sva_queue_destroy(q), 0);

	/* Control calls reject NULL. */
	struct sva_queue_stats st;
	EXPECT_EQ(sva_queue_stats_get(NULL, &st), -EINVAL);
	EXPECT_EQ(sva_queue_stats_reset(NULL), -EINVAL);
	EXPECT_EQ(sva_queue_drain(NULL, 0), -EINVAL);
	EXPECT_EQ(sva_queue_pasid(NULL), 0);
	EXPECT_EQ(sva_dev_start(NULL), -EINVAL);
	EXPECT_EQ(sva_dev_stop(NULL), -EINVAL);
	EXPECT_EQ(sva_dev_attach_iopf(NULL, NULL), -EINVAL);
	EXPECT_EQ(sva_dev_attach_iopf(dev, NULL), -EINVAL);
	EXPECT_EQ(sva_dev_detach_iopf(NULL), -EINVAL);
	EXPECT_EQ(sva_dev_close(dev), 0);
}

static void test_too_many_queues(void)
{
	struct sva_dev *dev = sva_dev_open("dsa_sim0,wqs=2,engines=0", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_queue_conf c = {.nb_desc = 32};
	struct sva_queue *q0 = sva_queue_create(dev, &c);
	struct sva_queue *q1 = sva_queue_create(dev, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q1);
	CU_ASSERT(sva_queue_pasid(q0) != sva_queue_pasid(q1));
	conf_fails(dev, &c, ENOSPC, "queues");
	/* A freed slot is reusable. */
	EXPECT_EQ(sva_queue_destroy(q0), 0);
	q0 = sva_queue_create(dev, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q0);
	conf_fails(dev, &c, ENOSPC, NULL);
	EXPECT_EQ(sva_queue_destroy(q0), 0);
	EXPECT_EQ(sva_queue_destroy(q1), 0);
	EXPECT_EQ(sva_dev_close(dev), 0);

	/* Shared work queues take many queues, each with its own PASID. */
	dev = sva_dev_open("dsa_sim0,wqs=1,shared=1,engines=0", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_dev_info info;
	EXPECT_EQ(sva_dev_info_get(dev, &info), 0);
	CU_ASSERT(info.max_queues > 1);
	struct sva_queue *qs[256];
	unsigned int n = 0;
	for (; n < info.max_queues; n++) {
		qs[n] = sva_queue_create(dev, &(struct sva_queue_conf){.nb_desc = 4});
		CU_ASSERT_PTR_NOT_NULL_FATAL(qs[n]);
		for (unsigned int k = 0; k < n; k++)
			CU_ASSERT(sva_queue_pasid(qs[k]) != sva_queue_pasid(qs[n]));
	}
	conf_fails(dev, &(struct sva_queue_conf){.nb_desc = 4}, ENOSPC, NULL);
	EXPECT_EQ(sva_dev_info_get(dev, &info), 0);
	EXPECT_EQ(info.nb_queues, n);
	for (unsigned int k = 0; k < n; k++)
		EXPECT_EQ(sva_queue_destroy(qs[k]), 0);
	EXPECT_EQ(sva_dev_close(dev), 0);

	/* Out of PASIDs: a 2-bit PASID space has PASIDs 1..3. */
	dev = sva_dev_open("dsa_sim0,wqs=1,shared=1,engines=0,pasid_bits=2", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	for (n = 0; n < 3; n++) {
		qs[n] = sva_queue_create(dev, &(struct sva_queue_conf){.nb_desc = 4});
		CU_ASSERT_PTR_NOT_NULL_FATAL(qs[n]);
	}
	conf_fails(dev, &(struct sva_queue_conf){.nb_desc = 4}, ENOSPC, "PASID");
	EXPECT_EQ(sva_queue_destroy(qs[1]), 0);
	qs[1] = sva_queue_create(dev, &(struct sva_queue_conf){.nb_desc = 4});
	CU_ASSERT_PTR_NOT_NULL(qs[1]);
	EXPECT_EQ(sva_dev_close(dev), 0); /* closes the queues too */
}

/* ---- stop / start ----------------------------------------------------------------- */

static void stop_start(const char *args)
{
	enum { N = 48, LEN = 64 * 1024 };
	struct sva_dev *dev = sva_dev_open("dsa_sim0", args);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_iopf *pf = sva_iopf_create(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pf);
	EXPECT_EQ(sva_dev_attach_iopf(dev, pf), 0);
	EXPECT_EQ(sva_iopf_start(pf, -1), 0);
	struct sva_queue *q = sva_queue_create(dev, &(struct sva_queue_conf){.nb_desc = 64});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	char *src = malloc((size_t)N * LEN), *dst = malloc((size_t)N * LEN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dst);
	for (size_t i = 0; i < (size_t)N * LEN; i++)
		src[i] = (char)(i * 7 + 1);

	/* Operations in flight when the device stops still complete. */
	for (int i = 0; i < N; i++)
		CU_ASSERT(sva_copy(q, dst + (size_t)i * LEN, src + (size_t)i * LEN, LEN, 0) >= 0);
	EXPECT_EQ(sva_submit(q), 0);
	EXPECT_EQ(sva_dev_stop(dev), 0);
	EXPECT_EQ(sva_dev_stop(dev), 0); /* idempotent */
	EXPECT_EQ(sva_copy(q, dst, src, LEN, SVA_OP_FLAG_SUBMIT), -EIO);
	EXPECT_EQ(sva_fill(q, dst, 0, LEN, 0), -EIO);
	struct sva_result res;
	EXPECT_EQ(sva_crc32c(q, src, LEN, 0, &res, 0), -EIO);
	EXPECT_EQ(sva_submit(q), -EIO);
	EXPECT_EQ(sva_burst_capacity(q), 0);
	enum sva_status bad;
	EXPECT_EQ(reap(q, N, &bad), N);
	EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(src, dst, (size_t)N * LEN) == 0);

	/* A queue created while the device is stopped starts stopped too. */
	struct sva_queue *q2 = sva_queue_create(dev, &(struct sva_queue_conf){.nb_desc = 16});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q2);
	EXPECT_EQ(sva_copy(q2, dst, src, LEN, 0), -EIO);

	/* Start again: both queues work. */
	EXPECT_EQ(sva_dev_start(dev), 0);
	EXPECT_EQ(sva_dev_start(dev), 0);
	EXPECT_EQ(sva_burst_capacity(q), 64);
	EXPECT_EQ(sva_burst_capacity(q2), 16);
	memset(dst, 0, (size_t)N * LEN);
	CU_ASSERT(sva_copy(q, dst, src, LEN, SVA_OP_FLAG_SUBMIT) >= 0);
	CU_ASSERT(sva_copy(q2, dst + LEN, src + LEN, LEN, SVA_OP_FLAG_SUBMIT) >= 0);
	EXPECT_EQ(reap(q, 1, &bad), 1);
	EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
	EXPECT_EQ(reap(q2, 1, &bad), 1);
	EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(src, dst, 2 * LEN) == 0);

	struct sva_queue_stats st;
	EXPECT_EQ(sva_queue_stats_get(q, &st), 0);
	EXPECT_EQ(st.submitted, N + 1);
	EXPECT_EQ(st.completed, N + 1);
	EXPECT_EQ(st.errors, 0);
	EXPECT_EQ(sva_queue_stats_reset(q), 0);
	EXPECT_EQ(sva_queue_stats_get(q, &st), 0);
	EXPECT_EQ(st.submitted, 0);
	EXPECT_EQ(st.completed, 0);

	EXPECT_EQ(sva_queue_destroy(q2), 0);
	EXPECT_EQ(sva_queue_destroy(q), 0);
	EXPECT_EQ(sva_dev_close(dev), 0);
	sva_iopf_destroy(pf);
	free(src);
	free(dst);
}

static void test_stop_start_engines(void)
{
	stop_start("engines=1");
}

static void test_stop_start_inline(void)
{
	stop_start("engines=0");
}

/* Page requests the software device has raised, as its dump reports them
 * (the "executed ..." line); 0 if the line is not there. */
static unsigned long long dump_page_requests(struct sva_dev *dev)
{
	char *buf = NULL;
	size_t sz = 0;
	unsigned long long n = 0;
	FILE *f = open_memstream(&buf, &sz);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	EXPECT_EQ(sva_dev_dump(dev, f), 0);
	fclose(f);
	const char *p = strstr(buf, "  executed ");
	p = p ? strstr(p, " errors, ") : NULL;
	if (!p || sscanf(p, " errors, %llu page requests", &n) != 1)
		n = 0;
	free(buf);
	return n;
}

/* Stop, then close, while an engine is blocked on a fault nobody answers. */
static void test_stop_blocked_then_close(void)
{
	struct sva_dev *dev = sva_dev_open("dsa_sim0,engines=1,prs_timeout_ms=100", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_iopf *pf = sva_iopf_create(NULL); /* attached, never run */
	CU_ASSERT_PTR_NOT_NULL_FATAL(pf);
	EXPECT_EQ(sva_dev_attach_iopf(dev, pf), 0);
	struct sva_queue *q = sva_queue_create(dev, &(struct sva_queue_conf){.nb_desc = 16});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	size_t len = 16 * SVA_PAGE_SIZE;
	char *src = malloc(len);
	memset(src, 1, len);
	char *dst = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(dst != MAP_FAILED);
	for (int i = 0; i < 4; i++)
		CU_ASSERT(sva_copy(q, dst + i * 4 * SVA_PAGE_SIZE, src, 4 * SVA_PAGE_SIZE, 0) >= 0);
	EXPECT_EQ(sva_submit(q), 0);
	/* The engine takes the first one and blocks on its fault. */
	uint64_t t0 = sva_now_ns();
	while (dump_page_requests(dev) == 0 && sva_now_ns() - t0 < SVA_TEST_DEADLINE_NS)
		usleep(100);
	CU_ASSERT(dump_page_requests(dev) > 0);
	EXPECT_EQ(sva_dev_stop(dev), 0);
	enum sva_status bad;
	EXPECT_EQ(reap(q, 4, &bad), 4);
	EXPECT_EQ(bad, SVA_STATUS_FAULT_TIMEOUT);
	/* And once more with the operations left in flight at close. */
	EXPECT_EQ(sva_dev_start(dev), 0);
	for (int i = 0; i < 4; i++)
		CU_ASSERT(sva_copy(q, dst + i * 4 * SVA_PAGE_SIZE, src, 4 * SVA_PAGE_SIZE, 0) >= 0);
	EXPECT_EQ(sva_submit(q), 0);
	EXPECT_EQ(sva_dev_stop(dev), 0);
	EXPECT_EQ(sva_dev_close(dev), 0);
	sva_iopf_destroy(pf);
	munmap(dst, len);
	free(src);
}

static void test_close_with_queues(void)
{
	struct sva_dev *dev = sva_dev_open("dsa_sim0,wqs=2,engines=2", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_iopf *pf = sva_iopf_create(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pf);
	EXPECT_EQ(sva_dev_attach_iopf(dev, pf), 0);
	EXPECT_EQ(sva_dev_attach_iopf(dev, pf), -EBUSY);
	EXPECT_EQ(sva_iopf_start(pf, -1), 0);
	struct sva_queue *q0 = sva_queue_create(dev, &(struct sva_queue_conf){.nb_desc = 64});
	struct sva_queue *q1 = sva_queue_create(dev, &(struct sva_queue_conf){
							     .nb_desc = 64, .fault_mode = SVA_FAULT_PARTIAL});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q1);
	size_t len = 4u << 20;
	char *src = malloc(len), *d0 = malloc(len), *d1 = malloc(len);
	memset(src, 3, len);
	for (int i = 0; i < 16; i++) {
		CU_ASSERT(sva_copy(q0, d0 + i * (len / 16), src, (uint32_t)(len / 16), 0) >= 0);
		CU_ASSERT(sva_copy(q1, d1 + i * (len / 16), src, (uint32_t)(len / 16), 0) >= 0);
	}
	EXPECT_EQ(sva_submit(q0), 0);
	EXPECT_EQ(sva_submit(q1), 0);
	/* Unsubmitted work at close is fine too: the drain submits it. It has no
	 * fence, so it may run alongside the copies: its own buffer, not d0. */
	char *d2 = malloc(4096);
	CU_ASSERT(sva_fill(q0, d2, 0x5a5a5a5a5a5a5a5aull, 4096, 0) >= 0);
	EXPECT_EQ(sva_dev_close(dev), 0);
	/* Close drained everything, the fill included, with the handler
	 * answering the faults on the untouched destinations. */
	char *want = malloc(len);
	memset(want, 3, len);
	CU_ASSERT(memcmp(d0, want, len) == 0);
	CU_ASSERT(memcmp(d1, want, len) == 0);
	memset(want, 0x5a, 4096);
	CU_ASSERT(memcmp(d2, want, 4096) == 0);
	free(want);
	/* The device no longer touches the buffers: they can go. */
	free(src);
	free(d0);
	free(d1);
	free(d2);
	sva_iopf_destroy(pf);
}

static void test_iopf_attach(void)
{
	struct sva_dev *dev = sva_dev_open("dsa_sim0,engines=0", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_iopf *pf = sva_iopf_create(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pf);
	EXPECT_EQ(sva_dev_detach_iopf(dev), -ENOENT);
	EXPECT_EQ(sva_dev_attach_iopf(dev, pf), 0);
	EXPECT_EQ(sva_dev_attach_iopf(dev, pf), -EBUSY);
	EXPECT_EQ(sva_dev_detach_iopf(dev), 0);
	EXPECT_EQ(sva_dev_detach_iopf(dev), -ENOENT);
	/* One handler serves two devices. */
	struct sva_dev *dev2 = sva_dev_open("iaa_sim0,engines=0", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev2);
	EXPECT_EQ(sva_dev_attach_iopf(dev, pf), 0);
	EXPECT_EQ(sva_dev_attach_iopf(dev2, pf), 0);
	struct sva_queue *q = sva_queue_create(dev2, &(struct sva_queue_conf){.nb_desc = 8});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	size_t len = 8 * SVA_PAGE_SIZE;
	char *src = malloc(len);
	memset(src, 9, len);
	char *dst = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(dst != MAP_FAILED);
	CU_ASSERT(sva_copy(q, dst, src, (uint32_t)len, SVA_OP_FLAG_SUBMIT) >= 0);
	uint64_t t0 = sva_now_ns();
	enum sva_status st = SVA_STATUS_UNKNOWN;
	uint16_t last, n = 0;
	while (n == 0 && sva_now_ns() - t0 < SVA_TEST_DEADLINE_NS) {
		sva_iopf_poll(pf, 64);
		n = sva_completed_status(q, 1, &last, &st);
	}
	EXPECT_EQ(n, 1);
	EXPECT_EQ(st, SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(src, dst, len) == 0);
	EXPECT_EQ(sva_dev_close(dev2), 0); /* detaches */
	EXPECT_EQ(sva_dev_close(dev), 0);
	sva_iopf_destroy(pf);
	munmap(dst, len);
	free(src);
}

/* sva_iopf_destroy() lets go of every source: destroying the handler before
 * the device it serves is allowed. The device then has no handler (a fault
 * fails the operation), and detach or close only forget the handler. */
static void test_iopf_destroyed_first(void)
{
	struct sva_dev *dev = sva_dev_open("dsa_sim0,engines=0", NULL);
	struct sva_dev *dev2 = sva_dev_open("dsa_sim1,engines=0", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev2);
	struct sva_iopf *pf = sva_iopf_create(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pf);
	EXPECT_EQ(sva_dev_attach_iopf(dev, pf), 0);
	EXPECT_EQ(sva_dev_attach_iopf(dev2, pf), 0);
	struct sva_queue *q = sva_queue_create(dev, &(struct sva_queue_conf){
							    .nb_desc = 8, .fault_mode = SVA_FAULT_PARTIAL});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	sva_iopf_destroy(pf);
	/* A partial-completion fault finds no handler. */
	size_t len = 2 * SVA_PAGE_SIZE;
	char *src = malloc(len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	memset(src, 7, len);
	char *dst = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(dst != MAP_FAILED);
	log_begin();
	CU_ASSERT(sva_copy(q, dst, src, (uint32_t)len, SVA_OP_FLAG_SUBMIT) >= 0);
	enum sva_status bad = SVA_STATUS_SUCCESS;
	EXPECT_EQ(reap(q, 1, &bad), 1);
	CU_ASSERT(strstr(log_end(), "no IO page-fault handler") != NULL);
	EXPECT_EQ(bad, SVA_STATUS_PAGE_FAULT);
	/* Detach only forgets the destroyed handler; a new one can come. */
	EXPECT_EQ(sva_dev_detach_iopf(dev2), 0);
	EXPECT_EQ(sva_dev_detach_iopf(dev2), -ENOENT);
	pf = sva_iopf_create(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pf);
	EXPECT_EQ(sva_dev_attach_iopf(dev2, pf), 0);
	EXPECT_EQ(sva_dev_close(dev2), 0); /* detaches the new handler */
	sva_iopf_destroy(pf);
	EXPECT_EQ(sva_dev_close(dev), 0); /* forgets the destroyed one */
	munmap(dst, len);
	free(src);
}

/* ---- refault count of a resubmitted operation ------------------------------------------ */

/* Maps what the device touches on demand, except @liar: "resolved" without
 * being mapped, so that the device faults there again and again. */
struct liar_ctx {
	uint8_t *lo, *hi, *liar;
};

static int resolve_liar(struct sva_as *as, uint64_t addr, uint32_t perm, void *arg)
{
	struct liar_ctx *c = arg;
	(void)perm;
	uint64_t page = SVA_ALIGN_DOWN(addr, (uint64_t)SVA_PAGE_SIZE);
	if (page == (uint64_t)(uintptr_t)c->liar)
		return 0;
	if (page < (uint64_t)(uintptr_t)c->lo || page >= (uint64_t)(uintptr_t)c->hi)
		return -EPERM;
	int e = sva_as_map(as, (void *)(uintptr_t)page, SVA_PAGE_SIZE, SVA_PERM_READ | SVA_PERM_WRITE);
	return e == -EEXIST ? 0 : e;
}

static uint64_t queue_faults(struct sva_queue *q)
{
	struct sva_queue_stats st;
	EXPECT_EQ(sva_queue_stats_get(q, &st), 0);
	return st.faults;
}

/* An operation the device abandoned in a batch (at its fence, after an
 * earlier one faulted) is handed over again on its own: its first fault then
 * starts its own count of faults without progress, whatever an earlier
 * operation of the same ring slot counted at the same address. */
static void test_abandoned_refault_count(void)
{
	size_t len = 4 * SVA_PAGE_SIZE;
	uint8_t *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(mem != MAP_FAILED);
	memset(mem, 1, len);
	struct liar_ctx ctx = {.lo = mem, .hi = mem + len, .liar = mem + 3 * SVA_PAGE_SIZE};
	struct sva_as *as = sva_as_create_managed(&(struct sva_as_conf){
		.name = "liar", .resolve = resolve_liar, .resolve_arg = &ctx});
	struct sva_dev *dev = sva_dev_open("dsa_sim0,engines=0", NULL);
	struct sva_iopf *pf = sva_iopf_create(NULL);
	CU_ASSERT_FATAL(as && dev && pf);
	EXPECT_EQ(sva_dev_attach_iopf(dev, pf), 0);
	EXPECT_EQ(sva_iopf_start(pf, -1), 0);
	struct sva_queue *q = sva_queue_create(dev, &(struct sva_queue_conf){
		.nb_desc = 8, .fault_mode = SVA_FAULT_PARTIAL, .as = as});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	enum sva_status bad;
	/* Slot 0: fine. Slot 1: the device keeps faulting at the liar page
	 * until the queue gives up. */
	CU_ASSERT(sva_copy(q, mem + 64, mem, 64, SVA_OP_FLAG_SUBMIT) >= 0);
	EXPECT_EQ(reap(q, 1, &bad), 1);
	EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
	uint64_t f0 = queue_faults(q);
	CU_ASSERT(sva_copy(q, mem + 128, ctx.liar, 64, SVA_OP_FLAG_SUBMIT) >= 0);
	EXPECT_EQ(reap(q, 1, &bad), 1);
	EXPECT_EQ(bad, SVA_STATUS_PAGE_FAULT);
	uint64_t first = queue_faults(q) - f0;
	CU_ASSERT(first > 2);
	/* Slots 2..7. */
	for (int i = 2; i < 8; i++) {
		CU_ASSERT(sva_copy(q, mem + 64, mem, 64, SVA_OP_FLAG_SUBMIT) >= 0);
		EXPECT_EQ(reap(q, 1, &bad), 1);
		EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
	}
	/* Slot 0 faults (resolvably) in a batch; slot 1, fenced, is abandoned,
	 * then handed over alone and faults at the liar page like the first. */
	f0 = queue_faults(q);
	CU_ASSERT(sva_copy(q, mem + 256, mem + 2 * SVA_PAGE_SIZE, 64, 0) >= 0);
	CU_ASSERT(sva_copy(q, mem + 128, ctx.liar, 64, SVA_OP_FLAG_FENCE | SVA_OP_FLAG_SUBMIT) >= 0);
	EXPECT_EQ(reap(q, 2, &bad), 2);
	EXPECT_EQ(bad, SVA_STATUS_PAGE_FAULT);
	EXPECT_EQ(queue_faults(q) - f0, 1 + first);
	EXPECT_EQ(sva_dev_close(dev), 0);
	sva_iopf_destroy(pf);
	sva_as_put(as);
	munmap(mem, len);
}

/* ---- operations a device does not have -------------------------------------------- */

static void test_unsupported_ops(void)
{
	struct sva_dev *dsa = sva_dev_open("dsa_sim0,engines=0", NULL);
	struct sva_dev *iaa = sva_dev_open("iaa_sim0,engines=0", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dsa);
	CU_ASSERT_PTR_NOT_NULL_FATAL(iaa);
	struct sva_queue *qd = sva_queue_create(dsa, &(struct sva_queue_conf){.nb_desc = 8});
	struct sva_queue *qi = sva_queue_create(iaa, &(struct sva_queue_conf){.nb_desc = 8});
	CU_ASSERT_PTR_NOT_NULL_FATAL(qd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(qi);
	static char a[4096], b[4096], c[4096];
	static _Alignas(64) char state[SVA_DECOMP_STATE_SIZE];
	struct sva_result r;

	EXPECT_EQ(sva_compress(qd, b, sizeof(b), a, 100, SVA_COMP_F_LAST, &r, 0), -ENOTSUP);
	EXPECT_EQ(sva_decompress(qd, b, sizeof(b), a, 100, 0, state, &r, 0), -ENOTSUP);
	EXPECT_EQ(sva_crc64(qd, a, 100, 0, 0, &r, 0), -ENOTSUP);

	EXPECT_EQ(sva_fill(qi, b, 0x1234, 100, 0), -ENOTSUP);
	EXPECT_EQ(sva_compare(qi, a, b, 100, &r, 0), -ENOTSUP);
	EXPECT_EQ(sva_compare_pattern(qi, a, 0, 100, &r, 0), -ENOTSUP);
	EXPECT_EQ(sva_crc32c(qi, a, 100, 0, &r, 0), -ENOTSUP);
	EXPECT_EQ(sva_copy_crc32c(qi, b, a, 100, 0, &r, 0), -ENOTSUP);
	EXPECT_EQ(sva_dualcast(qi, b, c, a, 100, 0), -ENOTSUP);
	EXPECT_EQ(sva_cache_flush(qi, a, 100, 0), -ENOTSUP);
	/* Refusals take no ring slot. */
	EXPECT_EQ(sva_burst_capacity(qd), 8);
	EXPECT_EQ(sva_burst_capacity(qi), 8);

	/* Both devices copy. */
	memset(a, 0x42, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(c, 0, sizeof(c));
	CU_ASSERT(sva_copy(qd, b, a, sizeof(a), SVA_OP_FLAG_SUBMIT) >= 0);
	CU_ASSERT(sva_copy(qi, c, a, sizeof(a), SVA_OP_FLAG_SUBMIT) >= 0);
	enum sva_status bad;
	EXPECT_EQ(reap(qd, 1, &bad), 1);
	EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
	EXPECT_EQ(reap(qi, 1, &bad), 1);
	EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(a, b, sizeof(a)) == 0);
	CU_ASSERT(memcmp(a, c, sizeof(a)) == 0);
	EXPECT_EQ(sva_dev_close(dsa), 0);
	EXPECT_EQ(sva_dev_close(iaa), 0);
}

static const struct sva_test_case names_tests[] = {
	{"names", test_names},
	{NULL, NULL},
};

static const struct sva_test_case dev_tests[] = {
	{"open_unknown", test_open_unknown},
	{"open_bad_args", test_open_bad_args},
	{"open_args_merge", test_open_args_merge},
	{"info_dsa", test_info_dsa},
	{"info_iaa", test_info_iaa},
	{"bof_off", test_bof_off},
	{"iopf_attach", test_iopf_attach},
	{"iopf_destroyed_first", test_iopf_destroyed_first},
	{NULL, NULL},
};

static const struct sva_test_case queue_tests[] = {
	{"queue_conf", test_queue_conf},
	{"too_many_queues", test_too_many_queues},
	{"unsupported_ops", test_unsupported_ops},
	{"abandoned_refault_count", test_abandoned_refault_count},
	{NULL, NULL},
};

static const struct sva_test_case life_tests[] = {
	{"stop_start_engines", test_stop_start_engines},
	{"stop_start_inline", test_stop_start_inline},
	{"stop_blocked_then_close", test_stop_blocked_then_close},
	{"close_with_queues", test_close_with_queues},
	{NULL, NULL},
};

static int register_suites(void)
{
	if (sva_test_add_suite("dma_names", names_tests, NULL, NULL) ||
	    sva_test_add_suite("dma_dev", dev_tests, NULL, NULL) ||
	    sva_test_add_suite("dma_queue", queue_tests, NULL, NULL) ||
	    sva_test_add_suite("dma_life", life_tests, NULL, NULL))
		return -1;
	return 0;
}

int main(void)
{
	return sva_test_main(register_suites);
}
