/* SPDX-License-Identifier: GPL-2.0 */
/* The counted path (--summary, --listen, top): the trap's few fields and the "stats"
 * map's update. Included by smccctrace.bpf.c only, after kernel_read.bpf.h and
 * call_state.bpf.h. */
#ifndef SUMMARY_BPF_H
#define SUMMARY_BPF_H

static __always_inline void latency_add(struct latency *l, __u64 ns)
{
	__u32 slot = agg_hist_slot(ns);

	l->count++;
	l->sum_ns += ns;
	if (ns > l->max_ns)
		l->max_ns = ns;
	if (slot < AGG_HIST_SLOTS)	/* always: for the verifier */
		l->slots[slot]++;
}

/*
 * The value returned by an atomic add makes it a full barrier on arm64 (LDADDAL, or
 * LL/SC and DMB ISH), which the seqlock needs; an add whose result is unused is not.
 * A key has one writer, the vCPU's thread (KVM_RUN holds vcpu->mutex), so the odd
 * seq it returns when opening means a broken assumption, not a race to lose.
 */
static __always_inline bool seq_bump(__u64 *seq)
{
	__u64 old = __sync_fetch_and_add(seq, 1);

	asm volatile("" : : "r"(old));	/* keep the fetch, hence the barrier, where the result is unused */
	return old & 1;
}

/* The summary key's function: the ID if the decoder knows it, else its service's
 * representative with key->folded set (smccc_summary_func() in userspace). */
static __always_inline void summary_func(struct agg_key *key, __u32 id)
{
	__u32 known = (id & SMCCC_FAST_BIT) ? id & ~SMCCC_SVE_HINT_BIT : id;
	__u32 canon = smccc_fold_canonical(id);

	key->func_id = id;
	if (bpf_map_lookup_elem(&known_funcs, &known))
		return;
	key->folded = 1;
	key->func_id = smccc_fold_catch_all(id);
	if (!(id & SMCCC_FAST_BIT) || (id & SMCCC_FAST_MBZ_BITS))
		return;
	for (int i = 0; i < SMCCC_MAX_FOLD_BLOCKS; i++) {
		if (i >= nr_fold_blocks)
			break;
		if (canon >= fold_blocks[i].lo && canon <= fold_blocks[i].hi) {
			key->func_id = fold_blocks[i].lo;
			return;
		}
	}
}

/*
 * The summary function of x0, from the vCPU's slot when its last call had the same x0:
 * known_funcs and fold_blocks do not change once the programs are attached, so the
 * answer is the same, and a cold map lookup is one of the dearest steps of a counted
 * call (docs/performance.md, "what bounds it").
 */
static __always_inline void summary_func_cached(struct call_slot *in, struct agg_key *key, __u32 id)
{
	if (in->summary_cached && in->summary_x0 == id) {
		key->func_id = in->summary_func;
		key->folded = in->summary_folded;
		return;
	}
	summary_func(key, id);
	in->summary_x0 = id;
	in->summary_func = key->func_id;
	in->summary_folded = key->folded;
	in->summary_cached = 1;
}

/* --summary: count the call under the current epoch (see the "stats" map). */
static __always_inline void aggregate_call(struct call_slot *in)
{
	const struct smccc_event *ev = &in->ev;
	struct agg_map_key mk;
	struct agg_value *v;

	__builtin_memset(&mk, 0, sizeof(mk));
	mk.key.pid = ev->pid;
	mk.key.vm = ev->vm;
	mk.key.vcpu = ev->vcpu;
	summary_func_cached(in, &mk.key, (__u32)ev->regs[0]);
	mk.key.disposition = ev->disposition;
	if (aggregate_pc)
		mk.key.pc = ev->pc;
	/* a second try when userspace closed the epoch under us */
	for (int try = 0; try < 2; try++) {
		mk.epoch = *(volatile __u32 *)&agg_epoch;
		v = bpf_map_lookup_elem(&stats, &mk);
		if (!v) {
			bpf_map_update_elem(&stats, &mk, &zero_value, BPF_NOEXIST);
			v = bpf_map_lookup_elem(&stats, &mk);
			if (!v)
				break;	/* the map is full */
		}
		if (seq_bump(&v->seq)) {
			seq_bump(&v->seq);
			break;
		}
		/* read again inside the seqlock: userspace may have closed the epoch */
		if (*(volatile __u32 *)&agg_epoch == mk.epoch) {
			v->stats.count++;
			if (ev->flags & EVF_VMM_GONE)
				v->stats.unanswered++;
			if (ev->flags & EVF_PARKED)
				v->stats.parked++;
			latency_add(&v->stats.kvm, ev->kvm_ns);
			if (smccc_vmm_round_trip(ev->disposition, ev->flags))
				latency_add(&v->stats.vmm, ev->vmm_ns);
			seq_bump(&v->seq);
			return;
		}
		seq_bump(&v->seq);
	}
	count_lost(LOST_STATS);
}

/*
 * --summary, --listen: the trap of a call that is only counted. What the counts need
 * (pid, function ID, conduit, times; an SMC's immediate, which decides whether it
 * reaches the dispatcher) goes straight into the vCPU's slot; the registers, PC,
 * PSTATE and results are the stream's.
 */
static __always_inline void trap_counted(enum kread how, struct call_slot *in, struct kvm_vcpu *vcpu, __u32 tgid,
					 __u32 tid, __u32 func_id, __u8 conduit)
{
	in->ev.ts_ns = bpf_ktime_get_ns();
	in->ev.kvm_ns = 0;
	in->ev.vmm_ns = 0;
	in->ev.regs[0] = func_id;
	in->ev.pid = tgid;
	in->ev.tid = tid;
	in->ev.conduit = conduit;
	in->ev.imm = conduit == CONDUIT_SMC ? (__u16)KREAD(how, vcpu, arch.fault.esr_el2) : 0;
	in->ev.disposition = 0;
	in->ev.flags = 0;
	if (aggregate_pc)	/* --by site */
		in->ev.pc = trap_pc(how, vcpu, conduit, (__u32)KREAD(how, vcpu, arch.fault.esr_el2),
				    KREAD(how, vcpu, arch.ctxt.regs.pstate) & PSR_MODE32_BIT);
}

#endif
