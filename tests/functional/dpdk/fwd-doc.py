#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""doc/guides/dpdk.md against svadk-fwd --help: every long option of the
program is in the guide's option table, and every option of the table is in
the program.

  fwd-doc.py SVADK_FWD GUIDE

Exit status 0 (in sync), 1 (not), 77 (the EAL does not start here).
"""
import re
import subprocess
import sys

EAL = ["--no-huge", "--no-shconf", "--no-pci", "--no-telemetry", "--log-level=error", "-l", "0"]


def main():
    fwd, guide = sys.argv[1], sys.argv[2]
    p = subprocess.run([fwd] + EAL + ["--", "--help"], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        if "EAL initialisation failed" in p.stderr:
            print("SKIP: the DPDK EAL does not start here")
            return 77
        print("svadk-fwd --help failed:\n" + p.stdout + p.stderr)
        return 1
    prog = set(re.findall(r"(--[a-z][a-z-]+)", p.stdout))
    with open(guide) as f:
        text = f.read()
    sec = text[text.index("## 3. svadk-fwd"):text.index("### Examples")]
    rows = [l for l in sec.splitlines() if l.startswith("| `-")]
    doc = set()
    for l in rows:
        doc.update(re.findall(r"(--[a-z][a-z-]+)", l.split("|")[1]))
    missing_doc = sorted(prog - doc - {"--help"})
    missing_prog = sorted(doc - prog)
    for o in missing_doc:
        print("in svadk-fwd --help, not in the guide's table: " + o)
    for o in missing_prog:
        print("in the guide's table, not in svadk-fwd --help: " + o)
    print("%d options in svadk-fwd --help, %d in the guide" % (len(prog), len(doc)))
    return 1 if missing_doc or missing_prog else 0


if __name__ == "__main__":
    sys.exit(main())
