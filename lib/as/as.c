/* SPDX-License-Identifier: BSD-3-Clause */
/* Address-space objects: lifetime, listeners, invalidation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as_priv.h"
#include "sva_log.h"

static struct sva_as *as_alloc(enum sva_as_type type, const char *name)
{
	struct sva_as *as = calloc(1, sizeof(*as));
	if (!as) {
		errno = ENOMEM;
		return NULL;
	}
	as->type = type;
	atomic_init(&as->refs, 1);
	snprintf(as->name, sizeof(as->name), "%s",
		 name ? name : type == SVA_AS_PROCESS ? "process" : "managed");
	pthread_mutex_init(&as->listener_lock, NULL);
	pthread_rwlock_init(&as->lock, NULL);
	as->maps_fd = -1;
	return as;
}

struct sva_as *sva_as_create_process(const char *name)
{
	struct sva_as *as = as_alloc(SVA_AS_PROCESS, name);
	if (!as)
		return NULL;
	int rc = as_process_init(as);
	if (rc < 0) {
		SVA_LOG(AS, ERR, "%s: cannot read /proc/self/maps: %s", as->name, strerror(-rc));
		sva_as_put(as);
		errno = -rc;
		return NULL;
	}
	return as;
}

struct sva_as *sva_as_create_managed(const struct sva_as_conf *conf)
{
	struct sva_as *as = as_alloc(SVA_AS_MANAGED, conf ? conf->name : NULL);
	if (!as)
		return NULL;
	if (conf) {
		as->resolve = conf->resolve;
		as->resolve_arg = conf->resolve_arg;
	}
	return as;
}

void sva_as_get(struct sva_as *as)
{
	atomic_fetch_add_explicit(&as->refs, 1, memory_order_relaxed);
}

void sva_as_put(struct sva_as *as)
{
	if (!as)
		return;
	if (atomic_fetch_sub_explicit(&as->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (as->listeners)
		SVA_LOG(AS, WARNING, "%s: freed with listeners still registered", as->name);
	if (as->type == SVA_AS_PROCESS)
		as_process_fini(as);
	as_table_free(&as->table);
	pthread_rwlock_destroy(&as->lock);
	pthread_mutex_destroy(&as->listener_lock);
	free(as);
}

enum sva_as_type sva_as_type(const struct sva_as *as)
{
	return as->type;
}

const char *sva_as_name(const struct sva_as *as)
{
	return as->name;
}

int sva_as_add_listener(struct sva_as *as, struct sva_as_listener *l)
{
	pthread_mutex_lock(&as->listener_lock);
	for (struct sva_as_listener *it = as->listeners; it; it = it->next) {
		if (it == l) {
			pthread_mutex_unlock(&as->listener_lock);
			return -EEXIST;
		}
	}
	l->next = as->listeners;
	as->listeners = l;
	pthread_mutex_unlock(&as->listener_lock);
	return 0;
}

int sva_as_del_listener(struct sva_as *as, struct sva_as_listener *l)
{
	int rc = -ENOENT;
	pthread_mutex_lock(&as->listener_lock);
	for (struct sva_as_listener **pp = &as->listeners; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			l->next = NULL;
			rc = 0;
			break;
		}
	}
	pthread_mutex_unlock(&as->listener_lock);
	return rc;
}

void as_notify(struct sva_as *as, uint64_t start, uint64_t end)
{
	pthread_mutex_lock(&as->listener_lock);
	for (struct sva_as_listener *l = as->listeners; l; l = l->next)
		l->invalidate(l, as, start, end);
	pthread_mutex_unlock(&as->listener_lock);
}

int sva_as_invalidate(struct sva_as *as, void *va, size_t len)
{
	uint64_t start = (uint64_t)(uintptr_t)va;
	if (len == 0 || start + len < start)
		return -EINVAL;
	uint64_t s = SVA_ALIGN_DOWN(start, (uint64_t)SVA_PAGE_SIZE);
	uint64_t e = SVA_ALIGN_UP(start + len, (uint64_t)SVA_PAGE_SIZE);
	if (as->type == SVA_AS_PROCESS)
		atomic_fetch_add_explicit(&as->gen, 1, memory_order_release);
	as_notify(as, s, e);
	return 0;
}

uint32_t sva_as_perm(struct sva_as *as, uint64_t addr, uint64_t *end, bool *shared)
{
	if (as->type == SVA_AS_PROCESS)
		return as_process_perm(as, addr, end, shared);
	uint32_t perm = 0;
	if (shared)
		*shared = false;
	pthread_rwlock_rdlock(&as->lock);
	int i = as_table_find(&as->table, addr);
	if (i >= 0) {
		perm = as->table.r[i].perm;
		if (end)
			*end = as->table.r[i].end;
	} else if (end) {
		unsigned int lo = as_table_lower(&as->table, addr);
		*end = lo < as->table.n ? as->table.r[lo].start : UINT64_MAX;
	}
	pthread_rwlock_unlock(&as->lock);
	return perm;
}
