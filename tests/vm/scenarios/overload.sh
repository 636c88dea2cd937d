# Overload: the bench loop (back-to-back calls on 2 vCPUs) streamed through a 4 KiB
# ring buffer, so that calls are lost. tests/vm/test-overload.sh checks that the loss
# is counted exactly: calls made = calls received + calls reported lost.
# OVERLOAD_FULL=0 (nVHE) runs only the call-state and ring-buffer overflow, under
# both plans; 1 (VHE) also the ring buffer alone and the scrape flood.
out=$1
. /scenarios/lib.sh
OVERLOAD_FULL=${OVERLOAD_FULL:-1}
if [ "$OVERLOAD_FULL" = 1 ]; then
	smccctrace -v --json --buffer 4K -o /tmp/overload.jsonl 2>"$out/tracer.err" &
	t=$!
	wait_attached "$out/tracer.err" $t || { cat "$out/tracer.err"; exit 1; }
	smccc-testvmm --scenario bench --kind kvm --vcpus 2 --calls 20000 --timeout 1800 >"$out/bench.json" 2>"$out/vmm.log"
	echo $? >"$out/vmm.rc"
	sleep 0.5
	kill -INT $t; wait $t; echo $? >"$out/tracer.rc"
	grep -c '"type":"call"' /tmp/overload.jsonl >"$out/received"
	tail -n 1 /tmp/overload.jsonl >"$out/summary.json"

	# A flood of scrapes: 10,000 GET /metrics on loopback, 4 at a time (within the
	# exporter's 8 per client), at most 480 s (about 100 s on a quiet 2-core host, several
	# times that on a loaded one), while the exporter counts the bench loop.
	# Scrapes serve the collector's snapshot (read every 2 s): the kernel is not read per
	# scrape, and every call is still counted.
	ip link set lo up	# the exporter listens on loopback
	smccctrace -v --listen 127.0.0.1:9470 --listen-interval 2 >/dev/null 2>"$out/flood-exporter.err" &
	e=$!
	i=0
	while ! grep -q 'serving metrics on' "$out/flood-exporter.err" && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.05; done
	smccc-testvmm --scenario bench --kind kvm --vcpus 2 --calls 20000 --timeout 1800 >"$out/flood-bench.json" \
		2>"$out/flood-vmm.log" &
	v=$!
	scrape-flood 127.0.0.1 9470 10000 4 480 >"$out/flood.json"
	wait $v; echo $? >"$out/flood-vmm.rc"
	sleep 2.5	# the collector's next reading holds every call
	printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 10 nc 127.0.0.1 9470 >"$out/flood-final.txt"
	grep -E '^(VmHWM|VmRSS):' /proc/$e/status >"$out/flood-exporter-mem.txt"
	kill -INT $e; wait $e; echo $? >"$out/flood-exporter.rc"
fi
# The call-state map and the ring buffer overflow at once: state for 2 vCPUs only
# (--max-vcpus 2) while 4 vCPUs call; every call is received, or lost with its cause;
# under the fentry plan, then the kprobe plan (files *2 and *2-kprobe). The record
# file (--record) keeps each loss with its cause: report --info on the host.
for plan in fentry kprobe; do
	s=2; [ "$plan" = kprobe ] && s=2-kprobe
	smccctrace -v --plan "$plan" --json --buffer 4K --max-vcpus 2 -o "/tmp/overload$s.jsonl" \
		--record "$out/overload$s.bin" 2>"$out/tracer$s.err" &
	t=$!
	wait_attached "$out/tracer$s.err" $t || { cat "$out/tracer$s.err"; exit 1; }
	smccc-testvmm --scenario bench --kind kvm --vcpus 4 --calls 2000 --timeout 1800 >"$out/bench$s.json" \
		2>"$out/vmm$s.log"
	echo $? >"$out/vmm$s.rc"
	sleep 0.5
	kill -INT $t; wait $t; echo $? >"$out/tracer$s.rc"
	grep -c '"type":"call"' "/tmp/overload$s.jsonl" >"$out/received$s"
	tail -n 1 "/tmp/overload$s.jsonl" >"$out/summary$s.json"
done
