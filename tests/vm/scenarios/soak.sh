# Soak: VMMs one after another for SOAK_SECONDS (default 40; `make soak`: 600), four at a
# time in the first eighth, under
# `smccctrace --summary -i 1` and the Prometheus exporter scraped every second, both
# tracing every VMM (no -p). Once a second, each tracer's RSS at rest and open fds are sampled;
# tests/vm/check_soak.py checks that they stay flat.
out=$1
. /scenarios/lib.sh
seconds=${SOAK_SECONDS:-40}	# run.sh --env SOAK_SECONDS=N
ip link set lo up	# the exporter listens on loopback

smccctrace -v --summary -i 1 --json -o "$out/summary.jsonl" 2>"$out/summary.err" &
sum=$!
smccctrace -v --listen 127.0.0.1:9464 2>"$out/exporter.err" &
exp=$!
wait_attached "$out/summary.err" $sum && wait_attached "$out/exporter.err" $exp || { cat "$out"/*.err; exit 1; }

vmm_loop() {
	while :; do smccc-testvmm --scenario full --iterations 20 --delay-us 0 --truth /dev/null 2>>"$out/vmm.log" \
		|| echo "vmm failed" >>"$out/vmm.log"; done
}
vmm_loop &
load=$!
# The first eighth (in the warm-up, which check_soak.py leaves out) runs four loops: the
# most keys the exporter's tables hold at once (VMMs live, just gone and folded; their
# memory is a high-water mark, bounded) is reached there, not at a random later second
# when one loop's VMMs happen to overlap a scrape (docs/reliability.md).
peak=""
for n in 1 2 3; do vmm_loop & peak="$peak $!"; done

scrape() {
	printf 'GET /metrics HTTP/1.0\r\n\r\n' | nc 127.0.0.1 9464 >/tmp/scrape.txt 2>/dev/null
	grep -c '^smccctrace_calls_total{' /tmp/scrape.txt
}
# RSS at rest: the least of four readings over the second. A reading that falls inside
# a collection sees the blocks it maps for a moment (up to 1.5 MiB), and the collector's
# phase against this loop drifts, so single readings step up and down for seconds.
# Builtins only: a fork costs the emulated host ~0.1 s.
vmrss() {	# PID: its VmRSS in KiB into $kib (empty when gone)
	kib=
	while read -r key val unit; do
		[ "$key" = VmRSS: ] && { kib=$val; break; }
	done <"/proc/$1/status"
}
sample() {	# NAME PID RSS
	fds=$(ls "/proc/$2/fd" | wc -l)
	echo "$1 $i $3 $fds"
}
i=0
while [ $i -lt "$seconds" ]; do
	i=$((i + 1))
	[ $i -gt $((seconds / 8)) ] && [ -n "$peak" ] && { kill $peak; peak=""; }
	srss=999999999 erss=999999999
	for k in 1 2 3 4; do
		sleep 0.25
		vmrss $sum; [ -n "$kib" ] && [ "$kib" -lt $srss ] && srss=$kib
		vmrss $exp; [ -n "$kib" ] && [ "$kib" -lt $erss ] && erss=$kib
	done
	series=$(scrape)
	{ sample summary $sum $srss; sample exporter $exp $erss; echo "scrape $i ${series:-0} 0"; } >>"$out/samples.txt"
done
kill $load; wait $load 2>/dev/null
kill -INT $sum $exp
wait $sum; echo $? >"$out/summary.rc"
wait $exp; echo $? >"$out/exporter.rc"
cp /tmp/scrape.txt "$out/last-scrape.txt"
