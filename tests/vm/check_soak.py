#!/usr/bin/env python3
"""Checks a soak run (tests/vm/scenarios/soak.sh): both tracers exit 0; their RSS and
open fds stay flat (the last quarter no higher than the first quarter's peak plus a
small allowance); the exporter was scraped with data every second; the summary wrote
one interval per second. Prints '# soak: N passed, N failed'."""
import json
import os
import sys


def main():
    r = sys.argv[1]
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("not ok - %s" % what)

    rows = [line.split() for line in open(os.path.join(r, "samples.txt"))]
    for name in ("summary", "exporter"):
        s = [(int(i), int(rss), int(fds)) for n, i, rss, fds in rows if n == name]
        check(len(s) >= 20, "%s: %d samples" % (name, len(s)))
        if len(s) < 8:
            continue
        q = len(s) // 4
        first, last = s[:q], s[-q:]
        rss0, rss1 = max(x[1] for x in first), max(x[1] for x in last)
        # RSS may settle early (allocator, first keys) but must not keep growing
        check(rss1 <= rss0 * 1.10 + 256, "%s: RSS flat: first-quarter peak %d KiB, last-quarter peak %d KiB"
              % (name, rss0, rss1))
        check(max(x[2] for x in last) <= max(x[2] for x in first),
              "%s: open fds flat: %d then %d" % (name, max(x[2] for x in first), max(x[2] for x in last)))
        print("# %s: RSS %d -> %d KiB, fds %d -> %d over %d s" % (
            name, rss0, rss1, max(x[2] for x in first), max(x[2] for x in last), len(s)))
    scrapes = [int(series) for n, i, series, _ in rows if n == "scrape"]
    if len(scrapes) >= 8:
        q = len(scrapes) // 4
        # exited VMMs' series fold into pid="exited": the page does not grow with VMM churn
        check(max(scrapes[-q:]) <= max(scrapes[:q]) * 1.5 + 50,
              "exporter: series bounded while VMMs come and go: %d then %d" % (max(scrapes[:q]), max(scrapes[-q:])))
    last = open(os.path.join(r, "last-scrape.txt")).read()
    check('pid="exited"' in last, "exporter: exited VMMs' counts are kept under pid=\"exited\"")
    # the first VMM takes a while to make its first call on a loaded emulated host; from
    # then on the series stay (an exited VMM's fold into pid="exited")
    first = next((k for k, x in enumerate(scrapes) if x > 0), None)
    check(first is not None and first < 10, "exporter: call series by the 10th scrape (first in scrape %s)"
          % (None if first is None else first + 1))
    since = scrapes[first:] if first is not None else []
    check(first is not None and sum(1 for x in since if x == 0) <= 3,
          "exporter: scrapes with call series since the first: %d of %d" % (sum(1 for x in since if x > 0), len(since)))
    docs = [json.loads(l) for l in open(os.path.join(r, "summary.jsonl")) if l.strip()]
    check(len(docs) >= len(scrapes) - 3, "summary: %d interval documents in %d s" % (len(docs), len(scrapes)))
    check(sum(int(d["calls"]) for d in docs) > 0 and all(int(d["lost"]) == 0 for d in docs),
          "summary: calls counted, none lost")
    for name in ("summary", "exporter"):
        check(open(os.path.join(r, name + ".rc")).read().strip() == "0", "%s: exit 0 on SIGINT" % name)
    check("vmm failed" not in open(os.path.join(r, "vmm.log")).read(), "every VMM run succeeded")
    print("# soak: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
