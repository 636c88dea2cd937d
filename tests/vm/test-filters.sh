#!/usr/bin/env bash
# Each in-kernel filter lets through exactly the calls it should, and the forced
# kprobe plan gives the same events as fentry/fexit.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
# nine tracers attach one after the other: on a loaded emulated host that alone can
# take minutes (the watchdog is for hangs, not speed)
vm_run "$variant" trace-filters --timeout 600 --env SCENARIO_TIMEOUT=540
check "$variant: trace-filters scenario exited 0" [ "$VM_RC" = 0 ]
check "$variant: VMM exited 0" grep -qx 0 "$RESULTS/vmm.rc"
tid1=$(awk '$1 == 1 { print $2 }' "$RESULTS/tids")
# name | expression over a truth call t | extra checker options
while IFS='|' read -r name where extra; do
	check "$variant: tracer $name exited 0" grep -qx 0 "$RESULTS/$name.rc"
	python3 tests/vm/check_trace.py "$RESULTS" --trace "$name.jsonl" --label "filter-$name-$variant" \
		--where "$where" $extra
	check "$variant: filter $name lets through exactly its calls" [ $? = 0 ]
done <<EOF2
kprobe|True|
tracepoint|True|--plan tracepoint
vcpu|t['vcpu'] == 1|
tid|t['tid'] == $tid1|
psci|0x84000000 <= int(t['func_id'], 16) <= 0x8400001f or 0xc4000000 <= int(t['func_id'], 16) <= 0xc400001f|
names|int(t['func_id'], 16) in (0x84000003, 0xc4000003, 0x80000000)|
smc|t['conduit'] == 'smc'|
disp|t['expect'] in ('forwarded', 'refused')|
allargs|True|--nargs 17
EOF2
check "$variant: the kprobe tracer really used kprobes" grep -q 'attached with kprobe/kretprobe' "$RESULTS/kprobe.err"
check "$variant: the tracepoint tracer really used tracepoints only" grep -q 'attached with tracepoints' "$RESULTS/tracepoint.err"
report "vm-filters-$variant"
