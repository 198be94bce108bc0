/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of lib/core: argument parsing, log levels, histogram, ring,
 * idle backoff, CPU/time helpers. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sva_args.h"
#include "sva_common.h"
#include "sva_cpu.h"
#include "sva_fence.h"
#include "sva_hist.h"
#include "sva_idle.h"
#include "sva_log.h"
#include "sva_ring.h"
#include "sva_test.h"
#include "sva_test_util.h"
#include "sva_time.h"

#define EXPECT_STR(a, b)                                                                        \
	do {                                                                                    \
		const char *a_ = (a), *b_ = (b);                                                \
		int eq_ = a_ && b_ && strcmp(a_, b_) == 0;                                      \
		if (!eq_)                                                                       \
			fprintf(stderr, "%s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__,      \
				__LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");          \
		CU_ASSERT(eq_);                                                                 \
	} while (0)

/* ---- args ----------------------------------------------------------------- */

static void test_args_parse_good(void)
{
	struct sva_kvargs kv;
	char err[256] = "";

	EXPECT_EQ(sva_kvargs_parse(&kv, "dsa_sim0,wqs=2,engines=4", "mode = shared , x=", err,
				   sizeof(err)), 0);
	EXPECT_STR(kv.name, "dsa_sim0");
	EXPECT_EQ(kv.n, 4);
	EXPECT_STR(sva_kvargs_get(&kv, "wqs"), "2");
	EXPECT_STR(sva_kvargs_get(&kv, "engines"), "4");
	EXPECT_STR(sva_kvargs_get(&kv, "mode"), "shared"); /* spaces trimmed */
	EXPECT_STR(sva_kvargs_get(&kv, "x"), "");          /* empty value allowed */
	CU_ASSERT_PTR_NULL(sva_kvargs_get(&kv, "absent"));

	/* A name alone; empty items are ignored. */
	EXPECT_EQ(sva_kvargs_parse(&kv, "  dsa:wq0.0 ", ",,", err, sizeof(err)), 0);
	EXPECT_STR(kv.name, "dsa:wq0.0");
	EXPECT_EQ(kv.n, 0);
	EXPECT_EQ(sva_kvargs_parse(&kv, "", NULL, err, sizeof(err)), 0);
	EXPECT_STR(kv.name, "");

	/* Typed getters. */
	EXPECT_EQ(sva_kvargs_parse(&kv, "dev", "a=64k,b=0x10,c=yes,d=Off,e=fast,big=2M", err,
				   sizeof(err)), 0);
	uint64_t v = 0;
	EXPECT_EQ(sva_kvargs_u64(&kv, "a", 0, 0, UINT64_MAX, &v, err, sizeof(err)), 0);
	EXPECT_EQ(v, 65536);
	EXPECT_EQ(sva_kvargs_u64(&kv, "b", 0, 0, UINT64_MAX, &v, err, sizeof(err)), 0);
	EXPECT_EQ(v, 16);
	EXPECT_EQ(sva_kvargs_u64(&kv, "big", 0, 0, UINT64_MAX, &v, err, sizeof(err)), 0);
	EXPECT_EQ(v, 2 << 20);
	EXPECT_EQ(sva_kvargs_u64(&kv, "absent", 77, 0, 100, &v, err, sizeof(err)), 0);
	EXPECT_EQ(v, 77);
	bool bv = false;
	EXPECT_EQ(sva_kvargs_bool(&kv, "c", false, &bv, err, sizeof(err)), 0);
	CU_ASSERT(bv);
	EXPECT_EQ(sva_kvargs_bool(&kv, "d", true, &bv, err, sizeof(err)), 0);
	CU_ASSERT(!bv);
	EXPECT_EQ(sva_kvargs_bool(&kv, "absent", true, &bv, err, sizeof(err)), 0);
	CU_ASSERT(bv);
	static const char *const modes[] = {"slow", "FAST", NULL};
	int ch = -1;
	EXPECT_EQ(sva_kvargs_choice(&kv, "e", modes, 0, &ch, err, sizeof(err)), 0);
	EXPECT_EQ(ch, 1); /* case-insensitive */
	EXPECT_EQ(sva_kvargs_choice(&kv, "absent", modes, 0, &ch, err, sizeof(err)), 0);
	EXPECT_EQ(ch, 0);
	static const char *const known[] = {"a", "b", "c", "d", "e", "big", NULL};
	EXPECT_EQ(sva_kvargs_check(&kv, known, err, sizeof(err)), 0);

	/* Plain parsers. */
	EXPECT_EQ(sva_parse_u64("1g", &v), 0);
	EXPECT_EQ(v, 1ull << 30);
	EXPECT_EQ(sva_parse_u64("4KiB", &v), 0);
	EXPECT_EQ(v, 4096);
	EXPECT_EQ(sva_parse_u64("18446744073709551615", &v), 0);
	CU_ASSERT(v == UINT64_MAX);
	EXPECT_EQ(sva_parse_bool("TRUE", &bv), 0);
	CU_ASSERT(bv);
	EXPECT_EQ(sva_parse_bool("0", &bv), 0);
	CU_ASSERT(!bv);
}

static void test_args_parse_bad(void)
{
	struct sva_kvargs kv;
	char err[256];

	memset(err, 0, sizeof(err));
	EXPECT_EQ(sva_kvargs_parse(&kv, "dev,wqs=1,wqs=2", NULL, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "key 'wqs' given twice");
	/* Duplicates across the name and the args string too. */
	EXPECT_EQ(sva_kvargs_parse(&kv, "dev,wqs=1", "wqs=2", err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "key 'wqs' given twice");
	EXPECT_EQ(sva_kvargs_parse(&kv, "dev,engines", NULL, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "'engines' is not key=value");
	EXPECT_EQ(sva_kvargs_parse(&kv, "dev", "=3", err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "empty key in '=3'");
	EXPECT_EQ(sva_kvargs_parse(&kv, "wqs=2", NULL, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "'wqs=2': expected a name before the key=value pairs");
	EXPECT_EQ(sva_kvargs_parse(&kv, NULL, NULL, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "no device name");

	char longname[SVA_KVARGS_NAME_MAX + 8];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EXPECT_EQ(sva_kvargs_parse(&kv, longname, NULL, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "name 'nnnnnnnnnnnnnnnn...' is too long (71 characters, at most 63)");

	char longval[SVA_KVARGS_VALUE_MAX + 8] = "k=";
	memset(longval + 2, 'v', sizeof(longval) - 3);
	longval[sizeof(longval) - 1] = '\0';
	EXPECT_EQ(sva_kvargs_parse(&kv, "dev", longval, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "value of 'k' is too long (261 characters, at most 255)");
	char longkey[SVA_KVARGS_KEY_MAX + 8];
	memset(longkey, 'k', sizeof(longkey) - 3);
	memcpy(longkey + sizeof(longkey) - 3, "=1", 3);
	EXPECT_EQ(sva_kvargs_parse(&kv, "dev", longkey, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "key 'kkkkkkkkkkkkkkkk...' is too long (37 characters, at most 31)");

	/* More pairs than fit. */
	char many[SVA_KVARGS_MAX * 8 + 16] = "";
	size_t off = 0;
	for (int i = 0; i <= SVA_KVARGS_MAX; i++)
		off += (size_t)snprintf(many + off, sizeof(many) - off, "k%d=1,", i);
	EXPECT_EQ(sva_kvargs_parse(&kv, "dev", many, err, sizeof(err)), -EINVAL);
	char want[64];
	snprintf(want, sizeof(want), "more than %d key=value pairs", SVA_KVARGS_MAX);
	EXPECT_STR(err, want);

	/* A NULL / zero-length error buffer is tolerated. */
	EXPECT_EQ(sva_kvargs_parse(&kv, "dev,x", NULL, NULL, 0), -EINVAL);

	/* Unknown key, with the list of known ones. */
	EXPECT_EQ(sva_kvargs_parse(&kv, "dsa_sim0,wq=2", NULL, err, sizeof(err)), 0);
	static const char *const known[] = {"wqs", "engines", NULL};
	EXPECT_EQ(sva_kvargs_check(&kv, known, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "unknown key 'wq' (known: wqs, engines)");
	static const char *const none[] = {NULL};
	EXPECT_EQ(sva_kvargs_check(&kv, none, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "unknown key 'wq' (known: none)");

	/* Typed getters: errors and the untouched output. */
	EXPECT_EQ(sva_kvargs_parse(&kv, "dev", "n=12x,neg=-1,r=500,b=maybe,m=turbo,huge=99999999999999999999",
				   err, sizeof(err)), 0);
	uint64_t v = 42;
	EXPECT_EQ(sva_kvargs_u64(&kv, "n", 0, 0, 100, &v, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "n=12x: not an unsigned number");
	EXPECT_EQ(sva_kvargs_u64(&kv, "neg", 0, 0, 100, &v, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "neg=-1: not an unsigned number");
	EXPECT_EQ(sva_kvargs_u64(&kv, "huge", 0, 0, UINT64_MAX, &v, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "huge=99999999999999999999: not a representable number");
	EXPECT_EQ(sva_kvargs_u64(&kv, "r", 0, 1, 256, &v, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "r=500: out of range [1, 256]");
	EXPECT_EQ(v, 42);
	bool bv = true;
	EXPECT_EQ(sva_kvargs_bool(&kv, "b", false, &bv, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "b=maybe: expected 1/0, yes/no, on/off or true/false");
	static const char *const modes[] = {"slow", "fast", NULL};
	int ch = 9;
	EXPECT_EQ(sva_kvargs_choice(&kv, "m", modes, 0, &ch, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "m=turbo: expected one of slow|fast");
	EXPECT_EQ(ch, 9);

	/* Plain parsers. */
	EXPECT_EQ(sva_parse_u64("", &v), -EINVAL);
	EXPECT_EQ(sva_parse_u64(" 1", &v), -EINVAL);
	EXPECT_EQ(sva_parse_u64("-5", &v), -EINVAL);
	EXPECT_EQ(sva_parse_u64("12q", &v), -EINVAL);
	EXPECT_EQ(sva_parse_u64("0x", &v), -EINVAL);
	EXPECT_EQ(sva_parse_u64("18446744073709551616", &v), -ERANGE);
	EXPECT_EQ(sva_parse_u64("17179869184g", &v), -ERANGE); /* 2^34 GiB */
	EXPECT_EQ(sva_parse_bool("2", &bv), -EINVAL);
	EXPECT_EQ(sva_parse_bool("", &bv), -EINVAL);
}

/* ---- log ------------------------------------------------------------------ */

static void test_log_spec(void)
{
	/* Named types win over '*', whatever their order. */
	EXPECT_EQ(sva_log_parse_spec("iopf:debug,*:warning"), 0);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_IOPF), SVA_LOG_DEBUG);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_DMA), SVA_LOG_WARNING);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_CORE), SVA_LOG_WARNING);
	EXPECT_EQ(sva_log_parse_spec("*:err,dma:info"), -EINVAL); /* "err" is not a level */
	EXPECT_EQ(sva_log_parse_spec("*:error,dma:info"), 0);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_DMA), SVA_LOG_INFO);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_IOPF), SVA_LOG_ERR);
	/* The last of two items for one type wins. */
	EXPECT_EQ(sva_log_parse_spec("as:debug,AS:notice"), 0);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_AS), SVA_LOG_NOTICE);

	/* A bare level applies to every type; numbers and "warn" are accepted. */
	EXPECT_EQ(sva_log_parse_spec("info"), 0);
	for (int t = 0; t < SVA_LOG_TYPE_MAX; t++)
		EXPECT_EQ(sva_log_get_level((enum sva_log_type)t), SVA_LOG_INFO);
	EXPECT_EQ(sva_log_parse_spec("iommu:5,sim:warn"), 0);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_IOMMU), SVA_LOG_DEBUG);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_SIM), SVA_LOG_WARNING);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_APP), SVA_LOG_INFO);

	/* Errors change nothing, even when a valid item came first. */
	EXPECT_EQ(sva_log_parse_spec("dma:debug,nosuch:debug"), -EINVAL);
	EXPECT_EQ(sva_log_parse_spec("dma:debug,iopf:loud"), -EINVAL);
	EXPECT_EQ(sva_log_parse_spec("dma:6"), -EINVAL);
	EXPECT_EQ(sva_log_parse_spec("dma:"), -EINVAL);
	EXPECT_EQ(sva_log_parse_spec(NULL), -EINVAL);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_DMA), SVA_LOG_INFO);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_IOMMU), SVA_LOG_DEBUG);

	/* set_level and its errors. */
	EXPECT_EQ(sva_log_set_level(SVA_LOG_TYPE_MAX, SVA_LOG_NOTICE), 0);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_IOMMU), SVA_LOG_NOTICE);
	EXPECT_EQ(sva_log_set_level(SVA_LOG_DMA, (enum sva_log_level)0), -EINVAL);
	EXPECT_EQ(sva_log_set_level(SVA_LOG_DMA, (enum sva_log_level)6), -EINVAL);
	EXPECT_EQ(sva_log_set_level((enum sva_log_type)(SVA_LOG_TYPE_MAX + 1), SVA_LOG_DEBUG), -EINVAL);
	EXPECT_EQ(sva_log_get_level(SVA_LOG_DMA), SVA_LOG_NOTICE);
	EXPECT_STR(sva_log_type_name(SVA_LOG_IOPF), "iopf");
	EXPECT_STR(sva_log_type_name(SVA_LOG_TYPE_MAX), "?");
}

static void test_log_output(void)
{
	log_begin();
	EXPECT_EQ(sva_log_set_level(SVA_LOG_TYPE_MAX, SVA_LOG_WARNING), 0);
	CU_ASSERT(sva_log_enabled(SVA_LOG_DMA, SVA_LOG_ERR));
	CU_ASSERT(!sva_log_enabled(SVA_LOG_DMA, SVA_LOG_INFO));
	SVA_LOG(DMA, INFO, "hidden %d", 1);
	SVA_LOG(DMA, WARNING, "shown %d", 2);
	SVA_LOG(IOPF, ERR, "already terminated\n");
	EXPECT_STR(log_end(), "svadk: dma: warning: shown 2\nsvadk: iopf: error: already terminated\n");
	EXPECT_EQ(sva_log_set_level(SVA_LOG_TYPE_MAX, SVA_LOG_NOTICE), 0);
}

/* ---- histogram ------------------------------------------------------------ */

static void test_hist_percentiles(void)
{
	static struct sva_hist h;
	sva_hist_reset(&h);
	EXPECT_EQ(sva_hist_count(&h), 0);
	EXPECT_EQ(sva_hist_percentile(&h, 50), 0);
	EXPECT_EQ(sva_hist_min(&h), 0);
	EXPECT_EQ(sva_hist_max(&h), 0);
	CU_ASSERT(sva_hist_mean(&h) == 0.0);

	/* Small values have exact buckets. */
	for (uint64_t v = 0; v < 10; v++)
		sva_hist_add(&h, v);
	EXPECT_EQ(sva_hist_percentile(&h, 50), 4); /* rank 5 of 0..9 */
	EXPECT_EQ(sva_hist_percentile(&h, 100), 9);
	EXPECT_EQ(sva_hist_percentile(&h, 0), 0);
	EXPECT_EQ(sva_hist_percentile(&h, 10), 0);
	EXPECT_EQ(sva_hist_percentile(&h, 20), 1);
	EXPECT_EQ(sva_hist_percentile(&h, 99), 9);

	/* 1..100000: percentiles within the 1/16 bucket resolution. */
	sva_hist_reset(&h);
	for (uint64_t v = 1; v <= 100000; v++)
		sva_hist_add(&h, v);
	EXPECT_EQ(sva_hist_count(&h), 100000);
	EXPECT_EQ(sva_hist_min(&h), 1);
	EXPECT_EQ(sva_hist_max(&h), 100000);
	CU_ASSERT(sva_hist_mean(&h) == 50000.5);
	static const double pcts[] = {1, 10, 25, 50, 75, 90, 99, 99.9};
	for (size_t i = 0; i < SVA_ARRAY_SIZE(pcts); i++) {
		double truth = pcts[i] * 1000.0;
		double got = (double)sva_hist_percentile(&h, pcts[i]);
		if (got < truth * (1 - 1.0 / 16) || got > truth * (1 + 1.0 / 16))
			fprintf(stderr, "p%g = %g, true value %g\n", pcts[i], got, truth);
		CU_ASSERT(got >= truth * (1 - 1.0 / 16) && got <= truth * (1 + 1.0 / 16));
	}
	EXPECT_EQ(sva_hist_percentile(&h, 100), 100000); /* clamped to max */
	EXPECT_EQ(sva_hist_percentile(&h, 150), 100000);
	EXPECT_EQ(sva_hist_percentile(&h, -3), 1);

	/* A bimodal distribution: 90% at 1000, 10% at 1000000. */
	sva_hist_reset(&h);
	for (int i = 0; i < 900; i++)
		sva_hist_add(&h, 1000);
	for (int i = 0; i < 100; i++)
		sva_hist_add(&h, 1000000);
	uint64_t p50 = sva_hist_percentile(&h, 50), p95 = sva_hist_percentile(&h, 95);
	CU_ASSERT(p50 >= 1000 && p50 <= 1000 + 1000 / 16);
	CU_ASSERT(p95 >= 1000000 - 1000000 / 16 && p95 <= 1000000);
	EXPECT_EQ(sva_hist_percentile(&h, 90), p50);

	/* Merge. */
	static struct sva_hist h2;
	sva_hist_reset(&h2);
	sva_hist_add(&h2, 5);
	sva_hist_add(&h2, 5000000);
	sva_hist_merge(&h, &h2);
	EXPECT_EQ(sva_hist_count(&h), 1002);
	EXPECT_EQ(sva_hist_min(&h), 5);
	EXPECT_EQ(sva_hist_max(&h), 5000000);
	EXPECT_EQ(sva_hist_percentile(&h, 0.05), 5);
}

static void test_hist_buckets(void)
{
	/* Every value lies in [low(b), low(b+1)) of its bucket, buckets are
	 * monotonic and no wider than 1/16 of their low bound. */
	uint64_t prev_b = 0;
	for (uint64_t v = 0; v < 200000; v += (v < 4096 ? 1 : 37)) {
		unsigned int b = sva_hist_bucket_of(v);
		CU_ASSERT(b < SVA_HIST_BUCKETS);
		CU_ASSERT(b >= prev_b);
		prev_b = b;
		CU_ASSERT(sva_hist_bucket_low(b) <= v);
		if (b + 1 < SVA_HIST_BUCKETS) {
			CU_ASSERT(v < sva_hist_bucket_low(b + 1));
			if (v >= 16)
				CU_ASSERT((sva_hist_bucket_low(b + 1) - sva_hist_bucket_low(b)) * 16 <=
					  sva_hist_bucket_low(b));
		}
	}
	for (unsigned int b = 0; b < SVA_HIST_BUCKETS; b++)
		EXPECT_EQ(sva_hist_bucket_of(sva_hist_bucket_low(b)), b);
	/* Huge values land in the last bucket instead of overflowing. */
	EXPECT_EQ(sva_hist_bucket_of(UINT64_MAX), SVA_HIST_BUCKETS - 1);
	static struct sva_hist h;
	sva_hist_reset(&h);
	sva_hist_add(&h, UINT64_MAX / 2);
	CU_ASSERT(sva_hist_percentile(&h, 50) == UINT64_MAX / 2);
}

/* ---- ring ----------------------------------------------------------------- */

static void test_ring_basic(void)
{
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_ring_create(0, 8));
	EXPECT_EQ(errno, EINVAL);
	CU_ASSERT_PTR_NULL(sva_ring_create(8, 0));
	CU_ASSERT_PTR_NULL(sva_ring_create((1u << 24) + 1, 8));

	struct sva_ring *r = sva_ring_create(5, sizeof(uint64_t));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_EQ(sva_ring_capacity(r), 8);
	EXPECT_EQ(sva_ring_count(r), 0);

	uint64_t out[16];
	EXPECT_EQ(sva_ring_dequeue_burst(r, out, 16), 0); /* empty */

	uint64_t in[16];
	for (int i = 0; i < 16; i++)
		in[i] = 100 + (uint64_t)i;
	EXPECT_EQ(sva_ring_enqueue_bulk(r, in, 0), 0);
	EXPECT_EQ(sva_ring_enqueue_bulk(r, in, 9), -ENOSPC); /* more than capacity */
	EXPECT_EQ(sva_ring_count(r), 0);
	EXPECT_EQ(sva_ring_enqueue_bulk(r, in, 5), 0);
	EXPECT_EQ(sva_ring_count(r), 5);
	/* 3 free: a bulk of 4 is refused whole, the ring is unchanged. */
	EXPECT_EQ(sva_ring_enqueue_bulk(r, in + 5, 4), -ENOSPC);
	EXPECT_EQ(sva_ring_count(r), 5);
	EXPECT_EQ(sva_ring_enqueue_bulk(r, in + 5, 3), 0);
	EXPECT_EQ(sva_ring_count(r), 8);
	EXPECT_EQ(sva_ring_enqueue(r, &in[8]), -ENOSPC); /* full */

	/* FIFO, partial bursts. */
	EXPECT_EQ(sva_ring_dequeue_burst(r, out, 3), 3);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(out[i], 100 + i);
	EXPECT_EQ(sva_ring_enqueue_bulk(r, in + 8, 4), -ENOSPC);
	EXPECT_EQ(sva_ring_enqueue_bulk(r, in + 8, 3), 0); /* wraps around */
	EXPECT_EQ(sva_ring_dequeue_burst(r, out, 16), 8);
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(out[i], 103 + i);
	EXPECT_EQ(sva_ring_count(r), 0);
	EXPECT_EQ(sva_ring_dequeue_burst(r, out, 16), 0);

	/* Many laps with odd-sized bulks keep the order. */
	uint64_t next_in = 0, next_out = 0;
	for (int lap = 0; lap < 1000; lap++) {
		uint32_t n = (uint32_t)(lap % 7) + 1;
		uint64_t blk[8];
		for (uint32_t i = 0; i < n; i++)
			blk[i] = next_in + i;
		int rc = sva_ring_enqueue_bulk(r, blk, n);
		if (rc == 0)
			next_in += n;
		else
			EXPECT_EQ(rc, -ENOSPC);
		uint32_t got = sva_ring_dequeue_burst(r, out, (uint32_t)(lap % 5));
		for (uint32_t i = 0; i < got; i++)
			EXPECT_EQ(out[i], next_out + i);
		next_out += got;
	}
	while ((sva_ring_dequeue_burst(r, out, 1)) == 1)
		EXPECT_EQ(out[0], next_out++);
	EXPECT_EQ(next_out, next_in);
	sva_ring_free(r);
	sva_ring_free(NULL);

	/* Element sizes that are not a multiple of 8. */
	r = sva_ring_create(4, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_EQ(sva_ring_enqueue_bulk(r, "abcdefghijkl", 4), 0);
	char s[13] = "";
	EXPECT_EQ(sva_ring_dequeue_burst(r, s, 4), 4);
	EXPECT_STR(s, "abcdefghijkl");
	sva_ring_free(r);
}

#define MPMC_PRODUCERS 2
#define MPMC_CONSUMERS 2
#define MPMC_PER_PRODUCER 200000u

struct mpmc {
	struct sva_ring *r;
	_Atomic unsigned int producers_done;
	_Atomic uint8_t *seen; /* per element: times dequeued */
	_Atomic uint64_t consumed;
	_Atomic unsigned int order_errors;
	_Atomic uint64_t full_hits;
};

struct mpmc_arg {
	struct mpmc *m;
	unsigned int id;
};

static void *mpmc_producer(void *p)
{
	struct mpmc_arg *a = p;
	struct mpmc *m = a->m;
	uint64_t i = 0;
	unsigned int seed = a->id * 7919u + 1;
	while (i < MPMC_PER_PRODUCER) {
		uint64_t blk[5];
		uint32_t n = (uint32_t)(rand_r(&seed) % 5) + 1;
		if (n > MPMC_PER_PRODUCER - i)
			n = (uint32_t)(MPMC_PER_PRODUCER - i);
		for (uint32_t k = 0; k < n; k++)
			blk[k] = (uint64_t)a->id << 32 | (i + k);
		while (sva_ring_enqueue_bulk(m->r, blk, n) != 0) {
			atomic_fetch_add_explicit(&m->full_hits, 1, memory_order_relaxed);
			sched_yield();
		}
		i += n;
	}
	atomic_fetch_add(&m->producers_done, 1);
	return NULL;
}

static void *mpmc_consumer(void *p)
{
	struct mpmc_arg *a = p;
	struct mpmc *m = a->m;
	uint64_t last[MPMC_PRODUCERS];
	bool any[MPMC_PRODUCERS] = {false};
	uint64_t buf[7];
	for (;;) {
		uint32_t n = sva_ring_dequeue_burst(m->r, buf, (uint32_t)SVA_ARRAY_SIZE(buf));
		if (n == 0) {
			if (atomic_load(&m->producers_done) == MPMC_PRODUCERS &&
			    sva_ring_count(m->r) == 0)
				break;
			sched_yield();
			continue;
		}
		for (uint32_t k = 0; k < n; k++) {
			unsigned int pid = (unsigned int)(buf[k] >> 32);
			uint64_t seq = buf[k] & 0xffffffffu;
			if (pid >= MPMC_PRODUCERS || seq >= MPMC_PER_PRODUCER) {
				atomic_fetch_add(&m->order_errors, 1);
				continue;
			}
			/* One consumer sees each producer's elements in order. */
			if (any[pid] && seq <= last[pid])
				atomic_fetch_add(&m->order_errors, 1);
			any[pid] = true;
			last[pid] = seq;
			atomic_fetch_add_explicit(&m->seen[pid * MPMC_PER_PRODUCER + seq], 1,
						  memory_order_relaxed);
		}
		atomic_fetch_add(&m->consumed, n);
	}
	return NULL;
}

static void test_ring_mpmc(void)
{
	struct mpmc m = {0};
	m.r = sva_ring_create(16, sizeof(uint64_t)); /* small: producers hit "full" */
	CU_ASSERT_PTR_NOT_NULL_FATAL(m.r);
	m.seen = calloc((size_t)MPMC_PRODUCERS * MPMC_PER_PRODUCER, sizeof(*m.seen));
	CU_ASSERT_PTR_NOT_NULL_FATAL(m.seen);
	pthread_t th[MPMC_PRODUCERS + MPMC_CONSUMERS];
	struct mpmc_arg args[MPMC_PRODUCERS + MPMC_CONSUMERS];
	for (unsigned int i = 0; i < MPMC_CONSUMERS; i++) {
		args[i] = (struct mpmc_arg){&m, i};
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, mpmc_consumer, &args[i]) == 0);
	}
	for (unsigned int i = 0; i < MPMC_PRODUCERS; i++) {
		args[MPMC_CONSUMERS + i] = (struct mpmc_arg){&m, i};
		CU_ASSERT_FATAL(pthread_create(&th[MPMC_CONSUMERS + i], NULL, mpmc_producer,
					       &args[MPMC_CONSUMERS + i]) == 0);
	}
	for (unsigned int i = 0; i < MPMC_PRODUCERS + MPMC_CONSUMERS; i++)
		pthread_join(th[i], NULL);

	EXPECT_EQ(atomic_load(&m.consumed), (uint64_t)MPMC_PRODUCERS * MPMC_PER_PRODUCER);
	EXPECT_EQ(atomic_load(&m.order_errors), 0);
	unsigned long missing = 0, dup = 0;
	for (size_t i = 0; i < (size_t)MPMC_PRODUCERS * MPMC_PER_PRODUCER; i++) {
		uint8_t s = atomic_load_explicit(&m.seen[i], memory_order_relaxed);
		missing += s == 0;
		dup += s > 1;
	}
	EXPECT_EQ(missing, 0);
	EXPECT_EQ(dup, 0);
	EXPECT_EQ(sva_ring_count(m.r), 0);
	printf("  (ring full %llu times)\n", (unsigned long long)atomic_load(&m.full_hits));
	free((void *)m.seen);
	sva_ring_free(m.r);
}

/* Single producer (sva_ring_enqueue_sp), many consumers: the same
 * guarantees as the bulk path, without a locked instruction. */
static void test_ring_sp_basic(void)
{
	struct sva_ring *r = sva_ring_create(4, sizeof(uint64_t));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	uint64_t out[8];
	for (uint64_t lap = 0; lap < 3; lap++) {
		for (uint64_t i = 0; i < 4; i++) {
			uint64_t v = lap * 10 + i;
			EXPECT_EQ(sva_ring_enqueue_sp(r, &v), 0);
		}
		uint64_t extra = 99;
		EXPECT_EQ(sva_ring_enqueue_sp(r, &extra), -ENOSPC); /* full */
		EXPECT_EQ(sva_ring_count(r), 4);
		CU_ASSERT_PTR_NULL(sva_ring_sp_reserve(r));
		EXPECT_EQ(sva_ring_dequeue_burst(r, out, 3), 3);
		/* In place: invisible until committed. */
		uint64_t *slot = sva_ring_sp_reserve(r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(slot);
		*slot = 99;
		EXPECT_EQ(sva_ring_count(r), 1);
		EXPECT_EQ(sva_ring_dequeue_burst(r, out + 5, 8), 1);
		EXPECT_EQ(out[5], lap * 10 + 3);
		EXPECT_EQ(sva_ring_dequeue_burst(r, out + 5, 8), 0);
		sva_ring_sp_commit(r); /* one slot back: wraps */
		out[3] = lap * 10 + 3;
		EXPECT_EQ(sva_ring_dequeue_burst(r, out + 4, 8), 1);
		for (uint64_t i = 0; i < 4; i++)
			EXPECT_EQ(out[i], lap * 10 + i);
		EXPECT_EQ(out[4], 99);
		EXPECT_EQ(sva_ring_count(r), 0);
	}
	sva_ring_free(r);
}

#define SP_COUNT 400000u

struct sp_ctx {
	struct sva_ring *r;
	_Atomic int done;
	_Atomic uint8_t *seen;
	_Atomic unsigned int order_errors;
};

static void *sp_consumer(void *p)
{
	struct sp_ctx *c = p;
	uint64_t buf[5], last = 0;
	bool any = false;
	for (;;) {
		uint32_t n = sva_ring_dequeue_burst(c->r, buf, (uint32_t)SVA_ARRAY_SIZE(buf));
		if (!n) {
			if (atomic_load(&c->done) && sva_ring_count(c->r) == 0)
				return NULL;
			sched_yield();
			continue;
		}
		for (uint32_t k = 0; k < n; k++) {
			if (buf[k] >= SP_COUNT || (any && buf[k] <= last)) {
				atomic_fetch_add(&c->order_errors, 1);
				continue;
			}
			any = true;
			last = buf[k];
			atomic_fetch_add_explicit(&c->seen[buf[k]], 1, memory_order_relaxed);
		}
	}
}

static void test_ring_sp_mc(void)
{
	struct sp_ctx c = {0};
	c.r = sva_ring_create(8, sizeof(uint64_t));
	c.seen = calloc(SP_COUNT, sizeof(*c.seen));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c.r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c.seen);
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, sp_consumer, &c) == 0);
	uint64_t full = 0;
	for (uint64_t i = 0; i < SP_COUNT; i++) {
		while (sva_ring_enqueue_sp(c.r, &i) != 0) {
			full++;
			sched_yield();
		}
	}
	atomic_store(&c.done, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	unsigned long missing = 0, dup = 0;
	for (size_t i = 0; i < SP_COUNT; i++) {
		uint8_t v = atomic_load_explicit(&c.seen[i], memory_order_relaxed);
		missing += v == 0;
		dup += v > 1;
	}
	EXPECT_EQ(missing, 0);
	EXPECT_EQ(dup, 0);
	EXPECT_EQ(atomic_load(&c.order_errors), 0);
	printf("  (ring full %llu times)\n", (unsigned long long)full);
	free((void *)c.seen);
	sva_ring_free(c.r);
}

/* ---- idle backoff --------------------------------------------------------- */

struct idle_ctx {
	struct sva_idle idle;
	_Atomic int tid;
	_Atomic int work;
	_Atomic int got_work;
	_Atomic uint32_t rounds_after_wake;
};

static bool idle_has_work(void *arg)
{
	struct idle_ctx *c = arg;
	return atomic_load(&c->work) != 0;
}

static void *idle_poller(void *arg)
{
	struct idle_ctx *c = arg;
	atomic_store(&c->tid, (int)syscall(SYS_gettid));
	while (!atomic_load(&c->work))
		sva_idle_wait(&c->idle, idle_has_work, c, NULL, 0);
	/* Woken by the eventfd (not the timeout): the backoff restarted. */
	atomic_store(&c->rounds_after_wake, c->idle.idle_rounds);
	atomic_store(&c->got_work, 1);
	return NULL;
}

static void test_idle_phases(void)
{
	struct idle_ctx c;
	memset(&c, 0, sizeof(c));
	EXPECT_EQ(sva_idle_init(&c.idle, 2, 1, 50), 0);
	CU_ASSERT(c.idle.efd >= 0);
	/* Nobody sleeps: a kick is only a load, nothing is written. */
	sva_idle_kick(&c.idle);
	EXPECT_EQ(sva_counter_read(&c.idle.kicks), 0);
	/* Rounds 0-1 spin, round 2 yields, round 3 would block, but work is
	 * found in the re-check: no sleep, backoff restarted. */
	atomic_store(&c.work, 1);
	for (int i = 0; i < 3; i++)
		sva_idle_wait(&c.idle, idle_has_work, &c, NULL, 0);
	EXPECT_EQ(c.idle.idle_rounds, 3);
	sva_idle_wait(&c.idle, idle_has_work, &c, NULL, 0);
	EXPECT_EQ(c.idle.idle_rounds, 0);
	EXPECT_EQ(sva_counter_read(&c.idle.sleeps), 0);
	EXPECT_EQ(atomic_load(&c.idle.sleeping), 0);
	/* Without work, round 3 blocks until the timeout and stays in the
	 * blocking phase. */
	atomic_store(&c.work, 0);
	for (int i = 0; i < 4; i++)
		sva_idle_wait(&c.idle, idle_has_work, &c, NULL, 0);
	EXPECT_EQ(sva_counter_read(&c.idle.sleeps), 1);
	EXPECT_EQ(c.idle.idle_rounds, 4);
	/* sva_idle_busy restarts the backoff. */
	sva_idle_busy(&c.idle);
	EXPECT_EQ(c.idle.idle_rounds, 0);
	sva_idle_fini(&c.idle);
	EXPECT_EQ(c.idle.efd, -1);
}

/* Scheduler state of thread @tid ('R', 'S', ...), or 0. */
static void test_idle_kick_wakes(void)
{
	static struct idle_ctx c;
	memset(&c, 0, sizeof(c));
	/* Block for up to an hour: only the kick can wake the poller in time. */
	EXPECT_EQ(sva_idle_init(&c.idle, 1, 1, 3600 * 1000), 0);
	atomic_store(&c.rounds_after_wake, 12345);
	pthread_t th;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, idle_poller, &c) == 0);
	/* Wait until it announced it sleeps and is blocked in the kernel. */
	SVA_TEST_WAIT(atomic_load(&c.tid), sched_yield());
	SVA_TEST_WAIT(atomic_load(&c.idle.sleeping) && task_state(atomic_load(&c.tid)) == 'S',
		      usleep(100));
	atomic_store(&c.work, 1); /* publish, then kick */
	sva_idle_kick(&c.idle);
	/* On failure wake it by hand to clean up. */
	if (!SVA_TEST_WAIT(atomic_load(&c.got_work), usleep(1000)))
		sva_idle_kick_slow(&c.idle);
	pthread_join(th, NULL);
	EXPECT_EQ(sva_counter_read(&c.idle.kicks), 1);
	EXPECT_EQ(sva_counter_read(&c.idle.sleeps), 1);
	EXPECT_EQ(atomic_load(&c.rounds_after_wake), 0);
	EXPECT_EQ(atomic_load(&c.idle.sleeping), 0);
	sva_idle_fini(&c.idle);
}

/* The fence mode: membarrier() where the kernel has it, and the override. */
static void test_fence_mode(void)
{
	const char *old = getenv("SVADK_FENCE");
	setenv("SVADK_FENCE", "symmetric", 1);
	EXPECT_EQ(sva_fence_mode_init(), SVA_FENCE_SYMMETRIC);
	if (old)
		setenv("SVADK_FENCE", old, 1);
	else
		unsetenv("SVADK_FENCE");
	enum sva_fence_mode m = sva_fence_mode_init();
	CU_ASSERT(m == SVA_FENCE_SYMMETRIC || m == SVA_FENCE_ASYMMETRIC);
	printf("  (fence mode here: %s)\n", m == SVA_FENCE_ASYMMETRIC ? "asymmetric" : "symmetric");
	/* Both sides are callable in both modes. */
	sva_fence_light(m);
	sva_fence_heavy(m);
	sva_fence_light(SVA_FENCE_SYMMETRIC);
	sva_fence_heavy(SVA_FENCE_SYMMETRIC);
}

/* Ping-pong through a poller that goes to sleep between items (one spin,
 * one yield, then it blocks for up to an hour). Items are posted at varied
 * moments: as soon as the poller announced it sleeps (racing its re-check),
 * a moment later, once it is blocked in the kernel, or after a varying
 * delay from the previous item. A wake-up lost by either side's fence
 * stalls an item, caught by the deadline. */
#define PINGPONG_ITEMS 3000u

struct pingpong {
	struct sva_idle idle;
	_Atomic int tid;
	_Atomic uint32_t posted;
	_Atomic uint32_t taken;
	_Atomic int stop;
};

static bool pingpong_has_work(void *arg)
{
	struct pingpong *p = arg;
	return atomic_load_explicit(&p->posted, memory_order_relaxed) !=
	       atomic_load_explicit(&p->taken, memory_order_relaxed);
}

static void *pingpong_poller(void *arg)
{
	struct pingpong *p = arg;
	atomic_store(&p->tid, (int)syscall(SYS_gettid));
	while (!atomic_load(&p->stop)) {
		if (pingpong_has_work(p)) {
			atomic_fetch_add(&p->taken, 1);
			sva_idle_busy(&p->idle);
			continue;
		}
		sva_idle_wait(&p->idle, pingpong_has_work, p, NULL, 0);
	}
	return NULL;
}

static void pingpong_run(enum sva_fence_mode mode)
{
	static struct pingpong p;
	memset(&p, 0, sizeof(p));
	EXPECT_EQ(sva_idle_init(&p.idle, 1, 1, 3600 * 1000), 0);
	p.idle.fence = mode;
	pthread_t th;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, pingpong_poller, &p) == 0);
	uint64_t deadline = sva_now_ns() + 60ull * 1000000000ull;
	uint32_t stalled = 0;
	SVA_TEST_WAIT(atomic_load(&p.tid), sched_yield());
	for (uint32_t i = 0; i < PINGPONG_ITEMS && !stalled; i++) {
		if (i % 4 == 3) { /* somewhere around its way to sleep */
			for (uint32_t k = (i * 2654435761u) % 4000; k; k--)
				sva_pause();
		} else {
			while (!atomic_load(&p.idle.sleeping) && sva_now_ns() < deadline)
				sva_pause();
		}
		if (i % 4 == 1)
			for (int k = 0; k < 200; k++)
				sva_pause();
		else if (i % 4 == 2)
			while (task_state(atomic_load(&p.tid)) != 'S' && sva_now_ns() < deadline)
				sched_yield();
		atomic_store_explicit(&p.posted, i + 1, memory_order_release);
		sva_idle_kick(&p.idle);
		while (atomic_load(&p.taken) != i + 1) {
			if (sva_now_ns() > deadline) {
				stalled = i + 1;
				break;
			}
			sched_yield();
		}
	}
	EXPECT_EQ(stalled, 0);
	atomic_store(&p.stop, 1);
	sva_idle_kick_slow(&p.idle);
	pthread_join(th, NULL);
	EXPECT_EQ(atomic_load(&p.taken), PINGPONG_ITEMS);
	printf("  (%s: %llu sleeps, %llu kicks)\n",
	       mode == SVA_FENCE_ASYMMETRIC ? "asymmetric" : "symmetric",
	       (unsigned long long)sva_counter_read(&p.idle.sleeps),
	       (unsigned long long)sva_counter_read(&p.idle.kicks));
	/* It did go to sleep between items, and most items found it asleep. */
	CU_ASSERT(sva_counter_read(&p.idle.sleeps) >= PINGPONG_ITEMS / 4);
	CU_ASSERT(sva_counter_read(&p.idle.kicks) >= PINGPONG_ITEMS / 4);
	sva_idle_fini(&p.idle);
}

static void test_idle_no_lost_wakeups(void)
{
	pingpong_run(SVA_FENCE_SYMMETRIC);
	if (sva_fence_mode_init() == SVA_FENCE_ASYMMETRIC)
		pingpong_run(SVA_FENCE_ASYMMETRIC);
}

/* Extra descriptors wake a blocked poller too. */
static void test_idle_extra_fd(void)
{
	struct sva_idle idle;
	int p[2];
	EXPECT_EQ(sva_idle_init(&idle, 1, 1, 3600 * 1000), 0);
	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_FATAL(write(p[1], "x", 1) == 1);
	sva_idle_wait(&idle, NULL, NULL, NULL, 0); /* spin */
	sva_idle_wait(&idle, NULL, NULL, NULL, 0); /* yield */
	sva_idle_wait(&idle, NULL, NULL, &p[0], 1); /* returns at once: readable */
	EXPECT_EQ(sva_counter_read(&idle.sleeps), 1);
	EXPECT_EQ(idle.idle_rounds, 0); /* woken, not timed out */
	close(p[0]);
	close(p[1]);
	sva_idle_fini(&idle);
}

/* Every extra descriptor counts, not only the first few. */
static void test_idle_many_fds(void)
{
	struct sva_idle idle;
	int p[SVA_IDLE_MAX_FDS][2], fds[SVA_IDLE_MAX_FDS];
	EXPECT_EQ(sva_idle_init(&idle, 1, 1, 60 * 1000), 0);
	for (int i = 0; i < SVA_IDLE_MAX_FDS; i++) {
		CU_ASSERT_FATAL(pipe(p[i]) == 0);
		fds[i] = p[i][0];
	}
	/* Only the last one is readable. */
	CU_ASSERT_FATAL(write(p[SVA_IDLE_MAX_FDS - 1][1], "x", 1) == 1);
	sva_idle_wait(&idle, NULL, NULL, fds, SVA_IDLE_MAX_FDS); /* spin */
	sva_idle_wait(&idle, NULL, NULL, fds, SVA_IDLE_MAX_FDS); /* yield */
	sva_idle_wait(&idle, NULL, NULL, fds, SVA_IDLE_MAX_FDS); /* woken at once */
	EXPECT_EQ(sva_counter_read(&idle.sleeps), 1);
	EXPECT_EQ(idle.idle_rounds, 0); /* woken, not timed out */
	for (int i = 0; i < SVA_IDLE_MAX_FDS; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	sva_idle_fini(&idle);
}

/* ---- cpu, time ------------------------------------------------------------ */

static void test_cpu_time(void)
{
	int n = sva_cpu_count();
	CU_ASSERT(n >= 1);
	EXPECT_EQ(sva_thread_pin(pthread_self(), -1), -EINVAL);
	EXPECT_EQ(sva_thread_pin(pthread_self(), CPU_SETSIZE), -EINVAL);
	cpu_set_t old;
	CU_ASSERT_FATAL(pthread_getaffinity_np(pthread_self(), sizeof(old), &old) == 0);
	int first = -1;
	for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
		if (CPU_ISSET(c, &old))
			first = c;
	EXPECT_EQ(sva_thread_pin(pthread_self(), first), 0);
	EXPECT_EQ(sva_cpu_current(), first);
	pthread_setaffinity_np(pthread_self(), sizeof(old), &old);
	CU_ASSERT(sva_numa_node_count() >= 1);
	CU_ASSERT(sva_cpu_numa_node(first) >= 0);
	EXPECT_EQ(sva_cpu_numa_node(-1), -EINVAL);
	EXPECT_STR(sva_cpu_feature_name(SVA_CPU_MOVDIR64B), "movdir64b");

	size_t sz = 3 * SVA_PAGE_SIZE + 1;
	unsigned char *m = sva_mem_alloc(sz, -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT(((uintptr_t)m & (SVA_PAGE_SIZE - 1)) == 0);
	size_t nz = 0;
	for (size_t i = 0; i < 4 * SVA_PAGE_SIZE; i++)
		nz += m[i] != 0;
	EXPECT_EQ(nz, 0);
	unsigned char vec[4];
	CU_ASSERT(mincore(m, 4 * SVA_PAGE_SIZE, vec) == 0);
	for (int i = 0; i < 4; i++)
		CU_ASSERT(vec[i] & 1); /* prefaulted */
	sva_mem_free(m, sz);

	uint64_t hz = sva_tsc_hz();
	CU_ASSERT(hz > 1000000);
	EXPECT_EQ(sva_tsc_hz(), hz); /* cached */
	uint64_t t = sva_ns_to_tsc(1000000000ull);
	CU_ASSERT(t >= hz - hz / 1000 && t <= hz + hz / 1000);
	double ns = sva_tsc_to_ns(hz);
	CU_ASSERT(ns > 0.999e9 && ns < 1.001e9);
	uint64_t a = sva_now_ns(), b = sva_now_ns();
	CU_ASSERT(b >= a);
	EXPECT_EQ(sva_pow2_ceil(1), 1);
	EXPECT_EQ(sva_pow2_ceil(5), 8);
	EXPECT_EQ(sva_pow2_ceil(64), 64);
	EXPECT_EQ(SVA_ALIGN_UP(4097u, 4096u), 8192);
}

/* The affinity a thread started with, seen from inside it. */
static void *affinity_thread(void *arg)
{
	cpu_set_t *set = arg;
	if (pthread_getaffinity_np(pthread_self(), sizeof(*set), set) != 0)
		CPU_ZERO(set);
	return NULL;
}

static void test_thread_create_pinned(void)
{
	cpu_set_t allowed, seen;
	CU_ASSERT_FATAL(pthread_getaffinity_np(pthread_self(), sizeof(allowed), &allowed) == 0);
	int first = -1, refused = -1;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (CPU_ISSET(c, &allowed) && first < 0)
			first = c;
		else if (!CPU_ISSET(c, &allowed))
			refused = c;
	}
	pthread_t th;
	EXPECT_EQ(sva_thread_create_pinned(&th, CPU_SETSIZE, affinity_thread, &seen), -EINVAL);
	/* Pinned from its first instruction. */
	EXPECT_EQ(sva_thread_create_pinned(&th, first, affinity_thread, &seen), 0);
	pthread_join(th, NULL);
	EXPECT_EQ(CPU_COUNT(&seen), 1);
	CU_ASSERT(CPU_ISSET(first, &seen));
	/* Not pinned: the caller's CPUs. */
	EXPECT_EQ(sva_thread_create_pinned(&th, -1, affinity_thread, &seen), 0);
	pthread_join(th, NULL);
	CU_ASSERT(CPU_EQUAL(&seen, &allowed));
	/* A CPU this process may not use (the highest one, if any). */
	if (refused >= 0)
		EXPECT_EQ(sva_thread_create_pinned(&th, refused, affinity_thread, &seen), -EINVAL);
}

static int register_suites(void)
{
	static const struct sva_test_case args[] = {
		{"parse_good", test_args_parse_good},
		{"parse_bad", test_args_parse_bad},
		{NULL, NULL},
	};
	static const struct sva_test_case logc[] = {
		{"spec", test_log_spec},
		{"output", test_log_output},
		{NULL, NULL},
	};
	static const struct sva_test_case hist[] = {
		{"percentiles", test_hist_percentiles},
		{"buckets", test_hist_buckets},
		{NULL, NULL},
	};
	static const struct sva_test_case ring[] = {
		{"basic", test_ring_basic},
		{"mpmc_2p2c", test_ring_mpmc},
		{"sp_basic", test_ring_sp_basic},
		{"sp_2c", test_ring_sp_mc},
		{NULL, NULL},
	};
	static const struct sva_test_case idle[] = {
		{"phases", test_idle_phases},
		{"kick_wakes_sleeper", test_idle_kick_wakes},
		{"fence_mode", test_fence_mode},
		{"no_lost_wakeups", test_idle_no_lost_wakeups},
		{"extra_fd", test_idle_extra_fd},
		{"many_fds", test_idle_many_fds},
		{NULL, NULL},
	};
	static const struct sva_test_case misc[] = {
		{"cpu_time", test_cpu_time},
		{"thread_create_pinned", test_thread_create_pinned},
		{NULL, NULL},
	};
	if (sva_test_add_suite("args", args, NULL, NULL) || sva_test_add_suite("log", logc, NULL, NULL) ||
	    sva_test_add_suite("hist", hist, NULL, NULL) || sva_test_add_suite("ring", ring, NULL, NULL) ||
	    sva_test_add_suite("idle", idle, NULL, NULL) || sva_test_add_suite("cpu", misc, NULL, NULL))
		return -1;
	return 0;
}

int main(void)
{
	return sva_test_main(register_suites);
}
