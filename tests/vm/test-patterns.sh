#!/usr/bin/env bash
# Real-VMM patterns (tests/vmm/patterns.c) under the tracer, fentry and forced kprobe
# plans: a VM freed with a forwarded call pending, one thread running two vCPUs, a
# vCPU moving between threads, a thread exiting with a forwarded call pending (answered
# by the next thread; and, never run again, unanswered at the VM's free), a vCPU
# parked by a userspace CPU_OFF, forwarded calls still held when the tracers stop, a VMM reset
# without a PSCI call (the PSCI view of the recording starts a boot at each), and
# more than 2,000 VMs created and destroyed by several processes under a stream
# tracer of each plan and a --summary --by pid,vm tracer at once; each checked call by
# call against its truth; and a --summary -i 1 tracer beside each plan's stream
# tracer, whose intervals must add up to the stream and the truth, call for call,
# per (pid, vm, vcpu, function, disposition), unanswered and parked included.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
# the >2,000-VM churn (4 processes x 520 VMs), also on nVHE, where KVM reuses a freed
# VM's address at once
vms=${CHURN_VMS:-520} min=${MIN_VMS:-2000}	# smaller only by hand, while developing
vm_run "$variant" patterns --timeout 1200 --env SCENARIO_TIMEOUT=1140 --env CHURN_VMS=$vms
check "$variant: patterns scenario exited 0" [ "$VM_RC" = 0 ]
# the PSCI view of each plan's recording (report --psci, this host's build)
for plan in fentry kprobe; do
	build/x86_64/smccctrace report "$RESULTS/$plan/trace.bin" --psci --json -o "$RESULTS/$plan/psci.jsonl" \
		2>"$RESULTS/$plan/psci.err"
done
grep -E '^(churn|fentry|kprobe):' "$RESULTS/scenario.log"
python3 tests/vm/check_patterns.py "$RESULTS" --label "patterns-$variant" --min-vms $min --self-test
check "$variant: every pattern equals its ground truth" [ $? = 0 ]
for plan in fentry kprobe; do
	check "$variant: $plan: the --summary -i 1 tracer beside the stream exited 0" \
		[ "$(cat "$RESULTS/$plan/intervals.rc" 2>/dev/null)" = 0 ]
done
check "$variant: fentry: the --disposition kvm,denied,refused tracer exited 0" \
	[ "$(cat "$RESULTS/fentry/nofwd.rc" 2>/dev/null)" = 0 ]
python3 tests/check_schema.py --label "schema-patterns-$variant" "$RESULTS"/{fentry,kprobe}/{trace,psci,intervals}.jsonl \
	"$RESULTS"/fentry/nofwd.jsonl \
	"$RESULTS"/churn/{trace,trace-kprobe,summary}.jsonl
check "$variant: the patterns' JSON Lines valid against docs/smccctrace.schema.json" [ $? = 0 ]
report "vm-patterns-$variant"
