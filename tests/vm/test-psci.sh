#!/usr/bin/env bash
# `smccctrace psci` against the test VMM's hotplug scenario: each vCPU's timeline, the
# AFFINITY_INFO polls, the PSCI calls the VMM answered and every anomaly equal what the
# VMM's ground truth implies (tests/vm/check_psci.py), and `report --psci` of the same
# recording says exactly the same.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
vm_run "$variant" psci-hotplug --timeout 600 --env SCENARIO_TIMEOUT=540
check "$variant: psci-hotplug scenario exited 0" [ "$VM_RC" = 0 ]
check "$variant: the hotplug VMM exited 0" grep -qx 0 "$RESULTS/vmm.rc"
check "$variant: smccctrace psci exited 0 by itself when the VMM exited" grep -qx 0 "$RESULTS/psci.rc"
check "$variant: report --psci exited 0" grep -qx 0 "$RESULTS/report.rc"
python3 tests/vm/check_psci.py "$RESULTS" --self-test
check "$variant: the flow equals the VMM's ground truth (and broken flows are caught)" [ $? = 0 ]
python3 tests/check_schema.py --label "psci-schema-$variant" "$RESULTS/psci.jsonl"
check "$variant: the flow's JSON Lines are valid against docs/smccctrace.schema.json" [ $? = 0 ]
for kind in cpu_on_failed cpu_on_timeout affinity_poll slow_vmm call_while_off; do
	check "$variant: the text view lists the anomaly $kind" grep -q "^[0-9.]* *[0-9]* *$kind " "$RESULTS/psci.txt"
done
report "vm-psci-$variant"
