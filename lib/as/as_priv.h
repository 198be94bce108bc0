/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal layout of an address space, shared by the files of lib/as. */
#ifndef SVA_AS_PRIV_H
#define SVA_AS_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include "as_table.h"
#include "sva_as.h"

struct sva_as {
	enum sva_as_type type;
	_Atomic int refs;
	char name[32];
	pthread_mutex_t listener_lock;
	struct sva_as_listener *listeners;
	pthread_rwlock_t lock; /* protects table (and, process: gen/snapshot) */
	struct as_table table; /* managed: mappings; process: VMA snapshot */
	/* managed */
	sva_as_resolve_fn resolve;
	void *resolve_arg;
	/* process: the snapshot is stale when gen != snap_gen */
	_Atomic uint64_t gen;
	uint64_t snap_gen;
	int maps_fd;
};

/* process VMA snapshot */
int as_process_init(struct sva_as *as);
void as_process_fini(struct sva_as *as);
uint32_t as_process_perm(struct sva_as *as, uint64_t addr, uint64_t *end, bool *shared);

/* notify listeners */
void as_notify(struct sva_as *as, uint64_t start, uint64_t end);

#endif
