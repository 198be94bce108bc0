/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared CUnit scaffolding for svadk test programs.
 *
 * Each test program registers its suites in a function passed to
 * sva_test_main(), which runs them and exits 0 (all passed), 1 (a failure)
 * or 77 (skipped: set by sva_test_skip()). SVADK_TEST_FILTER=name runs only
 * the tests whose name contains "name". */
#ifndef SVA_TEST_H
#define SVA_TEST_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compare two integer values; on a mismatch print both, with the
 * expressions, before failing the CUnit assertion. */
#define EXPECT_EQ(a, b)                                                                         \
	do {                                                                                    \
		long long a_ = (long long)(a), b_ = (long long)(b);                             \
		if (a_ != b_)                                                                   \
			fprintf(stderr, "%s:%d: %s = %lld (0x%llx), expected %s = %lld\n",      \
				__FILE__, __LINE__, #a, a_, (unsigned long long)a_, #b, b_);    \
		CU_ASSERT(a_ == b_);                                                            \
	} while (0)

struct sva_test_case {
	const char *name;
	void (*fn)(void);
};

/* Register a suite made of @cases (NULL-terminated by name). */
static inline int sva_test_add_suite(const char *suite, const struct sva_test_case *cases,
				     CU_InitializeFunc init, CU_CleanupFunc fini)
{
	const char *filter = getenv("SVADK_TEST_FILTER");
	CU_pSuite s = CU_add_suite(suite, init, fini);
	if (!s)
		return -1;
	for (const struct sva_test_case *c = cases; c->name; c++)
		if (!filter || strstr(c->name, filter) || strstr(suite, filter))
			if (!CU_add_test(s, c->name, c->fn))
				return -1;
	return 0;
}

static int sva_test_skipped;

/* Mark the whole program as skipped (exit 77) with a reason. */
static inline void sva_test_skip(const char *why)
{
	fprintf(stderr, "SKIP: %s\n", why);
	sva_test_skipped = 1;
}

static inline int sva_test_main(int (*register_suites)(void))
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (register_suites() != 0) {
		fprintf(stderr, "cannot register suites: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	if (sva_test_skipped) {
		CU_cleanup_registry();
		return 77;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned int failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned int run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (sva_test_skipped && failed == 0)
		return 77;
	if (run == 0) {
		fprintf(stderr, "no test ran (filter?)\n");
		return 1;
	}
	return failed ? 1 : 0;
}

#endif
