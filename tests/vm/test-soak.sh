#!/usr/bin/env bash
# Soak: tracers stay flat in memory and file descriptors while VMMs come and go.
# SOAK_SECONDS (default 40) sets the length; `make soak` runs 600 s.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=${1:-vhe}
seconds=${SOAK_SECONDS:-40}
RESULTS=build/vm/$variant/soak/results
# SOAK_SECONDS counts samples: one takes 1.6-2.2 s of the emulated host (a second's
# sleep, a scrape and the readings), so `make soak`'s 600 run ~20 minutes. The timeouts
# (3 s a sample) only end a hung run; seconds + 180 cut a 90-sample soak short.
bash tests/vm/run.sh --no-build --variant "$variant" --timeout $((seconds * 3 + 240)) --env SOAK_SECONDS="$seconds" \
	--env SCENARIO_TIMEOUT=$((seconds * 3 + 180)) soak
VM_RC=$?
check "$variant: soak scenario ran ($seconds s)" [ "$VM_RC" = 0 ]
python3 tests/vm/check_soak.py "$RESULTS"
check "$variant: soak checks" [ $? = 0 ]
report "vm-soak-$variant"
