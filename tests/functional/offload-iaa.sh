#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# svadk-iaa end to end: gzip round trips on generated files (0 bytes, 1 byte,
# text, random, zeros, 100 MiB) on tmpfs and on disk; interop both ways with
# gzip (-1, -9, multi-member, FEXTRA/FNAME/FCOMMENT/FHCRC headers built with
# python3's zlib); streams cut at descriptor boundaries and output overflow;
# corrupt and truncated input (exit 1, no output file left); CRC-64 against a
# software reference.
#
#   offload-iaa.sh SVADK_IAA OFFLOAD_REF DISK_DIR
# Exit 0 pass, 1 fail, 77 skip.
set -u

iaa=$1
ref=$2
disk=$3
# shellcheck source=offload-lib.sh
. "$(dirname "$0")/offload-lib.sh"
# no_leftovers DIR NAME: neither NAME nor a temporary file of it in DIR
no_leftovers() {
	if [ -e "$1/$2" ] || compgen -G "$1/.$2.*" >/dev/null; then
		fail "output or temporary file left behind: $(ls -a "$1" | grep -F "$2" | tr '\n' ' ')"
	else
		ok
	fi
}

[ -x "$iaa" ] || { echo "SKIP: $iaa not built"; exit 77; }
command -v gzip >/dev/null || { echo "SKIP: gzip missing"; exit 77; }
have_py=0
command -v python3 >/dev/null && have_py=1

work_dirs offload-iaa

q=(--quiet)
for work in "${dirs[@]}"; do
	echo "== $work"
	: >"$work/empty"
	printf 'x' >"$work/one"
	"$ref" gen text 1048576 "$work/text" 1
	"$ref" gen random $((2 * 1048576 + 77)) "$work/random" 2
	"$ref" gen zeros $((3 * 1048576)) "$work/zeros"
	"$ref" gen mixed $((1048576 + 4321)) "$work/mixed" 3

	for f in empty one text random zeros mixed; do
		src=$work/$f
		for chunk in 1M 16k; do
			# ours -> gzip -d, ours -> ours
			expect 0 "$iaa" "${q[@]}" --chunk "$chunk" compress "$src" "$work/$f.gz" || continue
			gzip -t "$work/$f.gz" 2>/dev/null && ok || fail "gzip -t rejects $f.gz (chunk $chunk)"
			gzip -dc "$work/$f.gz" | cmp -s - "$src" && ok || fail "gzip -d of $f.gz differs"
			expect 0 "$iaa" "${q[@]}" --chunk "$chunk" decompress "$work/$f.gz" "$work/$f.out" &&
				same "$work/$f.out" "$src" "round trip $f (chunk $chunk)"
			rm -f "$work/$f.out"
		done
		# gzip -1 / -9 -> ours, whole and with small input chunks (many descriptors,
		# output overflow on the zeros)
		for lvl in 1 9; do
			gzip -"$lvl" -c "$src" >"$work/$f.g$lvl.gz"
			for chunk in 1M 4k; do
				expect 0 "$iaa" "${q[@]}" --chunk "$chunk" decompress "$work/$f.g$lvl.gz" "$work/$f.out" &&
					same "$work/$f.out" "$src" "gzip -$lvl $f (chunk $chunk) differs"
				rm -f "$work/$f.out"
			done
		done
		# crc64 against the software reference: CRC-64/XZ and ECMA-182
		for v in "" "-M -I"; do
			# shellcheck disable=SC2086
			want=$("$ref" crc64 $v "$src" | cut -d' ' -f1)
			for chunk in 1M 4k; do
				# shellcheck disable=SC2086
				if expect 0 "$iaa" "${q[@]}" --chunk "$chunk" $v crc64 "$src"; then
					got=$(cut -d' ' -f1 "$work/out")
					[ "$got" = "$want" ] && ok || fail "crc64 $v $f chunk $chunk: $got, want $want"
				fi
			done
		done
		rm -f "$work/$f".*
	done

	# multi-member: two gzip members and one of ours
	gzip -c "$work/text" >"$work/multi.gz"
	gzip -9 -c "$work/one" >>"$work/multi.gz"
	"$iaa" "${q[@]}" compress "$work/mixed" "$work/m3.gz" && cat "$work/m3.gz" >>"$work/multi.gz"
	cat "$work/text" "$work/one" "$work/mixed" >"$work/multi.want"
	expect 0 "$iaa" "${q[@]}" --chunk 64k decompress "$work/multi.gz" "$work/multi.out" &&
		same "$work/multi.out" "$work/multi.want" "multi-member output differs"
	gzip -dc "$work/multi.gz" | cmp -s - "$work/multi.want" && ok || fail "gzip -d of multi-member differs"

	# the stream ends exactly at the end of a descriptor's input
	gzip -n -1 -c "$work/text" >"$work/b.gz"
	dlen=$(($(stat -c %s "$work/b.gz") - 18))
	expect 0 "$iaa" "${q[@]}" --chunk "$dlen" decompress "$work/b.gz" "$work/b.out" &&
		same "$work/b.out" "$work/text" "boundary case differs"

	# header flags FEXTRA, FNAME, FCOMMENT, FHCRC (and a bad header CRC)
	if [ $have_py -eq 1 ]; then
		python3 - "$work/text" "$work/flags.gz" "$work/badhcrc.gz" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
co = zlib.compressobj(6, zlib.DEFLATED, -15)
body = co.compress(data) + co.flush()
hdr = b'\x1f\x8b\x08' + bytes([0x02 | 0x04 | 0x08 | 0x10]) + struct.pack('<I', 1700000000) + b'\x00\x03'
extra = b'SV' + struct.pack('<H', 4) + b'test'
hdr += struct.pack('<H', len(extra)) + extra + b'text.txt\x00' + b'a comment\x00'
trailer = struct.pack('<II', zlib.crc32(data), len(data) & 0xffffffff)
good = hdr + struct.pack('<H', zlib.crc32(hdr) & 0xffff)
open(sys.argv[2], 'wb').write(good + body + trailer)
bad = hdr + struct.pack('<H', (zlib.crc32(hdr) ^ 1) & 0xffff)
open(sys.argv[3], 'wb').write(bad + body + trailer)
EOF
		gzip -t "$work/flags.gz" && ok || fail "python-made gzip with header flags is invalid"
		expect 0 "$iaa" "${q[@]}" decompress "$work/flags.gz" "$work/flags.out" &&
			same "$work/flags.out" "$work/text" "header flags: output differs"
		expect 1 "$iaa" "${q[@]}" decompress "$work/badhcrc.gz" "$work/badhcrc.out" &&
			{ grep -q "header CRC" "$work/err" && ok || fail "bad header CRC message: $(cat "$work/err")"; }
		no_leftovers "$work" badhcrc.out
	fi

	# corrupt and truncated input: exit 1, clear message, no output file
	"$iaa" "${q[@]}" compress "$work/mixed" "$work/c.gz"
	size=$(stat -c %s "$work/c.gz")
	cp "$work/c.gz" "$work/corrupt.gz"
	for off in 200 $((size / 2)) $((size / 2 + 1000)); do
		printf '\xff\x00\xff' | dd of="$work/corrupt.gz" bs=1 seek="$off" conv=notrunc status=none
	done
	expect 1 "$iaa" "${q[@]}" decompress "$work/corrupt.gz" "$work/corrupt.out" &&
		{ grep -Eq "invalid compressed data|CRC-32 mismatch|length mismatch" "$work/err" && ok ||
			fail "corrupt message: $(cat "$work/err")"; }
	no_leftovers "$work" corrupt.out
	for cut in $((size / 2)) $((size - 4)) 5 12; do
		head -c "$cut" "$work/c.gz" >"$work/trunc.gz"
		expect 1 "$iaa" "${q[@]}" --chunk 16k decompress "$work/trunc.gz" "$work/trunc.out" &&
			{ grep -q "unexpected end of file" "$work/err" && ok ||
				fail "truncated at $cut: $(cat "$work/err")"; }
		no_leftovers "$work" trunc.out
	done
	# trailer CRC wrong
	cp "$work/c.gz" "$work/crc.gz"
	printf '\x00\x00\x00\x00' | dd of="$work/crc.gz" bs=1 seek=$((size - 8)) conv=notrunc status=none
	expect 1 "$iaa" "${q[@]}" decompress "$work/crc.gz" "$work/crc.out" &&
		{ grep -q "CRC-32 mismatch" "$work/err" && ok || fail "trailer CRC message: $(cat "$work/err")"; }
	no_leftovers "$work" crc.out
	# not gzip, empty; an existing output file stays as it was on failure
	echo "plain text" >"$work/plain"
	echo "keep" >"$work/keep.out"
	expect 1 "$iaa" "${q[@]}" decompress "$work/plain" "$work/keep.out" &&
		{ grep -q "not in gzip format" "$work/err" && ok || fail "not-gzip message"; }
	[ "$(cat "$work/keep.out")" = keep ] && ok || fail "failed decompress clobbered the output"
	expect 1 "$iaa" "${q[@]}" decompress "$work/empty" "$work/empty.out"
	no_leftovers "$work" empty.out

	# partial fault mode round trip
	expect 0 "$iaa" "${q[@]}" --fault-mode partial --chunk 64k compress "$work/mixed" "$work/p.gz" &&
		expect 0 "$iaa" "${q[@]}" --fault-mode partial --chunk 64k decompress "$work/p.gz" "$work/p.out" &&
		same "$work/p.out" "$work/mixed" "partial mode round trip"
	# level 9 of the device model
	expect 0 "$iaa" "${q[@]}" --level 9 compress "$work/text" "$work/l9.gz" &&
		{ gzip -dc "$work/l9.gz" | cmp -s - "$work/text" && ok || fail "level 9 output"; }
	# summary line on stderr, no progress bar on a pipe
	expect 0 "$iaa" compress "$work/text" "$work/s.gz" &&
		summary_ok "compress: 1048576 bytes in .* GB/s.*faults resolved"
	# one device for several files: each summary counts its own file's faults only
	if expect 0 "$iaa" crc64 "$work/text" "$work/empty"; then
		grep -q "crc64: 1048576 bytes in .*faults resolved: [1-9]" "$work/err" && ok ||
			fail "crc64 summary of text: no faults: $(cat "$work/err")"
		grep -q "crc64: 0 bytes in .*faults resolved: 0 requests (0 pages + 0 ahead, p50 0.0 us), 0 partial" \
			"$work/err" && ok || fail "crc64 summary of the empty file counts earlier faults: $(cat "$work/err")"
	fi
	rm -f "$work"/*.gz "$work"/*.out "$work"/*.want
done

# 100 MiB: compress, gzip -d, decompress, gzip -1 -> ours, crc64
work=${shm:-$diskdir}
"$ref" gen mixed $((100 * 1048576)) "$work/big" 9
SECONDS=0
expect 0 "$iaa" "${q[@]}" compress "$work/big" "$work/big.gz" &&
	{ gzip -dc "$work/big.gz" | cmp -s - "$work/big" && ok || fail "100 MiB: gzip -d differs"; }
expect 0 "$iaa" "${q[@]}" decompress "$work/big.gz" "$work/big.out" &&
	same "$work/big.out" "$work/big" "100 MiB round trip differs"
gzip -1 -c "$work/big" >"$work/big.g1.gz"
expect 0 "$iaa" "${q[@]}" decompress "$work/big.g1.gz" "$work/big.out" &&
	same "$work/big.out" "$work/big" "100 MiB gzip -1 differs"
expect 0 "$iaa" "${q[@]}" crc64 "$work/big" &&
	{ [ "$(cut -d' ' -f1 "$work/out")" = "$("$ref" crc64 "$work/big" | cut -d' ' -f1)" ] && ok ||
		fail "100 MiB crc64"; }
echo "100 MiB: ${SECONDS} s"
rm -f "$work"/big*

# usage errors
expect 2 "$iaa" "${q[@]}" compress "$work/nope" "$work/nope.gz" &&
	{ grep -q "No such file" "$work/err" && ok || fail "missing file message"; }
no_leftovers "$work" nope.gz
expect 2 "$iaa" "${q[@]}" compress "$work/x"
expect 2 "$iaa" "${q[@]}" --level 12 compress "$work/x" "$work/y"
expect 2 "$iaa" "${q[@]}" --device dsa_sim0 compress "$work/empty" "$work/e.gz"
no_leftovers "$work" e.gz
expect 0 "$iaa" --help

finish
