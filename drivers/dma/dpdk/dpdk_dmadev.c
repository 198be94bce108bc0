/* SPDX-License-Identifier: BSD-3-Clause */
/* The "dpdk" driver: any DPDK dmadev as an svadk device.
 *
 * "dpdk:NAME" opens the dmadev NAME (rte_dma_get_dev_id_by_name()); when
 * there is none, NAME (with the devargs= argument) is probed as a DPDK device
 * first, e.g. the software "dma_skeleton" vdev. The EAL is initialised with
 * safe defaults when the application has not (sva_dpdk_eal_ensure()). Each
 * svadk queue is one virtual channel of the dmadev.
 *
 * Addresses: a dmadev takes IOVAs. When it can use virtual addresses
 * (RTE_DMA_CAPA_SVA: dma_skeleton, whose copies are memcpy() by a thread; the
 * idxd PMD on kernel work queues), the adapter passes the pointers as they
 * are, and any process memory works. Otherwise (iova=memseg) only DPDK memory
 * (rte_malloc, mempools, memzones, registered external memory) has an IOVA:
 * such pointers are translated, and an operation on any other memory
 * completes with SVA_STATUS_TRANSLATION_FAULT without reaching the device.
 *
 * Faults are the dmadev's business: for dma_skeleton the CPU's MMU resolves
 * them (the copy blocks, like block-on-fault), so no fault handler attaches.
 *
 * Ring: svadk ring indexes are the adapter's own free-running counters, so
 * that they continue across dmadev restarts (which reset the dmadev's) and
 * so that the adapter can complete operations itself, in order with the
 * dmadev's: zero or oversized lengths (SVA_STATUS_INVALID_LENGTH), pointers in
 * the never-mapped first 64 KiB (SVA_STATUS_PAGE_FAULT), overlapping copies,
 * which the dmadev API leaves undefined (SVA_STATUS_INVALID_ADDR) and, with
 * iova=memseg, memory without an IOVA. While none of those is outstanding,
 * completions go straight through rte_dma_completed*(). Otherwise (and after
 * a stop), the dmadev's completions are first pulled into a status ring:
 *   [head, fin)  final status known, not reaped by the application
 *   [fin, next)  with the dmadev, or the adapter's own ("local") operations
 *                waiting for the ones before them
 *   pending      first operation not yet submitted (doorbell) */
#define ALLOW_EXPERIMENTAL_API 1
#include <rte_config.h>
#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sva_dma_driver.h"
#include "sva_dpdk.h"
#include "sva_log.h"

#define DD_PREFIX "dpdk:"
#define DD_CHUNK 32                 /* statuses read from the dmadev per call */
#define DD_LOW_GUARD 65536u         /* below: never mapped (vm.mmap_min_addr) */
#define DD_MAX_DEVS 1024            /* dmadev ids the adapter tracks */
#define DD_STOP_TIMEOUT_MS 5000u

enum dd_iova { DD_IOVA_AUTO = 0, DD_IOVA_VA, DD_IOVA_MEMSEG };

static const char *const dd_iova_names[] = {"auto", "va", "memseg", NULL};

struct dd_slot {
	uint64_t cum;   /* bytes enqueued up to and including this operation */
	uint8_t status; /* enum sva_status once final */
	uint8_t local;  /* completed by the adapter, never given to the dmadev */
};

struct dd_dev;

struct dd_queue {
	/* --- fast path (one application thread) --- */
	int16_t dev_id;
	uint16_t vchan;
	uint16_t mask;
	uint16_t nb;
	uint16_t next;
	uint16_t pending;
	uint16_t fin;
	uint16_t head;
	uint16_t nlocal;    /* local operations in [fin, next) */
	uint16_t dma_out;   /* operations the dmadev has, not yet reaped from it */
	uint16_t dma_unsub; /* given to the dmadev since its last doorbell */
	uint8_t iova;       /* DD_IOVA_VA or DD_IOVA_MEMSEG */
	uint32_t max_xfer;
	uint64_t cum;
	struct dd_slot *slot;
	/* --- statistics --- */
	uint64_t st_submitted, st_completed, st_errors, st_doorbells;
	uint64_t reaped_cum, bytes_base;
	/* --- control --- */
	struct dd_dev *dd;
};

struct dd_dev {
	int16_t dev_id;
	char dma_name[RTE_DEV_NAME_MAX_LEN];
	char bus_name[32];        /* bus of a device the adapter probed ("" if not) */
	bool running;             /* rte_dma_start() done */
	bool owner;               /* dd_owned[dev_id] is ours */
	bool started;             /* the svadk device is started */
	uint8_t iova;
	uint16_t nb_vchans;
	uint16_t min_desc;        /* svadk ring sizes offered */
	uint16_t max_desc;
	uint32_t max_xfer;
	struct rte_dma_info info;
	uint16_t *vchan_desc;     /* ring size each vchan was set up with (0: never) */
	struct dd_queue **vq;     /* queue on each vchan, or NULL */
};

/* dmadevs opened by this driver: one svadk device each. */
static pthread_mutex_t dd_owner_lock = PTHREAD_MUTEX_INITIALIZER;
static bool dd_owned[DD_MAX_DEVS];

static const char *const dd_args[] = {"vchans", "iova", "max_xfer", "devargs", "probe", NULL};

#define DD_HELP                                                                                \
	"    dpdk:NAME opens the DPDK dmadev NAME (probing NAME as a device when there is none,\n"  \
	"    e.g. dpdk:dma_skeleton); the EAL is initialised if the application has not\n"         \
	"    (defaults: --no-huge --no-shconf --no-pci --iova-mode=va; SVADK_EAL_ARGS replaces)\n"  \
	"    vchans=N (queues, default 1)  iova=auto|va|memseg (auto: va when the dmadev has SVA)\n"\
	"    max_xfer=SIZE (default 1g)  devargs=K=V;K=V (driver arguments when probing)\n"         \
	"    probe=0|1 (probe NAME when no such dmadev exists; default 1)\n"

/* --- status ------------------------------------------------------------------- */

static inline uint8_t dd_status(enum rte_dma_status_code s)
{
	switch (s) {
	case RTE_DMA_STATUS_SUCCESSFUL: return SVA_STATUS_SUCCESS;
	case RTE_DMA_STATUS_USER_ABORT:
	case RTE_DMA_STATUS_NOT_ATTEMPTED: return SVA_STATUS_NOT_ATTEMPTED;
	case RTE_DMA_STATUS_INVALID_SRC_ADDR:
	case RTE_DMA_STATUS_INVALID_DST_ADDR:
	case RTE_DMA_STATUS_INVALID_ADDR: return SVA_STATUS_INVALID_ADDR;
	case RTE_DMA_STATUS_INVALID_LENGTH: return SVA_STATUS_INVALID_LENGTH;
	case RTE_DMA_STATUS_INVALID_OPCODE: return SVA_STATUS_INVALID_OPCODE;
	case RTE_DMA_STATUS_PAGE_FAULT: return SVA_STATUS_PAGE_FAULT;
	case RTE_DMA_STATUS_BUS_READ_ERROR:
	case RTE_DMA_STATUS_BUS_WRITE_ERROR:
	case RTE_DMA_STATUS_BUS_ERROR:
	case RTE_DMA_STATUS_DATA_POISION:
	case RTE_DMA_STATUS_DESCRIPTOR_READ_ERROR:
	case RTE_DMA_STATUS_DEV_LINK_ERROR: return SVA_STATUS_DEVICE_ERROR;
	default: return SVA_STATUS_UNKNOWN;
	}
}

/* --- enqueue ------------------------------------------------------------------ */

static int dd_submit(void *drvq);

static inline uint64_t dd_op_flags(uint64_t flags)
{
	uint64_t f = 0;
	if (flags & SVA_OP_FLAG_FENCE)
		f |= RTE_DMA_OP_FLAG_FENCE;
	if (flags & SVA_OP_FLAG_SUBMIT)
		f |= RTE_DMA_OP_FLAG_SUBMIT;
	return f;
}

static inline bool dd_full(const struct dd_queue *q)
{
	return (uint16_t)(q->next - q->head) >= q->nb;
}

/* An operation the adapter completes itself with @status. */
static int dd_local(struct dd_queue *q, uint8_t status, uint32_t len, uint64_t flags)
{
	uint16_t i = q->next;
	struct dd_slot *s = &q->slot[i & q->mask];
	q->cum += len;
	s->cum = q->cum;
	s->status = status;
	s->local = 1;
	q->nlocal++;
	q->next = (uint16_t)(i + 1);
	if (flags & SVA_OP_FLAG_SUBMIT)
		dd_submit(q);
	return i;
}

/* The dmadev took the operation. */
static inline int dd_sent(struct dd_queue *q, uint32_t len, uint64_t flags)
{
	uint16_t i = q->next;
	struct dd_slot *s = &q->slot[i & q->mask];
	q->cum += len;
	s->cum = q->cum;
	s->local = 0;
	q->dma_out++;
	q->next = (uint16_t)(i + 1);
	if (flags & SVA_OP_FLAG_SUBMIT) {
		q->dma_unsub = 0; /* the operation's flag rang the dmadev's doorbell */
		dd_submit(q);
	} else {
		q->dma_unsub++;
	}
	return i;
}

static inline bool dd_addr_bad(const void *p, uint32_t len)
{
	uintptr_t a = (uintptr_t)p;
	return a < DD_LOW_GUARD || a + len < a;
}

/* IOVA of [p, p + len) in DPDK memory, contiguous in IOVA space; -1 if none. */
static int dd_memseg_iova(const void *p, uint32_t len, rte_iova_t *iova)
{
	const char *end = (const char *)p + len - 1;
	const struct rte_memseg *ms = rte_mem_virt2memseg(p, NULL);
	const struct rte_memseg *me = rte_mem_virt2memseg(end, NULL);
	if (!ms || !me || ms->iova == RTE_BAD_IOVA || me->iova == RTE_BAD_IOVA)
		return -1;
	rte_iova_t a = ms->iova + (uintptr_t)((const char *)p - (const char *)ms->addr);
	rte_iova_t b = me->iova + (uintptr_t)(end - (const char *)me->addr);
	if (b - a != (rte_iova_t)len - 1)
		return -1;
	*iova = a;
	return 0;
}

static int dd_copy(void *drvq, void *dst, const void *src, uint32_t len, uint64_t flags)
{
	struct dd_queue *q = drvq;
	if (sva_unlikely(dd_full(q)))
		return -ENOSPC;
	if (sva_unlikely(len == 0 || len > q->max_xfer))
		return dd_local(q, SVA_STATUS_INVALID_LENGTH, len, flags);
	if (sva_unlikely(dd_addr_bad(src, len) || dd_addr_bad(dst, len)))
		return dd_local(q, SVA_STATUS_PAGE_FAULT, len, flags);
	/* The dmadev API does not define overlapping copies. */
	if (sva_unlikely((uintptr_t)dst < (uintptr_t)src + len &&
			 (uintptr_t)src < (uintptr_t)dst + len))
		return dd_local(q, SVA_STATUS_INVALID_ADDR, len, flags);
	rte_iova_t s = (uintptr_t)src, d = (uintptr_t)dst;
	if (q->iova == DD_IOVA_MEMSEG &&
	    (dd_memseg_iova(src, len, &s) < 0 || dd_memseg_iova(dst, len, &d) < 0))
		return dd_local(q, SVA_STATUS_TRANSLATION_FAULT, len, flags);
	int rc = rte_dma_copy(q->dev_id, q->vchan, s, d, len, dd_op_flags(flags));
	if (sva_unlikely(rc < 0))
		return rc == -ENOSPC ? -ENOSPC : -EIO;
	return dd_sent(q, len, flags);
}

static int dd_fill(void *drvq, void *dst, uint64_t pattern, uint32_t len, uint64_t flags)
{
	struct dd_queue *q = drvq;
	if (sva_unlikely(dd_full(q)))
		return -ENOSPC;
	if (sva_unlikely(len == 0 || len > q->max_xfer))
		return dd_local(q, SVA_STATUS_INVALID_LENGTH, len, flags);
	if (sva_unlikely(dd_addr_bad(dst, len)))
		return dd_local(q, SVA_STATUS_PAGE_FAULT, len, flags);
	rte_iova_t d = (uintptr_t)dst;
	if (q->iova == DD_IOVA_MEMSEG && dd_memseg_iova(dst, len, &d) < 0)
		return dd_local(q, SVA_STATUS_TRANSLATION_FAULT, len, flags);
	int rc = rte_dma_fill(q->dev_id, q->vchan, pattern, d, len, dd_op_flags(flags));
	if (sva_unlikely(rc < 0))
		return rc == -ENOSPC ? -ENOSPC : -EIO;
	return dd_sent(q, len, flags);
}

static int dd_submit(void *drvq)
{
	struct dd_queue *q = drvq;
	if (q->dma_unsub) {
		if (rte_dma_submit(q->dev_id, q->vchan) < 0)
			return -EIO;
		q->dma_unsub = 0;
	}
	if (q->pending != q->next) {
		q->st_submitted += (uint16_t)(q->next - q->pending);
		q->pending = q->next;
		q->st_doorbells++;
	}
	return 0;
}

/* --- completion ------------------------------------------------------------------ */

/* Local operations at fin that are submitted are final. */
static inline void dd_fin_local(struct dd_queue *q)
{
	while (q->fin != q->pending && q->slot[q->fin & q->mask].local) {
		q->fin++;
		q->nlocal--;
	}
}

/* Move the dmadev's completions into the status ring. */
static void dd_pull(struct dd_queue *q)
{
	enum rte_dma_status_code rs[DD_CHUNK];
	for (;;) {
		dd_fin_local(q);
		if (q->dma_out == 0)
			return;
		uint16_t want = RTE_MIN(q->dma_out, (uint16_t)DD_CHUNK);
		uint16_t last;
		uint16_t k = rte_dma_completed_status(q->dev_id, q->vchan, want, &last, rs);
		for (uint16_t i = 0; i < k; i++) {
			/* Local operations before a completed dmadev one were
			 * submitted with it. */
			while (q->slot[q->fin & q->mask].local) {
				q->fin++;
				q->nlocal--;
			}
			q->slot[q->fin & q->mask].status = dd_status(rs[i]);
			q->fin++;
		}
		q->dma_out = (uint16_t)(q->dma_out - k);
		if (k < want) {
			dd_fin_local(q);
			return;
		}
	}
}

static inline void dd_reaped(struct dd_queue *q, uint16_t n, uint16_t *last_idx)
{
	uint16_t last = (uint16_t)(q->head - 1);
	if (last_idx)
		*last_idx = last;
	q->st_completed += n;
	q->reaped_cum = q->slot[last & q->mask].cum;
}

static uint16_t dd_completed(void *drvq, uint16_t nb_cpls, uint16_t *last_idx, bool *has_error)
{
	struct dd_queue *q = drvq;
	bool err = false;
	uint16_t n = 0;
	if (sva_likely(q->head == q->fin && q->nlocal == 0)) {
		/* Nothing of the adapter's own: straight through. */
		if (q->dma_out && nb_cpls) {
			uint16_t last;
			n = rte_dma_completed(q->dev_id, q->vchan, RTE_MIN(nb_cpls, q->dma_out),
					      &last, &err);
			q->dma_out = (uint16_t)(q->dma_out - n);
			q->fin = (uint16_t)(q->fin + n);
			q->head = q->fin;
		}
	} else {
		dd_pull(q);
		while (n < nb_cpls && q->head != q->fin) {
			if (q->slot[q->head & q->mask].status != SVA_STATUS_SUCCESS) {
				err = true;
				break;
			}
			q->head++;
			n++;
		}
	}
	if (n)
		dd_reaped(q, n, last_idx);
	if (has_error)
		*has_error = err;
	return n;
}

static uint16_t dd_completed_status(void *drvq, uint16_t nb_cpls, uint16_t *last_idx,
				    enum sva_status *status)
{
	struct dd_queue *q = drvq;
	uint16_t n = 0;
	if (sva_likely(q->head == q->fin && q->nlocal == 0)) {
		enum rte_dma_status_code rs[DD_CHUNK];
		while (n < nb_cpls && q->dma_out) {
			uint16_t want = RTE_MIN((uint16_t)(nb_cpls - n), (uint16_t)DD_CHUNK);
			want = RTE_MIN(want, q->dma_out);
			uint16_t last;
			uint16_t k = rte_dma_completed_status(q->dev_id, q->vchan, want, &last, rs);
			for (uint16_t i = 0; i < k; i++) {
				status[n + i] = (enum sva_status)dd_status(rs[i]);
				if (status[n + i] != SVA_STATUS_SUCCESS)
					q->st_errors++;
			}
			n = (uint16_t)(n + k);
			q->dma_out = (uint16_t)(q->dma_out - k);
			if (k < want)
				break;
		}
		q->fin = (uint16_t)(q->fin + n);
		q->head = q->fin;
	} else {
		dd_pull(q);
		while (n < nb_cpls && q->head != q->fin) {
			uint8_t st = q->slot[q->head & q->mask].status;
			status[n++] = (enum sva_status)st;
			if (st != SVA_STATUS_SUCCESS)
				q->st_errors++;
			q->head++;
		}
	}
	if (n)
		dd_reaped(q, n, last_idx);
	return n;
}

static uint16_t dd_burst_capacity(const void *drvq)
{
	const struct dd_queue *q = drvq;
	uint16_t room = (uint16_t)(q->nb - (uint16_t)(q->next - q->head));
	uint16_t dev = rte_dma_burst_capacity(q->dev_id, q->vchan);
	return RTE_MIN(room, dev);
}

/* --- queues ---------------------------------------------------------------------- */

/* Submit, then wait until the dmadev has completed everything it was given
 * (the statuses wait in the status ring). */
static int dd_queue_quiesce(struct dd_queue *q, uint32_t timeout_ms)
{
	if (dd_submit(q) < 0)
		return -EIO;
	uint64_t hz = rte_get_timer_hz();
	uint64_t deadline = rte_get_timer_cycles() + hz * timeout_ms / 1000;
	for (;;) {
		dd_pull(q);
		if (q->dma_out == 0 && q->fin == q->next)
			return 0;
		if (rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
		rte_pause();
	}
}

static int dd_quiesce_all(struct dd_dev *dd, uint32_t timeout_ms)
{
	int rc = 0;
	for (uint16_t v = 0; v < dd->nb_vchans; v++)
		if (dd->vq[v] && dd_queue_quiesce(dd->vq[v], timeout_ms) < 0)
			rc = -ETIMEDOUT;
	return rc;
}

/* Operations the dmadev will never report: complete them as unknown. */
static void dd_abandon(struct dd_queue *dq)
{
	for (uint16_t i = dq->fin; i != dq->next; i++) {
		struct dd_slot *s = &dq->slot[i & dq->mask];
		if (!s->local) {
			s->local = 1;
			s->status = SVA_STATUS_UNKNOWN;
			dq->nlocal++;
		}
	}
	dq->dma_out = 0;
	dq->dma_unsub = 0;
	dq->pending = dq->next;
}

static int dd_dma_stop(struct sva_dev *dev, struct dd_dev *dd)
{
	if (!dd->running)
		return 0;
	if (dd_quiesce_all(dd, DD_STOP_TIMEOUT_MS) < 0)
		SVA_LOG(DPDK, WARNING, "%s: stopping the dmadev with operations in flight; "
			"their completions are lost", dev->name);
	int rc = rte_dma_stop(dd->dev_id);
	if (rc < 0)
		SVA_LOG(DPDK, ERR, "%s: rte_dma_stop: %s", dev->name, strerror(-rc));
	dd->running = false;
	/* What the dmadev did not complete is not coming back. */
	for (uint16_t v = 0; v < dd->nb_vchans; v++)
		if (dd->vq[v] && dd->vq[v]->dma_out)
			dd_abandon(dd->vq[v]);
	return rc;
}

static int dd_dma_start(struct sva_dev *dev, struct dd_dev *dd)
{
	if (dd->running)
		return 0;
	for (uint16_t v = 0; v < dd->nb_vchans; v++)
		if (!dd->vchan_desc[v])
			return 0; /* started at the first queue setup */
	int rc = rte_dma_start(dd->dev_id);
	if (rc < 0) {
		SVA_LOG(DPDK, ERR, "%s: rte_dma_start: %s", dev->name, strerror(-rc));
		return rc;
	}
	dd->running = true;
	return 0;
}

static int dd_vchan_setup(struct sva_dev *dev, struct dd_dev *dd, uint16_t vchan, uint16_t nb_desc)
{
	struct rte_dma_vchan_conf vc;
	memset(&vc, 0, sizeof(vc));
	vc.direction = RTE_DMA_DIR_MEM_TO_MEM;
	vc.nb_desc = nb_desc;
	int rc = rte_dma_vchan_setup(dd->dev_id, vchan, &vc);
	if (rc < 0) {
		SVA_LOG(DPDK, ERR, "%s: vchan %u with %u descriptors: %s", dev->name, vchan,
			nb_desc, strerror(-rc));
		return rc;
	}
	dd->vchan_desc[vchan] = nb_desc;
	return 0;
}

static void dd_queue_free(struct dd_queue *dq)
{
	if (!dq)
		return;
	free(dq->slot);
	free(dq);
}

/* Ring sizes: a dmadev ring of N often holds N - 1 operations (an rte_ring),
 * and operations the adapter has pulled no longer occupy it; svadk rings of
 * N hold N. So a vchan gets twice the svadk ring (within the dmadev's range),
 * and the svadk range is half the dmadev's. */
static void dd_ring_range(struct dd_dev *dd)
{
	uint32_t lo = sva_pow2_ceil(RTE_MAX(dd->info.min_desc, (uint16_t)4) / 2);
	uint32_t hi = RTE_MIN(dd->info.max_desc / 2u, 32768u);
	hi = hi >= 2 ? sva_pow2_floor(hi) : 2;
	dd->min_desc = (uint16_t)RTE_MIN(lo, hi);
	dd->max_desc = (uint16_t)hi;
}

static uint16_t dd_vchan_size(const struct dd_dev *dd, uint16_t nb_desc)
{
	uint32_t n = 2u * nb_desc;
	n = RTE_MAX(n, (uint32_t)dd->info.min_desc);
	n = RTE_MIN(n, (uint32_t)dd->info.max_desc);
	return (uint16_t)n;
}

static int dd_queue_setup(struct sva_dev *dev, struct sva_queue *q, const struct sva_queue_conf *conf)
{
	struct dd_dev *dd = dev->priv;
	(void)conf;
	uint16_t v;
	for (v = 0; v < dd->nb_vchans && dd->vq[v]; v++)
		;
	if (v == dd->nb_vchans)
		return -ENOSPC;
	struct dd_queue *dq = aligned_alloc(SVA_CACHE_LINE, SVA_ALIGN_UP(sizeof(*dq), SVA_CACHE_LINE));
	if (!dq)
		return -ENOMEM;
	memset(dq, 0, sizeof(*dq));
	dq->slot = calloc(q->nb_desc, sizeof(*dq->slot));
	if (!dq->slot) {
		free(dq);
		return -ENOMEM;
	}
	/* A vchan is set up while the dmadev is stopped: the other queues are
	 * quiesced first (their completions wait in their status rings). */
	uint16_t vdesc = dd_vchan_size(dd, q->nb_desc);
	bool need_setup = dd->vchan_desc[v] != vdesc;
	for (uint16_t o = 0; o < dd->nb_vchans; o++)
		need_setup |= dd->vchan_desc[o] == 0;
	int rc = 0;
	if (need_setup) {
		dd_dma_stop(dev, dd);
		rc = dd_vchan_setup(dev, dd, v, vdesc);
		/* Drivers want every configured vchan set up before start. */
		for (uint16_t o = 0; rc == 0 && o < dd->nb_vchans; o++)
			if (dd->vchan_desc[o] == 0)
				rc = dd_vchan_setup(dev, dd, o, vdesc);
	}
	if (rc == 0 && dd->started)
		rc = dd_dma_start(dev, dd);
	if (rc < 0) {
		dd_queue_free(dq);
		return rc;
	}
	dq->dev_id = dd->dev_id;
	dq->vchan = v;
	dq->nb = q->nb_desc;
	dq->mask = (uint16_t)(q->nb_desc - 1);
	dq->iova = dd->iova;
	dq->max_xfer = dd->max_xfer;
	dq->dd = dd;
	dd->vq[v] = dq;
	q->live = (struct sva_queue_fp){
		.drvq = dq,
		.copy = dd_copy,
		.fill = (dd->info.dev_capa & RTE_DMA_CAPA_OPS_FILL) ? dd_fill : NULL,
		.submit = dd_submit,
		.completed = dd_completed,
		.completed_status = dd_completed_status,
		.burst_capacity = dd_burst_capacity,
	};
	/* The dmadev's own PASID binding, if it has one (idxd kernel work
	 * queues), is not visible through DPDK. */
	q->pasid = 0;
	q->drv_priv = dq;
	SVA_LOG(DPDK, DEBUG, "%s: queue %u on vchan %u (%u descriptors)", dev->name, q->id, v,
		q->nb_desc);
	return 0;
}

static int dd_queue_drain(struct sva_dev *dev, struct sva_queue *q, uint32_t timeout_ms)
{
	struct dd_queue *dq = q->drv_priv;
	(void)dev;
	return dd_queue_quiesce(dq, timeout_ms);
}

static void dd_queue_release(struct sva_dev *dev, struct sva_queue *q)
{
	struct dd_dev *dd = dev->priv;
	struct dd_queue *dq = q->drv_priv;
	if (dd->running && dd_queue_quiesce(dq, DD_STOP_TIMEOUT_MS) < 0)
		SVA_LOG(DPDK, WARNING, "%s: queue %u released with operations in flight", dev->name,
			q->id);
	dd->vq[dq->vchan] = NULL;
	dd_queue_free(dq);
	q->drv_priv = NULL;
}

static int dd_queue_stats(struct sva_dev *dev, const struct sva_queue *q, struct sva_queue_stats *st)
{
	const struct dd_queue *dq = q->drv_priv;
	(void)dev;
	st->submitted = dq->st_submitted;
	st->completed = dq->st_completed;
	st->errors = dq->st_errors;
	st->bytes = dq->reaped_cum - dq->bytes_base;
	st->doorbells = dq->st_doorbells;
	return 0;
}

static int dd_queue_stats_reset(struct sva_dev *dev, struct sva_queue *q)
{
	struct dd_queue *dq = q->drv_priv;
	(void)dev;
	dq->st_submitted = dq->st_completed = dq->st_errors = dq->st_doorbells = 0;
	dq->bytes_base = dq->reaped_cum;
	return 0;
}

static int dd_queue_dump(struct sva_dev *dev, const struct sva_queue *q, FILE *f)
{
	const struct dd_queue *dq = q->drv_priv;
	(void)dev;
	fprintf(f, "    dmadev %d vchan %u: next %u pending %u fin %u head %u, with the dmadev %u "
		"(%u not submitted), adapter-completed %u\n", dq->dev_id, dq->vchan, dq->next,
		dq->pending, dq->fin, dq->head, dq->dma_out, dq->dma_unsub, dq->nlocal);
	return 0;
}

static int dd_dump(struct sva_dev *dev, FILE *f)
{
	struct dd_dev *dd = dev->priv;
	fprintf(f, "  dmadev '%s' (id %d), %u vchans, %s, addresses: %s%s\n", dd->dma_name,
		dd->dev_id, dd->nb_vchans, dd->running ? "running" : "stopped",
		dd->iova == DD_IOVA_VA ? "virtual (as they are)" : "IOVA of DPDK memory only",
		dd->bus_name[0] ? ", probed by svadk" : "");
	rte_dma_dump(dd->dev_id, f);
	return 0;
}

static int dd_info(struct sva_dev *dev, struct sva_dev_info *info)
{
	struct dd_dev *dd = dev->priv;
	info->capa = SVA_CAPA_OP(SVA_OP_COPY) | SVA_CAPA_SVA | SVA_CAPA_BLOCK_ON_FAULT;
	if (dd->info.dev_capa & RTE_DMA_CAPA_OPS_FILL)
		info->capa |= SVA_CAPA_OP(SVA_OP_FILL);
	info->min_desc = dd->min_desc;
	info->max_desc = dd->max_desc;
	info->max_xfer = dd->max_xfer;
	info->max_batch = info->max_desc;
	info->numa_node = dd->info.numa_node;
	info->pasid_bits = 0;
	return 0;
}

static int dd_start(struct sva_dev *dev)
{
	struct dd_dev *dd = dev->priv;
	dd->started = true;
	int rc = dd_dma_start(dev, dd);
	if (rc < 0)
		dd->started = false;
	return rc;
}

static int dd_stop(struct sva_dev *dev)
{
	struct dd_dev *dd = dev->priv;
	dd->started = false;
	return dd_dma_stop(dev, dd);
}

static void dd_release(struct dd_dev *dd)
{
	if (dd->bus_name[0]) {
		int rc = rte_eal_hotplug_remove(dd->bus_name, dd->dma_name);
		if (rc < 0)
			SVA_LOG(DPDK, WARNING, "cannot remove device %s from bus %s: %s",
				dd->dma_name, dd->bus_name, strerror(-rc));
	}
	if (dd->owner) {
		pthread_mutex_lock(&dd_owner_lock);
		dd_owned[dd->dev_id] = false;
		pthread_mutex_unlock(&dd_owner_lock);
	}
	free(dd->vchan_desc);
	free(dd->vq);
	free(dd);
}

static void dd_close(struct sva_dev *dev)
{
	struct dd_dev *dd = dev->priv;
	dd_dma_stop(dev, dd);
	dd_release(dd);
	dev->priv = NULL;
}

static const struct sva_dev_ops dd_ops = {
	.info = dd_info,
	.start = dd_start,
	.stop = dd_stop,
	.close = dd_close,
	.queue_setup = dd_queue_setup,
	.queue_drain = dd_queue_drain,
	.queue_release = dd_queue_release,
	.queue_stats = dd_queue_stats,
	.queue_stats_reset = dd_queue_stats_reset,
	.queue_dump = dd_queue_dump,
	.dump = dd_dump,
	/* No attach_iopf: the dmadev resolves its faults (the CPU's MMU for a
	 * software dmadev, the kernel for an SVA-bound one). */
};

/* --- probe ------------------------------------------------------------------------- */

/* Probe @name (with "K=V;K=V" @devargs) as a DPDK device; remember its bus. */
static int dd_hotplug(struct dd_dev *dd, const char *name, const char *devargs, char *err,
		      size_t errlen)
{
	char str[RTE_DEV_NAME_MAX_LEN + SVA_KVARGS_VALUE_MAX + 2];
	int n = snprintf(str, sizeof(str), "%s%s%s", name, devargs ? "," : "",
			 devargs ? devargs : "");
	if (n < 0 || (size_t)n >= sizeof(str)) {
		snprintf(err, errlen, "device string too long");
		return -EINVAL;
	}
	for (char *p = str; *p; p++)
		if (*p == ';')
			*p = ',';
	struct rte_devargs da;
	memset(&da, 0, sizeof(da));
	if (rte_devargs_parse(&da, str) < 0 || !da.bus) {
		snprintf(err, errlen, "no dmadev named '%s', and no DPDK bus knows such a device "
			 "(a vdev driver name such as dma_skeleton, or a PCI address)", name);
		rte_devargs_reset(&da);
		return -ENODEV;
	}
	snprintf(dd->bus_name, sizeof(dd->bus_name), "%s", rte_bus_name(da.bus));
	snprintf(dd->dma_name, sizeof(dd->dma_name), "%s", da.name);
	rte_devargs_reset(&da);
	int rc = rte_dev_probe(str);
	if (rc < 0) {
		snprintf(err, errlen, "no dmadev named '%s', and probing '%s' on bus %s failed: %s",
			 name, str, dd->bus_name, strerror(-rc));
		dd->bus_name[0] = '\0';
		return rc == -EEXIST ? -EBUSY : -ENODEV;
	}
	return 0;
}

static int dd_probe(struct sva_dev *dev, const struct sva_kvargs *kv, char *err, size_t errlen)
{
	const char *name = kv->name + strlen(DD_PREFIX);
	uint64_t vchans, max_xfer;
	int iova;
	bool probe;
	if (!*name) {
		snprintf(err, errlen, "no dmadev name after '%s' (e.g. %sdma_skeleton)", DD_PREFIX,
			 DD_PREFIX);
		return -EINVAL;
	}
	if (sva_kvargs_u64(kv, "vchans", 1, 1, SVA_DEV_MAX_QUEUES, &vchans, err, errlen) < 0 ||
	    sva_kvargs_u64(kv, "max_xfer", 1u << 30, 1, UINT32_MAX, &max_xfer, err, errlen) < 0 ||
	    sva_kvargs_choice(kv, "iova", dd_iova_names, DD_IOVA_AUTO, &iova, err, errlen) < 0 ||
	    sva_kvargs_bool(kv, "probe", true, &probe, err, errlen) < 0)
		return -EINVAL;
	const char *devargs = sva_kvargs_get(kv, "devargs");
	int rc = sva_dpdk_eal_ensure();
	if (rc < 0) {
		snprintf(err, errlen, "cannot initialise the DPDK EAL: %s", strerror(-rc));
		return rc;
	}
	struct dd_dev *dd = calloc(1, sizeof(*dd));
	if (!dd)
		return -ENOMEM;
	dd->dev_id = -1;
	snprintf(dd->dma_name, sizeof(dd->dma_name), "%s", name);
	int id = rte_dma_get_dev_id_by_name(name);
	if (id < 0 && !probe) {
		snprintf(err, errlen, "no dmadev named '%s' (probe=0)", name);
		rc = -ENODEV;
		goto fail;
	}
	if (id < 0) {
		rc = dd_hotplug(dd, name, devargs, err, errlen);
		if (rc < 0)
			goto fail;
		id = rte_dma_get_dev_id_by_name(dd->dma_name);
		if (id < 0) {
			snprintf(err, errlen, "device '%s' was probed but is not a dmadev", name);
			rc = -ENODEV;
			goto fail;
		}
		SVA_LOG(DPDK, INFO, "%s: probed DPDK device %s on bus %s", dev->name, dd->dma_name,
			dd->bus_name);
	} else if (devargs) {
		SVA_LOG(DPDK, WARNING, "%s: dmadev %s exists already; devargs=%s not applied",
			dev->name, name, devargs);
	}
	if (id >= DD_MAX_DEVS) {
		snprintf(err, errlen, "dmadev id %d out of range", id);
		rc = -ERANGE;
		goto fail;
	}
	pthread_mutex_lock(&dd_owner_lock);
	bool taken = dd_owned[id];
	dd_owned[id] = true;
	pthread_mutex_unlock(&dd_owner_lock);
	if (taken) {
		snprintf(err, errlen, "dmadev '%s' is already open as an svadk device", name);
		rc = -EBUSY;
		goto fail;
	}
	dd->dev_id = (int16_t)id;
	dd->owner = true;
	rc = rte_dma_info_get(dd->dev_id, &dd->info);
	if (rc < 0) {
		snprintf(err, errlen, "rte_dma_info_get: %s", strerror(-rc));
		goto fail;
	}
	if (!(dd->info.dev_capa & RTE_DMA_CAPA_MEM_TO_MEM) ||
	    !(dd->info.dev_capa & RTE_DMA_CAPA_OPS_COPY)) {
		snprintf(err, errlen, "dmadev '%s' cannot copy memory to memory", name);
		rc = -ENOTSUP;
		goto fail;
	}
	if (vchans > dd->info.max_vchans) {
		snprintf(err, errlen, "vchans=%llu: dmadev '%s' has at most %u",
			 (unsigned long long)vchans, name, dd->info.max_vchans);
		rc = -EINVAL;
		goto fail;
	}
	bool sva = dd->info.dev_capa & RTE_DMA_CAPA_SVA;
	dd->iova = iova == DD_IOVA_AUTO ? (sva ? DD_IOVA_VA : DD_IOVA_MEMSEG) : (uint8_t)iova;
	if (!sva && dd->iova == DD_IOVA_VA)
		SVA_LOG(DPDK, WARNING, "%s: iova=va on a dmadev without SVA: the device must reach "
			"every address it is given", dev->name);
	if (dd->iova == DD_IOVA_MEMSEG)
		SVA_LOG(DPDK, NOTICE, "%s: only DPDK memory is reachable (the dmadev has no SVA); "
			"other addresses complete with 'translation fault'", dev->name);
	dd_ring_range(dd);
	dd->nb_vchans = (uint16_t)vchans;
	dd->max_xfer = (uint32_t)max_xfer;
	dd->vchan_desc = calloc(dd->nb_vchans, sizeof(*dd->vchan_desc));
	dd->vq = calloc(dd->nb_vchans, sizeof(*dd->vq));
	if (!dd->vchan_desc || !dd->vq) {
		rc = -ENOMEM;
		goto fail;
	}
	struct rte_dma_conf dc;
	memset(&dc, 0, sizeof(dc));
	dc.nb_vchans = dd->nb_vchans;
	rc = rte_dma_configure(dd->dev_id, &dc);
	if (rc < 0) {
		snprintf(err, errlen, "rte_dma_configure(%s): %s%s", name, strerror(-rc),
			 rc == -EBUSY ? " (the dmadev is started: stop it first)" : "");
		goto fail;
	}
	dev->priv = dd;
	dev->ops = &dd_ops;
	dev->max_queues = dd->nb_vchans;
	return 0;
fail:
	dd_release(dd);
	return rc;
}

const struct sva_driver sva_drv_dpdk = {
	.name = "dpdk",
	.prefix = DD_PREFIX,
	.args = dd_args,
	.help = DD_HELP,
	.probe = dd_probe,
};
