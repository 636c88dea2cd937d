# Bad environments and output faults (issue 8): no privileges, an unwritable output,
# a full disk, a closed pipe; and no BPF object of smccctrace left behind afterwards.
out=$1
. /scenarios/lib.sh
bpf-objects >"$out/bpf-before.txt"

# no privileges: an unprivileged user
run-as 65534 smccctrace -d 1 >/dev/null 2>"$out/unpriv.err"
echo $? >"$out/unpriv.rc"

# an output that cannot be opened
smccctrace -d 0.2 -o /proc/nope/out.jsonl >/dev/null 2>"$out/unwritable.err"
echo $? >"$out/unwritable.rc"

# a full disk: 4 KiB of tmpfs, a trace bigger than that
mkdir -p /tmp/small && mount -t tmpfs -o size=4k small /tmp/small
start_stopped_vmm "$out/vmm.pid" --scenario full --iterations 5 --truth /tmp/truth-enospc.jsonl --delay-us 0
smccctrace -v -p "$VMM_PID" --json -o /tmp/small/trace.jsonl 2>"$out/enospc.err" &
t=$!
wait_attached "$out/enospc.err" $t
kill -CONT "$VMM_PID"; wait "$VMM_PID"; wait $t; echo $? >"$out/enospc.rc"

# a closed pipe: `smccctrace --json | head -1` ends quietly
start_stopped_vmm "$out/vmm2.pid" --scenario full --truth /tmp/truth-pipe.jsonl --delay-us 0
( smccctrace -v -p "$VMM_PID" --json 2>"$out/pipe.err"; echo $? >"$out/pipe.rc" ) | head -n 1 >"$out/pipe.out" &
pipe=$!
sleep 0.1
for i in $(seq 600); do grep -q 'attached with' "$out/pipe.err" 2>/dev/null && break; sleep 0.05; done
kill -CONT "$VMM_PID"; wait "$VMM_PID"
for i in $(seq 600); do [ -s "$out/pipe.rc" ] && break; sleep 0.05; done
# the whole pipeline, before the BPF objects are counted (unless the tracer hangs:
# then pipe.rc and the counts fail)
[ -s "$out/pipe.rc" ] && wait $pipe

# the traced VMM crashes (SIGKILL) while it holds a forwarded call for 8 s: the tracer
# notices, reports that call as unanswered, prints its summary and exits 0
start_stopped_vmm "$out/vmm3.pid" -v --scenario full --truth /tmp/truth-crash.jsonl --delay-us 8000000
smccctrace -v -p "$VMM_PID" --json -o "$out/crash.jsonl" 2>"$out/crash.err" &
t=$!
wait_attached "$out/crash.err" $t
kill -CONT "$VMM_PID"
# the first forwarded call (fwd_hvc, which the VMM logs with -v) is held once vCPU 0's
# thread sleeps in clock_nanosleep (115 on arm64): wait for both, up to 30 s
tid=$(sed -n 's/^0 //p' "$out/vmm3.tids")
for i in $(seq 600); do
	grep -q ' fwd_hvc: func ' "$out/vmm3.log" && grep -q '^115 ' "/proc/$VMM_PID/task/$tid/syscall" 2>/dev/null &&
		break
	sleep 0.05
done
kill -KILL "$VMM_PID"
wait $t; echo $? >"$out/crash.rc"

# link and program teardown is synchronous, but maps go after an RCU grace period:
# up to 10 s for the counts to come back (a leak never does)
before=$(head -1 "$out/bpf-before.txt")
for i in $(seq 200); do [ "$(bpf-objects | head -1)" = "$before" ] && break; sleep 0.05; done
bpf-objects >"$out/bpf-after.txt"

# no BTF, no KVM: hidden in a private mount namespace
unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec smccctrace -d 0.2' >/dev/null 2>"$out/nobtf.err"
echo $? >"$out/nobtf.rc"
unshare -m sh -c 'mount -t tmpfs none /dev && exec smccctrace -d 0.2' >/dev/null 2>"$out/nokvm.err"
echo $? >"$out/nokvm.rc"
unshare -m sh -c 'mount -t tmpfs none /dev && exec smccctrace probe' >"$out/nokvm-probe.txt" 2>&1
echo $? >"$out/nokvm-probe.rc"

# no tracefs (tmpfs over /sys/kernel/tracing and /sys/kernel/debug in a private mount
# namespace): the planner checks KVM's functions against /proc/kallsyms, fentry is
# still chosen, and every field is traced
start_stopped_vmm "$out/vmm4.pid" --scenario full --truth "$out/truth-notracefs.jsonl" --delay-us 1000
unshare -m sh -c "mount -t tmpfs none /sys/kernel/tracing; mount -t tmpfs none /sys/kernel/debug
	[ -e /sys/kernel/tracing/available_filter_functions ] || [ -e /sys/kernel/debug/tracing/available_filter_functions ] ||
		echo hidden >'$out/notracefs-hidden'
	smccctrace probe --json >'$out/notracefs-probe.json' 2>'$out/notracefs-probe.err'
	exec smccctrace -v -p $VMM_PID --json -o '$out/notracefs.jsonl'" 2>"$out/notracefs.err" &
t=$!
wait_attached "$out/notracefs.err" $t
kill -CONT "$VMM_PID"; wait "$VMM_PID"; echo $? >"$out/vmm4.rc"
wait $t; echo $? >"$out/notracefs.rc"

# neither tracefs nor /proc/kallsyms (an empty file bound over it): BTF is all there
# is to check KVM's functions against; probe says so (text; the JSON's functions_from is
# the notracefs run's), and attaching decides the plan
: >/tmp/empty-kallsyms
unshare -m sh -c "mount -t tmpfs none /sys/kernel/tracing; mount -t tmpfs none /sys/kernel/debug
	mount -o bind /tmp/empty-kallsyms /proc/kallsyms
	[ -z \"\$(head -c 1 /proc/kallsyms)\" ] && echo hidden >'$out/nokallsyms-hidden'
	smccctrace probe >'$out/nokallsyms-probe.txt' 2>'$out/nokallsyms-probe.err'
	exec smccctrace -v -d 0.5" >/dev/null 2>"$out/nokallsyms.err"
echo $? >"$out/nokallsyms.rc"

# a non-root user given CAP_BPF and CAP_PERFMON (as ambient capabilities, like a
# service's AmbientCapabilities=) traces; with one of them missing, one line naming it
run-as --caps bpf 65534 smccctrace -d 1 >/dev/null 2>"$out/capbpf.err"; echo $? >"$out/capbpf.rc"
run-as --caps perfmon 65534 smccctrace -d 1 >/dev/null 2>"$out/capperfmon.err"; echo $? >"$out/capperfmon.rc"
run-as --caps bpf,perfmon 65534 smccctrace --user 0 -d 1 >/dev/null 2>"$out/capuser.err"; echo $? >"$out/capuser.rc"
mkdir -p /tmp/unpriv && chmod 777 /tmp/unpriv
start_stopped_vmm "$out/vmm5.pid" --scenario full --truth "$out/truth-caps.jsonl" --delay-us 1000
run-as --caps bpf,perfmon 65534 smccctrace -v -p "$VMM_PID" --json -o /tmp/unpriv/caps.jsonl 2>"$out/caps.err" &
t=$!
wait_attached "$out/caps.err" $t
sleep 0.2
grep -E '^(Uid|Gid|CapEff|CapPrm|CapAmb|NoNewPrivs):' /proc/$t/status >"$out/caps-status.txt"
kill -CONT "$VMM_PID"; wait "$VMM_PID"; echo $? >"$out/vmm5.rc"
wait $t; echo $? >"$out/caps.rc"
cp /tmp/unpriv/caps.jsonl "$out/caps.jsonl"
