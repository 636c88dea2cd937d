#!/usr/bin/env bash
# The Debian package (debian/, `make deb`): cross-built for arm64 on this x86 host with
# dpkg-buildpackage against the private sysroot, it holds exactly the binary, the manual
# page, the completion and the docs; the binary is the dynamic, hardened one; its Depends
# are the Debian packages behind the libraries it loads, with versions; lintian finds
# no error. tests/vm/test-deb.sh then installs it in the emulated host.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
. tests/host/lib.sh
SYSROOT=${SYSROOT:-$TOP/build/sysroot-arm64}

start=$SECONDS
check "make deb (dpkg-buildpackage -aarm64 -B -Pnocheck,pkg.smccctrace.sysroot)" make -s deb
echo "# deb: built in $((SECONDS - start))s"
deb=$(ls build/deb/smccctrace_*_arm64.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { not_ok "no build/deb/smccctrace_*_arm64.deb"; echo "# deb: $passed passed, $failed failed"; exit 1; }
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
check "package smccctrace $version for arm64" \
	test "$(dpkg-deb -f "$deb" Package Version Architecture | tr '\n' ' ')" = "Package: smccctrace Version: $version Architecture: arm64 "

echo "--- dpkg-deb -c $deb"
dpkg-deb -c "$deb" | tee build/deb/contents.txt
files=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sort | tr '\n' ' ')
check "exactly the binary, page, completion and docs ($files)" test "$files" = \
"./usr/sbin/smccctrace ./usr/share/bash-completion/completions/smccctrace ./usr/share/doc/smccctrace/README.md.gz ./usr/share/doc/smccctrace/changelog.gz ./usr/share/doc/smccctrace/copyright ./usr/share/man/man8/smccctrace.8.gz "
check "modes: binary 0755, the rest 0644, all root:root" bash -c \
	'dpkg-deb -c "$1" | awk "!/\/\$/ { print \$1, \$2 }" | sort -u | tr "\n" " " | grep -qx "\-rw-r--r-- root/root -rwxr-xr-x root/root "' _ "$deb"

x=$(mktemp -d); trap 'rm -rf "$x"' EXIT
dpkg-deb -x "$deb" "$x"
bin=$x/usr/sbin/smccctrace
check "the binary is a dynamic arm64 executable" bash -c 'file "$1" | grep -q "ARM aarch64.*dynamically linked.*interpreter /lib/ld-linux-aarch64.so.1"' _ "$bin"
check "hardened (dpkg-buildflags reached the build): PIE, BIND_NOW, RELRO, stack protector, fortify" bash -c '
	aarch64-linux-gnu-readelf -h "$1" | grep -q "Type:.*DYN" &&
	aarch64-linux-gnu-readelf -d "$1" | grep -q "FLAGS.*BIND_NOW" &&
	aarch64-linux-gnu-readelf -l "$1" | grep -q GNU_RELRO &&
	aarch64-linux-gnu-readelf -W --dyn-syms "$1" | grep -q " __stack_chk_fail@" &&
	aarch64-linux-gnu-readelf -W --dyn-syms "$1" | grep -q " __[a-z]*printf_chk@"' _ "$bin"
# (lintian's embedded-library looks for the same; the build tree keeps the unstripped binary)
check "no library embedded: zlib's inflate comes from libz.so.1, not libz.a" bash -c \
	'! aarch64-linux-gnu-nm "$1" | grep -q " T inflate$" && ! strings "$2" | grep -q "inflate [0-9.]* Copyright"' \
	_ build/deb/src/build/arm64-dynamic/smccctrace "$bin"
# dpkg-buildpackage dates the page by the changelog entry (SOURCE_DATE_EPOCH), not the day
stamp=$(dpkg-parsechangelog -l debian/changelog -S Timestamp)
check "the page is the scdoc page of docs/smccctrace.8.scd, dated by the changelog" bash -c \
	'zcat "$1" | cmp -s - <(SOURCE_DATE_EPOCH=$2 scdoc <docs/smccctrace.8.scd)' _ "$x/usr/share/man/man8/smccctrace.8.gz" "$stamp"
check "the completion is completion/smccctrace" cmp -s completion/smccctrace "$x/usr/share/bash-completion/completions/smccctrace"
check "man renders the packaged page" bash -c 'MANWIDTH=80 man -l "$1" 2>&1 | grep -q "^NAME"' _ "$x/usr/share/man/man8/smccctrace.8.gz"

# Depends: one versioned entry per library the binary loads, naming the sysroot
# package that holds it (its dpkg database, independent of dpkg-shlibdeps' lookup)
depends=$(dpkg-deb -f "$deb" Depends)
echo "# Depends: $depends"
want=$(for lib in $(aarch64-linux-gnu-readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	path=$(ls "$SYSROOT"/lib/aarch64-linux-gnu/"$lib" "$SYSROOT"/usr/lib/aarch64-linux-gnu/"$lib" "$SYSROOT"/lib/"$lib" 2>/dev/null | head -1)
	[ -n "$path" ] && dpkg-query --admindir="$SYSROOT/.dpkg" -S "$path" 2>/dev/null | sed 's/:.*//' || echo "?$lib"
done | sort -u | tr '\n' ' ')
got=$(tr ',' '\n' <<<"$depends" | sed 's/^ *\([^ ]*\).*/\1/' | sort -u | tr '\n' ' ')
check "Depends names the packages of the loaded libraries ($want)" test "$got" = "$want"
# a minimum version for each, unless Debian's own symbols file for that library gives
# every symbol version 0 ("any version": libyaml-0-2), which dpkg-shlibdeps honours
unversioned_ok() {	# PACKAGE: its symbols file in the sysroot's dpkg database has only version-0 symbols
	local f="$SYSROOT/.dpkg/info/$1:arm64.symbols"
	[ -f "$f" ] && ! grep -E '^ [^ ]+ ' "$f" | awk '$2 != "0" { found = 1 } END { exit !found }'
}
missing=
for entry in $(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ /_/g'); do
	[[ $entry == *"(>=_"[0-9]* ]] || unversioned_ok "$entry" || missing="$missing $entry"
done
check "every Depends entry has a minimum version, or its library declares none (${missing:-none missing})" test -z "$missing"
check "libbpf1, libmicrohttpd12 and libc6 among them" bash -c 'for p in libbpf1 libmicrohttpd12 libc6; do grep -q "\b$p (>= " <<<"$1" || exit 1; done' _ "$depends"

echo "--- lintian"
lintian --info --display-info --pedantic "${deb%.deb}.changes" >build/deb/lintian.txt 2>&1
lrc=$?
grep -E '^[EWIPX]:' build/deb/lintian.txt | tee build/deb/lintian-tags.txt
check "lintian ran" test "$lrc" -le 2
check "lintian: no errors" bash -c '! grep -q "^E:" build/deb/lintian-tags.txt'
echo "# lintian: $(grep -c '^E:' build/deb/lintian-tags.txt) errors, $(grep -c '^W:' build/deb/lintian-tags.txt) warnings, $(grep -c '^[IP]:' build/deb/lintian-tags.txt) info/pedantic"

echo "# deb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
