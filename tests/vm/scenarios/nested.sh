# Nested virtualisation (kvm-arm.mode=nested, -cpu max, 7.x): the test VMM's nested
# scenario runs one vCPU at virtual EL2, whose HVCs KVM reflects into the guest's own
# hypervisor and whose SMCs KVM handles; the tracer must say which is which
# (tests/vm/test-nested.sh compares it with the ground truth).
out=$1
. /scenarios/lib.sh

smccctrace probe --json >"$out/probe.json" 2>"$out/probe.err"
start_stopped_vmm "$out/vmm.pid" --scenario nested --truth "$out/truth.jsonl" --delay-us 2000 ||
	{ cat "$out/vmm.log"; exit 1; }
smccctrace -v -p "$VMM_PID" --json -o "$out/trace.jsonl" 2>"$out/trace.err" &
tracer=$!
# -v only adds lines on stderr: trace.txt is what a plain run prints
smccctrace -v -p "$VMM_PID" -o "$out/trace.txt" 2>"$out/trace-text.err" &
text=$!
wait_attached "$out/trace.err" $tracer || { cat "$out/trace.err"; exit 1; }
wait_attached "$out/trace-text.err" $text || { cat "$out/trace-text.err"; exit 1; }
kill -CONT "$VMM_PID"
wait "$VMM_PID"; echo $? >"$out/vmm.rc"
wait "$tracer"; echo $? >"$out/trace.rc"
wait "$text"; echo $? >"$out/trace-text.rc"
cat "$out/vmm.log" "$out/trace.err" "$out/trace.txt"
