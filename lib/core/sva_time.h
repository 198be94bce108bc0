/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Cheap clocks: the TSC for intervals on fast paths (no syscall, no vDSO
 * call), CLOCK_MONOTONIC nanoseconds for everything else.
 */
#ifndef SVA_TIME_H
#define SVA_TIME_H

#include <stdint.h>
#include <time.h>

/** Time-stamp counter (x86 RDTSC; monotonic nanoseconds elsewhere). */
static inline uint64_t sva_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#endif
}

/** Monotonic time in nanoseconds. */
static inline uint64_t sva_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/**
 * TSC ticks per second. Measured once (about 10 ms, on first use) and then
 * cached; call it outside timed regions.
 */
uint64_t sva_tsc_hz(void);

/** Convert TSC ticks to nanoseconds. */
double sva_tsc_to_ns(uint64_t ticks);

/** Convert nanoseconds to TSC ticks. */
uint64_t sva_ns_to_tsc(uint64_t ns);

#endif
