#!/usr/bin/env python3
"""Checks smccctrace --summary output (tests/vm/scenarios/summary.sh) against the test
VMM's ground truth.

usage: check_summary.py RESULTS_DIR [--label NAME]

- per (vcpu, function, disposition) the counts equal the truth exactly (unknown IDs
  folded per service, as the host tool's decoder labels them), in the JSON
  documents (two groupings, fentry and kprobe), in the text table, and summed over
  -i intervals;
- every latency histogram adds up to its count (JSON buckets, text log2 lines);
  percentiles are ordered and within [min bucket, max]; the VMM's round trip is at
  least what the VMM measured;
- intervals are contiguous, numbered, the last one final; -c, -d and SIGINT end the
  tracer with exit 0 and a final document;
- --by site (sum-key, the whole key): per (vcpu, function, disposition, PC) the counts
  equal the truth, each site's pc_sym is the symbol the test guest's kallsyms
  (smccc-testvmm --kallsyms) gives its PC and names the truth's label of the calls
  made there; `report --summary` of the same run's recording has the same rows.
Prints one line per failed check and '# NAME: N passed, N failed'; exits 1 on failure."""
import argparse
import collections
import json
import os
import re
import sys

from checklib import Checker, load_jsonl, summary_labels  # noqa: E402 (tests/vm/checklib.py)


def read(path):
    with open(path) as f:
        return f.read()


LABELS = {}  # function ID -> the func label the summary counts it under (main() fills it)


def label(t):
    return LABELS[int(t["func_id"], 16)]


def truth_counts(truth, key=lambda t: (t["vcpu"], label(t), t["expect"])):
    return collections.Counter(key(t) for t in truth if t.get("type") == "call")


def vmm_delays(truth):
    """Per (vcpu, func label), and per (vcpu, func label, pc): the VMM's measured hold
    times of forwarded calls."""
    d = collections.defaultdict(list)
    for t in truth:
        if t.get("type") == "call" and t["expect"] == "forwarded":
            d[(t["vcpu"], label(t))].append(t["vmm_delay_ns"])
            d[(t["vcpu"], label(t), int(t["pc"], 16))].append(t["vmm_delay_ns"])
    return d


def num(v):
    """A count or ns: an integer, or a decimal string above 2^53."""
    return int(v)


def check_latency(c, label, lat, count):
    """One kvm_ns / vmm_ns object: buckets add up to count; percentiles are sane."""
    if not c.check(lat is not None, "%s: latency present" % label):
        return
    buckets = lat["buckets"]
    c.check(num(lat["count"]) == count and sum(num(b["count"]) for b in buckets) == count,
            "%s: count %s, buckets add up to %d, want %d"
            % (label, lat["count"], sum(num(b["count"]) for b in buckets), count))
    c.check(all(num(b["lo"]) <= num(b["hi"]) for b in buckets)
            and all(num(a["hi"]) < num(b["lo"]) for a, b in zip(buckets, buckets[1:])),
            "%s: buckets ordered and disjoint" % label)
    lo, mx = num(buckets[0]["lo"]), num(lat["max"])
    ps = [num(lat["p50"]), num(lat["p90"]), num(lat["p99"])]
    c.check(lo <= ps[0] <= ps[1] <= ps[2] <= mx <= num(buckets[-1]["hi"]),
            "%s: lowest bucket %d <= p50 %d <= p90 %d <= p99 %d <= max %d" % (label, lo, *ps, mx))
    c.check(num(lat["sum"]) >= count * lo and num(lat["sum"]) <= count * mx,
            "%s: sum %s within count x [min, max]" % (label, lat["sum"]))


# how late a tracer's timer may fire on a loaded emulated host (its vCPUs can stall for
# seconds); early is never allowed
STALL_NS = 10 * 1000000000


def grid_lateness(ends, interval):
    """How late each interval ended after its grid point. The tracer's rule
    (src/tracer.c, run_summary): the first point is one interval after attach, and
    after an interval ends at t the next point is the first multiple of the interval
    after t (a late wakeup skips the points it missed instead of drifting)."""
    late, point = [], interval
    for e in ends:
        late.append(e - point)
        point = (e // interval + 1) * interval
    return late


def group_key(g):
    return (g["vcpu"], g["func_label"], g["disposition"])


def check_doc_groups(c, label, doc, delays=None, max_unanswered=0):
    """Every group of one document: histograms, and the VMM round trip.

    A forwarded call the VMM still held when the trace ended is counted but unanswered,
    and stays out of the VMM histogram (docs/json.md). Only a tracer that stops while
    its VMM runs (-c, -d, SIGINT) can end with such calls, at most one per vCPU, and only
    in its final document: max_unanswered says how many this document may have."""
    disp = collections.Counter()
    unanswered = 0
    for g in doc["groups"]:
        k = "%s %s" % (label, {f: g.get("func_label" if f == "func" else f) for f in doc["by"]})
        count = num(g["count"])
        disp[g.get("disposition")] += count
        unanswered += num(g["unanswered"])
        c.check(num(g["parked"]) == 0, "%s: no parked calls (the full scenario parks none)" % k)
        check_latency(c, k + " kvm_ns", g["kvm_ns"], count)
        if g.get("disposition") == "forwarded":
            answered = count - num(g["unanswered"]) - num(g["parked"])
            if answered:
                check_latency(c, k + " vmm_ns", g["vmm_ns"], answered)
            else:
                c.check(g["vmm_ns"] is None, "%s: no VMM round trip when none was answered" % k)
            if delays is not None and "vcpu" in g and "func_label" in g:
                want = delays.get((g["vcpu"], g["func_label"]) + ((int(g["pc"], 16),) if "pc" in g else ()), [])
                c.check(g["vmm_ns"] is not None and num(g["vmm_ns"]["max"]) >= max(want, default=0)
                        and num(g["vmm_ns"]["sum"]) >= sum(want),
                        "%s: VMM round trip (max %s, sum %s) >= the VMM's own hold times (max %s, sum %s)"
                        % (k, g["vmm_ns"] and g["vmm_ns"]["max"], g["vmm_ns"] and g["vmm_ns"]["sum"],
                           max(want, default=0), sum(want)))
        elif "disposition" in g:
            c.check(g["vmm_ns"] is None and num(g["unanswered"]) == 0,
                    "%s: no VMM round trip and nothing unanswered unless forwarded" % k)
    c.check(unanswered <= max_unanswered, "%s: %d unanswered calls, at most %d expected"
            % (label, unanswered, max_unanswered))
    c.check(num(doc["calls"]) == sum(num(g["count"]) for g in doc["groups"]),
            "%s: calls %s = sum of the groups" % (label, doc["calls"]))
    if "disposition" in doc["by"]:
        c.check(all(num(doc["by_disposition"][d]) == disp[d] for d in ("kvm", "denied", "forwarded", "refused")),
                "%s: by_disposition %s = the groups' %s" % (label, doc["by_disposition"], dict(disp)))
    c.check(num(doc["lost"]) == 0, "%s: nothing lost" % label)


def check_single(c, results, name, truth, by, site=False):
    """A run without -i: one final document whose groups equal the truth (per call site
    too with site)."""
    path = os.path.join(results, name + ".jsonl")
    if not c.check(os.path.exists(path), "%s exists" % path):
        return None
    docs = load_jsonl(path)
    c.check(len(docs) == 1 and docs[0]["type"] == "interval" and docs[0]["final"] and docs[0]["interval"] == 1,
            "%s: one final interval document (got %d)" % (name, len(docs)))
    c.check(read(os.path.join(results, name + ".rc")).strip() == "0", "%s: tracer exited 0" % name)
    if not docs:
        return None
    doc = docs[-1]
    c.check(doc["by"] == by, "%s: by %s, want %s" % (name, doc["by"], by))
    if site:
        got = collections.Counter({group_key(g) + (int(g["pc"], 16),): num(g["count"]) for g in doc["groups"]})
        want = truth_counts(truth, key=lambda t: (t["vcpu"], label(t), t["expect"], int(t["pc"], 16)))
    else:
        got = collections.Counter({group_key(g): num(g["count"]) for g in doc["groups"]})
        want = truth_counts(truth)
    c.check(got == want, "%s: counts per (vcpu, func, disposition%s) equal the truth:\n  got  %s\n  want %s"
            % (name, ", pc" if site else "", sorted(got.items()), sorted(want.items())))
    c.check(len(doc["groups"]) == len(got), "%s: one group per key" % name)
    counts = [num(g["count"]) for g in doc["groups"]]
    c.check(counts == sorted(counts, reverse=True), "%s: groups sorted by count" % name)
    check_doc_groups(c, name, doc, vmm_delays(truth))
    return doc


def kallsyms_lookup(path):
    """The test guest's kallsyms as a function pc -> "symbol+0xoff", or None: the
    code symbol at or below pc, unless another symbol starts between them."""
    syms = []
    for line in read(path).splitlines():
        addr, kind, name = line.split()[:3]
        syms.append((int(addr, 16), kind, name))
    syms.sort()

    def lookup(pc):
        below = [s for s in syms if s[0] <= pc]
        if not below or below[-1][1] not in "tT":
            return None
        return "%s+0x%x" % (below[-1][2], pc - below[-1][0])
    return lookup


def check_sites(c, results, doc, truth):
    """sum-key's call sites: named from the guest's kallsyms, as the truth labels them;
    the recording summarised by report gives the same rows."""
    lookup = kallsyms_lookup(os.path.join(results, "guest-kallsyms-a"))
    labels = collections.defaultdict(set)
    for t in truth:
        if t.get("type") == "call":
            labels[(t["vcpu"], int(t["pc"], 16))].add(t["label"])
    named = 0
    for g in doc["groups"]:
        pc = int(g["pc"], 16)
        want = lookup(pc)
        c.check(g.get("pc_sym", "absent") == want and want is not None,
                "sum-key: site %s named %r, the guest's kallsyms gives %r" % (g["pc"], g.get("pc_sym", "absent"), want))
        c.check(want is not None and labels[(g["vcpu"], pc)] == {want.split("+")[0]},
                "sum-key: site %s of vCPU %d (%s) is where the truth's %s calls were made"
                % (g["pc"], g["vcpu"], want, sorted(labels[(g["vcpu"], pc)])))
        named += want is not None
    c.check(named == len(doc["groups"]) > 0, "sum-key: every site named (%d of %d)" % (named, len(doc["groups"])))
    rep = load_jsonl(os.path.join(results, "report-site.jsonl"))

    def rows(d):
        return sorted((g["pid"], g["vm"], g["vcpu"], g["pc"], g.get("pc_sym"), g["func_label"], g["disposition"],
                       num(g["count"]), num(g["unanswered"]), num(g["parked"])) for g in d["groups"])
    c.check(len(rep) == 1 and rep[0]["by"] == doc["by"] and rows(rep[0]) == rows(doc),
            "report --summary --by ...,site of the recording has the live rows:\n  report %s\n  live   %s"
            % (rep and rows(rep[0]), rows(doc)))


def check_text(c, results, truth):
    """The text table and its log2 histograms (-s -T --by vcpu,func,disposition)."""
    text = read(os.path.join(results, "sum-text.txt"))
    c.check(read(os.path.join(results, "sum-text.rc")).strip() == "0", "sum-text: tracer exited 0")
    lines = text.splitlines()
    c.check(bool(lines) and re.fullmatch(r"\d\d:\d\d:\d\d\s*", lines[0]) is not None,
            "sum-text: -T puts the time first: %r" % (lines[0] if lines else None))
    c.check(len(lines) > 1 and lines[1].split()[:4] == ["VCPU", "FUNCTION", "DISP", "COUNT"],
            "sum-text: table header: %r" % (lines[1] if len(lines) > 1 else None))
    got = collections.Counter()
    i = 2
    while i < len(lines) and lines[i].strip():
        f = lines[i].split()
        got[(int(f[0]), f[1], f[2])] = int(f[3])
        i += 1
    want = truth_counts(truth)
    c.check(got == want, "sum-text: table counts equal the truth:\n  got  %s\n  want %s"
            % (sorted(got.items()), sorted(want.items())))
    # histograms: "vcpu = 0, func = X, disposition = kvm: time in KVM", then log2 lines
    hist = collections.Counter()
    title = None
    for line in lines[i:]:
        m = re.fullmatch(r"vcpu = (\d+), func = (\S+), disposition = (\w+): (time in KVM|VMM round trip)", line)
        if m:
            title = (int(m[1]), m[2], m[3], m[4])
            continue
        m = re.fullmatch(r"\s*(\d+) -> (\d+)\s*: (\d+)\s*\|[* ]*\|", line)
        if m and title:
            hist[title] += int(m[3])
    for (v, name, d), n in want.items():
        c.check(hist[(v, name, d, "time in KVM")] == n,
                "sum-text: time-in-KVM histogram of %s adds up to %d (got %d)"
                % ((v, name, d), n, hist[(v, name, d, "time in KVM")]))
        if d == "forwarded":
            c.check(hist[(v, name, d, "VMM round trip")] == n,
                    "sum-text: VMM histogram of %s adds up to %d" % ((v, name, d), n))
    c.check(not any(k[3] == "VMM round trip" and k[2] != "forwarded" for k in hist),
            "sum-text: VMM histograms for forwarded calls only")


def check_intervals(c, results, truth):
    docs = load_jsonl(os.path.join(results, "intervals.jsonl"))
    c.check(read(os.path.join(results, "intervals.rc")).strip() == "0", "intervals: tracer exited 0")
    c.check(len(docs) >= 3, "intervals: at least 3 interval documents (got %d)" % len(docs))
    c.check([d["interval"] for d in docs] == list(range(1, len(docs) + 1)), "intervals: numbered 1..N")
    c.check([d["final"] for d in docs] == [False] * (len(docs) - 1) + [True], "intervals: only the last is final")
    c.check(all(a["end_ns"] == b["start_ns"] for a, b in zip(docs, docs[1:])) and docs[0]["start_ns"] == 0,
            "intervals: contiguous, from 0")
    # interval k ends on the 0.25 s grid: never before its grid point (a late one is
    # made up by the next, so the grid does not drift), and a typical one is on time
    ends = [num(d["end_ns"]) for d in docs[:-1]]
    late = grid_lateness(ends, 250000000)
    c.check(late and all(-5000000 <= x < STALL_NS for x in late) and sorted(late)[len(late) // 2] < 100000000,
            "intervals: -i 0.25 ends on the 0.25 s grid, never early, median on time: late by %s ms"
            % [x // 1000000 for x in late])
    busy = [d for d in docs if num(d["calls"]) > 0]
    c.check(len(busy) >= 2, "intervals: calls in at least two intervals (%d)" % len(busy))
    total = collections.Counter()
    for d in docs:
        check_doc_groups(c, "intervals #%d" % d["interval"], d)
        for g in d["groups"]:
            total[group_key(g)] += num(g["count"])
    want = truth_counts(truth)
    c.check(total == want, "intervals: the intervals add up to the truth:\n  got  %s\n  want %s"
            % (sorted(total.items()), sorted(want.items())))
    # the text form of the same: as many blocks as intervals, each with a table
    text = read(os.path.join(results, "intervals.txt"))
    blocks = re.findall(r"^\d\d:\d\d:\d\d\s*\nVCPU\s+DISP\s+COUNT", text, re.M)
    c.check(len(blocks) >= 3, "intervals.txt: one timestamped table per interval (%d)" % len(blocks))
    rows = re.findall(r"^(\d+)\s+(kvm|denied|forwarded|refused)\s+(\d+)\s", text, re.M)
    per = collections.Counter()
    for v, d, n in rows:
        per[(int(v), d)] += int(n)
    want_vd = truth_counts(truth, key=lambda t: (t["vcpu"], t["expect"]))
    c.check(per == want_vd, "intervals.txt: per (vcpu, disposition), the intervals add up to the truth:\n"
            "  got  %s\n  want %s" % (sorted(per.items()), sorted(want_vd.items())))


def check_endings(c, results, truth):
    """-c, -d and SIGINT: the tracer ends by itself, exit 0, the last document final."""
    def vcpus_in(t):
        return len({x["vcpu"] for x in t if x.get("type") == "call"})
    for name, ndocs in (("count", 3), ("duration", 1), ("sigint", 1)):
        run_truth = {"count": "c", "duration": "d"}.get(name)
        run_truth = load_jsonl(os.path.join(results, "truth-%s.jsonl" % run_truth)) if run_truth else truth
        calls = sum(1 for t in run_truth if t.get("type") == "call")
        docs = load_jsonl(os.path.join(results, name + ".jsonl"))
        c.check(read(os.path.join(results, name + ".rc")).strip() == "0", "%s: tracer exited 0" % name)
        c.check(len(docs) == ndocs and docs[-1]["final"] and all(not d["final"] for d in docs[:-1]),
                "%s: %d documents, the last final (got %d)" % (name, ndocs, len(docs)))
        n = sum(num(d["calls"]) for d in docs)
        c.check(0 < n < calls, "%s: stopped early with some calls counted (%d of %d)" % (name, n, calls))
        for d in docs:
            # the final document may hold the calls in flight at the end: one per vCPU
            check_doc_groups(c, "%s #%d" % (name, d["interval"]), d,
                             max_unanswered=vcpus_in(run_truth) if d["final"] else 0)
    # never early; late only by what a stalled emulated host adds (that they stopped
    # before their VMM did is the check above: fewer calls than the VMM made)
    d = load_jsonl(os.path.join(results, "duration.jsonl"))
    c.check(d and 3990000000 <= num(d[-1]["end_ns"]) < 4000000000 + STALL_NS,
            "duration: -d 4 ends after 4 s (%s ns)" % (d and d[-1]["end_ns"]))
    d = load_jsonl(os.path.join(results, "count.jsonl"))
    late = grid_lateness([num(x["end_ns"]) for x in d], 2000000000)
    c.check(len(d) == 3 and all(-5000000 <= x < STALL_NS for x in late),
            "count: three intervals on the 2 s grid, never early: late by %s ms" % [x // 1000000 for x in late])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--label", default="summary")
    args = ap.parse_args()
    c = Checker(args.label)
    r = args.results
    truth_a, truth_b = load_jsonl(os.path.join(r, "truth-a.jsonl")), load_jsonl(os.path.join(r, "truth-b.jsonl"))
    LABELS.update(summary_labels(int(t["func_id"], 16) for t in truth_a + truth_b if t.get("type") == "call"))
    c.check(all(read(os.path.join(r, "vmm-%s.rc" % run)).strip() == "0" for run in "abcd"),
            "the four VMM runs exited 0")
    c.check(sum(t.get("type") == "call" for t in truth_a) == 34, "run A: 34 calls in the truth")

    doc = check_single(c, r, "sum-json", truth_a, ["vcpu", "func", "disposition"])
    check_single(c, r, "sum-kprobe", truth_a, ["vcpu", "func", "disposition"])
    key = check_single(c, r, "sum-key", truth_a, ["pid", "vm", "vcpu", "func", "service", "disposition", "site"],
                       site=True)
    if key:
        check_sites(c, r, key, truth_a)
        pid = next(t["pid"] for t in truth_a if t.get("type") == "vmm")
        c.check(all(g["pid"] == pid and g["vm"] == 1 for g in key["groups"]),
                "sum-key: every group is the traced VMM's (pid %d), VM 1" % pid)
        c.check(all(g["service"] in ("arch", "psci", "trng", "pv_time", "kvm", "sip", "oem", "standard",
                                     "standard_hyp", "cpu", "trusted_app", "trusted_os", "reserved", "sdei",
                                     "mm", "ffa") for g in key["groups"]), "sum-key: services named")
    if doc:
        check_text(c, r, truth_a)
    default = read(os.path.join(r, "sum-default.out"))
    c.check(read(os.path.join(r, "sum-default.rc")).strip() == "0" and default.split()[:3] == ["FUNCTION", "DISP", "COUNT"],
            "sum-default: a table by func,disposition on stdout: %r" % default[:60])
    c.check("34 calls" in read(os.path.join(r, "sum-default.err")), "sum-default: the totals line counts 34 calls")
    check_intervals(c, r, truth_b)
    check_endings(c, r, truth_b)
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
