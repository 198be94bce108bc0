/* SPDX-License-Identifier: BSD-3-Clause */
/* Compression kernels of the software IAA device model: see sim_deflate.h. */
#include "sim_deflate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* IAA compresses with a 4 KiB history window and decompresses with 32 KiB. */
#define SIM_DEFLATE_WBITS (-12)
#define SIM_INFLATE_WBITS (-15)
#define SIM_DEFLATE_MEMLEVEL 8

struct sim_deflater {
	z_stream zs;
	int level;       /* of zs; 0: not initialised */
	uint8_t *tmp;    /* room for the rare second attempt (see sim_deflate_with()) */
	uint32_t tmp_cap;
};

/* zs ready for a new stream at @level. */
static int deflater_start(struct sim_deflater *z, int level)
{
	if (z->level == level)
		return deflateReset(&z->zs) == Z_OK ? 0 : -EINVAL;
	if (z->level)
		deflateEnd(&z->zs);
	z->level = 0;
	memset(&z->zs, 0, sizeof(z->zs));
	int rc = deflateInit2(&z->zs, level, Z_DEFLATED, SIM_DEFLATE_WBITS, SIM_DEFLATE_MEMLEVEL,
			      Z_DEFAULT_STRATEGY);
	if (rc != Z_OK)
		return rc == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
	z->level = level;
	return 0;
}

static void deflater_fini(struct sim_deflater *z)
{
	if (z->level)
		deflateEnd(&z->zs);
	free(z->tmp);
}

struct sim_deflater *sim_deflater_new(void)
{
	return calloc(1, sizeof(struct sim_deflater));
}

void sim_deflater_free(struct sim_deflater *z)
{
	if (!z)
		return;
	deflater_fini(z);
	free(z);
}

/*
 * One independent compression of src into out[0..cap). *complete tells whether
 * the whole result fit; when it did not, *ambiguous tells whether it may still
 * fit exactly (zlib stopped with the output buffer exactly full and nothing we
 * can see left to write), which the caller resolves with more room.
 */
static int deflate_once(struct sim_deflater *z, const void *src, uint32_t len, uint8_t *out,
			uint32_t cap, bool last, int level, uint32_t *produced, bool *complete,
			bool *ambiguous)
{
	uint8_t scratch[16];
	int rc = deflater_start(z, level);
	if (rc)
		return rc;
	z->zs.next_in = (Bytef *)(uintptr_t)src;
	z->zs.avail_in = len;
	z->zs.next_out = out;
	z->zs.avail_out = cap;
	rc = deflate(&z->zs, last ? Z_FINISH : Z_SYNC_FLUSH);
	*produced = cap - z->zs.avail_out;
	*complete = false;
	*ambiguous = false;

	if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
		return rc == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
	if (last) {
		if (rc == Z_STREAM_END) {
			*complete = true;
		} else if (z->zs.avail_out == 0 && z->zs.avail_in == 0) {
			/* Finished exactly at the end of the buffer? Then one more
			 * call ends the stream without writing anything. */
			z->zs.next_out = scratch;
			z->zs.avail_out = sizeof(scratch);
			rc = deflate(&z->zs, Z_FINISH);
			*complete = rc == Z_STREAM_END && z->zs.avail_out == sizeof(scratch);
		}
	} else if (z->zs.avail_in == 0) {
		/* A sync flush is complete when deflate() returns with room left in
		 * the output buffer. With the buffer exactly full it may or may not
		 * be: zlib cannot be asked without writing a second flush marker. */
		if (z->zs.avail_out > 0) {
			*complete = rc == Z_OK;
		} else {
			unsigned int pending = 0;
			int bits = 0;
			if (deflatePending(&z->zs, &pending, &bits) == Z_OK && pending == 0 &&
			    bits == 0)
				*ambiguous = true;
		}
	}
	return 0;
}

uint64_t sim_deflate_bound(uint32_t len)
{
	/* zlib never emits a block dearer than its fixed-Huffman coding: at most
	 * 9 bits per input byte, plus 10 bits of header and end code per block
	 * of up to 16K symbols, padding and a 5-byte sync-flush marker. The 1/64
	 * term is a generous allowance for the per-block bits. */
	uint64_t n = len;
	return n + ((n + 7) >> 3) + ((n + 63) >> 6) + 16;
}

int sim_deflate_with(struct sim_deflater *z, const void *src, uint32_t len, void *dst,
		     uint32_t dst_cap, bool last, int level, uint32_t *out_len)
{
	uint32_t produced;
	bool complete, ambiguous;
	int rc;

	if (!out_len)
		return -EINVAL;
	*out_len = 0;
	if (level < 1 || level > 9 || (len && !src) || (dst_cap && !dst))
		return -EINVAL;
	if (dst_cap == 0)
		return -ENOSPC; /* every deflate stream or flush is at least 2 bytes */

	rc = deflate_once(z, src, len, dst, dst_cap, last, level, &produced, &complete,
			  &ambiguous);
	if (rc)
		return rc;
	if (!complete && ambiguous) {
		/* Rare: redo with a little more room to learn the exact size. The
		 * buffer stays with @z (nothing to free if the caller's memory
		 * faults half-way). */
		uint32_t cap = dst_cap > UINT32_MAX - 64 ? UINT32_MAX : dst_cap + 64;
		if (z->tmp_cap < cap) {
			uint8_t *tmp = realloc(z->tmp, cap);
			if (!tmp)
				return -ENOMEM;
			z->tmp = tmp;
			z->tmp_cap = cap;
		}
		rc = deflate_once(z, src, len, z->tmp, cap, last, level, &produced, &complete,
				  &ambiguous);
		if (!rc && complete && produced <= dst_cap)
			memcpy(dst, z->tmp, produced);
		else
			complete = false;
		if (rc)
			return rc;
	}
	if (!complete)
		return -ENOSPC;
	*out_len = produced;
	return 0;
}

int sim_deflate(const void *src, uint32_t len, void *dst, uint32_t dst_cap, bool last,
		int level, uint32_t *out_len)
{
	struct sim_deflater z = {.level = 0};
	int rc = sim_deflate_with(&z, src, len, dst, dst_cap, last, level, out_len);
	deflater_fini(&z);
	return rc;
}

struct sim_inflate {
	z_stream zs;
	bool held;         /* one decoded byte not yet delivered (see below) */
	uint8_t held_byte;
};

struct sim_inflate *sim_inflate_new(void)
{
	struct sim_inflate *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (inflateInit2(&s->zs, SIM_INFLATE_WBITS) != Z_OK) {
		free(s);
		return NULL;
	}
	return s;
}

void sim_inflate_free(struct sim_inflate *s)
{
	if (!s)
		return;
	inflateEnd(&s->zs);
	free(s);
}

static int inflate_errno(int rc)
{
	switch (rc) {
	case Z_DATA_ERROR:
	case Z_NEED_DICT:
		return -EBADMSG;
	case Z_MEM_ERROR:
		return -ENOMEM;
	default:
		return -EINVAL;
	}
}

int sim_inflate(struct sim_inflate *s, const void *src, uint32_t len, void *dst,
		uint32_t dst_cap, bool first, bool last, uint32_t *consumed,
		uint32_t *produced, bool *stream_end)
{
	uint8_t *out = dst;
	uint8_t dummy;
	uint32_t done = 0;
	int rc;

	if (!s || !consumed || !produced || !stream_end)
		return -EINVAL;
	*consumed = 0;
	*produced = 0;
	*stream_end = false;
	if ((len && !src) || (dst_cap && !dst))
		return -EINVAL;

	if (first) {
		if (inflateReset(&s->zs) != Z_OK)
			return -EINVAL;
		s->held = false;
	}
	if (s->held) {
		if (dst_cap == 0)
			return -ENOSPC;
		out[0] = s->held_byte;
		s->held = false;
		done = 1;
	}

	s->zs.next_in = (Bytef *)(uintptr_t)src;
	s->zs.avail_in = len;
	s->zs.next_out = dst_cap > done ? out + done : &dummy; /* zlib wants non-NULL */
	s->zs.avail_out = dst_cap - done;
	rc = inflate(&s->zs, Z_NO_FLUSH);
	*consumed = len - s->zs.avail_in;
	*produced = done + (dst_cap - done - s->zs.avail_out);

	if (rc == Z_STREAM_END) {
		*stream_end = true;
		return 0;
	}
	if (rc != Z_OK && rc != Z_BUF_ERROR)
		return inflate_errno(rc);
	if (s->zs.avail_in > 0)
		return -ENOSPC; /* inflate() only stops early when the output is full */
	if (s->zs.avail_out > 0)
		return last ? -EPIPE : 0;

	/*
	 * Input consumed and output exactly full: zlib may hold more output (the
	 * rest of a match, a decoded literal) or be waiting for input, and cannot
	 * say which. Decode one more byte to find out; keep it for the next call.
	 */
	s->zs.next_out = &s->held_byte;
	s->zs.avail_out = 1;
	rc = inflate(&s->zs, Z_NO_FLUSH);
	if (s->zs.avail_out == 0) {
		s->held = true;
		return -ENOSPC;
	}
	if (rc == Z_STREAM_END) {
		*stream_end = true;
		return 0;
	}
	if (rc != Z_OK && rc != Z_BUF_ERROR)
		return inflate_errno(rc);
	return last ? -EPIPE : 0;
}
