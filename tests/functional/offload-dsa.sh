#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# svadk-dsa end to end: copy, crc32c, compare, fill, dualcast on generated
# files (0 bytes, 1 byte, text, random of an odd size, zeros, 100 MiB), on
# tmpfs (/dev/shm) and on disk (the build directory); CRC-32C against a
# software reference; both fault modes; error cases and exit codes.
#
#   offload-dsa.sh SVADK_DSA OFFLOAD_REF DISK_DIR
# Exit 0 pass, 1 fail, 77 skip.
set -u

dsa=$1
ref=$2
disk=$3
# shellcheck source=offload-lib.sh
. "$(dirname "$0")/offload-lib.sh"

[ -x "$dsa" ] || { echo "SKIP: $dsa not built"; exit 77; }
command -v cmp >/dev/null || { echo "SKIP: cmp missing"; exit 77; }

work_dirs offload-dsa

q=(--quiet)
for work in "${dirs[@]}"; do
	echo "== $work"
	: >"$work/empty"
	printf 'x' >"$work/one"
	"$ref" gen text 1048576 "$work/text" 1
	"$ref" gen random $((3 * 1048576 + 123)) "$work/random" 2
	"$ref" gen zeros $((2 * 1048576)) "$work/zeros"
	files=(empty one text random zeros)

	for f in "${files[@]}"; do
		src=$work/$f
		# copy, verified by the device, checked by cmp
		expect 0 "$dsa" "${q[@]}" copy "$src" "$work/$f.copy" &&
			same "$src" "$work/$f.copy" "copy $f differs"
		# crc32c against the software reference, with the default and a small chunk
		want=$("$ref" crc32c "$src" | cut -d' ' -f1)
		for chunk in 1M 4k; do
			if expect 0 "$dsa" "${q[@]}" --chunk "$chunk" crc32c "$src"; then
				got=$(cut -d' ' -f1 "$work/out")
				[ "$got" = "$want" ] && ok || fail "crc32c $f chunk $chunk: $got, want $want"
			fi
		done
		# compare equal
		expect 0 "$dsa" "${q[@]}" compare "$src" "$work/$f.copy"
		# dualcast
		expect 0 "$dsa" "${q[@]}" dualcast "$src" "$work/$f.d1" "$work/$f.d2" &&
			{ cmp -s "$src" "$work/$f.d1" && cmp -s "$src" "$work/$f.d2" && ok ||
				fail "dualcast $f differs"; }
		rm -f "$work/$f.d1" "$work/$f.d2"
	done

	# compare: one byte changed deep inside (second chunk): offset as cmp finds it
	cp "$work/random" "$work/random.mod"
	printf '\x5a' | dd of="$work/random.mod" bs=1 seek=1234567 conv=notrunc status=none
	if cmp -s <(head -c 1234568 "$work/random" | tail -c 1) <(printf '\x5a'); then
		printf '\x5b' | dd of="$work/random.mod" bs=1 seek=1234567 conv=notrunc status=none
	fi
	if expect 1 "$dsa" "${q[@]}" --chunk 64k compare "$work/random" "$work/random.mod"; then
		grep -q "differ: byte 1234568 (offset 1234567)" "$work/out" && ok ||
			fail "compare offset: $(cat "$work/out")"
	fi
	# compare: a prefix (EOF on the shorter file), an empty file
	head -c 1000 "$work/text" >"$work/text.head"
	expect 1 "$dsa" "${q[@]}" compare "$work/text" "$work/text.head" &&
		{ grep -q "EOF on $work/text.head after byte 1000" "$work/err" && ok ||
			fail "compare EOF message: $(cat "$work/err")"; }
	expect 1 "$dsa" "${q[@]}" compare "$work/empty" "$work/one"
	expect 0 "$dsa" "${q[@]}" compare "$work/empty" "$work/empty"

	# fill: pattern in file order, size not a multiple of 8 or of the chunk
	size=$((1048576 + 4096 + 3))
	if expect 0 "$dsa" "${q[@]}" --chunk 64k fill "$work/fill" "$size" deadbeefcafef00d; then
		[ "$(stat -c %s "$work/fill")" -eq "$size" ] && ok || fail "fill size"
		head -c 16 "$work/fill" | od -An -tx1 | tr -d ' \n' | grep -qx 'deadbeefcafef00ddeadbeefcafef00d' &&
			ok || fail "fill pattern order: $(head -c 16 "$work/fill" | od -An -tx1)"
		tail -c 3 "$work/fill" | od -An -tx1 | tr -d ' \n' | grep -qx 'deadbe' && ok ||
			fail "fill tail: $(tail -c 3 "$work/fill" | od -An -tx1)"
	fi
	expect 0 "$dsa" "${q[@]}" fill "$work/fill2" 4k 0x00ff &&
		{ [ "$(od -An -tx1 -N4 "$work/fill2" | tr -d ' ')" = 00ff00ff ] && ok || fail "fill 2-byte pattern"; }
	expect 0 "$dsa" "${q[@]}" fill "$work/fill0" 0 ab &&
		{ [ -f "$work/fill0" ] && [ ! -s "$work/fill0" ] && ok || fail "fill 0 bytes"; }
	rm -f "$work"/fill*

	# partial fault mode, one queue and several, small chunks
	for args in "--fault-mode partial" "--fault-mode partial --queues 1 --chunk 8k" "--queues 4 --chunk 16k --depth 2"; do
		# shellcheck disable=SC2086
		expect 0 "$dsa" "${q[@]}" $args copy "$work/random" "$work/random.p" &&
			same "$work/random" "$work/random.p" "copy ($args) differs"
		# shellcheck disable=SC2086
		expect 0 "$dsa" "${q[@]}" $args crc32c "$work/random" &&
			{ [ "$(cut -d' ' -f1 "$work/out")" = "$("$ref" crc32c "$work/random" | cut -d' ' -f1)" ] &&
				ok || fail "crc32c ($args)"; }
		rm -f "$work/random.p"
	done

	# the summary line (not quiet) goes to stderr and has no progress bar when piped
	expect 0 "$dsa" copy "$work/text" "$work/text.c2" &&
		summary_ok "copy: 1048576 bytes in .* GB/s.*faults resolved"
	# crc32c of several files on one device: each summary counts its own file's faults;
	# the CRCs in order
	if expect 0 "$dsa" crc32c "$work/text" "$work/empty" "$work/one"; then
		grep -q "crc32c: 1048576 bytes in .*faults resolved: [1-9]" "$work/err" && ok ||
			fail "crc32c summary of text: no faults: $(cat "$work/err")"
		grep -q "crc32c: 0 bytes in .*faults resolved: 0 requests (0 pages + 0 ahead, p50 0.0 us), 0 partial" \
			"$work/err" && ok || fail "crc32c summary of the empty file counts earlier faults: $(cat "$work/err")"
		[ "$(cut -d' ' -f3 "$work/out" | tr '\n' ' ')" = "$work/text $work/empty $work/one " ] &&
			[ "$(cut -d' ' -f1 "$work/out" | tr '\n' ' ')" = "$(for f in text empty one; do
				"$ref" crc32c "$work/$f" | cut -d' ' -f1; done | tr '\n' ' ')" ] && ok ||
			fail "crc32c of three files: $(cat "$work/out")"
	fi
	rm -f "$work"/*.copy "$work"/*.c2 "$work"/*.mod "$work"/*.head
done

# 100 MiB on tmpfs (or disk): copy + crc32c + compare + dualcast
big=${shm:-$diskdir}
work=$big
"$ref" gen mixed $((100 * 1048576)) "$big/big" 7
SECONDS=0
expect 0 "$dsa" "${q[@]}" copy "$big/big" "$big/big.copy" &&
	same "$big/big" "$big/big.copy" "100 MiB copy differs"
expect 0 "$dsa" "${q[@]}" crc32c "$big/big" &&
	{ [ "$(cut -d' ' -f1 "$work/out")" = "$("$ref" crc32c "$big/big" | cut -d' ' -f1)" ] &&
		ok || fail "100 MiB crc32c"; }
expect 0 "$dsa" "${q[@]}" compare "$big/big" "$big/big.copy"
expect 0 "$dsa" "${q[@]}" dualcast "$big/big" "$big/big.d1" "$big/big.d2" &&
	same "$big/big" "$big/big.d2" "100 MiB dualcast"
echo "100 MiB: ${SECONDS} s"
rm -f "$big"/big*

# errors and exit codes
work=${dirs[0]}
expect 2 "$dsa" "${q[@]}" copy "$work/does-not-exist" "$work/x" &&
	{ grep -q "does-not-exist: No such file or directory" "$work/err" && ok || fail "missing file message"; }
[ -e "$work/x" ] && fail "copy of a missing file created the destination" || ok
printf 'abc' >"$work/a"
expect 2 "$dsa" "${q[@]}" copy "$work/a" "$work/a"
[ "$(cat "$work/a")" = abc ] && ok || fail "copy onto itself truncated the file"
expect 2 "$dsa" "${q[@]}" crc32c "$work"
expect 2 "$dsa" "${q[@]}" fill "$work/f" 12q ff
expect 2 "$dsa" "${q[@]}" fill "$work/f" " -0" ff # strtoull would skip the blank and the sign
expect 2 "$dsa" "${q[@]}" fill "$work/f" 1T ff    # k, M, G only
expect 2 "$dsa" "${q[@]}" fill "$work/f" 18446744073709551615 ff &&
	{ grep -q "cannot set the size to 18446744073709551615: File too large" "$work/err" && ok ||
		fail "size beyond off_t: $(cat "$work/err")"; }
expect 2 "$dsa" "${q[@]}" fill "$work/f" 16 abc
expect 2 "$dsa" "${q[@]}" --chunk 1000 crc32c "$work/a"
expect 2 "$dsa" "${q[@]}" --fault-mode sometimes crc32c "$work/a"
expect 2 "$dsa" "${q[@]}" --device nosuchdev0 crc32c "$work/a"
expect 2 "$dsa" "${q[@]}" frobnicate "$work/a"
expect 2 "$dsa" "${q[@]}" copy "$work/a"
expect 0 "$dsa" --help

finish
