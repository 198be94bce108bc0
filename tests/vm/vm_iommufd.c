/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iommufd against the real kernel, inside the tests/vm guest: the kernel's
 * mock device (CONFIG_IOMMUFD_TEST) raises page faults, drivers/iommu reads
 * them from the fault queue as a lib/iopf source, the handler resolves them
 * (mapping the range into the IOAS with IOVA == VA) and answers each group.
 *
 * Prints one "ok"/"not ok" line per check, the measured fault round trip,
 * and "N passed, N failed". Exit 0 (pass), 1 (fail) or 77 (skip: no
 * /dev/iommu, or a kernel without the selftest interface).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sva_as.h"
#include "sva_iommufd.h"
#include "sva_iopf.h"
#include "sva_log.h"
#include "sva_time.h"
#include "vmt_check.h"
#include "vmt_selftest.h"

#define BUF_VA 0x40000000ull /* inside the mock aperture [16 MiB, 2 GiB) */
#define BUF_LEN (1u << 20)
#define RO_VA 0x40200000ull
#define RO_LEN (64u << 10)
#define HOLE_VA 0x40400000ull /* nothing mapped there */
#define PASID_A 100u
#define PASID_B 101u
#define PASID_NONE 200u

static struct vmt_kernel kern;
static struct sva_iommufd *ic;
static struct sva_iommufd_fq *fq;
static struct sva_iopf *pf;

static int test_cmd(struct vmt_test_cmd *c)
{
	c->size = sizeof(*c);
	return ioctl(sva_iommufd_fd(ic), VMT_IOMMU_TEST_CMD, c) < 0 ? -errno : 0;
}

static int trigger(uint32_t dev_id, uint32_t pasid, uint32_t grpid, uint32_t perm, uint64_t addr)
{
	struct vmt_test_cmd c = {.op = VMT_OP_TRIGGER_IOPF};
	c.trigger_iopf.dev_id = dev_id;
	c.trigger_iopf.pasid = pasid; /* 0: IOMMU_NO_PASID */
	c.trigger_iopf.grpid = grpid;
	c.trigger_iopf.perm = perm; /* IOMMU_PGFAULT_PERM_READ 1, WRITE 2 */
	c.trigger_iopf.addr = addr;
	return test_cmd(&c);
}

static int check_map(uint32_t hwpt, uint64_t va, uint64_t len)
{
	struct vmt_test_cmd c = {.op = VMT_OP_MD_CHECK_MAP, .id = hwpt};
	c.check_map.iova = va;
	c.check_map.length = len;
	c.check_map.uptr = va;
	return test_cmd(&c);
}

static int pasid_op(enum vmt_op op, uint32_t stdev, uint32_t pasid, uint32_t pt)
{
	struct vmt_test_cmd c = {.op = op, .id = stdev};
	c.pasid_attach.pasid = pasid;
	c.pasid_attach.pt_id = pt;
	return test_cmd(&c);
}

static void stats(struct sva_iommufd_fq_stats *f, struct sva_iopf_stats *h)
{
	sva_iommufd_fq_stats(fq, f);
	sva_iopf_stats_get(pf, h);
}

/* Poll the handler (poll mode) until @groups more groups are answered. */
static int run_until(uint64_t groups0, uint64_t want, int timeout_ms)
{
	uint64_t deadline = sva_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	struct sva_iopf_stats h;
	for (;;) {
		if (!sva_iopf_running(pf))
			sva_iopf_poll(pf, 64);
		sva_iopf_stats_get(pf, &h);
		if (h.groups - groups0 >= want)
			return 0;
		if (sva_now_ns() > deadline)
			return -ETIMEDOUT;
	}
}

struct fixture {
	struct sva_as *pas, *mas;
	struct sva_iommufd_space *sp, *sp_m;
	uint32_t stdev, idev, auto_hwpt;
	struct sva_iommufd_hwpt np, pa, pb;
};

static int setup(struct fixture *fx)
{
	char err[256] = "";
	fx->pas = sva_as_create_process("vm.process");
	fx->sp = sva_iommufd_space_create(ic, &(struct sva_iommufd_space_conf){
		.name = "rid", .as = fx->pas, .map_pages = 4});
	check(fx->sp != NULL, "IOAS mirroring the process address space");
	if (!fx->sp)
		return -1;
	struct vmt_test_cmd c = {.op = VMT_OP_MOCK_DOMAIN_FLAGS, .id = sva_iommufd_space_ioas(fx->sp)};
	c.mock_domain_flags.dev_flags = kern.has_pasid_ops ? VMT_MOCK_FLAGS_DEVICE_PASID : 0;
	int rc = test_cmd(&c);
	check(rc == 0, "mock device created (PASID-capable: %s): %s",
	      kern.has_pasid_ops ? "yes" : "no", strerror(-rc));
	if (rc)
		return -1;
	fx->stdev = c.mock_domain_flags.out_stdev_id;
	fx->idev = c.mock_domain_flags.out_idev_id;
	fx->auto_hwpt = c.mock_domain_flags.out_hwpt_id;

	struct sva_iommufd_hw_info hi;
	rc = sva_iommufd_hw_info(ic, fx->idev, &hi);
	check(rc == 0, "IOMMU_GET_HW_INFO: type 0x%x, PASID width %u, capabilities 0x%llx",
	      hi.type, hi.pasid_bits, (unsigned long long)hi.capabilities);

	fq = sva_iommufd_fq_alloc(ic, err, sizeof(err));
	check(fq != NULL, "IOMMU_FAULT_QUEUE_ALLOC %s", fq ? "" : err);
	if (!fq)
		return -1;
	struct vmt_hwpt_selftest nd = {.iotlb = VMT_TEST_IOTLB_DEFAULT};
	struct sva_iommufd_hwpt_req req = {
		.dev_id = fx->idev, .pt_id = sva_iommufd_space_ioas(fx->sp),
		.pasid = kern.has_pasid_ops, .fq = fq,
		.nested_type = VMT_HWPT_DATA_SELFTEST, .nested_data = &nd, .nested_len = VMT_HWPT_SELFTEST_LEN};
	rc = sva_iommufd_hwpt_alloc(ic, &req, &fx->np, err, sizeof(err));
	check(rc == 0, "fault-capable HWPT for the non-PASID part: the kernel allowed a %s HWPT %s",
	      fx->np.kind == SVA_IOMMUFD_HWPT_PAGING ? "paging" : "nested", rc ? err : "");
	if (rc)
		return -1;
	c = (struct vmt_test_cmd){.op = VMT_OP_MOCK_DOMAIN_REPLACE, .id = fx->stdev};
	c.mock_domain_replace.pt_id = fx->np.id;
	rc = test_cmd(&c);
	check(rc == 0, "non-PASID part moved to HWPT %u: %s", fx->np.id, strerror(-rc));
	if (rc)
		return -1;
	rc = sva_iommufd_fq_bind(fq, fx->idev, SVA_IOMMUFD_NO_PASID, fx->sp);
	pf = sva_iopf_create(&(struct sva_iopf_conf){.name = "vm-iopf", .fault_ahead = 0});
	rc = rc ?: sva_iopf_add_source(pf, &sva_iommufd_fq_ops, fq);
	check(rc == 0, "fault queue registered with lib/iopf");
	return rc ? -1 : 0;
}

static void test_rid_faults(struct fixture *fx)
{
	struct sva_iommufd_fq_stats f0, f1;
	struct sva_iopf_stats h0, h1;
	stats(&f0, &h0);
	int rc = trigger(fx->idev, 0, 1, 1, BUF_VA + 0x1000);
	rc = rc ?: run_until(h0.groups, 1, 2000);
	stats(&f1, &h1);
	check(rc == 0 && h1.invalid == h0.invalid && f1.responses == f0.responses + 1,
	      "read fault without PASID: read, resolved, answered SUCCESS");
	/* A nested HWPT (6.11/6.12) translates through its parent's mappings. */
	uint32_t paging = fx->np.parent_id ? fx->np.parent_id : fx->np.id;
	rc = check_map(paging, BUF_VA + 0x1000, 4096);
	check(rc == 0, "the faulting page is mapped in the HWPT at IOVA == VA: %s", strerror(-rc));

	stats(&f0, &h0);
	rc = trigger(fx->idev, 0, 2, 2, BUF_VA + 0x80000);
	rc = rc ?: run_until(h0.groups, 1, 2000);
	stats(&f1, &h1);
	check(rc == 0 && h1.invalid == h0.invalid, "write fault on writable memory: SUCCESS");

	stats(&f0, &h0);
	rc = trigger(fx->idev, 0, 3, 2, RO_VA);
	rc = rc ?: run_until(h0.groups, 1, 2000);
	stats(&f1, &h1);
	check(rc == 0 && h1.invalid == h0.invalid + 1, "write fault on read-only memory: INVALID");
	check(check_map(paging, RO_VA, 4096) != 0, "... and nothing was mapped");

	stats(&f0, &h0);
	rc = trigger(fx->idev, 0, 4, 1, HOLE_VA);
	rc = rc ?: run_until(h0.groups, 1, 2000);
	stats(&f1, &h1);
	check(rc == 0 && h1.invalid == h0.invalid + 1, "fault on an unmapped address: INVALID");

	/* A page the process has, outside what the device can reach (the mock
	 * aperture ends at 2 GiB): the IOAS refuses the map, the group fails. */
	static char high_page[4096] __attribute__((aligned(4096)));
	high_page[0] = 1;
	stats(&f0, &h0);
	rc = trigger(fx->idev, 0, 5, 1, (uint64_t)(uintptr_t)high_page);
	rc = rc ?: run_until(h0.groups, 1, 2000);
	stats(&f1, &h1);
	check(rc == 0 && h1.invalid == h0.invalid + 1,
	      "fault outside the device's IOVA aperture (VA %p): INVALID", (void *)high_page);

	/* Several groups queued before the handler runs: one read returns them. */
	stats(&f0, &h0);
	rc = 0;
	for (unsigned int i = 0; i < 8 && !rc; i++)
		rc = trigger(fx->idev, 0, 10 + i, 1, BUF_VA + 0x40000 + i * 0x4000);
	rc = rc ?: run_until(h0.groups, 8, 2000);
	stats(&f1, &h1);
	check(rc == 0 && f1.records - f0.records == 8 && f1.reads - f0.reads == 1 &&
		      h1.invalid == h0.invalid,
	      "8 groups queued at once: %llu read() call(s), %llu records, all SUCCESS",
	      (unsigned long long)(f1.reads - f0.reads), (unsigned long long)(f1.records - f0.records));

	/* Invalidation unmaps what the faults mapped. */
	struct sva_iommufd_space_stats s0, s1;
	sva_iommufd_space_stats(fx->sp, &s0);
	sva_as_invalidate(fx->pas, (void *)(uintptr_t)BUF_VA, BUF_LEN);
	sva_iommufd_space_stats(fx->sp, &s1);
	check(s0.mappings > 0 && s1.mappings == 0 && check_map(paging, BUF_VA + 0x1000, 4096) != 0,
	      "sva_as_invalidate() unmapped %u mapping(s) from the IOAS", s0.mappings);
}

static int managed_resolve(struct sva_as *as, uint64_t addr, uint32_t perm, void *arg)
{
	(void)as, (void)addr, (void)perm, (void)arg;
	return -EFAULT; /* only what is mapped explicitly */
}

static void test_pasid(struct fixture *fx)
{
	char err[256] = "";
	if (!kern.has_pasid_ops) {
		printf("# PASID tests skipped: the selftest PASID operations need Linux >= 6.15\n");
		return;
	}
	/* PASID A: a managed address space with part of the buffer mapped. */
	fx->mas = sva_as_create_managed(&(struct sva_as_conf){.name = "vm.managed",
							       .resolve = managed_resolve});
	int rc = sva_as_map(fx->mas, (void *)(uintptr_t)BUF_VA, BUF_LEN / 2,
			    SVA_PERM_READ | SVA_PERM_WRITE);
	fx->sp_m = sva_iommufd_space_create(ic, &(struct sva_iommufd_space_conf){
		.name = "pasid", .as = fx->mas});
	if (!fx->sp_m)
		rc = rc ?: -errno;
	struct sva_iommufd_hwpt_req req = {.dev_id = fx->idev,
					   .pt_id = fx->sp_m ? sva_iommufd_space_ioas(fx->sp_m) : 0,
					   .pasid = true, .fq = fq};
	rc = rc ?: sva_iommufd_hwpt_alloc(ic, &req, &fx->pa, err, sizeof(err));
	rc = rc ?: pasid_op(VMT_OP_PASID_ATTACH, fx->stdev, PASID_A, fx->pa.id);
	rc = rc ?: sva_iommufd_fq_bind(fq, fx->idev, PASID_A, fx->sp_m);
	check(rc == 0, "PASID %u attached to a paging HWPT with the fault queue and "
	      "IOMMU_HWPT_ALLOC_PASID %s", PASID_A, err);
	if (rc)
		return;
	struct sva_iommufd_fq_stats f0, f1;
	struct sva_iopf_stats h0, h1;
	stats(&f0, &h0);
	rc = trigger(fx->idev, PASID_A, 1, 2, BUF_VA + 0x2000);
	rc = rc ?: run_until(h0.groups, 1, 2000);
	stats(&f1, &h1);
	check(rc == 0 && h1.invalid == h0.invalid && check_map(fx->pa.id, BUF_VA + 0x2000, 4096) == 0,
	      "fault with PASID %u: resolved in its managed space, mapped, SUCCESS", PASID_A);
	stats(&f0, &h0);
	rc = trigger(fx->idev, PASID_A, 2, 1, BUF_VA + BUF_LEN / 2 + 0x1000);
	rc = rc ?: run_until(h0.groups, 1, 2000);
	stats(&f1, &h1);
	check(rc == 0 && h1.invalid == h0.invalid + 1,
	      "fault with PASID %u outside its managed mappings: INVALID", PASID_A);

	/* A PASID with nothing attached: the kernel does not deliver it. */
	stats(&f0, &h0);
	rc = trigger(fx->idev, PASID_NONE, 1, 1, BUF_VA);
	usleep(50000);
	sva_iopf_poll(pf, 64);
	stats(&f1, &h1);
	check(f1.records == f0.records, "fault on PASID %u with nothing attached never reaches "
	      "user space (trigger: %s)", PASID_NONE, strerror(-rc));

	/* Replace with a fault pending: queued, not yet read. */
	struct sva_iommufd_hwpt_req reqb = req;
	rc = sva_iommufd_hwpt_alloc(ic, &reqb, &fx->pb, err, sizeof(err));
	check(rc == 0, "second PASID HWPT %s", err);
	stats(&f0, &h0);
	rc = trigger(fx->idev, PASID_A, 3, 1, BUF_VA + 0x3000);
	struct pollfd p = {.fd = sva_iommufd_fq_fd(fq), .events = POLLIN};
	int readable = poll(&p, 1, 1000);
	rc = rc ?: pasid_op(VMT_OP_PASID_REPLACE, fx->stdev, PASID_A, fx->pb.id);
	readable = readable > 0 && poll(&p, 1, 0) == 0;
	sva_iopf_poll(pf, 64);
	stats(&f1, &h1);
	check(rc == 0 && readable && f1.records == f0.records && h1.respond_errors == h0.respond_errors,
	      "replace with an unread fault pending: the kernel answered it, nothing left to read");

	/* Replace with a fault read but not yet answered: the late answer
	 * gets EINVAL, which the source takes as "already answered". */
	struct sva_iopf_fault rec[4];
	rc = trigger(fx->idev, PASID_A, 4, 1, BUF_VA + 0x5000);
	poll(&p, 1, 1000);
	int n = sva_iommufd_fq_ops.read(fq, rec, 4);
	rc = rc ?: pasid_op(VMT_OP_PASID_REPLACE, fx->stdev, PASID_A, fx->pa.id);
	stats(&f0, &h0);
	int r = n == 1 ? sva_iommufd_fq_ops.respond(fq, &rec[0], SVA_IOPF_SUCCESS) : -1;
	stats(&f1, &h1);
	check(rc == 0 && n == 1 && r == 0 && f1.stale == f0.stale + 1,
	      "replace with a fault read but unanswered: late response refused (EINVAL), "
	      "counted as stale, not an error");

	/* The handler goes on as before. */
	stats(&f0, &h0);
	rc = trigger(fx->idev, PASID_A, 5, 1, BUF_VA + 0x6000);
	rc = rc ?: run_until(h0.groups, 1, 2000);
	stats(&f1, &h1);
	check(rc == 0 && h1.invalid == h0.invalid && h1.respond_errors == h0.respond_errors,
	      "after that, faults on PASID %u are answered normally", PASID_A);

	/* Detach with a fault pending, then a second PASID on the same space. */
	stats(&f0, &h0);
	rc = trigger(fx->idev, PASID_A, 6, 1, BUF_VA + 0x7000);
	poll(&p, 1, 1000);
	rc = rc ?: pasid_op(VMT_OP_PASID_DETACH, fx->stdev, PASID_A, 0);
	sva_iopf_poll(pf, 64);
	stats(&f1, &h1);
	check(rc == 0 && f1.records == f0.records && h1.respond_errors == h0.respond_errors,
	      "detach with a fault pending: the kernel answered it");
	sva_iommufd_fq_unbind(fq, fx->idev, PASID_A);
	rc = pasid_op(VMT_OP_PASID_ATTACH, fx->stdev, PASID_B, fx->pa.id);
	rc = rc ?: sva_iommufd_fq_bind(fq, fx->idev, PASID_B, fx->sp_m);
	stats(&f0, &h0);
	rc = rc ?: trigger(fx->idev, PASID_B, 1, 1, BUF_VA + 0x8000);
	rc = rc ?: run_until(h0.groups, 1, 2000);
	stats(&f1, &h1);
	check(rc == 0 && h1.invalid == h0.invalid, "PASID %u attached after the detach: SUCCESS",
	      PASID_B);
	pasid_op(VMT_OP_PASID_DETACH, fx->stdev, PASID_B, 0);
	sva_iommufd_fq_unbind(fq, fx->idev, PASID_B);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Fault round trip with the handler thread: trigger → poll wake-up → read →
 * resolve → response written. @map: every fault maps a page (the space is
 * invalidated in between); otherwise the page is already mapped. */
static void round_trip(struct fixture *fx, bool map, unsigned int iters)
{
	bool thread = sva_iopf_running(pf);
	uint64_t *ns = calloc(iters, sizeof(*ns));
	struct sva_iommufd_fq_stats f;
	unsigned int done = 0;
	for (unsigned int i = 0; i < iters; i++) {
		uint64_t va = BUF_VA + (uint64_t)(i % 64) * 4096;
		if (map)
			sva_as_invalidate(fx->pas, (void *)(uintptr_t)va, 4096);
		sva_iommufd_fq_stats(fq, &f);
		uint64_t want = f.responses + 1, t0 = sva_now_ns();
		if (trigger(fx->idev, 0, 1000 + i % 64, 1, va) < 0)
			break;
		uint64_t deadline = t0 + 2000000000ull;
		do {
			if (!thread)
				sva_iopf_poll(pf, 64);
			sva_iommufd_fq_stats(fq, &f);
		} while (f.responses < want && sva_now_ns() < deadline);
		if (f.responses < want)
			break;
		ns[done++] = sva_now_ns() - t0;
	}
	if (done) {
		qsort(ns, done, sizeof(*ns), cmp_u64);
		printf("# fault round trip (%s, %s, %u faults): p50 %.1f us, p90 %.1f us, "
		       "p99 %.1f us, max %.1f us\n", thread ? "handler thread" : "polled inline",
		       map ? "each fault maps a page" : "page already mapped", done,
		       ns[done / 2] / 1e3, ns[done * 9 / 10] / 1e3, ns[done * 99 / 100] / 1e3,
		       ns[done - 1] / 1e3);
	}
	check(done == iters, "round trip measured over %u/%u faults (%s)", done, iters,
	      map ? "IOAS_MAP per fault" : "no map");
	free(ns);
}

int main(void)
{
	char err[256] = "";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("SVADK_LOG") == NULL)
		sva_log_parse_spec("*:warning");
	kern = vmt_kernel_of(sva_iommufd_kernel_version());
	printf("# kernel %u.%u\n", kern.version / 100, kern.version % 100);
	ic = sva_iommufd_open(NULL, err, sizeof(err));
	if (!ic) {
		printf("# skip: %s\n", err);
		return 77;
	}
	if (!kern.has_selftest_iopf) {
		printf("# skip: the selftest fault trigger needs Linux >= 6.11\n");
		return 77;
	}
	void *buf = mmap((void *)(uintptr_t)BUF_VA, BUF_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	void *ro = mmap((void *)(uintptr_t)RO_VA, RO_LEN, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (buf != (void *)(uintptr_t)BUF_VA || ro != (void *)(uintptr_t)RO_VA) {
		printf("# cannot map the test buffers at their fixed addresses\n");
		return 1;
	}
	struct fixture fx = {0};
	if (setup(&fx) == 0) {
		test_rid_faults(&fx);
		test_pasid(&fx);
		round_trip(&fx, false, 2000);
		check(sva_iopf_start(pf, -1) == 0, "handler thread started");
		round_trip(&fx, false, 2000);
		round_trip(&fx, true, 2000);
		sva_iopf_stop(pf);
		struct sva_iopf_stats h;
		sva_iopf_stats_get(pf, &h);
		printf("# handler: %llu records, %llu groups, %llu invalid, read->response p50 %llu ns "
		       "p99 %llu ns\n", (unsigned long long)h.requests, (unsigned long long)h.groups,
		       (unsigned long long)h.invalid, (unsigned long long)h.lat_p50_ns,
		       (unsigned long long)h.lat_p99_ns);
	}
	/* Teardown in dependency order: the handler lets go of the source,
	 * HWPTs go before the fault queue and the IOASes. */
	if (pf) {
		sva_iopf_remove_source(pf, fq);
		sva_iopf_destroy(pf);
	}
	if (fx.stdev) {
		int rc = sva_iommufd_destroy(ic, fx.stdev);
		check(rc == 0, "mock device destroyed: %s", strerror(-rc));
	}
	sva_iommufd_hwpt_free(ic, &fx.pa);
	sva_iommufd_hwpt_free(ic, &fx.pb);
	sva_iommufd_hwpt_free(ic, &fx.np);
	sva_iommufd_fq_free(fq);
	sva_iommufd_space_destroy(fx.sp_m);
	sva_iommufd_space_destroy(fx.sp);
	if (fx.mas)
		sva_as_put(fx.mas);
	if (fx.pas)
		sva_as_put(fx.pas);
	sva_iommufd_close(ic);
	return check_done();
}
