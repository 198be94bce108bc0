/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiled by build-kernel.sh against the source of the kernel the VM boots
 * (its installed uAPI headers plus drivers/iommu/iommufd/iommufd_test.h):
 * fails to compile when vmt_selftest.h disagrees with that kernel.
 */
#include <linux/iommufd.h>
#include <linux/version.h>
#include <stddef.h>

#include "iommufd_test.h"
#include "vmt_selftest.h"

_Static_assert(IOMMU_TEST_CMD == VMT_IOMMU_TEST_CMD, "IOMMU_TEST_CMD");
_Static_assert(offsetof(struct iommu_test_cmd, last) == offsetof(struct vmt_test_cmd, last),
	       "offset of 'last'");
_Static_assert(sizeof(struct iommu_test_cmd) == sizeof(struct vmt_test_cmd), "command size");
_Static_assert((int)IOMMU_TEST_OP_MOCK_DOMAIN == (int)VMT_OP_MOCK_DOMAIN, "op");
_Static_assert((int)IOMMU_TEST_OP_MD_CHECK_MAP == (int)VMT_OP_MD_CHECK_MAP, "op");
_Static_assert((int)IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE == (int)VMT_OP_MOCK_DOMAIN_REPLACE, "op");
_Static_assert((int)IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS == (int)VMT_OP_MOCK_DOMAIN_FLAGS, "op");
_Static_assert((int)IOMMU_TEST_OP_TRIGGER_IOPF == (int)VMT_OP_TRIGGER_IOPF, "op");
_Static_assert(offsetof(struct iommu_test_cmd, trigger_iopf.addr) ==
		       offsetof(struct vmt_test_cmd, trigger_iopf.addr), "trigger_iopf");
_Static_assert(offsetof(struct iommu_test_cmd, check_map.uptr) ==
		       offsetof(struct vmt_test_cmd, check_map.uptr), "check_map");
_Static_assert(offsetof(struct iommu_test_cmd, mock_domain_flags.dev_flags) ==
		       offsetof(struct vmt_test_cmd, mock_domain_flags.dev_flags), "mock_domain_flags");
_Static_assert(MOCK_APERTURE_START == VMT_MOCK_APERTURE_START, "aperture");
_Static_assert(MOCK_APERTURE_LAST == VMT_MOCK_APERTURE_LAST, "aperture");
_Static_assert(IOMMU_HWPT_DATA_SELFTEST == VMT_HWPT_DATA_SELFTEST, "nested data type");
_Static_assert(offsetof(struct iommu_hwpt_selftest, iotlb) == 0 &&
		       sizeof(struct iommu_hwpt_selftest) >= VMT_HWPT_SELFTEST_LEN, "nested data");
_Static_assert(IOMMU_TEST_IOTLB_DEFAULT == VMT_TEST_IOTLB_DEFAULT, "iotlb default");
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
_Static_assert((int)IOMMU_TEST_OP_PASID_ATTACH == (int)VMT_OP_PASID_ATTACH, "op");
_Static_assert((int)IOMMU_TEST_OP_PASID_REPLACE == (int)VMT_OP_PASID_REPLACE, "op");
_Static_assert((int)IOMMU_TEST_OP_PASID_DETACH == (int)VMT_OP_PASID_DETACH, "op");
_Static_assert((int)IOMMU_TEST_OP_PASID_CHECK_HWPT == (int)VMT_OP_PASID_CHECK_HWPT, "op");
_Static_assert(MOCK_FLAGS_DEVICE_PASID == VMT_MOCK_FLAGS_DEVICE_PASID, "flag");
_Static_assert(offsetof(struct iommu_test_cmd, pasid_attach.pt_id) ==
		       offsetof(struct vmt_test_cmd, pasid_attach.pt_id), "pasid_attach");
#endif

int main(void)
{
	return 0;
}
