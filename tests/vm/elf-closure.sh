# Sourced by the payload builders (qemu-payload.sh, bpftrace-payload.sh): copies an
# arm64 program's shared libraries out of an unpacked Debian tree.
#
# copy_elf_closure ROOT OUT FILE...: every library the FILEs (paths relative to ROOT)
# load, directly or not, found in ROOT where the loader would look, copied into
# OUT/lib/aarch64-linux-gnu (on the loader's default path: no ld.so.conf, no RPATH),
# plus the loader itself as OUT/lib/ld-linux-aarch64.so.1. Sets ELF_CLOSURE_COUNT.
copy_elf_closure() {
	local root=$1 out=$2 f lib path d seen=" "
	shift 2
	local queue=("$@")
	mkdir -p "$out/lib/aarch64-linux-gnu"
	ELF_CLOSURE_COUNT=0
	while [ ${#queue[@]} -gt 0 ]; do	# breadth first over DT_NEEDED
		f=${queue[0]}; queue=("${queue[@]:1}")
		for lib in $(aarch64-linux-gnu-readelf -d "$root/$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case $seen in *" $lib "*) continue;; esac
			seen="$seen$lib "
			path=
			for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib; do
				[ -e "$root/$d/$lib" ] && { path=$d/$lib; break; }
			done
			[ -n "$path" ] || { echo "copy_elf_closure: $lib (needed by $f) is not in $root" >&2; return 1; }
			cp -L "$root/$path" "$out/lib/aarch64-linux-gnu/$lib"
			ELF_CLOSURE_COUNT=$((ELF_CLOSURE_COUNT + 1))
			queue+=("$path")
		done
	done
	cp -L "$root/lib/ld-linux-aarch64.so.1" "$out/lib/ld-linux-aarch64.so.1"
}
