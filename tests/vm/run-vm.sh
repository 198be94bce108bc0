#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Boot the tests/vm kernel in qemu with a busybox initramfs holding test
# programs, run each, and report.
#
#   bash tests/vm/run-vm.sh PROGRAM...
#
# Each PROGRAM is copied into the initramfs with the shared libraries it
# needs; the guest runs them in order and prints "VMTEST name exit N". The
# guest's console is printed. Exit status: 0 when every program passed, 77
# when the suite cannot run here (no qemu or busybox, no kernel source
# package: see build-kernel.sh) or every program skipped, 1 otherwise.
# qemu runs with software emulation (TCG): KVM is not needed.
#
# Environment: SVADK_VM_TIMEOUT (seconds for the guest, default 300),
# SVADK_VM_KEEP=1 (keep the work directory), plus build-kernel.sh's.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { echo "vm: $*"; }

[ $# -gt 0 ] || { echo "usage: $0 PROGRAM..." >&2; exit 2; }
qemu=$(command -v qemu-system-x86_64) || { say "skip: qemu-system-x86_64 not installed (scripts/setup.sh installs it)"; exit 77; }
busybox=$(command -v busybox) || { say "skip: busybox not installed (busybox-static)"; exit 77; }
command -v cpio >/dev/null || { say "skip: cpio not installed"; exit 77; }

start=$SECONDS
kdir=$(bash "$here/build-kernel.sh" | tail -n1)
rc=${PIPESTATUS[0]}
[ "$rc" -eq 77 ] && { say "skip: no kernel for the VM"; exit 77; }
[ "$rc" -eq 0 ] && [ -f "$kdir/bzImage" ] || { say "kernel build failed"; exit 1; }
say "kernel $(cat "$kdir/version") ($(cat "$kdir/package")), ready after $((SECONDS - start)) s"

work=$(mktemp -d "${TMPDIR:-/tmp}/svadk-vm.XXXXXX")
[ "${SVADK_VM_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests,lib,lib64,usr/lib} || exit 1
cp "$busybox" "$root/bin/busybox"
# busybox-static needs no library; a dynamic busybox brings its own along.
copy_libs() {
	ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		[ -e "$lib" ] && cp -L --parents -n "$lib" "$root/" 2>/dev/null
	done
}
copy_libs "$root/bin/busybox"
for p in "$@"; do
	[ -x "$p" ] || { say "not a program: $p"; exit 1; }
	cp "$p" "$root/tests/"
	copy_libs "$p"
done
cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
echo "VMBOOT $(uname -r) $(cut -d' ' -f1 /proc/uptime)s"
for t in $(sed -n 's/.*svadk_tests=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' '); do
	echo "VMTEST-START $t"
	"/tests/$t"
	echo "VMTEST $t exit $?"
done
echo "VMDONE"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz" || exit 1

timeout_s="${SVADK_VM_TIMEOUT:-300}"
# Two machines: a plain one for the iommufd mock device (Linux 6.12 refuses to
# create mock devices when a real IOMMU driver is active), and one with VT-d
# in front of qemu's "edu" PCI device (a small DMA engine) for the VFIO cdev
# programs (vm_vfio*). The emulated VT-d has no interrupt remapping under TCG,
# so iommufd is told to accept devices whose MSIs are not isolated.
plain=() vtd=()
for p in "$@"; do
	n=$(basename "$p")
	case "$n" in
	vm_vfio*) vtd+=("$n") ;;
	*) plain+=("$n") ;;
	esac
done
: >"$work/console.log"
boot() { # LIST APPEND [QEMU ARGS...]
	local list=$1 append=$2
	shift 2
	say "booting for $list (qemu TCG, timeout ${timeout_s}s)"
	local t0=$SECONDS
	timeout --kill-after=10 "$timeout_s" "$qemu" -M q35 -cpu max -smp 2 -m 512M \
		-accel tcg -nographic -no-reboot -nodefaults -serial stdio "$@" \
		-kernel "$kdir/bzImage" -initrd "$work/initrd.gz" \
		-append "console=ttyS0 panic=-1 quiet loglevel=4 svadk_tests=$list $append" \
		</dev/null >"$work/boot.log" 2>&1
	local qrc=$?
	tr -d '\r' <"$work/boot.log" | tee -a "$work/console.log"
	say "guest ran $((SECONDS - t0)) s (qemu exit $qrc)"
}
[ "${#plain[@]}" -gt 0 ] && boot "$(IFS=,; echo "${plain[*]}")" ""
[ "${#vtd[@]}" -gt 0 ] && boot "$(IFS=,; echo "${vtd[*]}")" \
	"intel_iommu=on iommufd.allow_unsafe_interrupts=1" \
	-device intel-iommu,intremap=off -device edu


pass=0 fail=0 skip=0
for p in "$@"; do
	n=$(basename "$p")
	r=$(sed -n "s/^VMTEST $n exit \([0-9]*\)$/\1/p" "$work/console.log" | tail -n1)
	case "$r" in
	0) pass=$((pass + 1)) ;;
	77) skip=$((skip + 1)); say "$n: skipped" ;;
	"") fail=$((fail + 1)); say "$n: no result (guest crashed or timed out)" ;;
	*) fail=$((fail + 1)); say "$n: failed (exit $r)" ;;
	esac
done
if [ "$fail" -ne 0 ]; then exit 1; fi
if [ "$pass" -eq 0 ]; then exit 77; fi
exit 0
