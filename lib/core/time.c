/* SPDX-License-Identifier: BSD-3-Clause */
/* TSC calibration. The frequency is a property of the machine, measured once
 * and cached; every thread gets the same value. */
#include <pthread.h>
#include <stdatomic.h>

#include "sva_time.h"

static _Atomic uint64_t tsc_hz_cached;
static pthread_once_t tsc_once = PTHREAD_ONCE_INIT;

static void tsc_calibrate(void)
{
	uint64_t best = 0;
	/* Three short windows; keep the median-ish (middle) to dodge preemption. */
	uint64_t hz[3];
	for (int i = 0; i < 3; i++) {
		uint64_t n0 = sva_now_ns(), t0 = sva_tsc(), n1, t1;
		do {
			n1 = sva_now_ns();
		} while (n1 - n0 < 3000000);
		t1 = sva_tsc();
		hz[i] = (uint64_t)((double)(t1 - t0) * 1e9 / (double)(n1 - n0));
	}
	for (int i = 0; i < 3; i++) {
		int lower = 0, higher = 0;
		for (int j = 0; j < 3; j++) {
			lower += hz[j] < hz[i];
			higher += hz[j] > hz[i];
		}
		if (lower <= 1 && higher <= 1)
			best = hz[i];
	}
	atomic_store(&tsc_hz_cached, best ? best : hz[0]);
}

uint64_t sva_tsc_hz(void)
{
	pthread_once(&tsc_once, tsc_calibrate);
	return atomic_load_explicit(&tsc_hz_cached, memory_order_relaxed);
}

double sva_tsc_to_ns(uint64_t ticks)
{
	return (double)ticks * 1e9 / (double)sva_tsc_hz();
}

uint64_t sva_ns_to_tsc(uint64_t ns)
{
	return (uint64_t)((double)ns * (double)sva_tsc_hz() / 1e9);
}
