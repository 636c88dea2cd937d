/* `smccctrace top [-p PID]... [OPTIONS]`: the live tracer (src/tracer.c) with the top
 * view (src/top_live.c) as its output; `smccctrace --top`, as `psci` is `--psci`: one
 * tracer, one option parser, the view's own name and help. */
#include "cmd_top.h"


#include "tracer.h"

void top_usage(FILE *out)
{
	fputs(
"Usage: smccctrace top [-p PID]... [OPTIONS]\n"
"       smccctrace report FILE --top [OPTIONS]\n"
"\n"
"A full-screen live view of the SMCCC calls of KVM guests, like kvm_stat and top:\n"
"a row per VM, vCPU and function (regroup with --by or the keys), with the calls\n"
"counted since the start, their rate in the last interval, the split by what KVM\n"
"did (kvm, denied, forwarded, refused, reflected) and p50/p99 of the time in KVM\n"
"and of the VMM's round trip (us). Calls are counted in the kernel, as with\n"
"--summary: no call crosses the ring buffer.\n"
"\n"
"  -p, --pid PID          the guests of this VMM process (repeatable; default all)\n"
"  -g, --guest NAME       the VMMs of this guest name (repeatable)\n"
"  -i, --interval SECS    refresh every SECS seconds (default 2)\n"
"  -b, --batch            print plain frames, one after the other, like top -b\n"
"  -n, --iterations N     stop after N frames\n"
"      --by LIST          group rows by pid, guest, vm, vcpu, func, service, site\n"
"                         (the trapping PC; default vm,vcpu,func)\n"
"      --guest-kallsyms FILE, --guest-symbols PID:KIND=FILE, ...\n"
"                         with --by site: name the sites symbol+0xoff (see\n"
"                         smccctrace --help)\n"
"  -o, --output FILE      with -b: write the frames to FILE\n"
"      --func LIST, --vcpu N, --conduit LIST, --disposition LIST, -t TID\n"
"                         count only these calls (in the kernel)\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"      --wait             follow a -p process even if it has no KVM file open yet\n"
"  -v, --verbose          explain the attach plan and libbpf messages\n"
"  -h, --help             this help\n"
"\n"
"Keys: q quit; space pause (counting goes on); s sort by count, rate, KVM p99,\n"
"VMM p99 or key; 1-7 group by pid, vm, vcpu, service, func, guest, site (toggle;\n"
"site when started with --by site); d show\n"
"one disposition (kvm, denied, ...; again: the next one, then all); / filter rows by\n"
"function, service or guest name (part of it, any case; Enter applies); c clear the\n"
"filters; r reset the counts; h the keys.\n"
"\n"
"Examples:\n"
"  smccctrace top -p $(pidof qemu-system-aarch64)\n"
"  smccctrace top -b -n 3 -i 1 --by vcpu,func    # three frames, for a script\n"
"  smccctrace report rec.bin --top               # a recording, at its own pace\n"
"  smccctrace report rec.bin --top -b -i 10      # its frames, 10 s each\n",
	      out);
}

int cmd_top(int argc, char **argv)
{
	return cmd_trace_view(argc, argv, "top");
}
