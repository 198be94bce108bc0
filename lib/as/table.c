/* SPDX-License-Identifier: BSD-3-Clause */
/* Sorted, disjoint range tables (managed mappings, VMA snapshots). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as_priv.h"

unsigned int as_table_lower(const struct as_table *t, uint64_t addr)
{
	unsigned int lo = 0, hi = t->n;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		if (t->r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int as_table_find(const struct as_table *t, uint64_t addr)
{
	unsigned int i = as_table_lower(t, addr);
	return i < t->n && t->r[i].start <= addr ? (int)i : -1;
}

int as_table_insert(struct as_table *t, unsigned int at, const struct as_range *r)
{
	if (t->n == t->cap) {
		unsigned int cap = t->cap ? t->cap * 2 : 16;
		struct as_range *nr = realloc(t->r, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		t->r = nr;
		t->cap = cap;
	}
	memmove(&t->r[at + 1], &t->r[at], (t->n - at) * sizeof(*r));
	t->r[at] = *r;
	t->n++;
	return 0;
}

void as_table_remove(struct as_table *t, unsigned int at, unsigned int count)
{
	memmove(&t->r[at], &t->r[at + count], (t->n - at - count) * sizeof(t->r[0]));
	t->n -= count;
}

void as_table_free(struct as_table *t)
{
	free(t->r);
	memset(t, 0, sizeof(*t));
}
