/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz harness of the software DSA/IAA device: arbitrary 64-byte descriptors
 * (and batch descriptors pointing at arbitrary lists) written to an inline
 * portal whose PASID is bound to a managed address space holding a few
 * buffers. Whatever the input, the device must not crash, hang, or touch
 * memory outside the mappings (guard pages around every buffer, a read-only
 * buffer, are checked after each input; ASan watches the rest).
 *
 * Built two ways from this file:
 * - with -Dfuzz=true and clang: a libFuzzer target (LLVMFuzzerTestOneInput);
 * - always, with FUZZ_REPLAY: a program that runs the files given on its
 *   command line (a corpus directory or files) and then N pseudo-random
 *   inputs from a fixed seed; registered as a unit test.
 *
 * Input: one header byte (bit 0: IAA rather than DSA; bit 1: drop the
 * on-demand mappings between descriptors), then records of 65 bytes: a
 * control byte and a descriptor. Two bits of the control byte per address
 * field (completion record, source, destination, second source/destination)
 * say how to read it: 0 as is; 1..3 as a buffer number (top byte) and an
 * offset into it (1: up to 128 KiB, may run past the buffer; 2: 64-byte
 * aligned within the first page; 3: inside the buffer). A DSA batch
 * descriptor takes the next (xfer_size & 15) records as its list, written to
 * the list buffer.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "idxd_hw.h"
#include "sim_deflate.h"
#include "sim_dsa.h"
#include "sim_iommu.h"
#include "sva_as.h"
#include "sva_common.h"
#include "sva_iopf.h"
#include "sva_log.h"

#define PG ((size_t)SVA_PAGE_SIZE)
#define REC 65
#define CANARY 0xC5

enum { R_A, R_B, R_RO, R_CR, R_LIST, R_AECS, R_LAZY, NREG };

struct region {
	const char *name;
	size_t len;
	uint32_t perm; /* in the managed space; 0: mapped on demand (R_LAZY) */
	uint8_t *p;
};

static struct region reg[NREG] = {
	[R_A] = {"a", 64 * 1024, SVA_PERM_READ | SVA_PERM_WRITE, NULL},
	[R_B] = {"b", 64 * 1024, SVA_PERM_READ | SVA_PERM_WRITE, NULL},
	[R_RO] = {"ro", 16 * 1024, SVA_PERM_READ, NULL},
	[R_CR] = {"cr", 4096, SVA_PERM_READ | SVA_PERM_WRITE, NULL},
	[R_LIST] = {"list", 4096, SVA_PERM_READ | SVA_PERM_WRITE, NULL},
	[R_AECS] = {"aecs", 8192, SVA_PERM_READ | SVA_PERM_WRITE, NULL},
	[R_LAZY] = {"lazy", 16 * 1024, 0, NULL},
};

static struct {
	bool ready;
	uint8_t *mem;
	size_t memlen;
	struct sva_as *as;
	struct sva_iopf *pf;
	struct sim_dsa *hw[2];
	struct sim_portal *portal[2];
	uint32_t pasid[2];
	uint64_t lazy_mapped; /* bit per page of R_LAZY */
	uint64_t descs;
} F;

#define SETTLE_LIMIT 2000000u

static void die(const char *what)
{
	fprintf(stderr, "fuzz_desc: %s\n", what);
	abort();
}

/* The lazy buffer's pages are mapped when the device faults on them. */
static int lazy_resolve(struct sva_as *as, uint64_t addr, uint32_t perm, void *arg)
{
	(void)arg;
	(void)perm;
	uint64_t lo = (uint64_t)(uintptr_t)reg[R_LAZY].p;
	if (addr < lo || addr >= lo + reg[R_LAZY].len)
		return -EFAULT;
	unsigned int page = (unsigned int)((addr - lo) / PG);
	if (F.lazy_mapped & (1ull << page))
		return 0;
	int rc = sva_as_map(as, reg[R_LAZY].p + page * PG, PG, SVA_PERM_READ | SVA_PERM_WRITE);
	if (rc == 0)
		F.lazy_mapped |= 1ull << page;
	return rc == -EEXIST ? 0 : rc;
}

static void lazy_unmap(void)
{
	for (unsigned int i = 0; i < reg[R_LAZY].len / PG; i++)
		if (F.lazy_mapped & (1ull << i))
			if (sva_as_unmap(F.as, reg[R_LAZY].p + i * PG, PG) != 0)
				die("cannot unmap a lazy page");
	F.lazy_mapped = 0;
}

/* Initial contents of every buffer (made once), and a guard page's. */
static uint8_t *tmpl[NREG];
static uint32_t comp_len; /* bytes of the deflate stream at the start of a */
static uint8_t canary_page[SVA_PAGE_SIZE];

static void make_templates(void)
{
	for (int r = 0; r < NREG; r++) {
		tmpl[r] = malloc(reg[r].len);
		if (!tmpl[r])
			die("malloc");
		for (size_t i = 0; i < reg[r].len; i++)
			tmpl[r][i] = (uint8_t)(i * 7 + (size_t)r * 31 + (i >> 9));
	}
	/* Some compressible text in b, and a raw deflate stream of it at the
	 * start of a (for decompression); records and AECS start zeroed. */
	static const char txt[] = "shared virtual addressing for user-space DMA, ";
	for (size_t i = 0; i < reg[R_B].len / 2; i++)
		tmpl[R_B][i] = (uint8_t)txt[i % (sizeof(txt) - 1)];
	for (size_t i = 0; i < 1000; i++)
		tmpl[R_B][(i * 37) % (reg[R_B].len / 2)] = (uint8_t)i;
	if (sim_deflate(tmpl[R_B], (uint32_t)(reg[R_B].len / 2), tmpl[R_A], 16384, true, 6,
			&comp_len) != 0)
		die("sim_deflate");
	memset(tmpl[R_CR], 0, reg[R_CR].len);
	memset(tmpl[R_AECS], 0, reg[R_AECS].len);
	memset(canary_page, CANARY, sizeof(canary_page));
}

/* Deterministic contents at the start of each input. */
static void reset_regions(void)
{
	for (int r = 0; r < NREG; r++)
		memcpy(reg[r].p, tmpl[r], reg[r].len);
}

static void check_memory(void)
{
	/* Guard pages: before every buffer and after the last. */
	for (int r = 0; r <= NREG; r++) {
		const uint8_t *g = r < NREG ? reg[r].p - PG : reg[NREG - 1].p + reg[NREG - 1].len;
		if (memcmp(g, canary_page, PG))
			die("the device wrote outside the managed space (guard page)");
	}
	if (memcmp(reg[R_RO].p, tmpl[R_RO], reg[R_RO].len))
		die("the device wrote into a read-only mapping");
}

static void fuzz_init(void)
{
	if (F.ready)
		return;
	sva_log_set_level(SVA_LOG_TYPE_MAX, SVA_LOG_ERR);
	/* guard page, buffer (rounded to pages), guard page, ... */
	size_t total = PG;
	for (int r = 0; r < NREG; r++)
		total += SVA_ALIGN_UP(reg[r].len, PG) + PG;
	F.memlen = total;
	F.mem = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (F.mem == MAP_FAILED)
		die("mmap");
	memset(F.mem, CANARY, total);
	uint8_t *p = F.mem + PG;
	for (int r = 0; r < NREG; r++) {
		reg[r].p = p;
		p += SVA_ALIGN_UP(reg[r].len, PG) + PG;
	}
	make_templates();
	reset_regions();
	F.as = sva_as_create_managed(&(struct sva_as_conf){
		.name = "fuzz", .resolve = lazy_resolve, .resolve_arg = NULL});
	if (!F.as)
		die("managed address space");
	for (int r = 0; r < NREG; r++)
		if (reg[r].perm && sva_as_map(F.as, reg[r].p, reg[r].len, reg[r].perm) != 0)
			die("sva_as_map");
	F.pf = sva_iopf_create(&(struct sva_iopf_conf){.name = "fuzz", .fault_ahead = 0});
	if (!F.pf)
		die("iopf");
	for (int t = 0; t < 2; t++) {
		struct sim_dsa_conf c = {
			.name = t ? "iaa_fuzz" : "dsa_fuzz",
			.type = t ? SIM_DEV_IAA : SIM_DEV_DSA,
			.nb_wqs = 1,
			.wq_size = 64,
			.nb_engines = 0,
			.max_xfer = 1u << 20,
			.max_batch = 16,
			.prs_timeout_ms = 20,
			.pasid_bits = 8,
		};
		F.hw[t] = sim_dsa_create(&c);
		if (!F.hw[t] || sim_dsa_start(F.hw[t]) != 0)
			die("sim_dsa_create");
		struct sim_iommu *mmu = sim_dsa_iommu(F.hw[t]);
		if (sim_iommu_attach_iopf(mmu, F.pf) != 0 ||
		    sim_iommu_pasid_alloc(mmu, &F.pasid[t]) != 0 ||
		    sim_iommu_bind(mmu, F.pasid[t], F.as) != 0)
			die("PASID");
		F.portal[t] = sim_dsa_portal_open(F.hw[t], 0, F.pasid[t]);
		if (!F.portal[t])
			die("portal");
	}
	F.ready = true;
}

/* Address field transform (see the header). */
static uint64_t xform(uint64_t v, unsigned int mode)
{
	if (mode == 0)
		return v;
	const struct region *r = &reg[(v >> 56) % NREG];
	uint64_t base = (uint64_t)(uintptr_t)r->p;
	switch (mode) {
	case 1:
		return base + (v & 0x1ffff);
	case 2:
		return base + (v & 0xfc0);
	default:
		return base + (v & 0xffffff) % r->len;
	}
}

static void make_desc(uint8_t d[64], const uint8_t *rec)
{
	static const unsigned int fields[4] = {8, 16, 24, 40};
	uint8_t ctl = rec[0];
	memcpy(d, rec + 1, 64);
	for (int i = 0; i < 4; i++) {
		unsigned int mode = (ctl >> (2 * i)) & 3;
		idxd_wr64(d, fields[i], xform(idxd_rd64(d, fields[i]), mode));
	}
}

/* Run the portal and the handler until the device has finished everything
 * written to it (records included). */
static bool settle(int t)
{
	for (uint32_t i = 0; i < SETTLE_LIMIT; i++) {
		sim_portal_poll(F.portal[t]);
		sva_iopf_poll(F.pf, 64);
		if (!sim_portal_inflight(F.portal[t]))
			return true;
	}
	return false;
}

static void submit(int t, const uint8_t d[64])
{
	for (;;) {
		int rc = sim_portal_submit(F.portal[t], d);
		if (rc == 0)
			return;
		if (rc != -EAGAIN)
			die("sim_portal_submit");
		/* Work queue full: let it run. */
		for (int i = 0; i < 1000; i++) {
			sim_portal_poll(F.portal[t]);
			sva_iopf_poll(F.pf, 64);
		}
	}
}

static void run_input(const uint8_t *data, size_t size)
{
	fuzz_init();
	if (size < 1)
		return;
	int t = data[0] & 1;
	bool drop_lazy = data[0] & 2;
	data++;
	size--;
	size_t nrec = size / REC;
	if (nrec > 64)
		nrec = 64;
	for (size_t i = 0; i < nrec; i++) {
		uint8_t d[64];
		make_desc(d, data + i * REC);
		if (t == 0 && d[7] == DSA_OPCODE_BATCH) {
			/* The next records become the list. */
			uint32_t n = d[32] & 15;
			if (n > nrec - i - 1)
				n = (uint32_t)(nrec - i - 1);
			for (uint32_t k = 0; k < n; k++)
				make_desc(reg[R_LIST].p + (size_t)k * 64, data + (i + 1 + k) * REC);
			if (((data[i * REC] >> 2) & 3) == 0)
				idxd_wr64(d, 16, (uint64_t)(uintptr_t)reg[R_LIST].p);
			i += n;
		}
		submit(t, d);
		F.descs++;
		if (drop_lazy) {
			/* Unmapping while the device may hold translations of them. */
			sim_portal_poll(F.portal[t]);
			lazy_unmap();
		}
	}
	if (!settle(t))
		die("the device hangs: descriptors never complete");
	/* Every buffer stays mapped in the process: an access the guard caught
	 * is one the device made without a translation that allowed it. */
	struct sim_dsa_stats st;
	sim_dsa_stats_get(F.hw[t], &st);
	if (st.stale != 0) /* the device's count of guarded faults */
		die("the device touched memory it had not translated (guarded fault)");
	struct sim_swerr e;
	while (sim_dsa_swerr_read(F.hw[t], &e) == 0)
		;
	check_memory();
	lazy_unmap();
	reset_regions();
}

#ifndef FUZZ_REPLAY

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run_input(data, size);
	return 0;
}

#else /* FUZZ_REPLAY */

static uint64_t rng = 0x5DEECE66Dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Field helpers for random_input(): a buffer reference (mode 3: inside the
 * buffer, or 1: may run past it) or a raw value (mode 0). */
static uint64_t ref(unsigned int r, uint64_t off)
{
	return (uint64_t)r << 56 | off;
}

static void set_mode(uint8_t *ctl, int field, unsigned int mode)
{
	*ctl = (uint8_t)((*ctl & ~(3u << (2 * field))) | mode << (2 * field));
}

static uint64_t any_buf(uint8_t *ctl, int field)
{
	static const unsigned int bufs[] = {R_A, R_B, R_B, R_RO, R_LAZY, R_A};
	set_mode(ctl, field, rnd() % 8 ? 3 : 1);
	return ref(bufs[rnd() % SVA_ARRAY_SIZE(bufs)], rnd() % (rnd() % 4 ? 16384 : 0x1ffff));
}

static uint32_t any_size(void)
{
	switch (rnd() % 8) {
	case 0: return (uint32_t)(rnd() % (2u << 20));
	case 1: return (uint32_t)(rnd() % 64);
	default: return (uint32_t)(1 + rnd() % 20000);
	}
}

/* One descriptor that is mostly well formed for its opcode. */
static void random_desc(uint8_t *r, bool iaa)
{
	static const uint8_t dsa_ops[] = {0, 2, 3, 3, 3, 4, 4, 5, 6, 9, 0x10, 0x11, 0x20, 0x3f};
	static const uint8_t iaa_ops[] = {0, 2, 3, 0x42, 0x42, 0x43, 0x43, 0x44, 0x50};
	uint8_t *ctl = r, *d = r + 1;
	memset(d, 0, 64);
	*ctl = 0;
	set_mode(ctl, 0, 2);
	idxd_wr64(d, 8, ref(R_CR, (rnd() % 63) * 64));
	uint32_t fl = IDXD_OP_FLAG_CRAV | (rnd() % 2 ? IDXD_OP_FLAG_RCR : 0) |
		      (rnd() % 2 ? IDXD_OP_FLAG_BOF : 0) | (rnd() % 8 == 0 ? IDXD_OP_FLAG_FENCE : 0);
	uint8_t op = iaa ? iaa_ops[rnd() % sizeof(iaa_ops)] : dsa_ops[rnd() % sizeof(dsa_ops)];
	uint32_t size = any_size();
	switch (iaa ? op | 0x100 : op) {
	case 3: case 0x103: /* memmove */
	case 5: case 0x11:  /* compare, copy with CRC */
		idxd_wr64(d, 16, any_buf(ctl, 1));
		idxd_wr64(d, 24, any_buf(ctl, 2));
		if (op == 5)
			d[40] = (uint8_t)(rnd() % 2);
		if (op == 0x11)
			idxd_wr64(d, 40, (uint32_t)rnd());
		break;
	case 4: /* fill: pattern in the source field */
		idxd_wr64(d, 16, rnd());
		idxd_wr64(d, 24, any_buf(ctl, 2));
		break;
	case 6: /* compare pattern */
		idxd_wr64(d, 16, any_buf(ctl, 1));
		idxd_wr64(d, 24, rnd());
		break;
	case 9: { /* dualcast: both destinations at the same page offset */
		uint64_t off = rnd() % 4096;
		set_mode(ctl, 2, 1);
		set_mode(ctl, 3, 1);
		idxd_wr64(d, 16, any_buf(ctl, 1));
		idxd_wr64(d, 24, ref(R_A, off + 4096 * (rnd() % 4)));
		idxd_wr64(d, 40, ref(rnd() % 2 ? R_B : R_LAZY, off + 4096 * (rnd() % 2)));
		break;
	}
	case 0x10: /* CRC generation */
		idxd_wr64(d, 16, any_buf(ctl, 1));
		idxd_wr64(d, 40, (uint32_t)rnd());
		break;
	case 0x20: /* cache flush */
		idxd_wr64(d, 24, any_buf(ctl, 2));
		break;
	case 0x143: { /* compress */
		idxd_wr64(d, 16, any_buf(ctl, 1));
		idxd_wr64(d, 24, any_buf(ctl, 2));
		uint16_t opf = IAX_COMPR_FLAG_FLUSH_OUTPUT | (rnd() % 2 ? IAX_COMPR_FLAG_END_APPEND_EOB_SIM : 0);
		idxd_wr16(d, 38, opf);
		uint32_t maxd = (uint32_t)(1 + rnd() % 40000);
		memcpy(d + 48, &maxd, 4);
		break;
	}
	case 0x142: { /* decompress: often the deflate stream at the start of a */
		set_mode(ctl, 1, 3);
		if (rnd() % 2) {
			idxd_wr64(d, 16, ref(R_A, 0));
			size = (uint32_t)(rnd() % 4 ? comp_len : 1 + rnd() % comp_len);
		} else {
			idxd_wr64(d, 16, any_buf(ctl, 1));
		}
		idxd_wr64(d, 24, any_buf(ctl, 2));
		uint16_t opf = IAX_DECOMPR_FLAG_ENABLE | IAX_DECOMPR_FLAG_FLUSH_OUTPUT |
			       (rnd() % 2 ? IAX_DECOMPR_FLAG_CHECK_EOB : 0);
		idxd_wr16(d, 38, opf);
		uint32_t maxd = (uint32_t)(1 + rnd() % 40000);
		memcpy(d + 48, &maxd, 4);
		if (rnd() % 2) {
			fl |= IDXD_OP_FLAG_WR_SRC2_AECS_COMP | (rnd() % 2 ? IDXD_OP_FLAG_RD_SRC2_AECS : 0);
			set_mode(ctl, 3, 2);
			idxd_wr64(d, 40, ref(R_AECS, (rnd() % 2) * 64));
			uint32_t s2 = IAX_AECS_SIZE;
			memcpy(d + 52, &s2, 4);
		}
		break;
	}
	case 0x144: /* CRC-64 */
		idxd_wr64(d, 16, any_buf(ctl, 1));
		idxd_wr16(d, 38, (uint16_t)(rnd() % 4 << 14));
		idxd_wr64(d, 56, rnd() % 2 ? 0x42F0E1EBA9EA3693ull : rnd());
		break;
	default: /* noop, drain, unknown opcodes */
		size = 0;
		break;
	}
	memcpy(d + 4, &fl, 3);
	d[7] = op;
	memcpy(d + 32, &size, 4);
	if (rnd() % 16 == 0) /* now and then, damage it */
		d[rnd() % 64] ^= (uint8_t)(1u << (rnd() % 8));
}

/* A random input of up to 8 descriptors, sometimes a DSA batch of them. */
static size_t random_input(uint8_t *buf, size_t cap)
{
	size_t nrec = 1 + rnd() % 8;
	if (1 + nrec * REC > cap)
		nrec = (cap - 1) / REC;
	buf[0] = (uint8_t)(rnd() % 4);
	bool iaa = buf[0] & 1;
	for (size_t i = 0; i < nrec; i++) {
		uint8_t *r = buf + 1 + i * REC;
		if (rnd() % 16 == 0) {
			for (int k = 0; k < REC; k++) /* anything at all */
				r[k] = (uint8_t)rnd();
		} else {
			random_desc(r, iaa);
		}
	}
	if (!iaa && nrec > 2 && rnd() % 3 == 0) {
		/* The first record becomes a batch of the following ones. */
		uint8_t *r = buf + 1, *d = r + 1;
		memset(d, 0, 64);
		r[0] = 2; /* record in the CR buffer; list: the list buffer */
		idxd_wr64(d, 8, ref(R_CR, 63 * 64 - 64 * (rnd() % 2)));
		uint32_t fl = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | (rnd() % 2 ? IDXD_OP_FLAG_BOF : 0);
		memcpy(d + 4, &fl, 3);
		d[7] = DSA_OPCODE_BATCH;
		uint32_t cnt = (uint32_t)(nrec - 1 + (rnd() % 8 == 0 ? rnd() % 20 : 0));
		memcpy(d + 32, &cnt, 4);
	}
	return 1 + nrec * REC;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	static uint8_t buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	run_input(buf, n);
	return 0;
}

static int run_path(const char *path, unsigned int *files)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*files)++;
		return run_file(path);
	}
	DIR *dir = opendir(path);
	if (!dir) {
		perror(path);
		return -1;
	}
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (run_path(p, files) < 0)
			rc = -1;
	}
	closedir(dir);
	return rc;
}

static void fuzz_fini(void)
{
	for (int t = 0; t < 2; t++) {
		struct sim_iommu *mmu = sim_dsa_iommu(F.hw[t]);
		sim_portal_close(F.portal[t]);
		sim_iommu_unbind(mmu, F.pasid[t]);
		sim_iommu_pasid_free(mmu, F.pasid[t]);
		sim_iommu_detach_iopf(mmu);
		sim_dsa_destroy(F.hw[t]);
	}
	sva_iopf_destroy(F.pf);
	sva_as_put(F.as);
	munmap(F.mem, F.memlen);
	memset(&F, 0, sizeof(F));
	for (int r = 0; r < NREG; r++) {
		free(tmpl[r]);
		tmpl[r] = NULL;
	}
}

int main(int argc, char **argv)
{
	unsigned long n = 2000;
	unsigned int files = 0;
	int rc = 0;
	fuzz_init();
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = strtoul(argv[++i], NULL, 0);
			continue;
		}
		if (run_path(argv[i], &files) < 0)
			rc = 1;
	}
	static uint8_t buf[1 + 8 * REC];
	for (unsigned long i = 0; i < n; i++) {
		size_t len = random_input(buf, sizeof(buf));
		run_input(buf, len);
	}
	struct sim_dsa_stats st[2];
	for (int t = 0; t < 2; t++)
		sim_dsa_stats_get(F.hw[t], &st[t]);
	printf("fuzz_desc replay: %u corpus files, %lu random inputs, %llu descriptors; "
	       "DSA %llu ops %llu errors %llu page requests %llu partials; "
	       "IAA %llu ops %llu errors %llu page requests\n",
	       files, n, (unsigned long long)F.descs, (unsigned long long)st[0].descs,
	       (unsigned long long)st[0].errors, (unsigned long long)st[0].page_requests,
	       (unsigned long long)st[0].partials, (unsigned long long)st[1].descs,
	       (unsigned long long)st[1].errors, (unsigned long long)st[1].page_requests);
	fuzz_fini();
	return rc;
}

#endif
