#!/usr/bin/env bash
# `make fuzz`: runs the libFuzzer targets for a bounded time each: the record parser
# (tests/fuzz/fuzz_record.c) from a seed corpus generated now (tests/fuzz/make_records.c),
# so no binary is committed, and the option parser (tests/fuzz/fuzz_options.c) from a
# few command lines written here. Any crash or sanitizer report fails; the input that caused it
# is kept in build/fuzz/ (crash-*, leak-*, timeout-*), to replay with
#   build/fuzz/fuzz_record build/fuzz/crash-...
# FUZZ_SECONDS (default 25) sets the time.
set -u
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-15}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }

seeds=build/fuzz/seeds corpus=build/fuzz/corpus
rm -rf "$seeds" "$corpus"; mkdir -p "$seeds" "$corpus"
if build/fuzz/make_records "$seeds"; then
	# a few damaged seeds too, so the fuzzer starts next to the error paths
	for f in "$seeds"/*.bin; do
		size=$(stat -c %s "$f")
		head -c $((size / 2)) "$f" >"${f%.bin}-half.cut"
		head -c $((size - 1)) "$f" >"${f%.bin}-short.cut"
	done
	ok "seed corpus: $(ls "$seeds" | wc -l) files"
else
	not_ok "seed corpus"
fi

log=build/fuzz/fuzz.log
(cd build/fuzz && ./fuzz_record -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 corpus seeds) >"$log" 2>&1
status=$?
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
if [ $status -eq 0 ] && [ -n "$runs" ] && [ "$runs" -gt 1000 ]; then
	ok "fuzz_record: $runs inputs in ${seconds}s, no crash, leak or undefined behaviour"
else
	not_ok "fuzz_record exited $status after ${runs:-no} runs (log: $log)"
	grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 10
fi
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
echo "# fuzz coverage: ${cov:-unknown}, corpus $(ls "$corpus" | wc -l) inputs"

# the option parser
oseeds=build/fuzz/option-seeds ocorpus=build/fuzz/option-corpus
rm -rf "$oseeds" "$ocorpus"; mkdir -p "$oseeds" "$ocorpus"
i=0
for line in '-p 1 -p 2 --json' '--func psci,PSCI_CPU_ON,0x84000000 --conduit hvc' \
	'-s --by vm,vcpu,func -i 1 -c 3 -T' '--disposition forwarded,refused --vcpu 3 -t 77' \
	'--plan tracepoint -d 0.5 -o out --all-args' '--record r --perfetto p --perfetto-max-mb 1'; do
	printf '%s' "$line" | tr ' ' '\n' >"$oseeds/seed$i"; i=$((i + 1))
done
olog=build/fuzz/fuzz-options.log
(cd build/fuzz && ./fuzz_options -max_total_time="$seconds" -max_len=512 -timeout=10 \
	-print_final_stats=1 option-corpus option-seeds) >"$olog" 2>&1
status=$?
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$olog")
if [ $status -eq 0 ] && [ -n "$runs" ] && [ "$runs" -gt 1000 ]; then
	ok "fuzz_options: $runs command lines in ${seconds}s, no crash or undefined behaviour"
else
	not_ok "fuzz_options exited $status after ${runs:-no} runs (log: $olog)"
	grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$olog" | head -n 10
fi
echo "# fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
