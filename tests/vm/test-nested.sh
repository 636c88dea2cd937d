#!/usr/bin/env bash
# Nested virtualisation on unstable's 7.x (kvm-arm.mode=nested, -cpu max: VHE+NV2): a
# test-VMM guest at virtual EL2 makes HVCs, which KVM reflects into the guest's own
# hypervisor (they never reach KVM's SMCCC dispatcher), and SMCs, which KVM handles.
# smccctrace must report each reflected call as `reflected` (its result is the guest
# hypervisor's: not visible to a host tracer, null) and every other call as usual,
# field by field against the ground truth.
KERNEL=${KERNEL:-sid} KVM_MODE=nested
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=vhe
vm_run "$variant" nested --timeout 600 --env SCENARIO_TIMEOUT=540
check "nested: scenario exited 0" [ "$VM_RC" = 0 ]
check "nested: probe says the host is nested" \
	python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['kvm_mode'] != 'nested')" "$RESULTS/probe.json"
check "nested: the VMM (a vCPU at virtual EL2) exited 0" grep -qx 0 "$RESULTS/vmm.rc"
check "nested: tracer exited 0" grep -qx 0 "$RESULTS/trace.rc"
check "nested: text tracer exited 0" grep -qx 0 "$RESULTS/trace-text.rc"
# the truth itself: each reflected HVC was answered by the guest hypervisor (its
# vector's x0, x1..x3 untouched), never by KVM
python3 - "$RESULTS/truth.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
calls = [r for r in recs if r.get("type") == "call"]
refl = [r for r in calls if r["expect"] == "reflected"]
ok = len(refl) == 4 and all(r["conduit"] == "hvc" for r in refl)
ok = ok and all(int(r["result"][0], 16) == 0x4E455354 and r["result"][1:] == r["args"][:3] for r in refl)
ok = ok and {r["expect"] for r in calls if r["conduit"] == "smc"} == {"kvm", "denied", "forwarded", "refused"}
print("# truth: %d calls, %d reflected" % (len(calls), len(refl)))
sys.exit(0 if ok else 1)
PY
check "nested: ground truth: 4 HVCs answered by the guest hypervisor, SMCs by KVM (kvm, denied, forwarded, refused)" [ $? = 0 ]
python3 tests/vm/check_trace.py "$RESULTS" --label "nested"
check "nested: field-by-field comparison (reflected: disposition reflected, result null)" [ $? = 0 ]
python3 tests/check_schema.py --label "nested-schema" "$RESULTS/trace.jsonl"
check "nested: JSON valid against docs/smccctrace.schema.json" [ $? = 0 ]
check "nested: the text output says reflected, answered by the guest hypervisor" \
	sh -c "[ \$(grep -c 'reflected  *(guest hypervisor)' '$RESULTS/trace.txt') = 4 ]"
check "nested: the totals line counts the reflected calls" grep -q 'reflected 4)' "$RESULTS/trace.err"
report "vm-trace-$variant"
