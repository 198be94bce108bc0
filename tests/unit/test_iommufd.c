/* SPDX-License-Identifier: BSD-3-Clause */
/* drivers/iommu on the build machine: the uAPI definitions (whichever header
 * they come from) and the messages for a kernel without iommufd or VFIO
 * cdev. What needs the real kernel runs in tests/vm (vm_iommufd, vm_vfio). */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "iommufd_compat.h"
#include "sva_dma.h"
#include "sva_iommufd.h"
#include "sva_log.h"
#include "sva_test.h"

static void test_uapi(void)
{
	CU_ASSERT_EQUAL(sizeof(struct iommu_hwpt_pgfault), 40);
	CU_ASSERT_EQUAL(sizeof(struct iommu_hwpt_page_response), 8);
	CU_ASSERT_EQUAL(IOMMU_IOAS_MAP, 0x3b85);
	CU_ASSERT_EQUAL(IOMMU_HWPT_ALLOC, 0x3b89);
	CU_ASSERT_EQUAL(IOMMU_GET_HW_INFO, 0x3b8a);
	CU_ASSERT_EQUAL(VFIO_DEVICE_ATTACH_IOMMUFD_PT, 0x3b77);
	CU_ASSERT_EQUAL(IOMMU_HWPT_FAULT_ID_VALID, 4);
	CU_ASSERT_EQUAL(IOMMU_HWPT_ALLOC_PASID, 8);
	CU_ASSERT_EQUAL(IOMMU_PGFAULT_FLAGS_LAST_PAGE, 2);
	CU_ASSERT_EQUAL(IOMMUFD_PAGE_RESP_INVALID, 1);
}

static void test_kernel_version(void)
{
	unsigned int v = sva_iommufd_kernel_version();
	CU_ASSERT(v >= 300 && v < 10000);
}

static void test_no_iommufd(void)
{
	char err[256] = "";
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_iommufd_open("/nonexistent/iommu", err, sizeof(err)));
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "CONFIG_IOMMUFD"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "6.11"));
	if (access("/dev/iommu", F_OK) != 0) {
		CU_ASSERT_PTR_NULL(sva_iommufd_open(NULL, err, sizeof(err)));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "/dev/iommu does not exist"));
	}
}

static void test_vfio_messages(void)
{
	/* Without /dev/iommu there is no context to bind to; the VFIO side of
	 * the messages is checked with a context on a harmless file. */
	char err[256] = "";
	struct sva_iommufd *ic = sva_iommufd_open("/dev/null", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ic);
	int fd = -1;
	uint32_t id = 0;
	CU_ASSERT_EQUAL(sva_iommufd_vfio_bind(ic, "/nonexistent/vfio0", &fd, &id, err, sizeof(err)),
			-ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "CONFIG_VFIO_DEVICE_CDEV"));
	/* A file that is not a VFIO device: the bind ioctl is refused, with a reason. */
	CU_ASSERT(sva_iommufd_vfio_bind(ic, "/dev/null", &fd, &id, err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "VFIO_DEVICE_BIND_IOMMUFD"));
	/* iommufd commands on something that is not /dev/iommu fail cleanly. */
	CU_ASSERT_PTR_NULL(sva_iommufd_fq_alloc(ic, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "IOMMU_FAULT_QUEUE_ALLOC"));
	uint32_t ioas;
	CU_ASSERT(sva_iommufd_ioas_alloc(ic, &ioas) < 0);
	sva_iommufd_close(ic);
	sva_iommufd_close(NULL);
	sva_iommufd_fq_free(NULL);
	sva_iommufd_space_destroy(NULL);
}

static void test_dma_device(void)
{
	errno = 0;
	CU_ASSERT_PTR_NULL(sva_dev_open("iommufd:vfio0", "iommu=/nonexistent/iommu"));
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_PTR_NULL(sva_dev_open("iommufd:", NULL));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(sva_dev_open("iommufd:vfio0", "pasid_base=0"));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

static const struct sva_test_case cases[] = {
	{"dma_device", test_dma_device},
	{"uapi", test_uapi},
	{"kernel_version", test_kernel_version},
	{"no_iommufd", test_no_iommufd},
	{"vfio_messages", test_vfio_messages},
	{NULL, NULL},
};

static int add_suites(void)
{
	return sva_test_add_suite("iommufd", cases, NULL, NULL);
}

int main(void)
{
	sva_log_parse_spec("*:error");
	return sva_test_main(add_suites);
}
