/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Build-time defaults of svadk. Each value can be overridden at run time
 * (device arguments, configuration structs); these are what you get when you
 * say nothing. The reasons for each number are in doc/guides/architecture.md.
 */
#ifndef SVA_DEFAULTS_H
#define SVA_DEFAULTS_H

/** Pages resolved after the faulting one (fault-ahead); 15 = a 64 KiB window:
 *  what a fault that does not continue a sequential stream costs on top of
 *  its page. Alone it reaches about 0.6-0.7x the throughput of one large
 *  MADV_POPULATE_WRITE on sequential access (svadk-iopf-bench); the ramp
 *  below does the rest. */
#define SVA_DEFAULT_FAULT_AHEAD 15u
/** Largest fault-ahead a sequential stream ramps up to (pages after the
 *  faulting one): 255 = a 1 MiB window. A fixed 16-page window spends about
 *  as long on the fault's fixed costs (round trip, translation walks, one
 *  madvise call) as on the pages; doubling it for a device that keeps
 *  faulting right after the last window amortises them (svadk-iopf-bench). */
#define SVA_DEFAULT_FAULT_AHEAD_MAX 255u
/** Fault records the handler reads per source per poll. */
#define SVA_DEFAULT_IOPF_BATCH 64u
/** Page-request queue depth of the software IOMMU (records). */
#define SVA_DEFAULT_PRQ_DEPTH 1024u
/** Outstanding page-request groups per software IOMMU (PCIe PRG index: 9 bits). */
#define SVA_DEFAULT_PRQ_GROUPS 512u
/** PASID width of the software IOMMU (bits). */
#define SVA_DEFAULT_PASID_BITS 20u
/** How long a device waits for a page response before failing the descriptor. */
#define SVA_DEFAULT_PRS_TIMEOUT_MS 2000u
/** Idle backoff of pollers: pause-spins, then yields, then block. */
#define SVA_DEFAULT_IDLE_SPINS 2048u
#define SVA_DEFAULT_IDLE_YIELDS 64u
/** Upper bound of one blocking wait of an idle poller (safety net only). */
#define SVA_DEFAULT_IDLE_SLEEP_MS 100u
/** Default ring size of a DMA queue. */
#define SVA_DEFAULT_NB_DESC 1024u
/** Translation-cache entries per engine of the software device (each 2 MiB). */
#define SVA_DEFAULT_ATC_ENTRIES 64u

#endif
