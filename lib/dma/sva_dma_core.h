/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The fast-path object of a DMA queue. Applications use the inline functions
 * of sva_dma.h; drivers fill the function slots. The slots are never NULL:
 * operations a device lacks answer -ENOTSUP, and while the device is stopped
 * the enqueue and doorbell slots answer -EIO (burst capacity 0) while the
 * completion slots stay the driver's, so operations in flight can still be
 * reaped.
 */
#ifndef SVA_DMA_CORE_H
#define SVA_DMA_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "sva_common.h"

struct sva_dev;
struct sva_as;
struct sva_result;
enum sva_status;

/*
 * Driver slots. Each one implements the sva_dma.h inline function of the
 * same name: drvq is sva_queue_fp.drvq, the other arguments and the return
 * value are those of that function. Slots run on the fast path, in the one
 * thread that uses the queue at a time: no lock, no system call, no
 * allocation.
 */

/** Slot of sva_copy(): enqueue a copy. @return ring index, -ENOSPC, -EIO. */
typedef int (*sva_copy_fn)(void *drvq, void *dst, const void *src, uint32_t len, uint64_t flags);
/** Slot of sva_fill(): enqueue a fill with an 8-byte pattern. @return as sva_copy_fn. */
typedef int (*sva_fill_fn)(void *drvq, void *dst, uint64_t pattern, uint32_t len, uint64_t flags);
/** Slot of sva_compare(): enqueue a compare of two buffers. @return as sva_copy_fn. */
typedef int (*sva_compare_fn)(void *drvq, const void *a, const void *b, uint32_t len,
			      struct sva_result *res, uint64_t flags);
/** Slot of sva_compare_pattern(): enqueue a compare with a pattern. @return as sva_copy_fn. */
typedef int (*sva_compare_pattern_fn)(void *drvq, const void *src, uint64_t pattern, uint32_t len,
				      struct sva_result *res, uint64_t flags);
/** Slot of sva_crc32c(): enqueue a CRC-32C. @return as sva_copy_fn. */
typedef int (*sva_crc32c_fn)(void *drvq, const void *src, uint32_t len, uint32_t seed,
			     struct sva_result *res, uint64_t flags);
/** Slot of sva_copy_crc32c(): enqueue a copy with CRC-32C. @return as sva_copy_fn. */
typedef int (*sva_copy_crc32c_fn)(void *drvq, void *dst, const void *src, uint32_t len,
				  uint32_t seed, struct sva_result *res, uint64_t flags);
/** Slot of sva_dualcast(): enqueue a copy to two destinations. @return as sva_copy_fn. */
typedef int (*sva_dualcast_fn)(void *drvq, void *dst1, void *dst2, const void *src, uint32_t len,
			       uint64_t flags);
/** Slot of sva_cache_flush(): enqueue a cache flush. @return as sva_copy_fn. */
typedef int (*sva_cache_flush_fn)(void *drvq, void *addr, uint32_t len, uint64_t flags);
/** Slot of sva_compress(): enqueue a raw deflate. @return as sva_copy_fn, or -ENOTSUP. */
typedef int (*sva_compress_fn)(void *drvq, void *dst, uint32_t dst_cap, const void *src,
			       uint32_t len, uint32_t cflags, struct sva_result *res, uint64_t flags);
/** Slot of sva_decompress(): enqueue a raw inflate. @return as sva_copy_fn, or -ENOTSUP. */
typedef int (*sva_decompress_fn)(void *drvq, void *dst, uint32_t dst_cap, const void *src,
				 uint32_t len, uint32_t cflags, void *state, struct sva_result *res,
				 uint64_t flags);
/** Slot of sva_crc64(): enqueue a CRC-64. @return as sva_copy_fn, or -ENOTSUP. */
typedef int (*sva_crc64_fn)(void *drvq, const void *src, uint32_t len, uint64_t poly,
			    uint32_t crc_flags, struct sva_result *res, uint64_t flags);
/** Slot of sva_submit(): ring the doorbell. @return 0 or -EIO. */
typedef int (*sva_submit_fn)(void *drvq);
/**
 * Slot of sva_completed(): reap successful completions in order, stopping at
 * the first failed one. Sets *has_error (when not NULL) every call, *last_idx
 * (when not NULL) only when it reaps something. @return the number reaped.
 */
typedef uint16_t (*sva_completed_fn)(void *drvq, uint16_t nb_cpls, uint16_t *last_idx,
				     bool *has_error);
/**
 * Slot of sva_completed_status(): reap completions with one status each.
 * @return the number reaped.
 */
typedef uint16_t (*sva_completed_status_fn)(void *drvq, uint16_t nb_cpls, uint16_t *last_idx,
					    enum sva_status *status);
/** Slot of sva_burst_capacity(): operations that can be enqueued now. */
typedef uint16_t (*sva_burst_capacity_fn)(const void *drvq);

/** Function slots of a queue, read on every fast-path call. */
struct sva_queue_fp {
	void *drvq; /**< driver's queue, first argument of every slot */
	sva_copy_fn copy;                         /**< sva_copy() */
	sva_fill_fn fill;                         /**< sva_fill() */
	sva_compare_fn compare;                   /**< sva_compare() */
	sva_compare_pattern_fn compare_pattern;   /**< sva_compare_pattern() */
	sva_crc32c_fn crc32c;                     /**< sva_crc32c() */
	sva_copy_crc32c_fn copy_crc32c;           /**< sva_copy_crc32c() */
	sva_dualcast_fn dualcast;                 /**< sva_dualcast() */
	sva_cache_flush_fn cache_flush;           /**< sva_cache_flush() */
	sva_compress_fn compress;                 /**< sva_compress() */
	sva_decompress_fn decompress;             /**< sva_decompress() */
	sva_crc64_fn crc64;                       /**< sva_crc64() */
	sva_submit_fn submit;                     /**< sva_submit() */
	sva_completed_fn completed;               /**< sva_completed() */
	sva_completed_status_fn completed_status; /**< sva_completed_status() */
	sva_burst_capacity_fn burst_capacity;     /**< sva_burst_capacity() */
};

/** A DMA queue: fast-path slots first (two cache lines), then control state. */
struct sva_queue {
	/** The slots the fast path calls: a copy of @ref live while the device is
	 *  started; while it is stopped, enqueue and submit slots answer -EIO and
	 *  the completion slots stay the driver's. */
	struct sva_queue_fp fp;
	/* --- control path --- */
	struct sva_dev *dev sva_cache_aligned; /**< the device the queue belongs to */
	struct sva_as *as;       /**< bound address space (a reference) */
	struct sva_queue_fp live; /**< the driver's slots, restored on device start */
	void *drv_priv;          /**< the driver's control-path state of this queue */
	uint32_t pasid;          /**< PASID of this queue's address-space binding */
	uint16_t id;             /**< index within the device */
	uint16_t nb_desc;        /**< ring size (power of two) */
	uint8_t fault_mode;      /**< enum sva_fault_mode */
	uint8_t priority;        /**< 0 (lowest) .. 15, from sva_queue_conf.priority */
} sva_cache_aligned;

#endif
