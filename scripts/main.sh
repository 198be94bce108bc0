#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Quick start, first command: set the machine up, build, and run the main job,
# the benchmark tool svadk-perf on the default (software) device.
#
#   bash scripts/main.sh [ARGS...]
#
# Runs build/apps/svadk-perf/svadk-perf with ARGS, or with
# --config config/quickstart.ini when there are none. The build directory is
# "build", or $SVADK_BUILDDIR.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
builddir="${SVADK_BUILDDIR:-build}"

bash scripts/setup.sh
bash scripts/build.sh "$builddir"

perf="$builddir/apps/svadk-perf/svadk-perf"
if [ ! -x "$perf" ]; then
	echo "main: $perf was not built" >&2
	exit 1
fi
if [ $# -eq 0 ]; then
	# The default scenario: copies and fault storms on the software device,
	# each against the CPU in the same run (config/quickstart.ini).
	set -- --config config/quickstart.ini
fi
echo "main: running $perf $*"
exec "$perf" "$@"
