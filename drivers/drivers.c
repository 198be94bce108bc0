/* SPDX-License-Identifier: BSD-3-Clause */
/* The drivers built into libsvadk. A constant table, not registration
 * constructors: what a process can open is visible here. */
#include <stddef.h>

#include "sva_dma_driver.h"

extern const struct sva_driver sva_drv_dsa_sim;
extern const struct sva_driver sva_drv_iaa_sim;
extern const struct sva_driver sva_drv_cpu;

const struct sva_driver *const sva_builtin_drivers[] = {
	&sva_drv_dsa_sim,
	&sva_drv_iaa_sim,
	&sva_drv_cpu,
	NULL,
};
