#!/usr/bin/env bash
# `make demo`: boots the emulated arm64 KVM host, runs the test VMM's guests under
# smccctrace, and shows the live trace and the JSON it wrote.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh
make -s -j2 ARCH=arm64 LINK=static >/dev/null
make -s vmm test-tools >/dev/null
make -s -j2 >/dev/null	# the host tool, for the offline report below
bash tests/vm/run.sh --no-build --variant "${VARIANT:-vhe}" demo
r=build/vm/${VARIANT:-vhe}/demo/results
echo
echo "=== smccctrace -p <vmm pid>   (live text trace)"
cat "$r/trace.txt"
sed -n '/calls in/p' "$r/trace.err"
echo
echo "=== smccctrace -p <vmm pid> --json   (first 3 of $(grep -c '"type":"call"' "$r/trace.jsonl") records, and the summary)"
grep '"type":"call"' "$r/trace.jsonl" | head -3
grep '"type":"summary"' "$r/trace.jsonl"
echo
echo "=== smccctrace -p <vmm pid> --summary   (counted in the kernel: no per-call traffic)"
cat "$r/summary.txt"
echo
echo "=== files written by the JSON tracer"
ls -l "$r/trace.jsonl" "$r/trace.perfetto.json" "$r/trace.rec" | awk '{ print "  " $5 " bytes  " $9 }'
echo "  (open trace.perfetto.json in https://ui.perfetto.dev: one track per vCPU)"
echo
echo "=== on this x86 machine: build/x86_64/smccctrace report trace.rec --summary --by vcpu"
build/x86_64/smccctrace report "$r/trace.rec" --summary --by vcpu
echo
echo "=== smccctrace psci -p <hotplug vmm pid> --on-timeout 250 --slow-vmm 80"
echo "    (a VMM doing PSCI in userspace, with every bug the flow view reports)"
cat "$r/psci.txt"
echo
echo "=== on this x86 machine: the anomalies again, from the recording, as JSON"
build/x86_64/smccctrace report "$r/hotplug.rec" --psci --on-timeout 250 --slow-vmm 80 --json |
	grep '"type":"psci_anomaly"' | cut -c1-160
echo
echo "(all results: $r)"
