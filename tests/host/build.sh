#!/usr/bin/env bash
# Host tests of the build itself (the Makefile, docs/install.md): a packager's CC,
# CPPFLAGS, CFLAGS and LDFLAGS reach the compile and link lines; -Werror follows WERROR;
# a cross build without the arm64 sysroot says in one line what to run; the static arm64
# tool is one file without TLS, the dynamic one needs Debian's shared libraries.
# Expects `make ARCH=arm64 LINK=static` and `make ARCH=arm64 LINK=dynamic` to have run.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
. tests/host/lib.sh

# the commands make would run for one object and the link, from a scratch build dir
dry() { make -n "$@" BUILD=build/dry-run build/dry-run/obj/smccc.o build/dry-run/smccctrace 2>&1; }

out=$(CC=my-cc CPPFLAGS=-DPKG_CPP CFLAGS='-O3 -DPKG_C' LDFLAGS=-Wl,-z,pkgld dry)
compile=$(grep -m1 -- '-c src/smccc.c' <<<"$out")
link=$(grep -- '-o build/dry-run/smccctrace' <<<"$out")
check "environment CC compiles" grep -q '^my-cc ' <<<"$compile"
check "environment CPPFLAGS and CFLAGS reach the compile line" \
	grep -q -- '-DPKG_CPP .* -O3 -DPKG_C' <<<"$compile"
check "project flags still there" grep -q -- '-std=gnu11 .*-Wall -Wextra' <<<"$compile"
check "environment LDFLAGS reach the link line" grep -q -- '-Wl,-z,pkgld' <<<"$link"
check "environment CC links" grep -q '^my-cc ' <<<"$link"
check "native build links dynamically" bash -c '! grep -q -- " -static " <<<"$1"' _ "$link"
check "-Werror in a git checkout" grep -q -- '-Werror' <<<"$compile"
out=$(dry WERROR=0)
check "WERROR=0: no -Werror" bash -c '! grep -m1 -- "-c src/smccc.c" <<<"$1" | grep -q -- -Werror' _ "$out"

out=$(dry ARCH=arm64)
check "cross arm64 defaults to the cross compiler and a static link" \
	grep -q -- '^aarch64-linux-gnu-gcc .* -static .*-o build/dry-run/smccctrace' <<<"$out"
out=$(dry ARCH=arm64 LINK=dynamic)
check "LINK=dynamic: no -static, sysroot on the link path" \
	bash -c 'l=$(grep -- "-o build/dry-run/smccctrace" <<<"$1"); ! grep -q -- " -static " <<<"$l" && grep -q -- "-rpath-link" <<<"$l"' _ "$out"

# a fresh clone without `make deps`: one line saying what to run, non-zero exit
err=$(make -s ARCH=arm64 SYSROOT=/nonexistent BUILD=build/dry-run 2>&1 >/dev/null); status=$?
check "missing sysroot: non-zero exit" test "$status" -ne 0
check "missing sysroot: one line that says make deps" \
	bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -q "no arm64 libraries in /nonexistent: run .make deps." <<<"$1"' _ "$err"
err=$(make -s LINK=shared 2>&1); status=$?
check "bad LINK: an error naming the choices" bash -c '[ "$2" -ne 0 ] && grep -q "use LINK=static or LINK=dynamic" <<<"$1"' _ "$err" "$status"

# what each kind of binary needs at run time
needed() { aarch64-linux-gnu-readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' '; }
check "static arm64 tool: no shared libraries" test -z "$(needed build/arm64/smccctrace)"
check "static arm64 tool: the gnutls stand-ins, no TLS" \
	bash -c 'aarch64-linux-gnu-nm build/arm64/smccctrace | grep -q " tls_absent"'
dyn=$(needed build/arm64-dynamic/smccctrace)
check "dynamic arm64 tool needs libbpf and libmicrohttpd ($dyn)" \
	bash -c 'grep -q "libbpf.so.1" <<<"$1" && grep -q "libmicrohttpd.so.12" <<<"$1"' _ "$dyn"
check "dynamic arm64 tool: no gnutls stand-ins" \
	bash -c '! aarch64-linux-gnu-nm build/arm64-dynamic/smccctrace | grep -q " tls_absent"'
rm -rf build/dry-run

echo "# build-kinds: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
