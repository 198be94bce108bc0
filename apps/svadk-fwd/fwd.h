/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-fwd: shared definitions. */
#ifndef SVADK_FWD_H
#define SVADK_FWD_H

#include <rte_config.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <stdbool.h>
#include <stdint.h>

#include "sva_dma.h"
#include "sva_dpdk.h"

#define FWD_MAX_BURST 64
#define FWD_MAX_RX 16 /* rx queues one lcore serves */

enum fwd_copy { FWD_COPY_DMA, FWD_COPY_CPU };

/* Counters of one port, kept per lcore (one writer each) and summed to print. */
struct fwd_port_stats {
	uint64_t rx;
	uint64_t tx;
	uint64_t dropped;
	uint64_t dma_errors;
	uint64_t faults;
};

/* Buffers of plain process memory (an anonymous mapping never touched
 * before its first use), lent to transmitted mbufs as external buffers. */
struct fwd_bufs {
	uint8_t *base;
	size_t size;                             /* bytes of the mapping */
	uint32_t buf_size;
	uint32_t nb;
	struct rte_ring *free;                   /* indexes of free buffers */
	struct rte_mbuf_ext_shared_info *shinfo; /* one per buffer, outside the buffers */
	bool iova_va;                            /* IOVA = VA (else the PMDs get none) */
};

/* A packet whose copy is in flight. */
struct fwd_pkt {
	struct rte_mbuf *orig;
	struct rte_mbuf *copy;
	uint16_t nb_ops;
	uint16_t done;
	uint8_t err;
	uint8_t rx; /* index of the lcore's rx entry */
};

/* One rx queue an lcore serves, and where its packets go. */
struct fwd_rx {
	uint16_t port, queue;
	uint16_t tx_port, tx_queue;
	uint16_t nb_tx;
	struct rte_mbuf *tx[FWD_MAX_BURST];
};

struct fwd_lcore {
	unsigned int lcore_id;
	struct sva_queue *q;   /* this lcore's svadk queue (DMA mode) */
	unsigned int nb_rx;
	struct fwd_rx rx[FWD_MAX_RX];
	struct fwd_pkt *fifo;  /* packets in flight, in ring order */
	uint32_t fifo_mask, fifo_head, fifo_tail;
	uint64_t q_faults;     /* queue fault counter last seen */
	bool count_faults;     /* partial-completion mode: the queue reports faults */
	bool run_service;      /* run the fault-handler service between bursts */
	struct fwd_port_stats st[RTE_MAX_ETHPORTS];
} __rte_cache_aligned;

struct fwd_conf {
	uint64_t portmask;
	uint16_t nb_queues;     /* rx/tx queue pairs per port */
	enum fwd_copy copy;
	bool mac_update;
	double stats_interval;  /* s; 0: no periodic stats */
	const char *dev;        /* svadk device */
	enum sva_fault_mode fault_mode;
	bool fault_mode_set;
	bool handler_thread;    /* the handler's own thread instead of the service */
	uint16_t ring;          /* svadk ring size */
	uint16_t burst;
	uint16_t nb_rxd, nb_txd;
	uint32_t nb_bufs, buf_size;
	double duration;        /* s; 0: until a signal */
	uint32_t idle_exit_ms;  /* stop after this long without rx (after the first), 0: never */
	uint32_t gen_count;     /* packets injected per port at start */
	uint32_t gen_size;
};

/* Global state of the run. */
struct fwd {
	struct fwd_conf c;
	uint16_t ports[RTE_MAX_ETHPORTS];
	uint16_t nb_ports;
	struct rte_ether_addr mac[RTE_MAX_ETHPORTS];
	struct fwd_bufs bufs;
	struct rte_mempool *rx_pool;
	struct rte_mempool *ext_pool;
	struct sva_dev *dev;
	struct sva_iopf *pf;
	struct sva_dpdk_iopf_service *svc;
	struct sva_dpdk_lcore_queues *lq;
	struct fwd_lcore *lc[RTE_MAX_LCORE];
	unsigned int nb_fwd_lcores;
	volatile bool quit;
};

extern struct fwd fwd;

/* bufs.c */
int fwd_bufs_init(struct fwd_bufs *b, uint32_t nb, uint32_t buf_size);
void fwd_bufs_fini(struct fwd_bufs *b);
/* Take up to @n free buffers. @return how many. */
static inline unsigned int fwd_bufs_get(struct fwd_bufs *b, void **bufs, unsigned int n)
{
	return rte_ring_dequeue_burst(b->free, bufs, n, NULL);
}
/* Give back buffers that were not attached. */
static inline void fwd_bufs_put(struct fwd_bufs *b, void *const *bufs, unsigned int n)
{
	rte_ring_enqueue_bulk(b->free, bufs, n, NULL);
}
/* Lend @buf to @m as its data, @len bytes after the headroom; it returns to
 * the free list when the last reference to @m's data goes. */
void fwd_bufs_attach(struct fwd_bufs *b, struct rte_mbuf *m, void *buf, uint32_t len);

/* fwd.c */
int fwd_lcore_main(void *arg);
/* Inject @count packets of @size bytes into each port (benchmarks on
 * loopback ports). */
int fwd_generate(uint32_t count, uint32_t size);

#endif
