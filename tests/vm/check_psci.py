#!/usr/bin/env python3
"""Checks `smccctrace psci --json` against the test VMM's ground truth (hotplug scenario).

usage: check_psci.py RESULTS_DIR [--self-test]

RESULTS_DIR is what tests/vm/scenarios/psci-hotplug.sh left: truth.jsonl (the VMM's
calls and its {"type":"psci"} facts: what it did with each CPU_ON, CPU_OFF and
AFFINITY_INFO, and when each started vCPU made its first call), psci.jsonl (the live
flow), report-psci.jsonl (the same recording rendered offline) and psci-args (the
thresholds the tool was given).

The expected flow is built from the VMM's facts alone, following the flow view's
definitions (docs/psci-walkthrough.md): the power-state timeline of every vCPU, the
anomalies (kind, vCPU, target, result, counts), the AFFINITY_INFO polls, the PSCI
calls the VMM answered, each vCPU's final state and counts, and the boots: one, from
the first call to SYSTEM_OFF, although the VMM starts a parked vCPU QEMU's way once
(KVM_ARM_VCPU_INIT before its entry point: a hotplug online, not a VMM reset; the
CPU_OFF it ends is parked, the offline and online both ok). Times are compared
only where the scenario puts them far from the thresholds, and the checker says so
when a run lands too close to decide.

Prints one line per failed check and '# psci: N passed, N failed'; exits 1 on any
failure. --self-test also feeds the checker broken copies of the tool's output and
requires each one to be caught. Python 3 standard library only."""
import copy
import os
import sys

from checklib import Checker, load_jsonl as load  # noqa: E402 (tests/vm/checklib.py)

MS = 1000000
PSCI_FIDS = {0x84000002: "PSCI_CPU_OFF", 0x84000003: "PSCI_CPU_ON", 0xC4000003: "PSCI_CPU_ON",
             0x84000004: "PSCI_AFFINITY_INFO", 0xC4000004: "PSCI_AFFINITY_INFO"}
SYSTEM_OFF = 0x84000008
# how much later than the VMM the tool may see a bring-up end: the VMM's threads
# taking that long to be scheduled on a loaded emulated host. At least 100 ms; more
# when this run's own forwarded calls show longer scheduling delays (sched_slack()).
SCHED_SLACK_NS = 100 * MS


def sched_slack(truth, calls):
    """Twice the longest scheduling delay this run measured: for each forwarded call,
    how much longer the tool's VMM round trip (exit to re-entry) was than the time the
    VMM itself held it. That is the same two windows (back to userspace, back into
    KVM_RUN) a bring-up's two ends pay. Calls pair up per vCPU in order."""
    want, got = {}, {}
    for t in truth:
        if t.get("type") == "call":
            want.setdefault(t["vcpu"], []).append(t)
    for e in calls:
        if e.get("type") == "call":
            got.setdefault(e["vcpu"], []).append(e)
    worst = 0
    for v, ts in want.items():
        for t, e in zip(sorted(ts, key=lambda x: x["seq"]), got.get(v, [])):
            if t["expect"] == "forwarded" and e.get("disposition") == "forwarded" and \
                    e.get("vmm_ns") is not None and t.get("vmm_delay_ns") is not None:
                worst = max(worst, e["vmm_ns"] - t["vmm_delay_ns"])
    return max(SCHED_SLACK_NS, 2 * worst)


def hexint(v):
    return None if v is None else int(v, 16) if isinstance(v, str) else v


def thresholds(text):
    """--on-timeout 100 --poll-limit 10 ... -> {"on_timeout_ns": ..., ...}"""
    words = text.split()
    opts = dict(zip(words[0::2], words[1::2]))
    return {"on_timeout_ns": float(opts["--on-timeout"]) * MS, "poll_limit": int(opts["--poll-limit"]),
            "poll_time_ns": float(opts["--poll-time"]) * MS, "slow_vmm_ns": float(opts["--slow-vmm"]) * MS}


slack_ns = SCHED_SLACK_NS     # main() sets it from the run (sched_slack)


def same_bringup(tool_ns, vmm_ns):
    """The tool times a bring-up from the CPU_ON's trap to the target's first trap; the
    VMM from the CPU_ON exit it handles to the target's first marker exit it handles.
    The target traps after that marker, and the CPU_ON traps before its exit, so the
    tool's time is never shorter; it is longer by the time the VMM's threads took to
    see those exits (scheduling, under emulation: tens of ms, more on a loaded host)."""
    return tool_ns is not None and vmm_ns - 1 * MS <= tool_ns <= vmm_ns + slack_ns


def far_from(value, limit, low=0.5, high=2.0):
    """The scenario keeps its times far from the thresholds; a run that lands close is
    not a verdict either way."""
    return value < limit * low or value > limit * high


class Expected:
    """The flow the VMM's facts imply."""

    def __init__(self, truth, thr, c):
        self.thr, self.c = thr, c
        calls = {r["seq"]: r for r in truth if r["type"] == "call"}
        facts = {}
        for r in truth:
            if r["type"] == "psci":
                facts.setdefault(r["seq"], []).append(r)
        self.calls = calls
        self.transitions = {}       # vcpu -> [dict]
        self.anomalies = []
        self.polls = []
        self.forwarded = []
        self.ops = []               # (op, target vCPU, succeeded): one per CPU_ON and CPU_OFF
        self.reinit_ops = []        # (vCPU, [its nth op...]): a CPU_OFF and the re-initialising CPU_ON
        self.cpu_on_ok, self.cpu_on_failed, self.ncalls = {}, {}, {}
        state, on_by, zombie, open_poll = {}, {}, {}, {}
        first_call = {}

        def move(v, to, cause, **extra):
            frm = state.get(v, "unknown")
            self.transitions.setdefault(v, []).append(dict(frm=frm, to=to, cause=cause, **extra))
            state[v] = to

        def close_poll(v):
            p = open_poll.pop(v, None)
            if p:
                self.polls.append(p)
                if p["count"] > thr["poll_limit"]:
                    self.anomalies.append({"anomaly": "affinity_poll", "vcpu": v, "target_vcpu": p["target_vcpu"],
                                           "polls": p["count"]})

        for seq in sorted(calls):
            call, fs = calls[seq], facts.get(seq, [])
            v = call["vcpu"]
            kinds = {f["event"]: f for f in fs}
            self.ncalls[v] = self.ncalls.get(v, 0) + 1
            # what the call says about its caller
            s = state.get(v, "unknown")
            if s == "unknown":
                move(v, "on", "first_call")
            elif s == "on_pending":
                fc = kinds.get("first_call")
                c.check(fc is not None, "truth: vCPU %d's first call after its CPU_ON (seq %d) has its fact" % (v, seq))
                move(v, "on", "running", by_vcpu=on_by[v])
                if fc:
                    first_call[v] = fc
                    self.transitions[v][-1]["since_ns"] = fc["since_cpu_on_ns"]
                    self._timeout(v, on_by[v], fc["since_cpu_on_ns"])
            elif s == "off" and v in zombie:
                zombie[v]["calls"] += 1
            # what the VMM did with it
            fid = hexint(call["func_id"])
            if call["expect"] == "forwarded" and fid in PSCI_FIDS:
                off = kinds.get("cpu_off")
                self.forwarded.append({"seq": seq, "vcpu": v, "func_id": fid,
                                       "ret": None if call["result"] is None else hexint(call["result"][0]),
                                       "parked": bool(off and off["parked"]),
                                       "vmm_delay_ns": call.get("vmm_delay_ns")})
                if call["result"] is not None and "vmm_delay_ns" in call:
                    delay = call["vmm_delay_ns"]
                    if not c.check(far_from(delay, thr["slow_vmm_ns"], 0.7, 1.5),
                                   "inconclusive: the VMM held seq %d %.1f ms, too close to --slow-vmm %.1f ms" % (
                                       seq, delay / MS, thr["slow_vmm_ns"] / MS)):
                        pass
                    elif delay > thr["slow_vmm_ns"]:
                        self.anomalies.append({"anomaly": "slow_vmm", "vcpu": v, "func": PSCI_FIDS[fid]})
            if "cpu_on" in kinds:
                f = kinds["cpu_on"]
                t = f["target_vcpu"]
                self.ops.append(("cpu_on", t, f["result"] == "SUCCESS"))
                if f["result"] == "SUCCESS":
                    if f.get("reinit") and state.get(t) == "off":
                        # QEMU's way: the CPU_OFF before it and this CPU_ON (its target's ops)
                        mine = [i for i, o in enumerate(self.ops) if o[1] == t]
                        self.reinit_ops.append((t, [len(mine) - 2, len(mine) - 1]))
                    if state.get(t, "unknown") == "unknown":
                        state[t] = "off"
                    move(t, "on_pending", "cpu_on", by_vcpu=v, mpidr=hexint(f["target_mpidr"]),
                         entry=hexint(f["entry"]), context_id=hexint(f["context_id"]))
                    on_by[t] = v
                    zombie.pop(t, None)
                    self.cpu_on_ok[t] = self.cpu_on_ok.get(t, 0) + 1
                    # a parked CPU_OFF ends with this CPU_ON
                    for fw in self.forwarded:
                        if fw["vcpu"] == t and fw["parked"] and "restarted_by" not in fw:
                            fw["restarted_by"] = seq
                else:
                    self.anomalies.append({"anomaly": "cpu_on_failed", "vcpu": v, "target_vcpu": t,
                                           "target_mpidr": hexint(f["target_mpidr"]), "result": f["result"]})
                    if t is not None:
                        self.cpu_on_failed[t] = self.cpu_on_failed.get(t, 0) + 1
            if "cpu_off" in kinds:
                self.ops.append(("cpu_off", v, True))
                close_poll(v)
                move(v, "off", "cpu_off")
                if not kinds["cpu_off"]["parked"]:
                    zombie[v] = {"anomaly": "call_while_off", "vcpu": v, "calls": 0}
            if "affinity_info" in kinds:
                f = kinds["affinity_info"]
                p = open_poll.get(v)
                if p and p["target_vcpu"] != f["target_vcpu"]:
                    close_poll(v)
                    p = None
                if not p:
                    p = open_poll[v] = {"vcpu": v, "target_vcpu": f["target_vcpu"], "count": 0, "answers": {},
                                        "first": f["answer"]}
                p["count"] += 1
                p["answers"][f["answer"]] = p["answers"].get(f["answer"], 0) + 1
                if f["answer"] != p["first"]:
                    close_poll(v)
            if fid == SYSTEM_OFF:
                for u in sorted(state):
                    if state[u] not in ("off", "unknown"):
                        close_poll(u)
                        move(u, "off", "system_off", by_vcpu=v)
        for v in list(open_poll):
            close_poll(v)
        c.check(self.reinit_ops, "truth: the VMM restarted a parked vCPU QEMU's way (a CPU_ON with reinit)")
        # a parked CPU_OFF is parked once a CPU_ON restarted it, unanswered if none did
        self.parked = sum(1 for f in self.forwarded if f["parked"] and "restarted_by" in f)
        self.unanswered = sum(1 for f in self.forwarded if f["parked"] and "restarted_by" not in f)
        for z in zombie.values():
            if z["calls"]:
                self.anomalies.append(z)
        # CPU_ONs whose target never made a call
        for v, s in state.items():
            if s == "on_pending":
                self._timeout(v, on_by[v], None)
        self.state = state

    def _timeout(self, v, by, since):
        limit = self.thr["on_timeout_ns"]
        if since is not None and not self.c.check(far_from(since, limit),
                                                  "inconclusive: vCPU %d came up %.1f ms after its CPU_ON, too close "
                                                  "to --on-timeout %.1f ms" % (v, since / MS, limit / MS)):
            return
        if since is None or since > limit:
            self.anomalies.append({"anomaly": "cpu_on_timeout", "vcpu": v, "by_vcpu": by, "ran_after_ns": since})


def anomaly_key(a):
    """The fields an anomaly of each kind is compared on."""
    keys = {"cpu_on_failed": ("vcpu", "target_vcpu", "target_mpidr", "result"),
            "cpu_on_timeout": ("vcpu", "by_vcpu"),
            "affinity_poll": ("vcpu", "target_vcpu", "polls"),
            "slow_vmm": ("vcpu", "func"),
            "call_while_off": ("vcpu", "calls")}[a["anomaly"]]
    # None (no such vCPU) sorts first
    return (a["anomaly"],) + tuple(-1 if a[k] is None else hexint(a[k]) if k == "target_mpidr" else a[k]
                                   for k in keys)


def check_flow(c, exp, flow, label):
    by_type = {}
    for r in flow:
        by_type.setdefault(r["type"], []).append(r)
    c.check("psci_summary" in by_type and by_type["psci_summary"] == by_type["psci_summary"][-1:] and
            flow[-1]["type"] == "psci_summary", "%s: one psci_summary, last" % label)

    # the timeline, per vCPU, in order
    got = {}
    for t in by_type.get("psci_transition", []):
        got.setdefault(t["vcpu"], []).append(t)
    c.check(sorted(got, key=lambda v: -1 if v is None else v) == sorted(exp.transitions),
            "%s: transitions for vCPUs %s, expected %s" % (label, sorted(got, key=str), sorted(exp.transitions)))
    for v, want in sorted(exp.transitions.items()):
        have = got.get(v, [])
        c.check([(t["from"], t["to"], t["cause"]) for t in have] == [(w["frm"], w["to"], w["cause"]) for w in want],
                "%s: vCPU %d timeline %s, expected %s" % (
                    label, v, [(t["from"], t["to"], t["cause"]) for t in have],
                    [(w["frm"], w["to"], w["cause"]) for w in want]))
        for t, w in zip(have, want):
            for k in ("by_vcpu", "mpidr", "entry", "context_id"):
                if k in w:
                    c.check(hexint(t[k]) == w[k], "%s: vCPU %d %s transition %s %s, expected %s" % (
                        label, v, w["cause"], k, t[k], w[k]))
            if "since_ns" in w:
                # the tool times trap to trap, the VMM exit to marker: never shorter, longer by scheduling only
                c.check(same_bringup(t["latency_ns"], w["since_ns"]),
                        "%s: vCPU %d bring-up %s ns, the VMM saw %d ns" % (label, v, t["latency_ns"], w["since_ns"]))
        c.check(all(have[i]["ts_ns"] <= have[i + 1]["ts_ns"] for i in range(len(have) - 1)),
                "%s: vCPU %d timeline in time order" % (label, v))

    # the anomalies, as a multiset
    have = sorted(anomaly_key(a) for a in by_type.get("psci_anomaly", []))
    want = sorted(anomaly_key(a) for a in exp.anomalies)
    c.check(have == want, "%s: anomalies\n    got      %s\n    expected %s" % (label, have, want))
    kinds = {a["anomaly"] for a in exp.anomalies}
    c.check(kinds == {"cpu_on_failed", "cpu_on_timeout", "affinity_poll", "slow_vmm", "call_while_off"},
            "%s: the scenario provoked every kind of anomaly (got %s)" % (label, sorted(kinds)))
    for a in by_type.get("psci_anomaly", []):
        c.check(isinstance(a.get("message"), str) and a["message"], "%s: %s has a message" % (label, a["anomaly"]))
        if a["anomaly"] == "cpu_on_timeout":
            w = [e for e in exp.anomalies if e["anomaly"] == "cpu_on_timeout" and e["vcpu"] == a["vcpu"]]
            if w and w[0]["ran_after_ns"] is not None:
                c.check(a["ran_after_ns"] is not None and a["ran_after_ns"] >= exp.thr["on_timeout_ns"] and
                        same_bringup(a["ran_after_ns"], w[0]["ran_after_ns"]),
                        "%s: vCPU %d ran after %s ns, the VMM saw %d" % (label, a["vcpu"], a["ran_after_ns"],
                                                                         w[0]["ran_after_ns"]))
    summary = (by_type.get("psci_summary") or [{}])[-1]
    c.check(summary.get("anomalies") == len(exp.anomalies),
            "%s: psci_summary says %s anomalies, expected %d" % (label, summary.get("anomalies"), len(exp.anomalies)))

    # AFFINITY_INFO polls
    have = [(p["vcpu"], p["target_vcpu"], p["count"], {k: n for k, n in p["answers"].items() if n})
            for p in by_type.get("psci_affinity_poll", [])]
    want = [(p["vcpu"], p["target_vcpu"], p["count"], p["answers"]) for p in exp.polls]
    c.check(have == want, "%s: polls %s, expected %s" % (label, have, want))

    # hotplug operations: one per CPU_ON and CPU_OFF, failed where the VMM said no
    have = sorted(((o["op"], o["vcpu"], o["outcome"] != "failed") for o in by_type.get("psci_operation", [])),
                  key=str)
    c.check(have == sorted(exp.ops, key=str), "%s: operations\n    got      %s\n    expected %s" % (
        label, have, sorted(exp.ops, key=str)))
    c.check(summary.get("operations") == len(exp.ops), "%s: psci_summary says %s operations, expected %d" % (
        label, summary.get("operations"), len(exp.ops)))

    # the operations around a QEMU-style restart: the CPU_OFF, then the CPU_ON that
    # re-initialised its vCPU, both ok
    ops = {}
    for o in sorted(by_type.get("psci_operation", []), key=lambda o: o["ts_ns"]):
        ops.setdefault(o["vcpu"], []).append(o)
    for v, nths in exp.reinit_ops:
        mine = ops.get(v, [])
        got = [(mine[i]["op"], mine[i]["outcome"]) if 0 <= i < len(mine) else None for i in nths]
        c.check(got == [("cpu_off", "ok"), ("cpu_on", "ok")],
                "%s: vCPU %d offline and QEMU-style online %s, expected both ok" % (label, v, got))

    # one boot: a CPU_ON that re-initialises its target is no VMM reset
    boots = by_type.get("psci_boot", [])
    c.check([(b["started_by"], b["ended_by"]) for b in boots] == [("first_call", "PSCI_SYSTEM_OFF")],
            "%s: boots %s, expected one from the first call to SYSTEM_OFF" % (
                label, [(b["started_by"], b["ended_by"]) for b in boots]))
    c.check(summary.get("boots") == 1, "%s: psci_summary says %s boots, expected 1" % (label, summary.get("boots")))
    for b in boots[:1]:
        c.check((b["parked"], b["unanswered"]) == (exp.parked, exp.unanswered),
                "%s: the boot's parked and unanswered calls %s, expected %s" % (
                    label, (b["parked"], b["unanswered"]), (exp.parked, exp.unanswered)))

    # the PSCI calls the VMM answered (a parked CPU_OFF: restarted, or never answered)
    have = [(f["vcpu"], f["func_id"], f["restarted"], None if f["restarted"] else hexint(f["ret"]))
            for f in by_type.get("psci_forwarded", [])]
    want = [(f["vcpu"], f["func_id"], "restarted_by" in f, None if f["parked"] else f["ret"]) for f in exp.forwarded]
    have, want = sorted(have, key=str), sorted(want, key=str)
    c.check(have == want, "%s: forwarded PSCI calls\n    got      %s\n    expected %s" % (
        label, have, want))

    # each vCPU at the end
    vcpus = {s["vcpu"]: s for s in by_type.get("psci_vcpu", [])}
    for v in sorted(set(exp.state) | set(exp.cpu_on_failed)):
        s = vcpus.get(v)
        if not c.check(s is not None, "%s: vCPU %d in the summary" % (label, v)):
            continue
        c.check(s["state"] == exp.state.get(v, "unknown"), "%s: vCPU %d ends %s, expected %s" % (
            label, v, s["state"], exp.state.get(v, "unknown")))
        c.check(s["cpu_on_ok"] == exp.cpu_on_ok.get(v, 0) and s["cpu_on_failed"] == exp.cpu_on_failed.get(v, 0),
                "%s: vCPU %d CPU_ONs ok %d failed %d, expected %d and %d" % (
                    label, v, s["cpu_on_ok"], s["cpu_on_failed"], exp.cpu_on_ok.get(v, 0), exp.cpu_on_failed.get(v, 0)))
        c.check(s["calls"] == exp.ncalls.get(v, 0), "%s: vCPU %d made %d calls, the VMM saw %d" % (
            label, v, s["calls"], exp.ncalls.get(v, 0)))


def breakages(flow):
    """Broken copies of the tool's flow, each of which the checker must reject."""
    def edit(pred, change):
        out = copy.deepcopy(flow)
        for r in out:
            if pred(r):
                change(r)
                return out
        return None

    def drop(pred):
        out = copy.deepcopy(flow)
        for i, r in enumerate(out):
            if pred(r):
                del out[i]
                return out
        return None

    yield "an anomaly missing", drop(lambda r: r["type"] == "psci_anomaly")
    yield "a transition missing", drop(lambda r: r["type"] == "psci_transition" and r["cause"] == "running")
    yield "a wrong cause", edit(lambda r: r["type"] == "psci_transition" and r["cause"] == "cpu_off",
                                lambda r: r.update(cause="system_off"))
    yield "a CPU_ON by another vCPU", edit(lambda r: r["type"] == "psci_transition" and r["cause"] == "cpu_on",
                                            lambda r: r.update(by_vcpu=3))
    yield "a wrong context id", edit(lambda r: r["type"] == "psci_transition" and r["cause"] == "cpu_on",
                                     lambda r: r.update(context_id="0x1"))
    yield "a wrong CPU_ON error", edit(lambda r: r.get("anomaly") == "cpu_on_failed",
                                       lambda r: r.update(result="ON_PENDING"))
    yield "an operation missing", drop(lambda r: r["type"] == "psci_operation" and r["op"] == "cpu_off")
    yield "a failed CPU_ON called ok", edit(lambda r: r["type"] == "psci_operation" and r["outcome"] == "failed",
                                           lambda r: r.update(outcome="ok"))
    yield "a short poll", edit(lambda r: r["type"] == "psci_affinity_poll", lambda r: r.update(count=r["count"] - 1))
    yield "a zombie's call count", edit(lambda r: r.get("anomaly") == "call_while_off",
                                        lambda r: r.update(calls=r["calls"] + 1))
    yield "a vCPU left on", edit(lambda r: r["type"] == "psci_vcpu" and r["state"] == "off",
                                 lambda r: r.update(state="on"))
    yield "an answer changed", edit(lambda r: r["type"] == "psci_forwarded" and r["ret"] is not None and
                                    not r["restarted"], lambda r: r.update(ret="0x7"))
    yield "a bring-up late by twice the slack", edit(
        lambda r: r["type"] == "psci_transition" and r["cause"] == "running",
        lambda r: r.update(latency_ns=r["latency_ns"] + 2 * slack_ns))
    yield "a bring-up timed from the CPU_ON's answer", edit(
        lambda r: r["type"] == "psci_transition" and r["cause"] == "running" and r["latency_ns"] > 5 * MS,
        lambda r: r.update(latency_ns=r["latency_ns"] // 3))
    yield "an extra anomaly", flow + [dict(next(r for r in flow if r["type"] == "psci_anomaly"), vcpu=4)]
    boot = next((r for r in flow if r["type"] == "psci_boot"), None)
    yield "a QEMU-style online taken for a VMM reset", None if boot is None else \
        flow[:-1] + [dict(boot, boot=2, started_by="vmm_reset")] + flow[-1:]
    yield "the re-initialised vCPU's CPU_OFF called unanswered", edit(
        lambda r: r["type"] == "psci_boot" and r["parked"] > 0,
        lambda r: r.update(parked=r["parked"] - 1, unanswered=r["unanswered"] + 1))
    yield "the QEMU-style online not ok", edit(
        lambda r: r["type"] == "psci_operation" and r["op"] == "cpu_on" and r["vcpu"] == 1 and
        r["ts_ns"] == max(o["ts_ns"] for o in flow if o["type"] == "psci_operation" and o["op"] == "cpu_on" and
                          o["vcpu"] == 1),
        lambda r: r.update(outcome="incomplete"))


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    results = sys.argv[1]
    c = Checker("psci")
    truth = load(os.path.join(results, "truth.jsonl"))
    with open(os.path.join(results, "psci-args")) as f:
        thr = thresholds(f.read())
    c.check(truth and truth[-1]["type"] == "end" and truth[-1]["exit"] == "system_off",
            "the VMM ran its hotplug scenario to SYSTEM_OFF")
    global slack_ns
    slack_ns = sched_slack(truth, load(os.path.join(results, "calls.jsonl")))
    print("# psci: scheduling slack for bring-ups %.1f ms (from this run's forwarded calls)" % (slack_ns / MS))
    flow = load(os.path.join(results, "psci.jsonl"))
    exp = Expected(truth, thr, c)
    check_flow(c, exp, flow, "live")
    with open(os.path.join(results, "psci.jsonl")) as a, open(os.path.join(results, "report-psci.jsonl")) as b:
        c.check(a.read() == b.read(), "report --psci of the recording equals the live flow, byte for byte")
    if "--self-test" in sys.argv[2:]:
        for what, broken in breakages(flow):
            if not c.check(broken is not None, "self-test: the flow has something to break for '%s'" % what):
                continue
            probe = Checker("probe", quiet=True)
            check_flow(probe, Expected(truth, thr, Checker("probe", quiet=True)), broken, "broken")
            c.check(probe.failed > 0, "self-test: the checker catches %s" % what)
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
