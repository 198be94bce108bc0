/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Idle backoff for poll-mode threads (engines, the fault handler): spin with
 * PAUSE while work flows, then yield the CPU, then block on an eventfd, so a
 * poller can share a core with other work.
 *
 * Protocol (no lost wake-ups): the poller announces it is going to sleep,
 * re-checks for work, then blocks. A producer publishes its work, then calls
 * sva_idle_kick(), which costs one atomic load unless the poller sleeps. The
 * store-load ordering both sides need is asymmetric where the kernel allows
 * (sva_fence.h): the poller pays a membarrier() before it blocks, and the
 * producer's kick has no fence, so a doorbell never waits for its stores.
 */
#ifndef SVA_IDLE_H
#define SVA_IDLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sva_atomic.h"
#include "sva_common.h"
#include "sva_fence.h"

/** Descriptors sva_idle_wait() can wake on besides its own eventfd. */
#define SVA_IDLE_MAX_FDS 32

/** Backoff state of one poller. Producers read @ref sleeping on every kick:
 *  it has a line of its own, which the poller writes only when it goes to
 *  sleep or wakes, away from the counters it updates on every round. */
struct sva_idle {
	_Atomic int sleeping sva_cache_aligned; /**< 1 while the poller may block */
	enum sva_fence_mode fence; /**< how sleeping and the work are ordered */
	int efd;               /**< eventfd the poller blocks on */
	uint32_t spins;        /**< idle rounds spent spinning before yielding */
	uint32_t yields;       /**< idle rounds spent yielding before blocking */
	uint32_t sleep_ms;     /**< longest single block */
	sva_counter_t kicks;   /**< wake-ups sent by producers */
	/* --- the poller's own --- */
	uint32_t idle_rounds sva_cache_aligned; /**< consecutive rounds without work */
	sva_counter_t sleeps;  /**< times the poller blocked */
};

/**
 * Initialise. @p spins, @p yields: rounds in each phase (0 = defaults);
 * @p sleep_ms: longest block (0 = default).
 * @return 0 or -errno (eventfd).
 */
int sva_idle_init(struct sva_idle *idle, uint32_t spins, uint32_t yields, uint32_t sleep_ms);

/** Release the eventfd. */
void sva_idle_fini(struct sva_idle *idle);

/** The poller found work: restart the backoff. */
static inline void sva_idle_busy(struct sva_idle *idle)
{
	idle->idle_rounds = 0;
}

/**
 * The poller found no work: spin, yield or block, depending on how long it
 * has been idle. @p has_work is called after announcing sleep and before
 * blocking; @p fds (may be NULL) are more descriptors to wake on (readable),
 * at most SVA_IDLE_MAX_FDS of them.
 */
void sva_idle_wait(struct sva_idle *idle, bool (*has_work)(void *arg), void *arg,
		   const int *fds, unsigned int nfds);

/** Wake the poller if it is (about to be) blocked. Producers call this after publishing. */
void sva_idle_kick_slow(struct sva_idle *idle);

/**
 * Wake the poller if it announced it may block: the producer's fence
 * (sva_fence_light(), free where membarrier() works), then
 * sva_idle_kick_slow() (an eventfd write) only when @ref sva_idle.sleeping is
 * set. Producers call it after publishing their work; any thread, any number
 * of producers.
 */
static inline void sva_idle_kick(struct sva_idle *idle)
{
	sva_fence_light(idle->fence);
	if (atomic_load_explicit(&idle->sleeping, memory_order_relaxed))
		sva_idle_kick_slow(idle);
}

#endif
