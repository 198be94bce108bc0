/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The iommufd and VFIO-cdev uAPI definitions svadk uses.
 *
 * With a system <linux/iommufd.h> new enough for everything below (fault
 * queues, PASID-capable HWPTs and the PASID width: headers newer than 6.12; see
 * drivers/iommu/meson.build), that header is used. Otherwise (Debian 12 ships
 * 6.1 headers, which have no iommufd.h at all) the definitions come from
 * here, under the kernel's own names: they are ABI facts (ioctl numbers,
 * struct layouts), checked below with static assertions. The VFIO cdev
 * ioctls are treated the same way against <linux/vfio.h>.
 */
#ifndef SVA_IOMMUFD_COMPAT_H
#define SVA_IOMMUFD_COMPAT_H

#include <linux/types.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <sys/ioctl.h>

#include "iommufd_config.h"

#if SVA_IOMMUFD_SYSTEM_UAPI
#include <linux/iommufd.h>
#else

#define IOMMUFD_TYPE (';')

enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
};

struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,
};

enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,
	IOMMU_HWPT_DATA_VTD_S1 = 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
};

struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
};

enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
};

struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 out_data_type;
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};
#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = (1 << 0),
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = (1 << 1),
};

enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = (1 << 0),
	IOMMU_PGFAULT_PERM_WRITE = (1 << 1),
	IOMMU_PGFAULT_PERM_EXEC = (1 << 2),
	IOMMU_PGFAULT_PERM_PRIV = (1 << 3),
};

struct iommu_hwpt_pgfault {
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 __reserved;
	__aligned_u64 addr;
	__u32 length;
	__u32 cookie;
};

enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOMMUFD_PAGE_RESP_INVALID = 1,
};

struct iommu_hwpt_page_response {
	__u32 cookie;
	__u32 code;
};

struct iommu_fault_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_fault_id;
	__u32 out_fault_fd;
};
#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

#endif /* !SVA_IOMMUFD_SYSTEM_UAPI */

/* VFIO device cdev (Linux 6.6+; PASID attach 6.15+). Older headers lack the
 * ioctls, or have the attach structure without its pasid field: then svadk's
 * own structures stand in, under the kernel's names. Only the fields up to
 * out_devid of the bind structure are used (argsz says so), which every
 * kernel with the cdev accepts. */
#ifndef VFIO_DEVICE_ATTACH_PASID
#define vfio_device_bind_iommufd sva_compat_vfio_device_bind_iommufd
#define vfio_device_attach_iommufd_pt sva_compat_vfio_device_attach_iommufd_pt
#define vfio_device_detach_iommufd_pt sva_compat_vfio_device_detach_iommufd_pt
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
	__u32 pasid;
};
struct vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pasid;
};
#define VFIO_DEVICE_ATTACH_PASID (1 << 0)
#define VFIO_DEVICE_DETACH_PASID (1 << 0)
#endif
#ifndef VFIO_DEVICE_BIND_IOMMUFD
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#define VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 20)
#endif

/* What the code relies on, whichever header it came from. */
_Static_assert(sizeof(struct iommu_hwpt_pgfault) == 40, "fault record is 40 bytes");
_Static_assert(sizeof(struct iommu_hwpt_page_response) == 8, "page response is 8 bytes");
_Static_assert(offsetof(struct iommu_hwpt_pgfault, addr) == 24, "layout");
_Static_assert(offsetof(struct iommu_hwpt_pgfault, cookie) == 36, "layout");
_Static_assert(sizeof(struct iommu_hwpt_alloc) == 48, "layout");
_Static_assert(offsetof(struct iommu_hwpt_alloc, fault_id) == 40, "layout");
_Static_assert(sizeof(struct iommu_ioas_map) == 40, "layout");
_Static_assert(sizeof(struct iommu_ioas_unmap) == 24, "layout");
_Static_assert(sizeof(struct iommu_fault_alloc) == 16, "layout");
_Static_assert(offsetof(struct iommu_hw_info, out_max_pasid_log2) == 28, "layout");
_Static_assert(offsetof(struct iommu_hw_info, out_capabilities) == 32, "layout");
_Static_assert(offsetof(struct vfio_device_attach_iommufd_pt, pasid) == 12, "layout");
_Static_assert(offsetof(struct vfio_device_bind_iommufd, out_devid) == 12, "layout");
_Static_assert(IOMMU_FAULT_QUEUE_ALLOC == 0x3b8e, "ioctl number");
_Static_assert(VFIO_DEVICE_BIND_IOMMUFD == 0x3b76, "ioctl number");

#endif
