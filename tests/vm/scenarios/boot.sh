# Smoke: the emulated host booted with KVM and BTF, and the tool attaches.
out=$1
uname -r >"$out/uname"
[ -c /dev/kvm ] && echo yes >"$out/has-kvm"
[ -f /sys/kernel/btf/vmlinux ] && echo yes >"$out/has-btf"
smccctrace -v -d 0.5 >"$out/attach.out" 2>"$out/attach.err"
echo $? >"$out/attach.rc"
cat "$out/attach.err"
