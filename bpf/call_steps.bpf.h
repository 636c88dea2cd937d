/* SPDX-License-Identifier: GPL-2.0 */
/* The steps of one call, shared by the fentry/fexit and kprobe programs: the trap, the
 * dispatcher, the trap's exit, the exit to the VMM and its answer. Included by
 * smccctrace.bpf.c only, after stream.bpf.h. */
#ifndef CALL_STEPS_BPF_H
#define CALL_STEPS_BPF_H

/* The guest trapped on HVC or SMC: take the snapshot the rest of the call builds on.
 * Returns 1 when the call is traced. */
static __always_inline int on_trap(enum kread how, struct kvm_vcpu *vcpu, __u8 conduit)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct call_slot *in;
	__u32 func_id;

	if (!tgid_traced(tgid, tid))
		return 0;
	if (!(conduit_mask & (1 << conduit)))
		return 0;
	if (filter_vcpu >= 0 && KREAD(how, vcpu, vcpu_id) != filter_vcpu)
		return 0;
	func_id = (__u32)KREAD(how, vcpu, arch.ctxt.regs.regs[0]);
	if (!func_traced(func_id))
		return 0;
	in = slot_of(vcpu);
	if (!in)
		in = open_slot(how, vcpu);
	if (!in)
		return 0;
	if (in->state == CALL_FORWARDED)
		emit_abandoned(in, bpf_ktime_get_ns());
	if (aggregate)
		trap_counted(how, in, vcpu, tgid, tid, func_id, conduit);
	else
		trap_full(how, in, vcpu, tgid, tid, conduit);
	if (in->reinit)
		in->ev.flags |= EVF_VCPU_REINIT;
	in->reinit = 0;
	in->exit_ts = 0;
	in->resume_pc = 0;
	in->state = CALL_TRAPPED;
	return 1;
}

/*
 * x0 after the call is SMCCC's NOT_SUPPORTED (-1; its low half for an AArch32 caller):
 * what a call the VM's filter denied returns, and so the only result for which the
 * filter is walked.
 */
static __always_inline bool returned_not_supported(enum kread how, struct kvm_vcpu *vcpu)
{
	return (__u32)KREAD(how, vcpu, arch.ctxt.regs.regs[0]) == 0xffffffffu;
}

/*
 * What KVM did with a call that reached the SMCCC dispatcher, from what the dispatcher
 * returned (ret) and the state it left: handled (1), by KVM or denied by the VM's
 * filter; an error (< 0); or an exit to the VMM (0), forwarded or a system event.
 */
static __always_inline void dispose(enum kread how, struct call_slot *in, struct kvm_vcpu *vcpu, int ret)
{
	struct kvm_run *run;
	__u32 reason, esr;
	__u64 pc;

	if (ret > 0) {
		/* the filter is the only witness of a DENY, which answers NOT_SUPPORTED
		 * like an unknown function (docs/design.md) */
		if (returned_not_supported(how, vcpu) &&
		    filter_action((struct kvm *)in->kvm, (__u32)in->ev.regs[0]) == FILTER_DENY)
			in->ev.disposition = DISP_DENIED;
		else
			in->ev.disposition = DISP_KVM;
		return;
	}
	if (ret < 0) {
		in->ev.flags |= EVF_HANDLER_ERROR;
		in->ev.disposition = DISP_KVM;
		return;
	}
	run = KREAD(how, vcpu, run);
	reason = KREAD(how, run, exit_reason);
	if (reason == KVM_EXIT_HYPERCALL) {
		in->ev.disposition = DISP_FORWARDED;
		in->state = CALL_FORWARDED;
		/* an answered call resumes after the HVC/SMC: the HVC's PC is already past
		 * it, the SMC's increment is still pending (see trap_full) */
		pc = KREAD(how, vcpu, arch.ctxt.regs.pc);
		esr = (__u32)KREAD(how, vcpu, arch.fault.esr_el2);
		in->resume_pc = in->ev.conduit == CONDUIT_HVC ? pc : pc + (esr & ESR_IL ? 4 : 2);
	} else {
		/* PSCI SYSTEM_OFF/RESET/SUSPEND: KVM decided, the VMM is told. */
		in->ev.disposition = DISP_KVM;
		if (reason == KVM_EXIT_SYSTEM_EVENT)
			in->ev.flags |= EVF_SYSTEM_EVENT;
	}
}

/* Where the dispatcher is hooked (dispatcher_hooked): the call reached it. */
static __always_inline int on_handler_entry(struct kvm_vcpu *vcpu)
{
	struct call_slot *in = slot_of(vcpu);

	if (in && in->state == CALL_TRAPPED)
		in->state = CALL_IN_HANDLER;
	return 0;
}

static __always_inline int on_handler_exit(enum kread how, struct kvm_vcpu *vcpu, int ret)
{
	struct call_slot *in = slot_of(vcpu);

	if (in && in->state == CALL_IN_HANDLER)
		dispose(how, in, vcpu, ret);
	return 0;
}

/*
 * Whether a call reached the dispatcher, told at the trap's exit: on the kernels
 * where the planner leaves the dispatcher unhooked, every HVC does, and an SMC when
 * its immediate is 0 (handle_smc answers the others -1 itself).
 */
static __always_inline bool reaches_dispatcher(const struct call_slot *in)
{
	return in->ev.conduit == CONDUIT_HVC || in->ev.imm == 0;
}

/*
 * A trap that never reached the SMCCC dispatcher. On a vCPU with virtual EL2
 * (nested virtualisation) KVM injects every HVC, and an SMC #0 the guest hypervisor
 * traps (HCR_EL2.TSC), into the guest's own hypervisor: reflected, answered there, so
 * no result is visible yet. Otherwise KVM refused it (-1 in x0; SMC #imm != 0).
 */
static __always_inline void not_dispatched(struct call_slot *in)
{
	struct kvm *kvm = (struct kvm *)in->kvm;	/* a kernel pointer: CO-RE applies to *kvm, not to in */
	unsigned long features = 0;

	if (bpf_core_field_exists(struct kvm_arch, vcpu_features))
		features = BPF_CORE_READ(kvm, arch.vcpu_features[0]);
	if (features & (1ul << KVM_ARM_VCPU_HAS_EL2) &&
	    (in->ev.conduit == CONDUIT_HVC || in->ev.imm == 0)) {
		in->ev.disposition = DISP_REFLECTED;
		if (!aggregate)	/* a kept summary entry's missing bits are not reset per call */
			in->ev.missing |= EVM_RET;
	} else {
		in->ev.disposition = DISP_REFUSED;
	}
}

/* The exit handler returns ret: the call is complete unless the VMM has it. Returns
 * 1 when the call went to the VMM (the thread remembers the vCPU for its exit). */
static __always_inline int on_trap_done(enum kread how, struct kvm_vcpu *vcpu, int ret)
{
	struct call_slot *in = slot_of(vcpu);
	__u64 now = bpf_ktime_get_ns();

	if (!in || in->state == CALL_IDLE)
		return 0;
	in->ev.kvm_ns = now - in->ev.ts_ns;
	if (in->state == CALL_TRAPPED) {
		/* the handler's hooks did not see it, or there are none */
		if (!dispatcher_hooked && reaches_dispatcher(in))
			dispose(how, in, vcpu, ret);
		else
			not_dispatched(in);
	}
	if (in->state == CALL_FORWARDED) {
		in->exit_ts = now;
		remember_vcpu(vcpu);
		return 1;
	}
	if (!aggregate && !(in->ev.flags & EVF_SYSTEM_EVENT))
		read_results(how, vcpu, &in->ev);
	submit(in);
	in->state = CALL_IDLE;
	return 0;
}

/* Forwarded: the VMM has the exit now. */
static __always_inline int on_userspace_exit(__u32 reason)
{
	struct kvm_vcpu *vcpu = remembered_vcpu();
	struct call_slot *in;

	if (!vcpu)
		return 0;
	forget_vcpu();
	in = slot_of(vcpu);
	if (in && in->state == CALL_FORWARDED && reason == KVM_EXIT_HYPERCALL)
		in->exit_ts = bpf_ktime_get_ns();
	return 0;
}

/*
 * The VMM re-enters a vCPU. If that vCPU has a forwarded call, x0..x3 are the VMM's
 * answer, unless the vCPU resumes elsewhere than after the call: then the VMM parked
 * it (a forwarded CPU_OFF, restarted by a CPU_ON at its entry point) and the time
 * since the exit is the time it was off, not a round trip.
 */
static __always_inline int on_run_entry(enum kread how, struct kvm_vcpu *vcpu)
{
	struct call_slot *in = slot_of(vcpu);
	__u64 pc;

	if (!in || in->state != CALL_FORWARDED)
		return 0;
	in->ev.vmm_ns = bpf_ktime_get_ns() - in->exit_ts;
	pc = KREAD(how, vcpu, arch.ctxt.regs.pc);
	if (in->ev.isa != ISA_A64 ? (__u32)pc != (__u32)in->resume_pc : pc != in->resume_pc)
		in->ev.flags |= EVF_PARKED;
	else if (!aggregate)
		read_results(how, vcpu, &in->ev);
	submit(in);
	in->state = CALL_IDLE;
	return 0;
}

#endif
