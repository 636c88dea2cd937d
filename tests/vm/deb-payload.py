#!/usr/bin/env python3
"""Builds the extra initramfs content of the deb-install scenario: the emulated host as
a Debian system on which the package can be installed the way a user installs it.

usage: deb-payload.py OUTDIR DEB POOL...

DEB is the package (make deb). The POOLs are directories of Debian arm64 .debs (the
cache of scripts/deps.sh; the first one that has a package wins). OUTDIR, laid out as
the initramfs root it is copied into, gets:
  - the dependency closure of DEB's Depends and of Debian's dpkg (the installer) and
    libc-bin (its ldconfig: Essential, which dpkg needs but does not depend on),
    resolved over the POOLs, unpacked (docs, man pages and translations left out);
  - /var/lib/dpkg: a database that says exactly those packages are installed, so that
    dpkg -i checks DEB's Depends against the real names and versions;
  - /var/lib/dpkg-broken: the same database with DEB's first dependency at version 0,
    on which dpkg must refuse to configure DEB (the Depends are enforced); the name
    of that package in /var/lib/dpkg-broken/package;
  - /debs/DEB.
Nothing of DEB itself is unpacked: the scenario's dpkg does that."""
import os
import re
import shutil
import subprocess
import sys

FIELDS = ["Package", "Version", "Architecture", "Multi-Arch", "Depends", "Pre-Depends", "Provides"]
SKIP = ["./usr/share/doc", "./usr/share/man", "./usr/share/locale", "./usr/share/info",
        "./usr/share/lintian"]


def control(deb):
    """The control fields of DEB that the resolver needs, as a dict."""
    text = subprocess.run(["dpkg-deb", "-f", deb] + FIELDS, check=True, capture_output=True,
                          text=True).stdout
    fields, key = {}, None
    for line in text.splitlines():
        if line.startswith(" ") and key:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    return fields


def relations(value):
    """'a (>= 1) | b:any, c' -> [['a', 'b'], ['c']]: the names, alternatives in order."""
    out = []
    for rel in filter(None, (r.strip() for r in (value or "").split(","))):
        out.append([re.split(r"[\s:(\[<]", alt.strip(), maxsplit=1)[0] for alt in rel.split("|")])
    return out


def index(pools):
    """name -> .deb, the first pool's .deb of each package (Debian names them
    NAME_VERSION_ARCH.deb)."""
    by_name = {}
    for pool in pools:
        for f in sorted(os.listdir(pool)):
            parts = f[:-len(".deb")].split("_") if f.endswith(".deb") else []
            if len(parts) == 3 and parts[2] in ("arm64", "all"):
                by_name.setdefault(parts[0], os.path.join(pool, f))
    return by_name


def providers(by_name):
    """virtual name -> the package that Provides it (reads every control: only when a
    dependency names no package of the pools)."""
    provided = {}
    for name, deb in by_name.items():
        for virtual in relations(control(deb).get("Provides")):
            provided.setdefault(virtual[0], name)
    return provided


def closure(roots, by_name):
    """The packages that ROOTS (relations) need, transitively; exits naming what is missing."""
    seen, queue, provided = [], list(roots), None
    while queue:
        alts = queue.pop(0)
        chosen = next((a for a in alts if a in by_name), None)
        if chosen is None:
            provided = provided if provided is not None else providers(by_name)
            chosen = next((provided[a] for a in alts if a in provided), None)
        if chosen is None:
            sys.exit(f"deb-payload: no package in the pools satisfies {' | '.join(alts)}")
        if chosen in seen:
            continue
        seen.append(chosen)
        fields = control(by_name[chosen])
        queue += relations(fields.get("Pre-Depends")) + relations(fields.get("Depends"))
    return seen


def database(path, debs, downgrade=None):
    """A dpkg database at PATH in which DEBS are installed (DOWNGRADE's version: 0)."""
    for d in ("info", "updates", "triggers"):
        os.makedirs(os.path.join(path, d), exist_ok=True)
    open(os.path.join(path, "available"), "w").close()
    with open(os.path.join(path, "info", "format"), "w") as f:
        f.write("1\n")  # multiarch: a Multi-Arch: same package's files are pkg:arch.*
    with open(os.path.join(path, "status"), "w") as status:
        for deb in debs:
            para = subprocess.run(["dpkg-deb", "-f", deb], check=True, capture_output=True,
                                  text=True).stdout.rstrip("\n").split("\n")
            fields = control(deb)
            name = fields["Package"]
            if name == downgrade:
                para = ["Version: 0" if line.startswith("Version:") else line for line in para]
            para.insert(1, "Status: install ok installed")
            status.write("\n".join(para) + "\n\n")
            info = name + (":" + fields["Architecture"] if fields.get("Multi-Arch") == "same" else "")
            listing = subprocess.run(f"dpkg-deb --fsys-tarfile '{deb}' | tar -t", shell=True, check=True,
                                     capture_output=True, text=True).stdout.split("\n")
            with open(os.path.join(path, "info", info + ".list"), "w") as f:
                for entry in listing:
                    entry = entry.rstrip("/")
                    if entry.startswith("./") and len(entry) > 2:
                        f.write(entry[1:] + "\n")
                    elif entry == ".":
                        f.write("/.\n")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, deb, pools = sys.argv[1], sys.argv[2], sys.argv[3:]
    by_name = index(pools)
    depends = relations(control(deb).get("Depends"))
    if not depends:
        sys.exit(f"deb-payload: {deb} has no Depends")
    names = closure(depends + [["dpkg"], ["libc-bin"]], by_name)
    debs = [by_name[n] for n in names]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "debs"))
    for d in debs:
        subprocess.run(f"dpkg-deb --fsys-tarfile '{d}' | tar -x -C '{out}' "
                       + " ".join(f"--exclude='{s}'" for s in SKIP), shell=True, check=True)
    database(os.path.join(out, "var/lib/dpkg"), debs)
    broken = depends[0][0]
    database(os.path.join(out, "var/lib/dpkg-broken"), debs, downgrade=broken)
    with open(os.path.join(out, "var/lib/dpkg-broken/package"), "w") as f:
        f.write(broken + "\n")
    shutil.copy(deb, os.path.join(out, "debs"))
    print(f"deb-payload: {os.path.basename(deb)} and the {len(names)} packages of its and dpkg's"
          f" (and libc-bin's) closure: {' '.join(sorted(names))}", file=sys.stderr)


if __name__ == "__main__":
    main()
