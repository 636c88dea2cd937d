#!/usr/bin/env python3
"""The table of `make bench`: reads the bench.jsonl that tests/vm/scenarios/bench.sh
wrote in the emulated host and prints Markdown (docs/performance.md has the same).

usage: table.py BENCH_JSONL [--check]

Per mode and kind of call, over the rounds: the time per call the guest measured, the
overhead (time per call minus that round's untraced time per call), the overhead as a
share of the untraced time (against (1)) and as a multiple of the floor's overhead in
the same round (against (2)): medians, with the spread (min-max) over the rounds. Then
the issue's targets, what each tool saw and cost, the ring buffer's losses at the
maximum call rate, and the BPF programs' run time per call.

--check: only validate the file (every line parses, every mode has its rounds, the
tools saw every call); exits 1 with one line per problem (the smoke test uses it)."""
import argparse
import json
import statistics
import sys

MODES = ["untraced", "floor", "summary", "stream", "record", "bpftrace", "ftrace",
         "summary-before", "stream-before", "record-before"]
LABELS = {
    "untraced": "(1) untraced",
    "floor": "(2) floor: count in a per-CPU array",
    "summary": "(3) smccctrace --summary",
    "stream": "(4) smccctrace --json > /dev/null",
    "record": "(5) smccctrace --record FILE",
    "bpftrace": "(6) bpftrace, same summary",
    "ftrace": "(7) ftrace kvm:kvm_hvc_arm64",
    "summary-before": "(3) --summary, the build before",
    "stream-before": "(4) --json, the build before",
    "record-before": "(5) --record, the build before",
}
KINDS = ["kvm", "forwarded"]
KIND_NAMES = {"kvm": "in-kernel", "forwarded": "forwarded"}
TRACER_NAMES = {"floor": "the floor", "summary": "--summary", "stream": "the stream (--json)",
                "bpftrace": "bpftrace", "summary-before": "--summary of the build before",
                "stream-before": "the stream of the build before"}
# issue 16's targets on BPF run time per call (tracer, against, at most that multiple;
# None: reported without a target), then the same against the build before, if measured
TARGETS = [
    ("summary", "bpftrace", 0.3, "kvm"),
    ("summary", "floor", 4, "kvm"),
    ("stream", "bpftrace", 0.4, "kvm"),
    ("summary", "bpftrace", None, "forwarded"),
    ("summary", "floor", None, "forwarded"),
    ("stream", "bpftrace", None, "forwarded"),
    ("summary", "summary-before", None, "kvm"),
    ("summary", "summary-before", None, "forwarded"),
    ("stream", "stream-before", None, "kvm"),
    ("stream", "stream-before", None, "forwarded"),
]


def load(path):
    lines = []
    with open(path) as f:
        for n, text in enumerate(f, 1):
            try:
                lines.append(json.loads(text))
            except ValueError as e:
                sys.exit(f"table.py: {path}:{n}: not JSON ({e})")
    return lines


def spread(values, fmt):
    """'median (min-max)' of values, or '-'"""
    if not values:
        return "-"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt.format(med)
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


class Bench:
    def __init__(self, lines):
        self.lines = lines
        self.start = next((l for l in lines if l["type"] == "bench-start"), {})
        self.skipped = {l["mode"]: l["reason"] for l in lines if l["type"] == "skip"}
        # ns[mode][kind][round]; the untraced runs also by the mode they pair with:
        # base[mode][kind][round]
        self.ns, self.base, self.untraced = {}, {}, {}
        for l in lines:
            if l["type"] != "run" or l["mode"] not in MODES:
                continue
            if l["mode"] == "untraced":
                self.base.setdefault(l["pair"], {}).setdefault(l["kind"], {})[l["round"]] = l["ns_per_call"]
                self.untraced.setdefault(l["kind"], []).append(l["ns_per_call"])
                self.ns.setdefault("untraced", {})
            else:
                self.ns.setdefault(l["mode"], {}).setdefault(l["kind"], {})[l["round"]] = l["ns_per_call"]
        self.tools = [l for l in lines if l["type"] == "tool"]
        self.loss = [l for l in lines if l["type"] == "run" and l["mode"] == "loss"]
        self.bpf = [l for l in lines if l["type"] == "run" and l["mode"] == "bpf-stats"]
        self.modes = [m for m in MODES if m in self.ns]

    def overheads(self, mode, kind):
        """{round: overhead ns per call} against the untraced run just before it"""
        base = self.base.get(mode, {}).get(kind, {})
        runs = self.ns.get(mode, {}).get(kind, {})
        return {r: t - base[r] for r, t in runs.items() if r in base}

    def ratios(self, mode, kind, against):
        """{round: overhead(mode) / overhead(against)}, rounds where the latter is > 0"""
        mine, theirs = self.overheads(mode, kind), self.overheads(against, kind)
        return {r: o / theirs[r] for r, o in mine.items() if theirs.get(r, 0) > 0}

    def bpf_ns(self, tracer, kind):
        """{round: BPF run time per call of a tracer's programs}"""
        return {l["round"]: sum(p["run_time_ns"] for p in l["progs"]) / l["calls"]
                for l in self.bpf if l["tracer"] == tracer and l["kind"] == kind}

    def bpf_ratios(self, tracer, kind, against):
        """{round: BPF run time per call of tracer / that of against}"""
        mine, theirs = self.bpf_ns(tracer, kind), self.bpf_ns(against, kind)
        return {r: t / theirs[r] for r, t in mine.items() if theirs.get(r, 0) > 0}

    def guest_ratio(self, mode, kind, against):
        """overhead(mode) / overhead(against) in the guest, per round; None with the
        reason when against's overhead is not above the noise in every round (a ratio
        to a difference of two noisy times that is sometimes negative means nothing)"""
        theirs = self.overheads(against, kind)
        if not theirs:
            return None, "not measured"
        if min(theirs.values()) <= 0:
            return None, (f"not measurable: the overhead of {against}, {spread(list(theirs.values()), '{:.0f}')} ns, "
                          "is within the untraced loop's run-to-run noise")
        return list(self.ratios(mode, kind, against).values()), None

    @staticmethod
    def counted(t):
        """the calls of the timed loops a tool saw: its count less the canary calls
        (tests/vm/scenarios/bench.sh await_live) it counted"""
        return None if t["seen"] is None else t["seen"] - t.get("canary_min", 0)

    def check(self):
        problems = []
        if not self.start:
            problems.append("no bench-start line")
        if not any(l["type"] == "bench-end" for l in self.lines):
            problems.append("no bench-end line: the scenario did not finish")
        runs = self.start.get("runs", 0)
        for mode in self.modes:
            if mode == "untraced":
                continue
            for kind in KINDS:
                got = len(self.ns.get(mode, {}).get(kind, {}))
                if got != runs:
                    problems.append(f"{mode} {kind}: {got} rounds, expected {runs}")
                if len(self.overheads(mode, kind)) != got:
                    problems.append(f"{mode} {kind}: a round without its untraced pair")
        for mode in MODES[1:7]:
            if mode not in self.ns and mode not in self.skipped:
                problems.append(f"{mode}: neither measured nor skipped")
        for t in self.tools + self.loss:
            if t["seen"] is None and t in self.tools:
                continue
            what = f"round {t['round']} {t['mode']}" if t in self.tools else f"loss {t['buffer']}"
            low, high = t["calls"] + t.get("canary_min", 0), t["calls"] + t.get("canary_max", 0)
            if t["seen"] is None or not low <= t["seen"] + (t["lost"] or 0) <= high:
                problems.append(f"{what}: saw {t['seen']} + lost {t['lost']} of {t['calls']} calls "
                                f"and {t.get('canary_min', 0)}–{t.get('canary_max', 0)} canary calls")
        if not any(l["buffer"] == "default" for l in self.loss):
            problems.append("no loss measurement with the default buffer")
        for l in self.bpf:
            if not l["progs"]:
                problems.append(f"bpf-stats {l['tracer']} {l['kind']}: no program ran")
        return problems

    def print(self, out):
        w = out.write
        calls = self.start.get("calls", {})
        w(f"Kernel {self.start.get('kernel')} in the emulated host ({self.start.get('cpus')} CPUs), "
          f"{self.start.get('runs')} rounds of {calls.get('kvm')} in-kernel (`SMCCC_VERSION`, HVC) and "
          f"{calls.get('forwarded')} forwarded (OEM, answered by the VMM) calls per mode; "
          "medians over the rounds, (min–max). A mode's overhead is its time per call minus "
          "that of the untraced run just before it; vs (2) divides it by the floor's overhead "
          "of the same round, n/a where that is not above the noise in every round.\n\n")
        w("| mode | kind | ns/call | overhead ns/call | vs (1) untraced | vs (2) floor |\n")
        w("|---|---|---:|---:|---:|---:|\n")
        for mode in self.modes:
            for kind in KINDS:
                if mode == "untraced":
                    times = self.untraced.get(kind, [])
                else:
                    times = list(self.ns[mode].get(kind, {}).values())
                over = list(self.overheads(mode, kind).values())
                base = self.base.get(mode, {}).get(kind, {})
                rel = [o / base[r] * 100 for r, o in self.overheads(mode, kind).items() if base.get(r)]
                ratio, _ = self.guest_ratio(mode, kind, "floor")
                is_base = mode == "untraced"
                w(f"| {LABELS[mode]} | {kind} | {spread(times, '{:.0f}')} | "
                  f"{'-' if is_base else spread(over, '{:.0f}')} | "
                  f"{'-' if is_base else spread(rel, '{:+.0f}%')} | "
                  f"{'-' if is_base or mode == 'floor' else spread(ratio, '{:.2f}×') if ratio else 'n/a'} |\n")
        for mode, why in self.skipped.items():
            w(f"| {LABELS.get(mode, mode)} | - | skipped: {why} | | | |\n")

        w("\nTargets (BPF run time per call, the pass below, is the kernel-side cost without the "
          "emulated guest's own time, whose run-to-run noise swamps the guest-side ratios; "
          "ratios per round of this boot, then the median (min–max)):\n\n")
        w("| target | measured | met |\n|---|---:|---|\n")
        for tracer, against, limit, kind in TARGETS:
            if limit is None and not self.bpf_ns(against, kind):
                continue	# e.g. no build before in this run
            r = list(self.bpf_ratios(tracer, kind, against).values())
            met = ("yes" if statistics.median(r) <= limit else "no") if r and limit else "-"
            what = (f"≤ {limit}× that of {TRACER_NAMES[against]}" if limit
                    else f"against {TRACER_NAMES[against]} (no target)")
            w(f"| BPF run time per {KIND_NAMES[kind]} call of {TRACER_NAMES[tracer]} {what} | "
              f"{spread(r, '{:.2f}×') if r else 'n/a'} | {met} |\n")
        for against in ("floor", "bpftrace"):
            r, why = self.guest_ratio("summary", "kvm", against)
            w(f"| overhead(--summary) against overhead({against}), per in-kernel call in the guest "
              f"(no target) | {spread(r, '{:.2f}×') if r else why} | - |\n")
        default = [l for l in self.loss if l["buffer"] == "default"]
        if default:
            lost = sum(l["lost"] for l in default)
            w(f"| stream: no loss at the maximum call rate, default buffer | {lost} lost | "
              f"{'yes' if lost == 0 else 'no'} |\n")

        w("\nWhat each tool saw and cost (per round: both loops; CPU is the tool's own, user + "
          "system, from when it was tracing to its exit; RSS is its peak, VmHWM):\n\n")
        w("| mode | calls seen | lost | CPU s per 1M calls | peak RSS MiB |\n|---|---:|---:|---:|---:|\n")
        for mode in self.modes:
            rows = [t for t in self.tools if t["mode"] == mode]
            if mode == "untraced" or not rows:
                continue
            seen = [self.counted(t) for t in rows if t["seen"] is not None]
            lost = [t["lost"] for t in rows if t["lost"] is not None]
            cpu = [t["cpu_s"] / self.counted(t) * 1e6 for t in rows if t["cpu_s"] is not None and self.counted(t)]
            rss = [t["rss_kib"] / 1024 for t in rows if t["rss_kib"]]
            w(f"| {LABELS[mode]} | {spread(seen, '{:.0f}')} of {rows[0]['calls']} | "
              f"{spread(lost, '{:.0f}')} | {spread(cpu, '{:.1f}')} | {spread(rss, '{:.1f}')} |\n")

        if self.loss:
            w("\nLosses at the guest's maximum call rate (in-kernel calls back to back, "
              "`smccctrace --json > /dev/null`):\n\n")
            w("| --buffer | calls/s | calls | seen | lost |\n|---|---:|---:|---:|---:|\n")
            for l in self.loss:
                w(f"| {l['buffer']} | {l['calls_per_s']} | {l['calls']} | {self.counted(l)} | {l['lost']} |\n")

        if self.bpf:
            w("\nBPF run time per call (kernel.bpf_stats_enabled, a pass of its own, round after round; "
              "run_time_ns / calls of each program, medians over the rounds):\n\n")
            w("| tracer | kind | BPF ns/call | vs floor | programs (ns/call) |\n|---|---|---:|---:|---|\n")
            per_call = {}
            for l in self.bpf:
                per_call.setdefault((l["tracer"], l["kind"]), []).append(
                    (sum(p["run_time_ns"] for p in l["progs"]) / l["calls"], l))
            for (tracer, kind), rows in per_call.items():
                totals = [t for t, _ in rows]
                floor = per_call.get(("floor", kind))
                ratio = statistics.median(totals) / statistics.median([t for t, _ in floor]) if floor else None
                progs = {}
                for _, l in rows:
                    seen = {}
                    for p in l["progs"]:  # bpftrace names its entry and exit probes alike
                        seen[p["name"]] = seen.get(p["name"], 0) + 1
                        label = p["name"] if seen[p["name"]] == 1 else f"{p['name']} ({seen[p['name']]})"
                        progs.setdefault(label, []).append(p["run_time_ns"] / l["calls"])
                names = ", ".join(f"{n} {statistics.median(v):.0f}" for n, v in progs.items())
                w(f"| {tracer} | {kind} | {spread(totals, '{:.0f}')} | "
                  f"{'-' if tracer == 'floor' or ratio is None else f'{ratio:.1f}×'} | {names} |\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("jsonl")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    bench = Bench(load(args.jsonl))
    if args.check:
        problems = bench.check()
        for p in problems:
            print(f"table.py: {p}")
        return 1 if problems else 0
    bench.print(sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
