#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Writes the seed corpus of tests/fuzz/fuzz_desc.c into corpus/fuzz_desc/.
# Input format: see the header comment of fuzz_desc.c.
import os
import struct

A, B, RO, CR, LIST, AECS, LAZY = range(7)
CRAV, RCR, BOF, FENCE = 0x4, 0x8, 0x2, 0x1
RD_AECS, WR_AECS = 0x010000, 0x040000


def ref(region, off):
    return (region << 56) | off


def rec(op, flags, cr, src=0, dst=0, size=0, w40=0, w48=0, w56=0, modes=(2, 3, 3, 3)):
    ctl = modes[0] | modes[1] << 2 | modes[2] << 4 | modes[3] << 6
    d = struct.pack('<IIQQQIHHQQQ', 0, (flags & 0xffffff) | op << 24, cr, src, dst, size,
                    0, 0, w40, w48, w56)
    assert len(d) == 64
    return bytes([ctl]) + d


def iaa(op, flags, cr, src, dst, size, opf=0, src2=0, max_dst=0, src2_size=0, w56=0,
        modes=(2, 3, 3, 3)):
    ctl = modes[0] | modes[1] << 2 | modes[2] << 4 | modes[3] << 6
    d = struct.pack('<IIQQQIHHQIIQ', 0, (flags & 0xffffff) | op << 24, cr, src, dst, size,
                    0, opf, src2, max_dst, src2_size, w56)
    assert len(d) == 64
    return bytes([ctl]) + d


def cr(i):
    return ref(CR, 64 * i)


F = CRAV | RCR
seeds = {
    'dsa_copy': [rec(3, F, cr(0), ref(A, 0), ref(B, 0), 4096)],
    'dsa_ops': [
        rec(4, F, cr(0), 0x0102030405060708, ref(B, 5), 3000, modes=(2, 0, 3, 3)),
        rec(5, F, cr(1), ref(A, 0), ref(B, 0), 8192),
        rec(6, F, cr(2), ref(A, 3), 0x1111111111111111, 500, modes=(2, 3, 0, 3)),
        rec(0x10, F, cr(3), ref(A, 1), 0, 4097, 0x12345678, modes=(2, 3, 0, 0)),
        rec(0x11, F, cr(4), ref(A, 0), ref(B, 100), 2000, 0),
        rec(9, F, cr(5), ref(A, 0), ref(B, 0x40), 1000, ref(LAZY, 0x40)),
        rec(0x20, F, cr(6), 0, ref(A, 0), 4096, modes=(2, 0, 3, 0)),
    ],
    'dsa_batch': [
        rec(1, F, cr(0), 0, 0, 4, modes=(2, 0, 0, 0)),
        rec(3, F, cr(1), ref(A, 0), ref(B, 0), 100),
        rec(3, CRAV, cr(2), ref(A, 100), ref(B, 100), 100),
        rec(0x3f, F, cr(3), ref(A, 0), ref(B, 0), 100),
        rec(3, F | FENCE, cr(4), ref(A, 0), ref(B, 200), 100),
    ],
    'dsa_faults': [
        rec(3, F, cr(0), ref(A, 0), ref(RO, 0), 100),
        rec(3, F | BOF, cr(1), ref(A, 0), ref(LAZY, 0x10), 3 * 4096),
        rec(3, F, cr(2), ref(A, 0xff00), ref(B, 0), 0x200, modes=(2, 1, 3, 3)),
        rec(3, F | BOF, cr(3), 0xdead0000, ref(B, 0), 64, modes=(2, 0, 3, 3)),
        rec(3, F, 0x7fff0000, ref(A, 0), ref(B, 0), 64, modes=(0, 3, 3, 3)),
        rec(3, F, cr(4) + 8, ref(A, 0), ref(B, 0), 64),
    ],
    'iaa_ops': [
        iaa(0x43, F, cr(0), ref(B, 0), ref(A, 0), 20000, opf=0x6, max_dst=30000),
        iaa(0x44, F, cr(1), ref(B, 0), 0, 5000, opf=0xc000, w56=0x42F0E1EBA9EA3693,
            modes=(2, 3, 0, 0)),
        iaa(3, F, cr(2), ref(A, 0), ref(B, 0x8000), 1000),
        iaa(0x42, F | WR_AECS, cr(3), ref(A, 0), ref(B, 0), 100, opf=0x3, src2=ref(AECS, 0),
            max_dst=20000, src2_size=1536),
        iaa(0x42, F | RD_AECS | WR_AECS, cr(4), ref(A, 100), ref(B, 0x4000), 100, opf=0xb,
            src2=ref(AECS, 0), max_dst=20000, src2_size=1536),
    ],
}

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, 'fuzz_desc')
os.makedirs(out, exist_ok=True)
for name, recs in seeds.items():
    hdr = 1 if name.startswith('iaa') else 0
    with open(os.path.join(out, name), 'wb') as f:
        f.write(bytes([hdr]) + b''.join(recs))
    if name == 'dsa_faults':
        with open(os.path.join(out, name + '_drop'), 'wb') as f:
            f.write(bytes([hdr | 2]) + b''.join(recs))
