/* SPDX-License-Identifier: BSD-3-Clause */
/* The dsa_wq and iaa_wq drivers: lib/dma devices on kernel idxd user work
 * queues ("dsa:wq0.0", "iax:wq1.0").
 *
 * Opening /dev/dsa/wqX.Y binds this process's page tables to the device
 * (kernel SVA: the idxd driver gets a PASID for the mm), so queues use plain
 * pointers of the process address space. Descriptors go to the mapped portal
 * with MOVDIR64B (dedicated WQ) or ENQCMD (shared WQ, retried when the device
 * rejects it), or, where the portal cannot be mapped or the CPU lacks the
 * instruction, through write(2) on the WQ file (the kernel submits). The data
 * path is idxd_queue.c, shared with the software device: partial completions
 * (no block-on-fault) go to lib/iopf through the same software fault queue. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "idxd_hw.h"
#include "idxd_portal.h"
#include "idxd_backend.h"
#include "idxd_wq.h"
#include "sva_as.h"
#include "sva_cpu.h"
#include "sva_defaults.h"
#include "sva_dma_driver.h"
#include "sva_iopf_swq.h"
#include "sva_log.h"

#define WQ_PORTAL_SIZE 4096u
#define WQ_MAX_SHARED_QUEUES 64u

struct wq_dev {
	struct idxd_wq_info wq;
	char sysfs_root[256];
	char dev_root[256];
	enum idxd_submit_mode want;
	uint32_t fault_timeout_ms;
	struct idxd_pc pc;           /* partial-completion faults, one per device */
	struct sva_as *process_as;
};

struct wq_portal {
	int fd;
	void *portal;              /* mapped portal, or NULL (write mode) */
	enum idxd_submit_mode mode;
	const char *name;
	uint64_t rejected;         /* ENQCMD retries / write() EAGAIN */
	bool warned;
};

struct wq_queue {
	struct idxd_queue *q;        /* first: struct idxd_backend_queue */
	struct wq_portal p;
	char name[96];
};

static const char *const wq_args[] = {"sysfs_root", "dev_root", "submit", "prs_timeout_ms", NULL};

#define WQ_HELP                                                                                 \
	"    device name dsa:wqX.Y / iax:wqX.Y (or dsa:dsa0/wq0.0): a kernel user work queue\n"      \
	"    sysfs_root=DIR (default /sys, or $SVADK_IDXD_SYSFS_ROOT)\n"                            \
	"    dev_root=DIR (default /dev, or $SVADK_IDXD_DEV_ROOT)\n"                                \
	"    submit=auto|movdir64b|enqcmd|write (default auto)  prs_timeout_ms=N (default 2000)\n"

/* --- portals -------------------------------------------------------------------- */

static int submit_movdir64b(void *portal, const void *desc)
{
	struct wq_portal *p = portal;
	idxd_movdir64b(p->portal, desc);
	return 0;
}

static int submit_enqcmd(void *portal, const void *desc)
{
	struct wq_portal *p = portal;
	if (idxd_enqcmd(p->portal, desc))
		return 0;
	p->rejected++;
	return -EAGAIN;
}

static int submit_write(void *portal, const void *desc)
{
	struct wq_portal *p = portal;
	ssize_t w;
	do
		w = write(p->fd, desc, IDXD_DESC_SIZE);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)IDXD_DESC_SIZE)
		return 0;
	if (w < 0 && (errno == EAGAIN || errno == EBUSY || errno == ENOSPC)) {
		p->rejected++;
		return -EAGAIN;
	}
	if (!p->warned) {
		p->warned = true;
		SVA_LOG(IDXD, ERR, "%s: write() submission failed: %s (retrying)", p->name,
			w < 0 ? strerror(errno) : "short write");
	}
	return -EAGAIN;
}

static const struct idxd_portal_ops portal_movdir64b = {.submit = submit_movdir64b};
static const struct idxd_portal_ops portal_enqcmd = {.submit = submit_enqcmd};
static const struct idxd_portal_ops portal_write = {.submit = submit_write};

/* Open the WQ file and choose how to submit. @return 0 or -errno (logged). */
static int portal_open(struct wq_dev *wd, struct wq_portal *p, const char *name)
{
	const struct idxd_wq_info *w = &wd->wq;
	p->name = name;
	p->fd = open(w->cdev, O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		int e = errno;
		if (e == EBUSY)
			SVA_LOG(IDXD, ERR, "%s: %s is busy: a dedicated work queue takes one client and "
				"another process (or queue) has it open; use a shared work queue to share "
				"it", name, w->cdev);
		else if (e == ENOENT || e == ENODEV || e == ENXIO)
			SVA_LOG(IDXD, ERR, "%s: %s does not exist: the work queue is not enabled as a "
				"user queue (accel-config enable-wq %s/%s), or udev has not made the node",
				name, w->cdev, w->dev_name, w->name);
		else if (e == EACCES)
			SVA_LOG(IDXD, ERR, "%s: %s: permission denied (a udev rule or group for "
				"/dev/%s, or root)", name, w->cdev, w->iaa ? "iax" : "dsa");
		else if (e == EPERM || e == EOPNOTSUPP || e == EINVAL)
			SVA_LOG(IDXD, ERR, "%s: %s refused (%s): the kernel could not bind this process "
				"for SVA (no PASID: IOMMU scalable mode off, or SVA disabled on %s)", name,
				w->cdev, strerror(e), w->dev_name);
		else
			SVA_LOG(IDXD, ERR, "%s: cannot open %s: %s", name, w->cdev, strerror(e));
		return -e;
	}
	bool mapped = false;
	if (wd->want != IDXD_SUBMIT_WRITE) {
		void *m = mmap(NULL, WQ_PORTAL_SIZE, PROT_WRITE, MAP_SHARED | MAP_POPULATE, p->fd, 0);
		if (m != MAP_FAILED) {
			p->portal = m;
			mapped = true;
		} else if (errno == EPERM) {
			SVA_LOG(IDXD, WARNING, "%s: mapping the portal of %s was refused: this kernel "
				"allows direct submission on this device only with CAP_SYS_RAWIO (a "
				"device erratum); using write() submission through the kernel", name,
				w->cdev);
		} else {
			SVA_LOG(IDXD, INFO, "%s: cannot map the portal of %s (%s); using write() "
				"submission", name, w->cdev, strerror(errno));
		}
	}
	bool movdir = IDXD_HAVE_PORTAL_INSNS && sva_cpu_has(SVA_CPU_MOVDIR64B);
	bool enqcmd = IDXD_HAVE_PORTAL_INSNS && sva_cpu_has(SVA_CPU_ENQCMD);
	char err[160] = "";
	int m = idxd_submit_select(w->dedicated, movdir, enqcmd, mapped, wd->want, err, sizeof(err));
	if (m < 0) {
		SVA_LOG(IDXD, ERR, "%s: submit=%s: %s", name, idxd_submit_mode_name(wd->want), err);
		if (p->portal)
			munmap(p->portal, WQ_PORTAL_SIZE);
		close(p->fd);
		return m;
	}
	if (m == IDXD_SUBMIT_WRITE && mapped && wd->want == IDXD_SUBMIT_AUTO)
		SVA_LOG(IDXD, WARNING, "%s: the CPU has no %s (needed for %s work queues); using "
			"write() submission through the kernel, one system call per doorbell", name,
			w->dedicated ? "MOVDIR64B" : "ENQCMD", w->dedicated ? "dedicated" : "shared");
	if (m == IDXD_SUBMIT_WRITE && p->portal) {
		munmap(p->portal, WQ_PORTAL_SIZE);
		p->portal = NULL;
	}
	p->mode = (enum idxd_submit_mode)m;
	SVA_LOG(IDXD, INFO, "%s: %s (%s work queue), submission by %s", name, w->cdev,
		w->dedicated ? "dedicated" : "shared", idxd_submit_mode_name(p->mode));
	return 0;
}

static void portal_close(struct wq_portal *p)
{
	if (p->portal)
		munmap(p->portal, WQ_PORTAL_SIZE);
	if (p->fd >= 0)
		close(p->fd);
	p->portal = NULL;
	p->fd = -1;
}

/* --- device ops ------------------------------------------------------------------- */

/* Operations per batch descriptor the work queue takes (DSA). */
static uint16_t wq_max_batch(const struct idxd_wq_info *w)
{
	return (uint16_t)(w->max_batch ? SVA_MIN(w->max_batch, 1024u) : 1);
}

static int wq_info(struct sva_dev *dev, struct sva_dev_info *info)
{
	struct wq_dev *wd = dev->priv;
	const struct idxd_wq_info *w = &wd->wq;
	info->capa = idxd_queue_capa_ops(w->iaa) | SVA_CAPA_SVA | SVA_CAPA_PARTIAL;
	if (w->block_on_fault)
		info->capa |= SVA_CAPA_BLOCK_ON_FAULT;
	info->min_desc = 2;
	/* A dedicated WQ drops what does not fit: never more in flight than its size. */
	uint32_t max = w->dedicated && w->size ? sva_pow2_floor(SVA_MIN(w->size, 4096u)) : 4096;
	info->max_desc = (uint16_t)(max < 2 ? 2 : max);
	info->max_xfer = w->max_xfer && w->max_xfer < UINT32_MAX ? (uint32_t)w->max_xfer
								 : UINT32_MAX;
	info->max_batch = w->iaa ? 1 : wq_max_batch(w);
	info->numa_node = (int16_t)w->numa_node;
	info->pasid_bits = 20;
	return 0;
}

static void wq_close(struct sva_dev *dev)
{
	struct wq_dev *wd = dev->priv;
	idxd_pc_destroy(&wd->pc);
	free(wd);
}

static int wq_queue_setup(struct sva_dev *dev, struct sva_queue *q, const struct sva_queue_conf *conf)
{
	struct wq_dev *wd = dev->priv;
	const struct idxd_wq_info *w = &wd->wq;
	/* sva_queue_create() refused a managed address space (no
	 * SVA_CAPA_MANAGED_AS: kernel SVA translates through this process's page
	 * tables only) and SVA_FAULT_BLOCK on a queue with block_on_fault=0. */
	if (w->dedicated && w->size && q->nb_desc > w->size) {
		SVA_LOG(IDXD, ERR, "%s: %u descriptors do not fit the dedicated work queue (size %u)",
			dev->name, q->nb_desc, w->size);
		return -EINVAL;
	}
	struct wq_queue *wq = calloc(1, sizeof(*wq));
	if (!wq)
		return -ENOMEM;
	snprintf(wq->name, sizeof(wq->name), "%s.q%u", dev->name, q->id);
	wq->p.fd = -1;
	int rc = portal_open(wd, &wq->p, wq->name);
	if (rc < 0) {
		free(wq);
		return rc;
	}
	const struct idxd_portal_ops *ops = wq->p.mode == IDXD_SUBMIT_MOVDIR64B ? &portal_movdir64b
					    : wq->p.mode == IDXD_SUBMIT_ENQCMD  ? &portal_enqcmd
										 : &portal_write;
	struct idxd_queue_conf qc = {
		.name = wq->name,
		.iaa = w->iaa,
		.nb_desc = q->nb_desc,
		.pasid = 0, /* the kernel (dedicated WQ) or the CPU (ENQCMD) stamps it */
		.block_on_fault = conf->fault_mode == SVA_FAULT_BLOCK,
		/* write() submission refuses batch descriptors on devices where
		 * user submission is not safe (DSA 1.0): no batching there. */
		.max_batch = wq->p.mode == IDXD_SUBMIT_WRITE ? 1 : wq_max_batch(w), /* 1 for IAA */
		.portal_ops = ops,
		.portal = &wq->p,
		.pc_swq = wd->pc.swq,
		.fault_timeout_ms = wd->fault_timeout_ms,
		.numa_node = w->numa_node,
		.map_as = NULL,
	};
	wq->q = idxd_queue_create(&qc);
	if (!wq->q) {
		rc = -errno;
		portal_close(&wq->p);
		free(wq);
		return rc;
	}
	idxd_queue_fill_fp(wq->q, &q->live);
	q->pasid = 0;
	q->drv_priv = wq;
	return 0;
}

static void wq_queue_release(struct sva_dev *dev, struct sva_queue *q)
{
	struct wq_dev *wd = dev->priv;
	struct wq_queue *wq = q->drv_priv;
	if (idxd_queue_drain(wq->q, wd->fault_timeout_ms * 4 + 1000) < 0)
		SVA_LOG(IDXD, WARNING, "%s: released with operations in flight", wq->name);
	/* Closing the file drains the queue on the kernel side and unbinds. */
	portal_close(&wq->p);
	idxd_queue_free(wq->q);
	free(wq);
	q->drv_priv = NULL;
}

static int wq_queue_dump(struct sva_dev *dev, const struct sva_queue *q, FILE *f)
{
	const struct wq_queue *wq = q->drv_priv;
	(void)dev;
	fprintf(f, "  submission %s, %llu rejected/retried\n", idxd_submit_mode_name(wq->p.mode),
		(unsigned long long)wq->p.rejected);
	idxd_queue_dump(wq->q, f);
	return 0;
}

static int wq_dump(struct sva_dev *dev, FILE *f)
{
	struct wq_dev *wd = dev->priv;
	const struct idxd_wq_info *w = &wd->wq;
	fprintf(f, "  %s/%s '%s': %s, size %u, max_xfer %llu, max_batch %u, block_on_fault %d, "
		"node %d, %s%s\n", w->dev_name, w->name, w->wq_name,
		w->dedicated ? "dedicated" : "shared", w->size, (unsigned long long)w->max_xfer,
		w->max_batch, w->block_on_fault, w->numa_node, w->cdev,
		w->from_accfg ? " (libaccel-config)" : " (sysfs)");
	return 0;
}

static int wq_attach_iopf(struct sva_dev *dev, struct sva_iopf *pf)
{
	struct wq_dev *wd = dev->priv;
	/* Block-on-fault faults are resolved by the kernel's SVA handler; what
	 * reaches user space is partial completions. */
	return idxd_pc_attach(&wd->pc, pf);
}

static int wq_detach_iopf(struct sva_dev *dev)
{
	struct wq_dev *wd = dev->priv;
	return idxd_pc_detach(&wd->pc);
}

static const struct sva_dev_ops wq_ops = {
	.info = wq_info,
	.close = wq_close,
	.queue_setup = wq_queue_setup,
	.queue_drain = idxd_backend_queue_drain,
	.queue_release = wq_queue_release,
	.queue_stats = idxd_backend_queue_stats,
	.queue_stats_reset = idxd_backend_queue_stats_reset,
	.queue_dump = wq_queue_dump,
	.dump = wq_dump,
	.attach_iopf = wq_attach_iopf,
	.detach_iopf = wq_detach_iopf,
};

static struct sva_as *pc_lookup_as(void *arg, uint32_t pasid)
{
	struct wq_dev *wd = arg;
	(void)pasid; /* every queue of a kernel WQ is bound to this process */
	sva_as_get(wd->process_as);
	return wd->process_as;
}

static int wq_probe(struct sva_dev *dev, const struct sva_kvargs *kv, bool iaa, char *err,
		    size_t errlen)
{
	const char *prefix = iaa ? "iax:" : "dsa:";
	const char *wqname = kv->name + strlen(prefix);
	if (!*wqname) {
		snprintf(err, errlen, "no work queue in '%s' (expected %swqX.Y)", kv->name, prefix);
		return -EINVAL;
	}
	struct wq_dev *wd = calloc(1, sizeof(*wd));
	if (!wd)
		return -ENOMEM;
	const char *s = sva_kvargs_get(kv, "sysfs_root");
	const char *d = sva_kvargs_get(kv, "dev_root");
	snprintf(wd->sysfs_root, sizeof(wd->sysfs_root), "%s", s ? s : "");
	snprintf(wd->dev_root, sizeof(wd->dev_root), "%s", d ? d : "");
	static const char *const modes[] = {"auto", "movdir64b", "enqcmd", "write", NULL};
	int mode = 0;
	uint64_t v = 0;
	if (sva_kvargs_choice(kv, "submit", modes, 0, &mode, err, errlen) < 0 ||
	    sva_kvargs_u64(kv, "prs_timeout_ms", SVA_DEFAULT_PRS_TIMEOUT_MS, 1, 600000, &v, err,
			   errlen) < 0) {
		free(wd);
		return -EINVAL;
	}
	wd->want = (enum idxd_submit_mode)mode;
	wd->fault_timeout_ms = (uint32_t)v;
	struct idxd_roots roots = {.sysfs = s ? wd->sysfs_root : NULL, .dev = d ? wd->dev_root : NULL};
	int rc = idxd_wq_find(&roots, iaa, wqname, &wd->wq, err, errlen);
	if (rc == 0)
		rc = idxd_wq_check_usable(&wd->wq, err, errlen);
	if (rc < 0) {
		free(wd);
		return rc;
	}
	wd->process_as = dev->process_as;
	if (idxd_pc_create(&wd->pc, dev->name, pc_lookup_as, wd) < 0) {
		free(wd);
		return -ENOMEM;
	}
	dev->priv = wd;
	dev->ops = &wq_ops;
	dev->max_queues = (uint16_t)(wd->wq.dedicated ? 1 : WQ_MAX_SHARED_QUEUES);
	SVA_LOG(IDXD, INFO, "%s: %s/%s, %s, size %u, block_on_fault %d (%s)", dev->name,
		wd->wq.dev_name, wd->wq.name, wd->wq.dedicated ? "dedicated" : "shared", wd->wq.size,
		wd->wq.block_on_fault, wd->wq.from_accfg ? "libaccel-config" : "sysfs");
	return 0;
}

static int dsa_wq_probe(struct sva_dev *dev, const struct sva_kvargs *kv, char *err, size_t errlen)
{
	return wq_probe(dev, kv, false, err, errlen);
}

static int iaa_wq_probe(struct sva_dev *dev, const struct sva_kvargs *kv, char *err, size_t errlen)
{
	return wq_probe(dev, kv, true, err, errlen);
}

const struct sva_driver sva_drv_dsa_wq = {
	.name = "dsa_wq",
	.prefix = "dsa:",
	.args = wq_args,
	.help = WQ_HELP,
	.probe = dsa_wq_probe,
};

const struct sva_driver sva_drv_iaa_wq = {
	.name = "iaa_wq",
	.prefix = "iax:",
	.args = wq_args,
	.help = WQ_HELP,
	.probe = iaa_wq_probe,
};
