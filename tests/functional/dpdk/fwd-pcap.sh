#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# svadk-fwd end to end on net_pcap: a pcap file in, a pcap file out. Every
# packet must come out, in order, with identical bytes (MACs rewritten when
# asked). Packets of up to 9000 bytes arrive as chained mbufs, so the copies
# cover chained segments too. Runs: DMA on the software device (block on
# fault, then partial completions), DMA on DPDK's dma_skeleton through the
# dmadev adapter, and CPU copies without MAC rewriting.
#
#   fwd-pcap.sh SVADK_FWD PCAPTOOL [WORKDIR]
#
# Exit status: 0 pass, 1 fail, 77 skip (the EAL cannot start here).
set -u

fwd_bin=$1
tool=$2
work=$(mktemp -d "${3:-${TMPDIR:-/tmp}}/svadk-fwd-pcap.XXXXXX")
trap 'rm -rf "$work"' EXIT

eal=(--no-huge --no-shconf --no-pci --no-telemetry --iova-mode=va --log-level=warning -l 0 -m 256)
fail=0

python3 "$tool" gen "$work/in.pcap" 600 --jumbo || exit 1

# run NAME [svadk-fwd options...]: forward in.pcap to NAME.pcap; the log is NAME.log
run() {
	local name=$1
	shift
	timeout 120 "$fwd_bin" "${eal[@]}" \
		--vdev="net_pcap0,rx_pcap=$work/in.pcap,tx_pcap=$work/$name.pcap" -- \
		--idle-exit 500 -i 0 --buf-size 10240 "$@" >"$work/$name.log" 2>&1
	local rc=$?
	if [ $rc -ne 0 ]; then
		if grep -q "EAL initialisation failed" "$work/$name.log"; then
			echo "SKIP: the DPDK EAL does not start here:"
			cat "$work/$name.log"
			exit 77
		fi
		echo "FAIL: $name: svadk-fwd exited with $rc"
		cat "$work/$name.log"
		fail=1
		return 1
	fi
	# The summary: nothing dropped, no DMA error.
	if ! awk '/^ +all / { if ($4 != 0 || $5 != 0) bad = 1; seen = 1 } END { exit !(seen && !bad) }' \
		"$work/$name.log"; then
		echo "FAIL: $name: drops or DMA errors in the summary"
		cat "$work/$name.log"
		fail=1
		return 1
	fi
	return 0
}

# check NAME [compare options...]
check() {
	local name=$1
	shift
	if python3 "$tool" compare "$work/in.pcap" "$work/$name.pcap" "$@"; then
		echo "ok: $name"
	else
		echo "FAIL: $name: output differs"
		sed -n '/summary/,$p' "$work/$name.log"
		fail=1
	fi
}

port_mac() {
	sed -n 's/^port 0: .*, mac \([0-9A-Fa-f:]*\),.*/\1/p' "$work/$1.log"
}

if run dma-block -c dma --fault-mode block; then
	check dma-block --mac-dst 02:00:00:00:00:00 --mac-src "$(port_mac dma-block)"
fi
if run dma-partial -c dma --fault-mode partial --buffers 2048; then
	check dma-partial --mac-dst 02:00:00:00:00:00 --mac-src "$(port_mac dma-partial)"
fi
if run dma-skeleton -c dma -d dpdk:dma_skeleton; then
	check dma-skeleton --mac-dst 02:00:00:00:00:00 --mac-src "$(port_mac dma-skeleton)"
fi
if run cpu -c cpu --no-mac-updating; then
	check cpu
fi
if [ $fail -eq 0 ]; then
	sed -n '/summary/,$p' "$work/dma-block.log"
fi
exit $fail
