# The PSCI flow view against the test VMM's hotplug scenario (PSCI CPU_ON, CPU_OFF
# and AFFINITY_INFO implemented in the VMM, and every anomaly provoked on purpose),
# checked later on the host by tests/vm/check_psci.py against the VMM's ground truth.
# One live `smccctrace psci` writes the flow as JSON and records the raw calls; the
# recording is then rendered again offline with `report --psci`, which must agree.
out=$1
. /scenarios/lib.sh
# far from what the VMM does, even on a busy emulated host: bring-up within some 60 ms
# or 600 ms late, answers within some 25 ms or 250 ms late, 15+ polls; the poll time
# out of the way so that counts decide
PSCI_ARGS="--on-timeout 250 --poll-limit 10 --poll-time 100000 --slow-vmm 80"
echo "$PSCI_ARGS" >"$out/psci-args"

start_stopped_vmm "$out/vmm.pid" --scenario hotplug --truth "$out/truth.jsonl" \
	--delay-us 2000 --slow-ms 250 --start-delay-ms 600 --affinity-lag 14
smccctrace psci -v -p "$VMM_PID" $PSCI_ARGS --json -o "$out/psci.jsonl" \
	--record "$out/trace.rec" 2>"$out/psci.err" &
tracer=$!
wait_attached "$out/psci.err" $tracer || { cat "$out/psci.err"; exit 1; }
kill -CONT "$VMM_PID"
wait "$VMM_PID"; echo $? >"$out/vmm.rc"
wait "$tracer"; echo $? >"$out/psci.rc"
cat "$out/psci.err"

smccctrace report "$out/trace.rec" --psci $PSCI_ARGS --json -o "$out/report-psci.jsonl" 2>"$out/report.err"
echo $? >"$out/report.rc"
smccctrace report "$out/trace.rec" --psci $PSCI_ARGS >"$out/psci.txt" 2>>"$out/report.err"
smccctrace report "$out/trace.rec" --json >"$out/calls.jsonl" 2>>"$out/report.err"
