#!/usr/bin/env bash
# smccctrace --summary (counts and latency histograms aggregated in the kernel) equals
# the test VMM's ground truth exactly, as JSON, text and -i intervals; every JSON
# document the tool wrote validates against docs/smccctrace.schema.json.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
# A dozen tracers attach in this boot, seconds each, and four VMMs run: under a loaded
# machine's emulation (7.x at load 11: 425 s) the whole takes many times its quiet
# minute. So the hang bound is the stall watchdog (nothing new on the console for
# 300 s: one line per tracer and VMM step), and the total bound only a backstop.
vm_run "$variant" summary --timeout 1500 --env SCENARIO_TIMEOUT=1440 --env SCENARIO_STALL=300
check "$variant: summary scenario exited 0" [ "$VM_RC" = 0 ]
# the recording of the same run, summarised by site on this machine: check_summary.py
# compares it with the live sum-key
build/x86_64/smccctrace report "$RESULTS/rec.bin" -s --json --by pid,vm,vcpu,func,service,disposition,site \
	--guest-kallsyms "$RESULTS/guest-kallsyms-a" -o "$RESULTS/report-site.jsonl" 2>"$RESULTS/report-site.err"
check "$variant: report --summary --by ...,site of the recording" [ $? = 0 ]
python3 tests/vm/check_summary.py "$RESULTS" --label "summary-$variant"
check "$variant: summaries equal the ground truth" [ $? = 0 ]
# run A's VMM exits on its own: -s says so like the call trace does (-v)
for f in sum-json sum-text sum-default calls; do
	check "$variant: $f: 'the traced process exited'" grep -q '^smccctrace: the traced process exited$' "$RESULTS/$f.err"
done

# the schema: every JSON Lines output of this boot, and the subcommands' JSON
tool=build/x86_64/smccctrace
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$tool" report --json "$RESULTS/rec.bin" >"$tmp/report.jsonl"
check "$variant: report --json of the --record file" [ $? = 0 ]
"$tool" report --info --json "$RESULTS/rec.bin" >"$tmp/info.jsonl"
check "$variant: report --info --json" [ $? = 0 ]
python3 tests/check_schema.py --self-test --label "schema-$variant" \
	"$RESULTS"/{sum-json,sum-key,sum-kprobe,intervals,count,duration,sigint,calls,report-site}.jsonl \
	"$tmp/report.jsonl" "$tmp/info.jsonl"
check "$variant: JSON Lines valid against docs/smccctrace.schema.json" [ $? = 0 ]
python3 tests/check_schema.py --def probe --label "schema-probe-$variant" "$RESULTS/probe.json"
check "$variant: probe --json valid against the schema" [ $? = 0 ]
"$tool" decode --json psci 0x86000000 0xc2000042 0x84020003 >"$tmp/decode.jsonl"
python3 tests/check_schema.py --def decode --label "schema-decode" "$tmp/decode.jsonl"
check "decode --json valid against the schema" [ $? = 0 ]
report "vm-summary-$variant"
