# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of the svadk-perf functional tests (tests/functional/perf-*.py).

Every test program takes the svadk-perf binary as its first argument and the
source root as its second, prints one line per failed check, and exits 0
(pass), 1 (fail) or 77 (skip).
"""
import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


class Checker:
    """Counts checks; every failure is printed with what was run."""

    def __init__(self, name):
        self.name = name
        self.checks = 0
        self.fails = 0

    def check(self, cond, what, detail=""):
        self.checks += 1
        if not cond:
            self.fails += 1
            print("FAIL: %s" % what)
            if detail:
                for line in str(detail).rstrip().splitlines()[-12:]:
                    print("  | " + line)
        return bool(cond)

    def done(self):
        print("%s: %d checks, %d failed" % (self.name, self.checks, self.fails))
        sys.exit(1 if self.fails else 0)


def tmpdir(prefix):
    """A temporary directory, removed when the test ends."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return path


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


def args():
    """(svadk-perf path, source root) from the command line."""
    if len(sys.argv) < 3:
        sys.exit("usage: %s SVADK_PERF SOURCE_ROOT" % sys.argv[0])
    perf, root = sys.argv[1], sys.argv[2]
    if not os.access(perf, os.X_OK):
        skip("%s is not built" % perf)
    return perf, root


def env(**extra):
    """The environment for svadk-perf: no history or locale surprises."""
    e = dict(os.environ)
    e.setdefault("HOME", tempfile.gettempdir())
    e.pop("SVADK_PERF_TEST_CORRUPT", None)
    e.update({k: str(v) for k, v in extra.items()})
    return e


def run(perf, argv, timeout=60, **extra_env):
    """Run svadk-perf; returns CompletedProcess (text). A timeout gives rc -9."""
    try:
        return subprocess.run([perf] + list(argv), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              text=True, timeout=timeout, env=env(**extra_env))
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(e.cmd, -9, e.stdout or "", e.stderr or "")


def show(p):
    """What a failed run printed, for a failure message."""
    return "$ %s\nexit %s\n--- stdout\n%s\n--- stderr\n%s" % (
        " ".join(p.args) if isinstance(p.args, list) else p.args, p.returncode,
        p.stdout if isinstance(p.stdout, str) else "", p.stderr if isinstance(p.stderr, str) else "")


def run_json(t, perf, argv, what, want_rc=0, timeout=60, **extra_env):
    """Run svadk-perf (argv has --json -), check its exit status is want_rc and
    parse stdout. Returns (CompletedProcess, document), the document None when
    a check of Checker t failed."""
    p = run(perf, argv, timeout=timeout, **extra_env)
    if not t.check(p.returncode == want_rc, "%s: exit %d" % (what, want_rc), show(p)):
        return p, None
    try:
        return p, json.loads(p.stdout)
    except ValueError as e:
        t.check(False, "%s: JSON: %s" % (what, e), show(p))
        return p, None


def help_params(t, perf):
    """(the --NAME parameters --help lists, the help text); checks there are at least 25."""
    text = run(perf, ["--help"]).stdout
    params = re.findall(r"^  --([a-z0-9-]+) ", text, re.M)
    t.check(len(params) >= 25, "--help lists the parameters (%d)" % len(params))
    return params, text


# Operations of each software device (the cpu device does every one).
DSA_OPS = ["copy", "fill", "compare", "compare_pattern", "crc32c", "copy_crc32c", "dualcast",
           "cache_flush"]
IAA_OPS = ["copy", "compress", "decompress", "crc64"]
READ_ONLY_OPS = {"compare", "compare_pattern", "crc32c", "crc64"}
