#!/usr/bin/env python3
"""Validates the test VMM's ground truth against what its guest programs are known to do.

usage: check_truth.py RESULTS_DIR [--self-test] [--file NAME]

RESULTS_DIR is what tests/vm/scenarios/vmm-full.sh left: truth.jsonl (AArch64 guest)
and truth32.jsonl (AArch32 guest), or aarch32.skip saying why the host has no AArch32.
--file NAME checks that one AArch64 truth instead (e.g. truth-pvm.jsonl, a protected VM's).
The model below mirrors tests/vmm/scenario.c (labels, function IDs, conduits,
dispositions) and what Linux KVM answers; change both together.

Prints one line per check ('ok - ...' / 'not ok - ...') and '# truth: N passed, N failed';
exits 1 on any failure. --self-test also feeds the checker broken copies of the truth
and requires each one to be caught. Python 3 standard library only."""
import copy
import json
import os
import re
import sys

# ---- the guest programs (tests/vmm/scenario.c, program.c) ----

SIP32, OEM32, OEM64 = 0x82000000, 0x83000000, 0xC3000000
GUEST_RAM_IPA, GUEST_CODE_SIZE = 0x80000000, 0x10000
ONES = 0xFFFFFFFFFFFFFFFF


def args_pattern(tag):
    """ARGS(tag) of scenario.c: x1..x7 = tag << 32 | 0x11111111 * n."""
    return [(tag << 32) | (0x11111111 * n) for n in range(1, 8)]


def x1(v):
    return [v, 0, 0, 0, 0, 0, 0]


ZERO = [0] * 7

# Result models. Each takes (args, seq, aarch32, kernel) and returns the expected
# x0..x3, with None for "any value". kernel is what the kernel under test answers
# discovery calls with, as the test VMM read it from KVM's firmware pseudo-registers
# (the truth's vmm record: psci_version, kvm_features), never a per-kernel constant.
def fixed(*vals):
    return lambda a, s, aa32, k: list(vals)


NOT_SUPPORTED = lambda a, s, aa32, k: [ONES, 0, 0, 0]
REFUSED = lambda a, s, aa32, k: [ONES, a[0], a[1], a[2]]  # x1..x3 untouched


def forwarded(a, s, aa32, k):
    """The VMM's answer (tests/vmm/vcpu.c forwarded_answer)."""
    if aa32:
        return [0xF0000000 | (s & 0xFFFFF) << 8 | n for n in range(4)]
    return [0xF0D0000000000000 | s << 8 | n for n in range(4)]


SMCCC_1_1 = fixed(0x10001, 0, 0, 0)
# PSCI 1.1 up to 6.12, 1.3 from 7.x: whatever this KVM's PSCI_VERSION register says
PSCI_1_1 = lambda a, s, aa32, k: [k["psci_version"], 0, 0, 0]
SUCCESS = fixed(0, 0, 0, 0)
TRNG_UUID = fixed(0x00E0210D, 0xEB118443, 0x44527080, 0x4C5A4E55)
KVM_UID = fixed(0xB66FB428, 0xE911C52E, 0x564BCAA9, 0x743A004D)
RANDOM_LOW = fixed(0, 0, 0, None)  # TRNG RND: x3 is entropy, x1/x2 cleared


# A protected VM asks pKVM's hypervisor, which answers at EL2 (expect "hyp"): KVM_FEATURES
# with its own services for protected VMs, not the host's bitmap (KVM_FEATURES,
# HYP_MEMINFO, MEM_SHARE, MEM_UNSHARE: bits 0, 2, 3, 4; no PTP), HYP_MEMINFO with the
# hypervisor's page size (checked on its own: 4, 16 or 64 KiB).
PKVM_FEATURES = fixed(1 << 0 | 1 << 2 | 1 << 3 | 1 << 4, 0, 0, 0)
PAGE_SIZE = fixed(None, 0, 0, 0)


def vendor_features(a, s, aa32, k):
    """KVM_FEATURES: the bitmap in x0, a second one in x2 on kernels that have it
    (else 0); FUNC_FEAT and PTP are also checked on their own."""
    return [k["kvm_features"][0], 0, k["kvm_features"][1], 0]


# label, func_id, conduit, imm, expect, args, result model, flags
# flags: a64 = AArch64 only, aa32 = AArch32 only, nf = needs the SMCCC filter,
# t32 = runs in T32 state, pvm = protected VMs only, hyp = a protected VM's is answered
# by pKVM's hypervisor at EL2 (expect "hyp", the result model after the '|')
BOOT_BLOCK = [
    ("smccc_version", 0x80000000, "hvc", 0, "kvm", ZERO, SMCCC_1_1, ""),
    ("smccc_version_smc", 0x80000000, "smc", 0, "kvm", ZERO, SMCCC_1_1, ""),
    ("smccc_version_x0_hi", 0x80000000, "hvc", 0, "kvm", ZERO, SMCCC_1_1, "a64"),
    ("smccc_arch_features", 0x80000001, "hvc", 0, "kvm", x1(0xC5000020), SUCCESS, ""),
    ("psci_version", 0x84000000, "hvc", 0, "kvm", ZERO, PSCI_1_1, ""),
    ("psci_features", 0x8400000A, "hvc", 0, "kvm", x1(0x84000000), SUCCESS, ""),
    ("psci_features_smc", 0x8400000A, "smc", 0, "kvm", x1(0x80000000), SUCCESS, ""),
    ("trng_version", 0x84000050, "hvc", 0, "kvm", ZERO, fixed(0x10000, 0, 0, 0), ""),
    ("trng_features", 0x84000051, "hvc", 0, "kvm", x1(0xC4000053), SUCCESS, "a64"),
    ("trng_features", 0x84000051, "hvc", 0, "kvm", x1(0x84000053), SUCCESS, "aa32"),
    ("trng_get_uuid", 0x84000052, "hvc", 0, "kvm", ZERO, TRNG_UUID, ""),
    ("trng_rnd64", 0xC4000053, "hvc", 0, "kvm", x1(64), RANDOM_LOW, "a64"),
    ("trng_rnd32", 0x84000053, "hvc", 0, "kvm", x1(32), RANDOM_LOW, "aa32"),
    ("kvm_vendor_uid", 0x8600FF01, "hvc", 0, "kvm", ZERO, KVM_UID, ""),
    ("kvm_vendor_features", 0x86000000, "hvc", 0, "kvm", ZERO, vendor_features, "hyp"),
    ("pkvm_hyp_meminfo", 0xC6000002, "hvc", 0, "kvm", ZERO, PAGE_SIZE, "a64 pvm hyp"),
    ("handle_hvc", SIP32 + 0x01, "hvc", 0, "kvm", args_pattern(0xA1), NOT_SUPPORTED, ""),
    ("handle_smc", SIP32 + 0x02, "smc", 0, "kvm", args_pattern(0xA2), NOT_SUPPORTED, ""),
    ("handle_hvc_imm", SIP32 + 0x03, "hvc", 0x1234, "kvm", args_pattern(0xA3), NOT_SUPPORTED, ""),
    ("deny_hvc", SIP32 + 0x11, "hvc", 0, "denied", args_pattern(0xB1), NOT_SUPPORTED, "nf"),
    ("deny_smc", SIP32 + 0x12, "smc", 0, "denied", args_pattern(0xB2), NOT_SUPPORTED, "nf"),
    ("deny_hvc_imm", SIP32 + 0x13, "hvc", 0x1234, "denied", args_pattern(0xB3), NOT_SUPPORTED, "nf"),
    ("deny_kvm_ptp", 0x86000001, "hvc", 0, "denied", ZERO, NOT_SUPPORTED, "nf"),
    ("fwd_hvc", OEM32 + 0x01, "hvc", 0, "forwarded", args_pattern(0xC1), forwarded, "nf"),
    ("fwd_smc", OEM32 + 0x02, "smc", 0, "forwarded", args_pattern(0xC2), forwarded, "nf"),
    ("fwd_hvc_imm", OEM32 + 0x03, "hvc", 0x1234, "forwarded", args_pattern(0xC3), forwarded, "nf"),
    ("fwd_smc64", OEM64 + 0x04, "smc", 0, "forwarded", args_pattern(0xC4), forwarded, "nf a64"),
    ("fwd_hvc64_imm", OEM64 + 0x05, "hvc", 0xFFFF, "forwarded", args_pattern(0xC5), forwarded, "nf a64"),
    ("refused_smc_imm", 0x80000000, "smc", 1, "refused", args_pattern(0xD1), REFUSED, "a64"),
    ("refused_smc_imm_fwd_id", OEM32 + 0x01, "smc", 0xFFFF, "refused", args_pattern(0xD2), REFUSED, "a64"),
    ("t32_smccc_version", 0x80000000, "hvc", 0, "kvm", ZERO, SMCCC_1_1, "aa32 t32"),
    ("t32_psci_version_smc", 0x84000000, "smc", 0, "kvm", ZERO, PSCI_1_1, "aa32 t32"),
    ("t32_fwd_hvc_imm", OEM32 + 0x06, "hvc", 0x4321, "forwarded", args_pattern(0xE1), forwarded, "aa32 t32 nf"),
    ("t32_fwd_smc", OEM32 + 0x07, "smc", 0, "forwarded", args_pattern(0xE2), forwarded, "aa32 t32 nf"),
    ("t32_deny_smc", SIP32 + 0x14, "smc", 0, "denied", args_pattern(0xE3), NOT_SUPPORTED, "aa32 t32 nf"),
]

SECONDARY = [
    ("sec_smccc_version", 0x80000000, "hvc", 0, "kvm", ZERO, SMCCC_1_1, ""),
    ("sec_psci_version_smc", 0x84000000, "smc", 0, "kvm", ZERO, PSCI_1_1, ""),
    ("sec_fwd_hvc_imm", OEM32 + 0x08, "hvc", 0x42, "forwarded", args_pattern(0xF1), forwarded, "nf"),
    ("sec_deny_smc", SIP32 + 0x15, "smc", 0, "denied", args_pattern(0xF2), NOT_SUPPORTED, "nf"),
    ("sec_refused_smc_imm", 0x84000000, "smc", 7, "refused", args_pattern(0xF3), REFUSED, "a64"),
]

SYSTEM_OFF = ("psci_system_off", 0x84000008, "hvc", 0, "kvm", ZERO, None, "")


def kvm_mpidr(vcpu):
    """KVM's vcpu_id -> MPIDR affinity (sys_regs.c reset_mpidr)."""
    return (vcpu & 0x0F) | ((vcpu >> 4) & 0xFF) << 8 | ((vcpu >> 12) & 0xFF) << 16


def context_id(vcpu, aa32):
    """program_context_id() of tests/vmm/program.c."""
    return (0xC0DE0000 | vcpu) if aa32 else (0x5EC0000000000000 | 0xC0DE0000 | vcpu)


def cpu_on(vcpu, aa32):
    func = 0x84000003 if aa32 else 0xC4000003
    args = [kvm_mpidr(vcpu), GUEST_RAM_IPA + vcpu * GUEST_CODE_SIZE, context_id(vcpu, aa32), 0, 0, 0, 0]
    return ("psci_cpu_on_%d" % vcpu, func, "hvc", 0, "kvm", args, SUCCESS, "")


def applies(step, aa32, filt, prot=False):
    flags = step[7].split()
    if "a64" in flags and aa32:
        return False
    if "aa32" in flags and not aa32:
        return False
    if "nf" in flags and not filt:
        return False
    if "pvm" in flags and not prot:
        return False
    return True


def resolve(step, filt, prot=False):
    """Kernels without the SMCCC filter (before 6.4) refuse every SMC in handle_smc; a
    protected VM (7.x) has no filter, but its SMC #0 reaches the SMCCC handler, and
    pKVM's hypervisor answers some of its calls at EL2 ("hyp")."""
    label, func, conduit, imm, expect, args, result, flags = step
    if prot and "hyp" in flags.split():
        return (label, func, conduit, imm, "hyp", args,
                PKVM_FEATURES if label == "kvm_vendor_features" else result, flags)
    if conduit == "smc" and not filt and not prot:
        return (label, func, conduit, imm, "refused", args, REFUSED, flags)
    return step


def expected_calls(hdr, aa32):
    """The calls in the order the handover between vCPUs fixes, as (vcpu, step)."""
    filt, vcpus, iters = hdr["filter"], hdr["vcpus"], hdr.get("iterations", 1)
    prot = hdr.get("protected", False)
    out = []
    block = [resolve(s, filt, prot) for s in BOOT_BLOCK if applies(s, aa32, filt, prot)]
    for _ in range(iters):
        out += [(0, s) for s in block]
    for v in range(1, vcpus):
        out.append((0, cpu_on(v, aa32)))
        out += [(v, resolve(s, filt, prot)) for s in SECONDARY if applies(s, aa32, filt, prot)]
    out.append((0, SYSTEM_OFF))
    return out


# ---- checking ----

HEX = re.compile(r"^0x(0|[1-9a-f][0-9a-f]*)$")


class Checker:
    def __init__(self, quiet=False):
        self.passed = self.failed = 0
        self.quiet = quiet

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        if not self.quiet:
            print("%s - %s" % ("ok" if ok else "not ok", what))
        return ok

    def note(self, what):
        if not self.quiet:
            print("# " + what)


def is_hex(v, bits):
    return isinstance(v, str) and bool(HEX.match(v)) and int(v, 16) < (1 << bits)


def check_record_shape(c, r, bits, name):
    """One call line: keys, types, hex canonical form. Returns False if unusable."""
    keys = {"type", "seq", "vcpu", "tid", "func_id", "args", "conduit", "imm", "pc",
            "width", "mode", "expect", "result", "label"}
    if r.get("expect") == "forwarded":
        keys.add("vmm_delay_ns")
    if r.get("mode") == "aarch64":
        # the guest's CNTVCT_EL0 right before the call and, when it returned, right after
        keys.add("cntvct_before")
        if r.get("result") is not None:
            keys.add("cntvct_after")
    problems = []
    for k in ("cntvct_before", "cntvct_after"):
        if k in r and not (isinstance(r[k], int) and not isinstance(r[k], bool) and 0 <= r[k] < 1 << 64):
            problems.append("%s %r" % (k, r[k]))
    if isinstance(r.get("cntvct_before"), int) and isinstance(r.get("cntvct_after"), int) \
            and not r["cntvct_before"] <= r["cntvct_after"]:
        problems.append("cntvct_before %d > cntvct_after %d" % (r["cntvct_before"], r["cntvct_after"]))
    if set(r) != keys:
        problems.append("keys %s" % sorted(set(r) ^ keys))
    for k in ("seq", "vcpu", "tid", "imm", "width"):
        if not isinstance(r.get(k), int) or isinstance(r.get(k), bool):
            problems.append("%s not an integer" % k)
    if not is_hex(r.get("func_id"), 32):
        problems.append("func_id %r" % r.get("func_id"))
    if not is_hex(r.get("pc"), bits):
        problems.append("pc %r" % r.get("pc"))
    a = r.get("args")
    if not (isinstance(a, list) and len(a) == 7 and all(is_hex(x, bits) for x in a)):
        problems.append("args %r" % a)
    res = r.get("result")
    if res is not None and not (isinstance(res, list) and len(res) == 4 and all(is_hex(x, bits) for x in res)):
        problems.append("result %r" % res)
    if "vmm_delay_ns" in r and not (isinstance(r["vmm_delay_ns"], int) and r["vmm_delay_ns"] > 0):
        problems.append("vmm_delay_ns %r" % r["vmm_delay_ns"])
    return c.check(not problems, "%s: seq %s (%s) is well formed%s"
                   % (name, r.get("seq"), r.get("label"), ": " + "; ".join(problems) if problems else ""))


def check_truth(c, recs, aa32, name):
    """All checks of one truth file (a list of parsed JSON objects)."""
    bits = 32 if aa32 else 64
    mask = (1 << bits) - 1
    if not c.check(len(recs) >= 2 and recs[0].get("type") == "vmm" and recs[-1].get("type") == "end",
                   "%s: starts with the vmm record and ends with the end record" % name):
        return
    hdr, end, calls = recs[0], recs[-1], recs[1:-1]
    feats = hdr.get("kvm_features")
    hdr_ok = (isinstance(hdr.get("pid"), int) and isinstance(hdr.get("kernel"), str)
              and isinstance(hdr.get("filter"), bool) and hdr.get("aarch32") is aa32
              and isinstance(hdr.get("vcpus"), int) and 1 <= hdr["vcpus"] <= 8
              and hdr.get("scenario") == "full" and isinstance(hdr.get("iterations", 1), int)
              and is_hex(hdr.get("psci_version"), 32)
              and isinstance(feats, list) and len(feats) == 2 and all(is_hex(f, 64) for f in feats))
    if not c.check(hdr_ok, "%s: vmm record: pid, kernel, filter, aarch32=%s, vcpus, scenario full, "
                   "psci_version, kvm_features" % (name, aa32)):
        return
    kernel = {"psci_version": int(hdr["psci_version"], 16), "kvm_features": [int(f, 16) for f in feats]}
    c.note("%s: kernel %s, filter %s, %d vcpus, %d iterations, PSCI %d.%d, KVM_FEATURES %s" % (
        name, hdr["kernel"], hdr["filter"], hdr["vcpus"], hdr.get("iterations", 1),
        kernel["psci_version"] >> 16, kernel["psci_version"] & 0xFFFF, " ".join(feats)))
    # every kernel this test bed boots speaks PSCI 1.x (0.2 would change the calls)
    c.check(kernel["psci_version"] >> 16 == 1, "%s: KVM's PSCI is 1.x (%s)" % (name, hdr["psci_version"]))
    c.check(all(r.get("type") == "call" for r in calls), "%s: every other record is a call" % name)
    c.check(end.get("calls") == len(calls) and end.get("exit") == "system_off",
            "%s: end record: calls=%s for %d call lines, exit=%s" % (name, end.get("calls"), len(calls), end.get("exit")))
    if not all([check_record_shape(c, r, bits, name) for r in calls]):
        return
    c.check([r["seq"] for r in calls] == list(range(len(calls))),
            "%s: seq runs 0..%d in line order" % (name, len(calls) - 1))

    want = expected_calls(hdr, aa32)
    got = [(r["vcpu"], r["label"]) for r in calls]
    if not c.check(got == [(v, s[0]) for v, s in want],
                   "%s: the %d calls are the guest programs' %d, in handover order" % (name, len(got), len(want))):
        for i, (g, w) in enumerate(zip(got, want)):
            if g != (w[0], w[1][0]):
                c.note("%s: first difference at line %d: %s, expected %s" % (name, i + 1, g, (w[0], w[1][0])))
                break
        return

    delay_ns = hdr.get("delay_us", 0) * 1000
    for r, (vcpu, step) in zip(calls, want):
        label, func, conduit, imm, expect, args, model, flags = step
        tag = "%s: seq %d %s" % (name, r["seq"], label)
        mode = ("t32" if "t32" in flags.split() else "aarch32") if aa32 else "aarch64"
        c.check(int(r["func_id"], 16) == func and r["conduit"] == conduit and r["imm"] == imm
                and r["width"] == 32 and r["mode"] == mode,
                "%s: func_id %s %s #%d, %d-bit, %s" % (tag, r["func_id"], r["conduit"], r["imm"], r["width"], r["mode"]))
        c.check(r["expect"] == expect, "%s: expect %s (want %s)" % (tag, r["expect"], expect))
        got_args = [int(a, 16) for a in r["args"]]
        c.check(got_args == [a & mask for a in args], "%s: x1..x7 as the guest loaded them" % tag)
        if model is None:
            c.check(r["result"] is None, "%s: never returns: result null" % tag)
            continue
        if not c.check(r["result"] is not None, "%s: returned" % tag):
            continue
        res = [int(x, 16) for x in r["result"]]
        exp = model(got_args, r["seq"], aa32, kernel)
        exp = [None if e is None else e & mask for e in exp]
        c.check(all(e is None or e == g for e, g in zip(exp, res)),
                "%s: result %s" % (tag, " ".join("%#x" % x for x in res)))
        if label == "kvm_vendor_features" and expect != "hyp":
            c.check(res[0] & 3 == 3, "%s: KVM advertises FUNC_FEAT and PTP" % tag)
        if label == "pkvm_hyp_meminfo":
            c.check(res[0] in (0x1000, 0x4000, 0x10000), "%s: x0 is a page size (%#x)" % (tag, res[0]))
        if expect == "forwarded":
            c.check(r["vmm_delay_ns"] >= delay_ns,
                    "%s: held %d ns >= --delay-us %d" % (tag, r["vmm_delay_ns"], delay_ns // 1000))

    # PCs: in the vCPU's code region, aligned, one per call site
    sites, bad = {}, []
    for r in calls:
        pc, v = int(r["pc"], 16), r["vcpu"]
        base = GUEST_RAM_IPA + v * GUEST_CODE_SIZE
        sites.setdefault((v, r["label"]), set()).add(pc)
        # T32 would allow 2-byte alignment; the emitter keeps T32 calls 4-aligned
        if not (base <= pc < base + GUEST_CODE_SIZE and pc % 4 == 0):
            bad.append("seq %d pc %#x" % (r["seq"], pc))
    c.check(not bad, "%s: every pc 4-aligned inside its vCPU's code region%s"
            % (name, ": not " + ", ".join(bad) if bad else ""))
    c.check(all(len(p) == 1 for p in sites.values()), "%s: each call site keeps one pc across iterations" % name)
    pcs = [next(iter(p)) for p in sites.values()]
    c.check(len(pcs) == len(set(pcs)), "%s: %d call sites, %d distinct pcs" % (name, len(pcs), len(set(pcs))))

    # Threads: one per vCPU, none of them the main thread
    tids = {}
    for r in calls:
        tids.setdefault(r["vcpu"], set()).add(r["tid"])
    c.check(all(len(t) == 1 for t in tids.values()), "%s: one tid per vCPU" % name)
    flat = [next(iter(t)) for t in tids.values()]
    c.check(len(flat) == len(set(flat)) and hdr["pid"] not in flat,
            "%s: tids %s distinct, none the VMM's pid %d" % (name, flat, hdr["pid"]))
    c.check(set(tids) == set(range(hdr["vcpus"])), "%s: every vCPU made calls (%s)" % (name, sorted(tids)))


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def check_dir(c, results):
    path = os.path.join(results, "truth.jsonl")
    if c.check(os.path.exists(path), "%s exists" % path):
        try:
            recs = load(path)
        except ValueError as e:
            c.check(False, "%s is JSON Lines: %s" % (path, e))
        else:
            check_truth(c, recs, False, "aarch64")
    path32 = os.path.join(results, "truth32.jsonl")
    skip = os.path.join(results, "aarch32.skip")
    if os.path.exists(path32):
        try:
            recs = load(path32)
        except ValueError as e:
            c.check(False, "%s is JSON Lines: %s" % (path32, e))
        else:
            check_truth(c, recs, True, "aarch32")
    elif os.path.exists(skip):
        with open(skip) as f:
            why = f.read().strip()
        c.check(bool(why), "aarch32: no guest # SKIP %s" % why)
    else:
        c.check(False, "%s or %s exists" % (path32, skip))


# ---- self-test: the checker must fail on broken truth ----

def mutations(recs):
    """(what, broken copy) pairs, each breaking one property the checker guards."""
    calls = [i for i, r in enumerate(recs) if r.get("type") == "call"]
    by_label = {recs[i]["label"]: i for i in calls}

    def mut(fn):
        r = copy.deepcopy(recs)
        fn(r)
        return r

    def set_field(label, key, val):
        return lambda r: r[by_label[label]].__setitem__(key, val)

    out = [
        ("wrong SMCCC_VERSION result", lambda r: r[by_label["smccc_version"]]["result"].__setitem__(0, "0x10000")),
        ("PSCI_VERSION unlike KVM's register", lambda r: r[by_label["psci_version"]]["result"].__setitem__(
            0, hex(int(r[0]["psci_version"], 16) ^ 2))),
        ("KVM_FEATURES' x2 unlike KVM's second bitmap", lambda r: r[by_label["kvm_vendor_features"]]["result"].__setitem__(
            2, hex(int(r[0]["kvm_features"][1], 16) ^ 1))),
        ("vmm record without psci_version", lambda r: r[0].pop("psci_version")),
        ("forwarded call marked kvm", set_field("fwd_hvc", "expect", "kvm")),
        ("wrong forwarded answer", lambda r: r[by_label["fwd_smc"]]["result"].__setitem__(2, "0x1")),
        ("denied call returning 0", lambda r: r[by_label["deny_hvc"]]["result"].__setitem__(0, "0x0")),
        ("refused SMC clobbering x1", lambda r: r[by_label["refused_smc_imm"]]["result"].__setitem__(1, "0x0")),
        ("conduit flipped", set_field("handle_smc", "conduit", "hvc")),
        ("immediate changed", set_field("fwd_hvc_imm", "imm", 0)),
        ("argument changed", lambda r: r[by_label["handle_hvc"]]["args"].__setitem__(3, "0x0")),
        ("two calls at one pc", lambda r: r[by_label["psci_version"]].__setitem__("pc", r[by_label["smccc_version"]]["pc"])),
        ("misaligned pc", set_field("trng_version", "pc", "0x800001a2")),
        ("secondary on the boot vCPU's thread", lambda r: r[by_label["sec_smccc_version"]].__setitem__("tid", r[by_label["smccc_version"]]["tid"])),
        ("CPU_ON failing", lambda r: r[by_label["psci_cpu_on_1"]]["result"].__setitem__(0, "0xfffffffffffffffc")),
        ("SYSTEM_OFF missing", lambda r: r.pop(by_label["psci_system_off"])),
        ("calls out of order", lambda r: r.insert(by_label["psci_version"], r.pop(by_label["psci_version"] + 1))),
        ("upper-case hex", set_field("smccc_version", "func_id", "0x8000000A")),
        ("end record missing", lambda r: r.pop()),
        ("short hold of a forwarded call", set_field("fwd_hvc", "vmm_delay_ns", 1000)),
        ("SYSTEM_OFF with a result", set_field("psci_system_off", "result", ["0x0"] * 4)),
    ]
    return [(what, mut(fn)) for what, fn in out]


def self_test(c, results):
    path = os.path.join(results, "truth.jsonl")
    if not c.check(os.path.exists(path), "self-test: %s exists" % path):
        return
    recs = load(path)
    if not recs or not recs[0].get("filter") or recs[0].get("vcpus", 0) < 2:
        c.check(False, "self-test needs a truth with the SMCCC filter and 2+ vCPUs")
        return
    clean = Checker(quiet=True)
    check_truth(clean, recs, False, "aarch64")
    c.check(clean.failed == 0, "self-test: the unmodified truth passes (%d checks)" % clean.passed)
    for what, broken in mutations(recs):
        q = Checker(quiet=True)
        check_truth(q, broken, False, "aarch64")
        c.check(q.failed > 0, "self-test: catches %s (%d failed checks)" % (what, q.failed))


def main():
    argv = sys.argv[1:]
    do_self_test = "--self-test" in argv
    argv = [a for a in argv if a != "--self-test"]
    if len(argv) not in (1, 3) or (len(argv) == 3 and argv[1] != "--file"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    c = Checker()
    if len(argv) == 3 and argv[1] == "--file":
        path = os.path.join(argv[0], argv[2])
        if c.check(os.path.exists(path), "%s exists" % path):
            check_truth(c, load(path), False, "aarch64")
    else:
        check_dir(c, argv[0])
    if do_self_test:
        self_test(c, argv[0])
    print("# truth: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
