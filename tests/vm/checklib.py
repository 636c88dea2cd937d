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
