# Soak: VMMs one after another for SOAK_SECONDS (default 40; `make soak`: 600) under
# `smccctrace --summary -i 1` and the Prometheus exporter scraped every second, both
# tracing every VMM (no -p). Once a second, each tracer's RSS and open fds are sampled;
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

( while :; do smccc-testvmm --scenario full --iterations 20 --delay-us 0 --truth /dev/null 2>>"$out/vmm.log" \
	|| echo "vmm failed" >>"$out/vmm.log"; done ) &
load=$!

scrape() {
	printf 'GET /metrics HTTP/1.0\r\n\r\n' | nc 127.0.0.1 9464 >/tmp/scrape.txt 2>/dev/null
	grep -c '^smccctrace_calls_total{' /tmp/scrape.txt
}
sample() {	# NAME PID
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$2/status")
	fds=$(ls "/proc/$2/fd" | wc -l)
	echo "$1 $i $rss $fds"
}
i=0
while [ $i -lt "$seconds" ]; do
	i=$((i + 1))
	sleep 1
	series=$(scrape)
	{ sample summary $sum; sample exporter $exp; echo "scrape $i ${series:-0} 0"; } >>"$out/samples.txt"
done
kill $load; wait $load 2>/dev/null
kill -INT $sum $exp
wait $sum; echo $? >"$out/summary.rc"
wait $exp; echo $? >"$out/exporter.rc"
cp /tmp/scrape.txt "$out/last-scrape.txt"
