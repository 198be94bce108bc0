#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Count test results from meson's testlog.json.

Usage:
  count-tests.py [--numbers] [--rc N] [--extra-failed N] BUILDDIR|TESTLOG ...

For each argument, reads BUILDDIR/meson-logs/testlog.json (or the file
itself when a .json file is given). A missing log counts as no test run.

  OK, EXPECTEDFAIL                               -> passed
  FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, INTERRUPT -> failed
  SKIP                                           -> skipped (neither)

Default output: one line per failed test, a "skipped: N" line when tests were
skipped, and as the last line exactly "N passed, N failed". The exit status
is 1 when anything failed, else 0.

With --numbers: prints "PASSED FAILED SKIPPED ADDED" on one line and exits 0
(for shell scripts that add up several build directories); ADDED is how many
of the FAILED were added by --rc or --extra-failed rather than logged.

--rc N is the exit status of what produced the logs (meson test, or a whole
stage): when it is non-zero and no failed test was logged (setup, configure or
build failed, the run was cut short), that counts as one failure.

--extra-failed N adds N failures that did not come from a test log (a build
that did not configure or compile, a stage that ran out of time).
"""

import json
import os
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
FAILED = {"FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS", "INTERRUPT"}
SKIPPED = {"SKIP"}


def log_path(arg):
    if arg.endswith(".json") and os.path.isfile(arg):
        return arg
    return os.path.join(arg, "meson-logs", "testlog.json")


def count(path, failures):
    passed = failed = skipped = 0
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return 0, 0, 0
    with f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                # A run killed mid-write leaves a truncated last line.
                print(f"count-tests: {path}:{lineno}: unreadable record, ignored",
                      file=sys.stderr)
                continue
            res = str(rec.get("result", "")).upper()
            if res in PASSED:
                passed += 1
            elif res in SKIPPED:
                skipped += 1
            elif res in FAILED:
                failed += 1
                failures.append((rec.get("name", "?"), res))
            # PENDING/RUNNING never reach the log; anything else is ignored.
    return passed, failed, skipped


def main(argv):
    numbers = False
    extra = 0
    rc = 0
    paths = []
    it = iter(argv)
    for a in it:
        if a == "--numbers":
            numbers = True
        elif a == "--rc":
            rc = int(next(it, "0"))
        elif a.startswith("--rc="):
            rc = int(a.split("=", 1)[1])
        elif a == "--extra-failed":
            extra += int(next(it, "0"))
        elif a.startswith("--extra-failed="):
            extra += int(a.split("=", 1)[1])
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        else:
            paths.append(a)
    if not paths:
        paths = ["build"]

    passed = failed = skipped = 0
    failures = []
    for a in paths:
        p, f, s = count(log_path(a), failures)
        passed += p
        failed += f
        skipped += s
    note = None
    if rc != 0 and failed == 0:
        note = f"exit status {rc} with no failed test logged: counted as one failure"
        extra += 1
    failed += extra

    if numbers:
        print(passed, failed, skipped, extra)
        return 0
    if note:
        print(f"count-tests: {note}")
    for name, res in failures:
        print(f"{res}: {name}")
    if skipped:
        print(f"skipped: {skipped}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
