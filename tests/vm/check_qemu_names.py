#!/usr/bin/env python3
"""Checks the guest's name in every output of the qemu-guest scenario.

usage: check_qemu_names.py RESULTS_DIR

QEMU ran with `-name guest=NAME,debug-threads=on` (RESULTS_DIR/guest-name says NAME,
qemu.pid its pid), and both tracers selected it with `-g NAME --wait`, started before
QEMU was. What is known without the tool: QEMU's pid and the name on its command
line. The checks:
  - -g: each tracer said it waited for the name, then that it traces QEMU's pid and
    no other; every call in the live JSON is QEMU's (check_qemu.py holds the calls
    against the guest's own account: all of them seen); a decoy VMM named NAME2 (the
    test VMM, running beside QEMU) made its calls and none is in the trace;
  - the name in: every live JSON call record (`guest`), every record of the live PSCI
    view and of `report --psci` that has a pid, the PSCI text view's block header,
    the live Perfetto timeline's process name ("NAME (VMM pid N)") and each call
    slice's args, `report --summary --by guest,func --json` (one guest, the same count
    per function as the live JSON), the summary text's GUEST row, the text trace's
    GUEST column (`report`), and the symbolized reports of each boot.
Prints one line per failed check and '# qemu-names: N passed, N failed'; exits 1 on
failure."""
import collections
import json
import os
import re
import sys

from checklib import Checker, load_jsonl  # noqa: E402 (tests/vm/checklib.py)
from checklib import load_jsonl_or_report as load, read_or_empty as read  # noqa: E402


def check_selection(c, res, name, pid):
    """-g NAME --wait: waited, then found exactly QEMU"""
    for tracer in ("trace", "psci"):
        err = read(os.path.join(res, tracer + ".err"))
        c.check("warning: -g %s: no process has that name yet; waiting for one" % name in err,
                "%s: -g %s --wait started before QEMU: it said it was waiting" % (tracer, name))
        found = re.findall(r"^smccctrace: -g (.*): tracing pid (\d+)$", err, re.M)
        c.check(found == [(name, str(pid))], "%s: -g %s selected exactly QEMU's pid %d (%s)" % (
            tracer, name, pid, found))


def check_records(c, res, name, pid, calls):
    c.check(calls and all(r.get("guest") == name for r in calls),
            "live JSON: every one of the %d call records names the guest %r (%s)" % (
                len(calls), name, sorted({str(r.get("guest")) for r in calls})))
    c.check({r["pid"] for r in calls} == {pid}, "live JSON: every call is QEMU's (pid %d)" % pid)
    # the decoy VMM (guest name NAME2) made its calls while the tracers ran: none taken
    decoy = int(read(os.path.join(res, "decoy.pid")) or 0)
    try:
        decoy_calls = [t for t in load_jsonl(os.path.join(res, "decoy-truth.jsonl")) if t.get("type") == "call"]
    except (OSError, ValueError):
        decoy_calls = []
    c.check(read(os.path.join(res, "decoy.rc")).strip() == "0" and decoy and len(decoy_calls) > 10 and
            not any(r["pid"] == decoy for r in calls),
            "the decoy VMM %d (guest %s2) made %d calls while traced for, none in the trace" % (
                decoy, name, len(decoy_calls)))
    for f in ("psci.jsonl", "report-psci.jsonl"):
        recs = [r for r in load(os.path.join(res, f)) if "pid" in r]
        c.check(len(recs) > 2 and all(r.get("guest") == name and r["pid"] == pid for r in recs),
                "%s: every one of the %d records with QEMU's pid names the guest" % (f, len(recs)))
    # (the short plan sends no kallsyms: no symbolized reports)
    for boot in (1, 2) if read(os.path.join(res, "plan")).strip() == "full" else ():
        sym = [r for r in load(os.path.join(res, "report-sym-%d.jsonl" % boot)) if r.get("type") == "call"]
        c.check(len(sym) == len(calls) and all(r.get("guest") == name for r in sym),
                "report --guest-kallsyms (boot %d): every one of the %d calls names the guest" % (boot, len(sym)))
    # the text trace: a GUEST column between the time and the PID, the name on every call's line
    lines = read(os.path.join(res, "report.txt")).splitlines()
    rows = [line.split() for line in lines if re.match(r"\d+\.\d{6} ", line)]
    c.check(lines and lines[0].split()[:3] == ["TIME(s)", "GUEST", "PID"] and len(rows) == len(calls) and
            all(r[1:3] == [name, str(pid)] for r in rows),
            "report (text): a GUEST column, and each of the %d call lines (of %d calls) names the guest and QEMU's "
            "pid (%s)" % (len(rows), len(calls), sorted({tuple(r[1:3]) for r in rows})[:3]))
    text = read(os.path.join(res, "report-psci.txt"))
    c.check(re.search(r"^=== guest %s, pid %d, VM \d+: \d+ vCPUs$" % (re.escape(name), pid), text, re.M),
            "the PSCI text view's block header names the guest and QEMU's pid")


def check_perfetto(c, res, name, pid, calls):
    try:
        with open(os.path.join(res, "trace.perfetto.json")) as f:
            events = json.load(f).get("traceEvents", [])
    except (OSError, ValueError) as e:
        events = []
        print("# trace.perfetto.json: %s" % e)
    procs = [e["args"].get("name") for e in events if e.get("ph") == "M" and e.get("name") == "process_name"]
    want = "%s (VMM pid %d)" % (name, pid)
    c.check(procs == [want], "Perfetto: the one process is named %r (%s)" % (want, procs))
    slices = [e for e in events if e.get("cat") == "call"]
    c.check(len(slices) == len(calls) and all(e["pid"] == pid and e["args"].get("guest") == name for e in slices),
            "Perfetto: each of the %d call slices (of %d calls) is in QEMU's process and names the guest" % (
                len(slices), len(calls)))


def check_summary(c, res, name, calls):
    try:
        with open(os.path.join(res, "by-guest.json")) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        doc = {}
        print("# by-guest.json: %s" % e)
    groups = doc.get("groups", [])
    # (an unknown function ID is folded into its service's group)
    got = collections.Counter()
    for g in groups:
        got["(unknown)" if g.get("folded") else g.get("func_label")] += g.get("count", 0)
    want = collections.Counter(r["func"] or "(unknown)" for r in calls)
    c.check(groups and {g.get("guest") for g in groups} == {name} and got == want,
            "report --summary --by guest,func: one guest %r, its calls per function those of the live JSON "
            "(%d groups, %d calls; live %d)" % (name, len(groups), sum(got.values()), len(calls)))
    lines = read(os.path.join(res, "by-guest.txt")).splitlines()
    head = [i for i, line in enumerate(lines) if line.split()[:1] == ["GUEST"]]
    rows = [line.split() for line in lines[head[-1] + 1:] if line.strip()] if head else []
    c.check(rows and rows[0][:2] == [name, str(len(calls))],
            "report --summary --by guest (text): a GUEST column, the guest's row with every call (%s)" % (
                rows[:1]))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    res = sys.argv[1]
    c = Checker("qemu-names")
    name = read(os.path.join(res, "guest-name")).strip()
    pid = int(read(os.path.join(res, "qemu.pid")) or 0)
    c.check(name and pid, "the scenario named QEMU's guest (%r) and pid (%d)" % (name, pid))
    for run in ("report-calls", "by-guest", "by-guest-text"):
        rc = read(os.path.join(res, run + ".rc")).strip()
        c.check(rc == "0", "%s exited %s" % (run, rc or "(nothing)"))
    calls = [r for r in load(os.path.join(res, "trace.jsonl")) if r.get("type") == "call"]
    check_selection(c, res, name, pid)
    check_records(c, res, name, pid, calls)
    check_perfetto(c, res, name, pid, calls)
    check_summary(c, res, name, calls)
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
