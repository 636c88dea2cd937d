#!/usr/bin/env bash
# Bounded cardinality: a guest calling 20,000 distinct random function IDs (the test
# VMM's ids scenario) under --listen, --listen --max-series 10 and --summary at once.
# The unknown IDs are folded per service: the counts per function label equal the
# truth folded by the tool's own decoder (decode --json's summary_label), SMCCC_VERSION
# and PSCI_VERSION exactly; the exporter's page, series, memory and scrape time stay
# under the bounds docs/prometheus.md states; the capped exporter refuses series,
# counts them, and still counts every call.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=${1:-vhe}
vm_run "$variant" ids
check "$variant: ids scenario ran" [ "$VM_RC" = 0 ]
check "$variant: the test VMM exited 0" grep -qx 0 "$RESULTS/vmm.rc"
for t in exporter capped summary; do
	check "$variant: the $t tracer exited 0" grep -qx 0 "$RESULTS/$t.rc"
done
python3 tests/vm/check_ids.py "$RESULTS" build/x86_64/smccctrace
check "$variant: counts, folds and bounds" [ $? = 0 ]
report "vm-ids-$variant"
