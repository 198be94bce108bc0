/* SPDX-License-Identifier: BSD-3-Clause */
/* Stress: several queues, each with its own PASID and thread, on one
 * software DSA with two engines and one fault-handler thread, for a few
 * seconds: copies, fills and CRCs on memory that keeps being dropped
 * (MADV_DONTNEED + invalidation) so faults never stop, in both fault modes,
 * with bad addresses mixed in, and one queue on a managed address space that
 * maps on demand. Every byte and every status is checked; every operation
 * must complete exactly once.
 *
 * SVADK_STRESS_SECONDS (default 4) sets the duration. Exit 0 pass, 1 fail. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sva_as.h"
#include "sva_crc.h"
#include "sva_dma.h"
#include "sva_iopf.h"
#include "sva_time.h"

#define NB_WORKERS 4
#define REGION (1u << 20)
#define RING 256

struct worker {
	struct sva_dev *dev;
	struct sva_queue *q;
	struct sva_as *as;     /* managed space, or NULL */
	unsigned int id;
	uint64_t deadline_ns;
	uint64_t ops, faults_ok, bad_ok;
	char error[256];
};

static _Atomic int failed;

#define FAIL(w, ...)                                                                   \
	do {                                                                           \
		snprintf((w)->error, sizeof((w)->error), __VA_ARGS__);                 \
		atomic_store(&failed, 1);                                              \
		return NULL;                                                           \
	} while (0)

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Wait for exactly @n completions; @st receives their statuses. */
static int reap(struct worker *w, unsigned int n, enum sva_status *st)
{
	unsigned int got = 0;
	uint64_t until = sva_now_ns() + 20ull * 1000000000ull;
	while (got < n) {
		uint16_t last;
		uint16_t k = sva_completed_status(w->q, (uint16_t)(n - got), &last, st + got);
		got += k;
		if (!k && sva_now_ns() > until)
			return -1;
	}
	return 0;
}

static int map_on_fault(struct sva_as *as, uint64_t addr, uint32_t perm, void *arg)
{
	(void)perm;
	(void)arg;
	uint64_t page = addr & ~(uint64_t)(SVA_PAGE_SIZE - 1);
	int rc = sva_as_map(as, (void *)(uintptr_t)page, SVA_PAGE_SIZE,
			    SVA_PERM_READ | SVA_PERM_WRITE);
	return rc == -EEXIST ? 0 : rc;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t seed = 0x9E3779B97F4A7C15ull * (w->id + 1);
	uint8_t *src = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *dst = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		FAIL(w, "mmap: %s", strerror(errno));
	for (uint32_t i = 0; i < REGION; i++)
		src[i] = (uint8_t)(i * 31 + w->id);
	struct sva_as *pas = w->as ? w->as : sva_dev_process_as(w->dev);
	while (sva_now_ns() < w->deadline_ns && !atomic_load(&failed)) {
		/* A burst of mixed operations over fresh (dropped) destination pages. */
		enum { N = 16 };
		struct sva_result res[N];
		uint32_t off[N], len[N];
		int kind[N];
		enum sva_status st[N];
		memset(res, 0, sizeof(res));
		for (int i = 0; i < N; i++) {
			/* Each operation in its own 64 KiB slot: operations of one queue
			 * are not ordered against each other without a fence (two engines,
			 * resubmitted remainders), so no two may write the same bytes. */
			uint32_t slot = REGION / N;
			len[i] = (uint32_t)(1 + rnd(&seed) % slot);
			off[i] = (uint32_t)(i * slot + rnd(&seed) % (slot - len[i] + 1));
			kind[i] = (int)(rnd(&seed) % 4);
			int rc;
			switch (kind[i]) {
			case 0:
				rc = sva_copy(w->q, dst + off[i], src + off[i], len[i], 0);
				break;
			case 1:
				rc = sva_fill(w->q, dst + off[i], 0x1122334455667788ull, len[i], 0);
				break;
			case 2:
				rc = sva_crc32c(w->q, src + off[i], len[i], 0, &res[i], 0);
				break;
			default: /* an address that reaches nothing */
				rc = sva_copy(w->q, dst + off[i], (void *)(uintptr_t)0x10000, len[i], 0);
				break;
			}
			if (rc < 0)
				FAIL(w, "enqueue: %s", strerror(-rc));
		}
		sva_submit(w->q);
		if (reap(w, N, st) < 0)
			FAIL(w, "operations did not complete within 20 s");
		for (int i = 0; i < N; i++) {
			if (kind[i] == 3) {
				if (st[i] != SVA_STATUS_PAGE_FAULT && st[i] != SVA_STATUS_TRANSLATION_FAULT)
					FAIL(w, "bad address completed with '%s'", sva_status_str(st[i]));
				w->bad_ok++;
				continue;
			}
			if (st[i] != SVA_STATUS_SUCCESS)
				FAIL(w, "op %d (kind %d, %u bytes) failed: %s", i, kind[i], len[i],
				     sva_status_str(st[i]));
			if (kind[i] == 2) {
				if (res[i].value != sva_sw_crc32c(0, src + off[i], len[i]))
					FAIL(w, "crc32c mismatch");
				continue;
			}
			for (uint32_t b = 0; b < len[i]; b++) {
				uint8_t want = kind[i] == 0 ? src[off[i] + b]
							    : (uint8_t)(0x1122334455667788ull >> (8 * (b % 8)));
				if (dst[off[i] + b] != want)
					FAIL(w, "op %d (kind %d): byte %u is 0x%02x, expected 0x%02x", i,
					     kind[i], b, dst[off[i] + b], want);
			}
		}
		w->ops += N;
		/* Drop the destination so the next burst faults it back in. */
		madvise(dst, REGION, MADV_DONTNEED);
		if (w->as) {
			/* managed: unmap every page the callback mapped (sva_as_unmap
			 * removes each mapping inside the range and invalidates it) */
			sva_as_unmap(w->as, dst, REGION);
			sva_as_unmap(w->as, src, REGION);
		} else {
			sva_as_invalidate(pas, dst, REGION);
		}
	}
	struct sva_queue_stats qs;
	sva_queue_stats_get(w->q, &qs);
	if (qs.completed != qs.submitted)
		FAIL(w, "%llu submitted, %llu completed", (unsigned long long)qs.submitted,
		     (unsigned long long)qs.completed);
	w->faults_ok = qs.faults;
	munmap(src, REGION);
	munmap(dst, REGION);
	return NULL;
}

int main(void)
{
	const char *env = getenv("SVADK_STRESS_SECONDS");
	double secs = env ? atof(env) : 4.0;
	struct sva_dev *dev = sva_dev_open("dsa_sim0,wqs=4,engines=2,prs_timeout_ms=10000", NULL);
	struct sva_iopf *pf = sva_iopf_create(NULL);
	if (!dev || !pf || sva_dev_attach_iopf(dev, pf) || sva_iopf_start(pf, -1)) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	struct worker w[NB_WORKERS];
	pthread_t th[NB_WORKERS];
	memset(w, 0, sizeof(w));
	uint64_t deadline = sva_now_ns() + (uint64_t)(secs * 1e9);
	for (unsigned int i = 0; i < NB_WORKERS; i++) {
		w[i].dev = dev;
		w[i].id = i;
		w[i].deadline_ns = deadline;
		if (i == NB_WORKERS - 1)
			w[i].as = sva_as_create_managed(&(struct sva_as_conf){
				.name = "stress.managed", .resolve = map_on_fault});
		struct sva_queue_conf qc = {
			.nb_desc = RING,
			.as = w[i].as,
			.fault_mode = i % 2 ? SVA_FAULT_PARTIAL : SVA_FAULT_BLOCK,
		};
		w[i].q = sva_queue_create(dev, &qc);
		if (!w[i].q) {
			fprintf(stderr, "queue %u: %s\n", i, strerror(errno));
			return 1;
		}
	}
	for (unsigned int i = 0; i < NB_WORKERS; i++)
		for (unsigned int k = 0; k < i; k++)
			if (sva_queue_pasid(w[i].q) == sva_queue_pasid(w[k].q)) {
				fprintf(stderr, "queues %u and %u share PASID %u\n", k, i,
					sva_queue_pasid(w[i].q));
				return 1;
			}
	for (unsigned int i = 0; i < NB_WORKERS; i++)
		pthread_create(&th[i], NULL, worker_main, &w[i]);
	for (unsigned int i = 0; i < NB_WORKERS; i++)
		pthread_join(th[i], NULL);
	struct sva_iopf_stats ps;
	sva_iopf_stats_get(pf, &ps);
	int rc = 0;
	for (unsigned int i = 0; i < NB_WORKERS; i++) {
		printf("queue %u (PASID %u, %s, %s): %llu operations, %llu partial-completion faults, "
		       "%llu bad addresses refused%s%s\n", i, sva_queue_pasid(w[i].q),
		       w[i].as ? "managed" : "process", i % 2 ? "partial" : "block",
		       (unsigned long long)w[i].ops, (unsigned long long)w[i].faults_ok,
		       (unsigned long long)w[i].bad_ok, w[i].error[0] ? ": FAILED: " : "", w[i].error);
		if (w[i].error[0] || !w[i].ops || !w[i].bad_ok)
			rc = 1;
		sva_queue_destroy(w[i].q);
		sva_as_put(w[i].as);
	}
	printf("handler: %llu requests, %llu groups, %llu pages, %llu invalid, p50 %llu ns, "
	       "p99 %llu ns\n", (unsigned long long)ps.requests, (unsigned long long)ps.groups,
	       (unsigned long long)ps.pages_resolved, (unsigned long long)ps.invalid,
	       (unsigned long long)ps.lat_p50_ns, (unsigned long long)ps.lat_p99_ns);
	if (!ps.requests || !ps.invalid)
		rc = 1; /* faults must have flowed, and bad addresses been refused */
	sva_dev_close(dev);
	sva_iopf_destroy(pf);
	printf("%s\n", rc ? "FAIL" : "PASS");
	return rc;
}
