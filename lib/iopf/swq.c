/* SPDX-License-Identifier: BSD-3-Clause */
/* Software fault queue: bounded lock-free record ring + group slots. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sva_defaults.h"
#include "sva_idle.h"
#include "sva_iopf_swq.h"
#include "sva_log.h"
#include "sva_ring.h"
#include "sva_time.h"

enum slot_state {
	SLOT_FREE = 0,
	SLOT_PENDING,
	SLOT_CANCELLED,
	SLOT_DONE_OK,
	SLOT_DONE_INVALID,
};

/* One cache line per group slot: the requester of one group and the
 * handler answering another never write the same line. */
struct group_slot {
	_Atomic uint32_t state;
	_Atomic uint32_t gen;
	uint32_t pasid;
} sva_cache_aligned;

/* Requesters write the first block of counters, the handler the second:
 * each on its own cache line, so that a fault does not bounce a line of
 * statistics between the two CPUs. Groups in flight = raised - answered
 * (no counter both sides update). */
struct sva_iopf_swq {
	char name[32];
	struct sva_ring *records;
	struct sva_ring *free_slots; /* indexes of free group slots */
	struct group_slot *slots;
	uint32_t nslots;
	struct sva_as *(*lookup_as)(void *arg, uint32_t pasid);
	void (*group_done)(void *arg, uint32_t pasid);
	void *arg;
	_Atomic(struct sva_idle *) waker;
	/* The handler of sva_iopf_swq_attach(); swq_set_waker(NULL) clears it
	 * when the handler lets go (removal, or its destruction). */
	_Atomic(struct sva_iopf *) handler;
	_Atomic bool bound; /* attached by sva_iopf_swq_attach(), not detached since */
	/* requester side */
	_Atomic uint64_t raised sva_cache_aligned;
	_Atomic uint64_t nrecords, overflow, cancelled;
	/* handler side */
	_Atomic uint64_t answered sva_cache_aligned;
	_Atomic uint64_t stale;
};

static inline uint64_t make_ticket(uint32_t gen, uint32_t slot)
{
	return (uint64_t)gen << 32 | slot;
}

struct sva_iopf_swq *sva_iopf_swq_create(const struct sva_iopf_swq_conf *conf)
{
	uint32_t depth = conf && conf->depth ? conf->depth : SVA_DEFAULT_PRQ_DEPTH;
	uint32_t groups = conf && conf->groups ? conf->groups : SVA_DEFAULT_PRQ_GROUPS;
	if (groups > 65536 || depth > (1u << 20)) {
		errno = EINVAL;
		return NULL;
	}
	struct sva_iopf_swq *q = aligned_alloc(SVA_CACHE_LINE, SVA_ALIGN_UP(sizeof(*q), SVA_CACHE_LINE));
	if (!q)
		return NULL;
	memset(q, 0, sizeof(*q));
	snprintf(q->name, sizeof(q->name), "%s", conf && conf->name ? conf->name : "swq");
	q->records = sva_ring_create(depth, sizeof(struct sva_iopf_fault));
	q->free_slots = sva_ring_create(groups, sizeof(uint32_t));
	q->slots = aligned_alloc(SVA_CACHE_LINE, (size_t)groups * sizeof(*q->slots));
	if (q->slots)
		memset(q->slots, 0, (size_t)groups * sizeof(*q->slots));
	if (!q->records || !q->free_slots || !q->slots) {
		sva_ring_free(q->records);
		sva_ring_free(q->free_slots);
		free(q->slots);
		free(q);
		errno = ENOMEM;
		return NULL;
	}
	q->nslots = groups;
	for (uint32_t i = 0; i < groups; i++)
		sva_ring_enqueue(q->free_slots, &i);
	if (conf) {
		q->lookup_as = conf->lookup_as;
		q->group_done = conf->group_done;
		q->arg = conf->arg;
	}
	return q;
}

static void release_slot(struct sva_iopf_swq *q, uint32_t idx)
{
	struct group_slot *s = &q->slots[idx];
	atomic_fetch_add_explicit(&s->gen, 1, memory_order_relaxed);
	atomic_store_explicit(&s->state, SLOT_FREE, memory_order_release);
	sva_ring_enqueue(q->free_slots, &idx); /* cannot overflow: sized for all */
}

int sva_iopf_swq_raise(struct sva_iopf_swq *q, uint32_t pasid, const struct sva_iopf_page *pages,
		       unsigned int n, uint64_t *ticket)
{
	struct sva_iopf_fault recs[64];
	uint32_t idx;
	if (!q || !pages || !ticket || n == 0 || n > 64)
		return -EINVAL;
	if (sva_ring_dequeue_burst(q->free_slots, &idx, 1) != 1) {
		atomic_fetch_add_explicit(&q->overflow, 1, memory_order_relaxed);
		return -ENOSPC;
	}
	struct group_slot *s = &q->slots[idx];
	uint32_t gen = atomic_load_explicit(&s->gen, memory_order_relaxed);
	s->pasid = pasid;
	atomic_store_explicit(&s->state, SLOT_PENDING, memory_order_relaxed);
	uint64_t tk = make_ticket(gen, idx), now = sva_tsc();
	for (unsigned int i = 0; i < n; i++) {
		recs[i] = (struct sva_iopf_fault){
			.addr = pages[i].addr,
			.cookie = tk,
			.t_raised = now,
			.pasid = pasid,
			.grpid = idx,
			.perm = pages[i].perm,
			.flags = SVA_IOPF_F_PASID_VALID | (i + 1 == n ? SVA_IOPF_F_LAST : 0),
		};
	}
	/* Counted before the records can be read, so answered <= raised. */
	atomic_fetch_add_explicit(&q->raised, 1, memory_order_relaxed);
	if (sva_ring_enqueue_bulk(q->records, recs, n) < 0) {
		atomic_fetch_sub_explicit(&q->raised, 1, memory_order_relaxed);
		release_slot(q, idx);
		atomic_fetch_add_explicit(&q->overflow, 1, memory_order_relaxed);
		return -ENOSPC;
	}
	atomic_fetch_add_explicit(&q->nrecords, n, memory_order_relaxed);
	*ticket = tk;
	struct sva_idle *w = atomic_load_explicit(&q->waker, memory_order_acquire);
	if (w)
		sva_idle_kick(w);
	return 0;
}

static struct group_slot *slot_of(struct sva_iopf_swq *q, uint64_t ticket, uint32_t *idx)
{
	uint32_t i = (uint32_t)ticket, gen = (uint32_t)(ticket >> 32);
	if (i >= q->nslots)
		return NULL;
	struct group_slot *s = &q->slots[i];
	if (atomic_load_explicit(&s->gen, memory_order_acquire) != gen)
		return NULL;
	*idx = i;
	return s;
}

int sva_iopf_swq_check(struct sva_iopf_swq *q, uint64_t ticket)
{
	uint32_t idx;
	struct group_slot *s = slot_of(q, ticket, &idx);
	if (!s)
		return -EINVAL;
	uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);
	switch (st) {
	case SLOT_PENDING:
		return SVA_IOPF_SWQ_PENDING;
	case SLOT_DONE_OK:
	case SLOT_DONE_INVALID:
		release_slot(q, idx);
		return st == SLOT_DONE_OK ? SVA_IOPF_SUCCESS : SVA_IOPF_INVALID;
	default:
		return -EINVAL;
	}
}

void sva_iopf_swq_cancel(struct sva_iopf_swq *q, uint64_t ticket)
{
	uint32_t idx;
	struct group_slot *s = slot_of(q, ticket, &idx);
	if (!s)
		return;
	uint32_t st = SLOT_PENDING;
	if (atomic_compare_exchange_strong_explicit(&s->state, &st, SLOT_CANCELLED,
						    memory_order_acq_rel, memory_order_acquire)) {
		atomic_fetch_add_explicit(&q->cancelled, 1, memory_order_relaxed);
		return; /* the handler frees the slot when it answers */
	}
	if (st == SLOT_DONE_OK || st == SLOT_DONE_INVALID)
		release_slot(q, idx);
}

bool sva_iopf_swq_attached(const struct sva_iopf_swq *q)
{
	return atomic_load_explicit(&((struct sva_iopf_swq *)q)->waker, memory_order_acquire) != NULL;
}

uint32_t sva_iopf_swq_in_flight(const struct sva_iopf_swq *cq)
{
	struct sva_iopf_swq *q = (struct sva_iopf_swq *)cq;
	/* answered first: an answer seen implies its raise is seen (release
	 * increment by the handler, after reading the records, acquire here). */
	uint64_t a = atomic_load_explicit(&q->answered, memory_order_acquire);
	uint64_t r = atomic_load_explicit(&q->raised, memory_order_relaxed);
	return r > a ? (uint32_t)(r - a) : 0;
}

void sva_iopf_swq_stats_get(const struct sva_iopf_swq *cq, struct sva_iopf_swq_stats *st)
{
	struct sva_iopf_swq *q = (struct sva_iopf_swq *)cq;
	st->raised = atomic_load(&q->raised);
	st->records = atomic_load(&q->nrecords);
	st->overflow = atomic_load(&q->overflow);
	st->answered = atomic_load(&q->answered);
	st->cancelled = atomic_load(&q->cancelled);
	st->stale = atomic_load(&q->stale);
}

/* --- source interface ------------------------------------------------------ */

static int swq_read(void *ctx, struct sva_iopf_fault *f, unsigned int n)
{
	struct sva_iopf_swq *q = ctx;
	return (int)sva_ring_dequeue_burst(q->records, f, n);
}

static int swq_respond(void *ctx, const struct sva_iopf_fault *last, enum sva_iopf_code code)
{
	struct sva_iopf_swq *q = ctx;
	uint32_t idx;
	struct group_slot *s = slot_of(q, last->cookie, &idx);
	if (!s) {
		atomic_fetch_add_explicit(&q->stale, 1, memory_order_relaxed);
		return -EINVAL;
	}
	uint32_t pasid = s->pasid;
	uint32_t want = code == SVA_IOPF_SUCCESS ? SLOT_DONE_OK : SLOT_DONE_INVALID;
	uint32_t st = SLOT_PENDING;
	if (!atomic_compare_exchange_strong_explicit(&s->state, &st, want, memory_order_acq_rel,
						     memory_order_acquire)) {
		if (st != SLOT_CANCELLED) {
			atomic_fetch_add_explicit(&q->stale, 1, memory_order_relaxed);
			return -EINVAL;
		}
		release_slot(q, idx); /* requester gave up: nobody will check */
	}
	atomic_fetch_add_explicit(&q->answered, 1, memory_order_release);
	if (q->group_done)
		q->group_done(q->arg, pasid);
	return 0;
}

static struct sva_as *swq_lookup_as(void *ctx, const struct sva_iopf_fault *f)
{
	struct sva_iopf_swq *q = ctx;
	return q->lookup_as ? q->lookup_as(q->arg, f->pasid) : NULL;
}

static bool swq_pending(void *ctx)
{
	struct sva_iopf_swq *q = ctx;
	return sva_ring_count(q->records) != 0;
}

static void swq_set_waker(void *ctx, struct sva_idle *waker)
{
	struct sva_iopf_swq *q = ctx;
	if (!waker)
		atomic_store_explicit(&q->handler, NULL, memory_order_release);
	atomic_store_explicit(&q->waker, waker, memory_order_release);
}

const struct sva_iopf_source_ops sva_iopf_swq_ops = {
	.name = "swq",
	.read = swq_read,
	.respond = swq_respond,
	.lookup_as = swq_lookup_as,
	.pending = swq_pending,
	.wait_fd = NULL,
	.set_waker = swq_set_waker,
};

int sva_iopf_swq_attach(struct sva_iopf_swq *q, struct sva_iopf *pf)
{
	if (!q || !pf)
		return -EINVAL;
	if (sva_iopf_swq_handler(q))
		return -EBUSY;
	int rc = sva_iopf_add_source(pf, &sva_iopf_swq_ops, q);
	if (rc < 0)
		return rc;
	atomic_store_explicit(&q->handler, pf, memory_order_release);
	atomic_store_explicit(&q->bound, true, memory_order_release);
	return 0;
}

int sva_iopf_swq_detach(struct sva_iopf_swq *q)
{
	if (!q || !atomic_exchange_explicit(&q->bound, false, memory_order_acq_rel))
		return -ENOENT;
	struct sva_iopf *pf = sva_iopf_swq_handler(q);
	if (!pf)
		return 0; /* the handler was destroyed first and let go already */
	return sva_iopf_remove_source(pf, q);
}

struct sva_iopf *sva_iopf_swq_handler(const struct sva_iopf_swq *q)
{
	return atomic_load_explicit(&((struct sva_iopf_swq *)q)->handler, memory_order_acquire);
}

void sva_iopf_swq_free(struct sva_iopf_swq *q)
{
	if (!q)
		return;
	/* Answer whatever nobody will read any more. */
	struct sva_iopf_fault f;
	while (swq_read(q, &f, 1) == 1)
		if (f.flags & SVA_IOPF_F_LAST)
			swq_respond(q, &f, SVA_IOPF_INVALID);
	if (sva_iopf_swq_in_flight(q))
		SVA_LOG(IOPF, DEBUG, "%s: freed with %u groups unanswered", q->name,
			sva_iopf_swq_in_flight(q));
	sva_ring_free(q->records);
	sva_ring_free(q->free_slots);
	free(q->slots);
	free(q);
}
