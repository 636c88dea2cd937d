#!/usr/bin/env bash
# Ring-buffer overflow is counted exactly: the calls the guest made equal the calls
# received plus the calls reported lost, in the JSON summary and on stderr, all of
# them under the cause ring_buffer_full; then with the call-state map overflowing too
# (--max-vcpus 2, 4 vCPUs calling), every loss under its cause, under the fentry and
# the kprobe plan, and kept by cause in the record file. VHE also floods the exporter
# with scrapes; nVHE runs only the call-state and ring-buffer overflow.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=${1:-vhe}
full=1
[ "$variant" = nvhe ] && full=0
# the scrape flood alone may take 480 s on a loaded host (scenarios/overload.sh)
vm_run "$variant" overload --timeout 960 --env SCENARIO_TIMEOUT=900 --env OVERLOAD_FULL=$full
check "$variant: overload scenario ran" [ "$VM_RC" = 0 ]
if [ $full = 1 ]; then
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
sys.exit(1 if fails else 0)
PY
check "$variant: ring buffer: loss counted exactly" [ $? = 0 ]
fi

# the call-state map and the ring buffer at once, under each plan
for s in 2 2-kprobe; do
	plan=fentry; [ $s = 2-kprobe ] && plan=kprobe
	check "$variant $plan: both: the bench VMM exited 0" grep -qx 0 "$RESULTS/vmm$s.rc"
	check "$variant $plan: both: the tracer exited 0" grep -qx 0 "$RESULTS/tracer$s.rc"
	# the same run's record file, read on this host: each loss kept with its cause
	build/x86_64/smccctrace report "$RESULTS/overload$s.bin" --info --json >"$RESULTS/overload$s-info.json"
	build/x86_64/smccctrace report "$RESULTS/overload$s.bin" --info >"$RESULTS/overload$s-info.txt"
	build/x86_64/smccctrace report "$RESULTS/overload$s.bin" --json 2>"$RESULTS/overload$s-report.err" | tail -n 1 \
		>"$RESULTS/overload$s-report-summary.json"
	python3 - "$RESULTS" "$s" "$plan" <<'PY'
import json, os, sys
r, s, plan = sys.argv[1:]
def load(name):
    return open(os.path.join(r, name % s)).read()
made = json.loads(load("bench%s.json"))["calls"]
received = int(load("received%s"))
summary = json.loads(load("summary%s.json"))
err = load("tracer%s.err")
info = json.loads(load("overload%s-info.json"))
rep = json.loads(load("overload%s-report-summary.json"))
text = load("overload%s-info.txt")
rep_err = load("overload%s-report.err")
fails = 0
def check(ok, what):
    global fails
    print(("ok - " if ok else "not ok - ") + plan + ": " + what)
    fails += not ok
causes = summary.get("lost_by_cause", {})
check(summary["calls"] == received, "both: summary calls %d == records received %d" % (summary["calls"], received))
check(causes.get("call_state_full", 0) > 0 and causes.get("ring_buffer_full", 0) > 0,
      "both: the state of 2 of 4 vCPUs and the 4 KiB buffer overflowed: %s" % causes)
check(sum(causes.values()) == summary["lost"], "both: the causes add up to lost %d" % summary["lost"])
check(received + summary["lost"] == made, "both: received %d + lost %d == made %d" % (received, summary["lost"], made))
want = ", ".join("%s %d" % (c, n) for c, n in causes.items() if n)
check(("(%s)" % want) in err, "both: stderr names every cause (%s)" % want)
check(info["lost"] == summary["lost"] and info.get("lost_by_cause") == causes,
      "record: --info --json has the live losses by cause: %s" % info.get("lost_by_cause"))
check(info["calls"] == summary["calls"], "record: --info counts the live calls (%d, live %d)" % (info["calls"], summary["calls"]))
check(("lost         %d (%s)" % (summary["lost"], want)) in text, "record: --info text names the causes")
check(rep.get("lost_by_cause") == causes and rep["lost"] == summary["lost"],
      "record: report's summary record has the live losses by cause")
check(("were lost while recording (%s)" % want) in rep_err, "record: report's warning names the causes")
sys.exit(1 if fails else 0)
PY
	check "$variant $plan: call state and ring buffer: every loss counted with its cause, live and recorded" [ $? = 0 ]
done

if [ $full = 1 ]; then
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
fi
report "vm-overload-$variant"
