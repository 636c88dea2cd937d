#!/usr/bin/env bash
# smccctrace -p VMM --json equals the test VMM's ground truth, field by field, with a
# second, untraced VMM running alongside.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
vm_run "$variant" trace-full
check "$variant: trace-full scenario exited 0" [ "$VM_RC" = 0 ]
check "$variant: traced VMM exited 0" grep -qx 0 "$RESULTS/vmm.rc"
check "$variant: untraced VMM exited 0 and made calls" \
	sh -c "grep -qx 0 '$RESULTS/other-vmm.rc' && grep -q '\"type\":\"call\"' '$RESULTS/other-truth.jsonl'"
check "$variant: tracer exited 0 by itself when the VMM exited" grep -qx 0 "$RESULTS/trace.rc"
python3 tests/vm/check_trace.py "$RESULTS" --label "trace-$variant"
check "$variant: field-by-field comparison" [ $? = 0 ]
if [ -f "$RESULTS/truth32.jsonl" ]; then
	check "$variant: AArch32 VMM exited 0" grep -qx 0 "$RESULTS/vmm32.rc"
	python3 tests/vm/check_trace.py "$RESULTS" --truth truth32.jsonl --trace trace32.jsonl --label "trace32-$variant"
	check "$variant: AArch32 (A32/T32) field-by-field comparison" [ $? = 0 ]
else
	not_ok "$variant: the AArch32 guest did not run: $(cat "$RESULTS/vmm32.log" 2>/dev/null | tail -1)"
fi
# arm64 kernel addresses are 0xffff followed by 12 hex digits; -1 (all f) is a value
check "$variant: no kernel address in any output" \
	sh -c "! cat '$RESULTS'/trace*.jsonl '$RESULTS'/trace*.err | grep -Eo '0xffff[0-9a-f]{12}' | grep -qv 'ffffffffffffffff'"
report "vm-trace-$variant"
