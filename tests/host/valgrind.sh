#!/usr/bin/env bash
# The host tool's offline paths under valgrind (the release build, not the sanitizer
# one): no invalid access, no uninitialised use, no definite or indirect leak.
set -u
cd "$(dirname "$0")/../.."
TOOL=${1:-build/x86_64/smccctrace}
MAKE_RECORDS=${2:-build/fuzz/make_records}
D=build/host-valgrind
rm -rf "$D"; mkdir -p "$D"
passed=0 failed=0
"$MAKE_RECORDS" "$D" >/dev/null || { echo "# valgrind: 0 passed, 1 failed (no fixtures)"; exit 1; }
rec=$(ls "$D"/*.bin | head -1)

vg() {
	local name=$1; shift
	if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$TOOL" "$@" >"$D/out" 2>"$D/vg.log"; [ $? -ne 99 ]; then
		passed=$((passed + 1)); echo "ok - valgrind clean: $name"
	else
		failed=$((failed + 1)); echo "not ok - valgrind: $name"; head -n 20 "$D/vg.log"
	fi
}
vg "decode" decode 0xc4000003 psci
vg "report --json" report "$rec" --json
vg "report text" report "$rec"
vg "report --summary" report "$rec" --summary --by vcpu,func
vg "report --perfetto" report "$rec" --perfetto "$D/t.json"
vg "report --psci --json" report --psci "$rec" --json
vg "report of a truncated file (error path)" report "${rec%.bin}-missing.bin"
vg "bad option (error path)" --bogus
echo "# valgrind: $passed passed, $failed failed"
[ $failed -eq 0 ]
