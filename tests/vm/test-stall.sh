#!/usr/bin/env bash
# The stall watchdog of the emulated host (tests/vm/init): a scenario that stops making
# progress fails within SCENARIO_STALL, not after SCENARIO_TIMEOUT, and the console
# shows its progress as it happened and what it was waiting for
# (tests/vm/scenarios/stall.sh).
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=${1:-vhe}
stall=8
vm_run "$variant" stall --timeout 300 --env SCENARIO_STALL=$stall --env SCENARIO_TIMEOUT=240
console=build/vm/$variant$CELL_SUFFIX/stall/console.txt
tr -d '\r' <"${console%.txt}.log" >"$console"	# the serial console ends lines with CR LF
check "$variant: the stalled scenario failed with the watchdog's status 125 (got $VM_RC)" [ "$VM_RC" = 125 ]
# progress first, each tick as it happened, and no stall called while it lasted
ticks=$(grep -c '^stall: tick [0-9]* at' "$console")
check "$variant: all 7 progress lines on the console ($ticks)" [ "$ticks" = 7 ]
order=$(grep -n -e '^stall: tick 7 at' -e '^stall: waiting on' -e 'stalled: no output' "$console" | cut -d: -f1 | tr '\n' ' ')
check "$variant: progress, then the wait, then the stall (console lines $order)" \
	awk -v o="$order" 'BEGIN { n = split(o, a, " "); exit !(n == 3 && a[1] < a[2] && a[2] < a[3]) }'
check "$variant: it names what the scenario waited for: $(grep -m1 'waiting for:' "$console")" \
	grep -Eq '^testbed: waiting for: \[[0-9]+\] S \(sleeping\) wchan=[a-z_]+ cmd: cat /tmp/never-written' "$console"
check "$variant: its last line of output" grep -q '^testbed: its last line: stall: waiting on /tmp/never-written' "$console"
check "$variant: the kernel's view (sysrq) in stall.txt" grep -q 'sysrq: Show backtrace of all active CPUs' "$RESULTS/stall.txt"
check "$variant: nothing after the wait ran" bash -c "! grep -q 'FIFO was opened' '$console'"
# called within the watchdog's 2 s polls of the window's end
quiet=$(sed -n 's/^testbed: scenario stall stalled: no output for \([0-9]*\)s .*/\1/p' "$console")
check "$variant: called a stall after ${quiet:-?}s without output (window ${stall}s, polled every 2 s)" \
	[ -n "$quiet" ] && [ "$quiet" -ge $stall ] && [ "$quiet" -le $((stall + 4)) ]
# from the scenario's start: 7 ticks of 2 s, the window, then the diagnosis (some
# seconds of forks under emulation); SCENARIO_TIMEOUT would have been 240 s
took=$(sed -n 's/^testbed: scenario stall exited 125 after \([0-9]*\)s$/\1/p' "$console")
check "$variant: ended ${took:-?}s after it started (>= 14 + $stall, <= 14 + $stall + 40, not 240)" \
	[ -n "$took" ] && [ "$took" -ge $((14 + stall)) ] && [ "$took" -le $((14 + stall + 40)) ]
report "vm-stall-$variant"
