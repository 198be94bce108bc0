/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-perf command line. */
#include <stdio.h>
#include <string.h>

#include "perf.h"
#include "sva_common.h"
#include "sva_dma.h"

void perf_usage(FILE *f)
{
	fprintf(f,
		"Usage: svadk-perf [options]              run one benchmark from options\n"
		"       svadk-perf --config FILE [options] run the cases of an INI file\n"
		"       svadk-perf --interactive           testpmd-style prompt\n"
		"\n"
		"Measures a DMA device through svadk and, in the same run, baseline devices\n"
		"(the CPU by default), and prints each result with its ratio to the baseline.\n"
		"\n"
		"General:\n"
		"  -h, --help            this text\n"
		"  -c, --config FILE     INI file in dpdk-test-dma-perf format (+ svadk keys)\n"
		"  -i, --interactive     start the prompt (start, stop, show stats, set, help, quit)\n"
		"      --list-devices    list the device drivers and their arguments\n"
		"Short forms: -d device, -o op, -s size, -b burst, -q queues, -t seconds.\n"
		"Booleans take a value (--verify 0) or stand alone (--evict); --no-NAME sets 0.\n"
		"\n"
		"Parameters (also config-file keys, with _ for -, and 'set' at the prompt):\n");
	perf_param_help(f);
	fprintf(f,
		"\nConfig-file keys from dpdk-test-dma-perf: type (DMA_MEM_COPY|CPU_MEM_COPY),\n"
		"mem_size (MB), buf_size, dma_ring_size, kick_batch, src_numa_node, dst_numa_node,\n"
		"lcore_dma (lcoreN@device,...) or lcore_dma0, lcore_dma1... (lcore=N,dev=NAME),\n"
		"lcore, cache_flush, test_seconds, eal_args, skip;\n"
		"a [GLOBAL] section gives defaults for every case; options on the command line\n"
		"win over the file.\n"
		"\nExit status: 0 success, 1 a run failed (verification, device error), 2 usage error,\n"
		"130 interrupted (SIGINT: the results so far are printed).\n");
}

static const struct {
	char s;
	const char *l;
} shorts[] = {{'d', "device"}, {'o', "op"}, {'s', "size"}, {'b', "burst"},
	      {'q', "queues"}, {'t', "seconds"}};

int perf_cli_parse(int argc, char **argv, struct perf_conf *c, char *config_path, size_t pathlen,
		   bool *interactive)
{
	char err[256];
	*interactive = false;
	config_path[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char name[64];
		const char *value = NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			perf_usage(stdout);
			return 1;
		}
		if (!strcmp(a, "-i") || !strcmp(a, "--interactive")) {
			*interactive = true;
			continue;
		}
		if (!strcmp(a, "--list-devices")) {
			printf("Device drivers:\n");
			sva_dev_list_drivers(stdout);
			return 1;
		}
		if (!strcmp(a, "-c") || !strcmp(a, "--config") || !strncmp(a, "--config=", 9)) {
			const char *eq = strchr(a, '=');
			const char *v = eq ? eq + 1 : argv[++i];
			if (i >= argc || !v) {
				fprintf(stderr, "svadk-perf: --config needs a file\n");
				return 2;
			}
			snprintf(config_path, pathlen, "%s", v);
			continue;
		}
		if (a[0] == '-' && a[1] && !a[2]) {
			const char *l = NULL;
			for (size_t k = 0; k < SVA_ARRAY_SIZE(shorts); k++)
				if (shorts[k].s == a[1])
					l = shorts[k].l;
			if (!l) {
				fprintf(stderr, "svadk-perf: unknown option '%s' (see --help)\n", a);
				return 2;
			}
			snprintf(name, sizeof(name), "%s", l);
		} else if (a[0] == '-' && a[1] == '-' && a[2]) {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (n >= sizeof(name)) {
				fprintf(stderr, "svadk-perf: unknown option '%s' (see --help)\n", a);
				return 2;
			}
			memcpy(name, a + 2, n);
			name[n] = '\0';
			if (eq)
				value = eq + 1;
			if (!strncmp(name, "no-", 3) && perf_param_is_bool(name + 3) && !eq) {
				memmove(name, name + 3, strlen(name + 3) + 1);
				value = "0";
			}
		} else {
			fprintf(stderr, "svadk-perf: unexpected argument '%s' (see --help)\n", a);
			return 2;
		}
		if (!value) {
			bool next_is_value = i + 1 < argc &&
					     (argv[i + 1][0] != '-' || argv[i + 1][1] == '\0' ||
					      (argv[i + 1][1] >= '0' && argv[i + 1][1] <= '9'));
			if (perf_param_is_bool(name) && !next_is_value)
				value = "1";
			else if (i + 1 < argc)
				value = argv[++i];
			else {
				fprintf(stderr, "svadk-perf: option '%s' needs a value\n", a);
				return 2;
			}
		}
		if (perf_param_set(c, name, value, err, sizeof(err)) < 0) {
			fprintf(stderr, "svadk-perf: %s\n", err);
			return 2;
		}
	}
	return 0;
}
