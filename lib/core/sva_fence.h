/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Asymmetric store-load fences for producer/sleeper hand-offs.
 *
 * A producer that publishes work and then checks whether the consumer went
 * to sleep needs its store ordered before its load: on x86 that takes MFENCE
 * or a locked instruction, which waits for every store still in flight (on
 * a DMA doorbell: every descriptor of the burst). The consumer goes to sleep
 * rarely, so the cost is moved there: with the kernel's membarrier()
 * (MEMBARRIER_CMD_PRIVATE_EXPEDITED) the sleeping side makes every running
 * thread of the process execute a full barrier, and the producer's side
 * needs only a compiler barrier.
 *
 * Pairing: the producer calls sva_fence_light() between publishing and its
 * check; the sleeper calls sva_fence_heavy() between announcing sleep and
 * its re-check. Both take the same @ref sva_fence_mode, from
 * sva_fence_mode_init(); where membarrier() is missing (kernels before 4.14,
 * seccomp filters) the mode is SVA_FENCE_SYMMETRIC and both sides use a full
 * fence.
 */
#ifndef SVA_FENCE_H
#define SVA_FENCE_H

#include <stdatomic.h>

/** How a producer/sleeper pair orders its hand-off. */
enum sva_fence_mode {
	SVA_FENCE_SYMMETRIC = 0, /**< a full fence on both sides */
	SVA_FENCE_ASYMMETRIC,    /**< compiler barrier / membarrier() */
};

/**
 * Register the process for expedited private membarrier() (idempotent).
 * @return SVA_FENCE_ASYMMETRIC when the kernel supports it, else
 * SVA_FENCE_SYMMETRIC. SVADK_FENCE=symmetric in the environment forces the
 * latter (for comparisons).
 */
enum sva_fence_mode sva_fence_mode_init(void);

/** The sleeper's side: a process-wide barrier in asymmetric mode. */
void sva_fence_heavy(enum sva_fence_mode mode);

/** The producer's side: free in asymmetric mode, a full fence otherwise. */
static inline void sva_fence_light(enum sva_fence_mode mode)
{
	if (mode == SVA_FENCE_ASYMMETRIC)
		atomic_signal_fence(memory_order_seq_cst);
	else
		atomic_thread_fence(memory_order_seq_cst);
}

#endif
