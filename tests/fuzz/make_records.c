// SPDX-License-Identifier: GPL-2.0
/*
 * make_records DIR: writes small valid record files (src/record.h) of synthetic
 * traces: the fuzzer's seed corpus, and the fixtures of tests/host/report.sh.
 * Nothing binary is committed; these are generated at build time.
 *
 *   two-vmms.bin   VMM pid 1000 (VM 1, vCPUs 0 and 1) and pid 2000 (VM 2, vCPU 0):
 *                  every disposition, HVC and SMC, a forwarded call, PSCI CPU_ON of
 *                  vCPU 1 followed by its first call, lost calls, SYSTEM_OFF, and a
 *                  forwarded call whose VMM never answered
 *   all-args.bin   x1..x17 captured (--all-args)
 *   tracepoint.bin the tracepoint plan: fields it cannot see are flagged missing
 *   empty.bin      a trace without calls
 *   named.bin      guest names (format 3 PROCESS records): pids 1000 and 3000 are both
 *                  guest "web", 2000 is "db", 4000 has no name
 *   reused.bin     pid reuse: pid 1000 is guest "web" (vCPU 0 turns vCPU 1 on), then
 *                  named again "cache" (another VMM took the pid: its vCPUs 0 and 1);
 *                  2000 is "db" (named twice, the same), 3000 "web" too
 *
 * make_records DIR --many N adds many.bin: N calls on 4 vCPUs, to test size caps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

#define T0 5000000000ull	/* CLOCK_MONOTONIC at the start of the synthetic traces */

static const struct trace_info info = {
	.tool_version = "0.0.0-test",
	.kernel_release = "6.12.95+deb12-arm64",
	.machine = "aarch64",
	.plan = "fentry/fexit",
	.handler = "kvm_smccc_call_handler",
	.hooks = {
		{ "trap hvc", "fentry", "handle_hvc" },
		{ "trap hvc done", "fexit", "handle_hvc" },
		{ "smccc handler", "fentry", "kvm_smccc_call_handler" },
	},
	.nr_hooks = 3,
	.monotonic_ns = T0,
	.realtime_ns = 1793000000000000000ull,
	.boottime_ns = T0 + 1234,
	.cntfrq = 1000000000,
};

struct writer {
	FILE *out;
	const char *path;
	struct record_end end;
	__u8 nr_args;
};

static void die(const char *what, const char *path)
{
	fprintf(stderr, "make_records: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void open_file(struct writer *w, const char *dir, const char *name, __u8 nr_args, const struct trace_info *in)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memset(w, 0, sizeof(*w));
	w->path = path;
	w->nr_args = nr_args;
	w->out = fopen(path, "wb");
	if (!w->out || record_write_start(w->out, in))
		die("cannot write", path);
}

/* One call at t µs after T0 lasting kvm µs (+ vmm µs when forwarded). */
static void call(struct writer *w, __u32 pid, __u32 tid, __u32 vm, __u32 vcpu, __u64 t_us, __u32 func_id,
		 __u64 x1, __u8 conduit, __u16 imm, __u8 disposition, __u64 x0_after, __u64 kvm_us, __u64 vmm_us,
		 __u8 flags)
{
	struct smccc_event ev = {
		.ts_ns = T0 + t_us * 1000,
		.kvm_ns = kvm_us * 1000 + 7,
		.vmm_ns = vmm_us * 1000 + 11,
		.pc = 0x80000000ull + vcpu * 0x10000 + t_us % 0x1000 * 4,
		.pstate = 0x3c5,
		.esr = (conduit ? 0x5e000000u : 0x5a000000u) | 0x02000000u | imm,
		.pid = pid, .tid = tid, .vm = vm, .vcpu = vcpu,
		.imm = imm, .conduit = conduit, .disposition = disposition,
		.isa = ISA_A64, .insn_bits = 32, .nr_args = w->nr_args, .flags = flags,
		/* a VM created 2 s into the host's counter: its counter 1 GHz, 2 s behind */
		.guest_cntvct = T0 + t_us * 1000 - 2000000000ull,
	};

	ev.regs[0] = func_id;
	ev.regs[1] = x1;
	for (int i = 2; i <= w->nr_args; i++)
		ev.regs[i] = (__u64)i << 56 | t_us;
	ev.ret[0] = x0_after;
	if (record_write_call(w->out, &ev))
		die("cannot write", w->path);
	w->end.calls++;
}

static void lost(struct writer *w, __u64 t_us, unsigned cause, __u64 count)
{
	if (record_write_lost(w->out, T0 + t_us * 1000, cause, count))
		die("cannot write", w->path);
	w->end.lost += count;
}

static void close_file(struct writer *w, double duration_s)
{
	w->end.duration_s = duration_s;
	if (record_write_end(w->out, &w->end) || fclose(w->out))
		die("cannot write", w->path);
}

#define HVC CONDUIT_HVC
#define SMC CONDUIT_SMC
#define NOT_SUPPORTED 0xffffffffffffffffull

static void two_vmms(const char *dir)
{
	struct writer w;

	open_file(&w, dir, "two-vmms.bin", 7, &info);
	call(&w, 1000, 1001, 1, 0, 100, 0x80000000, 0, HVC, 0, DISP_KVM, 0x10001, 3, 0, 0);	/* SMCCC_VERSION */
	call(&w, 2000, 2001, 2, 0, 150, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);	/* other VMM */
	call(&w, 1000, 1001, 1, 0, 200, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);	/* PSCI_VERSION */
	call(&w, 1000, 1001, 1, 0, 300, 0x84000050, 0, HVC, 0, DISP_DENIED, NOT_SUPPORTED, 2, 0, 0);	/* TRNG, denied */
	call(&w, 1000, 1001, 1, 0, 400, 0xc2000042, 5, HVC, 0, DISP_FORWARDED, 0xf0d0000000000400ull, 4, 2000, 0);
	call(&w, 1000, 1001, 1, 0, 2500, 0x84000000, 0, SMC, 0x1234, DISP_REFUSED, NOT_SUPPORTED, 1, 0, 0);	/* SMC #0x1234 */
	call(&w, 1000, 1001, 1, 0, 2600, 0xc4000003, 1, HVC, 0, DISP_KVM, 0, 20, 0, 0);		/* CPU_ON vCPU 1 */
	lost(&w, 2650, LOST_RING_BUFFER, 2);
	lost(&w, 2660, LOST_CALL_STATE, 1);
	call(&w, 1000, 1002, 1, 1, 2700, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);	/* vCPU 1's first */
	call(&w, 1000, 1002, 1, 1, 2800, 0x86000000, 0, SMC, 0, DISP_FORWARDED, 0, 3, 500, 0);
	call(&w, 2000, 2001, 2, 0, 2900, 0xc2000043, 0, HVC, 0, DISP_FORWARDED, 0, 3, 0, EVF_VMM_GONE);
	call(&w, 1000, 1001, 1, 0, 3600, 0x84000008, 0, HVC, 0, DISP_KVM, 0, 5, 0, EVF_SYSTEM_EVENT);	/* SYSTEM_OFF */
	close_file(&w, 0.004);
}

static void all_args(const char *dir)
{
	struct writer w;

	open_file(&w, dir, "all-args.bin", 17, &info);
	call(&w, 1000, 1001, 1, 0, 10, 0xc4000003, 1, HVC, 0, DISP_KVM, 0, 20, 0, 0);
	call(&w, 1000, 1002, 1, 1, 50, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);
	close_file(&w, 0.0001);
}

static void tracepoint(const char *dir)
{
	struct trace_info in = info;
	struct smccc_event ev = {
		.ts_ns = T0 + 1000, .kvm_ns = 1500, .pc = 0x80000004, .esr = 0x5a000000,
		.pid = 1000, .tid = 1001, .vm = 1, .conduit = CONDUIT_HVC, .disposition = DISP_KVM,
		.insn_bits = 32, .nr_args = 0,
		.missing = EVM_ARGS | EVM_RET | EVM_VCPU | EVM_ISA | EVM_DISPOSITION | EVM_GUEST_CLOCK,
	};
	struct writer w;

	in.plan = "tracepoints";
	in.handler = "kvm tracepoints";
	in.nr_hooks = 0;
	open_file(&w, dir, "tracepoint.bin", 0, &in);
	ev.regs[0] = 0x84000000;
	if (record_write_call(w.out, &ev))
		die("cannot write", w.path);
	w.end.calls++;
	close_file(&w, 0.5);
}

static void empty(const char *dir)
{
	struct writer w;

	open_file(&w, dir, "empty.bin", 7, &info);
	close_file(&w, 1.25);
}

/* top.bin: three seconds, a different mix in each, for report --top (tests/host/top.sh):
 * 0-1 s: vCPU 0 PSCI_VERSION x3 (kvm); 1-2 s: vCPU 1 SIP_0x0042 x2 (forwarded, one
 * never answered), vCPU 0 TRNG_VERSION (denied); 2-3 s: the other VMM's PSCI_VERSION. */
static void top_fixture(const char *dir)
{
	struct writer w;

	open_file(&w, dir, "top.bin", 7, &info);
	for (int i = 0; i < 3; i++)
		call(&w, 1000, 1001, 1, 0, 100000 + 200000 * i, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2 + i, 0, 0);
	call(&w, 1000, 1002, 1, 1, 1100000, 0xc2000042, 1, HVC, 0, DISP_FORWARDED, 0, 4, 3000, 0);
	call(&w, 1000, 1001, 1, 0, 1200000, 0x84000050, 0, HVC, 0, DISP_DENIED, NOT_SUPPORTED, 2, 0, 0);
	call(&w, 1000, 1002, 1, 1, 1500000, 0xc2000042, 2, HVC, 0, DISP_FORWARDED, 0, 4, 0, EVF_VMM_GONE);
	call(&w, 2000, 2001, 2, 0, 2500000, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);
	close_file(&w, 3.0);
}

static void named(const char *dir)
{
	struct writer w;

	open_file(&w, dir, "named.bin", 7, &info);
	if (record_write_process(w.out, 1000, "web") || record_write_process(w.out, 2000, "db"))
		die("cannot write", w.path);
	call(&w, 1000, 1001, 1, 0, 100, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);
	call(&w, 2000, 2001, 2, 0, 200, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);
	call(&w, 1000, 1001, 1, 0, 300, 0xc4000003, 1, HVC, 0, DISP_KVM, 0, 3, 0, 0);
	call(&w, 1000, 1002, 1, 1, 400, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);
	if (record_write_process(w.out, 3000, "web"))
		die("cannot write", w.path);
	call(&w, 3000, 3001, 3, 0, 500, 0xc2000042, 0, HVC, 0, DISP_FORWARDED, 0, 4, 100, 0);
	call(&w, 4000, 4001, 4, 0, 600, 0x84000000, 0, HVC, 0, DISP_DENIED, NOT_SUPPORTED, 2, 0, 0);
	call(&w, 2000, 2001, 2, 0, 700, 0x84000050, 0, HVC, 0, DISP_KVM, 0x10000, 2, 0, 0);
	close_file(&w, 0.001);
}

static void process(struct writer *w, __u32 pid, const char *guest)
{
	if (record_write_process(w->out, pid, guest))
		die("cannot write", w->path);
}

/* the calls' guests, in order: web web db cache cache cache db web */
static void reused(const char *dir)
{
	struct writer w;

	open_file(&w, dir, "reused.bin", 7, &info);
	process(&w, 1000, "web");
	call(&w, 1000, 1001, 1, 0, 100, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);
	call(&w, 1000, 1001, 1, 0, 200, 0xc4000003, 1, HVC, 0, DISP_KVM, 0, 3, 0, 0);	/* CPU_ON vCPU 1 */
	process(&w, 2000, "db");
	call(&w, 2000, 2001, 2, 0, 300, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);
	process(&w, 1000, "cache");	/* web exited before its vCPU 1 ran; pid 1000 is another VMM */
	call(&w, 1000, 1001, 1, 0, 400, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 4, 0, 0);
	call(&w, 1000, 1002, 1, 1, 500, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 5, 0, 0);
	call(&w, 1000, 1001, 1, 0, 600, 0x84000050, 0, HVC, 0, DISP_DENIED, NOT_SUPPORTED, 6, 0, 0);
	process(&w, 2000, "db");	/* a writer may repeat a name */
	call(&w, 2000, 2001, 2, 0, 650, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);
	process(&w, 3000, "web");
	call(&w, 3000, 3001, 3, 0, 700, 0x84000000, 0, HVC, 0, DISP_KVM, 0x10001, 2, 0, 0);
	close_file(&w, 0.001);
}

static void many(const char *dir, unsigned long n)
{
	struct writer w;

	open_file(&w, dir, "many.bin", 7, &info);
	for (unsigned long i = 0; i < n; i++) {
		__u32 vcpu = (__u32)(i % 4);

		call(&w, 1000, 1001 + vcpu, 1, vcpu, 10 * i, i % 3 ? 0x84000000 : 0xc2000001, i, HVC, 0,
		     i % 3 ? DISP_KVM : DISP_FORWARDED, 0, 2, 3, 0);
	}
	close_file(&w, (double)n / 1e5);
}

int main(int argc, char **argv)
{
	if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "--many"))) {
		fprintf(stderr, "usage: make_records DIR [--many N]\n");
		return 2;
	}
	two_vmms(argv[1]);
	all_args(argv[1]);
	tracepoint(argv[1]);
	empty(argv[1]);
	top_fixture(argv[1]);
	named(argv[1]);
	reused(argv[1]);
	if (argc == 4)
		many(argv[1], strtoul(argv[3], NULL, 0));
	return 0;
}
