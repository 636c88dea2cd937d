#!/usr/bin/env bash
# `smccctrace top -b -n 3` in the emulated host: three frames whose rows equal the
# test VMMs' ground truth, per VMM, vCPU and function, split by disposition
# (tests/vm/check_top.py; the frames fall between the VMMs' runs: scenarios/top.sh).
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
vm_run "$variant" top --timeout 600 --env SCENARIO_TIMEOUT=540
check "$variant: top scenario exited 0" [ "$VM_RC" = 0 ]
check "$variant: both VMMs exited 0" [ "$(cat "$RESULTS/vmm-a.rc" "$RESULTS/vmm-b.rc" 2>/dev/null | tr -d '\n')" = 00 ]
check "$variant: top -b -n 3 exited 0 by itself" grep -qx 0 "$RESULTS/top.rc"
check "$variant: 'attached with' then the totals line" grep -q '^smccctrace: [0-9]* calls in ' "$RESULTS/top.err"
echo "# attempts: $(cat "$RESULTS/attempts.txt" 2>/dev/null)"
python3 tests/vm/check_top.py "$RESULTS" --label "top-frames-$variant"
check "$variant: the frames equal the ground truth" [ $? = 0 ]
report "vm-top-$variant"
