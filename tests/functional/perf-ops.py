#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svadk-perf short runs: every operation of dsa_sim0, iaa_sim0 and cpu, in
both fault modes, prefaulted and first touch with eviction between passes
(fault storms), each verified byte for byte; several queues, bursts,
misalignment and every memory kind; a failed verification and a device error
fail the run (exit 1), never a warning.

  perf-ops.py SVADK_PERF SOURCE_ROOT
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perf_common import (DSA_OPS, IAA_OPS, READ_ONLY_OPS, Checker, args, run,  # noqa: E402
                         run_json, show)

perf, root = args()
t = Checker("perf-ops")
# Tiny: 4 KiB-ish operations on a pool of a few buffers, so that a pass over
# the pool (and with --evict, a fault storm) happens every few operations.
BASE = ["--ops", "24", "--mem", "16k", "--burst", "4", "--handler-cpu", "poll", "--json", "-"]


def results(argv, what, want_rc=0, **env):
    return run_json(t, perf, argv, what, want_rc, timeout=120, **env)


def check_all_verified(doc, what, devices, faults=None):
    rs = [r for c in doc["cases"] for r in c["results"]]
    t.check(set(r["device"] for r in rs) == set(devices), "%s: devices %s" % (what, devices),
            [r["device"] for r in rs])
    for r in rs:
        t.check(not r["failed"] and r["verified"] and r["total"]["errors"] == 0 and
                r["total"]["ops"] > 0,
                "%s: %s size %d verified, no error" % (what, r["device"], r["size"]), r)
    if faults is not None:
        n = sum(r["iopf"]["requests"] for r in rs if r["device"] == devices[0])
        t.check(n > 0 if faults else n == 0, "%s: IO page faults %s (%d)" %
                (what, "handled" if faults else "none", n))


plans = [("dsa_sim0", op) for op in DSA_OPS] + [("iaa_sim0", op) for op in IAA_OPS]
for dev, op in plans:
    sizes = "3000,4096" if op != "dualcast" else "4096"  # odd sizes too
    for mode in ("block", "partial"):
        # prefaulted: no fault at all; baseline cpu in the same run
        what = "%s %s %s prefaulted" % (dev, op, mode)
        p, doc = results(["-d", dev, "-o", op, "-s", sizes, "--fault-mode", mode] + BASE, what)
        if doc:
            check_all_verified(doc, what, [dev, "cpu"], faults=False)
        # first touch + eviction after every pass: faults on every pass
        what = "%s %s %s first-touch+evict" % (dev, op, mode)
        extra = ["--mem-kind", "file"] if op in READ_ONLY_OPS else ["--mem-kind", "mmap"]
        p, doc = results(["-d", dev, "-o", op, "-s", sizes, "--fault-mode", mode, "--prefault", "0",
                          "--evict", "--baseline", "none"] + extra + BASE, what)
        if doc:
            check_all_verified(doc, what, [dev], faults=True)

# the cpu device does every operation
ops = sorted(set(DSA_OPS + IAA_OPS))
for op in ops:
    what = "cpu %s" % op
    p, doc = results(["-d", "cpu", "-o", op, "-s", "1,4097", "--baseline", "none"] + BASE, what)
    if doc:
        check_all_verified(doc, what, ["cpu"])

# several queues and cores, misaligned buffers, a sweep
what = "dsa_sim0 2 queues"
p, doc = results(["-d", "dsa_sim0", "-q", "2", "--cores", "0,1", "-s", "64,4k,4,MUL",
                  "--offset", "5"] + BASE, what)
if doc:
    check_all_verified(doc, what, ["dsa_sim0", "cpu"])
    r = doc["cases"][0]["results"][0]
    t.check(len(r["queues"]) == 2 and r["total"]["ops"] == sum(q["ops"] for q in r["queues"]),
            "2 queues: per-queue results add up to the total", r)
    t.check([x["size"] for x in doc["cases"][0]["results"][:3]] == [64, 256, 1024],
            "sweep 64,4k,4,MUL", doc["cases"][0]["results"])

# first touch at every size point: fresh memory each point, each one faults
# (the device's cached translations of the memory freed before must be gone)
what = "first touch at every size"
p, doc = results(["-d", "dsa_sim0", "-s", "4k,8k,16k", "--prefault", "0", "--mem-kind", "mmap",
                  "--baseline", "none"] + BASE, what)
if doc:
    check_all_verified(doc, what, ["dsa_sim0"])
    for r in doc["cases"][0]["results"]:
        t.check(r["iopf"]["requests"] > 0, "%s: size %d faulted (%d)" % (what, r["size"],
                                                                         r["iopf"]["requests"]))

# DPDK's dma_skeleton as a second baseline, when svadk is built with DPDK
if "dpdk:" in run(perf, ["--list-devices"]).stdout:
    what = "baseline cpu,dpdk:dma_skeleton"
    p, doc = results(["-d", "dsa_sim0", "-s", "64,4k", "--baseline", "cpu,dpdk:dma_skeleton"] + BASE,
                     what)
    if doc:
        check_all_verified(doc, what, ["dsa_sim0", "cpu", "dpdk:dma_skeleton"])
        comp = doc["cases"][0]["comparison"]
        t.check(len(comp) == 4 and {c["baseline"] for c in comp} == {"cpu", "dpdk:dma_skeleton"},
                "%s: a ratio per size and baseline" % what, comp)
    # an operation dma_skeleton does not do: left out with a notice, the run goes on
    p, doc = results(["-d", "dsa_sim0", "-o", "crc32c", "-s", "64", "--baseline",
                      "cpu,dpdk:dma_skeleton"] + BASE, "baseline without the op")
    if doc:
        check_all_verified(doc, "baseline without the op", ["dsa_sim0", "cpu"])
        t.check("notice" in p.stderr and "dma_skeleton" in p.stderr,
                "baseline without the op: a notice", p.stderr)
else:
    print("note: built without DPDK: no dpdk:dma_skeleton baseline")

# a timed run (--seconds) instead of --ops
what = "timed run"
p, doc = results(["-d", "dsa_sim0", "-s", "4k", "--seconds", "0.1", "--mem", "64k", "--json", "-"],
                 what)
if doc:
    check_all_verified(doc, what, ["dsa_sim0", "cpu"])
    for r in doc["cases"][0]["results"]:
        t.check(0.08 < r["total"]["seconds"] < 2.0, "timed run: %s measured ~0.1 s (%.3f)" %
                (r["device"], r["total"]["seconds"]))

# memory kinds: hugepage falls back with a notice when there are none; THP; file; NUMA node 0
hp = open("/proc/sys/vm/nr_hugepages").read().strip() if os.path.exists(
    "/proc/sys/vm/nr_hugepages") else "0"
for kind in ("malloc", "mmap", "hugepage", "thp", "file"):
    what = "mem-kind %s" % kind
    p, doc = results(["-d", "dsa_sim0", "-s", "4k", "--mem-kind", kind, "--src-node", "0",
                      "--dst-node", "0"] + BASE, what)
    if doc:
        check_all_verified(doc, what, ["dsa_sim0", "cpu"])
    if kind == "hugepage" and hp == "0":
        t.check("notice" in p.stderr and "huge" in p.stderr,
                "hugepage without huge pages: a notice", show(p))
what = "mem-kind file --file"
path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "svadk-perf-test.%d" % os.getpid())
p, doc = results(["-d", "dsa_sim0", "-q", "2", "-s", "4k", "--mem-kind", "file", "--file", path,
                  "--prefault", "0"] + BASE, what)
if doc:
    check_all_verified(doc, what, ["dsa_sim0", "cpu"])
t.check(os.path.exists(path) and os.path.exists(path + ".q1"), "--file: one file per queue")
for f in (path, path + ".q1"):
    if os.path.exists(f):
        os.unlink(f)

# a failed verification is an error: exit 1, the point marked failed, the message on stderr
for dev, op in (("dsa_sim0", "copy"), ("dsa_sim0", "fill"), ("iaa_sim0", "compress"),
                ("iaa_sim0", "decompress"), ("cpu", "dualcast")):
    for evict in ([], ["--evict", "--prefault", "0"]):
        what = "%s %s corrupted%s" % (dev, op, " (evict)" if evict else "")
        p, doc = results(["-d", dev, "-o", op, "-s", "4k", "--baseline", "none"] + evict + BASE,
                         what, want_rc=1, SVADK_PERF_TEST_CORRUPT=1)
        if doc:
            r = doc["cases"][0]["results"][0]
            t.check(r["failed"] and not r["verified"] and "verification failed" in r["error"],
                    "%s: the point failed verification" % what, r)
            t.check(doc["status"] == 1, "%s: JSON status 1" % what)
        t.check("verification failed" in p.stderr, "%s: said on stderr" % what, show(p))
# ... and with --no-verify nothing is checked (and nothing claims to be)
p, doc = results(["-d", "dsa_sim0", "-s", "4k", "--no-verify", "--baseline", "none"] + BASE,
                 "--no-verify", SVADK_PERF_TEST_CORRUPT=1)
if doc:
    t.check(not doc["cases"][0]["results"][0]["verified"], "--no-verify: verified false")

# a device error fails the run: page requests lost, the device times out
what = "lost page requests"
p, doc = results(["-d", "dsa_sim0,inject_drop=2,prs_timeout_ms=20", "-s", "4k", "--prefault", "0",
                  "--fault-ahead", "0", "--evict",
                  "--mem-kind", "mmap", "--baseline", "none"] + BASE, what, want_rc=1)
if doc:
    r = doc["cases"][0]["results"][0]
    t.check(r["failed"] and r["total"]["errors"] >= 1 and "timeout" in r["error"],
            "%s: failed with a timeout status" % what, r)

t.done()
