# --record: one tracer with three outputs at once (live JSON Lines, the record file
# and the Perfetto timeline), then --record alone under the kprobe plan. The host
# (tests/vm/test-record.sh) renders the record files again with the x86_64 build of
# `smccctrace report` and compares them with the live outputs and the ground truth.
out=$1
. /scenarios/lib.sh

uname -r >"$out/uname"
start_stopped_vmm "$out/vmm.pid" --scenario full --truth "$out/truth.jsonl" --delay-us 3000
smccctrace -v -p "$VMM_PID" --json -o "$out/live.jsonl" --record "$out/rec.bin" --perfetto "$out/live.json" \
	2>"$out/live.err" &
tracer=$!
wait_attached "$out/live.err" $tracer || { cat "$out/live.err"; exit 1; }
kill -CONT "$VMM_PID"
wait "$VMM_PID"; echo $? >"$out/vmm.rc"
wait "$tracer"; echo $? >"$out/live.rc"
cat "$out/live.err"

# --record alone prints nothing per call, like perf record
start_stopped_vmm "$out/vmm2.pid" --scenario full --truth "$out/truth2.jsonl" --delay-us 1000
smccctrace -v -p "$VMM_PID" --plan kprobe --record "$out/rec2.bin" >"$out/rec2.stdout" 2>"$out/rec2.err" &
tracer=$!
wait_attached "$out/rec2.err" $tracer || { cat "$out/rec2.err"; exit 1; }
kill -CONT "$VMM_PID"
wait "$VMM_PID"; echo $? >"$out/vmm2.rc"
wait "$tracer"; echo $? >"$out/rec2.rc"
cat "$out/rec2.err"
