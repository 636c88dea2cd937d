#!/usr/bin/env bash
# The test VMM's ground truth matches what its guest program is known to do, in its
# default configuration and beyond (vCPU counts, iterations, no delay, misuse); and
# the checker itself catches broken truth.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
vm_run "$variant" vmm-full
check "$variant: vmm-full scenario exited 0" [ "$VM_RC" = 0 ]
python3 tests/vm/check_truth.py "$RESULTS" --self-test
check "$variant: ground truth checks (and checker self-test)" [ $? = 0 ]
vm_run "$variant" vmm-matrix
check "$variant: vmm-matrix scenario exited 0" [ "$VM_RC" = 0 ]
for dir in "$RESULTS"/*/; do
	python3 tests/vm/check_truth.py "$dir"
	check "$variant: ground truth of $(basename "$dir")" [ $? = 0 ]
done
report "vm-vmm-$variant"
