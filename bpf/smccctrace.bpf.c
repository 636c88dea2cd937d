// SPDX-License-Identifier: GPL-2.0
/*
 * smccctrace: capture every SMCCC call (HVC/SMC) that a KVM guest makes.
 *
 * One call is assembled from several hooks on the vCPU thread that handles it:
 *
 *   handle_hvc/handle_smc entry   the trap: registers, ESR, PC, PSTATE, time
 *   SMCCC handler entry           the call reached KVM's SMCCC dispatcher; the VM's
 *                                 filter action is looked up here
 *   SMCCC handler exit            handled (1), or exit to the VMM (0): which exit
 *   handle_hvc/handle_smc exit    the call is finished unless it went to the VMM
 *   kvm_userspace_exit            forwarded: the moment the VMM gets the exit
 *   kvm_arch_vcpu_ioctl_run entry forwarded: the VMM re-enters; x0..x3 hold its answer
 *
 * Which kernel function each program attaches to, and whether as fentry/fexit or as
 * kprobe, is decided by the attach planner in src/planner.c; these programs only
 * describe what to do at each point.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "smccctrace.h"

char LICENSE[] SEC("license") = "GPL";

/* Filters, set by userspace before load. Applied here so that untraced calls cost
 * only a map lookup and never reach the ring buffer. */
const volatile bool filter_tgid = false;	/* only tgids in traced_tgids */
const volatile __u32 filter_tid = 0;
const volatile __s32 filter_vcpu = -1;
const volatile __u32 nr_func_ranges = 0;
const volatile struct smccc_func_range func_ranges[SMCCC_MAX_FUNC_RANGES] = {};
const volatile __u8 conduit_mask = (1 << CONDUIT__COUNT) - 1;
const volatile __u8 disposition_mask = (1 << DISP__COUNT) - 1;
const volatile __u8 nr_args = 7;
/* --summary: count calls in the "stats" map instead of sending them */
const volatile bool aggregate = false;
/* Wake the reader once this much is waiting in the ring buffer (a quarter of it) */
const volatile __u32 wakeup_bytes = 0;

/* ESR_EL2 fields (arch/arm64/include/asm/esr.h) */
#define ESR_EC(esr)		(((esr) >> 26) & 0x3f)
#define ESR_IL			(1u << 25)
#define ESR_EC_HVC32		0x12
#define ESR_EC_SMC32		0x13
#define ESR_EC_HVC64		0x16
#define ESR_EC_SMC64		0x17
/* kvm_exit's ret: the exception code (arch/arm64/include/asm/kvm_asm.h) */
#define ARM_EXCEPTION_TRAP	2
#define ARM_EXIT_WITH_SERROR	(1u << 31)
/* PSTATE (SPSR) bits */
#define PSR_MODE32_BIT		0x10
#define PSR_AA32_T_BIT		0x20
#define KVM_ARM_VCPU_HAS_EL2	7	/* uapi: the vCPU has virtual EL2 (nested virtualisation) */
/* uapi exit reasons */
#define KVM_EXIT_HYPERCALL	3
#define KVM_EXIT_SYSTEM_EVENT	24
/* uapi SMCCC filter actions */
#define FILTER_HANDLE		0
#define FILTER_DENY		1
#define FILTER_FWD_TO_USER	2
#define FILTER_UNKNOWN		0xff

enum call_state {
	CALL_TRAPPED = 0,	/* in the exit handler */
	CALL_IN_HANDLER,	/* reached the SMCCC dispatcher */
	CALL_FORWARDED,		/* waiting for the VMM to re-enter the vCPU */
	CALL_IDLE,		/* between two calls (kept_inflight only) */
};

struct inflight {
	struct smccc_event ev;	/* first: the tracer reads unanswered ones at the end (tracer.c) */
	struct kvm_vcpu *vcpu;	/* for kretprobes, which have no arguments; never leaves the kernel */
	struct kvm *kvm;	/* vcpu's VM, read once at the trap */
	__u64 exit_ts;		/* forwarded: when KVM returned to the VMM */
	__u8 state;
	__u8 filter_action;
	__u8 reached_handler;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);	/* vCPU threads in a call at once */
	__type(key, __u32);		/* tid */
	__type(value, struct inflight);
} inflight SEC(".maps");

/*
 * --summary and --listen: the same in-flight calls, but a thread's entry is kept
 * between its calls and filled in place, so that a call costs a lookup rather than an
 * insert and a delete (docs/performance.md). LRU: on a long run, the entries of
 * threads that are gone make room for new ones. The loader shrinks the map of the
 * mode not in use to one entry.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);		/* tid */
	__type(value, struct inflight);
} kept_inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} traced_tgids SEC(".maps");

/* VM numbers: kvm pointers stay in the kernel; userspace sees 1, 2, 3... */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u32);
} vm_ids SEC(".maps");
__u32 next_vm_id = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Events that did not fit in the ring buffer, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/*
 * --summary: calls counted per (pid, VM, vCPU, function, disposition) and epoch.
 * Userspace bumps agg_epoch to close an epoch, then reads and deletes its keys; the
 * seqlock in each value tells it when the last update of that epoch is done (the
 * protocol is in src/stats_map.c).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AGG_MAX_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* 4 KiB values: only pay for keys in use */
	__type(key, struct agg_map_key);
	__type(value, struct agg_value);
} stats SEC(".maps");
__u32 agg_epoch = 0;
static const struct agg_value zero_value;	/* a new key's initial value */

/* Scratch for an inflight record: too big for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct inflight);
} scratch SEC(".maps");

static __always_inline bool tgid_traced(__u32 tgid, __u32 tid)
{
	if (filter_tid && tid != filter_tid)
		return false;
	if (filter_tgid && !bpf_map_lookup_elem(&traced_tgids, &tgid))
		return false;
	return true;
}

static __always_inline bool func_traced(__u32 func_id)
{
	if (!nr_func_ranges)
		return true;
	for (int i = 0; i < SMCCC_MAX_FUNC_RANGES; i++) {
		if (i >= nr_func_ranges)
			break;
		if (func_id >= func_ranges[i].lo && func_id <= func_ranges[i].hi)
			return true;
	}
	return false;
}

static __always_inline __u32 vm_number(struct kvm *kvm)
{
	__u64 key = (__u64)kvm;
	__u32 *id = bpf_map_lookup_elem(&vm_ids, &key);

	if (id)
		return *id;
	__u32 fresh = __sync_fetch_and_add(&next_vm_id, 1) + 1;
	bpf_map_update_elem(&vm_ids, &key, &fresh, BPF_NOEXIST);
	id = bpf_map_lookup_elem(&vm_ids, &key);	/* another vCPU may have won */
	return id ? *id : fresh;
}

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		(*n)++;
}

/*
 * The VM's SMCCC filter action for func_id, read from kvm->arch.smccc_filter the way
 * the kernel's mtree_lookup_walk() does. The kernel offers no event that says "the
 * filter denied this call", and a DENY looks exactly like an unimplemented function
 * (x0 = NOT_SUPPORTED, no exit), so the filter itself is the only exact witness.
 * The filter is written only before the VM first runs, so it is stable here.
 */
#define MAPLE_NODE_MASK		255UL
#define MAPLE_TYPE_SHIFT	3
#define MAPLE_TYPE_MASK		0xf
#define MAPLE_LEAF_64		1
#define MAPLE_RANGE_64		2
#define MAPLE_ARANGE_64		3
#define MAPLE_MAX_DEPTH		6

static __always_inline bool xa_is_value(unsigned long e) { return e & 1; }
static __always_inline bool xa_is_node(unsigned long e) { return (e & 3) == 2 && e > 4096; }

static __always_inline __u8 filter_action(struct kvm *kvm, __u32 func_id)
{
	unsigned long entry, index = func_id;

	if (!bpf_core_field_exists(kvm->arch.smccc_filter))
		return FILTER_HANDLE;	/* before 6.4: no SMCCC filter */
	entry = (unsigned long)BPF_CORE_READ(kvm, arch.smccc_filter.ma_root);
	if (!entry)
		return FILTER_HANDLE;	/* no filter configured */
	if (!xa_is_node(entry))
		return index == 0 && xa_is_value(entry) ? entry >> 1 : FILTER_HANDLE;

	for (int depth = 0; depth < MAPLE_MAX_DEPTH; depth++) {
		struct maple_node *node = (void *)(entry & ~MAPLE_NODE_MASK);
		unsigned int type = (entry >> MAPLE_TYPE_SHIFT) & MAPLE_TYPE_MASK;
		unsigned long pivot, slot = 0;
		int offset, npivots;

		if (type == MAPLE_LEAF_64 || type == MAPLE_RANGE_64)
			npivots = 15;
		else if (type == MAPLE_ARANGE_64)
			npivots = 9;
		else
			return FILTER_UNKNOWN;

		for (offset = 0; offset < 15; offset++) {
			if (offset >= npivots)
				break;
			if (type == MAPLE_ARANGE_64)
				pivot = BPF_CORE_READ(node, ma64.pivot[offset]);
			else
				pivot = BPF_CORE_READ(node, mr64.pivot[offset]);
			if (pivot >= index)
				break;
		}
		if (type == MAPLE_ARANGE_64)
			slot = (unsigned long)BPF_CORE_READ(node, ma64.slot[offset & 15]);
		else
			slot = (unsigned long)BPF_CORE_READ(node, mr64.slot[offset & 15]);

		if (type == MAPLE_LEAF_64) {
			if (!slot)
				return FILTER_HANDLE;
			return xa_is_value(slot) ? (slot >> 1) & 0xff : FILTER_UNKNOWN;
		}
		entry = slot;
	}
	return FILTER_UNKNOWN;
}

/* An AArch32 guest sees only the low halves of KVM's 64-bit register slots. */
static __always_inline void clip_aarch32(__u64 *regs, int n)
{
	for (int i = 0; i < SMCCC_NR_REGS; i++)
		if (i < n)
			regs[i] = (__u32)regs[i];
}

static __always_inline void read_results(struct kvm_vcpu *vcpu, struct smccc_event *ev)
{
	bpf_core_read(ev->ret, sizeof(ev->ret), &vcpu->arch.ctxt.regs.regs[0]);
	if (ev->isa != ISA_A64)
		clip_aarch32(ev->ret, SMCCC_NR_RESULTS);
}

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

/* --summary: count the call under the current epoch (see the "stats" map). */
static __always_inline void aggregate_call(const struct smccc_event *ev)
{
	struct agg_map_key mk;
	struct agg_value *v;

	__builtin_memset(&mk, 0, sizeof(mk));
	mk.key.pid = ev->pid;
	mk.key.vm = ev->vm;
	mk.key.vcpu = ev->vcpu;
	mk.key.func_id = (__u32)ev->regs[0];
	mk.key.disposition = ev->disposition;
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
			latency_add(&v->stats.kvm, ev->kvm_ns);
			if (ev->disposition == DISP_FORWARDED && !(ev->flags & EVF_VMM_GONE))
				latency_add(&v->stats.vmm, ev->vmm_ns);
			seq_bump(&v->seq);
			return;
		}
		seq_bump(&v->seq);
	}
	count_lost();
}

static __always_inline void submit(struct smccc_event *src)
{
	struct smccc_event *ev;

	if (src->missing & EVM_DISPOSITION) {
		/* kvm, denied or refused, unknown which: kept unless all three are filtered out */
		if (!(disposition_mask & ~(1 << DISP_FORWARDED)))
			return;
	} else if (!(disposition_mask & (1 << src->disposition))) {
		return;
	}
	if (aggregate) {
		aggregate_call(src);
		return;
	}
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		count_lost();
		return;
	}
	__builtin_memcpy(ev, src, sizeof(*ev));
	/*
	 * A wakeup per call cost more than the call's record (docs/performance.md): the
	 * reader is woken once a batch has built up, and polls every 100 ms anyway.
	 */
	bpf_ringbuf_submit(ev, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
			   BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/*
 * --summary, --listen: the trap of a call that is only counted. What the counts need
 * (pid, VM, vCPU, function ID, times) goes straight into the thread's kept entry; the
 * registers, PC, PSTATE and results are the stream's.
 */
static __always_inline int trap_counted(struct kvm_vcpu *vcpu, __u32 tgid, __u32 tid, __u32 func_id)
{
	struct inflight *in = bpf_map_lookup_elem(&kept_inflight, &tid);
	struct kvm *kvm = BPF_CORE_READ(vcpu, kvm);
	__u32 zero = 0;

	if (!in) {
		/* the thread's first call: a zeroed entry, from the scratch slot */
		struct inflight *fresh = bpf_map_lookup_elem(&scratch, &zero);

		if (!fresh)
			return 0;
		__builtin_memset(fresh, 0, sizeof(*fresh));
		bpf_map_update_elem(&kept_inflight, &tid, fresh, BPF_NOEXIST);
		in = bpf_map_lookup_elem(&kept_inflight, &tid);
		if (!in) {
			count_lost();
			return 0;
		}
	}
	in->ev.ts_ns = bpf_ktime_get_ns();
	in->ev.kvm_ns = 0;
	in->ev.vmm_ns = 0;
	in->ev.regs[0] = func_id;
	in->ev.pid = tgid;
	in->ev.tid = tid;
	if (in->vcpu != vcpu || in->kvm != kvm) {
		/* a vCPU thread runs the same vCPU call after call: its vcpu_id and VM
		 * number are looked up on its first call only (docs/performance.md) */
		in->ev.vcpu = BPF_CORE_READ(vcpu, vcpu_id);
		in->ev.vm = vm_number(kvm);
		in->vcpu = vcpu;
		in->kvm = kvm;
	}
	in->ev.disposition = 0;
	in->ev.flags = 0;
	in->exit_ts = 0;
	in->filter_action = 0;
	in->reached_handler = 0;
	in->state = CALL_TRAPPED;
	return 0;
}

/* The guest trapped on HVC or SMC: take the snapshot the rest of the call builds on. */
static __always_inline int on_trap(struct kvm_vcpu *vcpu, __u8 conduit)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32, zero = 0;
	struct inflight *in;
	struct smccc_event *ev;
	__u32 esr, func_id;
	__u64 pc;

	if (!tgid_traced(tgid, tid))
		return 0;
	if (!(conduit_mask & (1 << conduit)))
		return 0;
	if (filter_vcpu >= 0 && BPF_CORE_READ(vcpu, vcpu_id) != filter_vcpu)
		return 0;
	func_id = (__u32)BPF_CORE_READ(vcpu, arch.ctxt.regs.regs[0]);
	if (!func_traced(func_id))
		return 0;
	if (aggregate)
		return trap_counted(vcpu, tgid, tid, func_id);

	in = bpf_map_lookup_elem(&scratch, &zero);
	if (!in)
		return 0;
	__builtin_memset(in, 0, sizeof(*in));
	ev = &in->ev;
	ev->ts_ns = bpf_ktime_get_ns();
	ev->pid = tgid;
	ev->tid = tid;
	ev->vcpu = BPF_CORE_READ(vcpu, vcpu_id);
	in->kvm = BPF_CORE_READ(vcpu, kvm);
	ev->vm = vm_number(in->kvm);
	ev->conduit = conduit;
	in->vcpu = vcpu;
	in->state = CALL_TRAPPED;
	esr = (__u32)BPF_CORE_READ(vcpu, arch.fault.esr_el2);
	ev->esr = esr;
	ev->imm = esr & 0xffff;
	ev->insn_bits = esr & ESR_IL ? 32 : 16;
	ev->pstate = BPF_CORE_READ(vcpu, arch.ctxt.regs.pstate);
	if (ev->pstate & PSR_MODE32_BIT)
		ev->isa = ev->pstate & PSR_AA32_T_BIT ? ISA_T32 : ISA_A32;
	else
		ev->isa = ISA_A64;
	ev->nr_args = nr_args > SMCCC_MAX_ARGS ? SMCCC_MAX_ARGS : nr_args;
	bpf_core_read(ev->regs, sizeof(ev->regs), &vcpu->arch.ctxt.regs.regs[0]);
	/*
	 * The preferred return address of an HVC is the next instruction, so at this
	 * point KVM's PC is already past it. A trapped SMC returns to the SMC itself;
	 * KVM advances the PC later (kvm_incr_pc() only sets a flag). Normalise both to
	 * the trapping instruction.
	 */
	pc = BPF_CORE_READ(vcpu, arch.ctxt.regs.pc);
	ev->pc = conduit == CONDUIT_HVC ? pc - ev->insn_bits / 8 : pc;
	if (ev->isa != ISA_A64) {
		clip_aarch32(ev->regs, SMCCC_NR_REGS);
		ev->pc = (__u32)ev->pc;
	}
	bpf_map_update_elem(&inflight, &tid, in, BPF_ANY);
	return 0;
}

static __always_inline struct inflight *current_call(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	return bpf_map_lookup_elem(&inflight, &tid);
}

/* This thread's call, for the fentry and kprobe plans: counted calls keep their entry */
static __always_inline struct inflight *call_of(__u32 tid)
{
	if (aggregate)
		return bpf_map_lookup_elem(&kept_inflight, &tid);
	return bpf_map_lookup_elem(&inflight, &tid);
}

static __always_inline struct inflight *this_call(void)
{
	return call_of((__u32)bpf_get_current_pid_tgid());
}

/* The call went out (or was counted): free the thread's entry, or keep it idle */
static __always_inline void call_done(struct inflight *in, __u32 tid)
{
	if (aggregate)
		in->state = CALL_IDLE;
	else
		bpf_map_delete_elem(&inflight, &tid);
}

static __always_inline int on_handler_entry(void)
{
	struct inflight *in = this_call();

	if (!in || in->state != CALL_TRAPPED)
		return 0;
	in->state = CALL_IN_HANDLER;
	in->reached_handler = 1;
	in->filter_action = filter_action(in->kvm, in->ev.regs[0]);
	return 0;
}

static __always_inline int on_handler_exit(long ret)
{
	struct inflight *in = this_call();
	struct kvm_vcpu *vcpu;
	__u32 reason;

	if (!in || in->state != CALL_IN_HANDLER)
		return 0;
	if (ret > 0) {
		in->ev.disposition = in->filter_action == FILTER_DENY ? DISP_DENIED : DISP_KVM;
		return 0;
	}
	if (ret < 0) {
		in->ev.flags |= EVF_HANDLER_ERROR;
		in->ev.disposition = DISP_KVM;
		return 0;
	}
	vcpu = in->vcpu;
	reason = BPF_CORE_READ(vcpu, run, exit_reason);
	if (reason == KVM_EXIT_HYPERCALL) {
		in->ev.disposition = DISP_FORWARDED;
		in->state = CALL_FORWARDED;
	} else {
		/* PSCI SYSTEM_OFF/RESET/SUSPEND: KVM decided, the VMM is told. */
		in->ev.disposition = DISP_KVM;
		if (reason == KVM_EXIT_SYSTEM_EVENT)
			in->ev.flags |= EVF_SYSTEM_EVENT;
	}
	return 0;
}

/*
 * A trap that never reached the SMCCC dispatcher. On a vCPU with virtual EL2
 * (nested virtualisation) KVM injects every HVC, and an SMC #0 the guest hypervisor
 * traps (HCR_EL2.TSC), into the guest's own hypervisor: reflected, answered there, so
 * no result is visible yet. Otherwise KVM refused it (-1 in x0; SMC #imm != 0).
 */
static __always_inline void not_dispatched(struct inflight *in)
{
	struct kvm *kvm = in->kvm;	/* a kernel pointer: CO-RE applies to *kvm, not to in */
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

/* The exit handler returns: the call is complete unless the VMM has it. */
static __always_inline int on_trap_done(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct inflight *in = call_of(tid);
	__u64 now = bpf_ktime_get_ns();

	if (!in || in->state == CALL_IDLE)
		return 0;
	in->ev.kvm_ns = now - in->ev.ts_ns;
	if (in->state == CALL_FORWARDED) {
		in->exit_ts = now;
		return 0;
	}
	if (!in->reached_handler)
		not_dispatched(in);
	if (!aggregate && !(in->ev.flags & EVF_SYSTEM_EVENT)) {
		struct kvm_vcpu *vcpu = in->vcpu;

		read_results(vcpu, &in->ev);
	}
	submit(&in->ev);
	call_done(in, tid);
	return 0;
}

/* Forwarded: the VMM has the exit now. */
static __always_inline int on_userspace_exit(__u32 reason)
{
	struct inflight *in = this_call();

	if (in && in->state == CALL_FORWARDED && reason == KVM_EXIT_HYPERCALL)
		in->exit_ts = bpf_ktime_get_ns();
	return 0;
}

/* Forwarded: the VMM re-enters the vCPU; x0..x3 are its answer. */
static __always_inline int on_run_entry(struct kvm_vcpu *vcpu)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct inflight *in = call_of(tid);

	if (!in || in->state != CALL_FORWARDED)
		return 0;
	in->ev.vmm_ns = bpf_ktime_get_ns() - in->exit_ts;
	if (!aggregate)
		read_results(vcpu, &in->ev);
	submit(&in->ev);
	call_done(in, tid);
	return 0;
}

/*
 * fentry/fexit flavour. The planner retargets the SMCCC handler programs
 * (kvm_hvc_call_handler before 6.4) and turns off the flavour it does not use.
 */
SEC("fentry/handle_hvc")
int BPF_PROG(hvc_entry, struct kvm_vcpu *vcpu) { return on_trap(vcpu, CONDUIT_HVC); }
SEC("fexit/handle_hvc")
int BPF_PROG(hvc_exit) { return on_trap_done(); }
SEC("fentry/handle_smc")
int BPF_PROG(smc_entry, struct kvm_vcpu *vcpu) { return on_trap(vcpu, CONDUIT_SMC); }
SEC("fexit/handle_smc")
int BPF_PROG(smc_exit) { return on_trap_done(); }
SEC("fentry/kvm_smccc_call_handler")
int BPF_PROG(handler_entry) { return on_handler_entry(); }
SEC("fexit/kvm_smccc_call_handler")
int BPF_PROG(handler_exit, struct kvm_vcpu *vcpu, int ret) { return on_handler_exit(ret); }
SEC("fentry/kvm_arch_vcpu_ioctl_run")
int BPF_PROG(run_entry, struct kvm_vcpu *vcpu) { return on_run_entry(vcpu); }

/* kprobe flavour, for kernels without BPF trampolines (fentry on arm64 needs 6.4+) */
SEC("kprobe/handle_hvc")
int BPF_KPROBE(kp_hvc_entry, struct kvm_vcpu *vcpu) { return on_trap(vcpu, CONDUIT_HVC); }
SEC("kretprobe/handle_hvc")
int BPF_KRETPROBE(kp_hvc_exit) { return on_trap_done(); }
SEC("kprobe/handle_smc")
int BPF_KPROBE(kp_smc_entry, struct kvm_vcpu *vcpu) { return on_trap(vcpu, CONDUIT_SMC); }
SEC("kretprobe/handle_smc")
int BPF_KRETPROBE(kp_smc_exit) { return on_trap_done(); }
SEC("kprobe/kvm_smccc_call_handler")
int BPF_KPROBE(kp_handler_entry) { return on_handler_entry(); }
SEC("kretprobe/kvm_smccc_call_handler")
int BPF_KRETPROBE(kp_handler_exit, long ret) { return on_handler_exit((int)ret); }
SEC("kprobe/kvm_arch_vcpu_ioctl_run")
int BPF_KPROBE(kp_run_entry, struct kvm_vcpu *vcpu) { return on_run_entry(vcpu); }

/* Both flavours: the exit to the VMM, a stable tracepoint. */
SEC("tp_btf/kvm_userspace_exit")
int BPF_PROG(userspace_exit, __u32 reason, int err) { return on_userspace_exit(reason); }

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
/* A call whose function ID this plan cannot see never matches --func. */
static __always_inline void tp_submit(struct smccc_event *ev)
{
	if (ev->missing & EVM_FUNC ? nr_func_ranges : !func_traced(ev->regs[0]))
		return;
	submit(ev);
}

SEC("tp_btf/kvm_exit")
int BPF_PROG(tp_exit, int ret, unsigned int esr_ec, unsigned long vcpu_pc)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32, zero = 0;
	__u8 conduit;
	struct inflight *in;
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
	in = bpf_map_lookup_elem(&scratch, &zero);
	if (!in)
		return 0;
	__builtin_memset(in, 0, sizeof(*in));
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
	ev->missing = EVM_ARGS | EVM_RET | EVM_VCPU | EVM_DISPOSITION | EVM_FUNC | EVM_IMM;
	if (ev->isa != ISA_A64) {
		ev->missing |= EVM_ISA;
		ev->pc = (__u32)ev->pc;
	}
	in->state = CALL_IN_HANDLER;
	bpf_map_update_elem(&inflight, &tid, in, BPF_ANY);
	return 0;
}

SEC("tp_btf/kvm_hvc_arm64")
int BPF_PROG(tp_hvc, unsigned long vcpu_pc, unsigned long r0, unsigned long imm)
{
	struct inflight *in = current_call();

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
	struct inflight *in = current_call();

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
		tp_submit(&in->ev);
		bpf_map_delete_elem(&inflight, &tid);
	}
	return 0;
}

SEC("tp_btf/kvm_entry")
int BPF_PROG(tp_entry, unsigned long vcpu_pc)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct inflight *in = bpf_map_lookup_elem(&inflight, &tid);
	__u64 now = bpf_ktime_get_ns();

	if (!in)
		return 0;
	if (in->state == CALL_FORWARDED)
		in->ev.vmm_ns = now - in->exit_ts;
	else if (!in->exit_ts)
		in->ev.kvm_ns = now - in->ev.ts_ns;
	tp_submit(&in->ev);
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}
