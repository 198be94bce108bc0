/* SPDX-License-Identifier: BSD-3-Clause */
/* drivers/dma/idxd kernel work-queue backend: discovery against a fake sysfs
 * and /dev tree built here, the usual failure messages, the choice and
 * encoding of the portal instructions, and the whole lib/dma data path of a
 * "dsa:wqX.Y" device whose work-queue file is a FIFO read by a thread that
 * feeds the descriptors to the software DSA (what the kernel's write()
 * submission does with a real device). Partial completions flow through
 * lib/iopf exactly as on the software device. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idxd_portal.h"
#include "idxd_wq.h"
#include "sim_dsa.h"
#include "sva_as.h"
#include "sva_cpu.h"
#include "sva_dma.h"
#include "sva_iopf.h"
#include "sva_log.h"
#include "sva_test.h"

static char root[256], sysfs[300], devroot[300];

static int setup_errors; /* counted in suite_init (no assertion outside a test) */

static void put(const char *dir, const char *name, const char *val)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f) {
		setup_errors++;
		return;
	}
	fprintf(f, "%s\n", val);
	fclose(f);
}

static void mkdirs(const char *path)
{
	char b[600];
	snprintf(b, sizeof(b), "%s", path);
	for (char *p = b + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(b, 0755);
			*p = '/';
		}
	mkdir(b, 0755);
}

static void fake_dev(const char *name, int pasid)
{
	char d[600];
	snprintf(d, sizeof(d), "%s/bus/dsa/devices/%s", sysfs, name);
	mkdirs(d);
	put(d, "pasid_enabled", pasid ? "1" : "0");
	put(d, "numa_node", "0");
	put(d, "state", "enabled");
}

static void fake_wq(const char *wq, const char *mode, const char *type, const char *state,
		    int bof, const char *cdev_kind)
{
	char d[600];
	snprintf(d, sizeof(d), "%s/bus/dsa/devices/%s", sysfs, wq);
	mkdirs(d);
	put(d, "mode", mode);
	put(d, "type", type);
	put(d, "state", state);
	put(d, "name", "app");
	put(d, "driver_name", !strcmp(type, "user") ? "user" : "");
	put(d, "block_on_fault", bof ? "1" : "0");
	put(d, "size", "64");
	put(d, "max_transfer_size", "2097152");
	put(d, "max_batch_size", "32");
	put(d, "priority", "10");
	if (cdev_kind) {
		char c[600];
		snprintf(c, sizeof(c), "%s/%s", devroot, cdev_kind);
		mkdirs(c);
		snprintf(c, sizeof(c), "%s/%s/%s", devroot, cdev_kind, wq);
		if (mkfifo(c, 0600) != 0 && errno != EEXIST)
			setup_errors++;
	}
}

static int suite_init(void)
{
	snprintf(root, sizeof(root), "%s/svadk-idxd-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root))
		return -1;
	snprintf(sysfs, sizeof(sysfs), "%s/sys", root);
	snprintf(devroot, sizeof(devroot), "%s/dev", root);
	fake_dev("dsa0", 1);
	fake_dev("iax1", 1);
	fake_dev("dsa2", 0);
	fake_wq("wq0.0", "dedicated", "user", "enabled", 0, "dsa");
	fake_wq("wq0.1", "shared", "user", "enabled", 1, "dsa");
	fake_wq("wq0.2", "dedicated", "kernel", "enabled", 0, NULL);
	fake_wq("wq0.3", "dedicated", "user", "disabled", 0, NULL);
	fake_wq("wq1.0", "dedicated", "user", "enabled", 0, "iax");
	fake_wq("wq2.0", "dedicated", "user", "enabled", 0, "dsa");
	return setup_errors ? -1 : 0;
}

static int suite_fini(void)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_discover(void)
{
	struct idxd_wq_info w[16];
	char err[256] = "";
	struct idxd_roots r = {.sysfs = sysfs, .dev = devroot};
	int n = idxd_discover(&r, false, w, 16, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(n, 5); /* wq0.0-0.3, wq2.0: the DSA ones */
	CU_ASSERT_STRING_EQUAL(w[0].name, "wq0.0");
	CU_ASSERT_STRING_EQUAL(w[0].dev_name, "dsa0");
	CU_ASSERT(w[0].dedicated && w[0].enabled && !w[0].block_on_fault && w[0].pasid_enabled);
	CU_ASSERT_STRING_EQUAL(w[0].type, "user");
	CU_ASSERT_STRING_EQUAL(w[0].driver, "user");
	CU_ASSERT_EQUAL(w[0].size, 64);
	CU_ASSERT_EQUAL(w[0].max_xfer, 2097152);
	CU_ASSERT_EQUAL(w[0].max_batch, 32);
	CU_ASSERT_EQUAL(w[0].priority, 10);
	CU_ASSERT(!w[1].dedicated && w[1].block_on_fault);
	char want[600];
	snprintf(want, sizeof(want), "%s/dsa/wq0.0", devroot);
	CU_ASSERT_STRING_EQUAL(w[0].cdev, want);
	CU_ASSERT_STRING_EQUAL(w[4].name, "wq2.0");
	CU_ASSERT(!w[4].pasid_enabled);
	n = idxd_discover(&r, true, w, 16, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_EQUAL(w[0].dev_name, "iax1");
	snprintf(want, sizeof(want), "%s/iax/wq1.0", devroot);
	CU_ASSERT_STRING_EQUAL(w[0].cdev, want);
	/* Environment roots. */
	setenv("SVADK_IDXD_SYSFS_ROOT", sysfs, 1);
	setenv("SVADK_IDXD_DEV_ROOT", devroot, 1);
	n = idxd_discover(NULL, false, w, 16, err, sizeof(err));
	unsetenv("SVADK_IDXD_SYSFS_ROOT");
	unsetenv("SVADK_IDXD_DEV_ROOT");
	CU_ASSERT_EQUAL(n, 5);
	/* No idxd at all. */
	struct idxd_roots none = {.sysfs = root, .dev = devroot};
	CU_ASSERT_EQUAL(idxd_discover(&none, false, w, 16, err, sizeof(err)), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "idxd"));
}

static void test_find_and_messages(void)
{
	struct idxd_roots r = {.sysfs = sysfs, .dev = devroot};
	struct idxd_wq_info w;
	char err[512] = "";
	CU_ASSERT_EQUAL(idxd_wq_find(&r, false, "dsa0/wq0.1", &w, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(w.name, "wq0.1");
	CU_ASSERT_EQUAL(idxd_wq_find(&r, false, "dsa2/wq0.1", &w, err, sizeof(err)), -ENODEV);
	CU_ASSERT_EQUAL(idxd_wq_find(&r, false, "wq7.0", &w, err, sizeof(err)), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no DSA work queue 'wq7.0'"));
	CU_ASSERT_EQUAL_FATAL(idxd_wq_find(&r, false, "wq0.2", &w, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(idxd_wq_check_usable(&w, err, sizeof(err)), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an enabled work queue bound to the user driver"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "accel-config"));
	CU_ASSERT_EQUAL_FATAL(idxd_wq_find(&r, false, "wq0.3", &w, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(idxd_wq_check_usable(&w, err, sizeof(err)), -EPERM);
	CU_ASSERT_EQUAL_FATAL(idxd_wq_find(&r, false, "wq2.0", &w, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(idxd_wq_check_usable(&w, err, sizeof(err)), -ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "SVA is not enabled"));
	CU_ASSERT_EQUAL_FATAL(idxd_wq_find(&r, false, "wq0.0", &w, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(idxd_wq_check_usable(&w, err, sizeof(err)), 0);

	/* Through lib/dma. */
	char name[900];
	snprintf(name, sizeof(name), "dsa:wq0.2,sysfs_root=%s,dev_root=%s", sysfs, devroot);
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dev_open(name, NULL));
	CU_ASSERT_EQUAL(errno, EPERM);
	snprintf(name, sizeof(name), "dsa:wq9.9,sysfs_root=%s,dev_root=%s", sysfs, devroot);
	CU_ASSERT_PTR_NULL(sva_dev_open(name, NULL));
	CU_ASSERT_EQUAL(errno, ENODEV);
	snprintf(name, sizeof(name), "dsa:wq0.0,sysfs_root=%s,submit=bogus", sysfs);
	CU_ASSERT_PTR_NULL(sva_dev_open(name, NULL));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

static void test_submit_select(void)
{
	char err[160];
	CU_ASSERT_EQUAL(idxd_submit_select(true, true, false, true, IDXD_SUBMIT_AUTO, err, 160),
			IDXD_SUBMIT_MOVDIR64B);
	CU_ASSERT_EQUAL(idxd_submit_select(false, true, true, true, IDXD_SUBMIT_AUTO, err, 160),
			IDXD_SUBMIT_ENQCMD);
	/* This machine's case: MOVDIR64B without ENQCMD. */
	CU_ASSERT_EQUAL(idxd_submit_select(false, true, false, true, IDXD_SUBMIT_AUTO, err, 160),
			IDXD_SUBMIT_WRITE);
	CU_ASSERT_EQUAL(idxd_submit_select(true, true, true, false, IDXD_SUBMIT_AUTO, err, 160),
			IDXD_SUBMIT_WRITE);
	CU_ASSERT_EQUAL(idxd_submit_select(false, true, false, true, IDXD_SUBMIT_ENQCMD, err, 160),
			-ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "CPU does not have"));
	CU_ASSERT_EQUAL(idxd_submit_select(true, true, true, false, IDXD_SUBMIT_MOVDIR64B, err, 160),
			-ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "could not be mapped"));
	CU_ASSERT_EQUAL(idxd_submit_select(false, true, true, true, IDXD_SUBMIT_MOVDIR64B, err, 160),
			-ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "dedicated"));
	CU_ASSERT_EQUAL(idxd_submit_select(true, false, false, false, IDXD_SUBMIT_WRITE, err, 160),
			IDXD_SUBMIT_WRITE);
	CU_ASSERT_STRING_EQUAL(idxd_submit_mode_name(IDXD_SUBMIT_ENQCMD), "enqcmd");
}

/* MOVDIR64B to a page standing in for a portal stores the 64 bytes as given. */
static void test_movdir64b_encoding(void)
{
	if (!IDXD_HAVE_PORTAL_INSNS || !sva_cpu_has(SVA_CPU_MOVDIR64B)) {
		printf("(no MOVDIR64B on this CPU) ");
		return;
	}
	uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(page != MAP_FAILED);
	uint8_t desc[64] __attribute__((aligned(64)));
	for (int i = 0; i < 64; i++)
		desc[i] = (uint8_t)(i * 7 + 1);
	idxd_movdir64b(page + 128, desc);
	CU_ASSERT(memcmp(page + 128, desc, 64) == 0);
	CU_ASSERT(page[127] == 0 && page[192] == 0);
	munmap(page, 4096);
	if (sva_cpu_has(SVA_CPU_ENQCMD))
		printf("(ENQCMD present: not exercised without a device) ");
}

/* --- data path: FIFO work queue fed to the software DSA ------------------------ */

struct feeder {
	pthread_t thread;
	int fd;
	_Atomic bool stop;
	struct sim_dsa *hw;
	struct sim_portal *portal;
	struct sva_as *as;
	uint32_t pasid;
	_Atomic uint64_t descs;
};

static void *feed(void *arg)
{
	struct feeder *fd = arg;
	uint8_t d[64];
	size_t have = 0;
	while (!atomic_load(&fd->stop)) {
		ssize_t r = read(fd->fd, d + have, sizeof(d) - have);
		if (r <= 0) {
			usleep(50);
			continue;
		}
		have += (size_t)r;
		if (have < sizeof(d))
			continue;
		have = 0;
		while (sim_portal_submit(fd->portal, d) == -EAGAIN)
			usleep(10);
		fd->descs++;
	}
	return NULL;
}

static int feeder_start(struct feeder *f, const char *fifo)
{
	f->fd = open(fifo, O_RDONLY | O_NONBLOCK);
	if (f->fd < 0)
		return -errno;
	f->hw = sim_dsa_create(&(struct sim_dsa_conf){
		.name = "fifo-dsa", .type = SIM_DEV_DSA, .nb_wqs = 1, .wq_size = 256,
		.no_block_on_fault = true, .nb_engines = 1});
	if (!f->hw)
		return -errno;
	f->as = sva_as_create_process("feeder");
	struct sim_iommu *mmu = sim_dsa_iommu(f->hw);
	int rc = sim_iommu_pasid_alloc(mmu, &f->pasid);
	rc = rc ?: sim_iommu_bind(mmu, f->pasid, f->as);
	if (rc < 0)
		return rc;
	f->portal = sim_dsa_portal_open(f->hw, 0, f->pasid);
	if (!f->portal)
		return -errno;
	rc = sim_dsa_start(f->hw);
	return rc ?: -pthread_create(&f->thread, NULL, feed, f);
}

static void feeder_stop(struct feeder *f)
{
	atomic_store(&f->stop, true);
	pthread_join(f->thread, NULL);
	sim_portal_close(f->portal);
	sim_iommu_unbind(sim_dsa_iommu(f->hw), f->pasid);
	sim_iommu_pasid_free(sim_dsa_iommu(f->hw), f->pasid);
	sim_dsa_destroy(f->hw);
	sva_as_put(f->as);
	close(f->fd);
}

static void test_data_path(void)
{
	char fifo[600], name[900];
	snprintf(fifo, sizeof(fifo), "%s/dsa/wq0.0", devroot);
	struct feeder f = {0};
	CU_ASSERT_EQUAL_FATAL(feeder_start(&f, fifo), 0);
	snprintf(name, sizeof(name), "dsa:wq0.0,sysfs_root=%s,dev_root=%s", sysfs, devroot);
	struct sva_dev *dev = sva_dev_open(name, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	struct sva_dev_info info;
	CU_ASSERT_EQUAL(sva_dev_info_get(dev, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.driver, "dsa_wq");
	CU_ASSERT_EQUAL(info.max_queues, 1);
	CU_ASSERT_EQUAL(info.max_desc, 64);
	CU_ASSERT((info.capa & SVA_CAPA_BLOCK_ON_FAULT) == 0);
	CU_ASSERT((info.capa & SVA_CAPA_PARTIAL) != 0);

	/* Block on fault on a WQ configured without it: refused. */
	CU_ASSERT_PTR_NULL(sva_queue_create(dev, &(struct sva_queue_conf){.nb_desc = 32,
									  .fault_mode = SVA_FAULT_BLOCK}));
	CU_ASSERT_EQUAL(errno, ENOTSUP);

	struct sva_iopf *pf = sva_iopf_create(NULL);
	CU_ASSERT_EQUAL_FATAL(sva_dev_attach_iopf(dev, pf), 0);
	CU_ASSERT_EQUAL_FATAL(sva_iopf_start(pf, -1), 0);
	struct sva_queue *q = sva_queue_create(dev, &(struct sva_queue_conf){
		.nb_desc = 64, .fault_mode = SVA_FAULT_PARTIAL});
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	/* A dedicated WQ has one client. */
	CU_ASSERT_PTR_NULL(sva_queue_create(dev, &(struct sva_queue_conf){
		.nb_desc = 32, .fault_mode = SVA_FAULT_PARTIAL}));
	CU_ASSERT_EQUAL(errno, ENOSPC);

	/* Fresh memory: every page faults on the device, and is resolved by
	 * lib/iopf through partial completions; the remainder is resubmitted. */
	const size_t len = 256 << 10;
	uint8_t *src = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *dst = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(src != MAP_FAILED && dst != MAP_FAILED);
	for (size_t i = 0; i < len; i += 4096)
		src[i] = (uint8_t)(i >> 12); /* src present, dst not */
	const unsigned int nops = 8;
	const uint32_t chunk = (uint32_t)(len / nops);
	for (unsigned int i = 0; i < nops; i++)
		CU_ASSERT(sva_copy(q, dst + i * chunk, src + i * chunk, chunk,
				   i == nops - 1 ? SVA_OP_FLAG_SUBMIT : 0) >= 0);
	CU_ASSERT_EQUAL(sva_queue_drain(q, 10000), 0);
	uint16_t last;
	bool err = false;
	unsigned int got = 0;
	for (int spin = 0; spin < 1000 && got < nops && !err; spin++)
		got += sva_completed(q, 32, &last, &err);
	CU_ASSERT_EQUAL(got, nops);
	CU_ASSERT(!err);
	CU_ASSERT(memcmp(src, dst, len) == 0);
	struct sva_queue_stats st;
	CU_ASSERT_EQUAL(sva_queue_stats_get(q, &st), 0);
	CU_ASSERT(st.faults > 0);
	CU_ASSERT(st.resubmits > 0);
	CU_ASSERT(f.descs > nops / 32); /* descriptors went through the FIFO */
	printf("(%llu faults, %llu resubmits, %llu descriptors through write()) ",
	       (unsigned long long)st.faults, (unsigned long long)st.resubmits,
	       (unsigned long long)atomic_load(&f.descs));

	/* A bad address completes with a page-fault status, not a crash. */
	CU_ASSERT(sva_copy(q, dst, (void *)(uintptr_t)0x1000, 4096, SVA_OP_FLAG_SUBMIT) >= 0);
	CU_ASSERT_EQUAL(sva_queue_drain(q, 10000), 0);
	enum sva_status s = SVA_STATUS_SUCCESS;
	got = 0;
	for (int spin = 0; spin < 1000 && !got; spin++)
		got = sva_completed_status(q, 1, &last, &s);
	CU_ASSERT_EQUAL(got, 1);
	CU_ASSERT(s == SVA_STATUS_PAGE_FAULT || s == SVA_STATUS_TRANSLATION_FAULT);

	CU_ASSERT_EQUAL(sva_queue_destroy(q), 0);
	sva_iopf_stop(pf);
	CU_ASSERT_EQUAL(sva_dev_detach_iopf(dev), 0);
	CU_ASSERT_EQUAL(sva_dev_close(dev), 0);
	sva_iopf_destroy(pf);
	munmap(src, len);
	munmap(dst, len);
	feeder_stop(&f);
}

static const struct sva_test_case cases[] = {
	{"discover", test_discover},
	{"find_and_messages", test_find_and_messages},
	{"submit_select", test_submit_select},
	{"movdir64b_encoding", test_movdir64b_encoding},
	{"data_path", test_data_path},
	{NULL, NULL},
};

static int add_suites(void)
{
	return sva_test_add_suite("idxd_wq", cases, suite_init, suite_fini);
}

int main(void)
{
	if (!getenv("SVADK_LOG"))
		sva_log_parse_spec("*:error");
	return sva_test_main(add_suites);
}
