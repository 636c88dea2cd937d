# Cost of the two ways of tracing, measured in the emulated host (not part of
# `make check`; tests/vm/run.sh summary-bench, then read results/bench.txt):
# the test VMM's run time untraced, streamed (--json to /dev/null) and with --summary,
# and the average run time of the tracer's BPF programs (kernel.bpf_stats_enabled,
# run_time_ns / run_cnt from the programs' fdinfo).
out=$1
. /scenarios/lib.sh
iters=${ITERATIONS:-150}
echo 1 >/proc/sys/kernel/bpf_stats_enabled

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
vmm_ms() {
	t0=$(now_ms)
	smccc-testvmm --scenario full --iterations "$iters" --delay-us 0 --truth /dev/null 2>>"$out/vmm.log" || echo "vmm failed" >>"$out/bench.txt"
	echo $(($(now_ms) - t0))
}
# BPF run time of one process's programs: total ns and runs, from fdinfo
bpf_cost() {
	for fd in /proc/$1/fdinfo/*; do
		awk '/^run_time_ns:/ { t = $2 } /^run_cnt:/ { c = $2 } END { if (c) print t, c }' "$fd"
	done | awk '{ t += $1; c += $2 } END { printf "%.0f %.0f\n", t, c }'
}

for round in 1 2; do
	echo "round $round: untraced $(vmm_ms) ms" >>"$out/bench.txt"
	for mode in stream summary; do
		case $mode in
		stream) smccctrace -v --json -o /dev/null 2>"$out/$mode.err" & ;;
		summary) smccctrace -v -s --json -o /dev/null 2>"$out/$mode.err" & ;;
		esac
		tracer=$!
		wait_attached "$out/$mode.err" $tracer || { cat "$out/$mode.err"; exit 1; }
		ms=$(vmm_ms)
		set -- $(bpf_cost $tracer)
		kill -INT $tracer; wait $tracer
		calls=$(sed -n 's/^smccctrace: \([0-9]*\) calls.*/\1/p' "$out/$mode.err")
		echo "round $round: $mode $ms ms, $calls calls, BPF $1 ns in $2 program runs: $(($1 / ($2 ? $2 : 1))) ns per run, $(($1 / (calls ? calls : 1))) ns per call" >>"$out/bench.txt"
	done
done
cat "$out/bench.txt"
