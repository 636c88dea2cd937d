#!/usr/bin/env bash
# Runs host unit test binaries; each prints '# NAME: N passed, N failed'.
# A binary that dies without its count line counts as one failure.
set -u
rc=0
for t in "$@"; do
	out=$("$t" 2>&1); status=$?
	printf '%s\n' "$out" | grep -v '^ok' 
	if ! printf '%s\n' "$out" | grep -q '^# .*: [0-9]* passed, [0-9]* failed'; then
		echo "# $(basename "$t"): 0 passed, 1 failed (exit $status, no count line)"
	fi
	[ $status -eq 0 ] || rc=1
done
exit $rc
