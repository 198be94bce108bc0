/* SPDX-License-Identifier: BSD-3-Clause */
/* The "cpu" device: every operation done by the CPU on the application
 * thread, at submit time. It is the baseline svadk-perf measures the other
 * devices against, so it does exactly the work a device would (same kernels
 * as the software device's engines), with the same ring semantics, and nothing
 * else. A bad address fails the operation (the access runs under the guard of
 * the software IOMMU) instead of crashing the process. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sva_crc.h"
#include "sim_deflate.h"
#include "sim_iommu.h"
#include "sim_kernels.h"
#include "sva_cpu.h"
#include "sva_dma_driver.h"
#include "sva_log.h"

/* The API's CRC-64 flags are the software CRC's: passed through as they are. */
_Static_assert(SVA_CRC64_F_REFLECT == SVA_SW_CRC64_REFLECT &&
		       SVA_CRC64_F_INVERT == SVA_SW_CRC64_INVERT,
	       "CRC-64 flags of sva_dma.h and sva_crc.h differ");

#define CPU_MAX_XFER (1u << 30)
#define CPU_STREAMS 16

struct cpu_op {
	uint64_t a, b, c;  /* op-specific addresses / pattern */
	uint64_t x;        /* seed, pattern, polynomial */
	struct sva_result *res;
	void *state;
	uint32_t len;
	uint32_t cap;
	uint32_t cflags;
	uint8_t op;
	uint8_t status;
};

struct cpu_stream {
	void *state;
	struct sim_inflate *s;
	uint64_t lru;
};

struct cpu_queue {
	uint16_t mask, next, pending, head;
	uint32_t nb;
	struct cpu_op *ring;
	struct cpu_op *cur;       /* op being executed (for the guard) */
	struct sva_sw_crc64 *crc64;
	/* Kept for the queue's life, created on first use: a guard fault in the
	 * middle of an operation then leaves nothing allocated behind. */
	struct sim_inflate *inflate;   /* stateless decompression (reset per use) */
	struct sim_deflater *deflater;
	struct cpu_stream streams[CPU_STREAMS];
	uint64_t clock;
	uint64_t st_submitted, st_completed, st_errors, st_bytes, st_doorbells;
};

static inline struct cpu_op *op_at(struct cpu_queue *q, uint16_t i)
{
	return &q->ring[i & q->mask];
}

static inline struct cpu_op *claim(struct cpu_queue *q, uint8_t op, uint32_t len,
				   struct sva_result *res)
{
	if (sva_unlikely((uint16_t)(q->next - q->head) >= q->nb))
		return NULL;
	struct cpu_op *o = op_at(q, q->next);
	o->op = op;
	o->len = len;
	o->res = res;
	o->status = SVA_STATUS_SUCCESS;
	return o;
}

static int cpu_submit(void *drvq);

static inline int done_enqueue(struct cpu_queue *q, uint64_t flags)
{
	int idx = q->next++;
	if (flags & SVA_OP_FLAG_SUBMIT)
		cpu_submit(q);
	return idx & 0xffff;
}

#define ENQ(q, op, len, res) \
	struct cpu_op *o = claim(q, op, len, res); \
	if (!o) \
		return -ENOSPC

static int c_copy(void *d, void *dst, const void *src, uint32_t len, uint64_t flags)
{
	struct cpu_queue *q = d;
	ENQ(q, SVA_OP_COPY, len, NULL);
	o->a = (uintptr_t)src;
	o->b = (uintptr_t)dst;
	return done_enqueue(q, flags);
}

static int c_fill(void *d, void *dst, uint64_t pattern, uint32_t len, uint64_t flags)
{
	struct cpu_queue *q = d;
	ENQ(q, SVA_OP_FILL, len, NULL);
	o->b = (uintptr_t)dst;
	o->x = pattern;
	return done_enqueue(q, flags);
}

static int c_compare(void *d, const void *a, const void *b, uint32_t len, struct sva_result *res,
		     uint64_t flags)
{
	struct cpu_queue *q = d;
	ENQ(q, SVA_OP_COMPARE, len, res);
	o->a = (uintptr_t)a;
	o->b = (uintptr_t)b;
	return done_enqueue(q, flags);
}

static int c_compare_pattern(void *d, const void *src, uint64_t pattern, uint32_t len,
			     struct sva_result *res, uint64_t flags)
{
	struct cpu_queue *q = d;
	ENQ(q, SVA_OP_COMPARE_PATTERN, len, res);
	o->a = (uintptr_t)src;
	o->x = pattern;
	return done_enqueue(q, flags);
}

static int c_crc32c(void *d, const void *src, uint32_t len, uint32_t seed, struct sva_result *res,
		    uint64_t flags)
{
	struct cpu_queue *q = d;
	ENQ(q, SVA_OP_CRC32C, len, res);
	o->a = (uintptr_t)src;
	o->x = seed;
	return done_enqueue(q, flags);
}

static int c_copy_crc32c(void *d, void *dst, const void *src, uint32_t len, uint32_t seed,
			 struct sva_result *res, uint64_t flags)
{
	struct cpu_queue *q = d;
	ENQ(q, SVA_OP_COPY_CRC32C, len, res);
	o->a = (uintptr_t)src;
	o->b = (uintptr_t)dst;
	o->x = seed;
	return done_enqueue(q, flags);
}

static int c_dualcast(void *d, void *dst1, void *dst2, const void *src, uint32_t len,
		      uint64_t flags)
{
	struct cpu_queue *q = d;
	ENQ(q, SVA_OP_DUALCAST, len, NULL);
	o->a = (uintptr_t)src;
	o->b = (uintptr_t)dst1;
	o->c = (uintptr_t)dst2;
	return done_enqueue(q, flags);
}

static int c_cache_flush(void *d, void *addr, uint32_t len, uint64_t flags)
{
	struct cpu_queue *q = d;
	ENQ(q, SVA_OP_CACHE_FLUSH, len, NULL);
	o->b = (uintptr_t)addr;
	return done_enqueue(q, flags);
}

static int c_compress(void *d, void *dst, uint32_t cap, const void *src, uint32_t len,
		      uint32_t cflags, struct sva_result *res, uint64_t flags)
{
	struct cpu_queue *q = d;
	ENQ(q, SVA_OP_COMPRESS, len, res);
	o->a = (uintptr_t)src;
	o->b = (uintptr_t)dst;
	o->cap = cap;
	o->cflags = cflags;
	return done_enqueue(q, flags);
}

static int c_decompress(void *d, void *dst, uint32_t cap, const void *src, uint32_t len,
			uint32_t cflags, void *state, struct sva_result *res, uint64_t flags)
{
	struct cpu_queue *q = d;
	ENQ(q, SVA_OP_DECOMPRESS, len, res);
	o->a = (uintptr_t)src;
	o->b = (uintptr_t)dst;
	o->cap = cap;
	o->cflags = cflags;
	o->state = state;
	return done_enqueue(q, flags);
}

static int c_crc64(void *d, const void *src, uint32_t len, uint64_t poly, uint32_t crc_flags,
		   struct sva_result *res, uint64_t flags)
{
	struct cpu_queue *q = d;
	ENQ(q, SVA_OP_CRC64, len, res);
	o->a = (uintptr_t)src;
	o->x = poly ? poly : SVA_CRC64_POLY_ECMA;
	o->cflags = crc_flags;
	return done_enqueue(q, flags);
}

static struct sim_inflate *stream_for(struct cpu_queue *q, void *state, bool first)
{
	struct cpu_stream *victim = &q->streams[0];
	for (unsigned int i = 0; i < CPU_STREAMS; i++) {
		struct cpu_stream *s = &q->streams[i];
		if (s->state == state && s->s) {
			s->lru = ++q->clock;
			return s->s;
		}
		if (s->lru < victim->lru)
			victim = s;
	}
	if (!first)
		return NULL; /* continuing a stream we do not know */
	if (!victim->s)
		victim->s = sim_inflate_new();
	victim->state = state;
	victim->lru = ++q->clock;
	return victim->s;
}

static void forget_stream(struct cpu_queue *q, void *state)
{
	for (unsigned int i = 0; i < CPU_STREAMS; i++)
		if (q->streams[i].state == state)
			q->streams[i].state = NULL;
}

/* Execute one operation; returns its status. */
static enum sva_status exec_op(struct cpu_queue *q, struct cpu_op *o)
{
	uint8_t *pa = (uint8_t *)(uintptr_t)o->a, *pb = (uint8_t *)(uintptr_t)o->b;
	struct sva_result *r = o->res;
	if (o->len == 0 && o->op != SVA_OP_DECOMPRESS)
		return SVA_STATUS_INVALID_LENGTH;
	if (o->len > CPU_MAX_XFER)
		return SVA_STATUS_INVALID_LENGTH;
	switch (o->op) {
	case SVA_OP_COPY:
		memmove(pb, pa, o->len);
		break;
	case SVA_OP_FILL:
		sim_fill_pattern(pb, o->x, 0, o->len);
		break;
	case SVA_OP_COMPARE: {
		uint64_t at = sim_diff_buffers(pa, pb, o->len);
		if (r) {
			r->value = at < o->len;
			r->bytes = (uint32_t)at;
		}
		break;
	}
	case SVA_OP_COMPARE_PATTERN: {
		uint64_t at = sim_diff_pattern(pa, o->x, 0, o->len);
		if (r) {
			r->value = at < o->len;
			r->bytes = (uint32_t)at;
		}
		break;
	}
	case SVA_OP_CRC32C:
		if (r)
			r->value = sva_sw_crc32c((uint32_t)o->x, pa, o->len);
		break;
	case SVA_OP_COPY_CRC32C:
		if (sim_overlap_n(o->a, o->b, o->len))
			return SVA_STATUS_INVALID_ADDR;
		memcpy(pb, pa, o->len);
		if (r)
			r->value = sva_sw_crc32c((uint32_t)o->x, pa, o->len);
		break;
	case SVA_OP_DUALCAST:
		if ((o->b ^ o->c) & 0xfff)
			return SVA_STATUS_INVALID_ADDR;
		if (sim_overlap_n(o->a, o->b, o->len) || sim_overlap_n(o->a, o->c, o->len) ||
		    sim_overlap_n(o->b, o->c, o->len))
			return SVA_STATUS_INVALID_ADDR;
		memcpy(pb, pa, o->len);
		memcpy((void *)(uintptr_t)o->c, pa, o->len);
		break;
	case SVA_OP_CACHE_FLUSH:
		sim_cache_flush(pb, o->len);
		break;
	case SVA_OP_COMPRESS: {
		uint32_t out = 0;
		if (!q->deflater && !(q->deflater = sim_deflater_new()))
			return SVA_STATUS_DEVICE_ERROR;
		int rc = sim_deflate_with(q->deflater, pa, o->len, pb, o->cap,
					  o->cflags & SVA_COMP_F_LAST, SIM_DEFLATE_LEVEL_DEFAULT, &out);
		if (r) {
			r->bytes = out;
			r->consumed = o->len;
			r->value = sva_sw_crc32(0, pa, o->len);
		}
		if (rc == -ENOSPC)
			return SVA_STATUS_OUTBUF_OVERFLOW;
		if (rc < 0)
			return SVA_STATUS_DEVICE_ERROR;
		break;
	}
	case SVA_OP_DECOMPRESS: {
		bool first = !o->state || (o->cflags & SVA_COMP_F_FIRST);
		bool last = o->cflags & SVA_COMP_F_LAST;
		struct sim_inflate *s = o->state ? stream_for(q, o->state, first) : NULL;
		if (o->state && !s)
			return SVA_STATUS_DATA_ERROR;
		if (!s && !q->inflate)
			q->inflate = sim_inflate_new();
		if (!s)
			s = q->inflate;
		if (!s)
			return SVA_STATUS_DEVICE_ERROR;
		uint32_t consumed = 0, produced = 0;
		bool end = false;
		int rc = sim_inflate(s, pa, o->len, pb, o->cap, first, last, &consumed, &produced, &end);
		if (o->state && (end || (rc < 0 && rc != -ENOSPC) || (last && rc == 0)))
			forget_stream(q, o->state);
		if (r) {
			r->bytes = produced;
			r->consumed = consumed;
			r->value = sva_sw_crc32(0, pb, produced);
			r->flags = end ? SVA_RESULT_F_END : 0;
		}
		if (rc == -ENOSPC)
			return SVA_STATUS_OUTBUF_OVERFLOW;
		if (rc < 0)
			return SVA_STATUS_DATA_ERROR;
		break;
	}
	case SVA_OP_CRC64:
		sva_sw_crc64_prepare(q->crc64, o->x,
				     o->cflags & (SVA_CRC64_F_REFLECT | SVA_CRC64_F_INVERT));
		if (r)
			r->value = sva_sw_crc64(q->crc64, pa, o->len);
		break;
	default:
		return SVA_STATUS_INVALID_OPCODE;
	}
	if (r && o->op != SVA_OP_COMPARE && o->op != SVA_OP_COMPARE_PATTERN &&
	    o->op != SVA_OP_COMPRESS && o->op != SVA_OP_DECOMPRESS)
		r->bytes = o->len;
	return SVA_STATUS_SUCCESS;
}

static void run_pending(void *arg)
{
	struct cpu_queue *q = arg;
	while (q->pending != q->next) {
		struct cpu_op *o = op_at(q, q->pending);
		q->cur = o;
		o->status = (uint8_t)exec_op(q, o);
		if (o->res)
			o->res->status = o->status;
		q->pending++;
	}
	q->cur = NULL;
}

static int cpu_submit(void *drvq)
{
	struct cpu_queue *q = drvq;
	if (q->pending == q->next)
		return 0;
	q->st_doorbells++;
	q->st_submitted += (uint16_t)(q->next - q->pending);
	/* One guard for the whole burst: a bad address fails its operation,
	 * and the burst goes on after it. */
	while (q->pending != q->next) {
		uint64_t addr;
		if (sim_guarded(run_pending, q, &addr) == 0)
			break;
		q->cur->status = SVA_STATUS_PAGE_FAULT;
		if (q->cur->res)
			q->cur->res->status = SVA_STATUS_PAGE_FAULT;
		q->pending++;
	}
	return 0;
}

static uint16_t cpu_completed(void *drvq, uint16_t max, uint16_t *last, bool *has_error)
{
	struct cpu_queue *q = drvq;
	uint16_t n = 0;
	bool err = false;
	while (n < max && q->head != q->pending) {
		struct cpu_op *o = op_at(q, q->head);
		if (o->status != SVA_STATUS_SUCCESS) {
			err = true;
			break;
		}
		q->st_bytes += o->len;
		q->head++;
		n++;
	}
	if (has_error)
		*has_error = err;
	if (n) {
		if (last)
			*last = (uint16_t)(q->head - 1);
		q->st_completed += n;
	}
	return n;
}

static uint16_t cpu_completed_status(void *drvq, uint16_t max, uint16_t *last,
				     enum sva_status *status)
{
	struct cpu_queue *q = drvq;
	uint16_t n = 0;
	while (n < max && q->head != q->pending) {
		struct cpu_op *o = op_at(q, q->head);
		status[n++] = o->status;
		if (o->status != SVA_STATUS_SUCCESS)
			q->st_errors++;
		q->st_bytes += o->len;
		q->head++;
	}
	if (n) {
		if (last)
			*last = (uint16_t)(q->head - 1);
		q->st_completed += n;
	}
	return n;
}

static uint16_t cpu_capacity(const void *drvq)
{
	const struct cpu_queue *q = drvq;
	return (uint16_t)(q->nb - (uint16_t)(q->next - q->head));
}

/* --- control path ------------------------------------------------------------ */

static const char *const cpu_args[] = {NULL};

static int cpu_info(struct sva_dev *dev, struct sva_dev_info *info)
{
	(void)dev;
	for (int op = 0; op < SVA_OP_MAX; op++)
		info->capa |= SVA_CAPA_OP(op);
	/* The CPU reaches the process address space; there are no device faults. */
	info->capa |= SVA_CAPA_SVA | SVA_CAPA_BLOCK_ON_FAULT | SVA_CAPA_PARTIAL;
	info->min_desc = 2;
	info->max_desc = 4096;
	info->max_xfer = CPU_MAX_XFER;
	info->max_batch = 4096;
	info->numa_node = -1;
	info->pasid_bits = 0;
	return 0;
}

static void cpu_close(struct sva_dev *dev)
{
	(void)dev;
}

static int cpu_queue_setup(struct sva_dev *dev, struct sva_queue *q,
			   const struct sva_queue_conf *conf)
{
	(void)dev;
	(void)conf;
	struct cpu_queue *cq = calloc(1, sizeof(*cq));
	if (!cq)
		return -ENOMEM;
	cq->nb = q->nb_desc;
	cq->mask = (uint16_t)(q->nb_desc - 1);
	cq->ring = calloc(q->nb_desc, sizeof(*cq->ring));
	cq->crc64 = malloc(sizeof(*cq->crc64));
	if (!cq->ring || !cq->crc64) {
		free(cq->ring);
		free(cq->crc64);
		free(cq);
		return -ENOMEM;
	}
	sva_sw_crc64_init(cq->crc64, SVA_CRC64_POLY_ECMA, 0);
	q->live = (struct sva_queue_fp){
		.drvq = cq,
		.copy = c_copy,
		.fill = c_fill,
		.compare = c_compare,
		.compare_pattern = c_compare_pattern,
		.crc32c = c_crc32c,
		.copy_crc32c = c_copy_crc32c,
		.dualcast = c_dualcast,
		.cache_flush = c_cache_flush,
		.compress = c_compress,
		.decompress = c_decompress,
		.crc64 = c_crc64,
		.submit = cpu_submit,
		.completed = cpu_completed,
		.completed_status = cpu_completed_status,
		.burst_capacity = cpu_capacity,
	};
	q->drv_priv = cq;
	q->pasid = 0; /* the CPU needs no PASID */
	return 0;
}

static int cpu_queue_drain(struct sva_dev *dev, struct sva_queue *q, uint32_t timeout_ms)
{
	(void)dev;
	(void)timeout_ms;
	return cpu_submit(q->drv_priv);
}

static void cpu_queue_release(struct sva_dev *dev, struct sva_queue *q)
{
	struct cpu_queue *cq = q->drv_priv;
	cpu_queue_drain(dev, q, 0);
	for (unsigned int i = 0; i < CPU_STREAMS; i++)
		sim_inflate_free(cq->streams[i].s);
	sim_inflate_free(cq->inflate);
	sim_deflater_free(cq->deflater);
	free(cq->ring);
	free(cq->crc64);
	free(cq);
}

static int cpu_queue_stats(struct sva_dev *dev, const struct sva_queue *q, struct sva_queue_stats *st)
{
	const struct cpu_queue *cq = q->drv_priv;
	(void)dev;
	st->submitted = cq->st_submitted;
	st->completed = cq->st_completed;
	st->errors = cq->st_errors;
	st->bytes = cq->st_bytes;
	st->doorbells = cq->st_doorbells;
	return 0;
}

static int cpu_queue_stats_reset(struct sva_dev *dev, struct sva_queue *q)
{
	struct cpu_queue *cq = q->drv_priv;
	(void)dev;
	cq->st_submitted = cq->st_completed = cq->st_errors = cq->st_bytes = cq->st_doorbells = 0;
	return 0;
}

static const struct sva_dev_ops cpu_ops = {
	.info = cpu_info,
	.close = cpu_close,
	.queue_setup = cpu_queue_setup,
	.queue_drain = cpu_queue_drain,
	.queue_release = cpu_queue_release,
	.queue_stats = cpu_queue_stats,
	.queue_stats_reset = cpu_queue_stats_reset,
};

static int cpu_probe(struct sva_dev *dev, const struct sva_kvargs *kv, char *err, size_t errlen)
{
	(void)kv;
	(void)err;
	(void)errlen;
	dev->ops = &cpu_ops;
	dev->priv = NULL;
	dev->max_queues = SVA_DEV_MAX_QUEUES;
	return 0;
}

const struct sva_driver sva_drv_cpu = {
	.name = "cpu",
	.prefix = "cpu",
	.args = cpu_args,
	.help = "    (no arguments) every operation done by the CPU on the submitting thread\n",
	.probe = cpu_probe,
};
