/* SPDX-License-Identifier: BSD-3-Clause */
/* Asymmetric fences through membarrier(2). */
#include <linux/membarrier.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sva_fence.h"

static long membarrier(int cmd, unsigned int flags)
{
	return syscall(__NR_membarrier, cmd, flags, 0);
}

enum sva_fence_mode sva_fence_mode_init(void)
{
	const char *force = getenv("SVADK_FENCE");
	if (force && !strcmp(force, "symmetric"))
		return SVA_FENCE_SYMMETRIC;
	long cmds = membarrier(MEMBARRIER_CMD_QUERY, 0);
	if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		return SVA_FENCE_SYMMETRIC;
	if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) < 0)
		return SVA_FENCE_SYMMETRIC;
	return SVA_FENCE_ASYMMETRIC;
}

void sva_fence_heavy(enum sva_fence_mode mode)
{
	/* The call is a full barrier for the caller too. It fails only when the
	 * process was not registered, which the mode rules out; should it fail
	 * anyway, a fence of our own is the best left (a sleeper's bounded
	 * timeout then covers a wake-up missed). */
	if (mode == SVA_FENCE_ASYMMETRIC && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == 0)
		return;
	atomic_thread_fence(memory_order_seq_cst);
}
