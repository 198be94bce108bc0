#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Quick start, first command: set the machine up, build, and run the main job,
# the benchmark tool svadk-perf on the default (software) device.
#
#   bash scripts/main.sh [ARGS...]
#
# Runs build/apps/svadk-perf with ARGS (none by default). Until svadk-perf
# exists in the tree, runs the IO page-fault benchmark
# build/tests/bench/svadk-iopf-bench instead (with --quick when no ARGS are
# given). The build directory is "build", or $SVADK_BUILDDIR.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
builddir="${SVADK_BUILDDIR:-build}"

bash scripts/setup.sh
bash scripts/build.sh "$builddir"

perf="$builddir/apps/svadk-perf"
iopf_bench="$builddir/tests/bench/svadk-iopf-bench"

if [ -x "$perf" ]; then
	echo "main: running $perf${*:+ $*}"
	exec "$perf" "$@"
elif [ -x "$iopf_bench" ]; then
	echo "main: svadk-perf is not built yet; running the IO page-fault benchmark $iopf_bench instead"
	if [ $# -eq 0 ]; then
		set -- --quick
	fi
	exec "$iopf_bench" "$@"
else
	echo "main: neither $perf nor $iopf_bench was built; nothing to run" >&2
	exit 1
fi
