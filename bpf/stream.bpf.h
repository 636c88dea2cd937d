/* SPDX-License-Identifier: GPL-2.0 */
/* The stream's full snapshot of a trap, and the delivery of a finished call: the
 * disposition filter, then counted (summary.bpf.h) or sent to the ring buffer.
 * Included by smccctrace.bpf.c only, after summary.bpf.h. */
#ifndef STREAM_BPF_H
#define STREAM_BPF_H

static __always_inline void submit(struct call_slot *in)
{
	struct smccc_event *src = &in->ev;

	if (src->missing & EVM_DISPOSITION) {
		/* kvm, denied or refused, unknown which: kept unless all three are filtered out */
		if (!(disposition_mask & ~(1 << DISP_FORWARDED)))
			return;
	} else if (!(disposition_mask & (1 << src->disposition))) {
		return;
	}
	if (aggregate) {
		aggregate_call(in);
		return;
	}
	/*
	 * A wakeup per call cost more than the call's record (docs/performance.md): the
	 * reader is woken once a batch has built up (counting this record), and polls
	 * every 100 ms anyway. One helper reserves, copies and commits: the steps of
	 * reserve, a copy in BPF and submit, in one call and without the program's copy.
	 */
	if (bpf_ringbuf_output(&events, src, sizeof(*src),
			       bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + sizeof(*src) >= wakeup_bytes ?
			       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP))
		count_lost(LOST_RING_BUFFER);
}

/*
 * A forwarded call the VMM will never answer: its vCPU (or VM) is being destroyed, or
 * the vCPU trapped again without a re-entry we saw. Emitted now, unanswered, with
 * the time from the exit to the VMM until it was given up.
 */
static __always_inline void emit_abandoned(struct call_slot *in, __u64 now)
{
	in->ev.flags |= EVF_VMM_GONE | EVF_ABANDONED;
	in->ev.vmm_ns = in->exit_ts && now > in->exit_ts ? now - in->exit_ts : 0;
	__builtin_memset(in->ev.ret, 0, sizeof(in->ev.ret));
	submit(in);
	in->state = CALL_IDLE;
}

/* The stream: the full snapshot */
static __always_inline void trap_full(enum kread how, struct call_slot *in, struct kvm_vcpu *vcpu, __u32 tgid,
				      __u32 tid, __u8 conduit)
{
	struct smccc_event *ev = &in->ev;
	__u32 vm = ev->vm, vcpu_id = ev->vcpu, esr;

	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts_ns = bpf_ktime_get_ns();
	ev->pid = tgid;
	ev->tid = tid;
	ev->vcpu = vcpu_id;
	ev->vm = vm;
	ev->conduit = conduit;
	esr = (__u32)KREAD(how, vcpu, arch.fault.esr_el2);
	ev->esr = esr;
	ev->imm = esr & 0xffff;
	ev->insn_bits = esr & ESR_IL ? 32 : 16;
	ev->pstate = KREAD(how, vcpu, arch.ctxt.regs.pstate);
	if (ev->pstate & PSR_MODE32_BIT)
		ev->isa = ev->pstate & PSR_AA32_T_BIT ? ISA_T32 : ISA_A32;
	else
		ev->isa = ISA_A64;
	ev->nr_args = nr_args > SMCCC_MAX_ARGS ? SMCCC_MAX_ARGS : nr_args;
	read_regs(how, vcpu, ev->regs, SMCCC_NR_REGS);
	ev->pc = trap_pc(how, vcpu, conduit, esr, ev->isa != ISA_A64);
	ev->cntvoff = vcpu_cntvoff(how, vcpu, &ev->missing);
	if (ev->isa != ISA_A64)
		clip_aarch32(ev->regs, SMCCC_NR_REGS);
}

#endif
