# One cell of the kernel matrix in one boot (tests/vm/test-kernel.sh): `probe`, then
# the field-by-field trace scenario, then (PVM=1, under kvm-arm.mode=protected) the
# trace of a protected VM. Their result files do not overlap.
out=$1
sh /scenarios/probe.sh "$out" >"$out/probe-scenario.log" 2>&1
echo $? >"$out/probe-scenario.rc"
[ -n "$PROBE_ONLY" ] && exit 0
sh /scenarios/trace-full.sh "$out" || exit
[ -z "$PVM" ] || sh /scenarios/trace-pvm.sh "$out"
