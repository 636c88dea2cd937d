#!/usr/bin/env bash
# One cell of the kernel coverage matrix: KERNEL (6.12 or 6.1) x VARIANT (vhe or nvhe).
# `smccctrace probe` must describe the kernel truthfully, and the tracer, with the
# plan the planner picks there, must equal the test VMM's ground truth field by field
# (AArch64 and AArch32 guests).
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
kernel=$1 variant=$2
cell="$kernel-$variant"
vm_run_kernel() {
	RESULTS=build/vm/$variant-$kernel/$1/results
	[ "$kernel" = 6.12 ] && RESULTS=build/vm/$variant/$1/results
	bash tests/vm/run.sh --no-build --kernel "$kernel" --variant "$variant" "$1"
	VM_RC=$?
	echo "# boot-to-result: $cell/$1 $(cat "${RESULTS%/results}/seconds" 2>/dev/null)s"
	[ $VM_RC -eq 0 ] || tail -n 30 "${RESULTS%/results}/console.log"
}
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$RESULTS/probe.json" "$1"; }

vm_run_kernel probe
check "$cell: probe scenario ran" [ "$VM_RC" = 0 ]
check "$cell: probe exits 0 (tracing possible)" grep -qx 0 "$RESULTS/probe.rc"
check "$cell: probe --json reports kernel $kernel" sh -c "case '$(json kernel)' in $kernel.*) true;; *) false;; esac"
check "$cell: probe sees BTF" [ "$(json btf)" = True ]
check "$cell: the tracepoint plan works" [ "$(json tracepoint)" = True ]
want_mode=$([ "$variant" = vhe ] && echo vhe || echo nvhe)
check "$cell: probe reports KVM mode $want_mode (got $(json kvm_mode))" [ "$(json kvm_mode)" = "$want_mode" ]
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
[ -n "${PROBE_ONLY:-}" ] && { report "vm-kernel-$cell"; exit; }
vm_run_kernel trace-full
check "$cell: trace-full scenario exited 0" [ "$VM_RC" = 0 ]
check "$cell: VMM exited 0" grep -qx 0 "$RESULTS/vmm.rc"
check "$cell: tracer exited 0" grep -qx 0 "$RESULTS/trace.rc"
python3 tests/vm/check_trace.py "$RESULTS" --label "kernel-$cell"
check "$cell: AArch64 field-by-field comparison" [ $? = 0 ]
python3 tests/vm/check_trace.py "$RESULTS" --truth truth32.jsonl --trace trace32.jsonl --label "kernel32-$cell"
check "$cell: AArch32 field-by-field comparison" [ $? = 0 ]
report "vm-kernel-$cell"
