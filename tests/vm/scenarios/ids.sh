# Bounded cardinality (tests/vm/test-ids.sh): a guest calls 20,000 distinct random
# function IDs nobody knows (and SMCCC_VERSION and PSCI_VERSION among them) under an
# exporter, an exporter capped at 10 series, and --summary, all attached at once. The
# unknown IDs are folded per service; the checker compares the counts with the truth.
out=$1
. /scenarios/lib.sh
ip link set lo up	# the exporters listen on loopback
smccctrace -v --listen 127.0.0.1:9471 --listen-interval 1 >/dev/null 2>"$out/exporter.err" &
e=$!
smccctrace -v --listen 127.0.0.1:9472 --listen-interval 1 --max-series 10 >/dev/null 2>"$out/capped.err" &
c=$!
smccctrace -v -s --json --by vcpu,func,disposition -o "$out/summary.jsonl" 2>"$out/summary.err" &
s=$!
for f in exporter capped; do
	i=0
	while ! grep -q 'serving metrics on' "$out/$f.err" && [ $i -lt 1200 ]; do i=$((i + 1)); sleep 0.05; done
done
wait_attached "$out/summary.err" $s || { cat "$out/summary.err"; exit 1; }
smccc-testvmm --scenario ids --calls 20040 --truth "$out/truth.jsonl" --timeout 900 >"$out/vmm.json" 2>"$out/vmm.log"
echo $? >"$out/vmm.rc"
calls=$(sed -n 's/^{"type":"end","calls":\([0-9]*\).*/\1/p' "$out/truth.jsonl")
# wait (up to 120 s) for a collection that holds every call, then scrape
for port in 9471 9472; do
	i=0
	while [ $i -lt 1200 ]; do
		seen=$(printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 10 nc 127.0.0.1 $port |
			sed -n 's/^smccctrace_calls_seen_total \([0-9]*\)$/\1/p')
		[ "$seen" = "$calls" ] && break
		i=$((i + 1)); sleep 0.1
	done
done
# scrape time: 20 scrapes one after the other (scrape-flood's slowest)
scrape-flood 127.0.0.1 9471 20 1 120 >"$out/scrapes.json"
printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 10 nc 127.0.0.1 9471 >"$out/page.txt"
printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 10 nc 127.0.0.1 9472 >"$out/capped.txt"
grep -E '^(VmHWM|VmRSS):' /proc/$e/status >"$out/exporter-mem.txt"
grep -E '^(Slab|SUnreclaim):' /proc/meminfo >"$out/meminfo.txt"
kill -INT $e $c $s
wait $e; echo $? >"$out/exporter.rc"
wait $c; echo $? >"$out/capped.rc"
wait $s; echo $? >"$out/summary.rc"
