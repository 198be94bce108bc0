/* SPDX-License-Identifier: BSD-3-Clause */
/* Fast-path stubs: a stopped device's slots (-EIO) and operations a device
 * does not support (-ENOTSUP). Slots are never NULL. */
#include <errno.h>

#include "sva_dma_driver.h"

#define STUB_SET(prefix, rc)                                                                    \
	static int prefix##_copy(void *q, void *d, const void *s, uint32_t l, uint64_t f)       \
	{ (void)q; (void)d; (void)s; (void)l; (void)f; return rc; }                             \
	static int prefix##_fill(void *q, void *d, uint64_t p, uint32_t l, uint64_t f)          \
	{ (void)q; (void)d; (void)p; (void)l; (void)f; return rc; }                             \
	static int prefix##_compare(void *q, const void *a, const void *b, uint32_t l,          \
				    struct sva_result *r, uint64_t f)                           \
	{ (void)q; (void)a; (void)b; (void)l; (void)r; (void)f; return rc; }                    \
	static int prefix##_compare_pattern(void *q, const void *s, uint64_t p, uint32_t l,     \
					    struct sva_result *r, uint64_t f)                   \
	{ (void)q; (void)s; (void)p; (void)l; (void)r; (void)f; return rc; }                    \
	static int prefix##_crc32c(void *q, const void *s, uint32_t l, uint32_t seed,           \
				   struct sva_result *r, uint64_t f)                            \
	{ (void)q; (void)s; (void)l; (void)seed; (void)r; (void)f; return rc; }                 \
	static int prefix##_copy_crc32c(void *q, void *d, const void *s, uint32_t l,            \
					uint32_t seed, struct sva_result *r, uint64_t f)        \
	{ (void)q; (void)d; (void)s; (void)l; (void)seed; (void)r; (void)f; return rc; }        \
	static int prefix##_dualcast(void *q, void *d1, void *d2, const void *s, uint32_t l,    \
				     uint64_t f)                                                \
	{ (void)q; (void)d1; (void)d2; (void)s; (void)l; (void)f; return rc; }                  \
	static int prefix##_cache_flush(void *q, void *a, uint32_t l, uint64_t f)               \
	{ (void)q; (void)a; (void)l; (void)f; return rc; }                                      \
	static int prefix##_compress(void *q, void *d, uint32_t c, const void *s, uint32_t l,   \
				     uint32_t cf, struct sva_result *r, uint64_t f)             \
	{ (void)q; (void)d; (void)c; (void)s; (void)l; (void)cf; (void)r; (void)f; return rc; } \
	static int prefix##_decompress(void *q, void *d, uint32_t c, const void *s, uint32_t l, \
				       uint32_t cf, void *st, struct sva_result *r, uint64_t f) \
	{ (void)q; (void)d; (void)c; (void)s; (void)l; (void)cf; (void)st; (void)r; (void)f;    \
	  return rc; }                                                                          \
	static int prefix##_crc64(void *q, const void *s, uint32_t l, uint64_t p, uint32_t cf,  \
				  struct sva_result *r, uint64_t f)                             \
	{ (void)q; (void)s; (void)l; (void)p; (void)cf; (void)r; (void)f; return rc; }

STUB_SET(stopped, -EIO)
STUB_SET(unsup, -ENOTSUP)

static int stopped_submit(void *q)
{
	(void)q;
	return -EIO;
}

static uint16_t stopped_completed(void *q, uint16_t n, uint16_t *last, bool *err)
{
	(void)q;
	(void)n;
	(void)last;
	if (err)
		*err = false;
	return 0;
}

static uint16_t stopped_completed_status(void *q, uint16_t n, uint16_t *last, enum sva_status *st)
{
	(void)q;
	(void)n;
	(void)last;
	(void)st;
	return 0;
}

static uint16_t stopped_capacity(const void *q)
{
	(void)q;
	return 0;
}

void sva_queue_fp_stopped(struct sva_queue_fp *out, const struct sva_queue_fp *live)
{
	*out = (struct sva_queue_fp){
		.drvq = live->drvq,
		.copy = stopped_copy,
		.fill = stopped_fill,
		.compare = stopped_compare,
		.compare_pattern = stopped_compare_pattern,
		.crc32c = stopped_crc32c,
		.copy_crc32c = stopped_copy_crc32c,
		.dualcast = stopped_dualcast,
		.cache_flush = stopped_cache_flush,
		.compress = stopped_compress,
		.decompress = stopped_decompress,
		.crc64 = stopped_crc64,
		.submit = stopped_submit,
		.completed = live->completed,
		.completed_status = live->completed_status,
		.burst_capacity = stopped_capacity,
	};
}

void sva_queue_fp_fill_unsupported(struct sva_queue_fp *fp)
{
#define FILL(slot) if (!fp->slot) fp->slot = unsup_##slot
	FILL(copy);
	FILL(fill);
	FILL(compare);
	FILL(compare_pattern);
	FILL(crc32c);
	FILL(copy_crc32c);
	FILL(dualcast);
	FILL(cache_flush);
	FILL(compress);
	FILL(decompress);
	FILL(crc64);
#undef FILL
	if (!fp->submit)
		fp->submit = stopped_submit;
	if (!fp->completed)
		fp->completed = stopped_completed;
	if (!fp->completed_status)
		fp->completed_status = stopped_completed_status;
	if (!fp->burst_capacity)
		fp->burst_capacity = stopped_capacity;
}
