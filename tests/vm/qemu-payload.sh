#!/usr/bin/env bash
# Builds the extra initramfs content of the qemu-guest scenario: Debian's arm64
# qemu-system-aarch64 with exactly the shared libraries it loads, the arm64 loader, and
# a small Linux guest for it to boot (the test bed's own kernel Image and a busybox
# initramfs whose /init offlines and onlines a CPU, then powers off).
#
#   tests/vm/qemu-payload.sh OUTDIR
#
# Needs `scripts/deps.sh` (QEMU unpacked into build/qemu-arm64/root, busybox and the
# kernel in the sysroot). OUTDIR is laid out as the initramfs root it is copied into.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: qemu-payload.sh OUTDIR}
QROOT=${QEMU_ROOT:-$TOP/build/qemu-arm64/root}
SYSROOT=${SYSROOT:-$TOP/build/sysroot-arm64}
[ -x "$QROOT/usr/bin/qemu-system-aarch64" ] || { echo "qemu-payload: no $QROOT/usr/bin/qemu-system-aarch64 (run scripts/deps.sh)" >&2; exit 1; }

rm -rf "$out"; mkdir -p "$out/usr/bin" "$out/lib" "$out/lib/aarch64-linux-gnu" "$out/guest"
cp "$QROOT/usr/bin/qemu-system-aarch64" "$out/usr/bin/"

# The DT_NEEDED closure and the loader (tests/vm/elf-closure.sh)
. "$TOP/tests/vm/elf-closure.sh"
copy_elf_closure "$QROOT" "$out" usr/bin/qemu-system-aarch64

# The guest: the same Debian Image the test bed boots, and an uncompressed initramfs.
cp "$SYSROOT/kernel/boot/Image" "$out/guest/Image"
groot=$(mktemp -d); trap 'rm -rf "$groot"' EXIT
mkdir -p "$groot"/{bin,proc,sys,dev}
cp "$SYSROOT/bin/busybox" "$groot/bin/busybox"
# the guest's own readings of its counter around each hotplug action (make test-tools)
[ -x "$TOP/build/arm64/tools/cntvct" ] || { echo "qemu-payload: no build/arm64/tools/cntvct (run make test-tools)" >&2; exit 1; }
cp "$TOP/build/arm64/tools/cntvct" "$groot/bin/cntvct"
cp "$TOP/tests/vm/guest-init" "$groot/init"; chmod +x "$groot/init"
(cd "$groot" && find . | cpio -o -H newc --quiet) >"$out/guest/initramfs.cpio"
echo "qemu-payload: qemu-system-aarch64 and $ELF_CLOSURE_COUNT libraries, $(du -sh "$out" | cut -f1) in $out" >&2
