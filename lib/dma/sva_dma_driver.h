/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Driver interface of lib/dma. A driver provides a `struct sva_driver`
 * (name, device-name prefix, known arguments, probe) and, per device, a
 * static const `struct sva_dev_ops`. The library validates every argument
 * before calling the driver, and owns the device and queue objects.
 */
#ifndef SVA_DMA_DRIVER_H
#define SVA_DMA_DRIVER_H

#include <pthread.h>
#include <stdio.h>

#include "sva_args.h"
#include "sva_dma.h"

/** Most queues of one device: probe sets sva_dev.max_queues to 1..SVA_DEV_MAX_QUEUES. */
#define SVA_DEV_MAX_QUEUES 256

/** Per-device operations. Every callback except the optional ones is required. */
struct sva_dev_ops {
	/** Fill info (name/driver/nb_queues are filled by the library). */
	int (*info)(struct sva_dev *dev, struct sva_dev_info *info);
	/**
	 * Start the device (sva_dev_open(), sva_dev_start()); called with
	 * dev->lock held, only when stopped. On success the library gives the
	 * queues their live slots back. Optional (NULL: nothing to start).
	 * @return 0 or -errno.
	 */
	int (*start)(struct sva_dev *dev);
	/**
	 * Stop the device; called with dev->lock held, only when started, after
	 * the library has switched the queues' enqueue and submit slots to stubs
	 * answering -EIO. The device counts as stopped even on error.
	 * Optional (NULL: nothing to stop). @return 0 or -errno.
	 */
	int (*stop)(struct sva_dev *dev);
	/** Free the device's resources (queues are already released). */
	void (*close)(struct sva_dev *dev);
	/**
	 * Set up @p q (q->as holds a reference, q->dev/id/nb_desc/fault_mode/
	 * priority are set): allocate and bind a PASID into q->pasid, fill
	 * q->live with the fast-path slots. Undo everything on failure.
	 */
	int (*queue_setup)(struct sva_dev *dev, struct sva_queue *q, const struct sva_queue_conf *conf);
	/** Wait for in-flight operations (up to @p timeout_ms). */
	int (*queue_drain)(struct sva_dev *dev, struct sva_queue *q, uint32_t timeout_ms);
	/** Drain, unbind and free the PASID, free the driver's queue. */
	void (*queue_release)(struct sva_dev *dev, struct sva_queue *q);
	/**
	 * Fill @p st, which the library has zeroed (fields the driver does not
	 * count stay 0). @return 0 or -errno.
	 */
	int (*queue_stats)(struct sva_dev *dev, const struct sva_queue *q, struct sva_queue_stats *st);
	/** Zero the statistics of @p q. @return 0 or -errno. */
	int (*queue_stats_reset)(struct sva_dev *dev, struct sva_queue *q);
	int (*queue_dump)(struct sva_dev *dev, const struct sva_queue *q, FILE *f); /**< optional */
	int (*dump)(struct sva_dev *dev, FILE *f);                                  /**< optional */
	int (*attach_iopf)(struct sva_dev *dev, struct sva_iopf *pf);                /**< optional */
	int (*detach_iopf)(struct sva_dev *dev);                                     /**< optional */
};

/** A device as the library keeps it. */
struct sva_dev {
	char name[SVA_KVARGS_NAME_MAX];   /**< device name, without its arguments */
	const struct sva_driver *drv;     /**< the driver that probed the device */
	const struct sva_dev_ops *ops;    /**< set by the driver's probe */
	void *priv;                       /**< the driver's device */
	struct sva_as *process_as;        /**< default address space of queues */
	struct sva_iopf *iopf;            /**< attached handler, or NULL */
	pthread_mutex_t lock;             /**< control path */
	bool started;                     /**< between a successful start and stop (under lock) */
	uint16_t max_queues;              /**< set by probe, 1..SVA_DEV_MAX_QUEUES */
	uint16_t nb_queues;               /**< queues created now (under lock) */
	struct sva_queue *queues[SVA_DEV_MAX_QUEUES]; /**< queue by id, NULL where free (under lock) */
};

/** A driver. */
struct sva_driver {
	const char *name;           /**< "dsa_sim" */
	const char *prefix;         /**< device names starting with it belong to this driver */
	const char *const *args;    /**< known argument keys, NULL-terminated */
	const char *help;           /**< one line per argument, for --help texts */
	/**
	 * Create the device's driver state: parse @p args (already checked
	 * against @ref args), set dev->ops, dev->priv and dev->max_queues.
	 * On bad arguments return -EINVAL with the reason in @p err.
	 */
	int (*probe)(struct sva_dev *dev, const struct sva_kvargs *args, char *err, size_t errlen);
};

/** The drivers built into libsvadk (NULL-terminated), defined in drivers/drivers.c. */
extern const struct sva_driver *const sva_builtin_drivers[];

/**
 * Fill every NULL slot of @p fp with a stub answering -ENOTSUP (operations the
 * device does not have), so that no slot is ever NULL.
 */
void sva_queue_fp_fill_unsupported(struct sva_queue_fp *fp);

/**
 * The slots of a stopped device's queue into @p out: enqueue and doorbell
 * answer -EIO, no capacity; completions of what is in flight are still reaped
 * through @p live's slots.
 */
void sva_queue_fp_stopped(struct sva_queue_fp *out, const struct sva_queue_fp *live);

#endif
