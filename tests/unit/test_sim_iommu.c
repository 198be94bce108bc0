/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of drivers/sim/iommu: PASID table, binding, translation through
 * the device TLB model, invalidation, the page-request queue, guarded access
 * and fault injection. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim_iommu.h"
#include "sva_as.h"
#include "sva_common.h"
#include "sva_iopf.h"
#include "sva_iopf_swq.h"
#include "sva_log.h"
#include "sva_test.h"
#include "sva_test_util.h"
#include "sva_time.h"

static uint64_t walks(struct sim_iommu *mmu)
{
	struct sim_iommu_stats st;
	sim_iommu_stats_get(mmu, &st);
	return st.walks;
}

/* One translation, returning the result and the accessible prefix. */
static enum sim_xlate xl(struct sim_atc *atc, uint32_t pasid, const void *va, uint64_t len,
			 uint32_t perm, uint64_t *ok_len)
{
	uint64_t dummy;
	return sim_atc_translate(atc, pasid, u(va), len, perm, ok_len ? ok_len : &dummy);
}

/* Poll the handler until @ticket is answered (the handler runs in this
 * thread: nothing can be left pending once the queue is empty). */
static int answer_of(struct sim_iommu *mmu, struct sva_iopf *pf, uint64_t ticket)
{
	for (int i = 0; i < 100; i++) {
		int st = sim_iommu_page_response(mmu, ticket, sva_now_ns());
		if (st != SVA_IOPF_SWQ_PENDING)
			return st;
		sva_iopf_poll(pf, 64);
	}
	return SVA_IOPF_SWQ_PENDING;
}

/* ---- PASIDs ----------------------------------------------------------------- */

static void test_pasid_alloc(void)
{
	errno = 0;
	CU_ASSERT_PTR_NULL(sim_iommu_create(&(struct sim_iommu_conf){.pasid_bits = 21}));
	EXPECT_EQ(errno, EINVAL);

	struct sim_iommu *mmu = sim_iommu_create(&(struct sim_iommu_conf){.name = "m4", .pasid_bits = 4});
	CU_ASSERT_PTR_NOT_NULL_FATAL(mmu);
	CU_ASSERT_STRING_EQUAL(sim_iommu_name(mmu), "m4");
	bool used[16] = {false};
	for (int i = 0; i < 15; i++) {
		uint32_t p = 0;
		EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p), 0);
		CU_ASSERT(p >= 1 && p <= 15); /* 0 is reserved */
		if (p < 16) {
			CU_ASSERT(!used[p]);
			used[p] = true;
		}
		CU_ASSERT(sim_iommu_pasid_allocated(mmu, p));
	}
	uint32_t p = 99;
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p), -ENOSPC);
	EXPECT_EQ(p, 99);
	struct sim_iommu_stats st;
	sim_iommu_stats_get(mmu, &st);
	EXPECT_EQ(st.pasids_in_use, 15);

	/* Free and reuse. */
	EXPECT_EQ(sim_iommu_pasid_free(mmu, 7), 0);
	CU_ASSERT(!sim_iommu_pasid_allocated(mmu, 7));
	EXPECT_EQ(sim_iommu_pasid_free(mmu, 7), -EINVAL);
	EXPECT_EQ(sim_iommu_pasid_free(mmu, 0), -EINVAL);
	EXPECT_EQ(sim_iommu_pasid_free(mmu, 16), -EINVAL);
	CU_ASSERT(!sim_iommu_pasid_allocated(mmu, 0));
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p), 0);
	EXPECT_EQ(p, 7);
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p), -ENOSPC);
	for (uint32_t i = 1; i <= 15; i++)
		EXPECT_EQ(sim_iommu_pasid_free(mmu, i), 0);
	sim_iommu_stats_get(mmu, &st);
	EXPECT_EQ(st.pasids_in_use, 0);
	sim_iommu_destroy(mmu);

	/* A one-bit space has exactly one PASID. */
	mmu = sim_iommu_create(&(struct sim_iommu_conf){.pasid_bits = 1});
	CU_ASSERT_PTR_NOT_NULL_FATAL(mmu);
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p), 0);
	EXPECT_EQ(p, 1);
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p), -ENOSPC);
	sim_iommu_destroy(mmu);

	/* The default width: 20 bits; the first PASIDs are small and non-zero. */
	mmu = sim_iommu_create(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mmu);
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p), 0);
	CU_ASSERT(p >= 1 && p < (1u << 20));
	CU_ASSERT(!sim_iommu_pasid_allocated(mmu, 1u << 20));
	EXPECT_EQ(sim_iommu_pasid_free(mmu, 1u << 20), -EINVAL);
	sim_iommu_destroy(mmu);
	sim_iommu_destroy(NULL);
}

static void test_pasid_deferred_reuse(void)
{
	struct sim_iommu *mmu = sim_iommu_create(&(struct sim_iommu_conf){.pasid_bits = 4});
	struct sva_as *as = sva_as_create_process(NULL);
	struct sva_iopf *pf = sva_iopf_create(NULL);
	CU_ASSERT_FATAL(mmu && as && pf);
	char *buf = map_anon(1, PROT_READ | PROT_WRITE);
	struct sva_iopf_page pg = {.addr = u(buf), .perm = SVA_PERM_WRITE};
	uint64_t tk;

	uint32_t p, q;
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p), 0);
	EXPECT_EQ(sim_iommu_page_request(mmu, p, &pg, 1, &tk), -ENODEV); /* no handler */
	EXPECT_EQ(sim_iommu_attach_iopf(mmu, pf), 0);
	CU_ASSERT(sim_iommu_has_iopf(mmu));
	EXPECT_EQ(sim_iommu_attach_iopf(mmu, pf), -EBUSY);
	for (int i = 0; i < 14; i++)
		EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &q), 0);
	EXPECT_EQ(sim_iommu_bind(mmu, p, as), 0);

	/* A page request on p is in flight when p is freed. */
	EXPECT_EQ(sim_iommu_page_request(mmu, p, &pg, 1, &tk), 0);
	EXPECT_EQ(sim_iommu_pasid_free(mmu, p), 0);
	CU_ASSERT(!sim_iommu_pasid_allocated(mmu, p));
	CU_ASSERT(sim_iommu_pasid_as(mmu, p) == NULL);
	EXPECT_EQ(sim_iommu_page_request(mmu, p, &pg, 1, &tk), -EINVAL); /* not allocated */
	EXPECT_EQ(sim_iommu_bind(mmu, p, as), -EINVAL);
	/* Not reusable yet: the device could still get an answer tagged p. */
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &q), -ENOSPC);
	struct sim_iommu_stats st;
	sim_iommu_stats_get(mmu, &st);
	EXPECT_EQ(st.pasids_in_use, 15);

	/* The handler answers (INVALID: p is no longer bound), then p is free. */
	EXPECT_EQ(answer_of(mmu, pf, tk), SVA_IOPF_INVALID);
	sim_iommu_stats_get(mmu, &st);
	EXPECT_EQ(st.pasids_in_use, 14);
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &q), 0);
	EXPECT_EQ(q, p);

	/* A freed PASID without requests in flight is reusable at once; an
	 * answered request does not hold it. */
	EXPECT_EQ(sim_iommu_bind(mmu, q, as), 0);
	EXPECT_EQ(sim_iommu_page_request(mmu, q, &pg, 1, &tk), 0);
	EXPECT_EQ(answer_of(mmu, pf, tk), SVA_IOPF_SUCCESS);
	EXPECT_EQ(sim_iommu_pasid_free(mmu, q), 0);
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &q), 0);
	EXPECT_EQ(q, p);
	/* A cancelled request holds the PASID until the handler answers it. */
	EXPECT_EQ(sim_iommu_bind(mmu, q, as), 0);
	EXPECT_EQ(sim_iommu_page_request(mmu, q, &pg, 1, &tk), 0);
	sim_iommu_page_cancel(mmu, tk);
	EXPECT_EQ(sim_iommu_pasid_free(mmu, q), 0);
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &q), -ENOSPC);
	EXPECT_EQ(sva_iopf_poll(pf, 64), 1);
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &q), 0);
	EXPECT_EQ(q, p);

	EXPECT_EQ(sim_iommu_detach_iopf(mmu), 0);
	CU_ASSERT(!sim_iommu_has_iopf(mmu));
	EXPECT_EQ(sim_iommu_detach_iopf(mmu), -ENOENT);
	sim_iommu_destroy(mmu);
	sva_iopf_destroy(pf);
	sva_as_put(as);
	munmap(buf, PG);
}

/* The handler destroyed before the IOMMU it serves: the IOMMU notices,
 * refuses page requests nobody would answer, and tears down cleanly. */
static void test_handler_destroyed_first(void)
{
	struct sim_iommu *mmu = sim_iommu_create(NULL);
	struct sva_as *as = sva_as_create_process(NULL);
	struct sva_iopf *pf = sva_iopf_create(NULL);
	CU_ASSERT_FATAL(mmu && as && pf);
	char *buf = map_anon(1, PROT_READ | PROT_WRITE);
	struct sva_iopf_page pg = {.addr = u(buf), .perm = SVA_PERM_WRITE};
	uint32_t p;
	uint64_t tk;
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p), 0);
	EXPECT_EQ(sim_iommu_bind(mmu, p, as), 0);
	EXPECT_EQ(sim_iommu_attach_iopf(mmu, pf), 0);
	EXPECT_EQ(sim_iommu_page_request(mmu, p, &pg, 1, &tk), 0);
	sva_iopf_destroy(pf); /* answers the queued request on its way out */
	EXPECT_EQ(sim_iommu_page_response(mmu, tk, 0), SVA_IOPF_SUCCESS);
	CU_ASSERT(!sim_iommu_has_iopf(mmu));
	EXPECT_EQ(sim_iommu_page_request(mmu, p, &pg, 1, &tk), -ENODEV);
	/* Another handler can be attached. */
	pf = sva_iopf_create(NULL);
	CU_ASSERT_FATAL(pf != NULL);
	EXPECT_EQ(sim_iommu_attach_iopf(mmu, pf), 0);
	EXPECT_EQ(sim_iommu_page_request(mmu, p, &pg, 1, &tk), 0);
	EXPECT_EQ(sva_iopf_poll(pf, 64), 1);
	EXPECT_EQ(sim_iommu_page_response(mmu, tk, 0), SVA_IOPF_SUCCESS);
	sva_iopf_destroy(pf);
	EXPECT_EQ(sim_iommu_detach_iopf(mmu), 0); /* only forgets it */
	EXPECT_EQ(sim_iommu_detach_iopf(mmu), -ENOENT);
	sim_iommu_destroy(mmu);
	sva_as_put(as);
	munmap(buf, PG);
}

/* ---- binding ----------------------------------------------------------------- */

static void test_bind_unbind(void)
{
	log_begin();

	struct sim_iommu *mmu = sim_iommu_create(NULL);
	struct sva_as *as = sva_as_create_process(NULL);
	struct sva_as *other = sva_as_create_managed(NULL);
	struct sim_atc *atc = mmu ? sim_atc_create(mmu, 0) : NULL;
	CU_ASSERT_FATAL(mmu && as && other && atc);
	char *buf = map_anon(2, PROT_READ | PROT_WRITE);
	memset(buf, 1, 2 * PG);

	uint32_t p1, p2, p3;
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p1), 0);
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p2), 0);
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p3), 0);
	EXPECT_EQ(sim_iommu_bind(mmu, 0, as), -EINVAL);
	EXPECT_EQ(sim_iommu_bind(mmu, 1000, as), -EINVAL); /* not allocated */
	EXPECT_EQ(sim_iommu_bind(mmu, p1, NULL), -EINVAL);
	EXPECT_EQ(sim_iommu_unbind(mmu, p1), -EINVAL);     /* not bound */
	CU_ASSERT(sim_iommu_pasid_as(mmu, p1) == NULL);

	/* An allocated, unbound PASID reaches nothing. */
	EXPECT_EQ(xl(atc, p1, buf, 8, SVA_PERM_READ, NULL), SIM_XLATE_INVALID);

	EXPECT_EQ(sim_iommu_bind(mmu, p1, as), 0);
	EXPECT_EQ(sim_iommu_bind(mmu, p1, as), -EBUSY);
	EXPECT_EQ(sim_iommu_bind(mmu, p1, other), -EBUSY);
	EXPECT_EQ(sim_iommu_bind(mmu, p2, as), 0); /* sharing one address space */
	EXPECT_EQ(sim_iommu_bind(mmu, p3, other), 0);
	struct sva_as *got = sim_iommu_pasid_as(mmu, p2);
	CU_ASSERT(got == as);
	sva_as_put(got);
	got = sim_iommu_pasid_as(mmu, p3);
	CU_ASSERT(got == other);
	sva_as_put(got);

	uint64_t ok = 0;
	EXPECT_EQ(xl(atc, p1, buf, 2 * PG, RW, &ok), SIM_XLATE_OK);
	EXPECT_EQ(ok, 2 * PG);
	EXPECT_EQ(xl(atc, p2, buf, 2 * PG, RW, NULL), SIM_XLATE_OK);
	EXPECT_EQ(xl(atc, p3, buf, PG, SVA_PERM_READ, NULL), SIM_XLATE_FAULT); /* nothing mapped */

	/* Unbinding p1 revokes p1 only, cached translations included. */
	EXPECT_EQ(sim_iommu_unbind(mmu, p1), 0);
	sim_atc_sync(atc);
	EXPECT_EQ(xl(atc, p1, buf, 8, SVA_PERM_READ, NULL), SIM_XLATE_INVALID);
	EXPECT_EQ(xl(atc, p2, buf, 2 * PG, RW, NULL), SIM_XLATE_OK);
	CU_ASSERT(sim_iommu_pasid_allocated(mmu, p1));
	CU_ASSERT(sim_iommu_pasid_as(mmu, p1) == NULL);
	/* p1 can be bound again, to another address space. */
	EXPECT_EQ(sim_iommu_bind(mmu, p1, other), 0);
	sim_atc_sync(atc);
	EXPECT_EQ(xl(atc, p1, buf, 8, SVA_PERM_READ, NULL), SIM_XLATE_FAULT);

	/* sva_as_invalidate reaches the ATC while any PASID is bound to the AS. */
	uint64_t w0 = walks(mmu);
	EXPECT_EQ(xl(atc, p2, buf, PG, SVA_PERM_READ, NULL), SIM_XLATE_OK);
	EXPECT_EQ(walks(mmu), w0); /* cached */
	EXPECT_EQ(sva_as_invalidate(as, buf, PG), 0);
	sim_atc_sync(atc);
	EXPECT_EQ(xl(atc, p2, buf, PG, SVA_PERM_READ, NULL), SIM_XLATE_OK);
	EXPECT_EQ(walks(mmu), w0 + 1); /* walked again */

	/* Free unbinds; the last PASID on an AS removes the IOMMU's listener
	 * (a listener left behind would show up as a warning when the AS is
	 * freed below). */
	EXPECT_EQ(sim_iommu_pasid_free(mmu, p2), 0);
	sim_atc_sync(atc);
	EXPECT_EQ(xl(atc, p2, buf, 8, SVA_PERM_READ, NULL), SIM_XLATE_INVALID);
	EXPECT_EQ(sva_as_invalidate(as, buf, PG), 0);
	EXPECT_EQ(sim_iommu_unbind(mmu, p3), 0);
	EXPECT_EQ(sim_iommu_unbind(mmu, p1), 0);
	sva_as_put(as);
	sva_as_put(other);
	sim_atc_free(atc);
	sim_iommu_destroy(mmu);
	munmap(buf, 2 * PG);
	const char *log = log_end();
	CU_ASSERT(strstr(log, "listeners") == NULL);
	if (log[0])
		fprintf(stderr, "log: %s", log);

	/* Destroy unbinds what is still bound and drops its references. */
	log_begin();
	mmu = sim_iommu_create(NULL);
	as = sva_as_create_process("still-bound");
	CU_ASSERT_FATAL(mmu && as);
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p1), 0);
	EXPECT_EQ(sim_iommu_bind(mmu, p1, as), 0);
	sim_iommu_destroy(mmu);
	sva_as_put(as); /* the last reference: no listener left on it */
	CU_ASSERT(strstr(log_end(), "listeners") == NULL);
}

/* ---- translation ----------------------------------------------------------- */

struct fixture {
	struct sim_iommu *mmu;
	struct sva_as *as;
	struct sim_atc *atc;
	struct sva_iopf *pf;
	uint32_t pasid;
};

static void fx_init(struct fixture *f, struct sva_as *as)
{
	memset(f, 0, sizeof(*f));
	f->mmu = sim_iommu_create(NULL);
	f->as = as;
	CU_ASSERT_FATAL(f->mmu && f->as);
	f->atc = sim_atc_create(f->mmu, 0);
	f->pf = sva_iopf_create(&(struct sva_iopf_conf){.fault_ahead = 0});
	CU_ASSERT_FATAL(f->atc && f->pf);
	CU_ASSERT_FATAL(sim_iommu_attach_iopf(f->mmu, f->pf) == 0);
	CU_ASSERT_FATAL(sim_iommu_pasid_alloc(f->mmu, &f->pasid) == 0);
	CU_ASSERT_FATAL(sim_iommu_bind(f->mmu, f->pasid, f->as) == 0);
}

static void fx_fini(struct fixture *f)
{
	sim_atc_free(f->atc);
	sim_iommu_destroy(f->mmu);
	sva_iopf_destroy(f->pf);
	sva_as_put(f->as);
}

/* Raise a one-page request and let the handler answer it. */
static int request(struct fixture *f, const void *va, uint32_t perm)
{
	struct sva_iopf_page pg = {.addr = u(va), .perm = perm};
	uint64_t tk;
	int rc = sim_iommu_page_request(f->mmu, f->pasid, &pg, 1, &tk);
	if (rc < 0)
		return rc;
	return answer_of(f->mmu, f->pf, tk);
}

static void test_xlate_process(void)
{
	struct fixture f;
	fx_init(&f, sva_as_create_process(NULL));
	uint64_t ok;

	/* Present (written by the CPU): read and write OK. */
	char *rw = map_anon(4, PROT_READ | PROT_WRITE);
	memset(rw, 0x5a, 2 * PG);
	EXPECT_EQ(xl(f.atc, f.pasid, rw, 2 * PG, RW, &ok), SIM_XLATE_OK);
	EXPECT_EQ(ok, 2 * PG);
	EXPECT_EQ(xl(f.atc, f.pasid, rw + 100, 10, SVA_PERM_READ, &ok), SIM_XLATE_OK);
	EXPECT_EQ(ok, 10);
	EXPECT_EQ(xl(f.atc, f.pasid, rw, 0, RW, &ok), SIM_XLATE_OK);
	/* Absent: the prefix up to the first missing page is accessible. */
	EXPECT_EQ(xl(f.atc, f.pasid, rw + 100, 3 * PG, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(ok, 2 * PG - 100);
	EXPECT_EQ(xl(f.atc, f.pasid, rw + 2 * PG, 8, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(ok, 0);
	/* The handler makes it present; the retry succeeds. */
	EXPECT_EQ(request(&f, rw + 2 * PG + 8, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	EXPECT_EQ(xl(f.atc, f.pasid, rw + 100, 3 * PG - 100, RW, &ok), SIM_XLATE_OK);
	EXPECT_EQ(ok, 3 * PG - 100);
	/* fault_ahead = 0 in this fixture: the next page is still absent. */
	EXPECT_EQ(xl(f.atc, f.pasid, rw + 3 * PG, 1, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);

	/* Fresh mapping, never touched. */
	char *fresh = map_anon(1, PROT_READ | PROT_WRITE);
	EXPECT_EQ(xl(f.atc, f.pasid, fresh, 1, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	/* After a CPU read, the shared zero page is mapped: readable, but a
	 * write needs a write fault first (copy-on-write). */
	EXPECT_EQ(*(volatile char *)fresh, 0);
	EXPECT_EQ(xl(f.atc, f.pasid, fresh, 1, SVA_PERM_READ, &ok), SIM_XLATE_OK);
	EXPECT_EQ(xl(f.atc, f.pasid, fresh, 1, SVA_PERM_WRITE, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(xl(f.atc, f.pasid, fresh, 1, SVA_PERM_WRITE, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(request(&f, fresh, SVA_PERM_WRITE), SVA_IOPF_SUCCESS);
	EXPECT_EQ(xl(f.atc, f.pasid, fresh, 1, SVA_PERM_WRITE, &ok), SIM_XLATE_OK);

	/* Read-only mapping with data: read OK, write FAULT, and the handler
	 * answers the write INVALID (the CPU could not write it either). */
	char *ro = map_anon(1, PROT_READ | PROT_WRITE);
	memset(ro, 7, PG);
	CU_ASSERT_FATAL(mprotect(ro, PG, PROT_READ) == 0);
	EXPECT_EQ(sva_as_invalidate(f.as, ro, PG), 0);
	sim_atc_sync(f.atc);
	EXPECT_EQ(xl(f.atc, f.pasid, ro, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK);
	EXPECT_EQ(xl(f.atc, f.pasid, ro, PG, SVA_PERM_WRITE, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(ok, 0);
	EXPECT_EQ(request(&f, ro, SVA_PERM_WRITE), SVA_IOPF_INVALID);
	EXPECT_EQ(request(&f, ro, SVA_PERM_READ), SVA_IOPF_SUCCESS);
	/* A PROT_READ mapping never touched: FAULT, a read request maps it. */
	char *ro2 = map_anon(1, PROT_READ);
	EXPECT_EQ(xl(f.atc, f.pasid, ro2, 8, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(request(&f, ro2, SVA_PERM_READ), SVA_IOPF_SUCCESS);
	EXPECT_EQ(xl(f.atc, f.pasid, ro2, 8, SVA_PERM_READ, &ok), SIM_XLATE_OK);
	EXPECT_EQ(xl(f.atc, f.pasid, ro2, 8, SVA_PERM_WRITE, &ok), SIM_XLATE_FAULT);
	/* PROT_NONE: FAULT, and INVALID for any access. */
	char *none = map_anon(1, PROT_NONE);
	EXPECT_EQ(xl(f.atc, f.pasid, none, 8, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(request(&f, none, SVA_PERM_READ), SVA_IOPF_INVALID);

	/* Unmapped: FAULT, and the handler answers INVALID. */
	char *gone = map_anon(1, PROT_READ | PROT_WRITE);
	munmap(gone, PG);
	EXPECT_EQ(sva_as_invalidate(f.as, gone, PG), 0);
	sim_atc_sync(f.atc);
	EXPECT_EQ(xl(f.atc, f.pasid, gone, 8, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(request(&f, gone, SVA_PERM_READ), SVA_IOPF_INVALID);
	EXPECT_EQ(request(&f, NULL, SVA_PERM_READ), SVA_IOPF_INVALID);
	/* A range that wraps is invalid; the end of the address space faults. */
	EXPECT_EQ(sim_atc_translate(f.atc, f.pasid, UINT64_MAX - 10, 100, SVA_PERM_READ, &ok),
		  SIM_XLATE_INVALID);
	EXPECT_EQ(sim_atc_translate(f.atc, f.pasid, 1ull << 62, 8, SVA_PERM_READ, &ok),
		  SIM_XLATE_FAULT);

	struct sim_iommu_stats st;
	sim_iommu_stats_get(f.mmu, &st);
	CU_ASSERT(st.walks > 0 && st.walk_pages >= st.walks);
	EXPECT_EQ(st.page_requests, 8);

	munmap(rw, 4 * PG);
	munmap(fresh, PG);
	munmap(ro, PG);
	munmap(ro2, PG);
	munmap(none, PG);
	fx_fini(&f);
}

/* Ranges across 64-page words and 2 MiB translation-cache chunks. */
static void test_xlate_large(void)
{
	struct fixture f;
	fx_init(&f, sva_as_create_process(NULL));
	size_t n = 2048; /* 8 MiB */
	char *big = map_anon(n, PROT_READ | PROT_WRITE);
	/* A 2 MiB boundary inside the region. */
	char *b = (char *)SVA_ALIGN_UP(u(big) + 200 * PG, 2ull << 20);
	char *lo = b - 100 * PG, *hi = b + 100 * PG;
	memset(lo, 1, (size_t)(hi - lo));
	uint64_t ok;
	EXPECT_EQ(xl(f.atc, f.pasid, lo, (uint64_t)(hi - lo), RW, &ok), SIM_XLATE_OK);
	EXPECT_EQ(ok, (uint64_t)(hi - lo));
	/* Again: served by the cache, no walk. */
	uint64_t w0 = walks(f.mmu);
	EXPECT_EQ(xl(f.atc, f.pasid, lo, (uint64_t)(hi - lo), RW, &ok), SIM_XLATE_OK);
	EXPECT_EQ(walks(f.mmu), w0);
	/* One page past the end, across the boundary. */
	EXPECT_EQ(xl(f.atc, f.pasid, lo + PG, (uint64_t)(hi - lo), SVA_PERM_READ, &ok),
		  SIM_XLATE_FAULT);
	EXPECT_EQ(ok, (uint64_t)(hi - lo) - PG);
	/* A hole in the middle, after the boundary. */
	CU_ASSERT(madvise(b + 70 * PG, PG, MADV_DONTNEED) == 0);
	EXPECT_EQ(sva_as_invalidate(f.as, b + 70 * PG, PG), 0);
	sim_atc_sync(f.atc);
	EXPECT_EQ(xl(f.atc, f.pasid, lo, (uint64_t)(hi - lo), SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(ok, 170 * PG);
	/* A tiny translation cache (one entry) still translates correctly. */
	struct sim_atc *one = sim_atc_create(f.mmu, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(one);
	EXPECT_EQ(xl(one, f.pasid, lo, 170 * PG, RW, &ok), SIM_XLATE_OK);
	EXPECT_EQ(xl(one, f.pasid, b + 71 * PG, 29 * PG, RW, &ok), SIM_XLATE_OK);
	EXPECT_EQ(xl(one, f.pasid, lo, 171 * PG, RW, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(ok, 170 * PG);
	sim_atc_free(one);
	munmap(big, n * PG);
	fx_fini(&f);
}

static void test_xlate_managed(void)
{
	struct fixture f;
	fx_init(&f, sva_as_create_managed(NULL));
	char *r = map_anon(8, PROT_READ | PROT_WRITE);
	/* [1,3) RW, [4] R; [3] and the rest unmapped in the IOAS. */
	EXPECT_EQ(sva_as_map(f.as, r + PG, 2 * PG, RW), 0);
	EXPECT_EQ(sva_as_map(f.as, r + 4 * PG, PG, SVA_PERM_READ), 0);
	uint64_t ok;
	EXPECT_EQ(xl(f.atc, f.pasid, r + PG, 2 * PG, RW, &ok), SIM_XLATE_OK);
	EXPECT_EQ(xl(f.atc, f.pasid, r + 4 * PG, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK);
	EXPECT_EQ(xl(f.atc, f.pasid, r + 4 * PG, PG, SVA_PERM_WRITE, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(xl(f.atc, f.pasid, r, PG, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	/* Present in the process but not mapped in the IOAS: still a fault. */
	memset(r + 3 * PG, 1, PG);
	EXPECT_EQ(xl(f.atc, f.pasid, r + PG + 8, 3 * PG, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(ok, 2 * PG - 8);
	/* No resolve callback: the handler rejects it. */
	EXPECT_EQ(request(&f, r + 3 * PG, SVA_PERM_READ), SVA_IOPF_INVALID);
	/* Unmap reaches the cache before sva_as_unmap() returns (after sync). */
	EXPECT_EQ(sva_as_unmap(f.as, r + PG, 2 * PG), 0);
	sim_atc_sync(f.atc);
	EXPECT_EQ(xl(f.atc, f.pasid, r + PG, PG, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(xl(f.atc, f.pasid, r + 4 * PG, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK);
	munmap(r, 8 * PG);
	fx_fini(&f);
}

/* ---- invalidation ------------------------------------------------------------ */

static void test_atc_invalidation(void)
{
	struct fixture f;
	fx_init(&f, sva_as_create_process(NULL));
	uint32_t p2;
	CU_ASSERT_FATAL(sim_iommu_pasid_alloc(f.mmu, &p2) == 0);
	struct sva_as *as2 = sva_as_create_process("second");
	CU_ASSERT_FATAL(as2 && sim_iommu_bind(f.mmu, p2, as2) == 0);
	char *r = map_anon(4, PROT_READ | PROT_WRITE);
	memset(r, 3, 4 * PG);
	uint64_t ok;
	EXPECT_EQ(xl(f.atc, f.pasid, r, 4 * PG, RW, &ok), SIM_XLATE_OK);
	EXPECT_EQ(xl(f.atc, p2, r, 4 * PG, RW, &ok), SIM_XLATE_OK);

	/* The CPU drops page 1. Like a real device TLB, the cache keeps the
	 * stale translation until it is invalidated. */
	CU_ASSERT(madvise(r + PG, PG, MADV_DONTNEED) == 0);
	uint64_t w0 = walks(f.mmu);
	EXPECT_EQ(xl(f.atc, f.pasid, r + PG, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK);
	EXPECT_EQ(walks(f.mmu), w0);
	/* Invalidate through the address space, then sync: FAULT. */
	EXPECT_EQ(sva_as_invalidate(f.as, r + PG, PG), 0);
	EXPECT_EQ(xl(f.atc, f.pasid, r + PG, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK); /* not synced */
	sim_atc_sync(f.atc);
	EXPECT_EQ(xl(f.atc, f.pasid, r + PG, PG, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	/* Only the invalidated page was dropped. */
	w0 = walks(f.mmu);
	EXPECT_EQ(xl(f.atc, f.pasid, r + 2 * PG, 2 * PG, RW, &ok), SIM_XLATE_OK);
	EXPECT_EQ(walks(f.mmu), w0);

	/* By PASID and range. */
	EXPECT_EQ(xl(f.atc, f.pasid, r + 3 * PG, PG, RW, &ok), SIM_XLATE_OK);
	CU_ASSERT(madvise(r + 3 * PG, PG, MADV_DONTNEED) == 0);
	sim_iommu_invalidate(f.mmu, f.pasid, u(r + 3 * PG), PG);
	sim_atc_sync(f.atc);
	EXPECT_EQ(xl(f.atc, f.pasid, r + 3 * PG, PG, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(xl(f.atc, p2, r + 3 * PG, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK); /* stale, p2 */
	/* By PASID, everything. */
	sim_iommu_invalidate(f.mmu, p2, 0, 0);
	sim_atc_sync(f.atc);
	EXPECT_EQ(xl(f.atc, p2, r + 3 * PG, PG, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	EXPECT_EQ(xl(f.atc, p2, r, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK);

	/* More invalidations than the log holds: the cache flushes itself (the
	 * stale translation of r goes although r itself was not invalidated). */
	memset(r, 4, 4 * PG);
	EXPECT_EQ(xl(f.atc, f.pasid, r, 4 * PG, RW, &ok), SIM_XLATE_OK);
	CU_ASSERT(madvise(r, 4 * PG, MADV_DONTNEED) == 0);
	sim_atc_sync(f.atc);
	EXPECT_EQ(xl(f.atc, f.pasid, r, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK); /* stale */
	for (int i = 0; i < 200; i++)
		sim_iommu_invalidate(f.mmu, p2, 0x100000000ull + (uint64_t)i * PG, PG);
	sim_atc_sync(f.atc);
	EXPECT_EQ(xl(f.atc, f.pasid, r, PG, SVA_PERM_READ, &ok), SIM_XLATE_FAULT);
	/* sim_atc_flush drops everything. */
	memset(r, 5, PG);
	EXPECT_EQ(xl(f.atc, f.pasid, r, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK);
	w0 = walks(f.mmu);
	sim_atc_flush(f.atc);
	EXPECT_EQ(xl(f.atc, f.pasid, r, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK);
	EXPECT_EQ(walks(f.mmu), w0 + 1);

	struct sim_iommu_stats st;
	sim_iommu_stats_get(f.mmu, &st);
	EXPECT_EQ(st.invalidations, 203);
	EXPECT_EQ(sim_iommu_unbind(f.mmu, p2), 0);
	sva_as_put(as2);
	munmap(r, 4 * PG);
	fx_fini(&f);
}

/* Invalidations posted from another thread while this one translates: the
 * final state after a sync is exact. */
struct inv_thread {
	struct sim_iommu *mmu;
	uint32_t pasid;
	_Atomic int stop;
	_Atomic uint64_t posted;
};

static void *invalidator(void *arg)
{
	struct inv_thread *t = arg;
	uint64_t i = 0;
	while (!atomic_load(&t->stop)) {
		sim_iommu_invalidate(t->mmu, t->pasid, 0x7000000000ull + (i++ % 512) * PG, PG);
		atomic_fetch_add(&t->posted, 1);
		if (i % 64 == 0)
			sched_yield();
	}
	return NULL;
}

static void test_atc_concurrent_invalidation(void)
{
	struct fixture f;
	fx_init(&f, sva_as_create_process(NULL));
	char *r = map_anon(64, PROT_READ | PROT_WRITE);
	memset(r, 1, 64 * PG);
	struct inv_thread t = {.mmu = f.mmu, .pasid = f.pasid};
	pthread_t th;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, invalidator, &t) == 0);
	uint64_t ok;
	unsigned int bad = 0;
	SVA_TEST_WAIT(atomic_load(&t.posted) != 0, sched_yield());
	for (int i = 0; i < 20000 || atomic_load(&t.posted) < 2000; i++) {
		sim_atc_sync(f.atc);
		if (xl(f.atc, f.pasid, r + (uint64_t)(i % 64) * PG, PG, RW, &ok) != SIM_XLATE_OK)
			bad++;
		if (i == 10000) {
			/* Drop a page and invalidate it among the noise. */
			CU_ASSERT(madvise(r + 5 * PG, PG, MADV_DONTNEED) == 0);
			sva_as_invalidate(f.as, r + 5 * PG, PG);
			sim_atc_sync(f.atc);
			EXPECT_EQ(xl(f.atc, f.pasid, r + 5 * PG, PG, SVA_PERM_READ, &ok),
				  SIM_XLATE_FAULT);
			memset(r + 5 * PG, 1, PG);
		}
	}
	atomic_store(&t.stop, 1);
	pthread_join(th, NULL);
	EXPECT_EQ(bad, 0);
	munmap(r, 64 * PG);
	fx_fini(&f);
}

/* ---- page-request queue ------------------------------------------------------ */

static void test_prq(void)
{
	struct sim_iommu *mmu = sim_iommu_create(&(struct sim_iommu_conf){.prq_depth = 4, .prq_groups = 8});
	struct sva_as *as = sva_as_create_process(NULL);
	struct sva_iopf *pf = sva_iopf_create(NULL);
	CU_ASSERT_FATAL(mmu && as && pf);
	EXPECT_EQ(sim_iommu_attach_iopf(mmu, pf), 0);
	uint32_t p;
	EXPECT_EQ(sim_iommu_pasid_alloc(mmu, &p), 0);
	EXPECT_EQ(sim_iommu_bind(mmu, p, as), 0);
	char *r = map_anon(8, PROT_READ | PROT_WRITE);
	struct sva_iopf_page pages[8];
	for (int i = 0; i < 8; i++)
		pages[i] = (struct sva_iopf_page){.addr = u(r + (uint64_t)i * PG), .perm = SVA_PERM_WRITE};
	uint64_t tk[8];
	EXPECT_EQ(sim_iommu_page_request(mmu, p, pages, 0, &tk[0]), -EINVAL);
	EXPECT_EQ(sim_iommu_page_request(mmu, p, pages, 65, &tk[0]), -EINVAL);
	EXPECT_EQ(sim_iommu_page_request(mmu, p, pages, 3, &tk[0]), 0);
	EXPECT_EQ(sim_iommu_page_request(mmu, p, pages + 3, 2, &tk[1]), -ENOSPC); /* 3 + 2 > 4 */
	EXPECT_EQ(sim_iommu_page_request(mmu, p, pages + 3, 1, &tk[1]), 0);
	EXPECT_EQ(sim_iommu_page_request(mmu, p, pages + 4, 1, &tk[2]), -ENOSPC);
	EXPECT_EQ(sim_iommu_page_response(mmu, tk[0], sva_now_ns()), SVA_IOPF_SWQ_PENDING);
	struct sim_iommu_stats st;
	sim_iommu_stats_get(mmu, &st);
	EXPECT_EQ(st.page_requests, 2);
	EXPECT_EQ(st.prq_overflow, 2);
	EXPECT_EQ(sva_iopf_swq_in_flight(sim_iommu_prq(mmu)), 2);
	/* Nothing was lost: both groups are answered. */
	EXPECT_EQ(sva_iopf_poll(pf, 64), 4);
	EXPECT_EQ(sim_iommu_page_response(mmu, tk[0], sva_now_ns()), SVA_IOPF_SUCCESS);
	EXPECT_EQ(sim_iommu_page_response(mmu, tk[1], sva_now_ns()), SVA_IOPF_SUCCESS);
	EXPECT_EQ(sim_iommu_page_response(mmu, tk[1], sva_now_ns()), -EINVAL); /* consumed */
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(r[(uint64_t)i * PG], 0); /* present now; the CPU sees zeroes */
	unsigned char vec[8];
	CU_ASSERT(mincore(r, 8 * PG, vec) == 0);
	for (int i = 0; i < 4; i++)
		CU_ASSERT(vec[i] & 1);
	EXPECT_EQ(sva_iopf_swq_in_flight(sim_iommu_prq(mmu)), 0);
	munmap(r, 8 * PG);
	sim_iommu_destroy(mmu);
	sva_iopf_destroy(pf);
	sva_as_put(as);
}

/* ---- guarded access ---------------------------------------------------------- */

struct touch {
	volatile char *p;
	char val;
};

static void do_read(void *arg)
{
	struct touch *t = arg;
	t->val = *t->p;
}

static void do_write(void *arg)
{
	struct touch *t = arg;
	*t->p = t->val;
}

static void *guard_in_thread(void *arg)
{
	struct touch *t = arg;
	uint64_t fa = 0;
	int rc = sim_guarded(do_read, t, &fa);
	return (void *)(intptr_t)(rc == -EFAULT && fa == u((const void *)t->p));
}

static void test_guarded(void)
{
	char *r = map_anon(2, PROT_READ | PROT_WRITE);
	r[PG + 5] = 42;
	struct touch ok = {.p = r + PG + 5};
	uint64_t fa = 123;
	EXPECT_EQ(sim_guarded(do_read, &ok, &fa), 0);
	EXPECT_EQ(ok.val, 42);
	EXPECT_EQ(fa, 123); /* untouched on success */

	/* Memory unmapped behind the device's back: -EFAULT with the address. */
	munmap(r, 2 * PG);
	struct touch bad = {.p = r + PG + 5};
	EXPECT_EQ(sim_guarded(do_read, &bad, &fa), -EFAULT);
	EXPECT_EQ(fa, u(r + PG + 5));
	/* Again, and a write: the guard re-arms. */
	bad.val = 1;
	EXPECT_EQ(sim_guarded(do_write, &bad, NULL), -EFAULT);
	/* A write to read-only memory. */
	char *ro = map_anon(1, PROT_READ);
	struct touch w = {.p = ro + 7, .val = 9};
	EXPECT_EQ(sim_guarded(do_write, &w, &fa), -EFAULT);
	EXPECT_EQ(fa, u(ro + 7));
	munmap(ro, PG);
	/* SIGBUS: a file mapping past the end of the file. */
	char path[] = "/tmp/svadk-guard-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	unlink(path);
	CU_ASSERT_FATAL(ftruncate(fd, (off_t)PG) == 0);
	char *fm = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	CU_ASSERT_FATAL(fm != MAP_FAILED);
	struct touch bus = {.p = fm + PG + 1};
	EXPECT_EQ(sim_guarded(do_read, &bus, &fa), -EFAULT);
	EXPECT_EQ(fa, u(fm + PG + 1));
	struct touch inside = {.p = fm + 1};
	EXPECT_EQ(sim_guarded(do_read, &inside, &fa), 0);
	EXPECT_EQ(inside.val, 0);
	munmap(fm, 2 * PG);
	close(fd);
	/* In another thread (PROT_NONE memory: creating the thread maps its
	 * stack, which could land where r was). */
	char *none = map_anon(1, PROT_NONE);
	struct touch tn = {.p = none + 9};
	pthread_t th;
	void *res = NULL;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, guard_in_thread, &tn) == 0);
	pthread_join(th, &res);
	CU_ASSERT(res == (void *)1);
	munmap(none, PG);
	/* The thread's signal mask is what it was before the fault: nothing
	 * left blocked (a blocked SIGSEGV would kill the process at the next
	 * fault), nothing the caller blocked unblocked. */
	sigset_t block, before, after;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	CU_ASSERT_FATAL(pthread_sigmask(SIG_BLOCK, &block, &before) == 0);
	char *nm = map_anon(1, PROT_NONE);
	struct touch tm = {.p = nm};
	EXPECT_EQ(sim_guarded(do_read, &tm, NULL), -EFAULT);
	CU_ASSERT_FATAL(pthread_sigmask(SIG_BLOCK, NULL, &after) == 0);
	CU_ASSERT(sigismember(&after, SIGUSR2));
	CU_ASSERT(!sigismember(&after, SIGUSR1));
	CU_ASSERT(!sigismember(&after, SIGSEGV));
	CU_ASSERT(!sigismember(&after, SIGBUS));
	CU_ASSERT(!sigismember(&after, SIGINT));
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	munmap(nm, PG);
	/* The process runs on, and ordinary code still works. */
	char *again = map_anon(1, PROT_READ | PROT_WRITE);
	again[0] = 3;
	struct touch ok2 = {.p = again};
	EXPECT_EQ(sim_guarded(do_read, &ok2, NULL), 0);
	EXPECT_EQ(ok2.val, 3);
	munmap(again, PG);
}

/* ---- fault injection --------------------------------------------------------- */

static void test_inject(void)
{
	struct fixture f;
	fx_init(&f, sva_as_create_process(NULL));
	char *r = map_anon(4, PROT_READ | PROT_WRITE);
	memset(r, 1, 4 * PG);
	uint64_t ok;

	/* Every 3rd walk fails: INVALID, then the next walk succeeds. */
	sim_iommu_set_inject(f.mmu, &(struct sim_iommu_inject){.xlate_fail_every = 3});
	int invalid = 0;
	for (int i = 0; i < 9; i++) {
		sim_atc_flush(f.atc); /* force a walk */
		enum sim_xlate x = xl(f.atc, f.pasid, r, PG, SVA_PERM_READ, &ok);
		CU_ASSERT(x == (i % 3 == 2 ? SIM_XLATE_INVALID : SIM_XLATE_OK));
		invalid += x == SIM_XLATE_INVALID;
	}
	EXPECT_EQ(invalid, 3);
	struct sim_iommu_stats st;
	sim_iommu_stats_get(f.mmu, &st);
	EXPECT_EQ(st.injected, 3);
	/* Cached translations do not walk, so they cannot fail. */
	sim_atc_flush(f.atc);
	EXPECT_EQ(xl(f.atc, f.pasid, r, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK);
	for (int i = 0; i < 10; i++)
		EXPECT_EQ(xl(f.atc, f.pasid, r, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK);

	/* Every 2nd page request is lost: never answered, cancel is harmless. */
	sim_iommu_set_inject(f.mmu, &(struct sim_iommu_inject){.drop_every = 2});
	struct sva_iopf_page pg = {.addr = u(r), .perm = SVA_PERM_READ};
	uint64_t t1, t2;
	EXPECT_EQ(sim_iommu_page_request(f.mmu, f.pasid, &pg, 1, &t1), 0);
	EXPECT_EQ(sim_iommu_page_request(f.mmu, f.pasid, &pg, 1, &t2), 0);
	EXPECT_EQ(sva_iopf_poll(f.pf, 64), 1); /* only one reached the queue */
	EXPECT_EQ(sva_iopf_poll(f.pf, 64), 0);
	EXPECT_EQ(sim_iommu_page_response(f.mmu, t1, sva_now_ns()), SVA_IOPF_SUCCESS);
	EXPECT_EQ(sim_iommu_page_response(f.mmu, t2, sva_now_ns()), SVA_IOPF_SWQ_PENDING);
	EXPECT_EQ(sim_iommu_page_response(f.mmu, t2, sva_now_ns()), SVA_IOPF_SWQ_PENDING);
	sim_iommu_page_cancel(f.mmu, t2);
	sim_iommu_stats_get(f.mmu, &st);
	EXPECT_EQ(st.injected, 4);
	EXPECT_EQ(st.page_requests, 1);

	/* Delayed responses: held back until raised_ns + delay. */
	sim_iommu_set_inject(f.mmu, &(struct sim_iommu_inject){.delay_us = 3600u * 1000000u});
	EXPECT_EQ(sim_iommu_page_request(f.mmu, f.pasid, &pg, 1, &t1), 0);
	uint64_t raised = sva_now_ns();
	EXPECT_EQ(sva_iopf_poll(f.pf, 64), 1);
	EXPECT_EQ(sim_iommu_page_response(f.mmu, t1, raised), SVA_IOPF_SWQ_PENDING);
	EXPECT_EQ(sim_iommu_page_response(f.mmu, t1, raised), SVA_IOPF_SWQ_PENDING);
	/* A delay of 100 us, and 1 ms have passed: the answer shows. */
	sim_iommu_set_inject(f.mmu, &(struct sim_iommu_inject){.delay_us = 100});
	usleep(1000);
	EXPECT_EQ(sim_iommu_page_response(f.mmu, t1, raised), SVA_IOPF_SUCCESS);

	/* All off again. */
	sim_iommu_set_inject(f.mmu, NULL);
	sim_atc_flush(f.atc);
	for (int i = 0; i < 6; i++) {
		sim_atc_flush(f.atc);
		EXPECT_EQ(xl(f.atc, f.pasid, r, PG, SVA_PERM_READ, &ok), SIM_XLATE_OK);
	}
	EXPECT_EQ(request(&f, r, SVA_PERM_READ), SVA_IOPF_SUCCESS);
	EXPECT_EQ(request(&f, r, SVA_PERM_READ), SVA_IOPF_SUCCESS);
	munmap(r, 4 * PG);
	fx_fini(&f);
}

/* ---- concurrency --------------------------------------------------------------- */

struct pasid_race {
	struct sim_iommu *mmu;
	struct sva_as *as;
	_Atomic int owner[16];
	_Atomic unsigned int errors;
	_Atomic unsigned int allocs;
};

struct pasid_worker_arg {
	struct pasid_race *r;
	int me;
};

static void *pasid_worker(void *arg)
{
	struct pasid_race *r = ((struct pasid_worker_arg *)arg)->r;
	int me = ((struct pasid_worker_arg *)arg)->me;
	for (int i = 0; i < 5000; i++) {
		uint32_t p;
		int rc = sim_iommu_pasid_alloc(r->mmu, &p);
		if (rc == -ENOSPC) {
			sched_yield();
			continue;
		}
		if (rc != 0 || p == 0 || p > 15) {
			atomic_fetch_add(&r->errors, 1);
			continue;
		}
		int expect = 0;
		if (!atomic_compare_exchange_strong(&r->owner[p], &expect, me))
			atomic_fetch_add(&r->errors, 1); /* handed out twice */
		if (sim_iommu_bind(r->mmu, p, r->as) != 0)
			atomic_fetch_add(&r->errors, 1);
		atomic_fetch_add(&r->allocs, 1);
		atomic_store(&r->owner[p], 0);
		if (sim_iommu_pasid_free(r->mmu, p) != 0)
			atomic_fetch_add(&r->errors, 1);
	}
	return NULL;
}

static void test_pasid_concurrent(void)
{
	struct pasid_race r = {0};
	r.mmu = sim_iommu_create(&(struct sim_iommu_conf){.pasid_bits = 4});
	r.as = sva_as_create_process(NULL);
	CU_ASSERT_FATAL(r.mmu && r.as);
	pthread_t th[3];
	struct pasid_worker_arg wa[3];
	for (int i = 0; i < 3; i++) {
		wa[i] = (struct pasid_worker_arg){&r, i + 1};
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, pasid_worker, &wa[i]) == 0);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	EXPECT_EQ(atomic_load(&r.errors), 0);
	CU_ASSERT(atomic_load(&r.allocs) > 0);
	struct sim_iommu_stats st;
	sim_iommu_stats_get(r.mmu, &st);
	EXPECT_EQ(st.pasids_in_use, 0);
	sim_iommu_destroy(r.mmu);
	sva_as_put(r.as);
}

static int register_suites(void)
{
	static const struct sva_test_case pasid[] = {
		{"alloc_exhaust_reuse", test_pasid_alloc},
		{"deferred_reuse", test_pasid_deferred_reuse},
		{"handler_destroyed_first", test_handler_destroyed_first},
		{"bind_unbind", test_bind_unbind},
		{"concurrent_alloc_free", test_pasid_concurrent},
		{NULL, NULL},
	};
	static const struct sva_test_case xlate[] = {
		{"process", test_xlate_process},
		{"large_ranges", test_xlate_large},
		{"managed", test_xlate_managed},
		{"atc_invalidation", test_atc_invalidation},
		{"atc_concurrent_invalidation", test_atc_concurrent_invalidation},
		{NULL, NULL},
	};
	static const struct sva_test_case misc[] = {
		{"prq_overflow", test_prq},
		{"guarded", test_guarded},
		{"inject", test_inject},
		{NULL, NULL},
	};
	if (sva_test_add_suite("pasid", pasid, NULL, NULL) ||
	    sva_test_add_suite("xlate", xlate, NULL, NULL) ||
	    sva_test_add_suite("sim_iommu", misc, NULL, NULL))
		return -1;
	return 0;
}

int main(void)
{
	return sva_test_main(register_suites);
}
