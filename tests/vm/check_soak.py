#!/usr/bin/env python3
"""Checks a soak run (tests/vm/scenarios/soak.sh): both tracers exit 0; their RSS and
open fds stay flat; the exporter was scraped with data every second; the summary wrote
one interval per second. Prints '# soak: N passed, N failed'.

RSS: the first quarter is warm-up (the allocator, the first keys and VMMs, code paged
in), so the last quarter's median is compared with the second quarter's, with an
allowance of RSS_ALLOW_KIB. Each sample is the second's RSS at rest (the least of four
readings: one inside a collection sees its big blocks mapped for a moment, up to
1.5 MiB), and medians leave out what is left of such spikes. A leak of L KiB a sample
raises the last quarter's median (at 7/8 of n samples) over the second quarter's (at
3/8) by up to L * n/2 (less what first fills free heap pages, which RSS already
counts): printed as the rate over which a leak is caught at best, RSS_ALLOW_KIB / (n/2)
a sample (a sample takes 1.6-2 s in the emulated host).
The allowance covers the page held at rest, whose size follows the series of the
moment; docs/reliability.md ("The exporter's memory") has the measurements."""
import json
import os
import sys
from statistics import median

from checklib import read_or_empty

RSS_ALLOW_KIB = 768


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
        first, settled, last = s[:q], s[q:2 * q], s[-q:]
        # medians of RSS at rest: the warm-up, then the middle, against the end
        rss0, rss1 = median([x[1] for x in settled]), median([x[1] for x in last])
        check(rss1 <= rss0 + RSS_ALLOW_KIB,
              "%s: RSS flat after the warm-up: median %d KiB in the second quarter, %d KiB in the last (allowed +%d)"
              % (name, rss0, rss1, RSS_ALLOW_KIB))
        check(max(x[2] for x in last) <= max(x[2] for x in first),
              "%s: open fds flat: %d then %d" % (name, max(x[2] for x in first), max(x[2] for x in last)))
        print("# %s: RSS median %d (warm-up) %d -> %d KiB, peak %d, fds %d -> %d over %d s; catches a leak over %.1f KiB a sample at best"
              % (name, median([x[1] for x in first]), rss0, rss1, max(x[1] for x in s), max(x[2] for x in first),
                 max(x[2] for x in last), len(s), RSS_ALLOW_KIB / (len(s) / 2)))
    scrapes = [int(series) for n, i, series, _ in rows if n == "scrape"]
    if len(scrapes) >= 8:
        q = len(scrapes) // 4
        # exited VMMs' series fold into pid="exited": the page does not grow with VMM churn
        check(max(scrapes[-q:]) <= max(scrapes[:q]) * 1.5 + 50,
              "exporter: series bounded while VMMs come and go: %d then %d" % (max(scrapes[:q]), max(scrapes[-q:])))
    last = read_or_empty(os.path.join(r, "last-scrape.txt"))
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
        check(read_or_empty(os.path.join(r, name + ".rc")).strip() == "0", "%s: exit 0 on SIGINT" % name)
    check("vmm failed" not in read_or_empty(os.path.join(r, "vmm.log")), "every VMM run succeeded")
    print("# soak: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
