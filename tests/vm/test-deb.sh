#!/usr/bin/env bash
# The Debian package in the emulated host: Debian's dpkg installs it there over its
# dependency closure (tests/vm/deb-payload.py); the installed /usr/sbin/smccctrace runs
# probe and a full trace that equals the test VMM's ground truth, field by field; dpkg
# refuses it when a dependency is too old. Then the installed tracer serves metrics with
# --web-config (a certificate made here with openssl, a bcrypt user) on the emulated
# host's NIC; QEMU forwards 127.0.0.1:M here to it, and this host's curl, openssl and a
# real Prometheus (Debian's) check TLS and basic auth against the whole tracer, counting
# the test VMM's calls as its truth says (tests/vm/check_webconfig.py). Uses build/deb/
# (`make deb`, part deb), and builds it when it is missing or stale.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
CACHE=${SMCCCTRACE_CACHE:-/var/cache/smccctrace}
payload=build/deb/payload
if ! bash scripts/build-deb.sh; then
	not_ok "$variant: make deb"; report "vm-deb-$variant"; exit 1
fi
deb=$(ls build/deb/smccctrace_*_arm64.deb)
# the payload again only when the package's Depends or the pools changed; the package
# itself is copied in each time
key=$( { dpkg-deb -f "$deb" Depends; ls "$CACHE/debs" "$CACHE/qemu-arm64-debs"; sha1sum tests/vm/deb-payload.py; } | sha1sum)
if [ "$(cat "$payload.key" 2>/dev/null)" != "$key" ]; then
	rm -f "$payload.key"
	if ! python3 tests/vm/deb-payload.py "$payload" "$deb" "$CACHE/debs" "$CACHE/qemu-arm64-debs"; then
		not_ok "$variant: the payload (the package's dependency closure and dpkg)"; report "vm-deb-$variant"; exit 1
	fi
	echo "$key" >"$payload.key"
fi
rm -f "$payload"/debs/*.deb && cp "$deb" "$payload/debs/"

# --web-config: a throwaway CA and a server certificate for 127.0.0.1 (the forward's end
# here), a bcrypt user (cost 4: each request checks it, and the emulated host is slow)
W=$payload/web srv=build/vm/$variant$CELL_SUFFIX/deb-web
rm -rf "$W" "$srv"; mkdir -p "$W" "$srv"
. tests/host/pki.sh
if ! test_pki "$srv" "$W"; then
	not_ok "$variant: a test PKI (openssl)"; report "vm-deb-$variant"; exit 1
fi
hash=$(bcrypt_user s3cret 16)
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prom: '"'%s'"'\n' \
	"$hash" >"$W/web.yml"
# free ports on 127.0.0.1: the exporter's forward, the control port, Prometheus
read -r mport cport pport < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
cat >"$srv/prometheus.yml" <<YML
global: {scrape_interval: 2s, scrape_timeout: 2s}
scrape_configs:
  - job_name: good
    scheme: https
    tls_config: {ca_file: $PWD/$srv/ca.crt}
    basic_auth: {username: prom, password: s3cret}
    static_configs: [{targets: ['127.0.0.1:$mport']}]
  - job_name: bad
    scheme: https
    tls_config: {ca_file: $PWD/$srv/ca.crt}
    basic_auth: {username: prom, password: wrong}
    static_configs: [{targets: ['127.0.0.1:$mport']}]
YML
# in a session of its own, so that a failed host side can stop QEMU with it
dir=build/vm/$variant$CELL_SUFFIX/deb-install
setsid bash tests/vm/run.sh --no-build --variant "$variant" --kernel "$KERNEL" ${KVM_MODE:+--kvm-mode "$KVM_MODE"} \
	--net "$mport:9464" --net "$cport:9465" --payload "$payload" deb-install >"$srv/run.log" 2>&1 &
vm=$!
url=https://127.0.0.1:$mport/metrics
# until SECONDS CMD...: CMD succeeds (0) or the emulated host has stopped or time is up (1)
until_ok() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		kill -0 $vm 2>/dev/null && [ $SECONDS -lt $end ] || return 1
		sleep 0.5
	done
}
code() { curl -s -o "$srv/body" -w '%{http_code}' --max-time 30 "$@"; }
word() { [ "$(timeout 3 python3 -c '
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2) as s:
    s.settimeout(2); print(s.recv(64).decode().strip())' "$cport" 2>/dev/null)" = "$1" ]; }
query() { curl -s --max-time 10 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1"; }
value() { query "$1" | python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null; }
tls() { echo | timeout 30 openssl s_client -connect "127.0.0.1:$mport" -CAfile "$srv/ca.crt" -cipher 'DEFAULT:@SECLEVEL=0' "$@" 2>&1; }
accepted() { grep -q "^New, TLSv$1, Cipher is [A-Z]" <<<"$2"; }
refused() { grep -q "^New, (NONE), Cipher is (NONE)" <<<"$1"; }
web_ok= prom=
# (the exporter binds before it attaches, which takes the emulated host tens of seconds:
# one curl at a time waits in its backlog, and Prometheus starts once it serves)
if until_ok 400 eval '[ "$(code --cacert "$srv/ca.crt" -u prom:s3cret "$url")" = 200 ]'; then
	web_ok=1
	prometheus --config.file="$srv/prometheus.yml" --storage.tsdb.path="$srv/tsdb" \
		--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$srv/prometheus.log" 2>&1 &
	prom=$!
	check "$variant: web-config: curl over TLS with the right password: 200, the tracer's page" \
		grep -qx 'smccctrace_up 1' "$srv/body"
	check "$variant: web-config: a wrong password: 401" [ "$(code --cacert "$srv/ca.crt" -u prom:wrong "$url")" = 401 ]
	check "$variant: web-config: no credentials: 401" [ "$(code --cacert "$srv/ca.crt" "$url")" = 401 ]
	check "$variant: web-config: plain HTTP to the TLS port gets no page" \
		bash -c '[ "$(curl -s -o /dev/null -w "%{http_code}" --max-time 30 -u prom:s3cret "$1")" != 200 ]' _ "http://127.0.0.1:$mport/metrics"
	check "$variant: web-config: the certificate is checked (curl without the test's CA: refused)" \
		[ "$(code -u prom:s3cret "$url")" = 000 ]
	check "$variant: web-config: TLS 1.2 accepted" accepted 1.2 "$(tls -tls1_2)"
	check "$variant: web-config: TLS 1.1 refused" refused "$(tls -tls1_1)"
	check "$variant: web-config: TLS 1.0 refused" refused "$(tls -tls1)"
	until_ok 60 eval '[ "$(value "up{job=\"good\"}")$(value "up{job=\"bad\"}")" = 10 ]'
	check "$variant: web-config: Prometheus scrapes over TLS with the right password (up 1), a wrong one gets up 0" \
		[ "$(value 'up{job="good"}')$(value 'up{job="bad"}')" = 10 ]
	until_ok 300 word vmm-done
	check "$variant: web-config: the emulated host's test VMM is done" [ $? = 0 ]
	done_at=$(date +%s)
	until_ok 30 eval '[ "$(value "timestamp(smccctrace_up{job=\"good\"}) > $done_at")" != "" ]'
	check "$variant: web-config: Prometheus scraped after the VMM exited" [ $? = 0 ]
	query 'sum(smccctrace_calls_total{job="good"})' >"$srv/promql-total.json"
	query 'sum by (func, disposition) (smccctrace_calls_total{job="good"})' >"$srv/promql-by-func.json"
	code --cacert "$srv/ca.crt" -u prom:s3cret "$url" >/dev/null && cp "$srv/body" "$srv/metrics.txt"
	until_ok 60 word finish
else
	not_ok "$variant: web-config: no page over TLS with the right password (exporter never came up)"
	kill -TERM -- -$vm 2>/dev/null
fi
wait $vm; VM_RC=$?
[ -n "$prom" ] && { kill $prom; wait $prom 2>/dev/null; }
RESULTS=$dir/results
echo "# boot-to-result: $variant$CELL_SUFFIX/deb-install $(cat "$dir/seconds" 2>/dev/null)s"
if [ $VM_RC -ne 0 ]; then
	cat "$srv/run.log"
	echo "--- console (tail) of $variant$CELL_SUFFIX/deb-install"
	tail -n 30 "$dir/console.log" 2>/dev/null
fi
check "$variant: deb-install scenario exited 0" [ "$VM_RC" = 0 ]
R=$RESULTS
echo "# web-config in the emulated host: $(awk -v s="$(cat "$R/web-start" 2>/dev/null)" -v e="$(cat "$R/web-end" 2>/dev/null)" \
	'BEGIN { printf "%.1f", e - s }')s"
check "$variant: dpkg -i installed the package (exit 0)" grep -qx 0 "$R/dpkg-i.rc"
check "$variant: ... with Debian's dpkg (not busybox's applet)" grep -q "^Preparing to unpack .*smccctrace_" "$R/dpkg-i.log"
version=$(dpkg-deb -f "$deb" Version)
check "$variant: dpkg says smccctrace $version is installed" grep -qx "ii  smccctrace $version" "$R/dpkg-status.txt"
check "$variant: dpkg -L lists the binary, the page and the completion" bash -c \
	'for f in /usr/sbin/smccctrace /usr/share/man/man8/smccctrace.8.gz /usr/share/bash-completion/completions/smccctrace; do grep -qx "$f" "$1" || exit 1; done' _ "$R/dpkg-L.txt"
check "$variant: dpkg --verify: the installed files are the package's (md5sums)" \
	bash -c 'grep -qx 0 "$1/dpkg-verify.rc" && [ ! -s "$1/dpkg-verify.txt" ]' _ "$R"
check "$variant: smccctrace on the PATH is /usr/sbin/smccctrace" grep -qx /usr/sbin/smccctrace "$R/which.txt"
check "$variant: every library it loads comes from an installed package" \
	bash -c '[ -s "$1" ] && ! awk "NF < 2" "$1" | grep -q .' _ "$R/lib-packages.txt"
check "$variant: among them libbpf1, libelf1, zlib1g, libmicrohttpd12, libgnutls30, libc6" bash -c \
	'for p in libbpf1 libelf1 zlib1g libmicrohttpd12 libgnutls30 libc6; do awk "{ print \$2 }" "$1" | grep -qx $p || exit 1; done' _ "$R/lib-packages.txt"
check "$variant: --version says the dynamic build with TLS" bash -c \
	'grep -qx 0 "$1/version.rc" && grep -q "^build: dynamic, TLS (GnuTLS)" "$1/version.txt"' _ "$R"
check "$variant: probe exited 0 (text and JSON)" bash -c 'grep -qx 0 "$1/probe.rc" && grep -qx 0 "$1/probe-json.rc"' _ "$R"
check "$variant: probe --json is valid JSON" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$R/probe.json"
check "$variant: traced VMM exited 0" grep -qx 0 "$R/vmm.rc"
check "$variant: tracer exited 0 by itself when the VMM exited" grep -qx 0 "$R/trace.rc"
python3 tests/vm/check_trace.py "$R" --label "deb-trace-$variant"
check "$variant: the packaged binary's trace equals the truth, field by field" [ $? = 0 ]
check "$variant: web-config: the exporter exited 0 on SIGTERM, the host said finish" \
	sh -c "grep -qx 0 '$R/exporter.rc' && grep -qx 0 '$R/host-finished.rc' && grep -qx 0 '$R/vmm-exporter.rc'"
check "$variant: web-config: it served https with basic auth as uid 65534, and warned of nothing" sh -c "
	grep -q 'serving metrics on https://0.0.0.0:9464/metrics (basic auth)' '$R/exporter.err' &&
	grep -Eqx 'Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534' '$R/exporter-status.txt' &&
	! grep -q 'warning' '$R/exporter.err'"
if [ -n "$web_ok" ] && [ -f "$srv/metrics.txt" ]; then
	python3 tests/vm/check_webconfig.py "$R" "$srv" --tool build/x86_64/smccctrace --label "deb-web-$variant"
	check "$variant: web-config: the series over TLS (Prometheus and curl) equal the VMM's truth" [ $? = 0 ]
else
	not_ok "$variant: web-config: no series read to compare with the truth"
fi
broken=$(cat "$R/broken-package" 2>/dev/null)
check "$variant: dpkg refuses it where ${broken:-?} is too old" bash -c \
	'! grep -qx 0 "$1/dpkg-broken.rc" && grep -q "depends on $2 (>= " "$1/dpkg-broken.log"' _ "$R" "$broken"
report "vm-deb-$variant"
