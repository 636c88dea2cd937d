# make demo: the test VMM's full scenario (PSCI bring-up of secondaries, calls KVM
# handles, calls the SMCCC filter denies or forwards to the VMM, a refused SMC) under
# smccctrace, as a live text trace and as JSON Lines.
out=$1
. /scenarios/lib.sh

start_stopped_vmm "$out/vmm.pid" --scenario full --truth "$out/truth.jsonl" --delay-us 2000
smccctrace -v -p "$VMM_PID" >"$out/trace.txt" 2>"$out/trace.err" &
text=$!
smccctrace -v -p "$VMM_PID" --json -o "$out/trace.jsonl" 2>"$out/trace-json.err" &
json=$!
wait_attached "$out/trace.err" $text && wait_attached "$out/trace-json.err" $json || { cat "$out"/trace*.err; exit 1; }
kill -CONT "$VMM_PID"
wait "$VMM_PID"
wait "$text" "$json"
