/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-perf output: tables, comparison with baselines, JSON, CSV, progress. */
#include <stdio.h>
#include <string.h>

#include "perf.h"
#include "sva_time.h"

static double mops(const struct perf_result *r)
{
	return r->seconds > 0 ? (double)r->ops / r->seconds / 1e6 : 0;
}

static double gbps(const struct perf_result *r)
{
	return r->seconds > 0 ? (double)r->bytes / r->seconds / 1e9 : 0;
}

static double ns_per_op(const struct perf_result *r)
{
	return r->ops ? sva_tsc_to_ns(r->busy_ticks) / (double)r->ops : 0;
}

static double cyc_per_op(const struct perf_result *r)
{
	return r->ops ? (double)r->busy_ticks / (double)r->ops : 0;
}

static const char *human_size(uint32_t s, char *buf, size_t len)
{
	if (s >= (1u << 20) && s % (1u << 20) == 0)
		snprintf(buf, len, "%uM", s >> 20);
	else if (s >= 1024 && s % 1024 == 0)
		snprintf(buf, len, "%uK", s >> 10);
	else
		snprintf(buf, len, "%u", s);
	return buf;
}

static void us(char *buf, size_t len, uint64_t ns)
{
	if (ns >= 10000000)
		snprintf(buf, len, "%.0fms", (double)ns / 1e6);
	else if (ns >= 10000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
}

static void row(FILE *f, const struct perf_point *p, const char *qname, const struct perf_result *r,
		bool total)
{
	char sz[16], l50[16], l99[16], l999[16], f50[16], f99[16];
	us(l50, sizeof(l50), sva_hist_percentile(&r->lat, 50));
	us(l99, sizeof(l99), sva_hist_percentile(&r->lat, 99));
	us(l999, sizeof(l999), sva_hist_percentile(&r->lat, 99.9));
	us(f50, sizeof(f50), p->fault_rtt_p50_ns);
	us(f99, sizeof(f99), p->fault_rtt_p99_ns);
	fprintf(f, "%-20.20s %-15s %6s %6s %9.3f %8.3f %8.1f %8.0f %8s %8s %8s %9llu",
		p->device, sva_op_name(p->op), human_size(p->size, sz, sizeof(sz)), qname, mops(r),
		gbps(r), ns_per_op(r), cyc_per_op(r), l50, l99, l999,
		(unsigned long long)(total ? SVA_MAX(r->faults, p->iopf_requests) : r->faults));
	if (total && p->iopf_requests)
		fprintf(f, " %8s %8s", f50, f99);
	else
		fprintf(f, " %8s %8s", "-", "-");
	fprintf(f, " %6llu\n", (unsigned long long)r->errors);
}

void perf_report_table(const struct perf_point *pts, int n, const struct perf_conf *c, FILE *f)
{
	if (c->quiet && strcmp(c->name, "default")) /* no case header line above */
		fprintf(f, "\n[%s]", c->name);
	fprintf(f, "\n%-20s %-15s %6s %6s %9s %8s %8s %8s %8s %8s %8s %9s %8s %8s %6s\n", "device",
		"op", "size", "queue", "Mops", "GB/s", "ns/op", "cyc/op", "lat p50", "p99", "p99.9",
		"faults", "rtt p50", "rtt p99", "errors");
	for (int i = 0; i < n; i++) {
		const struct perf_point *p = &pts[i];
		if (p->nb_queues > 1)
			for (unsigned int q = 0; q < p->nb_queues; q++) {
				char qn[16];
				snprintf(qn, sizeof(qn), "q%u", q);
				row(f, p, qn, &p->q[q], false);
			}
		row(f, p, p->nb_queues > 1 ? "total" : "q0", &p->total, true);
		if (p->failed)
			fprintf(f, "  ^ FAILED: %s\n", p->error);
	}
	fprintf(f, "ns/op, cyc/op: application-thread time in svadk calls per operation; lat: "
		"enqueue to completion seen; faults: IO page faults handled; rtt: fault raised to "
		"answered.\n");
}

void perf_report_comparison(const struct perf_point *pts, int n, FILE *f)
{
	if (n == 0)
		return;
	const char *primary = pts[0].device;
	bool any = false;
	for (int i = 0; i < n; i++)
		if (strcmp(pts[i].device, primary))
			any = true;
	if (!any)
		return;
	fprintf(f, "\nComparison (same run): %s vs baselines, throughput ratio\n", primary);
	fprintf(f, "%-8s %-20s %10s %10s %8s\n", "size", "baseline", "Mops", "base Mops", "ratio");
	for (int i = 0; i < n; i++) {
		const struct perf_point *p = &pts[i];
		if (strcmp(p->device, primary) || p->failed)
			continue;
		for (int k = 0; k < n; k++) {
			const struct perf_point *b = &pts[k];
			if (!strcmp(b->device, primary) || b->size != p->size || b->failed)
				continue;
			char sz[16];
			double r = mops(&b->total) > 0 ? mops(&p->total) / mops(&b->total) : 0;
			fprintf(f, "%-8s %-20.20s %10.3f %10.3f %7.2fx\n",
				human_size(p->size, sz, sizeof(sz)), b->device, mops(&p->total),
				mops(&b->total), r);
		}
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_result(FILE *f, const struct perf_result *r)
{
	fprintf(f, "{\"ops\": %llu, \"bytes\": %llu, \"seconds\": %.6f, \"mops\": %.6f, "
		"\"gbps\": %.6f, \"ns_per_op\": %.3f, \"cycles_per_op\": %.1f, \"errors\": %llu, "
		"\"faults\": %llu, \"latency_ns\": {\"p50\": %llu, \"p99\": %llu, \"p999\": %llu, "
		"\"max\": %llu, \"mean\": %.1f}}",
		(unsigned long long)r->ops, (unsigned long long)r->bytes, r->seconds, mops(r), gbps(r),
		ns_per_op(r), cyc_per_op(r), (unsigned long long)r->errors,
		(unsigned long long)r->faults, (unsigned long long)sva_hist_percentile(&r->lat, 50),
		(unsigned long long)sva_hist_percentile(&r->lat, 99),
		(unsigned long long)sva_hist_percentile(&r->lat, 99.9),
		(unsigned long long)sva_hist_max(&r->lat), sva_hist_mean(&r->lat));
}

void perf_report_json_case(FILE *f, const struct perf_point *pts, int n,
			   const struct perf_conf *c)
{
	fprintf(f, "{\n  \"case\": ");
	json_str(f, c->name);
	fprintf(f, ",\n  \"config\": {\"device\": ");
	json_str(f, c->device);
	fprintf(f, ", \"baselines\": ");
	json_str(f, c->baselines);
	fprintf(f, ", \"op\": \"%s\", \"burst\": %u, \"queues\": %u, \"ring\": %u, "
		"\"mem_size\": %llu, \"mem_kind\": \"%s\", \"prefault\": %s, \"evict\": %s, "
		"\"fault_mode\": \"%s\", \"fault_ahead\": %d, \"seconds\": %g, \"verify\": %s,\n",
		sva_op_name(c->op), c->burst, c->queues, c->ring, (unsigned long long)c->mem_size,
		perf_mem_kind_name(c->mem_kind), c->prefault ? "true" : "false",
		c->evict ? "true" : "false", c->fault_mode == SVA_FAULT_PARTIAL ? "partial" : "block",
		c->fault_ahead, c->seconds, c->verify ? "true" : "false");
	fprintf(f, "             \"ops\": %llu, \"sizes\": [", (unsigned long long)c->ops);
	for (unsigned int i = 0; i < c->nb_sizes; i++)
		fprintf(f, "%s%u", i ? ", " : "", c->sizes[i]);
	char handler[16];
	if (c->handler_cpu >= 0)
		snprintf(handler, sizeof(handler), "%d", c->handler_cpu);
	else
		snprintf(handler, sizeof(handler), "%s", c->handler_cpu == PERF_HANDLER_POLL ? "poll"
				 : c->handler_cpu == PERF_HANDLER_NONE ? "none" : "auto");
	fprintf(f, "], \"src_node\": %d, \"dst_node\": %d, \"cache_flush\": %s, \"offset\": %u, "
		"\"handler_cpu\": \"%s\"},\n", c->src_node, c->dst_node,
		c->cache_flush ? "true" : "false", c->offset, handler);
	fprintf(f, "  \"results\": [\n");
	for (int i = 0; i < n; i++) {
		const struct perf_point *p = &pts[i];
		fprintf(f, "    {\"device\": ");
		json_str(f, p->device);
		fprintf(f, ", \"op\": \"%s\", \"size\": %u, \"failed\": %s, \"error\": ",
			sva_op_name(p->op), p->size, p->failed ? "true" : "false");
		json_str(f, p->error);
		fprintf(f, ", \"verified\": %s, \"iopf\": {\"requests\": %llu, \"pages\": %llu, "
			"\"rtt_p50_ns\": %llu, \"rtt_p99_ns\": %llu},\n      \"total\": ",
			p->verified ? "true" : "false", (unsigned long long)p->iopf_requests,
			(unsigned long long)p->iopf_pages, (unsigned long long)p->fault_rtt_p50_ns,
			(unsigned long long)p->fault_rtt_p99_ns);
		json_result(f, &p->total);
		fprintf(f, ",\n      \"queues\": [");
		for (unsigned int q = 0; q < p->nb_queues; q++) {
			fprintf(f, "%s\n        ", q ? "," : "");
			json_result(f, &p->q[q]);
		}
		fprintf(f, "]}%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, "  ],\n  \"comparison\": [");
	bool first = true;
	for (int i = 0; i < n; i++) {
		const struct perf_point *p = &pts[i];
		if (strcmp(p->device, pts[0].device))
			continue;
		for (int k = 0; k < n; k++) {
			const struct perf_point *b = &pts[k];
			if (!strcmp(b->device, pts[0].device) || b->size != p->size)
				continue;
			double r = mops(&b->total) > 0 ? mops(&p->total) / mops(&b->total) : 0;
			fprintf(f, "%s\n    {\"size\": %u, \"device\": ", first ? "" : ",", p->size);
			json_str(f, p->device);
			fprintf(f, ", \"baseline\": ");
			json_str(f, b->device);
			fprintf(f, ", \"ratio\": %.4f}", r);
			first = false;
		}
	}
	fprintf(f, "\n  ]\n}");
}

void perf_report_csv_header(FILE *f)
{
	fprintf(f, "case,device,op,size,queue,ops,bytes,seconds,mops,gbps,ns_per_op,cycles_per_op,"
		"lat_p50_ns,lat_p99_ns,lat_p999_ns,faults,faults_per_s,fault_rtt_p50_ns,"
		"fault_rtt_p99_ns,errors\n");
}

void perf_report_csv_rows(FILE *f, const struct perf_point *pts, int n, const char *casename)
{
	for (int i = 0; i < n; i++) {
		const struct perf_point *p = &pts[i];
		for (int q = -1; q < (int)p->nb_queues; q++) {
			const struct perf_result *r = q < 0 ? &p->total : &p->q[q];
			uint64_t faults = q < 0 ? SVA_MAX(r->faults, p->iopf_requests) : r->faults;
			char qn[16];
			if (q < 0)
				snprintf(qn, sizeof(qn), "total");
			else
				snprintf(qn, sizeof(qn), "q%d", q);
			fprintf(f, "%s,%s,%s,%u,%s,%llu,%llu,%.6f,%.6f,%.6f,%.3f,%.1f,%llu,%llu,%llu,"
				"%llu,%.1f,%llu,%llu,%llu\n", casename, p->device, sva_op_name(p->op), p->size,
				qn, (unsigned long long)r->ops,
				(unsigned long long)r->bytes, r->seconds, mops(r), gbps(r), ns_per_op(r),
				cyc_per_op(r), (unsigned long long)sva_hist_percentile(&r->lat, 50),
				(unsigned long long)sva_hist_percentile(&r->lat, 99),
				(unsigned long long)sva_hist_percentile(&r->lat, 99.9),
				(unsigned long long)faults,
				r->seconds > 0 ? (double)faults / r->seconds : 0.0,
				(unsigned long long)(q < 0 ? p->fault_rtt_p50_ns : 0),
				(unsigned long long)(q < 0 ? p->fault_rtt_p99_ns : 0),
				(unsigned long long)r->errors);
		}
	}
}

void perf_report_hist_header(FILE *f)
{
	fprintf(f, "case,device,op,size,bucket_low_ns,count\n");
}

void perf_report_hist_rows(FILE *f, const struct perf_point *pts, int n, const char *casename)
{
	for (int i = 0; i < n; i++) {
		const struct perf_point *p = &pts[i];
		for (unsigned int b = 0; b < SVA_HIST_BUCKETS; b++) {
			uint64_t cnt = sva_counter_read(&p->total.lat.bucket[b]);
			if (cnt)
				fprintf(f, "%s,%s,%s,%u,%llu,%llu\n", casename, p->device,
					sva_op_name(p->op), p->size,
					(unsigned long long)sva_hist_bucket_low(b),
					(unsigned long long)cnt);
		}
	}
}

void perf_progress_line(struct perf_live *live, double elapsed, double total, FILE *f)
{
	static uint64_t last_ops, last_bytes, last_faults;
	static double last_t;
	uint64_t ops = atomic_load(&live->ops);
	uint64_t bytes = atomic_load(&live->bytes);
	uint64_t faults = perf_live_faults(live);
	if (elapsed < last_t) /* a new case: its clock started from zero */
		last_t = 0;
	double dt = elapsed - last_t;
	if (faults < last_faults) /* the next device's handler started from zero */
		last_faults = 0;
	if (ops < last_ops)
		last_ops = last_bytes = 0;
	char bar[33];
	int width = 30, fill = total > 0 ? (int)(elapsed / total * width) : 0;
	if (fill > width)
		fill = width;
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
	bar[width] = '\0';
	char when[48];
	if (total > 0)
		snprintf(when, sizeof(when), "[%s] %5.1f/%.1f s", bar, elapsed, total);
	else /* --ops: the length is not known in advance */
		snprintf(when, sizeof(when), "%5.1f s", elapsed);
	if (dt > 0)
		fprintf(f, "\r%s %9.3f Mops/s %8.3f GB/s %10.0f faults/s ", when,
			(double)(ops - last_ops) / dt / 1e6, (double)(bytes - last_bytes) / dt / 1e9,
			(double)(faults - last_faults) / dt);
	fflush(f);
	last_ops = ops;
	last_bytes = bytes;
	last_faults = faults;
	last_t = elapsed;
}
