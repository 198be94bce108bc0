/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal state shared by the files of drivers/iommu. */
#ifndef SVA_IOMMUFD_PRIV_H
#define SVA_IOMMUFD_PRIV_H

#include "sva_iommufd.h"

struct sva_iommufd {
	int fd;
	unsigned int kver; /* major * 100 + minor */
};

/* The managed address space the fault handler resolves a space's faults in. */
struct sva_as *iommufd_space_shadow(struct sva_iommufd_space *sp);

#endif
