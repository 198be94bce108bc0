/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Bounded lock-free queue of fixed-size elements, many producers and many
 * consumers (a sequence number per slot). A bulk enqueue places all of its
 * elements or none, so a group of fault records is never split by overflow.
 */
#ifndef SVA_RING_H
#define SVA_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "sva_common.h"

struct sva_ring;

/**
 * Create a ring of at least @p count elements (rounded up to a power of two)
 * of @p elem_size bytes each.
 * @return the ring, or NULL (errno: EINVAL, ENOMEM).
 */
struct sva_ring *sva_ring_create(uint32_t count, uint32_t elem_size);

/** Free a ring. Not concurrent with any other call on it. */
void sva_ring_free(struct sva_ring *r);

/**
 * Enqueue @p n elements stored back to back at @p elems, all or none.
 * @return 0, or -ENOSPC when fewer than @p n slots are free.
 */
int sva_ring_enqueue_bulk(struct sva_ring *r, const void *elems, uint32_t n);

/**
 * Enqueue one element where only the calling thread ever enqueues into @p r
 * (consumers may be many). No locked instruction: nothing waits for the
 * caller's earlier stores to drain. Do not mix with sva_ring_enqueue_bulk()
 * on the same ring. @return 0 or -ENOSPC.
 */
int sva_ring_enqueue_sp(struct sva_ring *r, const void *elem);

/**
 * Single producer, in two steps: the slot the next element goes to, for the
 * caller to write in place (no staging copy), or NULL when the ring is full.
 * The element is not visible until sva_ring_sp_commit(). Same rules as
 * sva_ring_enqueue_sp().
 */
void *sva_ring_sp_reserve(struct sva_ring *r);

/** Publish the element written into the slot of sva_ring_sp_reserve(). */
void sva_ring_sp_commit(struct sva_ring *r);

/** Enqueue one element. @return 0 or -ENOSPC. */
static inline int sva_ring_enqueue(struct sva_ring *r, const void *elem)
{
	return sva_ring_enqueue_bulk(r, elem, 1);
}

/**
 * Dequeue up to @p max elements into @p elems.
 * @return the number dequeued (0 when empty).
 */
uint32_t sva_ring_dequeue_burst(struct sva_ring *r, void *elems, uint32_t max);

/** Elements in the ring now (a snapshot). */
uint32_t sva_ring_count(const struct sva_ring *r);

/** Capacity in elements. */
uint32_t sva_ring_capacity(const struct sva_ring *r);

#endif
