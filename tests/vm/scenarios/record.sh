# --record: one tracer with three outputs at once (live JSON Lines, the record file
# and the Perfetto timeline), then --record alone under the kprobe plan. The host
# (tests/vm/test-record.sh) renders the record files again with the x86_64 build of
# `smccctrace report` and compares them with the live outputs and the ground truth.
out=$1
. /scenarios/lib.sh

uname -r >"$out/uname"
# the VMM started as libvirt starts QEMU, with a guest name (a doubled comma is a comma
# in QEMU's option values: the guest is "rec,guest"), and traced by that name (-g)
start_stopped_vmm "$out/vmm.pid" --scenario full --truth "$out/truth.jsonl" --delay-us 3000 \
	-name 'guest=rec,,guest,debug-threads=on'
smccctrace -v -g 'rec,guest' --json -o "$out/live.jsonl" --record "$out/rec.bin" --perfetto "$out/live.json" \
	2>"$out/live.err" &
tracer=$!
wait_attached "$out/live.err" $tracer || { cat "$out/live.err"; exit 1; }
kill -CONT "$VMM_PID"
wait "$VMM_PID"; echo $? >"$out/vmm.rc"
wait "$tracer"; echo $? >"$out/live.rc"
cat "$out/live.err"

# --record alone prints nothing per call, like perf record. -g --wait: the tracer starts
# first, then the VMM of that name, which it finds (and says so) before its first call
smccctrace -v -g rec2 --wait --plan kprobe --record "$out/rec2.bin" >"$out/rec2.stdout" 2>"$out/rec2.err" &
tracer=$!
wait_attached "$out/rec2.err" $tracer || { cat "$out/rec2.err"; exit 1; }
start_stopped_vmm "$out/vmm2.pid" --scenario full --truth "$out/truth2.jsonl" --delay-us 1000 -name rec2
i=0
while ! grep -q "tracing pid $VMM_PID" "$out/rec2.err" && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.05; done
kill -CONT "$VMM_PID"
wait "$VMM_PID"; echo $? >"$out/vmm2.rc"
wait "$tracer"; echo $? >"$out/rec2.rc"
cat "$out/rec2.err"

# recordings cut short: the tracer killed with SIGKILL mid-run (its file must hold every
# call it had written a second before), then stopped with SIGHUP mid-run (a clean stop)
for sig in KILL HUP; do
	start_stopped_vmm "$out/vmm-$sig.pid" --scenario full --iterations 10000 --truth "$out/truth-$sig.jsonl" \
		--delay-us 1000
	smccctrace -v -p "$VMM_PID" --json -o "$out/live-$sig.jsonl" --record "$out/rec-$sig.bin" 2>"$out/rec-$sig.err" &
	tracer=$!
	wait_attached "$out/rec-$sig.err" $tracer || { cat "$out/rec-$sig.err"; exit 1; }
	kill -CONT "$VMM_PID"
	i=0
	while [ "$(grep -c '"type":"call"' "$out/live-$sig.jsonl")" -lt 60 ] && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
	# The VMM pauses mid-run (its guest stops calling) until the live stream stops
	# growing: then the calls the tracer has handled are known, however late a loaded
	# host ran it, and the record file must hold them 1.5 s later (it is flushed every
	# second).
	kill -STOP "$VMM_PID"
	n=-1 i=0
	until [ "$n" = "$(grep -c '"type":"call"' "$out/live-$sig.jsonl")" ] || [ $i -gt 300 ]; do
		n=$(grep -c '"type":"call"' "$out/live-$sig.jsonl"); i=$((i + 1)); sleep 0.5
	done
	echo "$n" >"$out/seen-$sig"
	sleep 1.5
	kill -$sig $tracer
	wait $tracer; echo $? >"$out/rec-$sig.rc"
	kill -KILL "$VMM_PID"; wait "$VMM_PID" 2>/dev/null
	cat "$out/rec-$sig.err"
done

# the live stream's reader goes away (`| head -n 60`): the tracer ends quietly, and its
# record file still gets every call it handled and its end record
start_stopped_vmm "$out/vmm-PIPE.pid" --scenario full --iterations 10000 --truth "$out/truth-PIPE.jsonl" --delay-us 1000
{ smccctrace -v -p "$VMM_PID" --json --record "$out/rec-PIPE.bin" 2>"$out/rec-PIPE.err"; echo $? >"$out/rec-PIPE.rc"; } |
	head -n 60 >"$out/live-PIPE.jsonl" &
pipeline=$!
wait_attached "$out/rec-PIPE.err" $pipeline || { cat "$out/rec-PIPE.err"; exit 1; }
kill -CONT "$VMM_PID"
i=0
while [ ! -s "$out/rec-PIPE.rc" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL "$VMM_PID"; wait "$VMM_PID" 2>/dev/null
cat "$out/rec-PIPE.err"
