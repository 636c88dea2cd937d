#!/usr/bin/env bash
# The test VMM's ground truth matches what its guest program is known to do.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
vm_run "$variant" vmm-full
check "$variant: vmm-full scenario exited 0" [ "$VM_RC" = 0 ]
python3 tests/vm/check_truth.py "$RESULTS"
check "$variant: ground truth checks" [ $? = 0 ]
report "vm-vmm-$variant"
