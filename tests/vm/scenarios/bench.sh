# The benchmark (`make bench`, docs/performance.md; not part of `make check`, whose
# bench-smoke scenario runs this with tiny settings). The test VMM's bench loop, N
# SMCCC calls timed by the guest with its virtual counter, runs untraced and under
# each tracer, round after round, all in this one boot. Then two passes of their own:
# the ring buffer's losses at the maximum call rate, and the BPF programs' run time
# per call (kernel.bpf_stats_enabled, which itself costs time, so never during the
# rounds). Every measurement is one JSON object per line in $out/bench.jsonl;
# tests/bench/table.py makes the table.
#
# Settings (tests/vm/run.sh --env NAME=VALUE): BENCH_CALLS_KVM, BENCH_CALLS_FWD (calls
# per loop), BENCH_RUNS (rounds), BENCH_MODES (comma-separated subset of the modes),
# BENCH_CANARY (calls per canary loop, 50). A BPF tracer is not trusted to be live when
# it says it has attached: in the emulated host a fresh attach has been seen to miss
# calls for a while, so canary loops run until its programs are seen to run for them
# (await_live).
# A /bin/smccctrace-before in the initramfs (tests/bench/vm.sh BENCH_BEFORE=BINARY) adds
# the modes summary-before, stream-before and record-before: another build, same boot.
# BENCH_PARTS=1 adds the tracer "parts" to the BPF run-time pass only: bench-floor
# --parts, one program per building block of smccctrace's programs (a clock read, a
# hash lookup, a ring-buffer record, ...), each priced by itself.
out=$1
. /scenarios/lib.sh
calls_kvm=${BENCH_CALLS_KVM:-20000}
calls_fwd=${BENCH_CALLS_FWD:-5000}
runs=${BENCH_RUNS:-5}
canary=${BENCH_CANARY:-50}
modes=$(echo "${BENCH_MODES:-floor,summary,stream,record,bpftrace,ftrace}" | tr , ' ')
[ -x /bin/smccctrace-before ] && modes="$modes summary-before stream-before record-before"
J=$out/bench.jsonl
TRACEFS=/sys/kernel/tracing
BPFTRACE=/usr/bin/bpftrace	# Debian's, from run.sh --payload (tests/vm/bpftrace-payload.sh)
HZ=100			# USER_HZ: the unit of /proc/PID/stat's CPU times
: >"$J"

log() { echo "bench: [$(cut -d" " -f1 /proc/uptime)s] $*"; }

# guest KIND CALLS [VMM OPTIONS]: one timed loop; prints the VMM's JSON line
guest() {
	kind=$1 calls=$2
	shift 2
	smccc-testvmm --scenario bench --kind "$kind" --calls "$calls" --timeout 1800 "$@" 2>>"$out/vmm.log"
}

calls_of() { [ "$1" = kvm ] && echo "$calls_kvm" || echo "$calls_fwd"; }

# A JSON line of ours with the VMM's fields spliced in: emit_run '"mode":"x",...' LINE
emit_run() { echo "$2" | sed "s/^{\"type\":\"bench\",/{\"type\":\"run\",$1,/" >>"$J"; }

# CPU seconds (user + system) a process has used so far
cpu_s() { awk -v hz=$HZ '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# wait_bpftrace OUTFILE PID: bpftrace says "Attaching N probes..." before it attaches
# them; it is tracing once it holds N BPF links
wait_bpftrace() {
	i=0
	while :; do
		n=$(sed -n 's/^Attaching \([0-9]*\) probes.*/\1/p' "$1")
		[ -n "$n" ] && [ "$(ls -l "/proc/$2/fd" 2>/dev/null | grep -c 'anon_inode:bpf_link')" -ge "$n" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		i=$((i + 1))
		[ $i -gt 1200 ] && return 1	# 2 minutes: LLVM under emulation is slow
		sleep 0.1
	done
}

# catches PID SIGNUM: PID has a handler for the signal (its bit in SigCgt). A tracer
# started with & from this script (no job control) inherits SIGINT ignored until it
# installs its own handler, so a SIGINT sent before then is lost without a trace.
catches() {
	local m
	m=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$m" ] && [ $(( 0x$m >> ($2 - 1) & 1 )) = 1 ]
}

# gone PID: exited (gone, or a zombie this shell has not reaped yet: kill -0 says alive)
gone() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$st" ] || [ "$st" = Z ]
}

# signal_state PID: what a process that does not stop is doing: its signal masks, and
# each thread's state, wait channel and pending signals
signal_state() {
	grep -E '^(State|SigQ|SigPnd|ShdPnd|SigBlk|SigIgn|SigCgt):' "/proc/$1/status" 2>/dev/null | tr '\t\n' '  '
	for t in /proc/$1/task/*; do
		printf '; thread %s (%s) %s wchan %s SigPnd %s SigBlk %s' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" \
			"$(sed 's/.*) //' "$t/stat" 2>/dev/null | cut -d' ' -f1)" "$(cat "$t/wchan" 2>/dev/null)" \
			"$(awk '/^SigPnd:/ { print $2 }' "$t/status" 2>/dev/null)" \
			"$(awk '/^SigBlk:/ { print $2 }' "$t/status" 2>/dev/null)"
	done
	echo
}

# interrupt MODE PID: SIGINT once PID catches it (30 s at most), then the clock's time
# (a sleep 0.1 loop runs several times slower on a loaded emulated host) for it to
# exit: after 60 s a second SIGINT (one bpftrace did not act on, docs/performance.md),
# after 90 s SIGTERM, after 120 s SIGKILL. Each step is logged with what the process
# is doing (signal_state), on the console and in $out/stop-stall.txt. Fails only when
# it took SIGKILL: the tracer's counts are gone, and the benchmark with them.
interrupt() {
	local t0 step=0 waited
	t0=$(date +%s)
	until catches "$2" 2 || gone "$2"; do
		[ $(($(date +%s) - t0)) -ge 30 ] && { log "$1: no SIGINT handler after 30 s: $(signal_state "$2")"; break; }
		sleep 0.1
	done
	kill -INT "$2"
	t0=$(date +%s)
	until gone "$2"; do
		waited=$(($(date +%s) - t0))
		if [ $step = 0 ] && [ $waited -ge 60 ]; then
			log "$1: still running 60 s after SIGINT, SIGINT again: $(signal_state "$2")" | tee -a "$out/stop-stall.txt"
			kill -INT "$2"
			step=1
		elif [ $step = 1 ] && [ $waited -ge 90 ]; then
			log "$1: still running 90 s after SIGINT, SIGTERM: $(signal_state "$2")" | tee -a "$out/stop-stall.txt"
			kill -TERM "$2"
			step=2
		elif [ $step = 2 ] && [ $waited -ge 120 ]; then
			log "$1: still running 30 s after SIGTERM, SIGKILL: $(signal_state "$2")" | tee -a "$out/stop-stall.txt"
			kill -KILL "$2"
			step=3
			break
		fi
		sleep 0.1
	done
	wait "$2"
	[ $step -gt 0 ] && log "$1: stopped after $(($(date +%s) - t0)) s (step $step)" | tee -a "$out/stop-stall.txt"
	[ $step -lt 3 ]
}

# BPF run time and run count per program a process holds: "ID RUN_TIME_NS RUN_CNT"
# lines (fdinfo; counted while kernel.bpf_stats_enabled is 1; links name programs too)
prog_stats() {
	for f in /proc/$1/fdinfo/*; do
		awk '/^prog_id:/ { id = $2 } /^run_time_ns:/ { t = $2 } /^run_cnt:/ { c = $2 }
			END { if (id != "" && t != "") print id, t, c }' "$f" 2>/dev/null
	done | sort -u -n -k1,1
}

runs_of() { prog_stats "$1" | awk '{ n += $3 } END { print n + 0 }'; }

# await_live MODE: canary loops of $canary in-kernel calls until the tracer's BPF
# programs run for them (a sum of run counts that grows by at least one per call).
# Sets CANARY_MIN and CANARY_MAX, the canary calls the tracer may have counted: those
# of the last loop at least, all of them at most.
await_live() {
	local stats tries=0 before after
	stats=$(cat /proc/sys/kernel/bpf_stats_enabled)
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	while :; do
		before=$(runs_of $TRACER)
		guest kvm "$canary" >/dev/null || return 1
		after=$(runs_of $TRACER)
		CANARY_MAX=$((CANARY_MAX + canary))
		[ $((after - before)) -ge "$canary" ] && break
		tries=$((tries + 1))
		if gone $TRACER; then
			log "$1: exited before its programs ran: $(cat "$out/$1.err" "$out/$1.out" 2>/dev/null | tr '\n' ' ')"
			return 1
		fi
		if [ $tries -ge 20 ]; then
			log "$1: its programs did not run for $tries canary loops; what it is doing:"
			tracer_state $TRACER "$1" | tee -a "$out/live-stall.txt"
			return 1
		fi
		log "$1: not live yet ($((after - before)) program runs for $canary calls)"
	done
	CANARY_MIN=$canary
	echo "$stats" >/proc/sys/kernel/bpf_stats_enabled
}

# tracer_state PID MODE: a tracer that is not live: its output so far, each thread's
# state, wait channel and kernel stack, the BPF programs it holds (id, run time, runs)
tracer_state() {
	echo "its output: $(cat "$out/$2.err" "$out/$2.out" 2>/dev/null | tr '\n' ' ')"
	for t in /proc/$1/task/*; do
		echo "thread ${t##*/} ($(cat "$t/comm" 2>/dev/null)) $(sed 's/.*) //' "$t/stat" 2>/dev/null | cut -d' ' -f1)" \
			"wchan $(cat "$t/wchan" 2>/dev/null)"
		sed 's/^/    /' "$t/stack" 2>/dev/null | head -16
	done
	echo "its programs: $(prog_stats "$1" | tr '\n' ';')"
}

# start_tracer MODE [SMCCCTRACE OPTIONS]: sets TRACER (pid, empty if none) and CPU0
start_tracer() {
	local mode=$1 tool=smccctrace
	shift
	TRACER= CPU0=0 CANARY_MIN=0 CANARY_MAX=0
	# the last round's output would say "attached" before this tracer has opened its
	# own (the shell may run on before the tracer's redirections truncate the files)
	rm -f "$out/$mode.err" "$out/$mode.out" "$out/bpftrace.out"
	case $mode in *-before) tool=smccctrace-before;; esac
	case ${mode%-before} in
	untraced) return 0;;
	ftrace)
		echo 0 >"$TRACEFS/tracing_on"
		echo >"$TRACEFS/trace"
		echo 1 >"$TRACEFS/events/kvm/kvm_hvc_arm64/enable"
		echo 1 >"$TRACEFS/tracing_on"
		return 0;;
	floor) bench-floor >"$out/floor.out" 2>"$out/floor.err" &;;
	parts) bench-floor --parts >"$out/parts.out" 2>"$out/parts.err" &;;
	summary) $tool -v -s "$@" >"$out/$mode.out" 2>"$out/$mode.err" &;;
	stream) $tool -v --json "$@" >/dev/null 2>"$out/$mode.err" &;;
	record) $tool -v --record /tmp/bench.rec "$@" 2>"$out/$mode.err" &;;
	bpftrace) "$BPFTRACE" /bench/summary.bt >"$out/bpftrace.out" 2>&1 &;;
	esac
	TRACER=$!
	if [ "$mode" = bpftrace ]; then
		wait_bpftrace "$out/bpftrace.out" $TRACER
	else
		wait_attached "$out/$mode.err" $TRACER
	fi || { log "$mode did not start:"; cat "$out/$mode.err" "$out/$mode.out" 2>/dev/null; return 1; }
	await_live "$mode" || return 1
	CPU0=$(cpu_s $TRACER)
}

# stop_tracer MODE: stops it and sets SEEN (calls it saw), LOST, CPU (seconds spent
# since it was tracing) and RSS (peak, KiB); null where the mode has no such thing
stop_tracer() {
	local mode=$1 cpu1
	SEEN=null LOST=null CPU=null RSS=null
	case $mode in
	untraced) return 0;;
	ftrace)
		echo 0 >"$TRACEFS/events/kvm/kvm_hvc_arm64/enable"
		# what a user reads: the buffer (older events are overwritten when it is full)
		SEEN=$(grep -c 'kvm_hvc_arm64:' "$TRACEFS/trace")
		LOST=$(cat "$TRACEFS"/per_cpu/cpu*/stats | awk '/^overrun:/ { n += $2 } END { print n + 0 }')
		echo >"$TRACEFS/trace"
		return 0;;
	esac
	cpu1=$(cpu_s $TRACER)
	RSS=$(hwm_kib $TRACER)
	interrupt "$mode" $TRACER || { log "$mode did not stop before SIGKILL: the benchmark fails"; exit 1; }
	case $mode in
	floor|parts)
		SEEN=$(sed -n 's/^bench-floor: \([0-9]*\) calls$/\1/p' "$out/$mode.out")
		CPU=$(awk -v a="$cpu1" -v b="$CPU0" 'BEGIN { printf "%.2f", a - b }');;
	bpftrace)
		SEEN=$(awk -F': ' '/^@calls\[/ { n += $2 } END { print n + 0 }' "$out/bpftrace.out")
		CPU=$(awk -v a="$cpu1" -v b="$CPU0" 'BEGIN { printf "%.2f", a - b }');;
	*)	# smccctrace -v: its totals line and, at exit, its own CPU time and peak RSS
		set -- $(sed -n 's/^smccctrace: \([0-9]*\) calls in .*), \([0-9]*\) lost$/\1 \2/p' "$out/$mode.err")
		SEEN=${1:-null} LOST=${2:-null}
		set -- $(sed -n 's/^smccctrace: CPU user \([0-9.]*\)s system \([0-9.]*\)s, peak RSS \([0-9]*\) KiB$/\1 \2 \3/p' \
			"$out/$mode.err")
		[ -n "$1" ] && CPU=$(awk -v u="$1" -v s="$2" -v b="$CPU0" 'BEGIN { printf "%.2f", u + s - b }') RSS=$3;;
	esac
	[ -n "$SEEN" ] || SEEN=null
	rm -f /tmp/bench.rec
}

unavailable() {
	case $1 in
	bpftrace) [ -x "$BPFTRACE" ] || echo "no bpftrace in this initramfs (make bench adds it: run.sh --payload)";;
	ftrace) [ -d "$TRACEFS/events/kvm/kvm_hvc_arm64" ] || echo "no kvm:kvm_hvc_arm64 event in tracefs";;
	esac
}

echo "{\"type\":\"bench-start\",\"kernel\":\"$(uname -r)\",\"cpus\":$(grep -c ^processor /proc/cpuinfo),\"runs\":$runs,\"calls\":{\"kvm\":$calls_kvm,\"forwarded\":$calls_fwd}}" >>"$J"
for mode in $modes; do
	why=$(unavailable $mode)
	[ -n "$why" ] && echo "{\"type\":\"skip\",\"mode\":\"$mode\",\"reason\":\"$why\"}" >>"$J" && log "$mode skipped: $why"
done

# Warm-up, not measured: the emulator translates the guest's and KVM's code once
for kind in kvm forwarded; do guest $kind "$(calls_of $kind)" >/dev/null || exit 1; done

# The rounds: every mode once per round, each right after an untraced run of the same
# loops, its pair: the emulated host's speed drifts with the machine's load, and the
# table takes each mode's overhead against its own pair
round=1
while [ $round -le "$runs" ]; do
	for mode in $modes; do
		[ "$mode" = untraced ] || [ -n "$(unavailable $mode)" ] && continue
		for kind in kvm forwarded; do
			line=$(guest $kind "$(calls_of $kind)") || { log "untraced $kind: the VMM failed"; cat "$out/vmm.log"; exit 1; }
			emit_run "\"mode\":\"untraced\",\"pair\":\"$mode\",\"round\":$round" "$line"
		done
		start_tracer $mode || exit 1
		for kind in kvm forwarded; do
			line=$(guest $kind "$(calls_of $kind)") || { log "$mode $kind: the VMM failed"; cat "$out/vmm.log"; exit 1; }
			emit_run "\"mode\":\"$mode\",\"round\":$round" "$line"
		done
		stop_tracer $mode
		echo "{\"type\":\"tool\",\"mode\":\"$mode\",\"round\":$round,\"calls\":$((calls_kvm + calls_fwd)),\"canary_min\":$CANARY_MIN,\"canary_max\":$CANARY_MAX,\"seen\":$SEEN,\"lost\":$LOST,\"cpu_s\":$CPU,\"rss_kib\":$RSS}" >>"$J"
		log "round $round: $mode done (seen $SEEN, lost $LOST)"
	done
	round=$((round + 1))
done

# Losses at the guest's maximum call rate (in-kernel calls, back to back), streaming
# JSON to /dev/null, with the default ring buffer and smaller ones
for buffer in default 16K 4K; do
	start_tracer stream $([ $buffer = default ] || echo --buffer $buffer) || exit 1
	line=$(guest kvm "$calls_kvm") || exit 1
	stop_tracer stream
	emit_run "\"mode\":\"loss\",\"buffer\":\"$buffer\",\"canary_min\":$CANARY_MIN,\"canary_max\":$CANARY_MAX,\"seen\":$SEEN,\"lost\":$LOST" "$line"
	log "loss: buffer $buffer: seen $SEEN, lost $LOST"
done

# BPF run time per call of each tracer's programs (fdinfo run_time_ns/run_cnt), round
# after round as above, with loops a quarter as long: the kernel side alone, without the
# emulated guest's own time, which varies the most
echo 1 >/proc/sys/kernel/bpf_stats_enabled
stat_modes=$modes
[ "${BENCH_PARTS:-0}" = 1 ] && stat_modes="$stat_modes parts"
round=1
while [ $round -le "$runs" ]; do
	for mode in $stat_modes; do
		case ${mode%-before} in floor|parts|summary|stream|bpftrace) ;; *) continue;; esac
		[ -n "$(unavailable $mode)" ] && continue
		start_tracer $mode || exit 1
		for kind in kvm forwarded; do
			prog_stats $TRACER >/tmp/before
			line=$(guest $kind $(($(calls_of $kind) / 4 + 1))) || exit 1
			prog_stats $TRACER >/tmp/after
			bpf-objects | awk '$1 == "prog" { print $2, $3 }' >/tmp/names
			progs=$(awk 'FILENAME == "/tmp/names" { name[$1] = $2; next }
				FILENAME == "/tmp/before" { t[$1] = $2; c[$1] = $3; next }
				$3 > c[$1] { printf "%s{\"name\":\"%s\",\"run_time_ns\":%d,\"run_cnt\":%d}", sep, name[$1], $2 - t[$1], $3 - c[$1]; sep = "," }' \
				/tmp/names /tmp/before /tmp/after)
			emit_run "\"mode\":\"bpf-stats\",\"tracer\":\"$mode\",\"round\":$round,\"progs\":[$progs]" "$line"
		done
		stop_tracer $mode
	done
	log "BPF run time, round $round done"
	round=$((round + 1))
done
echo 0 >/proc/sys/kernel/bpf_stats_enabled
echo '{"type":"bench-end"}' >>"$J"
log "done: $(wc -l <"$J") lines in bench.jsonl"
