#!/usr/bin/env python3
"""The x86 host's side of tests/vm/scenarios/prometheus.sh, while the emulated host runs.

usage: prometheus_driver.py --prometheus URL --exporter URL --control PORT
                            --dashboard JSON --out DIR [--timeout S] [--vm-pid PID]

A real Prometheus (started by tests/vm/test-prometheus.sh) scrapes the exporter every
2 seconds through QEMU's port forward. This:
1. waits until Prometheus scrapes it successfully (up == 1);
2. sends the exporter a TLS ClientHello, a POST and an unknown path through the same
   forward;
3. waits for the guest's "vmm-done" on the control port, then for a scrape that
   started after it, so Prometheus holds the final counts;
4. runs the PromQL queries tests/vm/check_prometheus.py compares with the ground
   truth, a range query over the whole run, and every query of the Grafana dashboard,
   and fetches the final page itself (DIR/metrics.txt, for promtool);
5. tells the guest to finish ("finish" on the control port).
Everything goes to DIR/promql.json. Exits 1 (and says why) if a step times out.
Only loopback addresses are used."""
import argparse
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def log(msg):
    print("driver: %s" % msg, flush=True)


def http(url, data=None, timeout=5):
    """(status, headers, body) of one request; status 0 if the connection failed."""
    req = urllib.request.Request(url, data=data)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode(errors="replace")
    except (OSError, urllib.error.URLError):
        return 0, {}, ""


class Prometheus:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def api(self, path, **params):
        status, _, body = http("%s/api/v1/%s?%s" % (self.url, path, urllib.parse.urlencode(params)))
        if status != 200:
            return {"status": "error", "http": status, "error": body[:200]}
        return json.loads(body)

    def query(self, expr, at=None):
        return self.api("query", query=expr, **({"time": "%.3f" % at} if at else {}))

    def scalar(self, expr):
        """The single value of expr, or None."""
        r = self.query(expr)
        res = r.get("data", {}).get("result", [])
        return float(res[0]["value"][1]) if r.get("status") == "success" and len(res) == 1 else None


VM_PID = None	# the run.sh that boots the emulated host: waiting ends if it is gone


def vm_running():
    try:
        os.kill(VM_PID, 0)
        return True
    except (TypeError, ProcessLookupError):
        return VM_PID is None


def wait_for(what, fn, timeout, step=0.25):
    deadline = time.time() + timeout
    while time.time() < deadline and vm_running():
        v = fn()
        if v:
            return v
        time.sleep(step)
    log("%s waiting for %s" % ("timed out after %ds" % timeout if vm_running() else "the emulated host stopped", what))
    sys.exit(1)


def read_word(port, timeout=1.0):
    """Connects to the forwarded control port and reads one word. Before the guest
    listens, QEMU accepts and then closes or stalls the connection: no word."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            return s.recv(64).decode(errors="replace").strip()
    except OSError:
        return ""


def raw_exchange(host, port, data):
    """Sends raw bytes to the exporter, returns the first line it answers ('' if none)."""
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            return s.recv(4096).decode(errors="replace").split("\r\n")[0]
    except OSError as e:
        return "error: %s" % e


# Queries compared with the ground truth by check_prometheus.py, by name.
QUERIES = {
    "up": "smccctrace_up",
    "info": "smccctrace_attach_info",
    "total": "sum(smccctrace_calls_total)",
    "by_disposition": "sum by (disposition) (smccctrace_calls_total)",
    "by_vcpu": "sum by (vcpu) (smccctrace_calls_total)",
    "by_func": "sum by (func, service) (smccctrace_calls_total)",
    "by_func_disposition": "sum by (func, disposition) (smccctrace_calls_total)",
    "pids": "count(count by (pid) (smccctrace_calls_total))",
    # over the whole run: once the VMM has exited its series fold into pid="exited"
    "by_guest": "max by (pid, guest) (max_over_time(smccctrace_calls_total[1h]))",
    "kvm_count": "sum(smccctrace_kvm_time_seconds_count)",
    "kvm_inf": 'sum(smccctrace_kvm_time_seconds_bucket{le="+Inf"})',
    "kvm_sum": "sum(smccctrace_kvm_time_seconds_sum)",
    "kvm_count_by_func": "sum by (func) (smccctrace_kvm_time_seconds_count)",
    "vmm_count": "sum(smccctrace_vmm_round_trip_seconds_count)",
    "vmm_count_by_func": "sum by (func) (smccctrace_vmm_round_trip_seconds_count)",
    "vmm_sum": "sum(smccctrace_vmm_round_trip_seconds_sum)",
    "vmm_p50": "histogram_quantile(0.5, sum by (le) (smccctrace_vmm_round_trip_seconds_bucket))",
    "vmm_p99": "histogram_quantile(0.99, sum by (le) (smccctrace_vmm_round_trip_seconds_bucket))",
    "kvm_p99": "histogram_quantile(0.99, sum by (le) (smccctrace_kvm_time_seconds_bucket))",
    "lost": "sum(smccctrace_lost_events_total)",
    "seen": "smccctrace_calls_seen_total",
    "scrapes": "count_over_time(smccctrace_up[10m])",
}


def dashboard_queries(path):
    """Every PromQL expression of the Grafana dashboard, with its variables set to
    'everything' and its intervals to fixed ones."""
    with open(path) as f:
        dash = json.load(f)
    out = []
    for p in dash["panels"]:
        for t in p.get("targets", []):
            e = t["expr"]
            for var, val in (("$__rate_interval", "1m"), ("$__range", "5m"), ("$instance", ".*"), ("$pid", ".*")):
                e = e.replace(var, val)
            out.append({"panel": p["title"], "expr": e})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prometheus", required=True)
    ap.add_argument("--exporter", required=True, help="http://127.0.0.1:PORT")
    ap.add_argument("--control", type=int, required=True)
    ap.add_argument("--dashboard", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=int, default=90)
    ap.add_argument("--vm-pid", type=int)
    a = ap.parse_args()
    global VM_PID
    VM_PID = a.vm_pid
    prom = Prometheus(a.prometheus)
    exp = urllib.parse.urlparse(a.exporter)
    result = {"queries": {}, "dashboard": [], "probes": {}}
    started = time.time()

    wait_for("Prometheus to be ready", lambda: http(a.prometheus + "/-/ready")[0] == 200, 30)
    wait_for("a successful scrape of the exporter", lambda: prom.scalar('up{job="smccctrace"}') == 1, a.timeout)
    log("Prometheus scrapes the exporter (%.1fs)" % (time.time() - started))

    result["probes"]["index"] = http(a.exporter + "/")[0]
    result["probes"]["not_found"] = http(a.exporter + "/nope")[0]
    result["probes"]["post"] = http(a.exporter + "/metrics", data=b"x=1")[0]
    result["probes"]["tls"] = raw_exchange(exp.hostname, exp.port,
                                           bytes.fromhex("16030100a5010000a10303") + bytes(32) + b"\r\n\r\n")

    wait_for("the guest's vmm-done", lambda: read_word(a.control) == "vmm-done", a.timeout, step=0.5)
    done = time.time()
    log("the test VMM is done (%.1fs)" % (done - started))
    wait_for("a scrape after the VMM ended",
             lambda: (prom.scalar("timestamp(smccctrace_up)") or 0) > done, 20)

    now = time.time()
    for name, expr in QUERIES.items():
        result["queries"][name] = {"expr": expr, "response": prom.query(expr, now)}
    # one point per second, the last one now: the whole run, ending with the final count
    result["range"] = prom.api("query_range", query="sum(smccctrace_calls_total)",
                               start="%.3f" % (now - int(now - started)), end="%.3f" % now, step="1")
    for q in dashboard_queries(a.dashboard):
        q["response"] = prom.query(q["expr"], now)
        result["dashboard"].append(q)
    result["vmm_done_at"], result["queried_at"] = done, now
    status, headers, body = http(a.exporter + "/metrics")	# a full page, for promtool
    with open("%s/metrics.txt" % a.out, "w") as f:
        f.write(body)
    result["probes"]["metrics"] = {"status": status, "content_type": headers.get("Content-Type", "")}

    wait_for("the guest to take 'finish'", lambda: read_word(a.control) == "finish", 30, step=0.5)
    with open("%s/promql.json" % a.out, "w") as f:
        json.dump(result, f, indent=1)
    log("done (%.1fs)" % (time.time() - started))


if __name__ == "__main__":
    main()
