/* SPDX-License-Identifier: BSD-3-Clause */
/* The "iommufd" lib/dma driver: a VFIO cdev device bound to /dev/iommu,
 * whose queues are PASIDs.
 *
 *   sva_dev_open("iommufd:vfio0", NULL)                  -> /dev/vfio/devices/vfio0
 *   sva_dev_open("iommufd:/dev/vfio/devices/vfio3", "iommu=/dev/iommu")
 *
 * What svadk gets from iommufd is the IOMMU half of a device: per queue one
 * PASID, attached (VFIO_DEVICE_ATTACH_PASID) to a fault-capable HWPT on an
 * IOAS mirroring the queue's address space, with page requests resolved by
 * the lib/iopf handler attached to the device. It has no engine to drive:
 * submitting work to a VFIO-assigned device is that device's own user-space
 * driver's business (svadk has none yet for a VFIO-assigned DSA), so the
 * fast-path operations answer -ENOTSUP and sva_queue_pasid() tells the
 * application which PASID to program into its device. See
 * doc/guides/hardware.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iommufd_priv.h"
#include "sva_as.h"
#include "sva_dma_driver.h"
#include "sva_iopf.h"
#include "sva_log.h"

#define IOMMUFD_MAX_QUEUES 64u

struct ifd_queue {
	uint32_t pasid;
	struct sva_iommufd_space *sp;
	struct sva_iommufd_hwpt hwpt;
};

struct ifd_dev {
	struct sva_iommufd *ic;
	char cdev[256];
	int dev_fd;
	uint32_t dev_id;
	struct sva_iommufd_hw_info hw;
	struct sva_iommufd_fq *fq;
	struct sva_iommufd_space *rid_sp; /* the non-PASID part: the process, mirrored */
	struct sva_iommufd_hwpt rid_hwpt;
	uint32_t map_pages;
	uint32_t next_pasid;
	uint64_t pasid_used[IOMMUFD_MAX_QUEUES / 64 + 1]; /* offsets from pasid_base */
	uint32_t pasid_base;
};

static const char *const ifd_args[] = {"iommu", "map_pages", "pasid_base", NULL};

#define IFD_HELP                                                                                \
	"    device name iommufd:vfioN or iommufd:/dev/vfio/devices/vfioN (a VFIO cdev device)\n"  \
	"    iommu=PATH (default /dev/iommu)  map_pages=N (pages mapped per fault, default 16)\n"  \
	"    pasid_base=N (first PASID given to queues, default 1)\n"

static int ifd_info(struct sva_dev *dev, struct sva_dev_info *info)
{
	struct ifd_dev *d = dev->priv;
	/* No operation: the engine is the application's (see the file comment). */
	info->capa = SVA_CAPA_SVA | SVA_CAPA_MANAGED_AS | SVA_CAPA_BLOCK_ON_FAULT;
	info->min_desc = 2;
	info->max_desc = 4096;
	info->max_xfer = 0;
	info->max_batch = 1;
	info->numa_node = -1;
	info->pasid_bits = d->hw.pasid_bits;
	return 0;
}

static void ifd_free(struct ifd_dev *d)
{
	if (d->rid_hwpt.id) {
		sva_iommufd_vfio_detach(d->dev_fd, SVA_IOMMUFD_NO_PASID);
		sva_iommufd_hwpt_free(d->ic, &d->rid_hwpt);
	}
	if (d->dev_fd >= 0)
		close(d->dev_fd); /* unbinds the device */
	sva_iommufd_fq_free(d->fq);
	sva_iommufd_space_destroy(d->rid_sp);
	sva_iommufd_close(d->ic);
	free(d);
}

static void ifd_close(struct sva_dev *dev)
{
	ifd_free(dev->priv);
}

static int pasid_alloc(struct ifd_dev *d, uint32_t *pasid)
{
	uint32_t limit = d->hw.pasid_bits >= 32 ? UINT32_MAX : (1u << d->hw.pasid_bits) - 1;
	for (uint32_t i = 0; i < IOMMUFD_MAX_QUEUES; i++) {
		uint32_t p = d->pasid_base + i;
		if (p > limit)
			break;
		if (!(d->pasid_used[i / 64] & (1ull << (i % 64)))) {
			d->pasid_used[i / 64] |= 1ull << (i % 64);
			*pasid = p;
			return 0;
		}
	}
	return -ENOSPC;
}

static void pasid_free(struct ifd_dev *d, uint32_t pasid)
{
	uint32_t i = pasid - d->pasid_base;
	d->pasid_used[i / 64] &= ~(1ull << (i % 64));
}

/* Answer what the handler still holds for a PASID before its space goes.
 * dev->iopf stays set after the handler is destroyed (until
 * sva_dev_detach_iopf()): only the fault queue knows whether it still
 * reads it. */
static void drain_handler(struct sva_dev *dev)
{
	struct ifd_dev *d = dev->priv;
	pthread_mutex_lock(&dev->lock);
	if (dev->iopf && sva_iommufd_fq_attached(d->fq))
		sva_iopf_drain(dev->iopf);
	pthread_mutex_unlock(&dev->lock);
}

static int ifd_queue_setup(struct sva_dev *dev, struct sva_queue *q, const struct sva_queue_conf *conf)
{
	struct ifd_dev *d = dev->priv;
	char err[256] = "";
	if (!d->hw.pasid_bits) {
		SVA_LOG(IOMMUFD, ERR, "%s: the device (or its IOMMU) has no PASID support "
			"(IOMMU_GET_HW_INFO reports no PASID width): iommufd queues need one PASID "
			"each", dev->name);
		return -ENOTSUP;
	}
	if (conf->fault_mode != SVA_FAULT_BLOCK) {
		SVA_LOG(IOMMUFD, ERR, "%s: faults reach user space as page requests, the device "
			"waits for them: only SVA_FAULT_BLOCK", dev->name);
		return -ENOTSUP;
	}
	struct ifd_queue *iq = calloc(1, sizeof(*iq));
	if (!iq)
		return -ENOMEM;
	int rc = pasid_alloc(d, &iq->pasid);
	if (rc < 0) {
		SVA_LOG(IOMMUFD, ERR, "%s: no PASID left", dev->name);
		free(iq);
		return rc;
	}
	char name[96];
	snprintf(name, sizeof(name), "%s.pasid%u", dev->name, iq->pasid);
	iq->sp = sva_iommufd_space_create(d->ic, &(struct sva_iommufd_space_conf){
		.name = name, .as = q->as, .map_pages = d->map_pages});
	if (!iq->sp) {
		rc = -errno;
		goto fail_pasid;
	}
	rc = sva_iommufd_hwpt_alloc(d->ic, &(struct sva_iommufd_hwpt_req){
		.dev_id = d->dev_id, .pt_id = sva_iommufd_space_ioas(iq->sp), .pasid = true,
		.fq = d->fq}, &iq->hwpt, err, sizeof(err));
	if (rc < 0)
		goto fail_log;
	rc = sva_iommufd_fq_bind(d->fq, d->dev_id, iq->pasid, iq->sp);
	if (rc < 0)
		goto fail_hwpt;
	rc = sva_iommufd_vfio_attach(d->dev_fd, iq->pasid, iq->hwpt.id, err, sizeof(err));
	if (rc < 0) {
		sva_iommufd_fq_unbind(d->fq, d->dev_id, iq->pasid);
		goto fail_hwpt;
	}
	struct sva_queue_fp fp = {0};
	sva_queue_fp_fill_unsupported(&fp);
	q->live = fp;
	q->pasid = iq->pasid;
	q->drv_priv = iq;
	SVA_LOG(IOMMUFD, INFO, "%s: queue %u: PASID %u on HWPT %u (%s), IOAS %u", dev->name, q->id,
		iq->pasid, iq->hwpt.id, iq->hwpt.kind == SVA_IOMMUFD_HWPT_PAGING ? "paging" : "nested",
		sva_iommufd_space_ioas(iq->sp));
	return 0;
fail_hwpt:
	sva_iommufd_hwpt_free(d->ic, &iq->hwpt);
fail_log:
	SVA_LOG(IOMMUFD, ERR, "%s: queue %u: %s", dev->name, q->id, err[0] ? err : strerror(-rc));
	sva_iommufd_space_destroy(iq->sp);
fail_pasid:
	pasid_free(d, iq->pasid);
	free(iq);
	return rc;
}

static int ifd_queue_drain(struct sva_dev *dev, struct sva_queue *q, uint32_t timeout_ms)
{
	(void)dev, (void)q, (void)timeout_ms;
	return 0; /* nothing is submitted through svadk */
}

static void ifd_queue_release(struct sva_dev *dev, struct sva_queue *q)
{
	struct ifd_dev *d = dev->priv;
	struct ifd_queue *iq = q->drv_priv;
	/* Detach first: the kernel answers the PASID's pending groups itself. */
	sva_iommufd_vfio_detach(d->dev_fd, iq->pasid);
	sva_iommufd_fq_unbind(d->fq, d->dev_id, iq->pasid);
	drain_handler(dev);
	sva_iommufd_hwpt_free(d->ic, &iq->hwpt);
	sva_iommufd_space_destroy(iq->sp);
	pasid_free(d, iq->pasid);
	free(iq);
	q->drv_priv = NULL;
}

static int ifd_queue_stats(struct sva_dev *dev, const struct sva_queue *q, struct sva_queue_stats *st)
{
	(void)dev, (void)q;
	memset(st, 0, sizeof(*st));
	return 0;
}

static int ifd_queue_stats_reset(struct sva_dev *dev, struct sva_queue *q)
{
	(void)dev, (void)q;
	return 0;
}

static int ifd_dump(struct sva_dev *dev, FILE *f)
{
	struct ifd_dev *d = dev->priv;
	struct sva_iommufd_fq_stats fs;
	sva_iommufd_fq_stats(d->fq, &fs);
	fprintf(f, "  %s: iommufd device %u, IOMMU type %u, PASID width %u, capabilities 0x%llx\n"
		"  fault queue %u: %llu records, %llu responses, %llu stale, %llu errors\n",
		d->cdev, d->dev_id, d->hw.type, d->hw.pasid_bits,
		(unsigned long long)d->hw.capabilities, sva_iommufd_fq_id(d->fq),
		(unsigned long long)fs.records, (unsigned long long)fs.responses,
		(unsigned long long)fs.stale, (unsigned long long)fs.respond_errors);
	return 0;
}

/* lib/dma keeps the handler in dev->iopf and calls these under dev->lock. */
static int ifd_attach_iopf(struct sva_dev *dev, struct sva_iopf *pf)
{
	struct ifd_dev *d = dev->priv;
	return sva_iopf_add_source(pf, &sva_iommufd_fq_ops, d->fq);
}

static int ifd_detach_iopf(struct sva_dev *dev)
{
	struct ifd_dev *d = dev->priv;
	if (!sva_iommufd_fq_attached(d->fq))
		return 0; /* the handler was destroyed first and let go already */
	return sva_iopf_remove_source(dev->iopf, d->fq);
}

static const struct sva_dev_ops ifd_ops = {
	.info = ifd_info,
	.close = ifd_close,
	.queue_setup = ifd_queue_setup,
	.queue_drain = ifd_queue_drain,
	.queue_release = ifd_queue_release,
	.queue_stats = ifd_queue_stats,
	.queue_stats_reset = ifd_queue_stats_reset,
	.dump = ifd_dump,
	.attach_iopf = ifd_attach_iopf,
	.detach_iopf = ifd_detach_iopf,
};

static int ifd_probe(struct sva_dev *dev, const struct sva_kvargs *kv, char *err, size_t errlen)
{
	const char *what = kv->name + strlen("iommufd:");
	if (!*what) {
		snprintf(err, errlen, "no device in '%s' (expected iommufd:vfioN or a cdev path)",
			 kv->name);
		return -EINVAL;
	}
	uint64_t map_pages, base;
	if (sva_kvargs_u64(kv, "map_pages", 16, 1, 512, &map_pages, err, errlen) < 0 ||
	    sva_kvargs_u64(kv, "pasid_base", 1, 1, (1u << 20) - 1, &base, err, errlen) < 0)
		return -EINVAL;
	struct ifd_dev *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->dev_fd = -1;
	d->map_pages = (uint32_t)map_pages;
	d->pasid_base = (uint32_t)base;
	if (snprintf(d->cdev, sizeof(d->cdev), what[0] == '/' ? "%s" : "/dev/vfio/devices/%s",
		     what) >= (int)sizeof(d->cdev)) {
		free(d);
		snprintf(err, errlen, "device path too long");
		return -EINVAL;
	}
	int rc;
	d->ic = sva_iommufd_open(sva_kvargs_get(kv, "iommu"), err, errlen);
	if (!d->ic) {
		rc = -errno;
		free(d);
		return rc;
	}
	rc = sva_iommufd_vfio_bind(d->ic, d->cdev, &d->dev_fd, &d->dev_id, err, errlen);
	if (rc < 0)
		goto fail;
	rc = sva_iommufd_hw_info(d->ic, d->dev_id, &d->hw);
	if (rc < 0) {
		snprintf(err, errlen, "IOMMU_GET_HW_INFO: %s", strerror(-rc));
		goto fail;
	}
	d->fq = sva_iommufd_fq_alloc(d->ic, err, errlen);
	if (!d->fq) {
		rc = -errno;
		goto fail;
	}
	/* The non-PASID part: this process, mirrored, on a PASID-capable HWPT
	 * (required before any PASID attach). */
	char name[96];
	snprintf(name, sizeof(name), "%s.rid", dev->name);
	d->rid_sp = sva_iommufd_space_create(d->ic, &(struct sva_iommufd_space_conf){
		.name = name, .as = dev->process_as, .map_pages = d->map_pages});
	if (!d->rid_sp) {
		rc = -errno;
		snprintf(err, errlen, "IOAS for the device: %s", strerror(-rc));
		goto fail;
	}
	struct sva_iommufd_hwpt_req req = {.dev_id = d->dev_id,
					   .pt_id = sva_iommufd_space_ioas(d->rid_sp),
					   .pasid = d->hw.pasid_bits > 0, .fq = d->fq};
	rc = sva_iommufd_hwpt_alloc(d->ic, &req, &d->rid_hwpt, err, errlen);
	if (rc == 0)
		rc = sva_iommufd_vfio_attach(d->dev_fd, SVA_IOMMUFD_NO_PASID, d->rid_hwpt.id, err,
					     errlen);
	if (rc == -EOPNOTSUPP || rc == -ENODEV) {
		/* No page requests for this device (no PRI; VT-d answers ENODEV at
		 * attach): its own (non-PASID) accesses go on a plain HWPT. */
		SVA_LOG(IOMMUFD, WARNING, "%s: no fault queue for the device's non-PASID part "
			"(%s); its accesses there will not fault to user space", dev->name,
			err[0] ? err : strerror(-rc));
		sva_iommufd_hwpt_free(d->ic, &d->rid_hwpt);
		req.fq = NULL;
		rc = sva_iommufd_hwpt_alloc(d->ic, &req, &d->rid_hwpt, err, errlen);
		if (rc == 0)
			rc = sva_iommufd_vfio_attach(d->dev_fd, SVA_IOMMUFD_NO_PASID,
						     d->rid_hwpt.id, err, errlen);
	}
	if (rc == 0 && req.fq) {
		rc = sva_iommufd_fq_bind(d->fq, d->dev_id, SVA_IOMMUFD_NO_PASID, d->rid_sp);
		if (rc < 0)
			snprintf(err, errlen, "fault queue binding of the device: %s", strerror(-rc));
	}
	if (rc < 0)
		goto fail;
	dev->priv = d;
	dev->ops = &ifd_ops;
	dev->max_queues = (uint16_t)(d->hw.pasid_bits ? IOMMUFD_MAX_QUEUES : 1);
	SVA_LOG(IOMMUFD, INFO, "%s: %s bound (device %u, IOMMU type %u, PASID width %u)", dev->name,
		d->cdev, d->dev_id, d->hw.type, d->hw.pasid_bits);
	return 0;
fail:
	ifd_free(d);
	return rc;
}

const struct sva_driver sva_drv_iommufd = {
	.name = "iommufd",
	.prefix = "iommufd:",
	.args = ifd_args,
	.help = IFD_HELP,
	.probe = ifd_probe,
};
