/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * DPDK integration: how a DPDK application adopts svadk.
 *
 * Built only when libdpdk is found (SVA_HAVE_DPDK). Include it after the
 * DPDK headers an application uses anyway; it needs <rte_config.h>,
 * <rte_lcore.h> and <rte_mbuf.h>, which it includes itself.
 *
 * - The EAL: sva_dpdk_eal_ensure() initialises it with safe defaults when the
 *   application has not (the dmadev adapter "dpdk:NAME" calls it).
 * - The IO page-fault handler as a DPDK service
 *   (sva_dpdk_iopf_service_create()): map it to a service lcore, or run it
 *   from an application lcore between bursts.
 * - One svadk queue per lcore (sva_dpdk_lcore_queues_create(),
 *   sva_dpdk_lcore_queue()): the run-to-completion model, one queue and one
 *   PASID per lcore, no locks.
 * - mbuf helpers: enqueue DMA copies of a packet's data, single or chained
 *   segments, between mbufs and plain process memory by virtual address.
 *   No IOVA is ever computed and nothing is registered: the queue's PASID is
 *   bound to the process address space, so any pointer the CPU can use is
 *   one the device can use.
 *
 * Errors are -errno, as everywhere in svadk; failures are logged under the
 * log type "dpdk".
 */
#ifndef SVA_DPDK_H
#define SVA_DPDK_H

#include <rte_config.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <stdint.h>

#include "sva_dma.h"

struct sva_iopf;

/* --- EAL --------------------------------------------------------------------- */

/**
 * Make sure the DPDK EAL is initialised.
 *
 * When the application already called rte_eal_init(), nothing is done. When
 * not, the EAL is initialised from the calling thread with defaults that do
 * not need hugepages, root-owned runtime files or PCI devices, and do not pin
 * the caller to one CPU:
 *
 *     --no-huge --no-shconf --no-pci --no-telemetry --iova-mode=va
 *     --lcores=0@(CPUs the caller may run on) --log-level=warning
 *
 * The environment variable SVADK_EAL_ARGS (arguments separated by blanks)
 * replaces these defaults; the --lcores argument above is still added unless
 * it has one of -l, -c or --lcores. The EAL stays initialised until the
 * process exits (DPDK cannot initialise it twice).
 *
 * @return 1 (initialised now), 0 (it was already), or -errno
 *         (-rte_errno of rte_eal_init(): the reason is logged).
 */
int sva_dpdk_eal_ensure(void);

/**
 * Call @p fn(@p arg) from a DPDK control thread and wait for it.
 *
 * After rte_eal_init() the main thread is pinned to its lcore's CPU, and
 * every thread it creates inherits that: the engine threads of a software
 * device (dsa_sim) or the fault handler's own thread would then share the
 * CPU of a polling lcore, and barely run. Threads created inside @p fn
 * inherit the EAL's control-thread CPUs instead (the CPUs no lcore uses, or
 * all of them when every CPU is an lcore). Open devices and start handler
 * threads through it:
 *
 *     static int open_dev(void *arg) { ... sva_dev_open(...) ...; sva_iopf_start(pf, -1); }
 *     rc = sva_dpdk_call_on_ctrl_cpus(open_dev, &ctx);
 *
 * @return what @p fn returned, or -errno when the thread cannot be created.
 */
int sva_dpdk_call_on_ctrl_cpus(int (*fn)(void *arg), void *arg);

/* --- the IO page-fault handler as a DPDK service ------------------------------ */

/** Configuration of the fault-handler service; zero fields take the defaults. */
struct sva_dpdk_iopf_service_conf {
	const char *name;    /**< service name (default "svadk_iopf"; unique) */
	unsigned int budget; /**< records per call of the service (default 64) */
};

/** A fault handler registered as a DPDK service. */
struct sva_dpdk_iopf_service;

/**
 * Register @p pf as a DPDK service that calls sva_iopf_poll(pf, budget) on
 * every iteration, and set it running. It runs only where it is mapped
 * (sva_dpdk_iopf_service_map_lcore()) or where the application runs it
 * (sva_dpdk_iopf_service_run()). Do not also start the handler's own thread
 * (sva_iopf_start()): the service would then only answer -EBUSY.
 * @p conf may be NULL.
 * @return the service, or NULL with errno: EINVAL, ENOMEM, EEXIST (the name
 *         is taken), or the error of rte_service_component_register().
 */
struct sva_dpdk_iopf_service *
sva_dpdk_iopf_service_create(struct sva_iopf *pf, const struct sva_dpdk_iopf_service_conf *conf);

/** The DPDK service id, for rte_service_*() calls of the application. */
uint32_t sva_dpdk_iopf_service_id(const struct sva_dpdk_iopf_service *svc);

/**
 * Run the service on the service lcore @p lcore: make @p lcore a service
 * lcore if it is not one yet (it must not be the main lcore, nor run
 * application work), map the service to it and start it.
 * @return 0, -EINVAL (bad lcore, or the main lcore), -EBUSY (the lcore runs
 *         application work), or the error of rte_service_*().
 */
int sva_dpdk_iopf_service_map_lcore(struct sva_dpdk_iopf_service *svc, unsigned int lcore);

/**
 * Run one iteration of the service from the calling application lcore (the
 * run-to-completion alternative to a service lcore). Cheap when no fault is
 * queued.
 * @return 0 (ran), -EBUSY (it runs elsewhere right now), -ENOEXEC (not running).
 */
int sva_dpdk_iopf_service_run(struct sva_dpdk_iopf_service *svc);

/**
 * Stop the service, unmap it from the lcores this module mapped it to (and
 * stop and remove service lcores it added that have no other service), wait
 * until no lcore runs it, unregister it and free @p svc. The fault handler
 * itself is left as it is. Safe on NULL.
 * @return 0, or -ETIMEDOUT (an lcore still runs it after 1 s: not freed).
 */
int sva_dpdk_iopf_service_destroy(struct sva_dpdk_iopf_service *svc);

/* --- one queue per lcore ------------------------------------------------------- */

/** Which lcores get a queue at creation. */
#define SVA_DPDK_LCORES_WORKERS (1u << 0) /**< every worker lcore (not service lcores) */
#define SVA_DPDK_LCORES_MAIN (1u << 1)    /**< the main lcore */

/**
 * A table of svadk queues indexed by lcore id: each lcore gets its own queue
 * (and so its own PASID), used from that lcore only.
 */
struct sva_dpdk_lcore_queues {
	struct sva_dev *dev;                    /**< device of every queue */
	struct sva_queue_conf conf;             /**< configuration of every queue */
	unsigned int nb_queues;                 /**< queues created */
	struct sva_queue *queue[RTE_MAX_LCORE]; /**< by lcore id; NULL: none */
};

/**
 * Create the table and a queue for each lcore that @p which selects
 * (SVA_DPDK_LCORES_*; 0: none yet, add them with
 * sva_dpdk_lcore_queues_add()). @p conf may be NULL (defaults).
 * @return the table, or NULL with errno: EINVAL, ENOMEM, or the errno of
 *         sva_queue_create() (e.g. ENOSPC: more lcores than device queues).
 */
struct sva_dpdk_lcore_queues *sva_dpdk_lcore_queues_create(struct sva_dev *dev,
							   const struct sva_queue_conf *conf,
							   unsigned int which);

/**
 * Create the queue of lcore @p lcore_id.
 * @return 0, -EINVAL (bad lcore id, or not an enabled lcore), -EEXIST,
 *         or -errno of sva_queue_create().
 */
int sva_dpdk_lcore_queues_add(struct sva_dpdk_lcore_queues *t, unsigned int lcore_id);

/** Queue of lcore @p lcore_id, or NULL. */
static inline struct sva_queue *sva_dpdk_lcore_queue_of(const struct sva_dpdk_lcore_queues *t,
							unsigned int lcore_id)
{
	return lcore_id < RTE_MAX_LCORE ? t->queue[lcore_id] : NULL;
}

/** Queue of the calling lcore, or NULL (no queue, or not an EAL thread). */
static inline struct sva_queue *sva_dpdk_lcore_queue(const struct sva_dpdk_lcore_queues *t)
{
	return sva_dpdk_lcore_queue_of(t, rte_lcore_id());
}

/**
 * Destroy every queue (each drains first) and free the table. Call it when
 * no lcore uses its queue any more. Safe on NULL.
 */
void sva_dpdk_lcore_queues_free(struct sva_dpdk_lcore_queues *t);

/* --- mbuf helpers -------------------------------------------------------------- */

/*
 * Each helper enqueues one copy per contiguous piece (one per segment
 * touched; mbuf to mbuf: one per piece where both chains are contiguous),
 * all or nothing: when the queue cannot take them all it enqueues none and
 * returns -ENOSPC. SVA_OP_FLAG_FENCE applies to the first operation,
 * SVA_OP_FLAG_SUBMIT to the last. The return value is the ring index of the
 * last operation: when it completes, the whole copy has (completions are in
 * order). The mbufs and the memory must stay valid until then; the helpers
 * neither change the mbufs' lengths nor take references.
 */

/**
 * Number of copy operations a helper needs for bytes [@p off, @p off + @p len)
 * of the packet @p m (segments touched, empty ones skipped).
 */
uint16_t sva_dpdk_mbuf_nb_ops(const struct rte_mbuf *m, uint32_t off, uint32_t len);

/**
 * Copy @p len bytes of packet data from offset @p off of @p m (chained or
 * not) to the process memory @p dst.
 * @param q the calling lcore's queue
 * @param dst destination, any process memory
 * @param m the packet
 * @param off offset in the packet's data
 * @param len bytes to copy (at least 1)
 * @param flags SVA_OP_FLAG_FENCE (first operation), SVA_OP_FLAG_SUBMIT (last)
 * @param nb_ops if not NULL, receives the number of operations enqueued
 * @return the ring index of the last operation; -EINVAL (NULL argument,
 *         len 0, or the range passes the end of the packet), -ENOSPC (no
 *         room; also a stopped device when several operations are needed),
 *         -EIO (device stopped), -ENOTSUP. An error after the first
 *         operation (the device stopped meanwhile) leaves @p nb_ops
 *         operations enqueued.
 */
int sva_dpdk_copy_from_mbuf(struct sva_queue *q, void *dst, const struct rte_mbuf *m,
			    uint32_t off, uint32_t len, uint64_t flags, uint16_t *nb_ops);

/**
 * Copy @p len bytes from the process memory @p src into the packet data of
 * @p m at offset @p off. The range must lie within the packet's current
 * data (set the lengths first, e.g. with rte_pktmbuf_append()).
 * @return as sva_dpdk_copy_from_mbuf().
 */
int sva_dpdk_copy_to_mbuf(struct sva_queue *q, struct rte_mbuf *m, uint32_t off, const void *src,
			  uint32_t len, uint64_t flags, uint16_t *nb_ops);

/**
 * Copy @p len bytes of packet data from @p src at @p src_off to @p dst at
 * @p dst_off; the two chains may be segmented differently.
 * @return as sva_dpdk_copy_from_mbuf().
 */
int sva_dpdk_copy_mbuf(struct sva_queue *q, struct rte_mbuf *dst, uint32_t dst_off,
		       const struct rte_mbuf *src, uint32_t src_off, uint32_t len,
		       uint64_t flags, uint16_t *nb_ops);

#endif
