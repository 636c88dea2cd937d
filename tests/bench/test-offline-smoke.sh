#!/usr/bin/env bash
# A quick run of `make bench-report` (tests/bench/offline.sh) with 20 000 calls: every
# output runs, its numbers are there and the table comes out; no number is judged.
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

out=$(BENCH_EVENTS=20000 BENCH_OFFLINE_RUNS=1 bash tests/bench/offline.sh 2>&1)
rc=$?
check "offline.sh exited 0 ($(tail -n 3 <<<"$out"))" [ $rc = 0 ]
jsonl=build/bench/offline/offline.jsonl
python3 - "$jsonl" <<'PY'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
assert sorted(r["job"] for r in runs) == ["json", "perfetto", "summary"], runs
for r in runs:
    assert r["events"] == 20000 and r["wall_s"] >= 0 and r["user_s"] >= 0 and r["rss_kib"] > 0, r
PY
check "one run per output, with times and peak RSS" [ $? = 0 ]
check "the table" grep -q 'events/s per core' <<<"$out"
check "the JSON Lines target line" grep -q 'Target: JSON Lines' <<<"$out"
echo "# bench-report-smoke: $passed passed, $failed failed"
[ $failed -eq 0 ]
