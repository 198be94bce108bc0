/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-perf: the benchmark tool. One run from options, the cases of a
 * config file, or an interactive prompt. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perf.h"
#include "sva_build_config.h"
#include "sva_log.h"
#include "sva_time.h"

#define MAX_CASES 64
#define MAX_POINTS 512

static struct perf_live live = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void on_sigint(int sig)
{
	(void)sig;
	if (atomic_load(&live.interrupted)) /* second ^C: leave now */
		_exit(130);
	atomic_store(&live.interrupted, 1);
	atomic_store(&live.stop, 1);
}

struct progress_ctx {
	_Atomic int done;
	bool on;
};

static void *progress_main(void *arg)
{
	struct progress_ctx *p = arg;
	uint64_t t0 = sva_now_ns();
	while (!atomic_load(&p->done)) {
		for (int i = 0; i < 10 && !atomic_load(&p->done); i++)
			usleep(100000);
		if (atomic_load(&p->done))
			break;
		double el = (double)(sva_now_ns() - t0) / 1e9;
		perf_progress_line(&live, el, live.planned_total, stderr);
	}
	fprintf(stderr, "\r%*s\r", 100, "");
	return NULL;
}

static FILE *open_out(const char *path)
{
	if (!path[0])
		return NULL;
	if (!strcmp(path, "-"))
		return stdout;
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "svadk-perf: cannot write %s: %s\n", path, strerror(errno));
	return f;
}

static void close_out(FILE *f)
{
	if (f && f != stdout)
		fclose(f);
}

/* Run the cases; returns the exit status. */
static int run_cases(struct perf_conf *cases, int ncases)
{
	static struct perf_point pts[MAX_POINTS];
	FILE *json = open_out(cases[0].json), *csv = open_out(cases[0].csv);
	FILE *hist = open_out(cases[0].hist_csv);
	if ((cases[0].json[0] && !json) || (cases[0].csv[0] && !csv) || (cases[0].hist_csv[0] && !hist))
		return PERF_EXIT_USAGE;
	if (json)
		fprintf(json, "{\n\"tool\": \"svadk-perf\",\n\"version\": \"%s\",\n\"cases\": [\n",
			SVA_VERSION);
	if (csv)
		perf_report_csv_header(csv);
	if (hist)
		perf_report_hist_header(hist);
	/* With a machine-readable output on stdout the tables go to stderr. */
	FILE *out = json == stdout || csv == stdout || hist == stdout ? stderr : stdout;
	int status = PERF_EXIT_OK, njson = 0;
	for (int i = 0; i < ncases && !atomic_load(&live.interrupted); i++) {
		struct perf_conf *c = &cases[i];
		char err[256];
		if (perf_conf_check(c, err, sizeof(err)) < 0) {
			fprintf(stderr, "svadk-perf: %s%s\n", c->where, err);
			status = PERF_EXIT_USAGE;
			break;
		}
		if (!c->quiet)
			fprintf(out, "== case %s: %s on %s, sizes %u..%u, burst %u, %u queue(s), %s "
				"memory%s%s, %s on fault\n", c->name, sva_op_name(c->op), c->device, c->sizes[0],
			       c->sizes[c->nb_sizes - 1], c->burst, c->queues,
			       perf_mem_kind_name(c->mem_kind), c->prefault ? " prefaulted" : " first touch",
			       c->evict ? ", evicted every pass" : "",
			       c->fault_mode == SVA_FAULT_PARTIAL ? "partial completion" : "block");
		fflush(out);
		struct progress_ctx prog = {.on = c->progress == 1 ||
						 (c->progress < 0 && isatty(STDERR_FILENO) && !c->quiet)};
		pthread_t pth;
		/* a failed case before does not end this one; ^C does */
		atomic_store(&live.stop, 0);
		if (atomic_load(&live.interrupted))
			atomic_store(&live.stop, 1);
		atomic_store(&live.ops, 0);
		atomic_store(&live.bytes, 0);
		if (prog.on)
			pthread_create(&pth, NULL, progress_main, &prog);
		int n = perf_run_case(c, pts, MAX_POINTS, &live);
		if (prog.on) {
			atomic_store(&prog.done, 1);
			pthread_join(pth, NULL);
		}
		if (n < 0) {
			status = PERF_EXIT_USAGE;
			break;
		}
		perf_report_table(pts, n, c, out);
		perf_report_comparison(pts, n, out);
		for (int k = 0; k < n; k++)
			if (pts[k].failed) {
				fprintf(stderr, "svadk-perf: %s %s size %u: %s\n", pts[k].device,
					sva_op_name(pts[k].op), pts[k].size, pts[k].error);
				status = PERF_EXIT_FAIL;
			}
		if (json) {
			fprintf(json, "%s", njson++ ? ",\n" : "");
			perf_report_json_case(json, pts, n, c);
		}
		if (csv)
			perf_report_csv_rows(csv, pts, n, c->name);
		if (hist)
			perf_report_hist_rows(hist, pts, n, c->name);
		fflush(out);
	}
	if (json)
		fprintf(json, "\n],\n\"interrupted\": %s,\n\"status\": %d\n}\n",
			atomic_load(&live.interrupted) ? "true" : "false",
			atomic_load(&live.interrupted) && status == PERF_EXIT_OK ? 130 : status);
	close_out(json);
	close_out(csv);
	close_out(hist);
	if (atomic_load(&live.interrupted) && status == PERF_EXIT_OK) {
		fprintf(stderr, "svadk-perf: interrupted; results so far are above\n");
		status = 130;
	}
	return status;
}

int main(int argc, char **argv)
{
	static struct perf_conf cases[MAX_CASES];
	struct perf_conf base;
	char config[PERF_NAME_MAX];
	bool interactive;
	perf_cpu_count(); /* before anything can pin this thread */
	perf_conf_defaults(&base);
	int rc = perf_cli_parse(argc, argv, &base, config, sizeof(config), &interactive);
	if (rc == 1)
		return PERF_EXIT_OK;
	if (rc)
		return PERF_EXIT_USAGE;
	if (base.quiet)
		sva_log_set_level(SVA_LOG_TYPE_MAX, SVA_LOG_ERR);
	struct sigaction sa = {.sa_handler = on_sigint};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (interactive && config[0]) {
		fprintf(stderr, "svadk-perf: --interactive and --config do not go together "
			"(the prompt runs one case: set its parameters with 'set')\n");
		return PERF_EXIT_USAGE;
	}
	if (interactive)
		return perf_prompt(&base);
	int ncases = 1;
	if (config[0]) {
		char err[512];
		ncases = perf_config_load(config, &base, cases, MAX_CASES, err, sizeof(err));
		if (ncases < 0) {
			fprintf(stderr, "svadk-perf: %s\n", err);
			return PERF_EXIT_USAGE;
		}
		/* Options given on the command line win over the file's keys
		 * (e.g. --seconds 0.1 for a quick pass over a config). */
		for (int i = 0; i < ncases; i++) {
			char name[sizeof(cases[i].name)];
			memcpy(name, cases[i].name, sizeof(name));
			if (perf_cli_parse(argc, argv, &cases[i], config, sizeof(config), &interactive))
				return PERF_EXIT_USAGE;
			memcpy(cases[i].name, name, sizeof(name));
			if (perf_conf_check(&cases[i], err, sizeof(err)) < 0) {
				fprintf(stderr, "svadk-perf: %swith the command-line options: %s\n",
					cases[i].where, err);
				return PERF_EXIT_USAGE;
			}
		}
	} else {
		cases[0] = base;
	}
	return run_cases(cases, ncases);
}
