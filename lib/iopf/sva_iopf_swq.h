/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Software fault queue: an in-memory fault source for requesters that live in
 * this process — the software IOMMU's page-request queue, and DMA queues that
 * hand partial-completion faults to the handler.
 *
 * A requester raises a group of page requests and gets a ticket; the handler
 * reads the records (lock-free, bounded), resolves them and answers the group;
 * the requester polls its ticket. Overflow (queue or group slots exhausted)
 * fails the raise with -ENOSPC and is counted: nothing is dropped silently.
 * A requester that gives up (timeout) cancels its ticket; the group stays in
 * flight until the handler answers it, and only then is its slot reused.
 */
#ifndef SVA_IOPF_SWQ_H
#define SVA_IOPF_SWQ_H

#include <stdbool.h>
#include <stdint.h>

#include "sva_iopf.h"

struct sva_iopf_swq;

/** One page of a group being raised. */
struct sva_iopf_page {
	uint64_t addr; /**< faulting address */
	uint32_t perm; /**< SVA_PERM_READ / SVA_PERM_WRITE */
};

/** Creation parameters. */
struct sva_iopf_swq_conf {
	const char *name;   /**< for logs */
	uint32_t depth;     /**< records the queue holds (default 1024) */
	uint32_t groups;    /**< open groups at once (default 512, max 65536) */
	/** Address space of @p pasid with a reference, or NULL (→ INVALID). */
	struct sva_as *(*lookup_as)(void *arg, uint32_t pasid);
	/** Called once per answered group (e.g. to release a PASID). May be NULL. */
	void (*group_done)(void *arg, uint32_t pasid);
	void *arg;          /**< first argument of lookup_as and group_done */
};

/** Ticket states returned by sva_iopf_swq_check(). */
#define SVA_IOPF_SWQ_PENDING (-EINPROGRESS)

/** Counters of a software fault queue. */
struct sva_iopf_swq_stats {
	uint64_t raised;     /**< groups queued */
	uint64_t records;    /**< records queued */
	uint64_t overflow;   /**< raises refused: queue or group slots full */
	uint64_t answered;   /**< groups answered by the handler */
	uint64_t cancelled;  /**< groups abandoned by their requester */
	uint64_t stale;      /**< responses for unknown tickets (ignored) */
};

/** Create a queue. @return it, or NULL (errno: EINVAL, ENOMEM). */
struct sva_iopf_swq *sva_iopf_swq_create(const struct sva_iopf_swq_conf *conf);

/**
 * Free a queue. Records still queued are answered INVALID first, through
 * their tickets; tickets must not be used afterwards.
 */
void sva_iopf_swq_free(struct sva_iopf_swq *q);

/** Source interface: register with sva_iopf_add_source(h, &sva_iopf_swq_ops, q). */
extern const struct sva_iopf_source_ops sva_iopf_swq_ops;

/**
 * Raise a group of @p n page requests (1..64) for @p pasid. Lock-free; any
 * number of threads may raise at once.
 * @param q      the queue
 * @param pasid  PASID of the requester, handed to lookup_as and group_done
 * @param pages  the @p n pages, in order (the last one closes the group)
 * @param n      number of pages, 1..64
 * @param ticket receives the group's ticket
 * @return 0, -EINVAL, or -ENOSPC (overflow: counted, nothing queued).
 */
int sva_iopf_swq_raise(struct sva_iopf_swq *q, uint32_t pasid, const struct sva_iopf_page *pages,
		       unsigned int n, uint64_t *ticket);

/**
 * State of a ticket: SVA_IOPF_SWQ_PENDING, or the answer (SVA_IOPF_SUCCESS /
 * SVA_IOPF_INVALID), after which the ticket is consumed.
 * @return the state, or -EINVAL for an unknown ticket.
 */
int sva_iopf_swq_check(struct sva_iopf_swq *q, uint64_t ticket);

/** Abandon a pending ticket (requester timeout). Safe on an answered one. */
void sva_iopf_swq_cancel(struct sva_iopf_swq *q, uint64_t ticket);

/**
 * Whether a fault handler reads the queue: from sva_iopf_add_source() until
 * the source is removed, by sva_iopf_remove_source() or by
 * sva_iopf_destroy() of the handler.
 */
bool sva_iopf_swq_attached(const struct sva_iopf_swq *q);

/**
 * Register the queue with the handler @p pf (sva_iopf_add_source()) and
 * remember it: sva_iopf_swq_handler() returns it until the handler lets go of
 * the queue, by sva_iopf_swq_detach() or by sva_iopf_destroy(). Destroying
 * the handler before detaching is allowed.
 * @return 0; -EINVAL; -EBUSY (a handler reads the queue); or the error of
 *         sva_iopf_add_source().
 */
int sva_iopf_swq_attach(struct sva_iopf_swq *q, struct sva_iopf *pf);

/**
 * Undo sva_iopf_swq_attach(), answering what is queued. If the handler was
 * destroyed meanwhile it let go already: this call then only forgets it.
 * @return 0, or -ENOENT (not attached by sva_iopf_swq_attach(), or detached).
 */
int sva_iopf_swq_detach(struct sva_iopf_swq *q);

/** The handler of sva_iopf_swq_attach() while it reads the queue, else NULL. */
struct sva_iopf *sva_iopf_swq_handler(const struct sva_iopf_swq *q);

/** Groups raised and not yet answered. */
uint32_t sva_iopf_swq_in_flight(const struct sva_iopf_swq *q);

/** Fill @p st. */
void sva_iopf_swq_stats_get(const struct sva_iopf_swq *q, struct sva_iopf_swq_stats *st);

#endif
