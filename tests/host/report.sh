#!/usr/bin/env bash
# Host (x86_64) tests of `smccctrace report` on synthetic record files written by
# tests/fuzz/make_records.c: the outputs of every fixture, the Perfetto cap, the
# offline filters, and one-line errors with the right exit status for bad input.
# (Record files from a real trace are tested by tests/vm/test-record.sh.)
set -u
cd "$(dirname "$0")/../.."
TOOL=${1:-build/x86_64/smccctrace}
MAKE_RECORDS=${2:-build/fuzz/make_records}
D=build/host-report
rm -rf "$D"; mkdir -p "$D"
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

# expect NAME STATUS STDERR_REGEX -- ARGS...: exit status and a one-line error
expect() {
	local name=$1 want=$2 err_re=$3; shift 4
	"$TOOL" "$@" >"$D/out" 2>"$D/err"
	local status=$?
	if [ "$status" != "$want" ]; then
		not_ok "$name: exit $status, want $want ($(cat "$D/err"))"
	elif [ -n "$err_re" ] && ! grep -Eq -- "$err_re" "$D/err"; then
		not_ok "$name: stderr does not match /$err_re/: $(cat "$D/err")"
	elif [ "$want" != 0 ] && [ "$(wc -l <"$D/err")" != 1 ]; then
		not_ok "$name: error is not one line: $(cat "$D/err")"
	else
		ok "$name"
	fi
}

json() { python3 -c "import json, sys; d = [json.loads(l) for l in open(sys.argv[1])]; sys.exit(not ($1))" "$2"; }

if ! "$MAKE_RECORDS" "$D" --many 20000; then
	echo "# report: 0 passed, 1 failed (cannot write the fixtures)"
	exit 1
fi
echo "not a record" >"$D/text"
: >"$D/zero.bin"

# two-vmms.bin: 11 calls of two VMMs, 3 lost (2 ring buffer, 1 call state), CPU_ON of vCPU 1
expect "two-vmms --json" 0 'WARNING: 3 calls were lost while recording \(ring_buffer_full 2, call_state_full 1\)$' \
	-- report "$D/two-vmms.bin" --json -o "$D/two.jsonl"
check "two-vmms: 11 call records, then a summary with the recording's totals and losses by cause" json \
	'len(d) == 12 and d[-1] == {"type": "summary", "calls": 11, "lost": 3,
	 "lost_by_cause": {"ring_buffer_full": 2, "call_state_full": 1, "stats_full": 0, "vm_table_full": 0,
	                   "kprobe_missed": 0, "recursion_missed": 0}, "duration_s": 0.004, "cntfrq": 1000000000,
	 "by_disposition": {"kvm": 6, "denied": 1, "forwarded": 3, "refused": 1, "reflected": 0},
	 "plan": "fentry/fexit", "handler": "kvm_smccc_call_handler"}' "$D/two.jsonl"
check "two-vmms: ts_ns relative to the recorded clock base, kvm_ns/vmm_ns as recorded" json \
	'd[0]["ts_ns"] == 100000 and d[0]["kvm_ns"] == 3007 and d[4]["vmm_ns"] == 2000011
	 and d[9]["vmm_ns"] is None and d[9]["ret"] is None and d[10].get("system_event") is True' "$D/two.jsonl"
expect "two-vmms --perfetto" 0 '' -- report "$D/two-vmms.bin" --perfetto "$D/two.json"
python3 tests/vm/check_perfetto.py "$D/two.json" --trace "$D/two.jsonl" --lost 3 --label report-two-vmms
check "two-vmms: the timeline's structure and content" [ $? = 0 ]
check "two-vmms: one CPU_ON flow, from vCPU 0 to vCPU 1's first call" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["traceEvents"]
s = [x for x in e if x["ph"] == "s"]; f = [x for x in e if x["ph"] == "f"]
sys.exit(not (len(s) == 1 and len(f) == 1 and s[0]["tid"] == 1001 and f[0]["tid"] == 1002
              and 2700 <= f[0]["ts"] <= 2702.007))' "$D/two.json"
check "two-vmms: each VMM a process, VM 2 named on its track" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["traceEvents"]
m = {(x["name"], x["pid"], x["tid"]): x["args"] for x in e if x["ph"] == "M"}
sys.exit(not (m[("process_name", 2000, 0)]["name"] == "VMM pid 2000"
              and m[("thread_name", 2000, 2001)]["name"] == "VM 2 vCPU 0"
              and m[("thread_name", 1000, 1002)]["name"] == "vCPU 1"))' "$D/two.json"
expect "two-vmms text" 0 '' -- report "$D/two-vmms.bin"
check "two-vmms text: header and 11 lines" sh -c "head -1 '$D/out' | grep -q '^TIME(s)' && [ \$(wc -l <'$D/out') = 12 ]"
cp "$D/out" "$D/two.txt"
check "two-vmms text: each immediate in hex as 'hvc #0x1234', the one JSON has" python3 -c '
import json, sys
calls = [r for r in map(json.loads, open(sys.argv[2])) if r["type"] == "call"]
lines = open(sys.argv[1]).read().splitlines()[1:]
sys.exit(not (len(lines) == len(calls) and any(c["imm"] == 0x1234 for c in calls)
              and all(" %s #0x%x " % (c["conduit"], c["imm"]) in l for c, l in zip(calls, lines))))' "$D/two.txt" "$D/two.jsonl"
expect "two-vmms --func psci -p 1000" 0 '' -- report "$D/two-vmms.bin" --json --func psci -p 1000
check "offline filters: the PSCI calls of VMM 1000 only" json \
	'[r.get("func") for r in d[:-1]] == ["PSCI_VERSION", "PSCI_VERSION", "PSCI_CPU_ON", "PSCI_VERSION", "PSCI_SYSTEM_OFF"]
	 and d[-1]["calls"] == 5 and d[-1]["lost"] == 3' "$D/out"
expect "two-vmms -t 1002 --conduit smc" 0 '' -- report "$D/two-vmms.bin" --json -t 1002 --conduit smc
check "offline filters: -t and --conduit" json 'len(d) == 2 and d[0]["func"] == "KVM_FEATURES"' "$D/out"

expect "two-vmms --summary --json --by vcpu" 0 '' -- report "$D/two-vmms.bin" --summary --json --by vcpu
check "report --summary: one final document, counts adding up to the calls, the lost calls" json \
	'len(d) == 1 and d[0]["final"] and d[0]["calls"] == 11 and d[0]["lost"] == 3
	 and sorted(g["count"] for g in d[0]["groups"]) == [2, 9]' "$D/out"
cp "$D/out" "$D/sum.jsonl"
"$TOOL" report "$D/two-vmms.bin" --info --json >"$D/info.json" 2>/dev/null
check "report --summary --json: the interval's time is the recorded one (start + end_ns), not now" python3 -c '
import json, sys, datetime
doc = json.loads(open(sys.argv[1]).readline()); info = json.load(open(sys.argv[2]))
want = datetime.datetime.fromtimestamp((int(info["start_realtime_ns"]) + int(doc["end_ns"])) // 1000000 / 1000, datetime.timezone.utc)
sys.exit(not (doc["time"] == want.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (want.microsecond // 1000)))' "$D/sum.jsonl" "$D/info.json"
expect "-i is live only" 2 'report: -i applies to live tracing only' -- report "$D/two-vmms.bin" -s -i 1
expect "all-args --json" 0 '' -- report "$D/all-args.bin" --json -o "$D/all.jsonl"
check "all-args: x1..x17 kept" json 'all(len(r["args"]) == 17 for r in d[:-1]) and d[0]["args"][16] == "0x110000000000000a"' "$D/all.jsonl"
expect "tracepoint --json" 0 '' -- report "$D/tracepoint.bin" --json -o "$D/tp.jsonl"
check "tracepoint: fields the plan cannot see are null and listed" json \
	'd[0]["vcpu"] is None and d[0]["args"] is None and d[0]["ret"] is None and d[0]["disposition"] is None
	 and d[0]["unavailable"] == ["args", "ret", "vcpu", "isa", "disposition", "guest_cntvct"]
	 and d[0]["guest_cntvct"] is None and d[1]["plan"] == "tracepoints"' "$D/tp.jsonl"
expect "tracepoint --perfetto" 0 '' -- report "$D/tracepoint.bin" --perfetto "$D/tp.json"
check "tracepoint: the timeline holds the call" sh -c "grep -q '\"name\":\"PSCI_VERSION\"' '$D/tp.json' && python3 -m json.tool '$D/tp.json' >/dev/null"
expect "empty --json" 0 '' -- report "$D/empty.bin" --json
check "empty: only the summary" json 'len(d) == 1 and d[0]["calls"] == 0 and d[0]["duration_s"] == 1.25' "$D/out"
expect "empty --perfetto" 0 '' -- report "$D/empty.bin" --perfetto "$D/empty.json"
check "empty: a valid timeline without events" python3 -c '
import json, sys; sys.exit(json.load(open(sys.argv[1]))["traceEvents"] != [])' "$D/empty.json"
expect "--info" 0 '' -- report "$D/two-vmms.bin" --info
check "--info text: version, kernel, start time in UTC, hooks, totals" sh -c "
	grep -q 'recorded by  smccctrace 0.0.0-test' '$D/out' && grep -q 'kernel       6.12.95+deb12-arm64 (aarch64)' '$D/out' &&
	grep -q 'started      2026-10-26 07:33:20.000000000 UTC' '$D/out' && grep -q 'hook         smccc handler' '$D/out' &&
	grep -q 'calls        11 (kvm 6, denied 1, forwarded 3, refused 1)' '$D/out' &&
	grep -qx '  lost         3 (ring_buffer_full 2, call_state_full 1)' '$D/out'"
check "--info --json: format 4, the losses by cause, the counter's frequency" json \
	'd[0]["format_version"] == 4 and d[0]["cntfrq"] == 1000000000 and d[0]["lost"] == 3 and d[0]["lost_by_cause"] == {"ring_buffer_full": 2,
	 "call_state_full": 1, "stats_full": 0, "vm_table_full": 0, "kprobe_missed": 0, "recursion_missed": 0}' \
	"$D/info.json"
check "report --summary --json: the interval's losses by cause" json \
	'd[0]["lost_by_cause"]["ring_buffer_full"] == 2 and d[0]["lost_by_cause"]["call_state_full"] == 1' "$D/sum.jsonl"

# a record file of format version 1 (lost records of 16 bytes, without their cause;
# like format 2, no counter frequency in the header and no guest_cntvct in the calls)
# is still read: the same calls and total, the causes "not recorded", the guest's
# counter unavailable
python3 - "$D/two-vmms.bin" "$D/v1.bin" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
out, pos = bytearray(b[:8] + struct.pack("<I", 1)), 12
while pos < len(b):
    kind, zero, n = struct.unpack_from("<HHI", b, pos)
    payload = b[pos + 8:pos + 8 + n]
    if kind == 1:
        payload = payload[:24] + payload[32:]
    if kind == 2:
        payload = bytearray(payload[:102] + payload[110:])
        payload[94] &= 0x7f
    if kind == 3:
        payload = payload[:16]
    out += struct.pack("<HHI", kind, zero, len(payload)) + payload
    pos += 8 + n
open(sys.argv[2], "wb").write(out)
PY
expect "format 1 --json" 0 'WARNING: 3 calls were lost while recording \(causes not recorded\)$' \
	-- report "$D/v1.bin" --json -o "$D/v1.jsonl"
check "format 1: the same calls as format 3 but guest_cntvct (null, unavailable), a summary with the total and no causes" python3 -c '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]; b = [json.loads(l) for l in open(sys.argv[2])]
ok = all(r["guest_cntvct"] is None and r.pop("unavailable") == ["guest_cntvct"] for r in b[:-1])
for r in a[:-1] + b[:-1]:
    r.pop("guest_cntvct")
sys.exit(not (ok and a[:-1] == b[:-1] and b[-1]["lost"] == 3 and "lost_by_cause" not in b[-1] and "cntfrq" not in b[-1]))' "$D/two.jsonl" "$D/v1.jsonl"
"$TOOL" report "$D/v1.bin" --info --json >"$D/v1-info.json" 2>/dev/null
check "format 1: --info --json says format 1, lost 3, no lost_by_cause" json \
	'd[0]["format_version"] == 1 and d[0]["lost"] == 3 and "lost_by_cause" not in d[0]' "$D/v1-info.json"
python3 tests/check_schema.py --label report-info-schema "$D/info.json" "$D/v1-info.json" "$D/two.jsonl" "$D/v1.jsonl" >/dev/null
check "--info --json of formats 1 and 2 and their reports are valid against the JSON schema" [ $? = 0 ]
check "format 1: --info text says the causes were not recorded" sh -c \
	"'$TOOL' report '$D/v1.bin' --info | grep -qx '  lost         3 (causes not recorded)'"
check "format 1: report --record writes format 4, the causes unknown, the same calls" sh -c "
	'$TOOL' report '$D/v1.bin' --record '$D/v1-again.bin' 2>/dev/null && '$TOOL' report '$D/v1-again.bin' --json 2>/dev/null | cmp - '$D/v1.jsonl' &&
	'$TOOL' report '$D/v1-again.bin' --info | grep -qx '  lost         3 (causes not recorded)'"

# --guest-clock: the text's TIME column is each call's guest_cntvct / cntfrq (the
# recording's counter frequency), line by line as in the JSON; a recording without a
# frequency (format 1, 2) warns and keeps the trace's own time
expect "--guest-clock" 0 '' -- report "$D/two-vmms.bin" --guest-clock
check "--guest-clock: GUEST(s) column, each line guest_cntvct / cntfrq of its call" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
calls = [json.loads(l) for l in open(sys.argv[2])]
freq, calls = calls[-1]["cntfrq"], calls[:-1]
ok = lines[0].startswith("GUEST(s) ") and len(lines) == len(calls) + 1
# TIME, then the 16-wide GUEST column (a name may hold spaces), then PID
ok = ok and all(l[:12].strip() == "%.6f" % (c["guest_cntvct"] / freq) and int(l[30:].split()[0]) == c["pid"]
                for l, c in zip(lines[1:], calls))
sys.exit(not (ok and calls[0]["guest_cntvct"] == 3000100000))' "$D/out" "$D/two.jsonl"
expect "--guest-clock of format 1: a warning" 0 'no counter frequency recorded \(format 1\): --guest-clock has no guest time to show' \
	-- report "$D/v1.bin" --guest-clock
check "--guest-clock of format 1: the trace's own TIME(s)" sh -c "head -1 '$D/out' | grep -q '^TIME(s) '"
# --guest-clock --perfetto: every call slice's ts is its guest_cntvct / cntfrq (exactly,
# in ns), at the recorded 1 GHz and at 62.5 MHz (the recording's frequency patched)
expect "--guest-clock --perfetto" 0 '' -- report "$D/two-vmms.bin" --guest-clock --perfetto "$D/guest.json"
python3 tests/vm/check_perfetto.py "$D/guest.json" --trace "$D/two.jsonl" --lost 3 --guest-clock 1000000000 \
	--label report-guest-clock
check "--guest-clock --perfetto: clock guest_counter, each slice at its guest_cntvct / cntfrq" [ $? = 0 ]
python3 - "$D/two-vmms.bin" "$D/two-62m.bin" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
end = 12 + 8 + struct.unpack_from("<I", b, 16)[0]      # the header record's end
at = b.find(struct.pack("<Q", 10**9), 12, end)         # its cntfrq
assert at > 0 and b.find(struct.pack("<Q", 10**9), at + 1, end) < 0
b[at:at + 8] = struct.pack("<Q", 62500000)
open(sys.argv[2], "wb").write(b)
PY
"$TOOL" report "$D/two-62m.bin" --json -o "$D/two-62m.jsonl" 2>/dev/null
expect "--guest-clock --perfetto at 62.5 MHz" 0 '' -- report "$D/two-62m.bin" --guest-clock --perfetto "$D/guest-62m.json"
python3 tests/vm/check_perfetto.py "$D/guest-62m.json" --trace "$D/two-62m.jsonl" --lost 3 --guest-clock 62500000 \
	--label report-guest-clock-62m
check "... each slice at guest_cntvct * 16 ns" [ $? = 0 ]
check "... (the JSON's cntfrq is 62500000; the first call, cntvct 3000100000, at 48001600 us)" sh -c "
	grep -q '\"cntfrq\":62500000' '$D/two-62m.jsonl' && grep -q '\"ts\":48001600.000' '$D/guest-62m.json'"
expect "--guest-clock --perfetto of a plan without the guest's counter: a warning" 0 \
	'tp-guest.json: --guest-clock: this plan does not see the guest.s counter; calls without it are left out' -- \
	report "$D/tracepoint.bin" --guest-clock --perfetto "$D/tp-guest.json"
check "... no call slice, an instant counting the calls left out" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["traceEvents"]
left = [x for x in e if x["ph"] == "i" and x["name"] == "calls left out: no guest clock"]
sys.exit(not (not [x for x in e if x["ph"] == "X"] and len(left) == 1 and left[0]["args"]["count"] == 1))' "$D/tp-guest.json"
expect "--guest-clock --perfetto of format 1: the trace's clock" 0 'no counter frequency recorded' -- \
	report "$D/v1.bin" --guest-clock --perfetto "$D/v1-guest.json"
check "... otherData says clock trace, ts is ts_ns" python3 tests/vm/check_perfetto.py "$D/v1-guest.json" --trace "$D/v1.jsonl" \
	--label report-guest-clock-v1

# re-recording: report --record writes a file that reports the same
expect "report --record" 0 '' -- report "$D/two-vmms.bin" --record "$D/again.bin"
check "report --record alone prints nothing on stdout" [ ! -s "$D/out" ]
expect "the re-recorded file" 0 '' -- report "$D/again.bin" --json -o "$D/again.jsonl"
check "a re-recorded file reports the same JSON" cmp "$D/two.jsonl" "$D/again.jsonl"

# the Perfetto cap
expect "--perfetto-max-mb 1 on 20000 calls" 0 'WARNING: .*many.json reached its cap of 1 MiB; later calls are left out' \
	-- report "$D/many.bin" --perfetto "$D/many.json" --perfetto-max-mb 1
check "the capped timeline stays within 1 MiB + one stdio buffer, is valid, says how many calls it left out" python3 -c '
import json, os, sys
p = sys.argv[1]
e = json.load(open(p))["traceEvents"]
calls = sum(1 for x in e if x.get("cat") == "call")
marker = [x for x in e if x["ph"] == "i" and x["name"].startswith("calls left out")]
sys.exit(not (os.path.getsize(p) <= (1 << 20) + (64 << 10) + 4096 and 0 < calls < 20000
              and len(marker) == 1 and marker[0]["args"]["count"] == 20000 - calls))' "$D/many.json"
python3 tests/vm/check_perfetto.py "$D/many.json" --label report-capped >/dev/null
check "the capped timeline's structure" [ $? = 0 ]
expect "--perfetto-max-mb 0: no cap" 0 '' -- report "$D/many.bin" --perfetto "$D/many-all.json" --perfetto-max-mb 0
check "no cap: all 20000 calls" sh -c "[ \$(grep -c '\"cat\":\"call\"' '$D/many-all.json') = 20000 ]"
check "a closed pipe ends the report quietly" sh -c "'$TOOL' report '$D/many.bin' 2>'$D/pipe.err' | head -1 >/dev/null; [ ! -s '$D/pipe.err' ]"
# ... and the other outputs still get every call and their end (they were cut off at
# the pipe's close, the timeline left without its closing bracket)
check "a closed pipe: exit 0, no error" sh -c "'$TOOL' report '$D/many.bin' --json --perfetto '$D/pipe.json' --perfetto-max-mb 0 \
	--record '$D/pipe.bin' 2>'$D/pipe.err' | head -1 >/dev/null; [ \$? = 0 ] && [ ! -s '$D/pipe.err' ]"
check "a closed pipe: the --perfetto file holds all 20000 calls" \
	python3 -c "import json, sys; d = json.load(open(sys.argv[1])); sys.exit(sum(e.get('cat') == 'call' for e in d['traceEvents']) != 20000)" "$D/pipe.json"
check "a closed pipe: the --record copy has its end and every call" sh -c \
	"'$TOOL' report '$D/pipe.bin' --info >'$D/pipe.info' && ! grep -q truncated '$D/pipe.info' &&
	[ \$('$TOOL' report '$D/pipe.bin' --json | grep -c '\"type\":\"call\"') = 20000 ]"

# bad input
expect "no file" 2 'report: which record file' -- report
expect "two files" 2 "unexpected argument" -- report "$D/two-vmms.bin" "$D/empty.bin"
expect "missing file" 1 "cannot read '$D/nope.bin': No such file or directory" -- report "$D/nope.bin"
expect "not a record" 1 "$D/text: not a smccctrace record file" -- report "$D/text" < /dev/null
expect "empty file" 1 "$D/zero.bin: truncated at offset 0" -- report "$D/zero.bin"
head -c 100 "$D/two-vmms.bin" >"$D/cut.bin"
expect "a file cut in its header" 1 "$D/cut.bin: truncated at offset 12: header record of [0-9]+ bytes, 80 left" -- report "$D/cut.bin" --json
check "... and nothing is written" [ ! -s "$D/out" ]
# a recording cut short (tracer killed, host down): whole records are reported, one
# warning names the offset, exit 3; --info says truncated; a corrupt middle is still
# an error with no output
expect "many --json (the whole file)" 0 '' -- report "$D/many.bin" --json -o "$D/many.jsonl"
size=$(stat -c %s "$D/many.bin")
for cut in $((size - 24 - 8)) $((size - 1)) $((size / 2)) $((size / 3 + 5)); do
	head -c $cut "$D/many.bin" >"$D/part.bin"
	expect "cut at byte $cut of $size: exit 3, one warning" 3 \
		"^smccctrace: warning: $D/part.bin: truncated at offset [0-9]+: .*; reported the [0-9]+ calls recorded before it\$" \
		-- report "$D/part.bin" --json -o "$D/part.jsonl"
	at=$(sed -n 's/.*truncated at offset \([0-9]*\):.*/\1/p' "$D/err")
	n=$(sed -n 's/.*reported the \([0-9]*\) calls.*/\1/p' "$D/err")
	check "cut at $cut: the $n calls before offset $at equal the whole file's first $n, byte for byte" bash -c "
		[ '$n' -gt 0 ] && [ '$at' -le $cut ] && [ \$(( $cut - $at )) -lt 200 ] &&
		cmp <(grep '\"type\":\"call\"' '$D/part.jsonl') <(grep '\"type\":\"call\"' '$D/many.jsonl' | head -n $n) &&
		[ \$(grep -c '\"type\":\"call\"' '$D/part.jsonl') = $n ]"
	"$TOOL" report "$D/part.bin" --info --json >"$D/part-info.json" 2>/dev/null
	check "cut at $cut: --info --json says truncated at $at, $n calls" json \
		"d[0]['truncated'] is True and d[0]['truncated_offset'] == $at and d[0]['calls'] == $n" "$D/part-info.json"
done
expect "--info (text) of a cut file: exit 3" 3 'truncated at offset' -- report "$D/part.bin" --info
check "... and it says truncated" grep -q '^  truncated    at offset' "$D/out"
"$TOOL" report "$D/many.bin" --info --json >"$D/many-info.json"
check "--info --json of a whole file: truncated false" json "d[0]['truncated'] is False and 'truncated_offset' not in d[0]" \
	"$D/many-info.json"
python3 - "$D/part.bin" "$D/part-corrupt.bin" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
off = 12 + 8 + struct.unpack_from("<I", b, 16)[0]      # the first call record
for _ in range(100):                                   # the 101st record
    off += 8 + struct.unpack_from("<I", b, off + 4)[0]
b[off + 8 + 97] = 9                                    # its disposition
open(sys.argv[2], "wb").write(b)
PY
expect "a cut file with a corrupt middle: exit 1, the corruption named" 1 'part-corrupt.bin: corrupt record at offset [0-9]+: disposition 9' \
	-- report "$D/part-corrupt.bin" --json
check "... and nothing is written" [ ! -s "$D/out" ]
python3 - "$D/many.bin" "$D/bad-pid.bin" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
off = 12 + 8 + struct.unpack_from("<I", b, 16)[0]      # the first call record
struct.pack_into("<I", b, off + 8 + 76, 4194305)       # its pid, past PID_MAX_LIMIT
open(sys.argv[2], "wb").write(b)
PY
expect "a call of pid 4194305: exit 1, the corruption named" 1 'bad-pid.bin: corrupt record at offset [0-9]+: call of process id 4194305' \
	-- report "$D/bad-pid.bin" --psci
expect "-d is live only" 2 'report: -d applies to live tracing only' -- report "$D/two-vmms.bin" -d 1
expect "--plan is live only" 2 'report: --plan applies to live tracing only' -- report "$D/two-vmms.bin" --plan kprobe
expect "--all-args is live only" 2 'report: --all-args' -- report "$D/two-vmms.bin" --all-args
expect "--info is report only" 2 "--info applies to 'smccctrace report FILE'" -- --info
expect "bad --perfetto-max-mb" 2 'perfetto-max-mb: not a size' -- report "$D/two-vmms.bin" --perfetto x --perfetto-max-mb lots
expect "unwritable --perfetto" 1 "cannot write '/nonexistent/t.json'" -- report "$D/two-vmms.bin" --perfetto /nonexistent/t.json
cp "$D/two-vmms.bin" "$D/self.bin"
expect "report --record onto its own input" 2 "report: '$D/self.bin' is the record file being read" -- report "$D/self.bin" --record "$D/self.bin"
check "... leaves the input intact" cmp "$D/two-vmms.bin" "$D/self.bin"
expect "unwritable -o" 1 "cannot write '/nonexistent/t.jsonl'" -- report "$D/two-vmms.bin" --json -o /nonexistent/t.jsonl
# the PSCI flow view of a recording (its model: tests/unit/test_psci_flow.c, test_psci_boots.c)
expect "report --psci --json" 0 '' -- report "$D/two-vmms.bin" --psci --json -o "$D/psci.jsonl"
check "report --psci: VM 1's vCPU 1 started by CPU_ON, runs, both off at SYSTEM_OFF; VM 2 apart" json \
	'[(r["vm"], r["vcpu"], r["cause"]) for r in d if r["type"] == "psci_transition"] == [(1, 0, "first_call"),
	 (2, 0, "first_call"), (1, 1, "cpu_on"), (1, 1, "running"), (1, 0, "system_off"), (1, 1, "system_off")]
	 and d[-1]["type"] == "psci_summary" and d[-1]["calls"] == 11 and d[-1]["anomalies"] == 0' "$D/psci.jsonl"
expect "report --psci --on-timeout 0.05: vCPU 1 came up 0.1 ms after its CPU_ON" 0 '' -- \
	report "$D/two-vmms.bin" --psci --json --on-timeout 0.05 -o "$D/psci-timeout.jsonl"
check "... a cpu_on_timeout" json '[(r["anomaly"], r["vcpu"], r["ran_after_ns"]) for r in d
	if r["type"] == "psci_anomaly"] == [("cpu_on_timeout", 1, 100000)]' "$D/psci-timeout.jsonl"
expect "report --psci text" 0 '' -- report "$D/two-vmms.bin" --psci
check "... the timeline and the vCPUs" grep -q '^vCPUs at the end' "$D/out"
check "... the record's clock base: every timed record's wall-clock 'time' is start_time + ts_ns" json '
	(lambda T: d[-1]["start_time"] is not None and all(T(r["time"]) == T(d[-1]["start_time"]) + r["ts_ns"] and
	 r["boot"] == 1 for r in d if "time" in r))(lambda s: __import__("calendar").timegm(
	 __import__("time").strptime(s[:19], "%Y-%m-%dT%H:%M:%S")) * 10**9 + int(s[20:29]))' "$D/psci.jsonl"
expect "report --psci --wall-clock" 0 '' -- report "$D/two-vmms.bin" --psci --wall-clock
check "... TIME(UTC) columns" grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z +1 +off +on_pending +cpu_on' "$D/out"
expect "--wall-clock needs the PSCI view" 2 '--wall-clock applies to the PSCI flow view' -- report "$D/two-vmms.bin" --wall-clock
expect "report --psci is not --summary" 2 'cannot be combined with --summary' -- report "$D/two-vmms.bin" --psci -s
expect "report --psci follows every call" 2 'follows every call' -- report "$D/two-vmms.bin" --psci --func psci
# Guest symbols: the recording's PCs as symbol+0xoff of a kallsyms written here (code,
# data between, a module; the calls' PCs from tests/fuzz/make_records.c), per VMM too
printf '%s\n' '0000000080000000 T _text' '0000000080000100 t smccc_probe' '0000000080000300 T __arm_smccc_hvc' \
	'0000000080000400 d data_hole' '0000000080000600 t psci_0_2_set_functions' '0000000080002700 T __invoke_psci_fn_hvc' \
	'0000000080002800 T psci_cpu_on' '0000000080003000 t mod_fn	[kvm_mod]' '0000000080012a00 T secondary_start' >"$D/kallsyms"
printf '%s\n' '0000000080002000 T other_kernel' >"$D/kallsyms-2000"
expect "report --guest-kallsyms --json" 0 '' -- report "$D/two-vmms.bin" --json --guest-kallsyms "$D/kallsyms" -o "$D/sym.jsonl"
check "... every call's pc_sym is the kallsyms symbol containing its PC, null in data" json \
	'[r.get("pc_sym", "absent") for r in d[:-1]] == ["smccc_probe+0x90", "smccc_probe+0x158", "__arm_smccc_hvc+0x20",
	 None, "psci_0_2_set_functions+0x40", "__invoke_psci_fn_hvc+0x10", "psci_cpu_on+0xa0", "secondary_start+0x30",
	 "secondary_start+0x1c0", "psci_cpu_on+0x550", "mod_fn+0x840 [kvm_mod]"]' "$D/sym.jsonl"
check "... without symbols no pc_sym key" json 'all("pc_sym" not in r for r in d)' "$D/two.jsonl"
expect "report --guest-symbols PID:kallsyms=FILE" 0 '' -- report "$D/two-vmms.bin" --json --guest-kallsyms "$D/kallsyms" \
	--guest-symbols "2000:kallsyms=$D/kallsyms-2000" -o "$D/sym2.jsonl"
check "... VMM 2000's calls from its own table (0x80000258 before its first symbol), VMM 1000's from the other" json \
	'[r["pc_sym"] for r in d if r.get("pid") == 2000] == [None, "other_kernel+0xd50"] and
	 [r["pc_sym"] for r in d if r.get("pid") == 1000][:3] == ["smccc_probe+0x90", "__arm_smccc_hvc+0x20", None]' "$D/sym2.jsonl"
# the same kernel as a System.map at a KASLR offset, given as a number and as an anchor
grep -v kvm_mod "$D/kallsyms" | python3 -c 'import sys
for l in sys.stdin: a, t, n = l.split(); print("%016x %s %s" % (int(a, 16) - 0x200000, t, n))' >"$D/System.map"
expect "report --guest-system-map --guest-kaslr-offset" 0 '' -- report "$D/two-vmms.bin" --json \
	--guest-system-map "$D/System.map" --guest-kaslr-offset 0x200000 -o "$D/map.jsonl"
check "... the same symbols as the guest's kallsyms (but the module's)" json \
	'[r["pc_sym"] for r in d[:-1]][:10] == [r.get("pc_sym") for r in (json.loads(l) for l in open(sys.argv[1][:-9] + "sym.jsonl"))][:10]' "$D/map.jsonl"
expect "report --guest-kaslr-offset _text=ADDR" 0 '' -- report "$D/two-vmms.bin" --json \
	--guest-system-map "$D/System.map" --guest-kaslr-offset _text=0000000080000000 -o "$D/anchor.jsonl"
check "... the anchor gives the same offset" cmp "$D/map.jsonl" "$D/anchor.jsonl"
python3 tests/check_schema.py --label guest-syms-schema "$D/sym.jsonl" "$D/sym2.jsonl" >/dev/null
check "... the records with pc_sym are valid against the JSON schema" [ $? = 0 ]
expect "report --guest-kallsyms (text)" 0 '' -- report "$D/two-vmms.bin" --guest-kallsyms "$D/kallsyms"
check "... the PC column shows the symbol, the hex PC where none contains it" \
	grep -Eq '^0\.002600 +\? +1000 +1 +0 +PSCI_CPU_ON +hvc #0x0 +psci_cpu_on\+0xa0 +kvm ' "$D/out"
check "... ... and 0x800004b0 in data as a number" grep -Eq ' 0x800004b0 +' "$D/out"
expect "report --guest-kallsyms --perfetto" 0 '' -- report "$D/two-vmms.bin" --perfetto "$D/sym.json" --guest-kallsyms "$D/kallsyms"
check "... every call slice carries its pc_sym" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["traceEvents"]
syms = [x["args"].get("pc_sym", "absent") for x in e if x.get("ph") == "X" and "pc" in x.get("args", {})]
sys.exit(not (len(syms) == 11 and syms.count(None) == 1 and "psci_cpu_on+0xa0" in syms))' "$D/sym.json"
expect "report --psci --guest-kallsyms --json" 0 '' -- report "$D/two-vmms.bin" --psci --json --guest-kallsyms "$D/kallsyms" \
	-o "$D/psci-sym.jsonl"
check "... the CPU_ON operation names its call site" json \
	'[(r["op"], r["pc_sym"]) for r in d if r["type"] == "psci_operation"] == [("cpu_on", "psci_cpu_on+0xa0")]' "$D/psci-sym.jsonl"
check "... without symbols no pc_sym key" json 'all("pc_sym" not in r for r in d)' "$D/psci.jsonl"
check "... every transition names its call's site (a SYSTEM_OFF's for both vCPUs it took off)" json \
	'[(r["vcpu"], r["cause"], r["pc_sym"]) for r in d if r["type"] == "psci_transition"] == [(0, "first_call",
	 "smccc_probe+0x90"), (0, "first_call", "smccc_probe+0x158"), (1, "cpu_on", "psci_cpu_on+0xa0"), (1, "running",
	 "secondary_start+0x30"), (0, "system_off", "mod_fn+0x840 [kvm_mod]"), (1, "system_off", "mod_fn+0x840 [kvm_mod]")]' \
	"$D/psci-sym.jsonl"
check "... each transition's pc_sym is that of the call record it came from (same ts_ns, pid, func)" python3 -c '
import json, sys
calls = {(r["ts_ns"], r["pid"], r["func"]): r["pc_sym"] for r in map(json.loads, open(sys.argv[2])) if r["type"] == "call"}
t = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "psci_transition"]
sys.exit(not (len(t) == 6 and all(calls[(r["ts_ns"], r["pid"], r["func"])] == r["pc_sym"] for r in t)))' \
	"$D/psci-sym.jsonl" "$D/sym.jsonl"
expect "report --psci --guest-symbols PID:kallsyms=FILE --on-timeout 0.05 --json" 0 '' -- report "$D/two-vmms.bin" --psci \
	--json --on-timeout 0.05 --guest-kallsyms "$D/kallsyms" --guest-symbols "2000:kallsyms=$D/kallsyms-2000" -o "$D/psci-sym2.jsonl"
check "... the cpu_on_timeout anomaly names its CPU_ON's site; VMM 2000's first call, before its table's first symbol, null" \
	json '[(r["anomaly"], r["pc_sym"]) for r in d if r["type"] == "psci_anomaly"] == [("cpu_on_timeout", "psci_cpu_on+0xa0")]
	 and [r["pc_sym"] for r in d if r["type"] == "psci_transition" and r["pid"] == 2000] == [None]' "$D/psci-sym2.jsonl"
check "... without symbols, no pc_sym in anomalies either" json \
	'all("pc_sym" not in r for r in d) and any(r["type"] == "psci_anomaly" for r in d)' "$D/psci-timeout.jsonl"
python3 tests/check_schema.py --label guest-syms-psci-schema "$D/psci-sym.jsonl" "$D/psci-sym2.jsonl" >/dev/null
check "... valid against the JSON schema" [ $? = 0 ]
expect "report --psci --guest-kallsyms (text)" 0 '' -- report "$D/two-vmms.bin" --psci --guest-kallsyms "$D/kallsyms"
check "... the operation's DETAIL says where it came from" grep -q "first call; from psci_cpu_on+0xa0$" "$D/out"
check "... so do the timeline's transitions" sh -c "grep -Eq ' on_pending +cpu_on +by vCPU 0: .*; from psci_cpu_on\+0xa0\$' '$D/out' &&
	[ \$(grep -Ec ' system_off +PSCI_SYSTEM_OFF by vCPU 0; from mod_fn\+0x840 \[kvm_mod\]\$' '$D/out') = 2 ]"
expect "report --psci --on-timeout 0.05 --guest-kallsyms (text)" 0 '' -- report "$D/two-vmms.bin" --psci --on-timeout 0.05 \
	--guest-kallsyms "$D/kallsyms"
check "... the anomaly's DETAIL says where its CPU_ON came from" \
	grep -Eq ' cpu_on_timeout +vCPU 1 .*; from psci_cpu_on\+0xa0$' "$D/out"
expect "a missing --guest-kallsyms" 2 "^smccctrace: $D/nope: No such file or directory$" -- \
	report "$D/two-vmms.bin" --guest-kallsyms "$D/nope"
expect "a malformed kallsyms" 2 "^smccctrace: $D/text: line 1 is not 'ADDRESS TYPE NAME'" -- \
	report "$D/two-vmms.bin" --guest-kallsyms "$D/text"
printf '0000000000000000 T _text\n0000000000000000 t foo\n' >"$D/kallsyms-zero"
expect "a kallsyms read without root" 2 'every address 0: copy /proc/kallsyms as root' -- \
	report "$D/two-vmms.bin" --guest-kallsyms "$D/kallsyms-zero"
expect "a vmlinux that is no ELF" 2 "$D/kallsyms: not an ELF file" -- report "$D/two-vmms.bin" --guest-vmlinux "$D/kallsyms"
expect "an anchor the map lacks" 2 "no symbol 'nope' for the KASLR anchor" -- \
	report "$D/two-vmms.bin" --guest-system-map "$D/System.map" --guest-kaslr-offset nope=80000000
expect "an offset for kallsyms" 2 "has its KASLR addresses already" -- \
	report "$D/two-vmms.bin" --guest-kallsyms "$D/kallsyms" --guest-kaslr-offset 0x1000
expect "guest symbols with --summary live" 2 'guest symbols name the PCs of calls: --summary counts in the kernel' -- \
	-s --guest-kallsyms "$D/kallsyms"
expect "guest symbols with --summary --by site live: accepted (on to the host check)" 1 "this is a $(uname -m) machine" -- \
	-s --by site,func --guest-kallsyms "$D/kallsyms"
# --by site: a row per (VMM, VM, PC), named like the calls' pc_sym
expect "report --summary --by site,func --json --guest-kallsyms" 0 '' -- report "$D/two-vmms.bin" -s --by site,func --json \
	--guest-kallsyms "$D/kallsyms" --guest-symbols "2000:kallsyms=$D/kallsyms-2000" -o "$D/sum-site.jsonl"
check "... each group's count, pc and pc_sym equal the calls' (the stream with the same symbols)" python3 -c '
import collections, json, sys
calls = [r for r in map(json.loads, open(sys.argv[2])) if r["type"] == "call"]
want = collections.Counter((c["pid"], c["vm"], c["pc"], c["pc_sym"]) for c in calls)
doc = [json.loads(l) for l in open(sys.argv[1])]
got = collections.Counter()
for g in doc[0]["groups"]:
	got[(g["pid"], g["vm"], g["pc"], g["pc_sym"])] += g["count"]
sites_funcs = {(c["pid"], c["vm"], c["pc"], c["func_label"]) for c in calls}
sys.exit(not (len(doc) == 1 and doc[0]["by"] == ["func", "site"] and got == want and None in [k[3] for k in got]
	and len(doc[0]["groups"]) == len(sites_funcs)))' \
	"$D/sum-site.jsonl" "$D/sym2.jsonl"
python3 tests/check_schema.py --label guest-syms-site-schema "$D/sum-site.jsonl" >/dev/null
check "... valid against the JSON schema" [ $? = 0 ]
expect "report --summary --by site (text)" 0 '' -- report "$D/two-vmms.bin" -s --by site --guest-kallsyms "$D/kallsyms"
check "... PID, VM and SITE columns, the site named" grep -Eq '^PID +VM +SITE +COUNT' "$D/out"
check "... ... psci_cpu_on+0xa0 once" grep -Eq '^1000 +1 +psci_cpu_on\+0xa0 +1 ' "$D/out"
expect "report --summary --by site without symbols: the hex PC" 0 '' -- report "$D/two-vmms.bin" -s --by site
check "... 0x80002800 + 0xa0" grep -Eq '^1000 +1 +0x800028a0 +1 ' "$D/out"
# guest names (format 4 PROCESS records): 1000 and 3000 are "web", 2000 "db", 4000 unnamed
N=$D/named.bin
"$TOOL" report "$N" --json >"$D/named.jsonl"
check "named: each call carries its VMM's guest, none for the unnamed VMM" python3 -c '
import json, sys
calls = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "call"]
want = {1000: "web", 2000: "db", 3000: "web", 4000: None}
sys.exit(not (len(calls) == 7 and all(c.get("guest") == want[c["pid"]] for c in calls)))' "$D/named.jsonl"
check "named: -g web selects pids 1000 and 3000; with -p 4000 that one too" sh -c "
	[ \"\$('$TOOL' report '$N' -g web --json | grep -o '\"pid\":[0-9]*' | sort -u | tr '\n' ' ')\" = '\"pid\":1000 \"pid\":3000 ' ] &&
	[ \$('$TOOL' report '$N' --guest web -p 4000 --json | grep -c '\"type\":\"call\"') = 5 ] &&
	[ \$('$TOOL' report '$N' -g web -g db --json | grep -c '\"type\":\"call\"') = 6 ] &&
	[ \$('$TOOL' report '$N' -g nobody --json | grep -c '\"type\":\"call\"') = 0 ]"
"$TOOL" report "$N" -s --by guest --json >"$D/named-guest.json"
check "named: --summary --by guest: one group per name (web 4, db 2), the unnamed VMM null" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = {g["guest"]: g["count"] for g in d["groups"]}
sys.exit(not (d["by"] == ["guest"] and got == {"web": 4, "db": 2, None: 1} and all("pid" not in g for g in d["groups"])))' \
	"$D/named-guest.json"
"$TOOL" report "$N" -s --by pid,guest --json >"$D/named-pid-guest.json"
check "named: --summary --by pid,guest: a group per VMM, named" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = {(g["pid"], g["guest"]): g["count"] for g in d["groups"]}
sys.exit(not (got == {(1000, "web"): 3, (3000, "web"): 1, (2000, "db"): 2, (4000, None): 1}))' "$D/named-pid-guest.json"
check "named: --summary --by guest (text): a GUEST column" sh -c "
	'$TOOL' report '$N' -s --by guest | grep -Eq '^web +4 ' && '$TOOL' report '$N' -s --by guest | grep -q '^guest = db: time in KVM'"
"$TOOL" report "$N" >"$D/named.txt"
check "named: the text trace's GUEST column: each line its VMM's guest (? for the unnamed), PID after it" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
calls = [r for r in map(json.loads, open(sys.argv[2])) if r["type"] == "call"]
# TIME, then the 16-wide GUEST column (a name may hold spaces), then PID, under its header
at = lines[0].index("PID")
ok = lines[0][:30].split() == ["TIME(s)", "GUEST"] and lines[0].index("GUEST") == 13 and len(lines) == len(calls) + 1
ok = ok and all(l[13:29].rstrip() == c.get("guest", "?") and int(l[at:].split()[0]) == c["pid"]
                for l, c in zip(lines[1:], calls))
sys.exit(not (ok and {c.get("guest") for c in calls} == {"web", "db", None}))' "$D/named.txt" "$D/named.jsonl"
check "named: the JSON is valid against the schema" python3 tests/check_schema.py --label named-schema \
	"$D/named.jsonl" "$D/named-guest.json" "$D/named-pid-guest.json"
"$TOOL" report "$N" --perfetto "$D/named.json"
check "named: Perfetto processes are named by their guest" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["traceEvents"]
m = {x["pid"]: x["args"]["name"] for x in e if x["ph"] == "M" and x["name"] == "process_name"}
sys.exit(not (m == {1000: "web (VMM pid 1000)", 2000: "db (VMM pid 2000)", 3000: "web (VMM pid 3000)",
                    4000: "VMM pid 4000"}))' "$D/named.json"
"$TOOL" report "$N" --top -b -i 3600 --by guest -o "$D/named-top.txt"
check "named: report --top --by guest: rows web 4, db 2, ? 1" sh -c "
	grep -Eq '^web +4 ' '$D/named-top.txt' && grep -Eq '^db +2 ' '$D/named-top.txt' && grep -Eq '^\? +1 ' '$D/named-top.txt'"
"$TOOL" report "$N" --record "$D/named-copy.bin"
check "named: report --record keeps the names (the copy's JSON is the original's)" sh -c "
	'$TOOL' report '$D/named-copy.bin' --json | cmp -s - '$D/named.jsonl'"
check "named: --info reads format 4" sh -c "'$TOOL' report '$N' --info >/dev/null"
# format 3 (before PROCESS records): read, its calls unnamed; a PROCESS record in it is corrupt
python3 - "$N" "$D/named-v3.bin" "$D/named-v3-bad.bin" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
out, bad, pos = bytearray(b[:8] + struct.pack("<I", 3)), bytearray(b[:8] + struct.pack("<I", 3)), 12
while pos < len(b):
    kind, zero, n = struct.unpack_from("<HHI", b, pos)
    if kind != 5:
        out += b[pos:pos + 8 + n]
    bad += b[pos:pos + 8 + n]
    pos += 8 + n
open(sys.argv[2], "wb").write(out)
open(sys.argv[3], "wb").write(bad)
PY
check "format 3: read, the same calls without guest names" python3 -c '
import json, subprocess, sys
old = [json.loads(l) for l in subprocess.run(sys.argv[1:4] + ["--json"], capture_output=True, text=True).stdout.splitlines()]
new = [json.loads(l) for l in open(sys.argv[4])]
for r in new: r.pop("guest", None)
sys.exit(not (len(old) == 8 and old == new))' "$TOOL" report "$D/named-v3.bin" "$D/named.jsonl"
expect "format 3 with a PROCESS record" 1 'named-v3-bad.bin: corrupt record at offset [0-9]+: unknown record type 5' \
	-- report "$D/named-v3-bad.bin" --json
check "a recording without PROCESS records (two-vmms) has no guest key" sh -c "
	! '$TOOL' report '$D/two-vmms.bin' --json | grep -q '\"guest\"'"
# pid reuse (reused.bin): pid 1000 is "web", then named again "cache" (its VMM exited and
# another took the pid); every output gives each call, row, process and VM to its own VMM
R=$D/reused.bin
"$TOOL" report "$R" --json >"$D/reused.jsonl"
check "reused: each call carries the name of its pid's last PROCESS record before it" python3 -c '
import json, sys
calls = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "call"]
sys.exit(not ([(c["pid"], c["guest"]) for c in calls] == [(1000, "web"), (1000, "web"), (2000, "db"),
    (1000, "cache"), (1000, "cache"), (1000, "cache"), (2000, "db"), (3000, "web")]))' "$D/reused.jsonl"
check "reused: -g cache selects pid 1000's second VMM only, -g web its first and pid 3000" sh -c "
	[ \"\$('$TOOL' report '$R' -g cache --json | grep -o '\"ts_ns\":[0-9]*' | tr '\n' ' ')\" = '\"ts_ns\":400000 \"ts_ns\":500000 \"ts_ns\":600000 ' ] &&
	[ \"\$('$TOOL' report '$R' -g web --json | grep -o '\"ts_ns\":[0-9]*' | tr '\n' ' ')\" = '\"ts_ns\":100000 \"ts_ns\":200000 \"ts_ns\":700000 ' ]"
"$TOOL" report "$R" -s --by guest --json >"$D/reused-guest.json"
"$TOOL" report "$R" -s --by pid,guest --json >"$D/reused-pid-guest.json"
check "reused: --summary --by guest: web 3 (pid 1000's first VMM, pid 3000), cache 3, db 2; --by pid,guest: pid 1000 twice" python3 -c '
import json, sys
g = {x["guest"]: x["count"] for x in json.load(open(sys.argv[1]))["groups"]}
pg = {(x["pid"], x["guest"]): x["count"] for x in json.load(open(sys.argv[2]))["groups"]}
sys.exit(not (g == {"web": 3, "cache": 3, "db": 2}
              and pg == {(1000, "web"): 2, (1000, "cache"): 3, (2000, "db"): 2, (3000, "web"): 1}))' \
	"$D/reused-guest.json" "$D/reused-pid-guest.json"
check "reused: --summary --by pid (no names): pid 1000 one row of its 5 calls" sh -c "
	'$TOOL' report '$R' -s --by pid | grep -Eq '^1000 +5 '"
"$TOOL" report "$R" --perfetto "$D/reused.json"
check "reused: Perfetto: pid 1000's second VMM a process of its own (1000 + 4194305) named cache, web's CPU_ON flow not ended by cache's vCPU 1" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["traceEvents"]
m = {x["pid"]: x["args"]["name"] for x in e if x["ph"] == "M" and x["name"] == "process_name"}
tracks = [(x["pid"], x["args"]["pid"], x["args"]["guest"]) for x in e if x.get("cat") == "call"]
sys.exit(not (m == {1000: "web (VMM pid 1000)", 2000: "db (VMM pid 2000)", 4195305: "cache (VMM pid 1000)",
                    3000: "web (VMM pid 3000)"}
              and tracks == [(1000, 1000, "web")] * 2 + [(2000, 2000, "db")] + [(4195305, 1000, "cache")] * 3
                            + [(2000, 2000, "db"), (3000, 3000, "web")]
              and len([x for x in e if x["ph"] == "s"]) == 1 and not [x for x in e if x["ph"] == "f"]))' "$D/reused.json"
"$TOOL" report "$R" --psci --json >"$D/reused-psci.jsonl"
check "reused: --psci: pid 1000's VMMs are two VMs (web's vCPU 1 turned on, never ran; cache's vCPU 1 on from its first call)" python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
v = {(x["pid"], x["guest"], x["vcpu"]): (x["state"], x["calls"]) for x in d if x["type"] == "psci_vcpu"}
b = sorted((x["pid"], x["guest"], x["calls"]) for x in d if x["type"] == "psci_boot")
sys.exit(not (v == {(1000, "web", 0): ("on", 2), (1000, "web", 1): ("on_pending", 0), (2000, "db", 0): ("on", 2),
                    (3000, "web", 0): ("on", 1), (1000, "cache", 0): ("on", 2), (1000, "cache", 1): ("on", 1)}
              and b == [(1000, "cache", 3), (1000, "web", 2), (2000, "db", 2), (3000, "web", 1)]))' "$D/reused-psci.jsonl"
check "reused: --psci (text): a block per VMM, pid 1000 as web and as cache" sh -c "
	'$TOOL' report '$R' --psci >'$D/reused-psci.txt' &&
	grep -q '^=== guest web, pid 1000, VM 1: 2 vCPUs' '$D/reused-psci.txt' &&
	grep -q '^=== guest cache, pid 1000, VM 1: 2 vCPUs' '$D/reused-psci.txt'"
check "reused: the JSON is valid against the schema" python3 tests/check_schema.py --label reused-schema \
	"$D/reused.jsonl" "$D/reused-guest.json" "$D/reused-pid-guest.json" "$D/reused-psci.jsonl"
"$TOOL" report "$R" --top -b -i 3600 --by guest -o "$D/reused-top.txt"
check "reused: report --top --by guest: rows cache 3, web 3, db 2" sh -c "
	grep -Eq '^cache +3 ' '$D/reused-top.txt' && grep -Eq '^web +3 ' '$D/reused-top.txt' && grep -Eq '^db +2 ' '$D/reused-top.txt'"
"$TOOL" report "$R" --record "$D/reused-copy.bin"
check "reused: report --record names pid 1000 again (the copy's JSON is the original's)" sh -c "
	'$TOOL' report '$D/reused-copy.bin' --json | cmp -s - '$D/reused.jsonl'"
echo "# report: $passed passed, $failed failed"
[ $failed -eq 0 ]
