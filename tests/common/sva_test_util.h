/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the unit tests of the library (sva_test.h is the CUnit
 * scaffolding alone): pages, a bounded wait, log capture, thread state.
 * Include it after sva_test.h. */
#ifndef SVA_TEST_UTIL_H
#define SVA_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "sva_as.h"
#include "sva_common.h"
#include "sva_log.h"
#include "sva_test.h"
#include "sva_time.h"

#define PG ((uint64_t)SVA_PAGE_SIZE)
#define RW (SVA_PERM_READ | SVA_PERM_WRITE)

/* The bound of every wait in a test: liveness only (a lost answer, a thread
 * that never gets there), never a timing check. */
#define SVA_TEST_DEADLINE_NS (30ull * 1000000000ull)

/* Wait until @cond holds, running @step (sched_yield(), usleep(100), ...)
 * between checks. Evaluates to whether it held: after SVA_TEST_DEADLINE_NS
 * the wait fails the test (and says what it waited for) instead of hanging
 * until meson's timeout; the caller goes on, or cleans up, as it sees fit. */
#define SVA_TEST_WAIT(cond, step)                                                               \
	({                                                                                      \
		uint64_t wait_end_ = sva_now_ns() + SVA_TEST_DEADLINE_NS;                       \
		bool wait_ok_;                                                                  \
		while (!(wait_ok_ = (cond)) && sva_now_ns() < wait_end_)                        \
			step;                                                                   \
		if (!wait_ok_)                                                                  \
			fprintf(stderr, "%s:%d: timed out waiting for %s\n", __FILE__, __LINE__, \
				#cond);                                                         \
		CU_ASSERT(wait_ok_);                                                            \
		wait_ok_;                                                                       \
	})

static inline uint64_t u(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* @npages fresh anonymous pages (none present yet). */
static inline char *map_anon(size_t npages, int prot)
{
	void *p = mmap(NULL, npages * PG, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(p != MAP_FAILED);
	return p;
}

/* ---- log capture ---- */

static inline FILE **log_capture_stream(void)
{
	static FILE *f;
	return &f;
}

/* Capture what the library logs until log_end(). */
static inline void log_begin(void)
{
	FILE **f = log_capture_stream();
	*f = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(*f);
	sva_log_set_stream(*f);
}

/* Stop capturing; return what was logged (a static buffer, valid until the
 * next call). */
static inline const char *log_end(void)
{
	static char buf[8192];
	FILE **f = log_capture_stream();
	sva_log_set_stream(NULL);
	buf[0] = '\0';
	if (!*f)
		return buf;
	fflush(*f);
	rewind(*f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, *f);
	buf[n] = '\0';
	fclose(*f);
	*f = NULL;
	return buf;
}

/* ---- threads ---- */

/* Scheduler state of thread @tid of this process ('R', 'S', ...), or 0. */
static inline char task_state(int tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* after "pid (comm)" */
	return p && p[1] == ' ' ? p[2] : 0;
}

#endif
