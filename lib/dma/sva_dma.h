/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * DMA devices and queues, made for shared virtual addressing.
 *
 * A device is opened by name with device arguments ("dsa_sim0,wqs=4,engines=2";
 * see doc/guides/devices.md). Each queue gets its own PASID, bound for the
 * queue's whole life to an address space: this process's (the default: pass
 * plain pointers, no pinning, no registration) or a managed one.
 *
 * The fast path (sva_copy() ... sva_completed()) follows rte_dmadev: enqueue
 * operations (each returns its 16-bit ring index, or -ENOSPC when the ring is
 * full), ring the doorbell once per burst with sva_submit() (or the
 * SVA_OP_FLAG_SUBMIT flag), poll completions in order. It takes no lock,
 * makes no system call and allocates nothing; use a queue from one thread
 * at a time.
 *
 * Page faults: when the device touches a page that is not present, the IO
 * page-fault handler attached to the device (sva_dev_attach_iopf()) resolves
 * it. In SVA_FAULT_BLOCK mode the device waits for the answer; in
 * SVA_FAULT_PARTIAL mode the device stops at the fault and the library hands
 * the fault to the handler and resubmits the remainder. Either way the
 * application sees one completion per operation, in order. A fault that
 * cannot be resolved completes the operation with SVA_STATUS_PAGE_FAULT.
 *
 * Control-path calls validate their arguments and return -errno, logging the
 * reason (log type "dma").
 */
#ifndef SVA_DMA_H
#define SVA_DMA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sva_dma_core.h"

struct sva_dev;
struct sva_iopf;
struct sva_as;

/** Operations. */
enum sva_op {
	SVA_OP_COPY,            /**< memory copy (overlap allowed) */
	SVA_OP_FILL,            /**< fill with an 8-byte pattern */
	SVA_OP_COMPARE,         /**< compare two buffers */
	SVA_OP_COMPARE_PATTERN, /**< compare a buffer with an 8-byte pattern */
	SVA_OP_CRC32C,          /**< CRC-32C of a buffer */
	SVA_OP_COPY_CRC32C,     /**< copy and CRC-32C */
	SVA_OP_DUALCAST,        /**< copy to two destinations */
	SVA_OP_CACHE_FLUSH,     /**< write back and evict CPU caches for a range */
	SVA_OP_COMPRESS,        /**< raw deflate (IAA) */
	SVA_OP_DECOMPRESS,      /**< raw inflate (IAA) */
	SVA_OP_CRC64,           /**< CRC-64 with any polynomial (IAA) */
	SVA_OP_MAX
};

/** Name of an operation ("copy"), or NULL. */
const char *sva_op_name(enum sva_op op);

/** Operation by name; -EINVAL if unknown. */
int sva_op_from_name(const char *name);

/** Capability bits of sva_dev_info.capa (besides one bit per enum sva_op). */
#define SVA_CAPA_OP(op) (1ull << (op))
#define SVA_CAPA_SVA (1ull << 32)            /**< queues on the process address space */
#define SVA_CAPA_MANAGED_AS (1ull << 33)     /**< queues on managed address spaces */
#define SVA_CAPA_BLOCK_ON_FAULT (1ull << 34) /**< SVA_FAULT_BLOCK */
#define SVA_CAPA_PARTIAL (1ull << 35)        /**< SVA_FAULT_PARTIAL */

/** Device information. */
struct sva_dev_info {
	const char *name;       /**< device name */
	const char *driver;     /**< driver name */
	uint64_t capa;          /**< SVA_CAPA_* */
	uint16_t max_queues;    /**< queues the device can have at once */
	uint16_t nb_queues;     /**< queues created now */
	uint16_t min_desc;      /**< smallest ring size */
	uint16_t max_desc;      /**< largest ring size (power of two) */
	uint32_t max_xfer;      /**< largest transfer of one operation, bytes */
	uint16_t max_batch;     /**< operations per doorbell the device takes at once */
	int16_t numa_node;      /**< device's node, -1 unknown */
	uint8_t pasid_bits;     /**< PASID width */
};

/** How a queue's device handles a page that is not present. */
enum sva_fault_mode {
	SVA_FAULT_BLOCK = 0,   /**< the device waits for the page response (block on fault) */
	SVA_FAULT_PARTIAL = 1, /**< the device stops; the library faults in and resubmits */
};

/** Queue configuration. */
struct sva_queue_conf {
	uint16_t nb_desc;        /**< ring size, power of two (0: default 1024) */
	struct sva_as *as;       /**< address space; NULL: the device's process address space */
	/** SVA_FAULT_BLOCK (0, the default) or SVA_FAULT_PARTIAL; a mode the device
	 *  lacks (SVA_CAPA_BLOCK_ON_FAULT, SVA_CAPA_PARTIAL) fails with ENOTSUP. */
	enum sva_fault_mode fault_mode;
	uint8_t priority;        /**< 0 (lowest) .. 15, where the device supports it */
};

/** Completion status of one operation. */
enum sva_status {
	SVA_STATUS_SUCCESS = 0,
	SVA_STATUS_PAGE_FAULT,         /**< a page could not be made present (bad address, no permission) */
	SVA_STATUS_FAULT_TIMEOUT,      /**< no page response in time (handler stopped or absent) */
	SVA_STATUS_TRANSLATION_FAULT,  /**< the PASID reaches nothing there / translation failed */
	SVA_STATUS_INVALID_OPCODE,
	SVA_STATUS_INVALID_FLAGS,
	SVA_STATUS_INVALID_LENGTH,     /**< zero or over the device maximum */
	SVA_STATUS_INVALID_ADDR,       /**< misaligned or overlapping buffers */
	SVA_STATUS_OUTBUF_OVERFLOW,    /**< output does not fit (compress/decompress) */
	SVA_STATUS_DATA_ERROR,         /**< corrupt or truncated input (decompress) */
	SVA_STATUS_NOT_ATTEMPTED,      /**< skipped after an earlier failure (fence) */
	SVA_STATUS_DEVICE_ERROR,       /**< the device reported a hardware error */
	SVA_STATUS_UNKNOWN,
};

/** Text for a status ("page fault"). */
const char *sva_status_str(enum sva_status st);

/** Result of an operation that produces a value; filled in at completion. */
struct sva_result {
	uint64_t value;    /**< CRC / compare result (0 equal, 1 different) / CRC-32 of plain data (compress, decompress) */
	uint32_t bytes;    /**< compare: offset of the first difference (len if equal); compress/decompress: output bytes */
	uint32_t consumed; /**< decompress: input bytes consumed */
	uint8_t status;    /**< enum sva_status of the operation */
	uint8_t flags;     /**< SVA_RESULT_F_* */
};

/** sva_result.flags: decompression reached the end of the stream (its final block). */
#define SVA_RESULT_F_END (1u << 0)

/** Fast-path flags. */
#define SVA_OP_FLAG_SUBMIT (1ull << 0) /**< ring the doorbell after enqueueing */
/**
 * Start only after all earlier operations of the burst (those enqueued since
 * the previous doorbell) have completed; if one of them failed, this one and
 * the rest of the burst complete with SVA_STATUS_NOT_ATTEMPTED. Holds however
 * the burst is split into device descriptors (max_batch, ring end).
 */
#define SVA_OP_FLAG_FENCE (1ull << 1)

/** Compress/decompress flags (cflags). */
#define SVA_COMP_F_LAST (1u << 0)  /**< compress: end the stream here; decompress: the stream must end in this input */
#define SVA_COMP_F_FIRST (1u << 1) /**< decompress: start a new stream (reset @p state) */
/** Size of the decompression state buffer (IAA AECS), 64-byte aligned memory. */
#define SVA_DECOMP_STATE_SIZE 1536u

/** CRC-64 flags. */
#define SVA_CRC64_F_REFLECT (1u << 0) /**< LSB-first (reflected) */
#define SVA_CRC64_F_INVERT (1u << 1)  /**< initial value and final XOR all ones */
/** Default CRC-64 polynomial (ECMA-182) when 0 is passed. */
#define SVA_CRC64_POLY_ECMA 0x42F0E1EBA9EA3693ull

/** Queue statistics. */
struct sva_queue_stats {
	uint64_t submitted;  /**< operations handed to the device */
	uint64_t completed;  /**< operations completed (any status) */
	uint64_t errors;     /**< completed with a status other than success */
	uint64_t faults;     /**< page faults seen (partial completions handled) */
	uint64_t resubmits;  /**< remainders resubmitted after a fault */
	uint64_t bytes;      /**< bytes of source data of completed operations */
	uint64_t doorbells;  /**< doorbell writes */
};

/* --- devices ----------------------------------------------------------------- */

/**
 * Open a device. @p name may carry arguments ("dsa_sim0,wqs=2"); @p args
 * adds more ("engines=2"), or is NULL. The device is started.
 * @return the device, or NULL with errno: ENODEV (no driver for the name),
 *         EINVAL (bad arguments: the reason is logged), ENOMEM, ...
 */
struct sva_dev *sva_dev_open(const char *name, const char *args);

/** Stop, destroy every queue (draining it) and free. @return 0 or -EINVAL. */
int sva_dev_close(struct sva_dev *dev);

/** Fill @p info. @return 0 or -EINVAL. */
int sva_dev_info_get(const struct sva_dev *dev, struct sva_dev_info *info);

/** Start a stopped device (queues get their fast-path slots back). @return 0 or -errno. */
int sva_dev_start(struct sva_dev *dev);

/**
 * Stop: operations in flight finish, enqueue calls return -EIO until
 * sva_dev_start(). @return 0 or -errno.
 */
int sva_dev_stop(struct sva_dev *dev);

/** Device name. */
const char *sva_dev_name(const struct sva_dev *dev);

/**
 * Attach an IO page-fault handler: the device's fault sources register with
 * it. One handler per device; a handler may serve several devices. The
 * handler may be destroyed before the device is closed (sva_iopf_destroy()).
 * @return 0, -EBUSY (one is attached), -ENOTSUP, -errno.
 */
int sva_dev_attach_iopf(struct sva_dev *dev, struct sva_iopf *pf);

/** Detach the handler (answering what is queued). @return 0 or -ENOENT. */
int sva_dev_detach_iopf(struct sva_dev *dev);

/** The device's process address space (no reference taken). */
struct sva_as *sva_dev_process_as(struct sva_dev *dev);

/** Print the device's state and counters. @return 0 or -EINVAL. */
int sva_dev_dump(struct sva_dev *dev, FILE *f);

/** Names of the drivers built in, and their arguments, for --help texts. */
void sva_dev_list_drivers(FILE *f);

/* --- queues -------------------------------------------------------------------- */

/**
 * Create a queue: allocate a PASID, bind it to the address space, set up the
 * ring. @p conf may be NULL (defaults).
 * @return the queue, or NULL with errno: EINVAL (bad configuration: logged),
 *         ENOSPC (no queue or PASID left), ENOTSUP (mode not supported), ENOMEM.
 */
struct sva_queue *sva_queue_create(struct sva_dev *dev, const struct sva_queue_conf *conf);

/**
 * Wait until every submitted operation has a final status (enqueued ones are
 * submitted first). The statuses remain to be read with sva_completed*().
 * @return 0, -ETIMEDOUT, -EINVAL.
 */
int sva_queue_drain(struct sva_queue *q, uint32_t timeout_ms);

/**
 * Drain (operations in flight complete; their memory is no longer touched
 * when this returns), unbind and free the PASID, free the queue.
 * @return 0, or -EINVAL.
 */
int sva_queue_destroy(struct sva_queue *q);

/** PASID of the queue. */
uint32_t sva_queue_pasid(const struct sva_queue *q);

/** Statistics. @return 0 or -EINVAL. */
int sva_queue_stats_get(const struct sva_queue *q, struct sva_queue_stats *st);

/** Zero the statistics. @return 0 or -EINVAL. */
int sva_queue_stats_reset(struct sva_queue *q);

/** Print the queue's state. @return 0 or -EINVAL. */
int sva_queue_dump(const struct sva_queue *q, FILE *f);

/* --- fast path ---------------------------------------------------------------- */

/**
 * Enqueue a copy of @p len bytes (1..max_xfer; overlap allowed).
 * @return the ring index (0..65535), -ENOSPC (ring full), -EIO (device stopped).
 */
static inline int sva_copy(struct sva_queue *q, void *dst, const void *src, uint32_t len,
			   uint64_t flags)
{
	return q->fp.copy(q->fp.drvq, dst, src, len, flags);
}

/** Enqueue a fill of @p len bytes with the 8-byte @p pattern. @return as sva_copy(). */
static inline int sva_fill(struct sva_queue *q, void *dst, uint64_t pattern, uint32_t len,
			   uint64_t flags)
{
	return q->fp.fill(q->fp.drvq, dst, pattern, len, flags);
}

/**
 * Enqueue a compare; @p res (may be NULL) gets value 0 (equal) or 1 and, in
 * bytes, the offset of the first difference. @return as sva_copy().
 */
static inline int sva_compare(struct sva_queue *q, const void *a, const void *b, uint32_t len,
			      struct sva_result *res, uint64_t flags)
{
	return q->fp.compare(q->fp.drvq, a, b, len, res, flags);
}

/** Enqueue a compare with an 8-byte pattern; result as sva_compare(). */
static inline int sva_compare_pattern(struct sva_queue *q, const void *src, uint64_t pattern,
				      uint32_t len, struct sva_result *res, uint64_t flags)
{
	return q->fp.compare_pattern(q->fp.drvq, src, pattern, len, res, flags);
}

/**
 * Enqueue a CRC-32C; @p res->value gets the CRC, seeded with @p seed (the CRC
 * of preceding data: chainable, 0 to start). @return as sva_copy().
 */
static inline int sva_crc32c(struct sva_queue *q, const void *src, uint32_t len, uint32_t seed,
			     struct sva_result *res, uint64_t flags)
{
	return q->fp.crc32c(q->fp.drvq, src, len, seed, res, flags);
}

/** Enqueue a copy with CRC-32C of the data; result as sva_crc32c(). */
static inline int sva_copy_crc32c(struct sva_queue *q, void *dst, const void *src, uint32_t len,
				  uint32_t seed, struct sva_result *res, uint64_t flags)
{
	return q->fp.copy_crc32c(q->fp.drvq, dst, src, len, seed, res, flags);
}

/**
 * Enqueue a copy to two destinations. As on DSA, @p dst1 and @p dst2 must
 * have the same offset within a 4 KiB page. @return as sva_copy().
 */
static inline int sva_dualcast(struct sva_queue *q, void *dst1, void *dst2, const void *src,
			       uint32_t len, uint64_t flags)
{
	return q->fp.dualcast(q->fp.drvq, dst1, dst2, src, len, flags);
}

/** Enqueue a cache flush of [addr, addr + len). @return as sva_copy(). */
static inline int sva_cache_flush(struct sva_queue *q, void *addr, uint32_t len, uint64_t flags)
{
	return q->fp.cache_flush(q->fp.drvq, addr, len, flags);
}

/**
 * Enqueue a raw-deflate compression of @p len bytes into at most @p dst_cap
 * bytes (IAA). Each operation compresses independently; without
 * SVA_COMP_F_LAST the output ends byte-aligned with a non-final block, so
 * outputs of consecutive operations concatenate into one stream. @p res gets
 * the output size in bytes and the CRC-32 (gzip) of the input in value.
 * @return as sva_copy(), or -ENOTSUP (device without compression).
 */
static inline int sva_compress(struct sva_queue *q, void *dst, uint32_t dst_cap, const void *src,
			       uint32_t len, uint32_t cflags, struct sva_result *res,
			       uint64_t flags)
{
	return q->fp.compress(q->fp.drvq, dst, dst_cap, src, len, cflags, res, flags);
}

/**
 * Enqueue a raw-inflate of @p len input bytes into at most @p dst_cap bytes
 * (IAA). A stream may span operations: pass the same @p state buffer
 * (SVA_DECOMP_STATE_SIZE bytes, 64-byte aligned, process memory) to each,
 * SVA_COMP_F_FIRST on the first and SVA_COMP_F_LAST on the last. @p res gets
 * output bytes, input consumed, the CRC-32 of this operation's output, and
 * SVA_RESULT_F_END in flags when the stream ended (input after the final block
 * is not consumed; the state is released). On SVA_STATUS_OUTBUF_OVERFLOW the
 * state keeps the stream: continue with the unconsumed input and a new output
 * buffer.
 * @return as sva_copy(), or -ENOTSUP.
 */
static inline int sva_decompress(struct sva_queue *q, void *dst, uint32_t dst_cap, const void *src,
				 uint32_t len, uint32_t cflags, void *state,
				 struct sva_result *res, uint64_t flags)
{
	return q->fp.decompress(q->fp.drvq, dst, dst_cap, src, len, cflags, state, res, flags);
}

/**
 * Enqueue a CRC-64 with polynomial @p poly (0: ECMA-182) and SVA_CRC64_F_*
 * @p crc_flags (IAA). @return as sva_copy(), or -ENOTSUP.
 */
static inline int sva_crc64(struct sva_queue *q, const void *src, uint32_t len, uint64_t poly,
			    uint32_t crc_flags, struct sva_result *res, uint64_t flags)
{
	return q->fp.crc64(q->fp.drvq, src, len, poly, crc_flags, res, flags);
}

/** Ring the doorbell for everything enqueued. @return 0 or -EIO. */
static inline int sva_submit(struct sva_queue *q)
{
	return q->fp.submit(q->fp.drvq);
}

/**
 * Reap up to @p nb_cpls successfully completed operations, in order. At the
 * first operation that failed it stops without reaping it and sets
 * @p has_error: read its status with sva_completed_status().
 * @param q        the queue
 * @param nb_cpls  most operations to reap
 * @param last_idx receives the ring index of the last one reaped (unchanged if
 *        none); may be NULL
 * @param has_error if not NULL, set to true when a failed operation stopped the
 *        reaping, false otherwise
 * @return the number reaped.
 */
static inline uint16_t sva_completed(struct sva_queue *q, uint16_t nb_cpls, uint16_t *last_idx,
				     bool *has_error)
{
	return q->fp.completed(q->fp.drvq, nb_cpls, last_idx, has_error);
}

/**
 * Reap up to @p nb_cpls completed operations with their statuses (one per
 * operation in @p status). @p last_idx as for sva_completed(), may be NULL.
 * @return the number reaped.
 */
static inline uint16_t sva_completed_status(struct sva_queue *q, uint16_t nb_cpls,
					    uint16_t *last_idx, enum sva_status *status)
{
	return q->fp.completed_status(q->fp.drvq, nb_cpls, last_idx, status);
}

/** Operations that can be enqueued now without -ENOSPC. */
static inline uint16_t sva_burst_capacity(const struct sva_queue *q)
{
	return q->fp.burst_capacity(q->fp.drvq);
}

#endif
