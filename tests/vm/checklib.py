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
