# A real third-party VMM: Debian's arm64 QEMU (from the run.sh --payload that
# tests/vm/qemu-payload.sh builds) boots a 4-vCPU Linux guest under KVM, traced by
# smccctrace -p <qemu pid> (JSON Lines and a record file) and smccctrace psci -p <qemu
# pid> --json at the same time. The guest's /init (tests/vm/guest-init) takes CPUs
# offline and online several times, reboots (no -no-reboot: QEMU restarts the guest
# in the same VM), does it once more and powers off; QEMU's exit status and the
# guest's console lines are its result. mem=224M leaves the top 16M of RAM to the
# guest's mark of its first boot. Each boot sends its /proc/kallsyms out through a virtio
# serial port (guest-kallsyms-N), and the recording is symbolized with each one.
out=$1
. /scenarios/lib.sh
VCPUS=${VCPUS:-4}

# QEMU starts stopped, so the tracers see its very first call; it has not opened
# /dev/kvm yet, hence --wait
sh -c 'kill -STOP $$; exec /usr/bin/qemu-system-aarch64 "$@"' qemu-system-aarch64 \
	-machine virt,gic-version=3 -accel kvm -cpu host -smp "$VCPUS" -m 256 \
	-nographic -nodefaults -serial "file:$out/guest-console.log" \
	-device virtio-serial-pci \
	-chardev "file,id=kallsyms1,path=$out/guest-kallsyms-1" -device virtserialport,chardev=kallsyms1,name=kallsyms1 \
	-chardev "file,id=kallsyms2,path=$out/guest-kallsyms-2" -device virtserialport,chardev=kallsyms2,name=kallsyms2 \
	-kernel /guest/Image -initrd /guest/initramfs.cpio \
	-append "console=ttyAMA0 panic=-1 rdinit=/init quiet mem=224M" 2>"$out/qemu.err" &
qemu=$!
while ! grep -q '^State:.*T' "/proc/$qemu/status" 2>/dev/null; do sleep 0.05; done
echo "$qemu" >"$out/qemu.pid"
echo "$VCPUS" >"$out/vcpus"

smccctrace -v --wait -p "$qemu" --json -o "$out/trace.jsonl" --record "$out/trace.rec" 2>"$out/trace.err" &
tracer=$!
# Past the guest's own limits, so that a busy emulated host cannot turn a healthy
# guest's slow moments into anomalies: Linux waits 5 s for a secondary to come up;
# its cpu_psci_cpu_kill() polls AFFINITY_INFO for 100 ms plus a jiffy (HZ=250: 4 ms)
# of guest time, sleeping at least 100 us between polls: at most 1 + 104 ms / 100 us
# = 1041 polls; 5 s of host time leaves that window room for scheduling delays
PSCI_ARGS="--on-timeout 5000 --poll-limit 1100 --poll-time 5000"
smccctrace psci -v --wait -p "$qemu" $PSCI_ARGS \
	--json -o "$out/psci.jsonl" 2>"$out/psci.err" &
flow=$!
wait_attached "$out/trace.err" $tracer && wait_attached "$out/psci.err" $flow || { cat "$out"/*.err; exit 1; }
start=$(date +%s)
kill -CONT "$qemu"
wait "$qemu"; echo $? >"$out/qemu.rc"
echo $(( $(date +%s) - start )) >"$out/guest-seconds"
wait "$tracer"; echo $? >"$out/trace.rc"
wait "$flow"; echo $? >"$out/psci.rc"
smccctrace report --psci "$out/trace.rec" $PSCI_ARGS \
	--json -o "$out/report-psci.jsonl" 2>"$out/report.err"
echo $? >"$out/report.rc"
# the text view, with wall-clock times, as a user reads it
smccctrace report --psci "$out/trace.rec" $PSCI_ARGS --wall-clock \
	-o "$out/report-psci.txt" 2>"$out/report-text.err"
echo $? >"$out/report-text.rc"
# guest symbols: the recording's PCs named from each boot's own kallsyms (its KASLR);
# the x86 side renders the same (tests/vm/check_guest_syms.py)
for boot in 1 2; do
	start=$(cut -d' ' -f1 /proc/uptime)
	smccctrace report "$out/trace.rec" --json --guest-kallsyms "$out/guest-kallsyms-$boot" \
		-o "$out/report-sym-$boot.jsonl" 2>"$out/report-sym-$boot.err"
	echo $? >"$out/report-sym-$boot.rc"
	echo "$start $(cut -d' ' -f1 /proc/uptime)" >"$out/report-sym-$boot.uptime"
done
