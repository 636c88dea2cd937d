#!/usr/bin/env bash
# The emulated host boots in the asked KVM mode, has BTF, and the tool's BPF
# programs load and attach on KVM's SMCCC handler there.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
vm_run "$variant" boot
check "$variant: scenario ran and results came back as files" [ "$VM_RC" = 0 ]
check "$variant: kernel is Debian's 6.12" grep -q '^6\.12\..*-arm64' "$RESULTS/uname"
check "$variant: /dev/kvm exists" [ -s "$RESULTS/has-kvm" ]
check "$variant: kernel BTF exists" [ -s "$RESULTS/has-btf" ]
if [ "$variant" = vhe ]; then mode='VHE mode initialized'; else mode='Hyp nVHE mode initialized'; fi
check "$variant: KVM says '$mode'" grep -q "$mode" "$RESULTS/kvm-dmesg.txt"
check "$variant: BPF skeleton loaded and attached on kvm_smccc_call_handler" \
	grep -q 'attached with fentry/fexit, SMCCC handler kvm_smccc_call_handler' "$RESULTS/attach.err"
check "$variant: the tracer exited 0 after -d" grep -qx 0 "$RESULTS/attach.rc"
report "vm-boot-$variant"
