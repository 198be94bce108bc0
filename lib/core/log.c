/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging. The level table is process state by nature (like the process's
 * stderr); it is set explicitly through the API or SVADK_LOG, never implied. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sva_log.h"

static const char *const type_names[SVA_LOG_TYPE_MAX] = {
	[SVA_LOG_CORE] = "core",   [SVA_LOG_AS] = "as",       [SVA_LOG_IOMMU] = "iommu",
	[SVA_LOG_IOPF] = "iopf",   [SVA_LOG_DMA] = "dma",     [SVA_LOG_IDXD] = "idxd",
	[SVA_LOG_SIM] = "sim",     [SVA_LOG_IOMMUFD] = "iommufd", [SVA_LOG_DPDK] = "dpdk",
	[SVA_LOG_APP] = "app",
};

static const char *const level_names[] = {
	[SVA_LOG_ERR] = "error",  [SVA_LOG_WARNING] = "warning", [SVA_LOG_NOTICE] = "notice",
	[SVA_LOG_INFO] = "info",  [SVA_LOG_DEBUG] = "debug",
};

static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	_Atomic int level[SVA_LOG_TYPE_MAX];
	FILE *stream;
} logcfg = {
	.once = PTHREAD_ONCE_INIT,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static int parse_level(const char *s, size_t n)
{
	for (int l = SVA_LOG_ERR; l <= SVA_LOG_DEBUG; l++)
		if (strlen(level_names[l]) == n && strncasecmp(s, level_names[l], n) == 0)
			return l;
	if (n == 4 && strncasecmp(s, "warn", 4) == 0)
		return SVA_LOG_WARNING;
	if (n == 1 && s[0] >= '1' && s[0] <= '5')
		return s[0] - '0';
	return -1;
}

static int parse_type(const char *s, size_t n)
{
	if (n == 1 && s[0] == '*')
		return SVA_LOG_TYPE_MAX;
	for (int t = 0; t < SVA_LOG_TYPE_MAX; t++)
		if (strlen(type_names[t]) == n && strncasecmp(s, type_names[t], n) == 0)
			return t;
	return -1;
}

/* Parse into @p out without applying; -EINVAL on any bad item.
 * Items naming a type win over '*' items whatever their order, so that
 * "iopf:debug,*:warning" means what it says (iopf at debug, the rest at
 * warning); among items of the same kind the last one wins. */
static int parse_spec(const char *spec, int out[SVA_LOG_TYPE_MAX])
{
	int named[SVA_LOG_TYPE_MAX];
	for (int t = 0; t < SVA_LOG_TYPE_MAX; t++)
		named[t] = -1;
	const char *p = spec;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *colon = memchr(p, ':', len);
		int type = SVA_LOG_TYPE_MAX, level;
		if (colon) {
			type = parse_type(p, (size_t)(colon - p));
			level = parse_level(colon + 1, len - (size_t)(colon - p) - 1);
		} else {
			level = parse_level(p, len);
		}
		if (type < 0 || level < 0)
			return -EINVAL;
		if (type == SVA_LOG_TYPE_MAX)
			for (int t = 0; t < SVA_LOG_TYPE_MAX; t++)
				out[t] = level;
		else
			named[type] = level;
		p += len;
		if (*p == ',')
			p++;
	}
	for (int t = 0; t < SVA_LOG_TYPE_MAX; t++)
		if (named[t] >= 0)
			out[t] = named[t];
	return 0;
}

static void log_init(void)
{
	int lv[SVA_LOG_TYPE_MAX];
	for (int t = 0; t < SVA_LOG_TYPE_MAX; t++)
		lv[t] = SVA_LOG_NOTICE;
	const char *env = getenv("SVADK_LOG");
	if (env && parse_spec(env, lv) < 0) {
		fprintf(stderr, "svadk: core: warning: ignoring SVADK_LOG='%s' "
			"(expected e.g. 'iopf:debug,*:warning')\n", env);
		for (int t = 0; t < SVA_LOG_TYPE_MAX; t++)
			lv[t] = SVA_LOG_NOTICE;
	}
	for (int t = 0; t < SVA_LOG_TYPE_MAX; t++)
		atomic_store_explicit(&logcfg.level[t], lv[t], memory_order_relaxed);
}

int sva_log_parse_spec(const char *spec)
{
	int lv[SVA_LOG_TYPE_MAX];
	pthread_once(&logcfg.once, log_init);
	if (!spec)
		return -EINVAL;
	for (int t = 0; t < SVA_LOG_TYPE_MAX; t++)
		lv[t] = atomic_load_explicit(&logcfg.level[t], memory_order_relaxed);
	if (parse_spec(spec, lv) < 0)
		return -EINVAL;
	for (int t = 0; t < SVA_LOG_TYPE_MAX; t++)
		atomic_store_explicit(&logcfg.level[t], lv[t], memory_order_relaxed);
	return 0;
}

int sva_log_set_level(enum sva_log_type type, enum sva_log_level level)
{
	pthread_once(&logcfg.once, log_init);
	if ((unsigned)type > SVA_LOG_TYPE_MAX || level < SVA_LOG_ERR || level > SVA_LOG_DEBUG)
		return -EINVAL;
	for (int t = 0; t < SVA_LOG_TYPE_MAX; t++)
		if (type == SVA_LOG_TYPE_MAX || (int)type == t)
			atomic_store_explicit(&logcfg.level[t], (int)level, memory_order_relaxed);
	return 0;
}

enum sva_log_level sva_log_get_level(enum sva_log_type type)
{
	pthread_once(&logcfg.once, log_init);
	if ((unsigned)type >= SVA_LOG_TYPE_MAX)
		return SVA_LOG_ERR;
	return (enum sva_log_level)atomic_load_explicit(&logcfg.level[type], memory_order_relaxed);
}

void sva_log_set_stream(FILE *stream)
{
	pthread_mutex_lock(&logcfg.lock);
	logcfg.stream = stream;
	pthread_mutex_unlock(&logcfg.lock);
}

const char *sva_log_type_name(enum sva_log_type type)
{
	return (unsigned)type < SVA_LOG_TYPE_MAX ? type_names[type] : "?";
}

int sva_log_enabled(enum sva_log_type type, enum sva_log_level level)
{
	return (int)level <= (int)sva_log_get_level(type);
}

void sva_vlog(enum sva_log_type type, enum sva_log_level level, const char *fmt, va_list ap)
{
	char msg[1024];
	if (!sva_log_enabled(type, level))
		return;
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	size_t len = strlen(msg);
	int nl = len > 0 && msg[len - 1] == '\n';
	pthread_mutex_lock(&logcfg.lock);
	FILE *f = logcfg.stream ? logcfg.stream : stderr;
	fprintf(f, "svadk: %s: %s: %s%s", sva_log_type_name(type),
		level >= SVA_LOG_ERR && level <= SVA_LOG_DEBUG ? level_names[level] : "?",
		msg, nl ? "" : "\n");
	fflush(f);
	pthread_mutex_unlock(&logcfg.lock);
}

void sva_log(enum sva_log_type type, enum sva_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sva_vlog(type, level, fmt, ap);
	va_end(ap);
}
