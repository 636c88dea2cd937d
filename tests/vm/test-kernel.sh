#!/usr/bin/env bash
# One cell of the kernel coverage matrix: KERNEL (6.12, 6.1, trixie, sid or a version;
# tests/vm/kernels.sh) x VARIANT (vhe or nvhe), in KVM_MODE if set (protected, nested).
# `smccctrace probe` must describe the kernel truthfully, and the tracer, with the
# plan the planner picks there, must equal the test VMM's ground truth field by field
# (AArch64 and AArch32 guests). Under kvm-arm.mode=protected, also a protected VM:
# what the tracer sees of it (docs/kernels.md, "Protected KVM").
KERNEL=$1
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
kernel=$kernel_name variant=$2
cell="$variant$CELL_SUFFIX"
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$RESULTS/probe.json" "$1"; }

# one boot for both: probe, then (unless PROBE_ONLY) the trace
pvm=; [ "$KVM_MODE" = protected ] && [ -z "${PROBE_ONLY:-}" ] && pvm=1
vm_run "$variant" probe-trace --timeout 600 --env SCENARIO_TIMEOUT=540 ${PROBE_ONLY:+--env PROBE_ONLY=1} ${pvm:+--env PVM=1}
check "$cell: probe scenario ran" grep -qx 0 "$RESULTS/probe-scenario.rc"
check "$cell: probe exits 0 (tracing possible)" grep -qx 0 "$RESULTS/probe.rc"
check "$cell: probe --json reports kernel $kernel_release (got $(json kernel))" [ "$(json kernel)" = "$kernel_release" ]
check "$cell: probe sees BTF" [ "$(json btf)" = True ]
check "$cell: probe says it checked KVM's functions against tracefs (text and JSON)" sh -c "
	[ '$(json functions_from)' = available_filter_functions ] &&
	grep -qx \"functions:      checked against ftrace's available_filter_functions (tracefs)\" '$RESULTS/probe.txt'"
check "$cell: the tracepoint plan works" [ "$(json tracepoint)" = True ]
# the mode the emulated CPU and kvm-arm.mode= give: -cpu max has VHE, cortex-a57 not;
# pKVM never runs the host at EL2 (hVHE where the CPU has VHE, 7.x; else nVHE)
case $variant/$KVM_MODE in
vhe/) want_mode=vhe;;
nvhe/) want_mode=nvhe;;
vhe/nested) want_mode=nested;;
vhe/protected) want_mode=protected-hvhe;;
nvhe/protected) want_mode=protected-nvhe;;
*) want_mode="?";;
esac
check "$cell: probe reports KVM mode $want_mode (got $(json kvm_mode))" [ "$(json kvm_mode)" = "$want_mode" ]
if [ "$kernel" = 6.1 ]; then
	# 6.1 lists no data symbols in /proc/kallsyms (no CONFIG_KALLSYMS_ALL)
	check "$cell: 6.1: the mode comes from the boot message" [ "$(json kvm_mode_source)" = boot-log ]
else
	check "$cell: the mode is read from the kernel's state" [ "$(json kvm_mode_source)" = kernel ]
	check "$cell: the boot message agrees ($(json kvm_mode_boot_log))" [ "$(json kvm_mode_boot_log)" = "$want_mode" ]
	check "$cell: kvm-arm.mode as KVM recorded it: ${KVM_MODE:-default}" [ "$(json kvm_mode_requested)" = "${KVM_MODE:-default}" ]
	# a host up for long: KVM's boot message has left the kernel log
	RESULTS_JSON=$RESULTS/probe-nolog.json
	check "$cell: with the kernel log cleared, probe still reports $want_mode" \
		[ "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['kvm_mode'])" "$RESULTS_JSON")" = "$want_mode" ]
	check "$cell: ... from the kernel's state, and says the boot message is gone" \
		python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d['kvm_mode_source'] == 'kernel' and d['kvm_mode_boot_log'] is None))" "$RESULTS_JSON"
fi
python3 tests/check_schema.py --def probe --label "schema-probe-$cell" "$RESULTS/probe.json" "$RESULTS/probe-nolog.json"
check "$cell: probe --json valid against the schema" [ $? = 0 ]
if [ "$kernel" = 6.1 ]; then
	check "$cell: no SMCCC filter on 6.1" [ "$(json smccc_filter)" = False ]
	check "$cell: plan falls back to kprobes (no arm64 BPF trampolines on 6.1)" [ "$(json plan)" = kprobe/kretprobe ]
	check "$cell: fentry reported unavailable" [ "$(json fentry)" = False ]
	check "$cell: text names the 6.1 handler" grep -q 'kvm_hvc_call_handler' "$RESULTS/probe.txt"
else
	check "$cell: SMCCC filter present" [ "$(json smccc_filter)" = True ]
	check "$cell: plan is fentry/fexit" [ "$(json plan)" = fentry/fexit ]
	check "$cell: kprobes also work" [ "$(json kprobe)" = True ]
	check "$cell: text names kvm_smccc_call_handler" grep -q 'kvm_smccc_call_handler' "$RESULTS/probe.txt"
fi

# On 6.12 the trace itself is covered by test-trace.sh and test-filters.sh.
[ -n "${PROBE_ONLY:-}" ] && { report "vm-kernel-$variant"; exit; }
check "$cell: trace-full scenario exited 0" [ "$VM_RC" = 0 ]
check "$cell: VMM exited 0" grep -qx 0 "$RESULTS/vmm.rc"
check "$cell: tracer exited 0" grep -qx 0 "$RESULTS/trace.rc"
python3 tests/vm/check_truth.py "$RESULTS"
check "$cell: the VMM's ground truth is what its programs do on this kernel" [ $? = 0 ]
python3 tests/vm/check_trace.py "$RESULTS" --label "kernel-$cell"
check "$cell: AArch64 field-by-field comparison" [ $? = 0 ]
python3 tests/vm/check_trace.py "$RESULTS" --truth truth32.jsonl --trace trace32.jsonl --label "kernel32-$cell"
check "$cell: AArch32 field-by-field comparison" [ $? = 0 ]
if [ -z "$pvm" ]; then report "vm-kernel-$variant"; exit; fi

# A protected VM (trace-pvm.sh): what the emulated host measured, asserted.
# 7.x creates protected VMs (KVM_CREATE_VM with KVM_VM_TYPE_ARM_PROTECTED; the kernel
# says they are experimental and taints itself). Every call of theirs that reaches the
# host's exit handlers is traced with every field equal to the VMM's ground truth: the
# host still holds their registers, PC and syndrome. The calls pKVM's hypervisor answers
# at EL2 (KVM_FEATURES, HYP_MEMINFO) never reach the host and must be absent, not
# reported with made-up values. A protected VM gets no SMCCC filter (pKVM refuses the
# VM attribute), so no denied or forwarded calls. 6.12 creates none: EINVAL.
case $kernel_release in
6.*)
	check "$cell: $kernel_release creates no protected VM (the test VMM exits 4)" grep -qx 4 "$RESULTS/vmm-pvm.rc"
	check "$cell: ... saying KVM_CREATE_VM refused the protected type (EINVAL)" \
		grep -q 'KVM_CREATE_VM (type KVM_VM_TYPE_ARM_PROTECTED): Invalid argument' "$RESULTS/vmm-pvm.log"
	;;
*)
	check "$cell: a protected VM ran to SYSTEM_OFF" grep -qx 0 "$RESULTS/vmm-pvm.rc"
	check "$cell: the tracer of the protected VM exited 0" grep -qx 0 "$RESULTS/trace-pvm.rc"
	check "$cell: the kernel created a protected VM (its taint message)" \
		grep -q 'protected VMs are experimental' "$RESULTS/kvm-dmesg-pvm.txt"
	check "$cell: the protected VM has no SMCCC filter" \
		python3 -c "import json,sys; sys.exit(json.loads(open(sys.argv[1]).readline())['filter'] is not False)" "$RESULTS/truth-pvm.jsonl"
	python3 tests/vm/check_truth.py "$RESULTS" --file truth-pvm.jsonl
	check "$cell: the protected VM's ground truth is what its program does (pKVM answers at EL2 included)" [ $? = 0 ]
	python3 tests/vm/check_trace.py "$RESULTS" --truth truth-pvm.jsonl --trace trace-pvm.jsonl --label "kernel-pvm-$cell"
	check "$cell: protected VM: field by field, and the calls answered at EL2 absent" [ $? = 0 ]
	;;
esac
report "vm-kernel-$variant"
