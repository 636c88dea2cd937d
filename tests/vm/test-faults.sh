#!/usr/bin/env bash
# Faults get a one-line error and a non-zero exit, a closed pipe a quiet exit 0, and no
# smccctrace BPF program, map or link outlives the tool.
cd "$(dirname "$0")/../.." && . tests/vm/lib.sh
variant=$1
vm_run "$variant" faults
check "$variant: faults scenario ran" [ "$VM_RC" = 0 ]
one_line() { [ "$(wc -l <"$1")" = 1 ] && grep -q "$2" "$1"; }
check "$variant: unprivileged user: exit 1" grep -qx 1 "$RESULTS/unpriv.rc"
check "$variant: unprivileged user: one line saying why" one_line "$RESULTS/unpriv.err" 'permission denied: tracing KVM needs CAP_BPF and CAP_PERFMON.*lacks both'
check "$variant: a user with CAP_BPF only: exit 1, one line naming CAP_PERFMON" sh -c "
	grep -qx 1 '$RESULTS/capbpf.rc' && [ \$(wc -l <'$RESULTS/capbpf.err') = 1 ] && grep -q 'lacks CAP_PERFMON\$' '$RESULTS/capbpf.err'"
check "$variant: a user with CAP_PERFMON only: exit 1, one line naming CAP_BPF" sh -c "
	grep -qx 1 '$RESULTS/capperfmon.rc' && [ \$(wc -l <'$RESULTS/capperfmon.err') = 1 ] && grep -q 'lacks CAP_BPF\$' '$RESULTS/capperfmon.err'"
check "$variant: --user without CAP_SETUID/CAP_SETGID: exit 1, one line naming them" sh -c "
	grep -qx 1 '$RESULTS/capuser.rc' && [ \$(wc -l <'$RESULTS/capuser.err') = 1 ] && grep -q 'needs CAP_SETUID and CAP_SETGID' '$RESULTS/capuser.err'"
check "$variant: uid 65534 with CAP_BPF+CAP_PERFMON: the tracer and the VMM exit 0" sh -c "
	grep -qx 0 '$RESULTS/caps.rc' && grep -qx 0 '$RESULTS/vmm5.rc'"
check "$variant: ... while tracing: uid/gid 65534, CAP_BPF only, no ambient, no_new_privs" sh -c "
	grep -Eqx 'Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534' '$RESULTS/caps-status.txt' &&
	grep -qx 'CapEff:[[:space:]]*0000008000000000' '$RESULTS/caps-status.txt' &&
	grep -qx 'CapPrm:[[:space:]]*0000008000000000' '$RESULTS/caps-status.txt' &&
	grep -qx 'CapAmb:[[:space:]]*0000000000000000' '$RESULTS/caps-status.txt' &&
	grep -qx 'NoNewPrivs:[[:space:]]*1' '$RESULTS/caps-status.txt'"
python3 tests/vm/check_trace.py "$RESULTS" --truth truth-caps.jsonl --trace caps.jsonl --label "caps-$variant"
check "$variant: uid 65534 with CAP_BPF+CAP_PERFMON: every field equals the ground truth" [ $? = 0 ]
check "$variant: unwritable output: exit 1" grep -qx 1 "$RESULTS/unwritable.rc"
check "$variant: unwritable output: one line naming the file" one_line "$RESULTS/unwritable.err" "cannot write '/proc/nope/out.jsonl'"
check "$variant: full disk: non-zero exit" sh -c "! grep -qx 0 '$RESULTS/enospc.rc'"
check "$variant: full disk: the error names the file and ENOSPC" \
	grep -q 'cannot write /tmp/small/trace.jsonl: No space left on device' "$RESULTS/enospc.err"
check "$variant: closed pipe: exit 0" grep -qx 0 "$RESULTS/pipe.rc"
check "$variant: closed pipe: head got one JSON call record" grep -q '^{"type":"call"' "$RESULTS/pipe.out"
check "$variant: closed pipe: no error or warning on stderr (only -v's notes)" \
	sh -c "! grep -Eiq 'cannot|error|broken pipe|warning' '$RESULTS/pipe.err'"
check "$variant: VMM crash: the tracer exits 0" grep -qx 0 "$RESULTS/crash.rc"
check "$variant: VMM crash: the held forwarded call is reported once, unanswered" python3 -c "
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
gone = [r for r in recs if r.get('unanswered')]
assert len(gone) == 1, gone
assert gone[0]['disposition'] == 'forwarded' and gone[0]['ret'] is None and gone[0]['vmm_ns'] is None, gone
assert recs[-1]['type'] == 'summary' and recs[-1]['calls'] == len(recs) - 1, recs[-1]
" "$RESULTS/crash.jsonl"
check "$variant: no BTF: exit 1" grep -qx 1 "$RESULTS/nobtf.rc"
check "$variant: no BTF: one line saying so" one_line "$RESULTS/nobtf.err" 'has no BTF'
check "$variant: no KVM: exit 1" grep -qx 1 "$RESULTS/nokvm.rc"
check "$variant: no KVM: one line pointing to probe" one_line "$RESULTS/nokvm.err" "no /dev/kvm: KVM is not running on this host (see 'smccctrace probe')"
check "$variant: no KVM: probe says why and exits 1" \
	sh -c "grep -qx 1 '$RESULTS/nokvm-probe.rc' && grep -q 'plan: *none: no /dev/kvm' '$RESULTS/nokvm-probe.txt'"
check "$variant: no tracefs: available_filter_functions hidden from the tracer" [ -e "$RESULTS/notracefs-hidden" ]
check "$variant: no tracefs: probe checked against kallsyms and chose fentry/fexit" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
sys.exit(not (p["functions_from"] == "kallsyms" and p["plan"] == "fentry/fexit" and p["fentry"] and p["kprobe"]))' \
	"$RESULTS/notracefs-probe.json"
check "$variant: no tracefs: the tracer and the VMM exited 0, attached with fentry/fexit" sh -c "
	grep -qx 0 '$RESULTS/notracefs.rc' && grep -qx 0 '$RESULTS/vmm4.rc' &&
	grep -q 'attached with fentry/fexit' '$RESULTS/notracefs.err'"
python3 tests/vm/check_trace.py "$RESULTS" --truth truth-notracefs.jsonl --trace notracefs.jsonl --label "notracefs-$variant"
check "$variant: no tracefs: every field equals the ground truth" [ $? = 0 ]
check "$variant: neither tracefs nor kallsyms: /proc/kallsyms hidden from the tracer" [ -e "$RESULTS/nokallsyms-hidden" ]
check "$variant: neither tracefs nor kallsyms: probe's text says BTF only, inlining not checked; fentry works" sh -c "
	grep -qx 'functions:      no tracefs, no /proc/kallsyms: BTF only (inlining not checked)' '$RESULTS/nokallsyms-probe.txt' &&
	grep -qx 'fentry/fexit:   works' '$RESULTS/nokallsyms-probe.txt' && grep -qx 'plan:           fentry/fexit' '$RESULTS/nokallsyms-probe.txt'"
check "$variant: neither tracefs nor kallsyms: the tracer attaches with fentry/fexit and exits 0" sh -c "
	grep -qx 0 '$RESULTS/nokallsyms.rc' && grep -q 'attached with fentry/fexit' '$RESULTS/nokallsyms.err'"
python3 tests/check_schema.py --def probe --label "notracefs-schema-$variant" "$RESULTS/notracefs-probe.json"
check "$variant: no tracefs: probe --json is valid against the schema" [ $? = 0 ]
before=$(head -1 "$RESULTS/bpf-before.txt") after=$(head -1 "$RESULTS/bpf-after.txt")
check "$variant: BPF objects after all runs equal those before ($before / $after)" [ "$before" = "$after" ]
check "$variant: no smccctrace program is loaded afterwards" \
	sh -c "! grep -Eq 'prog [0-9]+ (hvc_|smc_|handler_|run_entry|kp_|tp_|userspace_exit)' '$RESULTS/bpf-after.txt'"
report "vm-faults-$variant"
