#!/usr/bin/env bash
# Host (x86_64) tests of the command line: help, decode, and one-line errors with a
# non-zero exit for bad input and for a machine that is not an arm64 KVM host.
set -u
TOOL=${1:-build/x86_64/smccctrace}
. "$(dirname "$0")/lib.sh"
# stderr of each run; private, the machine runs other checkouts' tests at once
ERRF=$(mktemp); trap 'rm -f "$ERRF"' EXIT

# expect NAME STATUS STDOUT_REGEX STDERR_REGEX -- ARGS...
expect() {
	local name=$1 want_status=$2 out_re=$3 err_re=$4; shift 5
	local out err status
	out=$("$TOOL" "$@" 2>"$ERRF"); status=$?
	err=$(cat "$ERRF")
	if [ "$status" != "$want_status" ]; then
		not_ok "$name: exit $status, want $want_status (stderr: $err)"
	elif [ -n "$out_re" ] && ! grep -Eq -- "$out_re" <<<"$out"; then
		not_ok "$name: stdout does not match /$out_re/: $out"
	elif [ -n "$err_re" ] && ! grep -Eq -- "$err_re" <<<"$err"; then
		not_ok "$name: stderr does not match /$err_re/: $err"
	elif [ "$want_status" != 0 ] && [ "$(wc -l <<<"$err")" != 1 ]; then
		not_ok "$name: error is not one line: $err"
	else
		ok "$name"
	fi
}

expect "help" 0 'Examples:' '' -- --help
expect "help lists -p" 0 '-p, --pid PID' '' -- -h
expect "decode PSCI_CPU_ON" 0 'PSCI_CPU_ON' '' -- decode 0xc4000003
expect "decode by name" 0 '0x84000000' '' -- decode PSCI_VERSION
expect "decode several" 0 'SMCCC_VERSION' '' -- decode 0x80000000 0xc4000003
expect "decode json" 0 '"name":"PSCI_CPU_ON"' '' -- decode --json 0xc4000003
expect "decode unknown name" 2 '' 'unknown' -- decode NOT_A_FUNCTION
expect "unknown option" 2 '' "unknown option '--bogus'" -- --bogus
expect "unknown command" 2 '' "unknown command 'frobnicate'" -- frobnicate
expect "bad pid" 2 '' "not a process id: '12abc'" -- -p 12abc
expect "negative pid" 2 '' 'not a process id' -- -p -5
expect "missing value" 2 '' 'needs a value' -- -p
expect "bad duration" 2 '' 'not a duration' -- -d soon
expect "bad --func" 2 '' "unknown function or service 'NOPE'" -- --func NOPE
expect "bad --conduit" 2 '' 'expected hvc or smc' -- --conduit svc
expect "bad --disposition" 2 '' 'expected kvm, denied, forwarded, refused or reflected' -- --disposition maybe
expect "bad --vcpu" 2 '' 'not a vCPU number' -- --vcpu x
expect "--buffer not a power of two" 2 '' "--buffer: not a power of two from 4K to 1024M: '3000'" -- --buffer 3000
expect "--buffer below a page" 2 '' 'not a power of two' -- --buffer 2K
expect "--buffer above 1 GiB" 2 '' 'not a power of two' -- --buffer 2048M
expect "--buffer bad suffix" 2 '' 'not a power of two' -- --buffer 64G
expect "--buffer with --summary" 2 '' '--buffer sizes the live trace.s ring buffer: --summary does not use one' -- -s --buffer 64K
expect "--user empty" 2 '' "--user: which user?" -- --user ""
expect "--user with report" 2 '' "--user applies to live tracing only" -- report x.bin --user nobody
expect "--listen-interval without --listen" 2 '' "--listen-interval applies to --listen" -- --listen-interval 5
expect "--listen-interval too short" 2 '' "--listen-interval: not a number of seconds from 0.1 to 3600" -- --listen 9464 --listen-interval 0.01
expect "--max-series without --listen" 2 '' "--max-series applies to --listen" -- --max-series 10
expect "--max-series 0" 2 '' "--max-series: not a number from 1 to 1000000: '0'" -- --listen 9464 --max-series 0
expect "--max-series not a number" 2 '' "--max-series: not a number from 1 to 1000000: '1k'" -- --listen 9464 --max-series 1k
expect "--max-vcpus 0" 2 '' "--max-vcpus: not a number of vCPUs from 1 to 1048576: '0'" -- --max-vcpus 0
expect "--max-vcpus not a number" 2 '' 'not a number of vCPUs' -- --max-vcpus many
expect "--max-vcpus with report" 2 '' "--max-vcpus applies to live tracing only" -- report x.bin --max-vcpus 8
expect "--buffer in help" 0 '--buffer SIZE' '' -- --help
expect "--buffer with report" 2 '' '--buffer sizes the live trace.s ring buffer: report does not use one' -- report x.bin --buffer 4K
expect "dead pid" 1 '' '-p 4194303: no such process' -- -p 4194303
# -g NAME: the guest name of QEMU's -name, kvmtool's --name, else comm; only VMMs count
expect "-g of no process" 1 '' "-g no-such-guest-x: no VMM has that guest name" -- -g no-such-guest-x
expect "-g empty" 2 '' "-g: empty guest name" -- -g ''
expect "--guest of no process" 1 '' "-g nope: no VMM has that guest name" -- --guest nope
sleep 60 & sleeper=$!
expect "-g of a process that is no VMM" 1 '' "-g sleep: no VMM has that guest name" -- -g sleep
"$TOOL" -g no-vmm-yet --wait -d 1 >/dev/null 2>"$ERRF"; status=$?
if [ $status = 1 ] && grep -q 'warning: -g no-vmm-yet: no process has that name yet; waiting for one' "$ERRF" &&
	grep -q "this is a $(uname -m) machine" "$ERRF"; then
	ok "-g --wait of no process yet: a warning, then on"
else
	not_ok "-g --wait of no process yet: exit $status: $(cat "$ERRF")"
fi
kill $sleeper; wait $sleeper 2>/dev/null
expect "-g in psci" 1 '' "-g nope: no VMM has that guest name" -- psci -g nope
expect "-g in top" 1 '' "-g nope: no VMM has that guest name" -- top -b -g nope
expect "help lists -g" 0 '-g, --guest NAME' '' -- --help
expect "not an arm64 host" 1 '' "this is a $(uname -m) machine; smccctrace traces arm64 KVM hosts" -- -d 1
expect "probe on a non-arm64 host" 1 "plan: +none: this is a $(uname -m) machine" '' -- probe
expect "probe --json on a non-arm64 host" 1 '"usable":false,"reason":"this is a' '' -- probe --json
expect "probe bad option" 2 '' "probe: unknown option '--bogus'" -- probe --bogus
expect "bad --plan" 2 '' 'expected auto, fentry, kprobe or tracepoint' -- --plan magic
expect "tracepoint plan cannot filter vcpus" 2 '' '--vcpu needs a plan that sees vCPUs' -- --plan tracepoint --vcpu 1
expect "help lists --summary" 0 '-s, --summary' '' -- --help
expect "help lists --version" 0 '-V, --version' '' -- --help
expect "--version: the version first" 0 '^smccctrace [0-9]+\.[0-9]+\.[0-9]+$' '' -- --version
expect "-V: the build kind of the dynamic host tool" 0 '^build: dynamic, TLS \(GnuTLS\)$' '' -- -V
expect "--version: git describe of the checkout" 0 '^git: ([0-9a-f]{7,}|v?[0-9][^ ]*)(-dirty)?$' '' -- --version
libbpf=$(dpkg-query -W -f='${Version}' libbpf1 | sed -E 's/^[0-9]+://; s/^([0-9]+\.[0-9]+).*/\1/')
expect "--version: the libbpf it runs with ($libbpf, dpkg)" 0 "^libbpf: ${libbpf//./\\.}\$" '' -- --version
mhd=$(dpkg-query -W -f='${Version}' libmicrohttpd12 | sed -E 's/-[^-]*$//')
expect "--version: the libmicrohttpd it runs with ($mhd, dpkg)" 0 "^libmicrohttpd: ${mhd//./\\.}\$" '' -- --version
expect "--version with a bad option still fails" 2 '' "unknown option '--bogus'" -- --version --bogus
expect "--by needs --summary" 2 '' '--by applies to --summary' -- --by vcpu
expect "-i needs --summary" 2 '' '-i applies to --summary' -- -i 1
expect "bad --by" 2 '' "--by: expected pid, guest, vm, vcpu, func, service, disposition or site, got 'cpu'" -- -s --by vm,cpu
expect "bad -i" 2 '' "-i: not an interval in seconds" -- -s -i 0
expect "-c needs -i" 2 '' '-c needs -i' -- -s -c 2
expect "bad -c" 2 '' '-c: not a number of intervals' -- -s -i 1 -c x
expect "--summary is not --record" 2 '' 'no calls for --record' -- -s --record x.bin
expect "help lists --listen" 0 '--listen ADDR:PORT' '' -- --help
expect "--listen without a port" 2 '' "--listen: bad port \\(0..65535\\) in '127.0.0.1:'" -- --listen 127.0.0.1:
expect "--listen with a name" 2 '' "--listen: not a numeric IPv4 address in 'localhost:9464'" -- --listen localhost:9464
expect "--listen IPv6 without brackets" 2 '' '--listen: IPv6 addresses need brackets' -- --listen ::1:9464
expect "--listen without an address" 2 '' '--listen: missing address' -- --listen :9464
expect "--listen is not --json" 2 '' '--listen serves metrics only: no --json' -- --listen 9464 --json
expect "--listen is not --summary" 2 '' '--listen serves metrics only: no --summary' -- --listen 9464 -s
expect "--listen on a non-arm64 host" 1 '' "this is a $(uname -m) machine" -- --listen 127.0.0.1:9464
expect "--summary on a non-arm64 host" 1 '' "this is a $(uname -m) machine" -- -s -i 1 -c 2 --by vcpu,func -T
expect "help lists psci" 0 'psci \[-p PID\]' '' -- --help
expect "psci help" 0 '--on-timeout MS' '' -- psci --help
expect "psci help: --wall-clock" 0 '--wall-clock' '' -- psci --help
expect "--wall-clock needs the PSCI view" 2 '' "--wall-clock applies to the PSCI flow view" -- --wall-clock
expect "--on-timeout needs the PSCI view" 2 '' "--on-timeout applies to the PSCI flow view" -- --on-timeout 100
expect "psci: bad --on-timeout" 2 '' "psci: --on-timeout: not a time in milliseconds: '0'" -- psci --on-timeout 0
expect "psci: bad --slow-vmm" 2 '' "psci: --slow-vmm: not a time in milliseconds: '1ms'" -- psci --slow-vmm 1ms
expect "psci: bad --poll-limit" 2 '' "psci: --poll-limit: not a number of calls: '-3'" -- psci --poll-limit -3
expect "psci follows every call" 2 '' 'no -t, --vcpu, --func' -- psci --vcpu 1
expect "psci is not --summary" 2 '' 'cannot be combined with --summary' -- psci -s
expect "psci on a non-arm64 host" 1 '' "this is a $(uname -m) machine" -- psci -d 1 --poll-time 5
echo "# cli: $passed passed, $failed failed"
[ $failed -eq 0 ]
