/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * iommufd from user space: an open /dev/iommu, VFIO cdev devices bound to
 * it, IO address spaces, fault-capable HWPTs, PASID attach, and the fault
 * queue as a lib/iopf fault source.
 *
 * Objects and their kernel counterparts:
 * - struct sva_iommufd: the /dev/iommu file (an iommufd context).
 * - struct sva_iommufd_space: an IOAS that mirrors one svadk address space
 *   with IOVA == VA. Nothing is mapped up front: a device fault on an
 *   address the address space allows maps that range (IOMMU_IOAS_MAP with a
 *   fixed IOVA); an invalidation of the address space (sva_as_invalidate(),
 *   sva_as_unmap()) unmaps it again, and so does destruction. This is how a
 *   queue on the *process* address space is emulated through iommufd, which
 *   has no command to bind a process's page tables (DESIGN.md §3).
 * - struct sva_iommufd_fq: a fault queue (IOMMU_FAULT_QUEUE_ALLOC). Its fd is
 *   a lib/iopf source (@ref sva_iommufd_fq_ops): records are read as whole
 *   groups, each (device, PASID) is bound to a space, and every group is
 *   answered once with an 8-byte response.
 *
 * Every function returns 0 or -errno unless it says otherwise, and writes a
 * one-line reason into @p err where it has one (or logs it, type iommufd).
 * Needs Linux 6.11 (fault queues) and 6.15 (PASID attach of VFIO cdev
 * devices); on older kernels the calls fail with a message naming the
 * version, never worse.
 */
#ifndef SVA_IOMMUFD_H
#define SVA_IOMMUFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sva_iopf.h"

struct sva_as;
struct sva_iommufd;
struct sva_iommufd_space;
struct sva_iommufd_fq;

/** PASID value meaning "the device's non-PASID (RID) part". */
#define SVA_IOMMUFD_NO_PASID 0xffffffffu

/* --- context ------------------------------------------------------------------ */

/**
 * Open @p path (NULL: "/dev/iommu").
 * @return the context, or NULL with errno and a reason in @p err
 *         (ENOENT: no /dev/iommu, the kernel lacks CONFIG_IOMMUFD).
 */
struct sva_iommufd *sva_iommufd_open(const char *path, char *err, size_t errlen);

/** Close (objects still allocated are destroyed by the kernel). Safe on NULL. */
void sva_iommufd_close(struct sva_iommufd *ic);

/** The /dev/iommu descriptor. */
int sva_iommufd_fd(const struct sva_iommufd *ic);

/** Kernel version as major * 100 + minor (e.g. 703), from uname(2). */
unsigned int sva_iommufd_kernel_version(void);

/** Destroy any iommufd object by id (IOMMU_DESTROY). */
int sva_iommufd_destroy(struct sva_iommufd *ic, uint32_t id);

/** Allocate an empty IOAS. */
int sva_iommufd_ioas_alloc(struct sva_iommufd *ic, uint32_t *ioas_id);

/** IOMMU_IOAS_MAP of [va, va + len) at @p iova with SVA_PERM_* @p perm. */
int sva_iommufd_map(struct sva_iommufd *ic, uint32_t ioas_id, uint64_t va, uint64_t len,
		    uint64_t iova, uint32_t perm);

/** IOMMU_IOAS_UNMAP of [iova, iova + len). */
int sva_iommufd_unmap(struct sva_iommufd *ic, uint32_t ioas_id, uint64_t iova, uint64_t len);

/* --- devices ------------------------------------------------------------------ */

/**
 * Open the VFIO cdev @p cdev ("/dev/vfio/devices/vfio0") and bind it
 * (VFIO_DEVICE_BIND_IOMMUFD). @p dev_fd receives the device fd (close it to
 * unbind), @p dev_id the iommufd device id.
 */
int sva_iommufd_vfio_bind(struct sva_iommufd *ic, const char *cdev, int *dev_fd,
			  uint32_t *dev_id, char *err, size_t errlen);

/**
 * Attach the VFIO device's non-PASID part (@p pasid == SVA_IOMMUFD_NO_PASID)
 * or one PASID (VFIO_DEVICE_ATTACH_PASID, Linux 6.15+) to @p pt_id (an IOAS
 * or HWPT); attaching again replaces.
 */
int sva_iommufd_vfio_attach(int dev_fd, uint32_t pasid, uint32_t pt_id, char *err, size_t errlen);

/** Detach the non-PASID part or one PASID. */
int sva_iommufd_vfio_detach(int dev_fd, uint32_t pasid);

/** What IOMMU_GET_HW_INFO tells about a device. */
struct sva_iommufd_hw_info {
	uint32_t type;       /**< IOMMU_HW_INFO_TYPE_* (0: none / unknown driver data) */
	uint8_t pasid_bits;  /**< PASID width the device and IOMMU support (0: no PASID) */
	uint64_t capabilities; /**< IOMMU_HW_CAP_* */
};

/** IOMMU_GET_HW_INFO for @p dev_id. */
int sva_iommufd_hw_info(struct sva_iommufd *ic, uint32_t dev_id, struct sva_iommufd_hw_info *info);

/* --- HWPTs -------------------------------------------------------------------- */

/** How a fault-capable HWPT was made (the kernel decides what it allows). */
enum sva_iommufd_hwpt_kind {
	SVA_IOMMUFD_HWPT_PAGING = 0, /**< paging HWPT with the fault id (kernels after 6.12, e.g. 7.x) */
	SVA_IOMMUFD_HWPT_NESTED = 1, /**< nested HWPT over a nest parent (6.11/6.12: the only kind) */
};

/** HWPT request. */
struct sva_iommufd_hwpt_req {
	uint32_t dev_id;              /**< iommufd device id (from sva_iommufd_vfio_bind()) */
	uint32_t pt_id;               /**< IOAS the HWPT translates through */
	bool pasid;                   /**< IOMMU_HWPT_ALLOC_PASID */
	struct sva_iommufd_fq *fq;    /**< fault queue (IOMMU_HWPT_FAULT_ID_VALID), or NULL */
	/** Driver data for a nested HWPT, used only where the kernel refuses a
	 * fault id on a paging HWPT (0: none, then that is an error). */
	uint32_t nested_type;
	const void *nested_data;      /**< IOMMU-specific data of type @ref nested_type */
	uint32_t nested_len;          /**< bytes at @ref nested_data */
};

/** An allocated HWPT. */
struct sva_iommufd_hwpt {
	uint32_t id;        /**< the HWPT to attach */
	uint32_t parent_id; /**< nest parent allocated for it (0: none) */
	enum sva_iommufd_hwpt_kind kind; /**< which kind the kernel allowed */
};

/**
 * Allocate a HWPT, with the fault queue when @p req->fq is set: a paging
 * HWPT first; where the kernel answers EOPNOTSUPP for a fault id on a paging
 * HWPT (Linux 6.11/6.12), a nested one over a new nest parent when
 * @p req->nested_type is given. @p out->kind says which the kernel allowed.
 * @return 0; -EOPNOTSUPP (with the reason), -errno.
 */
int sva_iommufd_hwpt_alloc(struct sva_iommufd *ic, const struct sva_iommufd_hwpt_req *req,
			   struct sva_iommufd_hwpt *out, char *err, size_t errlen);

/** Destroy a HWPT and its nest parent. */
void sva_iommufd_hwpt_free(struct sva_iommufd *ic, struct sva_iommufd_hwpt *h);

/* --- spaces: an IOAS mirroring an address space -------------------------------- */

/** Space parameters. */
struct sva_iommufd_space_conf {
	const char *name;      /**< for logs (NULL: "iommufd-space") */
	struct sva_as *as;     /**< the address space to mirror (a reference is taken) */
	uint32_t map_pages;    /**< pages mapped per fault, aligned window (0: 16) */
};

/** Create a space with its own IOAS. @return it, or NULL (errno). */
struct sva_iommufd_space *sva_iommufd_space_create(struct sva_iommufd *ic,
						   const struct sva_iommufd_space_conf *conf);

/** Unmap everything and destroy the IOAS (destroy HWPTs on it first). Safe on NULL. */
void sva_iommufd_space_destroy(struct sva_iommufd_space *sp);

/** The IOAS id. */
uint32_t sva_iommufd_space_ioas(const struct sva_iommufd_space *sp);

/** The mirrored address space. */
struct sva_as *sva_iommufd_space_as(const struct sva_iommufd_space *sp);

/**
 * Resolve a fault at @p addr needing SVA_PERM_* @p perm as the handler does:
 * map the window holding it when the address space allows the access.
 * @return 0; -EFAULT (not allowed), -errno (the map failed).
 */
int sva_iommufd_space_resolve(struct sva_iommufd_space *sp, uint64_t addr, uint32_t perm);

/** Space counters. */
struct sva_iommufd_space_stats {
	uint64_t maps;        /**< IOMMU_IOAS_MAP calls made for faults */
	uint64_t pages_mapped; /**< pages those calls mapped */
	uint64_t unmaps;      /**< IOMMU_IOAS_UNMAP calls for invalidations/teardown */
	uint64_t refused;     /**< faults the address space does not allow */
	uint64_t map_errors;  /**< map calls the kernel refused */
	uint32_t mappings;    /**< mappings now */
};

/** Fill @p st. Any thread; the counters are read one by one, not as a snapshot. */
void sva_iommufd_space_stats(struct sva_iommufd_space *sp, struct sva_iommufd_space_stats *st);

/* --- fault queues ----------------------------------------------------------------- */

/** Allocate a fault queue (IOMMU_FAULT_QUEUE_ALLOC, Linux 6.11+). @return it, or NULL (errno). */
struct sva_iommufd_fq *sva_iommufd_fq_alloc(struct sva_iommufd *ic, char *err, size_t errlen);

/** Free (unregister it from its handler first). Safe on NULL. */
void sva_iommufd_fq_free(struct sva_iommufd_fq *fq);

/** The fault object's id, for @ref sva_iommufd_hwpt_req.fq (IOMMU_HWPT_FAULT_ID). */
uint32_t sva_iommufd_fq_id(const struct sva_iommufd_fq *fq);

/**
 * The fault queue's descriptor (non-blocking, close-on-exec), readable while
 * fault records wait. The queue owns it: sva_iommufd_fq_free() closes it.
 */
int sva_iommufd_fq_fd(const struct sva_iommufd_fq *fq);

/**
 * Resolve faults of (@p dev_id, @p pasid) in @p sp (pasid SVA_IOMMUFD_NO_PASID:
 * the device's non-PASID part). Faults of an unbound pair are answered
 * INVALID. @return 0, -EEXIST, -ENOMEM.
 */
int sva_iommufd_fq_bind(struct sva_iommufd_fq *fq, uint32_t dev_id, uint32_t pasid,
			struct sva_iommufd_space *sp);

/** Forget a binding. @return 0 or -ENOENT. */
int sva_iommufd_fq_unbind(struct sva_iommufd_fq *fq, uint32_t dev_id, uint32_t pasid);

/** The source interface: sva_iopf_add_source(pf, &sva_iommufd_fq_ops, fq). */
extern const struct sva_iopf_source_ops sva_iommufd_fq_ops;

/**
 * Whether a handler reads the queue: from sva_iopf_add_source() until the
 * source is removed, by sva_iopf_remove_source() or by sva_iopf_destroy() of
 * the handler.
 */
bool sva_iommufd_fq_attached(const struct sva_iommufd_fq *fq);

/** Fault-queue counters. */
struct sva_iommufd_fq_stats {
	uint64_t reads;       /**< read() calls that returned records */
	uint64_t records;     /**< fault records read */
	uint64_t responses;   /**< responses the kernel took */
	uint64_t stale;       /**< responses refused with EINVAL: the kernel had answered the
			       *   group itself (detach/replace) */
	uint64_t respond_errors; /**< other write() failures */
	uint64_t buf_grows;   /**< read buffer enlarged for a group that did not fit */
	uint32_t buf_records; /**< read buffer size, records */
};

/** Fill @p st. The counters are read one by one, not as one snapshot. */
void sva_iommufd_fq_stats(const struct sva_iommufd_fq *fq, struct sva_iommufd_fq_stats *st);

#endif
