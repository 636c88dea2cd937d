# The benchmark with tiny loops and one round, for `make check`
# (tests/vm/test-bench-smoke.sh): every mode runs, every line parses; no numbers kept.
BENCH_CALLS_KVM=${BENCH_CALLS_KVM:-300}
BENCH_CALLS_FWD=${BENCH_CALLS_FWD:-100}
BENCH_RUNS=${BENCH_RUNS:-1}
. /scenarios/bench.sh
