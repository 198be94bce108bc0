/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Address spaces a PASID can be bound to.
 *
 * - **Process** (SVA): the device translates through this process's own page
 *   tables. Nothing is registered or pinned; a page that is not present raises
 *   an IO page fault, which the fault handler resolves through the CPU MMU.
 * - **Managed** (like an iommufd IOAS): only ranges mapped explicitly with
 *   sva_as_map() are reachable, with the permissions given there. IOVA equals
 *   the process virtual address. A fault on an unmapped address goes to the
 *   address space's resolve callback (which may map it), or is rejected.
 *
 * Address spaces are reference counted; every PASID bound to one holds a
 * reference. CPU-side changes to the process's mappings that a device may
 * have cached (munmap, MADV_DONTNEED, mprotect) must be reported with
 * sva_as_invalidate(): the software device models the device TLB and cannot
 * see the kernel's MMU notifiers.
 */
#ifndef SVA_AS_H
#define SVA_AS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sva_common.h"

/** Kinds of address space. */
enum sva_as_type {
	SVA_AS_PROCESS = 0, /**< this process's page tables (SVA) */
	SVA_AS_MANAGED = 1, /**< explicit map/unmap, like an iommufd IOAS */
};

struct sva_as;

/**
 * Resolve callback of a managed address space: called by the fault handler
 * for a fault at @p addr needing @p perm (SVA_PERM_*). Return 0 once the
 * address is mapped (typically by calling sva_as_map()), or a negative errno
 * to reject the fault (the operation completes with a page-fault status).
 */
typedef int (*sva_as_resolve_fn)(struct sva_as *as, uint64_t addr, uint32_t perm, void *arg);

/** Creation parameters of a managed address space. */
struct sva_as_conf {
	const char *name;          /**< for logs and dumps; may be NULL */
	sva_as_resolve_fn resolve; /**< fault callback; NULL rejects every fault */
	void *resolve_arg;         /**< passed to @ref resolve */
};

/**
 * Create an object for this process's address space.
 * @return the address space (one reference), or NULL (errno: ENOMEM).
 */
struct sva_as *sva_as_create_process(const char *name);

/**
 * Create an empty managed address space.
 * @return the address space (one reference), or NULL (errno: ENOMEM).
 */
struct sva_as *sva_as_create_managed(const struct sva_as_conf *conf);

/** Take a reference. */
void sva_as_get(struct sva_as *as);

/** Drop a reference; the last one frees the address space. */
void sva_as_put(struct sva_as *as);

/** Kind of @p as. */
enum sva_as_type sva_as_type(const struct sva_as *as);

/** Name given at creation ("process" / "managed" by default). */
const char *sva_as_name(const struct sva_as *as);

/**
 * Map [va, va + len) into a managed address space with @p perm
 * (SVA_PERM_READ and/or SVA_PERM_WRITE). Like an IOAS map, the pages are made
 * present now (read or write faulted in), so a mapping never faults later.
 * @return 0; -EINVAL (not managed, unaligned, empty, bad perm), -EEXIST
 *         (overlaps a mapping), -EFAULT (not mapped in the process with that
 *         permission), -ENOMEM.
 */
int sva_as_map(struct sva_as *as, void *va, size_t len, uint32_t perm);

/**
 * Unmap [va, va + len) from a managed address space. The range must cover
 * whole mappings (a mapping is never split). Devices stop reaching the range
 * before this returns (their translation caches are invalidated).
 * @return 0; -EINVAL (not managed, unaligned, would split a mapping),
 *         -ENOENT (nothing mapped there).
 */
int sva_as_unmap(struct sva_as *as, void *va, size_t len);

/**
 * Permission @p as grants at @p addr.
 * Managed: the mapping's permission (0 when unmapped). Process: the
 * permission of the process mapping (VMA) at @p addr (0 when unmapped).
 * @param as   the address space
 * @param addr address to look up (any byte address)
 * @param end  if not NULL, receives the end of the range with that answer
 *             (exclusive: the end of the mapping, or when unmapped the start
 *             of the next mapping, UINT64_MAX if none)
 * @param shared if not NULL, receives whether the process mapping is shared
 *             (MAP_SHARED) rather than private (process only; false otherwise)
 * @return the SVA_PERM_* bits.
 */
uint32_t sva_as_perm(struct sva_as *as, uint64_t addr, uint64_t *end, bool *shared);

/**
 * Permission bits of @p npages pages (npages <= 64) from @p page_va in a
 * managed address space: bit i of @p rbits / @p wbits = page i readable /
 * writable. Used by translation models on a cache miss.
 * @return 0, or -EINVAL (not managed, npages out of range).
 */
int sva_as_managed_bits(struct sva_as *as, uint64_t page_va, unsigned int npages,
			uint64_t *rbits, uint64_t *wbits);

/**
 * Report a CPU-side change of [va, va + len) (munmap, MADV_DONTNEED,
 * mprotect, mremap): every device translation cache entry for it, on every
 * PASID bound to @p as, is dropped before this returns.
 * @return 0, or -EINVAL (len 0 or range wraps).
 */
int sva_as_invalidate(struct sva_as *as, void *va, size_t len);

/** Number of mappings of a managed address space (0 for a process one). */
unsigned int sva_as_mapping_count(struct sva_as *as);

/**
 * Invalidation listener: translation models register one per address space
 * they cache translations of. The callback runs on the invalidating thread,
 * with the address space's listener lock held: it must not call back into
 * the address space.
 */
struct sva_as_listener {
	/**
	 * Drop every cached translation of [@p start, @p end) (page-aligned,
	 * end exclusive) in @p as. Called from sva_as_invalidate() and
	 * sva_as_unmap() before they return; @p l is the registered listener
	 * (embed it and use sva_container_of()).
	 */
	void (*invalidate)(struct sva_as_listener *l, struct sva_as *as, uint64_t start,
			   uint64_t end);
	struct sva_as_listener *next; /**< owned by the address space */
};

/** Register @p l. @return 0 or -EEXIST. */
int sva_as_add_listener(struct sva_as *as, struct sva_as_listener *l);

/** Unregister @p l. @return 0 or -ENOENT. */
int sva_as_del_listener(struct sva_as *as, struct sva_as_listener *l);

/**
 * Call the managed address space's resolve callback for a fault.
 * @return 0 when the fault is resolved; -EFAULT (no callback), or the
 *         callback's error.
 */
int sva_as_resolve_managed(struct sva_as *as, uint64_t addr, uint32_t perm);

#endif
