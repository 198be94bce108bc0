/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svadk-dsa: DSA offload on real files.
 *
 *   svadk-dsa [options] copy SRC DST
 *   svadk-dsa [options] crc32c FILE...
 *   svadk-dsa [options] compare A B
 *   svadk-dsa [options] fill FILE SIZE PATTERN
 *   svadk-dsa [options] dualcast SRC DST1 DST2
 *
 * Files are memory-mapped and handed to the device as plain pointers: pages
 * that are not present fault in through the IO page-fault handler. See
 * doc/guides/offload-demos.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "offload.h"
#include "sva_common.h"
#include "sva_log.h"

#define DEFAULT_CHUNK (1u << 20)
#define DEFAULT_QUEUES 2u
#define DEFAULT_DEPTH 4u

enum cmd { CMD_COPY, CMD_CRC32C, CMD_COMPARE, CMD_FILL, CMD_DUALCAST };

struct tool {
	enum cmd cmd;
	bool verify;
	struct ofl_map src, dst, dst2; /* compare: src = A, dst = B */
	uint64_t pattern;
	struct ofl_crc crc;
	uint64_t crc_value;
	bool differ;
	uint64_t diff_off;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: svadk-dsa [OPTIONS] COMMAND ARGS...\n"
		"DSA offload on files: the files are memory-mapped and the device works on\n"
		"them through shared virtual addressing; pages fault in through the IO\n"
		"page-fault handler.\n"
		"\n"
		"Commands:\n"
		"  copy SRC DST              copy SRC to DST (created or truncated), then verify\n"
		"                            DST with a device compare\n"
		"  crc32c FILE...            print the CRC-32C (Castagnoli, as iSCSI/ext4/SCTP:\n"
		"                            reflected, init and final XOR 0xffffffff; \"123456789\"\n"
		"                            gives e3069283) as 8 lowercase hex digits, two spaces\n"
		"                            and the file name\n"
		"  compare A B               compare like cmp(1): print the first differing byte\n"
		"  fill FILE SIZE PATTERN    create FILE of SIZE bytes (k/M/G suffixes) filled with\n"
		"                            PATTERN, 1, 2, 4 or 8 bytes in hex in file order\n"
		"                            (\"deadbeef\" writes de ad be ef de ad ...), then verify\n"
		"                            with a device pattern compare\n"
		"  dualcast SRC DST1 DST2    copy SRC to two files in one pass, then verify both\n"
		"\n"
		"Options:\n"
		"  -d, --device NAME[,ARGS]  device (default dsa_sim0,wqs=Q,engines=Q for Q queues)\n"
		"  -Q, --queues N            queues, one per device work queue (default %u)\n"
		"  -c, --chunk SIZE          bytes per descriptor, a multiple of 4 KiB, at most\n"
		"                            the device's max_xfer (default 1M)\n"
		"  -D, --depth N             chunks in flight per queue (default %u)\n"
		"  -f, --fault-mode MODE     block (the device waits for the fault handler, the\n"
		"                            default) or partial (the device stops at a fault, the\n"
		"                            library resubmits the rest)\n"
		"  -C, --handler-cpu CPU     pin the IO page-fault handler thread (default: not pinned)\n"
		"  -A, --fault-ahead PAGES   pages the fault handler makes present after a faulting\n"
		"                            one (default: the rest of a chunk, 15..255)\n"
		"  -n, --no-verify           skip the verification pass of copy, fill, dualcast\n"
		"  -q, --quiet               no progress bar and no summary line\n"
		"  -l, --log SPEC            log levels, e.g. \"warning\" or \"iopf:debug\"\n"
		"  -h, --help                this text and the device list\n"
		"\n"
		"A progress bar is drawn on stderr when it is a terminal; a summary line\n"
		"(bytes, GB/s, faults resolved) goes to stderr unless --quiet.\n"
		"\n"
		"Exit status: 0 success (compare: equal); 1 compare: the files differ,\n"
		"copy/fill/dualcast: verification found a difference; 2 usage, file or\n"
		"device error.\n",
		DEFAULT_QUEUES, DEFAULT_DEPTH);
}

/* --- pipeline callbacks ------------------------------------------------------------- */

static const char *const stage_name[][3] = {
	[CMD_COPY] = {"copy", "compare", NULL},
	[CMD_CRC32C] = {"crc32c", NULL, NULL},
	[CMD_COMPARE] = {"compare", NULL, NULL},
	[CMD_FILL] = {"fill", "compare pattern", NULL},
	[CMD_DUALCAST] = {"dualcast", "compare", "compare"},
};

static int dsa_issue(struct ofl_pipe *p, struct ofl_chunk *c, struct sva_queue *q,
		     struct sva_result *res)
{
	struct tool *t = p->tool;
	uint8_t *s = t->src.addr ? t->src.addr + c->off : NULL;
	uint8_t *d = t->dst.addr ? t->dst.addr + c->off : NULL;
	uint8_t *d2 = t->dst2.addr ? t->dst2.addr + c->off : NULL;
	switch (t->cmd) {
	case CMD_COPY:
		if (c->stage == 0)
			return sva_copy(q, d, s, c->len, 0);
		return sva_compare(q, d, s, c->len, res, 0);
	case CMD_CRC32C:
		return sva_crc32c(q, s, c->len, 0, res, 0);
	case CMD_COMPARE:
		return sva_compare(q, s, d, c->len, res, 0);
	case CMD_FILL:
		if (c->stage == 0)
			return sva_fill(q, d, t->pattern, c->len, 0);
		return sva_compare_pattern(q, d, t->pattern, c->len, res, 0);
	case CMD_DUALCAST:
		if (c->stage == 0)
			return sva_dualcast(q, d, d2, s, c->len, 0);
		return sva_compare(q, c->stage == 1 ? d : d2, s, c->len, res, 0);
	}
	return -EINVAL;
}

static int dsa_complete(struct ofl_pipe *p, struct ofl_chunk *c, enum sva_status st)
{
	struct tool *t = p->tool;
	if (st != SVA_STATUS_SUCCESS) {
		ofl_err("%s of %u bytes at offset %llu failed: %s", stage_name[t->cmd][c->stage],
			c->len, (unsigned long long)c->off, sva_status_str(st));
		p->exit_code = OFL_EXIT_ERR;
		return -1;
	}
	switch (t->cmd) {
	case CMD_CRC32C:
		c->user = c->res.value;
		return 0;
	case CMD_COMPARE:
		return 0; /* judged at retire, in file order */
	case CMD_COPY:
	case CMD_FILL:
	case CMD_DUALCAST:
		if (c->stage > 0 && c->res.value) {
			const char *what = t->cmd == CMD_DUALCAST && c->stage == 2 ? t->dst2.path
										: t->dst.path;
			ofl_err("verification failed: %s differs at offset %llu", what,
				(unsigned long long)(c->off + c->res.bytes));
			p->exit_code = OFL_EXIT_DATA;
			return -1;
		}
		if (!t->verify)
			return 0;
		unsigned int stages = t->cmd == CMD_DUALCAST ? 3 : 2;
		if (c->stage + 1u < stages) {
			c->stage++;
			return 1;
		}
		return 0;
	}
	return 0;
}

static int dsa_retire(struct ofl_pipe *p, struct ofl_chunk *c)
{
	struct tool *t = p->tool;
	if (t->cmd == CMD_CRC32C) {
		t->crc_value = ofl_crc_combine(&t->crc, t->crc_value, c->user, c->len);
	} else if (t->cmd == CMD_COMPARE && c->res.value) {
		t->differ = true;
		t->diff_off = c->off + c->res.bytes;
		return 1;
	}
	return 0;
}

static const struct ofl_pipe_ops dsa_ops = {
	.issue = dsa_issue,
	.complete = dsa_complete,
	.retire = dsa_retire,
};

/* --- commands ------------------------------------------------------------------------ */

struct opts {
	struct ofl_dev_opts dev;
	uint64_t chunk;
	unsigned int depth;
	bool verify;
};

/* The device operations command @p t needs, its verification included. */
static uint64_t need_capa(const struct tool *t)
{
	static const enum sva_op op[] = {
		[CMD_COPY] = SVA_OP_COPY, [CMD_CRC32C] = SVA_OP_CRC32C,
		[CMD_COMPARE] = SVA_OP_COMPARE, [CMD_FILL] = SVA_OP_FILL,
		[CMD_DUALCAST] = SVA_OP_DUALCAST,
	};
	uint64_t capa = SVA_CAPA_OP(op[t->cmd]);
	if (t->verify) /* copy, fill and dualcast only */
		capa |= SVA_CAPA_OP(t->cmd == CMD_FILL ? SVA_OP_COMPARE_PATTERN : SVA_OP_COMPARE);
	return capa;
}

/* Open the device for command @p t; *chunk: --chunk, at most what the device
 * takes in one operation. @return 0, or -1 with a message. */
static int open_dev(struct ofl_dev *d, const struct opts *o, const struct tool *t,
		    uint32_t *chunk)
{
	if (ofl_dev_open(d, &o->dev, need_capa(t)) < 0)
		return -1;
	uint64_t maxx = SVA_ALIGN_DOWN((uint64_t)d->info.max_xfer, SVA_PAGE_SIZE);
	if (o->chunk > maxx && maxx == 0) {
		ofl_err("device %s: max_xfer %u is below 4 KiB", d->name, d->info.max_xfer);
		ofl_dev_close(d);
		return -1;
	}
	*chunk = (uint32_t)(o->chunk > maxx ? maxx : o->chunk);
	return 0;
}

/* Run command @p t over @p size bytes on the open device; summary line. */
static int run_on(struct ofl_dev *d, uint32_t chunk, struct tool *t, const struct opts *o,
		  uint64_t size)
{
	const char *name = stage_name[t->cmd][0];
	struct ofl_pipe p = {
		.d = d, .ops = &dsa_ops, .tool = t, .label = name, .size = size, .chunk = chunk,
		.depth = o->depth,
	};
	int r = ofl_pipe_run(&p);
	if (r < 0)
		return p.exit_code ? p.exit_code : OFL_EXIT_ERR;
	char extra[96];
	snprintf(extra, sizeof(extra), "chunk %u x depth %u%s", chunk, o->depth,
		 t->verify ? ", verified" : "");
	ofl_summary(d, name, r == 1 ? p.bytes_done : size, p.ns, extra);
	return OFL_EXIT_OK;
}

/* Open the device, run @p t once, close. */
static int run(struct tool *t, const struct opts *o, uint64_t size)
{
	struct ofl_dev d;
	uint32_t chunk;
	if (open_dev(&d, o, t, &chunk) < 0)
		return OFL_EXIT_ERR;
	int rc = run_on(&d, chunk, t, o, size);
	ofl_dev_close(&d);
	return rc;
}

static int cmd_copy(const struct opts *o, char **av)
{
	struct tool t = {.cmd = CMD_COPY, .verify = o->verify};
	int rc = OFL_EXIT_ERR;
	if (ofl_map_input(&t.src, av[0]) < 0)
		return OFL_EXIT_ERR;
	if (ofl_check_not_input(av[1], &t.src) < 0 ||
	    ofl_map_output(&t.dst, av[1], t.src.size, t.src.mode) < 0)
		goto out;
	rc = run(&t, o, t.src.size);
out:
	ofl_unmap(&t.dst);
	ofl_unmap(&t.src);
	return rc;
}

static int cmd_dualcast(const struct opts *o, char **av)
{
	struct tool t = {.cmd = CMD_DUALCAST, .verify = o->verify};
	int rc = OFL_EXIT_ERR;
	if (ofl_map_input(&t.src, av[0]) < 0)
		return OFL_EXIT_ERR;
	if (strcmp(av[1], av[2]) == 0) {
		ofl_err("the two destinations are the same file: %s", av[1]);
		goto out;
	}
	if (ofl_check_not_input(av[1], &t.src) < 0 || ofl_check_not_input(av[2], &t.src) < 0 ||
	    ofl_map_output(&t.dst, av[1], t.src.size, t.src.mode) < 0 ||
	    ofl_map_output(&t.dst2, av[2], t.src.size, t.src.mode) < 0)
		goto out;
	if (ofl_check_not_input(av[2], &t.dst) < 0) /* e.g. a link to DST1 */
		goto out;
	/* DSA dualcast: both destinations have the same bits 11:0. The mappings
	 * are page aligned and chunks sit at the same offset in both. */
	if (((uintptr_t)t.dst.addr ^ (uintptr_t)t.dst2.addr) & (SVA_PAGE_SIZE - 1)) {
		ofl_err("internal error: destination mappings are not page aligned");
		goto out;
	}
	rc = run(&t, o, t.src.size);
out:
	ofl_unmap(&t.dst2);
	ofl_unmap(&t.dst);
	ofl_unmap(&t.src);
	return rc;
}

static int cmd_crc32c(const struct opts *o, int ac, char **av)
{
	int worst = OFL_EXIT_OK;
	struct ofl_dev d;
	uint32_t chunk;
	/* One device for every file; each file's summary counts its own faults. */
	if (open_dev(&d, o, &(struct tool){.cmd = CMD_CRC32C}, &chunk) < 0)
		return OFL_EXIT_ERR;
	for (int i = 0; i < ac; i++) {
		struct tool t = {.cmd = CMD_CRC32C};
		ofl_crc_init(&t.crc, 32, 0x1EDC6F41, true);
		if (ofl_map_input(&t.src, av[i]) < 0) {
			worst = OFL_EXIT_ERR;
			continue;
		}
		int rc = run_on(&d, chunk, &t, o, t.src.size);
		ofl_unmap(&t.src);
		if (rc != OFL_EXIT_OK) {
			worst = rc;
			continue;
		}
		printf("%08llx  %s\n", (unsigned long long)t.crc_value, av[i]);
		fflush(stdout);
	}
	ofl_dev_close(&d);
	return worst;
}

static int cmd_compare(const struct opts *o, char **av)
{
	struct tool t = {.cmd = CMD_COMPARE};
	int rc = OFL_EXIT_ERR;
	if (ofl_map_input(&t.src, av[0]) < 0)
		return OFL_EXIT_ERR;
	if (ofl_map_input(&t.dst, av[1]) < 0)
		goto out;
	uint64_t n = t.src.size < t.dst.size ? t.src.size : t.dst.size;
	rc = run(&t, o, n);
	if (rc != OFL_EXIT_OK)
		goto out;
	if (t.differ) {
		printf("%s %s differ: byte %llu (offset %llu)\n", av[0], av[1],
		       (unsigned long long)t.diff_off + 1, (unsigned long long)t.diff_off);
		rc = OFL_EXIT_DATA;
	} else if (t.src.size != t.dst.size) {
		const struct ofl_map *s = t.src.size < t.dst.size ? &t.src : &t.dst;
		if (s->size == 0)
			ofl_err("EOF on %s which is empty", s->path);
		else
			ofl_err("EOF on %s after byte %llu", s->path, (unsigned long long)s->size);
		rc = OFL_EXIT_DATA;
	}
out:
	ofl_unmap(&t.dst);
	ofl_unmap(&t.src);
	return rc;
}

/* PATTERN: 1, 2, 4 or 8 bytes in hex, in file order, repeated to 8 bytes. */
static int parse_pattern(const char *s, uint64_t *out)
{
	uint8_t b[8];
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	size_t n = strlen(s);
	if (n != 2 && n != 4 && n != 8 && n != 16)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		char h[3] = {s[2 * i], s[2 * i + 1], 0};
		char *end;
		unsigned long v = strtoul(h, &end, 16);
		if (*end || !h[0] || h[0] == '+' || h[0] == '-' || h[0] == ' ')
			return -1;
		b[i] = (uint8_t)v;
	}
	uint64_t v = 0;
	for (unsigned int i = 0; i < 8; i++)
		v |= (uint64_t)b[i % (n / 2)] << (8 * i); /* the device stores it little-endian */
	*out = v;
	return 0;
}

static int cmd_fill(const struct opts *o, char **av)
{
	struct tool t = {.cmd = CMD_FILL, .verify = o->verify};
	uint64_t size;
	if (sva_parse_u64(av[1], &size) < 0) {
		ofl_err("bad SIZE '%s' (a number with an optional k, M, G suffix)", av[1]);
		return OFL_EXIT_ERR;
	}
	if (parse_pattern(av[2], &t.pattern) < 0) {
		ofl_err("bad PATTERN '%s' (1, 2, 4 or 8 bytes in hex, e.g. 00ff or deadbeefcafef00d)",
			av[2]);
		return OFL_EXIT_ERR;
	}
	if (ofl_map_output(&t.dst, av[0], size, 0666) < 0)
		return OFL_EXIT_ERR;
	int rc = run(&t, o, size);
	ofl_unmap(&t.dst);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"device", required_argument, NULL, 'd'},
		{"queues", required_argument, NULL, 'Q'},
		{"chunk", required_argument, NULL, 'c'},
		{"depth", required_argument, NULL, 'D'},
		{"fault-mode", required_argument, NULL, 'f'},
		{"handler-cpu", required_argument, NULL, 'C'},
		{"fault-ahead", required_argument, NULL, 'A'},
		{"no-verify", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"log", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {
		.dev = {.default_name = "dsa_sim0", .queues = DEFAULT_QUEUES, .handler_cpu = -1,
		.fault_ahead = -1},
		.chunk = DEFAULT_CHUNK,
		.depth = DEFAULT_DEPTH,
		.verify = true,
	};
	int c;
	ofl_prog = "svadk-dsa";
	sva_log_parse_spec("warning");
	while ((c = getopt_long(argc, argv, "d:Q:c:D:f:C:A:nql:h", lo, NULL)) != -1) {
		int common = ofl_common_option(c, optarg, &o.dev, &o.depth);
		if (common < 0)
			return OFL_EXIT_ERR;
		if (common)
			continue;
		switch (c) {
		case 'c':
			if (sva_parse_u64(optarg, &o.chunk) < 0 || o.chunk < 4096 ||
			    o.chunk % 4096 || o.chunk > (1ull << 31)) {
				ofl_err("--chunk: expected a multiple of 4 KiB up to 2 GiB, got '%s'",
					optarg);
				return OFL_EXIT_ERR;
			}
			break;
		case 'n':
			o.verify = false;
			break;
		case 'h':
			usage(stdout);
			printf("\nDevices:\n");
			sva_dev_list_drivers(stdout);
			return OFL_EXIT_OK;
		default:
			fprintf(stderr, "Try 'svadk-dsa --help'.\n");
			return OFL_EXIT_ERR;
		}
	}
	if (o.dev.fault_ahead < 0)
		o.dev.fault_ahead = ofl_default_fault_ahead(o.chunk);
	int ac = argc - optind;
	char **av = argv + optind;
	if (ac < 1) {
		usage(stderr);
		return OFL_EXIT_ERR;
	}
	static const struct {
		const char *name;
		int min, max;
	} cmds[] = {
		[CMD_COPY] = {"copy", 2, 2},         [CMD_CRC32C] = {"crc32c", 1, 1 << 30},
		[CMD_COMPARE] = {"compare", 2, 2},   [CMD_FILL] = {"fill", 3, 3},
		[CMD_DUALCAST] = {"dualcast", 3, 3},
	};
	int cmd = -1;
	for (unsigned int i = 0; i < SVA_ARRAY_SIZE(cmds); i++)
		if (!strcmp(av[0], cmds[i].name))
			cmd = (int)i;
	if (cmd < 0) {
		ofl_err("unknown command '%s' (copy, crc32c, compare, fill, dualcast)", av[0]);
		return OFL_EXIT_ERR;
	}
	if (ac - 1 < cmds[cmd].min || ac - 1 > cmds[cmd].max) {
		ofl_err("%s: wrong number of arguments; see --help", av[0]);
		return OFL_EXIT_ERR;
	}
	switch ((enum cmd)cmd) {
	case CMD_COPY: return cmd_copy(&o, av + 1);
	case CMD_CRC32C: return cmd_crc32c(&o, ac - 1, av + 1);
	case CMD_COMPARE: return cmd_compare(&o, av + 1);
	case CMD_FILL: return cmd_fill(&o, av + 1);
	case CMD_DUALCAST: return cmd_dualcast(&o, av + 1);
	}
	return OFL_EXIT_ERR;
}
