/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Latency histogram: log-linear buckets (16 per power of two, so a reported
 * percentile is within about 6% of the true value), one writer, any readers.
 */
#ifndef SVA_HIST_H
#define SVA_HIST_H

#include <stdint.h>

#include "sva_atomic.h"

/** log2 of the number of buckets per power of two (16). */
#define SVA_HIST_SUB_BITS 4
/**
 * Number of buckets: one per value for 0..15, then 16 for each power of two
 * from 2^4 to 2^47; larger values (over about 39 hours in nanoseconds) go to
 * the last bucket.
 */
#define SVA_HIST_BUCKETS (16 + 44 * 16)

/**
 * A histogram of non-negative values (usually nanoseconds). Initialise it
 * with sva_hist_reset(): in an all-zero one, min stays 0 whatever is added.
 * Read it through the functions below.
 */
struct sva_hist {
	sva_counter_t count;                    /**< number of samples */
	sva_counter_t sum;                      /**< sum of the samples (wraps on overflow) */
	sva_counter_t min;                      /**< smallest sample; UINT64_MAX when empty after reset */
	sva_counter_t max;                      /**< largest sample; 0 when empty */
	sva_counter_t bucket[SVA_HIST_BUCKETS]; /**< samples per bucket (see sva_hist_bucket_of()) */
};

/** Empty the histogram. Not concurrent with sva_hist_add(). */
void sva_hist_reset(struct sva_hist *h);

/** Record one value (owner thread only). */
void sva_hist_add(struct sva_hist *h, uint64_t value);

/** Add every sample of @p src to @p dst (dst owner thread only). */
void sva_hist_merge(struct sva_hist *dst, const struct sva_hist *src);

/** Value at percentile @p pct (0..100), 0 if empty. */
uint64_t sva_hist_percentile(const struct sva_hist *h, double pct);

/** Number of samples. */
uint64_t sva_hist_count(const struct sva_hist *h);

/** Mean of the samples, 0 if empty. */
double sva_hist_mean(const struct sva_hist *h);

/** Smallest sample, 0 if empty. */
uint64_t sva_hist_min(const struct sva_hist *h);

/** Largest sample, 0 if empty. */
uint64_t sva_hist_max(const struct sva_hist *h);

/** Index of the bucket a value falls into (exposed for tests). */
unsigned int sva_hist_bucket_of(uint64_t value);

/** Smallest value that falls into bucket @p idx. */
uint64_t sva_hist_bucket_low(unsigned int idx);

#endif
