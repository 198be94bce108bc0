/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Atomic helpers. Statistics counters have one writer and any number of
 * readers: the writer updates them with a relaxed load and store (a plain add
 * on x86, no locked instruction), readers load them relaxed.
 */
#ifndef SVA_ATOMIC_H
#define SVA_ATOMIC_H

#include <stdatomic.h>
#include <stdint.h>

/** A statistics counter: single writer, many readers. */
typedef _Atomic uint64_t sva_counter_t;

/** Add @p v to a counter owned by the calling thread. */
static inline void sva_counter_add(sva_counter_t *c, uint64_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
			      memory_order_relaxed);
}

/** Read a counter from any thread. */
static inline uint64_t sva_counter_read(const sva_counter_t *c)
{
	return atomic_load_explicit((sva_counter_t *)c, memory_order_relaxed);
}

/** Set a counter (owner thread, or before the owner starts). */
static inline void sva_counter_set(sva_counter_t *c, uint64_t v)
{
	atomic_store_explicit(c, v, memory_order_relaxed);
}

/**
 * Load the _Atomic object at @p p with acquire ordering: later loads and
 * stores of this thread are not moved before it, and when it reads a value
 * stored with sva_store_release(), every write the storing thread made before
 * that store is visible.
 */
#define sva_load_acquire(p) atomic_load_explicit((p), memory_order_acquire)
/**
 * Store @p v into the _Atomic object at @p p with release ordering: earlier
 * loads and stores of this thread are visible to a thread that reads @p v
 * with sva_load_acquire().
 */
#define sva_store_release(p, v) atomic_store_explicit((p), (v), memory_order_release)
/** Load the _Atomic object at @p p atomically, with no ordering guarantee. */
#define sva_load_relaxed(p) atomic_load_explicit((p), memory_order_relaxed)
/** Store @p v into the _Atomic object at @p p atomically, with no ordering guarantee. */
#define sva_store_relaxed(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)

#endif
