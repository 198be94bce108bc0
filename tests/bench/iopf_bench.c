/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-iopf-bench: what an IO page fault costs through the software IOMMU
 * and the poll-mode handler, next to the floors it is measured against, in
 * one run and under the same conditions.
 *
 * (a) Round trip of one page request: raised with sim_iommu_page_request()
 *     by the requester thread, resolved by the handler thread on the other
 *     CPU, answer seen by the requester through sim_iommu_page_response().
 *     N single-page write faults on fresh anonymous memory (fault-ahead off).
 * (b) The floor beside it: a CPU first-touch write fault of a fresh page; and
 *     the least any out-of-line handler can do: one MADV_POPULATE_WRITE of
 *     one page on the other CPU, handed there and back through an atomic
 *     (plus its two parts, measured alone). Ratio round trip / floor.
 * (c) Pages per second when a requester walks a fresh region page by page,
 *     translating through a device TLB model and faulting through the
 *     handler, with fault-ahead off and at the default, against one
 *     MADV_POPULATE_WRITE over the same-size fresh region.
 *
 * Every measurement starts from the same state: the region is emptied with
 * MADV_DONTNEED (and the device caches invalidated) before each method. The
 * region is faulted in once at start-up, since the first touch of guest
 * memory never used before is much slower on a VM. Methods are interleaved
 * per iteration so that drifts hit them all alike. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sim_iommu.h"
#include "sva_as.h"
#include "sva_common.h"
#include "sva_cpu.h"
#include "sva_defaults.h"
#include "sva_iopf.h"
#include "sva_iopf_swq.h"
#include "sva_log.h"
#include "sva_time.h"

#define PG ((size_t)SVA_PAGE_SIZE)

/* Targets of the issue. */
#define TARGET_RT_OVER_FLOOR 1.5   /* median round trip <= 1.5 x the floor */
#define TARGET_FA_OVER_POP 0.8     /* fault-ahead pages/s >= 0.8 x one populate */

struct opts {
	unsigned int pages;
	unsigned int iterations;
	int cpu_handler;
	int cpu_requester;
	bool json;
	bool quick;
};

/* ---- samples ------------------------------------------------------------------ */

struct samples {
	uint64_t *v; /* TSC ticks */
	size_t n, cap;
};

static void samples_init(struct samples *s, size_t cap)
{
	s->v = calloc(cap, sizeof(*s->v));
	if (!s->v) {
		perror("calloc");
		exit(1);
	}
	s->n = 0;
	s->cap = cap;
}

static inline void samples_add(struct samples *s, uint64_t ticks)
{
	if (s->n < s->cap)
		s->v[s->n++] = ticks;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples, in nanoseconds. */
static double rank_ns(const struct samples *s, double pct)
{
	size_t rank = (size_t)(pct / 100.0 * (double)s->n + 0.5);
	if (rank < 1)
		rank = 1;
	if (rank > s->n)
		rank = s->n;
	return sva_tsc_to_ns(s->v[rank - 1]);
}

/* Median and 99th percentile in nanoseconds (one sort). */
static void p50_p99_ns(struct samples *s, double *p50, double *p99)
{
	*p50 = *p99 = 0;
	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	*p50 = rank_ns(s, 50);
	*p99 = rank_ns(s, 99);
}

/* Sort @p v; its smallest, median and largest values (0 when empty). */
static void spread(double *v, unsigned int n, double *min, double *med, double *max)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*min = n ? v[0] : 0;
	*max = n ? v[n - 1] : 0;
	*med = n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median of @p v (sorts it). */
static double median_d(double *v, unsigned int n)
{
	double lo, med, hi;
	spread(v, n, &lo, &med, &hi);
	return med;
}

/* ---- the fault path: IOMMU + handler --------------------------------------------- */

struct path {
	struct sim_iommu *mmu;
	struct sva_iopf *pf;
	struct sim_atc *atc;
	uint32_t pasid;
	int fault_ahead;
};

static void path_init(struct path *p, struct sva_as *as, int fault_ahead, const char *name)
{
	memset(p, 0, sizeof(*p));
	p->fault_ahead = fault_ahead;
	p->mmu = sim_iommu_create(&(struct sim_iommu_conf){.name = name});
	p->pf = sva_iopf_create(&(struct sva_iopf_conf){.name = name, .fault_ahead = fault_ahead});
	if (!p->mmu || !p->pf || sim_iommu_attach_iopf(p->mmu, p->pf) < 0 ||
	    sim_iommu_pasid_alloc(p->mmu, &p->pasid) < 0 || sim_iommu_bind(p->mmu, p->pasid, as) < 0 ||
	    !(p->atc = sim_atc_create(p->mmu, 0))) {
		fprintf(stderr, "svadk-iopf-bench: cannot set up the fault path: %s\n", strerror(errno));
		exit(1);
	}
}

static void path_fini(struct path *p)
{
	sim_atc_free(p->atc);
	sim_iommu_destroy(p->mmu);
	sva_iopf_destroy(p->pf);
}

static void path_start(struct path *p, int cpu)
{
	int rc = sva_iopf_start(p->pf, cpu);
	if (rc < 0) {
		fprintf(stderr, "svadk-iopf-bench: cannot start the handler on CPU %d: %s\n", cpu,
			strerror(-rc));
		exit(1);
	}
}

static void path_stop(struct path *p)
{
	sva_iopf_stop(p->pf);
}

/* Raise a one-page write request for @va and spin until it is answered. */
static inline int request_wait(struct path *p, uint64_t va)
{
	struct sva_iopf_page pg = {.addr = va, .perm = SVA_PERM_WRITE};
	uint64_t tk;
	int rc, st;
	while ((rc = sim_iommu_page_request(p->mmu, p->pasid, &pg, 1, &tk)) == -ENOSPC)
		sva_pause();
	if (rc < 0)
		return rc;
	while ((st = sim_iommu_page_response(p->mmu, tk, 0)) == SVA_IOPF_SWQ_PENDING)
		sva_pause();
	return st == SVA_IOPF_SUCCESS ? 0 : -EFAULT;
}

/* ---- the region ------------------------------------------------------------------- */

struct region {
	char *va;
	size_t len;
	struct sva_as *as;
};

/* Empty the region: the next access to any page is a first touch. */
static void region_reset(struct region *r)
{
	if (madvise(r->va, r->len, MADV_DONTNEED) != 0) {
		perror("madvise(MADV_DONTNEED)");
		exit(1);
	}
	sva_as_invalidate(r->as, r->va, r->len);
}

/* ---- (a) IOPF round trip ----------------------------------------------------------- */

static void run_roundtrip(struct path *p, struct region *r, unsigned int n, struct samples *s)
{
	region_reset(r);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t va = (uint64_t)(uintptr_t)(r->va + (size_t)i * PG);
		uint64_t t0 = sva_tsc();
		int rc = request_wait(p, va);
		uint64_t t1 = sva_tsc();
		if (rc < 0) {
			fprintf(stderr, "svadk-iopf-bench: page request failed: %s\n", strerror(-rc));
			exit(1);
		}
		if (s)
			samples_add(s, t1 - t0);
	}
}

/* ---- (b) floors ------------------------------------------------------------------------ */

static void run_first_touch(struct region *r, unsigned int n, struct samples *s)
{
	region_reset(r);
	for (unsigned int i = 0; i < n; i++) {
		volatile char *va = r->va + (size_t)i * PG;
		uint64_t t0 = sva_tsc();
		*va = 1;
		uint64_t t1 = sva_tsc();
		if (s)
			samples_add(s, t1 - t0);
	}
}

static void run_populate_local(struct region *r, unsigned int n, struct samples *s)
{
	region_reset(r);
	for (unsigned int i = 0; i < n; i++) {
		char *va = r->va + (size_t)i * PG;
		uint64_t t0 = sva_tsc();
		int rc = madvise(va, PG, MADV_POPULATE_WRITE);
		uint64_t t1 = sva_tsc();
		if (rc != 0) {
			perror("madvise(MADV_POPULATE_WRITE)");
			exit(1);
		}
		if (s)
			samples_add(s, t1 - t0);
	}
}

/* A responder on the handler's CPU: spins on a request word, optionally
 * populates the page named there, answers through a second word. The two
 * words live on separate cache lines, like a queue's producer and consumer
 * indexes. */
struct pingpong {
	_Atomic uint64_t req sva_cache_aligned;
	uint64_t addr;
	size_t len; /* bytes to populate from addr */
	bool populate;
	_Atomic uint64_t done sva_cache_aligned;
	_Atomic bool stop;
	pthread_t th;
};

static void *responder(void *arg)
{
	struct pingpong *pp = arg;
	uint64_t seen = 0;
	while (!atomic_load_explicit(&pp->stop, memory_order_relaxed)) {
		uint64_t r = atomic_load_explicit(&pp->req, memory_order_acquire);
		if (r == seen) {
			sva_pause();
			continue;
		}
		seen = r;
		if (pp->populate &&
		    madvise((void *)(uintptr_t)pp->addr, pp->len, MADV_POPULATE_WRITE) != 0) {
			perror("madvise(MADV_POPULATE_WRITE)");
			exit(1);
		}
		atomic_store_explicit(&pp->done, r, memory_order_release);
	}
	return NULL;
}

static void pingpong_start(struct pingpong *pp, int cpu)
{
	memset(pp, 0, sizeof(*pp));
	if (pthread_create(&pp->th, NULL, responder, pp) != 0) {
		perror("pthread_create");
		exit(1);
	}
	if (cpu >= 0)
		sva_thread_pin(pp->th, cpu);
	sva_thread_set_name(pp->th, "bench-responder");
}

static void pingpong_stop(struct pingpong *pp)
{
	atomic_store(&pp->stop, true);
	pthread_join(pp->th, NULL);
}

/* Hand request @p seq to the responder and wait for its answer. */
static void pingpong_call(struct pingpong *pp, uint64_t seq)
{
	atomic_store_explicit(&pp->req, seq, memory_order_release);
	while (atomic_load_explicit(&pp->done, memory_order_acquire) != seq)
		sva_pause();
}

static void run_handoff(struct pingpong *pp, struct region *r, unsigned int n, bool populate,
			struct samples *s)
{
	region_reset(r);
	pp->populate = populate;
	pp->len = PG;
	uint64_t seq = atomic_load(&pp->done);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t t0 = sva_tsc();
		pp->addr = (uint64_t)(uintptr_t)(r->va + (size_t)i * PG);
		pingpong_call(pp, ++seq);
		uint64_t t1 = sva_tsc();
		if (s)
			samples_add(s, t1 - t0);
	}
}

/* ---- (c) sequential ---------------------------------------------------------------------- */

/* Pages of @p r per second when they took @p ticks. */
static double pages_per_s(const struct region *r, uint64_t ticks)
{
	return (double)(r->len / PG) / (sva_tsc_to_ns(ticks) / 1e9);
}

/* A device walking the region a page at a time; returns pages per second. */
static double run_sequential(struct path *p, struct region *r, uint64_t *faults)
{
	region_reset(r);
	uint64_t nf = 0;
	uint64_t t0 = sva_tsc();
	for (size_t off = 0; off < r->len; off += PG) {
		uint64_t va = (uint64_t)(uintptr_t)(r->va + off);
		for (;;) {
			uint64_t ok;
			sim_atc_sync(p->atc);
			enum sim_xlate x = sim_atc_translate(p->atc, p->pasid, va, PG, SVA_PERM_WRITE, &ok);
			if (x == SIM_XLATE_OK)
				break;
			if (x == SIM_XLATE_INVALID || request_wait(p, va) < 0) {
				fprintf(stderr, "svadk-iopf-bench: translation failed at %#llx\n",
					(unsigned long long)va);
				exit(1);
			}
			nf++;
		}
	}
	uint64_t t1 = sva_tsc();
	if (faults)
		*faults = nf;
	return pages_per_s(r, t1 - t0);
}

/* The same, done by the responder on the handler's CPU (one handoff). */
static double run_populate_all_remote(struct pingpong *pp, struct region *r)
{
	region_reset(r);
	uint64_t seq = atomic_load(&pp->done);
	pp->populate = true;
	pp->addr = (uint64_t)(uintptr_t)r->va;
	pp->len = r->len;
	uint64_t t0 = sva_tsc();
	pingpong_call(pp, seq + 1);
	return pages_per_s(r, sva_tsc() - t0);
}

static double run_populate_all(struct region *r)
{
	region_reset(r);
	uint64_t t0 = sva_tsc();
	if (madvise(r->va, r->len, MADV_POPULATE_WRITE) != 0) {
		perror("madvise(MADV_POPULATE_WRITE)");
		exit(1);
	}
	uint64_t t1 = sva_tsc();
	return pages_per_s(r, t1 - t0);
}

/* ---- main ----------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: svadk-iopf-bench [options]\n"
		"Measures the IO page-fault round trip through the software IOMMU and the\n"
		"poll-mode handler against CPU-side floors, and sequential fault throughput\n"
		"with and without fault-ahead against one MADV_POPULATE_WRITE.\n"
		"\n"
		"  -n, --pages N          pages per measurement: faults of (a)/(b), region of (c)\n"
		"                         (default 4096)\n"
		"  -i, --iterations N     repetitions of every measurement (default 5)\n"
		"  -H, --cpu-handler C    CPU of the handler thread (default: the last allowed CPU)\n"
		"  -R, --cpu-requester C  CPU of the requester, this thread (default: the first)\n"
		"  -j, --json             print the results as JSON\n"
		"  -q, --quick            small sizes, a few seconds (-n 512 -i 2)\n"
		"  -h, --help             this text\n"
		"\n"
		"Targets: median round trip <= %.1f x the floor (populate + handoff);\n"
		"fault-ahead pages/s >= %.1f x one MADV_POPULATE_WRITE of the region.\n",
		TARGET_RT_OVER_FLOOR, TARGET_FA_OVER_POP);
}

static int parse_uint(const char *s, const char *what, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "svadk-iopf-bench: %s '%s': expected a number in [%u, %u]\n", what, s,
			min, max);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

static void allowed_cpus(int *first, int *last)
{
	cpu_set_t set;
	*first = *last = -1;
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (CPU_ISSET(c, &set)) {
			if (*first < 0)
				*first = c;
			*last = c;
		}
	}
}

struct result {
	double rt_p50, rt_p99;
	double touch_p50, touch_p99;
	double floor_p50, floor_p99;
	double pop1_p50, pop1_p99;
	double pp_p50, pp_p99;
	double seq_fa0, seq_fa, seq_pop; /* pages/s, medians over iterations */
	double seq_pop_remote;           /* the populate on the handler's CPU (information) */
	double min_fa0, min_fa, min_pop, max_fa0, max_fa, max_pop; /* spread */
	long preempted;                  /* the requester's involuntary context switches */
	double faults_fa0, faults_fa;    /* faults per walk (median) */
	double h_p50, h_p99;             /* the handler's raised -> answered, faults of (a) */
};

int main(int argc, char **argv)
{
	struct opts o = {.pages = 4096, .iterations = 5, .cpu_handler = -2, .cpu_requester = -2};
	bool pages_set = false, iter_set = false;
	static const struct option longopts[] = {
		{"pages", required_argument, NULL, 'n'},
		{"iterations", required_argument, NULL, 'i'},
		{"cpu-handler", required_argument, NULL, 'H'},
		{"cpu-requester", required_argument, NULL, 'R'},
		{"json", no_argument, NULL, 'j'},
		{"quick", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	unsigned int v;
	while ((c = getopt_long(argc, argv, "n:i:H:R:jqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_uint(optarg, "--pages", 16, 1u << 20, &o.pages) < 0)
				return 2;
			pages_set = true;
			break;
		case 'i':
			if (parse_uint(optarg, "--iterations", 1, 1000, &o.iterations) < 0)
				return 2;
			iter_set = true;
			break;
		case 'H':
			if (parse_uint(optarg, "--cpu-handler", 0, CPU_SETSIZE - 1, &v) < 0)
				return 2;
			o.cpu_handler = (int)v;
			break;
		case 'R':
			if (parse_uint(optarg, "--cpu-requester", 0, CPU_SETSIZE - 1, &v) < 0)
				return 2;
			o.cpu_requester = (int)v;
			break;
		case 'j':
			o.json = true;
			break;
		case 'q':
			o.quick = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "svadk-iopf-bench: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (o.quick) {
		if (!pages_set)
			o.pages = 512;
		if (!iter_set)
			o.iterations = 2;
	}
	int first, last;
	allowed_cpus(&first, &last);
	if (o.cpu_requester == -2)
		o.cpu_requester = first;
	if (o.cpu_handler == -2)
		o.cpu_handler = last;
	if (o.cpu_handler == o.cpu_requester)
		fprintf(stderr, "svadk-iopf-bench: warning: handler and requester share CPU %d; the "
				"numbers measure scheduling, not the fault path\n", o.cpu_handler);
	if (sva_thread_pin(pthread_self(), o.cpu_requester) < 0) {
		fprintf(stderr, "svadk-iopf-bench: cannot run on CPU %d\n", o.cpu_requester);
		return 1;
	}
	sva_log_set_level(SVA_LOG_TYPE_MAX, SVA_LOG_WARNING);
	(void)sva_tsc_hz(); /* calibrate outside any timed region */

	struct region r = {.len = (size_t)o.pages * PG};
	r.va = mmap(NULL, r.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r.as = sva_as_create_process("bench");
	if (r.va == MAP_FAILED || !r.as) {
		perror("svadk-iopf-bench: region");
		return 1;
	}
	madvise(r.va, r.len, MADV_NOHUGEPAGE); /* 4 KiB faults, whatever the THP setting */
	/* Warm-up 1: the VM's first touch of guest memory. */
	if (madvise(r.va, r.len, MADV_POPULATE_WRITE) != 0)
		memset(r.va, 1, r.len);

	struct path p0, pfa;
	path_init(&p0, r.as, 0, "bench-fa0");
	path_init(&pfa, r.as, -1, "bench-fa");
	struct pingpong pp;

	size_t cap = (size_t)o.pages * o.iterations;
	struct samples s_rt, s_touch, s_floor, s_pop1, s_pp;
	samples_init(&s_rt, cap);
	samples_init(&s_touch, cap);
	samples_init(&s_floor, cap);
	samples_init(&s_pop1, cap);
	samples_init(&s_pp, cap);
	double *q_fa0 = calloc(o.iterations, sizeof(double));
	double *q_fa = calloc(o.iterations, sizeof(double));
	double *q_pop = calloc(o.iterations, sizeof(double));
	double *f_fa0 = calloc(o.iterations, sizeof(double));
	double *f_fa = calloc(o.iterations, sizeof(double));
	double *q_popr = calloc(o.iterations, sizeof(double));
	if (!q_fa0 || !q_fa || !q_pop || !f_fa0 || !f_fa || !q_popr) {
		perror("calloc");
		return 1;
	}

	struct rusage ru0, ru1;
	getrusage(RUSAGE_THREAD, &ru0); /* the requester: it never blocks or yields */
	/* Warm-up 2: every method once, results discarded. */
	unsigned int wn = SVA_MIN(o.pages, 256u);
	path_start(&p0, o.cpu_handler);
	run_roundtrip(&p0, &r, wn, NULL);
	run_sequential(&p0, &r, NULL);
	path_stop(&p0);
	path_start(&pfa, o.cpu_handler);
	run_sequential(&pfa, &r, NULL);
	path_stop(&pfa);
	pingpong_start(&pp, o.cpu_handler);
	run_handoff(&pp, &r, wn, true, NULL);
	pingpong_stop(&pp);
	run_first_touch(&r, wn, NULL);
	run_populate_local(&r, wn, NULL);
	run_populate_all(&r);
	static struct sva_hist h_rt; /* the handler's own latency of the (a) faults */
	sva_hist_reset(&h_rt);

	for (unsigned int it = 0; it < o.iterations; it++) {
		uint64_t nf;
		/* (a) */
		sva_iopf_stats_reset(p0.pf);
		path_start(&p0, o.cpu_handler);
		run_roundtrip(&p0, &r, o.pages, &s_rt);
		path_stop(&p0);
		sva_hist_merge(&h_rt, sva_iopf_latency_hist(p0.pf));
		/* (c) with fault-ahead off */
		path_start(&p0, o.cpu_handler);
		q_fa0[it] = run_sequential(&p0, &r, &nf);
		f_fa0[it] = (double)nf;
		path_stop(&p0);
		/* (c) with the default fault-ahead */
		path_start(&pfa, o.cpu_handler);
		q_fa[it] = run_sequential(&pfa, &r, &nf);
		f_fa[it] = (double)nf;
		path_stop(&pfa);
		/* (b) floors */
		run_first_touch(&r, o.pages, &s_touch);
		run_populate_local(&r, o.pages, &s_pop1);
		pingpong_start(&pp, o.cpu_handler);
		run_handoff(&pp, &r, o.pages, true, &s_floor);
		run_handoff(&pp, &r, o.pages, false, &s_pp);
		q_popr[it] = run_populate_all_remote(&pp, &r);
		pingpong_stop(&pp);
		/* (c) the populate floor */
		q_pop[it] = run_populate_all(&r);
	}

	struct result res;
	memset(&res, 0, sizeof(res));
	p50_p99_ns(&s_rt, &res.rt_p50, &res.rt_p99);
	p50_p99_ns(&s_touch, &res.touch_p50, &res.touch_p99);
	p50_p99_ns(&s_floor, &res.floor_p50, &res.floor_p99);
	p50_p99_ns(&s_pop1, &res.pop1_p50, &res.pop1_p99);
	p50_p99_ns(&s_pp, &res.pp_p50, &res.pp_p99);
	getrusage(RUSAGE_THREAD, &ru1);
	res.preempted = ru1.ru_nivcsw - ru0.ru_nivcsw;
	spread(q_fa0, o.iterations, &res.min_fa0, &res.seq_fa0, &res.max_fa0);
	spread(q_fa, o.iterations, &res.min_fa, &res.seq_fa, &res.max_fa);
	spread(q_pop, o.iterations, &res.min_pop, &res.seq_pop, &res.max_pop);
	res.seq_pop_remote = median_d(q_popr, o.iterations);
	res.faults_fa0 = median_d(f_fa0, o.iterations);
	res.faults_fa = median_d(f_fa, o.iterations);
	res.h_p50 = (double)sva_hist_percentile(&h_rt, 50);
	res.h_p99 = (double)sva_hist_percentile(&h_rt, 99);

	double r_rt = res.floor_p50 > 0 ? res.rt_p50 / res.floor_p50 : 0;
	double r_touch = res.touch_p50 > 0 ? res.rt_p50 / res.touch_p50 : 0;
	double r_fa0 = res.seq_pop > 0 ? res.seq_fa0 / res.seq_pop : 0;
	double r_fa = res.seq_pop > 0 ? res.seq_fa / res.seq_pop : 0;
	bool pass_rt = r_rt <= TARGET_RT_OVER_FLOOR;
	bool pass_fa = r_fa >= TARGET_FA_OVER_POP;
	unsigned int fa = sva_iopf_fault_ahead(pfa.pf), fa_max = sva_iopf_fault_ahead_max(pfa.pf);

	if (o.json) {
		printf("{\n"
		       "  \"pages\": %u, \"iterations\": %u, \"cpu_handler\": %d, \"cpu_requester\": %d,\n"
		       "  \"roundtrip_ns\": {\"p50\": %.0f, \"p99\": %.0f},\n"
		       "  \"cpu_first_touch_ns\": {\"p50\": %.0f, \"p99\": %.0f},\n"
		       "  \"floor_populate_handoff_ns\": {\"p50\": %.0f, \"p99\": %.0f},\n"
		       "  \"populate_1page_ns\": {\"p50\": %.0f, \"p99\": %.0f},\n"
		       "  \"pingpong_ns\": {\"p50\": %.0f, \"p99\": %.0f},\n"
		       "  \"ratio_roundtrip_floor\": %.3f, \"ratio_roundtrip_first_touch\": %.3f,\n"
		       "  \"seq_pages_per_s\": {\"fault_ahead_0\": %.0f, \"fault_ahead_%u\": %.0f, "
		       "\"populate\": %.0f},\n"
		       "  \"seq_pages_per_s_min\": {\"fault_ahead_0\": %.0f, \"fault_ahead_%u\": %.0f, "
		       "\"populate\": %.0f},\n"
		       "  \"seq_pages_per_s_max\": {\"fault_ahead_0\": %.0f, \"fault_ahead_%u\": %.0f, "
		       "\"populate\": %.0f},\n"
		       "  \"fault_ahead_max\": %u, \"requester_preempted\": %ld,\n"
		       "  \"seq_populate_handler_cpu_pages_per_s\": %.0f,\n"
		       "  \"seq_faults_per_walk\": {\"fault_ahead_0\": %.0f, \"fault_ahead_%u\": %.0f},\n"
		       "  \"ratio_fa0_populate\": %.3f, \"ratio_fa_populate\": %.3f,\n"
		       "  \"handler_lat_ns\": {\"p50\": %.0f, \"p99\": %.0f},\n"
		       "  \"targets\": {\"roundtrip_floor\": {\"limit\": %.2f, \"pass\": %s}, "
		       "\"fault_ahead_populate\": {\"limit\": %.2f, \"pass\": %s}}\n"
		       "}\n",
		       o.pages, o.iterations, o.cpu_handler, o.cpu_requester, res.rt_p50, res.rt_p99,
		       res.touch_p50, res.touch_p99, res.floor_p50, res.floor_p99, res.pop1_p50,
		       res.pop1_p99, res.pp_p50, res.pp_p99, r_rt, r_touch, res.seq_fa0, fa, res.seq_fa,
		       res.seq_pop, res.min_fa0, fa, res.min_fa, res.min_pop, res.max_fa0, fa, res.max_fa,
		       res.max_pop, fa_max, res.preempted, res.seq_pop_remote, res.faults_fa0, fa, res.faults_fa, r_fa0, r_fa,
		       res.h_p50, res.h_p99, TARGET_RT_OVER_FLOOR,
		       pass_rt ? "true" : "false", TARGET_FA_OVER_POP, pass_fa ? "true" : "false");
	} else {
		printf("svadk-iopf-bench: %u pages x %u iterations, handler on CPU %d, requester on "
		       "CPU %d, TSC %.2f GHz\n\n",
		       o.pages, o.iterations, o.cpu_handler, o.cpu_requester, (double)sva_tsc_hz() / 1e9);
		printf("  latency of one 4 KiB write fault            p50 ns     p99 ns\n");
		printf("  (a) IOPF round trip (request -> response) %8.0f   %8.0f\n", res.rt_p50,
		       res.rt_p99);
		printf("      handler's view (raised -> answered)   %8.0f   %8.0f\n",
		       res.h_p50, res.h_p99);
		printf("  (b) CPU first-touch fault                 %8.0f   %8.0f\n", res.touch_p50,
		       res.touch_p99);
		printf("      floor: populate 1 page + handoff      %8.0f   %8.0f\n", res.floor_p50,
		       res.floor_p99);
		printf("        populate 1 page, same CPU           %8.0f   %8.0f\n", res.pop1_p50,
		       res.pop1_p99);
		printf("        cross-CPU ping-pong                 %8.0f   %8.0f\n", res.pp_p50,
		       res.pp_p99);
		printf("\n  sequential walk of %u fresh pages   pages/s (min-max)          faults  vs populate\n",
		       o.pages);
		printf("  (c) handler, fault_ahead=0     %9.0f (%7.0f-%7.0f)  %6.0f    %5.2f\n",
		       res.seq_fa0, res.min_fa0, res.max_fa0, res.faults_fa0, r_fa0);
		printf("      handler, fault_ahead=%u-%-3u %9.0f (%7.0f-%7.0f)  %6.0f    %5.2f\n", fa,
		       fa_max, res.seq_fa, res.min_fa, res.max_fa, res.faults_fa, r_fa);
		printf("      one MADV_POPULATE_WRITE    %9.0f (%7.0f-%7.0f)       -    1.00\n",
		       res.seq_pop, res.min_pop, res.max_pop);
		printf("      (the same on the handler's CPU: %.0f pages/s, %.2f)\n", res.seq_pop_remote,
		       res.seq_pop > 0 ? res.seq_pop_remote / res.seq_pop : 0);
		printf("      (fault_ahead=%u-%u: %u pages after the faulting one, doubling for a\n"
		       "       sequential stream up to %u; medians of %u iterations)\n",
		       fa, fa_max, fa, fa_max, o.iterations);
		printf("\n  targets                                      value   limit   result\n");
		printf("  round trip / floor (p50)                     %5.2f  <= %.2f   %s\n", r_rt,
		       TARGET_RT_OVER_FLOOR, pass_rt ? "PASS" : "MISS");
		printf("  fault-ahead pages/s / populate               %5.2f  >= %.2f   %s\n", r_fa,
		       TARGET_FA_OVER_POP, pass_fa ? "PASS" : "MISS");
		printf("  (round trip / CPU first touch, p50: %.2f)\n", r_touch);
		printf("  (fault-ahead pages/s / populate on the handler's own CPU, which does the\n"
		       "   work: %.2f; this VM's CPUs differ in page-fault speed)\n",
		       res.seq_pop_remote > 0 ? res.seq_fa / res.seq_pop_remote : 0);
		printf("  noise: the requester was preempted %ld times during the measurements%s\n",
		       res.preempted, res.preempted > 10 ? " (a busy machine: numbers are unreliable)" : "");
	}

	path_fini(&p0);
	path_fini(&pfa);
	sva_as_put(r.as);
	munmap(r.va, r.len);
	free(s_rt.v);
	free(s_touch.v);
	free(s_floor.v);
	free(s_pop1.v);
	free(s_pp.v);
	free(q_fa0);
	free(q_fa);
	free(q_pop);
	free(f_fa0);
	free(f_fa);
	free(q_popr);
	return 0;
}
