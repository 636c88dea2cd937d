# The Prometheus exporter, scraped from the x86 host by a real Prometheus
# (tests/vm/test-prometheus.sh boots this with --net M:9464 --net C:9465).
#
# The exporter listens on the emulated host's user-net address, which QEMU forwards
# to the x86 host's 127.0.0.1:M. The test VMM runs long enough for several scrapes
# (2 s apart): some 300 forwarded calls held 20 ms each, 6 s and more.
# Then the host is told on port 9465 that the VMM is done, and this waits until the
# host comes back on 9465: it has read what it needs from Prometheus.
out=$1
. /scenarios/lib.sh

smccctrace -v --listen 10.0.2.15:9464 --listen-interval 1 >"$out/exporter.out" 2>"$out/exporter.err" &
exporter=$!
i=0
while ! grep -q 'serving metrics on' "$out/exporter.err"; do
	kill -0 $exporter 2>/dev/null && [ $i -lt 600 ] || { cat "$out/exporter.err"; exit 1; }
	i=$((i + 1))
	sleep 0.05
done

# A bare port means loopback: reachable on 127.0.0.1, not on the NIC's address.
smccctrace --listen 9466 2>"$out/loopback.err" &
loopback=$!
i=0
while ! grep -q 'serving metrics on' "$out/loopback.err" && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.05; done
# (busybox-static's wget crashes resolving; nc speaks HTTP/1.0 well enough)
printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 10 nc 127.0.0.1 9466 >"$out/loopback.txt"
echo $? >"$out/loopback-127.rc"
printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 10 nc 10.0.2.15 9466 >/dev/null 2>&1
echo $? >"$out/loopback-nic.rc"
kill -TERM $loopback; wait $loopback; echo $? >"$out/loopback.rc"

# started as libvirt starts QEMU: the guest label comes from -name
smccc-testvmm --scenario full --iterations 60 --delay-us 20000 --truth "$out/truth.jsonl" \
	-name guest=prom-vm,debug-threads=on 2>"$out/vmm.log"
echo $? >"$out/vmm.rc"
sleep 1.5	# the collector reads the kernel every second: its next page holds the last calls

# each side knows the other is there by the word it reads
echo vmm-done | timeout 60 nc -l -p 9465
echo finish | timeout 60 nc -l -p 9465
echo $? >"$out/host-finished.rc"
kill -TERM $exporter
wait $exporter; echo $? >"$out/exporter.rc"
cat "$out/exporter.err"
