#!/bin/bash
# Whether the BPF objects built from the working tree are the same programs as those
# of another commit (default: main): the proof a refactor of bpf/ needs. The objects
# of REV are built into a temporary tree with REV's own Makefile rule; then, object
# by object, every part that reaches the kernel is compared:
#   insns     each program section's instructions, with their relocations
#             (llvm-objdump -dr --no-show-raw-insn)
#   relocs    every relocation outside the debug sections and .BTF.ext
#   sections  the sections other than debug info, .BTF and .BTF.ext (name, size, type)
#   data      the bytes of license, .rodata, .data, .maps and .kconfig
#   symbols   the symbol table, without the file symbol and the debug sections' symbols
#   btf       the BTF types (bpftool btf dump ... format raw)
#   btf.ext   .BTF.ext's function info and CO-RE relocations, names resolved
#   skeleton  bpftool's skeleton without the embedded object: what the frontend sees
# BTF line info, DWARF and the .BTF string table may differ (they name source lines).
#
# usage: scripts/bpf-same.sh [REV]   (after `make`; run from the top of the tree)
set -euo pipefail

rev=${1:-main}
top=$(pwd)
[ -f Makefile ] && [ -d bpf ] || { echo "bpf-same: run from the top of the tree" >&2; exit 2; }
git rev-parse --verify -q "$rev^{commit}" >/dev/null || { echo "bpf-same: no commit '$rev'" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$rev" Makefile bpf include vmlinux | tar -x -C "$tmp"
objs=()
for src in bpf/*.bpf.c; do
	objs+=("build/bpf/$(basename "$src" .c).o")
done
for src in "$tmp"/bpf/*.bpf.c; do
	o="build/bpf/$(basename "$src" .c).o"
	[[ " ${objs[*]} " == *" $o "* ]] || objs+=("$o")
done
# REV's own rule and flags; the sysroot (libbpf's headers) of this tree
make -s -C "$tmp" WERROR=1 DEPS_SYSROOT="$top/build/sysroot-arm64" "${objs[@]}" >/dev/null

# .BTF.ext's func_info and core_relo sections, strings resolved from .BTF
ext_dump() {
	llvm-objcopy --dump-section .BTF="$2.btf" --dump-section .BTF.ext="$2.ext" "$1" "$2.null"
	python3 - "$2.btf" "$2.ext" <<'EOF'
import struct, sys
btf = open(sys.argv[1], 'rb').read()
ext = open(sys.argv[2], 'rb').read()
_, _, _, hlen, _, _, str_off, str_len = struct.unpack_from('<HBBIIIII', btf)
strs = btf[hlen + str_off:hlen + str_off + str_len]
def s(off):
    return strs[off:strs.index(b'\0', off)].decode()
magic, _, _, ehlen = struct.unpack_from('<HBBI', ext)
assert magic == 0xeb9f, 'not .BTF.ext'
fi_off, fi_len, _, _ = struct.unpack_from('<IIII', ext, 8)
core_off, core_len = struct.unpack_from('<II', ext, 24) if ehlen >= 32 else (0, 0)
def walk(name, off, length, fmt, show):
    if not length:
        return
    pos = ehlen + off
    end = pos + length
    rec_size, = struct.unpack_from('<I', ext, pos)
    pos += 4
    while pos < end:
        sec, n = struct.unpack_from('<II', ext, pos)
        pos += 8
        for _ in range(n):
            print(name, s(sec), show(struct.unpack_from(fmt, ext, pos)))
            pos += rec_size
walk('func_info', fi_off, fi_len, '<II', lambda r: 'insn %d type %d' % r)
walk('core_relo', core_off, core_len, '<IIII',
     lambda r: 'insn %d type %d access %s kind %d' % (r[0], r[1], s(r[2]), r[3]))
EOF
}

debug='^\.(debug_|rel\.debug_|BTF|rel\.BTF|llvm_addrsig|strtab|symtab)'
part() {	# part NAME OBJ: one aspect of an object, as text
	case $1 in
	insns) llvm-objdump -dr --no-show-raw-insn "$2" | tail -n +3 ;;
	relocs) llvm-objdump -r "$2" | awk '/^RELOCATION RECORDS FOR/ { keep = $0 !~ /\[\.(debug_|BTF)/ } keep' ;;
	sections) llvm-objdump -h "$2" | tail -n +5 | awk -v re="$debug" '$2 !~ re { print $2, $3, $5 }' ;;
	data) for sec in license .rodata .data .maps .kconfig; do
			llvm-objdump -s -j "$sec" "$2" 2>/dev/null | tail -n +3 || true
		done ;;
	symbols) llvm-objdump -t "$2" | tail -n +5 | awk '$3 != "df" && $0 !~ /[[:space:]]\.(debug_|BTF)/' ;;
	btf) bpftool btf dump file "$2" format raw ;;
	btf.ext) ext_dump "$2" "$tmp/ext.$RANDOM" ;;
	skeleton) bpftool gen skeleton "$2" name "$(basename "$2" .bpf.o)_bpf" | grep -v '^\\\|\\x' ;;
	esac
}

pass=0 fail=0
for o in "${objs[@]}"; do
	if [ ! -f "$o" ] || [ ! -f "$tmp/$o" ]; then
		echo "FAIL $o: built on one side only (run make first)"
		fail=$((fail + 1))
		continue
	fi
	for p in insns relocs sections data symbols btf btf.ext skeleton; do
		part "$p" "$tmp/$o" > "$tmp/before"
		part "$p" "$o" > "$tmp/after"
		if [ ! -s "$tmp/before" ] && [ "$p" != data ]; then
			echo "FAIL $o $p: nothing to compare"
			fail=$((fail + 1))
		elif cmp -s "$tmp/before" "$tmp/after"; then
			echo "ok   $o $p ($(wc -l < "$tmp/after") lines)"
			pass=$((pass + 1))
		else
			echo "FAIL $o $p differs from $rev:"
			diff "$tmp/before" "$tmp/after" | head -20 || true
			fail=$((fail + 1))
		fi
	done
done
echo "# bpf-same: $pass passed, $fail failed"
[ "$fail" = 0 ]
