#!/usr/bin/env bash
# Soak: tracers stay flat in memory and file descriptors while VMMs come and go.
# SOAK_SECONDS (default 40) sets the length; `make soak` runs 600 s.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=${1:-vhe}
seconds=${SOAK_SECONDS:-40}
RESULTS=build/vm/$variant/soak/results
bash tests/vm/run.sh --no-build --variant "$variant" --timeout $((seconds + 240)) --env SOAK_SECONDS="$seconds" --env SCENARIO_TIMEOUT=$((seconds + 180)) soak
VM_RC=$?
check "$variant: soak scenario ran ($seconds s)" [ "$VM_RC" = 0 ]
python3 tests/vm/check_soak.py "$RESULTS"
check "$variant: soak checks" [ $? = 0 ]
report "vm-soak-$variant"
