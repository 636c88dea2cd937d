# The test VMM beyond its defaults: vCPU counts, --iterations, --delay-us 0, -v, and
# its error paths. Each configuration leaves a results directory check_truth.py
# accepts:  RESULTS/NAME/{truth.jsonl,truth32.jsonl|aarch32.skip,vmm*.log,vmm*.rc}
# plus RESULTS/errors.txt with the exit status and message of each misuse.
out=$1
status=0

run_config() {
	name=$1; shift
	dir=$out/$name
	mkdir -p "$dir"
	smccc-testvmm "$@" --truth "$dir/truth.jsonl" 2>"$dir/vmm.log"
	rc=$?; echo $rc >"$dir/vmm.rc"
	smccc-testvmm --aarch32 "$@" --truth "$dir/truth32.jsonl" 2>"$dir/vmm32.log"
	rc32=$?; echo $rc32 >"$dir/vmm32.rc"
	if [ $rc32 -eq 3 ]; then
		rm -f "$dir/truth32.jsonl"; tail -n 1 "$dir/vmm32.log" >"$dir/aarch32.skip"; rc32=0
	fi
	echo "vmm-matrix: $name: exit $rc, aarch32 exit $rc32"
	[ $rc -eq 0 ] && [ $rc32 -eq 0 ] || status=1
}

run_config one-vcpu --vcpus 1
run_config four-vcpus-3x --vcpus 4 --iterations 3 --delay-us 500
run_config no-delay-verbose --delay-us 0 -v

# Misuse: one line on stderr, non-zero status, no truth written
misuse() {
	want=$1; shift
	"$@" --truth "$out/misuse.jsonl" >/dev/null 2>"$out/misuse.err"
	rc=$?
	echo "rc=$rc want=$want: $* :: $(cat "$out/misuse.err" | head -n 1)" >>"$out/errors.txt"
	[ $rc -eq "$want" ] || status=1
	[ -s "$out/misuse.jsonl" ] && { echo "truth written by: $*" >>"$out/errors.txt"; status=1; }
	rm -f "$out/misuse.jsonl"
}
misuse 2 smccc-testvmm --vcpus 0
misuse 2 smccc-testvmm --vcpus 9
misuse 2 smccc-testvmm --scenario nope
misuse 2 smccc-testvmm --iterations x
misuse 2 smccc-testvmm stray-argument
mv /dev/kvm /dev/kvm.hidden
misuse 1 smccc-testvmm
mv /dev/kvm.hidden /dev/kvm
smccc-testvmm --truth /nonexistent/dir/truth.jsonl >/dev/null 2>"$out/misuse.err"
rc=$?
echo "rc=$rc want=1: smccc-testvmm --truth /nonexistent/dir/truth.jsonl :: $(head -n 1 "$out/misuse.err")" >>"$out/errors.txt"
[ $rc -eq 1 ] || status=1
cat "$out/errors.txt"
exit $status
