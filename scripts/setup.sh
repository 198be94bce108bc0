#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Install the Debian 12 (bookworm) packages svadk's build, tests, docs and
# tools need. Idempotent: packages already installed are not touched, and
# when nothing is missing the script does not use the network at all.
#
#   bash scripts/setup.sh          # as root, or as a user with sudo
#
# Groups:
#   core      needed to build libsvadk and run the test suites; a failure here
#             stops the script with exit status 1
#   optional  libraries the build uses when found (zlib, isa-l, accel-config,
#             DPDK, libedit), docs (doxygen), clang + sanitizer/libFuzzer
#             runtimes, the tools' and demos' helpers, the VM test harness.
#             A package that cannot be installed is reported and skipped; the
#             build then leaves out the part that needs it.
#
# Environment:
#   SVADK_SKIP_SETUP=1   do nothing (for machines set up by other means)
set -uo pipefail

if [ "${SVADK_SKIP_SETUP:-0}" = 1 ]; then
	echo "setup: SVADK_SKIP_SETUP=1, not checking packages"
	exit 0
fi

core_pkgs=(
	build-essential meson ninja-build pkg-config python3 gzip
	libnuma-dev libcunit1-dev
)
declare -A opt_groups=(
	[libraries]="zlib1g-dev libisal-dev libaccel-config-dev libdpdk-dev dpdk libedit-dev"
	[docs]="doxygen"
	[sanitizers]="clang libclang-rt-14-dev"
	[tools]="python3-matplotlib tmux iproute2 tcpdump tcpreplay"
	[vm]="qemu-system-x86 busybox-static bc bison flex libelf-dev libssl-dev cpio kmod"
)
opt_order=(libraries docs sanitizers tools vm)

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "setup: not a Debian-like system (no dpkg-query); install the equivalents of:" >&2
	echo "setup:   ${core_pkgs[*]}" >&2
	for g in "${opt_order[@]}"; do echo "setup:   ${opt_groups[$g]}  (optional: $g)" >&2; done
	exit 0
fi

is_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing_of() {
	local p
	for p in "$@"; do is_installed "$p" || printf '%s ' "$p"; done
}

read -r -a core_missing <<<"$(missing_of "${core_pkgs[@]}")"
declare -A opt_missing=()
any_opt_missing=0
for g in "${opt_order[@]}"; do
	# shellcheck disable=SC2086
	opt_missing[$g]="$(missing_of ${opt_groups[$g]})"
	[ -n "${opt_missing[$g]// /}" ] && any_opt_missing=1
done

if [ ${#core_missing[@]} -eq 0 ] && [ $any_opt_missing -eq 0 ]; then
	echo "setup: all packages present"
	exit 0
fi

# Root for apt-get: ourselves, or sudo.
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=(sudo)
	else
		# shellcheck disable=SC2116,SC2086,SC2048
		all_missing="$(echo ${core_missing[*]} ${opt_missing[*]})"
		echo "setup: not root and no sudo; cannot install: $all_missing" >&2
		if [ ${#core_missing[@]} -eq 0 ]; then
			echo "setup: only optional packages are missing; continuing without them" >&2
			exit 0
		fi
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q
	-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef
	-o Dpkg::Options::=--force-confold --no-install-recommends)

echo "setup: updating the package lists"
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update >/dev/null; then
	echo "setup: warning: apt-get update failed; trying with the lists this machine has" >&2
fi

install_list() { # install_list PKG... -> 0 if all installed
	"${APT[@]}" install "$@" >/dev/null
}

status=0
if [ ${#core_missing[@]} -gt 0 ]; then
	echo "setup: installing core: ${core_missing[*]}"
	if ! install_list "${core_missing[@]}"; then
		# Say which ones: retry one by one so the message is precise.
		failed=()
		for p in "${core_missing[@]}"; do install_list "$p" || failed+=("$p"); done
		if [ ${#failed[@]} -gt 0 ]; then
			echo "setup: ERROR: could not install core packages: ${failed[*]}" >&2
			echo "setup: svadk cannot be built without them" >&2
			status=1
		fi
	fi
fi

for g in "${opt_order[@]}"; do
	read -r -a pk <<<"${opt_missing[$g]}"
	[ ${#pk[@]} -eq 0 ] && continue
	echo "setup: installing optional ($g): ${pk[*]}"
	install_list "${pk[@]}" && continue
	failed=()
	for p in "${pk[@]}"; do install_list "$p" || failed+=("$p"); done
	if [ ${#failed[@]} -gt 0 ]; then
		echo "setup: warning: optional ($g) not installed: ${failed[*]};" \
			"the parts that need them are left out of the build or skipped" >&2
	fi
done

if [ $status -eq 0 ]; then
	echo "setup: done"
fi
exit $status
