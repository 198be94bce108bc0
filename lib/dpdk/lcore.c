/* SPDX-License-Identifier: BSD-3-Clause */
/* One svadk queue per lcore. */
#include <rte_config.h>
#include <rte_lcore.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sva_dpdk.h"
#include "sva_log.h"

struct sva_dpdk_lcore_queues *sva_dpdk_lcore_queues_create(struct sva_dev *dev,
							   const struct sva_queue_conf *conf,
							   unsigned int which)
{
	if (!dev || (which & ~(SVA_DPDK_LCORES_WORKERS | SVA_DPDK_LCORES_MAIN))) {
		errno = EINVAL;
		return NULL;
	}
	struct sva_dpdk_lcore_queues *t = calloc(1, sizeof(*t));
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->dev = dev;
	if (conf)
		t->conf = *conf;
	int rc = 0;
	unsigned int l;
	if (which & SVA_DPDK_LCORES_MAIN)
		rc = sva_dpdk_lcore_queues_add(t, rte_get_main_lcore());
	if (rc == 0 && (which & SVA_DPDK_LCORES_WORKERS)) {
		RTE_LCORE_FOREACH_WORKER(l) {
			rc = sva_dpdk_lcore_queues_add(t, l);
			if (rc < 0)
				break;
		}
	}
	if (rc < 0) {
		sva_dpdk_lcore_queues_free(t);
		errno = -rc;
		return NULL;
	}
	return t;
}

int sva_dpdk_lcore_queues_add(struct sva_dpdk_lcore_queues *t, unsigned int lcore_id)
{
	if (!t || lcore_id >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lcore_id))
		return -EINVAL;
	if (t->queue[lcore_id])
		return -EEXIST;
	struct sva_queue *q = sva_queue_create(t->dev, &t->conf);
	if (!q) {
		int e = errno;
		SVA_LOG(DPDK, ERR, "%s: no queue for lcore %u: %s", sva_dev_name(t->dev), lcore_id,
			strerror(e));
		return -e;
	}
	t->queue[lcore_id] = q;
	t->nb_queues++;
	SVA_LOG(DPDK, INFO, "%s: lcore %u -> queue with PASID %u", sva_dev_name(t->dev), lcore_id,
		sva_queue_pasid(q));
	return 0;
}

void sva_dpdk_lcore_queues_free(struct sva_dpdk_lcore_queues *t)
{
	if (!t)
		return;
	for (unsigned int l = 0; l < RTE_MAX_LCORE; l++)
		if (t->queue[l])
			sva_queue_destroy(t->queue[l]);
	free(t);
}
