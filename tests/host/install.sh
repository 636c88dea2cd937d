#!/usr/bin/env bash
# `make install` and `make uninstall` into a DESTDIR: the binary, the manual page and
# the bash completion land where PREFIX, sbindir and mandir say, with the right modes,
# and work from there; uninstall removes exactly them.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
. tests/host/lib.sh
dest=$(mktemp -d); trap 'rm -rf "$dest"' EXIT

check "make install PREFIX=/usr DESTDIR=..." make -s install PREFIX=/usr DESTDIR="$dest"
files=$(cd "$dest" && find . -type f | sort | tr '\n' ' ')
check "exactly the three files ($files)" test "$files" = "./usr/sbin/smccctrace ./usr/share/bash-completion/completions/smccctrace ./usr/share/man/man8/smccctrace.8 "
check "binary mode 0755" test "$(stat -c %a "$dest/usr/sbin/smccctrace")" = 755
check "page and completion mode 0644" test "$(stat -c %a "$dest/usr/share/man/man8/smccctrace.8" "$dest/usr/share/bash-completion/completions/smccctrace" | sort -u)" = 644
check "the installed binary is the built one" cmp -s build/x86_64/smccctrace "$dest/usr/sbin/smccctrace"
check "the installed binary runs --version" bash -c '"$1" --version | grep -q "^smccctrace [0-9]"' _ "$dest/usr/sbin/smccctrace"
check "man renders the installed page" bash -c 'MANWIDTH=80 man -l "$1" 2>/dev/null | grep -q "^NAME"' _ "$dest/usr/share/man/man8/smccctrace.8"
check "the installed completion completes" bash -c '. "$1"; COMP_WORDS=("$2" --vers); COMP_CWORD=1; _smccctrace; [ "${COMPREPLY[*]}" = --version ]' \
	_ "$dest/usr/share/bash-completion/completions/smccctrace" "$dest/usr/sbin/smccctrace"
check "make uninstall" make -s uninstall PREFIX=/usr DESTDIR="$dest"
check "uninstall leaves no file" test -z "$(find "$dest" -type f)"

rm -rf "$dest"/*
make -s install DESTDIR="$dest" >/dev/null
check "default PREFIX is /usr/local" test -x "$dest/usr/local/sbin/smccctrace" -a -f "$dest/usr/local/share/man/man8/smccctrace.8"
rm -rf "$dest"/*
make -s install DESTDIR="$dest" sbindir=/opt/bin mandir=/opt/man >/dev/null
check "sbindir and mandir override" test -x "$dest/opt/bin/smccctrace" -a -f "$dest/opt/man/man8/smccctrace.8"
rm -rf "$dest"/*
# the packaged kind: the dynamic arm64 tool (built by check's build part)
make -s install ARCH=arm64 LINK=dynamic PREFIX=/usr DESTDIR="$dest" >/dev/null
check "ARCH=arm64 LINK=dynamic installs the dynamic arm64 tool" \
	bash -c 'file "$1" | grep -q "ARM aarch64.*dynamically linked"' _ "$dest/usr/sbin/smccctrace"

echo "# install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
