/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-fwd: the forwarding loop of one lcore.
 *
 * Each received packet gets a fresh buffer of plain process memory; its data
 * is copied there (by DMA through the lcore's own svadk queue, or by the
 * CPU), the copy is what is transmitted, and the received mbuf is freed.
 * DMA copies of a burst are enqueued, the doorbell rung once, and finished
 * copies are collected in order on later iterations, so that the lcore keeps
 * receiving while the device copies. */
#include <rte_config.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#include <errno.h>
#include <string.h>

#include "fwd.h"

static inline void cnt_add(uint64_t *c, uint64_t n)
{
	/* One writer per counter; the stats printer reads it concurrently. */
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static inline void mac_update(struct rte_mbuf *m, uint16_t tx_port)
{
	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr))
		return;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	/* 02:00:00:00:00:<tx port>, from the port's own address */
	static const uint8_t base[RTE_ETHER_ADDR_LEN] = {0x02, 0, 0, 0, 0, 0};
	memcpy(eth->dst_addr.addr_bytes, base, RTE_ETHER_ADDR_LEN);
	eth->dst_addr.addr_bytes[5] = (uint8_t)tx_port;
	rte_ether_addr_copy(&fwd.mac[tx_port], &eth->src_addr);
}

static void tx_flush(struct fwd_lcore *lc, struct fwd_rx *r)
{
	if (!r->nb_tx)
		return;
	uint16_t sent = rte_eth_tx_burst(r->tx_port, r->tx_queue, r->tx, r->nb_tx);
	cnt_add(&lc->st[r->tx_port].tx, sent);
	if (sent < r->nb_tx) {
		rte_pktmbuf_free_bulk(r->tx + sent, r->nb_tx - sent);
		cnt_add(&lc->st[r->tx_port].dropped, r->nb_tx - sent);
	}
	r->nb_tx = 0;
}

/* The copy of a packet is ready: transmit it (buffered), free the original. */
static inline void tx_one(struct fwd_lcore *lc, struct fwd_rx *r, struct rte_mbuf *copy)
{
	if (fwd.c.mac_update)
		mac_update(copy, r->tx_port);
	r->tx[r->nb_tx++] = copy;
	if (r->nb_tx == fwd.c.burst)
		tx_flush(lc, r);
}

static void drop(struct fwd_lcore *lc, struct fwd_rx *r, struct rte_mbuf *orig,
		 struct rte_mbuf *copy)
{
	rte_pktmbuf_free(orig);
	if (copy)
		rte_pktmbuf_free(copy); /* gives its buffer back */
	cnt_add(&lc->st[r->tx_port].dropped, 1);
}

/* --- DMA completions ------------------------------------------------------------- */

static inline uint32_t fifo_count(const struct fwd_lcore *lc)
{
	return lc->fifo_tail - lc->fifo_head;
}

/* Collect finished copies, in order. @return packets finished. */
static unsigned int reap(struct fwd_lcore *lc)
{
	enum sva_status st[FWD_MAX_BURST];
	unsigned int pkts = 0;
	int last_rx = -1;
	while (fifo_count(lc)) {
		uint16_t last;
		uint16_t n = sva_completed_status(lc->q, FWD_MAX_BURST, &last, st);
		if (!n)
			break;
		for (uint16_t i = 0; i < n && fifo_count(lc);) {
			struct fwd_pkt *p = &lc->fifo[lc->fifo_head & lc->fifo_mask];
			uint16_t take = RTE_MIN((uint16_t)(p->nb_ops - p->done), (uint16_t)(n - i));
			for (uint16_t k = 0; k < take; k++)
				p->err |= st[i + k] != SVA_STATUS_SUCCESS;
			p->done = (uint16_t)(p->done + take);
			i = (uint16_t)(i + take);
			if (p->done < p->nb_ops)
				break; /* the rest comes with the next reap */
			struct fwd_rx *r = &lc->rx[p->rx];
			last_rx = p->rx;
			if (p->err) {
				cnt_add(&lc->st[r->port].dma_errors, 1);
				drop(lc, r, p->orig, p->copy);
			} else {
				rte_pktmbuf_free(p->orig);
				tx_one(lc, r, p->copy);
			}
			lc->fifo_head++;
			pkts++;
		}
		if (n < FWD_MAX_BURST)
			break;
	}
	if (pkts && lc->count_faults) {
		/* Faults the library handled for this queue (partial-completion
		 * mode only: blocking faults never reach the queue) are counted
		 * against the port whose copies just finished. */
		struct sva_queue_stats qs;
		if (sva_queue_stats_get(lc->q, &qs) == 0 && qs.faults != lc->q_faults) {
			cnt_add(&lc->st[lc->rx[last_rx].port].faults, qs.faults - lc->q_faults);
			lc->q_faults = qs.faults;
		}
	}
	return pkts;
}

/* --- a received burst ------------------------------------------------------------ */

static void cpu_copy(struct rte_mbuf *copy, const struct rte_mbuf *m)
{
	uint8_t *dst = rte_pktmbuf_mtod(copy, uint8_t *);
	for (const struct rte_mbuf *s = m; s; s = s->next) {
		rte_memcpy(dst, rte_pktmbuf_mtod(s, const void *), s->data_len);
		dst += s->data_len;
	}
}

static void handle_burst(struct fwd_lcore *lc, uint8_t ri, struct rte_mbuf **pkts, uint16_t n)
{
	struct fwd_rx *r = &lc->rx[ri];
	void *bufs[FWD_MAX_BURST];
	struct rte_mbuf *copies[FWD_MAX_BURST];
	uint32_t room = fwd.bufs.buf_size - RTE_PKTMBUF_HEADROOM;
	unsigned int nb = fwd_bufs_get(&fwd.bufs, bufs, n);
	if (nb && rte_pktmbuf_alloc_bulk(fwd.ext_pool, copies, nb) != 0) {
		fwd_bufs_put(&fwd.bufs, bufs, nb);
		nb = 0;
	}
	bool enqueued = false;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		if (i >= nb || m->pkt_len > room) {
			if (i < nb) {
				fwd_bufs_put(&fwd.bufs, &bufs[i], 1);
				rte_pktmbuf_free(copies[i]);
			}
			drop(lc, r, m, NULL);
			continue;
		}
		struct rte_mbuf *copy = copies[i];
		fwd_bufs_attach(&fwd.bufs, copy, bufs[i], m->pkt_len);
		copy->port = r->tx_port;
		if (fwd.c.copy == FWD_COPY_CPU) {
			cpu_copy(copy, m);
			rte_pktmbuf_free(m);
			tx_one(lc, r, copy);
			continue;
		}
		uint16_t nb_ops = 0;
		int rc = -ENOSPC;
		if (fifo_count(lc) <= lc->fifo_mask)
			rc = sva_dpdk_copy_from_mbuf(lc->q, rte_pktmbuf_mtod(copy, void *), m, 0,
						     m->pkt_len, 0, &nb_ops);
		if (rc == -ENOSPC) {
			/* Ring (or in-flight list) full: ring the doorbell, make
			 * room, and try once more. */
			sva_submit(lc->q);
			reap(lc);
			if (fifo_count(lc) <= lc->fifo_mask)
				rc = sva_dpdk_copy_from_mbuf(lc->q, rte_pktmbuf_mtod(copy, void *), m,
							     0, m->pkt_len, 0, &nb_ops);
		}
		if (rc < 0 && nb_ops) {
			/* Part of the copy was enqueued before the queue refused
			 * (device stopped): drop the packet when that part ends. */
			lc->fifo[lc->fifo_tail++ & lc->fifo_mask] = (struct fwd_pkt){
				.orig = m, .copy = copy, .nb_ops = nb_ops, .err = 1, .rx = ri,
			};
			enqueued = true;
			continue;
		}
		if (rc < 0) {
			if (rc != -ENOSPC)
				cnt_add(&lc->st[r->port].dma_errors, 1);
			drop(lc, r, m, copy);
			continue;
		}
		lc->fifo[lc->fifo_tail++ & lc->fifo_mask] = (struct fwd_pkt){
			.orig = m, .copy = copy, .nb_ops = nb_ops, .rx = ri,
		};
		enqueued = true;
	}
	if (enqueued)
		sva_submit(lc->q);
}

/* --- the loop -------------------------------------------------------------------- */

static inline bool room_for_burst(const struct fwd_lcore *lc, uint16_t burst)
{
	if (rte_ring_count(fwd.bufs.free) < burst)
		return false;
	if (fwd.c.copy != FWD_COPY_DMA)
		return true;
	return lc->fifo_mask + 1u - fifo_count(lc) >= burst && sva_burst_capacity(lc->q) >= burst;
}

int fwd_lcore_main(void *arg)
{
	struct fwd_lcore *lc = arg;
	struct rte_mbuf *pkts[FWD_MAX_BURST];
	uint16_t burst = fwd.c.burst;
	bool dma = fwd.c.copy == FWD_COPY_DMA;
	while (!__atomic_load_n(&fwd.quit, __ATOMIC_RELAXED)) {
		for (unsigned int i = 0; i < lc->nb_rx; i++) {
			struct fwd_rx *r = &lc->rx[i];
			/* Back-pressure: receive only what can be copied now; the
			 * rest waits in the port's rx ring (where a NIC counts
			 * what overflows as missed). */
			if (!room_for_burst(lc, burst))
				break;
			uint16_t n = rte_eth_rx_burst(r->port, r->queue, pkts, burst);
			if (n) {
				cnt_add(&lc->st[r->port].rx, n);
				handle_burst(lc, (uint8_t)i, pkts, n);
			}
		}
		if (dma)
			reap(lc);
		for (unsigned int i = 0; i < lc->nb_rx; i++)
			tx_flush(lc, &lc->rx[i]);
		if (lc->run_service)
			sva_dpdk_iopf_service_run(fwd.svc);
	}
	/* Finish what is in flight (bounded: a copy that never completes is a
	 * device bug, reported as dropped below). */
	uint64_t deadline = rte_get_timer_cycles() + 10 * rte_get_timer_hz();
	while (dma && fifo_count(lc) && rte_get_timer_cycles() < deadline) {
		reap(lc);
		if (lc->run_service)
			sva_dpdk_iopf_service_run(fwd.svc);
	}
	for (unsigned int i = 0; i < lc->nb_rx; i++)
		tx_flush(lc, &lc->rx[i]);
	if (dma && fifo_count(lc)) {
		/* The device may still write into these buffers: do not reuse them. */
		cnt_add(&lc->st[lc->rx[0].tx_port].dropped, fifo_count(lc));
		lc->fifo_head = lc->fifo_tail;
	}
	return 0;
}

/* --- traffic for benchmarks -------------------------------------------------------- */

int fwd_generate(uint32_t count, uint32_t size)
{
	if (size < sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
			   sizeof(struct rte_udp_hdr) || size > RTE_MBUF_DEFAULT_DATAROOM)
		return -EINVAL;
	for (uint16_t pi = 0; pi < fwd.nb_ports; pi++) {
		uint16_t port = fwd.ports[pi];
		for (uint32_t k = 0; k < count;) {
			struct rte_mbuf *b[FWD_MAX_BURST];
			uint16_t n = (uint16_t)RTE_MIN(count - k, (uint32_t)FWD_MAX_BURST);
			if (rte_pktmbuf_alloc_bulk(fwd.rx_pool, b, n) != 0)
				return -ENOMEM;
			for (uint16_t i = 0; i < n; i++) {
				uint8_t *p = (uint8_t *)rte_pktmbuf_append(b[i], (uint16_t)size);
				struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
				struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
				struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
				memset(p, 0, size);
				eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
				rte_ether_addr_copy(&fwd.mac[port], &eth->src_addr);
				eth->dst_addr.addr_bytes[0] = 0x02;
				eth->dst_addr.addr_bytes[5] = (uint8_t)port;
				ip->version_ihl = RTE_IPV4_VHL_DEF;
				ip->time_to_live = 64;
				ip->next_proto_id = IPPROTO_UDP;
				ip->total_length = rte_cpu_to_be_16((uint16_t)(size - sizeof(*eth)));
				ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, 1));
				ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198, 18, 1, (uint8_t)port));
				ip->hdr_checksum = rte_ipv4_cksum(ip);
				udp->src_port = rte_cpu_to_be_16(1024);
				udp->dst_port = rte_cpu_to_be_16(9);
				udp->dgram_len = rte_cpu_to_be_16(
					(uint16_t)(size - sizeof(*eth) - sizeof(*ip)));
				for (uint32_t j = sizeof(*eth) + sizeof(*ip) + sizeof(*udp); j < size; j++)
					p[j] = (uint8_t)(k + i + j);
			}
			uint16_t sent = rte_eth_tx_burst(port, 0, b, n);
			if (sent < n) {
				rte_pktmbuf_free_bulk(b + sent, n - sent);
				return -ENOSPC;
			}
			k += n;
		}
	}
	return 0;
}
