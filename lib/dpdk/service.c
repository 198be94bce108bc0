/* SPDX-License-Identifier: BSD-3-Clause */
/* The IO page-fault handler as a DPDK service. */
#include <rte_config.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_service.h>
#include <rte_service_component.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sva_defaults.h"
#include "sva_dpdk.h"
#include "sva_iopf.h"
#include "sva_log.h"

struct sva_dpdk_iopf_service {
	struct sva_iopf *pf;
	unsigned int budget;
	uint32_t id;
	char name[RTE_SERVICE_NAME_MAX];
	bool mapped[RTE_MAX_LCORE]; /* lcores this module mapped the service to */
	bool added[RTE_MAX_LCORE];  /* service lcores this module added */
};

static int32_t iopf_service_cb(void *arg)
{
	struct sva_dpdk_iopf_service *svc = arg;
	int rc = sva_iopf_poll(svc->pf, svc->budget);
	/* -EAGAIN tells the service framework the call found no work. */
	return rc > 0 ? 0 : -EAGAIN;
}

struct sva_dpdk_iopf_service *
sva_dpdk_iopf_service_create(struct sva_iopf *pf, const struct sva_dpdk_iopf_service_conf *conf)
{
	struct sva_dpdk_iopf_service_conf c = {0};
	if (!pf) {
		errno = EINVAL;
		return NULL;
	}
	if (conf)
		c = *conf;
	if (!c.name)
		c.name = "svadk_iopf";
	if (!c.budget)
		c.budget = SVA_DEFAULT_IOPF_BATCH;
	if (strlen(c.name) >= RTE_SERVICE_NAME_MAX) {
		SVA_LOG(DPDK, ERR, "service name '%s' is longer than %d characters", c.name,
			RTE_SERVICE_NAME_MAX - 1);
		errno = EINVAL;
		return NULL;
	}
	uint32_t other;
	if (rte_service_get_by_name(c.name, &other) == 0) {
		SVA_LOG(DPDK, ERR, "a service named '%s' exists already (id %u)", c.name, other);
		errno = EEXIST;
		return NULL;
	}
	struct sva_dpdk_iopf_service *svc = calloc(1, sizeof(*svc));
	if (!svc) {
		errno = ENOMEM;
		return NULL;
	}
	svc->pf = pf;
	svc->budget = c.budget;
	snprintf(svc->name, sizeof(svc->name), "%s", c.name);
	struct rte_service_spec spec;
	memset(&spec, 0, sizeof(spec));
	snprintf(spec.name, sizeof(spec.name), "%s", c.name);
	spec.callback = iopf_service_cb;
	spec.callback_userdata = svc;
	spec.capabilities = 0; /* not MT-safe: the framework runs it on one lcore at a time */
	spec.socket_id = SOCKET_ID_ANY;
	int rc = rte_service_component_register(&spec, &svc->id);
	if (rc < 0) {
		SVA_LOG(DPDK, ERR, "cannot register service '%s': %s", c.name, strerror(-rc));
		free(svc);
		errno = -rc;
		return NULL;
	}
	rte_service_component_runstate_set(svc->id, 1);
	rte_service_runstate_set(svc->id, 1);
	SVA_LOG(DPDK, INFO, "fault handler registered as service '%s' (id %u)", svc->name, svc->id);
	return svc;
}

uint32_t sva_dpdk_iopf_service_id(const struct sva_dpdk_iopf_service *svc)
{
	return svc ? svc->id : UINT32_MAX;
}

int sva_dpdk_iopf_service_map_lcore(struct sva_dpdk_iopf_service *svc, unsigned int lcore)
{
	if (!svc || lcore >= RTE_MAX_LCORE)
		return -EINVAL;
	if (lcore == rte_get_main_lcore()) {
		SVA_LOG(DPDK, ERR, "service '%s': lcore %u is the main lcore; run the service from "
			"it with sva_dpdk_iopf_service_run() instead", svc->name, lcore);
		return -EINVAL;
	}
	int rc;
	if (rte_lcore_has_role(lcore, ROLE_SERVICE) <= 0) {
		if (!rte_lcore_is_enabled(lcore)) {
			SVA_LOG(DPDK, ERR, "service '%s': lcore %u is not enabled in the EAL "
				"(-l/--lcores/-s)", svc->name, lcore);
			return -EINVAL;
		}
		if (rte_eal_get_lcore_state(lcore) == RUNNING) {
			SVA_LOG(DPDK, ERR, "service '%s': lcore %u runs application work", svc->name,
				lcore);
			return -EBUSY;
		}
		rc = rte_service_lcore_add(lcore);
		if (rc < 0) {
			SVA_LOG(DPDK, ERR, "service '%s': cannot make lcore %u a service lcore: %s",
				svc->name, lcore, strerror(-rc));
			return rc;
		}
		svc->added[lcore] = true;
	}
	rc = rte_service_map_lcore_set(svc->id, lcore, 1);
	if (rc < 0) {
		SVA_LOG(DPDK, ERR, "service '%s': cannot map to lcore %u: %s", svc->name, lcore,
			strerror(-rc));
		return rc;
	}
	svc->mapped[lcore] = true;
	rc = rte_service_lcore_start(lcore);
	if (rc < 0 && rc != -EALREADY) {
		SVA_LOG(DPDK, ERR, "service '%s': cannot start service lcore %u: %s", svc->name,
			lcore, strerror(-rc));
		rte_service_map_lcore_set(svc->id, lcore, 0);
		svc->mapped[lcore] = false;
		return rc;
	}
	SVA_LOG(DPDK, INFO, "service '%s' runs on service lcore %u", svc->name, lcore);
	return 0;
}

int sva_dpdk_iopf_service_run(struct sva_dpdk_iopf_service *svc)
{
	if (!svc)
		return -EINVAL;
	/* serialize_mt_unsafe = 1: take the service's lock, so that a service
	 * lcore mapped to it at the same time is not a second poller. */
	return rte_service_run_iter_on_app_lcore(svc->id, 1);
}

int sva_dpdk_iopf_service_destroy(struct sva_dpdk_iopf_service *svc)
{
	if (!svc)
		return 0;
	/* Off first, still mapped: a service lcore notices it on its next
	 * loop and clears its "active" mark (an unmapped service is no longer
	 * looked at, and its mark would stay). */
	rte_service_runstate_set(svc->id, 0);
	rte_service_component_runstate_set(svc->id, 0);
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz();
	while (rte_service_may_be_active(svc->id) == 1) {
		if (rte_get_timer_cycles() > deadline) {
			SVA_LOG(DPDK, ERR, "service '%s' still runs after 1 s", svc->name);
			return -ETIMEDOUT;
		}
		rte_pause();
	}
	for (unsigned int l = 0; l < RTE_MAX_LCORE; l++) {
		if (svc->mapped[l]) {
			rte_service_map_lcore_set(svc->id, l, 0);
			svc->mapped[l] = false;
		}
	}
	for (unsigned int l = 0; l < RTE_MAX_LCORE; l++) {
		if (!svc->added[l])
			continue;
		if (rte_service_lcore_count_services(l) == 0) {
			rte_service_lcore_stop(l);
			rte_service_lcore_del(l);
		}
		svc->added[l] = false;
	}
	int rc = rte_service_component_unregister(svc->id);
	if (rc < 0)
		SVA_LOG(DPDK, WARNING, "service '%s': unregister: %s", svc->name, strerror(-rc));
	free(svc);
	return 0;
}
