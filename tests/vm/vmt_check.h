/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The checks of the tests/vm programs (vm_iommufd, vm_vfio): one TAP-style
 * line per check ("ok N - what" / "not ok N - what"), and at the end
 * "N passed, N failed" with the exit status. Header-only, no CUnit (the
 * guest has only what run-vm.sh copies into it) and apart from
 * vmt_selftest.h, which is compiled against the kernel's headers.
 */
#ifndef VMT_CHECK_H
#define VMT_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int vmt_passed, vmt_failed;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;
	printf("%s %d - ", ok ? "ok" : "not ok", vmt_passed + vmt_failed + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		vmt_passed++;
	else
		vmt_failed++;
}

/* Print "N passed, N failed"; @return the exit status: 1 when a check failed, else 0. */
static inline int check_done(void)
{
	printf("%d passed, %d failed\n", vmt_passed, vmt_failed);
	return vmt_failed ? 1 : 0;
}

#endif
