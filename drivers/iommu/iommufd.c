/* SPDX-License-Identifier: BSD-3-Clause */
/* iommufd context, VFIO cdev binding, hardware info and HWPTs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "iommufd_compat.h"
#include "iommufd_priv.h"
#include "sva_common.h"
#include "sva_log.h"

unsigned int sva_iommufd_kernel_version(void)
{
	struct utsname u;
	unsigned int maj = 0, min = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%u.%u", &maj, &min) != 2)
		return 0;
	return maj * 100 + min;
}

int iommufd_xioctl(int fd, unsigned long req, void *arg)
{
	int rc;
	do
		rc = ioctl(fd, req, arg);
	while (rc < 0 && errno == EINTR);
	return rc < 0 ? -errno : 0;
}

struct sva_iommufd *sva_iommufd_open(const char *path, char *err, size_t errlen)
{
	if (!path)
		path = "/dev/iommu";
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			snprintf(err, errlen, "%s does not exist: the kernel has no iommufd "
				 "(CONFIG_IOMMUFD, Linux 6.2+; fault queues need 6.11+)", path);
		else if (e == EACCES || e == EPERM)
			snprintf(err, errlen, "%s: permission denied (needs read/write access, "
				 "usually root or a udev rule)", path);
		else
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	struct sva_iommufd *ic = calloc(1, sizeof(*ic));
	if (!ic) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	ic->fd = fd;
	ic->kver = sva_iommufd_kernel_version();
	return ic;
}

void sva_iommufd_close(struct sva_iommufd *ic)
{
	if (!ic)
		return;
	close(ic->fd);
	free(ic);
}

int sva_iommufd_fd(const struct sva_iommufd *ic)
{
	return ic->fd;
}

int sva_iommufd_destroy(struct sva_iommufd *ic, uint32_t id)
{
	struct iommu_destroy d = {.size = sizeof(d), .id = id};
	return iommufd_xioctl(ic->fd, IOMMU_DESTROY, &d);
}

int sva_iommufd_ioas_alloc(struct sva_iommufd *ic, uint32_t *ioas_id)
{
	struct iommu_ioas_alloc a = {.size = sizeof(a)};
	int rc = iommufd_xioctl(ic->fd, IOMMU_IOAS_ALLOC, &a);
	if (rc == 0)
		*ioas_id = a.out_ioas_id;
	return rc;
}

int sva_iommufd_map(struct sva_iommufd *ic, uint32_t ioas_id, uint64_t va, uint64_t len,
		    uint64_t iova, uint32_t perm)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA |
			 (perm & SVA_PERM_READ ? IOMMU_IOAS_MAP_READABLE : 0) |
			 (perm & SVA_PERM_WRITE ? IOMMU_IOAS_MAP_WRITEABLE : 0),
		.ioas_id = ioas_id,
		.user_va = va,
		.length = len,
		.iova = iova,
	};
	return iommufd_xioctl(ic->fd, IOMMU_IOAS_MAP, &m);
}

int sva_iommufd_unmap(struct sva_iommufd *ic, uint32_t ioas_id, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = {.size = sizeof(u), .ioas_id = ioas_id, .iova = iova,
				     .length = len};
	return iommufd_xioctl(ic->fd, IOMMU_IOAS_UNMAP, &u);
}

int sva_iommufd_vfio_bind(struct sva_iommufd *ic, const char *cdev, int *dev_fd,
			  uint32_t *dev_id, char *err, size_t errlen)
{
	int fd = open(cdev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			snprintf(err, errlen, "%s does not exist: bind the device to vfio-pci and use "
				 "a kernel with CONFIG_VFIO_DEVICE_CDEV (Linux 6.6+)", cdev);
		else if (e == EBUSY)
			snprintf(err, errlen, "%s is busy: another process (or the legacy "
				 "/dev/vfio/GROUP interface) has the device open", cdev);
		else
			snprintf(err, errlen, "cannot open %s: %s", cdev, strerror(e));
		return -e;
	}
	struct vfio_device_bind_iommufd b = {
		.argsz = offsetof(struct vfio_device_bind_iommufd, out_devid) + sizeof(b.out_devid),
		.iommufd = ic->fd,
	};
	int rc = iommufd_xioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &b);
	if (rc < 0) {
		if (rc == -ENOTTY)
			snprintf(err, errlen, "%s: VFIO_DEVICE_BIND_IOMMUFD not supported (needs "
				 "Linux 6.6+ with CONFIG_VFIO_DEVICE_CDEV)", cdev);
		else
			snprintf(err, errlen, "%s: VFIO_DEVICE_BIND_IOMMUFD: %s", cdev,
				 strerror(-rc));
		close(fd);
		return rc;
	}
	*dev_fd = fd;
	*dev_id = b.out_devid;
	return 0;
}

int sva_iommufd_vfio_attach(int dev_fd, uint32_t pasid, uint32_t pt_id, char *err, size_t errlen)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a),
		.flags = pasid == SVA_IOMMUFD_NO_PASID ? 0 : VFIO_DEVICE_ATTACH_PASID,
		.pt_id = pt_id,
		.pasid = pasid == SVA_IOMMUFD_NO_PASID ? 0 : pasid,
	};
	if (pasid == SVA_IOMMUFD_NO_PASID)
		a.argsz = offsetof(struct vfio_device_attach_iommufd_pt, pasid);
	int rc = iommufd_xioctl(dev_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
	if (rc < 0 && err) {
		unsigned int kver = sva_iommufd_kernel_version();
		if (pasid != SVA_IOMMUFD_NO_PASID && rc == -EINVAL && kver < 615)
			snprintf(err, errlen, "attaching PASID %u needs Linux >= 6.15 "
				 "(VFIO_DEVICE_ATTACH_PASID); this kernel is %u.%u", pasid,
				 kver / 100, kver % 100);
		else if (pasid != SVA_IOMMUFD_NO_PASID && (rc == -EOPNOTSUPP || rc == -EINVAL))
			snprintf(err, errlen, "attaching PASID %u to %u refused (%s): the device or "
				 "its IOMMU has no PASID support (IOMMU_GET_HW_INFO reports the PASID "
				 "width), the PASID is out of range, or the HWPT lacks "
				 "IOMMU_HWPT_ALLOC_PASID", pasid, pt_id, strerror(-rc));
		else if (pasid == SVA_IOMMUFD_NO_PASID)
			snprintf(err, errlen, "attach the device to %u: %s%s", pt_id, strerror(-rc),
				 rc == -ENODEV ? " (a HWPT with a fault queue needs a device with "
						 "PRI/page requests)" : "");
		else
			snprintf(err, errlen, "attach PASID %u to %u: %s", pasid, pt_id,
				 strerror(-rc));
	}
	return rc;
}

int sva_iommufd_vfio_detach(int dev_fd, uint32_t pasid)
{
	struct vfio_device_detach_iommufd_pt d = {
		.argsz = sizeof(d),
		.flags = pasid == SVA_IOMMUFD_NO_PASID ? 0 : VFIO_DEVICE_DETACH_PASID,
		.pasid = pasid == SVA_IOMMUFD_NO_PASID ? 0 : pasid,
	};
	if (pasid == SVA_IOMMUFD_NO_PASID)
		d.argsz = offsetof(struct vfio_device_detach_iommufd_pt, pasid);
	return iommufd_xioctl(dev_fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

int sva_iommufd_hw_info(struct sva_iommufd *ic, uint32_t dev_id, struct sva_iommufd_hw_info *info)
{
	struct iommu_hw_info h = {.size = sizeof(h), .dev_id = dev_id};
	int rc = iommufd_xioctl(ic->fd, IOMMU_GET_HW_INFO, &h);
	if (rc < 0)
		return rc;
	info->type = h.out_data_type;
	info->pasid_bits = h.out_max_pasid_log2; /* 0 on kernels without the field (6.12): unknown */
	info->capabilities = h.out_capabilities;
	return 0;
}

static int hwpt_ioctl(struct sva_iommufd *ic, uint32_t flags, uint32_t dev_id, uint32_t pt_id,
		      uint32_t fault_id, uint32_t type, const void *data, uint32_t len,
		      uint32_t *out)
{
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = type,
		.data_len = type ? len : 0,
		.data_uptr = type ? (uint64_t)(uintptr_t)data : 0,
		.fault_id = fault_id,
	};
	int rc = iommufd_xioctl(ic->fd, IOMMU_HWPT_ALLOC, &a);
	if (rc == 0)
		*out = a.out_hwpt_id;
	return rc;
}

int sva_iommufd_hwpt_alloc(struct sva_iommufd *ic, const struct sva_iommufd_hwpt_req *req,
			   struct sva_iommufd_hwpt *out, char *err, size_t errlen)
{
	uint32_t flags = req->pasid ? IOMMU_HWPT_ALLOC_PASID : 0;
	uint32_t fault_id = 0;
	unsigned int kv = ic->kver;
	memset(out, 0, sizeof(*out));
	if (req->fq) {
		flags |= IOMMU_HWPT_FAULT_ID_VALID;
		fault_id = sva_iommufd_fq_id(req->fq);
	}
	int rc = hwpt_ioctl(ic, flags, req->dev_id, req->pt_id, fault_id, IOMMU_HWPT_DATA_NONE,
			    NULL, 0, &out->id);
	if (rc == 0) {
		out->kind = SVA_IOMMUFD_HWPT_PAGING;
		if (req->fq)
			SVA_LOG(IOMMUFD, INFO, "kernel %u.%u accepted a fault queue on a paging HWPT "
				"(HWPT %u)", kv / 100, kv % 100, out->id);
		return 0;
	}
	if (rc == -EOPNOTSUPP && req->pasid && !req->fq) {
		snprintf(err, errlen, "IOMMU_HWPT_ALLOC_PASID refused: the IOMMU has no PASID "
			 "support (or the kernel predates the flag: 6.12 and older)");
		return rc;
	}
	if (rc != -EOPNOTSUPP || !req->fq) {
		if (rc == -EINVAL && (flags & IOMMU_HWPT_ALLOC_PASID) && kv <= 612)
			snprintf(err, errlen, "IOMMU_HWPT_ALLOC_PASID needs a kernel newer than 6.12 "
				 "(PASID attach: 6.15); this kernel is %u.%u", kv / 100, kv % 100);
		else if (rc == -EINVAL && req->fq && kv < 611)
			snprintf(err, errlen, "HWPTs with a fault queue need Linux >= 6.11; this "
				 "kernel is %u.%u", kv / 100, kv % 100);
		else
			snprintf(err, errlen, "IOMMU_HWPT_ALLOC (flags 0x%x): %s", flags,
				 strerror(-rc));
		return rc;
	}
	/* EOPNOTSUPP for a fault id on a paging HWPT: Linux 6.11/6.12 take it
	 * only on nested HWPTs. */
	if (!req->nested_type) {
		snprintf(err, errlen, "kernel %u.%u refuses a fault queue on a paging HWPT (Linux "
			 "6.11/6.12 accept it only on nested HWPTs, which need IOMMU-specific "
			 "first-stage data; newer kernels accept paging HWPTs)", kv / 100, kv % 100);
		return rc;
	}
	rc = hwpt_ioctl(ic, IOMMU_HWPT_ALLOC_NEST_PARENT, req->dev_id, req->pt_id, 0,
			IOMMU_HWPT_DATA_NONE, NULL, 0, &out->parent_id);
	if (rc < 0) {
		snprintf(err, errlen, "nest parent HWPT: %s", strerror(-rc));
		return rc;
	}
	rc = hwpt_ioctl(ic, flags, req->dev_id, out->parent_id, fault_id, req->nested_type,
			req->nested_data, req->nested_len, &out->id);
	if (rc < 0) {
		snprintf(err, errlen, "nested HWPT with a fault queue: %s", strerror(-rc));
		sva_iommufd_destroy(ic, out->parent_id);
		out->parent_id = 0;
		return rc;
	}
	out->kind = SVA_IOMMUFD_HWPT_NESTED;
	SVA_LOG(IOMMUFD, INFO, "kernel %u.%u refused a fault queue on a paging HWPT; using a "
		"nested HWPT %u over parent %u", kv / 100, kv % 100, out->id, out->parent_id);
	return 0;
}

void sva_iommufd_hwpt_free(struct sva_iommufd *ic, struct sva_iommufd_hwpt *h)
{
	uint32_t ids[2] = {h->id, h->parent_id};
	for (int i = 0; i < 2; i++) {
		int rc = ids[i] ? sva_iommufd_destroy(ic, ids[i]) : 0;
		if (rc < 0)
			SVA_LOG(IOMMUFD, WARNING, "destroy HWPT %u: %s (still attached?)", ids[i],
				strerror(-rc));
	}
	h->id = h->parent_id = 0;
}
