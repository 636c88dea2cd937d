#!/usr/bin/env python3
"""Guest symbols against the guest's own kallsyms: the Linux guest under Debian's QEMU.

usage: check_guest_syms.py RESULTS_DIR TOOL

RESULTS_DIR is what tests/vm/scenarios/qemu-guest.sh left: each boot's /proc/kallsyms
as the guest sent it through a virtio serial port (guest-kallsyms-N), the console
(guest-console.log, with a few of those kallsyms lines as the guest printed them), and
the recording (trace.rec) rendered in the emulated host with each boot's kallsyms
(report-sym-N.jsonl). TOOL is the x86 smccctrace, which renders the same recording with
the same files here, as calls and as the PSCI view.

The checks: each copy is whole and the guest's own (the console's lines are in it);
every call of boot N, symbolized with boot N's kallsyms, has the pc_sym that the
kallsyms says (the code symbol at or below the PC, the PC before the next symbol),
none is unknown, and every PSCI call is at the kernel's PSCI call site
(__invoke_psci_fn_hvc, or __arm_smccc_hvc that it calls); the x86 report of the same
recording with the same file gives the same pc_sym for every call, and its PSCI view
names each hotplug operation's call site, that of its CPU_OFF or CPU_ON, and each
power-state transition that of its call. Prints '#
qemu-guest-syms: N passed, N failed' and sample lines."""
import bisect
import os
import re
import subprocess
import sys

from checklib import Checker, load_jsonl  # noqa: E402 (tests/vm/checklib.py)

PSCI_CALL_SITES = {"__invoke_psci_fn_hvc", "__arm_smccc_hvc"}


class Kallsyms:
    """The file as nm types say: code symbols name PCs, every other symbol ends them"""

    def __init__(self, path):
        self.lines = set()
        starts = {}
        with open(path, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                self.lines.add(line)
                parts = line.split()
                if len(parts) < 3:
                    continue
                addr, typ, name = int(parts[0], 16), parts[1], parts[2]
                if typ in "aAUuN" or addr == 0:
                    continue
                names = starts.setdefault(addr, [False, set()])
                if typ in "tTwW":
                    names[0] = True
                    names[1].add(name if len(parts) == 3 else "%s [%s]" % (name, parts[3].strip("[]")))
        self.addrs = sorted(starts)
        self.starts = starts

    def containing(self, pc):
        """(names, offset) of the code symbol containing pc, or None"""
        i = bisect.bisect_right(self.addrs, pc) - 1
        if i < 0:
            return None
        addr = self.addrs[i]
        code, names = self.starts[addr]
        if not code or i + 1 >= len(self.addrs):
            return None
        return names, pc - addr

    def address(self, name):
        return next((a for a in self.addrs if name in self.starts[a][1]), None)


def split_name(pc_sym):
    m = re.match(r"^(\S+)\+0x([0-9a-f]+)( \[(.+)\])?$", pc_sym or "")
    return (m.group(1) + (" [%s]" % m.group(4) if m.group(4) else ""), int(m.group(2), 16)) if m else (None, None)


def boots(records):
    """the calls of boot 1 (up to SYSTEM_RESET) and of boot 2"""
    calls = [r for r in records if r.get("type") == "call"]
    reset = next((i for i, r in enumerate(calls) if r["func"] == "PSCI_SYSTEM_RESET"), len(calls) - 1)
    return {1: calls[:reset + 1], 2: calls[reset + 1:]}


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    res, tool = sys.argv[1], sys.argv[2]
    c = Checker("qemu-guest-syms")
    console = ""
    try:
        with open(os.path.join(res, "guest-console.log"), errors="replace") as f:
            console = f.read()
    except OSError:
        pass
    samples = []
    for boot in (1, 2):
        path = os.path.join(res, "guest-kallsyms-%d" % boot)
        ks = Kallsyms(path) if os.path.exists(path) else None
        c.check(ks is not None and len(ks.addrs) > 10000, "boot %d: the guest's kallsyms came out (%d symbols)" % (
            boot, len(ks.addrs) if ks else 0))
        if not ks:
            continue
        printed = re.findall(r"smccctrace-guest: boot %d: kallsyms: (.+)" % boot, console)
        c.check(len(printed) >= 3 and all(line in ks.lines for line in printed),
                "boot %d: the copy holds the lines the guest printed (%s)" % (boot, printed))
        sent = re.search(r"smccctrace-guest: boot %d: kallsyms sent \(([0-9.]+) s to ([0-9.]+) s\)" % boot, console)
        c.check(sent is not None, "boot %d: the guest sent it" % boot)
        if sent:
            samples.append("boot %d: the guest's cat /proc/kallsyms to the port: %.2f s" % (
                boot, float(sent.group(2)) - float(sent.group(1))))
        try:
            with open(os.path.join(res, "report-sym-%d.uptime" % boot)) as f:
                t = [float(x) for x in f.read().split()]
            samples.append("boot %d: report --guest-kallsyms in the emulated host: %.2f s" % (boot, t[1] - t[0]))
        except (OSError, ValueError, IndexError):
            pass
        rc = ""
        try:
            with open(os.path.join(res, "report-sym-%d.rc" % boot)) as f:
                rc = f.read().strip()
        except OSError:
            pass
        c.check(rc == "0", "boot %d: report --guest-kallsyms in the emulated host exited %s" % (boot, rc or "(nothing)"))
        host = load_jsonl(os.path.join(res, "report-sym-%d.jsonl" % boot)) if rc == "0" else []
        calls = boots(host)[boot]
        psci = [r for r in calls if r["service"] == "psci"]
        c.check(len(psci) >= 4, "boot %d: %d PSCI calls, %d calls" % (boot, len(psci), len(calls)))
        wrong = []
        for r in calls:
            want = ks.containing(int(r["pc"], 16))
            name, off = split_name(r.get("pc_sym"))
            if want is None or name not in want[0] or off != want[1]:
                wrong.append((r["func"], r["pc"], r.get("pc_sym"), want))
        c.check(calls and not wrong, "boot %d: every call's pc_sym is the guest's symbol containing its PC (%d wrong: %s)"
                % (boot, len(wrong), wrong[:3]))
        sites = sorted({split_name(r.get("pc_sym"))[0] for r in psci})
        c.check(psci and all(split_name(r.get("pc_sym"))[0] in PSCI_CALL_SITES for r in psci),
                "boot %d: every PSCI call at the kernel's PSCI call site (%s)" % (boot, sites))
        # the same recording, the same file, on x86
        out = os.path.join(res, "x86-report-sym-%d.jsonl" % boot)
        p = subprocess.run([tool, "report", os.path.join(res, "trace.rec"), "--json", "--guest-kallsyms", path,
                            "-o", out], stderr=subprocess.PIPE, text=True)
        x86 = load_jsonl(out) if p.returncode == 0 else []
        c.check(p.returncode == 0, "boot %d: report --guest-kallsyms on x86 exited %d %s" % (
            boot, p.returncode, p.stderr.strip()))
        same = [(r["ts_ns"], r["pc"], r.get("pc_sym")) for r in x86 if r.get("type") == "call"]
        c.check(same and same == [(r["ts_ns"], r["pc"], r.get("pc_sym")) for r in host if r.get("type") == "call"],
                "boot %d: x86's report gives every call the same pc_sym (%d calls)" % (boot, len(same)))
        # the PSCI view of the same recording: each of this boot's operations from its call's site
        out = os.path.join(res, "x86-report-psci-sym-%d.jsonl" % boot)
        p = subprocess.run([tool, "report", os.path.join(res, "trace.rec"), "--psci", "--json", "--on-timeout", "5000",
                            "--poll-limit", "1100", "--poll-time", "5000", "--guest-kallsyms", path, "-o", out],
                           stderr=subprocess.PIPE, text=True)
        view = [r for r in (load_jsonl(out) if p.returncode == 0 else []) if r.get("boot") == boot]
        ops = [r for r in view if r["type"] == "psci_operation"]
        by_ts = {r["ts_ns"]: r.get("pc_sym") for r in calls}
        c.check(p.returncode == 0 and len(ops) >= 2 and all(r["pc_sym"] == by_ts.get(r["ts_ns"]) and
                                                          split_name(r["pc_sym"])[0] in PSCI_CALL_SITES for r in ops),
                "boot %d: report --psci: each of %d operations names its CPU_OFF's or CPU_ON's call site (%s)" % (
                    boot, len(ops), sorted({r.get("pc_sym") for r in ops})))
        # ... and each power-state transition its call's site (the call of that trap time
        # and function; a wakeup is timed at its CPU_SUSPEND's return, so it is left out)
        by_call = {(r["ts_ns"], r["func"]): r.get("pc_sym") for r in calls}
        moves = [r for r in view if r["type"] == "psci_transition" and r["cause"] != "wakeup"]
        wrong = [(r["cause"], r["func"], r.get("pc_sym", "absent")) for r in moves
                 if (r["ts_ns"], r["func"]) not in by_call or r.get("pc_sym", "absent") != by_call[(r["ts_ns"], r["func"])]]
        hotplug = [r for r in moves if r["cause"] in ("cpu_on", "cpu_off")]
        c.check(len(hotplug) >= 2 and not wrong and all(split_name(r["pc_sym"])[0] in PSCI_CALL_SITES for r in hotplug),
                "boot %d: report --psci: each of %d transitions names its call's site, %d CPU_ON/CPU_OFF at the "
                "PSCI call site (wrong: %s)" % (boot, len(moves), len(hotplug), wrong[:3]))
        samples.append("boot %d: report --psci: %d transitions (%d CPU_ON/CPU_OFF) named by their call's site" % (
            boot, len(moves), len(hotplug)))
        text = ks.address("_text")
        samples.append("boot %d: _text at %s; PSCI call sites %s" % (boot, hex(text) if text else None, sites))
        for r in psci[:2] + psci[-1:]:
            samples.append("boot %d: %s vcpu %d pc %s pc_sym %s" % (boot, r["func"], r["vcpu"], r["pc"], r["pc_sym"]))
    for s in samples:
        print("# figures: " + s)
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
