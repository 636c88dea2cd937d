"""What every host-side checker of the emulated host's results shares: counted checks
that print 'not ok - ...' and end with '# NAME: N passed, N failed', and JSON Lines
loading."""
import json


class Checker:
    """quiet: counts without printing (a self-test's probe, whose failures are expected)"""
    def __init__(self, name, quiet=False):
        self.name, self.passed, self.failed, self.quiet = name, 0, 0, quiet

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            if not self.quiet:
                print("not ok - %s" % what)
        return ok

    def report(self):
        print("# %s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        return 1 if self.failed else 0


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def read_or_empty(path):
    """A results file's text, or "" when the run did not write it (the checks on its
    content then fail)."""
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def load_jsonl_or_report(path):
    """load_jsonl(path), or [] after a 'not ok' line naming the file and its fault (the
    checks on its records then fail)."""
    try:
        return load_jsonl(path)
    except (OSError, ValueError) as e:
        print("not ok - %s: %s" % (path, e))
        return []


def summary_labels(ids, tool="build/x86_64/smccctrace"):
    """The func label --summary and --listen count each function ID under: the decoder's
    name, or for an unknown ID its service's folded label (OEM_other). From the host
    tool's own decoder ('decode --json', summary_label), never a copy of its rule."""
    import subprocess
    ids = sorted(set(ids))
    if not ids:
        return {}
    out = subprocess.run([tool, "decode", "--json"] + ["0x%x" % i for i in ids], capture_output=True, text=True,
                         check=True).stdout
    return {int(d["func_id"], 16): d["summary_label"] for d in map(json.loads, out.splitlines())}


TEST_VMM_COMM = "smccc-testvmm"


def qemu_guest_name(value):
    """The guest name in QEMU's -name VALUE ([guest=]NAME[,key=value]..., a comma in a
    value doubled), written here apart from the tool's C parser (src/guest_name.c)."""
    items, cur, i = [], "", 0
    while i < len(value):
        if value[i] == "," and value[i + 1:i + 2] == ",":
            cur, i = cur + ",", i + 2
        elif value[i] == ",":
            items.append(cur)
            cur, i = "", i + 1
        else:
            cur, i = cur + value[i], i + 1
    items.append(cur)
    name = None
    for n, item in enumerate(items):
        if n == 0 and "=" not in item:
            name = item
        elif item.startswith("guest="):
            name = item[len("guest="):]
    return name


def truth_guest(vmm):
    """The guest name smccctrace must give the test VMM of a truth "vmm" record: its
    -name's, else its comm."""
    arg = vmm.get("name_arg")
    return (qemu_guest_name(arg) if arg is not None else None) or TEST_VMM_COMM
