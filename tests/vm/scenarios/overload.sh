# Overload: the bench loop (back-to-back calls on 2 vCPUs) streamed through a 4 KiB
# ring buffer, so that calls are lost. tests/vm/test-overload.sh checks that the loss
# is counted exactly: calls made = calls received + calls reported lost.
out=$1
. /scenarios/lib.sh
smccctrace -v --json --buffer 4K -o /tmp/overload.jsonl 2>"$out/tracer.err" &
t=$!
wait_attached "$out/tracer.err" $t || { cat "$out/tracer.err"; exit 1; }
smccc-testvmm --scenario bench --kind kvm --vcpus 2 --calls 20000 --timeout 1800 >"$out/bench.json" 2>"$out/vmm.log"
echo $? >"$out/vmm.rc"
sleep 0.5
kill -INT $t; wait $t; echo $? >"$out/tracer.rc"
grep -c '"type":"call"' /tmp/overload.jsonl >"$out/received"
tail -n 1 /tmp/overload.jsonl >"$out/summary.json"
