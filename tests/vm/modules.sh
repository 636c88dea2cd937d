#!/usr/bin/env bash
# modules.sh KERNEL_DEB OUTDIR MODULE...: copies MODULE and everything it depends on
# (modinfo's "depends", recursively) out of a Debian kernel package, uncompressed, into
# OUTDIR, and writes OUTDIR/load-order with one file name per line, dependencies first.
# Debian's packages carry no modules.dep (depmod runs at install), so the dependencies
# come from each module's own .modinfo. KERNEL_DEB is the package that holds the modules:
# the classic linux-image-* (./lib/modules/) or the split linux-modules-*
# (./usr/lib/modules/).
set -euo pipefail
deb=$1 outdir=$2; shift 2
mkdir -p "$outdir"
tree=$(mktemp -d); trap 'rm -rf "$tree"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tree" --wildcards './lib/modules/*/kernel/*' './usr/lib/modules/*/kernel/*' 2>/dev/null || true
[ -d "$tree/lib/modules" ] || [ -d "$tree/usr/lib/modules" ] || { echo "modules.sh: no modules in $deb" >&2; exit 1; }
: >"$outdir/load-order"

find_module() {
	find "$tree" \( -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" \) | head -1
}

declare -A loaded
add() {
	local name=${1//-/_} file deps dep
	[ -n "${loaded[$name]:-}" ] && return 0
	file=$(find_module "$name")
	[ -n "$file" ] || file=$(find_module "${name//_/-}")
	[ -n "$file" ] || { echo "modules.sh: no module $name in $deb" >&2; exit 1; }
	loaded[$name]=1
	case $file in
	*.xz) xz -dc "$file" >"$outdir/$name.ko";;
	*.zst) zstd -qdc "$file" >"$outdir/$name.ko";;
	*) cp "$file" "$outdir/$name.ko";;
	esac
	# the .modinfo section is NUL-separated key=value strings
	deps=$(tr '\0' '\n' <"$outdir/$name.ko" | sed -n 's/^depends=//p' | head -1)
	for dep in ${deps//,/ }; do add "$dep"; done
	echo "$name.ko" >>"$outdir/load-order"
}
for m in "$@"; do add "$m"; done
