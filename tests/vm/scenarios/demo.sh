# make demo: the test VMM's full scenario (PSCI bring-up of secondaries, calls KVM
# handles, calls the SMCCC filter denies or forwards to the VMM, a refused SMC) under
# smccctrace: a live text trace; JSON Lines, a Perfetto timeline and a record file from
# a second tracer; and an in-kernel summary with histograms from a third.
out=$1
. /scenarios/lib.sh

start_stopped_vmm "$out/vmm.pid" --scenario full --truth "$out/truth.jsonl" --delay-us 2000
smccctrace -v -p "$VMM_PID" >"$out/trace.txt" 2>"$out/trace.err" &
text=$!
smccctrace -v -p "$VMM_PID" --json -o "$out/trace.jsonl" --perfetto "$out/trace.perfetto.json" \
	--record "$out/trace.rec" 2>"$out/trace-json.err" &
json=$!
smccctrace -v -p "$VMM_PID" --summary --by func,disposition >"$out/summary.txt" 2>"$out/summary.err" &
summary=$!
for t in "trace.err $text" "trace-json.err $json" "summary.err $summary"; do
	set -- $t
	wait_attached "$out/$1" $2 || { cat "$out"/*.err; exit 1; }
done
kill -CONT "$VMM_PID"
wait "$VMM_PID"
wait "$text" "$json" "$summary"

# The PSCI flow of a hotplug-style VMM (PSCI in userspace) that gets things wrong on
# purpose: failed CPU_ONs, a vCPU started late, a long AFFINITY_INFO poll, a slow
# answer, a vCPU not parked after its CPU_OFF. The raw calls are recorded as well.
start_stopped_vmm "$out/hotplug-vmm.pid" --scenario hotplug --truth "$out/hotplug-truth.jsonl"
smccctrace psci -v -p "$VMM_PID" --on-timeout 250 --slow-vmm 80 --record "$out/hotplug.rec" \
	>"$out/psci.txt" 2>"$out/psci.err" &
psci=$!
wait_attached "$out/psci.err" $psci || { cat "$out/psci.err"; exit 1; }
kill -CONT "$VMM_PID"
wait "$VMM_PID"
wait "$psci"
