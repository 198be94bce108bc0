/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of lib/as: process and managed address spaces, listeners,
 * references. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sva_as.h"
#include "sva_common.h"
#include "sva_log.h"
#include "sva_test.h"
#include "sva_test_util.h"

/* A reservation of @npages PROT_NONE pages: parts get other protections so
 * that neighbouring VMAs never merge into the ones a test looks at. */
static char *reserve(size_t npages)
{
	void *p = mmap(NULL, npages * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* ---- process address space ------------------------------------------------- */

static void test_process_perm(void)
{
	struct sva_as *as = sva_as_create_process(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(as);
	EXPECT_EQ(sva_as_type(as), SVA_AS_PROCESS);
	CU_ASSERT_STRING_EQUAL(sva_as_name(as), "process");
	EXPECT_EQ(sva_as_mapping_count(as), 0);

	/* [0] none | [1,3) RW | [3] RO | [4] none */
	char *r = reserve(5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_FATAL(mprotect(r + PG, 2 * PG, PROT_READ | PROT_WRITE) == 0);
	CU_ASSERT_FATAL(mprotect(r + 3 * PG, PG, PROT_READ) == 0);

	/* Mapped after the AS was created: found without an invalidation. */
	uint64_t end = 0;
	bool shared = true;
	EXPECT_EQ(sva_as_perm(as, u(r + PG), &end, &shared), SVA_PERM_READ | SVA_PERM_WRITE);
	EXPECT_EQ(end, u(r + 3 * PG));
	CU_ASSERT(!shared);
	EXPECT_EQ(sva_as_perm(as, u(r + 2 * PG + 123), NULL, NULL), SVA_PERM_READ | SVA_PERM_WRITE);
	EXPECT_EQ(sva_as_perm(as, u(r + 3 * PG), &end, NULL), SVA_PERM_READ);
	EXPECT_EQ(end, u(r + 4 * PG));
	EXPECT_EQ(sva_as_perm(as, u(r), &end, NULL), 0); /* PROT_NONE */
	EXPECT_EQ(end, u(r + PG));
	EXPECT_EQ(sva_as_perm(as, u(r + 4 * PG), NULL, NULL), 0);

	/* A shared mapping. */
	char *sh = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(sh != MAP_FAILED);
	EXPECT_EQ(sva_as_perm(as, u(sh), NULL, &shared), SVA_PERM_READ | SVA_PERM_WRITE);
	CU_ASSERT(shared);
	munmap(sh, PG);

	/* CPU-side changes, reported with sva_as_invalidate(). */
	CU_ASSERT_FATAL(mprotect(r + PG, PG, PROT_READ) == 0);
	EXPECT_EQ(sva_as_invalidate(as, r + PG, PG), 0);
	EXPECT_EQ(sva_as_perm(as, u(r + PG), &end, NULL), SVA_PERM_READ);
	EXPECT_EQ(end, u(r + 2 * PG));
	EXPECT_EQ(sva_as_perm(as, u(r + 2 * PG), NULL, NULL), SVA_PERM_READ | SVA_PERM_WRITE);

	/* Unmapped: nothing, and the end is where the next mapping starts. */
	munmap(r, 5 * PG);
	EXPECT_EQ(sva_as_invalidate(as, r, 5 * PG), 0);
	EXPECT_EQ(sva_as_perm(as, u(r + PG), &end, &shared), 0);
	CU_ASSERT(!shared);
	CU_ASSERT(end > u(r + PG));
	EXPECT_EQ(sva_as_perm(as, 0, NULL, NULL), 0);
	EXPECT_EQ(sva_as_perm(as, UINT64_MAX - 5, &end, NULL), 0);
	CU_ASSERT(end == UINT64_MAX);

	/* Heap, stack and code are where they should be. */
	int on_stack = 0;
	EXPECT_EQ(sva_as_perm(as, u(&on_stack), NULL, NULL), SVA_PERM_READ | SVA_PERM_WRITE);
	EXPECT_EQ(sva_as_perm(as, (uint64_t)(uintptr_t)test_process_perm, NULL, NULL) &
			  SVA_PERM_WRITE, 0);

	/* Managed-only operations are refused. */
	char *m = reserve(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	EXPECT_EQ(sva_as_map(as, m, PG, SVA_PERM_READ), -EINVAL);
	EXPECT_EQ(sva_as_unmap(as, m, PG), -EINVAL);
	uint64_t rb, wb;
	EXPECT_EQ(sva_as_managed_bits(as, u(m), 1, &rb, &wb), -EINVAL);
	EXPECT_EQ(sva_as_resolve_managed(as, u(m), SVA_PERM_READ), -EFAULT);
	munmap(m, PG);
	sva_as_put(as);

	struct sva_as *named = sva_as_create_process("mine");
	CU_ASSERT_PTR_NOT_NULL_FATAL(named);
	CU_ASSERT_STRING_EQUAL(sva_as_name(named), "mine");
	sva_as_put(named);
	sva_as_put(NULL);
}

/* ---- managed address space -------------------------------------------------- */

static void test_managed_map_unmap(void)
{
	struct sva_as *as = sva_as_create_managed(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(as);
	EXPECT_EQ(sva_as_type(as), SVA_AS_MANAGED);
	CU_ASSERT_STRING_EQUAL(sva_as_name(as), "managed");

	/* [0,8) RW, [8] RO, [9] none */
	char *r = reserve(10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_FATAL(mprotect(r, 8 * PG, PROT_READ | PROT_WRITE) == 0);
	CU_ASSERT_FATAL(mprotect(r + 8 * PG, PG, PROT_READ) == 0);

	/* Nothing is reachable before a map. */
	EXPECT_EQ(sva_as_perm(as, u(r), NULL, NULL), 0);
	EXPECT_EQ(sva_as_unmap(as, r, PG), -ENOENT);

	EXPECT_EQ(sva_as_map(as, r + 2 * PG, 2 * PG, SVA_PERM_READ | SVA_PERM_WRITE), 0);
	EXPECT_EQ(sva_as_mapping_count(as), 1);
	/* A map makes the pages present now, like an IOAS map pins them. */
	unsigned char vec[4];
	CU_ASSERT(mincore(r + 2 * PG, 2 * PG, vec) == 0);
	CU_ASSERT((vec[0] & 1) && (vec[1] & 1));

	uint64_t end = 0;
	EXPECT_EQ(sva_as_perm(as, u(r + 3 * PG + 5), &end, NULL), SVA_PERM_READ | SVA_PERM_WRITE);
	EXPECT_EQ(end, u(r + 4 * PG));
	EXPECT_EQ(sva_as_perm(as, u(r + PG), &end, NULL), 0);
	EXPECT_EQ(end, u(r + 2 * PG)); /* unmapped up to the next mapping */
	EXPECT_EQ(sva_as_perm(as, u(r + 4 * PG), &end, NULL), 0);
	CU_ASSERT(end == UINT64_MAX);

	/* Overlaps: the same range, a prefix, a suffix, a superset. */
	EXPECT_EQ(sva_as_map(as, r + 2 * PG, 2 * PG, SVA_PERM_READ), -EEXIST);
	EXPECT_EQ(sva_as_map(as, r + PG, 2 * PG, SVA_PERM_READ), -EEXIST);
	EXPECT_EQ(sva_as_map(as, r + 3 * PG, 2 * PG, SVA_PERM_READ), -EEXIST);
	EXPECT_EQ(sva_as_map(as, r, 6 * PG, SVA_PERM_READ), -EEXIST);
	EXPECT_EQ(sva_as_mapping_count(as), 1);

	/* Bad arguments. */
	EXPECT_EQ(sva_as_map(as, r + 100, PG, SVA_PERM_READ), -EINVAL);
	EXPECT_EQ(sva_as_map(as, r + 5 * PG, PG + 1, SVA_PERM_READ), -EINVAL);
	EXPECT_EQ(sva_as_map(as, r + 5 * PG, 0, SVA_PERM_READ), -EINVAL);
	EXPECT_EQ(sva_as_map(as, r + 5 * PG, PG, 0), -EINVAL);
	EXPECT_EQ(sva_as_map(as, r + 5 * PG, PG, 4), -EINVAL);
	EXPECT_EQ(sva_as_map(as, (void *)(UINTPTR_MAX - PG + 1), 2 * PG, SVA_PERM_READ), -EINVAL);
	EXPECT_EQ(sva_as_unmap(as, r + 2 * PG + 1, PG), -EINVAL);
	EXPECT_EQ(sva_as_unmap(as, r + 2 * PG, 0), -EINVAL);

	/* The process must be able to make the access: a PROT_NONE page, a
	 * write mapping of a read-only page and an unmapped VA are refused. */
	EXPECT_EQ(sva_as_map(as, r + 9 * PG, PG, SVA_PERM_READ), -EFAULT);
	EXPECT_EQ(sva_as_map(as, r + 8 * PG, PG, SVA_PERM_READ | SVA_PERM_WRITE), -EFAULT);
	char *gone = reserve(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(gone);
	munmap(gone, PG);
	EXPECT_EQ(sva_as_map(as, gone, PG, SVA_PERM_READ), -EFAULT);
	EXPECT_EQ(sva_as_mapping_count(as), 1);
	/* ... but reading the read-only page is fine. */
	EXPECT_EQ(sva_as_map(as, r + 8 * PG, PG, SVA_PERM_READ), 0);
	EXPECT_EQ(sva_as_perm(as, u(r + 8 * PG), NULL, NULL), SVA_PERM_READ);

	/* Adjacent mappings do not merge and are not overlaps. */
	EXPECT_EQ(sva_as_map(as, r + 4 * PG, PG, SVA_PERM_WRITE), 0);
	EXPECT_EQ(sva_as_map(as, r + PG, PG, SVA_PERM_READ), 0);
	EXPECT_EQ(sva_as_mapping_count(as), 4);

	/* managed_bits: pages 0..9 from r. */
	uint64_t rb = 0, wb = 0;
	EXPECT_EQ(sva_as_managed_bits(as, u(r), 10, &rb, &wb), 0);
	EXPECT_EQ(rb, 0x10e);  /* 1, 2, 3, 8 */
	EXPECT_EQ(wb, 0x01c);  /* 2, 3, 4 */
	EXPECT_EQ(sva_as_managed_bits(as, u(r + 3 * PG + 17), 2, &rb, &wb), 0); /* unaligned start */
	EXPECT_EQ(rb, 0x1);
	EXPECT_EQ(wb, 0x3);
	EXPECT_EQ(sva_as_managed_bits(as, u(r), 0, &rb, &wb), -EINVAL);
	EXPECT_EQ(sva_as_managed_bits(as, u(r), 65, &rb, &wb), -EINVAL);
	/* 64 pages, one mapping covering all of them. */
	char *big = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(big != MAP_FAILED);
	EXPECT_EQ(sva_as_map(as, big, 64 * PG, SVA_PERM_READ | SVA_PERM_WRITE), 0);
	EXPECT_EQ(sva_as_managed_bits(as, u(big), 64, &rb, &wb), 0);
	CU_ASSERT(rb == ~0ull && wb == ~0ull);
	EXPECT_EQ(sva_as_unmap(as, big, 64 * PG), 0);
	munmap(big, 64 * PG);

	/* Unmap: never splits; covers whole mappings, possibly several. */
	EXPECT_EQ(sva_as_unmap(as, r + 2 * PG, PG), -EINVAL);
	EXPECT_EQ(sva_as_unmap(as, r + 3 * PG, 2 * PG), -EINVAL); /* half of [2,4) */
	EXPECT_EQ(sva_as_mapping_count(as), 4);
	EXPECT_EQ(sva_as_unmap(as, r + 6 * PG, PG), -ENOENT);
	EXPECT_EQ(sva_as_unmap(as, r + PG, 4 * PG), 0); /* [1], [2,4), [4] */
	EXPECT_EQ(sva_as_mapping_count(as), 1);
	EXPECT_EQ(sva_as_perm(as, u(r + 2 * PG), NULL, NULL), 0);
	/* A range larger than the mapping (holes around it) is fine. */
	EXPECT_EQ(sva_as_unmap(as, r + 6 * PG, 3 * PG), 0);
	EXPECT_EQ(sva_as_mapping_count(as), 0);
	/* The range can be mapped again. */
	EXPECT_EQ(sva_as_map(as, r + 2 * PG, 4 * PG, SVA_PERM_READ), 0);
	EXPECT_EQ(sva_as_perm(as, u(r + 5 * PG), NULL, NULL), SVA_PERM_READ);
	/* Without a resolve callback every fault is rejected. */
	EXPECT_EQ(sva_as_resolve_managed(as, u(r), SVA_PERM_READ), -EFAULT);

	sva_as_put(as);
	munmap(r, 10 * PG);
}

struct resolve_log {
	int calls;
	uint64_t addr;
	uint32_t perm;
	struct sva_as *as;
	int rc;
};

static int resolver(struct sva_as *as, uint64_t addr, uint32_t perm, void *arg)
{
	struct resolve_log *l = arg;
	l->calls++;
	l->addr = addr;
	l->perm = perm;
	l->as = as;
	if (l->rc)
		return l->rc;
	return sva_as_map(as, (void *)(uintptr_t)SVA_ALIGN_DOWN(addr, (uint64_t)PG), PG, perm);
}

static void test_managed_resolve(void)
{
	struct resolve_log log = {0};
	struct sva_as_conf conf = {.name = "ioas", .resolve = resolver, .resolve_arg = &log};
	struct sva_as *as = sva_as_create_managed(&conf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(as);
	CU_ASSERT_STRING_EQUAL(sva_as_name(as), "ioas");
	char *r = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(r != MAP_FAILED);

	EXPECT_EQ(sva_as_resolve_managed(as, u(r + PG + 8), SVA_PERM_WRITE), 0);
	EXPECT_EQ(log.calls, 1);
	EXPECT_EQ(log.addr, u(r + PG + 8));
	EXPECT_EQ(log.perm, SVA_PERM_WRITE);
	CU_ASSERT(log.as == as);
	EXPECT_EQ(sva_as_perm(as, u(r + PG), NULL, NULL), SVA_PERM_WRITE);
	EXPECT_EQ(sva_as_mapping_count(as), 1);

	log.rc = -EPERM; /* the callback's error comes back as it is */
	EXPECT_EQ(sva_as_resolve_managed(as, u(r), SVA_PERM_READ), -EPERM);
	EXPECT_EQ(log.calls, 2);
	EXPECT_EQ(sva_as_perm(as, u(r), NULL, NULL), 0);

	sva_as_put(as);
	munmap(r, 2 * PG);
}

/* ---- listeners and references ----------------------------------------------- */

struct inval_log {
	struct sva_as_listener l;
	int calls;
	struct sva_as *as;
	uint64_t start, end;
};

static void on_invalidate(struct sva_as_listener *l, struct sva_as *as, uint64_t start, uint64_t end)
{
	struct inval_log *il = sva_container_of(l, struct inval_log, l);
	il->calls++;
	il->as = as;
	il->start = start;
	il->end = end;
}

static void test_listeners(void)
{
	struct sva_as *as = sva_as_create_process(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(as);
	struct inval_log a = {.l.invalidate = on_invalidate}, b = {.l.invalidate = on_invalidate};
	EXPECT_EQ(sva_as_add_listener(as, &a.l), 0);
	EXPECT_EQ(sva_as_add_listener(as, &a.l), -EEXIST);
	EXPECT_EQ(sva_as_add_listener(as, &b.l), 0);

	/* Ranges are widened to whole pages. */
	EXPECT_EQ(sva_as_invalidate(as, (void *)(uintptr_t)0x10000123, 0x1000), 0);
	EXPECT_EQ(a.calls, 1);
	EXPECT_EQ(b.calls, 1);
	CU_ASSERT(a.as == as);
	EXPECT_EQ(a.start, 0x10000000);
	EXPECT_EQ(a.end, 0x10002000);
	EXPECT_EQ(b.start, 0x10000000);
	EXPECT_EQ(b.end, 0x10002000);
	/* Bad ranges notify nobody. */
	EXPECT_EQ(sva_as_invalidate(as, (void *)(uintptr_t)0x1000, 0), -EINVAL);
	EXPECT_EQ(sva_as_invalidate(as, (void *)(uintptr_t)(UINTPTR_MAX - 10), 100), -EINVAL);
	EXPECT_EQ(a.calls, 1);

	EXPECT_EQ(sva_as_del_listener(as, &a.l), 0);
	EXPECT_EQ(sva_as_del_listener(as, &a.l), -ENOENT);
	EXPECT_EQ(sva_as_invalidate(as, (void *)(uintptr_t)0x20000000, 1), 0);
	EXPECT_EQ(a.calls, 1); /* removed: not called any more */
	EXPECT_EQ(b.calls, 2);
	EXPECT_EQ(b.start, 0x20000000);
	EXPECT_EQ(b.end, 0x20001000);
	EXPECT_EQ(sva_as_del_listener(as, &b.l), 0);
	sva_as_put(as);

	/* Managed: unmap notifies the unmapped range; map does not. */
	struct sva_as *m = sva_as_create_managed(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	struct inval_log c = {.l.invalidate = on_invalidate};
	EXPECT_EQ(sva_as_add_listener(m, &c.l), 0);
	char *r = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(r != MAP_FAILED);
	EXPECT_EQ(sva_as_map(m, r, 4 * PG, SVA_PERM_READ), 0);
	EXPECT_EQ(c.calls, 0);
	EXPECT_EQ(sva_as_unmap(m, r, 2 * PG), -EINVAL);
	EXPECT_EQ(c.calls, 0);
	EXPECT_EQ(sva_as_unmap(m, r, 4 * PG), 0);
	EXPECT_EQ(c.calls, 1);
	CU_ASSERT(c.as == m);
	EXPECT_EQ(c.start, u(r));
	EXPECT_EQ(c.end, u(r + 4 * PG));
	EXPECT_EQ(sva_as_invalidate(m, r, PG), 0); /* explicit invalidation works too */
	EXPECT_EQ(c.calls, 2);
	EXPECT_EQ(sva_as_del_listener(m, &c.l), 0);
	sva_as_put(m);
	munmap(r, 4 * PG);
}

static void test_refcount(void)
{
	/* The address space is freed by the last put and not before: a listener
	 * left registered makes the free visible as a warning. */
	char buf[512] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	sva_log_set_stream(f);
	struct sva_as *as = sva_as_create_managed(&(struct sva_as_conf){.name = "rc"});
	CU_ASSERT_PTR_NOT_NULL_FATAL(as);
	struct inval_log l = {.l.invalidate = on_invalidate};
	EXPECT_EQ(sva_as_add_listener(as, &l.l), 0);
	sva_as_get(as);
	sva_as_get(as);
	sva_as_put(as);
	sva_as_put(as);
	fflush(f);
	EXPECT_EQ(strlen(buf), 0); /* still alive: one reference left */
	/* Still usable. */
	char *r = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(r != MAP_FAILED);
	EXPECT_EQ(sva_as_map(as, r, PG, SVA_PERM_READ), 0);
	EXPECT_EQ(sva_as_mapping_count(as), 1);
	sva_as_put(as); /* the last one */
	sva_log_set_stream(NULL);
	fclose(f);
	CU_ASSERT(strstr(buf, "rc: freed with listeners still registered") != NULL);
	munmap(r, PG);
}

static int register_suites(void)
{
	static const struct sva_test_case process[] = {
		{"perm", test_process_perm},
		{NULL, NULL},
	};
	static const struct sva_test_case managed[] = {
		{"map_unmap", test_managed_map_unmap},
		{"resolve_callback", test_managed_resolve},
		{NULL, NULL},
	};
	static const struct sva_test_case common[] = {
		{"listeners", test_listeners},
		{"refcount", test_refcount},
		{NULL, NULL},
	};
	if (sva_test_add_suite("as_process", process, NULL, NULL) ||
	    sva_test_add_suite("as_managed", managed, NULL, NULL) ||
	    sva_test_add_suite("as_common", common, NULL, NULL))
		return -1;
	return 0;
}

int main(void)
{
	return sva_test_main(register_suites);
}
