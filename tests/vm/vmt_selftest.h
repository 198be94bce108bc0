/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iommufd selftest interface (CONFIG_IOMMUFD_TEST): IOMMU_TEST_CMD and
 * its mock device. This is not stable uAPI: the operation numbers and the
 * command's size change between kernel versions. What the VM tests use is
 * declared here per kernel version, with compile-time layout checks; the
 * harness also compiles check_selftest_layout.c against the source of the
 * kernel it boots, which fails when these declarations disagree with it.
 */
#ifndef VMT_SELFTEST_H
#define VMT_SELFTEST_H

#include <stddef.h>
#include <stdint.h>

/* IOMMU_TEST_CMD = _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32) on every version. */
#define VMT_IOMMU_TEST_CMD 0x3ba0u

/* Operation numbers. Unchanged from 6.12 to 7.3 for those up to
 * TRIGGER_IOPF; the PASID operations exist from 6.15 on. */
enum vmt_op {
	VMT_OP_MOCK_DOMAIN = 2,
	VMT_OP_MD_CHECK_MAP = 3,
	VMT_OP_MOCK_DOMAIN_REPLACE = 10,
	VMT_OP_MOCK_DOMAIN_FLAGS = 12,
	VMT_OP_TRIGGER_IOPF = 15,
	/* 6.15+ */
	VMT_OP_PASID_ATTACH = 18,
	VMT_OP_PASID_REPLACE = 19,
	VMT_OP_PASID_DETACH = 20,
	VMT_OP_PASID_CHECK_HWPT = 21,
};

/* Mock device flags (dev_flags of MOCK_DOMAIN_FLAGS). */
#define VMT_MOCK_FLAGS_DEVICE_PASID (1u << 2) /* 6.15+: the device takes PASIDs */

/* The mock domain's IOVA aperture (MOCK_APERTURE_START/LAST). */
#define VMT_MOCK_APERTURE_START (1ull << 24)
#define VMT_MOCK_APERTURE_LAST ((1ull << 31) - 1)

/* Nested HWPT data of the mock driver (IOMMU_HWPT_DATA_SELFTEST), for
 * kernels that take a fault id only on nested HWPTs (6.11/6.12). */
#define VMT_HWPT_DATA_SELFTEST 0xdeadu
#define VMT_TEST_IOTLB_DEFAULT 0xbadbeefu
struct vmt_hwpt_selftest {
	uint32_t iotlb;
};
/* Pass only iotlb: 6.12 refuses (EINVAL) a longer struct, and 7.x, whose
 * struct adds pagetable_type, reads a shorter one as zero-filled (default). */
#define VMT_HWPT_SELFTEST_LEN 4u

/*
 * struct iommu_test_cmd as of 6.12 ... 7.3: a 16-byte header, a union whose
 * largest member (dirty) is 48 bytes, then 'last' at offset 64 (the kernel
 * requires the size to reach past it). Only the members used are named.
 */
struct vmt_test_cmd {
	uint32_t size;
	uint32_t op;
	uint32_t id;
	uint32_t reserved;
	union {
		struct {
			uint32_t out_stdev_id;
			uint32_t out_hwpt_id;
			uint32_t out_idev_id;
			uint32_t dev_flags;
		} mock_domain_flags;
		struct {
			uint32_t pt_id;
		} mock_domain_replace;
		struct {
			uint64_t iova;
			uint64_t length;
			uint64_t uptr;
		} check_map;
		struct {
			uint32_t dev_id;
			uint32_t pasid;
			uint32_t grpid;
			uint32_t perm;
			uint64_t addr;
		} trigger_iopf;
		struct {
			uint32_t pasid;
			uint32_t pt_id;
		} pasid_attach; /* also replace; check_hwpt: pasid, hwpt_id */
		struct {
			uint32_t pasid;
		} pasid_detach;
		uint64_t union_size[6];
	};
	uint32_t last;
} __attribute__((aligned(8)));

_Static_assert(offsetof(struct vmt_test_cmd, mock_domain_flags.dev_flags) == 28, "layout");
_Static_assert(offsetof(struct vmt_test_cmd, trigger_iopf.addr) == 32, "layout");
_Static_assert(offsetof(struct vmt_test_cmd, check_map.uptr) == 32, "layout");
_Static_assert(offsetof(struct vmt_test_cmd, last) == 64, "layout");
_Static_assert(sizeof(struct vmt_test_cmd) == 72, "layout");

/* Which selftest features a kernel version has. */
struct vmt_kernel {
	unsigned int version;  /* major * 100 + minor */
	int has_selftest_iopf; /* TRIGGER_IOPF: 6.11+ */
	int has_pasid_ops;     /* PASID attach/replace/detach + MOCK_FLAGS_DEVICE_PASID: 6.15+ */
};

static inline struct vmt_kernel vmt_kernel_of(unsigned int version)
{
	struct vmt_kernel k = {.version = version};
	k.has_selftest_iopf = version >= 611;
	k.has_pasid_ops = version >= 615;
	return k;
}

#endif
