#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Quick start, second command: set the machine up, build, and run every test
# suite (unit, functional, stress, concurrent, and any suite added later).
#
#   bash scripts/test.sh [MESON TEST ARGS...]
#
# Extra arguments go to "meson test" (e.g. --suite unit, a test name,
# --repeat 10). The build directory is "build", or $SVADK_BUILDDIR.
# The last line printed is "N passed, N failed"; the exit status is non-zero
# when the build or a test failed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
builddir="${SVADK_BUILDDIR:-build}"

bash scripts/setup.sh || { echo "test: setup failed"; echo "0 passed, 1 failed"; exit 1; }
bash scripts/build.sh "$builddir" || { echo "test: build failed"; echo "0 passed, 1 failed"; exit 1; }

# A stale log from an earlier run must not be counted.
rm -f "$builddir/meson-logs/testlog.json"

echo "test: running the test suites in $builddir"
meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
rc=$?

echo "test: results"
# A non-zero status with no failed test logged counts as one failure.
python3 scripts/count-tests.py --rc "$rc" "$builddir"
crc=$?
if [ $rc -ne 0 ] || [ $crc -ne 0 ]; then exit 1; fi
exit 0
