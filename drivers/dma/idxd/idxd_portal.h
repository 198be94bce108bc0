/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The two portal-write instructions of DSA/IAA work queues, as raw opcodes
 * (assemblers older than binutils 2.31 do not know their mnemonics):
 *
 * - MOVDIR64B r64, m512 (66 0F 38 F8 /r): a 64-byte direct store, for
 *   dedicated work queues. The device always accepts it (the queue has room
 *   by construction: the caller never has more descriptors in flight than
 *   the queue size).
 * - ENQCMD r64, m512 (F2 0F 38 F8 /r): a non-posted enqueue for shared work
 *   queues; ZF set means the device did not accept the descriptor (queue
 *   full, or busy): retry later. The CPU fills in the PASID from the
 *   IA32_PASID MSR, which the kernel sets up for a process that opened a
 *   work queue.
 *
 * Both take the portal address in RAX and the descriptor address in RDX
 * (ModRM 0x02). Check the CPU with sva_cpu_has() before using either.
 */
#ifndef IDXD_PORTAL_H
#define IDXD_PORTAL_H

#include <stdbool.h>

#if defined(__x86_64__)
/** Write one descriptor with MOVDIR64B. */
static inline void idxd_movdir64b(volatile void *portal, const void *desc)
{
	/* Descriptor and completion-record stores must be visible first. */
	__asm__ __volatile__("sfence" ::: "memory");
	__asm__ __volatile__(".byte 0x66, 0x0f, 0x38, 0xf8, 0x02"
			     :
			     : "a"(portal), "d"(desc)
			     : "memory");
}

/** Enqueue one descriptor with ENQCMD. @return true if the device accepted it. */
static inline bool idxd_enqcmd(volatile void *portal, const void *desc)
{
	unsigned char retry;
	__asm__ __volatile__("sfence" ::: "memory");
	__asm__ __volatile__(".byte 0xf2, 0x0f, 0x38, 0xf8, 0x02\n\t"
			     "setz %0"
			     : "=r"(retry)
			     : "a"(portal), "d"(desc)
			     : "memory", "cc");
	return !retry;
}
#define IDXD_HAVE_PORTAL_INSNS 1
#else
#define IDXD_HAVE_PORTAL_INSNS 0
static inline void idxd_movdir64b(volatile void *portal, const void *desc)
{
	(void)portal, (void)desc;
}
static inline bool idxd_enqcmd(volatile void *portal, const void *desc)
{
	(void)portal, (void)desc;
	return false;
}
#endif

#endif
