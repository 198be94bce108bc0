#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svadk-perf config files (dpdk-test-dma-perf INI format plus svadk keys):
the sample configs in config/ run and verify; crafted good files ([GLOBAL],
lcore_dma in both DPDK forms, lcore, type, skip, comments) give the expected
case settings; bad files exit 2 with one message naming FILE:LINE.

  perf-config.py SVADK_PERF SOURCE_ROOT
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perf_common import Checker, args, run, run_json, show, tmpdir  # noqa: E402

perf, root = args()
t = Checker("perf-config")
tmp = tmpdir("perf-config.")


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# --- the sample configs: every case runs and verifies ---------------------------------------
samples = {
    "perf-copy.ini": ["dma-copy", "dma-copy-2q", "cpu-copy"],
    "perf-faults.ini": ["prefaulted", "first-touch", "evict-block", "evict-partial",
                        "evict-partial-no-ahead", "evict-file-crc32c"],
    "perf-iaa.ini": ["compress", "decompress", "crc64", "compress-first-touch"],
}
for name, want_cases in samples.items():
    path = os.path.join(root, "config", name)
    if not t.check(os.path.exists(path), "%s exists" % path):
        continue
    # short: few operations, small pools (the command line wins over the file)
    p, doc = run_json(t, perf, ["--config", path, "--ops", "24", "--mem", "128k", "--json", "-"],
                      "%s runs" % name, timeout=120)
    if not doc:
        continue
    got = [c["case"] for c in doc["cases"]]
    t.check(got == want_cases, "%s: cases %s (got %s)" % (name, want_cases, got))
    for c in doc["cases"]:
        t.check(c["config"]["ops"] == 24 and c["config"]["mem_size"] == 128 << 10,
                "%s [%s]: command-line options override the file" % (name, c["case"]), c["config"])
        devs = set(r["device"] for r in c["results"])
        for r in c["results"]:
            t.check(not r["failed"] and r["verified"],
                    "%s [%s] %s size %d: verified, not failed" % (name, c["case"], r["device"],
                                                                 r["size"]), r)
        if name == "perf-faults.ini":
            faults = sum(r["iopf"]["requests"] for r in c["results"] if r["device"] == "dsa_sim0")
            if c["case"] == "prefaulted":
                t.check(faults == 0, "perf-faults [prefaulted]: no IO page faults (%d)" % faults)
            elif c["case"] != "evict-file-crc32c":
                t.check(faults > 0, "perf-faults [%s]: IO page faults handled" % c["case"])
            t.check(devs == {"dsa_sim0", "cpu"}, "perf-faults [%s]: device and baseline" % c["case"])
    if name == "perf-copy.ini" and len(doc["cases"]) == 3:
        c1, c2, c3 = doc["cases"]
        t.check(c1["config"]["sizes"] == [64, 128, 256, 512, 1024, 2048, 4096, 8192],
                "perf-copy [dma-copy]: buf_size 64,8192,2,MUL", c1["config"])
        t.check(c2["config"]["queues"] == 2 and c2["config"]["ring"] == 512 and
                c2["config"]["burst"] == 16, "perf-copy [dma-copy-2q]: lcore_dma0/1, ring, kick",
                c2["config"])
        t.check(c3["config"]["device"] == "cpu" and c3["config"]["baselines"] == "none",
                "perf-copy [cpu-copy]: CPU_MEM_COPY", c3["config"])

# --- crafted good files: the settings each case gets -------------------------------------
good = write("good.ini", """\
; a comment
# another comment
[first]
type = DMA_MEM_COPY
mem_size = 1
buf_size = 64,256,2,MUL
dma_ring_size = 256
kick_batch = 8 ; inline comment
src_numa_node = 0
dst_numa_node = 0
cache_flush = 1
test_seconds = 0.5
lcore_dma = lcore0@cpu, lcore1@cpu

[GLOBAL]
baseline = none
device = cpu
verify = 1
fault_mode = partial
ops = 3

[second]
lcore_dma0 = lcore=1,dev=cpu,dir=mem2mem
fault-mode = block
mem_kind = mmap
prefault = 0
buf_size = 100

[skipped]
skip = 1
device = nope

[third]
type = CPU_MEM_COPY
lcore = 0, 1
buf_size = 64, 4k
mem_size = 1
""")
p, doc = run_json(t, perf, ["--config", good, "--json", "-"], "good.ini runs")
if doc:
    cs = {c["case"]: c["config"] for c in doc["cases"]}
    t.check(list(cs) == ["first", "second", "third"], "good.ini: cases in order, skip left out",
            list(cs))
    want = {
        "first": {"device": "cpu", "baselines": "none", "mem_size": 1 << 20, "sizes": [64, 128, 256],
                  "ring": 256, "burst": 8, "src_node": 0, "dst_node": 0, "cache_flush": True,
                  "seconds": 0.5, "queues": 2, "fault_mode": "partial", "ops": 3},
        "second": {"device": "cpu", "queues": 1, "fault_mode": "block", "mem_kind": "mmap",
                   "prefault": False, "sizes": [100], "ops": 3},
        "third": {"device": "cpu", "baselines": "none", "queues": 2, "sizes": [64, 4096],
                  "mem_size": 1 << 20},
    }
    for case, kv in want.items():
        for k, v in kv.items():
            got = cs.get(case, {}).get(k)
            t.check(got == v, "good.ini [%s]: %s = %r (got %r)" % (case, k, v, got))

# an option on the command line wins over [GLOBAL] and the case
p, doc = run_json(t, perf, ["--config", good, "--json", "-", "--ops", "2", "--size", "64"],
                  "good.ini with --ops and --size")
if doc:
    t.check(all(c["config"]["ops"] == 2 and c["config"]["sizes"] == [64] for c in doc["cases"]),
            "good.ini: --ops and --size override every case")

# --- bad files: exit 2, one message with FILE:LINE ------------------------------------------
bad = [
    ("unknown-key", "[a]\ndevice = cpu\nfrobnicate = 3\n", 3, "frobnicate"),
    ("bad-range", "[a]\nbuf_size = 64,8,2,MUL\n", 2, "size"),
    ("bad-range-mul", "[a]\nbuf_size = 64,1024,1,MUL\n", 2, "size"),
    ("bad-mem", "[a]\nmem_size = 0\n", 2, "mem_size"),
    ("bad-ring", "[GLOBAL]\ndevice = cpu\n[a]\ndma_ring_size = 100\n", 3, "ring"),
    ("bad-kick", "[a]\nkick_batch = 0\n", 2, "burst"),
    ("bad-seconds", "[a]\ntest_seconds = -1\n", 2, "seconds"),
    ("bad-type", "[a]\ntype = DMA_MEM_FROB\n", 2, "type"),
    ("bad-bool", "[a]\nverify = maybe\n", 2, "verify"),
    ("bad-fault-mode", "[a]\nfault_mode = sometimes\n", 2, "fault-mode"),
    ("missing-section", "; no header\ndevice = cpu\n[a]\n", 2, "outside a section"),
    ("malformed-header", "[a]\nops = 1\n[b\n", 3, "section"),
    ("empty-header", "[ ]\n", 1, "section"),
    ("no-equals", "[a]\ndevice cpu\n", 2, "key = value"),
    ("duplicate", "[a]\nops = 1\n[a]\nops = 2\n", 3, "[a]"),
    ("lcore-dma-form", "[a]\nlcore_dma = 10@cpu\n", 2, "lcore_dma"),
    ("lcore-dma-two-devs", "[a]\nlcore_dma = lcore0@cpu, lcore1@dsa_sim0\n", 2, "lcore_dma"),
    ("lcore-dma-cpu", "[a]\nlcore_dma = lcore999@cpu\n", 2, "999"),
    ("lcore-dma0-nodev", "[a]\nlcore_dma0 = lcore=0\n", 2, "lcore_dma0"),
    ("lcore-dma0-dir", "[a]\nlcore_dma0 = lcore=0,dev=cpu,dir=mem2dev\n", 2, "mem2dev"),
    ("lcore-dma0-field", "[a]\nlcore_dma0 = lcore=0,dev=cpu,raddr=0x1000\n", 2, "raddr"),
    ("skip-global", "[GLOBAL]\nskip = 1\n[a]\n", 2, "skip"),
    ("src-node", "[a]\nsrc_numa_node = 999\n", 1, "src-node"),
    ("size-over-mem", "[a]\nmem_size = 1\nbuf_size = 2097152\n", 1, "size"),
    ("no-device", "[GLOBAL]\nops = 1\n\n[a]\ndevice = nope\n", 4, "nope"),
    ("over-max-xfer", "[a]\ndevice = dsa_sim0,max_xfer=4096\nbuf_size = 8192\n", 1, "8192"),
    ("too-many-queues", "[a]\ndevice = dsa_sim0\nqueues = 3\n", 1, "queues"),
    ("unsupported-op", "[a]\ndevice = iaa_sim0\nop = fill\n", 1, "op=fill"),
]
for name, text, line, word in bad:
    path = write(name + ".ini", text)
    p = run(perf, ["--config", path, "--ops", "2", "--mem", "4m"])
    msgs = [l for l in p.stderr.splitlines() if l.startswith("svadk-perf:")]
    where = "%s:%d:" % (path, line)
    t.check(p.returncode == 2, "%s.ini exits 2" % name, show(p))
    t.check(len(msgs) == 1 and where in msgs[0] and word in msgs[0],
            "%s.ini: one message naming %s and '%s'" % (name, where, word), show(p))
    t.check("Mops" not in p.stdout, "%s.ini: runs nothing" % name, show(p))

# a file with no case names the file
path = write("no-case.ini", "[GLOBAL]\ndevice = cpu\n")
p = run(perf, ["--config", path])
t.check(p.returncode == 2 and path in p.stderr and "no test case" in p.stderr,
        "no-case.ini: exit 2 naming the file", show(p))
path = write("all-skipped.ini", "[a]\nskip = 1\n")
p = run(perf, ["--config", path])
t.check(p.returncode == 2 and path in p.stderr, "all-skipped.ini: exit 2", show(p))

t.done()
