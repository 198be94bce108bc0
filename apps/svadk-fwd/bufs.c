/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-fwd: the buffers copies go to. Plain process memory: one anonymous
 * mapping, not touched by the CPU before a copy lands in it, so that the
 * first DMA into each page faults and the IO page-fault handler resolves it.
 * The free list and the external-buffer descriptors live elsewhere for the
 * same reason. A transmitted mbuf carries a buffer as an external buffer;
 * when the PMD (or whoever receives it) frees the mbuf, the buffer comes
 * back here. */
#include <rte_config.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fwd.h"

static void buf_free_cb(void *addr, void *opaque)
{
	struct fwd_bufs *b = opaque;
	/* The free list holds every buffer at most once: it cannot be full. */
	rte_ring_enqueue(b->free, addr);
}

int fwd_bufs_init(struct fwd_bufs *b, uint32_t nb, uint32_t buf_size)
{
	memset(b, 0, sizeof(*b));
	if (buf_size > UINT16_MAX || buf_size <= RTE_PKTMBUF_HEADROOM || nb == 0)
		return -EINVAL;
	b->nb = nb;
	b->buf_size = buf_size;
	b->size = (size_t)nb * buf_size;
	b->base = mmap(NULL, b->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (b->base == MAP_FAILED) {
		b->base = NULL;
		return -errno;
	}
	b->shinfo = calloc(nb, sizeof(*b->shinfo));
	b->free = rte_ring_create("fwd_bufs", rte_align32pow2(nb + 1), SOCKET_ID_ANY, 0);
	if (!b->shinfo || !b->free) {
		int e = b->free ? ENOMEM : rte_errno;
		fwd_bufs_fini(b);
		return -e;
	}
	b->iova_va = rte_eal_iova_mode() == RTE_IOVA_VA;
	for (uint32_t i = 0; i < nb; i++) {
		b->shinfo[i].free_cb = buf_free_cb;
		b->shinfo[i].fcb_opaque = b;
		rte_ring_enqueue(b->free, b->base + (size_t)i * buf_size);
	}
	return 0;
}

void fwd_bufs_fini(struct fwd_bufs *b)
{
	rte_ring_free(b->free);
	free(b->shinfo);
	if (b->base)
		munmap(b->base, b->size);
	memset(b, 0, sizeof(*b));
}

void fwd_bufs_attach(struct fwd_bufs *b, struct rte_mbuf *m, void *buf, uint32_t len)
{
	size_t idx = (size_t)((uint8_t *)buf - b->base) / b->buf_size;
	struct rte_mbuf_ext_shared_info *sh = &b->shinfo[idx];
	rte_mbuf_ext_refcnt_set(sh, 1);
	/* Software PMDs (ring, null, pcap, af_packet) read data by virtual
	 * address. A NIC would need the mapping DMA-mapped for itself (see
	 * doc/guides/dpdk.md); it gets no IOVA here unless IOVA = VA. */
	rte_iova_t iova = b->iova_va ? (rte_iova_t)(uintptr_t)buf : RTE_BAD_IOVA;
	rte_pktmbuf_attach_extbuf(m, buf, iova, (uint16_t)b->buf_size, sh);
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
}
