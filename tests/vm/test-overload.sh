#!/usr/bin/env bash
# Ring-buffer overflow is counted exactly: the calls the guest made equal the calls
# received plus the calls reported lost, in the JSON summary and on stderr, all of
# them under the cause ring_buffer_full; then with the call-state map overflowing too
# (--max-vcpus 2, 4 vCPUs calling), every loss under its cause.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=${1:-vhe}
# the scrape flood alone may take 480 s on a loaded host (scenarios/overload.sh)
vm_run "$variant" overload --timeout 960 --env SCENARIO_TIMEOUT=900
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
causes = summary.get("lost_by_cause", {})
check(causes.get("ring_buffer_full") == summary["lost"] and sum(causes.values()) == summary["lost"],
      "every loss has its cause, the ring buffer: %s" % causes)
check(("ring_buffer_full %d" % summary["lost"]) in open(os.path.join(r, "tracer.err")).read(),
      "stderr names the cause")
# the call-state map and the ring buffer at once
made = json.load(open(os.path.join(r, "bench2.json")))["calls"]
received = int(open(os.path.join(r, "received2")).read())
summary = json.loads(open(os.path.join(r, "summary2.json")).read())
causes = summary.get("lost_by_cause", {})
check(summary["calls"] == received, "both: summary calls %d == records received %d" % (summary["calls"], received))
check(causes.get("call_state_full", 0) > 0 and causes.get("ring_buffer_full", 0) > 0,
      "both: the state of 2 of 4 vCPUs and the 4 KiB buffer overflowed: %s" % causes)
check(sum(causes.values()) == summary["lost"], "both: the causes add up to lost %d" % summary["lost"])
check(received + summary["lost"] == made, "both: received %d + lost %d == made %d" % (received, summary["lost"], made))
err = open(os.path.join(r, "tracer2.err")).read()
check("call_state_full %d" % causes.get("call_state_full", -1) in err and
      "ring_buffer_full %d" % causes.get("ring_buffer_full", -1) in err, "both: stderr names both causes")
sys.exit(1 if fails else 0)
PY
check "$variant: loss counted exactly" [ $? = 0 ]
# the same run's record file, read on this host: each loss kept with its cause
build/x86_64/smccctrace report "$RESULTS/overload2.bin" --info --json >"$RESULTS/overload2-info.json"
build/x86_64/smccctrace report "$RESULTS/overload2.bin" --info >"$RESULTS/overload2-info.txt"
build/x86_64/smccctrace report "$RESULTS/overload2.bin" --json 2>"$RESULTS/overload2-report.err" | tail -n 1 \
	>"$RESULTS/overload2-report-summary.json"
python3 - "$RESULTS" <<'PY'
import json, os, sys
r = sys.argv[1]
live = json.load(open(os.path.join(r, "summary2.json")))
info = json.load(open(os.path.join(r, "overload2-info.json")))
rep = json.load(open(os.path.join(r, "overload2-report-summary.json")))
text = open(os.path.join(r, "overload2-info.txt")).read()
err = open(os.path.join(r, "overload2-report.err")).read()
fails = 0
def check(ok, what):
    global fails
    print(("ok - " if ok else "not ok - ") + what)
    fails += not ok
causes = live.get("lost_by_cause", {})
check(info["lost"] == live["lost"] and info["lost_by_cause"] == causes,
      "record: --info --json has the live losses by cause: %s (live %s)" % (info.get("lost_by_cause"), causes))
check(info["calls"] == live["calls"], "record: --info counts the live calls (%d, live %d)" % (info["calls"], live["calls"]))
want = ", ".join("%s %d" % (c, n) for c, n in causes.items() if n)
check(("lost         %d (%s)" % (live["lost"], want)) in text, "record: --info text names the causes (%s)" % want)
check(rep.get("lost_by_cause") == causes and rep["lost"] == live["lost"],
      "record: report's summary record has the live losses by cause")
check(("were lost while recording (%s)" % want) in err, "record: report's warning names the causes")
sys.exit(1 if fails else 0)
PY
check "$variant: the record file keeps the losses by cause (report --info, --json)" [ $? = 0 ]
check "$variant: scrape flood: the exporter and the bench VMM exited 0" sh -c "
	grep -qx 0 '$RESULTS/flood-exporter.rc' && grep -qx 0 '$RESULTS/flood-vmm.rc'"
python3 - "$RESULTS" <<'PY'
import json, os, re, sys
r = sys.argv[1]
flood = json.load(open(os.path.join(r, "flood.json")))
made = json.load(open(os.path.join(r, "flood-bench.json")))["calls"]
page = open(os.path.join(r, "flood-final.txt")).read()
counted = sum(float(m.group(1)) for m in re.finditer(r'^smccctrace_calls_total\{[^}]*\} (\S+)$', page, re.M))
lost = [float(m.group(1)) for m in re.finditer(r'^smccctrace_lost_events_total\{cause="[a-z_]+"\} (\S+)$', page, re.M)]
err = open(os.path.join(r, "flood-exporter.err")).read()
m = re.search(r"(\d+) calls in .*, (\d+) lost", err)
print("# scrape flood: %(ok)d of %(requests)d scrapes answered in %(seconds).1f s (slowest %(slowest_s).3f s), "
      "%(distinct_pages)d distinct pages" % flood)
fails = 0
def check(ok, what):
    global fails
    print(("ok - " if ok else "not ok - ") + what)
    fails += not ok
check(flood["requests"] == 10000 and flood["ok"] == 10000 and flood["failed"] == 0,
      "10,000 scrapes, every one answered 200 (%d ok, %d failed)" % (flood["ok"], flood["failed"]))
check(flood["distinct_pages"] <= flood["seconds"] / 2 + 3,
      "scrapes serve the collector's snapshot: %d distinct pages in %.1f s, at most one per 2 s reading"
      % (flood["distinct_pages"], flood["seconds"]))
check(counted == made, "every call counted: smccctrace_calls_total sums to %d, the VMM made %d" % (counted, made))
check(len(lost) == 6 and sum(lost) == 0, "no call lost, by any of the 6 causes")
check(m and int(m.group(1)) == made and int(m.group(2)) == 0, "the exporter's totals line agrees (%s)" % (m and m.group(0)))
sys.exit(1 if fails else 0)
PY
check "$variant: 10,000 scrapes while counting: every call counted" [ $? = 0 ]
check "$variant: the second bench VMM exited 0" grep -qx 0 "$RESULTS/vmm2.rc"
check "$variant: the second tracer exited 0" grep -qx 0 "$RESULTS/tracer2.rc"
report "vm-overload-$variant"
