/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared parts of the DSA/IAA offload demos (svadk-dsa, svadk-iaa).
 *
 * The demos run one application thread that drives several queues round
 * robin (see doc/guides/offload-demos.md, "How the work is split"): a file is
 * cut into chunks, chunk i goes to queue i % Q, up to Q * depth chunks are in
 * flight, and chunks retire in file order so that CRCs can be combined and
 * outputs written in order. The device's engines do the work; the thread only
 * builds descriptors, rings doorbells and polls.
 */
#ifndef OFFLOAD_H
#define OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sva_args.h" /* sva_parse_u64: sizes with k/M/G suffixes */
#include "sva_dma.h"
#include "sva_hist.h"
#include "sva_iopf.h"

/* Exit codes shared by both tools (documented in their --help). */
#define OFL_EXIT_OK 0   /* success; compare: files are equal */
#define OFL_EXIT_DATA 1 /* compare: files differ; copy/fill/dualcast: verification failed;
			 * decompress: corrupt or truncated input */
#define OFL_EXIT_ERR 2  /* usage, file, device or other errors */

extern const char *ofl_prog; /* program name for messages */
extern bool ofl_quiet;

/* Print "prog: message" on stderr. */
void ofl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a decimal integer in [@p min, @p max] for option @p opt; @p what says
 * what was expected. @return 0, or -1 with "prog: OPT: expected WHAT, got 'ARG'". */
int ofl_parse_long(const char *arg, long min, long max, const char *opt, const char *what,
		   long *out);

/* --- files ---------------------------------------------------------------- */

/* A file mapped into the process (MAP_SHARED): the device reaches it through
 * the process address space, its page-cache pages fault in through the IO
 * page-fault handler. An empty file has addr == NULL. */
struct ofl_map {
	const char *path;
	int fd;
	uint8_t *addr;
	uint64_t size;
	mode_t mode;
};

/* Open and map @p path read-only. @return 0, or -1 with a message printed. */
int ofl_map_input(struct ofl_map *m, const char *path);

/* Create or truncate @p path, size it to @p size (space reserved when the
 * file system can) and map it read-write. @return 0, or -1 with a message. */
int ofl_map_output(struct ofl_map *m, const char *path, uint64_t size, mode_t mode);

/* Unmap and close (NULL-safe, idempotent). */
void ofl_unmap(struct ofl_map *m);

/* Refuse an output @p out that is the file @p in (opening it for output would
 * truncate the input first). @return 0, or -1 with a message printed. */
int ofl_check_not_input(const char *out, const struct ofl_map *in);

/* --- output through a temporary file ----------------------------------------- */

/* Create a temporary file next to @p final (same directory, so that rename()
 * is atomic); it is removed on ofl_tmp_abort(), on exit without commit and on
 * SIGINT/SIGTERM/SIGHUP. @return the fd, or -1 with a message. */
int ofl_tmp_create(const char *final);

/* Write all of @p buf. @return 0, or -1 with a message. */
int ofl_tmp_write(const void *buf, size_t len);

/* Set @p mode, rename onto the final name. @return 0, or -1 (then aborted). */
int ofl_tmp_commit(mode_t mode);

/* Remove the temporary file. */
void ofl_tmp_abort(void);

/* --- CRC arithmetic -------------------------------------------------------------- */

/* A CRC of width 32 or 64 bits: polynomial in normal (MSB-first) form,
 * reflected or not. Only used to combine CRCs computed over consecutive
 * pieces; the CRCs themselves come from the device. */
struct ofl_crc {
	unsigned int width;
	bool reflect;
	uint64_t poly;   /* in the representation of the register (reflected if reflect) */
	uint64_t mask;
	uint64_t one;    /* the polynomial 1 in that representation */
	uint64_t shift_len; /* cached x^(8 * shift_len) mod P */
	uint64_t shift_pow;
};

void ofl_crc_init(struct ofl_crc *c, unsigned int width, uint64_t poly_normal, bool reflect);

/* CRC of A||B from crc(A), crc(B) and len(B). Valid when the initial value
 * equals the final XOR (both 0 or both all ones), as for CRC-32C, CRC-32
 * (gzip), CRC-64/XZ, CRC-64/ECMA-182. */
uint64_t ofl_crc_combine(struct ofl_crc *c, uint64_t crc1, uint64_t crc2, uint64_t len2);

/* --- device, handler, queues ------------------------------------------------------ */

struct ofl_dev_opts {
	const char *device;     /* --device, or NULL: default_name with default args */
	const char *default_name;
	const char *extra_args; /* appended to the default args (e.g. comp_level=9), or NULL */
	unsigned int queues;    /* --queues */
	enum sva_fault_mode fault_mode;
	int handler_cpu;        /* --handler-cpu, -1: not pinned */
	int fault_ahead;        /* --fault-ahead pages, -1: the handler's default */
};

/* Fault counters at the start of a run (ofl_dev_mark()): a summary reports
 * what happened since, not since the device was opened. */
struct ofl_fault_mark {
	struct sva_iopf_stats pf;
	uint64_t partial;                    /* partial completions, all queues */
	uint64_t lat[SVA_HIST_BUCKETS];      /* the handler's latency histogram */
};

struct ofl_dev {
	struct sva_dev *dev;
	struct sva_iopf *pf;
	struct sva_queue **q;
	unsigned int nb_q;
	struct sva_dev_info info;
	char name[160];
	struct ofl_fault_mark mark;
};

/* Open the device, start its fault handler, create the queues. @return 0 or -1. */
int ofl_dev_open(struct ofl_dev *d, const struct ofl_dev_opts *o, uint64_t need_capa);

/* The options both tools take: -d/--device, -Q/--queues, -D/--depth,
 * -f/--fault-mode, -C/--handler-cpu, -A/--fault-ahead, -q/--quiet, -l/--log.
 * @return 1 when @c was one of them (applied), 0 when it is the tool's own,
 * -1 for a bad value (the message is printed). */
int ofl_common_option(int c, const char *arg, struct ofl_dev_opts *dev, unsigned int *depth);

/* Destroy queues, stop the handler, close. NULL-safe. */
void ofl_dev_close(struct ofl_dev *d);

/* Fault-ahead for a sequential pass in chunks of @p chunk bytes: a fault
 * makes the rest of its chunk present (15 to 255 pages). */
int ofl_default_fault_ahead(uint64_t chunk);

/* Start a run: the next ofl_summary() counts faults from here. */
void ofl_dev_mark(struct ofl_dev *d);

/* Print the summary line on stderr (unless quiet): @p bytes in @p ns, and the
 * faults since the last ofl_dev_mark() (or since the device was opened). */
void ofl_summary(struct ofl_dev *d, const char *what, uint64_t bytes, uint64_t ns,
		 const char *extra);

/* --- progress bar ------------------------------------------------------------------ */

struct ofl_progress {
	bool on;
	uint64_t total;
	uint64_t t0, next;
	const char *label;
};

/* A bar on stderr only when it is a terminal and not quiet. */
void ofl_progress_init(struct ofl_progress *p, const char *label, uint64_t total);
void ofl_progress_update(struct ofl_progress *p, uint64_t done);
void ofl_progress_end(struct ofl_progress *p);

/* --- the chunk pipeline ---------------------------------------------------------------- */

struct ofl_pipe;

/* One chunk of the file while it is in flight. */
struct ofl_chunk {
	uint64_t idx;        /* chunk number */
	uint64_t off;        /* offset in the file */
	uint32_t len;
	uint8_t stage;       /* next stage to enqueue / stage in flight */
	bool need_issue;     /* the stage waits for ring room */
	bool done;           /* every stage completed: waiting to retire */
	struct sva_result res; /* result of the last completed operation */
	void *buf;           /* per-slot buffer, when the tool asked for one */
	uint64_t user;       /* tool's per-chunk value */
};

/* What a tool plugs into the pipeline. */
struct ofl_pipe_ops {
	/* Enqueue stage @p stage of @p c on @p q (no doorbell); @p res must receive
	 * the result. @return ring index, -ENOSPC (retried later), other -errno. */
	int (*issue)(struct ofl_pipe *p, struct ofl_chunk *c, struct sva_queue *q,
		     struct sva_result *res);
	/* A stage completed with @p st and result @p res (copied into c->res first).
	 * @return 0 chunk done, 1 issue the next stage (c->stage was advanced by the
	 * callback), -1 fatal (the callback printed why, and set p->exit_code). */
	int (*complete)(struct ofl_pipe *p, struct ofl_chunk *c, enum sva_status st);
	/* The chunk retires, in file order. @return 0, or -1 to stop (printed,
	 * p->exit_code set), or 1 to stop early without error (e.g. compare found a
	 * difference). */
	int (*retire)(struct ofl_pipe *p, struct ofl_chunk *c);
};

struct ofl_pipe {
	struct ofl_dev *d;
	const struct ofl_pipe_ops *ops;
	void *tool;              /* the tool's context */
	const char *label;       /* progress bar label */
	uint64_t size;           /* bytes to process */
	uint32_t chunk;          /* chunk size */
	unsigned int depth;      /* chunks in flight per queue, >= 1 */
	size_t buf_size;         /* per-slot buffer size (0: none) */
	int exit_code;           /* set by callbacks on failure */
	uint64_t bytes_done;     /* retired bytes */
	uint64_t ns;             /* how long the run took */
};

/* Run the pipeline over [0, p->size), with a progress bar, timed (p->ns);
 * it starts a run of the device (ofl_dev_mark()) for the summary.
 * @return 0 when every chunk retired, 1 when a retire callback stopped early,
 * -1 on failure (p->exit_code). */
int ofl_pipe_run(struct ofl_pipe *p);

/* Poll backoff used while waiting for the device: spin, then yield, then
 * sleep a little, so that the engines and the fault handler get the CPU. */
void ofl_backoff(unsigned int *idle);

#endif
