/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared parts of the DSA/IAA offload demos: see offload.h. */
#include "offload.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sva_common.h"
#include "sva_cpu.h"
#include "sva_log.h"
#include "sva_time.h"

const char *ofl_prog = "svadk";
bool ofl_quiet;

void ofl_err(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", ofl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "1.5 GiB" into @p buf. */
static const char *fmt_bytes(uint64_t v, char *buf, size_t len)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)v;
	unsigned int u = 0;
	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)v);
	else
		snprintf(buf, len, "%.1f %s", d, unit[u]);
	return buf;
}

/* --- files ----------------------------------------------------------------------- */

/* Map all of m->size bytes of m->fd (nothing for an empty file). */
static int map_whole(struct ofl_map *m, const char *path, int prot)
{
	if (!m->size)
		return 0;
	void *a = mmap(NULL, m->size, prot, MAP_SHARED, m->fd, 0);
	if (a == MAP_FAILED) {
		ofl_err("%s: mmap: %s", path, strerror(errno));
		return -1;
	}
	m->addr = a;
	return 0;
}

int ofl_map_input(struct ofl_map *m, const char *path)
{
	struct stat st;
	memset(m, 0, sizeof(*m));
	m->path = path;
	m->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0) {
		ofl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(m->fd, &st) < 0) {
		ofl_err("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		ofl_err("%s: not a regular file", path);
		goto fail;
	}
	m->size = (uint64_t)st.st_size;
	m->mode = st.st_mode & 07777;
	if (map_whole(m, path, PROT_READ) < 0)
		goto fail;
	return 0;
fail:
	close(m->fd);
	m->fd = -1;
	return -1;
}

int ofl_map_output(struct ofl_map *m, const char *path, uint64_t size, mode_t mode)
{
	memset(m, 0, sizeof(*m));
	m->path = path;
	m->mode = mode;
	m->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (m->fd < 0) {
		ofl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (size > (uint64_t)INT64_MAX || ftruncate(m->fd, (off_t)size) < 0) {
		ofl_err("%s: cannot set the size to %llu: %s", path, (unsigned long long)size,
			strerror(size > (uint64_t)INT64_MAX ? EFBIG : errno));
		goto fail;
	}
	/* Reserve the blocks now: a full disk is a clear error here rather than a
	 * failed page fault (or SIGBUS) in the middle of the transfer. */
	if (size && fallocate(m->fd, 0, 0, (off_t)size) < 0 && errno != EOPNOTSUPP &&
	    errno != ENOSYS) {
		ofl_err("%s: cannot allocate %llu bytes: %s", path, (unsigned long long)size,
			strerror(errno));
		goto fail;
	}
	m->size = size;
	if (map_whole(m, path, PROT_READ | PROT_WRITE) < 0)
		goto fail;
	return 0;
fail:
	close(m->fd);
	m->fd = -1;
	return -1;
}

void ofl_unmap(struct ofl_map *m)
{
	if (!m)
		return;
	if (m->addr)
		munmap(m->addr, m->size);
	m->addr = NULL;
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int ofl_check_not_input(const char *out, const struct ofl_map *in)
{
	struct stat a, b;
	if (stat(out, &a) < 0)
		return 0;
	if (fstat(in->fd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		ofl_err("%s and %s are the same file", in->path, out);
		return -1;
	}
	return 0;
}

/* --- temporary output file ---------------------------------------------------------- */

static char tmp_path[PATH_MAX];
static char tmp_final[PATH_MAX];
static int tmp_fd = -1;
static volatile sig_atomic_t tmp_active;

static void tmp_signal(int sig)
{
	if (tmp_active)
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void tmp_atexit(void)
{
	if (tmp_active)
		unlink(tmp_path);
}

int ofl_tmp_create(const char *final)
{
	static bool hooked;
	const char *slash = strrchr(final, '/');
	int n;
	if (slash && slash[1] == '\0') {
		ofl_err("%s: is a directory name", final);
		return -1;
	}
	if (slash)
		n = snprintf(tmp_path, sizeof(tmp_path), "%.*s/.%s.XXXXXX", (int)(slash - final),
			     final, slash + 1);
	else
		n = snprintf(tmp_path, sizeof(tmp_path), ".%s.XXXXXX", final);
	if (n < 0 || (size_t)n >= sizeof(tmp_path) || strlen(final) >= sizeof(tmp_final)) {
		ofl_err("%s: name too long", final);
		return -1;
	}
	strcpy(tmp_final, final);
	if (!hooked) {
		struct sigaction sa = {.sa_handler = tmp_signal};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		atexit(tmp_atexit);
		hooked = true;
	}
	tmp_fd = mkostemp(tmp_path, O_CLOEXEC);
	if (tmp_fd < 0) {
		ofl_err("cannot create a temporary file for %s: %s", final, strerror(errno));
		return -1;
	}
	tmp_active = 1;
	return tmp_fd;
}

int ofl_tmp_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t w = write(tmp_fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			ofl_err("%s: write: %s", tmp_final, strerror(errno));
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

void ofl_tmp_abort(void)
{
	if (tmp_active) {
		unlink(tmp_path);
		tmp_active = 0;
	}
	if (tmp_fd >= 0)
		close(tmp_fd);
	tmp_fd = -1;
}

int ofl_tmp_commit(mode_t mode)
{
	if (fchmod(tmp_fd, mode & 07777) < 0) {
		ofl_err("%s: chmod: %s", tmp_final, strerror(errno));
		ofl_tmp_abort();
		return -1;
	}
	int rc = close(tmp_fd);
	tmp_fd = -1;
	if (rc < 0) {
		ofl_err("%s: close: %s", tmp_final, strerror(errno));
		ofl_tmp_abort();
		return -1;
	}
	if (rename(tmp_path, tmp_final) < 0) {
		ofl_err("cannot rename %s to %s: %s", tmp_path, tmp_final, strerror(errno));
		ofl_tmp_abort();
		return -1;
	}
	tmp_active = 0;
	return 0;
}

/* --- CRC arithmetic -------------------------------------------------------------------- */

static uint64_t reverse_bits(uint64_t v, unsigned int width)
{
	uint64_t r = 0;
	for (unsigned int i = 0; i < width; i++)
		if (v & (1ull << i))
			r |= 1ull << (width - 1 - i);
	return r;
}

/* Multiply by x modulo P: what the CRC register does with one zero bit. */
static inline uint64_t crc_mulx(const struct ofl_crc *c, uint64_t v)
{
	if (c->reflect)
		return (v >> 1) ^ ((v & 1) ? c->poly : 0);
	return ((v << 1) & c->mask) ^ (((v >> (c->width - 1)) & 1) ? c->poly : 0);
}

/* a * b modulo P. */
static uint64_t crc_mul(const struct ofl_crc *c, uint64_t a, uint64_t b)
{
	uint64_t r = 0;
	for (unsigned int k = 0; k < c->width; k++) {
		unsigned int bit = c->reflect ? c->width - 1 - k : k;
		if ((a >> bit) & 1)
			r ^= b;
		b = crc_mulx(c, b);
	}
	return r;
}

/* x^(8n) modulo P. */
static uint64_t crc_xpow8n(const struct ofl_crc *c, uint64_t n)
{
	uint64_t r = c->one, base = c->one;
	for (int i = 0; i < 8; i++)
		base = crc_mulx(c, base);
	while (n) {
		if (n & 1)
			r = crc_mul(c, r, base);
		base = crc_mul(c, base, base);
		n >>= 1;
	}
	return r;
}

void ofl_crc_init(struct ofl_crc *c, unsigned int width, uint64_t poly_normal, bool reflect)
{
	memset(c, 0, sizeof(*c));
	c->width = width;
	c->reflect = reflect;
	c->mask = width == 64 ? UINT64_MAX : (1ull << width) - 1;
	c->poly = reflect ? reverse_bits(poly_normal & c->mask, width) : poly_normal & c->mask;
	c->one = reflect ? 1ull << (width - 1) : 1;
}

uint64_t ofl_crc_combine(struct ofl_crc *c, uint64_t crc1, uint64_t crc2, uint64_t len2)
{
	if (len2 == 0)
		return crc1;
	if (c->shift_len != len2) {
		c->shift_pow = crc_xpow8n(c, len2);
		c->shift_len = len2;
	}
	return crc_mul(c, crc1 & c->mask, c->shift_pow) ^ (crc2 & c->mask);
}

/* --- device ------------------------------------------------------------------------------ */

int ofl_dev_open(struct ofl_dev *d, const struct ofl_dev_opts *o, uint64_t need_capa)
{
	char args[128];
	const char *name = o->device, *a = NULL;
	memset(d, 0, sizeof(*d));
	if (!name) {
		/* One work queue and one engine per queue of ours: the engines work in
		 * parallel, one per queue, like the work queues of a real device. */
		name = o->default_name;
		snprintf(args, sizeof(args), "wqs=%u,engines=%u%s%s", o->queues, o->queues,
			 o->extra_args ? "," : "", o->extra_args ? o->extra_args : "");
		a = args;
	}
	snprintf(d->name, sizeof(d->name), "%s%s%s", name, a ? "," : "", a ? a : "");
	d->dev = sva_dev_open(name, a);
	if (!d->dev) {
		int e = errno;
		ofl_err("cannot open device %s: %s%s", d->name, strerror(e),
			e == ENODEV ? " (see --help for the device names)" : "");
		return -1;
	}
	sva_dev_info_get(d->dev, &d->info);
	if ((d->info.capa & need_capa) != need_capa) {
		ofl_err("device %s (driver %s) does not support the operations needed", d->name,
			d->info.driver);
		goto fail;
	}
	uint64_t mode_capa = o->fault_mode == SVA_FAULT_PARTIAL ? SVA_CAPA_PARTIAL
								: SVA_CAPA_BLOCK_ON_FAULT;
	if (!(d->info.capa & SVA_CAPA_SVA) || !(d->info.capa & mode_capa)) {
		ofl_err("device %s cannot work on the process address space in fault mode %s",
			d->name, o->fault_mode == SVA_FAULT_PARTIAL ? "partial" : "block");
		goto fail;
	}
	if (o->queues > d->info.max_queues) {
		ofl_err("device %s has room for %u queues, %u asked (--queues)", d->name,
			d->info.max_queues, o->queues);
		goto fail;
	}
	struct sva_iopf_conf pc = {.name = ofl_prog, .fault_ahead = o->fault_ahead};
	d->pf = sva_iopf_create(&pc);
	if (!d->pf) {
		ofl_err("cannot create the IO page-fault handler: %s", strerror(errno));
		goto fail;
	}
	int rc = sva_dev_attach_iopf(d->dev, d->pf);
	if (rc < 0) {
		ofl_err("cannot attach the IO page-fault handler: %s", strerror(-rc));
		goto fail;
	}
	rc = sva_iopf_start(d->pf, o->handler_cpu);
	if (rc < 0) {
		ofl_err("cannot start the IO page-fault handler on CPU %d: %s", o->handler_cpu,
			strerror(-rc));
		goto fail;
	}
	d->q = calloc(o->queues, sizeof(*d->q));
	if (!d->q) {
		ofl_err("out of memory");
		goto fail;
	}
	for (unsigned int i = 0; i < o->queues; i++) {
		struct sva_queue_conf qc = {.nb_desc = 1024, .fault_mode = o->fault_mode};
		if (qc.nb_desc > d->info.max_desc)
			qc.nb_desc = d->info.max_desc;
		d->q[i] = sva_queue_create(d->dev, &qc);
		if (!d->q[i]) {
			ofl_err("cannot create queue %u on %s: %s", i, d->name, strerror(errno));
			goto fail;
		}
		d->nb_q++;
	}
	return 0;
fail:
	ofl_dev_close(d);
	return -1;
}

void ofl_dev_close(struct ofl_dev *d)
{
	if (!d)
		return;
	for (unsigned int i = 0; i < d->nb_q; i++)
		sva_queue_destroy(d->q[i]);
	free(d->q);
	d->q = NULL;
	d->nb_q = 0;
	if (d->pf && d->dev)
		sva_dev_detach_iopf(d->dev);
	if (d->dev)
		sva_dev_close(d->dev);
	d->dev = NULL;
	sva_iopf_destroy(d->pf);
	d->pf = NULL;
}

int ofl_default_fault_ahead(uint64_t chunk)
{
	uint64_t pages = chunk / SVA_PAGE_SIZE;
	return pages <= 16 ? 15 : pages >= 256 ? 255 : (int)pages - 1;
}

/* The handler's and the queues' counters now, in @p m. */
static void fault_counts(struct ofl_dev *d, struct ofl_fault_mark *m)
{
	memset(m, 0, sizeof(*m));
	if (d->pf && sva_iopf_stats_get(d->pf, &m->pf) == 0) {
		const struct sva_hist *h = sva_iopf_latency_hist(d->pf);
		for (unsigned int i = 0; i < SVA_HIST_BUCKETS; i++)
			m->lat[i] = sva_counter_read(&h->bucket[i]);
	}
	for (unsigned int i = 0; i < d->nb_q; i++) {
		struct sva_queue_stats qs;
		if (sva_queue_stats_get(d->q[i], &qs) == 0)
			m->partial += qs.faults;
	}
}

void ofl_dev_mark(struct ofl_dev *d)
{
	fault_counts(d, &d->mark);
}

void ofl_summary(struct ofl_dev *d, const char *what, uint64_t bytes, uint64_t ns,
		 const char *extra)
{
	if (ofl_quiet)
		return;
	struct ofl_fault_mark n;
	const struct ofl_fault_mark *now = &n, *m = &d->mark;
	fault_counts(d, &n);
	/* The latency median of this run alone: the histogram's growth since the
	 * mark, clamped to the range seen so far as sva_hist_percentile() does. */
	struct sva_hist lat;
	sva_hist_reset(&lat);
	for (unsigned int i = 0; i < SVA_HIST_BUCKETS; i++)
		sva_counter_set(&lat.bucket[i], now->lat[i] - m->lat[i]);
	if (d->pf) {
		sva_counter_set(&lat.min, sva_hist_min(sva_iopf_latency_hist(d->pf)));
		sva_counter_set(&lat.max, sva_hist_max(sva_iopf_latency_hist(d->pf)));
	}
	double s = (double)ns / 1e9;
	fprintf(stderr,
		"%s: %s: %llu bytes in %.3f s, %.2f GB/s%s%s; %u queue%s on %s; faults resolved: "
		"%llu requests (%llu pages + %llu ahead, p50 %.1f us), %llu partial completions, "
		"%llu refused\n",
		ofl_prog, what, (unsigned long long)bytes, s, s > 0 ? (double)bytes / 1e9 / s : 0.0,
		extra ? "; " : "", extra ? extra : "", d->nb_q, d->nb_q == 1 ? "" : "s", d->name,
		(unsigned long long)(now->pf.requests - m->pf.requests),
		(unsigned long long)(now->pf.pages_resolved - m->pf.pages_resolved),
		(unsigned long long)(now->pf.fault_ahead_pages - m->pf.fault_ahead_pages),
		(double)sva_hist_percentile(&lat, 50) / 1e3,
		(unsigned long long)(now->partial - m->partial),
		(unsigned long long)(now->pf.invalid - m->pf.invalid));
}

/* --- progress bar ---------------------------------------------------------------------------- */

#define PROGRESS_NS 100000000ull

void ofl_progress_init(struct ofl_progress *p, const char *label, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = !ofl_quiet && isatty(STDERR_FILENO) && total > 0;
	p->total = total;
	p->label = label;
	p->t0 = sva_now_ns();
	p->next = p->t0 + PROGRESS_NS;
}

void ofl_progress_update(struct ofl_progress *p, uint64_t done)
{
	if (!p || !p->on)
		return;
	uint64_t now = sva_now_ns();
	if (now < p->next && done < p->total)
		return;
	p->next = now + PROGRESS_NS;
	char bar[31], a[32], b[32];
	unsigned int fill = (unsigned int)(done * 30 / p->total); /* on: total > 0 */
	for (unsigned int i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	double s = (double)(now - p->t0) / 1e9;
	fprintf(stderr, "\r%s [%s] %3u%%  %s / %s  %.2f GB/s\033[K", p->label, bar,
		(unsigned int)(done * 100 / p->total),
		fmt_bytes(done, a, sizeof(a)), fmt_bytes(p->total, b, sizeof(b)),
		s > 0 ? (double)done / 1e9 / s : 0.0);
	fflush(stderr);
}

void ofl_progress_end(struct ofl_progress *p)
{
	if (!p || !p->on)
		return;
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	p->on = false;
}

/* --- pipeline ----------------------------------------------------------------------------------- */

void ofl_backoff(unsigned int *idle)
{
	unsigned int n = (*idle)++;
	if (n < 32) {
		sva_pause();
	} else if (n < 4096) {
		sched_yield();
	} else {
		struct timespec ts = {0, 20000};
		nanosleep(&ts, NULL);
	}
}

/* Operations in flight on one queue, in enqueue order (= completion order). */
struct fifo {
	struct ofl_chunk **c;
	struct sva_result *res;
	uint32_t head, tail, cap;
	bool dirty; /* enqueued since the last doorbell */
};

struct pipe_state {
	struct ofl_pipe *p;
	struct ofl_progress *progress;
	struct ofl_chunk *slot;
	struct fifo *f;
	uint64_t nchunks, next, retired, window;
	unsigned int nq;
	bool stop;
	int result;
};

static struct ofl_chunk *slot_of(struct pipe_state *s, uint64_t i)
{
	return &s->slot[i % s->window];
}

static int try_issue(struct pipe_state *s, struct ofl_chunk *c)
{
	unsigned int qi = (unsigned int)(c->idx % s->nq);
	struct fifo *f = &s->f[qi];
	if (f->tail - f->head >= f->cap)
		return 0;
	uint32_t at = f->tail % f->cap;
	memset(&f->res[at], 0, sizeof(f->res[at]));
	int rc = s->p->ops->issue(s->p, c, s->p->d->q[qi], &f->res[at]);
	if (rc == -ENOSPC)
		return 0;
	if (rc < 0) {
		ofl_err("cannot enqueue an operation at offset %llu: %s",
			(unsigned long long)c->off, strerror(-rc));
		s->p->exit_code = OFL_EXIT_ERR;
		return -1;
	}
	f->c[at] = c;
	f->tail++;
	f->dirty = true;
	c->need_issue = false;
	return 1;
}

static bool in_flight(const struct pipe_state *s)
{
	for (unsigned int i = 0; i < s->nq; i++)
		if (s->f[i].tail != s->f[i].head)
			return true;
	return false;
}

/* Reap every queue once. @return operations reaped; a fatal completion sets
 * s->stop and s->result. */
static int reap(struct pipe_state *s)
{
	enum sva_status st[64];
	int total = 0;
	for (unsigned int qi = 0; qi < s->nq; qi++) {
		struct fifo *f = &s->f[qi];
		if (f->tail == f->head)
			continue;
		uint16_t last;
		uint16_t n = sva_completed_status(s->p->d->q[qi], 64, &last, st);
		for (uint16_t k = 0; k < n; k++) {
			uint32_t at = f->head % f->cap;
			struct ofl_chunk *c = f->c[at];
			c->res = f->res[at];
			f->head++;
			total++;
			if (s->stop)
				continue; /* draining after a failure: results are not used */
			int r = s->p->ops->complete(s->p, c, st[k]);
			if (r < 0) {
				s->stop = true;
				s->result = -1;
			} else if (r == 0) {
				c->done = true;
			} else {
				c->need_issue = true;
			}
		}
	}
	return total;
}

static int pipe_run(struct ofl_pipe *p, struct ofl_progress *pr)
{
	struct pipe_state s = {.p = p, .progress = pr, .nq = p->d->nb_q};
	int ret = -1;
	if (p->size == 0)
		return 0;
	s.nchunks = (p->size + p->chunk - 1) / p->chunk;
	s.window = (uint64_t)s.nq * p->depth;
	s.slot = calloc(s.window, sizeof(*s.slot));
	s.f = calloc(s.nq, sizeof(*s.f));
	if (!s.slot || !s.f)
		goto nomem;
	for (uint64_t i = 0; i < s.window; i++) {
		if (!p->buf_size)
			break;
		s.slot[i].buf = aligned_alloc(SVA_PAGE_SIZE, SVA_ALIGN_UP(p->buf_size, (size_t)SVA_PAGE_SIZE));
		if (!s.slot[i].buf)
			goto nomem;
	}
	for (unsigned int i = 0; i < s.nq; i++) {
		s.f[i].cap = p->depth;
		s.f[i].c = calloc(p->depth, sizeof(*s.f[i].c));
		s.f[i].res = calloc(p->depth, sizeof(*s.f[i].res));
		if (!s.f[i].c || !s.f[i].res)
			goto nomem;
	}

	unsigned int idle = 0;
	while (!s.stop && s.retired < s.nchunks) {
		bool progress = false;
		/* Stages waiting for room, then new chunks while the window allows. */
		for (uint64_t i = s.retired; i < s.next && !s.stop; i++) {
			struct ofl_chunk *c = slot_of(&s, i);
			if (c->need_issue) {
				int r = try_issue(&s, c);
				if (r < 0)
					s.stop = true;
				progress |= r > 0;
			}
		}
		while (!s.stop && s.next < s.nchunks && s.next - s.retired < s.window) {
			struct ofl_chunk *c = slot_of(&s, s.next);
			void *buf = c->buf;
			memset(c, 0, sizeof(*c));
			c->buf = buf;
			c->idx = s.next;
			c->off = s.next * p->chunk;
			c->len = (uint32_t)(p->size - c->off < p->chunk ? p->size - c->off : p->chunk);
			c->need_issue = true;
			s.next++;
			int r = try_issue(&s, c);
			if (r < 0)
				s.stop = true;
			progress |= r > 0;
		}
		if (s.stop)
			break;
		for (unsigned int i = 0; i < s.nq; i++) {
			if (s.f[i].dirty) {
				sva_submit(p->d->q[i]);
				s.f[i].dirty = false;
			}
		}
		int n = reap(&s);
		if (s.stop)
			break;
		progress |= n > 0;
		while (s.retired < s.next && slot_of(&s, s.retired)->done) {
			struct ofl_chunk *c = slot_of(&s, s.retired);
			int r = p->ops->retire(p, c);
			if (r != 0) {
				s.stop = true;
				s.result = r < 0 ? -1 : 1;
				break;
			}
			p->bytes_done += c->len;
			s.retired++;
			progress = true;
		}
		ofl_progress_update(s.progress, p->bytes_done);
		if (progress)
			idle = 0;
		else
			ofl_backoff(&idle);
	}
	ret = s.stop ? s.result : 0;
	if (s.stop && ret == 0)
		ret = -1;
	/* Operations still in flight use our buffers: let them finish. */
	s.stop = true;
	for (unsigned int i = 0; i < s.nq; i++)
		if (s.f[i].dirty)
			sva_submit(p->d->q[i]);
	idle = 0;
	while (in_flight(&s)) {
		if (reap(&s) > 0)
			idle = 0;
		else
			ofl_backoff(&idle);
	}
	goto out;
nomem:
	ofl_err("out of memory");
	p->exit_code = OFL_EXIT_ERR;
out:
	if (s.slot && p->buf_size)
		for (uint64_t i = 0; i < s.window; i++)
			free(s.slot[i].buf);
	free(s.slot);
	if (s.f)
		for (unsigned int i = 0; i < s.nq; i++) {
			free(s.f[i].c);
			free(s.f[i].res);
		}
	free(s.f);
	return ret;
}

int ofl_pipe_run(struct ofl_pipe *p)
{
	struct ofl_progress pr;
	ofl_dev_mark(p->d);
	ofl_progress_init(&pr, p->label, p->size);
	uint64_t t0 = sva_now_ns();
	int r = pipe_run(p, &pr);
	p->ns = sva_now_ns() - t0;
	ofl_progress_end(&pr);
	return r;
}

int ofl_parse_long(const char *arg, long min, long max, const char *opt, const char *what,
		   long *out)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		ofl_err("%s: expected %s, got '%s'", opt, what, arg);
		return -1;
	}
	*out = v;
	return 0;
}

int ofl_common_option(int c, const char *arg, struct ofl_dev_opts *dev, unsigned int *depth)
{
	long v;
	switch (c) {
	case 'd':
		dev->device = arg;
		return 1;
	case 'Q':
		if (ofl_parse_long(arg, 1, 64, "--queues", "1..64", &v) < 0)
			return -1;
		dev->queues = (unsigned int)v;
		return 1;
	case 'D':
		if (ofl_parse_long(arg, 1, 512, "--depth", "1..512", &v) < 0)
			return -1;
		*depth = (unsigned int)v;
		return 1;
	case 'f':
		if (!strcmp(arg, "block")) {
			dev->fault_mode = SVA_FAULT_BLOCK;
		} else if (!strcmp(arg, "partial")) {
			dev->fault_mode = SVA_FAULT_PARTIAL;
		} else {
			ofl_err("--fault-mode: expected block or partial, got '%s'", arg);
			return -1;
		}
		return 1;
	case 'C':
		if (ofl_parse_long(arg, -1, 4095, "--handler-cpu", "a CPU number", &v) < 0)
			return -1;
		dev->handler_cpu = (int)v;
		return 1;
	case 'A':
		if (ofl_parse_long(arg, 0, 4096, "--fault-ahead", "0..4096 pages", &v) < 0)
			return -1;
		dev->fault_ahead = (int)v;
		return 1;
	case 'q':
		ofl_quiet = true;
		return 1;
	case 'l':
		if (sva_log_parse_spec(arg) < 0) {
			ofl_err("--log: bad level specification '%s'", arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}
