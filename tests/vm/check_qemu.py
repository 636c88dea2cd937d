#!/usr/bin/env python3
"""Checks smccctrace against a real third-party VMM: Debian's QEMU booting Linux.

usage: check_qemu.py RESULTS_DIR

RESULTS_DIR is what tests/vm/scenarios/qemu-guest.sh left: vcpus, qemu.rc, the
guest's console (guest-console.log), the calls (trace.jsonl, `smccctrace -p QEMU
--json`), the flow (psci.jsonl, `smccctrace psci -p QEMU --json`) and the recording
rendered offline (report-psci.jsonl, and as text with wall-clock times,
report-psci.txt).

What is known without the tool: QEMU's exit status (0 once the guest powered off),
the guest's own console (tests/vm/guest-init): each boot, each sysfs action in order
("action N offline cpuK"), and the kernel's own lines about them ("booted CPUk mpidr
M": every bring-up, "killed CPUk polled X ms": every offline that AFFINITY_INFO
confirmed), and KVM's MPIDR of each vcpu_id (Aff0 = id & 0xf, Aff1 = id >> 4, Aff2 =
id >> 12; QEMU keeps KVM's). The checks:
  - the calls: firmware discovery, then per boot the bring-up CPU_ONs from vCPU 0 to
    exactly the MPIDRs the guest booted, the CPU_OFFs from exactly the vCPUs the
    guest took offline and the CPU_ONs of exactly those it brought online, in order;
    SYSTEM_RESET between the boots, SYSTEM_OFF last;
  - the flow: one psci_operation per bring-up and per action, in order, each ok,
    with its boot, controller and latency; one AFFINITY_INFO poll per offline, by
    that controller, resolved, and no longer than the kernel's own "polled X ms"
    allows; each vCPU's timeline, its counts (CPU_ON, CPU_OFF, operations) and end
    state; one psci_boot per boot with its counts; no anomaly; wall-clock times that
    agree with the trace's start; the offline report says the same;
  - the guest's clocks: each action's PSCI call has a guest_cntvct between the
    guest's counter readings around the action, and, converted to the guest's printk
    time with the sched_clock epoch the guest measured (docs/design.md), falls
    between the printk timestamps of the /dev/kmsg lines the guest wrote around the
    action; with the epoch left in it falls outside every action's window.
RESULTS_DIR/plan says the guest's plan (full: two boots; short: one).
Prints one line per failed check, the measured figures, and '# qemu: N passed, N
failed'; exits 1 on failure."""
import datetime
from fractions import Fraction
import os
import re
import sys

from checklib import Checker, load_jsonl_or_report as load, read_or_empty as read  # noqa: E402 (tests/vm/checklib.py)

SUCCESS = "SUCCESS"
JIFFY_MS = 4            # the guest kernel's HZ=250
# The kernel's "polled X ms" counts whole jiffies from before its first AFFINITY_INFO
# to after the one that says off: the tool's first-trap-to-return is at most X plus a
# jiffy, plus a late tick on a loaded emulated host
POLL_SLACK_MS = 2 * JIFFY_MS + 25
# The guest's plan (RESULTS_DIR/plan, tests/vm/guest-init): each boot and the PSCI call
# that ends it. full: 4 vCPUs, 12 actions, a reboot, 2 more actions; short (the nVHE
# part): 2 vCPUs, 4 actions, one boot
PLANS = {"full": {1: "PSCI_SYSTEM_RESET", 2: "PSCI_SYSTEM_OFF"}, "short": {1: "PSCI_SYSTEM_OFF"}}
MIN_VCPUS = {"full": 4, "short": 2}
MIN_ACTIONS = {"full": 12, "short": 4}
ENDS = PLANS["full"]


def kvm_mpidr(vcpu):
    return (vcpu & 0xF) | ((vcpu >> 4) & 0xFF) << 8 | ((vcpu >> 12) & 0xFF) << 16


def kvm_vcpu(mpidr):
    return (mpidr & 0xF) | ((mpidr >> 8) & 0xFF) << 4 | ((mpidr >> 16) & 0xFF) << 12


class Guest:
    """The guest's console, per boot"""

    def __init__(self, console):
        self.boots = {}
        for m in re.finditer(r"smccctrace-guest: boot (\d+): (.*)", console):
            b = self.boots.setdefault(int(m.group(1)), {"actions": [], "booted": [], "killed": [], "lines": []})
            line = m.group(2)
            b["lines"].append(line)
            a = re.match(r"action \d+ (offline|online) cpu(\d+)$", line)
            if a:
                b["actions"].append(("cpu_off" if a.group(1) == "offline" else "cpu_on", int(a.group(2))))
            a = re.match(r"action (\d+) counter (\d+) (\d+)$", line)
            if a:
                b.setdefault("windows", {})[int(a.group(1))] = (int(a.group(2)), int(a.group(3)))
            a = re.match(r"cntfrq (\d+)$", line)
            if a:
                b["cntfrq"] = int(a.group(1))
            a = re.match(r"epoch (\d+) counter (\d+) (\d+)$", line)
            if a:
                b.setdefault("epoch_brackets", []).append((int(a.group(2)), int(a.group(3)), "epoch " + a.group(1)))
            a = re.match(r"action (\d+) kmsg counters (\d+) (\d+) (\d+) (\d+)$", line)
            if a:
                b.setdefault("kmsg_counters", {})[int(a.group(1))] = tuple(int(x) for x in a.groups()[1:])
            a = re.match(r"printk (\d+)\.(\d{6}) (.*)$", line)
            if a:  # a /dev/kmsg line's printk timestamp, in ns (printk truncates to µs)
                b.setdefault("printk", {})[a.group(3)] = int(a.group(1)) * 10**9 + int(a.group(2)) * 1000
            a = re.match(r"booted CPU(\d+) mpidr (0x[0-9a-f]+)$", line)
            if a:
                b["booted"].append((int(a.group(1)), int(a.group(2), 16)))
            a = re.match(r"killed CPU(\d+) polled (\d+) ms$", line)
            if a:
                b["killed"].append((int(a.group(1)), int(a.group(2))))
        # logical CPU -> MPIDR, from the kernel's own lines
        self.mpidr = {0: 0}
        for b in self.boots.values():
            for cpu, mpidr in b["booted"]:
                self.mpidr.setdefault(cpu, mpidr)

    def vcpu(self, cpu):
        return kvm_vcpu(self.mpidr[cpu]) if cpu in self.mpidr else None

    def expected_ops(self, boot, nr_vcpus):
        """[(op, vcpu)]: the bring-up of every secondary, then each action"""
        b = self.boots.get(boot, {"actions": []})
        return [("cpu_on", v) for v in range(1, nr_vcpus)] + [(op, self.vcpu(cpu)) for op, cpu in b["actions"]]


def expected_timelines(guest, nr_vcpus):
    """vCPU -> [(from, to, cause)], from the operations and the two system events"""
    tl = {0: [("unknown", "on", "first_call")]}
    for boot in sorted(ENDS):
        if boot > 1:
            tl[0].append(("off", "on", "reboot"))
        for op, v in guest.expected_ops(boot, nr_vcpus):
            if op == "cpu_on":
                tl.setdefault(v, []).extend([("off", "on_pending", "cpu_on"), ("on_pending", "on", "running")])
            else:
                tl.setdefault(v, []).append(("on", "off", "cpu_off"))
        for v in range(nr_vcpus):
            if tl.get(v) and tl[v][-1][1] == "on":
                tl[v].append(("on", "off", ENDS[boot][len("PSCI_"):].lower()))
    return tl


def timeline(flow):
    out = {}
    for r in flow:
        if r["type"] == "psci_transition":
            out.setdefault(r["vcpu"], []).append((r["from"], r["to"], r["cause"]))
    return out


def parse_time(s):
    # "2026-12-05T08:40:01.123456789Z": Python's fromisoformat takes microseconds only
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{9})Z$", s or "")
    if not m:
        return None
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 10**9 + int(m.group(2))


def check_calls(c, calls, guest, vcpus, qemu_pid, cntfrq, figures):
    names = {r["func"] for r in calls}
    for fn in ("PSCI_VERSION", "PSCI_FEATURES", "SMCCC_VERSION", "SMCCC_ARCH_FEATURES", "TRNG_VERSION",
               "VENDOR_HYP_CALL_UID", "KVM_FEATURES", "PSCI_CPU_ON", "PSCI_CPU_OFF", "PSCI_AFFINITY_INFO",
               *ENDS.values()):
        c.check(fn in names, "the trace has the guest's %s" % fn)
    c.check(calls and calls[-1]["func"] == "PSCI_SYSTEM_OFF" and calls[-1].get("system_event") is True and
            calls[-1]["ret"] is None, "SYSTEM_OFF is the last call, a system event without result")
    resets = [i for i, r in enumerate(calls) if r["func"] == "PSCI_SYSTEM_RESET"]
    c.check(len(resets) == len(ENDS) - 1, "%d SYSTEM_RESET: the guest rebooted %d times (%d)" % (
        len(ENDS) - 1, len(ENDS) - 1, len(resets)))
    c.check(all(r["disposition"] == "kvm" for r in calls), "QEMU leaves PSCI to KVM: every call handled by KVM")
    c.check({r["pid"] for r in calls} == {qemu_pid}, "every call is QEMU's")
    split = resets[0] + 1 if resets else len(calls)
    for boot, part in ((1, calls[:split]), (2, calls[split:]))[:len(ENDS)]:
        ons = [r for r in part if r["func"] == "PSCI_CPU_ON"]
        bringup, later = ons[:vcpus - 1], ons[vcpus - 1:]
        c.check(len(bringup) == vcpus - 1 and all(r["ret_name"] == SUCCESS and r["vcpu"] == 0 for r in bringup),
                "boot %d: vCPU 0 made %d successful CPU_ONs at boot" % (boot, vcpus - 1))
        booted = [m for _, m in guest.boots.get(boot, {"booted": []})["booted"][:vcpus - 1]]
        c.check([int(r["args"][0], 16) for r in bringup] == booted and
                booted == [kvm_mpidr(v) for v in range(1, vcpus)],
                "boot %d: the CPU_ONs target the MPIDRs the guest booted, KVM's (%s)" % (boot, [hex(b) for b in booted]))
        actions = guest.boots.get(boot, {"actions": []})["actions"]
        offs = [r["vcpu"] for r in part if r["func"] == "PSCI_CPU_OFF"]
        want_offs = [guest.vcpu(cpu) for op, cpu in actions if op == "cpu_off"]
        c.check(offs == want_offs, "boot %d: CPU_OFF from vCPUs %s, the guest offlined %s" % (boot, offs, want_offs))
        want_ons = [kvm_mpidr(guest.vcpu(cpu)) for op, cpu in actions if op == "cpu_on"]
        c.check([int(r["args"][0], 16) for r in later] == want_ons and all(r["ret_name"] == SUCCESS for r in later),
                "boot %d: successful CPU_ONs of %s, the CPUs the guest onlined" % (boot, [hex(m) for m in want_ons]))
        check_guest_clock(c, part, guest.boots.get(boot, {}), boot)
        check_sched_clock(c, part, guest.boots.get(boot, {}), boot, cntfrq, figures)
    # boot 1: the vCPU that comes up after each CPU_ON is KVM's for its MPIDR
    for r in [x for x in calls[:split] if x["func"] == "PSCI_CPU_ON"][:vcpus - 1]:
        mpidr = int(r["args"][0], 16)
        seen_before = {x["vcpu"] for x in calls if x["ts_ns"] < r["ts_ns"]}
        newcomer = next((x["vcpu"] for x in calls if x["ts_ns"] > r["ts_ns"] and x["vcpu"] not in seen_before), None)
        c.check(newcomer is not None and kvm_mpidr(newcomer) == mpidr,
                "after CPU_ON of mpidr %#x the vCPU that comes up is vCPU %s, KVM's for that MPIDR" % (mpidr, newcomer))


def action_counters(part, b):
    """[(n, op, cpu, guest_cntvct)]: each hotplug action's PSCI call (an offline's
    CPU_OFF, an online's CPU_ON, in the order the guest acted) and its guest_cntvct
    (None when missing)"""
    actions = b.get("actions", [])
    offs = iter(r for r in part if r["func"] == "PSCI_CPU_OFF")
    ons = [r for r in part if r["func"] == "PSCI_CPU_ON"]
    ons = iter(ons[len(ons) - sum(1 for op, _ in actions if op == "cpu_on"):])  # after the bring-up
    out = []
    for n, (op, cpu) in enumerate(actions, 1):
        r = next(offs if op == "cpu_off" else ons, None)
        g = r.get("guest_cntvct") if r else None
        g = int(g) if isinstance(g, str) else g
        out.append((n, op, cpu, g if isinstance(g, int) else None))
    return out


def check_guest_clock(c, part, b, boot):
    """Each hotplug action's PSCI call carries a guest_cntvct between the guest's own
    counter readings right before and right after the sysfs write (no tolerance)."""
    windows = b.get("windows", {})
    inside = []
    for n, op, cpu, g in action_counters(part, b):
        w = windows.get(n)
        inside.append(w is not None and g is not None and w[0] <= g <= w[1])
        if not inside[-1]:
            print("# boot %d action %d (%s cpu%d): guest_cntvct %s, the guest's window %s" % (boot, n, op, cpu, g, w))
    c.check(inside and all(inside), "boot %d: the PSCI call of each of the %d actions has a guest_cntvct inside "
            "the guest's own counter readings around it (%d inside)" % (boot, len(inside), sum(inside)))


def epoch_bounds(brackets, stamps, cntfrq):
    """[lo, hi] ns: the guest's sched_clock epoch E (printk time = counter / cntfrq - E)
    that every bracket allows, by docs/design.md's method. A bracket (c0, c1, label):
    the counter right before and right after a /dev/kmsg line whose printk timestamp
    pm is stamps[label], truncated to µs (the line's true time is in [pm, pm + 1 µs)),
    so E is in [c0 / cntfrq - pm - 1 µs, c1 / cntfrq - pm]. Exact fractions; None when
    a stamp is missing."""
    lo, hi = None, None
    for c0, c1, label in brackets:
        if label not in stamps:
            return None
        pm = stamps[label]
        b_lo, b_hi = Fraction(c0 * 10**9, cntfrq) - pm - 1000, Fraction(c1 * 10**9, cntfrq) - pm
        lo, hi = (b_lo, b_hi) if lo is None else (max(lo, b_lo), min(hi, b_hi))
    return (lo, hi) if lo is not None else None


def printk_inside(actions, stamps, cntfrq, epoch):
    """[(n, inside, span start - window start, window end - span end)]: whether each
    action's call, its guest_cntvct / cntfrq - E for every E in epoch ((lo, hi) ns;
    (0, 0): no epoch taken out), lies between the printk timestamps of the lines the
    guest wrote right before and right after the action (the second one's plus the µs
    printk truncates: the call is after the first line was stamped and before the
    second was)"""
    out = []
    for n, op, cpu, g in actions:
        begin, end = stamps.get("action %d begin" % n), stamps.get("action %d end" % n)
        if g is None or begin is None or end is None:
            out.append((n, False, None, None))
            continue
        lo, hi = Fraction(g * 10**9, cntfrq) - epoch[1], Fraction(g * 10**9, cntfrq) - epoch[0]
        out.append((n, begin <= lo and hi <= end + 1000, lo - begin, end + 1000 - hi))
    return out


def check_sched_clock(c, part, b, boot, cntfrq, figures):
    """The guest's printk clock is sched_clock: its counter less the epoch taken when
    its arch timer registered. The guest measured the epoch (three /dev/kmsg lines,
    each between two counter readings). The checks: one epoch agrees with all three
    and with every line the guest wrote around its actions (printk time is the counter
    less a constant); taken out of each action's guest_cntvct, the call falls between
    the printk timestamps of the lines the guest wrote right before and right after
    the action, for every epoch the measurement allows; left in (the counter seconds
    as they are), it falls inside no action's window."""
    actions = action_counters(part, b)
    stamps, brackets = b.get("printk", {}), b.get("epoch_brackets", [])
    if not c.check(cntfrq and b.get("cntfrq") == cntfrq, "boot %d: the guest's CNTFRQ_EL0 %s is the tool's cntfrq "
                   "%s" % (boot, b.get("cntfrq"), cntfrq)):
        return
    epoch = epoch_bounds(brackets, stamps, cntfrq)
    if not c.check(len(brackets) == 3 and epoch and epoch[0] <= epoch[1] and actions,
                   "boot %d: the guest's three epoch measurements agree on one epoch (%s ns)" % (
                       boot, epoch and [float(x) for x in epoch])):
        return
    lines = [(k[0], k[1], "action %d begin" % n) for n, k in b.get("kmsg_counters", {}).items()] + \
        [(k[2], k[3], "action %d end" % n) for n, k in b.get("kmsg_counters", {}).items()]
    whole = epoch_bounds(brackets + lines, stamps, cntfrq)
    c.check(len(lines) == 2 * len(actions) and whole and whole[0] <= whole[1],
            "boot %d: the printk timestamps of all %d lines the guest wrote are its counter less that one epoch" % (
                boot, len(lines) + len(brackets)))
    with_epoch = printk_inside(actions, stamps, cntfrq, epoch)
    for n, ok, before, after in with_epoch:
        if not ok:
            print("# boot %d action %d: the call's printk span starts %s ns after its window's start and ends %s ns "
                  "before its end" % (boot, n, before and float(before), after and float(after)))
    c.check(all(ok for _, ok, _, _ in with_epoch),
            "boot %d: with the guest's sched_clock epoch taken out, the PSCI call of each of the %d actions falls "
            "inside the printk timestamps of the lines around it (%d inside)" % (
                boot, len(actions), sum(ok for _, ok, _, _ in with_epoch)))
    raw = printk_inside(actions, stamps, cntfrq, (0, 0))
    c.check(not any(ok for _, ok, _, _ in raw), "boot %d: without the epoch taken out, no action's call falls inside "
            "its printk window (%d inside)" % (boot, sum(ok for _, ok, _, _ in raw)))
    margins = [min(x, y) for _, ok, x, y in with_epoch if ok]
    windows = sorted(stamps["action %d end" % n] - stamps["action %d begin" % n] for n, _, _, _ in actions
                     if "action %d begin" % n in stamps and "action %d end" % n in stamps)
    figures.append("boot %d: sched_clock epoch %.6f s, known to %.3f us (narrowest bracket %.3f us); each call lies "
                   "%.3f ms or more inside its action's printk window (median window %.3f ms)" % (
                       boot, float(epoch[0] + epoch[1]) / 2e9, float(epoch[1] - epoch[0]) / 1e3,
                       min(c1 - c0 for c0, c1, _ in brackets) * 1e6 / cntfrq, float(min(margins, default=0)) / 1e6,
                       windows[len(windows) // 2] / 1e6 if windows else 0))


def check_operations(c, flow, guest, vcpus, thr_on_ns, figures):
    ops = sorted((r for r in flow if r["type"] == "psci_operation"), key=lambda r: r["ts_ns"])
    polls = sorted((r for r in flow if r["type"] == "psci_affinity_poll"), key=lambda r: r["ts_ns"])
    for boot in sorted(ENDS):
        mine = [r for r in ops if r["boot"] == boot]
        want = guest.expected_ops(boot, vcpus)
        have = [(r["op"], r["vcpu"]) for r in mine]
        c.check(have == want, "flow: boot %d operations %s, the guest did %s" % (boot, have, want))
        c.check(all(r["outcome"] == "ok" and r["latency_ns"] is not None and r["by_vcpu"] is not None and
                    r["by_vcpu"] != r["vcpu"] for r in mine),
                "flow: boot %d: every operation ok, with its controller and latency" % boot)
        c.check(all(r["latency_ns"] <= thr_on_ns for r in mine if r["op"] == "cpu_on"),
                "flow: boot %d: every bring-up within --on-timeout" % boot)
        offs = [r for r in mine if r["op"] == "cpu_off"]
        mypolls = [p for p in polls if p["boot"] == boot]
        c.check([p["target_vcpu"] for p in mypolls] == [r["vcpu"] for r in offs],
                "flow: boot %d: one AFFINITY_INFO poll per offline (%s), about %s" % (
                    boot, [p["target_vcpu"] for p in mypolls], [r["vcpu"] for r in offs]))
        killed = guest.boots.get(boot, {"killed": []})["killed"]
        c.check([guest.vcpu(cpu) for cpu, _ in killed] == [r["vcpu"] for r in offs],
                "flow: boot %d: the kernel's 'CPUn killed' lines are the offlines, in order" % boot)
        for op, p, k in zip(offs, mypolls, killed):
            c.check(p["resolved"] and p["last_answer"] == "off" and p["ended_by"] in ("answer", "power_change", "other_target"),
                    "flow: the poll about vCPU %d at %d ns got its off (%s, %s)" % (
                        p["target_vcpu"], p["ts_ns"], p["last_answer"], p["ended_by"]))
            # (a poll may start before the CPU_OFF: the operation counts the calls after it)
            c.check(p["vcpu"] == op["by_vcpu"] and p["count"] >= op["polls"] >= 1 and
                    p["end_ts_ns"] == op["end_ts_ns"],
                    "flow: the offline of vCPU %d is confirmed by that poll" % op["vcpu"])
            elapsed_ms = p["elapsed_ns"] / 1e6
            c.check(elapsed_ms <= k[1] + POLL_SLACK_MS,
                    "flow: the poll about vCPU %d took %.3f ms; the kernel says polled %d ms" % (
                        p["target_vcpu"], elapsed_ms, k[1]))
            figures.append("boot %d: CPU%d killed: kernel polled %d ms; smccctrace: %d AFFINITY_INFO, %.3f ms, "
                           "kill latency (CPU_OFF to off) %.3f ms" % (boot, k[0], k[1], p["count"], elapsed_ms,
                                                                     op["latency_ns"] / 1e6))
        booted = guest.boots.get(boot, {"booted": []})["booted"]
        c.check([kvm_vcpu(m) for _, m in booted] == [r["vcpu"] for r in mine if r["op"] == "cpu_on"],
                "flow: boot %d: each 'Booted secondary processor' is a cpu_on operation, in order" % boot)
    return ops


def check_counts(c, flow, guest, vcpus):
    states = {r["vcpu"]: r for r in flow if r["type"] == "psci_vcpu"}
    c.check(sorted(states) == list(range(vcpus)) and all(s["state"] == "off" for s in states.values()),
            "flow: %d vCPUs, all off at the end" % vcpus)
    for v, s in sorted(states.items()):
        on = sum(1 for b in sorted(ENDS) for op, t in guest.expected_ops(b, vcpus) if op == "cpu_on" and t == v)
        off = sum(1 for b in sorted(ENDS) for op, t in guest.expected_ops(b, vcpus) if op == "cpu_off" and t == v)
        c.check(s["cpu_on_ok"] == on and s["cpu_off"] == off and s["online"]["ok"] == on and
                s["offline"]["ok"] == off and s["online"]["count"] == on and s["offline"]["count"] == off,
                "flow: vCPU %d: %d CPU_ONs and %d CPU_OFFs (%d, %d; operations %d, %d)" % (
                    v, on, off, s["cpu_on_ok"], s["cpu_off"], s["online"]["count"], s["offline"]["count"]))
        c.check((s["offline_ns"] > 0) == (off > 0), "flow: vCPU %d has time offline iff it went offline" % v)
    boots = [r for r in flow if r["type"] == "psci_boot"]
    c.check([(b["boot"], b["ended_by"]) for b in boots] == sorted(ENDS.items()),
            "flow: %d boots, ended by %s (%s)" % (len(ENDS), list(ENDS.values()),
                                                  [(b["boot"], b["ended_by"]) for b in boots]))
    for b in boots:
        want = guest.expected_ops(b["boot"], vcpus)
        on = sum(1 for op, _ in want if op == "cpu_on")
        off = len(want) - on
        c.check(b["cpu_on_ok"] == on and b["cpu_off"] == off and b["online"]["ok"] == on and b["offline"]["ok"] == off,
                "flow: boot %d: %d CPU_ONs, %d CPU_OFFs (%d, %d)" % (b["boot"], on, off, b["cpu_on_ok"], b["cpu_off"]))


def check_times(c, flow):
    summary = next((r for r in flow if r["type"] == "psci_summary"), {})
    start = parse_time(summary.get("start_time"))
    c.check(start is not None, "flow: the summary has the trace's start (%s)" % summary.get("start_time"))
    timed = [r for r in flow if "time" in r]
    bad = [r for r in timed if start is None or parse_time(r["time"]) != start + r["ts_ns"]]
    c.check(timed and not bad, "flow: every timed record's wall-clock time is the start plus ts_ns (%d of %d off)" % (
        len(bad), len(timed)))
    return summary


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    res = sys.argv[1]
    global ENDS
    c = Checker("qemu")
    plan = read(os.path.join(res, "plan")).strip() or "full"
    if not c.check(plan in PLANS, "the guest's plan %r is known" % plan):
        return c.report()
    ENDS = PLANS[plan]
    vcpus = int(read(os.path.join(res, "vcpus")) or 0)
    guest = Guest(read(os.path.join(res, "guest-console.log")))
    for name in ("qemu", "trace", "psci", "report", "report-text"):
        rc = read(os.path.join(res, name + ".rc")).strip()
        c.check(rc == "0", "%s exited %s" % (name, rc or "(nothing)"))
    c.check(vcpus >= MIN_VCPUS[plan], "the guest has at least %d vCPUs (%d)" % (MIN_VCPUS[plan], vcpus))
    c.check(sorted(guest.boots) == sorted(ENDS), "the guest booted %d times (%s)" % (len(ENDS), sorted(guest.boots)))
    for boot, b in sorted(guest.boots.items()):
        c.check("cpus=%d" % vcpus in b["lines"] and "hotplug=ok" in b["lines"],
                "boot %d: the guest saw %d CPUs and every sysfs action worked" % (boot, vcpus))
    c.check(len(guest.boots.get(1, {"actions": []})["actions"]) >= MIN_ACTIONS[plan],
            "the first boot took CPUs offline and online repeatedly")
    c.check(all(guest.vcpu(cpu) is not None for b in guest.boots.values() for _, cpu in b["actions"]),
            "the kernel named the MPIDR of every CPU the guest acted on")

    records = load(os.path.join(res, "trace.jsonl"))
    calls = sorted((r for r in records if r.get("type") == "call"), key=lambda r: r["ts_ns"])
    cntfrq = next((r.get("cntfrq") for r in records if r.get("type") == "summary"), None)
    figures = []
    check_calls(c, calls, guest, vcpus, int(read(os.path.join(res, "qemu.pid")) or 0), cntfrq, figures)

    flow = load(os.path.join(res, "psci.jsonl"))
    summary = next((r for r in flow if r["type"] == "psci_summary"), {})
    ops = check_operations(c, flow, guest, vcpus, summary.get("on_timeout_ns", 0), figures)
    tl, want_tl = timeline(flow), expected_timelines(guest, vcpus)
    for v in range(vcpus):
        c.check(tl.get(v) == want_tl.get(v), "flow: vCPU %d timeline %s, expected %s" % (v, tl.get(v), want_tl.get(v)))
    entries = {x["args"][1] for x in calls if x["func"] == "PSCI_CPU_ON"}  # (another tracer: another t0)
    for r in flow:
        if r["type"] == "psci_transition" and r["cause"] == "cpu_on":
            c.check(int(r["mpidr"], 16) == kvm_mpidr(r["vcpu"]) and r["entry"] in entries and r["by_vcpu"] is not None,
                    "flow: the CPU_ON of vCPU %d names its MPIDR, its caller and the entry point" % r["vcpu"])
    anomalies = [r["message"] for r in flow if r["type"] == "psci_anomaly"]
    c.check(not anomalies and summary.get("anomalies") == 0, "flow: a healthy guest has no anomaly (%s)" % anomalies)
    check_counts(c, flow, guest, vcpus)
    check_times(c, flow)
    c.check(summary.get("operations") == len(ops) and summary.get("boots") == len(ENDS),
            "flow: the summary counts %s operations, %s boots" % (summary.get("operations"), summary.get("boots")))

    report = load(os.path.join(res, "report-psci.jsonl"))
    c.check(timeline(report) == tl, "report --psci of the recording has the same timeline")
    # another tracer: another t0, and its own trap timestamps (a loaded host can delay
    # one tracer's BPF program behind the other's)
    strip = ("ts_ns", "end_ts_ns", "time", "latency_ns")
    same = [{k: v for k, v in r.items() if k not in strip} for r in report if r["type"] == "psci_operation"]
    c.check(same == [{k: v for k, v in r.items() if k not in strip} for r in ops],
            "report --psci of the recording has the same operations")
    text = read(os.path.join(res, "report-psci.txt"))
    rows = re.findall(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z +\d+ +(offline|online) ", text, re.M)
    c.check(len(rows) == len(ops), "the text view (--wall-clock) lists %d operations with wall-clock times (%d)" % (
        len(ops), len(rows)))

    for name in ("offline", "online"):
        s = summary.get(name) or {}
        if s.get("p50_ns") is not None:
            print("# figures: %s: %d operations, %d ok, p50 %.3f ms, max %.3f ms" % (
                name, s["count"], s["ok"], s["p50_ns"] / 1e6, s["max_ns"] / 1e6))
    for f in figures:
        print("# figures: " + f)
    expected = [(b, op, v) for b in sorted(ENDS) for op, v in guest.expected_ops(b, vcpus)]
    have = [(r["boot"], r["op"], r["vcpu"]) for r in ops if r["outcome"] == "ok"]
    print("# figures: operations matched: %d of %d expected (%d reported); anomalies: %d" % (
        sum(1 for x, y in zip(expected, have) if x == y), len(expected), len(ops), len(anomalies)))
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
