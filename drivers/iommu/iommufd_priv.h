/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal state shared by the files of drivers/iommu. */
#ifndef SVA_IOMMUFD_PRIV_H
#define SVA_IOMMUFD_PRIV_H

#include "sva_iommufd.h"

struct sva_iommufd {
	int fd;
	unsigned int kver; /* major * 100 + minor */
};

/* ioctl(2) retried on EINTR. @return 0 or -errno. */
int iommufd_xioctl(int fd, unsigned long req, void *arg);

/* The managed address space the fault handler resolves a space's faults in. */
struct sva_as *iommufd_space_shadow(struct sva_iommufd_space *sp);

#endif
