/* SPDX-License-Identifier: BSD-3-Clause */
/* Discovery of DSA/IAA work queues: libaccel-config where installed (and the
 * real /sys and /dev are meant), sysfs otherwise; and the choice of the
 * submission instruction. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idxd_wq.h"
#include "sva_build_config.h"

#ifdef SVA_HAVE_ACCEL_CONFIG
#include <accel-config/libaccel_config.h>
#endif

/* Bounded copies and joins: truncation is checked, not silent. */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);
	memcpy(dst, src, l);
	dst[l] = 0;
}

#define JOIN(buf, ...) (snprintf(buf, sizeof(buf), __VA_ARGS__) >= (int)sizeof(buf) ? -ENAMETOOLONG : 0)

static void roots_of(const struct idxd_roots *r, const char **sysfs, const char **dev)
{
	const char *e;
	*sysfs = r && r->sysfs ? r->sysfs
			       : ((e = getenv("SVADK_IDXD_SYSFS_ROOT")) && *e ? e : IDXD_DEFAULT_SYSFS_ROOT);
	*dev = r && r->dev ? r->dev
			   : ((e = getenv("SVADK_IDXD_DEV_ROOT")) && *e ? e : IDXD_DEFAULT_DEV_ROOT);
}

/* Read a one-line attribute into buf (newline stripped). @return 0 or -errno. */
static int attr_str(const char *dir, const char *name, char *buf, size_t len)
{
	char path[1024];
	if (JOIN(path, "%s/%s", dir, name) < 0)
		return -ENAMETOOLONG;
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static long long attr_num(const char *dir, const char *name, long long def)
{
	char b[64];
	if (attr_str(dir, name, b, sizeof(b)) < 0 || !b[0])
		return def;
	return strtoll(b, NULL, 0);
}

/* Fill from sysfs: @devdir is bus/dsa/devices. */
static int wq_from_sysfs(const char *devdir, const char *devroot, const char *wqname,
			 bool iaa, struct idxd_wq_info *w)
{
	unsigned int d, q;
	if (sscanf(wqname, "wq%u.%u", &d, &q) != 2)
		return -EINVAL;
	char dname[16], ddir[768], wdir[768], link[512];
	if (JOIN(dname, "%s%u", iaa ? "iax" : "dsa", d) < 0 || JOIN(ddir, "%s/%s", devdir, dname) < 0 ||
	    JOIN(wdir, "%s/%s", devdir, wqname) < 0)
		return -ENAMETOOLONG;
	if (access(ddir, F_OK) != 0)
		return -ENOENT; /* the WQ belongs to a device of the other kind */
	memset(w, 0, sizeof(*w));
	copy_str(w->name, sizeof(w->name), wqname);
	copy_str(w->dev_name, sizeof(w->dev_name), dname);
	w->iaa = iaa;
	char b[64] = "";
	attr_str(wdir, "mode", b, sizeof(b));
	w->dedicated = !strcmp(b, "dedicated");
	attr_str(wdir, "state", b, sizeof(b));
	w->enabled = !strcmp(b, "enabled");
	attr_str(wdir, "type", w->type, sizeof(w->type));
	attr_str(wdir, "name", w->wq_name, sizeof(w->wq_name));
	if (attr_str(wdir, "driver_name", w->driver, sizeof(w->driver)) < 0 || !w->driver[0]) {
		/* Older kernels: the driver is the target of the 'driver' link. */
		char p[1024];
		ssize_t n = JOIN(p, "%s/driver", wdir) < 0 ? -1 : readlink(p, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = 0;
			const char *base = strrchr(link, '/');
			copy_str(w->driver, sizeof(w->driver), base ? base + 1 : link);
		}
	}
	w->block_on_fault = attr_num(wdir, "block_on_fault", 0) != 0;
	w->size = (uint32_t)attr_num(wdir, "size", 0);
	w->max_xfer = (uint64_t)attr_num(wdir, "max_transfer_size", 0);
	w->max_batch = (uint32_t)attr_num(wdir, "max_batch_size", 0);
	w->priority = (int)attr_num(wdir, "priority", 0);
	w->pasid_enabled = attr_num(ddir, "pasid_enabled", 0) != 0;
	w->numa_node = (int)attr_num(ddir, "numa_node", -1);
	return JOIN(w->cdev, "%s/%s/%s", devroot, iaa ? "iax" : "dsa", wqname);
}

static int cmp_wq(const void *a, const void *b)
{
	const struct idxd_wq_info *x = a, *y = b;
	unsigned int xd = 0, xq = 0, yd = 0, yq = 0;
	sscanf(x->name, "wq%u.%u", &xd, &xq);
	sscanf(y->name, "wq%u.%u", &yd, &yq);
	return xd != yd ? (xd < yd ? -1 : 1) : (xq < yq ? -1 : xq > yq);
}

static int discover_sysfs(const char *sysfs, const char *devroot, bool iaa,
			  struct idxd_wq_info *out, unsigned int max, char *err, size_t errlen)
{
	char devdir[512];
	if (JOIN(devdir, "%s/bus/dsa/devices", sysfs) < 0) {
		snprintf(err, errlen, "sysfs root too long");
		return -ENAMETOOLONG;
	}
	DIR *d = opendir(devdir);
	if (!d) {
		int e = errno;
		snprintf(err, errlen, "%s: %s (is the idxd driver loaded? modprobe idxd)", devdir,
			 strerror(e));
		return -ENODEV;
	}
	unsigned int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "wq", 2) != 0)
			continue;
		struct idxd_wq_info w;
		if (wq_from_sysfs(devdir, devroot, de->d_name, iaa, &w) < 0)
			continue;
		if (n < max)
			out[n] = w;
		n++;
	}
	closedir(d);
	qsort(out, n < max ? n : max, sizeof(*out), cmp_wq);
	return (int)n;
}

#ifdef SVA_HAVE_ACCEL_CONFIG
static int discover_accfg(bool iaa, struct idxd_wq_info *out, unsigned int max)
{
	struct accfg_ctx *ctx;
	if (accfg_new(&ctx) < 0)
		return -ENODEV;
	struct accfg_device *dev;
	struct accfg_wq *wq;
	unsigned int n = 0;
	accfg_device_foreach(ctx, dev) {
		const char *dn = accfg_device_get_devname(dev);
		if (!dn || strncmp(dn, iaa ? "iax" : "dsa", 3) != 0)
			continue;
		accfg_wq_foreach(dev, wq) {
			struct idxd_wq_info w = {0};
			snprintf(w.name, sizeof(w.name), "%s", accfg_wq_get_devname(wq));
			snprintf(w.dev_name, sizeof(w.dev_name), "%s", dn);
			w.iaa = iaa;
			w.dedicated = accfg_wq_get_mode(wq) == ACCFG_WQ_DEDICATED;
			w.enabled = accfg_wq_get_state(wq) == ACCFG_WQ_ENABLED;
			const char *t = accfg_wq_get_type_name(wq);
			snprintf(w.type, sizeof(w.type), "%s",
				 accfg_wq_get_type(wq) == ACCFG_WQT_USER ? "user" : (t ? t : "none"));
			const char *dr = accfg_wq_get_driver_name(wq);
			snprintf(w.driver, sizeof(w.driver), "%s", dr ? dr : "");
			w.block_on_fault = accfg_wq_get_block_on_fault(wq) > 0;
			w.size = (uint32_t)accfg_wq_get_size(wq);
			w.max_xfer = accfg_wq_get_max_transfer_size(wq);
			w.max_batch = accfg_wq_get_max_batch_size(wq);
			w.priority = accfg_wq_get_priority(wq);
			w.pasid_enabled = accfg_device_get_pasid_enabled(dev);
			w.numa_node = accfg_device_get_numa_node(dev);
			if (accfg_wq_get_user_dev_path(wq, w.cdev, sizeof(w.cdev)) < 0)
				snprintf(w.cdev, sizeof(w.cdev), "/dev/%s/%s", iaa ? "iax" : "dsa",
					 w.name);
			w.from_accfg = true;
			if (n < max)
				out[n] = w;
			n++;
		}
	}
	accfg_unref(ctx);
	qsort(out, n < max ? n : max, sizeof(*out), cmp_wq);
	return (int)n;
}
#endif

int idxd_discover(const struct idxd_roots *roots, bool iaa, struct idxd_wq_info *out,
		  unsigned int max, char *err, size_t errlen)
{
	const char *sysfs, *dev;
	roots_of(roots, &sysfs, &dev);
#ifdef SVA_HAVE_ACCEL_CONFIG
	if (!strcmp(sysfs, IDXD_DEFAULT_SYSFS_ROOT) && !strcmp(dev, IDXD_DEFAULT_DEV_ROOT)) {
		int n = discover_accfg(iaa, out, max);
		if (n > 0)
			return n;
	}
#endif
	return discover_sysfs(sysfs, dev, iaa, out, max, err, errlen);
}

int idxd_wq_find(const struct idxd_roots *roots, bool iaa, const char *name,
		 struct idxd_wq_info *out, char *err, size_t errlen)
{
	const char *slash = strchr(name, '/');
	const char *wq = slash ? slash + 1 : name;
	struct idxd_wq_info *all = calloc(256, sizeof(*all));
	if (!all)
		return -ENOMEM;
	int n = idxd_discover(roots, iaa, all, 256, err, errlen);
	if (n < 0) {
		free(all);
		return n;
	}
	for (int i = 0; i < n && i < 256; i++) {
		if (strcmp(all[i].name, wq) != 0)
			continue;
		if (slash && (strncmp(name, all[i].dev_name, (size_t)(slash - name)) != 0 ||
			      all[i].dev_name[slash - name] != 0))
			continue;
		*out = all[i];
		free(all);
		return 0;
	}
	const char *sysfs, *dev;
	roots_of(roots, &sysfs, &dev);
	snprintf(err, errlen, "no %s work queue '%s' under %s/bus/dsa/devices (%d %s work queue%s "
		 "found; list them with accel-config list)", iaa ? "IAA" : "DSA", name, sysfs, n,
		 iaa ? "IAA" : "DSA", n == 1 ? "" : "s");
	free(all);
	return -ENODEV;
}

int idxd_wq_check_usable(const struct idxd_wq_info *w, char *err, size_t errlen)
{
	if (!w->pasid_enabled) {
		snprintf(err, errlen, "%s: SVA is not enabled on the device (pasid_enabled is 0): "
			 "boot with intel_iommu=on,sm_on (scalable mode) on a platform with PASID "
			 "support, and an idxd driver built with CONFIG_INTEL_IDXD_SVM", w->dev_name);
		return -ENOTSUP;
	}
	if (!w->enabled || strcmp(w->type, "user") != 0 ||
	    (w->driver[0] && strcmp(w->driver, "user") != 0)) {
		snprintf(err, errlen, "%s/%s is not an enabled work queue bound to the user driver "
			 "(state %s, type %s, driver %s): accel-config config-wq %s/%s --type=user "
			 "--name=app --mode=dedicated --size=16 --group-id=0 && accel-config "
			 "enable-wq %s/%s (the device must be enabled first)", w->dev_name, w->name,
			 w->enabled ? "enabled" : "disabled", w->type[0] ? w->type : "none",
			 w->driver[0] ? w->driver : "none", w->dev_name, w->name, w->dev_name,
			 w->name);
		return -EPERM;
	}
	return 0;
}

const char *idxd_submit_mode_name(enum idxd_submit_mode m)
{
	switch (m) {
	case IDXD_SUBMIT_AUTO: return "auto";
	case IDXD_SUBMIT_MOVDIR64B: return "movdir64b";
	case IDXD_SUBMIT_ENQCMD: return "enqcmd";
	case IDXD_SUBMIT_WRITE: return "write";
	}
	return "?";
}

int idxd_submit_select(bool dedicated, bool has_movdir64b, bool has_enqcmd, bool portal_mapped,
		       enum idxd_submit_mode want, char *err, size_t errlen)
{
	enum idxd_submit_mode insn = dedicated ? IDXD_SUBMIT_MOVDIR64B : IDXD_SUBMIT_ENQCMD;
	bool cpu_ok = dedicated ? has_movdir64b : has_enqcmd;
	if (want == IDXD_SUBMIT_WRITE)
		return IDXD_SUBMIT_WRITE;
	if (want != IDXD_SUBMIT_AUTO && want != insn) {
		snprintf(err, errlen, "%s needs a %s work queue; this one is %s",
			 idxd_submit_mode_name(want),
			 want == IDXD_SUBMIT_MOVDIR64B ? "dedicated" : "shared",
			 dedicated ? "dedicated" : "shared");
		return -ENOTSUP;
	}
	if (cpu_ok && portal_mapped)
		return (int)insn;
	if (want == insn) {
		snprintf(err, errlen, "%s: %s", idxd_submit_mode_name(insn),
			 !cpu_ok ? "the CPU does not have this instruction"
				 : "the portal could not be mapped");
		return -ENOTSUP;
	}
	return IDXD_SUBMIT_WRITE; /* the kernel submits for us (write() on the WQ file) */
}
