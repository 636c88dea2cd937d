# `smccctrace probe` on this kernel, in text and JSON, and the forced plans' probes.
out=$1
smccctrace probe >"$out/probe.txt" 2>"$out/probe.err"; echo $? >"$out/probe.rc"
smccctrace probe --json >"$out/probe.json" 2>>"$out/probe.err"; echo $? >"$out/probe-json.rc"
cat "$out/probe.txt"
