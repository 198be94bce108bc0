/* SPDX-License-Identifier: BSD-3-Clause */
/* The dsa_sim and iaa_sim drivers: lib/dma devices backed by the software
 * DSA/IAA device. Each queue gets a PASID of the device's IOMMU, bound to
 * the queue's address space, and a portal stamping it; the data path is the
 * common idxd queue. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "idxd_backend.h"
#include "sim_dsa.h"
#include "sva_as.h"
#include "sva_defaults.h"
#include "sva_dma_driver.h"
#include "sva_iopf_swq.h"
#include "sva_log.h"

struct sim_dev {
	struct sim_dsa *hw;
	struct idxd_pc pc;           /* partial-completion faults, one per device */
	int numa_node;
	bool iaa;
};

struct sim_queue {
	struct idxd_queue *q;        /* first: struct idxd_backend_queue */
	struct sim_portal *portal;
};

static const char *const sim_args[] = {
	"wqs", "wq_size", "shared", "engines", "engine_cpus", "max_xfer", "max_batch",
	"prs_timeout_ms", "bw", "lat_ns", "atc", "pasid_bits", "prq_depth", "bof", "comp_level",
	"inject_xlate", "inject_drop", "inject_delay_us", "numa", NULL,
};

#define SIM_HELP                                                                              \
	"    wqs=N (1..16, default 2)  wq_size=N (default 256)  shared=0|1 (shared work queues)\n" \
	"    engines=N (0 = run inline in the caller; default 1)  engine_cpus=C[:C...]\n"          \
	"    max_xfer=SIZE (default 1g)  max_batch=N (default 256)  bof=0|1 (default 1)\n"         \
	"    prs_timeout_ms=N (default 2000)  bw=BYTES/s  lat_ns=N  atc=ENTRIES  pasid_bits=N\n"   \
	"    prq_depth=N  comp_level=1..9  numa=NODE\n"                                            \
	"    inject_xlate=N  inject_drop=N  inject_delay_us=N (fault injection)\n"

static struct sva_as *pc_lookup_as(void *arg, uint32_t pasid)
{
	struct sim_dev *sd = arg;
	return sim_iommu_pasid_as(sim_dsa_iommu(sd->hw), pasid);
}

static int parse_cpus(const char *s, struct sim_dsa_conf *c, char *err, size_t errlen)
{
	unsigned int n = 0;
	const char *p = s;
	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || v < 0 || v > 4095 || (*end && *end != ':')) {
			snprintf(err, errlen, "engine_cpus=%s: expected CPU numbers separated by ':'", s);
			return -EINVAL;
		}
		if (n == SIM_DSA_MAX_ENGINES) {
			snprintf(err, errlen, "engine_cpus=%s: more than %d CPUs", s, SIM_DSA_MAX_ENGINES);
			return -EINVAL;
		}
		c->engine_cpu[n++] = (int16_t)v;
		p = *end ? end + 1 : end;
	}
	if (n && n != c->nb_engines) {
		snprintf(err, errlen, "engine_cpus=%s names %u CPUs for %u engines", s, n,
			 c->nb_engines);
		return -EINVAL;
	}
	c->engines_pinned = n > 0;
	return 0;
}

static int sim_parse(const struct sva_kvargs *kv, struct sim_dsa_conf *c, uint32_t *numa,
		     char *err, size_t errlen)
{
	uint64_t v;
	bool b;
#define U64(key, def, min, max, dst)                                                       \
	do {                                                                               \
		if (sva_kvargs_u64(kv, key, def, min, max, &v, err, errlen) < 0)           \
			return -EINVAL;                                                    \
		dst = v;                                                                   \
	} while (0)
	U64("wqs", 2, 1, SIM_DSA_MAX_WQS, c->nb_wqs);
	U64("wq_size", 256, 2, 65536, c->wq_size);
	U64("engines", 1, 0, SIM_DSA_MAX_ENGINES, c->nb_engines);
	U64("max_xfer", 1u << 30, 4096, 1u << 31, c->max_xfer);
	U64("max_batch", 256, 2, 4096, c->max_batch);
	U64("prs_timeout_ms", SVA_DEFAULT_PRS_TIMEOUT_MS, 1, 600000, c->prs_timeout_ms);
	U64("bw", 0, 0, UINT64_MAX, c->bw_bytes_per_s);
	U64("lat_ns", 0, 0, 1000000000, c->lat_ns);
	U64("atc", SVA_DEFAULT_ATC_ENTRIES, 1, 65536, c->atc_entries);
	U64("pasid_bits", SVA_DEFAULT_PASID_BITS, 1, 20, c->pasid_bits);
	U64("prq_depth", SVA_DEFAULT_PRQ_DEPTH, 1, 1u << 20, c->prq_depth);
	U64("comp_level", 1, 1, 9, c->comp_level);
	U64("inject_xlate", 0, 0, UINT32_MAX, c->inject.xlate_fail_every);
	U64("inject_drop", 0, 0, UINT32_MAX, c->inject.drop_every);
	U64("inject_delay_us", 0, 0, 10000000, c->inject.delay_us);
	U64("numa", UINT32_MAX, 0, UINT32_MAX, *numa);
#undef U64
	if (sva_kvargs_bool(kv, "shared", false, &b, err, errlen) < 0)
		return -EINVAL;
	c->wq_shared = b;
	if (sva_kvargs_bool(kv, "bof", true, &b, err, errlen) < 0)
		return -EINVAL;
	c->no_block_on_fault = !b;
	const char *cpus = sva_kvargs_get(kv, "engine_cpus");
	if (cpus && parse_cpus(cpus, c, err, errlen) < 0)
		return -EINVAL;
	if (!SVA_IS_POW2(c->wq_size)) {
		snprintf(err, errlen, "wq_size=%u: must be a power of two", c->wq_size);
		return -EINVAL;
	}
	return 0;
}

static int sim_info(struct sva_dev *dev, struct sva_dev_info *info)
{
	struct sim_dev *sd = dev->priv;
	const struct sim_dsa_conf *c = sim_dsa_config(sd->hw);
	info->capa = idxd_queue_capa_ops(sd->iaa) | SVA_CAPA_SVA | SVA_CAPA_MANAGED_AS |
		     SVA_CAPA_PARTIAL;
	if (!c->no_block_on_fault)
		info->capa |= SVA_CAPA_BLOCK_ON_FAULT;
	info->min_desc = 2;
	info->max_desc = 4096;
	info->max_xfer = c->max_xfer;
	info->max_batch = sd->iaa ? 1 : c->max_batch;
	info->numa_node = (int16_t)sd->numa_node;
	info->pasid_bits = (uint8_t)(c->pasid_bits ? c->pasid_bits : SVA_DEFAULT_PASID_BITS);
	return 0;
}

static int sim_start(struct sva_dev *dev)
{
	struct sim_dev *sd = dev->priv;
	return sim_dsa_start(sd->hw);
}

static int sim_stop(struct sva_dev *dev)
{
	struct sim_dev *sd = dev->priv;
	return sim_dsa_stop(sd->hw);
}

static void sim_close(struct sva_dev *dev)
{
	struct sim_dev *sd = dev->priv;
	sim_dsa_destroy(sd->hw);
	idxd_pc_destroy(&sd->pc);
	free(sd);
}

/* The poll hook runs descriptors in the polling thread when the device has no
 * engine threads, and also while they are stopped (sva_dev_stop()): what was
 * in flight then still completes. With engines running it returns at once. */
static const struct idxd_portal_ops sim_portal_ops = {
	.submit = (int (*)(void *, const void *))sim_portal_submit,
	.poll = (void (*)(void *))sim_portal_poll,
};

static int sim_queue_setup(struct sva_dev *dev, struct sva_queue *q,
			   const struct sva_queue_conf *conf)
{
	struct sim_dev *sd = dev->priv;
	const struct sim_dsa_conf *c = sim_dsa_config(sd->hw);
	struct sim_iommu *mmu = sim_dsa_iommu(sd->hw);
	struct sim_queue *sq = calloc(1, sizeof(*sq));
	if (!sq)
		return -ENOMEM;
	int rc = sim_iommu_pasid_alloc(mmu, &q->pasid);
	if (rc < 0) {
		SVA_LOG(IDXD, ERR, "%s: no PASID left (%u bits)", dev->name, c->pasid_bits);
		goto fail_free;
	}
	rc = sim_iommu_bind(mmu, q->pasid, q->as);
	if (rc < 0)
		goto fail_pasid;
	unsigned int wq = q->id % c->nb_wqs;
	sq->portal = sim_dsa_portal_open(sd->hw, wq, q->pasid);
	if (!sq->portal) {
		rc = -errno;
		SVA_LOG(IDXD, ERR, "%s: cannot open a portal on work queue %u: %s", dev->name, wq,
			strerror(errno));
		goto fail_bind;
	}
	char name[96];
	snprintf(name, sizeof(name), "%s.q%u", dev->name, q->id);
	struct idxd_queue_conf qc = {
		.name = name,
		.iaa = sd->iaa,
		.nb_desc = q->nb_desc,
		.pasid = q->pasid,
		.block_on_fault = conf->fault_mode == SVA_FAULT_BLOCK,
		.max_batch = (uint16_t)c->max_batch, /* idxd_queue_create: 1 for IAA */
		.portal_ops = &sim_portal_ops,
		.portal = sq->portal,
		.pc_swq = sd->pc.swq,
		.fault_timeout_ms = c->prs_timeout_ms, /* the device's page-response timeout */
		.numa_node = sd->numa_node,
		.map_as = sva_as_type(q->as) == SVA_AS_MANAGED ? q->as : NULL,
		.remote_device = c->nb_engines > 0,
	};
	sq->q = idxd_queue_create(&qc);
	if (!sq->q) {
		rc = -errno;
		goto fail_portal;
	}
	idxd_queue_fill_fp(sq->q, &q->live);
	q->drv_priv = sq;
	return 0;
fail_portal:
	sim_portal_close(sq->portal);
fail_bind:
	sim_iommu_unbind(mmu, q->pasid);
fail_pasid:
	sim_iommu_pasid_free(mmu, q->pasid);
fail_free:
	free(sq);
	return rc;
}

static void sim_queue_release(struct sva_dev *dev, struct sva_queue *q)
{
	struct sim_dev *sd = dev->priv;
	struct sim_queue *sq = q->drv_priv;
	struct sim_iommu *mmu = sim_dsa_iommu(sd->hw);
	/* Every operation gets its final status. Each is bounded by the
	 * page-response timeouts, but operations blocked on faults nobody answers
	 * time out one after the other (members of one batch descriptor too):
	 * keep waiting as long as the queue or the device makes progress. Then
	 * the portal drains on the device side. */
	uint32_t prs_ms = sim_dsa_config(sd->hw)->prs_timeout_ms;
	uint32_t budget = prs_ms * 4 + prs_ms /* the queue's fault timeout */ + 1000;
	struct sim_dsa_stats st;
	sim_dsa_stats_get(sd->hw, &st);
	uint64_t descs = st.descs;
	while (idxd_queue_drain_progress(sq->q, budget) < 0) {
		sim_dsa_stats_get(sd->hw, &st);
		if (st.descs == descs) {
			SVA_LOG(IDXD, WARNING, "%s: queue %u released with operations in flight",
				dev->name, q->id);
			break;
		}
		descs = st.descs;
	}
	sim_portal_close(sq->portal);
	idxd_queue_free(sq->q);
	sim_iommu_unbind(mmu, q->pasid);
	sim_iommu_pasid_free(mmu, q->pasid);
	free(sq);
	q->drv_priv = NULL;
}

static int sim_dump(struct sva_dev *dev, FILE *f)
{
	struct sim_dev *sd = dev->priv;
	struct sva_iopf_swq_stats ps;
	sim_dsa_dump(sd->hw, f);
	sva_iopf_swq_stats_get(sd->pc.swq, &ps);
	fprintf(f, "  partial-completion faults: %llu raised, %llu answered, %llu overflow, "
		"%llu abandoned\n", (unsigned long long)ps.raised, (unsigned long long)ps.answered,
		(unsigned long long)ps.overflow, (unsigned long long)ps.cancelled);
	return 0;
}

static int sim_attach_iopf(struct sva_dev *dev, struct sva_iopf *pf)
{
	struct sim_dev *sd = dev->priv;
	int rc = sim_iommu_attach_iopf(sim_dsa_iommu(sd->hw), pf);
	if (rc < 0)
		return rc;
	rc = idxd_pc_attach(&sd->pc, pf);
	if (rc < 0)
		sim_iommu_detach_iopf(sim_dsa_iommu(sd->hw));
	return rc;
}

static int sim_detach_iopf(struct sva_dev *dev)
{
	struct sim_dev *sd = dev->priv;
	int rc = idxd_pc_detach(&sd->pc);
	if (rc < 0)
		return rc;
	return sim_iommu_detach_iopf(sim_dsa_iommu(sd->hw));
}

static const struct sva_dev_ops sim_ops = {
	.info = sim_info,
	.start = sim_start,
	.stop = sim_stop,
	.close = sim_close,
	.queue_setup = sim_queue_setup,
	.queue_drain = idxd_backend_queue_drain,
	.queue_release = sim_queue_release,
	.queue_stats = idxd_backend_queue_stats,
	.queue_stats_reset = idxd_backend_queue_stats_reset,
	.queue_dump = idxd_backend_queue_dump,
	.dump = sim_dump,
	.attach_iopf = sim_attach_iopf,
	.detach_iopf = sim_detach_iopf,
};

static int sim_probe(struct sva_dev *dev, const struct sva_kvargs *kv, bool iaa, char *err,
		     size_t errlen)
{
	struct sim_dsa_conf c = {.name = dev->name, .type = iaa ? SIM_DEV_IAA : SIM_DEV_DSA};
	uint32_t numa = UINT32_MAX;
	if (sim_parse(kv, &c, &numa, err, errlen) < 0)
		return -EINVAL;
	struct sim_dev *sd = calloc(1, sizeof(*sd));
	if (!sd)
		return -ENOMEM;
	sd->iaa = iaa;
	sd->numa_node = numa == UINT32_MAX ? -1 : (int)numa;
	sd->hw = sim_dsa_create(&c);
	if (!sd->hw) {
		int e = errno;
		snprintf(err, errlen, "cannot create the software device: %s", strerror(e));
		free(sd);
		return -e;
	}
	if (idxd_pc_create(&sd->pc, dev->name, pc_lookup_as, sd) < 0) {
		sim_dsa_destroy(sd->hw);
		free(sd);
		return -ENOMEM;
	}
	dev->priv = sd;
	dev->ops = &sim_ops;
	dev->max_queues = (uint16_t)(c.wq_shared ? SVA_MIN(64u * c.nb_wqs, (unsigned)SVA_DEV_MAX_QUEUES)
						 : c.nb_wqs);
	return 0;
}

static int dsa_sim_probe(struct sva_dev *dev, const struct sva_kvargs *kv, char *err, size_t errlen)
{
	return sim_probe(dev, kv, false, err, errlen);
}

static int iaa_sim_probe(struct sva_dev *dev, const struct sva_kvargs *kv, char *err, size_t errlen)
{
	return sim_probe(dev, kv, true, err, errlen);
}

const struct sva_driver sva_drv_dsa_sim = {
	.name = "dsa_sim",
	.prefix = "dsa_sim",
	.args = sim_args,
	.help = SIM_HELP,
	.probe = dsa_sim_probe,
};

const struct sva_driver sva_drv_iaa_sim = {
	.name = "iaa_sim",
	.prefix = "iaa_sim",
	.args = sim_args,
	.help = SIM_HELP,
	.probe = iaa_sim_probe,
};
