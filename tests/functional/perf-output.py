#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svadk-perf outputs: the JSON document's schema (keys and types), the CSV
and histogram CSV columns, the plot script (when matplotlib is there), the
progress line (on a terminal only), and SIGINT during a run: the results so
far are printed and the exit status is 130.

  perf-output.py SVADK_PERF SOURCE_ROOT
"""
import csv
import importlib.util
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perf_common import Checker, args, env, run, show, tmpdir  # noqa: E402

perf, root = args()
t = Checker("perf-output")
tmp = tmpdir("perf-output.")
J, C, H = (os.path.join(tmp, n) for n in ("out.json", "out.csv", "hist.csv"))

NUM = (int, float)
CONFIG = {"device": str, "baselines": str, "op": str, "burst": int, "queues": int, "ring": int,
          "mem_size": int, "mem_kind": str, "prefault": bool, "evict": bool, "fault_mode": str,
          "fault_ahead": int, "seconds": NUM, "verify": bool, "ops": int, "sizes": list,
          "src_node": int, "dst_node": int, "cache_flush": bool, "offset": int,
          "handler_cpu": str}
RESULT = {"device": str, "op": str, "size": int, "failed": bool, "error": str, "verified": bool,
          "iopf": dict, "total": dict, "queues": list}
IOPF = {"requests": int, "pages": int, "rtt_p50_ns": int, "rtt_p99_ns": int}
TOTAL = {"ops": int, "bytes": int, "seconds": NUM, "mops": NUM, "gbps": NUM, "ns_per_op": NUM,
         "cycles_per_op": NUM, "errors": int, "faults": int, "latency_ns": dict}
LAT = {"p50": int, "p99": int, "p999": int, "max": int, "mean": NUM}
COMPARISON = {"size": int, "device": str, "baseline": str, "ratio": NUM}
CSV_COLUMNS = ("case,device,op,size,queue,ops,bytes,seconds,mops,gbps,ns_per_op,cycles_per_op,"
               "lat_p50_ns,lat_p99_ns,lat_p999_ns,faults,faults_per_s,fault_rtt_p50_ns,"
               "fault_rtt_p99_ns,errors").split(",")
HIST_COLUMNS = ["case", "device", "op", "size", "bucket_low_ns", "count"]


def typed(obj, schema, where):
    if not t.check(isinstance(obj, dict), "%s is an object" % where, obj):
        return
    for k, ty in schema.items():
        v = obj.get(k)
        ok = k in obj and isinstance(v, ty) and not (ty in (int, NUM) and isinstance(v, bool))
        t.check(ok, "%s.%s is %s (got %r)" % (where, k, getattr(ty, "__name__", ty), v))


# --- one run with every output: 2 queues, a fault storm, a baseline -------------------------
argv = ["-d", "dsa_sim0", "-q", "2", "-s", "4k,16k", "--ops", "32", "--mem", "64k", "--prefault",
        "0", "--evict", "--handler-cpu", "poll", "--json", J, "--csv", C, "--hist-csv", H]
p = run(perf, argv, timeout=120)
t.check(p.returncode == 0, "run with --json --csv --hist-csv", show(p))
t.check("Comparison (same run)" in p.stdout and "x\n" in p.stdout, "table shows the ratio",
        p.stdout)
for col in ("Mops", "GB/s", "ns/op", "cyc/op", "lat p50", "p99", "p99.9", "faults", "rtt p50",
            "rtt p99", "errors"):
    t.check(col in p.stdout, "table has column %s" % col, p.stdout)
t.check(" q0 " in p.stdout and " q1 " in p.stdout and " total " in p.stdout,
        "table: a row per queue and the total", p.stdout)

doc = None
try:
    doc = json.load(open(J))
except (OSError, ValueError) as e:
    t.check(False, "JSON parses: %s" % e)
if doc:
    typed(doc, {"tool": str, "version": str, "cases": list, "interrupted": bool, "status": int},
          "doc")
    t.check(doc.get("tool") == "svadk-perf" and doc.get("status") == 0 and
            doc.get("interrupted") is False, "doc: tool, status 0, not interrupted", doc)
    for i, c in enumerate(doc.get("cases", [])):
        typed(c, {"case": str, "config": dict, "results": list, "comparison": list}, "case[%d]" % i)
        typed(c.get("config"), CONFIG, "case[%d].config" % i)
        res = c.get("results", [])
        t.check(len(res) == 4, "2 sizes x (device + baseline) = 4 results (%d)" % len(res))
        for k, r in enumerate(res):
            w = "case[%d].results[%d]" % (i, k)
            typed(r, RESULT, w)
            typed(r.get("iopf"), IOPF, w + ".iopf")
            typed(r.get("total"), TOTAL, w + ".total")
            typed(r.get("total", {}).get("latency_ns"), LAT, w + ".total.latency_ns")
            t.check(len(r.get("queues", [])) == 2, w + ": 2 queues")
            for q, qr in enumerate(r.get("queues", [])):
                typed(qr, TOTAL, "%s.queues[%d]" % (w, q))
            tot = r.get("total", {})
            t.check(tot.get("ops") == sum(q.get("ops", 0) for q in r.get("queues", [])),
                    w + ": queue ops add up to the total")
            lat = tot.get("latency_ns", {})
            t.check(lat.get("p50", 0) <= lat.get("p99", 0) <= lat.get("p999", 0) <= lat.get("max", 0),
                    w + ": p50 <= p99 <= p99.9 <= max", lat)
        t.check(any(r["iopf"]["requests"] > 0 for r in res if r["device"] == "dsa_sim0"),
                "faults counted for dsa_sim0")
        comp = c.get("comparison", [])
        t.check(len(comp) == 2, "comparison: one per size (%d)" % len(comp))
        for k, x in enumerate(comp):
            typed(x, COMPARISON, "case[%d].comparison[%d]" % (i, k))
            dev = [r for r in res if r["device"] == "dsa_sim0" and r["size"] == x.get("size")]
            base = [r for r in res if r["device"] == "cpu" and r["size"] == x.get("size")]
            if dev and base and base[0]["total"]["mops"] > 0:
                want = dev[0]["total"]["mops"] / base[0]["total"]["mops"]
                t.check(abs(x["ratio"] - want) <= 0.01 * want + 1e-4,
                        "comparison ratio = device Mops / baseline Mops", (x, want))

rows = []
try:
    with open(C, newline="") as f:
        rd = csv.DictReader(f)
        t.check(rd.fieldnames == CSV_COLUMNS, "CSV columns", rd.fieldnames)
        rows = list(rd)
except OSError as e:
    t.check(False, "CSV readable: %s" % e)
t.check(len(rows) == 4 * 3, "CSV: total + 2 queue rows per result (%d)" % len(rows))
t.check(set(r["queue"] for r in rows) == {"total", "q0", "q1"}, "CSV queue column",
        set(r["queue"] for r in rows))
for r in rows:
    try:
        int(r["size"]), int(r["ops"]), int(r["faults"]), int(r["errors"])
        float(r["mops"]), float(r["gbps"]), float(r["faults_per_s"]), float(r["ns_per_op"])
    except ValueError:
        t.check(False, "CSV numbers", r)
totals = {(r["device"], r["size"]): int(r["ops"]) for r in rows if r["queue"] == "total"}
hist = []
try:
    with open(H, newline="") as f:
        rd = csv.DictReader(f)
        t.check(rd.fieldnames == HIST_COLUMNS, "histogram CSV columns", rd.fieldnames)
        hist = list(rd)
except OSError as e:
    t.check(False, "histogram CSV readable: %s" % e)
for key, ops in totals.items():
    n = sum(int(h["count"]) for h in hist if (h["device"], h["size"]) == key)
    # Latency is sampled: every 8th operation by ring index.
    t.check(ops // 8 <= n <= (ops + 7) // 8,
            "histogram of %s size %s counts every 8th operation (%d of %d)" % (key + (n, ops)))

# --- the plot script ------------------------------------------------------------------------
plot = os.path.join(root, "apps", "svadk-perf", "svadk-perf-plot.py")
py = None
for cand in ("python3", "/usr/bin/python3"):
    exe = shutil.which(cand)
    if exe and subprocess.run([exe, "-c", "import matplotlib"], capture_output=True).returncode == 0:
        py = exe
        break
# The latency CDF keeps cases apart: two cases on the same device, operation and size
# (quickstart.ini's faults-block and faults-partial) are two lines, not one merged line.
spec = importlib.util.spec_from_file_location("svadk_perf_plot", plot)
plotmod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plotmod)
two = [{"case": c, "device": "dsa_sim0", "op": "copy", "size": "4096", "bucket_low_ns": lo,
        "count": "1"} for c, lo in (("faults-block", "1000"), ("faults-partial", "5000"))]
cdf = plotmod.cdf_series(two)
t.check(sorted(cdf) == [("faults-block", "dsa_sim0", "copy", 4096),
                        ("faults-partial", "dsa_sim0", "copy", 4096)] and
        all(ys == [1.0] for _, ys in cdf.values()),
        "plot script: one latency CDF line per case", cdf)
if py is None:
    print("note: matplotlib is not installed: the plot script is not run")
else:
    out = os.path.join(tmp, "png")
    q = subprocess.run([py, plot, C, "--hist", H, "--out", out], capture_output=True, text=True,
                       timeout=120)
    t.check(q.returncode == 0, "plot script runs", q.stdout + q.stderr)
    for png in ("throughput_vs_size.png", "latency_cdf.png", "faults_vs_throughput.png"):
        path = os.path.join(out, png)
        ok = os.path.exists(path) and open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
        t.check(ok, "plot script wrote %s" % png, q.stdout + q.stderr)

# --- machine output on stdout: the tables go to stderr -------------------------------------
p = run(perf, ["-d", "cpu", "--baseline", "none", "-s", "64", "--ops", "8", "--mem", "64k",
               "--csv", "-"])
t.check(p.returncode == 0 and p.stdout.splitlines()[0] == ",".join(CSV_COLUMNS) and
        "Mops" in p.stderr, "--csv -: CSV alone on stdout, table on stderr", show(p))

# --- progress line: on a terminal, once a second; not when piped --------------------------
def on_pty(argv, timeout=30):
    master, slave = pty.openpty()
    proc = subprocess.Popen([perf] + argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                            env=env(TERM="xterm"))
    os.close(slave)
    data, end = b"", time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=10)
    os.close(master)
    return proc.returncode, data.decode(errors="replace")


rc, out = on_pty(["-d", "cpu", "--baseline", "none", "-s", "4k", "--seconds", "2.3",
                  "--mem", "64k"])
t.check(rc == 0, "progress run on a terminal", out)
lines = [x for x in out.split("\r") if "Mops/s" in x]
t.check(len(lines) >= 2 and all("GB/s" in x and "faults/s" in x and "/2.3 s" in x
                                for x in lines), "progress: a line a second with a bar", out)
rc, out = on_pty(["-d", "cpu", "--baseline", "none", "-s", "4k", "--seconds", "1.1",
                  "--mem", "64k", "--quiet"])
t.check(rc == 0 and "Mops/s" not in out, "progress: none with --quiet", out)
p = run(perf, ["-d", "cpu", "--baseline", "none", "-s", "4k", "--seconds", "1.1", "--mem", "64k"])
t.check(p.returncode == 0 and "Mops/s" not in p.stderr and "\r" not in p.stderr,
        "progress: quiet when piped", show(p))
p = run(perf, ["-d", "cpu", "--baseline", "none", "-s", "4k", "--seconds", "1.1", "--mem", "64k",
               "--progress", "on"])
t.check(p.returncode == 0 and "Mops/s" in p.stderr, "progress: --progress on when piped", show(p))

# --- SIGINT during a run: results so far, exit 130 ------------------------------------------
for i in range(2):
    J2 = os.path.join(tmp, "int%d.json" % i)
    proc = subprocess.Popen([perf, "-d", "dsa_sim0", "-s", "4k,64k", "--seconds", "1", "--mem",
                             "256k", "--json", J2], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env())
    time.sleep(0.5 + i)  # in the first size point, then in the second
    t0 = time.time()
    proc.send_signal(signal.SIGINT)
    try:
        so, se = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        so, se = proc.communicate()
    took = time.time() - t0
    t.check(proc.returncode == 130, "SIGINT: exit 130 (%s)" % proc.returncode, so + se)
    t.check(took < 5, "SIGINT: stops at once (%.1f s)" % took)
    t.check("dsa_sim0" in so and "copy" in so and "4K" in so, "SIGINT: results so far printed",
            so + se)
    t.check("interrupted" in se, "SIGINT: says it was interrupted", se)
    try:
        d = json.load(open(J2))
        t.check(d["interrupted"] is True and d["status"] == 130 and d["cases"][0]["results"],
                "SIGINT: the JSON document is complete and says interrupted", d)
    except (OSError, ValueError, KeyError, IndexError) as e:
        t.check(False, "SIGINT: JSON document: %s" % e)

t.done()
