/* SPDX-License-Identifier: BSD-3-Clause */
/* Resolving one fault in an address space.
 *
 * Process address space: MADV_POPULATE_{READ,WRITE} runs the same
 * handle_mm_fault() path the kernel's own SVA fault handler runs, so a page
 * that the CPU could fault in is made present with the right permission, and
 * one the CPU could not (unmapped: ENOMEM; no permission: EFAULT/EINVAL) is
 * reported as INVALID. Fault-ahead extends the call over the following pages;
 * if the longer range fails (it may cross the end of the mapping), the
 * faulting page alone decides. */
#include <errno.h>
#include <sys/mman.h>

#include "sva_as.h"
#include "iopf_priv.h"
#include "sva_iopf.h"

int iopf_populate(uint64_t start, uint64_t len, uint32_t perm)
{
	int adv = perm & SVA_PERM_WRITE ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
	for (;;) {
		if (madvise((void *)(uintptr_t)start, len, adv) == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

enum sva_iopf_code sva_iopf_resolve(struct sva_as *as, uint64_t addr, uint32_t perm,
				    unsigned int ahead, unsigned int *ahead_done)
{
	if (ahead_done)
		*ahead_done = 0;
	if (!as || (perm & ~(uint32_t)(SVA_PERM_READ | SVA_PERM_WRITE)))
		return SVA_IOPF_INVALID;
	if (perm == 0)
		perm = SVA_PERM_READ;
	uint64_t page = SVA_ALIGN_DOWN(addr, (uint64_t)SVA_PAGE_SIZE);
	if (sva_as_type(as) == SVA_AS_MANAGED)
		return sva_as_resolve_managed(as, addr, perm) == 0 ? SVA_IOPF_SUCCESS
								   : SVA_IOPF_INVALID;
	if (page == 0)
		return SVA_IOPF_INVALID;
	if (ahead) {
		uint64_t len = ((uint64_t)ahead + 1) << SVA_PAGE_SHIFT;
		if (page + len > page && iopf_populate(page, len, perm) == 0) {
			if (ahead_done)
				*ahead_done = ahead;
			return SVA_IOPF_SUCCESS;
		}
	}
	return iopf_populate(page, SVA_PAGE_SIZE, perm) == 0 ? SVA_IOPF_SUCCESS : SVA_IOPF_INVALID;
}
