/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of lib/iopf: the poll-mode fault handler and the software fault
 * queue, end to end through the software IOMMU: a test device translates
 * through a translation cache, raises page requests on faults, waits for the
 * answer, retries, then touches the memory; the test checks the bytes. */
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
#include <sys/syscall.h>
#include <unistd.h>

#include "sim_iommu.h"
#include "sva_as.h"
#include "sva_common.h"
#include "sva_cpu.h"
#include "sva_iopf.h"
#include "sva_iopf_swq.h"
#include "sva_test.h"
#include "sva_test_util.h"
#include "sva_time.h"

/* Pages of [p, p + npages) resident, as a bit string ("1110..."). */
static void residency(const void *p, size_t npages, char *out)
{
	unsigned char vec[512];
	CU_ASSERT_FATAL(npages <= sizeof(vec));
	CU_ASSERT_FATAL(mincore((void *)(uintptr_t)p, npages * PG, vec) == 0);
	for (size_t i = 0; i < npages; i++)
		out[i] = (vec[i] & 1) ? '1' : '0';
	out[npages] = '\0';
}

static struct sva_iopf_stats stats(struct sva_iopf *pf)
{
	struct sva_iopf_stats st;
	CU_ASSERT(sva_iopf_stats_get(pf, &st) == 0);
	return st;
}

/* ---- rig: IOMMU + address space + handler ----------------------------------- */

struct rig {
	struct sim_iommu *mmu;
	struct sva_as *as;
	struct sva_iopf *pf;
	uint32_t pasid;
};

static void rig_init_conf(struct rig *r, struct sva_as *as, const struct sva_iopf_conf *conf)
{
	memset(r, 0, sizeof(*r));
	r->mmu = sim_iommu_create(NULL);
	r->as = as;
	r->pf = sva_iopf_create(conf);
	CU_ASSERT_FATAL(r->mmu && r->as && r->pf);
	CU_ASSERT_FATAL(sim_iommu_attach_iopf(r->mmu, r->pf) == 0);
	CU_ASSERT_FATAL(sim_iommu_pasid_alloc(r->mmu, &r->pasid) == 0);
	CU_ASSERT_FATAL(sim_iommu_bind(r->mmu, r->pasid, r->as) == 0);
}

static void rig_init(struct rig *r, struct sva_as *as, int fault_ahead)
{
	rig_init_conf(r, as, &(struct sva_iopf_conf){.name = "test-iopf", .fault_ahead = fault_ahead});
}

static void rig_fini(struct rig *r)
{
	/* The IOMMU first: it detaches its queue from the handler. */
	sim_iommu_destroy(r->mmu);
	sva_iopf_destroy(r->pf);
	sva_as_put(r->as);
}

/* Raise a group of pages and return its ticket (asserting success). */
static uint64_t raise_group(struct rig *r, const uint64_t *addrs, unsigned int n, uint32_t perm)
{
	struct sva_iopf_page pages[64];
	for (unsigned int i = 0; i < n; i++)
		pages[i] = (struct sva_iopf_page){.addr = addrs[i], .perm = perm};
	uint64_t tk = 0;
	EXPECT_EQ(sim_iommu_page_request(r->mmu, r->pasid, pages, n, &tk), 0);
	return tk;
}

static int raise1(struct rig *r, const void *va, uint32_t perm)
{
	uint64_t a = u(va);
	uint64_t tk = raise_group(r, &a, 1, perm);
	sva_iopf_poll(r->pf, 64);
	return sim_iommu_page_response(r->mmu, tk, sva_now_ns());
}

/* ---- the test device ------------------------------------------------------------ */

struct dev {
	struct rig *rig;
	struct sim_atc *atc;
	uint32_t pasid;
	/* what it did */
	uint64_t faults;    /* page requests raised */
	uint64_t answers;   /* answers received */
	uint64_t invalid;   /* INVALID answers */
	uint64_t timeouts;
	uint64_t double_answers; /* a consumed ticket that answered again */
};

static void dev_init(struct dev *d, struct rig *r, uint32_t pasid)
{
	memset(d, 0, sizeof(*d));
	d->rig = r;
	d->pasid = pasid;
	d->atc = sim_atc_create(r->mmu, 0);
	CU_ASSERT_FATAL(d->atc != NULL);
}

/* Translate [va, va + len) for @perm like a device with page requests:
 * on FAULT raise a request for the faulting page, wait for the answer,
 * retry. 0 when accessible; -EFAULT on INVALID; -ETIMEDOUT. */
static int dev_translate(struct dev *d, uint64_t va, uint64_t len, uint32_t perm)
{
	struct sim_iommu *mmu = d->rig->mmu;
	uint64_t last_fault = UINT64_MAX;
	unsigned int same = 0;
	for (;;) {
		uint64_t ok = 0;
		sim_atc_sync(d->atc);
		enum sim_xlate x = sim_atc_translate(d->atc, d->pasid, va, len, perm, &ok);
		if (x == SIM_XLATE_OK)
			return 0;
		if (x == SIM_XLATE_INVALID)
			return -EFAULT;
		uint64_t fault = SVA_ALIGN_DOWN(va + ok, PG);
		if (fault == last_fault && ++same > 8)
			return -ELOOP; /* answered SUCCESS but still not accessible */
		if (fault != last_fault)
			same = 0;
		last_fault = fault;
		struct sva_iopf_page pg = {.addr = va + ok, .perm = perm};
		uint64_t tk;
		int rc;
		while ((rc = sim_iommu_page_request(mmu, d->pasid, &pg, 1, &tk)) == -ENOSPC)
			sched_yield();
		if (rc < 0)
			return rc;
		d->faults++;
		uint64_t t0 = sva_now_ns();
		int st;
		while ((st = sim_iommu_page_response(mmu, tk, t0)) == SVA_IOPF_SWQ_PENDING) {
			if (sva_now_ns() - t0 > SVA_TEST_DEADLINE_NS) {
				sim_iommu_page_cancel(mmu, tk);
				d->timeouts++;
				return -ETIMEDOUT;
			}
			sched_yield();
		}
		d->answers++;
		if (sim_iommu_page_response(mmu, tk, t0) != -EINVAL)
			d->double_answers++;
		if (st != SVA_IOPF_SUCCESS) {
			d->invalid++;
			return -EFAULT;
		}
	}
}

/* Device write of @len bytes of pattern @seed at @va, a page at a time. */
static int dev_write(struct dev *d, char *va, size_t len, unsigned int seed)
{
	for (size_t off = 0; off < len; off += PG) {
		size_t n = SVA_MIN((size_t)PG, len - off);
		int rc = dev_translate(d, u(va + off), n, SVA_PERM_WRITE);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < n; i++)
			va[off + i] = (char)(seed + (off + i) * 7 + (off + i) / 4096);
	}
	return 0;
}

/* Device read of [va, va + len) into @out, one translation for the range. */
static int dev_read(struct dev *d, const char *va, size_t len, char *out)
{
	int rc = dev_translate(d, u(va), len, SVA_PERM_READ);
	if (rc == 0)
		memcpy(out, va, len);
	return rc;
}

static size_t pattern_errors(const char *va, size_t len, unsigned int seed)
{
	size_t bad = 0;
	for (size_t i = 0; i < len; i++)
		bad += va[i] != (char)(seed + i * 7 + i / 4096);
	return bad;
}

struct dev_job {
	struct dev *d;
	char *buf;
	size_t len;
	unsigned int seed;
	int rc;
	_Atomic int done;
};

static void *dev_write_thread(void *arg)
{
	struct dev_job *j = arg;
	j->rc = dev_write(j->d, j->buf, j->len, j->seed);
	atomic_store(&j->done, 1);
	return NULL;
}

struct read_job {
	struct dev *d;
	const char *va;
	size_t len;
	char *out;
	int rc;
	_Atomic int done;
};

static void *dev_read_thread(void *arg)
{
	struct read_job *j = arg;
	j->rc = dev_read(j->d, j->va, j->len, j->out);
	atomic_store(&j->done, 1);
	return NULL;
}

/* Run @fn(@arg) on a device thread, which sets @done at the end, while this
 * thread polls the handler. */
static void app_poll_job(struct rig *r, void *(*fn)(void *), void *arg, _Atomic int *done)
{
	pthread_t th;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, fn, arg) == 0);
	while (!atomic_load(done))
		if (sva_iopf_poll(r->pf, 64) == 0)
			sched_yield();
	pthread_join(th, NULL);
}

/* Run the device write @j while this thread polls the handler. */
static void run_with_app_poll(struct rig *r, struct dev_job *j)
{
	app_poll_job(r, dev_write_thread, j, &j->done);
}

/* ---- request → resolve → response ------------------------------------------------ */

static void test_roundtrip_app_poll(void)
{
	struct rig r;
	rig_init(&r, sva_as_create_process(NULL), 0);
	struct dev d;
	dev_init(&d, &r, r.pasid);

	/* Fresh anonymous memory, written by the device: one fault per page. */
	size_t npages = 16;
	char *buf = map_anon(npages, PROT_READ | PROT_WRITE);
	struct dev_job j = {.d = &d, .buf = buf, .len = npages * PG, .seed = 3};
	run_with_app_poll(&r, &j);
	EXPECT_EQ(j.rc, 0);
	EXPECT_EQ(pattern_errors(buf, npages * PG, 3), 0);
	EXPECT_EQ(d.faults, npages);
	EXPECT_EQ(d.answers, npages);
	EXPECT_EQ(d.double_answers, 0);
	struct sva_iopf_stats st = stats(r.pf);
	EXPECT_EQ(st.requests, npages);
	EXPECT_EQ(st.groups, npages);
	EXPECT_EQ(st.pages_resolved, npages);
	EXPECT_EQ(st.invalid, 0);
	EXPECT_EQ(st.fault_ahead_pages, 0);
	EXPECT_EQ(st.respond_errors, 0);
	EXPECT_EQ(st.lat_count, npages);
	CU_ASSERT(st.lat_p50_ns > 0 && st.lat_p50_ns <= st.lat_p99_ns && st.lat_p99_ns <= st.lat_max_ns);
	CU_ASSERT(st.busy_polls >= 1 && st.busy_polls <= npages && st.polls >= st.busy_polls);
	EXPECT_EQ(sva_hist_count(sva_iopf_latency_hist(r.pf)), npages);
	/* Written again: present now, no more faults. */
	j = (struct dev_job){.d = &d, .buf = buf, .len = npages * PG, .seed = 11};
	run_with_app_poll(&r, &j);
	EXPECT_EQ(j.rc, 0);
	EXPECT_EQ(d.faults, npages);
	EXPECT_EQ(pattern_errors(buf, npages * PG, 11), 0);

	/* A large malloc'd buffer (fresh pages from the allocator), unaligned. */
	size_t mlen = 300 * 1024 + 123;
	char *m = malloc(mlen);
	CU_ASSERT_FATAL(m != NULL);
	j = (struct dev_job){.d = &d, .buf = m, .len = mlen, .seed = 5};
	uint64_t f0 = d.faults;
	run_with_app_poll(&r, &j);
	EXPECT_EQ(j.rc, 0);
	EXPECT_EQ(pattern_errors(m, mlen, 5), 0);
	CU_ASSERT(d.faults - f0 <= (mlen + 2 * PG) / PG);
	/* The device reads what the CPU wrote. */
	memset(m, 0x3c, mlen);
	char *copy = malloc(mlen);
	CU_ASSERT_FATAL(copy != NULL);
	EXPECT_EQ(dev_read(&d, m, mlen, copy), 0);
	CU_ASSERT(memcmp(copy, m, mlen) == 0);
	free(copy);
	volatile uintptr_t m_addr = (uintptr_t)m;
	free(m);
	/* free() unmapped it: report that, or the cache keeps translating the
	 * address to whatever is mapped there next. The allocator may have
	 * unmapped more than the block (ASan's puts headers and redzones in
	 * pages of their own), and a walk caches the 64 pages around the one
	 * it was asked for: flush the device's cache, as the unknown rest
	 * cannot be named. */
	sva_as_invalidate(r.as, (void *)m_addr, mlen);
	sim_atc_flush(d.atc);

	/* Reads fault too: a private file mapping, never touched. The device
	 * sees the file's bytes. */
	char path[] = "/tmp/svadk-iopf-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	unlink(path);
	char *content = malloc(4 * PG);
	CU_ASSERT_FATAL(content != NULL);
	for (size_t i = 0; i < 4 * PG; i++)
		content[i] = (char)(i * 13 + 1);
	CU_ASSERT_FATAL(write(fd, content, 4 * PG) == (ssize_t)(4 * PG));
	char *fm = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	CU_ASSERT_FATAL(fm != MAP_FAILED);
	char *got = malloc(4 * PG);
	CU_ASSERT_FATAL(got != NULL);
	memset(got, 0, 4 * PG);
	f0 = d.faults;
	struct read_job rj = {.d = &d, .va = fm, .len = 4 * PG, .out = got};
	app_poll_job(&r, dev_read_thread, &rj, &rj.done);
	EXPECT_EQ(rj.rc, 0);
	CU_ASSERT(memcmp(got, content, 4 * PG) == 0);
	/* At least one fault; the kernel's fault-around may map the other
	 * page-cache pages with the first. */
	CU_ASSERT(d.faults - f0 >= 1 && d.faults - f0 <= 4);
	munmap(fm, 4 * PG);
	close(fd);
	free(got);
	free(content);

	sim_atc_free(d.atc);
	munmap(buf, npages * PG);
	rig_fini(&r);
}

/* ---- groups ------------------------------------------------------------------------ */

static void test_groups(void)
{
	struct rig r;
	rig_init(&r, sva_as_create_process(NULL), 0);
	char *buf = map_anon(16, PROT_READ | PROT_WRITE);
	uint64_t addrs[8];
	for (int i = 0; i < 8; i++)
		addrs[i] = u(buf + (uint64_t)i * 2 * PG); /* every other page */
	uint64_t tk = raise_group(&r, addrs, 8, SVA_PERM_WRITE);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, tk, sva_now_ns()), SVA_IOPF_SWQ_PENDING);
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 8);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, tk, sva_now_ns()), SVA_IOPF_SUCCESS);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, tk, sva_now_ns()), -EINVAL); /* answered once */
	struct sva_iopf_stats st = stats(r.pf);
	EXPECT_EQ(st.requests, 8);
	EXPECT_EQ(st.groups, 1);
	EXPECT_EQ(st.pages_resolved, 8);
	EXPECT_EQ(st.lat_count, 1);
	char res[17];
	residency(buf, 16, res);
	CU_ASSERT_STRING_EQUAL(res, "1010101010101010");
	struct sva_iopf_swq_stats qs;
	sva_iopf_swq_stats_get(sim_iommu_prq(r.mmu), &qs);
	EXPECT_EQ(qs.raised, 1);
	EXPECT_EQ(qs.records, 8);
	EXPECT_EQ(qs.answered, 1);

	/* A group with one unresolvable page is answered INVALID, once. */
	char *gone = map_anon(1, PROT_READ | PROT_WRITE);
	munmap(gone, PG);
	uint64_t mixed[3] = {u(buf + PG), u(gone), u(buf + 3 * PG)};
	tk = raise_group(&r, mixed, 3, SVA_PERM_WRITE);
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 3);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, tk, sva_now_ns()), SVA_IOPF_INVALID);
	st = stats(r.pf);
	EXPECT_EQ(st.groups, 2);
	EXPECT_EQ(st.invalid, 1);
	/* The pages after the bad one are not resolved (the group failed). */
	residency(buf, 4, res);
	CU_ASSERT_STRING_EQUAL(res, "1110");

	/* A budget smaller than a group: the group completes over two polls. */
	uint64_t four[4] = {u(buf + 5 * PG), u(buf + 7 * PG), u(buf + 9 * PG), u(buf + 11 * PG)};
	tk = raise_group(&r, four, 4, SVA_PERM_READ);
	EXPECT_EQ(sva_iopf_poll(r.pf, 3), 3);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, tk, sva_now_ns()), SVA_IOPF_SWQ_PENDING);
	EXPECT_EQ(sva_iopf_poll(r.pf, 3), 1);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, tk, sva_now_ns()), SVA_IOPF_SUCCESS);
	EXPECT_EQ(stats(r.pf).groups, 3);
	munmap(buf, 16 * PG);
	rig_fini(&r);
}

/* ---- fault-ahead --------------------------------------------------------------------- */

static void test_fault_ahead(void)
{
	char res[65];
	/* Default: 15 pages after the faulting one. */
	struct rig r;
	rig_init(&r, sva_as_create_process(NULL), -1);
	EXPECT_EQ(sva_iopf_fault_ahead(r.pf), 15);
	char *buf = map_anon(64, PROT_READ | PROT_WRITE);
	EXPECT_EQ(raise1(&r, buf + 8 * PG + 100, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	residency(buf, 40, res);
	CU_ASSERT_STRING_EQUAL(res, "0000000011111111111111110000000000000000");
	struct sva_iopf_stats st = stats(r.pf);
	EXPECT_EQ(st.pages_resolved, 1);
	EXPECT_EQ(st.fault_ahead_pages, 15);
	/* The device sees them all writable at once: one fault for 16 pages. */
	struct dev d;
	dev_init(&d, &r, r.pasid);
	EXPECT_EQ(dev_translate(&d, u(buf + 8 * PG), 16 * PG, SVA_PERM_WRITE), 0);
	EXPECT_EQ(d.faults, 0);
	/* Near the end of the mapping the window is cut short, the faulting
	 * page still resolves. */
	EXPECT_EQ(raise1(&r, buf + 60 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	residency(buf + 60 * PG, 4, res);
	CU_ASSERT(res[0] == '1');
	/* Read faults fault ahead too. */
	char *rd = map_anon(32, PROT_READ);
	EXPECT_EQ(raise1(&r, rd, SVA_PERM_READ), SVA_IOPF_SUCCESS);
	EXPECT_EQ(dev_translate(&d, u(rd), 16 * PG, SVA_PERM_READ), 0);
	EXPECT_EQ(d.faults, 0);
	sim_atc_free(d.atc);
	munmap(rd, 32 * PG);
	munmap(buf, 64 * PG);
	rig_fini(&r);

	/* fault_ahead = 0: only the faulting page. */
	rig_init(&r, sva_as_create_process(NULL), 0);
	EXPECT_EQ(sva_iopf_fault_ahead(r.pf), 0);
	buf = map_anon(64, PROT_READ | PROT_WRITE);
	EXPECT_EQ(raise1(&r, buf + 8 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	residency(buf, 40, res);
	CU_ASSERT_STRING_EQUAL(res, "0000000010000000000000000000000000000000");
	st = stats(r.pf);
	EXPECT_EQ(st.pages_resolved, 1);
	EXPECT_EQ(st.fault_ahead_pages, 0);
	munmap(buf, 64 * PG);
	rig_fini(&r);

	/* fault_ahead = 4: a window of 5 pages. */
	rig_init(&r, sva_as_create_process(NULL), 4);
	buf = map_anon(64, PROT_READ | PROT_WRITE);
	EXPECT_EQ(raise1(&r, buf, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	residency(buf, 8, res);
	CU_ASSERT_STRING_EQUAL(res, "11111000");
	munmap(buf, 64 * PG);
	rig_fini(&r);

	/* Limits. */
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_iopf_create(&(struct sva_iopf_conf){.fault_ahead = 512}));
	EXPECT_EQ(errno, EINVAL);
	CU_ASSERT_PTR_NULL(sva_iopf_create(&(struct sva_iopf_conf){.fault_ahead_max = 512}));
	CU_ASSERT_PTR_NULL(sva_iopf_create(&(struct sva_iopf_conf){.batch = 5000}));
	struct sva_iopf *pf = sva_iopf_create(&(struct sva_iopf_conf){.fault_ahead = 511});
	CU_ASSERT_PTR_NOT_NULL(pf);
	EXPECT_EQ(sva_iopf_fault_ahead(pf), 511);
	sva_iopf_destroy(pf);
	sva_iopf_destroy(NULL);
}

/* A device that keeps faulting on the first page after the last window
 * gets a window twice as large each time, up to the maximum. */
static void test_fault_ahead_stream(void)
{
	char res[129];
	struct rig r;
	rig_init_conf(&r, sva_as_create_process(NULL),
		      &(struct sva_iopf_conf){.fault_ahead = 3, .fault_ahead_max = 15});
	EXPECT_EQ(sva_iopf_fault_ahead(r.pf), 3);
	EXPECT_EQ(sva_iopf_fault_ahead_max(r.pf), 15);
	char *buf = map_anon(128, PROT_READ | PROT_WRITE);
	EXPECT_EQ(raise1(&r, buf, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);           /* 0..3 */
	EXPECT_EQ(raise1(&r, buf + 4 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);  /* 4..11 */
	EXPECT_EQ(raise1(&r, buf + 12 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS); /* 12..27 */
	EXPECT_EQ(raise1(&r, buf + 28 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS); /* 28..43: max */
	residency(buf, 48, res);
	CU_ASSERT_STRING_EQUAL(res, "111111111111111111111111111111111111111111110000");
	struct sva_iopf_stats st = stats(r.pf);
	EXPECT_EQ(st.pages_resolved, 4);
	EXPECT_EQ(st.fault_ahead_pages, 3 + 7 + 15 + 15);
	/* Another stream starts at the base window; the first one goes on. */
	EXPECT_EQ(raise1(&r, buf + 100 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS); /* 100..103 */
	EXPECT_EQ(raise1(&r, buf + 44 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);  /* 44..59 */
	EXPECT_EQ(raise1(&r, buf + 104 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS); /* 104..111 */
	residency(buf, 128, res);
	CU_ASSERT_STRING_EQUAL(res, "1111111111111111111111111111111111111111111111111111111111110000"
				    "0000000000000000000000000000000000001111111111110000000000000000");
	/* A fault inside the stream's window (the device raced ahead, or a page
	 * went away) continues the stream: the window after it is made. */
	CU_ASSERT(madvise(buf + 50 * PG, PG, MADV_DONTNEED) == 0);
	EXPECT_EQ(raise1(&r, buf + 50 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);  /* 50..53, 60..65 */
	residency(buf + 48 * PG, 20, res);
	CU_ASSERT_STRING_EQUAL(res, "11111111111111111100");
	/* Faults of another address space are another stream. */
	struct sva_as *other = sva_as_create_process("other");
	CU_ASSERT_FATAL(other != NULL);
	uint32_t p2;
	EXPECT_EQ(sim_iommu_pasid_alloc(r.mmu, &p2), 0);
	EXPECT_EQ(sim_iommu_bind(r.mmu, p2, other), 0);
	struct sva_iopf_page pg = {.addr = u(buf + 66 * PG), .perm = SVA_PERM_WRITE};
	uint64_t tk;
	EXPECT_EQ(sim_iommu_page_request(r.mmu, p2, &pg, 1, &tk), 0);
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 1);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, tk, 0), SVA_IOPF_SUCCESS);      /* 66..69 */
	residency(buf + 66 * PG, 8, res);
	CU_ASSERT_STRING_EQUAL(res, "11110000");
	EXPECT_EQ(sim_iommu_unbind(r.mmu, p2), 0);
	sva_as_put(other);
	munmap(buf, 128 * PG);
	rig_fini(&r);

	/* fault_ahead_max not above fault_ahead: a fixed window. */
	rig_init_conf(&r, sva_as_create_process(NULL),
		      &(struct sva_iopf_conf){.fault_ahead = 3, .fault_ahead_max = 3});
	EXPECT_EQ(sva_iopf_fault_ahead_max(r.pf), 3);
	buf = map_anon(16, PROT_READ | PROT_WRITE);
	EXPECT_EQ(raise1(&r, buf, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	EXPECT_EQ(raise1(&r, buf + 4 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	residency(buf, 12, res);
	CU_ASSERT_STRING_EQUAL(res, "111111110000");
	munmap(buf, 16 * PG);
	rig_fini(&r);

	/* No fault-ahead, no ramp. */
	rig_init(&r, sva_as_create_process(NULL), 0);
	EXPECT_EQ(sva_iopf_fault_ahead_max(r.pf), 0);
	buf = map_anon(4, PROT_READ | PROT_WRITE);
	EXPECT_EQ(raise1(&r, buf, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	EXPECT_EQ(raise1(&r, buf + PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	residency(buf, 4, res);
	CU_ASSERT_STRING_EQUAL(res, "1100");
	munmap(buf, 4 * PG);
	rig_fini(&r);
	/* The default ramps to 255. The far part of a window is made present
	 * after the answer, 128 pages per poll round. */
	rig_init(&r, sva_as_create_process(NULL), -1);
	EXPECT_EQ(sva_iopf_fault_ahead_max(r.pf), 255);
	buf = map_anon(512, PROT_READ | PROT_WRITE);
	char big[513];
	EXPECT_EQ(raise1(&r, buf, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);            /* 0..15 */
	EXPECT_EQ(raise1(&r, buf + 16 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);  /* 16..31 + 32..47 */
	EXPECT_EQ(raise1(&r, buf + 48 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);  /* 48..63 + 64..111 */
	residency(buf, 128, big);
	CU_ASSERT(strspn(big, "1") == 112 && strspn(big + 112, "0") == 16);
	EXPECT_EQ(raise1(&r, buf + 112 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS); /* 112..127 + 128..239 */
	residency(buf, 256, big);
	CU_ASSERT(strspn(big, "1") == 240 && strspn(big + 240, "0") == 16);
	st = stats(r.pf);
	EXPECT_EQ(st.pages_resolved, 4);
	EXPECT_EQ(st.fault_ahead_pages, 240 - 4);
	/* 240..255 now, then 256..495 deferred: 128 pages in this round... */
	EXPECT_EQ(raise1(&r, buf + 240 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	residency(buf, 512, big);
	CU_ASSERT(strspn(big, "1") == 384 && strspn(big + 384, "0") == 128);
	/* ... the rest in the next one. */
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 0);
	residency(buf, 512, big);
	CU_ASSERT(strspn(big, "1") == 496 && strspn(big + 496, "0") == 16);
	EXPECT_EQ(stats(r.pf).fault_ahead_pages, 496 - 5);
	/* The window stops at the end of the mapping: a mapping next to it
	 * (shared, so that it stays a mapping of its own) is left alone. */
	char *next = mmap(buf + 512 * PG, 64 * PG, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	EXPECT_EQ(raise1(&r, buf + 496 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS); /* 496..511 */
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 0);
	if (next == buf + 512 * PG) {
		residency(next, 64, big);
		CU_ASSERT(strspn(big, "0") == 64);
		munmap(next, 64 * PG);
	} else if (next != MAP_FAILED) {
		munmap(next, 64 * PG); /* placed elsewhere: nothing to check */
	}
	/* A window still to do when the handler goes away is finished (or
	 * dropped) without leaking its reference. */
	CU_ASSERT(madvise(buf + 256 * PG, 256 * PG, MADV_DONTNEED) == 0);
	EXPECT_EQ(raise1(&r, buf + 16 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	EXPECT_EQ(raise1(&r, buf + 32 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	EXPECT_EQ(raise1(&r, buf + 64 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	EXPECT_EQ(raise1(&r, buf + 128 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	EXPECT_EQ(raise1(&r, buf + 256 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	munmap(buf, 512 * PG);
	rig_fini(&r);
}

/* A drain answers every queued fault and returns: the far part of stream
 * windows still to do is left to the next rounds, not worked through with
 * the handler locked (iommufd drains on every queue release). */
static void test_drain_leaves_fault_ahead(void)
{
	struct rig r;
	rig_init(&r, sva_as_create_process(NULL), -1);
	char *buf = map_anon(1024, PROT_READ | PROT_WRITE);
	char big[513];
	/* The ramp of test_fault_ahead_stream up to 256..495 deferred... */
	static const unsigned int at[] = {0, 16, 48, 112, 240};
	for (unsigned int i = 0; i < SVA_ARRAY_SIZE(at); i++)
		EXPECT_EQ(raise1(&r, buf + at[i] * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	/* ... then 496..511 now and 512..751 deferred: this round finishes the
	 * first window (112 pages) and does 16 pages of the second. */
	EXPECT_EQ(raise1(&r, buf + 496 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	residency(buf + 512 * PG, 512, big);
	CU_ASSERT(strspn(big, "1") == 16 && strspn(big + 16, "0") == 496);
	/* Nothing queued: one round, one chunk of 128 pages; 96 are left. */
	uint64_t polls = stats(r.pf).polls;
	EXPECT_EQ(sva_iopf_drain(r.pf), 0);
	EXPECT_EQ(stats(r.pf).polls, polls + 1);
	residency(buf + 512 * PG, 512, big);
	CU_ASSERT(strspn(big, "1") == 144 && strspn(big + 144, "0") == 368);
	/* The next round goes on with them. */
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 0);
	residency(buf + 512 * PG, 512, big);
	CU_ASSERT(strspn(big, "1") == 240 && strspn(big + 240, "0") == 272);
	/* Left to do when the handler goes away: dropped, the reference put. */
	EXPECT_EQ(raise1(&r, buf + 752 * PG, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	munmap(buf, 1024 * PG);
	rig_fini(&r);
}

/* sva_iopf_resolve() directly, and a multi-page record. */
static void test_resolve_direct(void)
{
	struct sva_as *as = sva_as_create_process(NULL);
	CU_ASSERT_FATAL(as != NULL);
	/* 32 usable pages, then 8 PROT_NONE ones: a window reaching into them
	 * fails whatever else is mapped around. */
	char *buf = map_anon(40, PROT_READ | PROT_WRITE);
	CU_ASSERT_FATAL(mprotect(buf + 32 * PG, 8 * PG, PROT_NONE) == 0);
	char res[33];
	unsigned int done = 99;
	EXPECT_EQ(sva_iopf_resolve(as, u(buf + 3 * PG + 5), SVA_PERM_WRITE, 2, &done), SVA_IOPF_SUCCESS);
	EXPECT_EQ(done, 2);
	residency(buf, 8, res);
	CU_ASSERT_STRING_EQUAL(res, "00011100");
	/* The window crosses the end of the mapping: only the faulting page. */
	EXPECT_EQ(sva_iopf_resolve(as, u(buf + 30 * PG), SVA_PERM_WRITE, 8, &done), SVA_IOPF_SUCCESS);
	EXPECT_EQ(done, 0);
	residency(buf + 30 * PG, 2, res);
	CU_ASSERT(res[0] == '1');
	EXPECT_EQ(sva_iopf_resolve(as, u(buf + 32 * PG), SVA_PERM_READ, 0, &done), SVA_IOPF_INVALID);
	EXPECT_EQ(sva_iopf_resolve(as, u(buf), SVA_PERM_WRITE | 4, 0, &done), SVA_IOPF_INVALID);
	EXPECT_EQ(sva_iopf_resolve(NULL, u(buf), SVA_PERM_WRITE, 0, &done), SVA_IOPF_INVALID);
	EXPECT_EQ(sva_iopf_resolve(as, 0, SVA_PERM_READ, 0, NULL), SVA_IOPF_INVALID);
	EXPECT_EQ(sva_iopf_resolve(as, u(buf + 20 * PG), 0, 0, NULL), SVA_IOPF_SUCCESS); /* = read */
	munmap(buf, 40 * PG);
	sva_as_put(as);
}

/* ---- INVALID -------------------------------------------------------------------------- */

static void test_invalid(void)
{
	struct rig r;
	rig_init(&r, sva_as_create_process(NULL), -1);
	struct dev d;
	dev_init(&d, &r, r.pasid);

	/* Unmapped. */
	char *gone = map_anon(4, PROT_READ | PROT_WRITE);
	munmap(gone, 4 * PG);
	EXPECT_EQ(raise1(&r, gone, SVA_PERM_READ), SVA_IOPF_INVALID);
	EXPECT_EQ(raise1(&r, gone + PG, SVA_PERM_WRITE), SVA_IOPF_INVALID);
	/* Write to a read-only mapping: INVALID; the read is fine. */
	char *ro = map_anon(4, PROT_READ);
	EXPECT_EQ(raise1(&r, ro, SVA_PERM_WRITE), SVA_IOPF_INVALID);
	EXPECT_EQ(raise1(&r, ro, SVA_PERM_READ), SVA_IOPF_SUCCESS);
	struct sva_iopf_stats st = stats(r.pf);
	EXPECT_EQ(st.invalid, 3);
	EXPECT_EQ(st.groups, 4);
	EXPECT_EQ(st.pages_resolved, 1);

	/* The device write fails with an error; nothing is written. */
	char buf[8];
	struct dev_job j = {.d = &d, .buf = ro + PG, .len = PG, .seed = 1};
	run_with_app_poll(&r, &j);
	EXPECT_EQ(j.rc, -EFAULT);
	EXPECT_EQ(d.invalid, 1);
	EXPECT_EQ(ro[PG], 0);
	/* (Below mmap_min_addr: never mapped, whatever else this test maps.) */
	struct read_job rj = {.d = &d, .va = (const char *)(uintptr_t)0x2000, .len = 8, .out = buf};
	app_poll_job(&r, dev_read_thread, &rj, &rj.done);
	EXPECT_EQ(rj.rc, -EFAULT);
	EXPECT_EQ(d.invalid, 2);

	/* A PASID that is allocated but not bound: the handler has no address
	 * space for it. */
	uint32_t p2;
	EXPECT_EQ(sim_iommu_pasid_alloc(r.mmu, &p2), 0);
	struct sva_iopf_page pg = {.addr = u(ro), .perm = SVA_PERM_READ};
	uint64_t tk;
	EXPECT_EQ(sim_iommu_page_request(r.mmu, p2, &pg, 1, &tk), 0);
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 1);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, tk, sva_now_ns()), SVA_IOPF_INVALID);
	/* Unbound while the request waits: INVALID too. */
	char *ok = map_anon(1, PROT_READ | PROT_WRITE);
	EXPECT_EQ(sim_iommu_bind(r.mmu, p2, r.as), 0);
	pg.addr = u(ok);
	EXPECT_EQ(sim_iommu_page_request(r.mmu, p2, &pg, 1, &tk), 0);
	EXPECT_EQ(sim_iommu_unbind(r.mmu, p2), 0);
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 1);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, tk, sva_now_ns()), SVA_IOPF_INVALID);

	sim_atc_free(d.atc);
	munmap(ro, 4 * PG);
	munmap(ok, PG);
	rig_fini(&r);
}

/* ---- managed address spaces ---------------------------------------------------------- */

struct resolver {
	_Atomic int calls;
	uint64_t last_addr;
	uint32_t last_perm;
	int reject;
};

static int map_on_fault(struct sva_as *as, uint64_t addr, uint32_t perm, void *arg)
{
	struct resolver *rs = arg;
	atomic_fetch_add(&rs->calls, 1);
	rs->last_addr = addr;
	rs->last_perm = perm;
	if (rs->reject)
		return -EPERM;
	return sva_as_map(as, (void *)(uintptr_t)SVA_ALIGN_DOWN(addr, PG), PG, RW);
}

static void test_managed(void)
{
	/* Without a resolve callback: what is mapped works, the rest is INVALID. */
	struct rig r;
	rig_init(&r, sva_as_create_managed(NULL), -1);
	struct dev d;
	dev_init(&d, &r, r.pasid);
	char *buf = map_anon(8, PROT_READ | PROT_WRITE);
	EXPECT_EQ(sva_as_map(r.as, buf, 2 * PG, RW), 0);
	struct dev_job j = {.d = &d, .buf = buf, .len = 2 * PG, .seed = 9};
	run_with_app_poll(&r, &j);
	EXPECT_EQ(j.rc, 0);
	EXPECT_EQ(d.faults, 0); /* mapped: no fault */
	EXPECT_EQ(pattern_errors(buf, 2 * PG, 9), 0);
	j = (struct dev_job){.d = &d, .buf = buf + 2 * PG, .len = PG, .seed = 9};
	run_with_app_poll(&r, &j);
	EXPECT_EQ(j.rc, -EFAULT);
	EXPECT_EQ(d.faults, 1);
	EXPECT_EQ(d.invalid, 1);
	struct sva_iopf_stats st = stats(r.pf);
	EXPECT_EQ(st.invalid, 1);
	EXPECT_EQ(st.fault_ahead_pages, 0); /* never for managed spaces */
	sim_atc_free(d.atc);
	rig_fini(&r);

	/* With a callback that maps the faulting page. */
	struct resolver rs = {0};
	rig_init(&r, sva_as_create_managed(&(struct sva_as_conf){.resolve = map_on_fault,
								  .resolve_arg = &rs}), -1);
	dev_init(&d, &r, r.pasid);
	j = (struct dev_job){.d = &d, .buf = buf + 2 * PG, .len = 4 * PG, .seed = 21};
	run_with_app_poll(&r, &j);
	EXPECT_EQ(j.rc, 0);
	EXPECT_EQ(pattern_errors(buf + 2 * PG, 4 * PG, 21), 0);
	EXPECT_EQ(atomic_load(&rs.calls), 4);
	EXPECT_EQ(d.faults, 4);
	EXPECT_EQ(rs.last_addr, u(buf + 5 * PG));
	EXPECT_EQ(rs.last_perm, SVA_PERM_WRITE);
	EXPECT_EQ(sva_as_mapping_count(r.as), 4);
	st = stats(r.pf);
	EXPECT_EQ(st.pages_resolved, 4);
	EXPECT_EQ(st.invalid, 0);
	/* The callback refuses: INVALID. */
	rs.reject = 1;
	EXPECT_EQ(raise1(&r, buf + 7 * PG, SVA_PERM_READ), SVA_IOPF_INVALID);
	EXPECT_EQ(atomic_load(&rs.calls), 5);
	EXPECT_EQ(rs.last_perm, SVA_PERM_READ);
	sim_atc_free(d.atc);
	rig_fini(&r);
	munmap(buf, 8 * PG);
}

/* ---- coalescing ----------------------------------------------------------------------- */

static void test_coalescing(void)
{
	struct rig r;
	rig_init(&r, sva_as_create_process(NULL), 0);
	char *buf = map_anon(32, PROT_READ | PROT_WRITE);
	/* Two groups for the same page, read in one round: one madvise. */
	uint64_t a = u(buf), b = u(buf + 100);
	uint64_t t1 = raise_group(&r, &a, 1, SVA_PERM_WRITE);
	uint64_t t2 = raise_group(&r, &b, 1, SVA_PERM_WRITE);
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 2);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, t1, 0), SVA_IOPF_SUCCESS);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, t2, 0), SVA_IOPF_SUCCESS);
	struct sva_iopf_stats st = stats(r.pf);
	EXPECT_EQ(st.groups, 2);
	EXPECT_EQ(st.pages_resolved, 1);
	EXPECT_EQ(st.coalesced, 1);
	/* A write after a read is not covered by the read. */
	uint64_t c = u(buf + PG);
	t1 = raise_group(&r, &c, 1, SVA_PERM_READ);
	t2 = raise_group(&r, &c, 1, SVA_PERM_WRITE);
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 2);
	st = stats(r.pf);
	EXPECT_EQ(st.pages_resolved, 3);
	EXPECT_EQ(st.coalesced, 1);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, t2, 0), SVA_IOPF_SUCCESS);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, t1, 0), SVA_IOPF_SUCCESS);
	/* Across rounds there is no coalescing (the page may have gone since). */
	t1 = raise_group(&r, &a, 1, SVA_PERM_WRITE);
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 1);
	EXPECT_EQ(stats(r.pf).coalesced, 1);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, t1, 0), SVA_IOPF_SUCCESS);
	rig_fini(&r);

	/* With fault-ahead, a request inside the window resolved earlier in
	 * the round is coalesced. */
	rig_init(&r, sva_as_create_process(NULL), 7);
	a = u(buf + 16 * PG);
	b = u(buf + 20 * PG);
	t1 = raise_group(&r, &a, 1, SVA_PERM_WRITE);
	t2 = raise_group(&r, &b, 1, SVA_PERM_WRITE);
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 2);
	st = stats(r.pf);
	EXPECT_EQ(st.pages_resolved, 1);
	EXPECT_EQ(st.fault_ahead_pages, 7);
	EXPECT_EQ(st.coalesced, 1);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, t1, 0), SVA_IOPF_SUCCESS);
	EXPECT_EQ(sim_iommu_page_response(r.mmu, t2, 0), SVA_IOPF_SUCCESS);
	rig_fini(&r);
	munmap(buf, 32 * PG);
}

/* ---- software fault queue: overflow ----------------------------------------------------- */

static struct sva_as *swq_lookup(void *arg, uint32_t pasid)
{
	struct sva_as *as = arg;
	if (pasid != 5)
		return NULL;
	sva_as_get(as);
	return as;
}

/* Groups of PASID 5 (all of them) reported answered. */
static unsigned int swq_done_calls;

static void swq_done(void *arg, uint32_t pasid)
{
	(void)arg;
	if (pasid == 5)
		swq_done_calls++;
}

static void test_swq_overflow(void)
{
	swq_done_calls = 0;
	struct sva_as *as = sva_as_create_process(NULL);
	struct sva_iopf_swq *q = sva_iopf_swq_create(&(struct sva_iopf_swq_conf){
		.name = "small", .depth = 4, .groups = 8, .lookup_as = swq_lookup, .group_done = swq_done,
		.arg = as});
	struct sva_iopf *pf = sva_iopf_create(&(struct sva_iopf_conf){.fault_ahead = 0});
	CU_ASSERT_FATAL(as && q && pf);
	EXPECT_EQ(sva_iopf_add_source(pf, &sva_iopf_swq_ops, q), 0);
	char *buf = map_anon(8, PROT_READ | PROT_WRITE);
	uint64_t tk[8];
	for (int i = 0; i < 4; i++) {
		struct sva_iopf_page pg = {.addr = u(buf + (uint64_t)i * PG), .perm = SVA_PERM_WRITE};
		EXPECT_EQ(sva_iopf_swq_raise(q, 5, &pg, 1, &tk[i]), 0);
	}
	struct sva_iopf_page pg = {.addr = u(buf + 4 * PG), .perm = SVA_PERM_WRITE};
	uint64_t extra;
	EXPECT_EQ(sva_iopf_swq_raise(q, 5, &pg, 1, &extra), -ENOSPC);
	struct sva_iopf_swq_stats qs;
	sva_iopf_swq_stats_get(q, &qs);
	EXPECT_EQ(qs.overflow, 1);
	EXPECT_EQ(qs.raised, 4);
	EXPECT_EQ(sva_iopf_swq_in_flight(q), 4);
	/* Nothing lost: the four queued groups are answered. */
	EXPECT_EQ(sva_iopf_poll(pf, 64), 4);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(sva_iopf_swq_check(q, tk[i]), SVA_IOPF_SUCCESS);
	EXPECT_EQ(sva_iopf_swq_in_flight(q), 0);
	EXPECT_EQ(swq_done_calls, 4); /* once per answered group */
	/* Room again. */
	EXPECT_EQ(sva_iopf_swq_raise(q, 5, &pg, 1, &extra), 0);
	/* A group larger than the queue can never fit. */
	struct sva_iopf_page five[5];
	for (int i = 0; i < 5; i++)
		five[i] = (struct sva_iopf_page){.addr = u(buf + (uint64_t)i * PG), .perm = SVA_PERM_READ};
	EXPECT_EQ(sva_iopf_swq_raise(q, 5, five, 5, &tk[5]), -ENOSPC);
	EXPECT_EQ(sva_iopf_swq_raise(q, 5, five, 0, &tk[5]), -EINVAL);
	EXPECT_EQ(sva_iopf_swq_raise(q, 5, five, 65, &tk[5]), -EINVAL);
	EXPECT_EQ(sva_iopf_poll(pf, 64), 1);
	EXPECT_EQ(sva_iopf_swq_check(q, extra), SVA_IOPF_SUCCESS);
	EXPECT_EQ(sva_iopf_swq_check(q, extra), -EINVAL); /* consumed */
	sva_iopf_swq_stats_get(q, &qs);
	EXPECT_EQ(qs.overflow, 2);
	EXPECT_EQ(qs.answered, 5);
	EXPECT_EQ(swq_done_calls, 5);

	/* Group slots run out before the records do. */
	struct sva_iopf_swq *g2 = sva_iopf_swq_create(&(struct sva_iopf_swq_conf){
		.depth = 64, .groups = 2, .lookup_as = swq_lookup, .arg = as});
	CU_ASSERT_FATAL(g2 != NULL);
	EXPECT_EQ(sva_iopf_swq_raise(g2, 5, &pg, 1, &tk[0]), 0);
	EXPECT_EQ(sva_iopf_swq_raise(g2, 5, &pg, 1, &tk[1]), 0);
	EXPECT_EQ(sva_iopf_swq_raise(g2, 5, &pg, 1, &tk[2]), -ENOSPC);
	EXPECT_EQ(sva_iopf_add_source(pf, &sva_iopf_swq_ops, g2), 0);
	EXPECT_EQ(sva_iopf_poll(pf, 64), 2);
	EXPECT_EQ(sva_iopf_swq_check(g2, tk[0]), SVA_IOPF_SUCCESS);
	/* tk[1] is answered but not checked: its slot stays taken until then. */
	EXPECT_EQ(sva_iopf_swq_raise(g2, 5, &pg, 1, &tk[2]), 0);
	EXPECT_EQ(sva_iopf_swq_raise(g2, 5, &pg, 1, &tk[3]), -ENOSPC);
	EXPECT_EQ(sva_iopf_swq_check(g2, tk[1]), SVA_IOPF_SUCCESS);
	/* A cancelled ticket: the handler's answer frees its slot. */
	sva_iopf_swq_cancel(g2, tk[2]);
	EXPECT_EQ(sva_iopf_swq_check(g2, tk[2]), -EINVAL);
	EXPECT_EQ(sva_iopf_swq_in_flight(g2), 1);
	EXPECT_EQ(sva_iopf_poll(pf, 64), 1);
	EXPECT_EQ(sva_iopf_swq_in_flight(g2), 0);
	sva_iopf_swq_stats_get(g2, &qs);
	EXPECT_EQ(qs.cancelled, 1);
	EXPECT_EQ(qs.answered, 3);
	EXPECT_EQ(qs.overflow, 2);
	EXPECT_EQ(sva_iopf_swq_raise(g2, 5, &pg, 1, &tk[3]), 0);
	EXPECT_EQ(sva_iopf_swq_raise(g2, 5, &pg, 1, &tk[4]), 0);
	/* Wrong PASID: no address space, INVALID. */
	EXPECT_EQ(sva_iopf_remove_source(pf, g2), 0); /* answers what is queued */
	EXPECT_EQ(sva_iopf_remove_source(pf, g2), -ENOENT);
	EXPECT_EQ(sva_iopf_swq_check(g2, tk[3]), SVA_IOPF_SUCCESS);
	EXPECT_EQ(sva_iopf_swq_check(g2, tk[4]), SVA_IOPF_SUCCESS);
	struct sva_iopf_page bad = {.addr = u(buf), .perm = SVA_PERM_READ};
	EXPECT_EQ(sva_iopf_swq_raise(g2, 6, &bad, 1, &tk[5]), 0);
	EXPECT_EQ(sva_iopf_add_source(pf, &sva_iopf_swq_ops, g2), 0);
	EXPECT_EQ(sva_iopf_drain(pf), 1);
	EXPECT_EQ(sva_iopf_swq_check(g2, tk[5]), SVA_IOPF_INVALID);
	EXPECT_EQ(sva_iopf_remove_source(pf, g2), 0);
	/* Freeing a queue answers what is still queued (nothing to check after). */
	EXPECT_EQ(sva_iopf_swq_raise(g2, 5, &pg, 1, &tk[6]), 0);
	sva_iopf_swq_free(g2);
	sva_iopf_swq_free(NULL);

	sva_iopf_destroy(pf);
	sva_iopf_swq_free(q);
	sva_as_put(as);
	munmap(buf, 8 * PG);
}

/* ---- a scripted fault source: grouping rules ---------------------------------------------- */

struct script {
	struct sva_iopf_fault recs[160];
	unsigned int n, pos, per_read;
	struct sva_as *as;
	struct {
		uint64_t cookie;
		uint32_t grpid;
		int code;
	} ans[160];
	unsigned int nans;
	int respond_rc;
	struct sva_idle *waker;
};

static int script_read(void *ctx, struct sva_iopf_fault *f, unsigned int n)
{
	struct script *s = ctx;
	unsigned int k = SVA_MIN(SVA_MIN(n, s->per_read ? s->per_read : n), s->n - s->pos);
	memcpy(f, &s->recs[s->pos], k * sizeof(*f));
	s->pos += k;
	return (int)k;
}

static int script_respond(void *ctx, const struct sva_iopf_fault *last, enum sva_iopf_code code)
{
	struct script *s = ctx;
	s->ans[s->nans].cookie = last->cookie;
	s->ans[s->nans].grpid = last->grpid;
	s->ans[s->nans].code = (int)code;
	s->nans++;
	return s->respond_rc;
}

static struct sva_as *script_lookup(void *ctx, const struct sva_iopf_fault *f)
{
	struct script *s = ctx;
	if (f->pasid == 0xdead)
		return NULL;
	sva_as_get(s->as);
	return s->as;
}

static bool script_pending(void *ctx)
{
	struct script *s = ctx;
	return s->pos < s->n;
}

static void script_set_waker(void *ctx, struct sva_idle *w)
{
	((struct script *)ctx)->waker = w;
}

static const struct sva_iopf_source_ops script_ops = {
	.name = "script",
	.read = script_read,
	.respond = script_respond,
	.lookup_as = script_lookup,
	.pending = script_pending,
	.set_waker = script_set_waker,
};

static void script_add(struct script *s, uint32_t pasid, uint32_t grpid, uint64_t addr,
		       uint64_t length, uint32_t perm, bool last)
{
	s->recs[s->n++] = (struct sva_iopf_fault){
		.addr = addr, .length = length, .cookie = 1000 + s->n, .pasid = pasid, .grpid = grpid,
		.perm = perm, .flags = SVA_IOPF_F_PASID_VALID | (last ? SVA_IOPF_F_LAST : 0)};
}

static void test_script_source(void)
{
	struct sva_iopf *pf = sva_iopf_create(&(struct sva_iopf_conf){.fault_ahead = 0, .batch = 128});
	static struct script s;
	memset(&s, 0, sizeof(s));
	s.as = sva_as_create_process(NULL);
	CU_ASSERT_FATAL(pf && s.as);
	char *buf = map_anon(16, PROT_READ | PROT_WRITE);
	char res[17];

	/* Registration rules. */
	struct sva_iopf_source_ops no_read = script_ops;
	no_read.read = NULL;
	EXPECT_EQ(sva_iopf_add_source(pf, &no_read, &s), -EINVAL);
	struct sva_iopf_source_ops no_wait = script_ops;
	no_wait.pending = NULL;
	EXPECT_EQ(sva_iopf_add_source(pf, &no_wait, &s), -EINVAL);
	EXPECT_EQ(sva_iopf_add_source(NULL, &script_ops, &s), -EINVAL);
	EXPECT_EQ(sva_iopf_add_source(pf, &script_ops, &s), 0);
	CU_ASSERT(s.waker != NULL);
	EXPECT_EQ(sva_iopf_add_source(pf, &script_ops, &s), -EEXIST);
	static struct script more[16];
	int added = 0, rc = 0;
	for (int i = 0; i < 16 && rc == 0; i++)
		if ((rc = sva_iopf_add_source(pf, &script_ops, &more[i])) == 0)
			added++;
	EXPECT_EQ(added, 15);
	EXPECT_EQ(rc, -ENOSPC);
	for (int i = 0; i < added; i++)
		EXPECT_EQ(sva_iopf_remove_source(pf, &more[i]), 0);
	EXPECT_EQ(sva_iopf_poll(pf, 0), -EINVAL);
	EXPECT_EQ(sva_iopf_poll(NULL, 8), -EINVAL);

	/* A group split over two reads is answered once, after its last record. */
	s.per_read = 2;
	script_add(&s, 1, 7, u(buf), 0, SVA_PERM_WRITE, false);
	script_add(&s, 1, 7, u(buf + PG), 0, SVA_PERM_WRITE, false);
	script_add(&s, 1, 7, u(buf + 2 * PG), 0, SVA_PERM_WRITE, true);
	EXPECT_EQ(sva_iopf_poll(pf, 64), 2);
	EXPECT_EQ(s.nans, 0);
	EXPECT_EQ(sva_iopf_poll(pf, 64), 1);
	EXPECT_EQ(s.nans, 1);
	EXPECT_EQ(s.ans[0].cookie, s.recs[2].cookie);
	EXPECT_EQ(s.ans[0].code, SVA_IOPF_SUCCESS);
	residency(buf, 4, res);
	CU_ASSERT_STRING_EQUAL(res, "1110");

	/* Interleaved groups; the same group id on another PASID is another
	 * group; a PASID without address space is INVALID; a record's length
	 * covers several pages; permission 0 means read. */
	s.per_read = 0;
	script_add(&s, 1, 1, u(buf + 4 * PG), 0, SVA_PERM_WRITE, false);
	script_add(&s, 2, 1, u(buf + 5 * PG), 0, 0, false);
	script_add(&s, 1, 1, u(buf + 6 * PG) + 10, 2 * PG, SVA_PERM_WRITE, true); /* pages 6,7,8 */
	script_add(&s, 0xdead, 3, u(buf), 0, SVA_PERM_READ, true);
	script_add(&s, 2, 1, u(buf + 9 * PG), 0, SVA_PERM_READ, true);
	EXPECT_EQ(sva_iopf_poll(pf, 64), 5);
	EXPECT_EQ(s.nans, 4);
	EXPECT_EQ(s.ans[1].cookie, s.recs[5].cookie);
	EXPECT_EQ(s.ans[1].code, SVA_IOPF_SUCCESS);
	EXPECT_EQ(s.ans[2].grpid, 3);
	EXPECT_EQ(s.ans[2].code, SVA_IOPF_INVALID);
	EXPECT_EQ(s.ans[3].cookie, s.recs[7].cookie);
	EXPECT_EQ(s.ans[3].code, SVA_IOPF_SUCCESS);
	residency(buf, 12, res);
	CU_ASSERT_STRING_EQUAL(res, "111011111100");
	struct sva_iopf_stats st = stats(pf);
	EXPECT_EQ(st.groups, 4);
	EXPECT_EQ(st.invalid, 1);
	EXPECT_EQ(st.pages_resolved, 3 + 1 + 3 + 1 + 1);
	EXPECT_EQ(st.respond_errors, 0);
	EXPECT_EQ(st.lat_count, 0); /* the script gives no raise times */

	/* A source that refuses a response: counted. */
	s.respond_rc = -EIO;
	script_add(&s, 1, 9, u(buf + 10 * PG), 0, SVA_PERM_READ, true);
	EXPECT_EQ(sva_iopf_poll(pf, 64), 1);
	EXPECT_EQ(stats(pf).respond_errors, 1);
	s.respond_rc = 0;

	/* More than 64 open groups: the extra one is answered INVALID at once
	 * rather than left waiting forever. */
	unsigned int base = s.nans;
	for (uint32_t g = 0; g < 65; g++)
		script_add(&s, 1, 100 + g, u(buf + 11 * PG), 0, SVA_PERM_READ, false);
	EXPECT_EQ(sva_iopf_poll(pf, 128), 65);
	EXPECT_EQ(s.nans, base + 1);
	EXPECT_EQ(s.ans[base].grpid, 164);
	EXPECT_EQ(s.ans[base].code, SVA_IOPF_INVALID);
	/* Removing the source answers the 64 incomplete groups INVALID. */
	EXPECT_EQ(sva_iopf_remove_source(pf, &s), 0);
	CU_ASSERT(s.waker == NULL);
	EXPECT_EQ(s.nans, base + 65);
	unsigned int invalid = 0;
	for (unsigned int i = base; i < s.nans; i++)
		invalid += s.ans[i].code == SVA_IOPF_INVALID;
	EXPECT_EQ(invalid, 65);

	/* Statistics reset. */
	EXPECT_EQ(sva_iopf_stats_reset(pf), 0);
	st = stats(pf);
	CU_ASSERT(st.requests == 0 && st.groups == 0 && st.invalid == 0 && st.polls == 0 &&
		  st.lat_count == 0);
	EXPECT_EQ(sva_iopf_stats_get(pf, NULL), -EINVAL);
	sva_iopf_destroy(pf);
	sva_as_put(s.as);
	munmap(buf, 16 * PG);
}

/* ---- the dedicated thread ---------------------------------------------------------------- */

static void test_thread_vs_app_poll(void)
{
	struct rig r;
	rig_init(&r, sva_as_create_process(NULL), 0);
	char *buf = map_anon(8, PROT_READ | PROT_WRITE);
	CU_ASSERT(!sva_iopf_running(r.pf));
	CU_ASSERT(!sva_iopf_running(NULL));
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 0); /* empty */
	EXPECT_EQ(sva_iopf_stop(r.pf), -EALREADY);
	EXPECT_EQ(sva_iopf_start(r.pf, 4096), -EINVAL);
	CU_ASSERT(!sva_iopf_running(r.pf));

	/* Pinned to another CPU than the caller, which pinned itself first (the
	 * caller's own affinity must not limit the handler's). */
	cpu_set_t old, mine;
	CU_ASSERT_FATAL(pthread_getaffinity_np(pthread_self(), sizeof(old), &old) == 0);
	int first = -1, last = -1;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &old)) {
			if (first < 0)
				first = c;
			last = c;
		}
	CPU_ZERO(&mine);
	CPU_SET(first, &mine);
	CU_ASSERT_FATAL(pthread_setaffinity_np(pthread_self(), sizeof(mine), &mine) == 0);
	EXPECT_EQ(sva_iopf_start(r.pf, last), 0);
	pthread_setaffinity_np(pthread_self(), sizeof(old), &old);
	CU_ASSERT(sva_iopf_running(r.pf));
	EXPECT_EQ(sva_iopf_start(r.pf, -1), -EALREADY);
	/* While the thread runs the application cannot poll, even when the
	 * thread is idle. */
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(sva_iopf_poll(r.pf, 64), -EBUSY);
	EXPECT_EQ(sva_iopf_stats_reset(r.pf), -EBUSY);
	/* The thread answers a device. */
	struct dev d;
	dev_init(&d, &r, r.pasid);
	EXPECT_EQ(dev_write(&d, buf, 4 * PG, 17), 0);
	EXPECT_EQ(pattern_errors(buf, 4 * PG, 17), 0);
	EXPECT_EQ(d.faults, 4);
	EXPECT_EQ(d.timeouts, 0);
	EXPECT_EQ(sva_iopf_stop(r.pf), 0);
	CU_ASSERT(!sva_iopf_running(r.pf));
	struct sva_iopf_stats st = stats(r.pf);
	EXPECT_EQ(st.groups, 4);
	/* Back to application polling. */
	EXPECT_EQ(sva_iopf_poll(r.pf, 64), 0);
	struct dev_job j = {.d = &d, .buf = buf + 4 * PG, .len = 4 * PG, .seed = 19};
	run_with_app_poll(&r, &j);
	EXPECT_EQ(j.rc, 0);
	EXPECT_EQ(pattern_errors(buf + 4 * PG, 4 * PG, 19), 0);
	EXPECT_EQ(stats(r.pf).groups, 8);
	/* Restart, unpinned; it sleeps when idle and the queue's kick wakes it. */
	EXPECT_EQ(sva_iopf_start(r.pf, -1), 0);
	CU_ASSERT(madvise(buf, 8 * PG, MADV_DONTNEED) == 0);
	sva_as_invalidate(r.as, buf, 8 * PG);
	SVA_TEST_WAIT(stats(r.pf).sleeps != 0, usleep(1000));
	EXPECT_EQ(dev_write(&d, buf, 8 * PG, 23), 0);
	EXPECT_EQ(pattern_errors(buf, 8 * PG, 23), 0);
	EXPECT_EQ(d.timeouts, 0);
	EXPECT_EQ(sva_iopf_stop(r.pf), 0);
	EXPECT_EQ(stats(r.pf).groups, 16);
	sim_atc_free(d.atc);
	munmap(buf, 8 * PG);
	rig_fini(&r);
}

/* stop() with records queued: every ticket is answered before it returns. */
struct blocker {
	_Atomic int entered;
	_Atomic int release;
	_Atomic int calls;
};

static int blocking_resolve(struct sva_as *as, uint64_t addr, uint32_t perm, void *arg)
{
	struct blocker *b = arg;
	(void)as;
	(void)addr;
	(void)perm;
	if (atomic_fetch_add(&b->calls, 1) == 0) {
		atomic_store(&b->entered, 1);
		while (!atomic_load(&b->release))
			usleep(100);
	}
	return 0;
}

struct stopper {
	struct sva_iopf *pf;
	_Atomic int tid;
};

static void *stopper(void *arg)
{
	struct stopper *s = arg;
	atomic_store(&s->tid, (int)syscall(SYS_gettid));
	sva_iopf_stop(s->pf);
	return NULL;
}

static void test_stop_drains(void)
{
	struct blocker b = {0};
	struct rig r;
	rig_init_conf(&r,
		      sva_as_create_managed(&(struct sva_as_conf){.resolve = blocking_resolve,
								  .resolve_arg = &b}),
		      &(struct sva_iopf_conf){.batch = 4});

	enum { N = 100 };
	uint64_t tk[N];
	for (int i = 0; i < N; i++) {
		uint64_t a = 0x100000000ull + (uint64_t)i * PG;
		tk[i] = raise_group(&r, &a, 1, SVA_PERM_READ);
	}
	EXPECT_EQ(sva_iopf_start(r.pf, -1), 0);
	SVA_TEST_WAIT(atomic_load(&b.entered), usleep(100));
	/* The thread is stuck in its first batch; ask it to stop, then let it
	 * go: it must drain the other 96 before it exits. The stopper blocks
	 * (in the join) only after it asked. */
	struct stopper sp = {.pf = r.pf};
	pthread_t th;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, stopper, &sp) == 0);
	SVA_TEST_WAIT(atomic_load(&sp.tid) && task_state(atomic_load(&sp.tid)) == 'S', usleep(100));
	atomic_store(&b.release, 1);
	pthread_join(th, NULL);
	CU_ASSERT(!sva_iopf_running(r.pf));
	EXPECT_EQ(sva_iopf_swq_in_flight(sim_iommu_prq(r.mmu)), 0);
	int success = 0;
	for (int i = 0; i < N; i++)
		success += sim_iommu_page_response(r.mmu, tk[i], 0) == SVA_IOPF_SUCCESS;
	EXPECT_EQ(success, N);
	EXPECT_EQ(atomic_load(&b.calls), N);
	struct sva_iopf_stats st = stats(r.pf);
	EXPECT_EQ(st.groups, N);
	EXPECT_EQ(st.pages_resolved, N);
	rig_fini(&r);
}

/* Several requester threads (devices on their own PASIDs and caches), one
 * handler thread: every fault answered exactly once, data verified. */
#define MR_THREADS 3
#define MR_PAGES 192

struct mr_arg {
	struct dev d;
	char *buf;
	unsigned int seed;
	int rc;
};

static void *mr_thread(void *arg)
{
	struct mr_arg *a = arg;
	a->rc = dev_write(&a->d, a->buf, MR_PAGES * PG, a->seed);
	if (a->rc == 0) {
		/* Drop and fault again, reading this time. */
		madvise(a->buf, MR_PAGES * PG, MADV_DONTNEED);
		sva_as_invalidate(a->d.rig->as, a->buf, MR_PAGES * PG);
		char tmp[64];
		for (size_t off = 0; off < MR_PAGES * PG && a->rc == 0; off += 3 * PG)
			a->rc = dev_read(&a->d, a->buf + off, sizeof(tmp), tmp);
	}
	return NULL;
}

static void test_many_requesters(void)
{
	struct rig r;
	rig_init(&r, sva_as_create_process(NULL), 0);
	static struct mr_arg a[MR_THREADS];
	for (int i = 0; i < MR_THREADS; i++) {
		uint32_t p;
		CU_ASSERT_FATAL(sim_iommu_pasid_alloc(r.mmu, &p) == 0);
		CU_ASSERT_FATAL(sim_iommu_bind(r.mmu, p, r.as) == 0);
		dev_init(&a[i].d, &r, p);
		a[i].buf = map_anon(MR_PAGES, PROT_READ | PROT_WRITE);
		a[i].seed = 40 + (unsigned int)i;
	}
	EXPECT_EQ(sva_iopf_start(r.pf, -1), 0);
	pthread_t th[MR_THREADS];
	for (int i = 0; i < MR_THREADS; i++)
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, mr_thread, &a[i]) == 0);
	for (int i = 0; i < MR_THREADS; i++)
		pthread_join(th[i], NULL);
	EXPECT_EQ(sva_iopf_stop(r.pf), 0);

	uint64_t faults = 0;
	for (int i = 0; i < MR_THREADS; i++) {
		EXPECT_EQ(a[i].rc, 0);
		EXPECT_EQ(a[i].d.timeouts, 0);
		EXPECT_EQ(a[i].d.invalid, 0);
		EXPECT_EQ(a[i].d.double_answers, 0);
		EXPECT_EQ(a[i].d.answers, a[i].d.faults);
		/* Writes: one fault per page; reads after the drop: one per read. */
		EXPECT_EQ(a[i].d.faults, MR_PAGES + MR_PAGES / 3);
		faults += a[i].d.faults;
		/* The reads faulted in the zero page where the data was dropped. */
		for (size_t off = 0; off < MR_PAGES * PG; off += 3 * PG)
			CU_ASSERT(a[i].buf[off] == 0);
	}
	struct sva_iopf_stats st = stats(r.pf);
	EXPECT_EQ(st.groups, faults);
	EXPECT_EQ(st.requests, faults);
	EXPECT_EQ(st.invalid, 0);
	EXPECT_EQ(st.respond_errors, 0);
	struct sva_iopf_swq_stats qs;
	sva_iopf_swq_stats_get(sim_iommu_prq(r.mmu), &qs);
	EXPECT_EQ(qs.raised, faults);
	EXPECT_EQ(qs.answered, faults);
	EXPECT_EQ(qs.stale, 0);
	EXPECT_EQ(sva_iopf_swq_in_flight(sim_iommu_prq(r.mmu)), 0);
	for (int i = 0; i < MR_THREADS; i++) {
		sim_atc_free(a[i].d.atc);
		munmap(a[i].buf, MR_PAGES * PG);
	}
	rig_fini(&r);
}

/* The data check of many requesters, on memory written by the devices. */
static void *mr_write_only(void *arg)
{
	struct mr_arg *a = arg;
	a->rc = dev_write(&a->d, a->buf, MR_PAGES * PG, a->seed);
	return NULL;
}

static void test_many_requesters_data(void)
{
	struct rig r;
	rig_init(&r, sva_as_create_process(NULL), -1);
	static struct mr_arg a[MR_THREADS];
	/* One region, each thread writes its own slice. */
	char *region = map_anon(MR_THREADS * MR_PAGES, PROT_READ | PROT_WRITE);
	for (int i = 0; i < MR_THREADS; i++) {
		dev_init(&a[i].d, &r, r.pasid);
		a[i].buf = region + (size_t)i * MR_PAGES * PG;
		a[i].seed = 70 + (unsigned int)i;
	}
	EXPECT_EQ(sva_iopf_start(r.pf, -1), 0);
	pthread_t th[MR_THREADS];
	for (int i = 0; i < MR_THREADS; i++)
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, mr_write_only, &a[i]) == 0);
	for (int i = 0; i < MR_THREADS; i++)
		pthread_join(th[i], NULL);
	EXPECT_EQ(sva_iopf_stop(r.pf), 0);
	uint64_t faults = 0;
	for (int i = 0; i < MR_THREADS; i++) {
		EXPECT_EQ(a[i].rc, 0);
		EXPECT_EQ(a[i].d.double_answers, 0);
		EXPECT_EQ(pattern_errors(a[i].buf, MR_PAGES * PG, a[i].seed), 0);
		/* With fault-ahead 15, at most one fault per 16 pages. */
		CU_ASSERT(a[i].d.faults >= 1 && a[i].d.faults <= MR_PAGES / 16 + 1);
		faults += a[i].d.faults;
		sim_atc_free(a[i].d.atc);
	}
	struct sva_iopf_stats st = stats(r.pf);
	EXPECT_EQ(st.groups, faults);
	EXPECT_EQ(st.invalid, 0);
	munmap(region, MR_THREADS * MR_PAGES * PG);
	rig_fini(&r);
}

static int register_suites(void)
{
	static const struct sva_test_case basic[] = {
		{"roundtrip_app_poll", test_roundtrip_app_poll},
		{"groups", test_groups},
		{"fault_ahead", test_fault_ahead},
		{"fault_ahead_stream", test_fault_ahead_stream},
		{"drain_leaves_fault_ahead", test_drain_leaves_fault_ahead},
		{"resolve_direct", test_resolve_direct},
		{"invalid", test_invalid},
		{"managed", test_managed},
		{"coalescing", test_coalescing},
		{NULL, NULL},
	};
	static const struct sva_test_case sources[] = {
		{"swq_overflow", test_swq_overflow},
		{"script_source", test_script_source},
		{NULL, NULL},
	};
	static const struct sva_test_case threads[] = {
		{"thread_vs_app_poll", test_thread_vs_app_poll},
		{"stop_drains", test_stop_drains},
		{"many_requesters", test_many_requesters},
		{"many_requesters_data", test_many_requesters_data},
		{NULL, NULL},
	};
	if (sva_test_add_suite("iopf", basic, NULL, NULL) ||
	    sva_test_add_suite("iopf_sources", sources, NULL, NULL) ||
	    sva_test_add_suite("iopf_thread", threads, NULL, NULL))
		return -1;
	return 0;
}

int main(void)
{
	return sva_test_main(register_suites);
}
