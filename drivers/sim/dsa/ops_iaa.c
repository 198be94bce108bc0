/* SPDX-License-Identifier: BSD-3-Clause */
/* IAA operations of the software device: memmove, compress, decompress
 * (stateful through an AECS), CRC64.
 *
 * IAA operations translate every buffer before they start and restart from
 * the beginning after a fault (bytes_completed is 0 in a partial
 * completion): a compression stream cannot be resumed in the middle.
 *
 * AECS: the model keeps a decompression stream's state itself, in a table
 * keyed by (PASID, AECS address); the AECS memory holds a small tag (magic,
 * slot, generation) that the next operation must present. A tag that does not
 * match a live stream is an analytics error, never a crash.
 *
 * dev->aecs_lock guards the table only, never an access to application
 * memory (a stale translation there longjmps out of the operation): an
 * operation takes its slot (busy, owned by the executor) under the lock,
 * reads and writes the stream and the AECS without it, and gives the slot
 * back under it; a guard fault gives it back through sim_aecs_abort(). A
 * busy slot is neither found nor recycled. */
#include <errno.h>
#include <string.h>

#include "sim_priv.h"

struct aecs_tag {
	uint32_t magic;
	uint32_t slot;
	uint64_t gen;
};

uint8_t sim_validate_iaa(struct sim_exec *x, bool member)
{
	const uint8_t *d = x->d;
	const struct sim_dsa_conf *c = &x->dev->conf;
	(void)member;
	uint32_t w0 = idxd_rd32(d, 0);
	uint32_t flags = idxd_rd32(d, 4) & 0xffffff;
	uint32_t size = idxd_rd32(d, 32);
	uint32_t max_dst = idxd_rd32(d, 48);
	uint32_t src2_size = idxd_rd32(d, 52);
	uint16_t opf = idxd_rd16(d, 38);
	uint8_t op = d[7];
	if (w0 >> 31)
		return IAX_COMP_PRIV_BAD;
	uint32_t valid = DSA_COMMON_FLAGS & ~(uint32_t)IDXD_OP_FLAG_CR;
	switch (op) {
	case IAX_OPCODE_NOOP:
	case IAX_OPCODE_DRAIN:
	case IAX_OPCODE_MEMMOVE:
	case IAX_OPCODE_COMPRESS:
	case IAX_OPCODE_CRC64:
		break;
	case IAX_OPCODE_DECOMPRESS:
		valid |= IDXD_OP_FLAG_RD_SRC2_AECS | IDXD_OP_FLAG_WR_SRC2_AECS_COMP;
		break;
	default:
		return IAX_COMP_BAD_OPCODE;
	}
	uint8_t st = sim_check_flags(x, flags, valid, IAX_COMP_INVALID_FLAGS);
	if (st)
		return st;
	if ((w0 >> 20) & 0x7ff)
		return IAX_COMP_NOZERO_RESERVE;
	if (!(flags & IDXD_OP_FLAG_RCI) && idxd_rd16(d, 36))
		return IAX_COMP_NOZERO_RESERVE;
	uint64_t src = idxd_rd64(d, 16), dst = idxd_rd64(d, 24), src2 = idxd_rd64(d, 40);
	switch (op) {
	case IAX_OPCODE_NOOP:
	case IAX_OPCODE_DRAIN:
		return sim_zero(d + 16, 48) ? 0 : IAX_COMP_NOZERO_RESERVE;
	case IAX_OPCODE_MEMMOVE:
		if (opf || !sim_zero(d + 40, 24))
			return IAX_COMP_NOZERO_RESERVE;
		if (size == 0 || size > c->max_xfer)
			return IAX_COMP_INVALID_SIZE;
		return 0;
	case IAX_OPCODE_CRC64:
		if (dst || !sim_zero(d + 40, 16))
			return IAX_COMP_NOZERO_RESERVE;
		if (opf & ~(IAX_CRC64_FLAG_REFLECT_SIM | IAX_CRC64_FLAG_INVERT))
			return IAX_COMP_INVALID_COMP_FLAG;
		if (size == 0 || size > c->max_xfer)
			return IAX_COMP_INVALID_SIZE;
		return 0;
	case IAX_OPCODE_COMPRESS:
		if (src2 || src2_size || idxd_rd64(d, 56))
			return IAX_COMP_NOZERO_RESERVE;
		if (opf & ~(IAX_COMPR_FLAG_STATS_MODE | IAX_COMPR_FLAG_FLUSH_OUTPUT |
			    IAX_COMPR_FLAG_END_APPEND_EOB_SIM))
			return IAX_COMP_INVALID_COMP_FLAG;
		if (opf & IAX_COMPR_FLAG_STATS_MODE)
			return IAX_COMP_INVALID_COMP_FLAG; /* statistics mode is not modelled */
		if (size == 0 || size > c->max_xfer || max_dst == 0 || max_dst > c->max_xfer)
			return IAX_COMP_INVALID_SIZE;
		if (sim_overlap(src, size, dst, max_dst))
			return IAX_COMP_OVERLAP_BUFFERS;
		return 0;
	case IAX_OPCODE_DECOMPRESS:
		if (idxd_rd64(d, 56))
			return IAX_COMP_NOZERO_RESERVE;
		if (opf & ~(IAX_DECOMPR_FLAG_ENABLE | IAX_DECOMPR_FLAG_FLUSH_OUTPUT |
			    IAX_DECOMPR_FLAG_STOP_ON_EOB | IAX_DECOMPR_FLAG_CHECK_EOB) ||
		    !(opf & IAX_DECOMPR_FLAG_ENABLE))
			return IAX_COMP_INVALID_COMP_FLAG;
		if (size > c->max_xfer || max_dst == 0 || max_dst > c->max_xfer)
			return IAX_COMP_INVALID_SIZE;
		if (size == 0 && !(flags & IDXD_OP_FLAG_RD_SRC2_AECS))
			return IAX_COMP_INVALID_SIZE;
		if (flags & (IDXD_OP_FLAG_RD_SRC2_AECS | IDXD_OP_FLAG_WR_SRC2_AECS_COMP)) {
			if (src2_size < IAX_AECS_SIZE)
				return IAX_COMP_INVALID_SIZE;
			if (src2 & (IAX_AECS_ALIGN - 1))
				return IAX_COMP_ADDR_ALIGN;
			if (sim_overlap(src2, src2_size, dst, max_dst) || sim_overlap(src2, src2_size, src, size))
				return IAX_COMP_OVERLAP_BUFFERS;
		} else if (src2 || src2_size) {
			return IAX_COMP_NOZERO_RESERVE;
		}
		if (sim_overlap(src, size, dst, max_dst))
			return IAX_COMP_OVERLAP_BUFFERS;
		return 0;
	default:
		return IAX_COMP_BAD_OPCODE;
	}
}

/* --- AECS stream table ------------------------------------------------------------ */

static struct aecs_ctx *aecs_new(struct sim_dsa *dev, uint32_t pasid, uint64_t addr)
{
	struct aecs_ctx *victim = NULL;
	for (unsigned int i = 0; i < AECS_SLOTS; i++) {
		struct aecs_ctx *c = &dev->aecs[i];
		if (c->busy)
			continue;
		if (c->used && c->pasid == pasid && c->addr == addr) {
			victim = c;
			break;
		}
		if (!victim || (!c->used && victim->used) || (c->used == victim->used && c->lru < victim->lru))
			victim = c;
	}
	if (!victim)
		return NULL; /* every slot is in use by an operation */
	if (!victim->s)
		victim->s = sim_inflate_new();
	if (!victim->s)
		return NULL;
	victim->used = true;
	victim->pasid = pasid;
	victim->addr = addr;
	victim->gen = ++dev->aecs_gen;
	victim->lru = ++dev->aecs_clock;
	return victim;
}

static struct aecs_ctx *aecs_find(struct sim_dsa *dev, uint32_t pasid, uint64_t addr,
				  const struct aecs_tag *tag)
{
	if (tag->magic != AECS_MAGIC || tag->slot >= AECS_SLOTS)
		return NULL;
	struct aecs_ctx *c = &dev->aecs[tag->slot];
	if (!c->used || c->busy || c->pasid != pasid || c->addr != addr || c->gen != tag->gen)
		return NULL;
	c->lru = ++dev->aecs_clock;
	return c;
}

/* Take (under the lock) the slot of the stream an operation continues (@rd:
 * the one @tag names; NULL: none) or starts (NULL: out of slots). */
static struct aecs_ctx *aecs_take(struct sim_exec *x, bool rd, uint64_t addr,
				  const struct aecs_tag *tag)
{
	struct sim_dsa *dev = x->dev;
	pthread_mutex_lock(&dev->aecs_lock);
	struct aecs_ctx *ctx = rd ? aecs_find(dev, x->pasid, addr, tag)
				  : aecs_new(dev, x->pasid, addr);
	if (ctx) {
		ctx->busy = true;
		x->aecs_owned = ctx;
	}
	pthread_mutex_unlock(&dev->aecs_lock);
	return ctx;
}

/* Give the slot back: the stream lives on (@keep) or is gone. */
static void aecs_give(struct sim_exec *x, bool keep)
{
	struct sim_dsa *dev = x->dev;
	pthread_mutex_lock(&dev->aecs_lock);
	x->aecs_owned->used = keep;
	x->aecs_owned->busy = false;
	pthread_mutex_unlock(&dev->aecs_lock);
	x->aecs_owned = NULL;
}

void sim_aecs_abort(struct sim_exec *x)
{
	if (x->aecs_owned)
		aecs_give(x, false);
}

void sim_aecs_release_all(struct sim_dsa *dev)
{
	for (unsigned int i = 0; i < AECS_SLOTS; i++) {
		sim_inflate_free(dev->aecs[i].s);
		memset(&dev->aecs[i], 0, sizeof(dev->aecs[i]));
	}
}

/* --- execution ---------------------------------------------------------------------- */

static void set_output(struct sim_exec *x, uint32_t consumed, uint32_t produced, uint32_t crc)
{
	idxd_wr32(x->cr, 4, consumed);
	idxd_wr32(x->cr, 24, produced);
	idxd_wr32(x->cr, 32, crc);
}

static enum run_result decompress(struct sim_exec *x, uint32_t flags, uint32_t size,
				  uint32_t max_dst)
{
	const uint8_t *d = x->d;
	uint16_t df = idxd_rd16(d, 38);
	uint64_t src = idxd_rd64(d, 16), dst = idxd_rd64(d, 24), aecs = idxd_rd64(d, 40);
	bool rd = flags & IDXD_OP_FLAG_RD_SRC2_AECS, wr = flags & IDXD_OP_FLAG_WR_SRC2_AECS_COMP;
	bool last = df & IAX_DECOMPR_FLAG_CHECK_EOB;
	struct sim_inflate *s = x->inflate;
	struct aecs_ctx *ctx = NULL;
	if (rd || wr) {
		struct aecs_tag tag = {0};
		if (rd)
			memcpy(&tag, (const void *)(uintptr_t)aecs, sizeof(tag));
		ctx = aecs_take(x, rd, aecs, &tag);
		if (!ctx) {
			if (rd)
				x->cr[1] = IAX_ERR_DECOMP_BAD_STREAM_SIM;
			sim_complete(x, rd ? IAX_COMP_ANALYTICS_ERROR : IAX_COMP_HW_ERR1);
			return RUN_DONE;
		}
		s = ctx->s;
	}
	uint32_t consumed = 0, produced = 0;
	bool end = false;
	int rc = sim_inflate(s, (const void *)(uintptr_t)src, size, (void *)(uintptr_t)dst, max_dst,
			     !rd, last, &consumed, &produced, &end);
	uint32_t crc = sva_sw_crc32(0, (const void *)(uintptr_t)dst, produced);
	set_output(x, consumed, produced, crc);
	x->off = consumed;
	uint8_t st = IAX_COMP_SUCCESS;
	if (rc == -ENOSPC) {
		st = IAX_COMP_OUTBUF_OVERFLOW;
	} else if (rc == -EBADMSG) {
		x->cr[1] = IAX_ERR_DECOMP_BAD_STREAM_SIM;
		st = IAX_COMP_ANALYTICS_ERROR;
	} else if (rc == -EPIPE) {
		x->cr[1] = IAX_ERR_DECOMP_TRUNCATED_SIM;
		st = IAX_COMP_ANALYTICS_ERROR;
	} else if (rc < 0) {
		st = IAX_COMP_HW_ERR1;
	}
	if (end)
		x->cr[IAX_CR_FLAGS_OFFSET_SIM] |= IAX_CR_FLAG_EOS_SIM;
	if (ctx) {
		/* A finished or broken stream frees its slot; a live one tags its AECS.
		 * An output overflow keeps the stream even on its last input: the
		 * application continues it with the unconsumed input. */
		bool keep = wr && !end &&
			    (st == IAX_COMP_OUTBUF_OVERFLOW || (st == IAX_COMP_SUCCESS && !last));
		if (wr) {
			struct aecs_tag tag = {0};
			if (keep)
				tag = (struct aecs_tag){.magic = AECS_MAGIC,
							.slot = (uint32_t)(ctx - x->dev->aecs),
							.gen = ctx->gen};
			memcpy((void *)(uintptr_t)aecs, &tag, sizeof(tag));
		}
		aecs_give(x, keep);
	}
	sim_complete(x, st);
	return RUN_DONE;
}

enum run_result sim_op_iaa(struct sim_exec *x)
{
	const uint8_t *d = x->d;
	uint32_t flags = idxd_rd32(d, 4) & 0xffffff;
	uint32_t size = idxd_rd32(d, 32);
	uint32_t max_dst = idxd_rd32(d, 48);
	uint32_t src2_size = idxd_rd32(d, 52);
	uint8_t op = d[7];
	bool block = (flags & IDXD_OP_FLAG_BOF) != 0;
	uint64_t src = idxd_rd64(d, 16), dst = idxd_rd64(d, 24), src2 = idxd_rd64(d, 40);

	int resumed = sim_resume_data_wait(x);
	if (resumed >= 0)
		return (enum run_result)resumed;
	if (op == IAX_OPCODE_NOOP || op == IAX_OPCODE_DRAIN) {
		sim_complete(x, IAX_COMP_SUCCESS);
		return RUN_DONE;
	}
	struct xrange r[3];
	uint64_t len[3];
	unsigned int n = 0;
	switch (op) {
	case IAX_OPCODE_MEMMOVE:
		r[n] = (struct xrange){src, SVA_PERM_READ}, len[n++] = size;
		r[n] = (struct xrange){dst, SVA_PERM_WRITE}, len[n++] = size;
		break;
	case IAX_OPCODE_CRC64:
		r[n] = (struct xrange){src, SVA_PERM_READ}, len[n++] = size;
		break;
	case IAX_OPCODE_COMPRESS:
		r[n] = (struct xrange){src, SVA_PERM_READ}, len[n++] = size;
		r[n] = (struct xrange){dst, SVA_PERM_WRITE}, len[n++] = max_dst;
		break;
	case IAX_OPCODE_DECOMPRESS:
		if (size)
			r[n] = (struct xrange){src, SVA_PERM_READ}, len[n++] = size;
		r[n] = (struct xrange){dst, SVA_PERM_WRITE}, len[n++] = max_dst;
		if (flags & (IDXD_OP_FLAG_RD_SRC2_AECS | IDXD_OP_FLAG_WR_SRC2_AECS_COMP))
			r[n] = (struct xrange){src2, SVA_PERM_READ | SVA_PERM_WRITE},
			len[n++] = src2_size;
		break;
	default:
		sim_complete(x, IAX_COMP_BAD_OPCODE);
		return RUN_DONE;
	}
	/* Translate everything first, one range at a time (they differ in length). */
	for (unsigned int i = 0; i < n; i++) {
		uint64_t prefix;
		unsigned int lim;
		enum xlate_outcome xo = sim_xlate_ranges(x, &r[i], 1, len[i], block, &prefix, &lim);
		if (xo == XO_WAIT)
			return RUN_WAIT;
		if (xo == XO_DONE)
			return RUN_DONE;
		if (xo == XO_PARTIAL) {
			bool w = r[i].perm & SVA_PERM_WRITE;
			idxd_wr64(x->cr, 8, r[i].addr + prefix);
			idxd_cr_set_fault_info(x->cr, w ? IDXD_FAULT_INFO_WRITE : 0);
			sim_complete(x, DSA_COMP_PAGE_FAULT_NOBOF | (w ? DSA_COMP_STATUS_WRITE : 0));
			return RUN_DONE;
		}
	}
	switch (op) {
	case IAX_OPCODE_MEMMOVE:
		memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, size);
		x->off = size;
		break;
	case IAX_OPCODE_CRC64: {
		uint64_t poly = idxd_rd64(d, IAX_CRC64_POLY_OFFSET);
		uint16_t cf = idxd_rd16(d, IAX_CRC64_FLAGS_OFFSET);
		uint32_t sf = (cf & IAX_CRC64_FLAG_REFLECT_SIM ? SVA_SW_CRC64_REFLECT : 0) |
			      (cf & IAX_CRC64_FLAG_INVERT ? SVA_SW_CRC64_INVERT : 0);
		sva_sw_crc64_prepare(x->crc64, poly, sf);
		idxd_wr64(x->cr, IAX_CRC64_RESULT_OFFSET,
			  sva_sw_crc64(x->crc64, (const void *)(uintptr_t)src, size));
		x->off = size;
		break;
	}
	case IAX_OPCODE_COMPRESS: {
		uint16_t cf = idxd_rd16(d, 38);
		uint32_t out = 0;
		int level = x->dev->conf.comp_level ? x->dev->conf.comp_level : SIM_DEFLATE_LEVEL_DEFAULT;
		int rc = sim_deflate_with(x->deflater, (const void *)(uintptr_t)src, size,
					  (void *)(uintptr_t)dst, max_dst,
					  cf & IAX_COMPR_FLAG_END_APPEND_EOB_SIM, level, &out);
		set_output(x, size, out, sva_sw_crc32(0, (const void *)(uintptr_t)src, size));
		x->off = size;
		sim_complete(x, rc == -ENOSPC ? IAX_COMP_OUTBUF_OVERFLOW
				: rc < 0      ? IAX_COMP_HW_ERR1
					      : IAX_COMP_SUCCESS);
		return RUN_DONE;
	}
	case IAX_OPCODE_DECOMPRESS:
		return decompress(x, flags, size, max_dst);
	default:
		break;
	}
	sim_complete(x, IAX_COMP_SUCCESS);
	return RUN_DONE;
}
