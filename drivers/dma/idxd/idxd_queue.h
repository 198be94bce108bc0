/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The DSA/IAA queue data path, written once for every backend: descriptor
 * ring, batching, completion parsing, and partial-completion handling (hand
 * the fault to the fault handler, resubmit the remainder, keep completions in
 * order). A backend supplies a portal: how a 64-byte descriptor reaches the
 * device (MOVDIR64B/ENQCMD to a mapped portal, write() on the work-queue fd,
 * or the software device's portal).
 */
#ifndef IDXD_QUEUE_H
#define IDXD_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sva_dma.h"

struct sva_iopf;
struct sva_iopf_swq;

/** How descriptors reach the device. */
struct idxd_portal_ops {
	/** Hand one 64-byte descriptor over. @return 0, or -EAGAIN (full, retry later). */
	int (*submit)(void *portal, const void *desc);
	/** Lend the caller's time to a device model that executes inline (NULL for hardware). */
	void (*poll)(void *portal);
};

/** Queue parameters. */
struct idxd_queue_conf {
	const char *name;              /**< for logs */
	bool iaa;                      /**< IAA descriptors/records (else DSA) */
	uint16_t nb_desc;              /**< ring size, power of two */
	uint32_t pasid;                /**< informational: the device stamps the real one */
	bool block_on_fault;           /**< set BOF in every descriptor */
	uint16_t max_batch;            /**< operations per batch descriptor (< 2: no batching) */
	const struct idxd_portal_ops *portal_ops;
	void *portal;
	struct sva_iopf_swq *pc_swq;   /**< where partial-completion faults go (and its handler) */
	uint32_t fault_timeout_ms;     /**< give up waiting for a fault answer after this */
	int numa_node;                 /**< ring memory node, -1: any */
	struct sva_as *map_as;         /**< managed space to map the rings into, or NULL */
	bool remote_device;            /**< the device reads descriptors from another core
					    (or memory): write them with streaming stores */
};

struct idxd_queue;

/** Create. @return the queue, or NULL (errno). */
struct idxd_queue *idxd_queue_create(const struct idxd_queue_conf *conf);

/** The SVA_CAPA_OP() bits of the operations an IAA (@p iaa) or DSA queue has. */
uint64_t idxd_queue_capa_ops(bool iaa);

/** Fill the fast-path slots for @p q (the operations of idxd_queue_capa_ops()). */
void idxd_queue_fill_fp(struct idxd_queue *q, struct sva_queue_fp *fp);

/**
 * Submit what is enqueued and progress faults until every submitted
 * operation has a final status (not reaped). @return 0 or -ETIMEDOUT.
 */
int idxd_queue_drain(struct idxd_queue *q, uint32_t timeout_ms);

/**
 * As idxd_queue_drain(), but give up only when no operation got its final
 * status for @p idle_ms: for teardown, where each operation is bounded (by
 * the page-response timeouts) but many may be waiting one after the other.
 * Logs nothing. @return 0 or -ETIMEDOUT.
 */
int idxd_queue_drain_progress(struct idxd_queue *q, uint32_t idle_ms);

/** Free (call idxd_queue_drain() first, and close the portal). */
void idxd_queue_free(struct idxd_queue *q);

/** Statistics. */
void idxd_queue_stats(const struct idxd_queue *q, struct sva_queue_stats *st);
void idxd_queue_stats_reset(struct idxd_queue *q);

/** Print ring state. */
void idxd_queue_dump(const struct idxd_queue *q, FILE *f);

/** Map a device completion status (DSA or IAA) to an svadk status. */
enum sva_status idxd_status_to_sva(uint8_t status, bool iaa);

#endif
