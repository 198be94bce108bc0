/* SPDX-License-Identifier: BSD-3-Clause */
/* Parts every DSA/IAA backend shares: see idxd_backend.h. */
#include <errno.h>
#include <stdio.h>

#include "idxd_backend.h"

int idxd_pc_create(struct idxd_pc *pc, const char *devname,
		   struct sva_as *(*lookup_as)(void *arg, uint32_t pasid), void *arg)
{
	char name[80];
	snprintf(name, sizeof(name), "%s.pc", devname);
	pc->swq = sva_iopf_swq_create(&(struct sva_iopf_swq_conf){
		.name = name, .lookup_as = lookup_as, .arg = arg});
	return pc->swq ? 0 : -ENOMEM;
}

void idxd_pc_destroy(struct idxd_pc *pc)
{
	sva_iopf_swq_free(pc->swq);
	pc->swq = NULL;
}

int idxd_pc_attach(struct idxd_pc *pc, struct sva_iopf *pf)
{
	return sva_iopf_swq_attach(pc->swq, pf);
}

int idxd_pc_detach(struct idxd_pc *pc)
{
	return sva_iopf_swq_detach(pc->swq);
}

int idxd_backend_queue_drain(struct sva_dev *dev, struct sva_queue *q, uint32_t timeout_ms)
{
	const struct idxd_backend_queue *bq = q->drv_priv;
	(void)dev;
	return idxd_queue_drain(bq->q, timeout_ms);
}

int idxd_backend_queue_stats(struct sva_dev *dev, const struct sva_queue *q,
			     struct sva_queue_stats *st)
{
	const struct idxd_backend_queue *bq = q->drv_priv;
	(void)dev;
	idxd_queue_stats(bq->q, st);
	return 0;
}

int idxd_backend_queue_stats_reset(struct sva_dev *dev, struct sva_queue *q)
{
	const struct idxd_backend_queue *bq = q->drv_priv;
	(void)dev;
	idxd_queue_stats_reset(bq->q);
	return 0;
}

int idxd_backend_queue_dump(struct sva_dev *dev, const struct sva_queue *q, FILE *f)
{
	const struct idxd_backend_queue *bq = q->drv_priv;
	(void)dev;
	idxd_queue_dump(bq->q, f);
	return 0;
}
