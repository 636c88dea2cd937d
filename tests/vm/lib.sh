# Host-side helpers for the VM tests: TAP-ish checks with a count line.
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
# The kernel and KVM mode the VM tests run on: KERNEL (6.12, 6.1, trixie, sid or a
# version; default 6.12) and KVM_MODE (protected or nested; default: the variant's own),
# e.g. `KERNEL=sid bash tests/vm/test-trace.sh vhe`. Part names and results directories
# carry them: vm-trace-vhe-sid, build/vm/vhe-sid/.
KERNEL=${KERNEL:-6.12} KVM_MODE=${KVM_MODE:-}
. tests/vm/kernels.sh
kernel_resolve "$KERNEL" || exit 2
CELL_SUFFIX=$kernel_suffix${KVM_MODE:+-$KVM_MODE}
report() { echo "# $1$CELL_SUFFIX: $passed passed, $failed failed"; [ $failed -eq 0 ]; }

# vm_run VARIANT SCENARIO [RUN.SH OPTIONS...]: boots the emulated host for one
# scenario, on KERNEL in KVM_MODE; sets RESULTS.
vm_run() {
	local dir=build/vm/$1$CELL_SUFFIX/$2
	RESULTS=$dir/results
	bash tests/vm/run.sh --no-build --variant "$1" --kernel "$KERNEL" ${KVM_MODE:+--kvm-mode "$KVM_MODE"} "${@:3}" "$2"
	VM_RC=$?
	echo "# boot-to-result: $1$CELL_SUFFIX/$2 $(cat "$dir/seconds" 2>/dev/null)s"
	if [ $VM_RC -ne 0 ]; then
		echo "--- console (tail) of $1$CELL_SUFFIX/$2"
		tail -n 30 "$dir/console.log" 2>/dev/null
	fi
}
