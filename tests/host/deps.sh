#!/usr/bin/env bash
# scripts/deps.sh's pinned kernels when Debian moves on: against a stub apt (apt-get and
# apt-cache as shell functions, no network, a scratch cache), the pin is fetched while
# Debian serves it; once it is gone, one notice line names the pin and what replaces it
# (the suite's current linux-image-arm64), and where neither exists, one error line and
# a non-zero exit. Both fetchers: the suites' (trixie, sid: split or classic packages
# through a private apt configuration) and bookworm's (6.12, 6.1).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
. tests/host/lib.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# run_deps NAME CMD...: runs CMD (functions of scripts/deps.sh) in a subshell against
# the stub apt below; stderr to $tmp/NAME.err, exit status to $tmp/NAME.rc.
# SERVED: the packages the stub archive has; CURRENT: what linux-image-arm64 depends on.
run_deps() {
	local name=$1; shift
	(
		SMCCCTRACE_CACHE=$tmp/cache-$name SYSROOT=$tmp/sysroot
		. scripts/deps.sh
		set +e
		need_root() { :; }
		setup_apt() { :; }
		apt-get() {
			case "$*" in
			*update*) return 0;;
			*download*)
				local p
				for p in "$@"; do
					case $p in -*|download) ;; *) touch "${p%%:*}_1_arm64.deb";; esac
				done;;
			esac
		}
		apt-cache() {
			case $1 in
			policy)
				if [[ " $SERVED " == *" ${2%%:*} "* ]]; then echo "  Candidate: 1.0"; else echo "  Candidate: (none)"; fi;;
			depends)
				[ -z "$CURRENT" ] || echo "  Depends: linux-image-$CURRENT";;
			esac
		}
		"$@"
	) 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}
lines() { grep -c . "$tmp/$1.err"; }
rc() { cat "$tmp/$1.rc"; }
debs() { (cd "$tmp/cache-$1/$2" && ls ./*.deb 2>/dev/null | sed 's|^\./||' | tr '\n' ' '); }

# sid: the pin served (split packages)
SERVED="linux-binary-7.2.13+deb14-arm64 linux-modules-7.2.13+deb14-arm64 linux-base-7.2.13+deb14-arm64" CURRENT= \
	run_deps served fetch_suite_kernel sid 7.2.13+deb14-arm64
check "sid pin served: exit 0" test "$(rc served)" = 0
check "sid pin served: its three split packages fetched ($(debs served kernels/sid))" \
	test "$(debs served kernels/sid)" = "linux-base-7.2.13+deb14-arm64_1_arm64.deb linux-binary-7.2.13+deb14-arm64_1_arm64.deb linux-modules-7.2.13+deb14-arm64_1_arm64.deb "
check "sid pin served: no notice" bash -c '! grep -q "no longer" "$1"' _ "$tmp/served.err"

# sid: the pin gone, the suite moved on
SERVED="linux-binary-7.2.14+deb14-arm64 linux-modules-7.2.14+deb14-arm64 linux-base-7.2.14+deb14-arm64" CURRENT=7.2.14+deb14-arm64 \
	run_deps moved fetch_suite_kernel sid 7.2.13+deb14-arm64
check "sid pin gone: exit 0 with the current kernel" test "$(rc moved)" = 0
check "sid pin gone: one notice line naming the pin, its replacement and the setting" \
	grep -qx "deps: notice: Debian no longer serves the pinned sid kernel 7.2.13+deb14-arm64; using sid's current 7.2.14+deb14-arm64 (set KERNEL_SID_PIN in scripts/deps.sh)" "$tmp/moved.err"
check "sid pin gone: the notice is the only line but apt's progress" test "$(grep -vc '^deps: \(apt-get update\|downloading\)' "$tmp/moved.err")" = 1
check "sid pin gone: the replacement is what was fetched and recorded" \
	bash -c '[ "$(cat "$1/abi")" = 7.2.14+deb14-arm64 ] && ls "$1" | grep -q "^linux-binary-7.2.14+deb14-arm64_"' _ "$tmp/cache-moved/kernels/sid"

# trixie: the pin gone, nothing to fall back to
SERVED= CURRENT= run_deps gone fetch_suite_kernel trixie 6.12.117+deb13-arm64
check "trixie pin gone, no linux-image-arm64: non-zero exit" test "$(rc gone)" != 0
check "trixie pin gone, no linux-image-arm64: one clear error line" \
	grep -qx "deps: Debian no longer serves the pinned trixie kernel 6.12.117+deb13-arm64, and trixie has no linux-image-arm64 to fall back to" "$tmp/gone.err"
check "... and nothing recorded as complete" test ! -e "$tmp/cache-gone/kernels/trixie/.complete"

# trixie: the pin gone, the current one in the classic layout
SERVED="linux-image-6.12.120+deb13-arm64-unsigned" CURRENT=6.12.120+deb13-arm64 \
	run_deps classic fetch_suite_kernel trixie 6.12.117+deb13-arm64
check "trixie pin gone: the current classic linux-image-*-unsigned fetched" \
	bash -c '[ "$2" = 0 ] && ls "$1" | grep -q "^linux-image-6.12.120+deb13-arm64-unsigned_"' _ "$tmp/cache-classic/kernels/trixie" "$(rc classic)"

# bookworm-backports' 6.12: the pin gone, linux-image-arm64 gives the newest 6.12
mkdir -p "$tmp/cache-bpo/debs"
SERVED="linux-image-6.12.99+deb12-arm64" CURRENT=6.12.99+deb12-arm64 \
	run_deps bpo fetch_kernel 6.12 6.12.95+deb12-arm64 bookworm-backports
check "6.12 pin gone: exit 0" test "$(rc bpo)" = 0
check "6.12 pin gone: one notice line naming the pin and its replacement" \
	grep -qx "deps: notice: pinned kernel 6.12.95+deb12-arm64 is gone from Debian; using linux-image-6.12.99+deb12-arm64" "$tmp/bpo.err"
mkdir -p "$tmp/cache-bpo-gone/debs"
SERVED= CURRENT= run_deps bpo-gone fetch_kernel 6.12 6.12.95+deb12-arm64 bookworm-backports
check "6.12 pin gone, nothing to fall back to: non-zero exit, one error line" \
	bash -c '[ "$2" != 0 ] && [ "$(grep -vc "^deps: apt-get update" "$1")" = 1 ] && grep -qx "deps: cannot resolve the bookworm-backports arm64 6.12 kernel" "$1"' _ "$tmp/bpo-gone.err" "$(rc bpo-gone)"

echo "# deps-pins: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
