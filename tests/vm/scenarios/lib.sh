# Helpers shared by the scenarios (busybox sh).

# start_stopped_vmm PIDFILE ARGS...: starts the test VMM and lets it stop itself once
# its VM and vCPU threads exist (--stop-after-setup, writing "VCPU TID" lines to
# PIDFILE's .tids), before its guests make a single call: a tracer can then be pointed
# at a real VMM. `kill -CONT $VMM_PID` starts it; `wait $VMM_PID` gives its exit status.
start_stopped_vmm() {
	pidfile=$1; shift
	smccc-testvmm "$@" --stop-after-setup "${pidfile%.pid}.tids" 2>"${pidfile%.pid}.log" &
	VMM_PID=$!
	echo $VMM_PID >"$pidfile"
	while ! grep -q '^State:.*T' "/proc/$VMM_PID/status" 2>/dev/null; do
		kill -0 $VMM_PID 2>/dev/null || return 1	# it failed (e.g. no AArch32: exit 3)
		sleep 0.05
	done
}

# wait_attached ERRFILE PID: waits until `smccctrace -v` (PID) reports that it is
# tracing; fails if it exits first or takes over 30 s.
wait_attached() {
	i=0
	while ! grep -q 'attached with' "$1" 2>/dev/null; do
		kill -0 "$2" 2>/dev/null || return 1
		i=$((i + 1))
		[ $i -gt 600 ] && return 1
		sleep 0.05
	done
}
