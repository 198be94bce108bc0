/* SPDX-License-Identifier: BSD-3-Clause */
/* CPU features (CPUID), affinity and NUMA-local memory (libnuma). */
#include <errno.h>
#include <numa.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "sva_common.h"
#include "sva_cpu.h"

bool sva_cpu_has(enum sva_cpu_feature f)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;
	switch (f) {
	case SVA_CPU_SSE42:
		return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2);
	case SVA_CPU_PCLMUL:
		return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_PCLMUL);
	case SVA_CPU_AVX2:
		return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 5));
	case SVA_CPU_AVX512F:
		return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 16));
	case SVA_CPU_MOVDIR64B:
		return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (c & (1u << 28));
	case SVA_CPU_ENQCMD:
		return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (c & (1u << 29));
	}
#else
	(void)f;
#endif
	return false;
}

const char *sva_cpu_feature_name(enum sva_cpu_feature f)
{
	switch (f) {
	case SVA_CPU_SSE42: return "sse4.2";
	case SVA_CPU_PCLMUL: return "pclmulqdq";
	case SVA_CPU_MOVDIR64B: return "movdir64b";
	case SVA_CPU_ENQCMD: return "enqcmd";
	case SVA_CPU_AVX2: return "avx2";
	case SVA_CPU_AVX512F: return "avx512f";
	}
	return "?";
}

int sva_cpu_count(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

int sva_thread_pin(pthread_t thread, int cpu)
{
	cpu_set_t set;
	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	int rc = pthread_setaffinity_np(thread, sizeof(set), &set);
	return rc == 0 ? 0 : -rc;
}

int sva_thread_create_pinned(pthread_t *thread, int cpu, void *(*fn)(void *), void *arg)
{
	if (cpu >= CPU_SETSIZE)
		return -EINVAL;
	pthread_attr_t attr;
	int rc = pthread_attr_init(&attr);
	if (rc != 0)
		return -rc;
	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		rc = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	if (rc == 0)
		rc = pthread_create(thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return -rc;
}

int sva_cpu_current(void)
{
	return sched_getcpu();
}

int sva_cpu_numa_node(int cpu)
{
	if (cpu < 0)
		return -EINVAL;
	if (numa_available() < 0)
		return 0;
	int node = numa_node_of_cpu(cpu);
	return node < 0 ? -EINVAL : node;
}

int sva_numa_node_count(void)
{
	if (numa_available() < 0)
		return 1;
	int n = numa_max_node() + 1;
	return n > 0 ? n : 1;
}

void *sva_mem_alloc(size_t size, int node)
{
	void *p;
	size = SVA_ALIGN_UP(size, (size_t)SVA_PAGE_SIZE);
	if (size == 0) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (node >= 0 && numa_available() >= 0 && node <= numa_max_node())
		numa_tonode_memory(p, size, node);
	/* Prefault now: library-owned memory (rings, records) must never fault
	 * on a fast path. */
	if (madvise(p, size, MADV_POPULATE_WRITE) != 0)
		memset(p, 0, size);
	return p;
}

void sva_mem_free(void *mem, size_t size)
{
	if (mem)
		munmap(mem, SVA_ALIGN_UP(size, (size_t)SVA_PAGE_SIZE));
}

void sva_thread_set_name(pthread_t thread, const char *name)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%s", name);
	pthread_setname_np(thread, buf);
}
