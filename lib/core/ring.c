/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounded MPMC queue with per-slot sequence numbers.
 *
 * Slot i of position p is free for the producer of p when seq == p, and holds
 * the element for the consumer of p when seq == p + 1; the consumer hands it
 * back with seq = p + capacity. Producers and consumers claim positions with a
 * CAS on tail/head, so a stalled thread never blocks the others' claims. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sva_ring.h"

struct sva_ring {
	uint32_t mask;
	uint32_t elem_size;
	uint32_t stride;
	unsigned char *slots;
	_Atomic uint64_t tail sva_cache_aligned; /* next position to produce */
	_Atomic uint64_t head sva_cache_aligned; /* next position to consume */
};

struct slot_hdr {
	_Atomic uint64_t seq;
};

static inline struct slot_hdr *slot_at(const struct sva_ring *r, uint64_t pos)
{
	return (struct slot_hdr *)(void *)(r->slots + (size_t)(pos & r->mask) * r->stride);
}

struct sva_ring *sva_ring_create(uint32_t count, uint32_t elem_size)
{
	if (count == 0 || count > (1u << 24) || elem_size == 0 || elem_size > 4096) {
		errno = EINVAL;
		return NULL;
	}
	struct sva_ring *r = aligned_alloc(SVA_CACHE_LINE, SVA_ALIGN_UP(sizeof(*r), SVA_CACHE_LINE));
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	uint32_t cap = sva_pow2_ceil(count);
	r->mask = cap - 1;
	r->elem_size = elem_size;
	r->stride = (uint32_t)SVA_ALIGN_UP(sizeof(struct slot_hdr) + elem_size, 8u);
	r->slots = aligned_alloc(SVA_CACHE_LINE, SVA_ALIGN_UP((size_t)cap * r->stride, SVA_CACHE_LINE));
	if (!r->slots) {
		free(r);
		return NULL;
	}
	memset(r->slots, 0, (size_t)cap * r->stride);
	for (uint64_t i = 0; i < cap; i++)
		atomic_init(&slot_at(r, i)->seq, i);
	atomic_init(&r->tail, 0);
	atomic_init(&r->head, 0);
	return r;
}

void sva_ring_free(struct sva_ring *r)
{
	if (!r)
		return;
	free(r->slots);
	free(r);
}

int sva_ring_enqueue_bulk(struct sva_ring *r, const void *elems, uint32_t n)
{
	if (n == 0)
		return 0;
	if (n > r->mask + 1)
		return -ENOSPC;
	uint64_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
	for (;;) {
		/* The last slot we need must have been handed back by its consumer;
		 * positions are claimed and released in order, so that covers all. */
		uint64_t last = pos + n - 1;
		uint64_t seq = atomic_load_explicit(&slot_at(r, last)->seq, memory_order_acquire);
		int64_t diff = (int64_t)(seq - last);
		if (diff < 0)
			return -ENOSPC;
		if (diff > 0) { /* another producer moved on; reload */
			pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
			continue;
		}
		/* Also the first slot: a consumer may still be reading it. */
		seq = atomic_load_explicit(&slot_at(r, pos)->seq, memory_order_acquire);
		if ((int64_t)(seq - pos) < 0)
			return -ENOSPC;
		if ((int64_t)(seq - pos) > 0) {
			pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
			continue;
		}
		if (atomic_compare_exchange_weak_explicit(&r->tail, &pos, pos + n,
							  memory_order_relaxed, memory_order_relaxed))
			break;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct slot_hdr *s = slot_at(r, pos + i);
		/* Slots between first and last were checked transitively, but a
		 * slow consumer of an older lap may still hold one: wait for it. */
		while (atomic_load_explicit(&s->seq, memory_order_acquire) != pos + i)
			;
		memcpy(s + 1, (const unsigned char *)elems + (size_t)i * r->elem_size, r->elem_size);
		atomic_store_explicit(&s->seq, pos + i + 1, memory_order_release);
	}
	return 0;
}

void *sva_ring_sp_reserve(struct sva_ring *r)
{
	uint64_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
	struct slot_hdr *s = slot_at(r, pos);
	/* Free once its consumer of the previous lap handed it back. */
	if (atomic_load_explicit(&s->seq, memory_order_acquire) != pos)
		return NULL;
	return s + 1;
}

void sva_ring_sp_commit(struct sva_ring *r)
{
	uint64_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
	atomic_store_explicit(&slot_at(r, pos)->seq, pos + 1, memory_order_release);
	atomic_store_explicit(&r->tail, pos + 1, memory_order_relaxed);
}

int sva_ring_enqueue_sp(struct sva_ring *r, const void *elem)
{
	void *slot = sva_ring_sp_reserve(r);
	if (!slot)
		return -ENOSPC;
	memcpy(slot, elem, r->elem_size);
	sva_ring_sp_commit(r);
	return 0;
}

uint32_t sva_ring_dequeue_burst(struct sva_ring *r, void *elems, uint32_t max)
{
	uint32_t got = 0;
	while (got < max) {
		uint64_t pos = atomic_load_explicit(&r->head, memory_order_relaxed);
		struct slot_hdr *s;
		for (;;) {
			s = slot_at(r, pos);
			uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
			int64_t diff = (int64_t)(seq - (pos + 1));
			if (diff < 0)
				return got; /* empty, or the producer has not published yet */
			if (diff > 0) {
				pos = atomic_load_explicit(&r->head, memory_order_relaxed);
				continue;
			}
			if (atomic_compare_exchange_weak_explicit(&r->head, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed))
				break;
		}
		memcpy((unsigned char *)elems + (size_t)got * r->elem_size, s + 1, r->elem_size);
		atomic_store_explicit(&s->seq, pos + r->mask + 1, memory_order_release);
		got++;
	}
	return got;
}

uint32_t sva_ring_count(const struct sva_ring *r)
{
	uint64_t t = atomic_load_explicit(&((struct sva_ring *)r)->tail, memory_order_relaxed);
	uint64_t h = atomic_load_explicit(&((struct sva_ring *)r)->head, memory_order_relaxed);
	return t > h ? (uint32_t)(t - h) : 0;
}

uint32_t sva_ring_capacity(const struct sva_ring *r)
{
	return r->mask + 1;
}
