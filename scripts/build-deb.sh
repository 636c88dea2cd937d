#!/usr/bin/env bash
# `make deb`: the Debian package of this tree (debian/), as build/deb/smccctrace_VERSION_arm64.deb
# (with its -dbgsym, .buildinfo and .changes). On x86 it is cross-built for arm64 against
# the private sysroot of scripts/deps.sh (profile pkg.smccctrace.sysroot: no :arm64
# package is installed on the host); on arm64 it is a native build against the installed
# -dev packages.
#
# dpkg-buildpackage cleans and builds in the tree it runs in: it runs in build/deb/src, a
# copy of this tree's files (git's tracked and new ones, as they are now), so the
# checkout's own builds stay. A second run with the same files and sysroot does nothing.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
out=build/deb
SYSROOT=${SYSROOT:-$TOP/build/sysroot-arm64}

args=(-B -us -uc)
export DEB_BUILD_OPTIONS=nocheck	# the tests run in `make check`, in the emulated host
profiles=nocheck
if [ "$(dpkg --print-architecture)" != arm64 ]; then
	[ -f "$SYSROOT/.dpkg/status" ] ||
		{ echo "build-deb: no arm64 sysroot in $SYSROOT: run 'make deps' first (scripts/deps.sh, as root)" >&2; exit 1; }
	args+=(-aarm64)
	profiles=$profiles,pkg.smccctrace.sysroot
	export SMCCCTRACE_SYSROOT=$SYSROOT CC=aarch64-linux-gnu-gcc
fi
args+=(-P"$profiles")
# --version names the commit the copy was made from (no .git in the copy)
export GIT_DESCRIBE=${GIT_DESCRIBE-$(git describe --tags --always --dirty 2>/dev/null || true)}

# the tree's files: tracked and new ones, not the ignored (build/), not the deleted;
# outside a git checkout (a release tarball) every file but build/
files() {
	local f
	if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		find . \( -path ./build -o -path ./.git \) -prune -o \( -type f -o -type l \) -printf '%P\0' | sort -z
		return
	fi
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done
}
key=$({ files | xargs -0 sha1sum; cat "$SYSROOT/.stamp" 2>/dev/null; echo "${args[*]} $GIT_DESCRIBE"; } | sha1sum | cut -c1-40)
if [ "$(cat "$out/.key" 2>/dev/null)" = "$key" ] && compgen -G "$out/smccctrace_*_arm64.deb" >/dev/null; then
	echo "build-deb: $(echo $out/smccctrace_*_arm64.deb) is up to date" >&2
	exit 0
fi
# a calling make (`make deb`) must not pass its flags (-s, its jobserver) to the build
unset MAKEFLAGS MFLAGS MAKELEVEL
rm -rf "$out"; mkdir -p "$out/src"
files | tar --null -T - -c | tar -x -C "$out/src"
start=$SECONDS
if ! (cd "$out/src" && dpkg-buildpackage "${args[@]}") >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	echo "build-deb: dpkg-buildpackage ${args[*]} failed; log: $out/build.log" >&2
	exit 1
fi
echo "$key" >"$out/.key"
echo "build-deb: $(echo $out/smccctrace_*_arm64.deb) (dpkg-buildpackage ${args[*]}, $((SECONDS - start))s)" >&2
