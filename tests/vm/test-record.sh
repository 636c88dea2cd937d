#!/usr/bin/env bash
# --record, --perfetto and `smccctrace report`. In the emulated host one tracer writes
# live JSON Lines, a record file and a Perfetto timeline at once (scenario record).
# Here, on the x86_64 host, the x86_64 build re-renders the record file: its JSON
# must equal the live JSON byte for byte and the ground truth field by field, its
# timeline must equal the live one; the timeline's structure is checked; filters,
# --info, re-recording, and truncated or corrupt copies are tried on the same file.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
HOST_TOOL=build/x86_64/smccctrace
vm_run "$variant" record
R=$RESULTS
OUT=build/vm/$variant/record/report
rm -rf "$OUT"; mkdir -p "$OUT"
report_cmd() { "$HOST_TOOL" report "$@"; }

check "$variant: record scenario exited 0" [ "$VM_RC" = 0 ]
check "$variant: VMM exited 0" grep -qx 0 "$R/vmm.rc"
check "$variant: the tracer with --json -o, --record and --perfetto exited 0" grep -qx 0 "$R/live.rc"
python3 tests/vm/check_trace.py "$R" --trace live.jsonl --label "record-live-$variant" --guest-required
check "$variant: live JSON Lines (-g of QEMU's -name guest=rec,,guest) equal the ground truth, guest name included" [ $? = 0 ]
calls=$(grep -c '"type":"call"' "$R/truth.jsonl")
bytes=$(stat -c %s "$R/rec.bin" 2>/dev/null)
echo "# record: $bytes bytes for $calls calls (x1..x7 captured)"

# offline, on x86_64
check "$variant: report --json -o runs on $(uname -m)" report_cmd "$R/rec.bin" --json -o "$OUT/report.jsonl"
check "$variant: report's call records are byte-identical to the live ones" \
	cmp <(grep '"type":"call"' "$R/live.jsonl") <(grep '"type":"call"' "$OUT/report.jsonl")
check "$variant: report's summary equals the live one (but for duration_s)" python3 -c '
import json, sys
s = [[json.loads(l) for l in open(p) if "\"summary\"" in l] for p in sys.argv[1:]]
for x in s[0] + s[1]: x.pop("duration_s", None)
sys.exit(not (len(s[0]) == 1 and s[0] == s[1]))' "$R/live.jsonl" "$OUT/report.jsonl"
check "$variant: report --json is the live JSON byte for byte, summary included" cmp "$R/live.jsonl" "$OUT/report.jsonl"
python3 tests/vm/check_trace.py "$OUT" --truth ../results/truth.jsonl --trace report.jsonl --label "record-report-$variant"
check "$variant: report --json equals the ground truth field by field" [ $? = 0 ]
report_cmd "$R/rec.bin" >"$OUT/report.txt"
check "$variant: report (text) prints a header and one line per call" \
	sh -c "head -1 '$OUT/report.txt' | grep -q '^TIME(s) ' && [ \$(wc -l <'$OUT/report.txt') = $((calls + 1)) ]"
check "$variant: report (text): every line's GUEST column is the VMM's guest name (rec,guest), its PID the VMM's" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
pids = [r["pid"] for r in map(json.loads, open(sys.argv[2])) if r["type"] == "call"]
at = lines[0].index("PID")
ok = lines[0].index("GUEST") == 13 and len(lines) == len(pids) + 1 and len(pids) > 0
sys.exit(not (ok and all(l[13:29].rstrip() == "rec,guest" and int(l[at:].split()[0]) == p
                         for l, p in zip(lines[1:], pids))))' "$OUT/report.txt" "$R/live.jsonl"

python3 tests/vm/check_perfetto.py "$R/live.json" --trace "$R/live.jsonl" --truth "$R/truth.jsonl" --lost 0 \
	--label "record-perfetto-$variant"
check "$variant: the live Perfetto timeline's structure, nesting and content" [ $? = 0 ]
check "$variant: report --perfetto runs on $(uname -m)" report_cmd "$R/rec.bin" --perfetto "$OUT/report.json"
check "$variant: report --perfetto is the live timeline byte for byte" cmp "$R/live.json" "$OUT/report.json"
# the timeline on the guest's clock: each call slice at its guest_cntvct / cntfrq, the
# frequency the emulated host recorded (the JSON summary's cntfrq)
cntfrq=$(python3 -c 'import json, sys; print([json.loads(l) for l in open(sys.argv[1])][-1]["cntfrq"])' "$R/live.jsonl")
check "$variant: report --guest-clock --perfetto runs on $(uname -m)" \
	report_cmd "$R/rec.bin" --guest-clock --perfetto "$OUT/guest.json"
python3 tests/vm/check_perfetto.py "$OUT/guest.json" --trace "$R/live.jsonl" --truth "$R/truth.jsonl" --lost 0 \
	--guest-clock "$cntfrq" --label "record-perfetto-guest-$variant"
check "$variant: report --guest-clock --perfetto: every call slice at its guest_cntvct / cntfrq ($cntfrq Hz)" [ $? = 0 ]
check "$variant: report --perfetto alone prints nothing on stdout" \
	sh -c "[ -z \"\$('$HOST_TOOL' report '$R/rec.bin' --perfetto /dev/null)\" ]"

# --summary offline: the userspace aggregation of the recorded calls
report_cmd "$R/rec.bin" --summary --json -o "$OUT/summary.json"
check "$variant: report --summary --json counts every (function, disposition) of the ground truth exactly" python3 -c '
import collections, json, sys
sys.path.insert(0, "tests/vm")
from checklib import summary_labels
docs = [json.loads(l) for l in open(sys.argv[1])]
calls = [t for t in map(json.loads, open(sys.argv[2])) if t.get("type") == "call"]
label = summary_labels((int(t["func_id"], 16) for t in calls), sys.argv[3])
truth = collections.Counter((label[int(t["func_id"], 16)], t["expect"]) for t in calls)
got = collections.Counter({(g["func_label"], g["disposition"]): g["count"] for g in docs[0]["groups"]})
hist_ok = all(sum(b["count"] for b in g["kvm_ns"]["buckets"]) == g["count"] for g in docs[0]["groups"])
ok = len(docs) == 1 and docs[0]["final"] and got == truth and hist_ok and docs[0]["calls"] == sum(truth.values())
print("summary", dict(got), "truth", dict(truth)) if not ok else None
sys.exit(not ok)' "$OUT/summary.json" "$R/truth.jsonl" "$HOST_TOOL"

# the guest name ("rec,guest", from the VMM's -name) in every output of the recording:
# summary groups, -g offline, the PSCI view, the top view (the call records, the
# Perfetto process and the live stream are checked above)
G='rec,guest'
report_cmd "$R/rec.bin" --summary --by guest,disposition --json -o "$OUT/by-guest.json"
check "$variant: report --summary --by guest,disposition: one guest, its counts by disposition equal the ground truth" python3 -c '
import collections, json, sys
doc = json.load(open(sys.argv[1]))
calls = [t for t in map(json.loads, open(sys.argv[2])) if t.get("type") == "call"]
want = collections.Counter(t["expect"] for t in calls)
got = collections.Counter({g["disposition"]: g["count"] for g in doc["groups"]})
ok = {g["guest"] for g in doc["groups"]} == {sys.argv[3]} and got == want and "pid" not in doc["groups"][0]
print("groups", doc["groups"][:1], "want", want) if not ok else None
sys.exit(not ok)' "$OUT/by-guest.json" "$R/truth.jsonl" "$G"
check "$variant: report -g NAME selects the recorded VMM of that name, -g OTHER none" sh -c "
	[ \$('$HOST_TOOL' report '$R/rec.bin' -g '$G' --json | grep -c '\"type\":\"call\"') = $calls ] &&
	[ \$('$HOST_TOOL' report '$R/rec.bin' -g other -p 1 --json | grep -c '\"type\":\"call\"') = 0 ]"
report_cmd "$R/rec.bin" --psci --json -o "$OUT/psci.jsonl"
check "$variant: report --psci --json: every record of the VMM names its guest" python3 -c '
import json, sys
recs = [r for r in map(json.loads, open(sys.argv[1])) if "pid" in r]
sys.exit(not (len(recs) > 2 and all(r.get("guest") == sys.argv[2] for r in recs)))' "$OUT/psci.jsonl" "$G"
report_cmd "$R/rec.bin" --top -b -i 3600 --by guest -o "$OUT/top.txt"
check "$variant: report --top -b --by guest: a GUEST column, one row of every call" python3 -c '
import sys
lines = open(sys.argv[1]).read().splitlines()
head = [i for i, l in enumerate(lines) if l.startswith("GUEST ")]
rows = lines[head[-1] + 1:] if head else []
rows = [r.split() for r in rows if r.strip()]
sys.exit(not (head and len(rows) == 1 and rows[0][0] == sys.argv[2] and rows[0][1] == sys.argv[3]))' \
	"$OUT/top.txt" "$G" "$calls"
python3 tests/check_schema.py --label "record-guest-schema-$variant" "$OUT/by-guest.json" "$OUT/psci.jsonl"
check "$variant: the guest's summary and PSCI JSON are valid against the JSON schema" [ $? = 0 ]

# the header
report_cmd "$R/rec.bin" --info --json >"$OUT/info.json"
check "$variant: --info: tool version, the VM's kernel release, the plan and its hooks, the clocks" python3 -c '
import json, re, sys
i = json.load(open(sys.argv[1]))
version = re.search(r"SMCCCTRACE_VERSION \"(.*)\"", open("src/version.h").read()).group(1)
ok = (i["tool_version"] == version and i["kernel_release"] == open(sys.argv[2]).read().strip()
      and i["machine"] == "aarch64" and i["plan"] == "fentry/fexit" and i["handler"] == "kvm_smccc_call_handler"
      and {h["kind"] for h in i["hooks"]} == {"fentry", "fexit"} and len(i["hooks"]) >= 5
      and i["calls"] == int(sys.argv[3]) and i["lost"] == 0 and sum(i["by_disposition"].values()) == i["calls"]
      and i["start_monotonic_ns"] > 0 and i["start_boottime_ns"] >= i["start_monotonic_ns"]
      and int(i["start_realtime_ns"]) > 1.7e18 and i["bytes"] == int(sys.argv[4]))
print(i) if not ok else None
sys.exit(not ok)' "$OUT/info.json" "$R/uname" "$calls" "$bytes"
python3 tests/check_schema.py --label "record-schema-$variant" "$OUT/info.json" "$OUT/report.jsonl" "$OUT/summary.json"
check "$variant: report --json, --summary --json and --info --json are valid against the JSON schema" [ $? = 0 ]
check "$variant: --info (text) names the kernel and the plan" \
	sh -c "'$HOST_TOOL' report '$R/rec.bin' --info | grep -q 'plan         fentry/fexit'"

# --record alone, under the kprobe plan
check "$variant: --record alone exited 0" grep -qx 0 "$R/rec2.rc"
check "$variant: --record alone printed nothing on stdout" [ ! -s "$R/rec2.stdout" ]
check "$variant: --record alone printed the totals line" grep -q "smccctrace: $calls calls in" "$R/rec2.err"
check "$variant: the kprobe recording's header names kprobes" \
	sh -c "'$HOST_TOOL' report '$R/rec2.bin' --info --json | grep -q '\"plan\":\"kprobe/kretprobe\".*\"kind\":\"kretprobe\"'"
report_cmd "$R/rec2.bin" --json -o "$OUT/report2.jsonl"
python3 tests/vm/check_trace.py "$OUT" --truth ../results/truth2.jsonl --trace report2.jsonl --label "record2-$variant" \
	--guest-required
check "$variant: report of the kprobe recording (-g rec2 --wait, the VMM started later) equals its ground truth" [ $? = 0 ]
check "$variant: -g --wait said it waited, then found the VMM" sh -c "
	grep -q 'warning: -g rec2: no process has that name yet; waiting for one' '$R/rec2.err' &&
	grep -q \"smccctrace: -g rec2: tracing pid \$(cat '$R/vmm2.pid')\" '$R/rec2.err'"

# filters applied offline
report_cmd "$R/rec.bin" --json --disposition forwarded,refused -o "$OUT/disp.jsonl"
python3 tests/vm/check_trace.py "$OUT" --truth ../results/truth.jsonl --trace disp.jsonl \
	--where "t['expect'] in ('forwarded', 'refused')" --label "record-filter-disp-$variant"
check "$variant: report --disposition forwarded,refused keeps exactly those calls" [ $? = 0 ]
report_cmd "$R/rec.bin" --json --func psci --vcpu 1 -o "$OUT/psci1.jsonl"
python3 tests/vm/check_trace.py "$OUT" --truth ../results/truth.jsonl --trace psci1.jsonl \
	--where "t['vcpu'] == 1 and (0x84000000 <= int(t['func_id'], 16) <= 0x8400001f or 0xc4000000 <= int(t['func_id'], 16) <= 0xc400001f)" \
	--label "record-filter-psci-vcpu1-$variant"
check "$variant: report --func psci --vcpu 1 keeps exactly those calls" [ $? = 0 ]
check "$variant: report --record of a filtered report reads back the same" sh -c "
	'$HOST_TOOL' report '$R/rec.bin' --func psci --vcpu 1 --record '$OUT/sub.bin' &&
	'$HOST_TOOL' report '$OUT/sub.bin' --json | cmp - '$OUT/psci1.jsonl'"

# a copy cut 100 bytes short: the whole records before the cut, one warning, exit 3
head -c $((bytes - 100)) "$R/rec.bin" >"$OUT/cut.bin"
report_cmd "$OUT/cut.bin" --json >"$OUT/cut.out" 2>"$OUT/cut.err"
status=$?
check "$variant: a truncated record: exit 3, one warning naming the offset, the calls before it as live" bash -c "
	[ $status = 3 ] && grep -Eqx 'smccctrace: warning: $OUT/cut.bin: truncated at offset [0-9]+: .*' '$OUT/cut.err' &&
	[ \$(wc -l <'$OUT/cut.err') = 1 ] && [ \$(grep -c '\"type\":\"call\"' '$OUT/cut.out') = $((calls - 1)) ] &&
	cmp <(grep '\"type\":\"call\"' '$OUT/cut.out') <(grep '\"type\":\"call\"' '$R/live.jsonl' | head -n $((calls - 1)))"

# the tracer killed mid-run (SIGKILL): the file holds what it had a second before; the
# report's calls are the live stream's, byte for byte, up to the cut
check "$variant: SIGKILL: the tracer died of it (137)" grep -qx 137 "$R/rec-KILL.rc"
report_cmd "$R/rec-KILL.bin" --json >"$OUT/kill.jsonl" 2>"$OUT/kill.err"
status=$?
check "$variant: SIGKILL: report exits 3 with one warning naming the offset" sh -c "
	[ $status = 3 ] && [ \$(wc -l <'$OUT/kill.err') = 1 ] &&
	grep -Eq '^smccctrace: warning: .*rec-KILL.bin: truncated at offset [0-9]+' '$OUT/kill.err'"
check "$variant: SIGKILL: the report's calls equal the live stream's byte for byte, and include every call seen 1.5 s before the kill" python3 -c '
import sys
rep = [l for l in open(sys.argv[1]) if "\"type\":\"call\"" in l]
live = [l for l in open(sys.argv[2]) if l.endswith("\n") and "\"type\":\"call\"" in l]
seen = int(open(sys.argv[3]).read())
n = min(len(rep), len(live))
print("# SIGKILL after %d calls seen: the report recovered %d calls, the live stream had %d" % (seen, len(rep), len(live)))
sys.exit(not (seen >= 60 and len(rep) >= seen and rep[:n] == live[:n]))' "$OUT/kill.jsonl" "$R/live-KILL.jsonl" "$R/seen-KILL"
report_cmd "$R/rec-KILL.bin" --info --json >"$OUT/kill-info.json" 2>/dev/null
check "$variant: SIGKILL: --info says truncated" python3 -c '
import json, sys
i = json.load(open(sys.argv[1])); sys.exit(not (i["truncated"] and i["truncated_offset"] > 0 and i["calls"] > 0))' "$OUT/kill-info.json"
# a closed pipe (`| head -n 60`) ends the trace quietly, and the record file is whole:
# its end record, and the calls the reader got, then more (those the pipe refused)
check "$variant: closed pipe: the tracer exited 0 with no error line" sh -c "
	grep -qx 0 '$R/rec-PIPE.rc' && ! grep -q 'cannot write' '$R/rec-PIPE.err'"
check "$variant: closed pipe: report exits 0 (an end record), its calls start with the 60 the reader got" python3 -c '
import json, subprocess, sys
out = subprocess.run([sys.argv[1], "report", sys.argv[2], "--json"], capture_output=True, text=True)
rep = [l for l in out.stdout.splitlines() if "\"type\":\"call\"" in l]
lines = open(sys.argv[3]).read().splitlines()
live = [l for l in lines if "\"type\":\"call\"" in l]
print("# closed pipe: the reader got %d lines, %d calls; the record file holds %d calls" % (len(lines), len(live), len(rep)))
sys.exit(not (out.returncode == 0 and not out.stderr and len(lines) == 60 and len(live) >= 50 and
              len(rep) >= len(live) and rep[:len(live)] == live))' \
	"$HOST_TOOL" "$R/rec-PIPE.bin" "$R/live-PIPE.jsonl"
# SIGHUP (a closed terminal or ssh session) stops like SIGINT
check "$variant: SIGHUP: the tracer stopped cleanly (exit 0, totals line)" sh -c "
	grep -qx 0 '$R/rec-HUP.rc' && grep -q 'smccctrace: [0-9]* calls in' '$R/rec-HUP.err'"
check "$variant: SIGHUP: report exits 0 and equals the live stream byte for byte, summary included" sh -c "
	'$HOST_TOOL' report '$R/rec-HUP.bin' --json >'$OUT/hup.jsonl' && cmp '$OUT/hup.jsonl' '$R/live-HUP.jsonl' &&
	[ \$(grep -c '\"type\":\"call\"' '$OUT/hup.jsonl') -ge \$(cat '$R/seen-HUP') ]"
python3 tests/check_schema.py --label "record-cut-schema-$variant" "$OUT/kill-info.json" "$OUT/kill.jsonl"
check "$variant: the truncated file's report and --info are valid against the JSON schema" [ $? = 0 ]
first_call() {
	python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
pos = 12
while struct.unpack_from("<H", b, pos)[0] != 2:    # the first call record, past header and process
    pos += 8 + struct.unpack_from("<I", b, pos + 4)[0]
print(pos)' "$1"
}
python3 - "$R/rec.bin" "$OUT/corrupt.bin" "$(first_call "$R/rec.bin")" <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
first_call = int(sys.argv[3])
b[first_call + 8 + 97] = 9          # disposition (docs/record-format.md)
open(sys.argv[2], "wb").write(b)
print("# corrupted the disposition of the call record at offset %d" % first_call)
EOF
report_cmd "$OUT/corrupt.bin" --json >"$OUT/corrupt.out" 2>"$OUT/corrupt.err"
status=$?
first_call=$(first_call "$R/rec.bin")
check "$variant: a corrupt record: exit 1, 'corrupt record at offset $first_call', no output" sh -c "
	[ $status = 1 ] && grep -q 'corrupt record at offset $first_call: disposition 9' '$OUT/corrupt.err' &&
	[ ! -s '$OUT/corrupt.out' ]"
report "vm-record-$variant"
