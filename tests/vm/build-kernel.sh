#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build (or find in the cache) the small kernel the tests/vm guest boots.
#
#   bash tests/vm/build-kernel.sh        prints the kernel's cache directory
#                                        (bzImage, version, build.log) last
#
# The source is Debian's newest linux-source-X.Y package reachable through the
# harness's own apt source list (trixie-backports, then bookworm-backports),
# fetched with "apt-get download" into the cache: the machine's apt sources,
# lists and package state stay untouched. Configuration: tinyconfig plus
# tests/vm/kernel.config. The result is cached outside the repository, in
# $SVADK_VM_CACHE (default ~/.cache/svadk-vm), keyed by package version and a
# hash of the configuration fragment and this script; a later run reuses it.
#
# Environment: SVADK_VM_CACHE, SVADK_VM_KERNEL_PKG (force a package, e.g.
# linux-source-6.12), SVADK_VM_JOBS (make -j, default: number of CPUs).
# Exit status: 0 with the directory printed; 77 when no source package can be
# had (no network, no mirror): the VM suite is then skipped; 1 on a failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${SVADK_VM_CACHE:-$HOME/.cache/svadk-vm}"
jobs="${SVADK_VM_JOBS:-$(nproc)}"
mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/src" || exit 1

say() { echo "vm-kernel: $*" >&2; }

# --- apt, with lists and sources of our own -----------------------------------
cat >"$cache/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian trixie-backports main
deb http://deb.debian.org/debian bookworm-backports main
EOF
APT_OPTS=(
	-o "Dir::Etc::sourcelist=$cache/apt/sources.list"
	-o "Dir::Etc::sourceparts=/dev/null"
	-o "Dir::State::Lists=$cache/apt/lists"
	-o "Dir::State::status=/dev/null"
	-o "Dir::Cache=$cache/apt/cache"
	-o "Acquire::Languages=none"
	-o "APT::Sandbox::User=root"
	-q
)

# Refresh the lists at most once a day.
stamp="$cache/apt/lists/.updated"
if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
	if apt-get "${APT_OPTS[@]}" update >"$cache/apt/update.log" 2>&1; then
		touch "$stamp"
	else
		say "apt-get update failed (see $cache/apt/update.log); using the lists there are"
	fi
fi

if [ -n "${SVADK_VM_KERNEL_PKG:-}" ]; then
	candidates=("$SVADK_VM_KERNEL_PKG")
else
	mapfile -t candidates < <(apt-cache "${APT_OPTS[@]}" search --names-only '^linux-source-[0-9]+\.[0-9]+$' 2>/dev/null |
		awk '{print $1}' | sort -V -r)
	# Versions the harness knows how to configure: 6.12 and newer.
	mapfile -t candidates < <(for p in "${candidates[@]}"; do
		v=${p#linux-source-}
		[ "$(printf '%s\n6.12\n' "$v" | sort -V | head -n1)" = "6.12" ] && echo "$p"
	done)
fi
if [ "${#candidates[@]}" -eq 0 ]; then
	say "no linux-source package (>= 6.12) found through $cache/apt/sources.list"
	exit 77
fi

confhash=$(cat "$here/kernel.config" "$here/build-kernel.sh" | sha256sum | cut -c1-12)

for pkg in "${candidates[@]}"; do
	pver=$(apt-cache "${APT_OPTS[@]}" policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
	[ -n "$pver" ] && [ "$pver" != "(none)" ] || { say "$pkg: no candidate"; continue; }
	key="${pkg#linux-source-}-${pver//[^A-Za-z0-9.+-]/_}-$confhash"
	out="$cache/kernel-$key"
	if [ -f "$out/bzImage" ]; then
		say "cached: $out"
		echo "$out"
		exit 0
	fi
	say "building $pkg $pver (config $confhash) into $out"
	start=$SECONDS
	debdir="$cache/src/deb"
	rm -rf "$debdir" && mkdir -p "$debdir"
	if ! (cd "$debdir" && apt-get "${APT_OPTS[@]}" download "$pkg=$pver" >&2); then
		say "$pkg: download failed; trying the next package"
		continue
	fi
	deb=$(ls "$debdir"/*.deb 2>/dev/null | head -n1)
	work="$cache/src/work"
	rm -rf "$work" && mkdir -p "$work"
	if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './usr/src/linux-source-*.tar.*'; then
		say "$pkg: cannot unpack $deb"
		continue
	fi
	tarball=$(ls "$work"/usr/src/linux-source-*.tar.* | head -n1)
	tar -xf "$tarball" -C "$work" || { say "cannot extract $tarball"; continue; }
	rm -f "$tarball" "$deb"
	ksrc=$(ls -d "$work"/linux-source-*/ | head -n1)
	ksrc=${ksrc%/}
	kver=$(make -s -C "$ksrc" kernelversion 2>/dev/null)
	say "source $kver unpacked ($((SECONDS - start)) s)"
	log="$work/build.log"
	{
		make -C "$ksrc" tinyconfig &&
			"$ksrc/scripts/kconfig/merge_config.sh" -m -O "$ksrc" "$ksrc/.config" "$here/kernel.config" &&
			make -C "$ksrc" olddefconfig
	} >"$log" 2>&1 || { say "configuration failed, see $log"; exit 1; }
	missing=()
	for opt in IOMMUFD IOMMUFD_TEST IOMMU_IOPF INTEL_IOMMU VFIO VFIO_DEVICE_CDEV PCI_MSI ACPI \
		DEVTMPFS BLK_DEV_INITRD EVENTFD FUTEX ADVISE_SYSCALLS SERIAL_8250_CONSOLE; do
		grep -q "^CONFIG_$opt=y" "$ksrc/.config" || missing+=("$opt")
	done
	if [ "${#missing[@]}" -ne 0 ]; then
		say "$kver: configuration lacks ${missing[*]} (see $ksrc/.config)"
		exit 1
	fi
	say "building bzImage with $jobs jobs"
	if ! make -C "$ksrc" -j"$jobs" bzImage >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		say "kernel build failed, see $log"
		exit 1
	fi
	# The selftest declarations of vm_iommufd.c must match this kernel.
	make -C "$ksrc" headers >>"$log" 2>&1 || { say "make headers failed"; exit 1; }
	if ! ${CC:-cc} -std=gnu11 -Wall -Werror -I"$ksrc/usr/include" -I"$ksrc/drivers/iommu/iommufd" \
		-I"$here" "$here/check_selftest_layout.c" -o "$work/check_layout" >>"$log" 2>&1; then
		tail -n 20 "$log" >&2
		say "tests/vm/vmt_selftest.h does not match the selftest interface of $kver"
		exit 1
	fi
	rm -rf "$out.tmp" && mkdir -p "$out.tmp"
	cp "$ksrc/arch/x86/boot/bzImage" "$ksrc/.config" "$log" "$out.tmp/" &&
		echo "$kver" >"$out.tmp/version" && echo "$pkg $pver" >"$out.tmp/package" &&
		mv "$out.tmp" "$out" || exit 1
	rm -rf "$work"
	say "kernel $kver ready in $((SECONDS - start)) s: $out"
	echo "$out"
	exit 0
done
say "no kernel could be fetched"
exit 77
