#!/usr/bin/env python3
"""Checks the tracer against the test VMM's real-VMM patterns (tests/vmm/patterns.c),
call by call and field by field.

usage: check_patterns.py RESULTS_DIR [--label NAME] [--min-vms N] [--self-test]

RESULTS_DIR/PLAN/{truth-PATTERN,trace,intervals}.jsonl for each plan (one stream
tracer and one --summary -i 1 tracer saw every pattern's VMM), and
RESULTS_DIR/churn/{truth-*,trace,trace-kprobe,summary}.jsonl. A call is matched by (pid, tag):
the tag is x1 at the call, unique in its process. Every call of the truth must be in
the trace exactly once, with the same vCPU, thread, function ID, disposition,
results, unanswered and parked flags, and a VMM time that covers what the VMM held
it; each VM of each process its own VM number; the summary's per-(pid, vm) counts
equal the truth's; the interval documents, summed, equal the stream grouped by (pid,
VM, vCPU, function, disposition) with its unanswered and parked calls, and both the
truth. Prints '# NAME: N passed, N failed'; exits 1 on failure."""
import argparse
import glob
import os
import sys

from checklib import Checker, load_jsonl, summary_labels

PATTERNS = ("abandon", "one-thread", "migrate", "thread-exit", "park", "reset", "linger")
PLANS = ("fentry", "kprobe")
# The kernel's window also holds KVM_RUN's own entry (a vCPU run from a new thread
# waits for synchronize_rcu(), tens of ms under TCG) and the preemption of the VMM
# thread on its way out of the kernel (up to 0.9 s measured with four churning VMMs
# and two tracers on the emulated host's 2 CPUs): it may exceed the VMM's hold by that
# much, never fall short of it. The results tell a wrong completion apart anyway.
SLACK_NS = 2_000_000_000


def hexint(v):
    return int(v, 16) if isinstance(v, str) else v


def calls(records):
    return [r for r in records if r.get("type") == "call"]


def check_times(c, what, t, e):
    """The tracer's window [exit to the VMM, re-entry] holds the VMM's own [return
    from KVM_RUN, next KVM_RUN]; an unanswered call's runs on to the VM's end."""
    hold = t["hold_ns"]
    if t.get("at_end"):  # still with the VMM when the tracer stopped: no abandon time
        c.check(e.get("vmm_ns", 0) is None and e.get("abandoned_ns") is None,
                "%s: unanswered at the end: vmm_ns %s, abandoned_ns %s, both null" %
                (what, e.get("vmm_ns", 0), e.get("abandoned_ns")))
    elif t["unanswered"]:
        c.check(e.get("vmm_ns", 0) is None and e.get("abandoned_ns") is not None and e["abandoned_ns"] >= hold,
                "%s: unanswered: vmm_ns null, abandoned_ns %s >= the VMM's %d" % (what, e.get("abandoned_ns"), hold))
    elif t["parked"]:
        p = e.get("parked_ns")
        c.check(e.get("vmm_ns", 0) is None and p is not None and hold <= p <= hold + SLACK_NS,
                "%s: parked: vmm_ns null, parked_ns %s covers the VMM's %d" % (what, p, hold))
    elif t["expect"] == "forwarded":
        v = e.get("vmm_ns")
        c.check(v is not None and hold <= v <= hold + SLACK_NS,
                "%s: vmm_ns %s covers the VMM's hold %d" % (what, v, hold))


def check_calls(c, label, truth, trace):
    """Field by field; returns {(pid, vm_index): set of tracer vm numbers}."""
    by_key = {}
    for e in trace:
        key = (e["pid"], hexint(e["args"][0]) if e.get("args") else None)
        by_key.setdefault(key, []).append(e)
    vms = {}
    for t in truth:
        key = (t["pid"], hexint(t["tag"]))
        what = "%s: pid %d vm_index %d vcpu %d call %s" % (label, t["pid"], t["vm_index"], t["vcpu"], t["tag"])
        found = by_key.pop(key, [])
        if not c.check(len(found) == 1, "%s: traced %d times, expected once" % (what, len(found))):
            continue
        e = found[0]
        want = {"vcpu": t["vcpu"], "tid": t["tid"], "func_id": hexint(t["func_id"]), "disposition": t["expect"],
                "ret": None if t["result"] is None else [hexint(r) for r in t["result"]],
                "unanswered": t["unanswered"], "parked": t["parked"], "vm_index": hexint(e["args"][1]),
                "vcpu_reinit": t["vcpu_reinit"]}
        got = {"vcpu": e["vcpu"], "tid": e["tid"], "func_id": e["func_id"], "disposition": e["disposition"],
               "ret": None if e["ret"] is None else [hexint(r) for r in e["ret"]],
               "unanswered": e.get("unanswered", False), "parked": e.get("parked", False),
               "vm_index": t["vm_index"], "vcpu_reinit": e.get("vcpu_reinit", False)}
        for f in want:
            c.check(want[f] == got[f], "%s: %s is %r, expected %r" % (what, f, got[f], want[f]))
        check_times(c, what, t, e)
        vms.setdefault((t["pid"], t["vm_index"]), set()).add(e["vm"])
    c.check(not by_key, "%s: %d calls traced that the truth does not have" % (label, sum(map(len, by_key.values()))))
    return vms


def check_vm_numbers(c, label, vms):
    """One number per VM, never shared with another VM, whatever address KVM reused."""
    owner = {}
    for key, numbers in sorted(vms.items()):
        c.check(len(numbers) == 1, "%s: VM %r got %d numbers %s" % (label, key, len(numbers), sorted(numbers)))
        for n in numbers:
            c.check(owner.setdefault(n, key) == key,
                    "%s: vm %d given to both %r and %r" % (label, n, owner[n], key))
    return {key: min(n) for key, n in vms.items()}


def check_summary_record(c, label, records, ncalls):
    s = [r for r in records if r.get("type") == "summary"]
    if c.check(len(s) == 1, "%s: one summary record" % label):
        c.check(s[0]["calls"] == ncalls and s[0]["lost"] == 0,
                "%s: summary counts %d calls, %d lost; the truth has %d" % (label, s[0]["calls"], s[0]["lost"], ncalls))
        c.check(sum(s[0].get("lost_by_cause", {}).values()) == s[0]["lost"], "%s: lost_by_cause adds up" % label)


def check_plan(c, d, label):
    """The four patterns' VMMs, one after another under one tracer."""
    truth = []
    for pattern in PATTERNS:
        path = os.path.join(d, "truth-%s.jsonl" % pattern)
        if not c.check(os.path.exists(path), "%s: %s ran" % (label, pattern)):
            continue
        t = load_jsonl(path)
        end = [r for r in t if r.get("type") == "end"]
        c.check(end and end[0]["exit"] == "done", "%s: the VMM ran %s to the end" % (label, pattern))
        c.check(len(calls(t)) > 0, "%s: %s has calls" % (label, pattern))
        truth += calls(t)
    trace = load_jsonl(os.path.join(d, "trace.jsonl"))
    check_vm_numbers(c, label, check_calls(c, label, truth, calls(trace)))
    check_summary_record(c, label, trace, len(truth))
    check_intervals(c, d, label, truth, calls(trace))
    check_psci(c, d, label, truth)
    nofwd = os.path.join(d, "nofwd.jsonl")
    if os.path.basename(d) == PLANS[0] and c.check(os.path.exists(nofwd), "%s: the --disposition tracer ran" % label):
        check_no_forwarded(c, label + " --disposition kvm,denied,refused", truth, load_jsonl(nofwd))


def check_no_forwarded(c, label, truth, records):
    """A tracer that filters forwarded calls out: exactly the others, field by field, and
    none of the calls still with the VMM when it stopped (linger's)."""
    got = calls(records)
    c.check(not [e for e in got if e["disposition"] == "forwarded"],
            "%s: no forwarded call came out (%d did)" % (label, sum(e["disposition"] == "forwarded" for e in got)))
    c.check(any(t["expect"] == "forwarded" and t["unanswered"] for t in truth),
            "%s: the truth has forwarded calls still held at the stop" % label)
    check_calls(c, label, [t for t in truth if t["expect"] != "forwarded"], got)


def vm_ranks(pairs):
    """{(pid, vm): its rank among its process's VMs}. Each tracer numbers VMs on its own;
    the patterns' VMMs run their VMs one after another, so within a process the order
    of first sight is the VMs' order, whatever the numbers."""
    by_pid = {}
    for pid, vm in pairs:
        by_pid.setdefault(pid, set()).add(vm)
    return {(pid, vm): i for pid, vms in by_pid.items() for i, vm in enumerate(sorted(vms))}


def tally(rows):
    """rows: (key, count, unanswered, parked) -> {key: [count, unanswered, parked]}"""
    out = {}
    for key, n, unanswered, parked in rows:
        t = out.setdefault(key, [0, 0, 0])
        t[0] += n
        t[1] += unanswered
        t[2] += parked
    return out


def check_intervals(c, d, label, truth, trace):
    """The --summary -i 1 tracer that ran beside the stream: its intervals follow one
    another and lose nothing; summed over them, each (pid, VM, vCPU, function,
    disposition) group's count, unanswered and parked equal the stream's calls grouped
    the same way, and the truth's (functions as --summary labels them)."""
    path = os.path.join(d, "intervals.jsonl")
    if not c.check(os.path.exists(path), "%s: the interval tracer ran" % label):
        return
    docs = [r for r in load_jsonl(path) if r.get("type") == "interval"]
    c.check(len(docs) >= 2 and [r["interval"] for r in docs] == list(range(1, len(docs) + 1)) and
            docs[-1]["final"] and not any(r["final"] for r in docs[:-1]),
            "%s: intervals 1..%d, the last final (several: they add up)" % (label, len(docs)))
    c.check(all(a["end_ns"] == b["start_ns"] for a, b in zip(docs, docs[1:])),
            "%s: each interval starts where the previous ended" % label)
    c.check(all(r["lost"] == 0 for r in docs), "%s: the intervals lost nothing" % label)
    for r in docs:
        c.check(r["calls"] == sum(g["count"] for g in r["groups"]),
                "%s: interval %d: calls %d, its groups' sum" % (label, r["interval"], r["calls"]))
    labels = summary_labels([e["func_id"] for e in trace] + [hexint(t["func_id"]) for t in truth])
    groups = [g for r in docs for g in r["groups"]]
    rank = vm_ranks((g["pid"], g["vm"]) for g in groups)
    got = tally(((g["pid"], rank[(g["pid"], g["vm"])], g["vcpu"], g["func_label"], g["disposition"]),
                 g["count"], g["unanswered"], g["parked"]) for g in groups)
    rank = vm_ranks((e["pid"], e["vm"]) for e in trace)
    stream = tally(((e["pid"], rank[(e["pid"], e["vm"])], e["vcpu"], labels[e["func_id"]], e["disposition"]),
                    1, int(e.get("unanswered", False)), int(e.get("parked", False))) for e in trace)
    rank = vm_ranks((t["pid"], t["vm_index"]) for t in truth)
    want = tally(((t["pid"], rank[(t["pid"], t["vm_index"])], t["vcpu"], labels[hexint(t["func_id"])],
                   t["expect"]), 1, int(t["unanswered"]), int(t["parked"])) for t in truth)
    kinds = {k[4] for k in want}
    c.check(kinds >= {"kvm", "denied", "forwarded"}, "%s: the mix has kvm, denied and forwarded calls (%s)" %
            (label, sorted(kinds)))
    for name, counted in (("the stream", stream), ("the truth", want)):
        for k in sorted(set(got) | set(counted), key=repr):
            c.check(got.get(k) == counted.get(k),
                    "%s: (pid, vm, vcpu, func, disposition) %r: intervals [count, unanswered, parked] %s, %s %s" %
                    (label, k, got.get(k), name, counted.get(k)))
    total = [sum(v[i] for v in want.values()) for i in range(3)]
    at_end = sum(1 for t in truth if t.get("at_end"))
    c.check(total[2] > 0 and at_end > 0 and total[1] > at_end,
            "%s: the mix has calls parked (%d), unanswered at a VM's free (%d) and at the end (%d)" %
            (label, total[2], total[1] - at_end, at_end))


def check_psci(c, d, label, truth):
    """The PSCI view of the same trace (report --psci of its record file): one boot per
    VM, but for the reset VMM, whose every VMM reset (no PSCI call) starts a new one;
    per VMM, the unanswered and parked calls of its vCPUs' rows and boots are the
    truth's."""
    path = os.path.join(d, "psci.jsonl")
    if not c.check(os.path.exists(path), "%s: the PSCI view of the recording" % label):
        return
    flow = load_jsonl(path)
    pattern_of = {t["pid"]: t["pattern"] for t in truth}
    for pid in sorted(pattern_of):
        mine = [t for t in truth if t["pid"] == pid]
        boots = [r for r in flow if r.get("type") == "psci_boot" and r["pid"] == pid]
        what = "%s: %s (pid %d)" % (label, pattern_of[pid], pid)
        if pattern_of[pid] == "reset":
            nboots = 1 + sum(1 for t in mine if t["vcpu_reinit"] and t["vcpu"] == 0)
            want = [("first_call", "vmm_reset")] + [("vmm_reset", "vmm_reset")] * (nboots - 2) + [("vmm_reset", None)]
            got = [(b["started_by"], b["ended_by"]) for b in boots]
            c.check(nboots >= 2 and got == want, "%s: %d boots, each VMM reset starts one: %s (want %s)" %
                    (what, len(boots), got, want))
            c.check([b["calls"] for b in boots] == [4] * nboots, "%s: 4 calls a boot (%s)" % (
                what, [b["calls"] for b in boots]))
        else:
            nvms = len({t["vm_index"] for t in mine})
            c.check(len(boots) == nvms and all(b["started_by"] == "first_call" and b["ended_by"] is None
                                               for b in boots),
                    "%s: one boot per VM (%d VMs, %d boots), no false reset" % (what, nvms, len(boots)))
        for key in ("unanswered", "parked"):
            want = sum(1 for t in mine if t[key])
            rows = sum(r[key] for r in flow if r.get("type") == "psci_vcpu" and r["pid"] == pid)
            per_boot = sum(b[key] for b in boots)
            c.check(rows == want and per_boot == want, "%s: %s calls: vCPU rows %d, boots %d, truth %d" %
                    (what, key, rows, per_boot, want))


def check_churn(c, d, label, min_vms):
    truth = []
    for path in sorted(glob.glob(os.path.join(d, "truth-*.jsonl"))):
        t = load_jsonl(path)
        end = [r for r in t if r.get("type") == "end"]
        c.check(end and end[0]["exit"] == "done", "%s: %s ran to the end" % (label, os.path.basename(path)))
        truth += calls(t)
    nvms = len({(t["pid"], t["vm_index"]) for t in truth})
    c.check(nvms >= min_vms, "%s: %d VMs created and destroyed (at least %d)" % (label, nvms, min_vms))
    # the stream tracer of each plan (trace.jsonl: fentry, trace-kprobe.jsonl), at once
    for plan, name in (("fentry", "trace.jsonl"), ("kprobe", "trace-kprobe.jsonl")):
        path = os.path.join(d, name)
        if not c.check(os.path.exists(path), "%s: the %s stream tracer ran" % (label, plan)):
            continue
        trace = load_jsonl(path)
        check_vm_numbers(c, "%s %s" % (label, plan), check_calls(c, "%s %s" % (label, plan), truth, calls(trace)))
        check_summary_record(c, "%s %s" % (label, plan), trace, len(truth))
    # --summary --by pid,vm at the same time. Its tracer numbers VMs on its own (in
    # the order it first sees them, which may differ from the stream tracer's when two
    # VMs start at once), so per VMM: one group per VM, each with that VM's calls. Two
    # VMs under one number show as one group of twice the calls.
    want, got = {}, {}
    for (pid, _), n in sorted(count_by(truth, lambda t: (t["pid"], t["vm_index"])).items()):
        want.setdefault(pid, []).append(n)
    for doc in load_jsonl(os.path.join(d, "summary.jsonl")):
        if doc.get("type") != "interval":
            continue
        c.check(doc["lost"] == 0, "%s: summary interval %d lost nothing" % (label, doc["interval"]))
        for g in doc["groups"]:
            got.setdefault(g["pid"], {}).setdefault(g["vm"], 0)
            got[g["pid"]][g["vm"]] += g["count"]
            c.check(g["unanswered"] == 0 and g["parked"] == 0, "%s: no unanswered or parked call" % label)
    for pid in sorted(set(want) | set(got)):
        w, g = sorted(want.get(pid, [])), sorted(got.get(pid, {}).values())
        c.check(w == g, "%s: pid %d: --summary --by pid,vm has %d VMs (%d calls), the truth %d VMs (%d calls)" %
                (label, pid, len(g), sum(g), len(w), sum(w)))


def count_by(items, key):
    n = {}
    for i in items:
        n[key(i)] = n.get(key(i), 0) + 1
    return n


def run(results, label, min_vms, quiet=False):
    c = Checker(label, quiet)
    plans = sorted(p for p in os.listdir(results) if p in PLANS)
    c.check(len(plans) == len(PLANS), "%s: the plans %s ran the patterns (%s did)" % (label, PLANS, plans))
    for plan in plans:
        check_plan(c, os.path.join(results, plan), "%s %s" % (label, plan))
    check_churn(c, os.path.join(results, "churn"), label + " churn", min_vms)
    return c


def self_test(results, label):
    """Each break of one pattern's trace must be caught."""
    import json
    import shutil
    import tempfile
    c = Checker(label + "-self-test")
    plan = PLANS[0]

    def broken(pattern, mutate):
        tmp = tempfile.mkdtemp()
        try:
            shutil.copytree(results, os.path.join(tmp, "r"))
            path = os.path.join(tmp, "r", plan, "trace.jsonl")
            if pattern == "churn":
                path = os.path.join(tmp, "r", "churn", "summary.jsonl")
            elif pattern == "intervals":
                path = os.path.join(tmp, "r", plan, "intervals.jsonl")
            elif pattern == "nofwd":
                path = os.path.join(tmp, "r", plan, "nofwd.jsonl")
            recs = load_jsonl(path)
            mutate(recs)
            with open(path, "w") as f:
                f.writelines(json.dumps(r) + "\n" for r in recs)
            return run(os.path.join(tmp, "r"), "probe", 0, quiet=True).failed > 0
        finally:
            shutil.rmtree(tmp)

    def first(recs, cond):
        return next(r for r in recs if r.get("type") == "call" and cond(r))

    def answered_by_next_vm(recs):  # the old bug: the new VM's entry completes the call
        r = first(recs, lambda r: r.get("unanswered"))
        r.pop("unanswered")
        r.pop("abandoned_ns")
        r["vmm_ns"], r["ret"] = 40_000_000, ["0x0"] * 4

    def same_vm_number(recs):  # nVHE address reuse numbered by address
        for r in recs:
            if r.get("type") == "call":
                r["vm"] = 1

    def wrong_vcpu_answer(recs):  # another vCPU's registers as results
        r = first(recs, lambda r: r["vcpu"] == 0 and r.get("ret"))
        r["ret"] = first(recs, lambda r: r["vcpu"] == 1 and r.get("ret"))["ret"]

    def short_vmm(recs):
        r = first(recs, lambda r: r.get("vmm_ns"))
        r["vmm_ns"] = 1000

    def parked_as_round_trip(recs):
        r = first(recs, lambda r: r.get("parked"))
        r.pop("parked")
        r["vmm_ns"] = r.pop("parked_ns")
        r["ret"] = ["0x5ec0000000c0ffee", "0x0", "0x0", "0x0"]

    def dropped(recs):
        recs.remove(first(recs, lambda r: True))

    def reinit_missed(recs):  # a VMM reset the tracer did not see
        first(recs, lambda r: r.get("vcpu_reinit")).pop("vcpu_reinit")

    def summary_merges_two_vms(recs):  # numbered by address, reused at once
        groups = [g for r in recs if r.get("type") == "interval" for g in r["groups"]]
        a = groups[0]
        b = next(g for g in groups[1:] if g["pid"] == a["pid"])
        b["vm"] = a["vm"]

    def interval_groups(recs, cond):
        return [g for r in recs if r.get("type") == "interval" for g in r["groups"] if cond(g)]

    def interval_drops_unanswered(recs):  # the old bug: forwarded calls that end unanswered left out
        g = interval_groups(recs, lambda g: g["unanswered"])[-1]
        g["count"] -= 1
        g["unanswered"] -= 1
        next(r for r in recs if r.get("type") == "interval" and g in r["groups"])["calls"] -= 1

    def interval_parked_as_answered(recs):  # counted, but not as parked
        interval_groups(recs, lambda g: g["parked"])[0]["parked"] -= 1

    def interval_counted_twice(recs):  # a call in two intervals at a boundary
        docs = [r for r in recs if r.get("type") == "interval"]
        g = dict(docs[0]["groups"][0])
        docs[1]["groups"].append(g)
        docs[1]["calls"] += g["count"]

    def stream_loses_trace_end(recs):  # the tracer's end forgets calls still with the VMM
        for r in [r for r in recs if r.get("type") == "call" and r.get("unanswered") and "abandoned_ns" not in r]:
            recs.remove(r)

    def filter_lets_held_call_out(recs):  # the old bug: the end's drain ignored --disposition
        r = dict(first(recs, lambda r: True), disposition="forwarded", unanswered=True, ret=None)
        recs.insert(recs.index(first(recs, lambda r: True)) + 1, r)

    for pattern, mutate in (("intervals", interval_drops_unanswered), ("intervals", interval_parked_as_answered),
                            ("intervals", interval_counted_twice), ("linger", stream_loses_trace_end),
                            ("abandon", answered_by_next_vm), ("abandon", same_vm_number),
                            ("one-thread", wrong_vcpu_answer), ("one-thread", short_vmm),
                            ("park", parked_as_round_trip), ("migrate", dropped), ("reset", reinit_missed),
                            ("churn", summary_merges_two_vms), ("nofwd", filter_lets_held_call_out)):
        c.check(broken(pattern, mutate), "%s: %s is caught" % (pattern, mutate.__name__))
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--label", default="patterns")
    ap.add_argument("--min-vms", type=int, default=2000)
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    rc = run(a.results, a.label, a.min_vms).report()
    if a.self_test:
        rc |= self_test(a.results, a.label).report()
    return rc


if __name__ == "__main__":
    sys.exit(main())
