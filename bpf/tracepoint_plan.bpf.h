/* SPDX-License-Identifier: GPL-2.0 */
/* The tracepoint-only plan's programs: included by smccctrace.bpf.c only, after the
 * helpers they share with the function plans (submit(), tgid_traced(), ...). */
#ifndef TRACEPOINT_PLAN_BPF_H
#define TRACEPOINT_PLAN_BPF_H

/*
 * Tracepoint-only flavour: for kernels where KVM's functions cannot be hooked at
 * all (inlined, or no kprobes). The stable kvm tracepoints carry no vcpu pointer,
 * so this plan sees less: no arguments, no results, no vcpu_id, the function ID and
 * immediate of HVCs only (kvm_hvc_arm64 has no SMC twin), and no difference between
 * handled, denied and refused calls. smccc_event.missing says so per call.
 *
 *   kvm_exit (HVC/SMC class)  the trap: time, PC, conduit, AArch32 or AArch64
 *   kvm_hvc_arm64             x0 and the immediate, HVC only
 *   kvm_userspace_exit        forwarded (KVM_EXIT_HYPERCALL) or a system event
 *   kvm_entry                 the vCPU runs the guest again: the call is complete
 */
static __always_inline struct call_slot *tp_call(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	return bpf_map_lookup_elem(&tp_calls, &tid);
}

/* A call whose function ID this plan cannot see never matches --func. */
static __always_inline void tp_submit(struct call_slot *in)
{
	if (in->ev.missing & EVM_FUNC ? nr_func_ranges : !func_traced(in->ev.regs[0]))
		return;
	submit(in);
}

SEC("tp_btf/kvm_exit")
int BPF_PROG(tp_exit, int ret, unsigned int esr_ec, unsigned long vcpu_pc)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
	__u8 conduit;
	struct call_slot *in;
	struct smccc_event *ev;

	/* IRQ and SError exits report the previous trap's stale exception class */
	if ((ret & ~ARM_EXIT_WITH_SERROR) != ARM_EXCEPTION_TRAP)
		return 0;
	if (esr_ec == ESR_EC_HVC64 || esr_ec == ESR_EC_HVC32)
		conduit = CONDUIT_HVC;
	else if (esr_ec == ESR_EC_SMC64 || esr_ec == ESR_EC_SMC32)
		conduit = CONDUIT_SMC;
	else
		return 0;
	if (!tgid_traced(tgid, tid) || !(conduit_mask & (1 << conduit)))
		return 0;
	if (bpf_map_update_elem(&tp_calls, &tid, &empty_slot, BPF_ANY)) {
		count_lost(LOST_CALL_STATE);
		return 0;
	}
	in = bpf_map_lookup_elem(&tp_calls, &tid);
	if (!in)
		return 0;
	ev = &in->ev;
	ev->ts_ns = bpf_ktime_get_ns();
	ev->pid = tgid;
	ev->tid = tid;
	ev->conduit = conduit;
	ev->insn_bits = 32;	/* every HVC and SMC encoding (A64, A32, T32) is 32-bit */
	ev->isa = esr_ec == ESR_EC_HVC64 || esr_ec == ESR_EC_SMC64 ? ISA_A64 : ISA_A32;
	ev->esr = esr_ec << 26;
	/* the HVC's preferred return is the next instruction; a trapped SMC's is itself */
	ev->pc = conduit == CONDUIT_HVC ? vcpu_pc - 4 : vcpu_pc;
	ev->missing = EVM_ARGS | EVM_RET | EVM_VCPU | EVM_DISPOSITION | EVM_FUNC | EVM_IMM | EVM_GUEST_CLOCK;
	if (ev->isa != ISA_A64) {
		ev->missing |= EVM_ISA;
		ev->pc = (__u32)ev->pc;
	}
	in->state = CALL_IN_HANDLER;
	return 0;
}

SEC("tp_btf/kvm_hvc_arm64")
int BPF_PROG(tp_hvc, unsigned long vcpu_pc, unsigned long r0, unsigned long imm)
{
	struct call_slot *in = tp_call();

	if (!in || in->state != CALL_IN_HANDLER)
		return 0;
	in->ev.regs[0] = r0;
	in->ev.imm = (__u16)imm;
	in->ev.missing &= ~(EVM_FUNC | EVM_IMM);
	if (in->ev.isa != ISA_A64)
		in->ev.regs[0] = (__u32)r0;
	return 0;
}

SEC("tp_btf/kvm_userspace_exit")
int BPF_PROG(tp_userspace_exit, __u32 reason, int err)
{
	struct call_slot *in = tp_call();

	if (!in || in->state != CALL_IN_HANDLER)
		return 0;
	in->exit_ts = bpf_ktime_get_ns();
	in->ev.kvm_ns = in->exit_ts - in->ev.ts_ns;
	if (reason == KVM_EXIT_HYPERCALL) {
		in->ev.disposition = DISP_FORWARDED;
		in->ev.missing &= ~EVM_DISPOSITION;
		in->state = CALL_FORWARDED;
	} else if (reason == KVM_EXIT_SYSTEM_EVENT) {
		/* SYSTEM_OFF/RESET: the vCPU may never run again, so the call ends here */
		__u32 tid = (__u32)bpf_get_current_pid_tgid();

		in->ev.disposition = DISP_KVM;
		in->ev.missing &= ~EVM_DISPOSITION;
		in->ev.flags |= EVF_SYSTEM_EVENT;
		tp_submit(in);
		bpf_map_delete_elem(&tp_calls, &tid);
	}
	return 0;
}

SEC("tp_btf/kvm_entry")
int BPF_PROG(tp_entry, unsigned long vcpu_pc)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct call_slot *in = bpf_map_lookup_elem(&tp_calls, &tid);
	__u64 now = bpf_ktime_get_ns();

	if (!in)
		return 0;
	if (in->state == CALL_FORWARDED)
		in->ev.vmm_ns = now - in->exit_ts;
	else if (!in->exit_ts)
		in->ev.kvm_ns = now - in->ev.ts_ns;
	tp_submit(in);
	bpf_map_delete_elem(&tp_calls, &tid);
	return 0;
}

#endif
