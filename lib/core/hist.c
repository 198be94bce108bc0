/* SPDX-License-Identifier: BSD-3-Clause */
/* Log-linear latency histogram. */
#include <string.h>

#include "sva_hist.h"

unsigned int sva_hist_bucket_of(uint64_t v)
{
	if (v < 16)
		return (unsigned int)v;
	unsigned int e = 63u - (unsigned int)__builtin_clzll(v);
	if (e > 47) /* beyond ~39 hours in ns: clamp into the last bucket */
		return SVA_HIST_BUCKETS - 1;
	unsigned int sub = (unsigned int)(v >> (e - SVA_HIST_SUB_BITS)) & 15u;
	return 16u + (e - 4u) * 16u + sub;
}

uint64_t sva_hist_bucket_low(unsigned int idx)
{
	if (idx < 16)
		return idx;
	unsigned int e = (idx - 16u) / 16u + 4u, sub = (idx - 16u) % 16u;
	return (16ull + sub) << (e - SVA_HIST_SUB_BITS);
}

void sva_hist_reset(struct sva_hist *h)
{
	sva_counter_set(&h->count, 0);
	sva_counter_set(&h->sum, 0);
	sva_counter_set(&h->min, UINT64_MAX);
	sva_counter_set(&h->max, 0);
	for (unsigned int i = 0; i < SVA_HIST_BUCKETS; i++)
		sva_counter_set(&h->bucket[i], 0);
}

void sva_hist_add(struct sva_hist *h, uint64_t v)
{
	sva_counter_add(&h->bucket[sva_hist_bucket_of(v)], 1);
	sva_counter_add(&h->count, 1);
	sva_counter_add(&h->sum, v);
	if (v < sva_counter_read(&h->min))
		sva_counter_set(&h->min, v);
	if (v > sva_counter_read(&h->max))
		sva_counter_set(&h->max, v);
}

void sva_hist_merge(struct sva_hist *dst, const struct sva_hist *src)
{
	for (unsigned int i = 0; i < SVA_HIST_BUCKETS; i++)
		sva_counter_add(&dst->bucket[i], sva_counter_read(&src->bucket[i]));
	sva_counter_add(&dst->count, sva_counter_read(&src->count));
	sva_counter_add(&dst->sum, sva_counter_read(&src->sum));
	if (sva_counter_read(&src->count)) {
		if (sva_counter_read(&src->min) < sva_counter_read(&dst->min))
			sva_counter_set(&dst->min, sva_counter_read(&src->min));
		if (sva_counter_read(&src->max) > sva_counter_read(&dst->max))
			sva_counter_set(&dst->max, sva_counter_read(&src->max));
	}
}

uint64_t sva_hist_count(const struct sva_hist *h)
{
	return sva_counter_read(&h->count);
}

double sva_hist_mean(const struct sva_hist *h)
{
	uint64_t n = sva_counter_read(&h->count);
	return n ? (double)sva_counter_read(&h->sum) / (double)n : 0.0;
}

uint64_t sva_hist_min(const struct sva_hist *h)
{
	return sva_counter_read(&h->count) ? sva_counter_read(&h->min) : 0;
}

uint64_t sva_hist_max(const struct sva_hist *h)
{
	return sva_counter_read(&h->max);
}

uint64_t sva_hist_percentile(const struct sva_hist *h, double pct)
{
	uint64_t total = 0;
	for (unsigned int i = 0; i < SVA_HIST_BUCKETS; i++)
		total += sva_counter_read(&h->bucket[i]);
	if (total == 0)
		return 0;
	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	uint64_t rank = (uint64_t)((pct / 100.0) * (double)total + 0.5);
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned int i = 0; i < SVA_HIST_BUCKETS; i++) {
		seen += sva_counter_read(&h->bucket[i]);
		if (seen >= rank) {
			/* Report the bucket's midpoint, clamped to the observed range. */
			uint64_t lo = sva_hist_bucket_low(i);
			uint64_t hi = i + 1 < SVA_HIST_BUCKETS ? sva_hist_bucket_low(i + 1) : lo;
			uint64_t v = lo + (hi - lo) / 2;
			uint64_t mx = sva_counter_read(&h->max), mn = sva_counter_read(&h->min);
			if (v > mx)
				v = mx;
			if (v < mn)
				v = mn;
			return v;
		}
	}
	return sva_counter_read(&h->max);
}
