#!/usr/bin/env bash
# Host (x86_64) tests of the command line: help, decode, and one-line errors with a
# non-zero exit for bad input and for a machine that is not an arm64 KVM host.
set -u
TOOL=${1:-build/x86_64/smccctrace}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }

# expect NAME STATUS STDOUT_REGEX STDERR_REGEX -- ARGS...
expect() {
	local name=$1 want_status=$2 out_re=$3 err_re=$4; shift 5
	local out err status
	out=$("$TOOL" "$@" 2>/tmp/cli.err); status=$?
	err=$(cat /tmp/cli.err)
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
expect "bad --disposition" 2 '' 'expected kvm, denied, forwarded or refused' -- --disposition maybe
expect "bad --vcpu" 2 '' 'not a vCPU number' -- --vcpu x
expect "dead pid" 1 '' '-p 4194303: no such process' -- -p 4194303
expect "not an arm64 host" 1 '' "this is a $(uname -m) machine; smccctrace traces arm64 KVM hosts" -- -d 1
echo "# cli: $passed passed, $failed failed"
[ $failed -eq 0 ]
