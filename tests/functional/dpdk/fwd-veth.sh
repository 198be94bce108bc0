#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# svadk-fwd on real packets through the kernel. In a network namespace of its
# own, two veth pairs:
#
#   sender --> a0 ==veth== a1 [net_af_packet0]  svadk-fwd  [net_af_packet1] b1 ==veth== b0 --> tcpdump
#
# A pcap of marked packets is replayed into a0 (tcpreplay, or pcaptool.py's
# own sender when tcpreplay is missing or SVADK_FWD_SENDER=pcaptool); svadk-fwd receives them on a1, copies
# each by DMA into plain process memory, and transmits the copy on b1;
# tcpdump captures what arrives on b0. Every packet must arrive, in order,
# with identical bytes except the rewritten MACs (dst 02:00:00:00:00:01, src
# b1's address).
#
#   fwd-veth.sh SVADK_FWD PCAPTOOL [WORKDIR [svadk-fwd options...]]
#
# Exit status: 0 pass, 1 fail, 77 skip (not root, no network namespaces, no
# tcpdump, or the EAL cannot start), with the reason on stdout.
set -u

fwd_bin=$1
tool=$2
base=${3:-${TMPDIR:-/tmp}}
shift $(($# < 3 ? $# : 3))
extra=("$@")

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, veth)"
command -v ip >/dev/null || skip "no 'ip' command (iproute2)"
command -v tcpdump >/dev/null || skip "no tcpdump"

ns=svadk-fwd-$$
work=$(mktemp -d "$base/svadk-fwd-veth.XXXXXX")
fwd_pid=
dump_pid=
cleanup() {
	[ -n "$fwd_pid" ] && kill -INT "$fwd_pid" 2>/dev/null && wait "$fwd_pid" 2>/dev/null
	[ -n "$dump_pid" ] && kill -INT "$dump_pid" 2>/dev/null && wait "$dump_pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

if ! ip netns add "$ns" 2>"$work/netns.err"; then
	skip "cannot create a network namespace here: $(cat "$work/netns.err")"
fi
in_ns() {
	ip netns exec "$ns" "$@"
}
# No IPv6 and no addresses: the kernel sends nothing of its own on the links.
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
	2>/dev/null || true
if ! in_ns ip link add a0 type veth peer name a1 2>"$work/veth.err" ||
   ! in_ns ip link add b0 type veth peer name b1 2>>"$work/veth.err"; then
	skip "cannot create veth pairs here: $(cat "$work/veth.err")"
fi
for l in lo a0 a1 b0 b1; do
	in_ns ip link set "$l" up || exit 1
done
in_ns ip link set a1 promisc on
in_ns ip link set b1 promisc on
b1_mac=$(in_ns cat /sys/class/net/b1/address)

python3 "$tool" gen "$work/in.pcap" 1000 || exit 1

# Capture what arrives on b0, test packets only.
# (ip netns exec execs the command: $! is the command's own pid, for kill.)
ip netns exec "$ns" tcpdump -i b0 -Q in -n -U -w "$work/out.pcap" 'udp dst port 9' \
	>"$work/tcpdump.log" 2>&1 &
dump_pid=$!

eal=(--no-huge --no-shconf --no-pci --no-telemetry --iova-mode=va --log-level=warning -l 0 -m 256
     --vdev=net_af_packet0,iface=a1 --vdev=net_af_packet1,iface=b1)
ip netns exec "$ns" "$fwd_bin" "${eal[@]}" -- -i 1 "${extra[@]}" >"$work/fwd.log" 2>&1 &
fwd_pid=$!

# Both ready?
for _ in $(seq 100); do
	grep -q "^forwarding" "$work/fwd.log" && grep -q "listening on" "$work/tcpdump.log" && break
	if ! kill -0 "$fwd_pid" 2>/dev/null; then
		wait "$fwd_pid"
		fwd_pid=
		if grep -q "EAL initialisation failed" "$work/fwd.log"; then
			cat "$work/fwd.log"
			skip "the DPDK EAL does not start here"
		fi
		echo "FAIL: svadk-fwd exited early"
		cat "$work/fwd.log"
		exit 1
	fi
	sleep 0.1
done
if ! grep -q "^forwarding" "$work/fwd.log" || ! grep -q "listening on" "$work/tcpdump.log"; then
	echo "FAIL: svadk-fwd or tcpdump did not start"
	cat "$work/fwd.log" "$work/tcpdump.log"
	exit 1
fi

if command -v tcpreplay >/dev/null && [ "${SVADK_FWD_SENDER:-}" != pcaptool ]; then
	sender="tcpreplay"
	in_ns tcpreplay -q -i a0 --pps=2000 "$work/in.pcap" >"$work/send.log" 2>&1
else
	sender="pcaptool.py send"
	in_ns python3 "$tool" send a0 "$work/in.pcap" --pps 2000 >"$work/send.log" 2>&1
fi
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: $sender failed"
	cat "$work/send.log"
	exit 1
fi
sleep 1
kill -INT "$fwd_pid"
wait "$fwd_pid"
frc=$?
fwd_pid=
sleep 0.5
kill -INT "$dump_pid"
wait "$dump_pid"
dump_pid=

fail=0
if [ $frc -ne 0 ]; then
	echo "FAIL: svadk-fwd exited with $frc"
	fail=1
fi
echo "sent with $sender; svadk-fwd:"
sed -n '/summary/,$p' "$work/fwd.log"
if ! python3 "$tool" compare "$work/in.pcap" "$work/out.pcap" \
	--mac-dst 02:00:00:00:00:01 --mac-src "$b1_mac"; then
	echo "FAIL: what arrived on b0 differs from what was sent into a0"
	cat "$work/tcpdump.log"
	fail=1
fi
[ $fail -eq 0 ] && echo "ok: veth (net_af_packet)"
exit $fail
