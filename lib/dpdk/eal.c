/* SPDX-License-Identifier: BSD-3-Clause */
/* Bring the DPDK EAL up when the application has not. */
#include <rte_config.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sva_dpdk.h"
#include "sva_log.h"

#define EAL_MAX_ARGS 64

static pthread_mutex_t eal_lock = PTHREAD_MUTEX_INITIALIZER;

/* "0@(c1,c2,...)": one lcore allowed on every CPU the caller may use, so the
 * EAL does not pin the application's thread to a single CPU. */
static int lcores_arg(char *buf, size_t len)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	size_t n = (size_t)snprintf(buf, len, "--lcores=0@(");
	bool first = true;
	for (int c = 0; c < CPU_SETSIZE && n < len; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%d", first ? "" : ",", c);
		first = false;
	}
	if (first || n + 2 > len)
		return -ERANGE;
	snprintf(buf + n, len - n, ")");
	return 0;
}

static int eal_init_now(void)
{
	static char lcores_buf[4096];
	static const char *const defaults[] = {
		"--no-huge", "--no-shconf", "--no-pci", "--no-telemetry",
		"--iova-mode=va", "--log-level=warning",
	};
	char *argv[EAL_MAX_ARGS + 1];
	char *copy = NULL;
	int argc = 0;
	int rc;
	argv[argc++] = (char *)"svadk";
	const char *env = getenv("SVADK_EAL_ARGS");
	if (env && *env) {
		copy = strdup(env);
		if (!copy)
			return -ENOMEM;
		char *save = NULL;
		for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
			if (argc == EAL_MAX_ARGS) {
				SVA_LOG(DPDK, ERR, "SVADK_EAL_ARGS: more than %d arguments",
					EAL_MAX_ARGS - 1);
				free(copy);
				return -E2BIG;
			}
			argv[argc++] = t;
		}
	} else {
		for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
			argv[argc++] = (char *)defaults[i];
	}
	/* Without an lcore option the EAL would pin this thread to the first
	 * CPU: keep it free unless the arguments say otherwise. */
	bool lcores = false;
	for (int i = 1; i < argc; i++)
		lcores |= !strncmp(argv[i], "-l", 2) || !strncmp(argv[i], "-c", 2) ||
			  !strncmp(argv[i], "--lcores", 8);
	if (!lcores) {
		rc = argc < EAL_MAX_ARGS ? lcores_arg(lcores_buf, sizeof(lcores_buf)) : -E2BIG;
		if (rc < 0) {
			SVA_LOG(DPDK, ERR, "cannot add the --lcores argument: %s", strerror(-rc));
			free(copy);
			return rc;
		}
		argv[argc++] = lcores_buf;
	}
	argv[argc] = NULL;
	if (sva_log_enabled(SVA_LOG_DPDK, SVA_LOG_INFO)) {
		char line[1024];
		size_t n = 0;
		for (int i = 1; i < argc && n < sizeof(line); i++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", argv[i]);
		SVA_LOG(DPDK, INFO, "initialising the DPDK EAL:%s", line);
	}
	/* rte_eal_init() may permute argv: it is our own array. */
	rc = rte_eal_init(argc, argv);
	int err = rte_errno;
	free(copy);
	if (rc < 0) {
		if (err == EALREADY)
			return 0;
		SVA_LOG(DPDK, ERR, "rte_eal_init failed: %s%s", rte_strerror(err),
			env && *env ? " (arguments from SVADK_EAL_ARGS)" : "");
		return -(err ? err : EINVAL);
	}
	return 1;
}

int sva_dpdk_eal_ensure(void)
{
	/* Before rte_eal_init() no lcore is enabled; after it, at least the
	 * main lcore is. */
	if (rte_lcore_count() > 0)
		return 0;
	pthread_mutex_lock(&eal_lock);
	int rc = rte_lcore_count() > 0 ? 0 : eal_init_now();
	pthread_mutex_unlock(&eal_lock);
	return rc;
}

struct ctrl_call {
	int (*fn)(void *arg);
	void *arg;
	int rc;
};

static void *ctrl_call_thread(void *p)
{
	struct ctrl_call *c = p;
	c->rc = c->fn(c->arg);
	return NULL;
}

int sva_dpdk_call_on_ctrl_cpus(int (*fn)(void *arg), void *arg)
{
	if (!fn)
		return -EINVAL;
	int rc = sva_dpdk_eal_ensure();
	if (rc < 0)
		return rc;
	struct ctrl_call c = {.fn = fn, .arg = arg};
	pthread_t t;
	rc = rte_ctrl_thread_create(&t, "svadk-ctrl", NULL, ctrl_call_thread, &c);
	if (rc != 0) {
		rc = rc < 0 ? rc : -rc;
		SVA_LOG(DPDK, ERR, "cannot create a control thread: %s", strerror(-rc));
		return rc;
	}
	pthread_join(t, NULL);
	return c.rc;
}
