# Helpers shared by the scenarios (busybox sh).

# start_stopped_vmm PIDFILE ARGS...: starts the test VMM stopped, so a tracer can be
# attached to its pid before its guests make a single call. `kill -CONT $VMM_PID`
# starts it; `wait $VMM_PID` gives its exit status.
start_stopped_vmm() {
	pidfile=$1; shift
	sh -c 'kill -STOP $$; exec smccc-testvmm "$@"' smccc-testvmm "$@" 2>"${pidfile%.pid}.log" &
	VMM_PID=$!
	echo $VMM_PID >"$pidfile"
	# wait until the shell has stopped itself
	while ! grep -q '^State:.*T' "/proc/$(cat "$pidfile")/status" 2>/dev/null; do sleep 0.05; done
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
