/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-perf buffer memory of each kind. None of it is registered or pinned:
 * the device reaches it through the process address space. */
#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "perf.h"
#include "sva_common.h"
#include "sva_log.h"

#define HUGE_2M (2u << 20)

static void place(void *p, size_t size, int node)
{
	if (node >= 0 && numa_available() >= 0 && node <= numa_max_node())
		numa_tonode_memory(p, size, node);
}

int perf_mem_alloc(struct perf_mem *m, size_t size, int kind, int node, const char *file,
		   char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->kind = kind;
	size = SVA_ALIGN_UP(size, (size_t)SVA_PAGE_SIZE);
	m->size = size;
	void *p = MAP_FAILED;
	switch (kind) {
	case MEM_MALLOC:
		if (posix_memalign(&p, SVA_PAGE_SIZE, size) != 0)
			p = MAP_FAILED;
		break;
	case MEM_HUGEPAGE:
		m->size = SVA_ALIGN_UP(size, (size_t)HUGE_2M);
		p = mmap(NULL, m->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (p != MAP_FAILED)
			break;
		m->fell_back = true;
		m->kind = MEM_MMAP;
		m->size = size;
		/* plain pages instead */
		__attribute__((fallthrough));
	case MEM_MMAP:
		p = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case MEM_THP: {
		/* Over-allocate to place the buffer on a 2 MiB boundary. */
		m->size = SVA_ALIGN_UP(size, (size_t)HUGE_2M);
		char *raw = mmap(NULL, m->size + HUGE_2M, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (raw == MAP_FAILED)
			break;
		char *al = (char *)SVA_ALIGN_UP((uintptr_t)raw, (uintptr_t)HUGE_2M);
		if (al > raw)
			munmap(raw, (size_t)(al - raw));
		size_t tail = (size_t)(raw + m->size + HUGE_2M - (al + m->size));
		if (tail)
			munmap(al + m->size, tail);
		madvise(al, m->size, MADV_HUGEPAGE);
		p = al;
		break;
	}
	case MEM_FILE: {
		char path[PERF_NAME_MAX + 16];
		if (file && *file) {
			snprintf(path, sizeof(path), "%s", file);
			m->fd = open(path, O_RDWR | O_CREAT, 0600);
		} else {
			const char *dir = getenv("TMPDIR");
			snprintf(path, sizeof(path), "%s/svadk-perf.XXXXXX", dir ? dir : "/tmp");
			m->fd = mkstemp(path);
			if (m->fd >= 0)
				unlink(path); /* gone when we close it */
		}
		if (m->fd < 0) {
			snprintf(err, errlen, "mem-kind=file: cannot create %s: %s", path, strerror(errno));
			return -1;
		}
		if (ftruncate(m->fd, (off_t)size) != 0) {
			snprintf(err, errlen, "mem-kind=file: cannot size %s: %s", path, strerror(errno));
			close(m->fd);
			return -1;
		}
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
		break;
	}
	default:
		snprintf(err, errlen, "unknown memory kind %d", kind);
		return -1;
	}
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot allocate %zu bytes of %s memory: %s", m->size,
			 perf_mem_kind_name(kind), strerror(errno));
		if (m->fd >= 0)
			close(m->fd);
		return -1;
	}
	if (kind != MEM_FILE)
		place(p, m->size, node);
	m->base = p;
	return 0;
}

void perf_mem_free(struct perf_mem *m)
{
	if (!m->base)
		return;
	if (m->kind == MEM_MALLOC)
		free(m->base);
	else
		munmap(m->base, m->size);
	if (m->fd >= 0)
		close(m->fd);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}
