/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-perf parameters: one table serves the command line (--name value),
 * config files (name = value) and the prompt (set name value). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "perf.h"
#include "sva_args.h"
#include "sva_cpu.h"

enum ptype { P_STR, P_U32, P_U64, P_INT, P_BOOL, P_DOUBLE, P_OP, P_SIZES, P_CPUS, P_MEMKIND,
	     P_FAULTMODE, P_PROGRESS, P_HANDLER };

struct param {
	const char *name;
	enum ptype type;
	size_t off;
	size_t len;       /* string capacity */
	uint64_t min, max;
	const char *help;
};

#define F(field) offsetof(struct perf_conf, field)
#define S(field) sizeof(((struct perf_conf *)0)->field)

static const struct param params[] = {
	{"device", P_STR, F(device), S(device), 0, 0,
	 "device to measure: dsa_sim0[,args], iaa_sim0, cpu, dsa:wqX.Y, dpdk:<dmadev> (default dsa_sim0)"},
	{"baseline", P_STR, F(baselines), S(baselines), 0, 0,
	 "devices measured in the same run for ratios, comma-separated, or none (default cpu)"},
	{"op", P_OP, F(op), 0, 0, 0,
	 "operation: copy fill compare compare_pattern crc32c copy_crc32c dualcast cache_flush "
	 "compress decompress crc64 (default copy)"},
	{"size", P_SIZES, F(sizes), 0, 1, 1u << 30,
	 "transfer size(s): N, a list N,M,..., or a range first,last,step,ADD|MUL (default 64,4k,64k,1m)"},
	{"burst", P_U32, F(burst), 0, 1, 4096, "operations per doorbell (kick_batch; default 32)"},
	{"queues", P_U32, F(queues), 0, 1, PERF_MAX_QUEUES, "queues, one worker thread each (default 1)"},
	{"cores", P_CPUS, F(cores), 0, 0, 0,
	 "worker CPUs, one per queue: 0,2 or 0-3 (default: CPU 0, 1, ... not pinned if fewer CPUs)"},
	{"handler-cpu", P_HANDLER, F(handler_cpu), 0, 0, 0,
	 "IO page-fault handler: a thread on CPU N, 'none' (a thread, unpinned), 'poll' (no thread: the "
	 "workers poll it) or 'auto' (a thread when a CPU is left for it, else poll; default)"},
	{"ring", P_U32, F(ring), 0, 2, 4096, "ring size per queue, power of two (dma_ring_size; default 1024)"},
	{"mem", P_U64, F(mem_size), 0, 4096, 1ull << 36,
	 "buffer pool per queue and direction, bytes (mem_size; default 16m)"},
	{"mem-kind", P_MEMKIND, F(mem_kind), 0, 0, 0,
	 "malloc | mmap (fresh anonymous) | hugepage (MAP_HUGETLB, falls back) | thp | file (default malloc)"},
	{"file", P_STR, F(file), S(file), 0, 0, "backing file for mem-kind=file (default: a temporary file)"},
	{"src-node", P_INT, F(src_node), 0, (uint64_t)-1, 1023, "NUMA node of sources, -1 any (src_numa_node)"},
	{"dst-node", P_INT, F(dst_node), 0, (uint64_t)-1, 1023, "NUMA node of destinations (dst_numa_node)"},
	{"prefault", P_BOOL, F(prefault), 0, 0, 0,
	 "make buffers present before measuring (default 1; 0 = first touch through the fault handler)"},
	{"evict", P_BOOL, F(evict), 0, 0, 0,
	 "after every pass over the pool, drop destination pages (MADV_DONTNEED + invalidate): fault storms"},
	{"fault-mode", P_FAULTMODE, F(fault_mode), 0, 0, 0, "block | partial (default block)"},
	{"fault-ahead", P_INT, F(fault_ahead), 0, (uint64_t)-1, 511,
	 "pages the handler resolves after a faulting one (-1: library default)"},
	{"seconds", P_DOUBLE, F(seconds), 0, 0, 0, "measuring time per size point (test_seconds; default 1)"},
	{"ops", P_U64, F(ops), 0, 0, UINT64_MAX,
	 "operations per queue per size point instead of a time (default 0: use seconds)"},
	{"verify", P_BOOL, F(verify), 0, 0, 0, "check every byte / result (default 1)"},
	{"cache-flush", P_BOOL, F(cache_flush), 0, 0, 0,
	 "flush buffers from the CPU caches before each size point (cache_flush)"},
	{"offset", P_U32, F(offset), 0, 0, 4095, "misalign sources and destinations by this many bytes"},
	{"json", P_STR, F(json), S(json), 0, 0, "write results as JSON to a file (- for stdout)"},
	{"csv", P_STR, F(csv), S(csv), 0, 0, "write results as CSV to a file (- for stdout)"},
	{"hist-csv", P_STR, F(hist_csv), S(hist_csv), 0, 0,
	 "write latency histograms as CSV (for the latency CDF chart)"},
	{"progress", P_PROGRESS, F(progress), 0, 0, 0,
	 "live progress line: auto (on a terminal) | on | off"},
	{"quiet", P_BOOL, F(quiet), 0, 0, 0, "print only the final tables"},
	{"eal-args", P_STR, F(eal_args), S(eal_args), 0, 0,
	 "EAL arguments for DPDK-backed devices (eal_args)"},
	{NULL, 0, 0, 0, 0, 0, NULL},
};

int perf_cpu_count(void)
{
	static int n;
	if (!n)
		n = sva_cpu_count();
	return n;
}

static const char *const kind_names[MEM_KIND_MAX] = {"malloc", "mmap", "hugepage", "thp", "file"};

const char *perf_mem_kind_name(int kind)
{
	return kind >= 0 && kind < MEM_KIND_MAX ? kind_names[kind] : "?";
}

void perf_conf_defaults(struct perf_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "default");
	snprintf(c->device, sizeof(c->device), "dsa_sim0");
	snprintf(c->baselines, sizeof(c->baselines), "cpu");
	c->op = SVA_OP_COPY;
	c->sizes[0] = 64;
	c->sizes[1] = 4096;
	c->sizes[2] = 65536;
	c->sizes[3] = 1u << 20;
	c->nb_sizes = 4;
	c->burst = 32;
	c->queues = 1;
	c->handler_cpu = PERF_HANDLER_AUTO;
	c->ring = 1024;
	c->mem_size = 16u << 20;
	c->mem_kind = MEM_MALLOC;
	c->src_node = c->dst_node = -1;
	c->prefault = true;
	c->fault_mode = SVA_FAULT_BLOCK;
	c->fault_ahead = -1;
	c->seconds = 1.0;
	c->verify = true;
	c->progress = -1;
}

static const struct param *find(const char *name)
{
	for (const struct param *p = params; p->name; p++) {
		if (!strcmp(p->name, name))
			return p;
		/* config files use underscores: fault_mode = fault-mode */
		size_t n = strlen(p->name);
		if (strlen(name) == n) {
			size_t i;
			for (i = 0; i < n; i++) {
				char a = p->name[i] == '-' ? '_' : p->name[i];
				char b = name[i] == '-' ? '_' : name[i];
				if (a != b)
					break;
			}
			if (i == n)
				return p;
		}
	}
	return NULL;
}

const char *const *perf_param_names(void)
{
	static const char *names[SVA_ARRAY_SIZE(params)];
	for (size_t i = 0; i < SVA_ARRAY_SIZE(params); i++)
		names[i] = params[i].name;
	return names;
}

/* "64", "64,4k,1m", or "64,1m,4,MUL" / "64,8k,64,ADD" */
static int parse_sizes(struct perf_conf *c, const char *v, char *err, size_t errlen)
{
	char buf[512];
	char *tok[PERF_MAX_SIZES + 1];
	unsigned int n = 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *save, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (n == PERF_MAX_SIZES) {
			snprintf(err, errlen, "size: more than %d sizes", PERF_MAX_SIZES);
			return -1;
		}
		tok[n++] = t;
	}
	if (n == 0) {
		snprintf(err, errlen, "size: empty");
		return -1;
	}
	if (n == 4 && (!strcasecmp(tok[3], "ADD") || !strcasecmp(tok[3], "MUL"))) {
		uint64_t first, last, step;
		bool mul = !strcasecmp(tok[3], "MUL");
		if (sva_parse_u64(tok[0], &first) || sva_parse_u64(tok[1], &last) ||
		    sva_parse_u64(tok[2], &step)) {
			snprintf(err, errlen, "size=%s: expected first,last,step,ADD|MUL", v);
			return -1;
		}
		if (first == 0 || last < first || last > (1u << 30) || step == 0 || (mul && step < 2)) {
			snprintf(err, errlen, "size=%s: bad range (first > 0, last >= first, last <= 1g, "
				 "step > 0, MUL step >= 2)", v);
			return -1;
		}
		c->nb_sizes = 0;
		for (uint64_t s = first; s <= last; s = mul ? s * step : s + step) {
			if (c->nb_sizes == PERF_MAX_SIZES) {
				snprintf(err, errlen, "size=%s: more than %d points", v, PERF_MAX_SIZES);
				return -1;
			}
			c->sizes[c->nb_sizes++] = (uint32_t)s;
		}
		return 0;
	}
	uint32_t sizes[PERF_MAX_SIZES];
	for (unsigned int i = 0; i < n; i++) {
		uint64_t s;
		if (sva_parse_u64(tok[i], &s) || s == 0 || s > (1u << 30)) {
			snprintf(err, errlen, "size: '%s' is not a size in 1..1g", tok[i]);
			return -1;
		}
		sizes[i] = (uint32_t)s;
	}
	memcpy(c->sizes, sizes, n * sizeof(sizes[0]));
	c->nb_sizes = n;
	return 0;
}

/* "0,2,3" or "0-3" or "1-2,5" */
static int parse_cpus(struct perf_conf *c, const char *v, char *err, size_t errlen)
{
	char buf[256];
	int cpus[PERF_MAX_QUEUES];
	unsigned int n = 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(t, '-'), *end;
		long a = strtol(t, &end, 10), b = a;
		if (end == t || a < 0)
			goto bad;
		if (dash) {
			b = strtol(dash + 1, &end, 10);
			if (end == dash + 1 || b < a)
				goto bad;
		}
		if (*end)
			goto bad;
		for (long i = a; i <= b; i++) {
			if (n == PERF_MAX_QUEUES) {
				snprintf(err, errlen, "cores: more than %d CPUs", PERF_MAX_QUEUES);
				return -1;
			}
			if (i >= perf_cpu_count()) {
				snprintf(err, errlen, "cores: CPU %ld does not exist or is not allowed "
					 "(this process may use %d)", i, perf_cpu_count());
				return -1;
			}
			cpus[n++] = (int)i;
		}
	}
	memcpy(c->cores, cpus, n * sizeof(int));
	c->nb_cores = n;
	return 0;
bad:
	snprintf(err, errlen, "cores=%s: expected CPU numbers like 0,2 or 0-3", v);
	return -1;
}

bool perf_param_is_bool(const char *name)
{
	for (const struct param *p = params; p->name; p++)
		if (p->type == P_BOOL && !strcmp(p->name, name))
			return true;
	return false;
}

int perf_param_set(struct perf_conf *c, const char *name, const char *value, char *err,
		   size_t errlen)
{
	const struct param *p = find(name);
	if (!p) {
		snprintf(err, errlen, "unknown parameter '%s' (see --help)", name);
		return -1;
	}
	void *field = (char *)c + p->off;
	uint64_t u;
	bool b;
	if (!value) {
		if (p->type != P_BOOL) {
			snprintf(err, errlen, "%s needs a value", p->name);
			return -1;
		}
		value = "1";
	}
	switch (p->type) {
	case P_STR:
		if (strlen(value) >= p->len) {
			snprintf(err, errlen, "%s: value too long", p->name);
			return -1;
		}
		snprintf(field, p->len, "%s", value);
		return 0;
	case P_U32:
	case P_U64:
		if (sva_parse_u64(value, &u) || u < p->min || u > p->max) {
			snprintf(err, errlen, "%s=%s: expected a number in %llu..%llu (k/m/g suffixes "
				 "allowed)", p->name, value, (unsigned long long)p->min,
				 (unsigned long long)p->max);
			return -1;
		}
		if (p->type == P_U32)
			*(uint32_t *)field = (uint32_t)u;
		else
			*(uint64_t *)field = u;
		return 0;
	case P_INT: {
		char *end;
		long v = strtol(value, &end, 0);
		if (end == value || *end || v < (long)(int64_t)p->min || v > (long)p->max) {
			snprintf(err, errlen, "%s=%s: expected an integer in %lld..%llu", p->name, value,
				 (long long)(int64_t)p->min, (unsigned long long)p->max);
			return -1;
		}
		*(int *)field = (int)v;
		return 0;
	}
	case P_BOOL:
		if (sva_parse_bool(value, &b)) {
			snprintf(err, errlen, "%s=%s: expected 1/0, yes/no, on/off", p->name, value);
			return -1;
		}
		*(bool *)field = b;
		return 0;
	case P_DOUBLE: {
		char *end;
		double v = strtod(value, &end);
		if (end == value || *end || !(v > 0) || v > 86400) {
			snprintf(err, errlen, "%s=%s: expected seconds in (0, 86400]", p->name, value);
			return -1;
		}
		*(double *)field = v;
		return 0;
	}
	case P_OP: {
		int op = sva_op_from_name(value);
		if (op < 0) {
			snprintf(err, errlen, "op=%s: unknown operation", value);
			return -1;
		}
		*(int *)field = op;
		return 0;
	}
	case P_SIZES:
		return parse_sizes(c, value, err, errlen);
	case P_CPUS:
		return parse_cpus(c, value, err, errlen);
	case P_MEMKIND:
		for (int k = 0; k < MEM_KIND_MAX; k++) {
			if (!strcasecmp(value, kind_names[k])) {
				*(int *)field = k;
				return 0;
			}
		}
		snprintf(err, errlen, "mem-kind=%s: expected malloc, mmap, hugepage, thp or file",
			 value);
		return -1;
	case P_FAULTMODE:
		if (!strcasecmp(value, "block") || !strcasecmp(value, "bof"))
			*(int *)field = SVA_FAULT_BLOCK;
		else if (!strcasecmp(value, "partial"))
			*(int *)field = SVA_FAULT_PARTIAL;
		else {
			snprintf(err, errlen, "fault-mode=%s: expected block or partial", value);
			return -1;
		}
		return 0;
	case P_PROGRESS:
		if (!strcasecmp(value, "auto"))
			*(int *)field = -1;
		else if (!sva_parse_bool(value, &b))
			*(int *)field = b;
		else {
			snprintf(err, errlen, "progress=%s: expected auto, on or off", value);
			return -1;
		}
		return 0;
	case P_HANDLER: {
		char *end;
		if (!strcasecmp(value, "none")) {
			*(int *)field = PERF_HANDLER_NONE;
			return 0;
		}
		if (!strcasecmp(value, "poll")) {
			*(int *)field = PERF_HANDLER_POLL;
			return 0;
		}
		if (!strcasecmp(value, "auto")) {
			*(int *)field = PERF_HANDLER_AUTO;
			return 0;
		}
		long v = strtol(value, &end, 10);
		if (end == value || *end || v < 0 || v >= perf_cpu_count()) {
			snprintf(err, errlen, "handler-cpu=%s: expected a CPU below %d, none, poll or auto",
				 value, perf_cpu_count());
			return -1;
		}
		*(int *)field = (int)v;
		return 0;
	}
	}
	return -1;
}

int perf_conf_check(const struct perf_conf *c, char *err, size_t errlen)
{
	if (!SVA_IS_POW2(c->ring)) {
		snprintf(err, errlen, "ring=%u: must be a power of two", c->ring);
		return -1;
	}
	if (c->burst > c->ring) {
		snprintf(err, errlen, "burst=%u is larger than the ring (%u)", c->burst, c->ring);
		return -1;
	}
	if (c->nb_cores && c->nb_cores < c->queues) {
		snprintf(err, errlen, "cores: %u CPUs for %u queues (one worker CPU per queue)",
			 c->nb_cores, c->queues);
		return -1;
	}
	for (unsigned int i = 0; i < c->nb_sizes; i++) {
		if ((uint64_t)c->sizes[i] + c->offset > c->mem_size) {
			snprintf(err, errlen, "size %u does not fit in mem=%llu", c->sizes[i],
				 (unsigned long long)c->mem_size);
			return -1;
		}
	}
	if (c->evict && c->mem_kind != MEM_FILE &&
	    (c->op == SVA_OP_COMPARE || c->op == SVA_OP_COMPARE_PATTERN || c->op == SVA_OP_CRC32C ||
	     c->op == SVA_OP_CRC64)) {
		snprintf(err, errlen, "evict: op=%s only reads its buffers and dropping anonymous "
			 "pages loses their data; use mem-kind=file (the page cache keeps it)",
			 sva_op_name(c->op));
		return -1;
	}
	int nodes = sva_numa_node_count();
	if (c->src_node >= nodes || c->dst_node >= nodes) {
		snprintf(err, errlen, "%s=%d: no such NUMA node (this machine has %d)",
			 c->src_node >= nodes ? "src-node" : "dst-node",
			 c->src_node >= nodes ? c->src_node : c->dst_node, nodes);
		return -1;
	}
	return 0;
}

void perf_param_help(FILE *f)
{
	for (const struct param *p = params; p->name; p++)
		fprintf(f, "  --%-14s %s\n", p->name, p->help);
}

static void print_value(const struct param *p, const struct perf_conf *c, FILE *f)
{
	const void *field = (const char *)c + p->off;
	switch (p->type) {
	case P_STR: fprintf(f, "%s", (const char *)field); break;
	case P_U32: fprintf(f, "%u", *(const uint32_t *)field); break;
	case P_U64: fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)field); break;
	case P_INT: fprintf(f, "%d", *(const int *)field); break;
	case P_BOOL: fprintf(f, "%d", *(const bool *)field); break;
	case P_DOUBLE: fprintf(f, "%g", *(const double *)field); break;
	case P_OP: fprintf(f, "%s", sva_op_name(*(const int *)field)); break;
	case P_SIZES:
		for (unsigned int i = 0; i < c->nb_sizes; i++)
			fprintf(f, "%s%u", i ? "," : "", c->sizes[i]);
		break;
	case P_CPUS:
		if (!c->nb_cores)
			fprintf(f, "auto");
		for (unsigned int i = 0; i < c->nb_cores; i++)
			fprintf(f, "%s%d", i ? "," : "", c->cores[i]);
		break;
	case P_MEMKIND: fprintf(f, "%s", perf_mem_kind_name(*(const int *)field)); break;
	case P_FAULTMODE:
		fprintf(f, "%s", *(const int *)field == SVA_FAULT_PARTIAL ? "partial" : "block");
		break;
	case P_PROGRESS: {
		int v = *(const int *)field;
		fprintf(f, "%s", v < 0 ? "auto" : v ? "on" : "off");
		break;
	}
	case P_HANDLER: {
		int v = *(const int *)field;
		if (v == PERF_HANDLER_NONE)
			fprintf(f, "none");
		else if (v == PERF_HANDLER_POLL)
			fprintf(f, "poll");
		else if (v == PERF_HANDLER_AUTO)
			fprintf(f, "auto");
		else
			fprintf(f, "%d", v);
		break;
	}
	}
}

void perf_conf_print(const struct perf_conf *c, FILE *f)
{
	for (const struct param *p = params; p->name; p++) {
		fprintf(f, "  %-14s ", p->name);
		print_value(p, c, f);
		fputc('\n', f);
	}
}
