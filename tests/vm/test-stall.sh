#!/usr/bin/env bash
# The stall watchdog of the emulated host (tests/vm/init): a scenario that stops making
# progress fails within SCENARIO_STALL, not after SCENARIO_TIMEOUT, and the console
# shows its progress as it happened and what it was waiting for
# (tests/vm/scenarios/stall.sh). Then the host's view (tests/vm/cpu-watch.py): every
# CPU's PC from QEMU's monitor, named, at that stall and at a kernel panic
# (tests/vm/scenarios/panic.sh), after which it ends QEMU at once.
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
	bash -c '[ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le $(($2 + 4)) ]' _ "$quiet" "$stall"
# from the scenario's start: 7 ticks of 2 s, the window, then the diagnosis (some
# seconds of forks under emulation); SCENARIO_TIMEOUT would have been 240 s
took=$(sed -n 's/^testbed: scenario stall exited 125 after \([0-9]*\)s$/\1/p' "$console")
check "$variant: ended ${took:-?}s after it started (>= 14 + $stall, <= 14 + $stall + 40, not 240)" \
	bash -c '[ -n "$1" ] && [ "$1" -ge $((14 + $2)) ] && [ "$1" -le $((14 + $2 + 40)) ]' _ "$took" "$stall"
# The host's view (tests/vm/cpu-watch.py): on the stall above it dumped every CPU,
# named; each of those PCs was read from QEMU, and each name from the kernel's kallsyms
# copy (build/vm/kallsyms/, Debian's System.map is a stub) moved by this boot's KASLR
# offset
cpus=build/vm/$variant$CELL_SUFFIX/stall/cpus.txt
check "$variant: the watcher dumped both CPUs at the stall ($(grep -c '^cpu ' "$cpus" 2>/dev/null))" \
	bash -c '[ "$(grep -m1 "^# event:" "$1" | cut -d: -f2)" = " scenario-stall" ] && [ "$(grep -c "^cpu " "$1")" = 2 ]' _ "$cpus"
check "$variant: every CPU at the stall has a PC and a name ($(grep '^cpu ' "$cpus" 2>/dev/null | cut -d' ' -f2,4,8 | tr '\n' ';'))" \
	awk '/^cpu / { n++; if ($4 !~ /^0x[0-9a-f]+$/ || $8 !~ /^[A-Za-z_.$][A-Za-z0-9_.$]*\+0x[0-9a-f]+$/) bad++ } END { exit !(n == 2 && !bad) }' "$cpus"

# A kernel that dies: panic on CPU 1 (sysrq c). The watcher names where both CPUs are
# and ends QEMU at once, well before panic=10 would reboot it
vm_run "$variant" panic --timeout 240
dir=build/vm/$variant$CELL_SUFFIX/panic
cpus=$dir/cpus.txt
tr -d '\r' <"$dir/console.log" >"$dir/console.txt"
check "$variant: the kernel panicked (sysrq c)" grep -q 'Kernel panic - not syncing' "$dir/console.txt"
check "$variant: the watcher's event is the panic" grep -q '^# event: panic: .*Kernel panic - not syncing' "$cpus"
check "$variant: the panicking CPU (CPU 1) is in the panic path: $(grep '^cpu 1 ' "$cpus")" \
	grep -Eq '^cpu 1 pc 0x[0-9a-f]+ el EL[12][th] sym (panic|vpanic|__delay|__delay_cycles|__const_udelay|__udelay|arch_timer_read_cntvct_el0|arch_counter_get_cntvct)\+0x[0-9a-f]+$' "$cpus"
check "$variant: the CPU it stopped (CPU 0) is parked: $(grep '^cpu 0 ' "$cpus")" \
	grep -Eq '^cpu 0 pc 0x[0-9a-f]+ el EL[12][th] sym (cpu_park_loop|local_cpu_stop|do_handle_IPI|panic_smp_self_stop)\+0x[0-9a-f]+$' "$cpus"
# QEMU gone within seconds of the panic, not after panic=10's reboot: the kernel's clock
# started after QEMU did, so a reboot would end QEMU no sooner than 10 s after the panic
# on QEMU's run time too
at=$(sed -n 's/^\[ *\([0-9]*\)\.[0-9]*\] Kernel panic - not syncing.*/\1/p' "$dir/console.txt" | head -1)
secs=$(cut -d. -f1 "$dir/seconds" 2>/dev/null)
check "$variant: QEMU ended by the watcher ${secs:-?} s after its start, the panic at ${at:-?} s (a reboot: >= $((${at:-0} + 10)) s)" \
	bash -c '[ -n "$1" ] && [ -n "$2" ] && [ "$2" -lt $(($1 + 10)) ]' _ "$at" "$secs"
check "$variant: no scenario result (the kernel died): run.sh said so (rc $VM_RC)" [ "$VM_RC" = 1 ]
report "vm-stall-$variant"
