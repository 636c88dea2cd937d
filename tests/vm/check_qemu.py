#!/usr/bin/env python3
"""Checks smccctrace against a real third-party VMM: Debian's QEMU booting Linux.

usage: check_qemu.py RESULTS_DIR

RESULTS_DIR is what tests/vm/scenarios/qemu-guest.sh left: vcpus, qemu.rc, the
guest's console (guest-console.log), the calls (trace.jsonl, `smccctrace -p QEMU
--json`), the flow (psci.jsonl, `smccctrace psci -p QEMU --json`) and the recording
rendered offline (report-psci.jsonl).

What is known without the tool: QEMU's exit status (-no-reboot: 0 once the guest
powered off), the guest's own console lines (the MPIDR of every secondary Linux booted,
and how its CPU hot-unplug and re-plug went), and KVM's MPIDR of each vcpu_id (Aff0 =
id & 0xf, Aff1 = id >> 4, Aff2 = id >> 12; QEMU keeps KVM's). The checks:
  - firmware discovery: PSCI_VERSION, PSCI_FEATURES, SMCCC_VERSION,
    SMCCC_ARCH_FEATURES, TRNG, KVM's vendor UID and features, then SYSTEM_OFF;
  - boot: vCPU 0 CPU_ONs each secondary once, successfully, vCPUs - 1 in all, to
    exactly the MPIDRs the guest says it booted; the vCPU that makes the next call is
    the one KVM gave that MPIDR;
  - the hotplug: CPU_OFF from the last vCPU, AFFINITY_INFO about it, a successful
    CPU_ON of it again;
  - the flow view says the same: each secondary off -> on_pending -> on with its
    MPIDR, the last one off and on again, everyone off at SYSTEM_OFF, no anomaly;
    the offline report of the recording has the same timeline.
Prints one line per failed check and '# qemu: N passed, N failed'; exits 1 on failure."""
import json
import os
import re
import sys

from checklib import Checker  # noqa: E402 (tests/vm/checklib.py)

SUCCESS = "SUCCESS"


def load(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        print("not ok - %s: %s" % (path, e))
        return []


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def kvm_mpidr(vcpu):
    return (vcpu & 0xF) | ((vcpu >> 4) & 0xFF) << 8 | ((vcpu >> 12) & 0xFF) << 16


def timeline(flow):
    out = {}
    for r in flow:
        if r["type"] == "psci_transition":
            out.setdefault(r["vcpu"], []).append((r["from"], r["to"], r["cause"]))
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    res = sys.argv[1]
    c = Checker("qemu")
    vcpus = int(read(os.path.join(res, "vcpus")) or 0)
    console = read(os.path.join(res, "guest-console.log"))
    for name in ("qemu", "trace", "psci", "report"):
        rc = read(os.path.join(res, name + ".rc")).strip()
        c.check(rc == "0", "%s exited %s" % (name, rc or "(nothing)"))
    c.check(vcpus >= 4, "the guest has at least 4 vCPUs (%d)" % vcpus)
    c.check("smccctrace-guest: cpus=%d hotplug=ok" % vcpus in console,
            "the guest saw %d CPUs and took its last one down and up again" % vcpus)
    booted = {int(m, 16) for m in re.findall(r"smccctrace-guest: booted CPU\d+ mpidr (0x[0-9a-f]+)", console)}
    c.check(booted == {kvm_mpidr(v) for v in range(1, vcpus)},
            "the guest booted its secondaries with KVM's MPIDRs (%s)" % sorted(hex(b) for b in booted))

    calls = [r for r in load(os.path.join(res, "trace.jsonl")) if r.get("type") == "call"]
    calls.sort(key=lambda r: r["ts_ns"])
    names = {r["func"] for r in calls}
    for fn in ("PSCI_VERSION", "PSCI_FEATURES", "SMCCC_VERSION", "SMCCC_ARCH_FEATURES", "TRNG_VERSION",
               "VENDOR_HYP_CALL_UID", "KVM_FEATURES", "PSCI_CPU_ON", "PSCI_CPU_OFF", "PSCI_AFFINITY_INFO",
               "PSCI_SYSTEM_OFF"):
        c.check(fn in names, "the trace has the guest's %s" % fn)
    c.check(calls and calls[-1]["func"] == "PSCI_SYSTEM_OFF" and calls[-1].get("system_event") is True and
            calls[-1]["ret"] is None, "SYSTEM_OFF is the last call, a system event without result")
    c.check(all(r["disposition"] == "kvm" for r in calls), "QEMU leaves PSCI to KVM: every call handled by KVM")
    c.check({r["pid"] for r in calls} == {int(read(os.path.join(res, "qemu.pid")) or 0)}, "every call is QEMU's")

    # the boot: vCPU 0 starts each secondary once, before any CPU goes off
    first_off = next((i for i, r in enumerate(calls) if r["func"] == "PSCI_CPU_OFF"), len(calls))
    boot_on = [r for r in calls[:first_off] if r["func"] == "PSCI_CPU_ON"]
    c.check(len(boot_on) == vcpus - 1 and all(r["ret_name"] == SUCCESS and r["vcpu"] == 0 for r in boot_on),
            "vCPU 0 made %d successful CPU_ONs at boot (%d)" % (vcpus - 1, len(boot_on)))
    c.check({int(r["args"][0], 16) for r in boot_on} == booted, "the CPU_ONs target the MPIDRs the guest booted")
    for r in boot_on:
        mpidr = int(r["args"][0], 16)
        later = [x for x in calls if x["ts_ns"] > r["ts_ns"] and x["vcpu"] != 0]
        seen_before = {x["vcpu"] for x in calls if x["ts_ns"] < r["ts_ns"]}
        newcomer = next((x["vcpu"] for x in later if x["vcpu"] not in seen_before), None)
        c.check(newcomer is not None and kvm_mpidr(newcomer) == mpidr,
                "after CPU_ON of mpidr %#x the vCPU that comes up is vCPU %s, KVM's for that MPIDR" % (mpidr, newcomer))
    # the hotplug of the last CPU
    last = vcpus - 1
    rest = calls[first_off:]
    c.check(rest and rest[0]["vcpu"] == last, "the CPU_OFF comes from vCPU %d" % last)
    c.check(any(r["func"] == "PSCI_AFFINITY_INFO" and int(r["args"][0], 16) == kvm_mpidr(last) for r in rest),
            "another vCPU asks AFFINITY_INFO about vCPU %d" % last)
    again = [r for r in rest if r["func"] == "PSCI_CPU_ON"]
    c.check(len(again) == 1 and again[0]["ret_name"] == SUCCESS and int(again[0]["args"][0], 16) == kvm_mpidr(last),
            "one successful CPU_ON brings vCPU %d back" % last)

    # the flow view
    flow = load(os.path.join(res, "psci.jsonl"))
    tl = timeline(flow)
    up = [("off", "on_pending", "cpu_on"), ("on_pending", "on", "running")]
    c.check(tl.get(0) == [("unknown", "on", "first_call"), ("on", "off", "system_off")],
            "flow: vCPU 0 on from its first call, off at SYSTEM_OFF (%s)" % tl.get(0))
    for v in range(1, vcpus):
        want = up + ([("on", "off", "cpu_off")] + up if v == last else []) + [("on", "off", "system_off")]
        c.check(tl.get(v) == want, "flow: vCPU %d timeline %s, expected %s" % (v, tl.get(v), want))
    entries = {x["args"][1] for x in calls if x["func"] == "PSCI_CPU_ON"}	# (another tracer: another t0)
    for r in flow:
        if r["type"] == "psci_transition" and r["cause"] == "cpu_on":
            c.check(int(r["mpidr"], 16) == kvm_mpidr(r["vcpu"]) and r["entry"] in entries and r["by_vcpu"] is not None,
                    "flow: the CPU_ON of vCPU %d names its MPIDR, its caller and the entry point" % r["vcpu"])
    anomalies = [r["message"] for r in flow if r["type"] == "psci_anomaly"]
    c.check(not anomalies, "flow: a healthy guest has no anomaly (%s)" % anomalies)
    states = {r["vcpu"]: r for r in flow if r["type"] == "psci_vcpu"}
    c.check(sorted(states) == list(range(vcpus)) and all(s["state"] == "off" for s in states.values()),
            "flow: %d vCPUs, all off at the end" % vcpus)
    c.check(sum(s["cpu_on_ok"] for s in states.values()) == vcpus, "flow: %d successful CPU_ONs" % vcpus)
    c.check(timeline(load(os.path.join(res, "report-psci.jsonl"))) == tl,
            "report --psci of the recording has the same timeline")
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
