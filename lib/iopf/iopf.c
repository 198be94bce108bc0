/* SPDX-License-Identifier: BSD-3-Clause */
/* The poll-mode IO page-fault handler: read → group → resolve → respond. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sva_as.h"
#include "sva_atomic.h"
#include "sva_cpu.h"
#include "sva_defaults.h"
#include "sva_idle.h"
#include "iopf_priv.h"
#include "sva_iopf.h"
#include "sva_log.h"
#include "sva_time.h"

#define IOPF_MAX_SOURCES 16
_Static_assert(IOPF_MAX_SOURCES <= SVA_IDLE_MAX_FDS, "the idle wait must watch every source");
#define IOPF_MAX_OPEN_GROUPS 64 /* per source; groups arrive whole, so few are open */
#define IOPF_COALESCE_SLOTS 16
#define IOPF_STREAMS 8 /* sequential streams followed at once */
/* Pages of deferred fault-ahead made present per poll round: the longest
 * the handler goes without reading new faults because of it (about 0.1 ms
 * here). Smaller chunks let a device that caught up with the window fault
 * more often, and sequential throughput drops (64: ~0.75x one populate,
 * 128: ~0.82x, 256: ~0.82x in svadk-iopf-bench). */
#define IOPF_DEFER_CHUNK 128
/* Pages made present after the faulting one, at most: a window of 2 MiB. */
#define IOPF_AHEAD_LIMIT 511u

/* A group whose last record has not been read yet. Pages are resolved as
 * their records arrive; the answer goes out with the last one. */
struct open_group {
	uint64_t key;
	uint64_t t_raised;
	struct sva_as *as;
	struct sva_iopf_fault last_seen; /* to answer it if it never completes */
	bool ok;
};

struct iopf_source {
	const struct sva_iopf_source_ops *ops;
	void *ctx;
	struct open_group open[IOPF_MAX_OPEN_GROUPS];
	unsigned int nopen;
};

/* Ranges resolved earlier in this poll round: a second request for a page in
 * one of them is answered without another madvise. */
struct resolved_range {
	const struct sva_as *as;
	uint64_t start, end;
	uint32_t perm;
};

/* A device walking memory sequentially. Its last fault was at @start and
 * pages up to @next are present or being made present; a fault in
 * [start, next] means the device went on through that window, and the next
 * one is twice as large. */
struct stream {
	const struct sva_as *as; /* compared only, never dereferenced */
	uint64_t start;          /* page of the last fault */
	uint64_t next;           /* first page after the window (the frontier) */
	uint32_t ahead;          /* fault-ahead of the last window */
	uint64_t used;           /* round of last use, for replacement */
};

/* The far part of a stream's window, made present after the fault that
 * asked for it has been answered, a chunk per poll round: the device works
 * through the near part meanwhile. */
struct deferred {
	struct sva_as *as; /* a reference is held */
	uint64_t next, end;
	uint32_t perm;
};

struct sva_iopf {
	char name[32];
	uint32_t batch;
	uint32_t fault_ahead;
	uint32_t fault_ahead_max;
	struct stream streams[IOPF_STREAMS];
	uint64_t stream_clock;
	struct deferred defer[IOPF_STREAMS];
	unsigned int ndefer;
	pthread_mutex_t poll_lock;
	struct iopf_source src[IOPF_MAX_SOURCES];
	unsigned int nsrc;
	unsigned int next_src; /* round-robin start */
	struct sva_idle idle;
	pthread_t thread;
	_Atomic bool running;
	_Atomic bool stop_req;
	struct sva_iopf_fault *buf;
	struct resolved_range cache[IOPF_COALESCE_SLOTS];
	unsigned int ncache;
	double ns_per_tick;
	sva_counter_t requests, groups, pages_resolved, invalid, fault_ahead_pages, coalesced,
		respond_errors, polls, busy_polls;
	struct sva_hist lat;
};

struct sva_iopf *sva_iopf_create(const struct sva_iopf_conf *conf)
{
	struct sva_iopf *pf = aligned_alloc(SVA_CACHE_LINE, SVA_ALIGN_UP(sizeof(*pf), SVA_CACHE_LINE));
	if (!pf) {
		errno = ENOMEM;
		return NULL;
	}
	memset(pf, 0, sizeof(*pf));
	snprintf(pf->name, sizeof(pf->name), "%s", conf && conf->name ? conf->name : "iopf");
	pf->batch = conf && conf->batch ? conf->batch : SVA_DEFAULT_IOPF_BATCH;
	if (pf->batch > 4096) {
		SVA_LOG(IOPF, ERR, "%s: batch %u is larger than 4096", pf->name, pf->batch);
		goto invalid;
	}
	pf->fault_ahead = conf && conf->fault_ahead >= 0 ? (uint32_t)conf->fault_ahead
							   : SVA_DEFAULT_FAULT_AHEAD;
	if (pf->fault_ahead > IOPF_AHEAD_LIMIT) {
		SVA_LOG(IOPF, ERR, "%s: fault_ahead %u is larger than %u pages", pf->name,
			pf->fault_ahead, IOPF_AHEAD_LIMIT);
		goto invalid;
	}
	uint32_t amax = conf && conf->fault_ahead_max ? conf->fault_ahead_max
						      : SVA_DEFAULT_FAULT_AHEAD_MAX;
	if (amax > IOPF_AHEAD_LIMIT) {
		SVA_LOG(IOPF, ERR, "%s: fault_ahead_max %u is larger than %u pages", pf->name, amax,
			IOPF_AHEAD_LIMIT);
		goto invalid;
	}
	/* No ramp without fault-ahead, and never below the base window. */
	pf->fault_ahead_max = pf->fault_ahead ? SVA_MAX(amax, pf->fault_ahead) : 0;
	pf->buf = calloc(pf->batch, sizeof(*pf->buf));
	int rc = pf->buf ? sva_idle_init(&pf->idle, conf ? conf->idle_spins : 0,
					 conf ? conf->idle_yields : 0,
					 conf ? conf->idle_sleep_ms : 0)
			 : -ENOMEM;
	if (rc < 0) {
		free(pf->buf);
		free(pf);
		errno = -rc;
		return NULL;
	}
	pthread_mutex_init(&pf->poll_lock, NULL);
	pf->ns_per_tick = 1e9 / (double)sva_tsc_hz();
	sva_hist_reset(&pf->lat);
	return pf;
invalid:
	free(pf);
	errno = EINVAL;
	return NULL;
}

static void answer(struct sva_iopf *pf, struct iopf_source *s, const struct sva_iopf_fault *last,
		   uint64_t t_raised, enum sva_iopf_code code)
{
	if (s->ops->respond(s->ctx, last, code) < 0)
		sva_counter_add(&pf->respond_errors, 1);
	sva_counter_add(&pf->groups, 1);
	if (code != SVA_IOPF_SUCCESS)
		sva_counter_add(&pf->invalid, 1);
	if (t_raised) {
		uint64_t now = sva_tsc();
		uint64_t ns = now > t_raised ? (uint64_t)((double)(now - t_raised) * pf->ns_per_tick) : 0;
		sva_hist_add(&pf->lat, ns);
	}
}

static void close_group(struct iopf_source *s, unsigned int i)
{
	if (s->open[i].as)
		sva_as_put(s->open[i].as);
	s->open[i] = s->open[--s->nopen];
}

static bool coalesced(struct sva_iopf *pf, const struct sva_as *as, uint64_t page, uint32_t perm)
{
	for (unsigned int i = 0; i < pf->ncache; i++) {
		const struct resolved_range *r = &pf->cache[i];
		if (r->as == as && page >= r->start && page < r->end && (perm & ~r->perm) == 0)
			return true;
	}
	return false;
}

static void remember(struct sva_iopf *pf, const struct sva_as *as, uint64_t start, uint64_t end,
		     uint32_t perm)
{
	unsigned int i = pf->ncache < IOPF_COALESCE_SLOTS ? pf->ncache++ : (unsigned int)(start >> 12) % IOPF_COALESCE_SLOTS;
	pf->cache[i] = (struct resolved_range){.as = as, .start = start, .end = end, .perm = perm};
}

/* The stream a fault at @page of @as continues (@hit), or the least
 * recently used one, taken over for a new stream. NULL when the ramp is off. */
static struct stream *stream_of(struct sva_iopf *pf, const struct sva_as *as, uint64_t page,
				bool *hit)
{
	*hit = false;
	if (pf->fault_ahead_max <= pf->fault_ahead)
		return NULL;
	struct stream *st = NULL, *old = &pf->streams[0];
	for (unsigned int i = 0; i < IOPF_STREAMS; i++) {
		struct stream *c = &pf->streams[i];
		if (c->as == as && page >= c->start && page <= c->next) {
			st = c;
			*hit = true;
			break;
		}
		if (c->used < old->used)
			old = c;
	}
	if (!st) {
		st = old; /* the least recently used stream makes room */
		*st = (struct stream){.as = as, .start = page, .next = page, .ahead = pf->fault_ahead};
	}
	st->used = ++pf->stream_clock;
	return st;
}

/* Queue [from, end) of @as to be made present after this round's answers;
 * false when there is no room (the window is then just smaller). */
static bool defer_add(struct sva_iopf *pf, struct sva_as *as, uint64_t from, uint64_t end,
		      uint32_t perm)
{
	for (unsigned int i = 0; i < pf->ndefer; i++) {
		struct deferred *d = &pf->defer[i];
		if (d->as == as && d->perm == perm && d->end == from) {
			d->end = end; /* the stream's previous window, still in progress */
			return true;
		}
	}
	if (pf->ndefer == IOPF_STREAMS)
		return false;
	sva_as_get(as);
	pf->defer[pf->ndefer++] = (struct deferred){.as = as, .next = from, .end = end, .perm = perm};
	return true;
}

/* Make up to @budget deferred pages present, oldest window first. */
static void run_deferred(struct sva_iopf *pf, unsigned int budget)
{
	while (pf->ndefer && budget) {
		struct deferred *d = &pf->defer[0];
		uint64_t n = SVA_MIN((d->end - d->next) >> SVA_PAGE_SHIFT, (uint64_t)budget);
		if (iopf_populate(d->next, n << SVA_PAGE_SHIFT, d->perm) == 0) {
			sva_counter_add(&pf->fault_ahead_pages, n);
			d->next += n << SVA_PAGE_SHIFT;
			budget -= (unsigned int)n;
		} else {
			d->next = d->end; /* gone or changed meanwhile: a fault will tell */
		}
		if (d->next >= d->end) {
			sva_as_put(d->as);
			memmove(&pf->defer[0], &pf->defer[1], --pf->ndefer * sizeof(pf->defer[0]));
		}
	}
}

static void drop_deferred(struct sva_iopf *pf)
{
	while (pf->ndefer)
		sva_as_put(pf->defer[--pf->ndefer].as);
}

/* After the base window of a fault at @page (made: @made pages from it, of
 * the @base + 1 asked for) set up the rest of the stream's window. */
static void stream_advance(struct sva_iopf *pf, struct stream *st, bool hit, struct sva_as *as,
			   uint64_t page, uint64_t made, unsigned int base, uint32_t perm)
{
	uint64_t near_end = page + made * SVA_PAGE_SIZE;
	st->start = page;
	if (!hit || made < (uint64_t)base + 1) {
		/* A new stream, or a window cut short (end of the mapping): the
		 * ramp starts again. */
		st->ahead = base;
		st->next = near_end;
		return;
	}
	uint32_t ahead = SVA_MAX(base, SVA_MIN(2 * (st->ahead + 1) - 1, pf->fault_ahead_max));
	uint64_t far_end = page + ((uint64_t)ahead + 1) * SVA_PAGE_SIZE;
	/* Never beyond the mapping that faulted: a window of up to 2 MiB
	 * would otherwise fill whatever happens to be mapped next to it. */
	uint64_t vma_end = 0;
	if ((sva_as_perm(as, page, &vma_end, NULL) & perm) != perm)
		vma_end = near_end;
	far_end = SVA_MIN(far_end, vma_end);
	uint64_t from = SVA_MAX(st->next, near_end);
	if (far_end > from && !defer_add(pf, as, from, far_end, perm)) {
		st->ahead = base;
		st->next = SVA_MAX(st->next, near_end);
		return;
	}
	st->ahead = ahead;
	st->next = SVA_MAX(st->next, far_end);
}

/* Resolve the page(s) of one record; false if any is not resolvable.
 * pages_resolved counts pages the record needed; fault_ahead_pages the ones
 * made present beyond them. */
static bool resolve_record(struct sva_iopf *pf, struct sva_as *as, const struct sva_iopf_fault *f)
{
	uint32_t perm = f->perm & (SVA_PERM_READ | SVA_PERM_WRITE);
	if (!perm)
		perm = SVA_PERM_READ;
	uint64_t page = SVA_ALIGN_DOWN(f->addr, (uint64_t)SVA_PAGE_SIZE);
	uint64_t end = f->length > 1 ? SVA_ALIGN_UP(f->addr + f->length, (uint64_t)SVA_PAGE_SIZE)
				     : page + SVA_PAGE_SIZE;
	if (end <= page)
		return false;
	bool process = sva_as_type(as) == SVA_AS_PROCESS;
	while (page < end) {
		if (coalesced(pf, as, page, perm)) {
			sva_counter_add(&pf->coalesced, 1);
			page += SVA_PAGE_SIZE;
			continue;
		}
		uint64_t needed = (end - page) >> SVA_PAGE_SHIFT; /* incl. this page */
		uint64_t want = SVA_MAX((uint64_t)pf->fault_ahead, needed - 1);
		unsigned int ahead = process ? (unsigned int)SVA_MIN(want, (uint64_t)IOPF_AHEAD_LIMIT) : 0;
		bool hit = false;
		struct stream *st = process && needed == 1 ? stream_of(pf, as, page, &hit) : NULL;
		unsigned int done = 0;
		if (sva_iopf_resolve(as, page, perm, ahead, &done) != SVA_IOPF_SUCCESS) {
			if (st && !hit)
				st->as = NULL; /* no stream starts with a failure */
			return false;
		}
		uint64_t made = (uint64_t)done + 1;
		if (st)
			stream_advance(pf, st, hit, as, page, made, ahead, perm);
		uint64_t used = SVA_MIN(made, needed);
		sva_counter_add(&pf->pages_resolved, used);
		sva_counter_add(&pf->fault_ahead_pages, made - used);
		remember(pf, as, page, page + made * SVA_PAGE_SIZE, perm);
		page += used * SVA_PAGE_SIZE;
	}
	return true;
}

static void handle_record(struct sva_iopf *pf, struct iopf_source *s, const struct sva_iopf_fault *f)
{
	uint64_t key = (uint64_t)f->pasid << 32 | f->grpid |
		       (f->flags & SVA_IOPF_F_PASID_VALID ? 1ull << 63 : 0);
	unsigned int i;
	for (i = 0; i < s->nopen; i++)
		if (s->open[i].key == key)
			break;
	if (i == s->nopen) {
		if (s->nopen == IOPF_MAX_OPEN_GROUPS) {
			/* Nowhere to remember it: answer now so nothing waits forever. */
			SVA_LOG(IOPF, WARNING, "%s: %s: more than %d open groups; answering group %u "
				"INVALID", pf->name, s->ops->name, IOPF_MAX_OPEN_GROUPS, f->grpid);
			answer(pf, s, f, f->t_raised, SVA_IOPF_INVALID);
			return;
		}
		struct open_group *g = &s->open[s->nopen++];
		g->key = key;
		g->t_raised = f->t_raised;
		g->as = s->ops->lookup_as(s->ctx, f);
		g->ok = g->as != NULL;
		if (!g->as)
			SVA_LOG(IOPF, DEBUG, "%s: %s: no address space for PASID %u", pf->name,
				s->ops->name, f->pasid);
	}
	struct open_group *g = &s->open[i];
	g->last_seen = *f;
	if (g->ok && !resolve_record(pf, g->as, f)) {
		g->ok = false;
		SVA_LOG(IOPF, DEBUG, "%s: PASID %u: %s fault at 0x%llx is not resolvable", pf->name,
			f->pasid, f->perm & SVA_PERM_WRITE ? "write" : "read",
			(unsigned long long)f->addr);
	}
	if (f->flags & SVA_IOPF_F_LAST) {
		answer(pf, s, f, g->t_raised, g->ok ? SVA_IOPF_SUCCESS : SVA_IOPF_INVALID);
		close_group(s, i);
	}
}

static int poll_locked(struct sva_iopf *pf, unsigned int budget)
{
	unsigned int total = 0;
	pf->ncache = 0;
	sva_counter_add(&pf->polls, 1);
	for (unsigned int k = 0; k < pf->nsrc && total < budget; k++) {
		struct iopf_source *s = &pf->src[(pf->next_src + k) % pf->nsrc];
		unsigned int want = SVA_MIN(pf->batch, budget - total);
		int n = s->ops->read(s->ctx, pf->buf, want);
		if (n <= 0)
			continue;
		sva_counter_add(&pf->requests, (uint64_t)n);
		for (int j = 0; j < n; j++)
			handle_record(pf, s, &pf->buf[j]);
		total += (unsigned int)n;
	}
	if (pf->nsrc)
		pf->next_src = (pf->next_src + 1) % pf->nsrc;
	if (total)
		sva_counter_add(&pf->busy_polls, 1);
	/* The answers are out: work on the far part of stream windows. */
	run_deferred(pf, IOPF_DEFER_CHUNK);
	return (int)total;
}

int sva_iopf_poll(struct sva_iopf *pf, unsigned int budget)
{
	if (!pf || budget == 0)
		return -EINVAL;
	/* While the dedicated thread runs it owns the sources, even when it is
	 * idle and does not hold the lock: report that every time, not only
	 * when the call happens to collide with one of its rounds. */
	if (atomic_load_explicit(&pf->running, memory_order_acquire) ||
	    pthread_mutex_trylock(&pf->poll_lock) != 0)
		return -EBUSY;
	int n = poll_locked(pf, budget);
	pthread_mutex_unlock(&pf->poll_lock);
	return n;
}

/* Records waiting in a source. Deferred fault-ahead is not one: a drain
 * answers faults and leaves the rest of the windows to the next rounds (or to
 * sva_iopf_destroy(), which drops them). */
static bool any_pending(void *arg)
{
	struct sva_iopf *pf = arg;
	for (unsigned int i = 0; i < pf->nsrc; i++)
		if (pf->src[i].ops->pending && pf->src[i].ops->pending(pf->src[i].ctx))
			return true;
	return false;
}

static bool any_pending_locked(void *arg)
{
	struct sva_iopf *pf = arg;
	pthread_mutex_lock(&pf->poll_lock);
	bool p = any_pending(pf) || pf->ndefer || atomic_load(&pf->stop_req);
	pthread_mutex_unlock(&pf->poll_lock);
	return p;
}

/* Read and answer until every source is empty. A source that reports records
 * it has not published yet gets up to a second; a requester that keeps
 * raising faults cannot hold teardown forever. Caller holds poll_lock. */
static int drain_locked(struct sva_iopf *pf)
{
	int total = 0, n;
	uint64_t deadline = sva_now_ns() + 1000000000ull;
	do {
		n = poll_locked(pf, 4096);
		total += n;
	} while ((n > 0 || any_pending(pf)) && sva_now_ns() < deadline);
	return total;
}

int sva_iopf_drain(struct sva_iopf *pf)
{
	if (!pf)
		return -EINVAL;
	pthread_mutex_lock(&pf->poll_lock);
	int n = drain_locked(pf);
	pthread_mutex_unlock(&pf->poll_lock);
	return n;
}

static void *iopf_thread(void *arg)
{
	struct sva_iopf *pf = arg;
	int fds[IOPF_MAX_SOURCES];
	while (!atomic_load_explicit(&pf->stop_req, memory_order_acquire)) {
		pthread_mutex_lock(&pf->poll_lock);
		int n = poll_locked(pf, pf->batch * SVA_MAX(pf->nsrc, 1u));
		bool more = pf->ndefer != 0;
		unsigned int nfds = 0;
		if (n <= 0)
			for (unsigned int i = 0; i < pf->nsrc; i++)
				if (pf->src[i].ops->wait_fd) {
					int fd = pf->src[i].ops->wait_fd(pf->src[i].ctx);
					if (fd >= 0)
						fds[nfds++] = fd;
				}
		pthread_mutex_unlock(&pf->poll_lock);
		if (n > 0 || more) {
			sva_idle_busy(&pf->idle);
			continue;
		}
		/* The re-check after announcing sleep closes the lost-wake-up window;
		 * sources kick pf->idle after queuing. */
		sva_idle_wait(&pf->idle, any_pending_locked, pf, fds, nfds);
	}
	pthread_mutex_lock(&pf->poll_lock);
	drain_locked(pf);
	pthread_mutex_unlock(&pf->poll_lock);
	return NULL;
}

int sva_iopf_start(struct sva_iopf *pf, int cpu)
{
	if (!pf)
		return -EINVAL;
	if (atomic_load(&pf->running))
		return -EALREADY;
	/* Created already pinned: a refused CPU fails the start. */
	atomic_store(&pf->stop_req, false);
	int rc = sva_thread_create_pinned(&pf->thread, cpu, iopf_thread, pf);
	if (rc < 0) {
		if (rc == -EINVAL && cpu >= 0)
			SVA_LOG(IOPF, ERR, "%s: CPU %d does not exist or is not allowed", pf->name, cpu);
		else
			SVA_LOG(IOPF, ERR, "%s: cannot create the handler thread: %s", pf->name,
				strerror(-rc));
		return rc;
	}
	sva_thread_set_name(pf->thread, pf->name);
	atomic_store(&pf->running, true);
	SVA_LOG(IOPF, INFO, "%s: handler thread started%s%d", pf->name, cpu >= 0 ? " on CPU " : "",
		cpu >= 0 ? cpu : 0);
	return 0;
}

int sva_iopf_stop(struct sva_iopf *pf)
{
	if (!pf)
		return -EINVAL;
	if (!atomic_load(&pf->running))
		return -EALREADY;
	atomic_store_explicit(&pf->stop_req, true, memory_order_release);
	sva_idle_kick_slow(&pf->idle);
	pthread_join(pf->thread, NULL);
	atomic_store(&pf->running, false);
	return 0;
}

bool sva_iopf_running(const struct sva_iopf *pf)
{
	return pf && atomic_load(&((struct sva_iopf *)pf)->running);
}

int sva_iopf_add_source(struct sva_iopf *pf, const struct sva_iopf_source_ops *ops, void *ctx)
{
	if (!pf || !ops || !ops->read || !ops->respond || !ops->lookup_as ||
	    (!ops->pending && !ops->wait_fd))
		return -EINVAL;
	pthread_mutex_lock(&pf->poll_lock);
	for (unsigned int i = 0; i < pf->nsrc; i++) {
		if (pf->src[i].ctx == ctx) {
			pthread_mutex_unlock(&pf->poll_lock);
			return -EEXIST;
		}
	}
	if (pf->nsrc == IOPF_MAX_SOURCES) {
		pthread_mutex_unlock(&pf->poll_lock);
		SVA_LOG(IOPF, ERR, "%s: more than %d fault sources", pf->name, IOPF_MAX_SOURCES);
		return -ENOSPC;
	}
	struct iopf_source *s = &pf->src[pf->nsrc++];
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->ctx = ctx;
	if (ops->set_waker)
		ops->set_waker(ctx, &pf->idle);
	pthread_mutex_unlock(&pf->poll_lock);
	/* A sleeping thread must learn about the new source's descriptor. */
	sva_idle_kick_slow(&pf->idle);
	return 0;
}

/* Answer everything of source @i and forget it. Caller holds poll_lock. */
static void retire_source(struct sva_iopf *pf, unsigned int i)
{
	struct iopf_source *s = &pf->src[i];
	int n;
	pf->ncache = 0;
	while ((n = s->ops->read(s->ctx, pf->buf, pf->batch)) > 0) {
		sva_counter_add(&pf->requests, (uint64_t)n);
		for (int j = 0; j < n; j++)
			handle_record(pf, s, &pf->buf[j]);
	}
	while (s->nopen) {
		/* Incomplete groups: their source is going away, answer them. */
		answer(pf, s, &s->open[0].last_seen, s->open[0].t_raised, SVA_IOPF_INVALID);
		close_group(s, 0);
	}
	if (s->ops->set_waker)
		s->ops->set_waker(s->ctx, NULL);
	pf->src[i] = pf->src[--pf->nsrc];
	pf->next_src = 0;
}

int sva_iopf_remove_source(struct sva_iopf *pf, void *ctx)
{
	if (!pf)
		return -EINVAL;
	pthread_mutex_lock(&pf->poll_lock);
	for (unsigned int i = 0; i < pf->nsrc; i++) {
		if (pf->src[i].ctx == ctx) {
			retire_source(pf, i);
			pthread_mutex_unlock(&pf->poll_lock);
			sva_idle_kick_slow(&pf->idle);
			return 0;
		}
	}
	pthread_mutex_unlock(&pf->poll_lock);
	return -ENOENT;
}

void sva_iopf_destroy(struct sva_iopf *pf)
{
	if (!pf)
		return;
	if (sva_iopf_running(pf))
		sva_iopf_stop(pf);
	pthread_mutex_lock(&pf->poll_lock);
	drain_locked(pf);
	while (pf->nsrc)
		retire_source(pf, pf->nsrc - 1);
	drop_deferred(pf);
	pthread_mutex_unlock(&pf->poll_lock);
	pthread_mutex_destroy(&pf->poll_lock);
	sva_idle_fini(&pf->idle);
	free(pf->buf);
	free(pf);
}

int sva_iopf_stats_get(const struct sva_iopf *pf, struct sva_iopf_stats *st)
{
	if (!pf || !st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->requests = sva_counter_read(&pf->requests);
	st->groups = sva_counter_read(&pf->groups);
	st->pages_resolved = sva_counter_read(&pf->pages_resolved);
	st->invalid = sva_counter_read(&pf->invalid);
	st->fault_ahead_pages = sva_counter_read(&pf->fault_ahead_pages);
	st->coalesced = sva_counter_read(&pf->coalesced);
	st->respond_errors = sva_counter_read(&pf->respond_errors);
	st->polls = sva_counter_read(&pf->polls);
	st->busy_polls = sva_counter_read(&pf->busy_polls);
	st->sleeps = sva_counter_read(&pf->idle.sleeps);
	st->lat_count = sva_hist_count(&pf->lat);
	st->lat_p50_ns = sva_hist_percentile(&pf->lat, 50);
	st->lat_p99_ns = sva_hist_percentile(&pf->lat, 99);
	st->lat_max_ns = sva_hist_max(&pf->lat);
	return 0;
}

int sva_iopf_stats_reset(struct sva_iopf *pf)
{
	if (!pf)
		return -EINVAL;
	if (sva_iopf_running(pf))
		return -EBUSY;
	pthread_mutex_lock(&pf->poll_lock);
	sva_counter_t *c[] = {&pf->requests, &pf->groups, &pf->pages_resolved, &pf->invalid,
			      &pf->fault_ahead_pages, &pf->coalesced, &pf->respond_errors,
			      &pf->polls, &pf->busy_polls, &pf->idle.sleeps};
	for (size_t i = 0; i < SVA_ARRAY_SIZE(c); i++)
		sva_counter_set(c[i], 0);
	sva_hist_reset(&pf->lat);
	pthread_mutex_unlock(&pf->poll_lock);
	return 0;
}

const struct sva_hist *sva_iopf_latency_hist(const struct sva_iopf *pf)
{
	return &pf->lat;
}

unsigned int sva_iopf_fault_ahead(const struct sva_iopf *pf)
{
	return pf->fault_ahead;
}

unsigned int sva_iopf_fault_ahead_max(const struct sva_iopf *pf)
{
	return pf->fault_ahead_max; /* never below fault_ahead: see sva_iopf_create() */
}
