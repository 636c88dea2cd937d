/* SPDX-License-Identifier: GPL-2.0 */
/* The record that bpf/smccctrace.bpf.c sends to userspace, one per guest SMCCC call,
 * and the constants both sides agree on. Shared by BPF (vmlinux.h types) and userspace
 * (<linux/types.h>), so only __u* types are used. */
#ifndef SMCCCTRACE_H
#define SMCCCTRACE_H

#define SMCCC_MAX_ARGS		17	/* x1..x17 (SMCCC v1.2 passes up to x17) */
#define SMCCC_NR_REGS		(SMCCC_MAX_ARGS + 1)
#define SMCCC_NR_RESULTS	4	/* x0..x3 as the guest sees them after the call */
#define SMCCC_MAX_FUNC_RANGES	16	/* --func filters, in the kernel */

/* What KVM did with the call. The names are public (JSON "disposition"). */
enum smccc_disposition {
	DISP_KVM = 0,		/* handled in the kernel */
	DISP_DENIED = 1,	/* the VM's SMCCC filter said DENY */
	DISP_FORWARDED = 2,	/* KVM_EXIT_HYPERCALL: the VMM answered */
	DISP_REFUSED = 3,	/* answered -1 without reaching the SMCCC handler (SMC imm != 0) */
	DISP_REFLECTED = 4,	/* nested virtualisation: KVM injected the call into the guest's
				 * own (virtual EL2) hypervisor, which answers it */
	DISP__COUNT,
};

enum smccc_conduit {
	CONDUIT_HVC = 0,
	CONDUIT_SMC = 1,
	CONDUIT__COUNT,
};

enum smccc_isa {
	ISA_A64 = 0,
	ISA_A32 = 1,
	ISA_T32 = 2,
};

/* smccc_event.flags */
#define EVF_SYSTEM_EVENT	(1u << 0)	/* KVM exited with KVM_EXIT_SYSTEM_EVENT (SYSTEM_OFF/RESET): the guest got no result */
#define EVF_VMM_GONE		(1u << 1)	/* forwarded, but the vCPU never re-entered: no result, no vmm_ns */
#define EVF_HANDLER_ERROR	(1u << 2)	/* the SMCCC handler returned an error; KVM set x0 = -1 */
#define EVF_PARKED		(1u << 3)	/* forwarded, and the VMM parked the vCPU: it resumed elsewhere than
						 * after the call (CPU_OFF, then CPU_ON). No result; vmm_ns is the
						 * time it was parked, not a round trip */
#define EVF_ABANDONED		(1u << 4)	/* with EVF_VMM_GONE: emitted when the vCPU or its VM was destroyed
						 * (or the vCPU trapped again unanswered); vmm_ns is the time from
						 * the exit to the VMM until then */
#define EVF_VCPU_REINIT		(1u << 5)	/* the VMM re-initialised this vCPU (KVM_ARM_VCPU_INIT) since its
						 * previous traced call: a VMM reset (QEMU's system_reset, a VMM
						 * that reboots its guest without a PSCI call) */

/* smccc_event.missing: fields this attach plan cannot see on this kernel. Rendered as
 * null with the reason, never as a guessed value. */
#define EVM_ARGS		(1u << 0)	/* x1..x17 */
#define EVM_RET			(1u << 1)	/* x0..x3 after the call */
#define EVM_FUNC		(1u << 2)	/* x0 at the call (function ID) */
#define EVM_IMM			(1u << 3)
#define EVM_VCPU		(1u << 4)	/* vcpu_id and VM number */
#define EVM_ISA			(1u << 5)	/* A32 vs T32 */
#define EVM_DISPOSITION		(1u << 6)	/* kvm vs denied vs refused */
#define EVM_GUEST_CLOCK		(1u << 7)	/* guest_cntvct: the plan sees no vCPU (tracepoints), the
						 * kernel's timer offsets are not known to the planner, or
						 * the host counter could not be calibrated */

/*
 * Where KVM keeps a vCPU's virtual counter offset (CNTVOFF), decided by the planner
 * (src/planner.c) from the kernel's BTF and handed to the BPF program as rodata.
 */
enum vtimer_layout {
	VTIMER_UNKNOWN = 0,	/* none of the below: guest_cntvct is missing */
	VTIMER_SYSREG,		/* before 6.4: vcpu->arch.ctxt.sys_regs[CNTVOFF_EL2] */
	VTIMER_OFFSET_PTRS,	/* 6.4 on: the vtimer context's offset.vm_offset (-> the VM's
				 * timer_data.voffset) plus, where it exists and is set,
				 * offset.vcpu_offset (nested virtualisation) */
};

struct smccc_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC at the trap (exit handler entry) */
	__u64 kvm_ns;		/* time in KVM's exit handler */
	__u64 vmm_ns;		/* forwarded: from the return to the VMM to the vCPU's next KVM_RUN */
	__u64 pc;		/* address of the trapping HVC/SMC */
	__u64 pstate;
	__u64 regs[SMCCC_NR_REGS];	/* x0..x17 at the trap */
	__u64 ret[SMCCC_NR_RESULTS];	/* x0..x3 the guest resumes with */
	__u32 esr;		/* ESR_EL2 of the trap */
	__u32 pid;		/* VMM tgid */
	__u32 tid;		/* vCPU thread */
	__u32 vm;		/* VM number, in order of first sight (never a kernel pointer) */
	__u32 vcpu;		/* vcpu->vcpu_id */
	__u16 imm;		/* ESR_EL2.ISS[15:0] */
	__u8 conduit;		/* enum smccc_conduit */
	__u8 disposition;	/* enum smccc_disposition */
	__u8 isa;		/* enum smccc_isa */
	__u8 insn_bits;		/* 16 or 32 (ESR_EL2.IL) */
	__u8 nr_args;		/* how many of regs[1..] were captured */
	__u8 flags;		/* EVF_* */
	__u16 missing;		/* EVM_*: 0 under the full plans */
	__u8 __pad[2];
	__u64 cntvoff;		/* the vCPU's virtual counter offset at the trap (KVM's timer state) */
	__u64 guest_cntvct;	/* the guest's virtual counter at the trap: the host counter at ts_ns
				 * minus cntvoff, filled in by the tracer (src/guest_clock.c) */
};

/*
 * Calls the tracer could not deliver, by cause: a per-CPU array in the kernel for the
 * causes the BPF programs see (index < LOST__KERNEL), the rest read by userspace from
 * the kernel's own counters. The names are public (src/drops.c, JSON "lost_by_cause",
 * smccctrace_lost_events_total{cause}).
 */
enum lost_cause {
	LOST_RING_BUFFER = 0,	/* ring_buffer_full: the ring buffer had no room */
	LOST_CALL_STATE,	/* call_state_full: no room for a vCPU's call state (vcpu_calls) */
	LOST_STATS,		/* stats_full: --summary's key table had no room */
	LOST_VM_TABLE,		/* vm_table_full: too many VMs alive at once to number */
	LOST__KERNEL,
	LOST_KPROBE_MISSED = LOST__KERNEL,	/* kprobe_missed: a kprobe did not run (nmissed) */
	LOST_RECURSION,		/* recursion_missed: an fentry program did not run (recursion_misses) */
	LOST__COUNT,
};

/*
 * A vCPU's call from its trap to its end: the value of the BPF map vcpu_calls, keyed
 * by the struct kvm_vcpu (tp_calls, keyed by thread, under the tracepoint plan). The
 * tracer reads the forwarded ones still waiting at the end (src/tracer.c).
 */
enum call_state {
	CALL_IDLE = 0,		/* between two calls */
	CALL_TRAPPED,		/* in the exit handler */
	CALL_IN_HANDLER,	/* reached the SMCCC dispatcher (where it is hooked) */
	CALL_FORWARDED,		/* waiting for the VMM to re-enter the vCPU */
};

struct call_slot {
	struct smccc_event ev;	/* first */
	__u64 kvm;		/* the vCPU's struct kvm (a kernel pointer: never rendered) */
	__u64 exit_ts;		/* forwarded: when KVM returned to the VMM */
	__u64 resume_pc;	/* forwarded: where the guest resumes when the VMM answers */
	__u8 state;		/* enum call_state */
	__u8 reinit;		/* KVM_ARM_VCPU_INIT since the last trap: flag the next call */
	/* --summary: the summary function of the vCPU's last x0, kept so that a vCPU
	 * repeating a function (the common case) skips the known_funcs lookup */
	__u8 summary_cached;	/* 1: summary_x0 -> summary_func, summary_folded are set */
	__u8 summary_folded;
	__u32 summary_x0;
	__u32 summary_func;
	__u8 __pad[4];
};

struct smccc_func_range {
	__u32 lo, hi;
};

/*
 * Summary mode (--summary): instead of sending each call to the ring buffer, the BPF
 * program adds it to the hash map "stats", keyed by (VMM pid, VM, vCPU, function,
 * disposition; the trapping PC with --by site) and by the reading epoch; userspace
 * reads and deletes one epoch per interval (src/stats_map.c explains the protocol). The same structs are the
 * userspace aggregation table's rows (src/aggregate.h).
 *
 * Latency histograms are HDR-style: each power of two [2^m, 2^(m+1)) is split into
 * AGG_HIST_SUB equal sub-buckets, and values below 2*AGG_HIST_SUB have a slot each.
 * A sub-bucket is at most 1/AGG_HIST_SUB of its lower bound wide, so a percentile
 * read as the upper bound of its sub-bucket is never below the true value and less
 * than 12.5% above it. The sub-buckets of one power of two add up to its log2 slot,
 * so the print_log2_hist view is exact. Values of 2^AGG_HIST_MAX_LOG2 ns (68.7 s)
 * and above share the last slot; max_ns stays exact.
 */
#define AGG_HIST_SUB_BITS	3
#define AGG_HIST_SUB		(1u << AGG_HIST_SUB_BITS)
#define AGG_HIST_MAX_LOG2	36
#define AGG_HIST_SLOTS		((AGG_HIST_MAX_LOG2 - AGG_HIST_SUB_BITS + 1) * AGG_HIST_SUB)
#define AGG_MAX_KEYS		8192	/* distinct keys per epoch in the kernel */

/* floor(log2(v)), 0 for v = 0; no clz: BPF has no such instruction */
static inline __u32 agg_log2(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	return r | (__u32)(v >> 1);
}

/* The histogram slot of a value in ns: see above. */
static inline __u32 agg_hist_slot(__u64 ns)
{
	__u32 m;

	if (ns < AGG_HIST_SUB)
		return (__u32)ns;
	m = agg_log2(ns);
	if (m >= AGG_HIST_MAX_LOG2)
		return AGG_HIST_SLOTS - 1;
	return (m - AGG_HIST_SUB_BITS + 1) * AGG_HIST_SUB +
	       (__u32)((ns >> (m - AGG_HIST_SUB_BITS)) & (AGG_HIST_SUB - 1));
}

struct agg_key {
	__u32 pid;		/* VMM tgid */
	__u32 vm;
	__u32 vcpu;
	__u32 func_id;		/* folded: the representative of its service (below) */
	__u64 pc;		/* --by site only (else 0): the trapping PC, as smccc_event.pc */
	__u8 disposition;	/* enum smccc_disposition */
	__u8 folded;		/* 1: func_id stands for every unknown ID of its service */
	__u8 __pad[6];		/* zero: keys are compared as bytes */
};

/*
 * Bounded cardinality: a guest chooses x0, so counting every distinct function ID under
 * its own key lets one guest fill the kernel's table and the exporter's page. Only the
 * IDs the decoder knows (src/smccc_table.c) are counted exactly; any other ID is folded
 * into one key per service (agg_key.folded = 1). The key's func_id is then the
 * service's representative: the first ID of the service's block of fast calls (PSCI,
 * SDEI, MM, TRNG, FF-A, PV time: the decoder's blocks, handed to the BPF program as
 * fold_blocks), else its owner's catch-all ID (owner, number 0xffff, a yielding call:
 * the SMC64 bit and the SVE hint dropped; the reserved, trusted app and trusted OS
 * owners as one each). A malformed fast call (bits 23:17 set) counts as reserved.
 * At most 16 folded keys per (pid, VM, vCPU, disposition). The same rule runs in
 * userspace (smccc_summary_func()) for report.
 */
#define SMCCC_FAST_BIT		0x80000000u
#define SMCCC_SMC64_BIT		0x40000000u
#define SMCCC_OWNER_BITS	0x3f000000u
#define SMCCC_SVE_HINT_BIT	0x00010000u
#define SMCCC_FAST_MBZ_BITS	0x00fe0000u
#define SMCCC_FOLD_CATCH_ALL	0xffffu
#define SMCCC_MAX_FOLD_BLOCKS	8

/* The folded func_id of an unknown ID outside every block: its owner's catch-all. */
static inline __u32 smccc_fold_catch_all(__u32 id)
{
	__u32 owner = (id & SMCCC_OWNER_BITS) >> 24;

	if ((id & SMCCC_FAST_BIT) && (id & SMCCC_FAST_MBZ_BITS))
		owner = 7;		/* malformed: reserved */
	else if (owner >= 50)
		owner = 50;		/* trusted OS */
	else if (owner >= 48)
		owner = 48;		/* trusted app */
	else if (owner >= 7)
		owner = 7;		/* reserved */
	return owner << 24 | SMCCC_FOLD_CATCH_ALL;
}

/* An ID as the fold blocks list it: SMC32, without the SVE hint (fast calls only). */
static inline __u32 smccc_fold_canonical(__u32 id)
{
	return id & ~(SMCCC_SMC64_BIT | SMCCC_SVE_HINT_BIT);
}

struct latency {
	__u64 count;
	__u64 sum_ns;
	__u64 max_ns;
	__u64 slots[AGG_HIST_SLOTS];	/* agg_hist_slot() */
};

struct agg_stats {
	__u64 count;		/* calls */
	__u64 unanswered;	/* of which forwarded and never answered (EVF_VMM_GONE) */
	__u64 parked;		/* of which forwarded and parked by the VMM (EVF_PARKED) */
	struct latency kvm;	/* time in KVM's exit handler, every call */
	struct latency vmm;	/* the VMM's round trip, forwarded calls that got an answer */
};

/* A forwarded call's VMM time is a round trip (counted in agg_stats.vmm) unless the
 * call was never answered or the VMM parked its vCPU. */
static inline int smccc_vmm_round_trip(__u8 disposition, __u8 flags)
{
	return disposition == DISP_FORWARDED && !(flags & (EVF_VMM_GONE | EVF_PARKED));
}

/* The "stats" map: one epoch of one key. */
struct agg_map_key {
	struct agg_key key;
	__u32 epoch;		/* the value of agg_epoch the call was counted under */
	__u32 __pad;		/* zero: no implicit padding in a hash key */
};

struct agg_value {
	__u64 seq;		/* odd while the vCPU thread updates stats (a seqlock) */
	struct agg_stats stats;
};

#endif
