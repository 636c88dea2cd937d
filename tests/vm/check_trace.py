#!/usr/bin/env python3
"""Compares smccctrace's JSON Lines with the test VMM's ground truth, field by field.

usage: check_trace.py RESULTS_DIR [--truth truth.jsonl] [--trace trace.jsonl]
       [--min-vmm-ns-from-truth] [--expect-filter EXPR]

Every call in the truth must appear in the trace exactly once, with equal fields;
the trace must hold nothing else. Calls are matched per vCPU thread, in order. A
protected VM's calls that pKVM's hypervisor answers at EL2 (expect "hyp") never reach
the host: they must not appear at all.
Prints one line per check and '# trace: N passed, N failed'; exits 1 on failure."""
import argparse
import json
import os
import sys

from checklib import Checker, truth_guest  # noqa: E402 (tests/vm/checklib.py)

ISA = {"aarch64": "a64", "aarch32": "a32", "t32": "t32"}


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def hexint(v):
    return int(v, 16) if isinstance(v, str) else v


def expected_fields(t):
    """The trace fields a truth record determines, as (name, value) pairs."""
    return {
        "func_id": hexint(t["func_id"]),
        "args": [hexint(a) for a in t["args"]],
        "conduit": t["conduit"],
        "imm": t["imm"],
        "insn_bits": t["width"],
        "isa": ISA[t["mode"]],
        "pc": hexint(t["pc"]),
        "disposition": t["expect"],
        # reflected: the guest hypervisor answers, after the host's exit handler is
        # done; a host tracer cannot see that answer and must say null
        "ret": None if t["result"] is None or t["expect"] == "reflected" else [hexint(r) for r in t["result"]],
        "vcpu": t["vcpu"],
        "tid": t["tid"],
    }


def actual_fields(e, nargs):
    return {
        "func_id": e["func_id"],
        "args": None if e["args"] is None else [hexint(a) for a in e["args"][:nargs]],
        "conduit": e["conduit"],
        "imm": e["imm"],
        "insn_bits": e["insn_bits"],
        "isa": e["isa"],
        "pc": hexint(e["pc"]),
        "disposition": e["disposition"],
        "ret": None if e["ret"] is None else [hexint(r) for r in e["ret"]],
        "vcpu": e["vcpu"],
        "tid": e["tid"],
    }


def tracepoint_view(exp, t):
    """What the tracepoint-only plan can know of a truth call (docs/kernels.md):
    no args, results, vCPU, guest counter or A32/T32; x0 and imm for HVC only; the disposition
    only when KVM exits to the VMM (forwarded, or a system event)."""
    hvc = t["conduit"] == "hvc"
    exp = dict(exp)
    exp.update(args=None, ret=None, vcpu=None)
    if exp["isa"] != "a64":
        exp["isa"] = None
    if not hvc:
        exp["func_id"] = exp["imm"] = None
    if t["expect"] != "forwarded" and t["result"] is not None:
        exp["disposition"] = None
    unavailable = {"args", "ret", "vcpu", "guest_cntvct"} | ({"isa"} if exp["isa"] is None else set()) \
        | ({"func_id", "imm"} if not hvc else set()) | ({"disposition"} if exp["disposition"] is None else set())
    return exp, unavailable


PLAN = "full"
GUEST_REQUIRED = False


def check_guest_clock(c, t, e, label):
    """The tool's guest_cntvct (the guest's virtual counter at the trap, from KVM's
    offsets and the host counter calibrated against CLOCK_MONOTONIC) lies between the
    guest's own CNTVCT_EL0 readings right before and right after the call, exactly: no
    tolerance (docs/design.md, "The guest's clock"). Under the tracepoint plan it is
    null and listed unavailable. Returns True when the window check passed."""
    if PLAN == "tracepoint":
        c.check(e.get("guest_cntvct", 0) is None and "guest_cntvct" in e.get("unavailable", []),
                "%s: seq %s: guest_cntvct null and unavailable under the tracepoint plan" % (label, t["seq"]))
        return False
    if "cntvct_before" not in t:
        return False	# an AArch32 guest: the test VMM does not read its counter
    g = e.get("guest_cntvct")
    if isinstance(g, str):	# above 2^53: a decimal string
        g = int(g)
    lo, hi = t["cntvct_before"], t.get("cntvct_after")
    ok = isinstance(g, int) and lo <= g and (hi is None or g <= hi)
    return c.check(ok, "%s: seq %s (%s): guest_cntvct %s in the guest's [%d, %s]%s"
                   % (label, t["seq"], t.get("label"), g, lo, hi if hi is not None else "-",
                      "" if ok or not isinstance(g, int) else " (%+d ticks off)" % (g - lo if g < lo else g - hi)))


def compare(c, truth, trace, label, keep=lambda t: True):
    """Matches truth calls (filtered by keep) to trace calls per tid, in order."""
    vmm = [t for t in truth if t.get("type") == "vmm"]
    calls = [t for t in truth if t.get("type") == "call" and keep(t) and t["expect"] != "hyp"]
    at_el2 = [t for t in truth if t.get("type") == "call" and t["expect"] == "hyp"]
    events = [e for e in trace if e.get("type") == "call"]
    if at_el2:
        sites = {(t["tid"], hexint(t["pc"])) for t in at_el2}
        seen = [e for e in events if (e["tid"], hexint(e["pc"])) in sites]
        c.check(not seen, "%s: none of the %d calls pKVM's hypervisor answered at EL2 (%s) is in the trace%s"
                % (label, len(at_el2), ", ".join(sorted({t["label"] for t in at_el2})),
                   ": " + " ".join("%#x" % e["func_id"] for e in seen) if seen else ""))
    pid = vmm[0]["pid"] if vmm else None
    c.check(all(e["pid"] == pid for e in events),
            "%s: every event comes from the traced VMM (pid %s)" % (label, pid))
    # the guest name: QEMU's -name in its command line, else its comm; a VMM gone before
    # the tracer could read /proc has none (unless GUEST_REQUIRED: -g names it at start)
    guest = truth_guest(vmm[0]) if vmm else None
    named = [e for e in events if "guest" in e]
    c.check(all(e["guest"] == guest for e in named) and (named == events or not GUEST_REQUIRED),
            "%s: %d of %d events carry the guest name %r: %r" % (label, len(named), len(events), guest,
                                                                 sorted({e.get("guest") for e in events}, key=str)))
    by_tid = {}
    for e in events:
        by_tid.setdefault(e["tid"], []).append(e)
    want_by_tid = {}
    for t in calls:
        want_by_tid.setdefault(t["tid"], []).append(t)
    c.check(len(events) == len(calls),
            "%s: %d events for %d calls in the ground truth" % (label, len(events), len(calls)))
    fields_ok = clock_ok = 0
    for tid, want in want_by_tid.items():
        got = by_tid.get(tid, [])
        c.check(len(got) == len(want), "%s: tid %d: %d events for %d calls" % (label, tid, len(got), len(want)))
        for t, e in zip(want, got):
            exp, act = expected_fields(t), actual_fields(e, len(t["args"]))
            if PLAN == "tracepoint":
                exp, unavailable = tracepoint_view(exp, t)
                c.check(set(e.get("unavailable", [])) == unavailable,
                        "%s: seq %s: unavailable %s, want %s" % (label, t["seq"], e.get("unavailable"), sorted(unavailable)))
            for k in exp:
                if c.check(exp[k] == act[k], "%s: seq %s (%s) field %s: trace %r, truth %r"
                           % (label, t["seq"], t.get("label"), k, act[k], exp[k])):
                    fields_ok += 1
            if t["expect"] == "forwarded":
                c.check(e["vmm_ns"] is not None and e["vmm_ns"] >= t["vmm_delay_ns"],
                        "%s: seq %s: vmm_ns %s >= the VMM's delay %s" % (label, t["seq"], e["vmm_ns"], t["vmm_delay_ns"]))
            else:
                c.check(e["vmm_ns"] is None, "%s: seq %s: vmm_ns is null unless forwarded" % (label, t["seq"]))
            c.check(isinstance(e["kvm_ns"], int) and e["kvm_ns"] > 0, "%s: seq %s: kvm_ns > 0" % (label, t["seq"]))
            if check_guest_clock(c, t, e, label):
                clock_ok += 1
            if t["expect"] == "reflected" and PLAN != "tracepoint":
                c.check(e.get("unavailable") == ["ret"],
                        "%s: seq %s: reflected: ret listed unavailable (%s)" % (label, t["seq"], e.get("unavailable")))
    for tid in by_tid:
        c.check(tid in want_by_tid, "%s: events of tid %d, which made no call" % (label, tid))
    print("# %s: %d field comparisons equal; guest_cntvct inside the guest's own readings for %d calls"
          % (label, fields_ok, clock_ok))
    with_counter = [t for t in calls if "cntvct_before" in t]
    if PLAN != "tracepoint" and with_counter:
        c.check(clock_ok == len(with_counter), "%s: guest_cntvct checked for each of the %d calls whose guest read "
                "its counter (%d)" % (label, len(with_counter), clock_ok))
    summary = [e for e in trace if e.get("type") == "summary"]
    c.check(len(summary) == 1 and summary[0]["calls"] == len(events) and summary[0]["lost"] == 0,
            "%s: one summary record, counting every event, none lost" % label)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--truth", default="truth.jsonl")
    ap.add_argument("--trace", default="trace.jsonl")
    ap.add_argument("--label", default="trace")
    ap.add_argument("--where", default="True",
                    help="python expression over a truth call t: the calls a filter lets through")
    ap.add_argument("--nargs", type=int, default=7, help="args each event must carry")
    ap.add_argument("--plan", default="full", choices=["full", "tracepoint"],
                    help="compare only what this attach plan can see")
    ap.add_argument("--guest-required", action="store_true", help="every event must carry the guest name")
    args = ap.parse_args()
    global PLAN, GUEST_REQUIRED
    PLAN = args.plan
    GUEST_REQUIRED = args.guest_required
    c = Checker(args.label)
    truth_path = os.path.join(args.results, args.truth)
    trace_path = os.path.join(args.results, args.trace)
    if not c.check(os.path.exists(truth_path) and os.path.exists(trace_path),
                   "%s and %s exist" % (truth_path, trace_path)):
        return c.report()
    truth, trace = load(truth_path), load(trace_path)
    c.check(any(t.get("type") == "call" for t in truth), "the ground truth has calls")
    keep = eval("lambda t: " + args.where)  # noqa: S307 (test-only, our own expressions)
    kept = [t for t in truth if t.get("type") == "call" and keep(t)]
    c.check(len(kept) > 0, "%s: the filter '%s' keeps some calls of the ground truth" % (args.label, args.where))
    c.check(args.where == "True" or len(kept) < sum(t.get("type") == "call" for t in truth),
            "%s: the filter '%s' drops some calls of the ground truth" % (args.label, args.where))
    c.check(all((e["args"] is None) if PLAN == "tracepoint" else len(e["args"]) == args.nargs
                for e in trace if e.get("type") == "call"),
            "%s: every event carries %d args" % (args.label, args.nargs))
    compare(c, truth, trace, args.label, keep)
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
