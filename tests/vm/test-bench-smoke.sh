#!/usr/bin/env bash
# A quick run of the benchmark (`make bench` is the real one, docs/performance.md):
# tiny loops, one round, every mode including Debian's arm64 bpftrace (fetched once into
# the cache by scripts/deps.sh bpftrace). Every mode must run, every tool must see every
# call, every line must parse, and the table must come out; no number is judged.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=${1:-vhe}
payload=build/bench/smoke-payload
rm -rf "$payload"
bash scripts/deps.sh bpftrace >/dev/null && bash tests/vm/bpftrace-payload.sh "$payload" 2>/dev/null
check "the bpftrace payload" [ -x "$payload/usr/bin/bpftrace" ]
mkdir -p "$payload"
# a loaded machine makes the emulated host slow: well above the default 240 s
vm_run "$variant" bench-smoke --payload "$payload" --timeout 960 --env SCENARIO_TIMEOUT=900 --env SCENARIO_STALL=300
check "$variant: bench-smoke scenario exited 0" [ "$VM_RC" = 0 ]
jsonl=$RESULTS/bench.jsonl
check "$variant: bench.jsonl written" [ -s "$jsonl" ]
problems=$(python3 tests/bench/table.py --check "$jsonl" 2>&1)
check "$variant: every mode ran, every tool saw every call ($problems)" [ -z "$problems" ]
skipped=$(grep -c '"type":"skip"' "$jsonl")
check "$variant: no mode skipped ($(grep '"type":"skip"' "$jsonl"))" [ "$skipped" = 0 ]
for mode in untraced floor summary stream record bpftrace ftrace; do
	n=$(grep -c "\"type\":\"run\",\"mode\":\"$mode\"" "$jsonl")
	check "$variant: $mode: its loops ran ($n)" [ "$n" -ge 2 ]
done
check "$variant: losses measured with 3 buffer sizes" [ "$(grep -c '"mode":"loss"' "$jsonl")" = 3 ]
check "$variant: BPF run times measured" [ "$(grep -c '"mode":"bpf-stats"' "$jsonl")" -ge 6 ]
python3 tests/bench/table.py "$jsonl" >"$RESULTS/table.md"
check "$variant: the table" grep -q 'overhead(--summary)' "$RESULTS/table.md"
report "vm-bench-smoke-$variant"
