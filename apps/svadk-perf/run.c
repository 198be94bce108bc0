/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-perf measuring loop: one worker thread per queue, run to completion:
 * enqueue a burst, ring the doorbell once, reap completions, repeat. The
 * worker times only its own calls into svadk that did work (the application
 * thread's cost per operation) and each operation's completion latency. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "perf.h"
#include "sva_as.h"
#include "sva_cpu.h"
#include "sva_crc.h"
#include "sva_iopf.h"
#include "sva_log.h"
#include "sva_time.h"

#define FILL_PATTERN 0x0123456789abcdefull
#define COMPARE_PATTERN 0xa5a5a5a55a5a5a5aull

struct worker {
	const struct perf_conf *c;
	struct sva_dev *dev;
	struct sva_iopf *pf;
	bool poll_handler;
	struct sva_queue *q;
	uint16_t head;        /* ring index of the next completion (persists across points) */
	unsigned int id;
	int cpu;
	uint32_t size;
	struct perf_mem src, dst, dst2, plain;
	size_t stride;        /* bytes between buffers */
	uint32_t cap;         /* output capacity (compress/decompress) */
	uint32_t *in_len;     /* decompress: compressed length per buffer */
	uint32_t nbufs;
	uint64_t *t_enq;      /* per ring slot */
	uint32_t *slot_buf;   /* buffer used by a ring slot */
	struct sva_result *res;
	uint64_t *expect;     /* expected result per buffer (CRCs) */
	struct sva_sw_crc64 *crc64;
	struct perf_result out;
	double ns_per_tick;
	struct perf_live *live;
	uint64_t live_ops;    /* out.ops already added to live->ops */
	uint64_t live_next;   /* TSC of the next addition to live */
	pthread_barrier_t *start;
	bool failed;
	char error[256];
};

static inline uint8_t data_byte(uint32_t buf, uint64_t i)
{
	uint64_t x = (buf + 1) * 0x9E3779B97F4A7C15ull ^ (i >> 3) * 0xBF58476D1CE4E5B9ull;
	return (uint8_t)(x >> ((i & 7) * 8));
}

static void fill_data(uint8_t *p, uint32_t buf, uint32_t len, bool compressible)
{
	if (compressible) {
		static const char words[] = "svadk shares the virtual address space of the process "
					    "with the device; faults are resolved by the handler. ";
		for (uint32_t i = 0; i < len; i++)
			p[i] = (uint8_t)(words[(i + buf * 7) % (sizeof(words) - 1)] ^ ((i % 997) == 0));
		return;
	}
	for (uint32_t i = 0; i < len; i++)
		p[i] = data_byte(buf, i);
}

static void fill_pattern(uint8_t *p, uint64_t pat, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(pat >> (8 * (i % 8)));
}

static inline uint8_t *buf_at(const struct perf_mem *m, const struct worker *w, uint32_t j)
{
	return (uint8_t *)m->base + (size_t)j * w->stride + w->c->offset;
}

static bool op_has_src_data(int op)
{
	return op != SVA_OP_FILL && op != SVA_OP_CACHE_FLUSH;
}

static bool op_has_result(int op)
{
	return op == SVA_OP_COMPARE || op == SVA_OP_COMPARE_PATTERN || op == SVA_OP_CRC32C ||
	       op == SVA_OP_COPY_CRC32C || op == SVA_OP_CRC64 || op == SVA_OP_COMPRESS ||
	       op == SVA_OP_DECOMPRESS;
}

static bool op_writes_dst(int op)
{
	return op == SVA_OP_COPY || op == SVA_OP_FILL || op == SVA_OP_COPY_CRC32C ||
	       op == SVA_OP_DUALCAST || op == SVA_OP_COMPRESS || op == SVA_OP_DECOMPRESS;
}

static int raw_deflate(const uint8_t *in, uint32_t len, uint8_t *out, uint32_t cap, uint32_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (Bytef *)in;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = cap;
	int rc = deflate(&z, Z_FINISH);
	*outlen = (uint32_t)z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static int raw_inflate(const uint8_t *in, uint32_t len, uint8_t *out, uint32_t cap, uint32_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		return -1;
	z.next_in = (Bytef *)in;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = cap;
	int rc = inflate(&z, Z_FINISH);
	*outlen = (uint32_t)z.total_out;
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static int fail(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record a failure of the worker; the first one is the one reported. */
static int fail(struct worker *w, const char *fmt, ...)
{
	if (w->failed)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->error, sizeof(w->error), fmt, ap);
	va_end(ap);
	w->failed = true;
	return -1;
}

/* Allocate and initialise the buffers of one size point. */
static int setup_buffers(struct worker *w)
{
	const struct perf_conf *c = w->c;
	int op = c->op;
	char err[256];
	uint32_t size = w->size;
	w->cap = size;
	if (op == SVA_OP_COMPRESS)
		w->cap = size + size / 8 + 1024; /* deflate worst case on incompressible data */
	w->stride = SVA_ALIGN_UP((size_t)SVA_MAX(size, w->cap) + c->offset, (size_t)64);
	uint64_t n = c->mem_size / w->stride;
	w->nbufs = (uint32_t)SVA_MAX((uint64_t)1, SVA_MIN(n, (uint64_t)65536));
	size_t bytes = (size_t)w->nbufs * w->stride + SVA_PAGE_SIZE;
	bool need_dst = op != SVA_OP_CRC32C && op != SVA_OP_COMPARE_PATTERN && op != SVA_OP_CRC64;
	if (op_has_src_data(op) &&
	    perf_mem_alloc(&w->src, bytes, c->mem_kind, c->src_node, NULL, err, sizeof(err)) < 0)
		return fail(w, "%s", err);
	char file[PERF_NAME_MAX + 16] = "";
	if (c->mem_kind == MEM_FILE && c->file[0]) /* queue 0: FILE, queue N: FILE.qN */
		snprintf(file, sizeof(file), w->id ? "%s.q%u" : "%s", c->file, w->id);
	if (need_dst && perf_mem_alloc(&w->dst, bytes, c->mem_kind, c->dst_node, file, err,
				       sizeof(err)) < 0)
		return fail(w, "%s", err);
	if (op == SVA_OP_DUALCAST &&
	    perf_mem_alloc(&w->dst2, bytes, c->mem_kind, c->dst_node, NULL, err, sizeof(err)) < 0)
		return fail(w, "%s", err);
	static _Atomic int told_fallback;
	if ((w->src.fell_back || w->dst.fell_back || w->dst2.fell_back) && !c->quiet &&
	    !atomic_exchange(&told_fallback, 1))
		fprintf(stderr, "svadk-perf: notice: mem-kind=hugepage: no huge pages available "
			"(vm.nr_hugepages); using 4 KiB pages\n");
	w->expect = calloc(w->nbufs, sizeof(*w->expect));
	w->in_len = calloc(w->nbufs, sizeof(*w->in_len));
	if (!w->expect || !w->in_len)
		return fail(w, "out of memory");
	if (op == SVA_OP_DECOMPRESS &&
	    perf_mem_alloc(&w->plain, bytes, MEM_MALLOC, -1, NULL, err, sizeof(err)) < 0)
		return fail(w, "%s", err);
	for (uint32_t j = 0; j < w->nbufs; j++) {
		uint8_t *s = op_has_src_data(op) ? buf_at(&w->src, w, j) : NULL;
		switch (op) {
		case SVA_OP_COMPARE_PATTERN:
			fill_pattern(s, COMPARE_PATTERN, size);
			break;
		case SVA_OP_COMPRESS:
			fill_data(s, j, size, true);
			break;
		case SVA_OP_DECOMPRESS: {
			uint8_t *p = buf_at(&w->plain, w, j);
			fill_data(p, j, size, true);
			uint32_t clen;
			if (raw_deflate(p, size, s, (uint32_t)(w->stride - c->offset), &clen) < 0)
				return fail(w, "cannot prepare compressed input");
			w->in_len[j] = clen;
			break;
		}
		default:
			if (s)
				fill_data(s, j, size, false);
			break;
		}
		if (op == SVA_OP_COMPARE)
			memcpy(buf_at(&w->dst, w, j), s, size);
		else if (op == SVA_OP_CRC32C || op == SVA_OP_COPY_CRC32C)
			w->expect[j] = sva_sw_crc32c(0, s, size);
		else if (op == SVA_OP_CRC64)
			w->expect[j] = sva_sw_crc64(w->crc64, s, size);
	}
	/* Destinations: present now, or left for the device to fault in. */
	if (c->prefault && op != SVA_OP_COMPARE) {
		if (w->dst.base)
			memset(w->dst.base, 0xee, w->dst.size);
		if (w->dst2.base)
			memset(w->dst2.base, 0xee, w->dst2.size);
	}
	if (c->cache_flush) {
		struct perf_mem *ms[] = {&w->src, &w->dst, &w->dst2};
		for (unsigned int i = 0; i < 3; i++)
			for (size_t off = 0; ms[i]->base && off < ms[i]->size; off += 64)
				__builtin_ia32_clflush((char *)ms[i]->base + off);
	}
	return 0;
}

static void free_buffers(struct worker *w)
{
	/* The memory goes back to the system (munmap): the device's cached
	 * translations of it must go too, or the next size point, whose fresh
	 * mapping may get the same addresses, would not fault (the kernel's MMU
	 * notifier does this for a real SVA binding). */
	struct sva_as *as = w->dev ? sva_dev_process_as(w->dev) : NULL;
	struct perf_mem *ms[] = {&w->src, &w->dst, &w->dst2, &w->plain};
	for (unsigned int i = 0; i < SVA_ARRAY_SIZE(ms); i++) {
		if (as && ms[i]->base)
			sva_as_invalidate(as, ms[i]->base, ms[i]->size);
		perf_mem_free(ms[i]);
	}
	free(w->expect);
	free(w->in_len);
	w->expect = NULL;
	w->in_len = NULL;
}

static inline int enqueue(struct worker *w, uint32_t j, struct sva_result *res)
{
	uint8_t *s = w->src.base ? buf_at(&w->src, w, j) : NULL;
	uint8_t *d = w->dst.base ? buf_at(&w->dst, w, j) : NULL;
	uint32_t n = w->size;
	switch (w->c->op) {
	case SVA_OP_COPY: return sva_copy(w->q, d, s, n, 0);
	case SVA_OP_FILL: return sva_fill(w->q, d, FILL_PATTERN, n, 0);
	case SVA_OP_COMPARE: return sva_compare(w->q, s, d, n, res, 0);
	case SVA_OP_COMPARE_PATTERN: return sva_compare_pattern(w->q, s, COMPARE_PATTERN, n, res, 0);
	case SVA_OP_CRC32C: return sva_crc32c(w->q, s, n, 0, res, 0);
	case SVA_OP_COPY_CRC32C: return sva_copy_crc32c(w->q, d, s, n, 0, res, 0);
	case SVA_OP_DUALCAST: return sva_dualcast(w->q, d, buf_at(&w->dst2, w, j), s, n, 0);
	case SVA_OP_CACHE_FLUSH: return sva_cache_flush(w->q, d, n, 0);
	case SVA_OP_COMPRESS: return sva_compress(w->q, d, w->cap, s, n, SVA_COMP_F_LAST, res, 0);
	case SVA_OP_DECOMPRESS:
		return sva_decompress(w->q, d, w->cap, s, w->in_len[j], SVA_COMP_F_FIRST | SVA_COMP_F_LAST,
				      NULL, res, 0);
	case SVA_OP_CRC64: return sva_crc64(w->q, s, n, 0, 0, res, 0);
	default: return -EINVAL;
	}
}

/* Check the result of one completed operation on buffer j. */
static int check_result(struct worker *w, uint32_t j, const struct sva_result *r)
{
	switch (w->c->op) {
	case SVA_OP_COMPARE:
	case SVA_OP_COMPARE_PATTERN:
		if (r->value != 0)
			return fail(w, "compare of identical buffers %u reported a difference at %u", j,
				    r->bytes);
		return 0;
	case SVA_OP_CRC32C:
	case SVA_OP_COPY_CRC32C:
	case SVA_OP_CRC64:
		if (r->value != w->expect[j])
			return fail(w, "buffer %u: CRC 0x%llx, expected 0x%llx", j,
				    (unsigned long long)r->value, (unsigned long long)w->expect[j]);
		return 0;
	case SVA_OP_COMPRESS:
	case SVA_OP_DECOMPRESS:
		w->expect[j] = r->bytes; /* output size, checked at the end */
		return 0;
	default:
		return 0;
	}
}

static int compare_bytes(struct worker *w, const uint8_t *got, const uint8_t *want, uint32_t len,
			 uint32_t j, const char *what)
{
	if (!memcmp(got, want, len))
		return 0;
	for (uint32_t i = 0; i < len; i++)
		if (got[i] != want[i])
			return fail(w, "verification failed: %s buffer %u byte %u: 0x%02x, expected "
				    "0x%02x", what, j, i, got[i], want[i]);
	return 0;
}

/* Verify buffers [0, count) at the end of a size point (or of a pass that
 * is about to be evicted). SVADK_PERF_TEST_CORRUPT=1 flips one bit of the
 * first destination first: the functional tests use it to check that a
 * failed verification fails the run. */
static int verify_buffers(struct worker *w, uint32_t count)
{
	uint32_t size = w->size;
	if (count && w->dst.base && getenv("SVADK_PERF_TEST_CORRUPT"))
		buf_at(&w->dst, w, 0)[0] ^= 0x40;
	uint8_t *tmp = NULL;
	if (w->c->op == SVA_OP_FILL || w->c->op == SVA_OP_COMPRESS) {
		tmp = malloc(size + 64);
		if (!tmp)
			return fail(w, "out of memory");
		if (w->c->op == SVA_OP_FILL)
			fill_pattern(tmp, FILL_PATTERN, size);
	}
	int rc = 0;
	for (uint32_t j = 0; j < count && rc == 0; j++) {
		const uint8_t *s = w->src.base ? buf_at(&w->src, w, j) : NULL;
		const uint8_t *d = w->dst.base ? buf_at(&w->dst, w, j) : NULL;
		switch (w->c->op) {
		case SVA_OP_COPY:
		case SVA_OP_COPY_CRC32C:
			rc = compare_bytes(w, d, s, size, j, "destination");
			break;
		case SVA_OP_DUALCAST:
			rc = compare_bytes(w, d, s, size, j, "destination 1");
			if (!rc)
				rc = compare_bytes(w, buf_at(&w->dst2, w, j), s, size, j, "destination 2");
			break;
		case SVA_OP_FILL:
			rc = compare_bytes(w, d, tmp, size, j, "filled");
			break;
		case SVA_OP_COMPRESS: {
			uint32_t out = 0;
			if (raw_inflate(d, (uint32_t)w->expect[j], tmp, size + 64, &out) < 0 || out != size)
				rc = fail(w, "verification failed: compressed buffer %u does not inflate "
					  "to its input (%u bytes)", j, out);
			else
				rc = compare_bytes(w, tmp, s, size, j, "inflated");
			break;
		}
		case SVA_OP_DECOMPRESS:
			if (w->expect[j] != size)
				rc = fail(w, "verification failed: buffer %u decompressed to %llu bytes, "
					  "expected %u", j, (unsigned long long)w->expect[j], size);
			else
				rc = compare_bytes(w, d, buf_at(&w->plain, w, j), size, j, "decompressed");
			break;
		default:
			break;
		}
	}
	free(tmp);
	return rc;
}

/* Drop the pages of the buffers the device writes, so that the next pass
 * faults them in again. Buffers it only reads keep their data only when
 * they are file-backed (the page cache has it); those are dropped too then.
 * perf_conf_check() refuses eviction where nothing could be dropped safely. */
static void evict(struct worker *w)
{
	struct sva_as *as = sva_dev_process_as(w->dev);
	int op = w->c->op;
	bool file = w->c->mem_kind == MEM_FILE;
	bool dst_written = op_writes_dst(op) || op == SVA_OP_CACHE_FLUSH;
	struct perf_mem *ms[] = {dst_written || file ? &w->dst : NULL,
				 dst_written || file ? &w->dst2 : NULL, file ? &w->src : NULL};
	for (unsigned int i = 0; i < SVA_ARRAY_SIZE(ms); i++) {
		if (!ms[i] || !ms[i]->base)
			continue;
		madvise(ms[i]->base, ms[i]->size, MADV_DONTNEED);
		if (as)
			sva_as_invalidate(as, ms[i]->base, ms[i]->size);
	}
}

/* The progress counters shared by the workers take a locked add, which
 * waits for the worker's stores in flight (a burst of descriptors) to
 * land: add to them every LIVE_FLUSH_MS, not on every reap. */
#define LIVE_FLUSH_MS 10u

static void live_flush(struct worker *w, uint64_t now_tsc)
{
	uint64_t n = w->out.ops - w->live_ops;
	w->live_next = now_tsc + sva_ns_to_tsc(LIVE_FLUSH_MS * 1000000ull);
	if (!n)
		return;
	atomic_fetch_add_explicit(&w->live->ops, n, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->live->bytes, n * w->size, memory_order_relaxed);
	w->live_ops = w->out.ops;
}

/* Reap what is complete; returns the number reaped or -1 on failure. */
static int reap(struct worker *w, uint16_t *head, uint64_t *inflight)
{
	uint16_t last;
	bool err = false;
	uint64_t t0 = sva_tsc();
	uint16_t n = sva_completed(w->q, 256, &last, &err);
	enum sva_status st = SVA_STATUS_SUCCESS;
	uint16_t ne = 0;
	if (err)
		ne = sva_completed_status(w->q, 1, &last, &st);
	uint64_t t1 = sva_tsc();
	uint16_t total = (uint16_t)(n + ne);
	if (!total)
		return 0;
	w->out.busy_ticks += t1 - t0;
	if ((uint16_t)(*head + total - 1) != last) {
		fail(w, "completion order broken: expected index %u, got %u",
		     (uint16_t)(*head + total - 1), last);
		/* Account for what the queue says it completed, so that the
		 * drain after the failure does not wait for it. */
		uint16_t got = (uint16_t)(last - *head + 1);
		*inflight -= SVA_MIN((uint64_t)got, *inflight);
		*head = (uint16_t)(last + 1);
		return -1;
	}
	uint16_t mask = (uint16_t)(w->c->ring - 1);
	int rc = total;
	/* Latency of every 8th operation (by ring index): at tens of millions of
	 * operations per second, recording each would cost the worker more than
	 * the fast path it measures; percentiles of the sample are the same. */
	for (uint16_t idx = (uint16_t)((*head + 7u) & ~7u); (uint16_t)(idx - *head) < total;
	     idx = (uint16_t)(idx + 8))
		sva_hist_add(&w->out.lat,
			     (uint64_t)((double)(t1 - w->t_enq[idx & mask]) * w->ns_per_tick));
	/* Operations without a result, all successful: nothing more to look at. */
	if (!ne && !(w->c->verify && op_has_result(w->c->op)))
		total = 0;
	/* Every reaped operation is accounted for, even after a failure: the
	 * ring indexes must stay in step for the drain that follows. */
	for (uint16_t k = 0; k < total; k++) {
		uint16_t slot = (uint16_t)(*head + k) & mask;
		if (k == n && ne) {
			w->out.errors++;
			rc = fail(w, "operation %u on buffer %u failed: %s", (uint16_t)(*head + k),
				  w->slot_buf[slot], sva_status_str(st));
			continue;
		}
		if (w->c->verify && !w->failed && check_result(w, w->slot_buf[slot], &w->res[slot]) < 0)
			rc = -1;
	}
	total = (uint16_t)(n + ne);
	*head = (uint16_t)(*head + total);
	*inflight -= total;
	w->out.ops += n;
	w->out.bytes += (uint64_t)n * w->size;
	if (t1 >= w->live_next)
		live_flush(w, t1);
	return rc;
}

static int drain(struct worker *w, uint16_t *head, uint64_t *inflight)
{
	uint64_t deadline = sva_now_ns() + 30ull * 1000000000ull;
	int rc = 0;
	while (*inflight) {
		int r = reap(w, head, inflight);
		if (r < 0) { /* failed, but it reaped: go on draining */
			rc = -1;
			continue;
		}
		if (r == 0) {
			if (w->poll_handler)
				sva_iopf_poll(w->pf, 64);
			if (sva_now_ns() > deadline)
				return fail(w, "%llu operations did not complete within 30 s",
					    (unsigned long long)*inflight);
			sva_pause();
		}
	}
	return rc;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct perf_conf *c = w->c;
	if (w->cpu >= 0)
		sva_thread_pin(pthread_self(), w->cpu);
	memset(&w->out, 0, sizeof(w->out));
	w->live_ops = 0;
	w->live_next = 0;
	sva_hist_reset(&w->out.lat);
	pthread_barrier_wait(w->start);
	if (w->failed)
		return NULL;
	struct sva_queue_stats qs0, qs1;
	sva_queue_stats_get(w->q, &qs0);
	uint16_t mask = (uint16_t)(c->ring - 1);
	uint64_t inflight = 0, enq = 0;
	uint16_t *head = &w->head;
	uint32_t j = 0;
	bool pass_done = false;
	uint64_t t_start = sva_now_ns();
	uint64_t excluded = 0; /* TSC ticks spent verifying evicted passes */
	/* The deadline is checked on every burst: in TSC ticks, not a clock call. */
	uint64_t deadline = c->ops ? UINT64_MAX : sva_tsc() + sva_ns_to_tsc((uint64_t)(c->seconds * 1e9));
	while (!atomic_load_explicit(&w->live->stop, memory_order_relaxed)) {
		if (c->ops ? enq >= c->ops : sva_tsc() >= deadline)
			break;
		uint64_t t0 = sva_tsc();
		uint32_t k;
		for (k = 0; k < c->burst && !pass_done; k++) {
			if (c->ops && enq >= c->ops)
				break;
			uint16_t next = (uint16_t)(*head + inflight);
			int idx = enqueue(w, j, &w->res[next & mask]);
			if (idx == -ENOSPC)
				break;
			if (idx < 0) {
				fail(w, "enqueue failed: %s", strerror(-idx));
				goto out;
			}
			if ((uint16_t)idx != next) {
				fail(w, "enqueue returned ring index %d, expected %u", idx, next);
				goto out;
			}
			if (!(next & 7)) /* latency is sampled on every 8th index */
				w->t_enq[next & mask] = t0;
			w->slot_buf[next & mask] = j;
			inflight++;
			enq++;
			if (++j == w->nbufs) {
				j = 0;
				pass_done = c->evict; /* finish the pass before dropping its pages */
			}
		}
		if (k) {
			sva_submit(w->q);
			w->out.busy_ticks += sva_tsc() - t0;
		}
		int r = reap(w, head, &inflight);
		if (r < 0)
			goto out;
		if (pass_done) {
			if (drain(w, head, &inflight) < 0)
				goto out;
			/* Every byte of the pass is checked before its pages go;
			 * the check is not part of the measured time. */
			if (c->verify && op_writes_dst(c->op)) {
				uint64_t v0 = sva_tsc();
				if (verify_buffers(w, w->nbufs) < 0)
					goto out;
				uint64_t dv = sva_tsc() - v0;
				excluded += dv;
				deadline = deadline == UINT64_MAX ? deadline : deadline + dv;
			}
			evict(w);
			pass_done = false;
		}
		if (!k && !r) {
			if (w->poll_handler)
				sva_iopf_poll(w->pf, 64);
			sva_pause();
		}
	}
	if (drain(w, head, &inflight) < 0)
		goto out;
	live_flush(w, sva_tsc());
	w->out.seconds = (double)(sva_now_ns() - t_start - sva_tsc_to_ns(excluded)) / 1e9;
	sva_queue_stats_get(w->q, &qs1);
	w->out.faults = qs1.faults - qs0.faults;
	/* With eviction, the passes before were checked before their pages
	 * went; only the last (partial) pass is still in memory. */
	uint32_t written = c->evict ? j : (uint32_t)SVA_MIN(enq, (uint64_t)w->nbufs);
	if (c->verify && op_writes_dst(c->op) && verify_buffers(w, written) < 0)
		goto out;
	return NULL;
out:
	w->out.seconds = (double)(sva_now_ns() - t_start - sva_tsc_to_ns(excluded)) / 1e9;
	atomic_store(&w->live->stop, 1);
	drain(w, head, &inflight);
	live_flush(w, sva_tsc());
	return NULL;
}

/* --- one device -------------------------------------------------------------------------- */

static void hist_delta(struct sva_hist *out, const struct sva_hist *now, const struct sva_hist *before)
{
	sva_hist_reset(out);
	for (unsigned int i = 0; i < SVA_HIST_BUCKETS; i++)
		sva_counter_set(&out->bucket[i], sva_counter_read(&now->bucket[i]) -
						 sva_counter_read(&before->bucket[i]));
	sva_counter_set(&out->count, sva_counter_read(&now->count) - sva_counter_read(&before->count));
	sva_counter_set(&out->max, sva_counter_read(&now->max));
	sva_counter_set(&out->min, 0);
}

static void hist_snapshot(struct sva_hist *out, const struct sva_hist *h)
{
	sva_hist_reset(out);
	sva_hist_merge(out, h);
}

/* Device name for the run: the default software device gets its engine
 * pinned away from the first worker when there is a CPU for it. */
static void device_name(const char *want, char *out, size_t len)
{
	int ncpu = perf_cpu_count();
	if ((!strcmp(want, "dsa_sim0") || !strcmp(want, "iaa_sim0")) && ncpu >= 2)
		snprintf(out, len, "%s,engine_cpus=%d", want, ncpu - 1);
	else
		snprintf(out, len, "%s", want);
}

static int check_device(const struct perf_conf *c, struct sva_dev *dev, const char *name)
{
	struct sva_dev_info info;
	sva_dev_info_get(dev, &info);
	if (!(info.capa & SVA_CAPA_OP(c->op))) {
		fprintf(stderr, "svadk-perf: %sdevice '%s' does not support op=%s\n", c->where, name,
			sva_op_name(c->op));
		return -1;
	}
	if (c->queues > info.max_queues) {
		fprintf(stderr, "svadk-perf: %squeues=%u: device '%s' has %u\n", c->where, c->queues,
			name, info.max_queues);
		return -1;
	}
	for (unsigned int i = 0; i < c->nb_sizes; i++) {
		if (c->sizes[i] > info.max_xfer) {
			fprintf(stderr, "svadk-perf: %ssize %u is over the maximum transfer of '%s' "
				"(%u)\n", c->where, c->sizes[i], name, info.max_xfer);
			return -1;
		}
	}
	if (c->ring < info.min_desc || c->ring > info.max_desc) {
		fprintf(stderr, "svadk-perf: %sring=%u: device '%s' takes %u..%u\n", c->where, c->ring,
			name, info.min_desc, info.max_desc);
		return -1;
	}
	return 0;
}

static int run_device(const struct perf_conf *c, const char *devname, struct perf_point *pts,
		      int max, struct perf_live *live)
{
	char name[PERF_NAME_MAX + 64];
	device_name(devname, name, sizeof(name));
	struct sva_dev *dev = sva_dev_open(name, NULL);
	if (!dev) {
		fprintf(stderr, "svadk-perf: cannot open device '%s': %s\n", devname, strerror(errno));
		return -1;
	}
	struct sva_iopf *pf = NULL;
	struct sva_iopf_conf pc = {.name = "svadk-perf.iopf", .fault_ahead = c->fault_ahead};
	pf = sva_iopf_create(&pc);
	if (pf && sva_dev_attach_iopf(dev, pf) != 0) {
		sva_iopf_destroy(pf); /* the device resolves faults itself (e.g. cpu) */
		pf = NULL;
	}
	pthread_mutex_lock(&live->lock);
	live->pf = pf;
	pthread_mutex_unlock(&live->lock);
	/* auto: a handler thread only when it does not have to take a CPU from
	 * a worker or the software device's engine (which spin); else the
	 * workers poll it. On 2 CPUs a third spinning thread costs far more
	 * than the polling does. */
	int handler = c->handler_cpu;
	if (handler == PERF_HANDLER_AUTO)
		handler = perf_cpu_count() > (int)c->queues + (strcmp(name, devname) ? 1 : 0)
				  ? PERF_HANDLER_NONE : PERF_HANDLER_POLL;
	if (pf && handler != PERF_HANDLER_POLL && sva_iopf_start(pf, handler) < 0) {
		fprintf(stderr, "svadk-perf: cannot start the fault handler\n");
		sva_dev_close(dev);
		sva_iopf_destroy(pf);
		return -1;
	}
	struct worker *w = calloc(c->queues, sizeof(*w));
	struct sva_sw_crc64 *crc64 = malloc(sizeof(*crc64));
	int npts = 0, rc = 0;
	if (!w || !crc64) {
		rc = -1;
		goto out;
	}
	sva_sw_crc64_init(crc64, SVA_CRC64_POLY_ECMA, 0);
	for (unsigned int i = 0; i < c->queues; i++) {
		struct sva_queue_conf qc = {.nb_desc = (uint16_t)c->ring,
					    .fault_mode = (enum sva_fault_mode)c->fault_mode};
		w[i].q = sva_queue_create(dev, &qc);
		if (!w[i].q) {
			fprintf(stderr, "svadk-perf: device '%s': cannot create queue %u: %s\n", devname,
				i, strerror(errno));
			rc = -1;
			goto out;
		}
		w[i].t_enq = calloc(c->ring, sizeof(uint64_t));
		w[i].slot_buf = calloc(c->ring, sizeof(uint32_t));
		w[i].res = calloc(c->ring, sizeof(struct sva_result));
		if (!w[i].t_enq || !w[i].slot_buf || !w[i].res) {
			rc = -1;
			goto out;
		}
	}
	for (unsigned int s = 0; s < c->nb_sizes && npts < max; s++) {
		if (atomic_load(&live->stop))
			break;
		struct perf_point *pt = &pts[npts++];
		memset(pt, 0, sizeof(*pt));
		snprintf(pt->device, sizeof(pt->device), "%s", devname);
		pt->op = c->op;
		pt->size = c->sizes[s];
		pt->nb_queues = c->queues;
		pthread_barrier_t bar;
		pthread_barrier_init(&bar, NULL, c->queues);
		pthread_t th[PERF_MAX_QUEUES];
		struct sva_iopf_stats is0, is1;
		struct sva_hist lat0, lat1;
		for (unsigned int i = 0; i < c->queues; i++) {
			w[i].c = c;
			w[i].dev = dev;
			w[i].pf = pf;
			w[i].poll_handler = pf && handler == PERF_HANDLER_POLL;
			w[i].id = i;
			w[i].cpu = c->nb_cores ? c->cores[i] : (i < (unsigned)perf_cpu_count() ? (int)i : -1);
			w[i].size = c->sizes[s];
			w[i].live = live;
			w[i].ns_per_tick = 1e9 / (double)sva_tsc_hz();
			w[i].start = &bar;
			w[i].crc64 = crc64;
			w[i].failed = false;
			w[i].error[0] = '\0';
			if (setup_buffers(&w[i]) < 0) {
				pt->failed = true;
				snprintf(pt->error, sizeof(pt->error), "queue %u: %.230s", i, w[i].error);
			}
		}
		if (pf) {
			sva_iopf_stats_get(pf, &is0);
			hist_snapshot(&lat0, sva_iopf_latency_hist(pf));
		}
		for (unsigned int i = 0; i < c->queues; i++) {
			if (pt->failed)
				w[i].failed = true;
			pthread_create(&th[i], NULL, worker_main, &w[i]);
		}
		for (unsigned int i = 0; i < c->queues; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&bar);
		if (pf) {
			sva_iopf_stats_get(pf, &is1);
			hist_snapshot(&lat1, sva_iopf_latency_hist(pf));
			struct sva_hist d;
			hist_delta(&d, &lat1, &lat0);
			pt->iopf_requests = is1.requests - is0.requests;
			pt->iopf_pages = is1.pages_resolved - is0.pages_resolved;
			pt->fault_rtt_p50_ns = sva_hist_percentile(&d, 50);
			pt->fault_rtt_p99_ns = sva_hist_percentile(&d, 99);
		}
		sva_hist_reset(&pt->total.lat);
		for (unsigned int i = 0; i < c->queues; i++) {
			struct perf_result *r = &pt->q[i];
			*r = w[i].out;
			pt->total.ops += r->ops;
			pt->total.bytes += r->bytes;
			pt->total.errors += r->errors;
			pt->total.busy_ticks += r->busy_ticks;
			pt->total.faults += r->faults;
			pt->total.seconds = SVA_MAX(pt->total.seconds, r->seconds);
			sva_hist_merge(&pt->total.lat, &r->lat);
			if (w[i].failed && !pt->failed) {
				pt->failed = true;
				snprintf(pt->error, sizeof(pt->error), "queue %u: %.230s", i, w[i].error);
			}
			free_buffers(&w[i]);
		}
		pt->verified = c->verify && !pt->failed;
		pt->cpu_ghz = (double)sva_tsc_hz() / 1e9;
		live->elapsed_total += pt->total.seconds;
		if (pt->failed)
			break;
	}
	rc = npts;
out:
	for (unsigned int i = 0; w && i < c->queues; i++) {
		if (w[i].q)
			sva_queue_destroy(w[i].q);
		free(w[i].t_enq);
		free(w[i].slot_buf);
		free(w[i].res);
	}
	free(w);
	free(crc64);
	pthread_mutex_lock(&live->lock);
	live->pf = NULL;
	pthread_mutex_unlock(&live->lock);
	if (pf)
		sva_dev_detach_iopf(dev);
	sva_dev_close(dev);
	sva_iopf_destroy(pf);
	return rc;
}

uint64_t perf_live_faults(struct perf_live *live)
{
	struct sva_iopf_stats st = {0};
	pthread_mutex_lock(&live->lock);
	if (live->pf)
		sva_iopf_stats_get(live->pf, &st);
	pthread_mutex_unlock(&live->lock);
	return st.requests;
}

/* eal_args reach the dpdk: driver through SVADK_EAL_ARGS, read when it first
 * initialises the EAL (once per process). One set in the environment wins. */
static void set_eal_args(const struct perf_conf *c)
{
	static char used[PERF_NAME_MAX];
	const char *env = getenv("SVADK_EAL_ARGS");
	if (!c->eal_args[0])
		return;
	if (!env) {
		setenv("SVADK_EAL_ARGS", c->eal_args, 0);
		snprintf(used, sizeof(used), "%s", c->eal_args);
	} else if (strcmp(env, c->eal_args) && !c->quiet) {
		fprintf(stderr, "svadk-perf: notice: %seal-args '%s' not used: the EAL takes its "
			"arguments once per process ('%s'%s)\n", c->where, c->eal_args, env,
			used[0] ? "" : ", from SVADK_EAL_ARGS");
	}
}

int perf_run_case(const struct perf_conf *c, struct perf_point *pts, int max,
		  struct perf_live *live)
{
	char list[PERF_NAME_MAX];
	const char *devs[1 + PERF_MAX_BASELINES];
	int ndev = 0, n = 0;
	devs[ndev++] = c->device;
	snprintf(list, sizeof(list), "%s", c->baselines);
	if (strcasecmp(list, "none") && list[0]) {
		/* Devices are separated by commas; a piece with '=' is an argument
		 * of the device before it ("cpu,dsa_sim1,engines=2"). */
		for (char *t = list; t && *t;) {
			char *end = strchr(t, ',');
			while (end) {
				char *next = strchr(end + 1, ',');
				char *piece_end = next ? next : end + strlen(end);
				if (!memchr(end + 1, '=', (size_t)(piece_end - end - 1)))
					break;
				end = next;
			}
			if (end)
				*end = '\0';
			char *dev = t;
			t = end ? end + 1 : NULL;
			if (!strcmp(dev, c->device))
				continue;
			if (ndev == 1 + PERF_MAX_BASELINES) {
				fprintf(stderr, "svadk-perf: %sbaseline: more than %d devices\n", c->where,
					PERF_MAX_BASELINES);
				return -1;
			}
			devs[ndev++] = dev;
		}
	}
	live->planned_total = c->ops ? 0 : c->seconds * c->nb_sizes * ndev;
	live->elapsed_total = 0;
	/* Every device is checked before anything runs: a bad name or an
	 * unsupported setting is a usage error, not a half-finished run. */
	for (int d = 0; d < ndev; d++) {
		char name[PERF_NAME_MAX + 64];
		if (!strncmp(devs[d], "dpdk:", 5))
			set_eal_args(c);
		device_name(devs[d], name, sizeof(name));
		struct sva_dev *dev = sva_dev_open(name, NULL);
		if (!dev) {
			fprintf(stderr, "svadk-perf: %scannot open device '%s'%s: %s\n", c->where, devs[d],
				d ? " (baseline)" : "",
				errno == ENODEV ? "no such device (see --list-devices)" : strerror(errno));
			return -1;
		}
		if (d) { /* a baseline that cannot do the operation is left out, with a notice */
			struct sva_dev_info info;
			sva_dev_info_get(dev, &info);
			if (!(info.capa & SVA_CAPA_OP(c->op))) {
				if (!c->quiet)
					fprintf(stderr, "svadk-perf: notice: baseline '%s' does not support "
						"op=%s; left out\n", devs[d], sva_op_name(c->op));
				sva_dev_close(dev);
				memmove(&devs[d], &devs[d + 1], (size_t)(ndev - d - 1) * sizeof(devs[0]));
				ndev--;
				d--;
				continue;
			}
		}
		int bad = check_device(c, dev, devs[d]);
		sva_dev_close(dev);
		if (bad)
			return -1;
	}
	live->planned_total = c->ops ? 0 : c->seconds * c->nb_sizes * ndev;
	for (int d = 0; d < ndev; d++) {
		if (atomic_load(&live->stop))
			break;
		int r = run_device(c, devs[d], pts + n, max - n, live);
		if (r < 0)
			return n ? n : -1;
		n += r;
		if (n && pts[n - 1].failed)
			break;
	}
	return n;
}
