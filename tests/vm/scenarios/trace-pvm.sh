# A protected VM (pKVM: kvm-arm.mode=protected, KVM_CREATE_VM with the protected type)
# under the tracer: what a host tracer sees of its calls, checked later on the host by
# tests/vm/check_truth.py and check_trace.py (tests/vm/test-kernel.sh). Where the kernel
# creates no protected VM, the test VMM exits 4 and says why (vmm-pvm.rc, vmm-pvm.log).
out=$1
. /scenarios/lib.sh

if ! start_stopped_vmm "$out/vmm-pvm.pid" --protected --scenario full --truth "$out/truth-pvm.jsonl" --delay-us 3000; then
	wait "$VMM_PID"; echo $? >"$out/vmm-pvm.rc"
	cat "$out/vmm-pvm.log"
	exit 0
fi
smccctrace -v -p "$VMM_PID" --json -o "$out/trace-pvm.jsonl" 2>"$out/trace-pvm.err" &
tracer=$!
wait_attached "$out/trace-pvm.err" $tracer || { cat "$out/trace-pvm.err"; exit 1; }
kill -CONT "$VMM_PID"
wait "$VMM_PID"; echo $? >"$out/vmm-pvm.rc"
wait "$tracer"; echo $? >"$out/trace-pvm.rc"
dmesg | grep 'kvm' >"$out/kvm-dmesg-pvm.txt"
cat "$out/vmm-pvm.log" "$out/trace-pvm.err"
