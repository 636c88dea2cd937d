#!/usr/bin/env bash
# `make demo`: boots the emulated arm64 KVM host, runs the test VMM's guests under
# smccctrace, and shows the live trace and the JSON it wrote.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh
make -s -j2 ARCH=arm64 >/dev/null
make -s vmm >/dev/null
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
echo "(all results: $r)"
