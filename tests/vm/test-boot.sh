#!/usr/bin/env bash
# The emulated host boots in the asked KVM mode, has BTF, and the tool's BPF
# programs load and attach on KVM's SMCCC handler there.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
vm_run "$variant" boot
check "$variant: scenario ran and results came back as files" [ "$VM_RC" = 0 ]
check "$variant: kernel is the one asked for, $kernel_release" grep -qx "$kernel_release" "$RESULTS/uname"
check "$variant: /dev/kvm exists" [ -s "$RESULTS/has-kvm" ]
check "$variant: kernel BTF exists" [ -s "$RESULTS/has-btf" ]
check "$variant: a hard lockup panics (nmi_watchdog=panic: the run ends, not its timeout)" grep -qx 1 "$RESULTS/hardlockup-panic"
# "VHE mode initialized" on every kernel; nVHE: 6.x "Hyp nVHE mode", 7.x "nVHE mode"
if [ "$variant" = vhe ]; then mode='VHE mode initialized'; else mode='nVHE mode initialized'; fi
check "$variant: KVM says '$mode'" grep -q "$mode" "$RESULTS/kvm-dmesg.txt"
check "$variant: BPF skeleton loaded and attached on kvm_smccc_call_handler" \
	grep -q 'attached with fentry/fexit, SMCCC handler kvm_smccc_call_handler' "$RESULTS/attach.err"
check "$variant: the tracer exited 0 after -d" grep -qx 0 "$RESULTS/attach.rc"
for sig in INT TERM; do
	check "$variant: SIG$sig ends the trace with exit 0" grep -qx 0 "$RESULTS/sig$sig.rc"
	check "$variant: SIG$sig: the JSON ends with the summary record" \
		sh -c "tail -n 1 '$RESULTS/sig$sig.jsonl' | grep -q '\"type\":\"summary\"'"
	check "$variant: SIG$sig: the totals line is printed" grep -q 'calls in .*lost' "$RESULTS/sig$sig.err"
done
# after attach only CAP_BPF (bit 39) is left, and no_new_privs is set
for f in CapEff CapPrm CapBnd; do
	check "$variant: tracer's $f is CAP_BPF only" grep -qx "$f:[[:space:]]*0000008000000000" "$RESULTS/capsINT.txt"
done
check "$variant: tracer has no_new_privs" grep -qx 'NoNewPrivs:[[:space:]]*1' "$RESULTS/capsINT.txt"
check "$variant: once attached the tracer runs as nobody (65534, no /etc/passwd here), no groups" sh -c "
	grep -Eqx 'Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534' '$RESULTS/capsINT.txt' &&
	grep -Eqx 'Gid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534' '$RESULTS/capsINT.txt' &&
	grep -Eqx 'Groups:[[:space:]]*' '$RESULTS/capsINT.txt'"
check "$variant: no inheritable or ambient capability" sh -c "
	grep -qx 'CapInh:[[:space:]]*0000000000000000' '$RESULTS/capsINT.txt' &&
	grep -qx 'CapAmb:[[:space:]]*0000000000000000' '$RESULTS/capsINT.txt'"
check "$variant: --user 1234:2345: that uid and gid, CAP_BPF only, exit 0" sh -c "
	grep -Eqx 'Uid:[[:space:]]+1234[[:space:]]+1234[[:space:]]+1234[[:space:]]+1234' '$RESULTS/caps-user.txt' &&
	grep -Eqx 'Gid:[[:space:]]+2345[[:space:]]+2345[[:space:]]+2345[[:space:]]+2345' '$RESULTS/caps-user.txt' &&
	grep -qx 'CapEff:[[:space:]]*0000008000000000' '$RESULTS/caps-user.txt' && grep -qx 0 '$RESULTS/user.rc'"
check "$variant: -p of a non-VMM fails with one line" \
	sh -c "grep -qx 1 '$RESULTS/notvmm.rc' && grep -q 'has no KVM file open: not a VMM' '$RESULTS/notvmm.err' && [ \$(wc -l <'$RESULTS/notvmm.err') = 1 ]"
check "$variant: --wait traces a non-VMM anyway, with a warning" \
	sh -c "grep -qx 0 '$RESULTS/notvmm-wait.rc' && grep -q 'warning: -p 1 has no KVM file open yet' '$RESULTS/notvmm-wait.err'"
report "vm-boot-$variant"
