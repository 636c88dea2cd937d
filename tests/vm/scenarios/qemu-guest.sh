# A real third-party VMM: Debian's arm64 QEMU (from the run.sh --payload that
# tests/vm/qemu-payload.sh builds) boots a 4-vCPU Linux guest under KVM, started as
# libvirt starts it (-name guest=NAME, vCPUs paused until the monitor's `cont`) and
# traced by that name: smccctrace -g NAME --wait (JSON Lines, a record file and a
# Perfetto timeline) and smccctrace psci -g NAME --wait --json at the same time, both
# started before QEMU. The guest's /init (tests/vm/guest-init) takes CPUs
# offline and online several times, reboots (no -no-reboot: QEMU restarts the guest
# in the same VM), does it once more and powers off; QEMU's exit status and the
# guest's console lines are its result. mem=224M leaves the top 16M of RAM to the
# guest's mark of its first boot. Each boot sends its /proc/kallsyms out through a virtio
# serial port (guest-kallsyms-N), and the recording is symbolized with each one.
# GUEST_PLAN=short (the nVHE part): 2 vCPUs, one boot, four actions, no kallsyms.
out=$1
. /scenarios/lib.sh
# GUEST_PLAN (tests/vm/guest-init): full (4 vCPUs, hotplug, a reboot, guest symbols) or
# short (2 vCPUs, one boot, four actions, no guest symbols: a third of the time; nVHE's part)
GUEST_PLAN=${GUEST_PLAN:-full}
case $GUEST_PLAN in
full) VCPUS=${VCPUS:-4}; kallsyms_ports="1 2";;
short) VCPUS=${VCPUS:-2}; kallsyms_ports=;;
*) echo "qemu-guest: GUEST_PLAN must be full or short, not $GUEST_PLAN" >&2; exit 1;;
esac
echo "$GUEST_PLAN" >"$out/plan"
ports=${kallsyms_ports:+-device virtio-serial-pci}
for n in $kallsyms_ports; do
	ports="$ports -chardev file,id=kallsyms$n,path=$out/guest-kallsyms-$n"
	ports="$ports -device virtserialport,chardev=kallsyms$n,name=kallsyms$n"
done

# As libvirt does: QEMU named with -name guest=NAME and started with its vCPUs paused
# (-S), resumed with the monitor's `cont`. The tracers select it by that name (-g);
# they start before QEMU does (--wait), and QEMU is resumed only once both say they
# trace its pid, so they see the guest's very first call.
GUEST_NAME=debian-vm
PSCI_ARGS="--on-timeout 5000 --poll-limit 1100 --poll-time 5000"
smccctrace -v --wait -g "$GUEST_NAME" --json -o "$out/trace.jsonl" --record "$out/trace.rec" \
	--perfetto "$out/trace.perfetto.json" 2>"$out/trace.err" &
tracer=$!
# Past the guest's own limits, so that a busy emulated host cannot turn a healthy
# guest's slow moments into anomalies: Linux waits 5 s for a secondary to come up;
# its cpu_psci_cpu_kill() polls AFFINITY_INFO for 100 ms plus a jiffy (HZ=250: 4 ms)
# of guest time, sleeping at least 100 us between polls: at most 1 + 104 ms / 100 us
# = 1041 polls; 5 s of host time leaves that window room for scheduling delays
smccctrace psci -v --wait -g "$GUEST_NAME" $PSCI_ARGS \
	--json -o "$out/psci.jsonl" 2>"$out/psci.err" &
flow=$!
wait_attached "$out/trace.err" $tracer && wait_attached "$out/psci.err" $flow || { cat "$out"/*.err; exit 1; }

# A decoy: a VMM whose guest name only starts with the same letters (the test VMM,
# stopped once its VM exists), alive while the tracers look for the name and making its
# calls while they trace; they must not take it
start_stopped_vmm "$out/decoy.pid" --scenario full --truth "$out/decoy-truth.jsonl" -name "guest=${GUEST_NAME}2" ||
	{ cat "$out/decoy.log"; exit 1; }
decoy=$VMM_PID
# The monitor's input: a FIFO this shell holds open read-write (which never blocks), so
# that `cont` waits in it for QEMU whenever QEMU opens it, and no signal (the decoy's
# SIGCHLD) interrupts a blocked open
monitor=/tmp/qemu-monitor
mkfifo "$monitor.in" "$monitor.out"
exec 3<>"$monitor.in"
/usr/bin/qemu-system-aarch64 -name "guest=$GUEST_NAME,debug-threads=on" -S -monitor "pipe:$monitor" \
	-machine virt,gic-version=3 -accel kvm -cpu host -smp "$VCPUS" -m 256 \
	-nographic -nodefaults -serial "file:$out/guest-console.log" \
	$ports \
	-kernel /guest/Image -initrd /guest/initramfs.cpio \
	-append "console=ttyAMA0 panic=-1 rdinit=/init quiet mem=224M GUEST_PLAN=$GUEST_PLAN" 2>"$out/qemu.err" 3<&- &
qemu=$!
echo "$qemu" >"$out/qemu.pid"
echo "$VCPUS" >"$out/vcpus"
echo "$GUEST_NAME" >"$out/guest-name"
# -g --wait looks for new VMMs of its names every 0.1 s and says whom it found
i=0
until grep -q "tracing pid $qemu\$" "$out/trace.err" && grep -q "tracing pid $qemu\$" "$out/psci.err"; do
	kill -0 "$qemu" 2>/dev/null && [ $i -lt 1200 ] || { cat "$out"/*.err; exit 1; }
	i=$((i + 1)); sleep 0.05
done
start=$(date +%s)
kill -CONT "$decoy"
echo cont >&3
wait "$decoy"; echo $? >"$out/decoy.rc"
wait "$qemu"; echo $? >"$out/qemu.rc"
exec 3>&-
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
# the guest's name in the recording's other outputs: the text trace, a summary by guest
# (JSON and text)
smccctrace report "$out/trace.rec" -o "$out/report.txt" 2>"$out/report-calls.err"
echo $? >"$out/report-calls.rc"
smccctrace report "$out/trace.rec" --summary --by guest,func --json -o "$out/by-guest.json" 2>"$out/by-guest.err"
echo $? >"$out/by-guest.rc"
smccctrace report "$out/trace.rec" --summary --by guest -o "$out/by-guest.txt" 2>"$out/by-guest-text.err"
echo $? >"$out/by-guest-text.rc"
# guest symbols: the recording's PCs named from each boot's own kallsyms (its KASLR);
# the x86 side renders the same (tests/vm/check_guest_syms.py)
for boot in $kallsyms_ports; do
	start=$(cut -d' ' -f1 /proc/uptime)
	smccctrace report "$out/trace.rec" --json --guest-kallsyms "$out/guest-kallsyms-$boot" \
		-o "$out/report-sym-$boot.jsonl" 2>"$out/report-sym-$boot.err"
	echo $? >"$out/report-sym-$boot.rc"
	echo "$start $(cut -d' ' -f1 /proc/uptime)" >"$out/report-sym-$boot.uptime"
done
