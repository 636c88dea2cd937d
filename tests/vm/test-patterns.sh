#!/usr/bin/env bash
# Real-VMM patterns (tests/vmm/patterns.c) under the tracer, fentry and forced kprobe
# plans: a VM freed with a forwarded call pending, one thread running two vCPUs, a
# vCPU moving between threads, a vCPU parked by a userspace CPU_OFF, and VMs created
# and destroyed by several processes (more than 2,000 on VHE) under one stream tracer
# and one --summary --by pid,vm tracer; each checked call by call against its truth.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
# the >2,000-VM churn on VHE; nVHE (slower by half, and where KVM reuses a freed
# VM's address at once) churns 600 VMs, within the CI budget
vms=520 min=2000
[ "$variant" = nvhe ] && vms=150 min=600
vm_run "$variant" patterns --timeout 600 --env SCENARIO_TIMEOUT=540 --env CHURN_VMS=$vms
check "$variant: patterns scenario exited 0" [ "$VM_RC" = 0 ]
grep '^churn:' "$RESULTS/scenario.log"
python3 tests/vm/check_patterns.py "$RESULTS" --label "patterns-$variant" --min-vms $min --self-test
check "$variant: every pattern equals its ground truth" [ $? = 0 ]
python3 tests/check_schema.py --label "schema-patterns-$variant" "$RESULTS"/{fentry,kprobe}/trace.jsonl \
	"$RESULTS"/churn/trace.jsonl "$RESULTS"/churn/summary.jsonl
check "$variant: the patterns' JSON Lines valid against docs/smccctrace.schema.json" [ $? = 0 ]
report "vm-patterns-$variant"
