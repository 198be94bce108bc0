/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What every DSA/IAA backend (the software device, kernel work queues)
 * shares besides the data path: the device's partial-completion fault queue
 * and its handler, and the queue callbacks that only forward to the data path.
 */
#ifndef IDXD_BACKEND_H
#define IDXD_BACKEND_H

#include "idxd_queue.h"
#include "sva_dma_driver.h"
#include "sva_iopf_swq.h"

/** Partial-completion faults of one device. */
struct idxd_pc {
	struct sva_iopf_swq *swq; /**< the queues raise their faults here; keeps the handler */
};

/** Create the fault queue; @p lookup_as maps a PASID to its address space. @return 0 or -errno. */
int idxd_pc_create(struct idxd_pc *pc, const char *devname,
		   struct sva_as *(*lookup_as)(void *arg, uint32_t pasid), void *arg);

/** Free it (answering what is queued). */
void idxd_pc_destroy(struct idxd_pc *pc);

/** Register the fault queue with @p pf. @return 0 or -errno. */
int idxd_pc_attach(struct idxd_pc *pc, struct sva_iopf *pf);

/** Unregister it (only forgets a handler destroyed first). @return 0, or -ENOENT (none attached). */
int idxd_pc_detach(struct idxd_pc *pc);

/** Control state every idxd backend keeps first in its sva_queue.drv_priv. */
struct idxd_backend_queue {
	struct idxd_queue *q;
};

/** sva_dev_ops callbacks that forward to the data path. */
int idxd_backend_queue_drain(struct sva_dev *dev, struct sva_queue *q, uint32_t timeout_ms);
int idxd_backend_queue_stats(struct sva_dev *dev, const struct sva_queue *q,
			     struct sva_queue_stats *st);
int idxd_backend_queue_stats_reset(struct sva_dev *dev, struct sva_queue *q);
int idxd_backend_queue_dump(struct sva_dev *dev, const struct sva_queue *q, FILE *f);

#endif
