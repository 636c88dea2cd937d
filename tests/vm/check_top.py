#!/usr/bin/env python3
"""Checks `smccctrace top -b -n 3` (tests/vm/scenarios/top.sh) against the test VMMs'
ground truth: three frames; frame 1 has no calls, frame 2 every call of VMM A, frame 3
those of B (A exited before frame 2: its rows leave one frame later, src/top_bound.c);
in each, per (VMM pid, vCPU, function) the COUNT and the split by disposition equal the
truth, and the header's totals equal the rows' sums plus, in frame 3, A's calls, which
the state line counts as one exited VMM's.

usage: check_top.py RESULTS_DIR [--tool HOST_SMCCCTRACE] [--label NAME]"""
import argparse
import collections
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checklib import Checker, load_jsonl  # noqa: E402 (tests/vm/checklib.py)
from top_frames import parse  # noqa: E402 (tests/top_frames.py)

DISPOSITIONS = ["kvm", "denied", "forwarded", "refused", "reflected"]


def names(tool, ids):
    """Function ID -> the name top prints: the kernel's counts fold unknown IDs per
    service, as --summary does (the tool's decoder's summary_label, never a copy)"""
    out = subprocess.run([tool, "decode", "--json"] + ["0x%08x" % i for i in sorted(ids)],
                         check=True, capture_output=True, text=True).stdout
    return {int(d["func_id"], 16): d["summary_label"] for d in map(json.loads, out.splitlines())}


def truth_rows(truths, name):
    """(pid, vcpu, name) -> Counter of dispositions, over the given VMMs' truth"""
    rows = collections.defaultdict(collections.Counter)
    for pid, truth in truths:
        for t in truth:
            if t.get("type") == "call":
                rows[(str(pid), str(t["vcpu"]), name[int(t["func_id"], 16)])][t["expect"]] += 1
    return rows


def frame_rows(frame):
    rows = collections.defaultdict(collections.Counter)
    for r in frame["rows"]:
        key = (r["PID"], r["VCPU"], r["FUNCTION"])
        for d in DISPOSITIONS:
            rows[key][d] += int(r[d.upper()])
        rows[key]["COUNT"] += int(r["COUNT"])
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--tool", default="build/x86_64/smccctrace")
    ap.add_argument("--label", default="top")
    a = ap.parse_args()
    c = Checker(a.label)
    r = a.results
    pid = {v: open(os.path.join(r, "vmm-%s.pid" % v)).read().strip() for v in "ab"}
    truth = {v: load_jsonl(os.path.join(r, "truth-%s.jsonl" % v)) for v in "ab"}
    ids = {int(t["func_id"], 16) for v in "ab" for t in truth[v] if t.get("type") == "call"}
    name = names(a.tool, ids)
    frames = parse(os.path.join(r, "top.txt"))
    c.check([f["number"] for f in frames] == [1, 2, 3], "frames numbered 1, 2, 3: %s" % [f["number"] for f in frames])
    want = [{}, truth_rows([(pid["a"], truth["a"])], name), truth_rows([(pid["b"], truth["b"])], name)]
    # what the header counts: in frame 3, A's calls too
    counted = [{}, want[1], truth_rows([(pid["a"], truth["a"]), (pid["b"], truth["b"])], name)]
    exited = [0, 0, sum(sum(w.values()) for w in want[1].values())]
    c.check(len(want[2]) > 8, "the truth has many rows (%d)" % len(want[2]))
    for i, f in enumerate(frames[:3]):
        got = frame_rows(f)
        label = "frame %d" % f["number"]
        c.check(set(got) == set(want[i]), "%s: rows %s, want %s" % (label, sorted(got), sorted(want[i])))
        for key in sorted(set(got) | set(want[i])):
            g, w = got.get(key, collections.Counter()), want[i].get(key, collections.Counter())
            c.check(g["COUNT"] == sum(w.values()), "%s %s: COUNT %d, want %d" % (label, key, g["COUNT"], sum(w.values())))
            for d in DISPOSITIONS:
                c.check(g[d] == w[d], "%s %s: %s %d, want %d" % (label, key, d, g[d], w[d]))
        calls = sum(sum(w.values()) for w in counted[i].values())
        c.check(f.get("calls") == calls, "%s: header calls %s, want %d" % (label, f.get("calls"), calls))
        c.check((f.get("exited_vmms", 0), f.get("exited_calls", 0)) == (1 if exited[i] else 0, exited[i]),
                "%s: exited VMMs %s with %s calls, want %d with %d" %
                (label, f.get("exited_vmms"), f.get("exited_calls"), 1 if exited[i] else 0, exited[i]))
        by = collections.Counter()
        for w in counted[i].values():
            by.update(w)
        c.check(f.get("by_disposition") == {d: by[d] for d in DISPOSITIONS},
                "%s: header by disposition %s, want %s" % (label, f.get("by_disposition"), dict(by)))
        c.check(f.get("lost") == 0, "%s: lost %s" % (label, f.get("lost")))
        c.check(f.get("state", "").startswith("by pid,vcpu,func; sort count;"), "%s: state line %s" % (label, f.get("state")))
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
