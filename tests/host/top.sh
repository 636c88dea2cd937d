#!/usr/bin/env bash
# Host (x86_64) tests of the top view on a synthetic recording (tests/fuzz/make_records.c,
# top.bin): `report --top -b` frames, row by row; the interactive view driven under
# tmux (send-keys, capture-pane): sorting, filtering, regrouping, pause and quit;
# one-line errors for options top does not take.
set -u
cd "$(dirname "$0")/../.."
TOOL=${1:-build/x86_64/smccctrace}
MAKE_RECORDS=${2:-build/fuzz/make_records}
. tests/host/lib.sh
D=build/host-top
rm -rf "$D"; mkdir -p "$D"
if ! "$MAKE_RECORDS" "$D" >/dev/null; then
	echo "# top: 0 passed, 1 failed (cannot write the fixtures)"
	exit 1
fi
REC=$D/top.bin

# frames_check FILE PYTHON-EXPR: the expression holds of f, the frames
frames_check() { python3 -c "import json, sys; f = json.load(open(sys.argv[1])); sys.exit(not ($2))" "$1"; }

# --- batch frames of the recording: 1 s each, by pid, vCPU, function
"$TOOL" report "$REC" --top -b -i 1 --by pid,vcpu,func >"$D/batch.txt" 2>"$D/batch.err"
check "report --top -b: exit 0" [ $? = 0 ]
python3 tests/top_frames.py "$D/batch.txt" >"$D/batch.json"
check "three frames, numbered" frames_check "$D/batch.json" '[x["number"] for x in f] == [1, 2, 3]'
check "frame totals 3, 6, 7 calls" frames_check "$D/batch.json" '[x["calls"] for x in f] == [3, 6, 7]'
check "frame 1: vCPU 0 PSCI_VERSION 3 kvm, 3.0/s" frames_check "$D/batch.json" \
	'f[0]["rows"] == [{"PID": "1000", "VCPU": "0", "FUNCTION": "PSCI_VERSION", "COUNT": "3", "RATE/s": "3.0",
	  "KVM": "3", "DENIED": "0", "FORWARDED": "0", "REFUSED": "0", "REFLECTED": "0",
	  "KVM_p50": "3.1", "KVM_p99": "4.0", "VMM_p50": "-", "VMM_p99": "-"}]'
check "frame 2: SIP forwarded x2 (VMM time of the answered one), TRNG denied" frames_check "$D/batch.json" \
	'[(r["FUNCTION"], r["COUNT"], r["RATE/s"], r["FORWARDED"], r["DENIED"], r["VMM_p99"]) for r in f[1]["rows"]] ==
	 [("PSCI_VERSION", "3", "0.0", "0", "0", "-"), ("SIP_other", "2", "2.0", "2", "0", "3000.0"),
	  ("TRNG_VERSION", "1", "1.0", "0", "1", "-")]'
check "frame 3: the other VMM's row, totals kept" frames_check "$D/batch.json" \
	'[(r["PID"], r["FUNCTION"], r["COUNT"], r["RATE/s"]) for r in f[2]["rows"]] ==
	 [("1000", "PSCI_VERSION", "3", "0.0"), ("1000", "SIP_other", "2", "0.0"),
	  ("1000", "TRNG_VERSION", "1", "0.0"), ("2000", "PSCI_VERSION", "1", "1.0")]'
"$TOOL" report "$REC" --top -b -n 2 -i 1 >"$D/n2.txt"
check "-n 2: two frames, exit 0" [ $? = 0 -a "$(grep -c '^smccctrace top - frame' "$D/n2.txt")" = 2 ]
"$TOOL" report "$REC" --top -b --func psci --by service >"$D/psci.txt"
python3 tests/top_frames.py "$D/psci.txt" >"$D/psci.json"
check "filters and --by service: a 2 s frame, then the last 1 s, psci only" frames_check "$D/psci.json" \
	'[x["calls"] for x in f] == [3, 4] and f[-1]["rows"] == [{"SERVICE": "psci", "COUNT": "4", "RATE/s": "1.0",
	  "KVM": "4", "DENIED": "0", "FORWARDED": "0", "REFUSED": "0", "REFLECTED": "0", "KVM_p50": "2.0",
	  "KVM_p99": "4.0", "VMM_p50": "-", "VMM_p99": "-"}]'
# --by site: the last frame's rows are report --summary --by site's, named from the
# guest symbols (two functions: 0x80000000 and 0x80010000 on, the last one ending at its
# page's end: past it the hex PC)
printf '%s\n' '0000000080000000 T guest_a' '0000000080010000 T guest_b' >"$D/kallsyms"
"$TOOL" report "$REC" --top -b --by site,func --guest-kallsyms "$D/kallsyms" >"$D/site.txt" 2>"$D/site.err"
check "report --top -b --by site,func --guest-kallsyms: exit 0" [ $? = 0 ]
python3 tests/top_frames.py "$D/site.txt" >"$D/site.json"
"$TOOL" report "$REC" -s --json --by site,func >"$D/site-sum.jsonl"
check "... the last frame's sites and counts are the summary's, each named symbol+0xoff" python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))[-1]
groups = json.loads(open(sys.argv[2]).readline())["groups"]
def name(pc):
	pc = int(pc, 16)
	if pc >= 0x80011000:
		return "0x%x" % pc
	return "guest_a+0x%x" % (pc - 0x80000000) if pc < 0x80010000 else "guest_b+0x%x" % (pc - 0x80010000)
got = sorted((r["PID"], r["VM"], r["SITE"], r["FUNCTION"], r["COUNT"]) for r in f["rows"])
want = sorted((str(g["pid"]), str(g["vm"]), name(g["pc"]), g["func_label"], str(g["count"])) for g in groups)
sys.exit(not (got == want and len(got) == 7 and f["state"].startswith("by func,site;")))' "$D/site.json" "$D/site-sum.jsonl"

# --- one-line errors
expect() {
	local name=$1 want=$2 err_re=$3; shift 4
	"$TOOL" "$@" >"$D/out" 2>"$D/err" </dev/null
	local status=$?
	if [ "$status" = "$want" ] && { [ "$want" = 0 ] || { grep -Eq -- "$err_re" "$D/err" && [ "$(wc -l <"$D/err")" = 1 ]; }; }; then
		ok "$name"
	else
		not_ok "$name: exit $status, want $want; stderr: $(cat "$D/err")"
	fi
}
expect "interactive without a terminal" 1 'interactive view needs a terminal \(-b prints plain frames\)' -- report "$REC" --top
expect "top -o without -b" 2 '^smccctrace: top: -o needs -b' -- top -o x
expect "top --json" 2 'top is a view of its own: no --json' -- top --json
expect "top -s" 2 'top is a view of its own: no --summary' -- top -s
expect "top -c" 2 "no -c \(top's is -n\)" -- top -c 3 -i 1
expect "top --by disposition" 2 'top splits dispositions into columns' -- top --by vcpu,disposition
expect "top: guest symbols without --by site" 2 'top counts in the kernel, without them \(but --by site\)' -- \
	top --guest-kallsyms "$D/kallsyms"
expect "-b without top" 2 '^smccctrace: -b applies to top$' -- -b
expect "-n 0" 2 "^smccctrace: top: -n: not a number of frames: '0'$" -- top -b -n 0
expect "top --help" 0 '' -- top --help
grep -q '^Usage: smccctrace top ' "$D/out"
check "top --help prints the view's usage" [ $? = 0 ]

# --- the interactive view under tmux: the recording replayed at 0.2 s per frame, then
# held; keys sort, filter, regroup, pause and quit. Every step waits for the screen to
# show its effect (no fixed sleeps).
S=smccctrace-top-$$
tmux kill-session -t "$S" 2>/dev/null
tmux new-session -d -s "$S" -x 200 -y 30 "$TOOL report $REC --top -i 0.2; echo \"exit status \$?\"; sleep 600"
trap 'tmux kill-session -t "$S" 2>/dev/null' EXIT
screen() { tmux capture-pane -p -t "$S"; }
# shows NAME REGEX: waits up to 20 s for the screen to match (grep -E), counts it
shows() {
	local name=$1 re=$2 i=0
	while ! screen | grep -Eq -- "$re"; do
		i=$((i + 1))
		if [ $i -gt 200 ]; then
			not_ok "$name: the screen never showed /$re/:"; screen | sed 's/^/    /'; return 1
		fi
		sleep 0.1
	done
	ok "$name"
}
hides() {	# hides NAME REGEX: the screen (already redrawn) does not match
	if screen | grep -Eq -- "$2"; then not_ok "$1"; screen | sed 's/^/    /'; else ok "$1"; fi
}
key() { tmux send-keys -t "$S" "$@"; }
shows "replay: ends with the last frame held" 'end of the recording; q quits'
shows "the held frame is the last: 7 calls" '^calls 7 '
shows "rows sorted by count: VM 1's PSCI_VERSION (3) first" '^1 +0 +PSCI_VERSION +3 '
screen >"$D/screen-end.txt"
check "rows in count order" python3 -c '
import sys
rows = [l.split()[2] for l in open(sys.argv[1]) if l[:1].isdigit()]
sys.exit(rows != ["PSCI_VERSION", "SIP_other", "TRNG_VERSION", "PSCI_VERSION"])' "$D/screen-end.txt"
key s
shows "s: sort by rate" '; sort rate;'
key s s s
shows "s s s: sort by key" '; sort key;'
screen >"$D/screen-key.txt"
check "sort by key: VM 1 vCPU 0, vCPU 1, then VM 2" python3 -c '
import sys
rows = [tuple(l.split()[:3]) for l in open(sys.argv[1]) if l[:1].isdigit()]
sys.exit(rows != [("1", "0", "PSCI_VERSION"), ("1", "0", "TRNG_VERSION"), ("1", "1", "SIP_other"),
                  ("2", "0", "PSCI_VERSION")])' "$D/screen-key.txt"
key s
shows "s: back to count" '; sort count;'
key 1
shows "1: a PID column" '^PID +VM +VCPU +FUNCTION'
shows "... with both VMMs' PSCI_VERSION rows" '^2000 +2 +0 +PSCI_VERSION +1 '
key 1 3 5
shows "1 3 5: grouped by vm only" '^by vm; '
shows "... a row per VM" '^2 +1 +'
key 4
shows "4: by service" '^VM +SERVICE '
key 4 3 5
shows "4 3 5: back to vm,vcpu,func" '^by vm,vcpu,func; '
key /
shows "/: the filter prompt" 'filter \(function or service, Enter applies, Esc cancels\): _'
key t r n g Enter
shows "/trng Enter: filter trng" '; filter trng; rows 1'
hides "... TRNG only" 'PSCI_VERSION|SIP_other'
key c
shows "c: filters cleared" '; filter none; rows 4'
key d d
shows "d d: denied calls only" '; disposition denied; filter none; rows 1'
shows "... the TRNG row" 'TRNG_VERSION +1 '
key c
key ' '
shows "space: paused" '; PAUSED'
key ' '
shows "space again: running" '; filter none; rows 4; end of the recording'
key h
shows "h: the keys" '^keys: q quit, space pause'
key q
shows "q: the view quits, exit 0, the terminal restored" '^exit status 0$'
tmux kill-session -t "$S" 2>/dev/null

echo "# top: $passed passed, $failed failed"
[ $failed -eq 0 ]
