#!/usr/bin/env bash
# smccctrace --listen end to end, with a real Prometheus (Debian's package) on the x86
# host. QEMU user networking forwards 127.0.0.1:M on this host to the emulated arm64
# host's exporter (10.0.2.15:9464), and 127.0.0.1:C to a control port (9465) the
# scenario uses to say when the test VMM is done (tests/vm/scenarios/prometheus.sh).
# Prometheus scrapes every 2 s while the VMM runs (some 10 s); tests/vm/prometheus_driver.py
# queries it through its HTTP API, tests/vm/check_prometheus.py compares the answers
# with the VMM's ground truth. Everything listens on 127.0.0.1 only.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
srv=build/vm/$variant/prometheus-server	# run.sh empties build/vm/$variant/prometheus
RESULTS=build/vm/$variant/prometheus/results
rm -rf "$srv"; mkdir -p "$srv"

# The static tool holds no TLS code: libmicrohttpd's gnutls calls end in
# src/compat/gnutls_absent.c, which defines exactly the symbols below.
syms=$(aarch64-linux-gnu-nm --defined-only build/arm64/smccctrace | awk '{ print $3 }')
shim=$(sed -n 's/^\(FAIL_INT\|FAIL_VOID\)(\(gnutls_[a-z0-9_]*\),.*/\2/p; s/^[a-z_ *]*[ *]\(gnutls_[a-z0-9_]*\)[( ].*/\1/p' \
	src/compat/gnutls_absent.c | sort -u)
check "arm64 binary: its gnutls symbols are the shim's ($(echo "$shim" | wc -l))" \
	[ "$(grep '^gnutls_' <<<"$syms" | sort -u)" = "$shim" ]
check "arm64 binary: no TLS, crypto or PKCS#11 code (gnutls internals, nettle, gmp, p11-kit)" \
	sh -c "! grep -qE '^(_gnutls_|gnutls_handshake_|nettle_|__gmpn_|p11_kit_)' <<'EOF'
$syms
EOF"

# free ports on 127.0.0.1 for the exporter's forward, the control port and Prometheus
read -r mport cport pport < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
cat >"$srv/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  scrape_timeout: 2s
scrape_configs:
  - job_name: smccctrace
    static_configs:
      - targets: ['127.0.0.1:$mport']
EOF
prometheus --config.file="$srv/prometheus.yml" --storage.tsdb.path="$srv/data" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$srv/prometheus.log" 2>&1 &
prom=$!
# in a session of its own, so that a failed driver can stop QEMU with it
setsid bash tests/vm/run.sh --no-build --variant "$variant" --timeout 150 --net "$mport:9464" --net "$cport:9465" \
	prometheus >"$srv/run.log" 2>&1 &
vm=$!
python3 tests/vm/prometheus_driver.py --prometheus "http://127.0.0.1:$pport" --exporter "http://127.0.0.1:$mport" \
	--control "$cport" --dashboard docs/grafana-dashboard.json --out "$srv" --vm-pid $vm
driver=$?
[ $driver = 0 ] || kill -TERM -- -$vm 2>/dev/null
wait $vm; VM_RC=$?
kill $prom; wait $prom 2>/dev/null
echo "# boot-to-result: $variant/prometheus $(cat "build/vm/$variant/prometheus/seconds" 2>/dev/null)s"
[ $VM_RC = 0 ] || { cat "$srv/run.log"; tail -n 30 "build/vm/$variant/prometheus/console.log" 2>/dev/null; }
[ $driver = 0 ] || tail -n 20 "$srv/prometheus.log"

check "$variant: prometheus scenario exited 0" [ "$VM_RC" = 0 ]
check "$variant: the driver ran Prometheus queries to the end" [ "$driver" = 0 ]
check "$variant: test VMM exited 0" grep -qx 0 "$RESULTS/vmm.rc"
check "$variant: exporter exited 0 on SIGTERM" grep -qx 0 "$RESULTS/exporter.rc"
check "$variant: churn-hold VMM exited 0" grep -qx 0 "$RESULTS/vmm-fold.rc"
check "$variant: a page had its destroyed VMs folded and its held VM's calls" grep -qx 0 "$RESULTS/fold-wait.rc"
check "$variant: promtool accepts that page (vm=\"destroyed\")" \
	sh -c "grep -q 'vm=\"destroyed\"' '$RESULTS/fold-page.txt' && promtool check metrics <'$RESULTS/fold-page.txt'"
check "$variant: the exporter never reached a TLS function" sh -c "! grep -q 'no TLS' '$RESULTS/exporter.err'"
check "$variant: promtool accepts a scraped page" promtool check metrics <"$srv/metrics.txt"
check "$variant: a bare --listen PORT serves on 127.0.0.1" \
	sh -c "grep -qx 0 '$RESULTS/loopback-127.rc' && grep -q '^smccctrace_up 1.\?$' '$RESULTS/loopback.txt'"
check "$variant: ... and not on the NIC's address" sh -c "! grep -qx 0 '$RESULTS/loopback-nic.rc'"
if [ -f "$srv/promql.json" ] && [ -f "$RESULTS/truth.jsonl" ]; then
	python3 tests/vm/check_prometheus.py "$RESULTS" "$srv/promql.json" --tool build/x86_64/smccctrace \
		--label "prometheus-promql-$variant"
	check "$variant: PromQL answers equal the ground truth" [ $? = 0 ]
else
	not_ok "$variant: no PromQL answers or no ground truth to compare"
fi
report "vm-prometheus-$variant"
