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
};

struct smccc_func_range {
	__u32 lo, hi;
};

#endif
