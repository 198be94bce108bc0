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
#include "sva_common.h"

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

/* DPDK 24.03+ form, one key per worker: lcore_dma0=lcore=10,dev=0000:00:04.2,dir=mem2mem.
 * @nth: how many of them the section had before this one (the first replaces
 * what [GLOBAL] gave). */
static int lcore_dma_n(struct perf_conf *c, const char *key, const char *v, int nth, char *err,
		       size_t errlen)
{
	char buf[512], dev[PERF_NAME_MAX] = "";
	long lcore = -1;
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		t = trim(t);
		char *eq = strchr(t, '=');
		if (!eq) {
			snprintf(err, errlen, "%s: '%s' is not key=value (lcore=N,dev=NAME[,dir=mem2mem])",
				 key, t);
			return -1;
		}
		*eq = '\0';
		const char *k = trim(t), *val = trim(eq + 1);
		if (!strcasecmp(k, "lcore")) {
			char *end;
			lcore = strtol(val, &end, 10);
			if (end == val || *end || lcore < 0) {
				snprintf(err, errlen, "%s: lcore=%s is not a CPU number", key, val);
				return -1;
			}
		} else if (!strcasecmp(k, "dev")) {
			snprintf(dev, sizeof(dev), "%s%.*s", looks_like_pci(val) ? "dpdk:" : "",
				 (int)sizeof(dev) - 8, val);
		} else if (!strcasecmp(k, "dir")) {
			if (strcasecmp(val, "mem2mem")) {
				snprintf(err, errlen, "%s: dir=%s: svadk-perf measures mem2mem only", key,
					 val);
				return -1;
			}
		} else {
			snprintf(err, errlen, "%s: unknown field '%s' (lcore, dev, dir)", key, k);
			return -1;
		}
	}
	if (lcore < 0 || !dev[0]) {
		snprintf(err, errlen, "%s: needs lcore=N and dev=NAME", key);
		return -1;
	}
	if (nth && strcmp(dev, c->device)) {
		snprintf(err, errlen, "%s: svadk-perf measures one device per case ('%.64s' and "
			 "'%.64s'); give each worker a queue of one device", key, c->device, dev);
		return -1;
	}
	char cores[512] = "";
	size_t len = 0;
	for (unsigned int i = 0; nth && i < c->nb_cores; i++)
		len += (size_t)snprintf(cores + len, sizeof(cores) - len, "%d,", c->cores[i]);
	snprintf(cores + len, sizeof(cores) - len, "%ld", lcore);
	if (perf_param_set(c, "cores", cores, err, errlen) < 0)
		return -1;
	snprintf(c->device, sizeof(c->device), "%s", dev);
	c->queues = c->nb_cores;
	return 0;
}

static bool is_lcore_dma_n(const char *key)
{
	if (strncasecmp(key, "lcore_dma", 9) || !key[9])
		return false;
	for (const char *p = key + 9; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

/* Apply one key of a section to @c; @ndma counts the section's lcore_dmaN keys. */
static int apply(struct perf_conf *c, const char *key, const char *val, int *ndma, char *err,
		 size_t errlen)
{
	uint64_t u;
	if (is_lcore_dma_n(key))
		return lcore_dma_n(c, key, val, (*ndma)++, err, errlen);
	if (!strcasecmp(key, "lcore")) { /* CPU_MEM_COPY workers: one queue each */
		if (perf_param_set(c, "cores", val, err, errlen) < 0)
			return -1;
		c->queues = c->nb_cores ? c->nb_cores : 1;
		return 0;
	}
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
		{"cache_flush", "cache-flush"}, {"test_seconds", "seconds"}, {"eal_args", "eal-args"},
	};
	for (size_t i = 0; i < SVA_ARRAY_SIZE(alias); i++)
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
	int *secline = calloc((size_t)max, sizeof(int));
	bool *skip = calloc((size_t)max, sizeof(bool));
	if (!secline || !skip) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	/* Two passes: [GLOBAL] first (wherever it is), then the cases. */
	struct perf_conf global = *base;
	int n = -1;
	char line[1024];
	for (int pass = 0; pass < 2; pass++) {
		rewind(f);
		int lineno = 0, ndma = 0;
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
				if (!*name) {
					snprintf(err, errlen, "%s:%d: empty section name", path, lineno);
					goto fail;
				}
				in_global = !strcasecmp(name, "GLOBAL");
				in_case = !in_global;
				ndma = 0;
				if (in_case) {
					if (++n >= max) {
						snprintf(err, errlen, "%s:%d: more than %d cases", path,
							 lineno, max);
						goto fail;
					}
					if (pass == 1) {
						for (int i = 0; i < n; i++)
							if (!strcmp(cases[i].name, name)) {
								snprintf(err, errlen, "%s:%d: [%s] again (first at "
									 "line %d)", path, lineno, name,
									 secline[i]);
								goto fail;
							}
						cases[n] = global;
						snprintf(cases[n].name, sizeof(cases[n].name), "%s", name);
						secline[n] = lineno;
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
			char *hash = strstr(val, " #"), *semi = strstr(val, " ;");
			if (hash)
				*hash = '\0';
			if (semi)
				*semi = '\0';
			val = trim(val);
			if (!in_global && !in_case) {
				snprintf(err, errlen, "%s:%d: '%s' outside a section (add [GLOBAL] or a "
					 "[case] header above it)", path, lineno, key);
				goto fail;
			}
			if ((pass == 0) != in_global)
				continue;
			char why[256];
			if (!strcasecmp(key, "skip")) { /* dpdk-test-dma-perf: skip = 1 */
				bool b;
				if (in_global) {
					snprintf(err, errlen, "%s:%d: skip belongs in a case section", path,
						 lineno);
					goto fail;
				}
				if (sva_parse_bool(val, &b)) {
					snprintf(err, errlen, "%s:%d: skip=%s: expected 0 or 1", path, lineno,
						 val);
					goto fail;
				}
				skip[n] = b;
				continue;
			}
			struct perf_conf *dst = in_global ? &global : &cases[n];
			if (apply(dst, key, val, &ndma, why, sizeof(why)) < 0) {
				snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
				goto fail;
			}
		}
	}
	fclose(f);
	f = NULL;
	if (n < 0) {
		snprintf(err, errlen, "%s: no test case (a [section] other than [GLOBAL])", path);
		goto fail;
	}
	int kept = 0;
	for (int i = 0; i <= n; i++) {
		char why[256];
		if (skip[i])
			continue;
		if (perf_conf_check(&cases[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s:%d: [%s]: %s", path, secline[i], cases[i].name, why);
			goto fail;
		}
		snprintf(cases[i].where, sizeof(cases[i].where), "%.200s:%d: [%.63s]: ", path,
			 secline[i], cases[i].name);
		if (kept != i)
			cases[kept] = cases[i];
		kept++;
	}
	if (!kept) {
		snprintf(err, errlen, "%s: every case has skip = 1", path);
		goto fail;
	}
	free(secline);
	free(skip);
	return kept;
fail:
	if (f)
		fclose(f);
	free(secline);
	free(skip);
	return -1;
}
