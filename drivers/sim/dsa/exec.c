/* SPDX-License-Identifier: BSD-3-Clause */
/* The executor of the software device: takes a work-queue entry, runs it
 * (a single operation or a batch), writes completion records, and waits for
 * page responses without losing its place.
 *
 * Everything that touches application memory runs inside sim_guarded(): a
 * translation that went stale (memory unmapped without sva_as_invalidate())
 * ends the operation with a translation-fault status instead of a crash. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_copy.h"
#include "sim_priv.h"
#include "sva_cpu.h"
#include "sva_dma.h"
#include "sva_log.h"
#include "sva_time.h"

/* DSA and IAA share the codes the executor reports for both: one name each. */
#define SAME_CODE(dsa, iax) ((int)(dsa) == (int)(iax))
_Static_assert(SAME_CODE(DSA_COMP_TRANSLATION_FAIL, IAX_COMP_TRANSLATION_FAIL) &&
		       SAME_CODE(DSA_COMP_CRA_XLAT, IAX_COMP_CRA_XLAT) &&
		       SAME_CODE(DSA_COMP_CRA_ALIGN, IAX_COMP_CRA_ALIGN) &&
		       SAME_CODE(DSA_COMP_PAGE_FAULT_IR, IAX_COMP_PAGE_FAULT_IR),
	       "DSA and IAA status codes differ");
#undef SAME_CODE

struct sim_exec *sim_exec_create(struct sim_dsa *dev, unsigned int id, bool inline_mode)
{
	struct sim_exec *x = aligned_alloc(SVA_CACHE_LINE, SVA_ALIGN_UP(sizeof(*x), SVA_CACHE_LINE));
	if (!x)
		return NULL;
	memset(x, 0, sizeof(*x));
	x->dev = dev;
	x->id = id;
	x->cpu = -1;
	x->inline_mode = inline_mode;
	x->atc = sim_atc_create(dev->mmu, dev->conf.atc_entries);
	if (dev->conf.type == SIM_DEV_IAA) {
		x->crc64 = malloc(sizeof(*x->crc64));
		x->inflate = sim_inflate_new();
		x->deflater = sim_deflater_new();
		if (x->crc64)
			sva_sw_crc64_init(x->crc64, SVA_CRC64_POLY_ECMA, 0);
	}
	if (!x->atc ||
	    (dev->conf.type == SIM_DEV_IAA && (!x->crc64 || !x->inflate || !x->deflater))) {
		sim_exec_free(x);
		return NULL;
	}
	return x;
}

void sim_exec_free(struct sim_exec *x)
{
	if (!x)
		return;
	sim_exec_flush_done(x);
	sim_atc_free(x->atc);
	free(x->crc64);
	sim_inflate_free(x->inflate);
	sim_deflater_free(x->deflater);
	free(x);
}

void sim_swerr_log(struct sim_dsa *dev, uint8_t status, uint8_t opcode, uint32_t pasid,
		   uint64_t addr, unsigned int wq)
{
	struct sim_swerr e = {
		.status = status, .opcode = opcode, .wq = (uint16_t)wq, .pasid = pasid, .addr = addr,
	};
	atomic_fetch_add(&dev->swerr_count, 1);
	if (sva_ring_enqueue(dev->swerr, &e) < 0)
		SVA_LOG(SIM, DEBUG, "%s: software error log full, entry dropped", dev->name);
}

bool sim_exec_fetch(struct sim_exec *x, int only_wq)
{
	struct sim_dsa *dev = x->dev;
	unsigned int n = dev->conf.nb_wqs;
	for (unsigned int k = 0; k < n; k++) {
		unsigned int w = only_wq >= 0 ? (unsigned int)only_wq : (x->id + k) % n;
		if (sva_ring_dequeue_burst(dev->wq[w].ring, &x->w, 1) == 1) {
			x->busy = true;
			x->pasid = x->w.portal->pasid;
			x->in_batch = false;
			x->op_begun = false;
			x->op_active = false;
			x->cr_pending = false;
			x->wait = WAIT_NONE;
			x->raise_pending = false;
			x->resolved_page = UINT64_MAX;
			x->refaults = 0;
			memcpy(x->d, x->w.desc, sizeof(x->d));
			return true;
		}
		if (only_wq >= 0)
			break;
	}
	return false;
}

/* --- page-fault waits ----------------------------------------------------------- */

static bool is_iaa(const struct sim_exec *x)
{
	return x->dev->conf.type == SIM_DEV_IAA;
}

/* Raise the group in x->wpages. 0 (waiting), or the status to fail with. */
static int raise_wait(struct sim_exec *x, uint8_t why)
{
	struct sim_dsa *dev = x->dev;
	if (!x->raise_pending) {
		if (x->wpages[0].addr != x->resolved_page) {
			x->refaults = 0;
		} else if (++x->refaults > SIM_REFAULT_MAX) {
			SVA_LOG(SIM, DEBUG, "%s: 0x%llx still faults after %u successful page "
				"responses: failing the descriptor", dev->name,
				(unsigned long long)x->wpages[0].addr, SIM_REFAULT_MAX);
			x->refaults = 0;
			x->resolved_page = UINT64_MAX;
			return DSA_COMP_PAGE_FAULT_IR;
		}
		x->t_raise_ns = sva_now_ns(); /* the wait starts (a full queue included) */
	}
	int rc = sim_iommu_page_request(dev->mmu, x->pasid, x->wpages, x->nwpages, &x->ticket);
	if (rc == -ENOSPC) {
		x->raise_pending = true;
		x->wait = why;
		return 0;
	}
	if (rc == -ENODEV) {
		SVA_LOG(SIM, DEBUG, "%s: page fault at 0x%llx with no fault handler attached",
			dev->name, (unsigned long long)x->wpages[0].addr);
		return DSA_COMP_PAGE_FAULT_IR;
	}
	if (rc < 0)
		return DSA_COMP_TRANSLATION_FAIL;
	x->raise_pending = false;
	x->wait = why;
	sva_counter_add(&x->page_requests, x->nwpages);
	return 0;
}

/* The wait started at t_raise_ns is over its limit: 0 if not, else the wait
 * ends (the request withdrawn, if it was made) and the status to fail with. */
static int wait_timed_out(struct sim_exec *x)
{
	struct sim_dsa *dev = x->dev;
	if (sva_now_ns() - x->t_raise_ns <= (uint64_t)dev->conf.prs_timeout_ms * 1000000ull)
		return 0;
	if (x->raise_pending) {
		x->raise_pending = false; /* never accepted: nothing to withdraw */
	} else {
		sim_iommu_page_cancel(dev->mmu, x->ticket);
		SVA_LOG(SIM, DEBUG, "%s: no page response for 0x%llx within %u ms", dev->name,
			(unsigned long long)x->wpages[0].addr, dev->conf.prs_timeout_ms);
	}
	x->wait = WAIT_NONE;
	sva_counter_add(&x->prs_timeouts, 1);
	return -DSA_COMP_PRS_TIMEOUT_SIM;
}

int sim_wait_check(struct sim_exec *x)
{
	struct sim_dsa *dev = x->dev;
	if (x->raise_pending) {
		int st = raise_wait(x, x->wait);
		if (st) {
			x->wait = WAIT_NONE;
			return -st;
		}
		if (x->raise_pending)
			return wait_timed_out(x);
	}
	int r = sim_iommu_page_response(dev->mmu, x->ticket, x->t_raise_ns);
	if (r == SVA_IOPF_SWQ_PENDING)
		return wait_timed_out(x);
	x->wait = WAIT_NONE;
	/* The handler changed the page tables: drop what we may have cached. */
	sim_atc_sync(x->atc);
	x->resolved_page = r == SVA_IOPF_SUCCESS ? x->wpages[0].addr : UINT64_MAX;
	return r == SVA_IOPF_SUCCESS ? 1 : -DSA_COMP_PAGE_FAULT_IR;
}

int sim_resume_data_wait(struct sim_exec *x)
{
	if (x->wait != WAIT_DATA)
		return -1;
	int r = sim_wait_check(x);
	if (r == 0)
		return RUN_WAIT;
	if (r < 0) {
		sim_wait_failed(x, r);
		return RUN_DONE;
	}
	return -1;
}

void sim_wait_failed(struct sim_exec *x, int r)
{
	/* DSA and IAA share the codes used here (page fault with an invalid
	 * response: 0x04; PRS timeout: 0x23); bit 7 marks a write fault. */
	uint8_t st = (uint8_t)-r;
	bool w = x->wpages[0].perm & SVA_PERM_WRITE;
	if (st == DSA_COMP_PAGE_FAULT_IR && w)
		st |= DSA_COMP_STATUS_WRITE;
	idxd_wr32(x->cr, 4, (uint32_t)x->off);
	idxd_wr64(x->cr, 8, x->wpages[0].addr);
	idxd_cr_set_fault_info(x->cr, w ? IDXD_FAULT_INFO_WRITE : 0);
	sim_complete(x, st);
}

/* --- translation ------------------------------------------------------------------- */

enum xlate_outcome sim_xlate_ranges(struct sim_exec *x, const struct xrange *r, unsigned int n,
				    uint64_t len, bool block, uint64_t *prefix,
				    unsigned int *limiting)
{
	uint64_t ok[4];
	enum sim_xlate res[4];
	bool fault = false;
	for (unsigned int i = 0; i < n; i++) {
		res[i] = sim_atc_translate(x->atc, x->pasid, r[i].addr, len, r[i].perm, &ok[i]);
		if (res[i] == SIM_XLATE_INVALID) {
			idxd_wr64(x->cr, 8, r[i].addr + ok[i]);
			sim_complete(x, DSA_COMP_TRANSLATION_FAIL);
			return XO_DONE;
		}
		fault |= res[i] == SIM_XLATE_FAULT;
	}
	if (!fault) {
		*prefix = len;
		return XO_OK;
	}
	unsigned int lim = 0;
	uint64_t best = UINT64_MAX;
	x->nwpages = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (res[i] != SIM_XLATE_FAULT)
			continue;
		if (ok[i] < best) {
			best = ok[i];
			lim = i;
		}
		x->wpages[x->nwpages++] = (struct sva_iopf_page){
			.addr = SVA_ALIGN_DOWN(r[i].addr + ok[i], (uint64_t)SVA_PAGE_SIZE),
			.perm = r[i].perm,
		};
	}
	uint64_t fault_addr = r[lim].addr + best;
	if (!block) {
		*prefix = best;
		*limiting = lim;
		return XO_PARTIAL;
	}
	int st = raise_wait(x, WAIT_DATA);
	if (st) {
		uint8_t w = r[lim].perm & SVA_PERM_WRITE ? DSA_COMP_STATUS_WRITE : 0;
		idxd_wr64(x->cr, 8, fault_addr);
		idxd_cr_set_fault_info(x->cr, w ? IDXD_FAULT_INFO_WRITE : 0);
		sim_complete(x, (uint8_t)(st | (st == DSA_COMP_PAGE_FAULT_IR ? w : 0)));
		return XO_DONE;
	}
	return XO_WAIT;
}

/* --- completion ---------------------------------------------------------------------- */

static void shape(struct sim_exec *x, uint64_t bytes)
{
	const struct sim_dsa_conf *c = &x->dev->conf;
	if (!c->lat_ns && !c->bw_bytes_per_s)
		return;
	uint64_t now = sva_now_ns(), until = now;
	if (c->lat_ns && x->t_start_ns)
		until = SVA_MAX(until, x->t_start_ns + c->lat_ns);
	if (c->bw_bytes_per_s) {
		uint64_t start = SVA_MAX(now, x->bw_next_ns);
		x->bw_next_ns = start + (uint64_t)((double)bytes * 1e9 / (double)c->bw_bytes_per_s);
		until = SVA_MAX(until, x->bw_next_ns);
	}
	while (sva_now_ns() < until)
		sva_pause();
}

/* Prepare the record of the descriptor in x->d, if it wants one. */
static void prepare_cr(struct sim_exec *x, uint8_t status, bool ok)
{
	uint32_t flags = idxd_rd32(x->d, 4);
	uint64_t cr_addr = idxd_rd64(x->d, 8);
	if (!(flags & IDXD_OP_FLAG_CRAV) || !cr_addr)
		return;
	if (ok && !(flags & IDXD_OP_FLAG_RCR))
		return; /* records are written on success only when requested */
	x->cr[0] = status;
	x->cr_addr = cr_addr;
	x->cr_size = is_iaa(x) ? IDXD_IAX_COMP_SIZE : IDXD_DSA_COMP_SIZE;
	x->cr_pending = true;
}

void sim_complete(struct sim_exec *x, uint8_t status)
{
	uint8_t code = status & DSA_COMP_STATUS_MASK;
	bool ok = code == DSA_COMP_SUCCESS || (!is_iaa(x) && code == DSA_COMP_SUCCESS_PRED);
	x->op_active = false;
	x->last_status = status;
	sva_counter_add(&x->descs, 1);
	sva_counter_add(&x->bytes, x->off);
	if (!ok)
		sva_counter_add(&x->errors, 1);
	if (code == DSA_COMP_PAGE_FAULT_NOBOF)
		sva_counter_add(&x->partials, 1);
	shape(x, x->off);
	prepare_cr(x, status, ok);
}

/* The prepared record cannot be written: the software error log says so. */
static void cr_lost(struct sim_exec *x)
{
	sim_swerr_log(x->dev, DSA_COMP_CRA_XLAT, x->d[7], x->pasid, x->cr_addr, x->w.portal->wq);
	x->cr_pending = false;
}

/* Write the prepared record. A fault on it always blocks (there is nowhere
 * else to report); if it cannot be resolved the error goes to the log. */
static enum run_result write_cr(struct sim_exec *x)
{
	if (x->wait == WAIT_CR) {
		int r = sim_wait_check(x);
		if (r == 0)
			return RUN_WAIT;
		if (r < 0) {
			cr_lost(x);
			return RUN_DONE;
		}
	}
	uint64_t ok;
	enum sim_xlate res = sim_atc_translate(x->atc, x->pasid, x->cr_addr, x->cr_size,
					       SVA_PERM_WRITE | SIM_XLATE_F_CTRL, &ok);
	if (res == SIM_XLATE_OK) {
		x->in_cr_write = true;
		uint8_t *cr = (uint8_t *)(uintptr_t)x->cr_addr;
		memcpy(cr + 1, x->cr + 1, x->cr_size - 1);
		idxd_cr_set_status(cr, x->cr[0]);
		x->in_cr_write = false;
		x->cr_pending = false;
		return RUN_DONE;
	}
	if (res == SIM_XLATE_FAULT) {
		x->wpages[0] = (struct sva_iopf_page){
			.addr = SVA_ALIGN_DOWN(x->cr_addr + ok, (uint64_t)SVA_PAGE_SIZE),
			.perm = SVA_PERM_WRITE,
		};
		x->nwpages = 1;
		if (raise_wait(x, WAIT_CR) == 0)
			return RUN_WAIT;
	}
	cr_lost(x);
	return RUN_DONE;
}

/* --- operations and batches ------------------------------------------------------------ */

/* Run the operation in x->d to completion (record written). */
static enum run_result run_op(struct sim_exec *x, bool member)
{
	if (!x->op_begun) {
		x->op_begun = true;
		uint32_t flags = idxd_rd32(x->d, 4);
		uint64_t cr_addr = idxd_rd64(x->d, 8);
		memset(x->cr, 0, sizeof(x->cr));
		x->off = 0;
		x->seeded = false;
		x->resolved_page = UINT64_MAX;
		x->refaults = 0;
		x->t_start_ns = x->dev->conf.lat_ns ? sva_now_ns() : 0;
		uint32_t align = is_iaa(x) ? IDXD_IAX_COMP_SIZE : IDXD_DSA_COMP_SIZE;
		if ((flags & IDXD_OP_FLAG_CRAV) && (cr_addr & (align - 1))) {
			/* No record can be written: report through the error log. */
			sim_swerr_log(x->dev, DSA_COMP_CRA_ALIGN, x->d[7], x->pasid, cr_addr,
				      x->w.portal->wq);
			x->last_status = DSA_COMP_CRA_ALIGN;
			sva_counter_add(&x->descs, 1);
			sva_counter_add(&x->errors, 1);
			return RUN_DONE;
		}
		uint8_t st = sim_validate(x, member);
		if (st)
			sim_complete(x, st);
		else
			x->op_active = true;
	}
	if (x->op_active) {
		enum run_result r = is_iaa(x) ? sim_op_iaa(x) : sim_op_dsa(x);
		if (r == RUN_WAIT)
			return RUN_WAIT;
	}
	if (x->cr_pending)
		return write_cr(x);
	return RUN_DONE;
}

static uint8_t validate_batch(struct sim_exec *x)
{
	const uint8_t *d = x->bdesc;
	const struct sim_dsa_conf *c = &x->dev->conf;
	uint32_t w0 = idxd_rd32(d, 0);
	uint32_t flags = idxd_rd32(d, 4) & 0xffffff;
	uint32_t count = idxd_rd32(d, 32);
	if (w0 >> 31)
		return DSA_COMP_PRIV_BAD;
	if ((w0 >> 20) & 0x7ff)
		return DSA_COMP_NOZERO_RESERVE;
	uint8_t st = sim_check_flags(x, flags,
				     IDXD_OP_FLAG_FENCE | IDXD_OP_FLAG_BOF | IDXD_OP_FLAG_CRAV |
					     IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_RCI | IDXD_OP_FLAG_CRSTS |
					     IDXD_OP_FLAG_CR_TCS | IDXD_OP_FLAG_ADDR1_TCS,
				     DSA_COMP_INVALID_FLAGS);
	if (st)
		return st;
	if (idxd_rd64(d, 24) || idxd_rd64(d, 40) || idxd_rd64(d, 48) || idxd_rd64(d, 56))
		return DSA_COMP_NOZERO_RESERVE;
	if (count < 2 || count > c->max_batch)
		return DSA_COMP_DESC_CNT_ERANGE;
	if (idxd_rd64(d, 16) & (IDXD_DESC_SIZE - 1))
		return DSA_COMP_DESCLIST_ALIGN;
	return 0;
}

/* Finish the batch: x->d becomes the batch descriptor again and its own
 * record is prepared (x->cr may already hold error details). */
static void complete_batch(struct sim_exec *x, uint8_t status, uint32_t processed)
{
	memcpy(x->d, x->bdesc, sizeof(x->d));
	idxd_wr32(x->cr, 4, processed); /* descriptors completed */
	x->in_batch = false;
	x->op_begun = true; /* the batch's own record is what remains */
	x->op_active = false;
	sva_counter_add(&x->batches, 1);
	prepare_cr(x, status, status == DSA_COMP_SUCCESS);
}

/* Finish the batch at member x->bidx with a fresh record: @status, and
 * @addr (0: none) as the fault address. */
static void batch_fail(struct sim_exec *x, uint8_t status, uint64_t addr)
{
	memset(x->cr, 0, sizeof(x->cr));
	idxd_wr64(x->cr, 8, addr);
	complete_batch(x, status, x->bidx);
}

/* Batch members that are plain copies of at most a page, with cached
 * translations and no completion record to write (the bulk of a DMA
 * workload), run here without the general machinery. The first member that
 * is anything else — another operation, a flag, a reserved bit, a page that
 * is not cached, shaping — is left to the general path, which validates and
 * reports it fully. */
static void run_members_fast(struct sim_exec *x)
{
	const struct sim_dsa_conf *c = &x->dev->conf;
	const uint32_t plain = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_BOF | IDXD_OP_FLAG_CC |
			       IDXD_OP_FLAG_ADDR1_TCS | IDXD_OP_FLAG_ADDR2_TCS | IDXD_OP_FLAG_CR_TCS |
			       IDXD_OP_FLAG_STORD | IDXD_OP_FLAG_DRDBK | IDXD_OP_FLAG_DSTS;
	if (is_iaa(x) || c->lat_ns || c->bw_bytes_per_s || x->bfailed)
		return;
	uint64_t bytes = 0, n = 0;
	/* The list streams in from another core (or memory): keep the next
	 * FAST_AHEAD descriptors on their way while these run. */
	enum { FAST_AHEAD = 12 };
	uint32_t ahead_end = (uint32_t)SVA_MIN((uint64_t)x->bcount, x->list_ok / IDXD_DESC_SIZE);
	for (uint32_t i = x->bidx + 1; i < ahead_end && i <= x->bidx + FAST_AHEAD; i++)
		__builtin_prefetch((const void *)(uintptr_t)(x->list_addr + (uint64_t)i * IDXD_DESC_SIZE));
	while (x->bidx < x->bcount && (uint64_t)(x->bidx + 1) * IDXD_DESC_SIZE <= x->list_ok) {
		const uint8_t *d = (const uint8_t *)(uintptr_t)(x->list_addr +
								(uint64_t)x->bidx * IDXD_DESC_SIZE);
		if (x->bidx + FAST_AHEAD + 1 < ahead_end)
			__builtin_prefetch(d + (FAST_AHEAD + 1) * IDXD_DESC_SIZE);
		uint64_t w0 = idxd_rd64(d, 0), w4 = idxd_rd64(d, 32);
		uint32_t flags = (uint32_t)(w0 >> 32) & 0xffffff;
		uint32_t size = (uint32_t)w4;
		if ((uint8_t)(w0 >> 56) != DSA_OPCODE_MEMMOVE || ((w0 >> 20) & 0xfff) ||
		    (flags & ~(plain | IDXD_OP_FLAG_FENCE)) ||
		    ((flags & IDXD_OP_FLAG_BOF) && c->no_block_on_fault) ||
		    (w4 >> 32) || idxd_rd64(d, 40) || idxd_rd64(d, 48) || idxd_rd64(d, 56) ||
		    size == 0 || size > SVA_PAGE_SIZE || size > c->max_xfer ||
		    ((flags & IDXD_OP_FLAG_CRAV) && (idxd_rd64(d, 8) & (IDXD_DSA_COMP_SIZE - 1))))
			break;
		uint64_t src = idxd_rd64(d, 16), dst = idxd_rd64(d, 24), ok;
		if (sim_atc_translate(x->atc, x->pasid, src, size, SVA_PERM_READ, &ok) != SIM_XLATE_OK ||
		    sim_atc_translate(x->atc, x->pasid, dst, size, SVA_PERM_WRITE, &ok) != SIM_XLATE_OK)
			break;
		x->fast_member = true; /* a stale translation faulting here fails this member */
		sim_move((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, size);
		x->fast_member = false;
		bytes += size;
		n++;
		x->bidx++;
	}
	sva_counter_add(&x->descs, n);
	sva_counter_add(&x->bytes, bytes);
}

static enum run_result run_batch(struct sim_exec *x)
{
	if (!x->in_batch && !x->op_begun) {
		memcpy(x->bdesc, x->w.desc, sizeof(x->bdesc));
		memset(x->cr, 0, sizeof(x->cr));
		uint8_t st = validate_batch(x);
		x->bcount = 0;
		memcpy(&x->bcount, x->bdesc + 32, 4);
		if (st) {
			complete_batch(x, st, 0);
		} else {
			x->in_batch = true;
			x->list_addr = idxd_rd64(x->bdesc, 16);
			x->bidx = 0;
			x->bfailed = 0;
			x->bfetched = false;
			sim_atc_sync(x->atc);
			/* Translate the whole list once; members past an untranslated
			 * prefix take the per-member path (faults, waits). */
			uint64_t ok = 0;
			if (sim_atc_translate(x->atc, x->pasid, x->list_addr,
					      (uint64_t)x->bcount * IDXD_DESC_SIZE,
					      SVA_PERM_READ | SIM_XLATE_F_CTRL, &ok) == SIM_XLATE_INVALID)
				ok = 0;
			x->list_ok = ok;
		}
	}
	while (x->in_batch && x->bidx < x->bcount) {
		if (!x->bfetched && !x->op_active && !x->cr_pending && x->wait == WAIT_NONE) {
			run_members_fast(x);
			if (x->bidx == x->bcount)
				break;
		}
		if (!x->bfetched && !x->op_active && !x->cr_pending) {
			uint32_t bflags = idxd_rd32(x->bdesc, 4);
			bool block = (bflags & IDXD_OP_FLAG_BOF) != 0;
			if (x->wait == WAIT_LIST) {
				int r = sim_wait_check(x);
				if (r == 0)
					return RUN_WAIT;
				if (r < 0) {
					batch_fail(x, DSA_COMP_BATCH_PAGE_FAULT, 0);
					break;
				}
			}
			uint64_t a = x->list_addr + (uint64_t)x->bidx * IDXD_DESC_SIZE, ok;
			enum sim_xlate res = (uint64_t)(x->bidx + 1) * IDXD_DESC_SIZE <= x->list_ok
						     ? SIM_XLATE_OK
						     : sim_atc_translate(x->atc, x->pasid, a, IDXD_DESC_SIZE,
									 SVA_PERM_READ | SIM_XLATE_F_CTRL,
									 &ok);
			if (res == SIM_XLATE_FAULT && block) {
				x->wpages[0] = (struct sva_iopf_page){
					.addr = SVA_ALIGN_DOWN(a, (uint64_t)SVA_PAGE_SIZE),
					.perm = SVA_PERM_READ,
				};
				x->nwpages = 1;
				if (raise_wait(x, WAIT_LIST) == 0)
					return RUN_WAIT;
			}
			if (res != SIM_XLATE_OK) {
				batch_fail(x, DSA_COMP_BATCH_PAGE_FAULT, a);
				break;
			}
			/* The list streams in from another core (or memory): ask for
			 * the descriptors ahead while this one runs. */
			if ((uint64_t)(x->bidx + 5) * IDXD_DESC_SIZE <= x->list_ok)
				__builtin_prefetch((const void *)(uintptr_t)(a + 4 * IDXD_DESC_SIZE));
			memcpy(x->d, (const void *)(uintptr_t)a, IDXD_DESC_SIZE);
			x->bfetched = true;
			uint32_t mflags = idxd_rd32(x->d, 4);
			if ((mflags & IDXD_OP_FLAG_FENCE) && x->bfailed) {
				/* A fenced descriptor after a failure: abandon the rest. */
				batch_fail(x, DSA_COMP_BATCH_FAIL, 0);
				break;
			}
		}
		enum run_result r = run_op(x, true);
		if (r == RUN_WAIT)
			return RUN_WAIT;
		uint8_t code = x->last_status & DSA_COMP_STATUS_MASK;
		if (code != DSA_COMP_SUCCESS && code != DSA_COMP_SUCCESS_PRED)
			x->bfailed++;
		x->bidx++;
		x->bfetched = false;
		x->op_begun = false;
	}
	if (x->in_batch) {
		batch_fail(x, x->bfailed ? DSA_COMP_BATCH_FAIL : DSA_COMP_SUCCESS, 0);
	}
	if (x->cr_pending)
		return write_cr(x);
	return RUN_DONE;
}

static enum run_result run_item(struct sim_exec *x)
{
	if (!is_iaa(x) && x->w.desc[7] == DSA_OPCODE_BATCH)
		return run_batch(x);
	if (!x->op_begun)
		sim_atc_sync(x->atc);
	return run_op(x, false);
}

struct guarded_run {
	struct sim_exec *x;
	enum run_result r;
};

/* An entry is complete. The portal's count is a locked add, and a locked
 * instruction waits for every store of the entry (the data of a whole
 * batch) to land: count locally, add when the portal changes, every
 * SIM_DONE_FLUSH entries, and in sim_exec_flush_done(). */
#define SIM_DONE_FLUSH 32u

void sim_exec_flush_done(struct sim_exec *x)
{
	if (!x->done_portal)
		return;
	atomic_fetch_add_explicit(&x->done_portal->completed, x->done_count, memory_order_release);
	x->done_portal = NULL;
	x->done_count = 0;
}

static void entry_done(struct sim_exec *x)
{
	if (x->done_portal != x->w.portal) {
		sim_exec_flush_done(x);
		x->done_portal = x->w.portal;
	}
	if (++x->done_count == SIM_DONE_FLUSH)
		sim_exec_flush_done(x);
}

static void guarded_cb(void *arg)
{
	struct guarded_run *g = arg;
	g->r = run_item(g->x);
}

enum run_result sim_exec_run(struct sim_exec *x)
{
	for (;;) {
		struct guarded_run g = {.x = x};
		uint64_t addr = 0;
		if (sim_guarded(guarded_cb, &g, &addr) == 0) {
			if (g.r == RUN_DONE) {
				x->busy = false;
				entry_done(x);
			}
			return g.r;
		}
		/* The memory behind a cached translation went away. */
		sva_counter_add(&x->stale, 1);
		SVA_LOG(SIM, DEBUG, "%s: stale translation: access to 0x%llx faulted",
			x->dev->name, (unsigned long long)addr);
		sim_aecs_abort(x);
		if (x->in_cr_write) {
			x->in_cr_write = false;
			cr_lost(x);
		} else if (x->fast_member) {
			/* A member of the fast path: fail it alone, like any operation. */
			x->fast_member = false;
			memcpy(x->d, (const void *)(uintptr_t)(x->list_addr +
							       (uint64_t)x->bidx * IDXD_DESC_SIZE),
			       IDXD_DESC_SIZE);
			x->bfetched = true;
			x->op_begun = true;
			memset(x->cr, 0, sizeof(x->cr));
			idxd_wr64(x->cr, 8, addr);
			sim_complete(x, DSA_COMP_TRANSLATION_FAIL);
		} else if (x->op_active) {
			idxd_wr64(x->cr, 8, addr);
			sim_complete(x, DSA_COMP_TRANSLATION_FAIL);
		} else if (x->in_batch) {
			batch_fail(x, DSA_COMP_BATCH_PAGE_FAULT, 0);
		}
		sim_atc_flush(x->atc);
	}
}
