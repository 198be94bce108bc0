/* SPDX-License-Identifier: BSD-3-Clause */
/* DMA copies of packet data between mbufs and process memory, by virtual
 * address: the queue's PASID is bound to the process address space, so the
 * segments' data pointers go to the device as they are. */
#include <rte_config.h>
#include <rte_mbuf.h>

#include <errno.h>

#include "sva_dpdk.h"

/* A position inside a chain, or in flat memory (@seg NULL, @flat set), which
 * has no segment ends. */
struct seg_walk {
	const struct rte_mbuf *seg;
	char *flat;
	uint32_t off; /* within seg's data, or from flat */
};

/* Position at packet offset @off; false when the chain is shorter. */
static inline bool walk_start(struct seg_walk *w, const struct rte_mbuf *m, uint32_t off)
{
	while (m && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	w->seg = m;
	w->flat = NULL;
	w->off = off;
	return m != NULL;
}

static inline struct seg_walk walk_flat(const void *p)
{
	return (struct seg_walk){.flat = (char *)(uintptr_t)p};
}

/* Contiguous bytes at the position (skipping empty segments); 0 at the end. */
static inline uint32_t walk_avail(struct seg_walk *w)
{
	if (w->flat)
		return UINT32_MAX;
	while (w->seg && w->off >= w->seg->data_len) {
		w->off -= w->seg->data_len;
		w->seg = w->seg->next;
	}
	return w->seg ? (uint32_t)(w->seg->data_len - w->off) : 0;
}

static inline char *walk_ptr(const struct seg_walk *w)
{
	if (w->flat)
		return w->flat + w->off;
	return rte_pktmbuf_mtod_offset((struct rte_mbuf *)(uintptr_t)w->seg, char *, w->off);
}

/* Contiguous bytes at both positions, at most @len. */
static inline uint32_t piece_len(struct seg_walk *d, struct seg_walk *s, uint32_t len)
{
	uint32_t n = RTE_MIN(walk_avail(d), walk_avail(s));
	return RTE_MIN(n, len);
}

/* Operations one copy of @len bytes takes between the positions (the
 * caller's are not moved); 0 if a chain is shorter or it takes more than
 * UINT16_MAX. */
static uint16_t count_pieces(struct seg_walk d, struct seg_walk s, uint32_t len)
{
	uint32_t ops = 0;
	while (len) {
		uint32_t n = piece_len(&d, &s, len);
		if (n == 0)
			return 0;
		ops++;
		len -= n;
		d.off += n;
		s.off += n;
	}
	return ops > UINT16_MAX ? 0 : (uint16_t)ops;
}

uint16_t sva_dpdk_mbuf_nb_ops(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	struct seg_walk w;
	if (!m || len == 0 || !walk_start(&w, m, off))
		return 0;
	/* Against flat memory, whose address plays no part in the count. */
	return count_pieces(w, walk_flat(m), len);
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

/* Copy @len bytes from @s to @d, a piece per contiguous run: all pieces are
 * enqueued or, when the ring has no room for them, none. */
static int copy_pieces(struct sva_queue *q, struct seg_walk d, struct seg_walk s, uint32_t len,
		       uint64_t flags, uint16_t *nb_ops)
{
	uint16_t need = count_pieces(d, s, len);
	if (need == 0)
		return -EINVAL; /* pkt_len and the segments disagree */
	/* A single operation finds out about room by itself. */
	if (need > 1 && sva_burst_capacity(q) < need)
		return -ENOSPC;
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

/* Copy between one chain and flat memory; @to_mbuf gives the direction. */
static int chain_flat(struct sva_queue *q, const struct rte_mbuf *m, uint32_t off, const void *flat,
		      uint32_t len, bool to_mbuf, uint64_t flags, uint16_t *nb_ops)
{
	struct seg_walk w;
	if (!q || !m || !flat || len == 0 || (uint64_t)off + len > m->pkt_len ||
	    !walk_start(&w, m, off))
		return -EINVAL;
	return to_mbuf ? copy_pieces(q, w, walk_flat(flat), len, flags, nb_ops)
		       : copy_pieces(q, walk_flat(flat), w, len, flags, nb_ops);
}

int sva_dpdk_copy_from_mbuf(struct sva_queue *q, void *dst, const struct rte_mbuf *m,
			    uint32_t off, uint32_t len, uint64_t flags, uint16_t *nb_ops)
{
	return chain_flat(q, m, off, dst, len, false, flags, nb_ops);
}

int sva_dpdk_copy_to_mbuf(struct sva_queue *q, struct rte_mbuf *m, uint32_t off, const void *src,
			  uint32_t len, uint64_t flags, uint16_t *nb_ops)
{
	return chain_flat(q, m, off, src, len, true, flags, nb_ops);
}

int sva_dpdk_copy_mbuf(struct sva_queue *q, struct rte_mbuf *dst, uint32_t dst_off,
		       const struct rte_mbuf *src, uint32_t src_off, uint32_t len,
		       uint64_t flags, uint16_t *nb_ops)
{
	struct seg_walk d, s;
	if (!q || !dst || !src || len == 0 || (uint64_t)dst_off + len > dst->pkt_len ||
	    (uint64_t)src_off + len > src->pkt_len || !walk_start(&d, dst, dst_off) ||
	    !walk_start(&s, src, src_off))
		return -EINVAL;
	return copy_pieces(q, d, s, len, flags, nb_ops);
}
