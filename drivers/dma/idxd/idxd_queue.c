/* SPDX-License-Identifier: BSD-3-Clause */
/* DSA/IAA queue data path: descriptor ring, batching, in-order completion,
 * partial-completion faults.
 *
 * Indexes are free-running 16-bit counters (the ring index returned to the
 * application): head ≤ fin ≤ pending ≤ next, where
 *   [head, fin)     have a final status, waiting to be reaped,
 *   [fin, pending)  are with the device (or waiting for a fault answer),
 *   [pending, next) are enqueued but not yet submitted.
 * Each submit produces batch records (one batch descriptor, or one direct
 * descriptor); the batch ring walks [fin, pending) in order.
 *
 * Descriptors inside a batch do not request a completion record unless they
 * produce a result: the device writes one only when they fail, and a batch
 * that succeeded as a whole costs the application one status read.
 *
 * A completion record's status byte is 0 except while a record the device
 * wrote waits to be read: whoever consumes one clears it (finalize(), the
 * batch walk), so enqueueing does not touch the records at all. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "idxd_hw.h"
#include "idxd_queue.h"
#include "sva_as.h"
#include "sva_cpu.h"
#include "sva_defaults.h"
#include "sva_iopf_swq.h"
#include "sva_log.h"
#include "sva_time.h"

enum slot_state {
	ST_NORMAL = 0,       /* with the device as first submitted */
	ST_FAULT_RAISE,      /* partial completion; raising the fault failed, retry */
	ST_FAULT_WAIT,       /* partial completion; waiting for the handler */
	ST_RESUBMIT,         /* fault resolved; resubmitting the remainder failed, retry */
	ST_RESUBMITTED,      /* remainder with the device */
};

/* An operation whose remainder faults at the same address, with nothing
 * done, right after the handler resolved it, this many times in a row fails
 * with a page-fault status rather than looping for ever (the handler and the
 * device's translation disagree). */
#define IDXD_REFAULT_MAX 32

/* What every operation needs (written by each enqueue: kept small). */
struct idxd_slot {
	struct sva_result *res;
	uint32_t len;        /* bytes of the operation as enqueued */
	uint32_t done;       /* bytes completed before the current submission */
	uint8_t op;          /* enum sva_op */
	uint8_t state;       /* enum slot_state */
	uint8_t status;      /* enum sva_status once final */
	bool fence;          /* enqueued with SVA_OP_FLAG_FENCE */
};
_Static_assert(sizeof(struct idxd_slot) == 24, "struct idxd_slot: one store per enqueue, kept small");

/* What only an operation that faulted needs (set by start_fault()). */
struct idxd_slot_fault {
	uint64_t ticket;     /* fault ticket (ST_FAULT_WAIT) */
	uint64_t fault_addr; /* (ST_FAULT_RAISE) */
	uint64_t t_wait;     /* ns, when the fault wait began */
	uint8_t fault_perm;
	uint8_t refaults;    /* faults in a row at fault_addr with no progress */
};

enum batch_mode { B_NEW = 0, B_OK, B_WALK };

struct idxd_batch {
	uint16_t start;
	uint16_t count;
	uint16_t done;       /* operations of this batch already final */
	uint8_t mode;        /* enum batch_mode */
	uint8_t bstatus;     /* batch completion status when walking */
	bool failed;         /* an operation of it got an error status */
	bool skip;           /* the rest of it is not attempted (fence after a failure) */
	uint32_t processed;  /* descriptors the device processed (batch failure) */
};

struct idxd_queue {
	/* --- fast path, application thread only --- */
	uint16_t mask;
	uint16_t next;
	uint16_t pending;
	uint16_t fin;
	uint16_t head;
	uint16_t bhead;
	uint16_t btail;
	uint16_t max_batch;
	bool iaa;
	bool stream_desc;     /* descriptors written with non-temporal stores */
	bool have_err;       /* an error status among [head, fin) */
	bool stalled;        /* the portal refused a submission, or a fence waits: retry */
	uint16_t err_idx;    /* first such error */
	uint16_t burst_start; /* the burst being submitted: [burst_start, burst_end) */
	uint16_t burst_end;
	uint8_t burst_flags;  /* BURST_* */
	uint32_t base_flags;
	uint32_t cstride;
	uint32_t pasid;
	uint8_t *desc;
	uint8_t *comp;
	uint8_t *bdesc;
	uint8_t *bcomp;
	struct idxd_batch *batch;
	struct idxd_slot *slot;
	struct idxd_slot_fault *sfault;
	const struct idxd_portal_ops *pops;
	void *portal;
	struct sva_iopf_swq *pc_swq;
	uint64_t fault_timeout_ns;
	/* --- statistics (written by the application thread) --- */
	uint64_t st_submitted, st_completed, st_errors, st_faults, st_resubmits, st_bytes,
		st_doorbells;
	/* --- control --- */
	char name[48];
	uint32_t nb;
	size_t mem_size;
	void *mem;
	struct sva_as *map_as;
	bool warned_no_handler;
};

/* Write a descriptor into the ring, built in registers (never through a
 * stack copy: reading back narrow stores would wait for them to land). When
 * the device runs on another core, the ring's lines were last read there,
 * and ordinary stores would each have to fetch the line back first (an RFO),
 * filling the store buffer during a burst; non-temporal stores need no
 * fetch, and the doorbell fences them (nt_fence). */
static inline void put_words(bool stream, void *dst, uint64_t w0, uint64_t w1,
			     uint64_t w2, uint64_t w3, uint64_t w4, uint64_t w5, uint64_t w6,
			     uint64_t w7)
{
#if defined(__AVX512F__)
	__m512i z = _mm512_set_epi64((long long)w7, (long long)w6, (long long)w5, (long long)w4,
				     (long long)w3, (long long)w2, (long long)w1, (long long)w0);
	if (sva_likely(stream))
		_mm512_stream_si512(dst, z);
	else
		_mm512_store_si512(dst, z);
#elif defined(__x86_64__)
	__m128i a = _mm_set_epi64x((long long)w1, (long long)w0);
	__m128i b = _mm_set_epi64x((long long)w3, (long long)w2);
	__m128i c = _mm_set_epi64x((long long)w5, (long long)w4);
	__m128i e = _mm_set_epi64x((long long)w7, (long long)w6);
	__m128i *p = dst;
	if (sva_likely(stream)) {
		_mm_stream_si128(p, a);
		_mm_stream_si128(p + 1, b);
		_mm_stream_si128(p + 2, c);
		_mm_stream_si128(p + 3, e);
	} else {
		_mm_store_si128(p, a);
		_mm_store_si128(p + 1, b);
		_mm_store_si128(p + 2, c);
		_mm_store_si128(p + 3, e);
	}
#else
	(void)stream;
	uint64_t d[8] = {w0, w1, w2, w3, w4, w5, w6, w7};
	memcpy(dst, d, 64);
#endif
}

/* Make streamed descriptors visible before the doorbell. */
static inline void nt_fence(const struct idxd_queue *q)
{
#if defined(__x86_64__)
	if (q->stream_desc)
		_mm_sfence();
#else
	(void)q;
#endif
}

static inline uint8_t *desc_at(struct idxd_queue *q, uint16_t idx)
{
	return q->desc + ((size_t)(idx & q->mask) << 6);
}

static inline uint8_t *comp_at(struct idxd_queue *q, uint16_t idx)
{
	return q->comp + (size_t)(idx & q->mask) * q->cstride;
}

static inline struct idxd_slot *slot_at(struct idxd_queue *q, uint16_t idx)
{
	return &q->slot[idx & q->mask];
}

static inline struct idxd_slot_fault *sfault_at(struct idxd_queue *q, uint16_t idx)
{
	return &q->sfault[idx & q->mask];
}

/* Batch completion records take a line each: the device writes the next
 * batch's while the application reads this one's. */
#define IDXD_BCOMP_STRIDE 64u

static inline uint8_t *bcomp_at(struct idxd_queue *q, uint16_t bidx)
{
	return q->bcomp + (size_t)(bidx & q->mask) * IDXD_BCOMP_STRIDE;
}

/* --- status mapping ----------------------------------------------------------- */

enum sva_status idxd_status_to_sva(uint8_t status, bool iaa)
{
	uint8_t st = status & DSA_COMP_STATUS_MASK;
	if (iaa) {
		switch (st) {
		case IAX_COMP_SUCCESS: return SVA_STATUS_SUCCESS;
		case IAX_COMP_PAGE_FAULT_IR: return SVA_STATUS_PAGE_FAULT;
		case IAX_COMP_ANALYTICS_ERROR: return SVA_STATUS_DATA_ERROR;
		case IAX_COMP_OUTBUF_OVERFLOW: return SVA_STATUS_OUTBUF_OVERFLOW;
		case IAX_COMP_BAD_OPCODE: return SVA_STATUS_INVALID_OPCODE;
		case IAX_COMP_INVALID_FLAGS:
		case IAX_COMP_NOZERO_RESERVE:
		case IAX_COMP_INVALID_COMP_FLAG: return SVA_STATUS_INVALID_FLAGS;
		case IAX_COMP_INVALID_SIZE:
		case IAX_COMP_INVALID_INPUT_SIZE: return SVA_STATUS_INVALID_LENGTH;
		case IAX_COMP_OVERLAP_BUFFERS:
		case IAX_COMP_CRA_ALIGN:
		case IAX_COMP_ADDR_ALIGN: return SVA_STATUS_INVALID_ADDR;
		case IAX_COMP_CRA_XLAT:
		case IAX_COMP_TRANSLATION_FAIL: return SVA_STATUS_TRANSLATION_FAULT;
		case IAX_COMP_PRS_TIMEOUT: return SVA_STATUS_FAULT_TIMEOUT;
		case IAX_COMP_HW_ERR1:
		case IAX_COMP_HW_ERR_DRB:
		case IAX_COMP_WATCHDOG: return SVA_STATUS_DEVICE_ERROR;
		case DSA_COMP_PAGE_FAULT_NOBOF: return SVA_STATUS_PAGE_FAULT;
		default: return SVA_STATUS_UNKNOWN;
		}
	}
	switch (st) {
	case DSA_COMP_SUCCESS:
	case DSA_COMP_SUCCESS_PRED: return SVA_STATUS_SUCCESS;
	case DSA_COMP_PAGE_FAULT_NOBOF:
	case DSA_COMP_PAGE_FAULT_IR:
	case DSA_COMP_BATCH_PAGE_FAULT:
	case DSA_COMP_PFAULT_RDBA: return SVA_STATUS_PAGE_FAULT;
	case DSA_COMP_BAD_OPCODE: return SVA_STATUS_INVALID_OPCODE;
	case DSA_COMP_INVALID_FLAGS:
	case DSA_COMP_NOZERO_RESERVE:
	case DSA_COMP_PRIV_BAD:
	case DSA_COMP_TRAFFIC_CLASS_CONF:
	case DSA_COMP_INT_HANDLE_INVAL: return SVA_STATUS_INVALID_FLAGS;
	case DSA_COMP_XFER_ERANGE:
	case DSA_COMP_DESC_CNT_ERANGE:
	case DSA_COMP_DR_ERANGE: return SVA_STATUS_INVALID_LENGTH;
	case DSA_COMP_OVERLAP_BUFFERS:
	case DSA_COMP_DCAST_ERR:
	case DSA_COMP_DESCLIST_ALIGN:
	case DSA_COMP_CRA_ALIGN:
	case DSA_COMP_ADDR_ALIGN: return SVA_STATUS_INVALID_ADDR;
	case DSA_COMP_CRA_XLAT:
	case DSA_COMP_TRANSLATION_FAIL: return SVA_STATUS_TRANSLATION_FAULT;
	case DSA_COMP_PRS_TIMEOUT_SIM: return SVA_STATUS_FAULT_TIMEOUT;
	case DSA_COMP_HW_ERR1:
	case DSA_COMP_HW_ERR_DRB: return SVA_STATUS_DEVICE_ERROR;
	default: return SVA_STATUS_UNKNOWN;
	}
}

/* --- enqueue ------------------------------------------------------------------ */

/* Claim the next ring slot; NULL when the ring is full. */
static inline struct idxd_slot *claim(struct idxd_queue *q, uint16_t *idx, uint8_t op,
				      uint32_t len, struct sva_result *res, uint64_t flags)
{
	uint16_t i = q->next;
	if (sva_unlikely((uint16_t)(i - q->head) >= q->nb))
		return NULL;
	struct idxd_slot *s = slot_at(q, i);
	*s = (struct idxd_slot){.res = res, .len = len, .op = op, .state = ST_NORMAL,
				.fence = (flags & SVA_OP_FLAG_FENCE) != 0};
	*idx = i;
	return s;
}

static int submit(void *drvq);

/* Operations that ask for a completion record on success (RCR, set by
 * op_flags()): the batch walk reads and clears exactly those. */
static inline bool op_reports(uint8_t op)
{
	return op != SVA_OP_COPY && op != SVA_OP_FILL && op != SVA_OP_DUALCAST &&
	       op != SVA_OP_CACHE_FLUSH;
}

static inline int finish_enqueue(struct idxd_queue *q, uint16_t idx, uint64_t flags)
{
	q->next = (uint16_t)(idx + 1);
	if (flags & SVA_OP_FLAG_SUBMIT)
		submit(q);
	return idx;
}

/* Descriptor flags of an operation @op (enum sva_op) enqueued with @flags. */
static inline uint32_t op_flags(const struct idxd_queue *q, uint64_t flags, uint8_t op)
{
	uint32_t f = q->base_flags;
	if (flags & SVA_OP_FLAG_FENCE)
		f |= IDXD_OP_FLAG_FENCE;
	if (op_reports(op))
		f |= IDXD_OP_FLAG_RCR;
	return f;
}

/* First word of every descriptor: PASID, flags, opcode. */
static inline uint64_t desc_hdr(const struct idxd_queue *q, uint8_t opcode, uint32_t flags)
{
	return (uint64_t)(q->pasid & 0xfffff) | (uint64_t)(flags & 0xffffff) << 32 |
	       (uint64_t)opcode << 56;
}

/* Write a DSA descriptor into the ring in one go (the device may read it from
 * another core as soon as the doorbell rings). */
static inline void put_dsa(struct idxd_queue *q, uint16_t idx, uint8_t opcode, uint32_t flags,
			   uint64_t a, uint64_t b, uint32_t size, uint64_t op40)
{
	put_words(q->stream_desc, desc_at(q, idx), desc_hdr(q, opcode, flags),
		  (uint64_t)(uintptr_t)comp_at(q, idx), a, b, size, op40, 0, 0);
}

/* Enqueue DSA operation @op: claim a slot, write the descriptor (@a, @b at
 * offsets 16 and 24, @op40 at 40). @return its index or -ENOSPC. */
static inline int enq_dsa(struct idxd_queue *q, uint8_t op, uint8_t opcode, uint64_t a, uint64_t b,
			  uint32_t len, uint64_t op40, struct sva_result *res, uint64_t flags)
{
	uint16_t idx;
	if (!claim(q, &idx, op, len, res, flags))
		return -ENOSPC;
	put_dsa(q, idx, opcode, op_flags(q, flags, op), a, b, len, op40);
	return finish_enqueue(q, idx, flags);
}

/* IAA descriptor: common header, then src1/dst/src1_size, flags at 38,
 * src2 at 40, max_dst_size at 48, src2_size at 52. */
static inline void put_iax(struct idxd_queue *q, uint16_t idx, uint8_t opcode, uint32_t flags,
			   uint64_t src1, uint64_t dst, uint32_t src1_size, uint16_t opflags,
			   uint64_t src2, uint32_t max_dst, uint32_t src2_size, uint64_t w7)
{
	put_words(q->stream_desc, desc_at(q, idx), desc_hdr(q, opcode, flags),
		  (uint64_t)(uintptr_t)comp_at(q, idx), src1, dst,
		  (uint64_t)src1_size | (uint64_t)opflags << 48, src2,
		  (uint64_t)max_dst | (uint64_t)src2_size << 32, w7);
}

static int q_copy(void *drvq, void *dst, const void *src, uint32_t len, uint64_t flags)
{
	struct idxd_queue *q = drvq;
	uint16_t idx;
	if (sva_likely(!q->iaa))
		return enq_dsa(q, SVA_OP_COPY, DSA_OPCODE_MEMMOVE, (uint64_t)(uintptr_t)src,
			       (uint64_t)(uintptr_t)dst, len, 0, NULL, flags);
	if (!claim(q, &idx, SVA_OP_COPY, len, NULL, flags))
		return -ENOSPC;
	put_iax(q, idx, IAX_OPCODE_MEMMOVE, op_flags(q, flags, SVA_OP_COPY), (uint64_t)(uintptr_t)src,
		(uint64_t)(uintptr_t)dst, len, 0, 0, 0, 0, 0);
	return finish_enqueue(q, idx, flags);
}

static int q_fill(void *drvq, void *dst, uint64_t pattern, uint32_t len, uint64_t flags)
{
	return enq_dsa(drvq, SVA_OP_FILL, DSA_OPCODE_MEMFILL, pattern, (uint64_t)(uintptr_t)dst, len,
		       0, NULL, flags);
}

static int q_compare(void *drvq, const void *a, const void *b, uint32_t len, struct sva_result *res,
		     uint64_t flags)
{
	return enq_dsa(drvq, SVA_OP_COMPARE, DSA_OPCODE_COMPARE, (uint64_t)(uintptr_t)a,
		       (uint64_t)(uintptr_t)b, len, 0, res, flags);
}

static int q_compare_pattern(void *drvq, const void *src, uint64_t pattern, uint32_t len,
			     struct sva_result *res, uint64_t flags)
{
	return enq_dsa(drvq, SVA_OP_COMPARE_PATTERN, DSA_OPCODE_COMPVAL, (uint64_t)(uintptr_t)src,
		       pattern, len, 0, res, flags);
}

static int q_crc32c(void *drvq, const void *src, uint32_t len, uint32_t seed,
		    struct sva_result *res, uint64_t flags)
{
	return enq_dsa(drvq, SVA_OP_CRC32C, DSA_OPCODE_CRCGEN, (uint64_t)(uintptr_t)src, 0, len, seed,
		       res, flags);
}

static int q_copy_crc32c(void *drvq, void *dst, const void *src, uint32_t len, uint32_t seed,
			 struct sva_result *res, uint64_t flags)
{
	return enq_dsa(drvq, SVA_OP_COPY_CRC32C, DSA_OPCODE_COPY_CRC, (uint64_t)(uintptr_t)src,
		       (uint64_t)(uintptr_t)dst, len, seed, res, flags);
}

static int q_dualcast(void *drvq, void *dst1, void *dst2, const void *src, uint32_t len,
		      uint64_t flags)
{
	return enq_dsa(drvq, SVA_OP_DUALCAST, DSA_OPCODE_DUALCAST, (uint64_t)(uintptr_t)src,
		       (uint64_t)(uintptr_t)dst1, len, (uint64_t)(uintptr_t)dst2, NULL, flags);
}

static int q_cache_flush(void *drvq, void *addr, uint32_t len, uint64_t flags)
{
	return enq_dsa(drvq, SVA_OP_CACHE_FLUSH, DSA_OPCODE_CFLUSH, 0, (uint64_t)(uintptr_t)addr, len,
		       0, NULL, flags);
}

static int q_compress(void *drvq, void *dst, uint32_t dst_cap, const void *src, uint32_t len,
		      uint32_t cflags, struct sva_result *res, uint64_t flags)
{
	struct idxd_queue *q = drvq;
	uint16_t idx;
	if (!claim(q, &idx, SVA_OP_COMPRESS, len, res, flags))
		return -ENOSPC;
	uint16_t cf = IAX_COMPR_FLAG_FLUSH_OUTPUT |
		      (cflags & SVA_COMP_F_LAST ? IAX_COMPR_FLAG_END_APPEND_EOB_SIM : 0);
	put_iax(q, idx, IAX_OPCODE_COMPRESS, op_flags(q, flags, SVA_OP_COMPRESS), (uint64_t)(uintptr_t)src,
		(uint64_t)(uintptr_t)dst, len, cf, 0, dst_cap, 0, 0);
	return finish_enqueue(q, idx, flags);
}

static int q_decompress(void *drvq, void *dst, uint32_t dst_cap, const void *src, uint32_t len,
			uint32_t cflags, void *state, struct sva_result *res, uint64_t flags)
{
	struct idxd_queue *q = drvq;
	uint16_t idx;
	if (!claim(q, &idx, SVA_OP_DECOMPRESS, len, res, flags))
		return -ENOSPC;
	uint16_t df = IAX_DECOMPR_FLAG_ENABLE | IAX_DECOMPR_FLAG_FLUSH_OUTPUT |
		      (cflags & SVA_COMP_F_LAST ? IAX_DECOMPR_FLAG_CHECK_EOB : 0);
	uint32_t f = op_flags(q, flags, SVA_OP_DECOMPRESS);
	if (state) {
		/* Stateful: keep the stream state in the AECS between operations. */
		f |= IDXD_OP_FLAG_WR_SRC2_AECS_COMP;
		if (!(cflags & SVA_COMP_F_FIRST))
			f |= IDXD_OP_FLAG_RD_SRC2_AECS;
	}
	put_iax(q, idx, IAX_OPCODE_DECOMPRESS, f, (uint64_t)(uintptr_t)src, (uint64_t)(uintptr_t)dst,
		len, df, (uint64_t)(uintptr_t)state, dst_cap, state ? IAX_AECS_SIZE : 0, 0);
	return finish_enqueue(q, idx, flags);
}

static int q_crc64(void *drvq, const void *src, uint32_t len, uint64_t poly, uint32_t crc_flags,
		   struct sva_result *res, uint64_t flags)
{
	struct idxd_queue *q = drvq;
	uint16_t idx;
	if (!claim(q, &idx, SVA_OP_CRC64, len, res, flags))
		return -ENOSPC;
	uint16_t cf = (crc_flags & SVA_CRC64_F_REFLECT ? IAX_CRC64_FLAG_REFLECT_SIM : 0) |
		      (crc_flags & SVA_CRC64_F_INVERT ? IAX_CRC64_FLAG_INVERT : 0);
	put_iax(q, idx, IAX_OPCODE_CRC64, op_flags(q, flags, SVA_OP_CRC64), (uint64_t)(uintptr_t)src,
		0, len, cf, 0, 0, 0, poly ? poly : SVA_CRC64_POLY_ECMA);
	return finish_enqueue(q, idx, flags);
}

/* --- submission ----------------------------------------------------------------- */

static inline void set_desc_flags(uint8_t *d, uint32_t set)
{
	idxd_wr32(d, 4, idxd_rd32(d, 4) | (set & 0xffffff));
}

/* State of the burst (what one doorbell hands over) being submitted. */
#define BURST_FENCED 0x1  /* a fenced operation went in an earlier descriptor */
#define BURST_FAILED 0x2  /* an operation of the burst failed */
#define BURST_SKIPPED 0x4 /* ... and one was not attempted (a fence after a failure) */

static void finalize(struct idxd_queue *q, uint16_t idx, enum sva_status st);

/* Whether the operation of @idx was enqueued fenced: kept in its slot, not
 * read back from the descriptor (written with streaming stores). */
static inline bool fenced(struct idxd_queue *q, uint16_t idx)
{
	return slot_at(q, idx)->fence;
}

/* A burst that takes several descriptors (more operations than max_batch, or
 * across the end of the ring): the device orders a fenced operation only
 * after the earlier ones of its own batch. Make the burst behave as one
 * batch: a descriptor holding a fenced operation, or coming after one, is
 * handed over only once everything before it is final (a fenced operation is
 * cut off to lead its descriptor), and after a failure the fenced operation
 * and the rest of the burst are not attempted.
 * @return 0 to submit *cnt operations, 1 to wait, -1 when the rest of the
 * burst was finalized NOT_ATTEMPTED. */
static int fence_chunk(struct idxd_queue *q, uint16_t *cnt)
{
	uint16_t i = 0;
	if (q->pending != q->burst_start) {
		bool lead = fenced(q, q->pending);
		if (lead || (q->burst_flags & BURST_FENCED)) {
			if (q->fin != q->pending)
				return 1;
			if ((q->burst_flags & BURST_SKIPPED) ||
			    (lead && (q->burst_flags & BURST_FAILED))) {
				while (q->pending != q->burst_end) {
					finalize(q, q->pending, SVA_STATUS_NOT_ATTEMPTED);
					q->pending++;
				}
				return -1;
			}
			if (lead)
				q->burst_flags |= BURST_FENCED;
			i = 1;
		}
	}
	for (; i < *cnt; i++) {
		if (!fenced(q, (uint16_t)(q->pending + i)))
			continue;
		if (q->pending != q->burst_start)
			*cnt = i; /* it leads the next descriptor, after a wait */
		else
			q->burst_flags |= BURST_FENCED; /* in the first: the device orders it */
		break;
	}
	return 0;
}

/* Hand [pending, next) to the device. */
static int submit(void *drvq)
{
	struct idxd_queue *q = drvq;
	nt_fence(q); /* the descriptors before the doorbell */
	if (!q->stalled) {
		q->burst_start = q->pending;
		q->burst_end = q->next;
		q->burst_flags = 0;
	}
	while (q->pending != q->next) {
		if (q->pending == q->burst_end) { /* a later doorbell's, rung while stalled */
			q->burst_start = q->pending;
			q->burst_end = q->next;
			q->burst_flags = 0;
		}
		uint16_t n = (uint16_t)(q->burst_end - q->pending);
		uint16_t at = q->pending & q->mask;
		uint16_t cnt = SVA_MIN(n, q->max_batch);
		if (at + cnt > q->nb) /* a descriptor list cannot wrap */
			cnt = (uint16_t)(q->nb - at);
		if (sva_unlikely(cnt < n || q->pending != q->burst_start)) {
			int w = fence_chunk(q, &cnt);
			if (w > 0) {
				q->stalled = true; /* retried from the completion path */
				return 0;
			}
			if (w < 0)
				continue;
		}
		struct idxd_batch *b = &q->batch[q->btail & q->mask];
		int rc;
		if (cnt < 2) {
			cnt = 1;
			uint8_t *d = desc_at(q, q->pending);
			set_desc_flags(d, IDXD_OP_FLAG_RCR); /* alone: it must report success too */
			rc = q->pops->submit(q->portal, d);
		} else {
			uint8_t *bd = q->bdesc + ((size_t)(q->btail & q->mask) << 6);
			uint8_t *bc = bcomp_at(q, q->btail);
			/* Read back by the portal in this thread: an ordinary store. */
			put_words(false, bd,
				  desc_hdr(q, DSA_OPCODE_BATCH,
					   IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR |
						   (q->base_flags & IDXD_OP_FLAG_BOF)),
				  (uint64_t)(uintptr_t)bc, (uint64_t)(uintptr_t)desc_at(q, q->pending),
				  0, cnt, 0, 0, 0);
			rc = q->pops->submit(q->portal, bd);
		}
		if (rc < 0) {
			q->stalled = true; /* retried from the completion path */
			return 0;
		}
		*b = (struct idxd_batch){.start = q->pending, .count = cnt};
		q->btail++;
		q->pending = (uint16_t)(q->pending + cnt);
		q->st_submitted += cnt;
		q->st_doorbells++;
	}
	q->stalled = false;
	return 0;
}

/* --- completion ------------------------------------------------------------------ */

static void fill_result(struct idxd_slot *s, const uint8_t *cr, enum sva_status st)
{
	struct sva_result *r = s->res;
	if (!r)
		return;
	r->status = (uint8_t)st;
	uint32_t bc = idxd_rd32(cr, 4);
	switch (s->op) {
	case SVA_OP_COMPARE:
	case SVA_OP_COMPARE_PATTERN:
		r->value = cr[1] & 1;
		r->bytes = r->value ? s->done + bc : s->len;
		break;
	case SVA_OP_CRC32C:
	case SVA_OP_COPY_CRC32C:
		r->value = idxd_rd32(cr, 16);
		r->bytes = s->len;
		break;
	case SVA_OP_COMPRESS:
	case SVA_OP_DECOMPRESS: {
		r->bytes = idxd_rd32(cr, 24);
		r->consumed = bc;
		r->value = idxd_rd32(cr, 32);
		r->flags = cr[IAX_CR_FLAGS_OFFSET_SIM] & IAX_CR_FLAG_EOS_SIM ? SVA_RESULT_F_END : 0;
		break;
	}
	case SVA_OP_CRC64:
		r->value = idxd_rd64(cr, IAX_CRC64_RESULT_OFFSET);
		r->bytes = s->len;
		break;
	default:
		r->bytes = s->len;
		break;
	}
}

static void finalize(struct idxd_queue *q, uint16_t idx, enum sva_status st)
{
	struct idxd_slot *s = slot_at(q, idx);
	uint8_t *cr = comp_at(q, idx);
	s->status = (uint8_t)st;
	s->state = ST_NORMAL;
	fill_result(s, cr, st);
	idxd_cr_set_status(cr, 0); /* consumed (or never written) */
	q->st_bytes += s->len;
	if (st != SVA_STATUS_SUCCESS) {
		q->st_errors++;
		if (!q->have_err) {
			q->have_err = true;
			q->err_idx = idx;
		}
		if ((uint16_t)(idx - q->burst_start) < (uint16_t)(q->burst_end - q->burst_start))
			q->burst_flags |= st == SVA_STATUS_NOT_ATTEMPTED ? BURST_FAILED | BURST_SKIPPED
									 : BURST_FAILED;
	}
	q->fin = (uint16_t)(idx + 1);
}

/* An 8-byte pattern (byte i at bits 8i..8i+7) as seen from @bc bytes on. */
static inline uint64_t pattern_advance(uint64_t pat, uint32_t bc)
{
	unsigned int r = (bc % 8) * 8;
	return r ? pat >> r | pat << (64 - r) : pat;
}

/* Turn the ring descriptor of @idx into the remainder after @bc bytes. */
static void make_remainder(struct idxd_queue *q, uint16_t idx, const uint8_t *cr, uint32_t bc)
{
	uint8_t *d = desc_at(q, idx);
	uint8_t opcode = d[7];
	if (q->iaa)
		return; /* IAA operations restart from the beginning */
	uint32_t size = idxd_rd32(d, 32);
	if (bc > size)
		bc = size;
	bool down = opcode == DSA_OPCODE_MEMMOVE && (idxd_cr_fault_info(cr) & IDXD_FAULT_INFO_DESCENDING);
	switch (opcode) {
	case DSA_OPCODE_MEMMOVE:
		if (!down) {
			idxd_wr64(d, 16, idxd_rd64(d, 16) + bc);
			idxd_wr64(d, 24, idxd_rd64(d, 24) + bc);
		}
		break;
	case DSA_OPCODE_MEMFILL:
		/* The pattern starts over at the remainder's first byte: rotate it
		 * so that byte i still gets pattern byte i % 8 of the whole. */
		idxd_wr64(d, 16, pattern_advance(idxd_rd64(d, 16), bc));
		idxd_wr64(d, 24, idxd_rd64(d, 24) + bc);
		break;
	case DSA_OPCODE_CFLUSH:
		idxd_wr64(d, 24, idxd_rd64(d, 24) + bc);
		break;
	case DSA_OPCODE_COMPARE:
		idxd_wr64(d, 16, idxd_rd64(d, 16) + bc);
		idxd_wr64(d, 24, idxd_rd64(d, 24) + bc);
		break;
	case DSA_OPCODE_COMPVAL:
		idxd_wr64(d, 16, idxd_rd64(d, 16) + bc);
		idxd_wr64(d, 24, pattern_advance(idxd_rd64(d, 24), bc));
		break;
	case DSA_OPCODE_CRCGEN:
	case DSA_OPCODE_COPY_CRC: {
		/* Partial CRC of the bytes done seeds the remainder. */
		uint32_t partial = idxd_rd32(cr, 16);
		idxd_wr64(d, 16, idxd_rd64(d, 16) + bc);
		if (opcode == DSA_OPCODE_COPY_CRC)
			idxd_wr64(d, 24, idxd_rd64(d, 24) + bc);
		idxd_wr32(d, 40, partial);
		break;
	}
	case DSA_OPCODE_DUALCAST:
		idxd_wr64(d, 16, idxd_rd64(d, 16) + bc);
		idxd_wr64(d, 24, idxd_rd64(d, 24) + bc);
		idxd_wr64(d, 40, idxd_rd64(d, 40) + bc);
		break;
	default:
		return;
	}
	idxd_wr32(d, 32, size - bc);
	slot_at(q, idx)->done += bc;
}

static bool resubmit(struct idxd_queue *q, uint16_t idx)
{
	struct idxd_slot *s = slot_at(q, idx);
	uint8_t *d = desc_at(q, idx);
	uint8_t *cr = comp_at(q, idx);
	set_desc_flags(d, IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_CRAV);
	memset(cr, 0, q->cstride);
	if (q->pops->submit(q->portal, d) < 0) {
		s->state = ST_RESUBMIT;
		return false;
	}
	s->state = ST_RESUBMITTED;
	q->st_resubmits++;
	return true;
}

static bool raise_fault(struct idxd_queue *q, struct idxd_slot *s, struct idxd_slot_fault *f)
{
	struct sva_iopf_page pg = {.addr = f->fault_addr, .perm = f->fault_perm};
	if (sva_iopf_swq_raise(q->pc_swq, q->pasid, &pg, 1, &f->ticket) < 0) {
		s->state = ST_FAULT_RAISE;
		return false;
	}
	s->state = ST_FAULT_WAIT;
	return true;
}

/* The device stopped at a fault: hand it to the handler. */
static void start_fault(struct idxd_queue *q, uint16_t idx, const uint8_t *cr, uint8_t status)
{
	struct idxd_slot *s = slot_at(q, idx);
	struct idxd_slot_fault *f = sfault_at(q, idx);
	uint32_t bc = idxd_rd32(cr, 4);
	q->st_faults++;
	uint64_t fault_addr = idxd_rd64(cr, 8);
	/* A remainder that faults again continues the count; an operation's
	 * first fault starts it. */
	if (s->state == ST_RESUBMITTED && f->refaults && bc == 0 && fault_addr == f->fault_addr) {
		if (f->refaults > IDXD_REFAULT_MAX) {
			SVA_LOG(IDXD, DEBUG, "%s: 0x%llx still faults after %u resolutions", q->name,
				(unsigned long long)fault_addr, IDXD_REFAULT_MAX);
			finalize(q, idx, SVA_STATUS_PAGE_FAULT);
			return;
		}
		f->refaults++;
	} else {
		f->refaults = 1;
	}
	f->fault_addr = fault_addr;
	f->fault_perm = status & DSA_COMP_STATUS_WRITE ? SVA_PERM_WRITE : SVA_PERM_READ;
	make_remainder(q, idx, cr, bc);
	if (!q->pc_swq || !sva_iopf_swq_handler(q->pc_swq)) {
		if (!q->warned_no_handler) {
			SVA_LOG(IDXD, WARNING, "%s: page fault at 0x%llx but no IO page-fault handler "
				"is attached to the device (sva_dev_attach_iopf)", q->name,
				(unsigned long long)f->fault_addr);
			q->warned_no_handler = true;
		}
		finalize(q, idx, SVA_STATUS_PAGE_FAULT);
		return;
	}
	f->t_wait = sva_now_ns();
	raise_fault(q, s, f);
}

/* Progress an operation waiting on a fault. Returns true when it moved on
 * (final, or remainder resubmitted). */
static bool progress_fault(struct idxd_queue *q, uint16_t idx)
{
	struct idxd_slot *s = slot_at(q, idx);
	struct idxd_slot_fault *f = sfault_at(q, idx);
	bool late = sva_now_ns() - f->t_wait > q->fault_timeout_ns;
	switch (s->state) {
	case ST_FAULT_RAISE:
		if (raise_fault(q, s, f))
			return false;
		if (late) {
			finalize(q, idx, SVA_STATUS_FAULT_TIMEOUT);
			return true;
		}
		return false;
	case ST_FAULT_WAIT: {
		int r = sva_iopf_swq_check(q->pc_swq, f->ticket);
		if (r == SVA_IOPF_SWQ_PENDING) {
			if (!late)
				return false;
			sva_iopf_swq_cancel(q->pc_swq, f->ticket);
			finalize(q, idx, SVA_STATUS_FAULT_TIMEOUT);
			return true;
		}
		if (r != SVA_IOPF_SUCCESS) {
			finalize(q, idx, SVA_STATUS_PAGE_FAULT);
			return true;
		}
		return resubmit(q, idx);
	}
	case ST_RESUBMIT:
		return resubmit(q, idx);
	default:
		return true;
	}
}

static void advance_batches(struct idxd_queue *q);

/* Give final statuses to as many operations as possible, in order. */
static void advance(struct idxd_queue *q)
{
	if (q->pops->poll)
		q->pops->poll(q->portal);
	if (sva_unlikely(q->stalled))
		submit(q);
	advance_batches(q);
	if (sva_unlikely(q->stalled)) /* a fence may be free to go now */
		submit(q);
}

static void advance_batches(struct idxd_queue *q)
{
	while (q->bhead != q->btail) {
		struct idxd_batch *b = &q->batch[q->bhead & q->mask];
		if (b->mode == B_NEW) {
			if (b->count == 1) {
				b->mode = B_WALK;
			} else {
				uint8_t *bc = bcomp_at(q, q->bhead);
				uint8_t st = idxd_cr_status(bc);
				if (!st)
					return;
				uint32_t processed = idxd_rd32(bc, 4);
				idxd_cr_set_status(bc, 0); /* consumed */
				if ((st & DSA_COMP_STATUS_MASK) == DSA_COMP_SUCCESS) {
					b->mode = B_OK;
				} else {
					b->mode = B_WALK;
					b->bstatus = st & DSA_COMP_STATUS_MASK;
					b->processed = processed;
					if (b->bstatus != DSA_COMP_BATCH_FAIL)
						b->processed = 0;
				}
			}
		}
		if (b->mode == B_OK) {
			/* The whole batch succeeded and none of it ever faulted: only
			 * operations with a result have a record to read. */
			for (uint16_t i = b->done; i < b->count; i++) {
				uint16_t idx = (uint16_t)(b->start + i);
				struct idxd_slot *s = slot_at(q, idx);
				s->status = SVA_STATUS_SUCCESS;
				if (op_reports(s->op)) {
					uint8_t *cr = comp_at(q, idx);
					fill_result(s, cr, SVA_STATUS_SUCCESS);
					idxd_cr_set_status(cr, 0); /* consumed */
				}
				q->st_bytes += s->len;
			}
			q->fin = (uint16_t)(b->start + b->count);
			q->bhead++;
			continue;
		}
		while (b->done < b->count) {
			uint16_t idx = (uint16_t)(b->start + b->done);
			struct idxd_slot *s = slot_at(q, idx);
			if (s->state != ST_NORMAL && s->state != ST_RESUBMITTED) {
				if (!progress_fault(q, idx))
					return;
				if (s->state != ST_RESUBMITTED) { /* finalized */
					b->failed |= s->status != SVA_STATUS_SUCCESS;
					b->done++;
					continue;
				}
			}
			const uint8_t *cr = comp_at(q, idx);
			uint8_t st = idxd_cr_status(cr);
			enum sva_status fs;
			if (!st) {
				if (b->count == 1 || s->state == ST_RESUBMITTED)
					return; /* still with the device */
				if (b->bstatus == DSA_COMP_BATCH_FAIL && b->done < b->processed) {
					fs = SVA_STATUS_SUCCESS;
				} else if (b->bstatus == DSA_COMP_BATCH_FAIL) {
					/* The device abandoned the batch at a fenced
					 * operation (the first one here) after a failure.
					 * A partial completion is a failure to the device,
					 * but the library resolves it: unless an operation
					 * really failed before a fenced one, hand the
					 * abandoned ones over again, one at a time, now
					 * that everything before them is final. */
					if (b->skip || (b->failed && fenced(q, idx))) {
						b->skip = true;
						fs = SVA_STATUS_NOT_ATTEMPTED;
					} else {
						/* Not a remainder: a fault of it starts
						 * its own count (the slot's record may
						 * hold an earlier operation's). */
						sfault_at(q, idx)->refaults = 0;
						resubmit(q, idx); /* or ST_RESUBMIT: retried */
						return;
					}
				} else /* the batch itself failed: none of it ran */
					fs = idxd_status_to_sva(b->bstatus, q->iaa);
			} else if ((st & DSA_COMP_STATUS_MASK) == DSA_COMP_PAGE_FAULT_NOBOF) {
				start_fault(q, idx, cr, st);
				if (s->state == ST_NORMAL) { /* finalized: no handler */
					b->failed = true;
					b->done++;
					continue;
				}
				return; /* completions stay in order: wait for this one */
			} else {
				fs = idxd_status_to_sva(st, q->iaa);
			}
			finalize(q, idx, fs);
			b->failed |= fs != SVA_STATUS_SUCCESS;
			b->done++;
		}
		q->bhead++;
	}
}

/* After reaping past err_idx, find the next error among [head, fin). */
static void rescan_errors(struct idxd_queue *q)
{
	q->have_err = false;
	for (uint16_t i = q->head; i != q->fin; i++) {
		if (slot_at(q, i)->status != SVA_STATUS_SUCCESS) {
			q->have_err = true;
			q->err_idx = i;
			return;
		}
	}
}

static uint16_t q_completed(void *drvq, uint16_t max, uint16_t *last_idx, bool *has_error)
{
	struct idxd_queue *q = drvq;
	advance(q);
	uint16_t avail = (uint16_t)(q->fin - q->head);
	uint16_t n = SVA_MIN(avail, max);
	bool err = false;
	if (q->have_err && (uint16_t)(q->err_idx - q->head) < n) {
		n = (uint16_t)(q->err_idx - q->head);
		err = true;
	}
	if (has_error)
		*has_error = err;
	if (n) {
		q->head = (uint16_t)(q->head + n);
		q->st_completed += n;
		if (last_idx)
			*last_idx = (uint16_t)(q->head - 1);
	}
	return n;
}

static uint16_t q_completed_status(void *drvq, uint16_t max, uint16_t *last_idx,
				   enum sva_status *status)
{
	struct idxd_queue *q = drvq;
	advance(q);
	uint16_t avail = (uint16_t)(q->fin - q->head);
	uint16_t n = SVA_MIN(avail, max);
	if (!n)
		return 0;
	bool passed_err = q->have_err && (uint16_t)(q->err_idx - q->head) < n;
	for (uint16_t i = 0; i < n; i++)
		status[i] = slot_at(q, (uint16_t)(q->head + i))->status;
	q->head = (uint16_t)(q->head + n);
	q->st_completed += n;
	if (last_idx)
		*last_idx = (uint16_t)(q->head - 1);
	if (passed_err)
		rescan_errors(q);
	return n;
}

static uint16_t q_burst_capacity(const void *drvq)
{
	const struct idxd_queue *q = drvq;
	return (uint16_t)(q->nb - (uint16_t)(q->next - q->head));
}

uint64_t idxd_queue_capa_ops(bool iaa)
{
	/* The operations idxd_queue_fill_fp() fills slots for. */
	if (iaa)
		return SVA_CAPA_OP(SVA_OP_COPY) | SVA_CAPA_OP(SVA_OP_COMPRESS) |
		       SVA_CAPA_OP(SVA_OP_DECOMPRESS) | SVA_CAPA_OP(SVA_OP_CRC64);
	return SVA_CAPA_OP(SVA_OP_COPY) | SVA_CAPA_OP(SVA_OP_FILL) | SVA_CAPA_OP(SVA_OP_COMPARE) |
	       SVA_CAPA_OP(SVA_OP_COMPARE_PATTERN) | SVA_CAPA_OP(SVA_OP_CRC32C) |
	       SVA_CAPA_OP(SVA_OP_COPY_CRC32C) | SVA_CAPA_OP(SVA_OP_DUALCAST) |
	       SVA_CAPA_OP(SVA_OP_CACHE_FLUSH);
}

void idxd_queue_fill_fp(struct idxd_queue *q, struct sva_queue_fp *fp)
{
	*fp = (struct sva_queue_fp){
		.drvq = q,
		.copy = q_copy,
		.submit = submit,
		.completed = q_completed,
		.completed_status = q_completed_status,
		.burst_capacity = q_burst_capacity,
	};
	if (q->iaa) {
		fp->compress = q_compress;
		fp->decompress = q_decompress;
		fp->crc64 = q_crc64;
	} else {
		fp->fill = q_fill;
		fp->compare = q_compare;
		fp->compare_pattern = q_compare_pattern;
		fp->crc32c = q_crc32c;
		fp->copy_crc32c = q_copy_crc32c;
		fp->dualcast = q_dualcast;
		fp->cache_flush = q_cache_flush;
	}
}

/* --- control ----------------------------------------------------------------------- */

struct idxd_queue *idxd_queue_create(const struct idxd_queue_conf *c)
{
	if (!c || !SVA_IS_POW2(c->nb_desc) || c->nb_desc < 2 || !c->portal_ops ||
	    !c->portal_ops->submit) {
		errno = EINVAL;
		return NULL;
	}
	struct idxd_queue *q = aligned_alloc(SVA_CACHE_LINE, SVA_ALIGN_UP(sizeof(*q), SVA_CACHE_LINE));
	if (!q)
		return NULL;
	memset(q, 0, sizeof(*q));
	snprintf(q->name, sizeof(q->name), "%s", c->name ? c->name : "idxd");
	q->nb = c->nb_desc;
	q->mask = (uint16_t)(c->nb_desc - 1);
	q->iaa = c->iaa;
	q->stream_desc = c->remote_device;
	q->cstride = c->iaa ? IDXD_IAX_COMP_SIZE : IDXD_DSA_COMP_SIZE;
	q->max_batch = c->iaa || c->max_batch < 2 ? 1 : c->max_batch;
	q->pasid = c->pasid;
	q->base_flags = IDXD_OP_FLAG_CRAV | (c->block_on_fault ? IDXD_OP_FLAG_BOF : 0);
	q->pops = c->portal_ops;
	q->portal = c->portal;
	q->pc_swq = c->pc_swq;
	q->fault_timeout_ns = (uint64_t)(c->fault_timeout_ms ? c->fault_timeout_ms
							      : SVA_DEFAULT_PRS_TIMEOUT_MS) * 1000000ull;
	/* One allocation for everything the device reads or writes. */
	size_t nb = q->nb;
	size_t sz_desc = nb * IDXD_DESC_SIZE, sz_comp = nb * q->cstride;
	size_t sz_bdesc = nb * IDXD_DESC_SIZE, sz_bcomp = nb * IDXD_BCOMP_STRIDE;
	q->mem_size = SVA_ALIGN_UP(sz_desc + sz_comp + sz_bdesc + sz_bcomp, (size_t)SVA_PAGE_SIZE);
	q->mem = sva_mem_alloc(q->mem_size, c->numa_node);
	q->batch = calloc(nb, sizeof(*q->batch));
	q->slot = calloc(nb, sizeof(*q->slot));
	q->sfault = calloc(nb, sizeof(*q->sfault));
	if (!q->mem || !q->batch || !q->slot || !q->sfault) {
		idxd_queue_free(q);
		errno = ENOMEM;
		return NULL;
	}
	q->desc = q->mem;
	q->comp = q->desc + sz_desc;
	q->bdesc = q->comp + sz_comp;
	q->bcomp = q->bdesc + sz_bdesc;
	if (c->map_as) {
		int rc = sva_as_map(c->map_as, q->mem, q->mem_size, SVA_PERM_READ | SVA_PERM_WRITE);
		if (rc < 0) {
			SVA_LOG(IDXD, ERR, "%s: cannot map the rings into %s: %s", q->name,
				sva_as_name(c->map_as), strerror(-rc));
			idxd_queue_free(q);
			errno = -rc;
			return NULL;
		}
		q->map_as = c->map_as;
		sva_as_get(q->map_as);
	}
	return q;
}

/* Drain; with @restart, the timeout runs from the last operation that got
 * its final status rather than from the start. */
static int drain(struct idxd_queue *q, uint32_t timeout_ms, bool restart)
{
	uint64_t span = (uint64_t)timeout_ms * 1000000ull;
	uint64_t deadline = sva_now_ns() + span;
	uint16_t fin = q->fin;
	submit(q);
	for (;;) {
		advance(q);
		if (q->fin == q->pending && q->pending == q->next)
			return 0;
		/* A handler polled by the application (no thread of its own) is
		 * likely polled by this very thread: answer the faults here rather
		 * than let them time out. (-EBUSY if someone else polls it now.) */
		struct sva_iopf *pf = q->pc_swq ? sva_iopf_swq_handler(q->pc_swq) : NULL;
		if (pf && !sva_iopf_running(pf))
			sva_iopf_poll(pf, 64);
		if (restart && q->fin != fin) {
			fin = q->fin;
			deadline = sva_now_ns() + span;
		}
		if (sva_now_ns() > deadline) {
			if (!restart)
				SVA_LOG(IDXD, ERR, "%s: drain timed out with %u operations in flight",
					q->name, (uint16_t)(q->next - q->fin));
			return -ETIMEDOUT;
		}
		sva_pause();
	}
}

int idxd_queue_drain(struct idxd_queue *q, uint32_t timeout_ms)
{
	return drain(q, timeout_ms, false);
}

int idxd_queue_drain_progress(struct idxd_queue *q, uint32_t idle_ms)
{
	return drain(q, idle_ms, true);
}

void idxd_queue_free(struct idxd_queue *q)
{
	if (!q)
		return;
	if (q->map_as) {
		sva_as_unmap(q->map_as, q->mem, q->mem_size);
		sva_as_put(q->map_as);
	}
	sva_mem_free(q->mem, q->mem_size);
	free(q->batch);
	free(q->slot);
	free(q->sfault);
	free(q);
}

void idxd_queue_stats(const struct idxd_queue *q, struct sva_queue_stats *st)
{
	st->submitted = q->st_submitted;
	st->completed = q->st_completed;
	st->errors = q->st_errors;
	st->faults = q->st_faults;
	st->resubmits = q->st_resubmits;
	st->bytes = q->st_bytes;
	st->doorbells = q->st_doorbells;
}

void idxd_queue_stats_reset(struct idxd_queue *q)
{
	q->st_submitted = q->st_completed = q->st_errors = q->st_faults = 0;
	q->st_resubmits = q->st_bytes = q->st_doorbells = 0;
}

void idxd_queue_dump(const struct idxd_queue *q, FILE *f)
{
	fprintf(f, "    ring: head %u fin %u pending %u next %u (of %u), batches %u..%u, "
		"max batch %u%s%s\n", q->head, q->fin, q->pending, q->next, q->nb, q->bhead,
		q->btail, q->max_batch, q->stalled ? ", stalled" : "",
		q->base_flags & IDXD_OP_FLAG_BOF ? ", BOF" : "");
}
