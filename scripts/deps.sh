#!/usr/bin/env bash
# Installs everything smccctrace needs to build and test, from Debian bookworm and
# bookworm-backports only. Host tools go in with apt-get; arm64 libraries and the
# arm64 kernel are downloaded as .debs into a cache outside the clone and unpacked
# into a private sysroot under build/, never installed system-wide.
#
# Idempotent: a stamp in the cache records what was installed; a second run on the same
# machine fetches nothing.
set -euo pipefail

CACHE=${SMCCCTRACE_CACHE:-/var/cache/smccctrace}
TOP=$(cd "$(dirname "$0")/.." && pwd)
SYSROOT=${SYSROOT:-$TOP/build/sysroot-arm64}
STAMP_VERSION=4

# The arm64 kernel we test with. Pinned; if Debian has moved past it, the newest
# bookworm-backports 6.12 image is used instead and a notice says so.
KERNEL_PIN=${KERNEL_PIN:-6.12.95+deb12-arm64}
# The older kernel of the coverage matrix: bookworm's 6.1 (no arm64 KVM_EXIT_HYPERCALL,
# no SMCCC filter, SMCCC dispatcher named kvm_hvc_call_handler).
KERNEL_61_PIN=${KERNEL_61_PIN:-6.1.0-50-arm64}
# Debian's newest arm64 kernels: trixie's 6.12 (classic layout) and unstable's 7.x, which
# Debian splits into linux-binary-<abi> (the image, at /usr/lib/modules/<ver>/vmlinuz),
# linux-modules-<abi> and linux-base-<abi> (config). Fetched through a private apt
# configuration per suite (fetch_suite_kernel), never through the host's apt state.
KERNEL_TRIXIE_PIN=${KERNEL_TRIXIE_PIN:-6.12.117+deb13-arm64}
KERNEL_SID_PIN=${KERNEL_SID_PIN:-7.2.13+deb14-arm64}

HOST_PKGS=(build-essential clang llvm gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	cpio xz-utils zstd python3 python3-jsonschema pkg-config
	libelf-dev zlib1g-dev libzstd-dev
	libmicrohttpd-dev prometheus
	libclang-rt-14-dev	# clang -fsanitize=fuzzer's runtime (libFuzzer), for `make fuzz`
	valgrind
	scdoc	# the manual page's source format (docs/smccctrace.8.scd, `make man`)
	debhelper lintian	# the Debian package (debian/, tests/host/deb.sh)
	time)	# GNU time: `make bench-report`'s CPU time and peak RSS
BACKPORTS_HOST_PKGS=(qemu-system-arm bpftool libbpf-dev)

log() { printf 'deps: %s\n' "$*" >&2; }
need_root() { [ "$(id -u)" = 0 ] || { echo "deps: must run as root to install packages (or run 'make deps' as root once)" >&2; exit 1; }; }

apt_update_done=
apt_update() { [ -n "$apt_update_done" ] || { log "apt-get update"; apt-get -qq update; apt_update_done=1; }; }

setup_apt() {
	local changed=
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		log "adding bookworm-backports"
		cat >/etc/apt/sources.list.d/smccctrace-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
		changed=1
	fi
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		log "adding the arm64 architecture"
		dpkg --add-architecture arm64
		changed=1
	fi
	if [ -n "$changed" ] || ! apt-cache show busybox-static:arm64 >/dev/null 2>&1 ||
		! apt-cache policy bpftool | grep -q bookworm-backports; then
		apt_update
	fi
}

host_ok() {
	for p in "${HOST_PKGS[@]}" "${BACKPORTS_HOST_PKGS[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || return 1
	done
	command -v qemu-system-aarch64 >/dev/null && command -v bpftool >/dev/null
}

install_host() {
	host_ok && return 0
	need_root
	setup_apt
	log "installing host packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -qq install -y --no-install-recommends "${HOST_PKGS[@]}" >/dev/null ||
		{ apt_update; apt-get -qq install -y --no-install-recommends "${HOST_PKGS[@]}" >/dev/null; }
	apt-get -qq install -y --no-install-recommends -t bookworm-backports "${BACKPORTS_HOST_PKGS[@]}" >/dev/null
	# Debian's prometheus package starts a system-wide server on *:9090; the tests run
	# their own, on 127.0.0.1 only (tests/vm/test-prometheus.sh)
	if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
		log "stopping the prometheus service the package started"
		systemctl disable --now prometheus >/dev/null 2>&1 || true
	fi
}

# download PKG [RELEASE]: fetch PKG:arm64 into the cache unless a .deb of it is there.
download() {
	local pkg=$1 rel=${2:-}
	local name=${pkg%%=*}
	if compgen -G "$CACHE/debs/${name}_*_arm64.deb" >/dev/null ||
		compgen -G "$CACHE/debs/${name}_*_all.deb" >/dev/null; then
		return 0
	fi
	need_root
	setup_apt
	download_to_cache ${rel:+-t $rel} "$name:arm64${pkg#$name}" ||
		{ apt_update; download_to_cache ${rel:+-t $rel} "$name:arm64${pkg#$name}"; }
}

# apt-get download into a scratch dir that apt's unprivileged _apt user may write,
# then move the .deb into the cache.
download_to_cache() {
	log "downloading ${*: -1}"
	local tmp; tmp=$(mktemp -d); chmod 755 "$tmp"
	chown _apt "$tmp" 2>/dev/null || true
	(cd "$tmp" && apt-get -qq download "$@") || { rm -rf "$tmp"; return 1; }
	mv "$tmp"/*.deb "$CACHE/debs/"; rm -rf "$tmp"
}

fetch_arm64() {
	mkdir -p "$CACHE/debs"
	# arm64 static libraries for the tool and busybox for the test bed's initramfs.
	# libelf stays at bookworm's 0.188: the backports libelf.a does not link
	# statically (undefined eu_search_tree_init).
	for p in libbpf-dev libbpf1; do download "$p" bookworm-backports; done
	for p in libelf-dev libelf1; do download "$p=0.188-2.1"; done
	for p in zlib1g-dev zlib1g libzstd-dev libzstd1 busybox-static; do download "$p"; done
	# the exporter's HTTP server (--listen). libmicrohttpd.a calls gnutls, which the tool
	# never uses: only gnutls' headers are needed, for src/compat/gnutls_absent.c.
	for p in libmicrohttpd-dev libgnutls28-dev; do download "$p"; done
	# the shared libraries behind those -dev packages' .so links, for the dynamic
	# (TLS-capable, packaged) arm64 build: libmicrohttpd12 and its gnutls closure
	for p in libmicrohttpd12 libgnutls30 libnettle8 libhogweed6 libgmp10 libidn2-0 \
		libunistring2 libtasn1-6 libp11-kit0 libffi8; do download "$p"; done
	# the C library the dynamic tool runs on: never linked from here (the cross
	# toolchain's libc6-dev-arm64-cross is), but the sysroot's dpkg database
	# (sysroot_dpkg_db) must know the package behind libc.so.6 for the .deb's Depends
	download libc6
	# ldconfig, which Debian's dpkg insists on finding (Essential, so no package depends
	# on it): the Debian package's install test (tests/vm/deb-payload.py) needs it
	download libc-bin
	# --web-config in the dynamic build: libyaml (the YAML) and libxcrypt (bcrypt)
	for p in libyaml-dev libyaml-0-2 libcrypt-dev libcrypt1; do download "$p"; done
	fetch_kernel 6.12 "$KERNEL_PIN" bookworm-backports
	fetch_kernel 6.1 "$KERNEL_61_PIN" bookworm
	fetch_suite_kernel trixie "$KERNEL_TRIXIE_PIN"
	fetch_suite_kernel sid "$KERNEL_SID_PIN"
}

# suite_apt SUITE: an apt configuration of its own for SUITE's arm64 packages (own
# sources list, Dir::State and Dir::Cache under the cache, no status file), so that
# looking up and downloading a newer suite's kernel leaves the host's apt untouched.
# Prints the APT_CONFIG file.
suite_apt() {
	local suite=$1 dir="$CACHE/apt/$1"
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/parts"
	{
		echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main"
		# a stable suite's kernel fixes arrive through its security suite first
		[ "$suite" = sid ] || echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security $suite-security main"
	} >"$dir/sources.list"
	cat >"$dir/apt.conf" <<CONF
Dir::State "$dir";
Dir::State::Lists "$dir/lists";
Dir::State::status "/dev/null";
Dir::Cache "$dir";
Dir::Cache::Archives "$dir/archives";
Dir::Etc::SourceList "$dir/sources.list";
Dir::Etc::SourceParts "$dir/parts";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "$dir/parts";
APT::Architecture "arm64";
APT::Architectures { "arm64"; };
Acquire::Languages "none";
CONF
	echo "$dir/apt.conf"
}

# suite_kernel_debs SUITE ABI: the packages that hold SUITE's kernel ABI (e.g.
# 7.2.13+deb14-arm64): the split linux-binary/linux-modules/linux-base where the suite
# has them, else the classic linux-image-ABI-unsigned. Empty when the suite has neither.
suite_kernel_debs() {
	local abi=$2
	if has_candidate "linux-binary-$abi"; then
		echo "linux-binary-$abi linux-modules-$abi linux-base-$abi"
	elif has_candidate "linux-image-$abi-unsigned"; then
		echo "linux-image-$abi-unsigned"
	fi
}

# fetch_suite_kernel SUITE ABI: SUITE's arm64 kernel ABI into $CACHE/kernels/SUITE/.
# When Debian no longer serves the pin, says so and takes the ABI linux-image-arm64
# resolves to in SUITE now.
fetch_suite_kernel() {
	local suite=$1 abi=$2 dir="$CACHE/kernels/$1" pkgs now tmp
	[ -f "$dir/.complete" ] && return 0
	need_root
	export APT_CONFIG; APT_CONFIG=$(suite_apt "$suite")
	log "apt-get update ($suite, private apt state)"
	apt-get -qq update || { echo "deps: cannot read Debian's $suite package lists" >&2; exit 1; }
	pkgs=$(suite_kernel_debs "$suite" "$abi")
	if [ -z "$pkgs" ]; then
		now=$(apt-cache depends linux-image-arm64 2>/dev/null |
			sed -n 's/.*Depends: linux-image-\([0-9][^ :]*-arm64\)$/\1/p' | head -1)
		[ -n "$now" ] || { echo "deps: Debian no longer serves the pinned $suite kernel $abi, and $suite has no linux-image-arm64 to fall back to" >&2; exit 1; }
		echo "deps: notice: Debian no longer serves the pinned $suite kernel $abi; using $suite's current $now (set KERNEL_${suite^^}_PIN in scripts/deps.sh)" >&2
		abi=$now
		pkgs=$(suite_kernel_debs "$suite" "$abi")
		[ -n "$pkgs" ] || { echo "deps: $suite's kernel $abi has neither linux-binary-$abi nor linux-image-$abi-unsigned" >&2; exit 1; }
	fi
	log "downloading $suite's kernel: $pkgs"
	tmp=$(mktemp -d); chmod 755 "$tmp"; chown _apt "$tmp" 2>/dev/null || true
	# shellcheck disable=SC2086
	(cd "$tmp" && apt-get -qq download $pkgs) || { rm -rf "$tmp"; echo "deps: cannot download $pkgs from $suite" >&2; exit 1; }
	rm -rf "$dir"; mkdir -p "$dir"
	mv "$tmp"/*.deb "$dir/"; rm -rf "$tmp"
	echo "$abi" >"$dir/abi"
	touch "$dir/.complete"
	unset APT_CONFIG
}

has_candidate() { local p; p=$(apt-cache policy "$1" 2>/dev/null); [[ $p == *"Candidate: "[0-9]* ]]; }

# fetch_kernel SERIES PIN RELEASE: the arm64 kernel image package of SERIES (6.12, 6.1),
# pinned; if Debian has dropped the pin, the one linux-image-arm64 resolves to in
# RELEASE, with a notice.
fetch_kernel() {
	local series=$1 pin=$2 rel=$3
	if compgen -G "$CACHE/debs/linux-image-$series.*-arm64_*_arm64.deb" >/dev/null; then return 0; fi
	need_root
	setup_apt
	local pkg="linux-image-$pin"
	has_candidate "$pkg:arm64" || apt_update
	if ! has_candidate "$pkg:arm64"; then
		pkg=$(apt-cache depends -t "$rel" linux-image-arm64:arm64 2>/dev/null |
			sed -n "s/.*Depends: \(linux-image-${series//./\\.}[^ :]*\).*/\1/p" | head -1)
		[ -n "$pkg" ] || { echo "deps: cannot resolve the $rel arm64 $series kernel" >&2; exit 1; }
		log "notice: pinned kernel $pin is gone from Debian; using $pkg"
	fi
	download_to_cache "$pkg:arm64"
}

# unpack_kernel SERIES DIR: DIR/boot/Image (and config) of the cached SERIES kernel.
unpack_kernel() {
	local k; k=$(ls "$CACHE"/debs/linux-image-"$1".*-arm64_*_arm64.deb | head -1)
	mkdir -p "$2"
	dpkg-deb --fsys-tarfile "$k" | tar -x -C "$2" --wildcards './boot/vmlinuz-*' './boot/config-*'
	ln -sf "$(cd "$2/boot" && ls vmlinuz-*)" "$2/boot/Image"
}

unpack_sysroot() {
	local stamp="$SYSROOT/.stamp" want
	# the database lists files by their path in $SYSROOT: a moved sysroot is made again
	want="$STAMP_VERSION $SYSROOT $(cd "$CACHE/debs" && ls | tr '\n' ' ')"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
	log "unpacking the arm64 sysroot into $SYSROOT"
	rm -rf "$SYSROOT"; mkdir -p "$SYSROOT"
	for d in "$CACHE"/debs/*.deb; do
		case $(basename "$d") in linux-image-*) continue;; esac
		dpkg-deb -x "$d" "$SYSROOT"
	done
	# an absolute link (zlib1g-dev's libz.so -> /lib/...) points out of the sysroot, at
	# the host's files or nowhere: the linker would skip it and link libz.a instead
	# into the dynamic tool. Point each one at its target inside the sysroot.
	local l
	while IFS= read -r -d '' l; do
		ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$SYSROOT$(readlink "$l")")" "$l"
	done < <(find "$SYSROOT" -type l -lname '/*' -print0)
	unpack_kernel 6.12 "$SYSROOT/kernel"
	unpack_kernel 6.1 "$SYSROOT/kernel-6.1"
	sysroot_dpkg_db "$SYSROOT/.dpkg"
	echo "$want" >"$stamp"
}

# sysroot_dpkg_db DIR: a dpkg database (status, info/*.list, *.symbols, *.shlibs) of the
# packages unpacked into the sysroot, their files listed where they are, under $SYSROOT.
# The Debian package's cross build hands it to dpkg-shlibdeps (--admindir, with -l the
# sysroot's library directories), so that the .deb's Depends name the Debian packages
# and versions behind the libraries the tool links, without any :arm64 package
# installed on the host (debian/rules).
sysroot_dpkg_db() {
	local db=$1 d pkg info ctl
	rm -rf "$db"; mkdir -p "$db/info" "$db/updates" "$db/triggers"
	echo 1 >"$db/info/format"	# multiarch: pkg:arch names
	: >"$db/status"
	ctl=$(mktemp -d)
	for d in "$CACHE"/debs/*.deb; do
		case $(basename "$d") in linux-image-*) continue;; esac
		pkg=$(dpkg-deb -f "$d" Package)
		# dpkg names a Multi-Arch: same package's files pkg:arch.*
		info=$pkg; [ "$(dpkg-deb -f "$d" Multi-Arch)" = same ] && info=$pkg:$(dpkg-deb -f "$d" Architecture)
		{ dpkg-deb -f "$d" | sed '1a Status: install ok installed'; echo; } >>"$db/status"
		dpkg-deb --fsys-tarfile "$d" | tar -t | sed -n "s|^\./\(.\+\)|$SYSROOT/\1|p" | sed 's|/$||' >"$db/info/$info.list"
		rm -rf "${ctl:?}"/*; dpkg-deb -e "$d" "$ctl"
		for f in symbols shlibs; do [ ! -f "$ctl/$f" ] || cp "$ctl/$f" "$db/info/$info.$f"; done
	done
	rm -rf "$ctl"
}

# unpack_suite_kernel SUITE: $SYSROOT/kernel-SUITE/boot/Image and config, from either
# layout: classic (./boot/vmlinuz-VER) or split (./usr/lib/modules/VER/vmlinuz, the
# config in linux-base's ./usr/lib/modules/VER/config or ./boot/config-VER).
unpack_suite_kernel() {
	local dir="$CACHE/kernels/$1" out="$SYSROOT/kernel-$1" want d img cfg tree
	want=$(cd "$dir" && ls | tr '\n' ' ')
	if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$want" ]; then return 0; fi
	rm -rf "$out"; mkdir -p "$out/boot"
	tree=$(mktemp -d)
	for d in "$dir"/*.deb; do
		case $(basename "$d") in linux-modules-*) continue;; esac	# modules: tests/vm/modules.sh
		dpkg-deb --fsys-tarfile "$d" | tar -x -C "$tree" --wildcards --no-wildcards-match-slash \
			'./boot/vmlinuz-*' './boot/config-*' './usr/lib/modules/*/vmlinuz' './usr/lib/modules/*/config' \
			'./lib/modules/*/vmlinuz' 2>/dev/null || true
	done
	img=$(find "$tree" -name 'vmlinuz*' | head -1)
	cfg=$(find "$tree" \( -name 'config-*' -o -name config \) | head -1)
	[ -n "$img" ] || { rm -rf "$tree"; echo "deps: no kernel image in $dir (looked in ./boot and ./usr/lib/modules/*)" >&2; exit 1; }
	cp "$img" "$out/boot/Image"
	[ -z "$cfg" ] || cp "$cfg" "$out/boot/config"
	# the release, e.g. 7.2.13+deb14-arm64: from /usr/lib/modules/VER/ or vmlinuz-VER
	case $img in
	*/modules/*/vmlinuz) basename "$(dirname "$img")";;
	*) basename "$img" | sed 's/^vmlinuz-//';;
	esac >"$out/release"
	rm -rf "$tree"
	echo "$want" >"$out/.stamp"
}

# The test bed's third-party VMM: Debian bookworm's arm64 QEMU, run inside the emulated
# host (tests/vm/test-qemu.sh). Its dependency closure is downloaded into a cache
# directory of its own and unpacked into build/qemu-arm64/root: never installed (the
# :arm64 libraries would replace the host's) and never part of the tool's sysroot.
QEMU_DEBS=$CACHE/qemu-arm64-debs	# beside debs/: the sysroot stamp lists debs/
QEMU_ROOT=$TOP/build/qemu-arm64/root

# fetch_closure_arm64 PKG DIR: PKG:arm64 and its whole Depends/PreDepends closure of
# arm64 packages, as .debs in DIR (once: DIR/.complete says it is all there).
fetch_closure_arm64() {
	local pkg=$1 dir=$2 pkgs tmp
	[ -f "$dir/.complete" ] && return 0
	need_root
	setup_apt
	# the closure's real :arm64 packages (<...> are virtual; unsuffixed are arch:all)
	pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "$pkg:arm64" |
		sed -n 's/^\([a-z0-9][^ <>]*:arm64\)$/\1/p' | sort -u)
	[ -n "$pkgs" ] || { echo "deps: cannot resolve $pkg:arm64" >&2; exit 1; }
	log "downloading $pkg:arm64 and its $(($(wc -w <<<"$pkgs") - 1)) arm64 dependencies"
	mkdir -p "$dir"
	tmp=$(mktemp -d); chmod 755 "$tmp"; chown _apt "$tmp" 2>/dev/null || true
	# shellcheck disable=SC2086
	(cd "$tmp" && apt-get -qq download $pkgs) || { rm -rf "$tmp"; exit 1; }
	mv "$tmp"/*.deb "$dir/"; rm -rf "$tmp"
	touch "$dir/.complete"
}

# unpack_closure DIR ROOT: every .deb of DIR extracted into ROOT (again only if DIR changed)
unpack_closure() {
	local dir=$1 root=$2 stamp="$2/.stamp" want
	want=$(cd "$dir" && ls | tr '\n' ' ')
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
	log "unpacking $(basename "$dir") into $root"
	rm -rf "$root"; mkdir -p "$root"
	for d in "$dir"/*.deb; do dpkg-deb -x "$d" "$root"; done
	echo "$want" >"$stamp"
}

fetch_qemu_arm64() { fetch_closure_arm64 qemu-system-arm "$QEMU_DEBS"; }
unpack_qemu_arm64() { unpack_closure "$QEMU_DEBS" "$QEMU_ROOT"; }

# The benchmark's bpftrace baseline (`make bench`, docs/performance.md): Debian
# bookworm's arm64 bpftrace, run inside the emulated host. Fetched only when asked for
# (`scripts/deps.sh bpftrace`), the same way as QEMU: a cache directory of its own,
# unpacked into build/bpftrace-arm64/root, never installed.
BPFTRACE_DEBS=$CACHE/bpftrace-arm64-debs
BPFTRACE_ROOT=$TOP/build/bpftrace-arm64/root

main() {
	install_host
	fetch_arm64
	unpack_sysroot
	unpack_suite_kernel trixie
	unpack_suite_kernel sid
	fetch_qemu_arm64
	unpack_qemu_arm64
	for extra in "$@"; do
		case $extra in
		bpftrace) fetch_closure_arm64 bpftrace "$BPFTRACE_DEBS"; unpack_closure "$BPFTRACE_DEBS" "$BPFTRACE_ROOT";;
		*) echo "deps: unknown extra '$extra' (have: bpftrace)" >&2; exit 2;;
		esac
	done
	log "ready"
}

# sourced (tests/host/deps.sh checks the pin fallbacks against a stub apt): functions only
[ "${BASH_SOURCE[0]}" != "$0" ] || main "$@"
