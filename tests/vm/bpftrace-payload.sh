#!/usr/bin/env bash
# Builds the extra initramfs content of the bench scenario: Debian bookworm's arm64
# bpftrace (the benchmark's bpftrace baseline, docs/performance.md) with exactly the
# shared libraries it loads and the arm64 loader, and its script as /bench/summary.bt.
#
#   tests/vm/bpftrace-payload.sh OUTDIR
#
# Needs `scripts/deps.sh bpftrace` (bpftrace unpacked into build/bpftrace-arm64/root).
# OUTDIR is laid out as the initramfs root it is copied into (run.sh --payload).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: bpftrace-payload.sh OUTDIR}
BROOT=${BPFTRACE_ROOT:-$TOP/build/bpftrace-arm64/root}
[ -x "$BROOT/usr/bin/bpftrace" ] || { echo "bpftrace-payload: no $BROOT/usr/bin/bpftrace (run scripts/deps.sh bpftrace)" >&2; exit 1; }
. "$TOP/tests/vm/elf-closure.sh"

rm -rf "$out"; mkdir -p "$out/usr/bin" "$out/bench"
cp "$BROOT/usr/bin/bpftrace" "$out/usr/bin/"
cp "$TOP/tests/bench/summary.bt" "$out/bench/"
copy_elf_closure "$BROOT" "$out" usr/bin/bpftrace
echo "bpftrace-payload: bpftrace and $ELF_CLOSURE_COUNT libraries, $(du -sh "$out" | cut -f1) in $out" >&2
