/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals of the software DSA/IAA device, shared by its files. */
#ifndef SIM_PRIV_H
#define SIM_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "idxd_hw.h"
#include "sva_crc.h"
#include "sim_deflate.h"
#include "sim_dsa.h"
#include "sim_kernels.h"
#include "sva_atomic.h"
#include "sva_idle.h"
#include "sva_ring.h"

/* One work-queue entry: the descriptor as written, and who wrote it. */
struct wq_entry {
	uint8_t desc[IDXD_DESC_SIZE];
	struct sim_portal *portal;
};

struct sim_wq {
	struct sva_ring *ring;
	unsigned int portals; /* open portals (dedicated: at most one) */
};

struct sim_exec;

struct sim_portal {
	/* Read by the engines for every entry: nothing here changes while the
	 * portal is open. */
	struct sim_dsa *dev;
	unsigned int wq;
	uint32_t pasid;
	bool single_producer;      /* a dedicated WQ: sva_ring_sp_reserve() */
	struct sim_exec *x;        /* inline executor (no engine threads) */
	struct sim_exec *helper;   /* runs queued work in the owner's thread while the
				    * engine threads are stopped (created on first use) */
	/* Written and not yet completed: submitted - completed, each on a line
	 * of its own. The writer (one thread: the queue's) counts without a
	 * locked instruction; executors add what they completed in batches
	 * (sim_exec_flush_done()). */
	_Atomic uint32_t submitted sva_cache_aligned;
	_Atomic uint32_t completed sva_cache_aligned;
};

/* What a blocked executor is waiting for. */
enum wait_for {
	WAIT_NONE = 0,
	WAIT_DATA,    /* pages of the operation's buffers */
	WAIT_CR,      /* the completion record's page */
	WAIT_LIST,    /* the batch's descriptor list */
};

/* A page that still faults right after its page request was answered
 * SUCCESS this many times in a row fails the descriptor instead (the
 * handler and the translation disagree, e.g. an mprotect() that was not
 * reported with sva_as_invalidate(): better an error than a livelock). */
#define SIM_REFAULT_MAX 32

/* Result of running an executor. */
enum run_result { RUN_DONE = 0, RUN_WAIT = 1 };

/* An engine (thread) or an inline executor: the state of the descriptor it
 * works on, kept across page-fault waits so that execution can resume. */
struct sim_exec {
	struct sim_dsa *dev;
	struct sim_atc *atc;
	struct sva_sw_crc64 *crc64;
	struct sim_inflate *inflate;   /* single-shot decompression */
	struct sim_deflater *deflater; /* compression */
	struct aecs_ctx *aecs_owned;   /* the AECS slot the operation holds (busy) */
	unsigned int id;
	int cpu;
	bool inline_mode;
	/* current work item */
	bool busy;
	struct wq_entry w;
	uint32_t pasid;
	uint64_t t_start_ns;
	/* batch progress */
	bool in_batch;
	uint64_t list_addr;
	uint32_t bcount, bidx, bfailed;
	uint64_t list_ok;              /* bytes of the list known translated */
	bool bfetched;                 /* member bidx is in d[] */
	uint8_t bdesc[IDXD_DESC_SIZE]; /* the batch descriptor */
	/* current operation */
	uint8_t d[IDXD_DESC_SIZE] sva_cache_aligned;
	/* Phases: op_begun (set up: validated, started or completed) ->
	 * op_active (running) -> cr_pending (record to write). op_begun stays
	 * set once the operation (or the batch's own record) is under way, so
	 * that coming back after a wait or a guard fault never starts it again:
	 * cleared only when the next entry or batch member is taken. */
	bool op_begun;
	bool op_active;
	bool cr_pending;               /* record prepared, write outstanding */
	bool in_cr_write;              /* a fault now is the record's, not the data's */
	bool fast_member;              /* a fast-path batch member is being copied */
	bool seeded;                   /* CRC seed read */
	uint8_t last_status;           /* status of the operation just completed */
	uint64_t off;                  /* bytes done */
	uint32_t crc32;                /* running CRC (DSA CRC operations) */
	uint64_t cr_addr;
	uint32_t cr_size;
	uint8_t cr[64];
	/* page-fault wait */
	uint8_t wait;                  /* enum wait_for */
	bool raise_pending;            /* the page-request queue was full */
	uint64_t ticket;
	uint64_t t_raise_ns;
	struct sva_iopf_page wpages[4];
	unsigned int nwpages;
	uint64_t resolved_page;        /* first page of the last group answered SUCCESS */
	uint32_t refaults;             /* page requests for it again since, in a row */
	/* shaping */
	uint64_t bw_next_ns;
	/* entries completed for done_portal, not yet added to its count */
	struct sim_portal *done_portal;
	uint32_t done_count;
	/* statistics: written by the executor only */
	sva_counter_t descs, batches, bytes, errors, page_requests, partials, prs_timeouts, stale;
	/* engine thread */
	pthread_t thread;
	struct sva_idle idle;
	_Atomic bool stop;
	bool running;
};

/* Decompression streams kept between operations, keyed by their AECS. */
#define AECS_MAGIC 0x45415653u /* "SVAE" */
#define AECS_SLOTS 64
struct aecs_ctx {
	bool used;
	bool busy;     /* held by an operation (sim_exec.aecs_owned) */
	uint32_t pasid;
	uint64_t addr;
	uint64_t gen;
	uint64_t lru;
	struct sim_inflate *s;
};

struct sim_dsa {
	struct sim_dsa_conf conf;
	char name[32];
	struct sim_iommu *mmu;
	struct sim_wq wq[SIM_DSA_MAX_WQS];
	struct sim_exec *engine[SIM_DSA_MAX_ENGINES];
	bool started;
	pthread_mutex_t lock;           /* portals, start/stop, statistics */
	pthread_mutex_t aecs_lock;      /* the AECS table: never held across memory access */
	struct sva_ring *swerr;
	_Atomic uint64_t swerr_count;
	_Atomic uint64_t wq_full;
	/* counters of inline executors that are gone (under lock) */
	struct sim_dsa_stats gone;
	struct sim_exec *inline_execs[256];
	unsigned int nb_inline;
	struct aecs_ctx aecs[AECS_SLOTS];
	uint64_t aecs_clock;
	uint64_t aecs_gen;
};

/* exec.c */
struct sim_exec *sim_exec_create(struct sim_dsa *dev, unsigned int id, bool inline_mode);
void sim_exec_free(struct sim_exec *x);
/* Run the current item until done or blocked. */
enum run_result sim_exec_run(struct sim_exec *x);
/* Take the next entry from the work queues (inline: from @only_wq if >= 0). */
bool sim_exec_fetch(struct sim_exec *x, int only_wq);
/* Add the entries @x completed to their portal's count: before it waits for
 * work, and before it goes (a portal is closed only once its count is
 * whole, so after this call @x no longer touches it). */
void sim_exec_flush_done(struct sim_exec *x);
void sim_swerr_log(struct sim_dsa *dev, uint8_t status, uint8_t opcode, uint32_t pasid,
		   uint64_t addr, unsigned int wq);

/* ops_dsa.c, ops_iaa.c: operation bodies. They run inside the guard, after validation. */
enum run_result sim_op_dsa(struct sim_exec *x);
enum run_result sim_op_iaa(struct sim_exec *x);
/* Validate the current descriptor; 0 if good, else the status to report. */
uint8_t sim_validate(struct sim_exec *x, bool batch_member);
/* The IAA part of sim_validate() (ops_iaa.c). */
uint8_t sim_validate_iaa(struct sim_exec *x, bool batch_member);

/* Shared helpers of exec.c used by ops_dsa.c and ops_iaa.c */
/* Translate; on FAULT start a page-request wait (block on fault) or prepare
 * a partial completion. See exec.c for the contract. */
enum xlate_outcome {
	XO_OK,      /* every range accessible for len bytes */
	XO_PARTIAL, /* no block on fault: *prefix bytes accessible, range *limiting faults */
	XO_WAIT,    /* page request raised: come back later */
	XO_DONE,    /* the operation was completed with an error status */
};
struct xrange {
	uint64_t addr;
	uint32_t perm;
};
enum xlate_outcome sim_xlate_ranges(struct sim_exec *x, const struct xrange *r, unsigned int n,
				    uint64_t len, bool block, uint64_t *prefix,
				    unsigned int *limiting);
/* Prepare the completion record of the current operation. */
void sim_complete(struct sim_exec *x, uint8_t status);
/* Resolve a pending wait: 1 resumed, 0 still waiting, <0 the status to fail with. */
int sim_wait_check(struct sim_exec *x);
/* Complete the current operation after sim_wait_check() returned @r < 0. */
void sim_wait_failed(struct sim_exec *x, int r);
/* An operation waiting on a page response for its data: RUN_WAIT (still
 * waiting), RUN_DONE (the wait failed: completed with its status), or -1
 * (not waiting, or the page is there now: go on). */
int sim_resume_data_wait(struct sim_exec *x);

/* Whether n bytes at p are all zero (reserved fields), a word at a time. */
static inline bool sim_zero(const uint8_t *p, size_t n)
{
	uint64_t acc = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* Flags outside @valid (and block on fault where the work queues refuse it):
 * @status, with the offending flags in the record; else 0. */
static inline uint8_t sim_check_flags(struct sim_exec *x, uint32_t flags, uint32_t valid,
				      uint8_t status)
{
	uint32_t bad = flags & ~valid;
	if ((flags & IDXD_OP_FLAG_BOF) && x->dev->conf.no_block_on_fault)
		bad |= IDXD_OP_FLAG_BOF;
	if (!bad)
		return 0;
	memcpy(x->cr + 16, &bad, 3); /* 24 flag bits */
	return status;
}

/* aecs (ops_iaa.c) */
void sim_aecs_release_all(struct sim_dsa *dev);
/* After a guard fault: give back the AECS slot the operation held, if any
 * (its stream is gone). */
void sim_aecs_abort(struct sim_exec *x);

#endif
