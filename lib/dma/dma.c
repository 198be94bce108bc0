/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/dma control path: devices, queues, validation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sva_as.h"
#include "sva_defaults.h"
#include "sva_dma_driver.h"
#include "sva_iopf.h"
#include "sva_log.h"

static const char *const op_names[SVA_OP_MAX] = {
	[SVA_OP_COPY] = "copy",
	[SVA_OP_FILL] = "fill",
	[SVA_OP_COMPARE] = "compare",
	[SVA_OP_COMPARE_PATTERN] = "compare_pattern",
	[SVA_OP_CRC32C] = "crc32c",
	[SVA_OP_COPY_CRC32C] = "copy_crc32c",
	[SVA_OP_DUALCAST] = "dualcast",
	[SVA_OP_CACHE_FLUSH] = "cache_flush",
	[SVA_OP_COMPRESS] = "compress",
	[SVA_OP_DECOMPRESS] = "decompress",
	[SVA_OP_CRC64] = "crc64",
};

const char *sva_op_name(enum sva_op op)
{
	return (unsigned)op < SVA_OP_MAX ? op_names[op] : NULL;
}

int sva_op_from_name(const char *name)
{
	for (int i = 0; name && i < SVA_OP_MAX; i++)
		if (!strcmp(name, op_names[i]))
			return i;
	return -EINVAL;
}

const char *sva_status_str(enum sva_status st)
{
	switch (st) {
	case SVA_STATUS_SUCCESS: return "success";
	case SVA_STATUS_PAGE_FAULT: return "page fault";
	case SVA_STATUS_FAULT_TIMEOUT: return "page fault timeout";
	case SVA_STATUS_TRANSLATION_FAULT: return "translation fault";
	case SVA_STATUS_INVALID_OPCODE: return "invalid opcode";
	case SVA_STATUS_INVALID_FLAGS: return "invalid flags";
	case SVA_STATUS_INVALID_LENGTH: return "invalid length";
	case SVA_STATUS_INVALID_ADDR: return "invalid address";
	case SVA_STATUS_OUTBUF_OVERFLOW: return "output buffer overflow";
	case SVA_STATUS_DATA_ERROR: return "data error";
	case SVA_STATUS_NOT_ATTEMPTED: return "not attempted";
	case SVA_STATUS_DEVICE_ERROR: return "device error";
	case SVA_STATUS_UNKNOWN: break;
	}
	return "unknown";
}

static const struct sva_driver *find_driver(const char *name)
{
	const struct sva_driver *best = NULL;
	for (const struct sva_driver *const *d = sva_builtin_drivers; *d; d++) {
		size_t n = strlen((*d)->prefix);
		if (!strncmp(name, (*d)->prefix, n) && (!best || n > strlen(best->prefix)))
			best = *d;
	}
	return best;
}

void sva_dev_list_drivers(FILE *f)
{
	for (const struct sva_driver *const *d = sva_builtin_drivers; *d; d++) {
		fprintf(f, "  %s (device names %s*)\n", (*d)->name, (*d)->prefix);
		if ((*d)->help)
			fprintf(f, "%s", (*d)->help);
	}
}

struct sva_dev *sva_dev_open(const char *name, const char *args)
{
	struct sva_kvargs kv;
	char err[256] = "";
	if (!name || !*name) {
		SVA_LOG(DMA, ERR, "no device name");
		errno = EINVAL;
		return NULL;
	}
	if (sva_kvargs_parse(&kv, name, args, err, sizeof(err)) < 0) {
		SVA_LOG(DMA, ERR, "device '%s': %s", name, err);
		errno = EINVAL;
		return NULL;
	}
	const struct sva_driver *drv = find_driver(kv.name);
	if (!drv) {
		SVA_LOG(DMA, ERR, "no driver for device '%s' (known: see sva_dev_list_drivers)",
			kv.name);
		errno = ENODEV;
		return NULL;
	}
	if (sva_kvargs_check(&kv, drv->args, err, sizeof(err)) < 0) {
		SVA_LOG(DMA, ERR, "device '%s': %s", kv.name, err);
		errno = EINVAL;
		return NULL;
	}
	struct sva_dev *dev = calloc(1, sizeof(*dev));
	if (!dev) {
		errno = ENOMEM;
		return NULL;
	}
	snprintf(dev->name, sizeof(dev->name), "%s", kv.name);
	dev->drv = drv;
	pthread_mutex_init(&dev->lock, NULL);
	char asname[80];
	snprintf(asname, sizeof(asname), "%s.process", dev->name);
	dev->process_as = sva_as_create_process(asname);
	int rc;
	if (!dev->process_as) {
		rc = -errno;
		goto fail;
	}
	rc = drv->probe(dev, &kv, err, sizeof(err));
	if (rc < 0) {
		if (err[0])
			SVA_LOG(DMA, ERR, "device '%s': %s", kv.name, err);
		else
			SVA_LOG(DMA, ERR, "device '%s': cannot open: %s", kv.name, strerror(-rc));
		goto fail;
	}
	if (!dev->ops || dev->max_queues == 0 || dev->max_queues > SVA_DEV_MAX_QUEUES) {
		SVA_LOG(DMA, ERR, "driver %s: bad probe result", drv->name);
		if (dev->ops)
			dev->ops->close(dev);
		rc = -EPROTO;
		goto fail;
	}
	rc = sva_dev_start(dev);
	if (rc < 0) {
		sva_dev_close(dev);
		errno = -rc;
		return NULL;
	}
	SVA_LOG(DMA, INFO, "%s: opened (driver %s)", dev->name, drv->name);
	return dev;
fail:
	sva_as_put(dev->process_as);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
	errno = -rc;
	return NULL;
}

const char *sva_dev_name(const struct sva_dev *dev)
{
	return dev ? dev->name : "(null)";
}

int sva_dev_info_get(const struct sva_dev *cdev, struct sva_dev_info *info)
{
	struct sva_dev *dev = (struct sva_dev *)cdev;
	if (!dev || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	int rc = dev->ops->info(dev, info);
	info->name = dev->name;
	info->driver = dev->drv->name;
	info->max_queues = dev->max_queues;
	info->nb_queues = dev->nb_queues;
	return rc;
}

int sva_dev_start(struct sva_dev *dev)
{
	if (!dev)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	int rc = 0;
	if (!dev->started) {
		rc = dev->ops->start ? dev->ops->start(dev) : 0;
		if (rc == 0) {
			dev->started = true;
			for (unsigned int i = 0; i < SVA_DEV_MAX_QUEUES; i++)
				if (dev->queues[i])
					dev->queues[i]->fp = dev->queues[i]->live;
		} else {
			SVA_LOG(DMA, ERR, "%s: cannot start: %s", dev->name, strerror(-rc));
		}
	}
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

int sva_dev_stop(struct sva_dev *dev)
{
	if (!dev)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	int rc = 0;
	if (dev->started) {
		for (unsigned int i = 0; i < SVA_DEV_MAX_QUEUES; i++)
			if (dev->queues[i])
				sva_queue_fp_stopped(&dev->queues[i]->fp, &dev->queues[i]->live);
		rc = dev->ops->stop ? dev->ops->stop(dev) : 0;
		dev->started = false;
	}
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

int sva_dev_close(struct sva_dev *dev)
{
	if (!dev)
		return -EINVAL;
	for (unsigned int i = 0; i < SVA_DEV_MAX_QUEUES; i++)
		if (dev->queues[i])
			sva_queue_destroy(dev->queues[i]);
	if (dev->iopf)
		sva_dev_detach_iopf(dev);
	sva_dev_stop(dev);
	dev->ops->close(dev);
	sva_as_put(dev->process_as);
	pthread_mutex_destroy(&dev->lock);
	SVA_LOG(DMA, INFO, "%s: closed", dev->name);
	free(dev);
	return 0;
}

int sva_dev_attach_iopf(struct sva_dev *dev, struct sva_iopf *pf)
{
	if (!dev || !pf)
		return -EINVAL;
	if (!dev->ops->attach_iopf) {
		SVA_LOG(DMA, INFO, "%s: the device resolves its faults itself; no handler needed",
			dev->name);
		return -ENOTSUP;
	}
	pthread_mutex_lock(&dev->lock);
	int rc = -EBUSY;
	if (!dev->iopf) {
		rc = dev->ops->attach_iopf(dev, pf);
		if (rc == 0)
			dev->iopf = pf;
	}
	pthread_mutex_unlock(&dev->lock);
	if (rc == -EBUSY)
		SVA_LOG(DMA, ERR, "%s: a fault handler is already attached", dev->name);
	return rc;
}

int sva_dev_detach_iopf(struct sva_dev *dev)
{
	if (!dev)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	int rc = -ENOENT;
	if (dev->iopf) {
		rc = dev->ops->detach_iopf(dev);
		dev->iopf = NULL;
	}
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

struct sva_as *sva_dev_process_as(struct sva_dev *dev)
{
	return dev ? dev->process_as : NULL;
}

int sva_dev_dump(struct sva_dev *dev, FILE *f)
{
	struct sva_dev_info info;
	if (!dev || !f)
		return -EINVAL;
	sva_dev_info_get(dev, &info);
	fprintf(f, "device %s (driver %s): %s, %u/%u queues, max transfer %u, max batch %u, "
		"PASID %u bits, node %d, handler %s\n", dev->name, info.driver,
		dev->started ? "started" : "stopped", info.nb_queues, info.max_queues,
		info.max_xfer, info.max_batch, info.pasid_bits, info.numa_node,
		dev->iopf ? "attached" : "none");
	fprintf(f, "  operations:");
	for (int op = 0; op < SVA_OP_MAX; op++)
		if (info.capa & SVA_CAPA_OP(op))
			fprintf(f, " %s", sva_op_name(op));
	fprintf(f, "%s%s%s%s\n", info.capa & SVA_CAPA_SVA ? " [sva]" : "",
		info.capa & SVA_CAPA_MANAGED_AS ? " [managed]" : "",
		info.capa & SVA_CAPA_BLOCK_ON_FAULT ? " [block-on-fault]" : "",
		info.capa & SVA_CAPA_PARTIAL ? " [partial-completion]" : "");
	if (dev->ops->dump)
		dev->ops->dump(dev, f);
	for (unsigned int i = 0; i < SVA_DEV_MAX_QUEUES; i++)
		if (dev->queues[i])
			sva_queue_dump(dev->queues[i], f);
	return 0;
}

/* --- queues ------------------------------------------------------------------ */

struct sva_queue *sva_queue_create(struct sva_dev *dev, const struct sva_queue_conf *uconf)
{
	struct sva_queue_conf conf = {0};
	struct sva_dev_info info;
	if (!dev) {
		errno = EINVAL;
		return NULL;
	}
	if (uconf)
		conf = *uconf;
	if (conf.nb_desc == 0)
		conf.nb_desc = SVA_DEFAULT_NB_DESC;
	sva_dev_info_get(dev, &info);
	const char *why = NULL;
	int err = EINVAL;
	if (!SVA_IS_POW2(conf.nb_desc))
		why = "ring size must be a power of two";
	else if (conf.nb_desc < info.min_desc || conf.nb_desc > info.max_desc)
		why = "ring size out of the device's range";
	else if (conf.fault_mode != SVA_FAULT_BLOCK && conf.fault_mode != SVA_FAULT_PARTIAL)
		why = "unknown fault mode";
	else if (conf.fault_mode == SVA_FAULT_BLOCK && !(info.capa & SVA_CAPA_BLOCK_ON_FAULT))
		why = "the device cannot block on faults", err = ENOTSUP;
	else if (conf.fault_mode == SVA_FAULT_PARTIAL && !(info.capa & SVA_CAPA_PARTIAL))
		why = "the device has no partial completions", err = ENOTSUP;
	else if (conf.priority > 15)
		why = "priority must be 0..15";
	else if (!conf.as && !(info.capa & SVA_CAPA_SVA))
		why = "the device cannot use the process address space (no SVA)", err = ENOTSUP;
	else if (conf.as && sva_as_type(conf.as) == SVA_AS_MANAGED &&
		 !(info.capa & SVA_CAPA_MANAGED_AS))
		why = "the device cannot use managed address spaces", err = ENOTSUP;
	if (why) {
		SVA_LOG(DMA, ERR, "%s: queue: %s (nb_desc %u, device range %u..%u)", dev->name, why,
			conf.nb_desc, info.min_desc, info.max_desc);
		errno = err;
		return NULL;
	}
	struct sva_queue *q = aligned_alloc(SVA_CACHE_LINE, SVA_ALIGN_UP(sizeof(*q), SVA_CACHE_LINE));
	if (!q) {
		errno = ENOMEM;
		return NULL;
	}
	memset(q, 0, sizeof(*q));
	pthread_mutex_lock(&dev->lock);
	unsigned int id;
	for (id = 0; id < dev->max_queues && dev->queues[id]; id++)
		;
	if (id == dev->max_queues) {
		pthread_mutex_unlock(&dev->lock);
		SVA_LOG(DMA, ERR, "%s: all %u queues are in use", dev->name, dev->max_queues);
		free(q);
		errno = ENOSPC;
		return NULL;
	}
	q->dev = dev;
	q->id = (uint16_t)id;
	q->nb_desc = conf.nb_desc;
	q->fault_mode = (uint8_t)conf.fault_mode;
	q->priority = conf.priority;
	q->as = conf.as ? conf.as : dev->process_as;
	sva_as_get(q->as);
	int rc = dev->ops->queue_setup(dev, q, &conf);
	if (rc < 0) {
		pthread_mutex_unlock(&dev->lock);
		SVA_LOG(DMA, ERR, "%s: queue %u: setup failed: %s", dev->name, id, strerror(-rc));
		sva_as_put(q->as);
		free(q);
		errno = -rc;
		return NULL;
	}
	sva_queue_fp_fill_unsupported(&q->live);
	if (dev->started)
		q->fp = q->live;
	else
		sva_queue_fp_stopped(&q->fp, &q->live);
	dev->queues[id] = q;
	dev->nb_queues++;
	pthread_mutex_unlock(&dev->lock);
	SVA_LOG(DMA, DEBUG, "%s: queue %u: PASID %u, %u descriptors, %s, %s", dev->name, id,
		q->pasid, q->nb_desc, sva_as_name(q->as),
		conf.fault_mode == SVA_FAULT_BLOCK ? "block on fault" : "partial completion");
	return q;
}

int sva_queue_drain(struct sva_queue *q, uint32_t timeout_ms)
{
	if (!q)
		return -EINVAL;
	return q->dev->ops->queue_drain(q->dev, q, timeout_ms);
}

int sva_queue_destroy(struct sva_queue *q)
{
	if (!q)
		return -EINVAL;
	struct sva_dev *dev = q->dev;
	pthread_mutex_lock(&dev->lock);
	dev->queues[q->id] = NULL;
	dev->nb_queues--;
	pthread_mutex_unlock(&dev->lock);
	dev->ops->queue_release(dev, q);
	sva_as_put(q->as);
	free(q);
	return 0;
}

uint32_t sva_queue_pasid(const struct sva_queue *q)
{
	return q ? q->pasid : 0;
}

int sva_queue_stats_get(const struct sva_queue *q, struct sva_queue_stats *st)
{
	if (!q || !st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	return q->dev->ops->queue_stats(q->dev, q, st);
}

int sva_queue_stats_reset(struct sva_queue *q)
{
	if (!q)
		return -EINVAL;
	return q->dev->ops->queue_stats_reset(q->dev, q);
}

int sva_queue_dump(const struct sva_queue *q, FILE *f)
{
	struct sva_queue_stats st;
	if (!q || !f)
		return -EINVAL;
	sva_queue_stats_get(q, &st);
	fprintf(f, "  queue %u: PASID %u, %u descriptors, %s, %s, priority %u\n", q->id, q->pasid,
		q->nb_desc, sva_as_name(q->as),
		q->fault_mode == SVA_FAULT_BLOCK ? "block on fault" : "partial completion",
		q->priority);
	fprintf(f, "    submitted %llu completed %llu errors %llu faults %llu resubmits %llu "
		"bytes %llu doorbells %llu\n", (unsigned long long)st.submitted,
		(unsigned long long)st.completed, (unsigned long long)st.errors,
		(unsigned long long)st.faults, (unsigned long long)st.resubmits,
		(unsigned long long)st.bytes, (unsigned long long)st.doorbells);
	if (q->dev->ops->queue_dump)
		q->dev->ops->queue_dump(q->dev, q, f);
	return 0;
}
