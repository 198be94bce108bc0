/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-perf interactive prompt, testpmd style. Line editing, history and
 * completion come from libedit's readline interface. A run goes on in the
 * background so that `show stats` and `stop` work while it does. */
#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perf.h"
#include "sva_build_config.h"
#include "sva_iopf.h"
#include "sva_time.h"

#ifdef SVA_HAVE_LIBEDIT
#include <editline/readline.h>
#endif

#define PROMPT "svadk-perf> "
#define MAX_POINTS 512

static struct {
	struct perf_conf conf;      /* settings for the next start */
	struct perf_conf running;   /* settings of the current/last run */
	struct perf_live live;
	struct perf_point pts[MAX_POINTS];
	int npts;
	pthread_t thread;
	_Atomic int active;         /* a run thread exists (not joined) */
	_Atomic int finished;       /* it has finished */
	uint64_t t_start;
	bool tty;                   /* input from a terminal (else: a script, start waits) */
} st = {.live = {.lock = PTHREAD_MUTEX_INITIALIZER}};

static const char *const commands[] = {"start", "stop", "show", "set", "help", "quit", "exit",
				       NULL};
static const char *const show_what[] = {"stats", "faults", "config", "results", "devices",
					NULL};

static void help(void)
{
	printf("Commands:\n"
	       "  start                 run the benchmark with the current settings (in the background;\n"
	       "                        with commands piped on stdin, to its end)\n"
	       "  stop                  stop the run and print its results\n"
	       "  show stats            live throughput of the run, or the last results\n"
	       "  show faults           IO page-fault handler statistics of the run\n"
	       "  show config           current settings\n"
	       "  show results          the last run's result tables\n"
	       "  show devices          device drivers and their arguments\n"
	       "  set <param> <value>   change a setting (names as in --help, e.g. set op crc32c)\n"
	       "  help                  this text\n"
	       "  quit                  stop and leave\n");
}

static void *run_main(void *arg)
{
	(void)arg;
	st.npts = perf_run_case(&st.running, st.pts, MAX_POINTS, &st.live);
	atomic_store(&st.finished, 1);
	return NULL;
}

static void print_results(void)
{
	if (st.npts < 0) {
		printf("the run did not start (see the message above)\n");
		return;
	}
	if (st.npts == 0) {
		printf("no results: the run stopped before its first size point ended\n");
		return;
	}
	perf_report_table(st.pts, st.npts, &st.running, stdout);
	perf_report_comparison(st.pts, st.npts, stdout);
	for (int i = 0; i < st.npts; i++)
		if (st.pts[i].failed)
			printf("FAILED: %s size %u: %s\n", st.pts[i].device, st.pts[i].size,
			       st.pts[i].error);
}

static void join_run(void)
{
	if (atomic_load(&st.active)) {
		pthread_join(st.thread, NULL);
		atomic_store(&st.active, 0);
	}
}

static void cmd_start(void)
{
	char err[256];
	if (atomic_load(&st.active) && !atomic_load(&st.finished)) {
		printf("a run is in progress: stop it first\n");
		return;
	}
	join_run();
	if (perf_conf_check(&st.conf, err, sizeof(err)) < 0) {
		printf("cannot start: %s\n", err);
		return;
	}
	st.running = st.conf;
	st.running.progress = 0;
	atomic_store(&st.live.stop, 0);
	atomic_store(&st.live.ops, 0);
	atomic_store(&st.live.bytes, 0);
	atomic_store(&st.finished, 0);
	st.npts = 0;
	st.t_start = sva_now_ns();
	if (pthread_create(&st.thread, NULL, run_main, NULL) != 0) {
		printf("cannot start the run thread\n");
		return;
	}
	atomic_store(&st.active, 1);
	if (!st.tty) { /* a script on stdin: run to the end, then go on with the next line */
		printf("running: %s on %s (%u sizes)\n", sva_op_name(st.running.op),
		       st.running.device, st.running.nb_sizes);
		fflush(stdout);
		join_run();
		print_results();
		return;
	}
	printf("started: %s on %s (%u sizes, %g s each); 'show stats' to watch, 'stop' to end\n",
	       sva_op_name(st.running.op), st.running.device, st.running.nb_sizes,
	       st.running.seconds);
}

static void cmd_stop(void)
{
	if (!atomic_load(&st.active)) {
		printf("no run in progress\n");
		return;
	}
	atomic_store(&st.live.stop, 1);
	join_run();
	print_results();
}

static void cmd_show(const char *what)
{
	if (!what || !*what) {
		printf("show what? stats, faults, config, results, devices\n");
		return;
	}
	if (!strcmp(what, "config")) {
		perf_conf_print(&st.conf, stdout);
	} else if (!strcmp(what, "devices")) {
		sva_dev_list_drivers(stdout);
	} else if (!strcmp(what, "results")) {
		if (!atomic_load(&st.finished))
			printf("no finished run yet\n");
		else
			print_results();
	} else if (!strcmp(what, "stats")) {
		if (atomic_load(&st.active) && !atomic_load(&st.finished)) {
			double el = (double)(sva_now_ns() - st.t_start) / 1e9;
			uint64_t ops = atomic_load(&st.live.ops), bytes = atomic_load(&st.live.bytes);
			printf("running %.1f s: %llu operations, %.3f Mops/s, %.3f GB/s on average, "
			       "%llu IO page faults\n", el, (unsigned long long)ops,
			       el > 0 ? (double)ops / el / 1e6 : 0, el > 0 ? (double)bytes / el / 1e9 : 0,
			       (unsigned long long)perf_live_faults(&st.live));
		} else if (atomic_load(&st.finished)) {
			join_run();
			print_results();
		} else {
			printf("no run yet: 'start'\n");
		}
	} else if (!strcmp(what, "faults")) {
		struct sva_iopf_stats s = {0};
		pthread_mutex_lock(&st.live.lock);
		bool have = st.live.pf != NULL;
		if (have)
			sva_iopf_stats_get(st.live.pf, &s);
		pthread_mutex_unlock(&st.live.lock);
		if (!have) {
			uint64_t req = 0, pages = 0;
			for (int i = 0; i < st.npts; i++) {
				req += st.pts[i].iopf_requests;
				pages += st.pts[i].iopf_pages;
			}
			printf("no handler running; last run: %llu fault records, %llu pages resolved\n",
			       (unsigned long long)req, (unsigned long long)pages);
			return;
		}
		printf("IO page-fault handler: %llu requests, %llu groups, %llu pages resolved, "
		       "%llu fault-ahead pages, %llu invalid, %llu coalesced; round trip p50 %llu ns, "
		       "p99 %llu ns, max %llu ns\n", (unsigned long long)s.requests,
		       (unsigned long long)s.groups, (unsigned long long)s.pages_resolved,
		       (unsigned long long)s.fault_ahead_pages, (unsigned long long)s.invalid,
		       (unsigned long long)s.coalesced, (unsigned long long)s.lat_p50_ns,
		       (unsigned long long)s.lat_p99_ns, (unsigned long long)s.lat_max_ns);
	} else {
		printf("unknown: show %s (stats, faults, config, results, devices)\n", what);
	}
}

static char *next_word(char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
	if (!**p)
		return NULL;
	char *w = *p;
	while (**p && !isspace((unsigned char)**p))
		(*p)++;
	if (**p)
		*(*p)++ = '\0';
	return w;
}

/* Execute one line; returns 1 to quit. */
static int execute(char *line)
{
	char *p = line;
	char *cmd = next_word(&p);
	if (!cmd || cmd[0] == '#')
		return 0;
	if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit"))
		return 1;
	if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
		help();
	} else if (!strcmp(cmd, "start")) {
		cmd_start();
	} else if (!strcmp(cmd, "stop")) {
		cmd_stop();
	} else if (!strcmp(cmd, "show")) {
		cmd_show(next_word(&p));
	} else if (!strcmp(cmd, "set")) {
		char *name = next_word(&p), err[256];
		while (isspace((unsigned char)*p))
			p++;
		if (!name || !*p) {
			printf("usage: set <param> <value>   (see 'show config')\n");
		} else if (atomic_load(&st.active) && !atomic_load(&st.finished)) {
			printf("a run is in progress: stop it first\n");
		} else if (perf_param_set(&st.conf, name, p, err, sizeof(err)) < 0) {
			printf("error: %s\n", err);
		} else {
			printf("%s set\n", name);
		}
	} else {
		printf("unknown command '%s'; 'help' lists them\n", cmd);
	}
	return 0;
}

#ifdef SVA_HAVE_LIBEDIT
static const char *const *complete_list;

static char *generator(const char *text, int state)
{
	static int idx;
	static size_t len;
	if (!state) {
		idx = 0;
		len = strlen(text);
	}
	while (complete_list && complete_list[idx]) {
		const char *name = complete_list[idx++];
		if (!strncmp(name, text, len))
			return strdup(name);
	}
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	const char *line = rl_line_buffer;
	while (isspace((unsigned char)*line))
		line++;
	if (start == (int)(line - rl_line_buffer))
		complete_list = commands;
	else if (!strncmp(line, "set ", 4))
		complete_list = perf_param_names();
	else if (!strncmp(line, "show ", 5))
		complete_list = show_what;
	else
		complete_list = NULL;
	rl_attempted_completion_over = 1;
	return rl_completion_matches(text, generator);
}
#endif

/* ^C at the prompt stops the run in progress (its results are printed)
 * instead of ending the program; 'quit' or end of input leaves. */
static volatile sig_atomic_t got_sigint;

static void on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
	atomic_store(&st.live.stop, 1);
}

static void handle_sigint(void)
{
	got_sigint = 0;
	if (atomic_load(&st.active) && !atomic_load(&st.finished)) {
		printf("\ninterrupted: stopping the run\n");
		join_run();
		print_results();
	} else {
		printf("\n(^C: no run in progress; 'quit' leaves)\n");
	}
	fflush(stdout);
}

int perf_prompt(struct perf_conf *c)
{
	st.conf = *c;
	struct sigaction sa = {.sa_handler = on_sigint}; /* no SA_RESTART: input returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	bool tty = isatty(STDIN_FILENO);
	st.tty = tty;
	char hist[PERF_NAME_MAX + 32] = "";
	const char *home = getenv("HOME");
	if (home)
		snprintf(hist, sizeof(hist), "%s/.svadk_perf_history", home);
	printf("svadk-perf interactive prompt; 'help' for commands, Tab completes\n");
#ifdef SVA_HAVE_LIBEDIT
	if (tty) {
		rl_attempted_completion_function = complete;
		if (hist[0])
			read_history(hist);
	}
#endif
	for (;;) {
		char *line = NULL;
		if (got_sigint)
			handle_sigint();
#ifdef SVA_HAVE_LIBEDIT
		if (tty) {
			line = readline(PROMPT);
			if (line && *line)
				add_history(line);
		}
#endif
		if (!tty) {
			char buf[1024];
			printf(PROMPT);
			fflush(stdout);
			if (fgets(buf, sizeof(buf), stdin))
				line = strdup(buf);
			if (line)
				line[strcspn(line, "\n")] = '\0';
		}
		if (!line && got_sigint) {
			clearerr(stdin);
			handle_sigint();
			continue;
		}
		if (!line) { /* end of input */
			printf("\n");
			break;
		}
		int quit = execute(line);
		free(line);
		fflush(stdout);
		if (quit)
			break;
	}
#ifdef SVA_HAVE_LIBEDIT
	if (tty && hist[0])
		write_history(hist);
#endif
	if (atomic_load(&st.active)) {
		atomic_store(&st.live.stop, 1);
		join_run();
	}
	return PERF_EXIT_OK;
}
