/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-perf config files: INI in the format of DPDK's dpdk-test-dma-perf
 * (where its keys apply), plus svadk's own keys. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "perf.h"
#include "sva_args.h"

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static bool looks_like_pci(const char *s)
{
	unsigned int a, b, c, d;
	char tail;
	return sscanf(s, "%x:%x:%x.%x%c", &a, &b, &c, &d, &tail) == 4;
}

/* "lcore10@dev, lcore11@dev" → cores and device. */
static int lcore_dma(struct perf_conf *c, const char *v, char *err, size_t errlen)
{
	char buf[512], dev[PERF_NAME_MAX] = "", cores[256] = "", name[PERF_NAME_MAX + 8];
	unsigned int n = 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		t = trim(t);
		char *at = strchr(t, '@');
		if (strncasecmp(t, "lcore", 5) || !at) {
			snprintf(err, errlen, "lcore_dma: '%s' is not lcoreN@device", t);
			return -1;
		}
		*at = '\0';
		const char *d = trim(at + 1);
		snprintf(name, sizeof(name), "%s%s", looks_like_pci(d) ? "dpdk:" : "", d);
		if (n && strcmp(name, dev)) {
			snprintf(err, errlen, "lcore_dma: svadk-perf measures one device per case "
				 "('%.64s' and '%.64s'); give each worker a queue of one device", dev, name);
			return -1;
		}
		snprintf(dev, sizeof(dev), "%.*s", (int)sizeof(dev) - 1, name);
		size_t len = strlen(cores);
		snprintf(cores + len, sizeof(cores) - len, "%s%s", n ? "," : "", t + 5);
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "lcore_dma: empty");
		return -1;
	}
	if (perf_param_set(c, "cores", cores, err, errlen) < 0)
		return -1;
	snprintf(c->device, sizeof(c->device), "%s", dev);
	c->queues = n;
	return 0;
}

/* Apply one key of a section to @c. */
static int apply(struct perf_conf *c, const char *key, const char *val, char *err, size_t errlen)
{
	uint64_t u;
	if (!strcasecmp(key, "type")) {
		if (!strcasecmp(val, "DMA_MEM_COPY")) {
			c->op = SVA_OP_COPY;
			return 0;
		}
		if (!strcasecmp(val, "CPU_MEM_COPY")) {
			c->op = SVA_OP_COPY;
			snprintf(c->device, sizeof(c->device), "cpu");
			snprintf(c->baselines, sizeof(c->baselines), "none");
			return 0;
		}
		snprintf(err, errlen, "type=%s: expected DMA_MEM_COPY or CPU_MEM_COPY", val);
		return -1;
	}
	if (!strcasecmp(key, "mem_size")) {
		if (sva_parse_u64(val, &u) || u == 0 || u > 65536) {
			snprintf(err, errlen, "mem_size=%s: expected megabytes in 1..65536", val);
			return -1;
		}
		c->mem_size = u << 20;
		return 0;
	}
	if (!strcasecmp(key, "lcore_dma"))
		return lcore_dma(c, val, err, errlen);
	static const struct {
		const char *dpdk, *ours;
	} alias[] = {
		{"buf_size", "size"},        {"dma_ring_size", "ring"},  {"kick_batch", "burst"},
		{"src_numa_node", "src-node"}, {"dst_numa_node", "dst-node"},
		{"cache_flush", "cache-flush"}, {"test_seconds", "seconds"}, {"lcore", "cores"},
		{"eal_args", "eal-args"},
	};
	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcasecmp(key, alias[i].dpdk))
			return perf_param_set(c, alias[i].ours, val, err, errlen);
	return perf_param_set(c, key, val, err, errlen);
}

int perf_config_load(const char *path, const struct perf_conf *base, struct perf_conf *cases,
		     int max, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Two passes: [GLOBAL] first (wherever it is), then the cases. */
	struct perf_conf global = *base;
	int n = -1;
	char line[1024];
	for (int pass = 0; pass < 2; pass++) {
		rewind(f);
		int lineno = 0;
		bool in_global = false, in_case = false;
		n = -1;
		while (fgets(line, sizeof(line), f)) {
			lineno++;
			if (!strchr(line, '\n') && !feof(f)) {
				snprintf(err, errlen, "%s:%d: line too long", path, lineno);
				goto fail;
			}
			char *s = trim(line);
			if (!*s || *s == '#' || *s == ';')
				continue;
			if (*s == '[') {
				char *e = strchr(s, ']');
				if (!e || e[1]) {
					snprintf(err, errlen, "%s:%d: malformed section header", path, lineno);
					goto fail;
				}
				*e = '\0';
				char *name = trim(s + 1);
				in_global = !strcasecmp(name, "GLOBAL");
				in_case = !in_global;
				if (in_case) {
					if (++n >= max) {
						snprintf(err, errlen, "%s:%d: more than %d cases", path,
							 lineno, max);
						goto fail;
					}
					if (pass == 1) {
						cases[n] = global;
						snprintf(cases[n].name, sizeof(cases[n].name), "%s", name);
					}
				}
				continue;
			}
			char *eq = strchr(s, '=');
			if (!eq) {
				snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
				goto fail;
			}
			*eq = '\0';
			char *key = trim(s), *val = trim(eq + 1);
			char *hash = strstr(val, " #");
			if (hash)
				*hash = '\0', val = trim(val);
			if (!in_global && !in_case) {
				snprintf(err, errlen, "%s:%d: '%s' outside a section", path, lineno, key);
				goto fail;
			}
			if ((pass == 0) != in_global)
				continue;
			char why[256];
			struct perf_conf *dst = in_global ? &global : &cases[n];
			if (apply(dst, key, val, why, sizeof(why)) < 0) {
				snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
				goto fail;
			}
		}
	}
	fclose(f);
	if (n < 0) {
		snprintf(err, errlen, "%s: no test case (a [section] other than [GLOBAL])", path);
		return -1;
	}
	for (int i = 0; i <= n; i++) {
		char why[256];
		if (perf_conf_check(&cases[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: [%s]: %s", path, cases[i].name, why);
			return -1;
		}
	}
	return n + 1;
fail:
	fclose(f);
	return -1;
}
