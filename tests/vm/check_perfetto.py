#!/usr/bin/env python3
"""Checks a smccctrace --perfetto file (Chrome Trace Event JSON, docs/perfetto.md).

usage: check_perfetto.py TIMELINE [--trace calls.jsonl] [--truth truth.jsonl]
       [--guest-clock CNTFRQ] [--label NAME]

Structure: every event has a known ph, integer pid/tid, ts in µs (a number with at
most 3 decimals, matching the call's ts_ns); complete slices have dur >= 0; the
slices of one track nest or do not overlap; each process and thread is named by
ph:"M" metadata; every flow start has its end; lost-call instants add up.
With --guest-clock CNTFRQ (a --guest-clock timeline; CNTFRQ from the JSON Lines
summary): otherData says clock guest_counter and that frequency, and each call
slice's ts is its guest_cntvct * 10^9 // CNTFRQ ns (the trace's ts_ns otherwise).
With --trace (the live JSON Lines of the same run): one call slice per call record,
in order per thread, whose args are that record, whose dur is kvm_ns + vmm_ns, and
one nested "VMM round trip" slice of exactly vmm_ns per answered forwarded call.
With --truth (the test VMM's ground truth): one call slice per ground-truth call,
same function per thread in order, and each forwarded call's VMM slice at least as
long as the VMM's own measurement of its delay (vmm_delay_ns) and close to it.
Prints '# NAME: N passed, N failed'; exits 1 on failure."""
import argparse
import json
import re
import sys

from checklib import Checker  # noqa: E402 (tests/vm/checklib.py)

PHASES = {"X", "M", "i", "s", "f"}
TIMES = re.compile(r'"(?:ts|dur)":([^,}]*)')
US = re.compile(r'\d+(\.\d{1,3})?')


def ns(us):
    """µs as written (at most 3 decimals) to integer ns, exactly."""
    return int(round(us * 1000))


def load_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def check_structure(c, doc, raw, label, cntfrq=None):
    events = doc.get("traceEvents")
    if not c.check(isinstance(events, list) and events, "%s: traceEvents is a non-empty array" % label):
        return []
    other = doc.get("otherData", {})
    c.check(other.get("tool") == "smccctrace" and other.get("version") and other.get("kernel_release")
            and other.get("plan"), "%s: otherData names the tool, version, kernel and plan: %r" % (label, other))
    c.check("displayTimeUnit" not in doc,
            "%s: no displayTimeUnit (some importers then read ts as ns, not µs)" % label)
    bad = [e for e in events if e.get("ph") not in PHASES]
    c.check(not bad, "%s: every ph is one of %s: %r" % (label, sorted(PHASES), bad[:2]))
    bad = [e for e in events if not (isinstance(e.get("pid"), int) and isinstance(e.get("tid"), int))]
    c.check(not bad, "%s: every event has integer pid and tid: %r" % (label, bad[:2]))
    bad = [e for e in events if e["ph"] != "M" and not (isinstance(e.get("ts"), (int, float)) and e["ts"] >= 0)]
    c.check(not bad, "%s: every non-metadata event has ts >= 0: %r" % (label, bad[:2]))
    slices = [e for e in events if e["ph"] == "X"]
    bad = [e for e in slices if not (isinstance(e.get("dur"), (int, float)) and e["dur"] >= 0 and e.get("name"))]
    c.check(not bad, "%s: every slice has a name and dur >= 0: %r" % (label, bad[:2]))
    # ts and dur are µs with ns precision: no more than 3 decimals, in the text itself
    written = TIMES.findall(raw)
    bad = [w for w in written if not US.fullmatch(w)]
    c.check(len(written) >= 2 * len(slices) and not bad,
            "%s: every ts/dur is written as µs with at most 3 decimals: %r" % (label, bad[:3]))
    calls = [e for e in slices if e.get("cat") == "call"]
    if cntfrq:
        c.check(other.get("clock") == "guest_counter" and other.get("cntfrq") == cntfrq,
                "%s: otherData: clock guest_counter, cntfrq %d: %r" % (label, cntfrq, other))
        bad = [e for e in calls if ns(e["ts"]) != e["args"]["guest_cntvct"] * 10**9 // cntfrq]
        c.check(calls and not bad, "%s: %d call slices, ts in µs equals guest_cntvct / cntfrq in ns: %r"
                % (label, len(calls), bad[:1]))
    else:
        c.check(other.get("clock") == "trace", "%s: otherData: clock trace: %r" % (label, other))
        bad = [e for e in calls if ns(e["ts"]) != e["args"]["ts_ns"]]
        c.check(calls and not bad, "%s: %d call slices, ts in µs equals args.ts_ns in ns: %r"
                % (label, len(calls), bad[:1]))
    bad = [e for e in calls if ns(e["dur"]) != e["args"]["kvm_ns"] + (e["args"]["vmm_ns"] or 0)]
    c.check(not bad, "%s: call slice dur = kvm_ns + vmm_ns: %r" % (label, bad[:1]))
    return events


def check_nesting(c, events, label):
    tracks = {}
    for e in events:
        if e["ph"] == "X":
            tracks.setdefault((e["pid"], e["tid"]), []).append((ns(e["ts"]), ns(e["ts"]) + ns(e["dur"]), e["name"]))
    bad = []
    for track, sl in tracks.items():
        sl.sort(key=lambda s: (s[0], -s[1]))
        stack = []
        for start, end, name in sl:
            while stack and stack[-1][1] <= start:
                stack.pop()
            if stack and end > stack[-1][1]:
                bad.append((track, stack[-1], (start, end, name)))
            stack.append((start, end, name))
    c.check(not bad, "%s: slices on each of %d tracks nest or do not overlap: %r" % (label, len(tracks), bad[:2]))


def check_metadata(c, events, label):
    names = {}
    for e in events:
        if e["ph"] == "M":
            names[(e["name"], e["pid"], e["tid"] if e["name"] != "process_name" else None)] = e["args"]
    pids = {e["pid"] for e in events if e["ph"] == "X"}
    threads = {(e["pid"], e["tid"]) for e in events if e["ph"] == "X"}
    # a VMM is named by its guest (the "guest" its calls carry), else by its pid
    guest_of = {e["pid"]: e["args"].get("guest") for e in events if e.get("cat") == "call"}

    def process_name(p):
        return "%s (VMM pid %d)" % (guest_of[p], p) if guest_of.get(p) else "VMM pid %d" % p
    got = {p: names.get(("process_name", p, None), {}).get("name") for p in pids}
    c.check(all(got[p] == process_name(p) for p in pids),
            "%s: each of %d VMMs is a process named 'GUEST (VMM pid N)': %r" % (label, len(pids), got))
    vcpu_of = {(e["pid"], e["tid"]): e["args"]["vcpu"] for e in events if e.get("cat") == "call"}
    ok = all(re.fullmatch(r"(VM \d+ )?vCPU %d" % vcpu_of[t],
                          names.get(("thread_name",) + t, {}).get("name", "")) for t in threads)
    c.check(ok, "%s: each of %d vCPU threads is a track named 'vCPU k'" % (label, len(threads)))


def check_flows(c, events, label):
    starts = {e["id"]: e for e in events if e["ph"] == "s"}
    ends = {e["id"]: e for e in events if e["ph"] == "f"}
    c.check(set(starts) == set(ends), "%s: every CPU_ON flow start has an end: %s / %s"
            % (label, sorted(starts), sorted(ends)))
    calls = [e for e in events if e.get("cat") == "call"]

    def enclosing(ev):
        t = ns(ev["ts"])
        return [s for s in calls if (s["pid"], s["tid"]) == (ev["pid"], ev["tid"])
                and ns(s["ts"]) <= t <= ns(s["ts"]) + ns(s["dur"])]
    for fid, s in starts.items():
        src = enclosing(s)
        c.check(len(src) == 1 and src[0]["name"] == "PSCI_CPU_ON",
                "%s: flow %s starts inside a PSCI_CPU_ON slice" % (label, fid))
        if fid in ends:
            dst = enclosing(ends[fid])
            c.check(len(dst) == 1 and ends[fid].get("bp") == "e" and ends[fid]["tid"] != s["tid"],
                    "%s: flow %s ends inside a slice of another vCPU" % (label, fid))
    return len(starts)


def check_against_calls(c, events, trace, label):
    """The timeline holds exactly the calls of the JSON Lines of the same trace."""
    calls = [e for e in events if e.get("cat") == "call"]
    records = [r for r in trace if r.get("type") == "call"]
    c.check(len(calls) == len(records), "%s: %d call slices for %d call records" % (label, len(calls), len(records)))
    by_tid = {}
    for e in calls:
        by_tid.setdefault(e["tid"], []).append(e)
    want = {}
    for r in records:
        want.setdefault(r["tid"], []).append(r)
    same = all([dict(type="call", **e["args"]) for e in by_tid.get(t, [])] == rs for t, rs in want.items())
    c.check(same, "%s: each call slice's args are its JSON Lines record, in order per thread" % label)
    c.check(all(e["name"] == e["args"]["func_label"] for e in calls), "%s: slices are named by function" % label)
    vmm = [e for e in events if e.get("cat") == "vmm"]
    answered = [r for r in records if r["vmm_ns"] is not None]
    c.check(len(vmm) == len(answered) and len(vmm) > 0,
            "%s: %d VMM round-trip slices for %d forwarded calls answered" % (label, len(vmm), len(answered)))
    for v in vmm:
        parent = [e for e in calls if e["tid"] == v["tid"] and ns(e["ts"]) <= ns(v["ts"])
                  and ns(v["ts"]) + ns(v["dur"]) <= ns(e["ts"]) + ns(e["dur"])]
        c.check(len(parent) == 1 and parent[0]["args"]["disposition"] == "forwarded"
                and ns(v["dur"]) == parent[0]["args"]["vmm_ns"] and v["name"] == "VMM round trip",
                "%s: VMM slice at %s lies in its forwarded call and lasts its vmm_ns" % (label, v["ts"]))


def check_against_truth(c, events, truth, label):
    calls = [e for e in events if e.get("cat") == "call"]
    tcalls = [t for t in truth if t.get("type") == "call"]
    c.check(len(calls) == len(tcalls), "%s: %d call slices for %d calls in the ground truth"
            % (label, len(calls), len(tcalls)))
    by_tid = {}
    for e in calls:
        by_tid.setdefault(e["tid"], []).append(e)
    vmm = {(e["tid"], ns(e["ts"])): e for e in events if e.get("cat") == "vmm"}
    excess = []     # each forwarded call's VMM slice minus the VMM's own delay, in ns
    want = {}
    for t in tcalls:
        want.setdefault(t["tid"], []).append(t)
    for tid, ts in want.items():
        got = by_tid.get(tid, [])
        c.check([int(t["func_id"], 16) for t in ts] == [e["args"]["func_id"] for e in got],
                "%s: tid %d: one slice per ground-truth call, same functions in order" % (label, tid))
        for i, (t, e) in enumerate(zip(ts, got)):
            if t["expect"] != "forwarded":
                continue
            v = vmm.get((tid, ns(e["ts"]) + e["args"]["kvm_ns"]))
            delay = t["vmm_delay_ns"]
            # the tracer's window (exit to userspace .. next KVM_RUN) contains the VMM's
            # own (KVM_RUN returned .. next KVM_RUN): never shorter; and it is this
            # call's: it starts where the call's KVM slice ends (the lookup key) and
            # ends before the thread's next trap. How much longer than the VMM's own it
            # is depends on the exit path and scheduling, which a loaded emulated host
            # stretches: not a verdict, only a figure.
            nxt = ns(got[i + 1]["ts"]) if i + 1 < len(got) else None
            c.check(v is not None and delay <= ns(v["dur"]) and
                    (nxt is None or ns(v["ts"]) + ns(v["dur"]) <= nxt),
                    "%s: seq %s: VMM slice %s µs vs the VMM's own %d ns, before the next trap at %s"
                    % (label, t["seq"], v and v["dur"], delay, nxt))
            if v is not None:
                excess.append(ns(v["dur"]) - delay)
    excess.sort()
    median = (excess[(len(excess) - 1) // 2] + excess[len(excess) // 2]) / 2 if excess else None
    c.check(median is not None, "%s: VMM slices timed" % label)
    print("# %s: VMM slices exceed the VMM's own delays by a median %s ns" % (label, median))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("timeline")
    ap.add_argument("--trace")
    ap.add_argument("--truth")
    ap.add_argument("--label", default="perfetto")
    ap.add_argument("--lost", type=int, help="lost calls the instants must add up to")
    ap.add_argument("--guest-clock", type=int, metavar="CNTFRQ", help="a --guest-clock timeline of this frequency")
    args = ap.parse_args()
    c = Checker(args.label)
    try:
        with open(args.timeline) as f:
            raw = f.read()
        doc = json.loads(raw)
    except (OSError, ValueError) as e:
        c.check(False, "%s: %s is JSON: %s" % (args.label, args.timeline, e))
        return c.report()
    events = check_structure(c, doc, raw, args.label, args.guest_clock)
    if events:
        check_nesting(c, events, args.label)
        check_metadata(c, events, args.label)
        flows = check_flows(c, events, args.label)
        print("# %s: %d events, %d CPU_ON flows" % (args.label, len(events), flows))
        if args.lost is not None:
            lost = sum(e["args"]["count"] for e in events if e["ph"] == "i" and e["name"] == "lost calls")
            c.check(lost == args.lost, "%s: lost-call instants add up to %d (got %d)" % (args.label, args.lost, lost))
        if args.trace:
            check_against_calls(c, events, load_lines(args.trace), args.label)
        if args.truth:
            check_against_truth(c, events, load_lines(args.truth), args.label)
            c.check(flows >= 1, "%s: the full scenario's CPU_ON draws a flow arrow" % args.label)
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
