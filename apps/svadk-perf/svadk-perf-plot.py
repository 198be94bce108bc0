#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Turn svadk-perf CSV output into PNG charts (matplotlib).

  svadk-perf --csv results.csv --hist-csv hist.csv ...
  svadk-perf-plot.py results.csv [--hist hist.csv] [--out DIR]

Charts: throughput vs transfer size (one line per device), completion-latency
CDF (one line per case, device, operation and size, from --hist), and fault
rate vs throughput.
"""
import argparse
import csv
import os
import sys
from collections import defaultdict


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def cdf_series(hist_rows):
    """Histogram CSV rows -> {(case, device, op, size): ([ns, ...], [fraction, ...])}."""
    hist = defaultdict(list)
    for r in hist_rows:
        hist[(r["case"], r["device"], r["op"], int(r["size"]))].append(
            (int(r["bucket_low_ns"]), int(r["count"])))
    series = {}
    for key, buckets in hist.items():
        buckets.sort()
        total = sum(c for _, c in buckets)
        acc, xs, ys = 0, [], []
        for low, c in buckets:
            acc += c
            xs.append(max(low, 1))
            ys.append(acc / total)
        series[key] = (xs, ys)
    return series


def finish(fig, ax, ylabel, title, path, written, **legend):
    """Label, grid, legend, save one chart and note its path."""
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(**legend)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    written.append(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="results CSV written by svadk-perf --csv")
    ap.add_argument("--hist", help="histogram CSV written by svadk-perf --hist-csv")
    ap.add_argument("--out", default=".", help="directory for the PNG files")
    args = ap.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("svadk-perf-plot: matplotlib is missing (apt-get install python3-matplotlib)")
    rows = [r for r in load(args.csv) if r["queue"] == "total"]
    if not rows:
        sys.exit("svadk-perf-plot: no 'total' rows in %s" % args.csv)
    os.makedirs(args.out, exist_ok=True)
    written = []

    # Throughput vs size
    series = defaultdict(list)
    for r in rows:
        series[(r["case"], r["device"], r["op"])].append((int(r["size"]), float(r["gbps"])))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (case, dev, op), pts in sorted(series.items()):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                label="%s %s (%s)" % (dev, op, case))
    ax.set_xscale("log", base=2)
    ax.set_xlabel("transfer size (bytes)")
    finish(fig, ax, "GB/s", "Throughput vs transfer size",
           os.path.join(args.out, "throughput_vs_size.png"), written, fontsize=8)

    # Fault rate vs throughput
    fr = [(float(r["faults_per_s"]), float(r["gbps"]), r["device"]) for r in rows]
    if any(f[0] > 0 for f in fr):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for dev in sorted(set(f[2] for f in fr)):
            pts = [f for f in fr if f[2] == dev]
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], label=dev)
        ax.set_xlabel("IO page faults per second")
        finish(fig, ax, "GB/s", "Fault rate vs throughput",
               os.path.join(args.out, "faults_vs_throughput.png"), written, fontsize=8)

    # Latency CDF
    if args.hist:
        hist = cdf_series(load(args.hist))
        fig, ax = plt.subplots(figsize=(7, 4.5))
        # one colour per device, one line style per size
        devices = sorted(set(k[1] for k in hist))
        sizes = sorted(set(k[3] for k in hist))
        colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        styles = ["-", "--", ":", "-."]
        for key in sorted(hist, key=lambda k: (k[1], k[3], k[2], k[0])):
            case, dev, op, size = key
            xs, ys = hist[key]
            ax.step(xs, ys, where="post", label="%s %s %dB (%s)" % (dev, op, size, case),
                    color=colours[devices.index(dev) % len(colours)],
                    linestyle=styles[sizes.index(size) % len(styles)])
        ax.set_xscale("log")
        ax.set_xlabel("completion latency (ns)")
        finish(fig, ax, "fraction of operations", "Completion latency CDF",
               os.path.join(args.out, "latency_cdf.png"), written,
               fontsize=6, ncol=2 if len(hist) > 8 else 1)
    for p in written:
        print(p)


if __name__ == "__main__":
    main()
