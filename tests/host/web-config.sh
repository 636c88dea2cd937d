#!/usr/bin/env bash
# --web-config on the host (x86, dynamic build, loopback only): the exporter's HTTP
# server (tests/host/serve_metrics.c: src/exporter.c and src/web_config.c as the tracer
# runs them) with a throwaway CA, a server certificate and a bcrypt user ($2y$, as
# htpasswd -B writes). curl: the right password 200, a wrong one and none 401, plain
# HTTP refused; openssl s_client: TLS 1.2 and 1.3 accepted, TLS 1.1 refused; a real
# Prometheus (Debian's) scraping over TLS with basic auth (up == 1), and with a wrong
# password (up == 0). The tracer's bad configs: one line, exit 2.
cd "$(dirname "$0")/../.." && . tests/host/lib.sh
TOOL=${1:-build/x86_64/smccctrace}
make -s build/host/serve-metrics || { echo "# web-config: 0 passed, 1 failed (build)"; exit 1; }
D=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$D"' EXIT

# a CA and a server certificate for 127.0.0.1; a bcrypt user (cost 10)
. tests/host/pki.sh
test_pki "$D" "$D" || { echo "# web-config: 0 passed, 1 failed (openssl)"; exit 1; }
hash=$(bcrypt_user s3cret 1024)
mkdir "$D/conf"
cat >"$D/conf/web.yml" <<YML
# exporter-toolkit's web-config.yml; relative paths are relative to this file
tls_server_config:
  cert_file: ../server.crt
  key_file: ../server.key
basic_auth_users:
  prom: '$hash'
YML

# serve PORTFILE [CONFIG]: starts serve-metrics, waits (10 s at most) for its port
serve() {
	build/host/serve-metrics "$@" >/dev/null 2>>"$D/serve.err" &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$1" ] && break; sleep 0.1; done
	port=$(cat "$1")
}
serve "$D/port" "$D/conf/web.yml"
check "serves with the web config" [ -n "$port" ]
url=https://127.0.0.1:$port/metrics
code() { curl -s -o "$D/body" -w '%{http_code}' --max-time 20 "$@"; }
check "TLS + the right password: 200 and the page" \
	bash -c '[ "$(curl -s -o "$1" -w "%{http_code}" --max-time 20 --cacert "$2" -u prom:s3cret "$3")" = 200 ] &&
		grep -qx "smccctrace_up 1" "$1"' _ "$D/body" "$D/ca.crt" "$url"
check "TLS + a wrong password: 401" [ "$(code --cacert "$D/ca.crt" -u prom:wrong "$url")" = 401 ]
check "TLS + an unknown user: 401" [ "$(code --cacert "$D/ca.crt" -u alice:s3cret "$url")" = 401 ]
check "TLS without credentials: 401 asking for basic auth" \
	bash -c 'curl -s -D - -o /dev/null --max-time 20 --cacert "$1" "$2" | tr -d "\r" |
		grep -q "^WWW-Authenticate: Basic realm=\"smccctrace\""' _ "$D/ca.crt" "$url"
check "/ needs the password too" [ "$(code --cacert "$D/ca.crt" "https://127.0.0.1:$port/")" = 401 ]
check "plain HTTP is refused (no page)" bash -c '! curl -s --max-time 20 -u prom:s3cret -o /dev/null "http://127.0.0.1:$1/metrics" ||
	[ "$(curl -s --max-time 20 -u prom:s3cret -o /dev/null -w "%{http_code}" "http://127.0.0.1:$1/metrics")" != 200 ]' _ "$port"
check "an untrusted certificate is refused by curl (the CA is the test's)" [ "$(code -u prom:s3cret "$url")" = 000 ]
# TLS versions: the client allows old ones (SECLEVEL=0) so that only the server decides
tls() { echo | timeout 20 openssl s_client -connect "127.0.0.1:$port" -CAfile "$D/ca.crt" -cipher 'DEFAULT:@SECLEVEL=0' "$@" 2>&1; }
# (s_client names the version it tried either way: a session has a cipher, a refusal none)
accepted() { grep -q "^New, TLSv$1, Cipher is [A-Z]" <<<"$2"; }
refused() { grep -q "^New, (NONE), Cipher is (NONE)" <<<"$1"; }
check "TLS 1.3 accepted" accepted 1.3 "$(tls -tls1_3)"
check "TLS 1.2 accepted" accepted 1.2 "$(tls -tls1_2)"
check "TLS 1.1 refused" refused "$(tls -tls1_1)"
check "TLS 1.0 refused" refused "$(tls -tls1)"

# a real Prometheus: the right password (up 1, the page's sample), a wrong one (up 0)
pport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$D/prometheus.yml" <<YML
global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: good
    scheme: https
    tls_config: {ca_file: $D/ca.crt}
    basic_auth: {username: prom, password: s3cret}
    static_configs: [{targets: ['127.0.0.1:$port']}]
  - job_name: bad
    scheme: https
    tls_config: {ca_file: $D/ca.crt}
    basic_auth: {username: prom, password: wrong}
    static_configs: [{targets: ['127.0.0.1:$port']}]
YML
prometheus --config.file="$D/prometheus.yml" --storage.tsdb.path="$D/tsdb" --web.listen-address="127.0.0.1:$pport" \
	>"$D/prometheus.log" 2>&1 &
pids+=($!)
query() { curl -s --max-time 5 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
	python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null; }
good= bad= sample=
for _ in $(seq 120); do	# wait (60 s at most) for both jobs' scrapes, not for a time
	good=$(query 'up{job="good"}') bad=$(query 'up{job="bad"}') sample=$(query 'smccctrace_up{job="good"}')
	[ "$good" = 1 ] && [ "$bad" = 0 ] && [ "$sample" = 1 ] && break
	sleep 0.5
done
check "Prometheus scrapes over TLS with basic auth: up 1, the page's sample read (got up=$good, sample=$sample)" \
	[ "$good$sample" = 11 ]
check "Prometheus with a wrong password: up 0 (got $bad)" [ "$bad" = 0 ]

# min_version TLS13: TLS 1.2 refused
sed 's/^  key_file: .*/&\n  min_version: TLS13/' "$D/conf/web.yml" >"$D/conf/web13.yml"
serve "$D/port13" "$D/conf/web13.yml"
check "min_version TLS13: TLS 1.2 refused" refused "$(tls -tls1_2)"
check "min_version TLS13: TLS 1.3 accepted" accepted 1.3 "$(tls -tls1_3)"

# bad configs: one line naming the problem, exit 2, before anything else
bad_config() {
	local name=$1 want=$2; shift 2
	printf '%s\n' "$@" >"$D/bad.yml"
	local err; err=$("$TOOL" --listen 127.0.0.1:0 --web-config "$D/bad.yml" 2>&1 >/dev/null); local rc=$?
	check "$name: exit 2, one line: $want" bash -c '[ "$1" = 2 ] && [ "$(wc -l <<<"$2")" = 1 ] && grep -qF -- "$3" <<<"$2"' _ "$rc" "$err" "$want"
}
bad_config "missing key file" "key_file '$D/nope.key': No such file or directory" \
	'tls_server_config:' "  cert_file: $D/server.crt" "  key_file: nope.key"
bad_config "cert without key" "tls_server_config needs cert_file and key_file" 'tls_server_config:' "  cert_file: $D/server.crt"
bad_config "TLS 1.1" "min_version TLS11: only TLS12 or TLS13" 'tls_server_config:' "  cert_file: a" "  key_file: b" "  min_version: TLS11"
bad_config "a password, not a hash" "basic_auth_users.prom: not a bcrypt hash" 'basic_auth_users:' '  prom: s3cret'
bad_config "unknown key" "http_server_config is not supported" 'http_server_config:' '  http2: false'
bad_config "not YAML" "bad.yml: line " 'a: [' ''
err=$("$TOOL" --web-config "$D/conf/web.yml" 2>&1); rc=$?
check "--web-config without --listen: exit 2" bash -c '[ "$1" = 2 ] && grep -q "applies to --listen" <<<"$2"' _ "$rc" "$err"
echo "# web-config: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
