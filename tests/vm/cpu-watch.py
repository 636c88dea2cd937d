#!/usr/bin/env python3
"""The emulated host's CPUs, seen from outside: run by tests/vm/run.sh beside QEMU.

A CPU of the emulated host that stops taking interrupts cannot say where it is: the
kernel's lockup detector on another CPU names it, but its backtrace needs an interrupt
it does not take (arm64 without pseudo-NMI). QEMU still knows every vCPU's registers.
This watcher follows the console, and when the kernel reports trouble (a panic, a hard
or soft lockup, an RCU stall) or the testbed's own stall watchdog fires, it asks QEMU's
monitor for every CPU's registers (`info registers -a`) and writes, per CPU, its PC,
exception level and the kernel symbol there, moved by the KASLR offset (the console's "testbed: kernel text at" line, tests/vm/init).

  cpu-watch.py CONSOLE MONITOR_SOCKET KALLSYMS FRESH_KALLSYMS OUT

The symbols are a copy of the kernel's /proc/kallsyms (Debian's System.map is a stub):
KALLSYMS, kept from an earlier boot of the same kernel, else FRESH_KALLSYMS, which this
boot writes early (run.sh asks for it when it has no copy).

OUT gets one block per event ("# event: LINE", then "cpu N pc 0x... el ELx sym SYMBOL");
the first block's CPUs are also printed to stderr, one line, for run.sh's failure
message. After a panic it quits QEMU (the kernel waits panic= seconds before it reboots:
the dump is taken in that window, and a run does not sit out its timeout). It exits
when QEMU closes the monitor.
"""
import bisect
import re
import socket
import sys
import time

# what makes the watcher look, and whether QEMU is done after it. The kernel's own lines
# carry printk's "[ seconds.micros] " stamp (Debian's kernels have PRINTK_TIME): the
# scenarios' output shares the console, and a scenario that printed "Kernel panic - not
# syncing" must not end the run. Not anchored at ^: a kernel line can follow a
# scenario's unfinished one.
PRINTK = r"\[\s*\d+\.\d+\] "
EVENTS = [
    (re.compile(PRINTK + r"Kernel panic - not syncing"), "panic", True),
    (re.compile(PRINTK + r".*hard LOCKUP"), "hard-lockup", False),
    (re.compile(PRINTK + r".*soft lockup - CPU#"), "soft-lockup", False),
    (re.compile(PRINTK + r"rcu: INFO: .* (self-)?detected stalls?"), "rcu-stall", False),
    (re.compile(r"^testbed: scenario \S+ stalled:"), "scenario-stall", False),
]
DUMPS_MAX = 4	# an RCU stall repeats every ~21 s: a few dumps say enough
TEXT_RE = re.compile(r"^testbed: kernel text at (0x[0-9a-f]+)")


class Symbols:
    """A kallsyms copy's text symbols, moved to where this boot's kernel put them."""

    def __init__(self, path):
        self.addrs, self.names, self.text = [], [], None
        found = []
        try:
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 3 and parts[1] in "tTwW":
                        found.append((int(parts[0], 16), parts[2]))
                    if len(parts) >= 3 and parts[2] == "_stext":	# 6.1 has no _text
                        self.text = int(parts[0], 16)
        except OSError:
            return
        found.sort()
        self.addrs = [a for a, _ in found]
        self.names = [n for _, n in found]

    def lookup(self, pc, text_now):
        """symbol+0xoff, or None (no map, no KASLR anchor, or outside the kernel's text)"""
        if not self.addrs or self.text is None or text_now is None:
            return None
        addr = pc - (text_now - self.text)
        i = bisect.bisect_right(self.addrs, addr) - 1
        if i < 0 or addr - self.addrs[i] > 0x100000:	# not inside any function nearby
            return None
        return "%s+0x%x" % (self.names[i], addr - self.addrs[i])


class Monitor:
    """QEMU's human monitor on a unix socket: one command at a time, up to the prompt."""

    def __init__(self, path, wait_s=30.0):
        deadline = time.monotonic() + wait_s
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.sock.settimeout(20)
        self._until_prompt()

    def _until_prompt(self):
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("monitor closed")
            data += chunk
        return data.decode(errors="replace")

    def command(self, cmd):
        self.sock.sendall(cmd.encode() + b"\n")
        return self._until_prompt()

    def alive(self):
        """False once QEMU has gone (the socket closed)"""
        try:
            self.sock.settimeout(0)
            return self.sock.recv(1, socket.MSG_PEEK) != b""
        except BlockingIOError:
            return True
        except OSError:
            return False
        finally:
            self.sock.settimeout(20)


def parse_registers(text):
    """[(cpu, pc, el)] from `info registers -a` of an aarch64 machine"""
    cpus = []
    for block in re.split(r"\n(?=CPU#\d+)", text):
        m = re.search(r"CPU#(\d+)", block)
        pc = re.search(r"\bPC=([0-9a-fA-F]+)", block)
        if not m or not pc:
            continue
        el = re.search(r"PSTATE=.*?\b(EL\d[th]?)\b", block)
        cpus.append((int(m.group(1)), int(pc.group(1), 16), el.group(1) if el else "?"))
    return cpus


def main():
    console, sock_path, kept_path, fresh_path, out_path = sys.argv[1:6]
    syms = None
    try:
        mon = Monitor(sock_path)
    except (OSError, EOFError) as e:	# EOFError: QEMU went between accept and prompt
        print("cpu-watch: no QEMU monitor at %s: %s" % (sock_path, e), file=sys.stderr)
        return 1
    text_now, offset, dumps, partial, said = None, 0, 0, "", False
    with open(out_path, "w") as out:
        while mon.alive():
            try:
                with open(console, "rb") as f:
                    f.seek(offset)
                    data = f.read()
            except OSError:
                data = b""
            offset += len(data)
            lines = (partial + data.decode(errors="replace").replace("\r", "")).split("\n")
            partial = lines.pop()
            for line in lines:
                m = TEXT_RE.search(line)
                if m:
                    text_now = int(m.group(1), 16)
                for pattern, kind, final in EVENTS:
                    if not pattern.search(line) or (dumps >= DUMPS_MAX and not final):
                        continue
                    try:
                        cpus = parse_registers(mon.command("info registers -a"))
                    except (OSError, EOFError):
                        print("cpu-watch: %s: QEMU had gone before the dump" % kind, file=sys.stderr)
                        return 0
                    dumps += 1
                    if syms is None or not syms.addrs:	# read when first needed: the fresh copy is whole by then
                        syms = Symbols(kept_path)
                        if not syms.addrs:
                            syms = Symbols(fresh_path)
                    named = [(cpu, pc, el, syms.lookup(pc, text_now)) for cpu, pc, el in cpus]
                    out.write("# event: %s: %s\n" % (kind, line.strip()))
                    for cpu, pc, el, sym in named:
                        out.write("cpu %d pc 0x%x el %s sym %s\n" % (cpu, pc, el, sym or "?"))
                    out.flush()
                    if not said:
                        said = True
                        print("cpu-watch: %s: %s" % (kind, "; ".join(
                            "CPU %d at %s (%s)" % (cpu, sym or "0x%x" % pc, el)
                            for cpu, pc, el, sym in named)), file=sys.stderr)
                    if final:
                        try:
                            mon.command("quit")
                        except (OSError, EOFError):
                            pass
                        return 0
            time.sleep(0.2)	# a scenario stall's poweroff follows its line within seconds
    return 0


if __name__ == "__main__":
    sys.exit(main())
