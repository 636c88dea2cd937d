#!/usr/bin/env python3
"""Checks what the x86 host read from the packaged tracer's exporter over TLS with basic
auth (tests/vm/test-deb.sh) against the test VMM's ground truth.

usage: check_webconfig.py RESULTS_DIR HOST_DIR --tool HOST_SMCCCTRACE [--label NAME]

RESULTS_DIR/truth-exporter.jsonl is the VMM's truth; HOST_DIR holds Prometheus's answers
(promql-total.json: sum(smccctrace_calls_total); promql-by-func.json: the same by func
and disposition, both of the job with the right password, after the VMM had exited) and
metrics.txt, the page curl fetched with the right password. The calls in total and per
(function label, disposition), from Prometheus and from the page, equal the truth.
Prints one line per failed check and '# NAME: N passed, N failed'; exits 1 on failure."""
import argparse
import collections
import json
import re
import sys

from checklib import Checker, load_jsonl, summary_labels  # noqa: E402 (tests/vm/checklib.py)

SAMPLE = re.compile(r'^smccctrace_calls_total\{(.*)\} ([0-9.e+]+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def promql(path, by):
    """{label tuple: value} of a saved /api/v1/query answer (None if it failed)."""
    with open(path) as f:
        r = json.load(f)
    if r.get("status") != "success":
        return None
    return {tuple(s["metric"].get(b, "") for b in by): float(s["value"][1]) for s in r["data"]["result"]}


def page_counts(path):
    """smccctrace_calls_total of a /metrics page, summed by (func, disposition)."""
    got = collections.Counter()
    with open(path) as f:
        for line in f:
            m = SAMPLE.match(line.strip())
            if m:
                labels = dict(LABEL.findall(m.group(1)))
                got[(labels.get("func", ""), labels.get("disposition", ""))] += float(m.group(2))
    return dict(got)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("host")
    ap.add_argument("--tool", required=True)
    ap.add_argument("--label", default="webconfig")
    a = ap.parse_args()
    c = Checker(a.label)
    calls = [t for t in load_jsonl("%s/truth-exporter.jsonl" % a.results) if t.get("type") == "call"]
    names = summary_labels([int(t["func_id"], 16) for t in calls], a.tool)
    want = collections.Counter((names[int(t["func_id"], 16)], t["expect"]) for t in calls)
    want = {k: float(v) for k, v in want.items()}
    c.check(len(calls) >= 30 and len(want) >= 10, "the ground truth is the full scenario (%d calls, %d series)"
            % (len(calls), len(want)))
    total = promql("%s/promql-total.json" % a.host, ())
    c.check(total == {(): float(len(calls))}, "Prometheus: sum(smccctrace_calls_total) = %s, truth %d"
            % (total, len(calls)))
    got = promql("%s/promql-by-func.json" % a.host, ("func", "disposition"))
    c.check(got == want, "Prometheus: calls by func and disposition equal the truth:\n    got  %s\n    want %s"
            % (sorted((got or {}).items()), sorted(want.items())))
    page = page_counts("%s/metrics.txt" % a.host)
    c.check(page == want, "curl's page: calls by func and disposition equal the truth:\n    got  %s\n    want %s"
            % (sorted(page.items()), sorted(want.items())))
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
