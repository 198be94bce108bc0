#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""doc/guides/perf-tool.md against the tool, so that the guide cannot drift:
every parameter of --help has a row in the guide's tables and every row is a
real parameter; the general options, the dpdk-test-dma-perf config keys, the
operations and the prompt's commands are all in the guide; every option in
the guide's command examples exists; the images it shows exist and are small.

  perf-doc.py SVADK_PERF SOURCE_ROOT
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perf_common import Checker, args, env, help_params, run  # noqa: E402

perf, root = args()
t = Checker("perf-doc")
guide_path = os.path.join(root, "doc", "guides", "perf-tool.md")
if not t.check(os.path.exists(guide_path), "%s exists" % guide_path):
    t.done()
guide = open(guide_path).read()
params, help_text = help_params(t, perf)
rows = set(re.findall(r"^\| `--([a-z0-9-]+)`", guide, re.M))
general = {"help", "config", "interactive", "list-devices"}
for p in params:
    t.check(p in rows, "guide has a table row for --%s" % p)
for r in sorted(rows):
    t.check(r in params or r in general, "guide row --%s is an option of --help" % r)
for opt in re.findall(r"^\s+(?:-\w, )?(--[a-z-]+)", help_text.split("Short forms")[0], re.M):
    t.check("`%s" % opt in guide, "guide documents the general option %s" % opt)
for short in re.findall(r"-([a-z]) [a-z]+", help_text.split("Short forms:")[1].split("\n")[0]):
    t.check("`-%s`" % short in guide, "guide documents the short form -%s" % short)

# dpdk-test-dma-perf keys named by --help
keys_par = help_text.split("Config-file keys from dpdk-test-dma-perf:")[1].split("\n\n")[0]
keys = re.findall(r"\b([a-z][a-z_]+[a-z])\b", keys_par)
keys = [k for k in keys if "_" in k or k in ("type", "lcore")]
t.check(len(keys) >= 10, "--help names the dpdk-test-dma-perf keys (%s)" % keys)
for k in keys:
    t.check("`%s`" % k in guide, "guide documents the config key %s" % k)
for k in ("DMA_MEM_COPY", "CPU_MEM_COPY", "[GLOBAL]", "lcore_dma0", "skip"):
    t.check(k in guide, "guide mentions %s" % k)

# operations
ops_line = re.search(r"^  --op\s+(.*)$", help_text, re.M).group(1)
ops = re.findall(r"\b([a-z][a-z0-9_]+)\b", ops_line.split(":", 1)[1].split("(")[0])
t.check(len(ops) >= 11, "--help lists the operations (%s)" % ops)
for op in ops:
    t.check(re.search(r"\b%s\b" % op, guide), "guide mentions the operation %s" % op)

# the prompt's commands (help through a pipe)
p = subprocess.run([perf, "-i"], input="help\nquit\n", capture_output=True, text=True, timeout=30,
                   env=env())
cmds = re.findall(r"^  ([a-z]+(?: [a-z]+)?)(?: <[a-z]+> <[a-z]+>)?\s{2,}", p.stdout, re.M)
t.check(len(cmds) >= 9, "prompt help lists the commands (%s)" % cmds)
for c in cmds:
    t.check(re.search(r"^\| `%s" % re.escape(c), guide, re.M), "guide has a row for '%s'" % c)

# exit statuses
for st in ("**0**", "**1**", "**2**", "**130**"):
    t.check(st in guide, "guide gives the exit status %s" % st)

# options used in the guide's command lines exist
known = set(params) | general | {"no-" + p for p in params}
for line in re.findall(r"^(?:\$ )?(?:svadk-perf|\$B)\b(.*)$", guide, re.M):
    for opt in re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*)", line):
        t.check(opt in known, "option --%s in the example '%s' exists" % (opt, line.strip()))

# images and files it refers to
for img in re.findall(r"!\[[^]]*\]\(([^)]+)\)", guide):
    path = os.path.join(os.path.dirname(guide_path), img)
    ok = os.path.exists(path)
    t.check(ok, "image %s exists" % img)
    if ok:
        t.check(os.path.getsize(path) < 100 * 1024, "image %s is under 100 KB" % img)
for cfg in set(re.findall(r"config/perf-[a-z]+\.ini", guide)):
    t.check(os.path.exists(os.path.join(root, cfg)), "%s exists" % cfg)

t.done()
