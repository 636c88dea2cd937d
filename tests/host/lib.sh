# The TAP-style counting the host test scripts share: ok/not_ok count and print one
# line each, check NAME CMD... runs CMD and counts it; the script prints its own
# '# PART: N passed, N failed' line from $passed and $failed.
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
