# The PSCI flow view against the test VMM's hotplug scenario (PSCI CPU_ON, CPU_OFF
# and AFFINITY_INFO implemented in the VMM, and every anomaly provoked on purpose),
# checked later on the host by tests/vm/check_psci.py against the VMM's ground truth.
# One live `smccctrace psci` writes the flow as JSON and records the raw calls; the
# recording is then rendered again offline with `report --psci`, which must agree.
out=$1
. /scenarios/lib.sh
# The thresholds derive from what the VMM does on purpose, and stay far from it and
# from what it does normally, even on a loaded emulated host (check_psci.py calls a
# run inconclusive within 0.5..2x --on-timeout or 0.7..1.5x --slow-vmm): a normal
# bring-up takes some 10-60 ms (< 800 ms = 0.5x), the late one 4000 ms (> 3200 ms = 2x);
# a normal answer some 5-20 ms (< 700 ms = 0.7x), a slow one 3000 ms (> 1500 ms = 1.5x);
# 15+ polls; the poll time out of the way so that counts decide. They are what a user
# on a slow or loaded host would give: a normal answer took 172 ms once under a 2-core
# machine's load, which the earlier 200 ms --slow-vmm (inconclusive above 140 ms) lost.
SLOW_MS=3000 START_DELAY_MS=4000
PSCI_ARGS="--on-timeout $((START_DELAY_MS * 2 / 5)) --poll-limit 10 --poll-time 100000 --slow-vmm $((SLOW_MS / 3))"
echo "$PSCI_ARGS" >"$out/psci-args"

start_stopped_vmm "$out/vmm.pid" --scenario hotplug --truth "$out/truth.jsonl" \
	--delay-us 2000 --slow-ms "$SLOW_MS" --start-delay-ms "$START_DELAY_MS" --affinity-lag 14
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
