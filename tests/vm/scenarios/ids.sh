# Bounded cardinality (tests/vm/test-ids.sh): a guest calls 20,000 distinct random
# function IDs nobody knows (and SMCCC_VERSION and PSCI_VERSION among them) under an
# exporter, an exporter capped at 10 series, and --summary, all attached at once. The
# unknown IDs are folded per service; the checker compares the counts with the truth.
out=$1
. /scenarios/lib.sh
ip link set lo up	# the exporters listen on loopback
# the static binary has no TLS: --web-config is one line and exit 2, before anything else
printf 'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n' >/tmp/web.yml
smccctrace --listen 127.0.0.1:9473 --web-config /tmp/web.yml >/dev/null 2>"$out/webconfig.err"
echo $? >"$out/webconfig.rc"
# port 971: bound before the privileges are dropped (nobody has no CAP_NET_BIND_SERVICE)
smccctrace -v --listen 127.0.0.1:971 --listen-interval 1 >/dev/null 2>"$out/exporter.err" &
e=$!
# every interface, no --web-config: warned about once
smccctrace -v --listen 0.0.0.0:9472 --listen-interval 1 --max-series 10 >/dev/null 2>"$out/capped.err" &
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
for port in 971 9472; do
	i=0
	while [ $i -lt 1200 ]; do
		seen=$(printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 10 nc 127.0.0.1 $port |
			sed -n 's/^smccctrace_calls_seen_total \([0-9]*\)$/\1/p')
		[ "$seen" = "$calls" ] && break
		i=$((i + 1)); sleep 0.1
	done
done
# scrape time: 20 scrapes one after the other (scrape-flood's slowest)
scrape-flood 127.0.0.1 971 20 1 120 >"$out/scrapes.json"
printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 10 nc 127.0.0.1 971 >"$out/page.txt"
printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 10 nc 127.0.0.1 9472 >"$out/capped.txt"
grep -E '^(VmHWM|VmRSS|Uid):' /proc/$e/status >"$out/exporter-mem.txt"
grep -E '^(Slab|SUnreclaim):' /proc/meminfo >"$out/meminfo.txt"
kill -INT $e $c $s
wait $e; echo $? >"$out/exporter.rc"
wait $c; echo $? >"$out/capped.rc"
wait $s; echo $? >"$out/summary.rc"
