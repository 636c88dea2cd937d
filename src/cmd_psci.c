/* `smccctrace psci [-p PID]... [OPTIONS]`: the live tracer (src/tracer.c) with the PSCI
 * flow view (src/sink_psci.c) as its output. It is `smccctrace --psci`: one tracer,
 * one option parser; this only gives the view its own name and help. */
#include "cmd_psci.h"


#include "psci_flow.h"
#include "tracer.h"

#define STR(x) #x
#define DEFAULT(x) "(" STR(x) ")"

void psci_usage(FILE *out)
{
	fputs(
"Usage: smccctrace psci [-p PID]... [OPTIONS]\n"
"       smccctrace report FILE --psci [OPTIONS]\n"
"\n"
"The PSCI flow of KVM guests, for debugging vCPU bring-up and hotplug:\n"
"  - each vCPU's power-state timeline, off -> on_pending -> on -> off: CPU_ON (target\n"
"    MPIDR and its vCPU, entry point, context id, result), the target's first call\n"
"    after it, CPU_OFF, CPU_SUSPEND, SYSTEM_OFF, SYSTEM_RESET/RESET2, MIGRATE;\n"
"  - AFFINITY_INFO polls: who asked about whom, how many times, for how long;\n"
"  - the PSCI calls the VMM answered (SMCCC filter FWD_TO_USER), with its round trip;\n"
"  - anomalies: cpu_on_failed (any PSCI error), cpu_on_timeout, affinity_poll,\n"
"    slow_vmm, call_while_off;\n"
"  - hotplug operations: each offline (the vCPU's CPU_OFF to the AFFINITY_INFO that\n"
"    answers off) and online (CPU_ON to the target's first call), with its latency\n"
"    and outcome, and per vCPU, per boot and overall: count, p50, max;\n"
"  - boots: SYSTEM_RESET/RESET2 start a new one; counts per boot.\n"
"It is printed when the trace ends (Ctrl-C, -d, or the traced VMM exits): calls the\n"
"VMM answers reach the tracer only when it answers them, so the flow is put in\n"
"order once everything is in.\n"
"\n"
"  -p, --pid PID          follow the guests of this VMM process (repeatable)\n"
"  -g, --guest NAME       ... of the VMMs of this guest name (repeatable)\n"
"      --on-timeout MS    anomaly: a CPU_ON whose target makes no call within MS\n"
"                         " DEFAULT(PSCI_DEFAULT_ON_TIMEOUT_MS) "\n"
"      --poll-limit N     anomaly: an AFFINITY_INFO poll of more than N calls "
DEFAULT(PSCI_DEFAULT_POLL_LIMIT) "\n"
"      --poll-time MS     ... or lasting more than MS " DEFAULT(PSCI_DEFAULT_POLL_TIME_MS) "\n"
"      --slow-vmm MS      anomaly: the VMM answers a PSCI call after more than MS "
DEFAULT(PSCI_DEFAULT_SLOW_VMM_MS) "\n"
"      --json             JSON Lines (schema: docs/json.md, \"PSCI flow\"); every\n"
"                         record has its wall-clock \"time\" (RFC 3339)\n"
"      --wall-clock       text: TIME as wall-clock time (RFC 3339, UTC), to line\n"
"                         the flow up with the guest's dmesg or the VMM's log\n"
"  -o, --output FILE      write the flow to FILE instead of stdout\n"
"      --record FILE      also save the raw calls, for 'smccctrace report FILE --psci'\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"      --wait             follow a -p process even if it has no KVM file open yet\n"
"      --plan auto|fentry|kprobe\n"
"                         force an attach plan\n"
"  -v, --verbose          explain the attach plan and libbpf messages\n"
"  -h, --help             this help\n"
"\n"
"Examples:\n"
"  smccctrace psci -p $(pidof qemu-system-aarch64)\n"
"  smccctrace psci -p 1234 --on-timeout 200 --json -o flow.jsonl\n"
"  smccctrace report rec.bin --psci --slow-vmm 1\n"
"  smccctrace report rec.bin --psci --wall-clock --on-timeout 5000   # a loaded host\n"
"\n"
"Defaults follow Linux's own limits (docs/psci-walkthrough.md, \"Thresholds\"):\n"
"it waits 5 s for a secondary to come online and polls AFFINITY_INFO for 100 ms\n"
"when it takes one offline; on a loaded host, raise --on-timeout towards 5000.\n",
	      out);
}

int cmd_psci(int argc, char **argv)
{
	return cmd_trace_view(argc, argv, "psci");
}
