# Smoke: the emulated host booted with KVM and BTF, and the tool attaches.
out=$1
uname -r >"$out/uname"
[ -c /dev/kvm ] && echo yes >"$out/has-kvm"
[ -f /sys/kernel/btf/vmlinux ] && echo yes >"$out/has-btf"
cat /proc/sys/kernel/hardlockup_panic >"$out/hardlockup-panic" 2>/dev/null
smccctrace -v -d 0.5 >"$out/attach.out" 2>"$out/attach.err"
echo $? >"$out/attach.rc"
cat "$out/attach.err"

# Ctrl-C and SIGTERM: flush, summary, detach, exit 0.
. /scenarios/lib.sh
for sig in INT TERM; do
	smccctrace -v --json -o "$out/sig$sig.jsonl" 2>"$out/sig$sig.err" &
	pid=$!
	wait_attached "$out/sig$sig.err" $pid
	sleep 0.2	# past attach: privileges are dropped before the first read
	grep -E '^(Uid|Gid|Groups|CapInh|CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs):' /proc/$pid/status >"$out/caps$sig.txt"
	kill -$sig $pid
	wait $pid
	echo $? >"$out/sig$sig.rc"
done

# --user UID:GID: who the tracer becomes once attached (default: nobody)
smccctrace -v --user 1234:2345 -d 3 >/dev/null 2>"$out/user.err" &
pid=$!
wait_attached "$out/user.err" $pid
sleep 0.2
grep -E '^(Uid|Gid|Groups|CapEff):' /proc/$pid/status >"$out/caps-user.txt"
wait $pid; echo $? >"$out/user.rc"

# -p naming a process that is not a VMM: an error, or a warning with --wait.
smccctrace -p 1 >/dev/null 2>"$out/notvmm.err"; echo $? >"$out/notvmm.rc"
smccctrace -p 1 --wait -d 0.3 >/dev/null 2>"$out/notvmm-wait.err"; echo $? >"$out/notvmm-wait.rc"
