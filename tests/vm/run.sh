#!/usr/bin/env bash
# Boots the emulated arm64 KVM host (QEMU TCG at EL2, Debian's arm64 kernel), runs one
# scenario from tests/vm/scenarios/ inside it, powers off, and brings /results back as
# files under build/vm/<variant>/<scenario>/results/. A hang is a failure after
# --timeout seconds; the console log is kept either way.
#
#   tests/vm/run.sh [--variant vhe|nvhe] [--kernel 6.12|6.1] [--timeout SECONDS] [--no-build] SCENARIO
#
# vhe uses -cpu max (KVM in VHE mode), nvhe uses -cpu cortex-a57 (no VHE: nVHE KVM).
# --kernel picks Debian's 6.12 (bookworm-backports, default) or 6.1 (bookworm) image;
# results of 6.1 runs go under build/vm/<variant>-6.1/.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"

variant=vhe timeout=300 build=1 smp=2 mem=2048 kernel=6.12 modules=
while [ $# -gt 0 ]; do
	case $1 in
	--variant) variant=$2; shift 2;;
	--timeout) timeout=$2; shift 2;;
	--kernel) kernel=$2; shift 2;;
	--module) modules="$modules $2"; shift 2;;	# load this kernel module (and its deps) first
	--no-build) build=; shift;;
	--smp) smp=$2; shift 2;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2;;
	*) break;;
	esac
done
[ $# -eq 1 ] || { echo "usage: tests/vm/run.sh [--variant vhe|nvhe] [--timeout S] SCENARIO" >&2; exit 2; }
scenario=$1
[ -f "tests/vm/scenarios/$scenario.sh" ] || { echo "run.sh: no scenario tests/vm/scenarios/$scenario.sh" >&2; exit 2; }
case $variant in
vhe) cpu="max,pauth-impdef=on";;
nvhe) cpu="cortex-a57";;
*) echo "run.sh: variant must be vhe or nvhe" >&2; exit 2;;
esac

SYSROOT=${SYSROOT:-$TOP/build/sysroot-arm64}
case $kernel in
6.12) image=$SYSROOT/kernel/boot/Image; tag=$variant;;
# 6.1 has virtio-pci and virtio-console as modules: the results port needs them
6.1) image=$SYSROOT/kernel-6.1/boot/Image; tag=$variant-6.1; modules="virtio_pci virtio_console $modules";;
*) echo "run.sh: --kernel must be 6.12 or 6.1" >&2; exit 2;;
esac
if [ -n "$build" ]; then
	bash scripts/deps.sh
	make -s ARCH=arm64 >/dev/null
	make -s vmm >/dev/null
fi

out=build/vm/$tag/$scenario
rm -rf "$out"; mkdir -p "$out/results"

# The initramfs: busybox, the tool, the test VMM, every scenario. Uncompressed cpio
# boots fastest under emulation.
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,scenarios,results}
cp "$SYSROOT/bin/busybox" "$root/bin/busybox"
cp tests/vm/init "$root/init"; chmod +x "$root/init"
cp build/arm64/smccctrace build/arm64/smccc-testvmm "$root/bin/"
cp tests/vm/scenarios/*.sh "$root/scenarios/"
[ -d tests/vm/payload ] && cp -r tests/vm/payload "$root/payload"
if [ -n "${modules// /}" ]; then
	deb=$(ls "${SMCCCTRACE_CACHE:-/var/cache/smccctrace}"/debs/linux-image-"$kernel".*-arm64_*_arm64.deb | head -1)
	bash tests/vm/modules.sh "$deb" "$root/modules" $modules
fi
(cd "$root" && find . | cpio -o -H newc --quiet) >"$out/initramfs.cpio"

start=$(date +%s%N)
set +e
timeout --foreground -k 5 "$timeout" qemu-system-aarch64 \
	-machine virt,virtualization=on,gic-version=3 -cpu "$cpu" \
	-smp "$smp" -m "$mem" -accel tcg,thread=multi \
	-nographic -no-reboot -nodefaults -serial "file:$out/console.log" \
	-device virtio-serial-pci \
	-chardev "file,id=results,path=$out/results.tar" \
	-device virtserialport,chardev=results,name=results \
	-kernel "$image" -initrd "$out/initramfs.cpio" \
	-append "console=ttyAMA0 panic=-1 rdinit=/init quiet smccctrace.scenario=$scenario"
qrc=$?
set -e
end=$(date +%s%N)
rm -f "$out/initramfs.cpio"
ms=$(( (end - start) / 1000000 ))
printf '%d.%03d\n' $((ms / 1000)) $((ms % 1000)) >"$out/seconds"

if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	echo "run.sh: $tag/$scenario hung; killed after ${timeout}s; console: $out/console.log" >&2
	exit 124
fi
if ! tar -C "$out/results" -xf "$out/results.tar" 2>/dev/null || [ ! -f "$out/results/done" ]; then
	echo "run.sh: $tag/$scenario brought back no results (qemu exit $qrc); console: $out/console.log" >&2
	exit 1
fi
rc=$(cat "$out/results/rc")
echo "run.sh: $tag/$scenario: scenario exit $rc in $(cat "$out/seconds")s; results in $out/results" >&2
exit "$rc"
