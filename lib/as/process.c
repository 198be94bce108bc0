/* SPDX-License-Identifier: BSD-3-Clause */
/* The process address space: a snapshot of /proc/self/maps, refreshed when an
 * address is not in it or after sva_as_invalidate(). Translation models use it
 * only to learn whether a present page's mapping is writable and shared;
 * presence itself always comes from the page tables (/proc/self/pagemap). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "as_priv.h"

int as_process_init(struct sva_as *as)
{
	as->maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (as->maps_fd < 0)
		return -errno;
	atomic_init(&as->gen, 1);
	as->snap_gen = 0; /* stale: first lookup reads the file */
	return 0;
}

void as_process_fini(struct sva_as *as)
{
	if (as->maps_fd >= 0)
		close(as->maps_fd);
	as->maps_fd = -1;
}

/* Re-read /proc/self/maps into the table. Caller holds the write lock. */
static int refresh(struct sva_as *as)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	uint64_t gen = atomic_load_explicit(&as->gen, memory_order_acquire);
	if (lseek(as->maps_fd, 0, SEEK_SET) < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		if (len + 4096 > cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(as->maps_fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	as->table.n = 0;
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		unsigned long long s, e;
		char perms[8];
		if (sscanf(line, "%llx-%llx %7s", &s, &e, perms) == 3) {
			struct as_range r = {
				.start = s,
				.end = e,
				.perm = (perms[0] == 'r' ? SVA_PERM_READ : 0u) |
					(perms[1] == 'w' ? SVA_PERM_WRITE : 0u),
				.shared = perms[3] == 's',
			};
			/* /proc lists VMAs in address order; keep the table sorted. */
			if (as_table_insert(&as->table, as->table.n, &r) < 0) {
				free(buf);
				return -ENOMEM;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	free(buf);
	as->snap_gen = gen;
	return 0;
}

uint32_t as_process_perm(struct sva_as *as, uint64_t addr, uint64_t *end, bool *shared)
{
	for (int pass = 0; pass < 2; pass++) {
		pthread_rwlock_rdlock(&as->lock);
		bool fresh = as->snap_gen == atomic_load_explicit(&as->gen, memory_order_acquire);
		int i = fresh ? as_table_find(&as->table, addr) : -1;
		if (i >= 0) {
			uint32_t perm = as->table.r[i].perm;
			if (end)
				*end = as->table.r[i].end;
			if (shared)
				*shared = as->table.r[i].shared;
			pthread_rwlock_unlock(&as->lock);
			return perm;
		}
		pthread_rwlock_unlock(&as->lock);
		if (pass == 1)
			break;
		/* Not in the snapshot (or stale): the process may have mapped it
		 * since. Re-read once. */
		pthread_rwlock_wrlock(&as->lock);
		refresh(as);
		pthread_rwlock_unlock(&as->lock);
	}
	if (shared)
		*shared = false;
	if (end) {
		pthread_rwlock_rdlock(&as->lock);
		unsigned int lo = as_table_lower(&as->table, addr);
		*end = lo < as->table.n ? as->table.r[lo].start : UINT64_MAX;
		pthread_rwlock_unlock(&as->lock);
	}
	return 0;
}
