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

# A VMM that outlives the VMs it destroys (churn-hold): FOLD_VMS VMs created, run and
# destroyed one after another, then one held. The exporter shows a destroyed VM's
# series once more, then folds them into its VMM's vm="destroyed". Its pages are read
# here until the held VM's denied call is in one where the VMM has no VM but that one
# and "destroyed" (bounded: FOLD_POLLS reads): fold-page.txt, which check_prometheus.py
# compares with truth-fold.jsonl; fold-pages.txt has that VMM's lines of every page read
# before, in order (the folded series only grows).
FOLD_VMS=4 FOLD_POLLS=80
fold_t0=$(date +%s)
smccc-testvmm --scenario churn-hold --rounds $FOLD_VMS --truth "$out/truth-fold.jsonl" 2>"$out/vmm-fold.log" &
fold=$!
while ! grep -q 'linger: holding' "$out/vmm-fold.log"; do
	kill -0 $fold 2>/dev/null || break
	sleep 0.05
done
: >"$out/fold-pages.txt"
echo 1 >"$out/fold-wait.rc"
i=0
while [ $i -lt $FOLD_POLLS ] && kill -0 $fold 2>/dev/null; do
	printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 10 nc 10.0.2.15 9464 | tr -d '\r' | sed '1,/^$/d' >"$out/fold-page.txt"
	echo "# page $i" >>"$out/fold-pages.txt"
	grep "pid=\"$fold\"" "$out/fold-page.txt" >>"$out/fold-pages.txt"
	if awk -v pid="$fold" '
		/^smccctrace_calls_total\{/ && index($0, "pid=\"" pid "\"") {
			match($0, /vm="[^"]*"/)
			vm = substr($0, RSTART + 4, RLENGTH - 5)
			vms[vm] = 1
			if (vm != "destroyed" && index($0, "disposition=\"denied\""))
				held = vm
		}
		END { n = 0; for (v in vms) n++; exit !(held != "" && n == 2 && ("destroyed" in vms)) }' "$out/fold-page.txt"; then
		echo 0 >"$out/fold-wait.rc"
		break
	fi
	i=$((i + 1))
	sleep 0.25
done
kill -USR1 $fold
wait $fold; echo $? >"$out/vmm-fold.rc"
echo "fold: $FOLD_VMS VMs destroyed and one held, $i page reads, $(($(date +%s) - fold_t0)) s"

kill -TERM $exporter
wait $exporter; echo $? >"$out/exporter.rc"
cat "$out/exporter.err"
