/* SPDX-License-Identifier: BSD-3-Clause */
/* The drivers built into libsvadk. A constant table, not registration
 * constructors: what a process can open is visible here. */
#include <stddef.h>

#include "sva_build_config.h"
#include "sva_dma_driver.h"

extern const struct sva_driver sva_drv_dsa_sim;
extern const struct sva_driver sva_drv_iaa_sim;
extern const struct sva_driver sva_drv_dsa_wq;
extern const struct sva_driver sva_drv_iaa_wq;
extern const struct sva_driver sva_drv_iommufd;
extern const struct sva_driver sva_drv_cpu;
#ifdef SVA_HAVE_DPDK
extern const struct sva_driver sva_drv_dpdk;
#endif

const struct sva_driver *const sva_builtin_drivers[] = {
	&sva_drv_dsa_sim,
	&sva_drv_iaa_sim,
	&sva_drv_dsa_wq,
	&sva_drv_iaa_wq,
	&sva_drv_iommufd,
	&sva_drv_cpu,
#ifdef SVA_HAVE_DPDK
	&sva_drv_dpdk,
#endif
	NULL,
};
