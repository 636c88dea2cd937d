# Several tracers on one VMM at once, each with one in-kernel filter or plan; the
# host compares each output with the ground truth restricted to what the filter
# should let through (tests/vm/test-filters.sh).
out=$1
. /scenarios/lib.sh

# the VMM stops itself once its vCPU threads exist, so that -t can name one
smccc-testvmm --scenario full --truth "$out/truth.jsonl" --delay-us 1000 \
	--stop-after-setup "$out/tids" 2>"$out/vmm.log" &
VMM_PID=$!
while [ ! -s "$out/tids" ]; do kill -0 $VMM_PID || exit 1; sleep 0.05; done
tid1=$(awk '$1 == 1 { print $2 }' "$out/tids")

n=0
tracer() {
	name=$1; shift
	smccctrace -v -p "$VMM_PID" --json -o "$out/$name.jsonl" "$@" 2>"$out/$name.err" &
	eval "pid_$name=$!"
	echo "$name $!" >>"$out/tracers"
	wait_attached "$out/$name.err" $! || { echo "tracer $name failed"; cat "$out/$name.err"; exit 1; }
}
tracer kprobe --plan kprobe
tracer tracepoint --plan tracepoint
tracer vcpu --vcpu 1
tracer tid -t "$tid1"
tracer psci --func psci
tracer names --func PSCI_CPU_ON,0x80000000
tracer smc --conduit smc
tracer disp --disposition forwarded,refused
tracer allargs --all-args
kill -CONT "$VMM_PID"
wait "$VMM_PID"; echo $? >"$out/vmm.rc"
while read -r name pid; do wait "$pid"; echo $? >"$out/$name.rc"; done <"$out/tracers"
