/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal helpers shared by the files of lib/iopf. */
#ifndef IOPF_PRIV_H
#define IOPF_PRIV_H

#include <stdint.h>

/* Make [start, start + len) present through the CPU MMU for @perm
 * (MADV_POPULATE_WRITE / MADV_POPULATE_READ). @return 0 or -errno. */
int iopf_populate(uint64_t start, uint64_t len, uint32_t perm);

#endif
