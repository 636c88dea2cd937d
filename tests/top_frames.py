#!/usr/bin/env python3
"""The frames `smccctrace top -b` prints, parsed: a list of
{"number": N, "calls": N, "by_disposition": {...}, "state": "...", "rows": [{COLUMN: text}]},
with "exited_vmms" and "exited_calls" (live: VMMs whose rows left), "overflow_keys" when
the state line has them. The latency columns are named KVM_p50, KVM_p99, VMM_p50,
VMM_p99; an overflow row has "overflow" in each of its key columns (PID ... SITE).
usage: top_frames.py FILE   (prints the frames as JSON)"""
import json
import re
import sys


def parse(path):
    frames, cols = [], None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"smccctrace top - frame (\d+), ", line)
            if m:
                frames.append({"number": int(m.group(1)), "rows": []})
                cols = None
                continue
            if not frames:
                continue
            fr = frames[-1]
            m = re.match(r"calls (\d+) \([0-9.]+/s\): (.*); lost (\d+)$", line)
            if m and "calls" not in fr:
                fr["calls"] = int(m.group(1))
                fr["by_disposition"] = {k: int(v) for k, v in (x.split() for x in m.group(2).split(", "))}
                fr["lost"] = int(m.group(3))
                continue
            if line.startswith("by ") and "state" not in fr:
                fr["state"] = line
                m = re.search(r"; exited VMMs (\d+) \((\d+) calls, in the totals, not the rows\)", line)
                if m:
                    fr["exited_vmms"], fr["exited_calls"] = int(m.group(1)), int(m.group(2))
                m = re.search(r"; overflow: (\d+) keys past \d+ in overflow rows", line)
                if m:
                    fr["overflow_keys"] = int(m.group(1))
                continue
            if re.search(r"\bCOUNT\b", line):
                cols = line.replace("KVM p50", "KVM_p50").replace("VMM p50", "VMM_p50").split()
                cols[cols.index("p99(us)")] = "KVM_p99"
                cols[cols.index("p99(us)")] = "VMM_p99"
                continue
            if cols and line.strip():
                cells = line.split()
                if cells[0] == "overflow":  # one label across the key columns it stands for
                    whose = [c for c in cols if c in ("PID", "GUEST", "VM", "VCPU", "SITE")]
                    cells = ["overflow"] * len(whose) + cells[1:]
                fr["rows"].append(dict(zip(cols, cells)))
    return frames


if __name__ == "__main__":
    json.dump(parse(sys.argv[1]), sys.stdout)
