#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Forwarding rate of svadk-fwd with DMA copies and with CPU copies, for 64,
# 512 and 1500-byte packets, in one run, on two loopback net_ring ports
# (packets injected at start circulate 0 -> 1 -> 0 ...; every hop copies each
# packet into a fresh buffer and frees the received one).
#
#   fwd-bench.sh SVADK_FWD [SECONDS [DEVICE [EAL options...]]]
#
# SECONDS per point (default 5), DEVICE the svadk device of the DMA runs
# (default dsa_sim0,engines=1). EAL options replace the default "-l 0": e.g.
# "-l 0,1" to forward on lcore 1 with statistics on lcore 0.
# Prints one line per point and a table with the DMA/CPU ratio; exit 0 when
# every run worked (the figures themselves are not judged).
set -u

fwd_bin=$1
secs=${2:-5}
dev=${3:-dsa_sim0,engines=1}
shift $(($# < 3 ? $# : 3))
lcores=("$@")
[ ${#lcores[@]} -eq 0 ] && lcores=(-l 0)

eal=(--no-huge --no-shconf --no-pci --no-telemetry --iova-mode=va --log-level=warning -m 512
     "${lcores[@]}" --vdev=net_ring0 --vdev=net_ring1)
sizes=(64 512 1500)
declare -A rate
fail=0

echo "svadk-fwd forwarding rate: 2 x net_ring (loopback), 256 packets in flight per port,"
echo "${secs} s per point, DMA on ${dev}, EAL ${lcores[*]}; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for size in "${sizes[@]}"; do
	for mode in dma cpu; do
		out=$(timeout $((secs * 3 + 60)) "$fwd_bin" "${eal[@]}" -- -c "$mode" -d "$dev" \
			--fault-mode block --gen "256:$size" -t "$secs" -i 0 2>&1)
		rc=$?
		r=$(sed -n 's/^  rate: rx \([0-9.]*\) Mpps.*/\1/p' <<<"$out")
		drops=$(awk '/^ +all / { print $4 + $5 }' <<<"$out")
		if [ $rc -ne 0 ] || [ -z "$r" ]; then
			echo "FAIL: size $size, copy $mode (exit $rc)"
			echo "$out"
			fail=1
			r=0
		fi
		rate[$size,$mode]=$r
		printf "  %5s B  copy %-3s  %8s Mpps  (dropped + dma errors: %s)\n" "$size" "$mode" "$r" \
			"${drops:-?}"
	done
done
echo
printf "%6s %12s %12s %10s\n" "size" "dma Mpps" "cpu Mpps" "dma/cpu"
for size in "${sizes[@]}"; do
	printf "%6s %12s %12s %10s\n" "$size" "${rate[$size,dma]}" "${rate[$size,cpu]}" \
		"$(awk -v a="${rate[$size,dma]}" -v b="${rate[$size,cpu]}" \
			'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')"
done
exit $fail
