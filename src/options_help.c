/* smccctrace --help: the tracer's options (src/options.c parses them). Apart from the
 * parser because it is long, and in sections, one function each, as --help shows them;
 * tests/host/man.sh checks it against the manual page. */
#include <stdio.h>

#include "options.h"

/* the command lines and what the tool shows */
static void usage_synopsis(FILE *out)
{
	fputs(
"Usage: smccctrace [-p PID|-g NAME]... [OPTIONS]\n"
"       smccctrace decode ID|NAME|SERVICE...\n"
"       smccctrace report FILE [OPTIONS]\n"
"       smccctrace psci [-p PID]... [OPTIONS]\n"
"       smccctrace top [-p PID]... [OPTIONS]\n"
"\n"
"Trace the SMCCC calls (HVC/SMC) that KVM guests make: decoded function, arguments,\n"
"conduit, immediate, trapping PC, what KVM did with the call, the result the guest\n"
"got, the time in KVM and, for calls forwarded to the VMM, the VMM's round trip.\n"
"\n",
	      out);
}

/* options: which calls, how they are shown, where they go */
static void usage_select_and_output(FILE *out)
{
	fputs(
"  -p, --pid PID          trace the guests of this VMM process (repeatable)\n"
"  -g, --guest NAME       trace the VMMs of this guest name (repeatable, with -p too):\n"
"                         QEMU's -name guest=NAME, kvmtool's --name NAME, else comm;\n"
"                         every VMM of that name\n"
"  -t, --tid TID          only this vCPU thread\n"
"      --vcpu N           only vCPU N\n"
"      --func LIST        only these functions: IDs, names or services, comma-separated\n"
"                         (e.g. psci, PSCI_CPU_ON, 0x84000000)\n"
"      --conduit LIST     hvc, smc\n"
"      --disposition LIST kvm, denied, forwarded, refused, reflected\n"
"      --json             JSON Lines, one object per call, then a summary record\n"
"  -s, --summary          count calls and their latencies in the kernel; print a\n"
"                         table with p50/p90/p99/max and log2 histograms at the end\n"
"                         (with --json: one JSON document per interval)\n"
"      --by LIST          group the summary by pid, guest, vm, vcpu, func, service,\n"
"                         disposition, site (the trapping PC; named with guest\n"
"                         symbols) (default: func,disposition)\n"
"  -i, --interval SECS    print the summary every SECS seconds, then start again\n"
"  -c, --count N          with -i: stop after N intervals\n"
"  -T, --timestamp        print the time above each summary\n"
"      --top              the live full-screen view ('smccctrace top', which see)\n"
"  -b, --batch            top: plain frames, one after the other, like top -b\n"
"  -n, --iterations N     top: stop after N frames\n"
"  -o, --output FILE      write the trace to FILE instead of stdout\n"
"      --record FILE      save the raw calls to FILE for 'smccctrace report'; alone\n"
"                         (without --json or -o) nothing else is printed per call\n"
"      --perfetto FILE    write a timeline (Chrome Trace Event JSON) for ui.perfetto.dev\n"
"      --perfetto-max-mb N  leave calls out of the timeline past N MiB (default 256,\n"
"                         0: no cap)\n"
"      --buffer SIZE      the ring buffer between the kernel and the tool, a power of\n"
"                         two (e.g. 256K, 4M; default 1M); calls that find it full\n"
"                         are counted as lost\n"
"      --max-vcpus N      vCPUs the kernel keeps call state for at once (default\n"
"                         4096); calls of vCPUs past that are counted as lost\n"
"                         (call_state_full)\n",
	      out);
}

/* options: guest symbols, the attach plan, the exporter, privileges */
static void usage_symbols_plan_exporter(FILE *out)
{
	fputs(
"      --guest-kallsyms FILE  name each call's PC as symbol+0xoff (pc_sym) from a\n"
"                         copy of the guest's /proc/kallsyms (exact under KASLR)\n"
"      --guest-system-map FILE, --guest-vmlinux FILE\n"
"                         ... from the guest kernel's System.map or vmlinux (libelf),\n"
"                         at the offset --guest-kaslr-offset gives (default 0)\n"
"      --guest-kaslr-offset OFFSET|SYM=ADDR\n"
"                         the guest's KASLR offset, or an anchor: SYM's address in\n"
"                         the guest's /proc/kallsyms (e.g. _text=ffff8000...)\n"
"      --guest-symbols PID:KIND=FILE  symbols for one VMM's guest (repeatable); KIND\n"
"                         kallsyms, system-map, vmlinux or kaslr-offset\n"
"                         (docs/guest-symbols.md)\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"      --all-args         capture x1..x17 instead of x1..x7\n"
"      --guest-clock      text: TIME as the guest's virtual counter in seconds\n"
"                         (guest_cntvct / cntfrq), to line calls up with the guest's\n"
"                         own clock: its printk and ftrace times less their epoch\n"
"                         (docs/design.md); --perfetto: slices on that clock too\n"
"      --plan auto|fentry|kprobe|tracepoint\n"
"                         force an attach plan (default: the best that works;\n"
"                         tracepoint sees fewer fields, see docs/kernels.md)\n"
"      --wait             trace a -p process even if it has no KVM file open yet; with\n"
"                         -g, also VMMs of that name that start later\n"
"      --listen ADDR:PORT serve Prometheus metrics on http://ADDR:PORT/metrics instead\n"
"                         of tracing: call counts and latency histograms, counted in\n"
"                         the kernel (a bare PORT is 127.0.0.1:PORT; docs/prometheus.md)\n"
"      --listen-interval SECS  read the kernel's counts every SECS seconds (default 2);\n"
"                         scrapes serve the latest reading\n"
"      --max-series N     call series the exporter keeps (default 2000); the calls of\n"
"                         further series are counted under pid=\"overflow\" and each\n"
"                         series refused in smccctrace_dropped_series_total\n"
"      --web-config FILE  TLS and basic auth for --listen, in the Prometheus\n"
"                         exporter-toolkit web-config.yml format (tls_server_config:\n"
"                         cert_file, key_file; basic_auth_users: bcrypt hashes); the\n"
"                         dynamic build only\n"
"      --user NAME        once attached, run as this user (default: nobody, when\n"
"                         started as root; a user name or UID[:GID])\n"
"  -v, --verbose          explain the attach plan and libbpf messages\n"
"  -h, --help             this help\n"
"  -V, --version          version, libbpf version and build kind (static/dynamic, TLS)\n"
"\n",
	      out);
}

/* the other subcommands */
static void usage_subcommands(FILE *out)
{
	fputs(
"Subcommands:\n"
"  decode ID|NAME|SERVICE...  decode SMCCC function IDs (runs anywhere)\n"
"  probe [--json]             what this kernel lets smccctrace see, and why\n"
"  report FILE [OPTIONS]      render a --record file again, on any machine: text,\n"
"                             --json, -o, --perfetto, --record, filters; --info\n"
"                             shows its header (kernel, plan, clocks, totals);\n"
"                             --psci the PSCI flow view of the recorded calls\n"
"  top [-p PID]... [OPTIONS]  a live full-screen view, like kvm_stat: calls per\n"
"                             VM, vCPU and function, rates, dispositions,\n"
"                             latencies; keys sort, filter, regroup; -b batch\n"
"                             frames ('smccctrace top --help')\n"
"  psci [-p PID]... [OPTIONS] the PSCI flow: each vCPU's power states, CPU_ON\n"
"                             results, AFFINITY_INFO polls, PSCI calls the VMM\n"
"                             answered, anomalies ('smccctrace psci --help')\n"
"\n",
	      out);
}

/* one line each, the commonest uses first */
static void usage_examples(FILE *out)
{
	fputs(
"Examples:\n"
"  smccctrace -p $(pidof qemu-system-aarch64)    # every call of that VMM's guests\n"
"  smccctrace -g vm1 --wait                      # guest vm1 (-name guest=vm1), now or later\n"
"  smccctrace -p 1234 --func psci                # PSCI only\n"
"  smccctrace -p 1234 --disposition forwarded    # calls the VMM answers\n"
"  smccctrace -p 1234 --json -d 10 > calls.jsonl # 10 s of JSON Lines\n"
"  smccctrace -p 1234 -s                         # counts and latencies, at Ctrl-C\n"
"  smccctrace -p 1234 -s --by vcpu,func -i 5 -T  # every 5 s, per vCPU and function\n"
"  smccctrace -p 1234 -s --json -i 10            # one JSON document per 10 s\n"
"  smccctrace -p 1234 -s --by site,func --guest-kallsyms kallsyms.txt  # per call site\n"
"  smccctrace -p 1234 --record rec.bin          # record now ...\n"
"  smccctrace report rec.bin --perfetto t.json   # ... a timeline later, anywhere\n"
"  smccctrace report rec.bin --guest-kallsyms guest-kallsyms.txt  # PCs as symbols\n"
"  smccctrace psci -p 1234 --on-timeout 200      # which vCPU did not come up, and why\n"
"  smccctrace top -p 1234                        # live, full screen, like kvm_stat\n"
"  smccctrace --listen 127.0.0.1:9464            # a Prometheus exporter, all VMMs\n"
"  smccctrace decode 0xc4000003                  # -> PSCI_CPU_ON (SMC64)\n",
	      out);
}

void trace_usage(FILE *out)
{
	usage_synopsis(out);
	usage_select_and_output(out);
	usage_symbols_plan_exporter(out);
	usage_subcommands(out);
	usage_examples(out);
}
