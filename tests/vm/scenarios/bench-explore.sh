out=$1
. /scenarios/lib.sh
smccc-testvmm --scenario bench --calls 2000 >/dev/null
for d in 0 0 0 0 0 1 1 1 1 1; do
	bench-floor >$out/f.out 2>$out/f.err & p=$!
	wait_attached $out/f.err $p
	sleep $d
	smccc-testvmm --scenario bench --calls 3000 >/dev/null
	smccc-testvmm --scenario bench --calls 3000 >/dev/null
	kill -INT $p; wait $p
	echo "delay $d: $(cat $out/f.out)"
done
