#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svadk-perf command line: --help, --list-devices, good options (read back
from the JSON config), and bad ones: each exits 2 with one message naming the
offending option and runs nothing.

  perf-cli.py SVADK_PERF SOURCE_ROOT
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perf_common import Checker, args, help_params, run, run_json, show  # noqa: E402

perf, root = args()
t = Checker("perf-cli")

# --- help -------------------------------------------------------------------------
for h in (["--help"], ["-h"]):
    p = run(perf, h)
    t.check(p.returncode == 0, "%s exits 0" % h[0], show(p))
    for want in ("Usage:", "--config", "--interactive", "--list-devices", "Exit status",
                 "[GLOBAL]", "lcore_dma"):
        t.check(want in p.stdout, "%s mentions %s" % (h[0], want), p.stdout)
help_params(t, perf)
# --help wins wherever it is, and runs nothing
p = run(perf, ["--device", "nope", "--help"])
t.check(p.returncode == 0 and "Usage:" in p.stdout, "--help after other options", show(p))

p = run(perf, ["--list-devices"])
t.check(p.returncode == 0, "--list-devices exits 0", show(p))
for drv in ("dsa_sim", "iaa_sim", "cpu"):
    t.check(drv in p.stdout, "--list-devices lists %s" % drv, p.stdout)


# --- good options, read back from the JSON document ---------------------------------
def conf_of(argv):
    p, doc = run_json(t, perf, ["--device", "cpu", "--baseline", "none", "--ops", "4", "--mem",
                                "256k", "--size", "64", "--json", "-"] + argv,
                      "options accepted: %s" % " ".join(argv))
    try:
        return doc["cases"][0]["config"] if doc else None
    except (KeyError, IndexError) as e:
        t.check(False, "JSON for %s: %s" % (argv, e), p.stdout)
        return None


good = [
    (["--op", "crc32c"], {"op": "crc32c"}),
    (["-o", "fill", "-b", "8", "-q", "2", "-s", "256"], {"op": "fill", "burst": 8, "queues": 2,
                                                         "sizes": [256]}),
    (["--size=64,4k,1m", "--mem=2m"], {"sizes": [64, 4096, 1 << 20], "mem_size": 2 << 20}),
    (["--size", "64,1024,4,MUL"], {"sizes": [64, 256, 1024]}),
    (["--size", "100,400,100,ADD"], {"sizes": [100, 200, 300, 400]}),
    (["--size", "64,8k,2,mul", "--mem", "1m"], {"sizes": [64, 128, 256, 512, 1024, 2048, 4096, 8192],
                                                 "mem_size": 1 << 20}),
    (["--ring", "64", "--burst", "64"], {"ring": 64, "burst": 64}),
    (["--no-verify"], {"verify": False}),
    (["--verify", "0"], {"verify": False}),
    (["--verify", "off", "--verify"], {"verify": True}),
    (["--prefault", "0", "--evict"], {"prefault": False, "evict": True}),
    (["--evict", "--no-evict"], {"evict": False}),
    (["--fault-mode", "partial"], {"fault_mode": "partial"}),
    (["--fault-mode", "bof"], {"fault_mode": "block"}),
    (["--fault-ahead", "0"], {"fault_ahead": 0}),
    (["--fault-ahead", "-1"], {"fault_ahead": -1}),
    (["--src-node", "-1", "--dst-node", "0"], {"src_node": -1, "dst_node": 0}),
    (["--mem-kind", "mmap"], {"mem_kind": "mmap"}),
    (["--mem-kind", "THP"], {"mem_kind": "thp"}),
    (["--mem-kind", "file"], {"mem_kind": "file"}),
    (["--mem-kind", "hugepage"], {"mem_kind": "hugepage"}),
    (["-t", "0.25", "--ops", "0"], {"seconds": 0.25, "ops": 0}),
    (["--offset", "3"], {"offset": 3}),
    (["--cache-flush"], {"cache_flush": True}),
    ([], {"handler_cpu": "auto", "device": "cpu", "op": "copy", "verify": True, "prefault": True,
          "fault_mode": "block", "mem_kind": "malloc", "ring": 1024, "burst": 32, "queues": 1}),
    (["--handler-cpu", "poll"], {"handler_cpu": "poll"}),
    (["--handler-cpu", "none"], {"handler_cpu": "none"}),
    (["--handler-cpu", "auto"], {"handler_cpu": "auto"}),
    (["--handler-cpu", "0", "--cores", "0"], {"handler_cpu": "0"}),
    (["--progress", "off", "--quiet"], {}),
    (["--eal-args", "--no-pci --no-huge"], {}),
]
for argv, want in good:
    conf = conf_of(argv + (["--seconds", "0.01"] if "-t" not in argv else []))
    if conf is None:
        continue
    for k, v in want.items():
        t.check(conf.get(k) == v, "%s: %s = %r (got %r)" % (" ".join(argv), k, v, conf.get(k)))

# --- bad options: exit 2, one message naming the option, nothing run ------------------
bad = [
    (["--foo", "1"], "foo"),
    (["--foo"], "foo"),
    (["-x"], "-x"),
    (["stray"], "stray"),
    (["--size"], "--size"),
    (["--size", "0"], "size"),
    (["--size", "2g"], "size"),
    (["--size", "64,8,2,MUL"], "size"),
    (["--size", "64,1k,1,MUL"], "size"),
    (["--size", "64,abc"], "size"),
    (["--size", "1m", "--mem", "64k"], "size"),
    (["--queues", "0"], "queues"),
    (["--queues", "65"], "queues"),
    (["--device", "dsa_sim0", "--queues", "3"], "queues"),
    (["--burst", "0"], "burst"),
    (["--burst", "64", "--ring", "32"], "burst"),
    (["--ring", "100"], "ring"),
    (["--ring", "8192"], "ring"),
    (["--op", "nope"], "op"),
    (["--device", "iaa_sim0", "--op", "fill"], "op=fill"),
    (["--device", "nope"], "nope"),
    (["--baseline", "nope"], "nope"),
    (["--device", "dsa_sim0,max_xfer=4096", "--size", "8192"], "size"),
    (["--mem", "1k"], "mem"),
    (["--mem-kind", "weird"], "mem-kind"),
    (["--fault-mode", "x"], "fault-mode"),
    (["--fault-ahead", "9999"], "fault-ahead"),
    (["--seconds", "0"], "seconds"),
    (["--seconds", "-1"], "seconds"),
    (["--seconds", "abc"], "seconds"),
    (["--ops", "-1"], "ops"),
    (["--cores", "999"], "cores"),
    (["--cores", "x"], "cores"),
    (["--cores", "0", "--queues", "2"], "cores"),
    (["--handler-cpu", "999"], "handler-cpu"),
    (["--src-node", "999"], "src-node"),
    (["--dst-node", "999"], "dst-node"),
    (["--verify", "maybe"], "verify"),
    (["--progress", "x"], "progress"),
    (["--offset", "5000"], "offset"),
    (["--evict", "--op", "crc32c"], "evict"),
    (["--config", "/nonexistent/perf.ini"], "/nonexistent/perf.ini"),
    (["--config"], "config"),
    (["-i", "--config", "x.ini"], "interactive"),
    (["--json", "/nonexistent/dir/out.json"], "out.json"),
    (["--csv", "/nonexistent/dir/out.csv"], "out.csv"),
]
for argv, name in bad:
    p = run(perf, argv + ["--seconds", "0.01"] if argv[-1] not in ("--size", "--config") else argv)
    msgs = [l for l in p.stderr.splitlines() if l.startswith("svadk-perf:")]
    t.check(p.returncode == 2, "%s exits 2" % " ".join(argv), show(p))
    t.check(len(msgs) == 1 and name in msgs[0],
            "%s: one message naming '%s'" % (" ".join(argv), name), show(p))
    t.check("Mops" not in p.stdout, "%s: runs nothing" % " ".join(argv), show(p))

t.done()
