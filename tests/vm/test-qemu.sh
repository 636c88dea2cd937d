#!/usr/bin/env bash
# A real third-party VMM: Debian's arm64 QEMU (-accel kvm, GICv3) boots a 4-vCPU Linux
# guest inside the emulated host, traced by `smccctrace -p` and `smccctrace psci -p`.
# tests/vm/check_qemu.py holds the calls and the flow against what QEMU (its exit
# status), the guest (its console) and KVM (its MPIDR mapping) say themselves;
# tests/vm/check_guest_syms.py the guest symbols against the guest's own kallsyms.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
payload=build/qemu-arm64/payload
if ! bash tests/vm/qemu-payload.sh "$payload"; then
	not_ok "$variant: the QEMU payload (Debian's qemu-system-aarch64, its libraries, the guest)"
	report "vm-qemu-$variant"
	exit 1
fi
vm_run "$variant" qemu-guest --payload "$payload" --timeout 900 --env SCENARIO_TIMEOUT=840
check "$variant: qemu-guest scenario exited 0" [ "$VM_RC" = 0 ]
echo "# qemu-guest: QEMU ran the guest for $(cat "$RESULTS/guest-seconds" 2>/dev/null)s"
python3 tests/vm/check_qemu.py "$RESULTS"
check "$variant: calls and flow agree with QEMU, the guest and KVM" [ $? = 0 ]
# guest symbols: each boot's calls named from that boot's kallsyms, here and on x86
python3 tests/vm/check_guest_syms.py "$RESULTS" build/x86_64/smccctrace
check "$variant: every call's pc_sym is the guest's own symbol for its PC, in both reports" [ $? = 0 ]
report "vm-qemu-$variant"
