#!/usr/bin/env python3
"""Checks tests/vm/scenarios/ids.sh: 20,000 distinct unknown function IDs, folded.

usage: check_ids.py RESULTS_DIR HOST_TOOL

The truth's IDs are labelled by the host tool's decoder (decode --json: summary_label,
the name --summary and --listen count an ID under); per label the counts of --summary
and of the exporter's smccctrace_calls_total equal the truth's. The bounds are those
of docs/prometheus.md. Prints one line per check and '# ids: N passed, N failed'."""
import collections
import json
import os
import re
import subprocess
import sys

from checklib import Checker, load_jsonl  # noqa: E402 (tests/vm/checklib.py)

# docs/prometheus.md, "Bounded cardinality": what 20,000 distinct IDs may cost at most
MAX_SERIES = 18          # smccctrace_calls_total lines: 2 known + at most 16 folded
MAX_PAGE_BYTES = 1 << 20  # the /metrics page
MAX_HWM_KIB = 64 << 10    # the exporter's peak RSS
MAX_SCRAPE_S = 10.0       # the slowest of 20 scrapes (a copy of the snapshot)


def labels_of(tool, ids):
    out = subprocess.run([tool, "decode", "--json"] + ["0x%x" % i for i in ids], capture_output=True, text=True,
                         check=True).stdout
    return {int(d["func_id"], 16): d for d in map(json.loads, out.splitlines())}


def page_calls(text):
    """smccctrace_calls_total samples: [(labels dict, value)]."""
    rows = []
    for m in re.finditer(r'^smccctrace_calls_total\{([^}]*)\} (\S+)$', text, re.M):
        rows.append((dict(re.findall(r'(\w+)="([^"]*)"', m.group(1))), int(float(m.group(2)))))
    return rows


def metric(text, name):
    m = re.search(r'^%s (\S+)$' % name, text, re.M)
    return int(float(m.group(1))) if m else None


def main():
    r, tool = sys.argv[1], sys.argv[2]
    c = Checker("ids")
    truth = load_jsonl(os.path.join(r, "truth.jsonl"))
    per_id = {int(t["func_id"], 16): t["calls"] for t in truth if t.get("type") == "id_calls"}
    made = next(t["calls"] for t in truth if t.get("type") == "end")
    c.check(sum(per_id.values()) == made and len(per_id) >= 20000 + 2,
            "truth: %d calls to %d distinct IDs" % (made, len(per_id)))
    dec = labels_of(tool, sorted(per_id))
    unknown = [i for i in per_id if not dec[i]["known"]]
    c.check(len(unknown) == 20000, "truth: 20,000 distinct IDs the decoder does not know (%d)" % len(unknown))
    want = collections.Counter()
    for i, n in per_id.items():
        want[dec[i]["summary_label"]] += n
    known = {d["name"]: per_id[i] for i, d in dec.items() if d["known"]}
    c.check(set(known) == {"SMCCC_VERSION", "PSCI_VERSION"}, "truth: the known calls are %s" % sorted(known))
    print("# %d IDs fold into %d labels: %s" % (len(per_id), len(want), ", ".join(
        "%s %d" % kv for kv in sorted(want.items()))))

    # --summary: per (func_label) on vCPU 0, all kvm
    docs = load_jsonl(os.path.join(r, "summary.jsonl"))
    doc = docs[-1] if docs else {"groups": [], "calls": -1, "lost": -1}
    got = collections.Counter()
    for g in doc["groups"]:
        got[g["func_label"]] += int(g["count"])
    c.check(int(doc["calls"]) == made and int(doc["lost"]) == 0,
            "summary: %s calls (want %d), %s lost" % (doc["calls"], made, doc["lost"]))
    c.check(got == want, "summary: counts per function label equal the folded truth:\n  got  %s\n  want %s"
            % (sorted(got.items()), sorted(want.items())))
    c.check(all(g["disposition"] == "kvm" and g["vcpu"] == 0 for g in doc["groups"]),
            "summary: every group is vCPU 0, kvm")
    folded = [g for g in doc["groups"] if g.get("folded")]
    c.check(all(g["func"] is None and g["func_label"].endswith("_other") for g in folded)
            and len(folded) == len(want) - 2, "summary: %d folded groups, func null, labels SERVICE_other"
            % len(folded))
    exact = {g["func"]: (g["func_id"], int(g["count"])) for g in doc["groups"] if not g.get("folded")}
    c.check(exact == {"SMCCC_VERSION": (0x80000000, known["SMCCC_VERSION"]),
                      "PSCI_VERSION": (0x84000000, known["PSCI_VERSION"])},
            "summary: the known functions exact, with their IDs: %s" % exact)

    # the exporter
    page = open(os.path.join(r, "page.txt"), encoding="utf-8", errors="replace").read()
    body = page.split("\r\n\r\n", 1)[-1]
    rows = page_calls(body)
    got = collections.Counter()
    for labels, v in rows:
        got[labels["func"]] += v
    c.check(got == want, "exporter: smccctrace_calls_total per func equals the folded truth:\n  got  %s\n  want %s"
            % (sorted(got.items()), sorted(want.items())))
    c.check(metric(body, "smccctrace_calls_seen_total") == made, "exporter: calls seen %s, made %d"
            % (metric(body, "smccctrace_calls_seen_total"), made))
    c.check(metric(body, "smccctrace_dropped_series_total") == 0, "exporter: no series dropped")
    print("# exporter: %d call series, page %d bytes" % (len(rows), len(body)))
    c.check(len(rows) <= MAX_SERIES, "exporter: %d call series <= %d" % (len(rows), MAX_SERIES))
    c.check(len(body) <= MAX_PAGE_BYTES, "exporter: page %d bytes <= %d" % (len(body), MAX_PAGE_BYTES))
    mem_lines = open(os.path.join(r, "exporter-mem.txt")).read().splitlines()
    mem = dict(l.split(":", 1) for l in mem_lines)
    hwm = int(mem["VmHWM"].split()[0])
    print("# exporter: peak RSS %d KiB (VmHWM), RSS %s" % (hwm, mem["VmRSS"].strip()))
    c.check(hwm <= MAX_HWM_KIB, "exporter: peak RSS %d KiB <= %d KiB" % (hwm, MAX_HWM_KIB))
    scrapes = json.load(open(os.path.join(r, "scrapes.json")))
    print("# exporter: 20 scrapes in %.3f s, slowest %.3f s" % (scrapes["seconds"], scrapes["slowest_s"]))
    c.check(scrapes["ok"] == 20 and scrapes["slowest_s"] <= MAX_SCRAPE_S,
            "exporter: 20 scrapes answered, slowest %.3f s <= %.0f s" % (scrapes["slowest_s"], MAX_SCRAPE_S))

    # the exporter capped at 10 series
    capped = open(os.path.join(r, "capped.txt"), encoding="utf-8", errors="replace").read().split("\r\n\r\n", 1)[-1]
    rows = page_calls(capped)
    own = [l for l, v in rows if l["pid"] != "overflow"]
    over = [(l, v) for l, v in rows if l["pid"] == "overflow"]
    dropped = metric(capped, "smccctrace_dropped_series_total")
    c.check(len(own) == 10, "capped: 10 series of their own (%d)" % len(own))
    c.check(over and all(l["vm"] == "overflow" and l["vcpu"] == "overflow" for l, v in over),
            "capped: the rest under pid, vm, vcpu \"overflow\" (%d series)" % len(over))
    c.check(dropped is not None and dropped >= len(want) - 10, "capped: smccctrace_dropped_series_total %s >= %d"
            % (dropped, len(want) - 10))
    c.check(sum(v for l, v in rows) == made, "capped: every call counted (%d, made %d)"
            % (sum(v for l, v in rows), made))
    err = open(os.path.join(r, "capped.err")).read()
    c.check(re.search(r"\d+ series past --max-series 10 were counted under pid \"overflow\"", err) is not None,
            "capped: the exit says how many series were refused")
    # the static binary refuses --web-config; port 971 bound before the drop; the warning
    err = open(os.path.join(r, "webconfig.err")).read()
    c.check(open(os.path.join(r, "webconfig.rc")).read().strip() == "2" and len(err.splitlines()) == 1
            and "has no TLS" in err, "static build: --web-config is one line, exit 2: %r" % err)
    c.check("serving metrics on http://127.0.0.1:971/metrics" in open(os.path.join(r, "exporter.err")).read()
            and re.search(r"^Uid:\s+65534\s", "\n".join(mem_lines), re.M) is not None,
            "port 971 bound before the privilege drop, then served as uid 65534")
    warn = open(os.path.join(r, "capped.err")).read().count("warning: --listen 0.0.0.0:9472 serves every guest")
    c.check(warn == 1, "0.0.0.0 without --web-config: warned once (%d)" % warn)
    c.check("warning: --listen" not in open(os.path.join(r, "exporter.err")).read(), "loopback: no warning")
    return c.report()


if __name__ == "__main__":
    sys.exit(main())
