/* SPDX-License-Identifier: BSD-3-Clause */
/* The software DSA/IAA device: work queues, portals, engine threads. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_priv.h"
#include "sva_cpu.h"
#include "sva_defaults.h"
#include "sva_log.h"
#include "sva_time.h"

struct sim_dsa *sim_dsa_create(const struct sim_dsa_conf *conf)
{
	struct sim_dsa_conf c = conf ? *conf : (struct sim_dsa_conf){0};
	if (!c.nb_wqs)
		c.nb_wqs = 1;
	if (!c.wq_size)
		c.wq_size = 256;
	if (!c.max_xfer)
		c.max_xfer = 1u << 30;
	if (!c.max_batch)
		c.max_batch = 256;
	if (!c.prs_timeout_ms)
		c.prs_timeout_ms = SVA_DEFAULT_PRS_TIMEOUT_MS;
	if (c.nb_wqs > SIM_DSA_MAX_WQS || c.nb_engines > SIM_DSA_MAX_ENGINES ||
	    c.comp_level < 0 || c.comp_level > 9 || c.max_batch < 2) {
		errno = EINVAL;
		return NULL;
	}
	struct sim_dsa *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	dev->conf = c;
	snprintf(dev->name, sizeof(dev->name), "%s", c.name ? c.name : "dsa_sim");
	dev->conf.name = dev->name;
	pthread_mutex_init(&dev->lock, NULL);
	pthread_mutex_init(&dev->aecs_lock, NULL);
	char mname[48];
	snprintf(mname, sizeof(mname), "%s.iommu", dev->name);
	struct sim_iommu_conf mc = {
		.name = mname,
		.pasid_bits = c.pasid_bits,
		.prq_depth = c.prq_depth,
	};
	dev->mmu = sim_iommu_create(&mc);
	dev->swerr = sva_ring_create(64, sizeof(struct sim_swerr));
	if (!dev->mmu || !dev->swerr)
		goto fail;
	sim_iommu_set_inject(dev->mmu, &c.inject);
	for (unsigned int i = 0; i < c.nb_wqs; i++) {
		dev->wq[i].ring = sva_ring_create(c.wq_size, sizeof(struct wq_entry));
		if (!dev->wq[i].ring)
			goto fail;
	}
	for (unsigned int i = 0; i < c.nb_engines; i++) {
		dev->engine[i] = sim_exec_create(dev, i, false);
		if (!dev->engine[i] || sva_idle_init(&dev->engine[i]->idle, 0, 0, 0) < 0)
			goto fail;
		dev->engine[i]->cpu = c.engines_pinned ? c.engine_cpu[i] : -1;
	}
	return dev;
fail:
	sim_dsa_destroy(dev);
	errno = ENOMEM;
	return NULL;
}

static bool wqs_have_work(void *arg)
{
	struct sim_exec *x = arg;
	for (unsigned int i = 0; i < x->dev->conf.nb_wqs; i++)
		if (sva_ring_count(x->dev->wq[i].ring))
			return true;
	return atomic_load(&x->stop);
}

static void *engine_main(void *arg)
{
	struct sim_exec *x = arg;
	uint32_t waits = 0;
	/* A stop request takes effect after the current descriptor: one held
	 * across a page-fault wait is finished (bounded by prs_timeout_ms), never
	 * abandoned inside an engine that no longer runs. */
	while (!atomic_load_explicit(&x->stop, memory_order_acquire) || x->busy) {
		if (!x->busy && !sim_exec_fetch(x, -1)) {
			sim_exec_flush_done(x);
			sva_idle_wait(&x->idle, wqs_have_work, x, NULL, 0);
			continue;
		}
		sva_idle_busy(&x->idle);
		if (sim_exec_run(x) == RUN_WAIT) {
			/* Blocked on a page response: the engine holds the descriptor
			 * (as the hardware does) and checks back after a pause. */
			if (++waits < 256)
				sva_pause();
			else
				sched_yield();
		} else {
			waits = 0;
		}
	}
	sim_exec_flush_done(x);
	return NULL;
}

int sim_dsa_start(struct sim_dsa *dev)
{
	pthread_mutex_lock(&dev->lock);
	if (dev->started) {
		pthread_mutex_unlock(&dev->lock);
		return 0;
	}
	for (unsigned int i = 0; i < dev->conf.nb_engines; i++) {
		struct sim_exec *x = dev->engine[i];
		atomic_store(&x->stop, false);
		/* Pinned from its first instruction; a CPU the process may not use
		 * costs the pinning, not the engine. */
		int rc = sva_thread_create_pinned(&x->thread, x->cpu, engine_main, x);
		if (rc == -EINVAL && x->cpu >= 0) {
			SVA_LOG(SIM, WARNING, "%s: cannot pin engine %u to CPU %d: %s", dev->name, i,
				x->cpu, strerror(-rc));
			rc = sva_thread_create_pinned(&x->thread, -1, engine_main, x);
		}
		if (rc) {
			SVA_LOG(SIM, ERR, "%s: cannot start engine %u: %s", dev->name, i, strerror(-rc));
			pthread_mutex_unlock(&dev->lock);
			sim_dsa_stop(dev);
			return rc;
		}
		x->running = true;
		char tname[32]; /* the kernel keeps 15 characters of it */
		snprintf(tname, sizeof(tname), "%.9s-e%u", dev->name, i % SIM_DSA_MAX_ENGINES);
		sva_thread_set_name(x->thread, tname);
	}
	__atomic_store_n(&dev->started, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

int sim_dsa_stop(struct sim_dsa *dev)
{
	pthread_mutex_lock(&dev->lock);
	for (unsigned int i = 0; i < dev->conf.nb_engines; i++) {
		struct sim_exec *x = dev->engine[i];
		if (!x || !x->running)
			continue;
		atomic_store_explicit(&x->stop, true, memory_order_release);
		sva_idle_kick_slow(&x->idle);
		pthread_mutex_unlock(&dev->lock);
		pthread_join(x->thread, NULL);
		pthread_mutex_lock(&dev->lock);
		x->running = false;
	}
	__atomic_store_n(&dev->started, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

struct sim_iommu *sim_dsa_iommu(struct sim_dsa *dev)
{
	return dev->mmu;
}

const struct sim_dsa_conf *sim_dsa_config(const struct sim_dsa *dev)
{
	return &dev->conf;
}

static bool engines_running(struct sim_dsa *dev)
{
	return dev->conf.nb_engines && __atomic_load_n(&dev->started, __ATOMIC_ACQUIRE);
}

struct sim_portal *sim_dsa_portal_open(struct sim_dsa *dev, unsigned int wq, uint32_t pasid)
{
	if (wq >= dev->conf.nb_wqs || !sim_iommu_pasid_allocated(dev->mmu, pasid)) {
		errno = EINVAL;
		return NULL;
	}
	struct sim_portal *p = aligned_alloc(SVA_CACHE_LINE, SVA_ALIGN_UP(sizeof(*p), SVA_CACHE_LINE));
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->dev = dev;
	p->wq = wq;
	p->pasid = pasid;
	pthread_mutex_lock(&dev->lock);
	if (!dev->conf.wq_shared && dev->wq[wq].portals) {
		pthread_mutex_unlock(&dev->lock);
		free(p);
		errno = EBUSY;
		return NULL;
	}
	if (!dev->conf.nb_engines) {
		if (dev->nb_inline == SVA_ARRAY_SIZE(dev->inline_execs) ||
		    !(p->x = sim_exec_create(dev, dev->nb_inline, true))) {
			pthread_mutex_unlock(&dev->lock);
			free(p);
			errno = ENOMEM;
			return NULL;
		}
		dev->inline_execs[dev->nb_inline++] = p->x;
	}
	dev->wq[wq].portals++;
	p->single_producer = !dev->conf.wq_shared;
	pthread_mutex_unlock(&dev->lock);
	return p;
}

uint32_t sim_portal_pasid(const struct sim_portal *p)
{
	return p->pasid;
}

uint32_t sim_portal_inflight(const struct sim_portal *p)
{
	struct sim_portal *w = (struct sim_portal *)p;
	return atomic_load_explicit(&w->submitted, memory_order_relaxed) -
	       atomic_load_explicit(&w->completed, memory_order_acquire);
}

/* Wake an engine if all of them may be asleep. The fence pairs with the one
 * an engine takes before it blocks (sva_idle_wait()); it is free where the
 * kernel has membarrier(), so the doorbell does not wait for the stores of
 * the descriptors it announces. */
static void kick_engines(struct sim_dsa *dev)
{
	if (!dev->conf.nb_engines)
		return;
	sva_fence_light(dev->engine[0]->idle.fence);
	for (unsigned int i = 0; i < dev->conf.nb_engines; i++) {
		struct sim_exec *x = dev->engine[i];
		if (atomic_load_explicit(&x->idle.sleeping, memory_order_relaxed)) {
			sva_idle_kick_slow(&x->idle);
			return; /* one is enough: it takes the work, the others stay asleep */
		}
	}
}

int sim_portal_submit(struct sim_portal *p, const void *desc)
{
	struct sim_dsa *dev = p->dev;
	struct sva_ring *ring = dev->wq[p->wq].ring;
	/* Counted before the engines can see it (the ring's release orders it):
	 * one writer, so a plain increment, no locked instruction. */
	uint32_t n = atomic_load_explicit(&p->submitted, memory_order_relaxed);
	atomic_store_explicit(&p->submitted, n + 1, memory_order_relaxed);
	int rc = 0;
	if (p->single_producer) {
		/* Written in place, with fixed-size copies: the descriptor was
		 * just stored and reading it back in other widths would wait for
		 * those stores (behind the ring's streamed ones) to land. */
		struct wq_entry *e = sva_ring_sp_reserve(ring);
		if (e) {
			memcpy(e->desc, desc, sizeof(e->desc));
			e->portal = p;
			sva_ring_sp_commit(ring);
		} else {
			rc = -ENOSPC;
		}
	} else {
		struct wq_entry e;
		memcpy(e.desc, desc, sizeof(e.desc));
		e.portal = p;
		rc = sva_ring_enqueue(ring, &e);
	}
	if (rc < 0) {
		atomic_store_explicit(&p->submitted, n, memory_order_relaxed);
		atomic_fetch_add_explicit(&dev->wq_full, 1, memory_order_relaxed);
		return -EAGAIN;
	}
	if (p->x)
		sim_portal_poll(p);
	else
		kick_engines(dev);
	return 0;
}

/* Run @x on the portal's work queue until it is empty or @x blocks; with
 * @fetch false, only finish the item @x holds. */
static void run_queued(struct sim_portal *p, struct sim_exec *x, bool fetch)
{
	for (;;) {
		if (!x->busy && (!fetch || !sim_exec_fetch(x, (int)p->wq)))
			break;
		if (sim_exec_run(x) == RUN_WAIT)
			break;
	}
	sim_exec_flush_done(x);
}

/* The portal's helper executor, created on first use and counted with the
 * inline executors. NULL when out of memory. */
static struct sim_exec *portal_helper(struct sim_portal *p)
{
	if (p->helper)
		return p->helper;
	struct sim_dsa *dev = p->dev;
	pthread_mutex_lock(&dev->lock);
	if (dev->nb_inline < SVA_ARRAY_SIZE(dev->inline_execs)) {
		p->helper = sim_exec_create(dev, dev->nb_inline, true);
		if (p->helper)
			dev->inline_execs[dev->nb_inline++] = p->helper;
	}
	pthread_mutex_unlock(&dev->lock);
	return p->helper;
}

void sim_portal_poll(struct sim_portal *p)
{
	if (p->x) {
		run_queued(p, p->x, true);
		return;
	}
	/* Engines: while they run they do the work, except an item a helper
	 * took while they were stopped, which the helper finishes. While they
	 * are stopped, work written before or since runs here. */
	if (engines_running(p->dev)) {
		if (p->helper && p->helper->busy)
			run_queued(p, p->helper, false);
		return;
	}
	struct sim_exec *x = portal_helper(p);
	if (x)
		run_queued(p, x, true);
}

/* Add the counters of @x to @st (the executor's own fields of it). */
static void exec_stats_add(struct sim_dsa_stats *st, const struct sim_exec *x)
{
	st->descs += sva_counter_read(&x->descs);
	st->batches += sva_counter_read(&x->batches);
	st->bytes += sva_counter_read(&x->bytes);
	st->errors += sva_counter_read(&x->errors);
	st->page_requests += sva_counter_read(&x->page_requests);
	st->partials += sva_counter_read(&x->partials);
	st->prs_timeouts += sva_counter_read(&x->prs_timeouts);
	st->stale += sva_counter_read(&x->stale);
}

void sim_portal_close(struct sim_portal *p)
{
	if (!p)
		return;
	struct sim_dsa *dev = p->dev;
	/* Everything written through the portal runs before it goes. */
	while (sim_portal_inflight(p)) {
		if (p->x || !engines_running(dev) || (p->helper && p->helper->busy))
			sim_portal_poll(p);
		else
			kick_engines(dev);
		sched_yield();
	}
	pthread_mutex_lock(&dev->lock);
	dev->wq[p->wq].portals--;
	struct sim_exec *gone[2] = {p->x, p->helper};
	for (unsigned int i = 0; i < 2; i++) {
		struct sim_exec *x = gone[i];
		if (!x)
			continue;
		for (unsigned int k = 0; k < dev->nb_inline; k++) {
			if (dev->inline_execs[k] == x) {
				dev->inline_execs[k] = dev->inline_execs[--dev->nb_inline];
				break;
			}
		}
		exec_stats_add(&dev->gone, x);
	}
	pthread_mutex_unlock(&dev->lock);
	sim_exec_free(p->x);
	sim_exec_free(p->helper);
	free(p);
}

int sim_dsa_swerr_read(struct sim_dsa *dev, struct sim_swerr *e)
{
	return sva_ring_dequeue_burst(dev->swerr, e, 1) == 1 ? 0 : -EAGAIN;
}

void sim_dsa_stats_get(struct sim_dsa *dev, struct sim_dsa_stats *st)
{
	pthread_mutex_lock(&dev->lock);
	*st = dev->gone;
	struct sim_exec *all[SIM_DSA_MAX_ENGINES + SVA_ARRAY_SIZE(dev->inline_execs)];
	unsigned int n = 0;
	for (unsigned int i = 0; i < dev->conf.nb_engines; i++)
		all[n++] = dev->engine[i];
	for (unsigned int i = 0; i < dev->nb_inline; i++)
		all[n++] = dev->inline_execs[i];
	for (unsigned int i = 0; i < n; i++)
		if (all[i])
			exec_stats_add(st, all[i]);
	pthread_mutex_unlock(&dev->lock);
	st->swerrs = atomic_load(&dev->swerr_count);
	st->wq_full = atomic_load(&dev->wq_full);
}

void sim_dsa_dump(struct sim_dsa *dev, FILE *f)
{
	struct sim_dsa_stats st;
	struct sim_iommu_stats ms;
	sim_dsa_stats_get(dev, &st);
	sim_iommu_stats_get(dev->mmu, &ms);
	const struct sim_dsa_conf *c = &dev->conf;
	fprintf(f, "  %s model: %u %s work queue(s) of %u, %u engine(s)%s, max transfer %u, "
		"max batch %u, page-response timeout %u ms\n",
		c->type == SIM_DEV_IAA ? "IAA" : "DSA", c->nb_wqs,
		c->wq_shared ? "shared" : "dedicated", c->wq_size, c->nb_engines,
		c->nb_engines ? "" : " (inline execution)", c->max_xfer, c->max_batch,
		c->prs_timeout_ms);
	fprintf(f, "  executed %llu ops in %llu batches, %llu bytes, %llu errors, %llu page "
		"requests, %llu partial completions, %llu timeouts, %llu stale, %llu swerr, "
		"%llu wq-full\n", (unsigned long long)st.descs, (unsigned long long)st.batches,
		(unsigned long long)st.bytes, (unsigned long long)st.errors,
		(unsigned long long)st.page_requests, (unsigned long long)st.partials,
		(unsigned long long)st.prs_timeouts, (unsigned long long)st.stale,
		(unsigned long long)st.swerrs, (unsigned long long)st.wq_full);
	fprintf(f, "  iommu: %u PASIDs, %llu walks (%llu entries), %llu invalidations, %llu page "
		"requests, %llu PRQ overflows, %llu injected\n", ms.pasids_in_use,
		(unsigned long long)ms.walks, (unsigned long long)ms.walk_pages,
		(unsigned long long)ms.invalidations, (unsigned long long)ms.page_requests,
		(unsigned long long)ms.prq_overflow, (unsigned long long)ms.injected);
}

void sim_dsa_destroy(struct sim_dsa *dev)
{
	if (!dev)
		return;
	sim_dsa_stop(dev);
	for (unsigned int i = 0; i < SIM_DSA_MAX_ENGINES; i++) {
		if (dev->engine[i]) {
			sva_idle_fini(&dev->engine[i]->idle);
			sim_exec_free(dev->engine[i]);
		}
	}
	for (unsigned int i = 0; i < SIM_DSA_MAX_WQS; i++)
		sva_ring_free(dev->wq[i].ring);
	sim_aecs_release_all(dev);
	sva_ring_free(dev->swerr);
	sim_iommu_destroy(dev->mmu);
	pthread_mutex_destroy(&dev->lock);
	pthread_mutex_destroy(&dev->aecs_lock);
	free(dev);
}
