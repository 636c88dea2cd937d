# `smccctrace top -b -n 3` against the test VMM's ground truth, checked on the host by
# tests/vm/check_top.py (tests/vm/test-top.sh). Two VMMs, both stopped before their
# guests make a call; the frames are made to fall between them without any timing:
#   frame 1: neither has run (0 calls);
#   the tracer is stopped (SIGSTOP), VMM A runs to its end, the tracer continues:
#   frame 2: all of A;
#   stopped again, VMM B runs to its end, continued: frame 3 (the last, -n 3 and both
#   VMMs gone): B's rows; A's calls in the header's totals only (found gone at frame 2,
#   its rows leave at the next).
# If a frame slipped in before the tracer was stopped (the shell delayed for a whole
# interval), the attempt is started again, up to 3 times (attempts.txt says how many).
out=$1
. /scenarios/lib.sh

# frames FILE: how many frames top has printed
frames() { n=$(grep -c '^smccctrace top - frame ' "$1" 2>/dev/null); echo "${n:-0}"; }
# until_frames FILE N PID: waits until FILE has N frames (or PID exits)
until_frames() {
	while [ "$(frames "$1")" -lt "$2" ]; do
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
}

attempt() {
	rm -f "$out"/truth-a.jsonl "$out"/truth-b.jsonl "$out"/top.txt
	start_stopped_vmm "$out/vmm-a.pid" --scenario full --truth "$out/truth-a.jsonl" --delay-us 2000 || return 1
	a=$VMM_PID
	start_stopped_vmm "$out/vmm-b.pid" --scenario full --vcpus 3 --truth "$out/truth-b.jsonl" --delay-us 2000 || return 1
	b=$VMM_PID
	smccctrace top -v -b -n 3 -i 1 --by pid,vcpu,func -p "$a" -p "$b" -o "$out/top.txt" 2>"$out/top.err" &
	top=$!
	wait_attached "$out/top.err" $top || { echo "top did not attach"; cat "$out/top.err"; return 1; }
	until_frames "$out/top.txt" 1 $top || return 1
	kill -STOP $top
	[ "$(frames "$out/top.txt")" = 1 ] || { kill -CONT $top; return 2; }
	kill -CONT "$a"; wait "$a"; echo $? >"$out/vmm-a.rc"
	kill -CONT $top
	until_frames "$out/top.txt" 2 $top || return 1
	kill -STOP $top
	[ "$(frames "$out/top.txt")" = 2 ] || { kill -CONT $top; return 2; }
	kill -CONT "$b"; wait "$b"; echo $? >"$out/vmm-b.rc"
	kill -CONT $top
	wait $top; echo $? >"$out/top.rc"
	return 0
}

n=1
while :; do
	attempt; rc=$?
	echo "$n" >"$out/attempts.txt"
	[ $rc = 2 ] && [ $n -lt 3 ] || break
	echo "top: a frame slipped in before the tracer was stopped; again"
	kill -KILL "$a" "$b" $top 2>/dev/null; wait
	n=$((n + 1))
done
cat "$out/top.err"
exit $rc
