/* SPDX-License-Identifier: BSD-3-Clause */
/* Public CRC entry points over the CRC kernels. */
#include "sim_crc.h"
#include "sva_crc.h"

_Static_assert(sizeof(struct sva_sw_crc64) == sizeof(struct sim_crc64_table), "same layout");

uint32_t sva_sw_crc32c(uint32_t seed, const void *buf, size_t len)
{
	return sim_crc32c(seed, buf, len);
}

uint32_t sva_sw_crc32(uint32_t seed, const void *buf, size_t len)
{
	return sim_crc32_gzip(seed, buf, len);
}

void sva_sw_crc64_init(struct sva_sw_crc64 *t, uint64_t poly, uint32_t flags)
{
	sim_crc64_table_init((struct sim_crc64_table *)t, poly, flags);
}

uint64_t sva_sw_crc64(const struct sva_sw_crc64 *t, const void *buf, size_t len)
{
	return sim_crc64((const struct sim_crc64_table *)t, buf, len);
}
