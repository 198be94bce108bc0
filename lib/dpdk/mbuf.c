/* SPDX-License-Identifier: BSD-3-Clause */
/* DMA copies of packet data between mbufs and process memory, by virtual
 * address: the queue's PASID is bound to the process address space, so the
 * segments' data pointers go to the device as they are. */
#include <rte_config.h>
#include <rte_mbuf.h>

#include <errno.h>

#include "sva_dpdk.h"

/* A position inside a chain. */
struct seg_walk {
	const struct rte_mbuf *seg;
	uint32_t off; /* within seg's data */
};

/* Position at packet offset @off; false when the chain is shorter. */
static inline bool walk_start(struct seg_walk *w, const struct rte_mbuf *m, uint32_t off)
{
	while (m && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	w->seg = m;
	w->off = off;
	return m != NULL;
}

/* Contiguous bytes at the position (skipping empty segments); 0 at the end. */
static inline uint32_t walk_avail(struct seg_walk *w)
{
	while (w->seg && w->off >= w->seg->data_len) {
		w->off -= w->seg->data_len;
		w->seg = w->seg->next;
	}
	return w->seg ? (uint32_t)(w->seg->data_len - w->off) : 0;
}

static inline char *walk_ptr(const struct seg_walk *w)
{
	return rte_pktmbuf_mtod_offset((struct rte_mbuf *)(uintptr_t)w->seg, char *, w->off);
}

/* Operations for [off, off + len) of one chain; 0 if the chain is shorter. */
static uint16_t count_ops(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	struct seg_walk w;
	uint32_t ops = 0;
	if (len == 0 || !walk_start(&w, m, off))
		return 0;
	while (len) {
		uint32_t a = walk_avail(&w);
		if (a == 0)
			return 0;
		uint32_t n = RTE_MIN(a, len);
		ops++;
		len -= n;
		w.off += n;
	}
	return ops > UINT16_MAX ? 0 : (uint16_t)ops;
}

uint16_t sva_dpdk_mbuf_nb_ops(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	return m ? count_ops(m, off, len) : 0;
}

/* Flags of the piece: FENCE on the first, SUBMIT on the last. */
static inline uint64_t piece_flags(uint64_t flags, bool first, bool last)
{
	uint64_t f = 0;
	if (first)
		f |= flags & SVA_OP_FLAG_FENCE;
	if (last)
		f |= flags & SVA_OP_FLAG_SUBMIT;
	return f;
}

/* Room for @need operations: a single one finds out by itself. */
static inline int check_room(struct sva_queue *q, uint16_t need)
{
	return need > 1 && sva_burst_capacity(q) < need ? -ENOSPC : 0;
}

/* Copy between one chain and flat memory; @to_mbuf gives the direction. */
static int chain_flat(struct sva_queue *q, const struct rte_mbuf *m, uint32_t off, char *flat,
		      uint32_t len, bool to_mbuf, uint64_t flags, uint16_t *nb_ops)
{
	if (!q || !m || !flat || len == 0 || (uint64_t)off + len > m->pkt_len)
		return -EINVAL;
	uint16_t need = count_ops(m, off, len);
	if (need == 0)
		return -EINVAL; /* pkt_len and the segments disagree */
	int rc = check_room(q, need);
	if (rc < 0)
		return rc;
	struct seg_walk w;
	walk_start(&w, m, off);
	uint16_t done = 0;
	int idx = -EINVAL;
	while (len) {
		uint32_t n = RTE_MIN(walk_avail(&w), len);
		uint64_t f = piece_flags(flags, done == 0, n == len);
		idx = to_mbuf ? sva_copy(q, walk_ptr(&w), flat, n, f)
			      : sva_copy(q, flat, walk_ptr(&w), n, f);
		if (idx < 0)
			break;
		done++;
		flat += n;
		len -= n;
		w.off += n;
	}
	if (nb_ops)
		*nb_ops = done;
	return idx;
}

int sva_dpdk_copy_from_mbuf(struct sva_queue *q, void *dst, const struct rte_mbuf *m,
			    uint32_t off, uint32_t len, uint64_t flags, uint16_t *nb_ops)
{
	return chain_flat(q, m, off, dst, len, false, flags, nb_ops);
}

int sva_dpdk_copy_to_mbuf(struct sva_queue *q, struct rte_mbuf *m, uint32_t off, const void *src,
			  uint32_t len, uint64_t flags, uint16_t *nb_ops)
{
	return chain_flat(q, m, off, (char *)(uintptr_t)src, len, true, flags, nb_ops);
}

/* Contiguous bytes at both positions, at most @len. */
static inline uint32_t piece_len(struct seg_walk *d, struct seg_walk *s, uint32_t len)
{
	uint32_t a = walk_avail(d);
	uint32_t b = walk_avail(s);
	uint32_t n = RTE_MIN(a, b);
	return RTE_MIN(n, len);
}

int sva_dpdk_copy_mbuf(struct sva_queue *q, struct rte_mbuf *dst, uint32_t dst_off,
		       const struct rte_mbuf *src, uint32_t src_off, uint32_t len,
		       uint64_t flags, uint16_t *nb_ops)
{
	if (!q || !dst || !src || len == 0 || (uint64_t)dst_off + len > dst->pkt_len ||
	    (uint64_t)src_off + len > src->pkt_len)
		return -EINVAL;
	struct seg_walk d, s;
	if (!walk_start(&d, dst, dst_off) || !walk_start(&s, src, src_off))
		return -EINVAL;
	/* Count the pieces first (all or nothing). */
	struct seg_walk d0 = d, s0 = s;
	uint32_t need = 0;
	for (uint32_t left = len; left;) {
		uint32_t n = piece_len(&d, &s, left);
		if (n == 0)
			return -EINVAL; /* pkt_len and the segments disagree */
		need++;
		left -= n;
		d.off += n;
		s.off += n;
	}
	if (need > UINT16_MAX)
		return -EINVAL;
	int rc = check_room(q, (uint16_t)need);
	if (rc < 0)
		return rc;
	d = d0;
	s = s0;
	uint16_t done = 0;
	int idx = -EINVAL;
	while (len) {
		uint32_t n = piece_len(&d, &s, len);
		idx = sva_copy(q, walk_ptr(&d), walk_ptr(&s), n,
			       piece_flags(flags, done == 0, n == len));
		if (idx < 0)
			break;
		done++;
		len -= n;
		d.off += n;
		s.off += n;
	}
	if (nb_ops)
		*nb_ops = done;
	return idx;
}
