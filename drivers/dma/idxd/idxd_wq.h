/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The kernel work-queue backend of drivers/dma/idxd: discovery of DSA/IAA
 * user work queues (libaccel-config where installed and the default roots are
 * used, sysfs otherwise) and the choice of how descriptors reach a portal.
 */
#ifndef IDXD_WQ_H
#define IDXD_WQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDXD_DEFAULT_SYSFS_ROOT "/sys"
#define IDXD_DEFAULT_DEV_ROOT "/dev"

/** Where to look; NULL fields take $SVADK_IDXD_SYSFS_ROOT / $SVADK_IDXD_DEV_ROOT, then the defaults. */
struct idxd_roots {
	const char *sysfs; /**< holds bus/dsa/devices */
	const char *dev;   /**< holds dsa/wqX.Y and iax/wqX.Y */
};

/** One work queue, as sysfs describes it. */
struct idxd_wq_info {
	char name[16];      /**< "wq0.0" */
	char dev_name[16];  /**< "dsa0" / "iax1" */
	char wq_name[64];   /**< the name given at configuration */
	char type[16];      /**< "user", "kernel", "none" */
	char driver[16];    /**< driver bound to the WQ ("user"), "" if none */
	char cdev[256];     /**< /dev/dsa/wq0.0 */
	bool iaa;
	bool dedicated;
	bool enabled;
	bool block_on_fault;
	bool pasid_enabled; /**< the device has SVA (PASID) enabled */
	uint32_t size;
	uint64_t max_xfer;
	uint32_t max_batch;
	int priority;
	int numa_node;
	bool from_accfg;    /**< found through libaccel-config */
};

/**
 * List the work queues of every DSA (@p iaa false) or IAA device.
 * @return the number found (up to @p max filled), or -errno with the reason in @p err.
 */
int idxd_discover(const struct idxd_roots *roots, bool iaa, struct idxd_wq_info *out,
		  unsigned int max, char *err, size_t errlen);

/**
 * Find work queue @p name ("wq0.0", or "dsa0/wq0.0").
 * @return 0, -ENODEV (not found: the reason in @p err), -errno.
 */
int idxd_wq_find(const struct idxd_roots *roots, bool iaa, const char *name,
		 struct idxd_wq_info *out, char *err, size_t errlen);

/**
 * Check that @p wq can be used from user space with SVA.
 * @return 0, or -errno with the one-line reason and the fix in @p err.
 */
int idxd_wq_check_usable(const struct idxd_wq_info *wq, char *err, size_t errlen);

/** How descriptors are handed to a work queue. */
enum idxd_submit_mode {
	IDXD_SUBMIT_AUTO = 0,  /**< choose (the first three, in this order of preference) */
	IDXD_SUBMIT_MOVDIR64B, /**< dedicated WQ, mapped portal */
	IDXD_SUBMIT_ENQCMD,    /**< shared WQ, mapped portal, retry on reject */
	IDXD_SUBMIT_WRITE,     /**< write(2) on the WQ file: the kernel submits */
};

/** Name of a mode ("movdir64b"). */
const char *idxd_submit_mode_name(enum idxd_submit_mode m);

/**
 * Choose the submission: @p dedicated WQ, CPU features, whether the portal
 * could be mapped, what was asked (@p want, AUTO to choose).
 * @return the mode, or -ENOTSUP with the reason in @p err.
 */
int idxd_submit_select(bool dedicated, bool has_movdir64b, bool has_enqcmd, bool portal_mapped,
		       enum idxd_submit_mode want, char *err, size_t errlen);

#endif
