#!/usr/bin/env python3
"""The table of `make bench-report` (tests/bench/offline.sh): events per second per
core and peak RSS of `smccctrace report` per output, medians over the runs with the
spread (min-max), and the issue's target for JSON Lines.

usage: offline_table.py OFFLINE_JSONL"""
import json
import statistics
import sys

JOBS = {
    "json": "report FILE --json > /dev/null",
    "summary": "report FILE --summary > /dev/null",
    "perfetto": "report FILE --perfetto /dev/null --perfetto-max-mb 0",
}
TARGET_JSON = 2e6  # events/s/core


def spread(values, fmt):
    med = statistics.median(values)
    if len(values) == 1:
        return fmt.format(med)
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[-1])
    runs = [json.loads(line) for line in open(sys.argv[1])]
    if not runs:
        sys.exit("offline_table.py: no runs")
    print(f"{runs[0]['events']} synthetic calls, {max(r['run'] for r in runs)} runs per output; "
          "medians, (min–max). Per core: events / (user + system CPU seconds). With a build "
          "before, its runs alternate with this one's and the last column is this one's "
          "speed over its, run for run.\n")
    print("| output | build | M events/s per core | M events/s (wall) | peak RSS MiB | × before |")
    print("|---|---|---:|---:|---:|---:|")
    per_core = {}
    for job, label in JOBS.items():
        for tool in ("before", "this"):
            rows = sorted((r for r in runs if r["job"] == job and r.get("tool", "this") == tool),
                          key=lambda r: r["run"])
            if not rows:
                continue
            per_core[(job, tool)] = [r["events"] / max(r["user_s"] + r["sys_s"], 0.01) for r in rows]
            wall = [r["events"] / max(r["wall_s"], 0.01) for r in rows]
            rss = [r["rss_kib"] / 1024 for r in rows]
            before = per_core.get((job, "before"))
            speedup = [a / b for a, b in zip(per_core[(job, tool)], before)] if tool == "this" and before else []
            print(f"| `{label}` | {tool} | {spread([v / 1e6 for v in per_core[(job, tool)]], '{:.2f}')} | "
                  f"{spread([v / 1e6 for v in wall], '{:.2f}')} | {spread(rss, '{:.1f}')} | "
                  f"{spread(speedup, '{:.2f}×') if speedup else '-'} |")
    if ("json", "this") in per_core:
        med = statistics.median(per_core[("json", "this")])
        print(f"\nTarget: JSON Lines at ≥ {TARGET_JSON / 1e6:.0f} M events/s/core: "
              f"{med / 1e6:.2f} M, {'met' if med >= TARGET_JSON else 'not met'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
