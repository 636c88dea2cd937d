# Smoke: the emulated host booted with KVM and the tools run.
out=$1
uname -r >"$out/uname"
[ -c /dev/kvm ] && echo yes >"$out/has-kvm"
[ -f /sys/kernel/btf/vmlinux ] && echo yes >"$out/has-btf"
