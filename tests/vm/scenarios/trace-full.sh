# The tracer against the test VMM's full scenario, checked later on the host by
# tests/vm/check_trace.py. A second, untraced VMM runs at the same time: none of
# its calls may appear.
out=$1
. /scenarios/lib.sh

start_stopped_vmm "$out/vmm.pid" --scenario full --truth "$out/truth.jsonl" --delay-us 3000
vmm=$VMM_PID
smccctrace -v -p "$vmm" --json -o "$out/trace.jsonl" 2>"$out/trace.err" &
tracer=$!
wait_attached "$out/trace.err" $tracer || { cat "$out/trace.err"; exit 1; }
# the untraced one, started after the tracer so it runs alongside
smccc-testvmm --scenario full --truth "$out/other-truth.jsonl" --delay-us 1000 2>"$out/other-vmm.log" &
other=$!
kill -CONT "$vmm"
wait "$vmm"; echo $? >"$out/vmm.rc"
wait "$other"; echo $? >"$out/other-vmm.rc"
wait "$tracer"; echo $? >"$out/trace.rc"
cat "$out/trace.err"

# The same under an AArch32 guest (A32 and T32), where the CPU has AArch32 at EL1.
start_stopped_vmm "$out/vmm32.pid" --aarch32 --scenario full --truth "$out/truth32.jsonl" --delay-us 3000
smccctrace -v -p "$VMM_PID" --json -o "$out/trace32.jsonl" 2>"$out/trace32.err" &
tracer=$!
wait_attached "$out/trace32.err" $tracer || { cat "$out/trace32.err"; exit 1; }
kill -CONT "$VMM_PID"
wait "$VMM_PID"; echo $? >"$out/vmm32.rc"
wait "$tracer"; echo $? >"$out/trace32.rc"
