# The Debian package, installed the way a user installs it: Debian's own arm64 dpkg
# installs /debs/smccctrace_*_arm64.deb on a root whose dpkg database holds exactly the
# package's dependency closure (tests/vm/deb-payload.py); then the installed
# /usr/sbin/smccctrace, and only it, runs probe and the full scenario's trace, which
# tests/vm/test-deb.sh compares with the test VMM's truth; then it serves metrics with
# --web-config to the x86 host's curl, openssl and Prometheus. Last, dpkg must refuse
# the package on a database where a dependency is too old.
out=$1
. /scenarios/lib.sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# Debian's dpkg by its path: busybox sh runs its own dpkg applet whatever the PATH says
dpkg=/usr/bin/dpkg dpkg_query=/usr/bin/dpkg-query
rm -f /bin/smccctrace	# the test bed's static tool: the packaged one is the only one
mkdir -p /var/log	# dpkg's log

deb=$(ls /debs/smccctrace_*_arm64.deb)
$dpkg -i "$deb" >"$out/dpkg-i.log" 2>&1; echo $? >"$out/dpkg-i.rc"
cat "$out/dpkg-i.log"
$dpkg_query -W -f='${db:Status-Abbrev} ${Package} ${Version}\n' smccctrace >"$out/dpkg-status.txt" 2>&1
$dpkg -L smccctrace >"$out/dpkg-L.txt" 2>&1
$dpkg --verify smccctrace >"$out/dpkg-verify.txt" 2>&1; echo $? >"$out/dpkg-verify.rc"
command -v smccctrace >"$out/which.txt"
# the libraries the installed binary loads, and the installed package each comes from
LD_TRACE_LOADED_OBJECTS=1 /usr/sbin/smccctrace >"$out/ldd.txt" 2>&1
for lib in $(awk '$2 == "=>" { print $3 }' "$out/ldd.txt"); do
	echo "$lib $($dpkg_query -S "$lib" 2>/dev/null | cut -d: -f1)"
done >"$out/lib-packages.txt"

smccctrace --version >"$out/version.txt" 2>&1; echo $? >"$out/version.rc"
smccctrace probe >"$out/probe.txt" 2>"$out/probe.err"; echo $? >"$out/probe.rc"
smccctrace probe --json >"$out/probe.json" 2>>"$out/probe.err"; echo $? >"$out/probe-json.rc"
cat "$out/version.txt" "$out/probe.txt"

start_stopped_vmm "$out/vmm.pid" --scenario full --truth "$out/truth.jsonl" --delay-us 3000
smccctrace -v -p "$VMM_PID" --json -o "$out/trace.jsonl" 2>"$out/trace.err" &
tracer=$!
wait_attached "$out/trace.err" $tracer || { cat "$out/trace.err"; exit 1; }
kill -CONT "$VMM_PID"
wait "$VMM_PID"; echo $? >"$out/vmm.rc"
wait "$tracer"; echo $? >"$out/trace.rc"
cat "$out/trace.err"

# the exporter with --web-config, from the x86 host (tests/vm/test-deb.sh) through
# QEMU's forward of 10.0.2.15:9464: TLS with the test's certificate, basic auth with a
# bcrypt user (/web, made at test time). The key is root's alone: it is read before the
# privilege drop. The host sees the exporter come up by scraping it; on the control port
# (9465) this says "vmm-done" once the test VMM has exited and the collector has read
# its last calls, then waits for the host's "finish".
cut -d' ' -f1 /proc/uptime >"$out/web-start"	# the time this part adds, for test-deb.sh to print
chmod 600 /web/server.key
smccctrace -v --listen 0.0.0.0:9464 --listen-interval 1 --web-config /web/web.yml \
	>"$out/exporter.out" 2>"$out/exporter.err" &
exporter=$!
i=0
while ! grep -q 'serving metrics on' "$out/exporter.err"; do
	kill -0 $exporter 2>/dev/null && [ $i -lt 600 ] || { cat "$out/exporter.err"; break; }
	i=$((i + 1))
	sleep 0.05
done
grep -E '^(Uid|Gid|CapEff):' /proc/$exporter/status >"$out/exporter-status.txt"
smccc-testvmm --scenario full --delay-us 3000 --truth "$out/truth-exporter.jsonl" 2>"$out/vmm-exporter.log"
echo $? >"$out/vmm-exporter.rc"
sleep 1.5	# the collector reads the kernel every second: its next page holds the last calls
echo vmm-done | timeout 120 nc -l -p 9465
echo finish | timeout 120 nc -l -p 9465
echo $? >"$out/host-finished.rc"
kill -TERM $exporter
wait $exporter; echo $? >"$out/exporter.rc"
cut -d' ' -f1 /proc/uptime >"$out/web-end"
cat "$out/exporter.err"

# a database where the first dependency is older than the package needs (after the
# runs above: dpkg unpacks before it finds the dependency problem)
$dpkg --admindir=/var/lib/dpkg-broken -i "$deb" >"$out/dpkg-broken.log" 2>&1; echo $? >"$out/dpkg-broken.rc"
cp /var/lib/dpkg-broken/package "$out/broken-package"
cat "$out/dpkg-broken.log"
