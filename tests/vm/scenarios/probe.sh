# `smccctrace probe` on this kernel, in text and JSON, and the forced plans' probes.
out=$1
smccctrace probe >"$out/probe.txt" 2>"$out/probe.err"; echo $? >"$out/probe.rc"
smccctrace probe --json >"$out/probe.json" 2>>"$out/probe.err"; echo $? >"$out/probe-json.rc"
# a host that has been up for long: KVM's boot message is no longer in the kernel log
dmesg -c >"$out/dmesg-before-clear.txt"
smccctrace probe --json >"$out/probe-nolog.json" 2>>"$out/probe.err"; echo $? >"$out/probe-nolog.rc"
smccctrace probe >"$out/probe-nolog.txt" 2>>"$out/probe.err"
cat "$out/probe.txt" "$out/probe-nolog.txt"
