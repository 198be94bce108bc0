/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * DSA/IAA hardware definitions: the kernel's <linux/idxd.h> (descriptors,
 * completion records, opcodes, flags, status codes) plus what Debian 12's
 * 6.1 header lacks. Everything here is an ABI fact of the devices; names
 * ending in _SIM are svadk's software-device conventions, documented in
 * doc/guides/devices.md.
 */
#ifndef IDXD_HW_H
#define IDXD_HW_H

#include <linux/idxd.h>
#include <stddef.h>
#include <stdint.h>

#include "sva_build_config.h"

#define IDXD_DESC_SIZE 64u
#define IDXD_DSA_COMP_SIZE 32u  /* and alignment of a DSA completion record */
#define IDXD_IAX_COMP_SIZE 64u  /* and alignment of an IAA completion record */

/* Status byte: low 7 bits code, bit 7 set when a fault was on a write. */
#ifndef DSA_COMP_STATUS_MASK
#define DSA_COMP_STATUS_MASK 0x7f
#endif
#ifndef DSA_COMP_STATUS_WRITE
#define DSA_COMP_STATUS_WRITE 0x80
#endif

/* Byte 2 of both completion records ("fault info"; 6.1 calls it rsvd).
 * Bit 0: the fault was on a write. Bit 1 (DSA memmove): the copy went
 * downwards (overlapping buffers), so the remainder is at the start. */
#define IDXD_CR_FAULT_INFO_OFFSET 2
#define IDXD_FAULT_INFO_WRITE 0x01
#define IDXD_FAULT_INFO_DESCENDING 0x02

/* IAA status codes missing from older headers. */
#ifndef IAX_COMP_PRS_TIMEOUT
#define IAX_COMP_PRS_TIMEOUT 0x23
#endif
/* The same code on the software DSA: page response not received in time. */
#define DSA_COMP_PRS_TIMEOUT_SIM 0x23

/* IAA CRC64: flags in the 16-bit field at byte 38 of the descriptor,
 * polynomial at byte 56, result at byte 32 of the completion record. */
#define IAX_CRC64_FLAGS_OFFSET 38
#define IAX_CRC64_POLY_OFFSET 56
#define IAX_CRC64_RESULT_OFFSET 32
#define IAX_CRC64_FLAG_REFLECT_SIM 0x4000 /* LSB-first bit order */
#define IAX_CRC64_FLAG_INVERT 0x8000      /* invert CRC (init and final XOR) */

/* IAA compression flags (compr_flags, byte 38). */
#define IAX_COMPR_FLAG_STATS_MODE 0x0001
#define IAX_COMPR_FLAG_FLUSH_OUTPUT 0x0002
#define IAX_COMPR_FLAG_END_APPEND_EOB_SIM 0x0004 /* end the stream (BFINAL) */
/* IAA decompression flags (decompr_flags, byte 38). */
#define IAX_DECOMPR_FLAG_ENABLE 0x0001
#define IAX_DECOMPR_FLAG_FLUSH_OUTPUT 0x0002
#define IAX_DECOMPR_FLAG_STOP_ON_EOB 0x0004
#define IAX_DECOMPR_FLAG_CHECK_EOB 0x0008 /* error if the stream does not end here */

/* IAA analytics error codes (error_code, byte 1) used for decompression. */
#define IAX_ERR_DECOMP_BAD_STREAM_SIM 0x01
#define IAX_ERR_DECOMP_TRUNCATED_SIM 0x02

/* IAA completion record byte 29 (reserved in the hardware's layout): flags of
 * the software device. End of stream: decompression reached the final block. */
#define IAX_CR_FLAGS_OFFSET_SIM 29
#define IAX_CR_FLAG_EOS_SIM 0x01

/* AECS (accumulator/state) for stateful decompression: src2 points to it. */
#define IAX_AECS_SIZE 1536u
#define IAX_AECS_ALIGN 64u

/* DSA operation-specific flags (bits 16..23). */
#define DSA_CRC_FLAG_READ_SEED 0x010000 /* seed is read from seed_addr */

/* Flags every DSA operation accepts (bits 0..15). */
#define DSA_COMMON_FLAGS                                                                  \
	(IDXD_OP_FLAG_FENCE | IDXD_OP_FLAG_BOF | IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR |   \
	 IDXD_OP_FLAG_RCI | IDXD_OP_FLAG_CRSTS | IDXD_OP_FLAG_CR | IDXD_OP_FLAG_CC |       \
	 IDXD_OP_FLAG_ADDR1_TCS | IDXD_OP_FLAG_ADDR2_TCS | IDXD_OP_FLAG_ADDR3_TCS |        \
	 IDXD_OP_FLAG_CR_TCS | IDXD_OP_FLAG_STORD | IDXD_OP_FLAG_DRDBK | IDXD_OP_FLAG_DSTS)

_Static_assert(sizeof(struct dsa_hw_desc) == 64, "DSA descriptor is 64 bytes");
_Static_assert(sizeof(struct iax_hw_desc) == 64, "IAA descriptor is 64 bytes");
_Static_assert(sizeof(struct dsa_completion_record) == 32, "DSA completion record is 32 bytes");
_Static_assert(sizeof(struct iax_completion_record) == 64, "IAA completion record is 64 bytes");
_Static_assert(offsetof(struct dsa_hw_desc, completion_addr) == 8, "layout");
_Static_assert(offsetof(struct dsa_hw_desc, xfer_size) == 32, "layout");
_Static_assert(offsetof(struct iax_hw_desc, compr_flags) == IAX_CRC64_FLAGS_OFFSET, "layout");
_Static_assert(offsetof(struct dsa_completion_record, bytes_completed) == 4, "layout");
_Static_assert(offsetof(struct dsa_completion_record, fault_addr) == 8, "layout");
_Static_assert(offsetof(struct iax_completion_record, output_size) == 24, "layout");
_Static_assert(offsetof(struct iax_completion_record, crc) == IAX_CRC64_RESULT_OFFSET, "layout");

/** Fault-info byte of a completion record (either kind). */
static inline uint8_t idxd_cr_fault_info(const void *cr)
{
	return ((const volatile uint8_t *)cr)[IDXD_CR_FAULT_INFO_OFFSET];
}

static inline void idxd_cr_set_fault_info(void *cr, uint8_t v)
{
	((uint8_t *)cr)[IDXD_CR_FAULT_INFO_OFFSET] = v;
}

/** Status byte of a completion record, read with acquire ordering. */
static inline uint8_t idxd_cr_status(const void *cr)
{
	return __atomic_load_n((const uint8_t *)cr, __ATOMIC_ACQUIRE);
}

/** Publish a status byte after the rest of the record (release ordering). */
static inline void idxd_cr_set_status(void *cr, uint8_t st)
{
	__atomic_store_n((uint8_t *)cr, st, __ATOMIC_RELEASE);
}

static inline uint64_t idxd_rd64(const void *base, size_t off)
{
	uint64_t v;
	__builtin_memcpy(&v, (const char *)base + off, 8);
	return v;
}

static inline void idxd_wr64(void *base, size_t off, uint64_t v)
{
	__builtin_memcpy((char *)base + off, &v, 8);
}

static inline uint32_t idxd_rd32(const void *base, size_t off)
{
	uint32_t v;
	__builtin_memcpy(&v, (const char *)base + off, 4);
	return v;
}

static inline void idxd_wr32(void *base, size_t off, uint32_t v)
{
	__builtin_memcpy((char *)base + off, &v, 4);
}

static inline uint16_t idxd_rd16(const void *base, size_t off)
{
	uint16_t v;
	__builtin_memcpy(&v, (const char *)base + off, 2);
	return v;
}

static inline void idxd_wr16(void *base, size_t off, uint16_t v)
{
	__builtin_memcpy((char *)base + off, &v, 2);
}

#endif
