/* SPDX-License-Identifier: BSD-3-Clause */
/* Sorted, disjoint range tables: lib/as (managed mappings, VMA snapshots) and
 * drivers/iommu (what an IOAS has mapped). Internal: not installed. */
#ifndef SVA_AS_TABLE_H
#define SVA_AS_TABLE_H

#include <stdbool.h>
#include <stdint.h>

/* One range: a mapping of a managed space, or one VMA of the process. */
struct as_range {
	uint64_t start;
	uint64_t end;
	uint32_t perm;
	bool shared;
};

struct as_table {
	struct as_range *r;
	unsigned int n;
	unsigned int cap;
};

/* Index of the range holding @addr, or -1; @table sorted and disjoint. */
int as_table_find(const struct as_table *t, uint64_t addr);
/* Index of the first range with end > @addr (n if none). */
unsigned int as_table_lower(const struct as_table *t, uint64_t addr);
/* Insert @r at index @at (the caller keeps the table sorted). @return 0 or -ENOMEM. */
int as_table_insert(struct as_table *t, unsigned int at, const struct as_range *r);
void as_table_remove(struct as_table *t, unsigned int at, unsigned int count);
void as_table_free(struct as_table *t);

#endif
