# The test bed's arm64 kernels (scripts/deps.sh fetches and unpacks them), by name or by
# version. Sourced by tests/vm/run.sh and tests/vm/lib.sh.
#
#   6.12    bookworm-backports' 6.12 (the default)   6.1   bookworm's 6.1
#   trixie  trixie's 6.12                            sid   unstable's newest (7.x)
#
# A version names the kernel whose release starts with it: 7.2, 6.12.117, 6.1.0-50.

# kernel_resolve NAME|VERSION: sets
#   kernel_name    6.12, 6.1, trixie or sid
#   kernel_image   the Image to boot
#   kernel_release e.g. 7.2.13+deb14-arm64
#   kernel_suffix  of results directories: '' for the default 6.12, else -NAME
#   kernel_modules_deb  the package that holds its modules
# Returns 1, with a one-line message, for a kernel the test bed does not have.
kernel_resolve() {
	local want=$1 sysroot=${SYSROOT:-${TOP:-$PWD}/build/sysroot-arm64} cache=${SMCCCTRACE_CACHE:-/var/cache/smccctrace}
	local n rel
	kernel_name=
	for n in 6.12 6.1 trixie sid; do
		[ "$want" = "$n" ] && kernel_name=$n
	done
	if [ -z "$kernel_name" ]; then
		for n in 6.12 6.1 trixie sid; do
			rel=$(_kernel_release "$n" "$sysroot")
			case $rel in "$want"*) kernel_name=$n; break;; esac
		done
	fi
	if [ -z "$kernel_name" ]; then
		echo "kernels.sh: no kernel '$want' in the test bed (have: 6.12, 6.1, trixie, sid, or a version of one: $(for n in 6.12 6.1 trixie sid; do printf '%s ' "$(_kernel_release $n "$sysroot")"; done))" >&2
		return 1
	fi
	kernel_release=$(_kernel_release "$kernel_name" "$sysroot")
	case $kernel_name in
	6.12)
		kernel_image=$sysroot/kernel/boot/Image; kernel_suffix=
		kernel_modules_deb=$(ls "$cache"/debs/linux-image-6.12.*-arm64_*_arm64.deb 2>/dev/null | head -1);;
	6.1)
		kernel_image=$sysroot/kernel-6.1/boot/Image; kernel_suffix=-6.1
		kernel_modules_deb=$(ls "$cache"/debs/linux-image-6.1.*-arm64_*_arm64.deb 2>/dev/null | head -1);;
	*)
		kernel_image=$sysroot/kernel-$kernel_name/boot/Image; kernel_suffix=-$kernel_name
		# split packages keep the modules in linux-modules-*, classic ones in the image
		kernel_modules_deb=$(ls "$cache/kernels/$kernel_name"/linux-modules-*.deb \
			"$cache/kernels/$kernel_name"/linux-image-*.deb 2>/dev/null | head -1);;
	esac
	[ -f "$kernel_image" ] || { echo "kernels.sh: kernel $kernel_name is not unpacked ($kernel_image); run scripts/deps.sh" >&2; return 1; }
}

# _kernel_release NAME SYSROOT: the unpacked kernel's release, or nothing
_kernel_release() {
	case $1 in
	6.12) (cd "$2/kernel/boot" 2>/dev/null && ls vmlinuz-* 2>/dev/null | sed 's/^vmlinuz-//' | head -1);;
	6.1) (cd "$2/kernel-6.1/boot" 2>/dev/null && ls vmlinuz-* 2>/dev/null | sed 's/^vmlinuz-//' | head -1);;
	*) cat "$2/kernel-$1/release" 2>/dev/null;;
	esac
}
