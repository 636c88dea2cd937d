#!/usr/bin/env python3
"""Validates smccctrace's JSON output against docs/smccctrace.schema.json.

usage: check_schema.py [--def NAME] [--label LABEL] [--self-test] FILE...

Every non-empty line of each FILE must be valid against the schema (its top level,
or with --def its $defs/NAME, e.g. decode or probe), and every all-digit string in it
must be above 2^53 - 1 (smaller counts are JSON integers). With --self-test, known
bad records must be rejected too, so that the schema can fail. Uses Debian's
python3-jsonschema. Prints 'not ok' lines and '# LABEL: N passed, N failed'."""
import argparse
import copy
import json
import os
import re
import sys

import jsonschema

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(TOP, "docs", "smccctrace.schema.json")
MAX_SAFE = 2**53 - 1


def validator(def_name):
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    if def_name:
        schema = {"$ref": "#/$defs/" + def_name, "$defs": schema["$defs"]}
    return jsonschema.Draft202012Validator(schema)


def small_digit_strings(v, path="$"):
    """Paths of all-digit strings that JavaScript could have held as numbers."""
    if isinstance(v, dict):
        for k, x in v.items():
            yield from small_digit_strings(x, "%s.%s" % (path, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from small_digit_strings(x, "%s[%d]" % (path, i))
    elif isinstance(v, str) and re.fullmatch(r"[0-9]+", v) and int(v) <= MAX_SAFE:
        yield path


def problems(val, record):
    errs = ["%s: %s" % ("/".join(map(str, e.absolute_path)) or "(top)", e.message)
            for e in sorted(val.iter_errors(record), key=lambda e: list(map(str, e.absolute_path)))]
    errs += ["%s: a number below 2^53 written as a string" % p for p in small_digit_strings(record)]
    return errs


def self_test(val, records):
    """Breaks good records in ways the schema must catch."""
    def broken(rec):
        t = rec.get("type")
        if t == "call":
            yield "unknown key", dict(rec, bogus=1)
            yield "disposition misspelt", dict(rec, disposition="handled")
            yield "pc as a number", dict(rec, pc=4096)
            yield "ret of 3", dict(rec, ret=["0x0"] * 3)
        elif t == "summary":
            yield "no lost", {k: v for k, v in rec.items() if k != "lost"}
        elif t == "interval":
            yield "no groups", {k: v for k, v in rec.items() if k != "groups"}
            yield "bad by", dict(rec, by=["cpu"])
            yield "2^53 as a number", dict(rec, calls=2**53)
            yield "small count as a string", dict(rec, calls="12")
            g = [x for x in rec["groups"] if x["kvm_ns"]]
            if g:
                r = copy.deepcopy(rec)
                r["groups"][0]["kvm_ns"]["buckets"][0]["le"] = 5
                yield "bucket with an unknown key", r
                r = copy.deepcopy(rec)
                del r["groups"][0]["kvm_ns"]["p99"]
                yield "no p99", r
    n = 0
    for rec in records:
        for what, bad in broken(rec):
            n += 1
            if not problems(val, bad):
                yield "%s record with %s was accepted" % (rec.get("type"), what)
    if n == 0:
        yield "nothing to break: no call, summary or interval records"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--def", dest="def_name")
    ap.add_argument("--label", default="schema")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    val = validator(args.def_name)
    passed = failed = 0
    seen = []
    for path in args.files:
        bad, lines = [], 0
        try:
            with open(path) as f:
                for no, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    lines += 1
                    try:
                        rec = json.loads(line)
                    except ValueError as e:
                        bad.append("line %d: not JSON: %s" % (no, e))
                        continue
                    seen.append(rec)
                    bad += ["line %d (%s): %s" % (no, rec.get("type"), p) for p in problems(val, rec)]
        except OSError as e:
            bad.append(str(e))
        if lines == 0:
            bad.append("no records")
        if bad:
            failed += 1
            print("not ok - %s: %d of %d lines invalid" % (path, len(bad), lines))
            for b in bad[:10]:
                print("    %s" % b)
        else:
            passed += 1
            print("ok - %s: %d records valid" % (path, lines))
    if args.self_test:
        errs = list(self_test(val, seen))
        for e in errs:
            print("not ok - self-test: %s" % e)
        if errs:
            failed += 1
        else:
            passed += 1
            print("ok - self-test: every broken record rejected")
    print("# %s: %d passed, %d failed" % (args.label, passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
