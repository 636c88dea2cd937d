# Host-side helpers for the VM tests: TAP-ish checks with a count line.
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
report() { echo "# $1: $passed passed, $failed failed"; [ $failed -eq 0 ]; }

# vm_run VARIANT SCENARIO [RUN.SH OPTIONS...]: boots the emulated host for one
# scenario; sets RESULTS.
vm_run() {
	RESULTS=build/vm/$1/$2/results
	bash tests/vm/run.sh --no-build --variant "$1" "${@:3}" "$2"
	VM_RC=$?
	echo "# boot-to-result: $1/$2 $(cat "build/vm/$1/$2/seconds" 2>/dev/null)s"
	if [ $VM_RC -ne 0 ]; then
		echo "--- console (tail) of $1/$2"
		tail -n 30 "build/vm/$1/$2/console.log" 2>/dev/null
	fi
}
