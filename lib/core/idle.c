/* SPDX-License-Identifier: BSD-3-Clause */
/* Spin → yield → block backoff. */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sva_common.h"
#include "sva_cpu.h"
#include "sva_defaults.h"
#include "sva_idle.h"

int sva_idle_init(struct sva_idle *idle, uint32_t spins, uint32_t yields, uint32_t sleep_ms)
{
	atomic_init(&idle->sleeping, 0);
	idle->fence = sva_fence_mode_init();
	idle->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (idle->efd < 0)
		return -errno;
	idle->spins = spins ? spins : SVA_DEFAULT_IDLE_SPINS;
	idle->yields = yields ? yields : SVA_DEFAULT_IDLE_YIELDS;
	idle->sleep_ms = sleep_ms ? sleep_ms : SVA_DEFAULT_IDLE_SLEEP_MS;
	idle->idle_rounds = 0;
	sva_counter_set(&idle->sleeps, 0);
	sva_counter_set(&idle->kicks, 0);
	return 0;
}

void sva_idle_fini(struct sva_idle *idle)
{
	if (idle->efd >= 0)
		close(idle->efd);
	idle->efd = -1;
}

void sva_idle_kick_slow(struct sva_idle *idle)
{
	uint64_t one = 1;
	/* Counted by whoever kicks: relaxed add is racy between producers, so use
	 * a real atomic add here (this is the slow path). */
	atomic_fetch_add_explicit(&idle->kicks, 1, memory_order_relaxed);
	ssize_t rc = write(idle->efd, &one, sizeof(one));
	(void)rc; /* EAGAIN: counter saturated, the poller is awake anyway */
}

void sva_idle_wait(struct sva_idle *idle, bool (*has_work)(void *arg), void *arg,
		   const int *fds, unsigned int nfds)
{
	uint32_t r = idle->idle_rounds++;
	if (r < idle->spins) {
		for (int i = 0; i < 16; i++)
			sva_pause();
		return;
	}
	if (r < idle->spins + idle->yields) {
		sched_yield();
		return;
	}
	atomic_store_explicit(&idle->sleeping, 1, memory_order_relaxed);
	sva_fence_heavy(idle->fence); /* pairs with sva_idle_kick()'s sva_fence_light() */
	if (has_work && has_work(arg)) {
		atomic_store_explicit(&idle->sleeping, 0, memory_order_relaxed);
		idle->idle_rounds = 0;
		return;
	}
	/* Room for every descriptor a caller may pass: one left out would only
	 * wake the poller at the timeout. */
	struct pollfd pfd[1 + SVA_IDLE_MAX_FDS];
	unsigned int n = 0;
	pfd[n++] = (struct pollfd){.fd = idle->efd, .events = POLLIN};
	for (unsigned int i = 0; i < nfds && n < SVA_ARRAY_SIZE(pfd); i++)
		pfd[n++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
	sva_counter_add(&idle->sleeps, 1);
	int rc = poll(pfd, n, (int)idle->sleep_ms);
	atomic_store_explicit(&idle->sleeping, 0, memory_order_relaxed);
	if (rc > 0 && (pfd[0].revents & POLLIN)) {
		uint64_t v;
		ssize_t rd = read(idle->efd, &v, sizeof(v));
		(void)rd;
	}
	/* After a wake-up, spin again: work usually comes in bursts. After a
	 * timeout, stay in the blocking phase. */
	if (rc != 0)
		idle->idle_rounds = 0;
}
