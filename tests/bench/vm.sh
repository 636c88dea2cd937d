#!/usr/bin/env bash
# `make bench`: the overhead benchmark in the emulated arm64 KVM host
# (tests/vm/scenarios/bench.sh), with Debian's arm64 bpftrace as a baseline, then the
# table (tests/bench/table.py), also written to build/bench/vm-table.md.
#
# Settings from the environment: BENCH_VARIANT (vhe), BENCH_RUNS (5), BENCH_CALLS_KVM
# (20000), BENCH_CALLS_FWD (5000), BENCH_MODES (all), BENCH_CANARY (50), BENCH_PARTS (0;
# 1: price smccctrace's building blocks one by one in the run-time pass), BENCH_TIMEOUT
# (5400 s), BENCH_BEFORE (an arm64 smccctrace to compare with in the same boot, e.g. the
# build before an optimisation: its modes get the suffix -before), BENCH_STALL (300 s:
# the benchmark logs every step, so this long without a line of progress on the
# console is a stall, which the emulated host's watchdog ends with what it was
# waiting for, tests/vm/init; 0: none).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
variant=${BENCH_VARIANT:-vhe}
timeout=${BENCH_TIMEOUT:-5400}
mkdir -p build/bench

bash scripts/deps.sh
make -s ARCH=arm64 LINK=static >/dev/null
make -s vmm test-tools >/dev/null
payload=build/bench/payload
rm -rf "$payload"
if ! { bash scripts/deps.sh bpftrace && bash tests/vm/bpftrace-payload.sh "$payload"; }; then
	echo "bench: no arm64 bpftrace; its row says why it was skipped" >&2
fi
if [ -n "${BENCH_BEFORE:-}" ]; then
	mkdir -p "$payload/bin"
	cp "$BENCH_BEFORE" "$payload/bin/smccctrace-before"
fi
mkdir -p "$payload"
env=(--env "SCENARIO_TIMEOUT=$((timeout - 60))" --env "SCENARIO_STALL=${BENCH_STALL:-300}")
for v in BENCH_RUNS BENCH_CALLS_KVM BENCH_CALLS_FWD BENCH_MODES BENCH_CANARY BENCH_PARTS; do
	[ -n "${!v:-}" ] && env+=(--env "$v=${!v}")
done
bash tests/vm/run.sh --no-build --variant "$variant" --timeout "$timeout" "${env[@]}" --payload "$payload" bench
results=build/vm/$variant/bench/results
python3 tests/bench/table.py "$results/bench.jsonl" | tee build/bench/vm-table.md
echo "(raw: $results/bench.jsonl; table: build/bench/vm-table.md)"
