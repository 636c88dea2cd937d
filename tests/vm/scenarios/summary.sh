# --summary against the test VMM's ground truth, checked on the host by
# tests/vm/check_summary.py and tests/check_schema.py (tests/vm/test-summary.sh).
#
# Run A: one `full` run watched by several tracers at once, each loading its own BPF
#   object: summaries as JSON (two groupings, the whole key with call sites named
#   from the VMM's --kallsyms, and under kprobes), as text, with the
#   default grouping; the per-call JSON stream and a --record file (for the schema).
# Run B: a longer run (many iterations) cut into -i intervals, whose sum must be the
#   truth; plus -i with -c (stops by itself), -d, and SIGINT.
out=$1
. /scenarios/lib.sh
# progress, one line per step, for the console and the stall watchdog (test-summary.sh)
step() { echo "summary: $*"; }

smccctrace probe --json >"$out/probe.json"

tracers=
# tracer NAME ARGS...: starts smccctrace -v -p $VMM_PID ARGS, waits until it is attached
tracer() {
	name=$1; shift
	smccctrace -v -p "$VMM_PID" "$@" >"$out/$name.out" 2>"$out/$name.err" &
	echo "$name $!" >>"$out/tracers"
	wait_attached "$out/$name.err" $! || { echo "tracer $name failed"; cat "$out/$name.err"; exit 1; }
	step "tracer $name attached"
}
# wait_tracers: each tracer of $out/tracers ended; its exit status to NAME.rc
wait_tracers() {
	while read -r name pid; do wait "$pid"; echo $? >"$out/$name.rc"; step "tracer $name exited $(cat "$out/$name.rc")"; done <"$out/tracers"
	rm "$out/tracers"
}

start_stopped_vmm "$out/vmm-a.pid" --scenario full --truth "$out/truth-a.jsonl" --delay-us 3000 \
	--kallsyms "$out/guest-kallsyms-a"
tracer sum-json -s --json --by vcpu,func,disposition -o "$out/sum-json.jsonl"
# the whole key, with the call sites named from the test guest's symbols
tracer sum-key -s --json --by pid,vm,vcpu,func,service,disposition,site \
	--guest-kallsyms "$out/guest-kallsyms-a" -o "$out/sum-key.jsonl"
tracer sum-kprobe -s --json --plan kprobe --by vcpu,func,disposition -o "$out/sum-kprobe.jsonl"
tracer sum-text -s -T --by vcpu,func,disposition -o "$out/sum-text.txt"
tracer sum-default -s
tracer calls --json -o "$out/calls.jsonl"
tracer record --record "$out/rec.bin"
kill -CONT "$VMM_PID"
wait "$VMM_PID"; echo $? >"$out/vmm-a.rc"
step "run A: VMM exited $(cat "$out/vmm-a.rc")"
wait_tracers

start_stopped_vmm "$out/vmm-b.pid" --scenario full --iterations 60 --truth "$out/truth-b.jsonl" --delay-us 2000
tracer intervals -s --json -i 0.25 --by vcpu,func,disposition -o "$out/intervals.jsonl"
tracer intervals-text -s -i 0.25 -T --by vcpu,disposition -o "$out/intervals.txt"
tracer sigint -s --json -o "$out/sigint.jsonl"
kill -CONT "$VMM_PID"
# SIGINT once calls are being counted (an interval with calls), not after a fixed
# sleep that a loaded host may spend before the first call
i=0
until grep -q '"calls":[1-9]' "$out/intervals.jsonl" 2>/dev/null || [ $i -gt 600 ]; do
	i=$((i + 1)); sleep 0.05
done
kill -INT "$(awk '$1 == "sigint" { print $2 }' "$out/tracers")"
step "run B: SIGINT sent"
wait "$VMM_PID"; echo $? >"$out/vmm-b.rc"
step "run B: VMM exited $(cat "$out/vmm-b.rc")"
wait_tracers

# Runs C and D: tracers that end on their own while their VMM runs (well over 6 s).
# Each has a VMM of its own, started before the tracer attaches and continued right
# after: the -i/-d clock starts at attach, so no other attach may eat into its window.
start_stopped_vmm "$out/vmm-c.pid" --scenario full --iterations 250 --truth "$out/truth-c.jsonl" --delay-us 2000
vmm_c=$VMM_PID
tracer count -s --json -i 2 -c 3 -o "$out/count.jsonl"
kill -CONT "$vmm_c"
start_stopped_vmm "$out/vmm-d.pid" --scenario full --iterations 200 --truth "$out/truth-d.jsonl" --delay-us 2000
tracer duration -s --json -d 4 -o "$out/duration.jsonl"
kill -CONT "$VMM_PID"
wait "$vmm_c"; echo $? >"$out/vmm-c.rc"
step "run C: VMM exited $(cat "$out/vmm-c.rc")"
wait "$VMM_PID"; echo $? >"$out/vmm-d.rc"
step "run D: VMM exited $(cat "$out/vmm-d.rc")"
wait_tracers
cat "$out"/*.err
