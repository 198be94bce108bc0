#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Configure (or reconfigure) and build svadk.
#
#   bash scripts/build.sh [BUILDDIR] [MESON OPTIONS...]
#
# BUILDDIR defaults to "build" (relative to the repository root). The build
# type and the other defaults come from meson.build; pass meson options to
# change them, e.g.
#   bash scripts/build.sh build-rel --buildtype=release
#   CC=clang bash scripts/build.sh build-tsan -Db_sanitize=thread -Db_lundef=false
# CC is honoured when a build directory is first configured; meson keeps the
# compiler of an existing build directory.
#
# Options given to an existing build directory are applied with
# "meson setup --reconfigure"; without options an existing build directory is
# just rebuilt (ninja reruns meson itself when a meson.build changed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

builddir="${1:-build}"
[ $# -gt 0 ] && shift

if [ -f "$builddir/meson-private/coredata.dat" ]; then
	if [ $# -gt 0 ]; then
		echo "build: reconfiguring $builddir: $*"
		if ! meson setup --reconfigure "$builddir" "$@"; then
			echo "build: reconfigure failed, configuring $builddir from scratch"
			meson setup --wipe "$builddir" "$@"
		fi
	fi
else
	echo "build: configuring $builddir${*:+: $*}"
	meson setup "$builddir" "$@"
fi

echo "build: building $builddir"
meson compile -C "$builddir"
