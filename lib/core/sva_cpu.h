/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * CPU and NUMA helpers: CPU features, thread pinning, node-local memory.
 */
#ifndef SVA_CPU_H
#define SVA_CPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/** Spin-wait hint (PAUSE on x86). */
static inline void sva_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/** CPU features the library cares about. */
enum sva_cpu_feature {
	SVA_CPU_SSE42,     /**< CRC32 instruction (CRC32C) */
	SVA_CPU_PCLMUL,    /**< carry-less multiply */
	SVA_CPU_MOVDIR64B, /**< 64-byte direct store: dedicated work-queue portals */
	SVA_CPU_ENQCMD,    /**< enqueue command: shared work-queue portals */
	SVA_CPU_AVX2,
	SVA_CPU_AVX512F,
};

/** Whether the running CPU has @p f. */
bool sva_cpu_has(enum sva_cpu_feature f);

/** Name of a feature ("movdir64b"). */
const char *sva_cpu_feature_name(enum sva_cpu_feature f);

/** Number of CPUs this process may run on. */
int sva_cpu_count(void);

/**
 * Pin @p thread to CPU @p cpu.
 * @return 0, -EINVAL (no such CPU, or not in the allowed set) or -errno.
 */
int sva_thread_pin(pthread_t thread, int cpu);

/**
 * Create a thread running @p fn(@p arg), already pinned to CPU @p cpu (not
 * pinned when @p cpu < 0): it never runs a single instruction elsewhere. The
 * kernel checks @p cpu against what the process may use (its cpuset), not
 * against the calling thread's own affinity.
 * @return 0 (@p thread set), -EINVAL (no such CPU, or not in the allowed set)
 *         or -errno from pthread_create().
 */
int sva_thread_create_pinned(pthread_t *thread, int cpu, void *(*fn)(void *), void *arg);

/** CPU the calling thread runs on now (a hint), or -1. */
int sva_cpu_current(void);

/** NUMA node of @p cpu (0 when NUMA is unavailable), or -EINVAL. */
int sva_cpu_numa_node(int cpu);

/** Number of configured NUMA nodes (1 when NUMA is unavailable). */
int sva_numa_node_count(void);

/**
 * Allocate @p size bytes of page-aligned, zeroed and prefaulted memory on NUMA
 * node @p node (any node when @p node < 0, or when NUMA is unavailable).
 * @return the memory, or NULL (errno set).
 */
void *sva_mem_alloc(size_t size, int node);

/** Free memory from sva_mem_alloc(). */
void sva_mem_free(void *mem, size_t size);

/** Give a thread a name visible in top/gdb (truncated to 15 characters). */
void sva_thread_set_name(pthread_t thread, const char *name);

#endif
