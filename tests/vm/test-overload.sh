#!/usr/bin/env bash
# Ring-buffer overflow is counted exactly: the calls the guest made equal the calls
# received plus the calls reported lost, in the JSON summary and on stderr.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=${1:-vhe}
vm_run "$variant" overload
check "$variant: overload scenario ran" [ "$VM_RC" = 0 ]
check "$variant: the bench VMM exited 0" grep -qx 0 "$RESULTS/vmm.rc"
check "$variant: the tracer exited 0" grep -qx 0 "$RESULTS/tracer.rc"
python3 - "$RESULTS" <<'PY'
import json, os, re, sys
r = sys.argv[1]
made = json.load(open(os.path.join(r, "bench.json")))["calls"]
received = int(open(os.path.join(r, "received")).read())
summary = json.loads(open(os.path.join(r, "summary.json")).read())
m = re.search(r"(\d+) calls in .*, (\d+) lost", open(os.path.join(r, "tracer.err")).read())
fails = 0
def check(ok, what):
    global fails
    print(("ok - " if ok else "not ok - ") + what)
    fails += not ok
check(summary["type"] == "summary", "the JSON ends with its summary record")
check(summary["lost"] > 0, "the 4 KiB buffer overflowed: %d of %d calls lost" % (summary["lost"], made))
check(summary["calls"] == received, "summary calls %d == records received %d" % (summary["calls"], received))
check(received + summary["lost"] == made, "received %d + lost %d == made %d" % (received, summary["lost"], made))
check(m and int(m.group(1)) == received and int(m.group(2)) == summary["lost"],
      "stderr totals agree (%s)" % (m and m.group(0)))
check("WARNING" in open(os.path.join(r, "tracer.err")).read(), "stderr warns about the loss")
sys.exit(1 if fails else 0)
PY
check "$variant: loss counted exactly" [ $? = 0 ]
report "vm-overload-$variant"
