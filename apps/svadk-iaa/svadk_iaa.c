/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svadk-iaa: IAA offload on real files.
 *
 *   svadk-iaa [options] compress IN OUT.gz
 *   svadk-iaa [options] decompress IN.gz OUT
 *   svadk-iaa [options] crc64 FILE...
 *
 * The device produces and consumes raw deflate; this program writes and reads
 * the gzip container (RFC 1952) around it. Inputs are memory-mapped and handed
 * to the device as plain pointers. Outputs go to a temporary file in the
 * target directory that is renamed on success and removed on any failure.
 * See doc/guides/offload-demos.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "offload.h"
#include "sva_common.h"
#include "sva_log.h"
#include "sva_time.h"

#define DEFAULT_CHUNK (1u << 20)
#define DEFAULT_QUEUES 2u
#define DEFAULT_DEPTH 4u

/* gzip header flags (RFC 1952, 2.3.1) */
#define GZ_FTEXT 0x01
#define GZ_FHCRC 0x02
#define GZ_FEXTRA 0x04
#define GZ_FNAME 0x08
#define GZ_FCOMMENT 0x10
#define GZ_FRESERVED 0xe0

struct opts {
	struct ofl_dev_opts dev;
	uint64_t chunk;
	unsigned int depth;
	int level;       /* 0: the device's default */
	bool no_name;
	uint64_t poly;   /* crc64 */
	bool msb_first;
	bool no_invert;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: svadk-iaa [OPTIONS] COMMAND ARGS...\n"
		"IAA offload on files: deflate/inflate and CRC-64 by the device, on\n"
		"memory-mapped files (shared virtual addressing, pages fault in through the\n"
		"IO page-fault handler). The gzip container is written and read here.\n"
		"\n"
		"Commands:\n"
		"  compress IN OUT.gz     gzip IN into OUT.gz (gzip -d reads it)\n"
		"  decompress IN.gz OUT   gunzip IN.gz into OUT (any gzip file: every level,\n"
		"                         several members, FNAME/FEXTRA/FCOMMENT/FHCRC)\n"
		"  crc64 FILE...          print the CRC-64 as 16 lowercase hex digits, two\n"
		"                         spaces and the file name. Default CRC-64/XZ (as xz,\n"
		"                         Go's crc64.ECMA: ECMA-182 polynomial, reflected, init\n"
		"                         and final XOR all ones; \"123456789\" gives\n"
		"                         995dc9bbdf1939fa)\n"
		"\n"
		"Options:\n"
		"  -d, --device NAME[,ARGS]  device (default iaa_sim0,wqs=Q,engines=Q for Q queues)\n"
		"  -Q, --queues N            queues (default %u; decompress uses one: a deflate\n"
		"                            stream is sequential)\n"
		"  -c, --chunk SIZE          input bytes per descriptor (default 1M, at most the\n"
		"                            device's max_xfer); compress chunks are independent\n"
		"  -D, --depth N             chunks in flight per queue (default %u)\n"
		"  -L, --level N             compression level 1..9 of the software device\n"
		"                            (default device only; default 1)\n"
		"  -N, --no-name             compress: do not store the input's name and time\n"
		"  -f, --fault-mode MODE     block (default) or partial\n"
		"  -C, --handler-cpu CPU     pin the IO page-fault handler thread\n"
		"  -A, --fault-ahead PAGES   pages made present after a faulting\n"
		"                            one (default: the rest of a chunk, 15..255)\n"
		"  -p, --poly HEX            crc64: polynomial, normal form (default ECMA-182\n"
		"                            42f0e1eba9ea3693)\n"
		"  -M, --msb-first           crc64: not reflected (with --no-invert and the\n"
		"                            default polynomial: CRC-64/ECMA-182, 6c40df5f0b497347)\n"
		"  -I, --no-invert           crc64: initial value and final XOR zero\n"
		"  -q, --quiet               no progress bar and no summary line\n"
		"  -l, --log SPEC            log levels, e.g. \"warning\" or \"iopf:debug\"\n"
		"  -h, --help                this text and the device list\n"
		"\n"
		"Exit status: 0 success; 1 corrupt, truncated or non-gzip input (no output\n"
		"file is left behind); 2 usage, file or device error.\n",
		DEFAULT_QUEUES, DEFAULT_DEPTH);
}

static uint32_t clamp_chunk(const struct ofl_dev *d, uint64_t chunk)
{
	if (chunk > d->info.max_xfer)
		chunk = d->info.max_xfer;
	return (uint32_t)chunk;
}

/* --- compress --------------------------------------------------------------------------- */

struct comp {
	struct ofl_map in;
	uint64_t total_out;
	uint32_t crc;
	uint64_t stored_chunks;
};

#define STORED ((uint64_t)1 << 40) /* c->user: the chunk falls back to stored blocks */

static int comp_issue(struct ofl_pipe *p, struct ofl_chunk *c, struct sva_queue *q,
		      struct sva_result *res)
{
	struct comp *t = p->tool;
	bool last = c->off + c->len == p->size;
	/* Room for as much as the input: what does not compress is stored. */
	return sva_compress(q, c->buf, c->len, t->in.addr + c->off, c->len,
			    last ? SVA_COMP_F_LAST : 0, res, 0);
}

static int comp_complete(struct ofl_pipe *p, struct ofl_chunk *c, enum sva_status st)
{
	if (st == SVA_STATUS_SUCCESS) {
		c->user = c->res.bytes;
		return 0;
	}
	if (st == SVA_STATUS_OUTBUF_OVERFLOW) {
		c->user = STORED;
		return 0;
	}
	ofl_err("compress of %u bytes at offset %llu failed: %s", c->len,
		(unsigned long long)c->off, sva_status_str(st));
	p->exit_code = OFL_EXIT_ERR;
	return -1;
}

/* Raw deflate stored blocks (RFC 1951, 3.2.4) for a chunk that does not
 * compress: byte aligned, like the device's chunk outputs. */
static int write_stored(const uint8_t *src, uint32_t len, bool last)
{
	do {
		uint32_t n = len > 65535 ? 65535 : len;
		bool final = last && n == len;
		uint8_t h[5] = {final ? 1 : 0, (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)~n,
				(uint8_t)(~n >> 8)};
		if (ofl_tmp_write(h, 5) < 0 || (n && ofl_tmp_write(src, n) < 0))
			return -1;
		src += n;
		len -= n;
	} while (len);
	return 0;
}

static int comp_retire(struct ofl_pipe *p, struct ofl_chunk *c)
{
	struct comp *t = p->tool;
	uint32_t ccrc;
	if (c->user == STORED) {
		const uint8_t *src = t->in.addr + c->off;
		if (write_stored(src, c->len, c->off + c->len == p->size) < 0)
			goto werr;
		t->total_out += c->len + 5ull * ((c->len + 65534) / 65535);
		t->stored_chunks++;
		ccrc = (uint32_t)crc32(0, src, c->len);
	} else {
		if (ofl_tmp_write(c->buf, (size_t)c->user) < 0)
			goto werr;
		t->total_out += c->user;
		ccrc = (uint32_t)c->res.value;
	}
	t->crc = (uint32_t)crc32_combine(t->crc, ccrc, (z_off_t)c->len);
	return 0;
werr:
	p->exit_code = OFL_EXIT_ERR;
	return -1;
}

static const struct ofl_pipe_ops comp_ops = {
	.issue = comp_issue,
	.complete = comp_complete,
	.retire = comp_retire,
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int cmd_compress(const struct opts *o, char **av)
{
	struct comp t = {0};
	struct ofl_dev d = {0};
	struct stat st;
	int rc = OFL_EXIT_ERR;
	if (ofl_map_input(&t.in, av[0]) < 0)
		return OFL_EXIT_ERR;
	if (ofl_check_not_input(av[1], &t.in) < 0)
		goto out;
	if (ofl_dev_open(&d, &o->dev, SVA_CAPA_OP(SVA_OP_COMPRESS)) < 0)
		goto out;
	if (ofl_tmp_create(av[1]) < 0)
		goto out;

	/* Header: ID1 ID2 CM FLG MTIME XFL OS [FNAME]. */
	uint8_t h[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
	const char *base = strrchr(av[0], '/');
	base = base ? base + 1 : av[0];
	if (!o->no_name) {
		h[3] = GZ_FNAME;
		if (fstat(t.in.fd, &st) == 0 && st.st_mtime > 0 && st.st_mtime <= UINT32_MAX)
			put32(h + 4, (uint32_t)st.st_mtime);
	}
	h[8] = o->level == 9 ? 2 : (o->level <= 1 ? 4 : 0); /* XFL: slowest / fastest */
	if (ofl_tmp_write(h, sizeof(h)) < 0 ||
	    (!o->no_name && ofl_tmp_write(base, strlen(base) + 1) < 0))
		goto fail;
	t.total_out = sizeof(h) + (o->no_name ? 0 : strlen(base) + 1);

	uint32_t chunk = clamp_chunk(&d, o->chunk);
	struct ofl_pipe p = {
		.d = &d, .ops = &comp_ops, .tool = &t, .label = "compress", .size = t.in.size,
		.chunk = chunk, .depth = o->depth, .buf_size = chunk,
	};
	int r = ofl_pipe_run(&p);
	if (r != 0) {
		rc = p.exit_code ? p.exit_code : OFL_EXIT_ERR;
		goto fail;
	}
	if (t.in.size == 0) {
		/* Nothing for the device to do (it takes no empty input): an empty
		 * stream is one final fixed-Huffman block holding only end-of-block. */
		static const uint8_t empty[2] = {0x03, 0x00};
		if (ofl_tmp_write(empty, 2) < 0)
			goto fail;
		t.total_out += 2;
	}
	uint8_t tr[8];
	put32(tr, t.crc);
	put32(tr + 4, (uint32_t)t.in.size);
	if (ofl_tmp_write(tr, 8) < 0)
		goto fail;
	t.total_out += 8;
	if (ofl_tmp_commit(t.in.mode) < 0)
		goto out;
	char extra[160];
	snprintf(extra, sizeof(extra), "%llu bytes out (%.1f%% of the input), chunk %u x depth %u, "
		 "%llu stored chunk%s",
		 (unsigned long long)t.total_out,
		 t.in.size ? 100.0 * (double)t.total_out / (double)t.in.size : 0.0, chunk, o->depth,
		 (unsigned long long)t.stored_chunks, t.stored_chunks == 1 ? "" : "s");
	ofl_summary(&d, "compress", t.in.size, p.ns, extra);
	rc = OFL_EXIT_OK;
	goto out;
fail:
	ofl_tmp_abort();
out:
	ofl_dev_close(&d);
	ofl_unmap(&t.in);
	return rc;
}

/* --- decompress ------------------------------------------------------------------------------- */

struct decomp {
	struct ofl_dev *d;
	const uint8_t *in;
	uint64_t size;
	uint8_t *obuf;
	uint32_t ocap;
	uint32_t chunk;
	void *state;
	uint64_t total_out;
	unsigned int members;
	struct ofl_progress *pr;
	const char *path;
};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Data errors: print "prog: file: what (at offset N)" and return OFL_EXIT_DATA. */
static int bad(const struct decomp *x, const char *what, uint64_t off)
{
	ofl_err("%s: %s (at offset %llu)", x->path, what, (unsigned long long)off);
	return OFL_EXIT_DATA;
}

/* The same for a whole member: "... in the gzip member at offset N". */
static int bad_member(const struct decomp *x, const char *what, uint64_t member)
{
	ofl_err("%s: %s in the gzip member at offset %llu", x->path, what,
		(unsigned long long)member);
	return OFL_EXIT_DATA;
}

/* Parse a member header at *pos. @return 0 or an exit code. */
static int parse_header(struct decomp *x, uint64_t *pos)
{
	const uint8_t *p = x->in + *pos;
	uint64_t left = x->size - *pos, n = 10;
	if (left < 2 || p[0] != 0x1f || p[1] != 0x8b)
		return bad(x, left == 0 ? "unexpected end of file" : "not in gzip format", *pos);
	if (left < 10)
		return bad(x, "unexpected end of file in the gzip header", *pos);
	if (p[2] != 8)
		return bad(x, "unknown compression method", *pos + 2);
	uint8_t flg = p[3];
	if (flg & GZ_FRESERVED)
		return bad(x, "reserved gzip header flags set", *pos + 3);
	if (flg & GZ_FEXTRA) {
		if (left < n + 2)
			goto trunc;
		uint32_t xlen = (uint32_t)p[n] | (uint32_t)p[n + 1] << 8;
		n += 2 + xlen;
		if (left < n)
			goto trunc;
	}
	for (int f = 0; f < 2; f++) {
		if (!(flg & (f == 0 ? GZ_FNAME : GZ_FCOMMENT)))
			continue;
		const uint8_t *z = n < left ? memchr(p + n, 0, left - n) : NULL;
		if (!z)
			goto trunc;
		n = (uint64_t)(z - p) + 1;
	}
	if (flg & GZ_FHCRC) {
		if (left < n + 2)
			goto trunc;
		uint32_t want = (uint32_t)p[n] | (uint32_t)p[n + 1] << 8;
		uint32_t got = (uint32_t)crc32(0, p, (uInt)n) & 0xffff;
		if (want != got)
			return bad(x, "gzip header CRC mismatch", *pos);
		n += 2;
	}
	*pos += n;
	return 0;
trunc:
	return bad(x, "unexpected end of file in the gzip header", *pos);
}

/* One decompress operation, waited for. */
static enum sva_status decomp_op(struct decomp *x, const uint8_t *src, uint32_t len,
				 uint32_t cflags, struct sva_result *res)
{
	struct sva_queue *q = x->d->q[0];
	enum sva_status st = SVA_STATUS_UNKNOWN;
	uint16_t last;
	unsigned int idle = 0;
	memset(res, 0, sizeof(*res));
	int rc;
	while ((rc = sva_decompress(q, x->obuf, x->ocap, src, len, cflags, x->state, res,
				    SVA_OP_FLAG_SUBMIT)) == -ENOSPC)
		ofl_backoff(&idle);
	if (rc < 0) {
		ofl_err("cannot enqueue a decompression: %s", strerror(-rc));
		return SVA_STATUS_UNKNOWN;
	}
	idle = 0;
	while (sva_completed_status(q, 1, &last, &st) == 0)
		ofl_backoff(&idle);
	return st;
}

/* Decompress the deflate stream of the member at @p member, whose data start
 * at *pos; on return *pos is just past its trailer. @return 0 or an exit code. */
static int decomp_member(struct decomp *x, uint64_t member, uint64_t *pos)
{
	uint64_t isize = 0;
	uint32_t crc = 0;
	bool first = true, pending = false, drained = false;
	struct sva_result res;
	for (;;) {
		uint64_t left = x->size - *pos;
		uint32_t len = (uint32_t)(left < x->chunk ? left : x->chunk);
		if (len == 0 && !pending)
			return bad(x, "unexpected end of file: the compressed data is truncated", *pos);
		enum sva_status st = decomp_op(x, x->in + *pos, len, first ? SVA_COMP_F_FIRST : 0,
					       &res);
		if (st == SVA_STATUS_SUCCESS || st == SVA_STATUS_OUTBUF_OVERFLOW) {
			if (res.bytes > x->ocap || res.consumed > len) {
				ofl_err("device returned %u bytes out / %u consumed for %u / %u",
					res.bytes, res.consumed, x->ocap, len);
				return OFL_EXIT_ERR;
			}
			if (res.bytes && ofl_tmp_write(x->obuf, res.bytes) < 0)
				return OFL_EXIT_ERR;
			crc = (uint32_t)crc32_combine(crc, (uint32_t)res.value, (z_off_t)res.bytes);
			isize += res.bytes;
			x->total_out += res.bytes;
			first = false;
			if (st == SVA_STATUS_OUTBUF_OVERFLOW) {
				/* The output did not fit: write it out and go on with the
				 * rest of the input (possibly none) into the same buffer. */
				*pos += res.consumed;
				pending = true;
				drained = false;
				continue;
			}
			pending = false;
			if (res.consumed < len) {
				*pos += res.consumed; /* the stream ended inside this input */
				break;
			}
			*pos += len;
			drained = true; /* all input consumed: the stream may have ended exactly here */
			ofl_progress_update(x->pr, *pos);
			continue;
		}
		if (st == SVA_STATUS_DATA_ERROR && drained && x->size - *pos >= 8 &&
		    get32(x->in + *pos) == crc && get32(x->in + *pos + 4) == (uint32_t)isize) {
			/* The previous input ended exactly where the stream did, and the
			 * device refuses to continue a finished stream: the trailer that
			 * follows matches what was produced, so the stream is complete. */
			break;
		}
		if (st == SVA_STATUS_DATA_ERROR)
			return bad_member(x, "invalid compressed data (corrupt input)", member);
		ofl_err("%s: decompression at offset %llu failed: %s", x->path,
			(unsigned long long)*pos, sva_status_str(st));
		return OFL_EXIT_ERR;
	}
	if (x->size - *pos < 8)
		return bad(x, "unexpected end of file: the gzip trailer is missing", *pos);
	if (get32(x->in + *pos) != crc)
		return bad_member(x, "CRC-32 mismatch (corrupt data)", member);
	if (get32(x->in + *pos + 4) != (uint32_t)isize)
		return bad_member(x, "length mismatch (corrupt data)", member);
	*pos += 8;
	x->members++;
	ofl_progress_update(x->pr, *pos);
	return 0;
}

static int cmd_decompress(struct opts *o, char **av)
{
	struct ofl_map in;
	struct ofl_dev d = {0};
	struct ofl_progress pr;
	struct decomp x = {.path = av[0], .pr = &pr};
	int rc = OFL_EXIT_ERR;
	if (ofl_map_input(&in, av[0]) < 0)
		return OFL_EXIT_ERR;
	if (ofl_check_not_input(av[1], &in) < 0)
		goto out;
	x.in = in.addr;
	x.size = in.size;
	if (x.size == 0) {
		rc = bad(&x, "unexpected end of file: empty", 0);
		goto out;
	}
	o->dev.queues = 1; /* one stream: one queue */
	if (ofl_dev_open(&d, &o->dev, SVA_CAPA_OP(SVA_OP_DECOMPRESS)) < 0)
		goto out;
	x.d = &d;
	x.chunk = clamp_chunk(&d, o->chunk);
	uint64_t ocap = 4 * (uint64_t)x.chunk;
	if (ocap < 256 * 1024)
		ocap = 256 * 1024;
	if (ocap > d.info.max_xfer)
		ocap = d.info.max_xfer;
	x.ocap = (uint32_t)ocap;
	x.obuf = aligned_alloc(SVA_PAGE_SIZE, SVA_ALIGN_UP(x.ocap, SVA_PAGE_SIZE));
	x.state = aligned_alloc(64, SVA_DECOMP_STATE_SIZE);
	if (!x.obuf || !x.state) {
		ofl_err("out of memory");
		goto out;
	}
	memset(x.state, 0, SVA_DECOMP_STATE_SIZE);
	if (ofl_tmp_create(av[1]) < 0)
		goto out;
	ofl_progress_init(&pr, "decompress", x.size);
	uint64_t pos = 0, t0 = sva_now_ns();
	for (;;) {
		uint64_t member = pos;
		rc = parse_header(&x, &pos);
		if (rc == 0)
			rc = decomp_member(&x, member, &pos);
		if (rc != 0)
			break;
		if (pos == x.size)
			break;
		if (x.size - pos >= 2 && x.in[pos] == 0x1f && x.in[pos + 1] == 0x8b)
			continue; /* another member */
		/* Like gzip: what follows the last member is ignored, with a warning
		 * unless it is zero padding (as tar and some tape formats leave). */
		bool zeros = true;
		for (uint64_t i = pos; i < x.size && zeros; i++)
			zeros = x.in[i] == 0;
		if (!zeros)
			ofl_err("%s: trailing garbage ignored (%llu bytes at offset %llu)", av[0],
				(unsigned long long)(x.size - pos), (unsigned long long)pos);
		break;
	}
	uint64_t ns = sva_now_ns() - t0;
	ofl_progress_end(&pr);
	if (rc != 0)
		goto out; /* the temporary file is removed there */
	if (ofl_tmp_commit(in.mode) < 0) {
		rc = OFL_EXIT_ERR;
		goto out;
	}
	char extra[128];
	snprintf(extra, sizeof(extra), "from %llu bytes in, %u member%s, input chunk %u, output "
		 "buffer %u", (unsigned long long)x.size, x.members, x.members == 1 ? "" : "s",
		 x.chunk, x.ocap);
	ofl_summary(&d, "decompress", x.total_out, ns, extra);
	rc = OFL_EXIT_OK;
out:
	ofl_tmp_abort();
	free(x.obuf);
	free(x.state);
	ofl_dev_close(&d);
	ofl_unmap(&in);
	return rc;
}

/* --- crc64 ------------------------------------------------------------------------------------ */

struct crc64t {
	struct ofl_map in;
	struct ofl_crc crc;
	uint64_t value;
	uint64_t poly;
	uint32_t flags;
};

static int crc_issue(struct ofl_pipe *p, struct ofl_chunk *c, struct sva_queue *q,
		     struct sva_result *res)
{
	struct crc64t *t = p->tool;
	return sva_crc64(q, t->in.addr + c->off, c->len, t->poly, t->flags, res, 0);
}

static int crc_complete(struct ofl_pipe *p, struct ofl_chunk *c, enum sva_status st)
{
	if (st != SVA_STATUS_SUCCESS) {
		ofl_err("crc64 of %u bytes at offset %llu failed: %s", c->len,
			(unsigned long long)c->off, sva_status_str(st));
		p->exit_code = OFL_EXIT_ERR;
		return -1;
	}
	c->user = c->res.value;
	return 0;
}

static int crc_retire(struct ofl_pipe *p, struct ofl_chunk *c)
{
	struct crc64t *t = p->tool;
	t->value = ofl_crc_combine(&t->crc, t->value, c->user, c->len);
	return 0;
}

static const struct ofl_pipe_ops crc_ops = {
	.issue = crc_issue,
	.complete = crc_complete,
	.retire = crc_retire,
};

static int cmd_crc64(const struct opts *o, int ac, char **av)
{
	int worst = OFL_EXIT_OK;
	struct ofl_dev d;
	if (ofl_dev_open(&d, &o->dev, SVA_CAPA_OP(SVA_OP_CRC64)) < 0)
		return OFL_EXIT_ERR;
	uint32_t chunk = clamp_chunk(&d, o->chunk);
	for (int i = 0; i < ac; i++) {
		struct crc64t t = {
			.poly = o->poly,
			.flags = (o->msb_first ? 0 : SVA_CRC64_F_REFLECT) |
				 (o->no_invert ? 0 : SVA_CRC64_F_INVERT),
		};
		ofl_crc_init(&t.crc, 64, o->poly, !o->msb_first);
		if (ofl_map_input(&t.in, av[i]) < 0) {
			worst = OFL_EXIT_ERR;
			continue;
		}
		struct ofl_pipe p = {
			.d = &d, .ops = &crc_ops, .tool = &t, .label = "crc64", .size = t.in.size,
			.chunk = chunk, .depth = o->depth,
		};
		int r = ofl_pipe_run(&p);
		ofl_unmap(&t.in);
		if (r != 0) {
			worst = p.exit_code ? p.exit_code : OFL_EXIT_ERR;
			continue;
		}
		printf("%016llx  %s\n", (unsigned long long)t.value, av[i]);
		fflush(stdout);
		char extra[64];
		snprintf(extra, sizeof(extra), "chunk %u x depth %u", chunk, o->depth);
		ofl_summary(&d, "crc64", t.in.size, p.ns, extra);
	}
	ofl_dev_close(&d);
	return worst;
}

/* --- main ------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"device", required_argument, NULL, 'd'},
		{"queues", required_argument, NULL, 'Q'},
		{"chunk", required_argument, NULL, 'c'},
		{"depth", required_argument, NULL, 'D'},
		{"level", required_argument, NULL, 'L'},
		{"no-name", no_argument, NULL, 'N'},
		{"fault-mode", required_argument, NULL, 'f'},
		{"handler-cpu", required_argument, NULL, 'C'},
		{"fault-ahead", required_argument, NULL, 'A'},
		{"poly", required_argument, NULL, 'p'},
		{"msb-first", no_argument, NULL, 'M'},
		{"no-invert", no_argument, NULL, 'I'},
		{"quiet", no_argument, NULL, 'q'},
		{"log", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {
		.dev = {.default_name = "iaa_sim0", .queues = DEFAULT_QUEUES, .handler_cpu = -1,
			.fault_ahead = -1},
		.chunk = DEFAULT_CHUNK,
		.depth = DEFAULT_DEPTH,
		.poly = SVA_CRC64_POLY_ECMA,
	};
	char level_arg[32];
	int c;
	ofl_prog = "svadk-iaa";
	sva_log_parse_spec("warning");
	while ((c = getopt_long(argc, argv, "d:Q:c:D:L:Nf:C:A:p:MIql:h", lo, NULL)) != -1) {
		int common = ofl_common_option(c, optarg, &o.dev, &o.depth);
		if (common < 0)
			return OFL_EXIT_ERR;
		if (common)
			continue;
		char *end;
		long v;
		switch (c) {
		case 'c':
			if (sva_parse_u64(optarg, &o.chunk) < 0 || o.chunk < 512 ||
			    o.chunk > (1ull << 31)) {
				ofl_err("--chunk: expected 512 bytes .. 2 GiB, got '%s'", optarg);
				return OFL_EXIT_ERR;
			}
			break;
		case 'L':
			if (ofl_parse_long(optarg, 1, 9, "--level", "1..9", &v) < 0)
				return OFL_EXIT_ERR;
			o.level = (int)v;
			break;
		case 'N':
			o.no_name = true;
			break;
		case 'p': {
			errno = 0;
			unsigned long long pv = strtoull(optarg, &end, 16);
			if (errno || *end || end == optarg || pv == 0) {
				ofl_err("--poly: expected a non-zero hex polynomial, got '%s'", optarg);
				return OFL_EXIT_ERR;
			}
			o.poly = pv;
			break;
		}
		case 'M':
			o.msb_first = true;
			break;
		case 'I':
			o.no_invert = true;
			break;
		case 'h':
			usage(stdout);
			printf("\nDevices:\n");
			sva_dev_list_drivers(stdout);
			return OFL_EXIT_OK;
		default:
			fprintf(stderr, "Try 'svadk-iaa --help'.\n");
			return OFL_EXIT_ERR;
		}
	}
	if (o.level) {
		if (o.dev.device) {
			ofl_err("--level applies to the default device; with --device add "
				"comp_level=N to its arguments");
			return OFL_EXIT_ERR;
		}
		snprintf(level_arg, sizeof(level_arg), "comp_level=%d", o.level);
		o.dev.extra_args = level_arg;
	}
	if (o.dev.fault_ahead < 0)
		o.dev.fault_ahead = ofl_default_fault_ahead(o.chunk);
	int ac = argc - optind;
	char **av = argv + optind;
	if (ac < 1) {
		usage(stderr);
		return OFL_EXIT_ERR;
	}
	if (!strcmp(av[0], "compress") || !strcmp(av[0], "decompress")) {
		if (ac != 3) {
			ofl_err("%s: expects two file names; see --help", av[0]);
			return OFL_EXIT_ERR;
		}
		return av[0][0] == 'c' ? cmd_compress(&o, av + 1) : cmd_decompress(&o, av + 1);
	}
	if (!strcmp(av[0], "crc64")) {
		if (ac < 2) {
			ofl_err("crc64: expects at least one file name; see --help");
			return OFL_EXIT_ERR;
		}
		return cmd_crc64(&o, ac - 1, av + 1);
	}
	ofl_err("unknown command '%s' (compress, decompress, crc64)", av[0]);
	return OFL_EXIT_ERR;
}
