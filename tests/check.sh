#!/usr/bin/env bash
# `make check`: every test of smccctrace. Host unit tests and CLI tests first, then
# the end-to-end tests in the emulated arm64 KVM host (VHE and nVHE). Each part prints
# '# PART: N passed, N failed'; the last line adds them up.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
LOG=build/check
mkdir -p "$LOG"
# Debian's python3, with the python3-jsonschema that scripts/deps.sh installs, whatever
# else (pyenv, virtualenvs) the PATH puts first
mkdir -p build/bin && ln -sf /usr/bin/python3 build/bin/python3
export PATH=$TOP/build/bin:$PATH
: >"$LOG/counts"

# part NAME CMD...: runs one part, keeps its output, collects its count lines.
part() {
	local name=$1; shift
	local start=$SECONDS
	echo "=== $name"
	"$@" >"$LOG/$name.log" 2>&1
	local status=$?
	grep -v '^ok' "$LOG/$name.log" | tail -n 40
	if grep -q '^# .*: [0-9]* passed, [0-9]* failed' "$LOG/$name.log"; then
		grep '^# .*: [0-9]* passed, [0-9]* failed' "$LOG/$name.log" >>"$LOG/counts"
		if [ $status -ne 0 ] && ! grep -q '^# .*: [0-9]* passed, [1-9][0-9]* failed' "$LOG/$name.log"; then
			echo "# $name: 0 passed, 1 failed (exit $status)" | tee -a "$LOG/counts"
		fi
	else
		echo "# $name: 0 passed, 1 failed (exit $status, no results; log: $LOG/$name.log)" | tee -a "$LOG/counts"
	fi
	echo "    ($name: $((SECONDS - start))s)"
}

if ! bash scripts/deps.sh; then
	echo "# deps: 0 passed, 1 failed"
	echo "0 passed, 1 failed"
	exit 1
fi
# -Werror for every build of our own checks (a packager's build leaves it off). The static
# arm64 tool is the one file the emulated host gets; the dynamic one is what the Debian
# package ships (TLS-capable), built here so it stays green.
build() {
	make -s -j2 WERROR=1 && make -s -j2 ARCH=arm64 LINK=static WERROR=1 &&
		make -s -j2 ARCH=arm64 LINK=dynamic WERROR=1 && make -s vmm test-tools &&
		echo "# build: 1 passed, 0 failed"
}
part build build
part build-kinds bash tests/host/build.sh
part man bash tests/host/man.sh build/x86_64/smccctrace
part completion bash tests/host/completion.sh build/x86_64/smccctrace
part install bash tests/host/install.sh
part deps-pins bash tests/host/deps.sh
# the Debian package, cross-built for arm64 (its contents, Depends, lintian); vm-deb-vhe installs it
part deb bash tests/host/deb.sh
part unit make -s -j2 unit
part cli bash tests/host/cli.sh build/x86_64/smccctrace
# --web-config: TLS and basic auth against curl, openssl and a real Prometheus (loopback)
part web-config bash tests/host/web-config.sh build/x86_64/smccctrace
host_report() { make -s build/fuzz/make_records && bash tests/host/report.sh build/x86_64/smccctrace; }
part report host_report
host_top() { make -s build/fuzz/make_records && bash tests/host/top.sh build/x86_64/smccctrace; }
part top host_top
part fuzz make -s fuzz
part valgrind bash tests/host/valgrind.sh
part vm-faults-vhe bash tests/vm/test-faults.sh vhe
part vm-soak-vhe bash tests/vm/test-soak.sh vhe
part vm-overload-vhe bash tests/vm/test-overload.sh vhe
# nVHE: the call-state and ring-buffer overflow only, under both plans
part vm-overload-nvhe bash tests/vm/test-overload.sh nvhe
part vm-prometheus-vhe bash tests/vm/test-prometheus.sh vhe
part vm-deb-vhe bash tests/vm/test-deb.sh vhe
# bounded cardinality: 20,000 distinct random function IDs under --listen and --summary
part vm-ids-vhe bash tests/vm/test-ids.sh vhe
# quick runs of `make bench-report` and `make bench` (the benchmarks are not part of check)
part bench-report-smoke bash tests/bench/test-offline-smoke.sh
part vm-bench-smoke-vhe bash tests/vm/test-bench-smoke.sh vhe
# the emulated host's stall watchdog: a stuck scenario fails fast, saying where it waits
part vm-stall-vhe bash tests/vm/test-stall.sh vhe
# `top -b -n 3`: frames equal to the test VMMs' ground truth (VHE; the view is the
# frontend's, the counting the --summary path that vm-summary covers on both modes)
part vm-top-vhe bash tests/vm/test-top.sh vhe
for variant in vhe nvhe; do
	part "vm-boot-$variant" bash tests/vm/test-boot.sh "$variant"
	part "vm-vmm-$variant" bash tests/vm/test-vmm.sh "$variant"
	part "vm-trace-$variant" bash tests/vm/test-trace.sh "$variant"
	part "vm-filters-$variant" bash tests/vm/test-filters.sh "$variant"
	part "vm-summary-$variant" bash tests/vm/test-summary.sh "$variant"
	part "vm-record-$variant" bash tests/vm/test-record.sh "$variant"
	part "vm-psci-$variant" bash tests/vm/test-psci.sh "$variant"
	part "vm-patterns-$variant" bash tests/vm/test-patterns.sh "$variant"
	PROBE_ONLY=1 part "vm-kernel-$variant" bash tests/vm/test-kernel.sh 6.12 "$variant"
	# bookworm's 6.1: probe and the field-by-field trace under its plan, kprobes. Its
	# filters and summary would repeat the 6.12 parts that force the kprobe plan; the
	# PSCI hotplug VMM needs the SMCCC filter (6.4+) to receive PSCI calls at all.
	part "vm-kernel-$variant-6.1" bash tests/vm/test-kernel.sh 6.1 "$variant"
done
# Debian's newest kernel, unstable's 7.x (docs/kernels.md): probe and the field-by-field
# trace, AArch64 and AArch32 (vm-kernel, one boot each) on VHE and nVHE, the filters and
# forced plans, summary and the PSCI hotplug VMM on VHE; pKVM where the emulated host
# boots it (7.x protected hVHE, trixie's 6.12 protected nVHE), each with a protected VM
# where the kernel creates one; nested virtualisation (7.x, a guest at virtual EL2).
# Dropped as duplicates: filters, summary and PSCI on 7.x nVHE (the same hooks and
# handlers as VHE, whose trace vm-kernel-nvhe-sid covers), vm-vmm on 7.x (vm-kernel checks
# the truth of its own VMM runs), trixie's unprotected 6.12 (the series of 6.12.95);
# each runs by hand, e.g. KERNEL=sid bash tests/vm/test-psci.sh nvhe.
for variant in vhe nvhe; do
	part "vm-kernel-$variant-sid" bash tests/vm/test-kernel.sh sid "$variant"
done
KERNEL=sid part vm-filters-vhe-sid bash tests/vm/test-filters.sh vhe
KERNEL=sid part vm-summary-vhe-sid bash tests/vm/test-summary.sh vhe
KERNEL=sid part vm-psci-vhe-sid bash tests/vm/test-psci.sh vhe
KVM_MODE=protected part vm-kernel-vhe-sid-protected bash tests/vm/test-kernel.sh sid vhe
KVM_MODE=protected part vm-kernel-nvhe-trixie-protected bash tests/vm/test-kernel.sh trixie nvhe
part vm-trace-vhe-sid-nested bash tests/vm/test-nested.sh
# a real third-party VMM (Debian's QEMU booting Linux, which hotplugs CPUs, reboots once
# and powers off; started as libvirt does, traced by its -name with -g). nVHE runs the
# guest's short plan (one boot, four hotplug actions: a third of the full plan's time),
# for the guest clocks, the flow and the name on nVHE's timer and KVM paths
part vm-qemu-vhe bash tests/vm/test-qemu.sh vhe
part vm-qemu-nvhe bash tests/vm/test-qemu.sh nvhe

passed=$(awk -F'[:,]' '{ split($2, a, " "); p += a[1] } END { print p + 0 }' "$LOG/counts")
failed=$(awk -F'[:,]' '{ split($3, a, " "); f += a[1] } END { print f + 0 }' "$LOG/counts")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
