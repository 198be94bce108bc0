/* SPDX-License-Identifier: BSD-3-Clause */
/* The iommufd fault queue as a lib/iopf fault source.
 *
 * read(2) on the fault fd returns whole groups of 40-byte records, never
 * blocks, and returns nothing (0, or EINVAL on 7.x kernels) both when the
 * queue is empty and when the next group does not fit the buffer: the source
 * keeps its own buffer, hands records to the handler in whatever batch size
 * it asks for, and doubles the buffer when poll(2) says a group is waiting
 * that a read did not return. Each group is answered once by writing an
 * 8-byte response with the cookie of its records; EINVAL there means the
 * kernel already answered the group itself (the HWPT was replaced or
 * detached), which is counted and otherwise ignored. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iommufd_compat.h"
#include "iommufd_priv.h"
#include "sva_as.h"
#include "sva_atomic.h"
#include "sva_log.h"
#include "sva_time.h"

#define FQ_REC_SIZE sizeof(struct iommu_hwpt_pgfault)
#define FQ_INITIAL_RECORDS 256u
#define FQ_MAX_RECORDS (1u << 16)
/* Record permission bit for a privileged-mode request: never granted. */
#define FQ_PERM_PRIV (1u << 8)

struct fq_bind {
	uint32_t dev_id;
	uint32_t pasid;
	struct sva_iommufd_space *sp;
};

struct sva_iommufd_fq {
	struct sva_iommufd *ic;
	uint32_t id;
	int fd;
	struct iommu_hwpt_pgfault *buf;
	uint32_t cap, len, pos; /* records */
	uint64_t t_read;
	pthread_mutex_t lock;   /* bindings */
	struct fq_bind *b;
	unsigned int nb, bcap;
	/* written by the handler polling the queue (one at a time) */
	sva_counter_t reads, records, responses, stale, respond_errors, buf_grows;
	_Atomic bool attached; /* a handler reads it (see fq_set_waker) */
};

struct sva_iommufd_fq *sva_iommufd_fq_alloc(struct sva_iommufd *ic, char *err, size_t errlen)
{
	struct iommu_fault_alloc a = {.size = sizeof(a)};
	int rc = iommufd_xioctl(ic->fd, IOMMU_FAULT_QUEUE_ALLOC, &a);
	if (rc < 0) {
		int e = -rc;
		if (e == ENOTTY || e == EOPNOTSUPP)
			snprintf(err, errlen, "IOMMU_FAULT_QUEUE_ALLOC is not supported: needs Linux "
				 ">= 6.11 (this kernel is %u.%u)", ic->kver / 100, ic->kver % 100);
		else
			snprintf(err, errlen, "IOMMU_FAULT_QUEUE_ALLOC: %s", strerror(e));
		errno = e;
		return NULL;
	}
	struct sva_iommufd_fq *fq = calloc(1, sizeof(*fq));
	if (fq)
		fq->buf = calloc(FQ_INITIAL_RECORDS, FQ_REC_SIZE);
	if (!fq || !fq->buf) {
		free(fq);
		close((int)a.out_fault_fd);
		sva_iommufd_destroy(ic, a.out_fault_id);
		errno = ENOMEM;
		return NULL;
	}
	fq->ic = ic;
	fq->id = a.out_fault_id;
	fq->fd = (int)a.out_fault_fd;
	fq->cap = FQ_INITIAL_RECORDS;
	fcntl(fq->fd, F_SETFD, FD_CLOEXEC);
	fcntl(fq->fd, F_SETFL, fcntl(fq->fd, F_GETFL) | O_NONBLOCK);
	pthread_mutex_init(&fq->lock, NULL);
	return fq;
}

void sva_iommufd_fq_free(struct sva_iommufd_fq *fq)
{
	if (!fq)
		return;
	/* The fd holds a reference on the object: close it first. */
	close(fq->fd);
	int rc = sva_iommufd_destroy(fq->ic, fq->id);
	if (rc < 0)
		SVA_LOG(IOMMUFD, WARNING, "fault queue %u: destroy: %s (a HWPT still uses it)",
			fq->id, strerror(-rc));
	pthread_mutex_destroy(&fq->lock);
	free(fq->b);
	free(fq->buf);
	free(fq);
}

uint32_t sva_iommufd_fq_id(const struct sva_iommufd_fq *fq)
{
	return fq->id;
}

int sva_iommufd_fq_fd(const struct sva_iommufd_fq *fq)
{
	return fq->fd;
}

int sva_iommufd_fq_bind(struct sva_iommufd_fq *fq, uint32_t dev_id, uint32_t pasid,
			struct sva_iommufd_space *sp)
{
	if (!fq || !sp)
		return -EINVAL;
	pthread_mutex_lock(&fq->lock);
	for (unsigned int i = 0; i < fq->nb; i++) {
		if (fq->b[i].dev_id == dev_id && fq->b[i].pasid == pasid) {
			pthread_mutex_unlock(&fq->lock);
			return -EEXIST;
		}
	}
	if (fq->nb == fq->bcap) {
		unsigned int cap = fq->bcap ? fq->bcap * 2 : 8;
		struct fq_bind *b = realloc(fq->b, cap * sizeof(*b));
		if (!b) {
			pthread_mutex_unlock(&fq->lock);
			return -ENOMEM;
		}
		fq->b = b;
		fq->bcap = cap;
	}
	fq->b[fq->nb++] = (struct fq_bind){.dev_id = dev_id, .pasid = pasid, .sp = sp};
	pthread_mutex_unlock(&fq->lock);
	return 0;
}

int sva_iommufd_fq_unbind(struct sva_iommufd_fq *fq, uint32_t dev_id, uint32_t pasid)
{
	pthread_mutex_lock(&fq->lock);
	for (unsigned int i = 0; i < fq->nb; i++) {
		if (fq->b[i].dev_id == dev_id && fq->b[i].pasid == pasid) {
			fq->b[i] = fq->b[--fq->nb];
			pthread_mutex_unlock(&fq->lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&fq->lock);
	return -ENOENT;
}

static bool fd_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

static int grow(struct sva_iommufd_fq *fq)
{
	if (fq->cap >= FQ_MAX_RECORDS) {
		SVA_LOG(IOMMUFD, ERR, "fault queue %u: a fault group larger than %u records does "
			"not fit the read buffer", fq->id, FQ_MAX_RECORDS);
		return -EMSGSIZE;
	}
	struct iommu_hwpt_pgfault *nb = calloc((size_t)fq->cap * 2, FQ_REC_SIZE);
	if (!nb)
		return -ENOMEM;
	free(fq->buf);
	fq->buf = nb;
	fq->cap *= 2;
	sva_counter_add(&fq->buf_grows, 1);
	SVA_LOG(IOMMUFD, DEBUG, "fault queue %u: read buffer grown to %u records", fq->id,
		fq->cap);
	return 0;
}

/* Refill the buffer (it is empty). @return records read, 0, or -errno. */
static int refill(struct sva_iommufd_fq *fq)
{
	bool retried = false;
	for (;;) {
		ssize_t r = read(fq->fd, fq->buf, (size_t)fq->cap * FQ_REC_SIZE);
		if (r > 0) {
			if ((size_t)r % FQ_REC_SIZE) {
				SVA_LOG(IOMMUFD, ERR, "fault queue %u: read returned %zd bytes, not a "
					"multiple of %zu", fq->id, r, FQ_REC_SIZE);
				return -EPROTO;
			}
			fq->len = (uint32_t)((size_t)r / FQ_REC_SIZE);
			fq->pos = 0;
			fq->t_read = sva_tsc();
			sva_counter_add(&fq->reads, 1);
			sva_counter_add(&fq->records, fq->len);
			return (int)fq->len;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return 0;
		if (r < 0 && errno != EINVAL)
			return -errno;
		/* 0 (or EINVAL): empty, or the next group does not fit. */
		if (!fd_readable(fq->fd))
			return 0;
		if (!retried) {
			retried = true; /* a group may have arrived just after the read */
			continue;
		}
		int rc = grow(fq);
		if (rc < 0)
			return rc;
		retried = false;
	}
}

static uint32_t perm_of(uint32_t p)
{
	uint32_t perm = 0;
	if (p & (IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_EXEC))
		perm |= SVA_PERM_READ;
	if (p & IOMMU_PGFAULT_PERM_WRITE)
		perm |= SVA_PERM_WRITE;
	if (p & IOMMU_PGFAULT_PERM_PRIV)
		perm |= FQ_PERM_PRIV;
	return perm;
}

static int fq_read(void *ctx, struct sva_iopf_fault *f, unsigned int n)
{
	struct sva_iommufd_fq *fq = ctx;
	if (fq->pos == fq->len) {
		int rc = refill(fq);
		if (rc <= 0)
			return rc;
	}
	unsigned int k = 0;
	while (k < n && fq->pos < fq->len) {
		const struct iommu_hwpt_pgfault *r = &fq->buf[fq->pos++];
		bool pv = r->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID;
		f[k++] = (struct sva_iopf_fault){
			.addr = r->addr,
			.length = r->length,
			.cookie = (uint64_t)r->dev_id << 32 | r->cookie,
			.t_raised = fq->t_read,
			.pasid = pv ? r->pasid : 0,
			.grpid = r->grpid,
			.perm = perm_of(r->perm),
			.flags = (r->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE ? SVA_IOPF_F_LAST : 0) |
				 (pv ? SVA_IOPF_F_PASID_VALID : 0),
		};
	}
	return (int)k;
}

static int fq_respond(void *ctx, const struct sva_iopf_fault *last, enum sva_iopf_code code)
{
	struct sva_iommufd_fq *fq = ctx;
	struct iommu_hwpt_page_response resp = {
		.cookie = (uint32_t)last->cookie,
		.code = code == SVA_IOPF_SUCCESS ? IOMMUFD_PAGE_RESP_SUCCESS
						 : IOMMUFD_PAGE_RESP_INVALID,
	};
	ssize_t w;
	do
		w = write(fq->fd, &resp, sizeof(resp));
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)sizeof(resp)) {
		sva_counter_add(&fq->responses, 1);
		return 0;
	}
	if (w < 0 && errno == EINVAL) {
		/* The kernel answered this group itself (replace/detach/destroy):
		 * the cookie is gone. Nothing is waiting for us. */
		sva_counter_add(&fq->stale, 1);
		SVA_LOG(IOMMUFD, DEBUG, "fault queue %u: group %u (cookie %u) was already answered "
			"by the kernel", fq->id, last->grpid, resp.cookie);
		return 0;
	}
	int e = w < 0 ? errno : EIO;
	sva_counter_add(&fq->respond_errors, 1);
	SVA_LOG(IOMMUFD, WARNING, "fault queue %u: response to group %u: %s", fq->id, last->grpid,
		strerror(e));
	return -e;
}

static struct sva_as *fq_lookup_as(void *ctx, const struct sva_iopf_fault *f)
{
	struct sva_iommufd_fq *fq = ctx;
	if (f->perm & FQ_PERM_PRIV)
		return NULL; /* privileged-mode access: never granted to user space */
	uint32_t dev_id = (uint32_t)(f->cookie >> 32);
	uint32_t pasid = f->flags & SVA_IOPF_F_PASID_VALID ? f->pasid : SVA_IOMMUFD_NO_PASID;
	struct sva_as *as = NULL;
	pthread_mutex_lock(&fq->lock);
	for (unsigned int i = 0; i < fq->nb; i++) {
		if (fq->b[i].dev_id == dev_id && fq->b[i].pasid == pasid) {
			as = iommufd_space_shadow(fq->b[i].sp);
			sva_as_get(as);
			break;
		}
	}
	pthread_mutex_unlock(&fq->lock);
	return as;
}

static bool fq_pending(void *ctx)
{
	struct sva_iommufd_fq *fq = ctx;
	return fq->pos < fq->len || fd_readable(fq->fd);
}

static int fq_wait_fd(void *ctx)
{
	struct sva_iommufd_fq *fq = ctx;
	return fq->fd;
}

/* The handler's waker is not needed (it polls the descriptor), but its
 * coming and going says whether a handler reads the queue. */
static void fq_set_waker(void *ctx, struct sva_idle *waker)
{
	struct sva_iommufd_fq *fq = ctx;
	atomic_store_explicit(&fq->attached, waker != NULL, memory_order_release);
}

bool sva_iommufd_fq_attached(const struct sva_iommufd_fq *fq)
{
	return atomic_load_explicit(&((struct sva_iommufd_fq *)fq)->attached, memory_order_acquire);
}

const struct sva_iopf_source_ops sva_iommufd_fq_ops = {
	.name = "iommufd-fault",
	.read = fq_read,
	.respond = fq_respond,
	.lookup_as = fq_lookup_as,
	.pending = fq_pending,
	.wait_fd = fq_wait_fd,
	.set_waker = fq_set_waker,
};

void sva_iommufd_fq_stats(const struct sva_iommufd_fq *fq, struct sva_iommufd_fq_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->reads = sva_counter_read(&fq->reads);
	st->records = sva_counter_read(&fq->records);
	st->responses = sva_counter_read(&fq->responses);
	st->stale = sva_counter_read(&fq->stale);
	st->respond_errors = sva_counter_read(&fq->respond_errors);
	st->buf_grows = sva_counter_read(&fq->buf_grows);
	st->buf_records = fq->cap;
}
