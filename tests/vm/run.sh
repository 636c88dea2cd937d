#!/usr/bin/env bash
# Boots the emulated arm64 KVM host (QEMU TCG at EL2, Debian's arm64 kernel), runs one
# scenario from tests/vm/scenarios/ inside it, powers off, and brings /results back as
# files under build/vm/<variant>/<scenario>/results/. A hang is a failure after
# --timeout seconds; the console log is kept either way.
#
#   tests/vm/run.sh [--variant vhe|nvhe] [--kernel 6.12|6.1|trixie|sid|VERSION]
#                   [--kvm-mode protected|nested] [--timeout SECONDS] [--no-build]
#                   [--payload DIR] SCENARIO
#
# vhe uses -cpu max (KVM in VHE mode), nvhe uses -cpu cortex-a57 (no VHE: nVHE KVM).
# --payload DIR copies DIR's tree into the initramfs root, for the scenarios that need
# more than the tool and the test VMM (qemu-guest: Debian's arm64 QEMU and a guest).
# --kernel picks Debian's 6.12 (bookworm-backports, default), 6.1 (bookworm), trixie's
# 6.12 or unstable's newest (sid), or one of them by version (7.2, 6.12.117: see
# tests/vm/kernels.sh); results of a run on KERNEL other than 6.12 go under
# build/vm/<variant>-<KERNEL>/ (by name, e.g. vhe-sid).
# --kvm-mode puts kvm-arm.mode=MODE on the kernel command line (protected: pKVM; nested:
# NV2, with -cpu max on 7.x); results go under build/vm/<variant>[-<KERNEL>]-<MODE>/.
# --env NAME=VALUE (repeatable) puts NAME=VALUE on the kernel command line, which the
# kernel hands to /init as an environment variable: the scenario sees it (e.g. a longer
# SCENARIO_TIMEOUT, or the bench scenario's BENCH_* settings).
# --net HOSTPORT[:GUESTPORT] (repeatable) gives the host a NIC on QEMU user networking
# (10.0.2.15/24, gateway 10.0.2.2) and forwards the x86 host's 127.0.0.1:HOSTPORT to
# the emulated host's 10.0.2.15:GUESTPORT (default 9464); virtio_net comes from the
# kernel package.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"

variant=vhe timeout=600 build=1 smp=2 mem=2048 kernel=6.12 modules= payload=
hostfwd= netargs=() envargs= kvm_mode=
while [ $# -gt 0 ]; do
	case $1 in
	--variant) variant=$2; shift 2;;
	--timeout) timeout=$2; shift 2;;
	--kernel) kernel=$2; shift 2;;
	--kvm-mode)
		case $2 in protected|nested) kvm_mode=$2;; *) echo "run.sh: --kvm-mode must be protected or nested, got '$2'" >&2; exit 2;; esac
		shift 2;;
	--module) modules="$modules $2"; shift 2;;	# load this kernel module (and its deps) first
	--no-build) build=; shift;;
	--smp) smp=$2; shift 2;;
	--payload) payload=$2; shift 2;;
	--env)
		[[ $2 =~ ^[A-Z_][A-Z0-9_]*=[^\ ]*$ ]] || { echo "run.sh: --env NAME=VALUE (no spaces), got '$2'" >&2; exit 2; }
		envargs="$envargs $2"; shift 2;;
	--net)
		[[ $2 =~ ^[0-9]+(:[0-9]+)?$ ]] || { echo "run.sh: --net HOSTPORT[:GUESTPORT], got '$2'" >&2; exit 2; }
		hostfwd="$hostfwd,hostfwd=tcp:127.0.0.1:${2%%:*}-10.0.2.15:$( [[ $2 == *:* ]] && echo "${2#*:}" || echo 9464)"
		shift 2;;
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

if [ -n "$build" ]; then
	bash scripts/deps.sh
fi
SYSROOT=${SYSROOT:-$TOP/build/sysroot-arm64}
. tests/vm/kernels.sh
kernel_resolve "$kernel" || exit 2
image=$kernel_image
tag=$variant$kernel_suffix${kvm_mode:+-$kvm_mode}
# 6.1 has virtio-pci and virtio-console as modules: the results port needs them
[ "$kernel_name" = 6.1 ] && modules="virtio_pci virtio_console $modules"
if [ -n "$build" ]; then
	make -s ARCH=arm64 LINK=static >/dev/null
	make -s vmm test-tools >/dev/null
fi

out=build/vm/$tag/$scenario
rm -rf "$out"; mkdir -p "$out/results"

# The initramfs: busybox, the tool, the test VMM, every scenario. Uncompressed cpio
# boots fastest under emulation.
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
chmod 755 "$root"	# mktemp makes it 0700: unprivileged test users must reach /bin
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,scenarios,results}
cp "$SYSROOT/bin/busybox" "$root/bin/busybox"
cp tests/vm/init "$root/init"; chmod +x "$root/init"
cp build/arm64/smccctrace build/arm64/smccc-testvmm "$root/bin/"
[ -d build/arm64/tools ] && cp build/arm64/tools/* "$root/bin/"
cp tests/vm/scenarios/*.sh "$root/scenarios/"
[ -d tests/vm/payload ] && cp -r tests/vm/payload "$root/payload"
if [ -n "$payload" ]; then
	[ -d "$payload" ] || { echo "run.sh: --payload $payload: no such directory" >&2; exit 2; }
	cp -a "$payload/." "$root/"
fi
if [ -n "$hostfwd" ]; then
	modules="$modules virtio_net"
	netargs=(-netdev "user,id=n0,restrict=on$hostfwd" -device virtio-net-pci,netdev=n0,romfile=)	# no boot ROM: we boot with -kernel
fi
if [ -n "${modules// /}" ]; then
	deb=$kernel_modules_deb
	# unpacking the kernel package takes seconds: keep each module set once per package
	cache=build/vm/modules/$(echo "$deb $modules" | md5sum | cut -c1-16)
	if [ ! -f "$cache/load-order" ]; then
		rm -rf "$cache"
		bash tests/vm/modules.sh "$deb" "$cache.tmp" $modules && mv "$cache.tmp" "$cache"
	fi
	cp -r "$cache" "$root/modules"
fi
(cd "$root" && find . | cpio -o -H newc --quiet) >"$out/initramfs.cpio"

# nmi_watchdog=panic: a CPU of the emulated host that stops taking interrupts (the
# buddy detector's "hard LOCKUP") panics the kernel: a run that would sit out its
# timeout with one CPU spinning (seen once in make bench, docs/performance.md) fails
# within seconds, its console naming the CPU. That CPU cannot show where it spins (its
# backtrace needs an interrupt), but QEMU knows: tests/vm/cpu-watch.py follows the
# console and, on a panic, lockup or stall, asks QEMU's monitor for every CPU's PC and
# names the kernel function there (cpus.txt). panic=10 gives it the time to ask before
# the kernel reboots (-no-reboot: QEMU exits); after a panic it quits QEMU itself.
# The kernel's symbols come from a copy of its /proc/kallsyms, taken by the first boot of
# each kernel release (tests/vm/init) and kept in build/vm/kallsyms/: Debian's
# System.map is a stub. Only that boot pays the second or so the copy costs.
monitor=$out/monitor.sock
kallsyms=build/vm/kallsyms/$kernel_release.txt kallsyms_args=()
if [ ! -s "$kallsyms" ]; then
	kallsyms_args=(-chardev "file,id=kallsyms,path=$out/kallsyms.txt" -device virtserialport,chardev=kallsyms,name=kallsyms)
	envargs="$envargs smccctrace.kallsyms=1"
fi
python3 tests/vm/cpu-watch.py "$out/console.log" "$monitor" "$kallsyms" "$out/kallsyms.txt" "$out/cpus.txt" &
watcher=$!
start=$(date +%s%N)
set +e
timeout --foreground -k 5 "$timeout" qemu-system-aarch64 \
	-machine virt,virtualization=on,gic-version=3 -cpu "$cpu" \
	-smp "$smp" -m "$mem" -accel tcg,thread=multi \
	-nographic -no-reboot -nodefaults -serial "file:$out/console.log" \
	-monitor "unix:$monitor,server=on,wait=off" \
	-device virtio-serial-pci \
	-chardev "file,id=results,path=$out/results.tar" \
	-device virtserialport,chardev=results,name=results \
	"${kallsyms_args[@]}" \
	"${netargs[@]}" \
	-kernel "$image" -initrd "$out/initramfs.cpio" \
	-append "console=ttyAMA0 panic=10 nmi_watchdog=panic rdinit=/init quiet${kvm_mode:+ kvm-arm.mode=$kvm_mode} smccctrace.scenario=$scenario${hostfwd:+ smccctrace.net=1}$envargs"
qrc=$?
end=$(date +%s%N)
# the watcher ends when the monitor closes; it has nothing to wait for after QEMU
wait "$watcher" 2>/dev/null || kill "$watcher" 2>/dev/null
set -e
rm -f "$monitor"
# a whole copy ends with init's "# end"; keep it for the next boots, without the modules'
# symbols (they move)
if [ ${#kallsyms_args[@]} -gt 0 ] && [ "$(tail -n 1 "$out/kallsyms.txt" 2>/dev/null)" = "# end" ]; then
	mkdir -p "${kallsyms%/*}"
	grep -v -e '\]$' -e '^#' "$out/kallsyms.txt" >"$kallsyms.$$" && mv "$kallsyms.$$" "$kallsyms"
fi
rm -f "$out/kallsyms.txt"
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
