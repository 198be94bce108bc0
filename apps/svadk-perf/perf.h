/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-perf: shared definitions of the benchmark tool. */
#ifndef SVADK_PERF_H
#define SVADK_PERF_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sva_dma.h"
#include "sva_hist.h"

#define PERF_MAX_QUEUES 64
#define PERF_MAX_SIZES 64
#define PERF_MAX_BASELINES 4
#define PERF_NAME_MAX 256

/* Exit statuses. */
#define PERF_EXIT_OK 0
#define PERF_EXIT_FAIL 1  /* verification failed, device error, run failed */
#define PERF_EXIT_USAGE 2 /* bad option, key, range, device */

/* perf_conf.handler_cpu besides a CPU number */
#define PERF_HANDLER_NONE -1 /* a thread, not pinned */
#define PERF_HANDLER_POLL -2 /* no thread: the workers poll the handler */
#define PERF_HANDLER_AUTO -3 /* a thread when a CPU is left for it, else poll */

enum mem_kind { MEM_MALLOC, MEM_MMAP, MEM_HUGEPAGE, MEM_THP, MEM_FILE, MEM_KIND_MAX };

/* Everything one run needs; filled by defaults, the command line, a config
 * file section, or `set` at the prompt, all through the parameter table. */
struct perf_conf {
	char name[64];                 /* case name (config section) */
	char device[PERF_NAME_MAX];
	char baselines[PERF_NAME_MAX]; /* comma-separated, or "none" */
	int op;                        /* enum sva_op */
	uint32_t sizes[PERF_MAX_SIZES];
	unsigned int nb_sizes;
	uint32_t burst;
	uint32_t queues;
	int cores[PERF_MAX_QUEUES];    /* worker CPU per queue, -1: not pinned */
	unsigned int nb_cores;
	int handler_cpu;               /* CPU, or PERF_HANDLER_* */
	uint32_t ring;
	uint64_t mem_size;             /* buffer pool per queue, bytes */
	int mem_kind;
	char file[PERF_NAME_MAX];      /* backing file for MEM_FILE ("" = temporary) */
	int src_node, dst_node;        /* NUMA nodes, -1: any */
	bool prefault;
	bool evict;
	int fault_mode;                /* enum sva_fault_mode */
	int fault_ahead;               /* -1: library default */
	double seconds;                /* per size point */
	uint64_t ops;                  /* per size point per queue instead of seconds (0: time) */
	bool verify;
	bool cache_flush;
	uint32_t offset;               /* misalignment of src and dst buffers, bytes */
	char json[PERF_NAME_MAX];      /* output files ("-": stdout) */
	char csv[PERF_NAME_MAX];
	char hist_csv[PERF_NAME_MAX];
	int progress;                  /* -1 auto (terminal), 0 off, 1 on */
	bool quiet;
	char eal_args[PERF_NAME_MAX];  /* passed through to DPDK-backed devices */
	char where[PERF_NAME_MAX + 64]; /* "FILE:LINE: [case]: " for messages, "" from the CLI */
};

/* Result of one queue (or the total) for one size point. */
struct perf_result {
	uint64_t ops;
	uint64_t bytes;
	uint64_t errors;
	uint64_t busy_ticks;     /* application thread inside svadk calls that did work */
	double seconds;
	uint64_t faults;         /* device faults handled for this queue */
	struct sva_hist lat;     /* completion latency, ns */
};

/* One size point on one device. */
struct perf_point {
	char device[PERF_NAME_MAX];
	int op;
	uint32_t size;
	unsigned int nb_queues;
	struct perf_result q[PERF_MAX_QUEUES];
	struct perf_result total;
	uint64_t iopf_requests;      /* handler records during the point */
	uint64_t iopf_pages;
	uint64_t fault_rtt_p50_ns;
	uint64_t fault_rtt_p99_ns;
	double cpu_ghz;
	bool verified;               /* verification ran and passed */
	bool failed;
	char error[256];
};

/* CPUs the process could use when it started (params.c). Cached at the first
 * call, which main() makes first thing: a DPDK-backed device initialises the
 * EAL, which pins the calling thread, and the thread's own affinity would then
 * hide the other CPUs. */
int perf_cpu_count(void);

/* --- parameters (params.c) --- */
void perf_conf_defaults(struct perf_conf *c);
/* Set parameter @name to @value. Returns 0, or -1 with a message in err. */
int perf_param_set(struct perf_conf *c, const char *name, const char *value, char *err,
		   size_t errlen);
/* Whether @name (as spelled on the command line) is an on/off parameter: it
 * takes no value ("--verify") and has a "--no-" form. */
bool perf_param_is_bool(const char *name);
/* The parameter names, NULL-terminated (for completion and help). */
const char *const *perf_param_names(void);
void perf_param_help(FILE *f);
void perf_conf_print(const struct perf_conf *c, FILE *f);
/* Checks that need the whole configuration; -1 with a message. */
int perf_conf_check(const struct perf_conf *c, char *err, size_t errlen);

/* --- command line (cli.c) --- */
/* Returns 0 run, 1 exit 0 (--help), 2 usage error (message printed). */
int perf_cli_parse(int argc, char **argv, struct perf_conf *c, char *config_path, size_t pathlen,
		   bool *interactive);
void perf_usage(FILE *f);

/* --- config files (config.c) --- */
/* Parse an INI file into up to @max cases. Returns the number, or -1 with a
 * message naming the file and line. */
int perf_config_load(const char *path, const struct perf_conf *base, struct perf_conf *cases,
		     int max, char *err, size_t errlen);

/* --- running (run.c) --- */
struct sva_iopf;
struct perf_live {
	_Atomic uint64_t ops;
	_Atomic uint64_t bytes;
	_Atomic int stop;          /* end the run: SIGINT, 'stop', or a worker failed */
	_Atomic int interrupted;   /* SIGINT (or 'stop' at the prompt) */
	double elapsed_total;   /* seconds of finished size points */
	double planned_total;   /* seconds the case should take (0: unknown) */
	pthread_mutex_t lock;   /* protects pf */
	struct sva_iopf *pf;    /* the running device's fault handler, or NULL */
};
/* IO page faults handled so far by the running device's handler. */
uint64_t perf_live_faults(struct perf_live *live);
/* Run one case: the device, then each baseline, every size point. Points
 * are appended to @pts (up to @max). Returns the number of points, or -1 on
 * a usage error (bad device...) with the message printed; failed points are
 * marked failed. */
int perf_run_case(const struct perf_conf *c, struct perf_point *pts, int max,
		  struct perf_live *live);

/* --- memory (memory.c) --- */
struct perf_mem {
	void *base;
	size_t size;
	int kind;
	int fd;
	bool fell_back;
};
int perf_mem_alloc(struct perf_mem *m, size_t size, int kind, int node, const char *file,
		   char *err, size_t errlen);
void perf_mem_free(struct perf_mem *m);
const char *perf_mem_kind_name(int kind);

/* --- reports (report.c) --- */
void perf_report_table(const struct perf_point *pts, int n, const struct perf_conf *c, FILE *f);
void perf_report_comparison(const struct perf_point *pts, int n, FILE *f);
/* One case as a JSON object (main writes the document around the cases). */
void perf_report_json_case(FILE *f, const struct perf_point *pts, int n, const struct perf_conf *c);
void perf_report_csv_header(FILE *f);
void perf_report_csv_rows(FILE *f, const struct perf_point *pts, int n, const char *casename);
void perf_report_hist_header(FILE *f);
void perf_report_hist_rows(FILE *f, const struct perf_point *pts, int n, const char *casename);
void perf_progress_line(struct perf_live *live, double elapsed, double total, FILE *f);

/* --- interactive prompt (prompt.c) --- */
int perf_prompt(struct perf_conf *c);


#endif
