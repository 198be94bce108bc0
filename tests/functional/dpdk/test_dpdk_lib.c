/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/dpdk: the fault handler as a DPDK service (on a service lcore, and run
 * from the application lcore in both fault modes), one queue per lcore, and
 * the mbuf helpers (single and chained segments, offsets, mbuf to mbuf with
 * different segmentations, all-or-nothing -ENOSPC, argument checks), copying
 * to and from memory that was never touched, so that the first DMA access
 * faults. The EAL runs with two lcores and no hugepages. */
#include <rte_config.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_service.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sva_dma.h"
#include "sva_dpdk.h"
#include "sva_iopf.h"
#include "sva_test.h"
#include "sva_time.h"

#define DEADLINE_NS (30ull * 1000000000ull)

static struct rte_mempool *small_pool; /* 100-byte segments, for chains */
static struct rte_mempool *big_pool;   /* 2 KiB segments */
static unsigned int second_lcore = RTE_MAX_LCORE;

static void fill_random(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void *fresh(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(p != MAP_FAILED);
	return p;
}

/* A packet of @len bytes of @data in segments of @seg bytes (0: one
 * segment); with @empty, an empty segment second. */
static struct rte_mbuf *make_chain(const uint8_t *data, uint32_t len, uint16_t seg, bool empty)
{
	struct rte_mbuf *head = NULL;
	uint32_t off = 0;
	bool first = true;
	while (off < len || first) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(seg && seg <= 100 ? small_pool : big_pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		uint32_t n = seg ? RTE_MIN((uint32_t)seg, len - off) : len;
		char *p = rte_pktmbuf_append(m, (uint16_t)n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		memcpy(p, data + off, n);
		off += n;
		if (head) {
			CU_ASSERT_FATAL(rte_pktmbuf_chain(head, m) == 0);
		} else {
			head = m;
		}
		if (first && empty) {
			struct rte_mbuf *e = rte_pktmbuf_alloc(small_pool);
			CU_ASSERT_PTR_NOT_NULL_FATAL(e);
			CU_ASSERT_FATAL(rte_pktmbuf_chain(head, e) == 0);
		}
		first = false;
	}
	EXPECT_EQ(rte_pktmbuf_pkt_len(head), len);
	return head;
}

/* Packet bytes [off, off + len) into @out. */
static void gather(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint8_t *out)
{
	const void *p = rte_pktmbuf_read(m, off, len, out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	if (p != out)
		memcpy(out, p, len);
}

/* Wait for the operation @idx; with @svc, run the service between polls. */
static int wait_idx(struct sva_queue *q, int idx, struct sva_dpdk_iopf_service *svc,
		    enum sva_status *bad)
{
	uint64_t t0 = sva_now_ns();
	*bad = SVA_STATUS_SUCCESS;
	while (sva_now_ns() - t0 < DEADLINE_NS) {
		enum sva_status st[32];
		uint16_t last;
		uint16_t n = sva_completed_status(q, 32, &last, st);
		for (uint16_t i = 0; i < n; i++)
			if (st[i] != SVA_STATUS_SUCCESS && *bad == SVA_STATUS_SUCCESS)
				*bad = st[i];
		if (n && last == (uint16_t)idx)
			return 0;
		if (svc)
			sva_dpdk_iopf_service_run(svc);
	}
	return -ETIMEDOUT;
}

struct dev_ctx {
	struct sva_dev *dev;
	struct sva_iopf *pf;
	struct sva_queue *q;
};

static void dev_open(struct dev_ctx *c, const char *name, uint16_t ring, enum sva_fault_mode fm,
		     bool handler_thread)
{
	memset(c, 0, sizeof(*c));
	c->dev = sva_dev_open(name, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->dev);
	c->pf = sva_iopf_create(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->pf);
	EXPECT_EQ(sva_dev_attach_iopf(c->dev, c->pf), 0);
	if (handler_thread)
		EXPECT_EQ(sva_iopf_start(c->pf, -1), 0);
	c->q = sva_queue_create(c->dev, &(struct sva_queue_conf){.nb_desc = ring, .fault_mode = fm});
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->q);
}

static void dev_close(struct dev_ctx *c)
{
	if (c->q)
		sva_queue_destroy(c->q);
	sva_dev_close(c->dev);
	sva_iopf_destroy(c->pf);
}

/* ---- mbuf helpers ------------------------------------------------------------------- */

static void test_nb_ops(void)
{
	uint8_t data[1000];
	fill_random(data, sizeof(data), 1);
	struct rte_mbuf *m = make_chain(data, 1000, 100, true); /* 10 segments + 1 empty */
	EXPECT_EQ(m->nb_segs, 11);
	EXPECT_EQ(sva_dpdk_mbuf_nb_ops(m, 0, 1000), 10);
	EXPECT_EQ(sva_dpdk_mbuf_nb_ops(m, 0, 100), 1);
	EXPECT_EQ(sva_dpdk_mbuf_nb_ops(m, 50, 100), 2);
	EXPECT_EQ(sva_dpdk_mbuf_nb_ops(m, 100, 100), 1);
	EXPECT_EQ(sva_dpdk_mbuf_nb_ops(m, 999, 1), 1);
	EXPECT_EQ(sva_dpdk_mbuf_nb_ops(m, 999, 2), 0);
	EXPECT_EQ(sva_dpdk_mbuf_nb_ops(m, 0, 0), 0);
	EXPECT_EQ(sva_dpdk_mbuf_nb_ops(NULL, 0, 1), 0);
	rte_pktmbuf_free(m);
}

static void test_copy_from_mbuf(void)
{
	struct dev_ctx c;
	dev_open(&c, "dsa_sim0,engines=1", 256, SVA_FAULT_BLOCK, true);
	uint8_t data[1500], out[1500];
	fill_random(data, sizeof(data), 2);
	static const struct { uint16_t seg; uint32_t off, len; } cases[] = {
		{0, 0, 1500}, {0, 14, 1000}, {100, 0, 1500}, {100, 0, 1}, {100, 99, 2},
		{100, 250, 1250}, {64, 3, 1497}, {1000, 999, 501},
	};
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct rte_mbuf *m = make_chain(data, 1500, cases[i].seg, i % 2);
		uint8_t *dst = fresh(8192); /* never touched: faults on first use */
		uint8_t *at = dst + 4096 - 7;
		uint16_t nb = 0;
		int idx = sva_dpdk_copy_from_mbuf(c.q, at, m, cases[i].off, cases[i].len,
						  SVA_OP_FLAG_SUBMIT, &nb);
		CU_ASSERT(idx >= 0);
		EXPECT_EQ(nb, sva_dpdk_mbuf_nb_ops(m, cases[i].off, cases[i].len));
		enum sva_status bad;
		EXPECT_EQ(wait_idx(c.q, idx, NULL, &bad), 0);
		EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
		gather(m, cases[i].off, cases[i].len, out);
		CU_ASSERT(memcmp(at, out, cases[i].len) == 0);
		EXPECT_EQ(at[-1], 0);
		EXPECT_EQ(at[cases[i].len], 0);
		munmap(dst, 8192);
		rte_pktmbuf_free(m);
	}
	dev_close(&c);
}

static void test_copy_to_mbuf(void)
{
	struct dev_ctx c;
	dev_open(&c, "dsa_sim0,engines=1", 256, SVA_FAULT_PARTIAL, true);
	uint8_t zero[1500] = {0}, out[1500];
	uint8_t *src = fresh(8192);
	fill_random(src + 100, 1500, 3); /* the rest stays untouched */
	struct rte_mbuf *m = make_chain(zero, 1500, 96, false);
	uint16_t nb = 0;
	int idx = sva_dpdk_copy_to_mbuf(c.q, m, 10, src + 100, 1480, 0, &nb);
	CU_ASSERT(idx >= 0);
	EXPECT_EQ(nb, 16);
	EXPECT_EQ(nb, sva_dpdk_mbuf_nb_ops(m, 10, 1480));
	EXPECT_EQ(sva_submit(c.q), 0);
	enum sva_status bad;
	EXPECT_EQ(wait_idx(c.q, idx, NULL, &bad), 0);
	EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
	gather(m, 0, 1500, out);
	CU_ASSERT(memcmp(out + 10, src + 100, 1480) == 0);
	CU_ASSERT(memcmp(out, zero, 10) == 0);
	CU_ASSERT(memcmp(out + 1490, zero, 10) == 0);
	rte_pktmbuf_free(m);
	munmap(src, 8192);
	dev_close(&c);
}

static void test_copy_mbuf(void)
{
	struct dev_ctx c;
	dev_open(&c, "dsa_sim0,engines=1", 256, SVA_FAULT_BLOCK, true);
	uint8_t data[1500], zero[1500] = {0}, a[1500], b[1500];
	fill_random(data, sizeof(data), 4);
	static const struct { uint16_t sseg, dseg; uint32_t soff, doff, len; } cases[] = {
		{100, 64, 0, 0, 1500}, {64, 100, 5, 17, 1400}, {0, 96, 0, 0, 1500},
		{100, 0, 33, 0, 1000}, {100, 100, 0, 50, 1450},
	};
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct rte_mbuf *s = make_chain(data, 1500, cases[i].sseg, false);
		struct rte_mbuf *d = make_chain(zero, 1500, cases[i].dseg, i == 1);
		uint16_t nb = 0;
		int idx = sva_dpdk_copy_mbuf(c.q, d, cases[i].doff, s, cases[i].soff, cases[i].len,
					     SVA_OP_FLAG_SUBMIT | SVA_OP_FLAG_FENCE, &nb);
		CU_ASSERT(idx >= 0);
		CU_ASSERT(nb >= 1);
		enum sva_status bad;
		EXPECT_EQ(wait_idx(c.q, idx, NULL, &bad), 0);
		EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
		gather(s, cases[i].soff, cases[i].len, a);
		gather(d, cases[i].doff, cases[i].len, b);
		CU_ASSERT(memcmp(a, b, cases[i].len) == 0);
		rte_pktmbuf_free(s);
		rte_pktmbuf_free(d);
	}
	dev_close(&c);
}

static void test_mbuf_errors(void)
{
	struct dev_ctx c;
	dev_open(&c, "dsa_sim0,engines=1", 4, SVA_FAULT_BLOCK, true);
	uint8_t data[1000], buf[1000];
	fill_random(data, sizeof(data), 5);
	struct rte_mbuf *m = make_chain(data, 1000, 100, false); /* 10 segments */
	struct rte_mbuf *one = make_chain(data, 1000, 0, false);
	uint16_t nb = 7;
	EXPECT_EQ(sva_dpdk_copy_from_mbuf(c.q, buf, m, 0, 0, 0, NULL), -EINVAL);
	EXPECT_EQ(sva_dpdk_copy_from_mbuf(c.q, buf, m, 900, 101, 0, NULL), -EINVAL);
	EXPECT_EQ(sva_dpdk_copy_from_mbuf(c.q, NULL, m, 0, 10, 0, NULL), -EINVAL);
	EXPECT_EQ(sva_dpdk_copy_from_mbuf(NULL, buf, m, 0, 10, 0, NULL), -EINVAL);
	EXPECT_EQ(sva_dpdk_copy_to_mbuf(c.q, m, 1, data, 1000, 0, NULL), -EINVAL);
	EXPECT_EQ(sva_dpdk_copy_mbuf(c.q, one, 0, m, 1, 1000, 0, NULL), -EINVAL);
	/* Ten operations do not fit a ring of four: none is enqueued. */
	EXPECT_EQ(sva_burst_capacity(c.q), 4);
	EXPECT_EQ(sva_dpdk_copy_from_mbuf(c.q, buf, m, 0, 1000, SVA_OP_FLAG_SUBMIT, &nb), -ENOSPC);
	EXPECT_EQ(sva_dpdk_copy_mbuf(c.q, one, 0, m, 0, 1000, 0, &nb), -ENOSPC);
	EXPECT_EQ(sva_burst_capacity(c.q), 4);
	/* Four do. */
	memset(buf, 0, sizeof(buf));
	int idx = sva_dpdk_copy_from_mbuf(c.q, buf, m, 50, 350, SVA_OP_FLAG_SUBMIT, &nb);
	CU_ASSERT(idx >= 0);
	EXPECT_EQ(nb, 4);
	enum sva_status bad;
	EXPECT_EQ(wait_idx(c.q, idx, NULL, &bad), 0);
	CU_ASSERT(memcmp(buf, data + 50, 350) == 0);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(one);
	dev_close(&c);
}

/* ---- the fault handler as a service --------------------------------------------------- */

/* Copy 256 KiB into memory never touched, with the handler run by @svc from
 * here (service_lcore false) or by a service lcore. */
static void copy_fresh_with_service(const char *dev, enum sva_fault_mode fm, bool service_lcore)
{
	struct dev_ctx c;
	dev_open(&c, dev, 64, fm, false);
	struct sva_dpdk_iopf_service *svc = sva_dpdk_iopf_service_create(
		c.pf, &(struct sva_dpdk_iopf_service_conf){.name = "test_iopf", .budget = 32});
	CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
	uint32_t id;
	EXPECT_EQ(rte_service_get_by_name("test_iopf", &id), 0);
	EXPECT_EQ(id, sva_dpdk_iopf_service_id(svc));
	if (service_lcore)
		EXPECT_EQ(sva_dpdk_iopf_service_map_lcore(svc, second_lcore), 0);
	size_t len = 256 * 1024;
	uint8_t *src = malloc(len), *dst = fresh(len);
	fill_random(src, len, 6);
	int idx = -1;
	for (size_t off = 0; off < len; off += 16384)
		idx = sva_copy(c.q, dst + off, src + off, 16384, 0);
	CU_ASSERT(idx >= 0);
	EXPECT_EQ(sva_submit(c.q), 0);
	enum sva_status bad;
	EXPECT_EQ(wait_idx(c.q, idx, service_lcore ? NULL : svc, &bad), 0);
	EXPECT_EQ(bad, SVA_STATUS_SUCCESS);
	CU_ASSERT(memcmp(dst, src, len) == 0);
	struct sva_iopf_stats st;
	EXPECT_EQ(sva_iopf_stats_get(c.pf, &st), 0);
	CU_ASSERT(st.requests > 0);
	CU_ASSERT(st.pages_resolved > 0);
	EXPECT_EQ(sva_dpdk_iopf_service_destroy(svc), 0);
	EXPECT_EQ(rte_service_get_by_name("test_iopf", &id), -ENODEV);
	if (service_lcore) /* given back as an ordinary worker lcore */
		CU_ASSERT(rte_lcore_is_enabled(second_lcore));
	free(src);
	munmap(dst, len);
	dev_close(&c);
}

static void test_service_lcore(void)
{
	if (second_lcore == RTE_MAX_LCORE) {
		fprintf(stderr, "no second lcore: not tested\n");
		return;
	}
	copy_fresh_with_service("dsa_sim0,engines=1", SVA_FAULT_BLOCK, true);
}

static void test_service_app_lcore_block(void)
{
	copy_fresh_with_service("dsa_sim0,engines=1", SVA_FAULT_BLOCK, false);
}

static void test_service_app_lcore_partial_inline(void)
{
	/* engines=0: the device runs in this thread too; everything on one core. */
	copy_fresh_with_service("dsa_sim0,engines=0", SVA_FAULT_PARTIAL, false);
}

static void test_service_errors(void)
{
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dpdk_iopf_service_create(NULL, NULL));
	EXPECT_EQ(errno, EINVAL);
	struct sva_iopf *pf = sva_iopf_create(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pf);
	struct sva_dpdk_iopf_service *a = sva_dpdk_iopf_service_create(pf, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dpdk_iopf_service_create(pf, NULL)); /* same default name */
	EXPECT_EQ(errno, EEXIST);
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dpdk_iopf_service_create(
		pf, &(struct sva_dpdk_iopf_service_conf){
			    .name = "a_service_name_that_is_far_too_long_for_dpdk"}));
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(sva_dpdk_iopf_service_map_lcore(a, rte_get_main_lcore()), -EINVAL);
	EXPECT_EQ(sva_dpdk_iopf_service_map_lcore(a, RTE_MAX_LCORE), -EINVAL);
	EXPECT_EQ(sva_dpdk_iopf_service_run(a), 0); /* nothing queued: cheap */
	EXPECT_EQ(sva_dpdk_iopf_service_run(NULL), -EINVAL);
	EXPECT_EQ(sva_dpdk_iopf_service_destroy(a), 0);
	EXPECT_EQ(sva_dpdk_iopf_service_destroy(NULL), 0);
	sva_iopf_destroy(pf);
}

/* ---- one queue per lcore ---------------------------------------------------------------- */

struct worker_arg {
	struct sva_dpdk_lcore_queues *t;
	struct sva_queue *seen;
	int status;
};

static int worker(void *p)
{
	struct worker_arg *w = p;
	w->seen = sva_dpdk_lcore_queue(w->t);
	uint64_t a = 0x1234, b = 0;
	w->status = -1;
	if (!w->seen)
		return 0;
	int idx = sva_copy(w->seen, &b, &a, sizeof(a), SVA_OP_FLAG_SUBMIT);
	enum sva_status bad;
	if (idx >= 0 && wait_idx(w->seen, idx, NULL, &bad) == 0 && bad == SVA_STATUS_SUCCESS &&
	    b == a)
		w->status = 0;
	return 0;
}

static void test_lcore_queues(void)
{
	struct sva_dev *dev = sva_dev_open("dsa_sim0,wqs=2,engines=1", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_iopf *pf = sva_iopf_create(NULL);
	EXPECT_EQ(sva_dev_attach_iopf(dev, pf), 0);
	EXPECT_EQ(sva_iopf_start(pf, -1), 0);
	struct sva_dpdk_lcore_queues *t =
		sva_dpdk_lcore_queues_create(dev, NULL, SVA_DPDK_LCORES_MAIN | SVA_DPDK_LCORES_WORKERS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT_EQ(t->nb_queues, rte_lcore_count());
	struct sva_queue *mine = sva_dpdk_lcore_queue(t);
	CU_ASSERT_PTR_NOT_NULL(mine);
	CU_ASSERT(mine == sva_dpdk_lcore_queue_of(t, rte_get_main_lcore()));
	EXPECT_EQ(sva_dpdk_lcore_queues_add(t, rte_get_main_lcore()), -EEXIST);
	EXPECT_EQ(sva_dpdk_lcore_queues_add(t, RTE_MAX_LCORE), -EINVAL);
	CU_ASSERT_PTR_NULL(sva_dpdk_lcore_queue_of(t, RTE_MAX_LCORE + 5));
	if (second_lcore != RTE_MAX_LCORE) {
		struct worker_arg w = {.t = t};
		EXPECT_EQ(rte_eal_remote_launch(worker, &w, second_lcore), 0);
		EXPECT_EQ(rte_eal_wait_lcore(second_lcore), 0);
		CU_ASSERT(w.seen == sva_dpdk_lcore_queue_of(t, second_lcore));
		CU_ASSERT(w.seen != mine);
		EXPECT_EQ(w.status, 0);
		CU_ASSERT(sva_queue_pasid(w.seen) != sva_queue_pasid(mine));
	}
	sva_dpdk_lcore_queues_free(t);
	sva_dpdk_lcore_queues_free(NULL);
	/* More lcores than queues. */
	sva_dev_close(dev);
	dev = sva_dev_open("dsa_sim0,wqs=1,engines=1", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	if (rte_lcore_count() > 1) {
		errno = 0;
		CU_ASSERT_PTR_NULL(sva_dpdk_lcore_queues_create(
			dev, NULL, SVA_DPDK_LCORES_MAIN | SVA_DPDK_LCORES_WORKERS));
		EXPECT_EQ(errno, ENOSPC);
	}
	t = sva_dpdk_lcore_queues_create(dev, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT_EQ(t->nb_queues, 0);
	EXPECT_EQ(sva_dpdk_lcore_queues_add(t, rte_get_main_lcore()), 0);
	sva_dpdk_lcore_queues_free(t);
	sva_dev_close(dev);
	sva_iopf_destroy(pf);
}

static void test_eal_ensure(void)
{
	EXPECT_EQ(sva_dpdk_eal_ensure(), 0); /* the test initialised it */
}

static int on_ctrl(void *arg)
{
	*(pthread_t *)arg = pthread_self();
	return rte_lcore_id() == LCORE_ID_ANY ? 42 : -1; /* not an lcore */
}

static void test_call_on_ctrl_cpus(void)
{
	pthread_t t = pthread_self();
	EXPECT_EQ(sva_dpdk_call_on_ctrl_cpus(on_ctrl, &t), 42);
	CU_ASSERT(!pthread_equal(t, pthread_self()));
	EXPECT_EQ(sva_dpdk_call_on_ctrl_cpus(NULL, NULL), -EINVAL);
}

static const struct sva_test_case cases[] = {
	{"eal_ensure", test_eal_ensure},
	{"call_on_ctrl_cpus", test_call_on_ctrl_cpus},
	{"nb_ops", test_nb_ops},
	{"copy_from_mbuf", test_copy_from_mbuf},
	{"copy_to_mbuf", test_copy_to_mbuf},
	{"copy_mbuf", test_copy_mbuf},
	{"mbuf_errors", test_mbuf_errors},
	{"lcore_queues", test_lcore_queues},
	{"service_errors", test_service_errors},
	{"service_lcore", test_service_lcore},
	{"service_app_lcore_block", test_service_app_lcore_block},
	{"service_app_lcore_partial_inline", test_service_app_lcore_partial_inline},
	{NULL, NULL},
};

static int register_suites(void)
{
	return sva_test_add_suite("dpdk", cases, NULL, NULL);
}

int main(void)
{
	/* Two lcores, each allowed on every CPU we may use. */
	cpu_set_t set;
	char cpus[1024] = "", lcores[2200];
	if (sched_getaffinity(0, sizeof(set), &set) < 0) {
		perror("sched_getaffinity");
		return 1;
	}
	size_t n = 0;
	for (int c = 0; c < CPU_SETSIZE && n < sizeof(cpus); c++)
		if (CPU_ISSET(c, &set))
			n += (size_t)snprintf(cpus + n, sizeof(cpus) - n, "%s%d", n ? "," : "", c);
	if (n >= sizeof(cpus)) {
		fprintf(stderr, "the CPU list does not fit in %zu bytes\n", sizeof(cpus));
		return 1;
	}
	snprintf(lcores, sizeof(lcores), "--lcores=0@(%s),1@(%s)", cpus, cpus);
	char *argv[] = {"test_dpdk_lib", "--no-huge", "--no-shconf", "--no-pci", "--no-telemetry",
			"--iova-mode=va", "--log-level=warning", "-m", "256", lcores, NULL};
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "SKIP: the DPDK EAL does not start here: %s\n",
			rte_strerror(rte_errno));
		return 77;
	}
	second_lcore = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	if (second_lcore >= RTE_MAX_LCORE)
		second_lcore = RTE_MAX_LCORE;
	small_pool = rte_pktmbuf_pool_create("small", 2047, 0, 0, 100 + RTE_PKTMBUF_HEADROOM,
					     SOCKET_ID_ANY);
	big_pool = rte_pktmbuf_pool_create("big", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   SOCKET_ID_ANY);
	if (!small_pool || !big_pool) {
		fprintf(stderr, "cannot create mbuf pools: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	int rc = sva_test_main(register_suites);
	rte_eal_cleanup();
	return rc;
}
