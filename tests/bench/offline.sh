#!/usr/bin/env bash
# `make bench-report`: the offline pipeline's throughput on this machine. A record file
# of BENCH_EVENTS (10 M) synthetic calls (tests/fuzz/make_records.c --many, built
# without sanitizers) is rendered by the host tool, each BENCH_OFFLINE_RUNS (3) times:
#   json      smccctrace report FILE --json > /dev/null
#   summary   smccctrace report FILE --summary > /dev/null
#   perfetto  smccctrace report FILE --perfetto /dev/null --perfetto-max-mb 0  (no cap)
# GNU time gives each run's CPU time and peak RSS; tests/bench/offline_table.py prints
# events per second per core (events / (user + system)) and writes nothing else.
# Results: build/bench/offline/offline.jsonl, table build/bench/offline-table.md.
# BENCH_TOOL=PATH measures another build of the host tool instead; BENCH_BEFORE=PATH
# measures one as well, run for run alternating with it (the machine's speed drifts),
# and the table adds its rows and the ratio of the two.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
events=${BENCH_EVENTS:-10000000}
runs=${BENCH_OFFLINE_RUNS:-3}
D=build/bench/offline
TOOL=${BENCH_TOOL:-build/x86_64/smccctrace}
BEFORE=${BENCH_BEFORE:-}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench-report: no $TIME (GNU time; scripts/deps.sh installs it)" >&2; exit 1; }

[ -n "${BENCH_TOOL:-}" ] || make -s "$TOOL"
rm -rf "$D"; mkdir -p "$D"
# the generator at full speed: the fuzz build has ASan, which would dominate
gcc -std=gnu11 -O2 -Iinclude -Isrc -Ibuild/bpf -D_GNU_SOURCE -o "$D/make_records" \
	tests/fuzz/make_records.c src/record_write.c
"$D/make_records" "$D" --many "$events"
rec=$D/many.bin
echo "bench-report: $events calls, $(du -h "$rec" | cut -f1) in $rec" >&2

: >"$D/offline.jsonl"
# measure TOOL_NAME BINARY JOB RUN: one timed run, one line of offline.jsonl
measure() {
	local name=$1 bin=$2 job=$3 run=$4 args wall user sys rss
	case $job in
	json) args=(--json);;
	summary) args=(--summary);;
	perfetto) args=(--perfetto /dev/null --perfetto-max-mb 0);;
	esac
	"$TIME" -f '%e %U %S %M' -o "$D/time" "$bin" report "$rec" "${args[@]}" >/dev/null 2>"$D/$job.err" ||
		{ echo "bench-report: $name report --$job failed:" >&2; cat "$D/$job.err" >&2; exit 1; }
	read -r wall user sys rss <"$D/time"
	echo "{\"tool\":\"$name\",\"job\":\"$job\",\"run\":$run,\"events\":$events,\"wall_s\":$wall,\"user_s\":$user,\"sys_s\":$sys,\"rss_kib\":$rss}" >>"$D/offline.jsonl"
}

for job in json summary perfetto; do
	for run in $(seq "$runs"); do
		[ -z "$BEFORE" ] || measure before "$BEFORE" "$job" "$run"
		measure this "$TOOL" "$job" "$run"
	done
done
rm -f "$rec"
python3 tests/bench/offline_table.py "$D/offline.jsonl" | tee build/bench/offline-table.md
