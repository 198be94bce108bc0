/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VFIO cdev + iommufd with a real (emulated) IOMMU, inside the tests/vm
 * guest: qemu's VT-d (intel-iommu) in front of its "edu" PCI device, whose
 * DMA engine copies between guest memory and an on-device buffer.
 *
 * The device is bound to vfio-pci, its cdev (/dev/vfio/devices/vfioN) bound
 * to /dev/iommu (VFIO_DEVICE_BIND_IOMMUFD), IOMMU_GET_HW_INFO read, and its
 * non-PASID part attached to the IOAS of a space mirroring the process
 * address space (IOVA == VA). A range is mapped the way the fault handler
 * maps it (edu has no PRI, so the fault is resolved ahead of the DMA), edu
 * copies through the IOMMU, and after sva_as_invalidate() the same DMA no
 * longer reaches the memory. PASID attach and fault HWPTs on a device
 * without PASID/PRI must fail with a message, not a crash.
 *
 * Exit 0 (pass), 1 (fail), 77 (no edu device or no /dev/iommu).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sva_as.h"
#include "sva_dma.h"
#include "sva_iommufd.h"
#include "sva_log.h"
#include "vmt_check.h"

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_BUF 0x40000ull /* device-side DMA buffer */
#define BUF_VA 0x08000000ull /* edu's default DMA mask is 28 bits */
#define DMA_LEN 1024u /* qemu 7.2's edu refuses a transfer of its whole 4 KiB buffer */

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ssize_t w = write(fd, s, strlen(s));
	int e = errno;
	close(fd);
	return w == (ssize_t)strlen(s) ? 0 : -e;
}

static unsigned int read_hex(const char *dir, const char *name)
{
	char p[512], b[32] = "";
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "r");
	if (!f)
		return 0;
	if (!fgets(b, sizeof(b), f))
		b[0] = 0;
	fclose(f);
	return (unsigned int)strtoul(b, NULL, 16);
}

/* Find the edu device; bind it to vfio-pci; return its cdev path. */
static int find_edu(char *bdf, size_t bl, char *cdev, size_t cl)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	int found = 0;
	while (d && (de = readdir(d)) != NULL) {
		char dir[300];
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", de->d_name);
		if (read_hex(dir, "vendor") == EDU_VENDOR && read_hex(dir, "device") == EDU_DEVICE) {
			found = snprintf(bdf, bl, "%s", de->d_name) < (int)bl;
			break;
		}
	}
	if (d)
		closedir(d);
	if (!found)
		return -ENODEV;
	char p[300];
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver_override", bdf);
	int rc = write_str(p, "vfio-pci");
	if (rc == 0)
		rc = write_str("/sys/bus/pci/drivers_probe", bdf);
	if (rc < 0)
		return rc;
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(p);
	if (!d)
		return -errno;
	found = 0;
	while ((de = readdir(d)) != NULL)
		if (!strncmp(de->d_name, "vfio", 4)) {
			found = snprintf(cdev, cl, "/dev/vfio/devices/%s", de->d_name) < (int)cl;
		}
	closedir(d);
	return found ? 0 : -ENOENT;
}

static uint64_t region_off(int fd, unsigned int index)
{
	struct vfio_region_info ri = {.argsz = sizeof(ri), .index = index};
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		return UINT64_MAX;
	return ri.offset;
}

static uint64_t bar0;

static void mmio_w64(int fd, uint64_t off, uint64_t v)
{
	if (pwrite(fd, &v, 8, (off_t)(bar0 + off)) != 8)
		printf("# mmio write 0x%llx: %s\n", (unsigned long long)off, strerror(errno));
}

static uint32_t mmio_r32(int fd, uint64_t off)
{
	uint32_t v = 0;
	if (pread(fd, &v, 4, (off_t)(bar0 + off)) != 4)
		return 0xffffffffu;
	return v;
}

/* One edu DMA: to_ram = device buffer → RAM. @return 0 when the engine finished. */
static int edu_dma(int fd, uint64_t ram, uint32_t len, int to_ram)
{
	mmio_w64(fd, 0x80, to_ram ? EDU_BUF : ram);
	mmio_w64(fd, 0x88, to_ram ? ram : EDU_BUF);
	mmio_w64(fd, 0x90, len);
	mmio_w64(fd, 0x98, 1 | (to_ram ? 2 : 0));
	for (int i = 0; i < 5000; i++) {
		if ((mmio_r32(fd, 0x98) & 1) == 0)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

int main(void)
{
	char err[256] = "", bdf[64] = "", cdev[128] = "";
	struct sva_as *pas = NULL;
	struct sva_iommufd_space *sp = NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!getenv("SVADK_LOG"))
		sva_log_parse_spec("*:warning");
	int rc = find_edu(bdf, sizeof(bdf), cdev, sizeof(cdev));
	if (rc == -ENODEV) {
		printf("# skip: no edu device in this VM\n");
		return 77;
	}
	check(rc == 0, "edu %s bound to vfio-pci, cdev %s (%s)", bdf, cdev, strerror(-rc));
	struct sva_iommufd *ic = sva_iommufd_open(NULL, err, sizeof(err));
	if (!ic) {
		printf("# skip: %s\n", err);
		return 77;
	}
	int dfd = -1;
	uint32_t dev_id = 0;
	rc = rc ?: sva_iommufd_vfio_bind(ic, cdev, &dfd, &dev_id, err, sizeof(err));
	check(rc == 0, "VFIO_DEVICE_BIND_IOMMUFD: device id %u %s", dev_id, rc ? err : "");
	if (rc)
		goto out;
	struct sva_iommufd_hw_info hi = {0};
	rc = sva_iommufd_hw_info(ic, dev_id, &hi);
	check(rc == 0 && hi.type == 1, "IOMMU_GET_HW_INFO: type %u (1 = Intel VT-d), PASID width "
	      "%u, capabilities 0x%llx", hi.type, hi.pasid_bits,
	      (unsigned long long)hi.capabilities);

	pas = sva_as_create_process("vfio.process");
	sp = sva_iommufd_space_create(
		ic, &(struct sva_iommufd_space_conf){.name = "edu", .as = pas, .map_pages = 1});
	rc = sp ? sva_iommufd_vfio_attach(dfd, SVA_IOMMUFD_NO_PASID, sva_iommufd_space_ioas(sp),
					 err, sizeof(err))
		: -errno;
	check(rc == 0, "device attached to the IOAS mirroring the process %s", rc ? err : "");
	if (!sp)
		goto out; /* the checks below need the IOAS */

	/* PASIDs and page requests on a device without them: clear refusals. */
	struct sva_iommufd_hwpt h = {0};
	int prc = sva_iommufd_hwpt_alloc(ic, &(struct sva_iommufd_hwpt_req){
		.dev_id = dev_id, .pt_id = sva_iommufd_space_ioas(sp), .pasid = true}, &h, err,
		sizeof(err));
	if (prc == 0) {
		prc = sva_iommufd_vfio_attach(dfd, 5, h.id, err, sizeof(err));
		sva_iommufd_hwpt_free(ic, &h);
	}
	check(prc < 0 && err[0], "PASID on edu refused: %s", err);
	err[0] = 0;
	struct sva_iommufd_fq *fq = sva_iommufd_fq_alloc(ic, err, sizeof(err));
	int frc = fq ? sva_iommufd_hwpt_alloc(ic, &(struct sva_iommufd_hwpt_req){
		.dev_id = dev_id, .pt_id = sva_iommufd_space_ioas(sp), .fq = fq}, &h, err,
		sizeof(err)) : -errno;
	printf("# fault-capable HWPT for edu (no PRI): %s\n", frc == 0 ? "allowed" : err);
	check(frc == 0 || err[0], "fault HWPT on a device without PRI: allowed or refused with a reason");
	sva_iommufd_hwpt_free(ic, &h);
	sva_iommufd_fq_free(fq);
	if (rc)
		goto out;

	/* Bus master on, then DMA through VT-d at IOVA == VA. */
	uint64_t cfg = region_off(dfd, VFIO_PCI_CONFIG_REGION_INDEX);
	bar0 = region_off(dfd, VFIO_PCI_BAR0_REGION_INDEX);
	uint16_t cmd = 0;
	rc = pread(dfd, &cmd, 2, (off_t)(cfg + 4)) == 2 ? 0 : -errno;
	cmd |= 0x6; /* memory space, bus master */
	rc = rc ?: (pwrite(dfd, &cmd, 2, (off_t)(cfg + 4)) == 2 ? 0 : -errno);
	uint32_t ident = mmio_r32(dfd, 0);
	check(rc == 0 && (ident & 0xff) == 0xed, "edu registers reachable (ident 0x%08x)", ident);
	uint8_t *buf = mmap((void *)(uintptr_t)BUF_VA, 2 * 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (buf != (uint8_t *)(uintptr_t)BUF_VA) {
		check(0, "buffer at 0x%llx", BUF_VA);
		goto out;
	}
	uint8_t *src = buf, *dst = buf + 4096;
	for (int i = 0; i < 4096; i++)
		src[i] = (uint8_t)(i * 13 + 5);
	memset(dst, 0, 4096);
	int r1 = sva_iommufd_space_resolve(sp, (uint64_t)(uintptr_t)src, SVA_PERM_READ);
	int r2 = sva_iommufd_space_resolve(sp, (uint64_t)(uintptr_t)dst, SVA_PERM_WRITE);
	check(r1 == 0 && r2 == 0, "source and destination mapped as a fault would map them");
	rc = edu_dma(dfd, (uint64_t)(uintptr_t)src, DMA_LEN, 0);
	rc = rc ?: edu_dma(dfd, (uint64_t)(uintptr_t)dst, DMA_LEN, 1);
	check(rc == 0 && memcmp(src, dst, DMA_LEN) == 0,
	      "edu copied RAM -> device -> RAM through VT-d at IOVA == VA");
	memset(dst, 0, 4096);
	sva_as_invalidate(pas, buf, 2 * 4096);
	for (int i = 0; i < 4096; i++)
		src[i] = 0xa5;
	rc = edu_dma(dfd, (uint64_t)(uintptr_t)dst, DMA_LEN, 1);
	int untouched = 1;
	for (unsigned int i = 0; i < DMA_LEN; i++)
		untouched &= dst[i] == 0;
	check(untouched, "after sva_as_invalidate() the device no longer reaches the memory "
	      "(dma %s)", rc ? "timed out" : "blocked by the IOMMU");
	sva_iommufd_vfio_detach(dfd, SVA_IOMMUFD_NO_PASID);
	close(dfd);
	dfd = -1;

	/* The same device as a lib/dma "iommufd:" device: it opens (bind, RID
	 * on a fault-capable HWPT), and refuses queues, which need PASIDs. */
	char name[160];
	snprintf(name, sizeof(name), "iommufd:%s", strrchr(cdev, '/') + 1);
	struct sva_dev *dev = sva_dev_open(name, NULL);
	check(dev != NULL, "sva_dev_open(\"%s\")", name);
	if (dev) {
		struct sva_dev_info info;
		sva_dev_info_get(dev, &info);
		errno = 0;
		struct sva_queue *q = sva_queue_create(dev, NULL);
		check(q == NULL && errno == ENOTSUP && info.pasid_bits == 0,
		      "queue on a device without PASIDs refused (ENOTSUP)");
		check(sva_dev_close(dev) == 0, "device closed");
	}
out:
	if (dfd >= 0)
		close(dfd);
	sva_iommufd_space_destroy(sp);
	if (pas)
		sva_as_put(pas);
	sva_iommufd_close(ic);
	return check_done();
}
