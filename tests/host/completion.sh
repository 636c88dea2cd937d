#!/usr/bin/env bash
# The bash completion (completion/smccctrace), driven the way bash drives it: COMP_WORDS
# and COMP_CWORD set, _smccctrace called, COMPREPLY read. Options come from the tool's
# --help, --func names from `decode --names` (the decoder's table), -p pids from /proc
# (a fake one here: this x86 host has no KVM processes).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
TOOL=${1:-build/x86_64/smccctrace}
. tests/host/lib.sh
. completion/smccctrace

# comp WORD...: the completions of the last word of `smccctrace WORD...`, sorted, one line
comp() {
	COMP_WORDS=("$TOOL" "$@"); COMP_CWORD=$#
	_smccctrace
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
# expect NAME WANT WORD...
expect() {
	local name=$1 want=$2 got; shift 2
	got=$(comp "$@")
	if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name: got '$got', want '$want'"; fi
}

expect "subcommands" "decode probe psci report top trace" ""
expect "subcommand prefix" "probe psci" "p"
expect "--version" "--version" "--vers"
expect "-V after another option" "-V" -p 1 -V
longs=$("$TOOL" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u | tr '\n' ' ' | sed 's/ $//')
got=$(comp -- | tr ' ' '\n' | grep -- '^--' | sort -u | tr '\n' ' ' | sed 's/ $//')
if [ "$got" = "$longs" ]; then ok "every long option of --help ($(wc -w <<<"$longs"))"; else not_ok "long options: got '$got', want '$longs'"; fi
expect "psci's own options" "--on-timeout" psci --on
expect "decode's options" "--names" decode --na
expect "--func: function names" "PSCI_CPU_OFF PSCI_CPU_ON" --func PSCI_CPU_O
expect "--func: a service" "psci" --func ps
expect "--func: the last item of a list" "psci,PSCI_CPU_OFF psci,PSCI_CPU_ON" --func psci,PSCI_CPU_O
n=$(comp --func "" | wc -w) want=$("$TOOL" decode --names | sort -u | wc -l)
if [ "$n" = "$want" ] && [ "$n" -gt 50 ]; then ok "--func offers every name of decode --names ($n)"; else not_ok "--func offers $n names, decode --names has $want"; fi
expect "decode: names" "PSCI_VERSION" decode PSCI_VER
expect "--conduit" "hvc" --conduit h
expect "--disposition list" "kvm,denied kvm,forwarded kvm,kvm kvm,reflected kvm,refused" --disposition kvm,
expect "--by list" "vcpu,func" -s --by vcpu,f
expect "--plan" "tracepoint" --plan t
expect "a value, not an option, after --duration" "" -d ""

# -p: processes with /dev/kvm or a KVM VM file open, from a fake /proc
proc=$(mktemp -d); trap 'rm -rf "$proc"' EXIT
mkdir -p "$proc/101/fd" "$proc/202/fd" "$proc/303/fd" "$proc/self"
ln -s /dev/null "$proc/101/fd/0"; ln -s /dev/kvm "$proc/101/fd/9"
ln -s anon_inode:kvm-vm "$proc/202/fd/12"; ln -s anon_inode:kvm-vcpu:0 "$proc/202/fd/13"
ln -s /dev/null "$proc/303/fd/0"; ln -s anon_inode:kvm-vcpu:0 "$proc/303/fd/1"
export SMCCCTRACE_COMP_PROC=$proc
expect "-p: pids with a KVM fd" "101 202" -p ""
expect "--pid: by prefix" "202" --pid 2
expect "psci -p" "101 202" psci -p ""
# -g: the guest names of those VMMs' command lines (QEMU's -name, kvmtool's --name)
printf '%s\0' qemu-system-aarch64 -M virt -name guest=web1,debug-threads=on >"$proc/101/cmdline"
printf '%s\0' lkvm run --name db2 >"$proc/202/cmdline"
printf '%s\0' qemu-system-aarch64 -name notavmm >"$proc/303/cmdline"
expect "-g: guest names of VMMs" "db2 web1" -g ""
expect "--guest: by prefix" "web1" --guest w
expect "--by guest" "guest" -s --by gu
expect "--by site" "vm,site" -s --by vm,si
unset SMCCCTRACE_COMP_PROC
got=$(comp -p "")
ok "-p on the real /proc runs (${got:-no KVM processes here})"

# files where a file goes
dir=$(mktemp -d); touch "$dir/rec.bin"
expect "report FILE" "$dir/rec.bin" report "$dir/rec"
expect "--record FILE" "$dir/rec.bin" --record "$dir/r"
rm -rf "$dir"

# the completion is installed for the name smccctrace
if complete -p smccctrace 2>/dev/null | grep -q -- '-F _smccctrace smccctrace'; then ok "complete -F _smccctrace smccctrace"; else not_ok "no complete spec"; fi

echo "# completion: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
