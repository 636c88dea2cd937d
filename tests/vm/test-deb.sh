#!/usr/bin/env bash
# The Debian package in the emulated host: Debian's dpkg installs it there over its
# dependency closure (tests/vm/deb-payload.py); the installed /usr/sbin/smccctrace runs
# probe and a full trace that equals the test VMM's ground truth, field by field; dpkg
# refuses it when a dependency is too old. Uses build/deb/ (`make deb`, part deb), and
# builds it when it is missing or stale.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
CACHE=${SMCCCTRACE_CACHE:-/var/cache/smccctrace}
payload=build/deb/payload
if ! bash scripts/build-deb.sh; then
	not_ok "$variant: make deb"; report "vm-deb-$variant"; exit 1
fi
deb=$(ls build/deb/smccctrace_*_arm64.deb)
# the payload again only when the package's Depends or the pools changed; the package
# itself is copied in each time
key=$( { dpkg-deb -f "$deb" Depends; ls "$CACHE/debs" "$CACHE/qemu-arm64-debs"; sha1sum tests/vm/deb-payload.py; } | sha1sum)
if [ "$(cat "$payload.key" 2>/dev/null)" != "$key" ]; then
	rm -f "$payload.key"
	if ! python3 tests/vm/deb-payload.py "$payload" "$deb" "$CACHE/debs" "$CACHE/qemu-arm64-debs"; then
		not_ok "$variant: the payload (the package's dependency closure and dpkg)"; report "vm-deb-$variant"; exit 1
	fi
	echo "$key" >"$payload.key"
fi
rm -f "$payload"/debs/*.deb && cp "$deb" "$payload/debs/"
vm_run "$variant" deb-install --payload "$payload"
check "$variant: deb-install scenario exited 0" [ "$VM_RC" = 0 ]
R=$RESULTS
check "$variant: dpkg -i installed the package (exit 0)" grep -qx 0 "$R/dpkg-i.rc"
check "$variant: ... with Debian's dpkg (not busybox's applet)" grep -q "^Preparing to unpack .*smccctrace_" "$R/dpkg-i.log"
version=$(dpkg-deb -f "$deb" Version)
check "$variant: dpkg says smccctrace $version is installed" grep -qx "ii  smccctrace $version" "$R/dpkg-status.txt"
check "$variant: dpkg -L lists the binary, the page and the completion" bash -c \
	'for f in /usr/sbin/smccctrace /usr/share/man/man8/smccctrace.8.gz /usr/share/bash-completion/completions/smccctrace; do grep -qx "$f" "$1" || exit 1; done' _ "$R/dpkg-L.txt"
check "$variant: dpkg --verify: the installed files are the package's (md5sums)" \
	bash -c 'grep -qx 0 "$1/dpkg-verify.rc" && [ ! -s "$1/dpkg-verify.txt" ]' _ "$R"
check "$variant: smccctrace on the PATH is /usr/sbin/smccctrace" grep -qx /usr/sbin/smccctrace "$R/which.txt"
check "$variant: every library it loads comes from an installed package" \
	bash -c '[ -s "$1" ] && ! awk "NF < 2" "$1" | grep -q .' _ "$R/lib-packages.txt"
check "$variant: among them libbpf1, libelf1, zlib1g, libmicrohttpd12, libgnutls30, libc6" bash -c \
	'for p in libbpf1 libelf1 zlib1g libmicrohttpd12 libgnutls30 libc6; do awk "{ print \$2 }" "$1" | grep -qx $p || exit 1; done' _ "$R/lib-packages.txt"
check "$variant: --version says the dynamic build with TLS" bash -c \
	'grep -qx 0 "$1/version.rc" && grep -q "^build: dynamic, TLS (GnuTLS)" "$1/version.txt"' _ "$R"
check "$variant: probe exited 0 (text and JSON)" bash -c 'grep -qx 0 "$1/probe.rc" && grep -qx 0 "$1/probe-json.rc"' _ "$R"
check "$variant: probe --json is valid JSON" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$R/probe.json"
check "$variant: traced VMM exited 0" grep -qx 0 "$R/vmm.rc"
check "$variant: tracer exited 0 by itself when the VMM exited" grep -qx 0 "$R/trace.rc"
python3 tests/vm/check_trace.py "$R" --label "deb-trace-$variant"
check "$variant: the packaged binary's trace equals the truth, field by field" [ $? = 0 ]
broken=$(cat "$R/broken-package" 2>/dev/null)
check "$variant: dpkg refuses it where ${broken:-?} is too old" bash -c \
	'! grep -qx 0 "$1/dpkg-broken.rc" && grep -q "depends on $2 (>= " "$1/dpkg-broken.log"' _ "$R" "$broken"
report "vm-deb-$variant"
