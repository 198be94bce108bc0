#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Packets for the svadk-fwd tests: write a pcap of marked test packets,
compare what came out against what went in, or send a pcap on an interface.

  pcaptool.py gen OUT.pcap COUNT [--jumbo]
  pcaptool.py compare IN.pcap OUT.pcap [--mac-dst MAC --mac-src MAC]
  pcaptool.py send IFACE IN.pcap [--pps N]

Every test packet is Ethernet/IPv4/UDP with the payload b"SVADKFWD", a
32-bit sequence number and a pattern, so that packets the kernel sends on its
own (on a veth pair) are told apart and ignored. compare checks that every
test packet of IN is in OUT, once, in order, with identical bytes; with
--mac-dst/--mac-src the first 12 bytes must be those addresses instead of the
original ones. Exit status 0 (same), 1 (different), 2 (usage or I/O error).
"""
import argparse
import socket
import struct
import sys
import time

MARKER = b"SVADKFWD"
SIZES = [60, 64, 65, 128, 256, 511, 512, 513, 1000, 1499, 1500, 1514]
JUMBO = [3000, 4097, 9000]


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def make_packet(seq, size):
    eth = bytes.fromhex("02aabbccdd01") + bytes.fromhex("02aabbccdd02") + b"\x08\x00"
    payload_len = size - 14 - 20 - 8
    body = MARKER + struct.pack("!I", seq)
    body += bytes((seq * 7 + i) & 0xFF for i in range(payload_len - len(body)))
    udp = struct.pack("!HHHH", 40000 + seq % 1000, 9, 8 + len(body), 0) + body
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xFFFF, 0, 64, 17, 0,
                     bytes([198, 18, 0, 1]), bytes([198, 18, 1, 1]))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return eth + ip + udp


def write_pcap(path, packets):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1700000000
        for i, p in enumerate(packets):
            f.write(struct.pack("<IIII", t + i // 1000, (i % 1000) * 1000, len(p), len(p)))
            f.write(p)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: not a pcap file (%d bytes)" % (path, len(data)))
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        raise ValueError("%s: not a pcap file (magic %08x; pcapng is not read)" % (path, magic))
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if incl != orig:
            raise ValueError("%s: packet %d truncated in the capture (%d of %d bytes)"
                             % (path, len(out), incl, orig))
        out.append(data[off:off + incl])
        off += incl
    return out


def seq_of(p):
    i = p.find(MARKER, 42)
    if i != 42:
        return None
    return struct.unpack("!I", p[50:54])[0]


def mac_bytes(s):
    b = bytes(int(x, 16) for x in s.split(":"))
    if len(b) != 6:
        raise ValueError("bad MAC address " + s)
    return b


def compare(a):
    src = [p for p in read_pcap(a.input) if seq_of(p) is not None]
    got_all = read_pcap(a.output)
    got = [p for p in got_all if seq_of(p) is not None]
    others = len(got_all) - len(got)
    errors = []
    if len(got) != len(src):
        errors.append("%d test packets in, %d out" % (len(src), len(got)))
    for i, (p, q) in enumerate(zip(src, got)):
        if seq_of(p) != seq_of(q):
            errors.append("packet %d: sequence %d where %d was sent (order or loss)"
                          % (i, seq_of(q), seq_of(p)))
        elif len(p) != len(q):
            errors.append("packet %d (seq %d): %d bytes, sent %d" % (i, seq_of(p), len(q), len(p)))
        else:
            want = p
            if a.mac_dst:
                want = mac_bytes(a.mac_dst) + mac_bytes(a.mac_src) + p[12:]
            if q != want:
                diff = next(k for k in range(len(q)) if q[k] != want[k])
                errors.append("packet %d (seq %d, %d bytes): first difference at byte %d "
                              "(%02x, expected %02x)" % (i, seq_of(p), len(p), diff, q[diff],
                                                         want[diff]))
        if len(errors) > 10:
            break
    print("compare: %d test packets in, %d out (%s), %d other packets ignored, %d bytes in"
          % (len(src), len(got), "MACs rewritten" if a.mac_dst else "MACs as sent", others,
             sum(len(p) for p in src)))
    for e in errors[:10]:
        print("  " + e)
    return 1 if errors else 0


def send(a):
    packets = read_pcap(a.input)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    gap = 1.0 / a.pps if a.pps else 0
    t = time.monotonic()
    for p in packets:
        s.send(p)
        if gap:
            t += gap
            d = t - time.monotonic()
            if d > 0:
                time.sleep(d)
    print("sent %d packets on %s" % (len(packets), a.iface))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("output")
    g.add_argument("count", type=int)
    g.add_argument("--jumbo", action="store_true", help="add packets larger than 1514 bytes")
    c = sub.add_parser("compare")
    c.add_argument("input")
    c.add_argument("output")
    c.add_argument("--mac-dst")
    c.add_argument("--mac-src")
    s = sub.add_parser("send")
    s.add_argument("iface")
    s.add_argument("input")
    s.add_argument("--pps", type=float, default=2000)
    a = ap.parse_args()
    try:
        if a.cmd == "gen":
            sizes = SIZES + (JUMBO if a.jumbo else [])
            write_pcap(a.output, [make_packet(i, sizes[i % len(sizes)]) for i in range(a.count)])
            return 0
        if a.cmd == "compare":
            if bool(a.mac_dst) != bool(a.mac_src):
                ap.error("--mac-dst and --mac-src go together")
            return compare(a)
        return send(a)
    except (OSError, ValueError) as e:
        print("pcaptool: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
