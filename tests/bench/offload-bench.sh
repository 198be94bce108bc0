#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Offload demos against the usual CPU tools, on the same files in the same run:
#   svadk-dsa copy      vs cp
#   svadk-dsa compare   vs cmp
#   svadk-dsa crc32c    vs offload_ref crc32c (software, SSE4.2 crc32 instruction)
#   svadk-iaa compress  vs gzip -1
#   svadk-iaa decompress vs gzip -d
#   svadk-iaa crc64     vs offload_ref crc64 (software, table driven)
#
# usage: tests/bench/offload-bench.sh [BUILD_DIR] [-- extra svadk options]
#   SIZE_MB=256   size of the test file (mixed text and random data)
#   RUNS=3        runs per command; the best time counts
#   DIR=/dev/shm  where the files go (tmpfs: the page cache, no disk in the way)
#
# Each time is one whole command (start-up, device and fault-handler setup,
# page faults on the mapped files included). The ratio is baseline time /
# offload time: above 1 the offload demo is faster.
set -u

build=${1:-build}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
extra=("$@")
size_mb=${SIZE_MB:-256}
runs=${RUNS:-3}
dir=${DIR:-/dev/shm}

dsa=$build/apps/svadk-dsa/svadk-dsa
iaa=$build/apps/svadk-iaa/svadk-iaa
ref=$build/tests/functional/offload_ref
for p in "$dsa" "$iaa" "$ref"; do
	[ -x "$p" ] || { echo "offload-bench: $p is not built (ninja -C $build)" >&2; exit 1; }
done
for p in gzip cp cmp; do
	command -v "$p" >/dev/null || { echo "offload-bench: $p missing" >&2; exit 1; }
done

work=$(mktemp -d "$dir/svadk-offload-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
# Private copies: a rebuild during the run must not swap the programs.
cp "$dsa" "$iaa" "$ref" "$work/" || exit 1
dsa=$work/svadk-dsa
iaa=$work/svadk-iaa
ref=$work/offload_ref
f=$work/data
"$ref" gen mixed $((size_mb * 1048576)) "$f" 1
bytes=$(stat -c %s "$f")
cp "$f" "$f.same"

# best RUNS wall-clock seconds of a command; PRE runs before each (not timed)
best() {
	local pre=$1 b=
	shift
	for _ in $(seq "$runs"); do
		eval "$pre"
		local t0 t1
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo "offload-bench: failed: $*" >&2; echo 999; return; }
		t1=$(date +%s%N)
		local t=$(((t1 - t0) / 1000))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
	done
	awk -v us="$b" 'BEGIN { printf "%.4f", us / 1e6 }'
}

row() { # NAME OFFLOAD_S BASELINE_NAME BASELINE_S
	awk -v n="$1" -v a="$2" -v bn="$3" -v b="$4" -v by="$bytes" 'BEGIN {
		printf "%-22s %8.3f s %7.2f GB/s   %-18s %8.3f s %7.2f GB/s   %6.2fx\n",
			n, a, by / a / 1e9, bn, b, by / b / 1e9, b / a }'
}

q=(--quiet "${extra[@]}")
echo "offload-bench: $size_mb MiB mixed text/random in $dir, best of $runs; $(nproc) CPUs"
echo "device model: dsa_sim0 / iaa_sim0 with the tools' defaults (2 queues, 2 engines) unless given"
printf "%-22s %21s   %-18s %21s   %7s\n" "offload" "" "baseline" "" "ratio"

t_a=$(best 'rm -f $f.copy' "$dsa" "${q[@]}" --no-verify copy "$f" "$f.copy")
t_b=$(best 'rm -f $f.copy' cp "$f" "$f.copy")
row "dsa copy" "$t_a" "cp" "$t_b"
t_a=$(best 'rm -f $f.copy' "$dsa" "${q[@]}" copy "$f" "$f.copy")
row "dsa copy + verify" "$t_a" "cp" "$t_b"
t_a=$(best : "$dsa" "${q[@]}" compare "$f" "$f.same")
t_b=$(best : cmp "$f" "$f.same")
row "dsa compare" "$t_a" "cmp" "$t_b"
t_a=$(best : "$dsa" "${q[@]}" crc32c "$f")
t_b=$(best : "$ref" crc32c "$f")
row "dsa crc32c" "$t_a" "sw crc32c (sse4.2)" "$t_b"
t_a=$(best 'rm -f $f.o.gz' "$iaa" "${q[@]}" compress "$f" "$f.o.gz")
t_b=$(best : sh -c "gzip -1 -c '$f' >'$f.g1.gz'")
row "iaa compress" "$t_a" "gzip -1" "$t_b"
echo "    compressed size: svadk-iaa $(stat -c %s "$f.o.gz") bytes, gzip -1 $(stat -c %s "$f.g1.gz") bytes"
# the input: gzip -1's output from the compress row
t_a=$(best 'rm -f $f.out' "$iaa" "${q[@]}" decompress "$f.g1.gz" "$f.out")
t_b=$(best : sh -c "gzip -dc '$f.g1.gz' >'$f.out2'")
row "iaa decompress" "$t_a" "gzip -d" "$t_b"
cmp -s "$f.out" "$f" || echo "offload-bench: WARNING: decompressed output differs" >&2
t_a=$(best : "$iaa" "${q[@]}" crc64 "$f")
t_b=$(best : "$ref" crc64 "$f")
row "iaa crc64" "$t_a" "sw crc64 (table)" "$t_b"
