#!/usr/bin/env bash
# A real third-party VMM: Debian's arm64 QEMU (-accel kvm, GICv3) boots a Linux guest
# inside the emulated host, started as libvirt starts it (-name guest=debian-vm) and
# traced by that name (`smccctrace -g debian-vm --wait`, `smccctrace psci -g ...`).
# tests/vm/check_qemu.py holds the calls, the flow and the guest's clocks (its counter
# and its printk time) against what QEMU (its exit status), the guest (its console) and
# KVM (its MPIDR mapping) say themselves; tests/vm/check_qemu_names.py the guest's name
# in every output; tests/vm/check_guest_syms.py the guest symbols against the guest's
# own kallsyms. VHE runs the guest's full plan (4 vCPUs, 18 hotplug actions, a reboot,
# guest symbols); nVHE the short one (2 vCPUs, one boot, four hotplug actions: the clocks,
# the flow and the name on nVHE's timer and KVM paths), a third of the full plan's time,
# for make check's budget; the full plan passes on nVHE too, by hand:
# GUEST_PLAN=full bash tests/vm/test-qemu.sh nvhe.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
case $variant in nvhe) plan=short;; *) plan=full;; esac
plan=${GUEST_PLAN:-$plan}	# by hand: GUEST_PLAN=full|short bash tests/vm/test-qemu.sh VARIANT
payload=build/qemu-arm64/payload
if ! bash tests/vm/qemu-payload.sh "$payload"; then
	not_ok "$variant: the QEMU payload (Debian's qemu-system-aarch64, its libraries, the guest)"
	report "vm-qemu-$variant"
	exit 1
fi
vm_run "$variant" qemu-guest --payload "$payload" --timeout 900 --env SCENARIO_TIMEOUT=840 --env GUEST_PLAN=$plan
check "$variant: qemu-guest scenario exited 0" [ "$VM_RC" = 0 ]
echo "# qemu-guest: QEMU ran the guest for $(cat "$RESULTS/guest-seconds" 2>/dev/null)s"
python3 tests/vm/check_qemu.py "$RESULTS"
check "$variant: calls, flow and guest clocks agree with QEMU, the guest and KVM" [ $? = 0 ]
python3 tests/vm/check_qemu_names.py "$RESULTS"
check "$variant: -g selected QEMU by its -name; the name is in every output" [ $? = 0 ]
python3 tests/check_schema.py --label "qemu-schema-$variant" "$RESULTS/trace.jsonl" "$RESULTS/psci.jsonl" \
	"$RESULTS/by-guest.json"
check "$variant: the live JSON, the PSCI JSON and the summary by guest are valid against the schema" [ $? = 0 ]
# guest symbols: each boot's calls named from that boot's kallsyms, here and on x86
if [ $plan = full ]; then
	python3 tests/vm/check_guest_syms.py "$RESULTS" build/x86_64/smccctrace
	check "$variant: every call's pc_sym is the guest's own symbol for its PC, in both reports" [ $? = 0 ]
fi
report "vm-qemu-$variant"
