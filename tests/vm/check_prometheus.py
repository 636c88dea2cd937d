#!/usr/bin/env python3
"""Checks what a real Prometheus scraped from smccctrace --listen
(tests/vm/scenarios/prometheus.sh, queried by tests/vm/prometheus_driver.py) against
the test VMM's ground truth.

usage: check_prometheus.py RESULTS_DIR PROMQL_JSON --tool HOST_SMCCCTRACE [--label NAME]

- counts: in total, per disposition, per vCPU, per function name (named by the host
  tool's decoder) and per (function, disposition) equal the truth exactly;
- histograms: _count and the +Inf bucket equal the calls; the VMM round trip is
  counted for each forwarded call, and its p50/p99 (histogram_quantile) fall within
  the buckets of what the VMM measured; _sum is in seconds;
- health: up, no lost calls, seen == counted, one VMM pid, an attach plan;
- Prometheus scraped during the run: the count rose through intermediate values and
  never went down; every Grafana dashboard query evaluates and returns data;
- destroyed VMs (a churn-hold VMM, its page read by the scenario once the held VM's
  calls were in): the VMM's destroyed VMs have no series of their own, its
  vm="destroyed" series hold exactly their calls by (vCPU, function, disposition) and in
  the histograms, the held VM keeps its own series with exactly its calls, and neither
  the VMM's total nor its folded series ever went down from one page read to the next.
Prints one line per failed check and '# NAME: N passed, N failed'; exits 1 on failure."""
import argparse
import collections
import json
import math
import re
import subprocess
import sys

from checklib import Checker, truth_guest  # noqa: E402 (tests/vm/checklib.py)


def vector(q, by=None):
    """A query's instant vector as {label value (or tuple): float}; by=None: the one value."""
    r = q["response"]
    if r.get("status") != "success":
        return None
    res = r["data"]["result"]
    if by is None:
        return float(res[0]["value"][1]) if len(res) == 1 else None
    key = (lambda m: m.get(by, "")) if isinstance(by, str) else (lambda m: tuple(m.get(b, "") for b in by))
    return {key(s["metric"]): float(s["value"][1]) for s in res}


def func_names(tool, ids):
    """The func label each function ID is counted under ('smccctrace decode --json' on the
    host, summary_label: the decoder's name, or the service's folded label for unknown IDs)."""
    out = subprocess.run([tool, "decode", "--json"] + ["0x%x" % i for i in ids], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    return {int(d["func_id"], 16): d["summary_label"] for d in map(json.loads, out)}


# The le bounds the exporter uses (src/exporter_metrics.h): 2^k - 1 ns, k = 8..35.
BOUNDS = [((1 << k) - 1) / 1e9 for k in range(8, 36)]


def bucket_edges(seconds):
    """(lower, upper] of the exporter's bucket holding a value."""
    lo = 0.0
    for b in BOUNDS:
        if seconds <= b:
            return lo, b
        lo = b
    return lo, math.inf


SAMPLE = re.compile(r'^(smccctrace_\w+)\{(.*)\} (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def samples(lines, pid):
    """(metric, labels, value) of the page's samples of one pid."""
    for line in lines:
        m = SAMPLE.match(line.strip())
        if m:
            labels = dict(LABEL.findall(m.group(2)))
            if labels.get("pid") == str(pid):
                yield m.group(1), labels, float(m.group(3))


def check_fold(c, results, tool):
    """The churn-hold VMM's series on the page read once its held VM had called."""
    try:
        with open("%s/truth-fold.jsonl" % results) as f:
            truth = [json.loads(line) for line in f if line.strip()]
    except OSError as e:
        c.check(False, "churn-hold truth: %s" % e)
        return
    vmm = [t for t in truth if t.get("type") == "vmm"][0]
    pid, rounds = vmm["pid"], vmm["rounds"]
    calls = [t for t in truth if t.get("type") == "call" and not t["at_end"]]
    names = func_names(tool, sorted({int(t["func_id"], 16) for t in calls}))
    by_key = lambda ts: collections.Counter((str(t["vcpu"]), names[int(t["func_id"], 16)], t["expect"]) for t in ts)
    destroyed = [t for t in calls if t["vm_index"] < rounds]
    held = [t for t in calls if t["vm_index"] == rounds]
    c.check(truth[-1].get("exit") == "done" and len(destroyed) == 2 * rounds and len(held) == 3,
            "churn-hold truth: %d calls of %d destroyed VMs, %d of the held one" % (len(destroyed), rounds, len(held)))
    with open("%s/fold-page.txt" % results) as f:
        page = list(samples(f, pid))
    series = collections.defaultdict(collections.Counter)	# vm -> (vcpu, func, disposition) -> calls
    hist = collections.defaultdict(collections.Counter)	# (metric, vm) -> (func, disposition) -> _count
    for metric, lab, v in page:
        if metric == "smccctrace_calls_total":
            series[lab["vm"]][(lab["vcpu"], lab["func"], lab["disposition"])] += v
        elif metric.endswith("_seconds_count"):
            hist[(metric, lab["vm"])][(lab["func"], lab["disposition"])] += v
    live = sorted(vm for vm in series if vm != "destroyed")
    c.check(len(live) == 1 and live[0].isdigit() and "destroyed" in series,
            "the churn-hold VMM's series: vm %s (one live VM and \"destroyed\", the %d destroyed VMs' own gone)"
            % (sorted(series), rounds))
    want = {k: float(v) for k, v in by_key(destroyed).items()}
    c.check(dict(series["destroyed"]) == want, "vm=\"destroyed\" calls by (vcpu, func, disposition):\n    got  %s\n"
            "    want %s" % (sorted(series["destroyed"].items()), sorted(want.items())))
    want = {k: float(v) for k, v in by_key(held).items()}
    got = dict(series[live[0]]) if len(live) == 1 else {}
    c.check(got == want, "the held VM's own series by (vcpu, func, disposition):\n    got  %s\n    want %s"
            % (sorted(got.items()), sorted(want.items())))
    for metric, ts in (("smccctrace_kvm_time_seconds_count", destroyed),
                       ("smccctrace_vmm_round_trip_seconds_count", [t for t in destroyed if t["expect"] == "forwarded"])):
        want = {k: float(v) for k, v in collections.Counter((names[int(t["func_id"], 16)], t["expect"])
                                                             for t in ts).items()}
        got = dict(hist[(metric, "destroyed")])
        c.check(got == want, "%s{vm=\"destroyed\"} by (func, disposition): %s, truth %s" % (metric, got, want))

    # every page read until then: the VMM's total and its folded series never went down
    pages = []
    with open("%s/fold-pages.txt" % results) as f:
        for line in f:
            if line.startswith("# page"):
                pages.append([])
            elif pages:
                pages[-1].append(line)
    totals, folded = [], []
    for lines in pages:
        per = [(lab["vm"], v) for m, lab, v in samples(lines, pid) if m == "smccctrace_calls_total"]
        totals.append(sum(v for _, v in per))
        folded.append(sum(v for vm, v in per if vm == "destroyed"))
    steps = lambda v: [x for i, x in enumerate(v) if i == 0 or x != v[i - 1]]	# the values, in order
    c.check(len(totals) >= 1 and totals == sorted(totals) and folded == sorted(folded) and
            folded[-1] == len(destroyed),
            "over %d pages the VMM's total went %s and its vm=\"destroyed\" calls %s, never down"
            % (len(totals), steps(totals), steps(folded)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("promql")
    ap.add_argument("--tool", required=True)
    ap.add_argument("--label", default="prometheus")
    a = ap.parse_args()
    c = Checker(a.label)
    with open(a.promql) as f:
        p = json.load(f)
    with open("%s/truth.jsonl" % a.results) as f:
        truth = [json.loads(line) for line in f if line.strip()]
    calls = [t for t in truth if t.get("type") == "call"]
    q = p["queries"]
    names = func_names(a.tool, sorted({int(t["func_id"], 16) for t in calls}))
    name = lambda t: names[int(t["func_id"], 16)]
    forwarded = [t for t in calls if t["expect"] == "forwarded"]

    c.check(len(calls) > 100 and truth[-1].get("exit") == "system_off",
            "the ground truth is a whole run of many calls (%d)" % len(calls))
    c.check(vector(q["up"]) == 1, "smccctrace_up is 1")
    info = q["info"]["response"].get("data", {}).get("result", [])
    c.check(len(info) == 1 and info[0]["metric"].get("plan") in ("fentry/fexit", "kprobe/kretprobe") and
            info[0]["metric"].get("kernel", "").startswith("6.") and info[0]["value"][1] == "1",
            "smccctrace_attach_info names the plan and kernel: %s" % (info[0]["metric"] if info else info))
    c.check(vector(q["pids"]) == 1, "one VMM pid label")
    # the guest label: the name in the VMM's command line (QEMU's -name guest=...), one
    # value per VMM pid, on every series of it while the VMM ran (then pid and guest
    # "exited")
    vmm = [t for t in truth if t.get("type") == "vmm"][0]
    want = {(str(vmm["pid"]), truth_guest(vmm))}
    got = vector(q["by_guest"], ("pid", "guest")) or {}
    c.check(set(got) - {("exited", "exited")} == want and (got.get(min(want)) or 0) > 0,
            "smccctrace_calls_total's (pid, guest) over the run: %r, truth %r" % (got, want))

    total = vector(q["total"])
    c.check(total == len(calls), "sum(smccctrace_calls_total) = %s, truth %d" % (total, len(calls)))
    for what, by, key in (("disposition", "by_disposition", lambda t: t["expect"]),
                          ("vcpu", "by_vcpu", lambda t: str(t["vcpu"])),
                          ("func", "by_func", None),
                          ("func, disposition", "by_func_disposition", None)):
        if by == "by_func":
            want = collections.Counter(name(t) for t in calls)
            got = {k[0]: v for k, v in (vector(q[by], ("func", "service")) or {}).items()}
        elif by == "by_func_disposition":
            want = collections.Counter((name(t), t["expect"]) for t in calls)
            got = vector(q[by], ("func", "disposition")) or {}
        else:
            want = collections.Counter(key(t) for t in calls)
            got = vector(q[by], by[3:]) or {}
        c.check(got == {k: float(v) for k, v in want.items()},
                "calls by %s equal the truth:\n    got  %s\n    want %s" % (what, sorted(got.items()), sorted(want.items())))

    c.check(vector(q["kvm_count"]) == len(calls), "KVM time histogram _count = calls (%s)" % vector(q["kvm_count"]))
    c.check(vector(q["kvm_inf"]) == len(calls), "KVM time +Inf bucket = calls (%s)" % vector(q["kvm_inf"]))
    c.check(vector(q["kvm_count_by_func"], "func") == {k: float(v) for k, v in collections.Counter(name(t) for t in calls).items()},
            "KVM time _count per function = calls per function")
    kvm_sum = vector(q["kvm_sum"])
    c.check(kvm_sum is not None and 0 < kvm_sum < len(calls) * 0.1,
            "KVM time _sum in seconds: %s for %d calls" % (kvm_sum, len(calls)))
    c.check(vector(q["vmm_count"]) == len(forwarded),
            "VMM round trip _count = forwarded calls (%s, truth %d)" % (vector(q["vmm_count"]), len(forwarded)))
    c.check(vector(q["vmm_count_by_func"], "func") == {k: float(v) for k, v in collections.Counter(name(t) for t in forwarded).items()},
            "VMM round trip _count per function = forwarded calls per function")
    delays = sorted(t["vmm_delay_ns"] / 1e9 for t in forwarded)
    vmm_sum = vector(q["vmm_sum"])
    c.check(vmm_sum is not None and sum(delays) * 0.95 <= vmm_sum <= sum(delays) * 1.5 + 0.05,
            "VMM round trip _sum %s s vs the VMM's own %.3f s" % (vmm_sum, sum(delays)))
    for pct in (50, 99):
        got = vector(q["vmm_p%d" % pct])
        rank = delays[max(0, math.ceil(pct / 100 * len(delays)) - 1)]
        lo, hi = bucket_edges(rank * 0.95)[0], bucket_edges(rank * 1.5 + 0.005)[1]
        c.check(got is not None and lo <= got <= hi,
                "histogram_quantile(0.%d) of the VMM round trip %s s within [%s, %s] (the VMM measured %.4f s)"
                % (pct, got, lo, hi, rank))
    kvm_p99 = vector(q["kvm_p99"])
    c.check(kvm_p99 is not None and 0 < kvm_p99 < 1, "histogram_quantile(0.99) of the KVM time: %s s" % kvm_p99)
    c.check(vector(q["lost"]) == 0, "no lost calls")
    c.check(vector(q["seen"]) == len(calls), "smccctrace_calls_seen_total = calls")

    # scraped while the VMM ran: intermediate counts, never decreasing
    r = p["range"]
    values = [float(v[1]) for v in r["data"]["result"][0]["values"]] if r.get("status") == "success" and \
        r["data"]["result"] else []
    c.check(any(0 < v < len(calls) for v in values) and values == sorted(values) and values[-1] == len(calls),
            "the count rose through intermediate values while the VMM ran: %s" % values)
    scrapes = vector(q["scrapes"])
    c.check(scrapes is not None and scrapes >= 3, "Prometheus scraped the exporter %s times" % scrapes)

    for d in p["dashboard"]:
        r = d["response"]
        c.check(r.get("status") == "success" and len(r["data"]["result"]) > 0,
                "dashboard panel '%s': %s returns data (%s)" % (d["panel"], d["expr"], r.get("error", "empty")))

    check_fold(c, a.results, a.tool)

    probes = p["probes"]
    c.check(probes["metrics"]["status"] == 200 and
            probes["metrics"]["content_type"] == "text/plain; version=0.0.4; charset=utf-8",
            "GET /metrics through the port forward: %s" % probes["metrics"])
    c.check(probes["index"] == 200 and probes["not_found"] == 404 and probes["post"] == 405,
            "/ is 200, /nope 404, POST 405: %s" % probes)
    c.check(probes["tls"] == "" or probes["tls"].startswith("HTTP/1.1 4"),
            "a TLS ClientHello gets a plain HTTP 4xx or a closed connection, never TLS: %r" % probes["tls"])
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
