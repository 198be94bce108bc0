/* SPDX-License-Identifier: BSD-3-Clause */
/* DSA operations of the software device: validation with the hardware's
 * status codes, and execution in segments, each translated before it is
 * touched. A fault either blocks the descriptor until the page response
 * (block on fault) or ends it with a partial completion at the exact byte
 * where the accessible prefix stops. */
#include <string.h>

#include "sim_kernels.h"
#include "sim_priv.h"

/* Bytes translated and executed per step: large enough to amortise the
 * translation, small enough that a fault late in a big buffer does not
 * throw away much work. */
#define SEG_MAX (256u * 1024u)

static uint8_t validate_dsa(struct sim_exec *x, bool member)
{
	const uint8_t *d = x->d;
	const struct sim_dsa_conf *c = &x->dev->conf;
	uint32_t w0 = idxd_rd32(d, 0);
	uint32_t flags = idxd_rd32(d, 4) & 0xffffff;
	uint32_t size = idxd_rd32(d, 32);
	uint8_t op = d[7];
	if (w0 >> 31)
		return DSA_COMP_PRIV_BAD; /* user portals cannot submit privileged work */
	switch (op) {
	case DSA_OPCODE_NOOP:
	case DSA_OPCODE_MEMMOVE:
	case DSA_OPCODE_MEMFILL:
	case DSA_OPCODE_COMPARE:
	case DSA_OPCODE_COMPVAL:
	case DSA_OPCODE_DUALCAST:
	case DSA_OPCODE_CRCGEN:
	case DSA_OPCODE_COPY_CRC:
	case DSA_OPCODE_CFLUSH:
		break;
	case DSA_OPCODE_DRAIN:
		if (!member)
			break;
		return DSA_COMP_BAD_OPCODE; /* may not sit inside a batch */
	/* A batch descriptor is validated here only as a batch member (run_item()
	 * runs batches), where it may not sit: the default rejects it. */
	default:
		return DSA_COMP_BAD_OPCODE;
	}
	uint32_t valid = DSA_COMMON_FLAGS;
	if (op == DSA_OPCODE_CRCGEN || op == DSA_OPCODE_COPY_CRC)
		valid |= DSA_CRC_FLAG_READ_SEED;
	uint8_t st = sim_check_flags(x, flags, valid, DSA_COMP_INVALID_FLAGS);
	if (st)
		return st;
	if ((w0 >> 20) & 0x7ff)
		return DSA_COMP_NOZERO_RESERVE;
	if (d[38] || d[39] || (!(flags & IDXD_OP_FLAG_RCI) && (d[36] || d[37])))
		return DSA_COMP_NOZERO_RESERVE;
	uint64_t a = idxd_rd64(d, 16), b = idxd_rd64(d, 24), c2 = idxd_rd64(d, 40);
	switch (op) {
	case DSA_OPCODE_NOOP:
	case DSA_OPCODE_DRAIN:
		return sim_zero(d + 16, 48) ? 0 : DSA_COMP_NOZERO_RESERVE;
	case DSA_OPCODE_MEMMOVE:
	case DSA_OPCODE_MEMFILL:
	case DSA_OPCODE_CFLUSH:
		if (!sim_zero(d + 40, 24))
			return DSA_COMP_NOZERO_RESERVE;
		break;
	case DSA_OPCODE_COMPARE:
	case DSA_OPCODE_COMPVAL:
		if ((d[40] & ~1u) || !sim_zero(d + 41, 23))
			return DSA_COMP_NOZERO_RESERVE;
		break;
	case DSA_OPCODE_CRCGEN:
	case DSA_OPCODE_COPY_CRC:
		if (!sim_zero(d + 44, 4) || !sim_zero(d + 56, 8) ||
		    (!(flags & DSA_CRC_FLAG_READ_SEED) && idxd_rd64(d, 48)))
			return DSA_COMP_NOZERO_RESERVE;
		if (op == DSA_OPCODE_CRCGEN && b)
			return DSA_COMP_NOZERO_RESERVE;
		break;
	case DSA_OPCODE_DUALCAST:
		if (!sim_zero(d + 48, 16))
			return DSA_COMP_NOZERO_RESERVE;
		break;
	default:
		break;
	}
	if (size == 0 || size > c->max_xfer)
		return DSA_COMP_XFER_ERANGE;
	if (op == DSA_OPCODE_DUALCAST) {
		if ((b ^ c2) & 0xfff)
			return DSA_COMP_DCAST_ERR; /* both destinations share bits 11:0 */
		if (sim_overlap_n(a, b, size) || sim_overlap_n(a, c2, size) ||
		    sim_overlap_n(b, c2, size))
			return DSA_COMP_OVERLAP_BUFFERS;
	}
	if (op == DSA_OPCODE_COPY_CRC && sim_overlap_n(a, b, size))
		return DSA_COMP_OVERLAP_BUFFERS;
	return 0;
}

uint8_t sim_validate(struct sim_exec *x, bool member)
{
	return x->dev->conf.type == SIM_DEV_IAA ? sim_validate_iaa(x, member)
						 : validate_dsa(x, member);
}

/* --- kernels ---------------------------------------------------------------------- */

/* The compare result and the "check result" flag. */
static void finish_compare(struct sim_exec *x, uint32_t flags, bool differ, uint64_t at)
{
	x->cr[1] = differ;
	if (differ) {
		idxd_wr32(x->cr, 4, (uint32_t)at);
	}
	uint8_t st = DSA_COMP_SUCCESS;
	if ((flags & IDXD_OP_FLAG_CR) && (uint8_t)differ != (x->d[40] & 1))
		st = DSA_COMP_SUCCESS_PRED;
	sim_complete(x, st);
}

enum run_result sim_op_dsa(struct sim_exec *x)
{
	const uint8_t *d = x->d;
	uint32_t flags = idxd_rd32(d, 4) & 0xffffff;
	uint32_t size = idxd_rd32(d, 32);
	uint8_t op = d[7];
	bool block = (flags & IDXD_OP_FLAG_BOF) != 0;
	uint64_t a = idxd_rd64(d, 16), b = idxd_rd64(d, 24), c = idxd_rd64(d, 40);

	int resumed = sim_resume_data_wait(x);
	if (resumed >= 0)
		return (enum run_result)resumed;
	if (op == DSA_OPCODE_NOOP || op == DSA_OPCODE_DRAIN) {
		sim_complete(x, DSA_COMP_SUCCESS);
		return RUN_DONE;
	}
	if ((op == DSA_OPCODE_CRCGEN || op == DSA_OPCODE_COPY_CRC) && !x->seeded) {
		if (flags & DSA_CRC_FLAG_READ_SEED) {
			struct xrange sr = {.addr = idxd_rd64(d, 48), .perm = SVA_PERM_READ};
			uint64_t prefix;
			unsigned int lim;
			enum xlate_outcome xo = sim_xlate_ranges(x, &sr, 1, 4, block, &prefix, &lim);
			if (xo == XO_WAIT)
				return RUN_WAIT;
			if (xo == XO_DONE)
				return RUN_DONE;
			if (xo == XO_PARTIAL) {
				idxd_wr64(x->cr, 8, sr.addr + prefix);
				sim_complete(x, DSA_COMP_PAGE_FAULT_NOBOF);
				return RUN_DONE;
			}
			memcpy(&x->crc32, (const void *)(uintptr_t)sr.addr, 4);
		} else {
			memcpy(&x->crc32, d + 40, 4);
		}
		x->seeded = true;
	}

	struct xrange r[3];
	unsigned int n = 0;
	switch (op) {
	case DSA_OPCODE_MEMMOVE:
	case DSA_OPCODE_COPY_CRC:
		r[n++] = (struct xrange){a, SVA_PERM_READ};
		r[n++] = (struct xrange){b, SVA_PERM_WRITE};
		break;
	case DSA_OPCODE_MEMFILL:
		r[n++] = (struct xrange){b, SVA_PERM_WRITE};
		break;
	case DSA_OPCODE_COMPARE:
		r[n++] = (struct xrange){a, SVA_PERM_READ};
		r[n++] = (struct xrange){b, SVA_PERM_READ};
		break;
	case DSA_OPCODE_COMPVAL:
	case DSA_OPCODE_CRCGEN:
		r[n++] = (struct xrange){a, SVA_PERM_READ};
		break;
	case DSA_OPCODE_DUALCAST:
		r[n++] = (struct xrange){a, SVA_PERM_READ};
		r[n++] = (struct xrange){b, SVA_PERM_WRITE};
		r[n++] = (struct xrange){c, SVA_PERM_WRITE};
		break;
	case DSA_OPCODE_CFLUSH:
		r[n++] = (struct xrange){b, SVA_PERM_READ};
		break;
	default:
		sim_complete(x, DSA_COMP_BAD_OPCODE);
		return RUN_DONE;
	}
	/* An overlapping move must see its whole source before writing: it runs
	 * as one step, and a fault before it leaves nothing done. */
	bool whole = op == DSA_OPCODE_MEMMOVE && sim_overlap_n(a, b, size);

	while (x->off < size) {
		uint64_t off = x->off;
		uint64_t seg = whole ? size : SVA_MIN((uint64_t)size - off, (uint64_t)SEG_MAX);
		struct xrange rs[3];
		for (unsigned int i = 0; i < n; i++)
			rs[i] = (struct xrange){r[i].addr + off, r[i].perm};
		uint64_t len;
		unsigned int lim = 0;
		enum xlate_outcome xo = sim_xlate_ranges(x, rs, n, seg, block, &len, &lim);
		if (xo == XO_WAIT)
			return RUN_WAIT;
		if (xo == XO_DONE)
			return RUN_DONE;
		if (xo == XO_PARTIAL && whole)
			len = 0;
		if (len) {
			uint8_t *pa = (uint8_t *)(uintptr_t)(a + off);
			uint8_t *pb = (uint8_t *)(uintptr_t)(b + off);
			switch (op) {
			case DSA_OPCODE_MEMMOVE:
				memmove(pb, pa, len);
				break;
			case DSA_OPCODE_MEMFILL:
				sim_fill_pattern(pb, a, off % 8, len);
				break;
			case DSA_OPCODE_COMPARE: {
				uint64_t at = sim_diff_buffers(pa, pb, len);
				if (at < len) {
					x->off = off + at;
					finish_compare(x, flags, true, off + at);
					return RUN_DONE;
				}
				break;
			}
			case DSA_OPCODE_COMPVAL: {
				uint64_t at = sim_diff_pattern(pa, b, off % 8, len);
				if (at < len) {
					x->off = off + at;
					finish_compare(x, flags, true, off + at);
					return RUN_DONE;
				}
				break;
			}
			case DSA_OPCODE_CRCGEN:
				x->crc32 = sva_sw_crc32c(x->crc32, pa, len);
				break;
			case DSA_OPCODE_COPY_CRC:
				memcpy(pb, pa, len);
				x->crc32 = sva_sw_crc32c(x->crc32, pa, len);
				break;
			case DSA_OPCODE_DUALCAST:
				memcpy(pb, pa, len);
				memcpy((uint8_t *)(uintptr_t)(c + off), pa, len);
				break;
			case DSA_OPCODE_CFLUSH:
				sim_cache_flush(pb, len);
				break;
			default:
				break;
			}
			x->off = off + len;
		}
		if (xo == XO_PARTIAL) {
			bool w = rs[lim].perm & SVA_PERM_WRITE;
			idxd_wr32(x->cr, 4, (uint32_t)x->off);
			idxd_wr64(x->cr, 8, rs[lim].addr + len);
			idxd_cr_set_fault_info(x->cr, w ? IDXD_FAULT_INFO_WRITE : 0);
			if (op == DSA_OPCODE_CRCGEN || op == DSA_OPCODE_COPY_CRC)
				idxd_wr64(x->cr, 16, x->crc32);
			sim_complete(x, DSA_COMP_PAGE_FAULT_NOBOF | (w ? DSA_COMP_STATUS_WRITE : 0));
			return RUN_DONE;
		}
	}
	switch (op) {
	case DSA_OPCODE_COMPARE:
	case DSA_OPCODE_COMPVAL:
		finish_compare(x, flags, false, 0);
		return RUN_DONE;
	case DSA_OPCODE_CRCGEN:
	case DSA_OPCODE_COPY_CRC:
		idxd_wr64(x->cr, 16, x->crc32);
		break;
	default:
		break;
	}
	sim_complete(x, DSA_COMP_SUCCESS);
	return RUN_DONE;
}
