// SPDX-License-Identifier: GPL-2.0
/*
 * smccctrace: capture every SMCCC call (HVC/SMC) that a KVM guest makes.
 *
 * One call is assembled from several hooks, in the slot of the vCPU that made it
 * (vcpu_calls, keyed by the struct kvm_vcpu):
 *
 *   handle_hvc/handle_smc entry   the trap: registers, ESR, PC, PSTATE, time
 *   handle_hvc/handle_smc exit    what KVM did, from the return value (handled 1, exit
 *                                 to the VMM 0: which exit), x0 (the VM's SMCCC
 *                                 filter is walked only for NOT_SUPPORTED) and the
 *                                 immediate; the call is finished unless it went to
 *                                 the VMM
 *   SMCCC handler entry, exit     only where the planner says the trap's exit cannot
 *                                 tell (before 6.4; hosts whose guests may have
 *                                 virtual EL2): reached the dispatcher, its result
 *   kvm_userspace_exit            forwarded: the moment the VMM gets the exit
 *   kvm_arch_vcpu_ioctl_run entry forwarded: the VMM re-enters that vCPU; x0..x3 hold
 *                                 its answer (or the vCPU resumes elsewhere: parked)
 *   kvm_arch_vcpu_ioctl           KVM_ARM_VCPU_INIT of a vCPU that has called before: the
 *                                 VMM resets it; its next call says so (EVF_VCPU_REINIT)
 *   kvm_arch_vcpu_destroy         a forwarded call still waiting is emitted unanswered
 *   kvm_arch_destroy_vm           the VM's number is retired
 *
 * A call belongs to its vCPU, not to the thread that runs it: KVM lets a VMM run
 * several vCPUs from one thread, or a vCPU from different threads, and only the
 * re-entry of the vCPU that trapped answers its forwarded call (docs/design.md).
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
#include "smccc_filter.bpf.h"

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
/* --by site (--summary, top): the trapping PC is part of the key (only then: it costs reads) */
const volatile bool aggregate_pc = false;
/* Set by the planner (src/planner.c): the SMCCC dispatcher has hooks of its own;
 * otherwise what it did is derived at the trap's exit */
const volatile bool dispatcher_hooked = true;
/* Wake the reader once this much is waiting in the ring buffer (a quarter of it) */
const volatile __u32 wakeup_bytes = 0;
/* Where this kernel keeps the vCPU's virtual counter offset (enum vtimer_layout):
 * decided by the planner (src/planner.c) */
const volatile __u8 vtimer_layout = VTIMER_UNKNOWN;

/*
 * Reading the kernel's structs, one source for both plans. Under fentry/fexit the
 * vCPU is a typed (BTF) pointer: a field is a plain load, which the verifier checks
 * and the JIT makes one instruction with an exception-table entry. A kprobe gets the
 * same pointer as a bare number, which only bpf_probe_read_kernel may follow. Every
 * helper that reads the kernel takes the way as a constant argument and each program
 * passes its own, so after inlining one kind of load is left in each program (a typed
 * load left in a kprobe program would fail to load, not pass silently). Pointers
 * computed rather than read (the SMCCC filter's tree nodes, kernel pointers kept in a
 * map) are never typed: those reads stay probe reads in both plans.
 */
enum kread { KREAD_TYPED, KREAD_PROBE };
#define KREAD(how, ptr, field) ((how) == KREAD_TYPED ? (ptr)->field : BPF_CORE_READ(ptr, field))

/* x0..x(n-1) of the vCPU */
static __always_inline void read_regs(enum kread how, struct kvm_vcpu *vcpu, __u64 *dst, const int n)
{
	if (how == KREAD_PROBE) {
		bpf_core_read(dst, n * sizeof(*dst), &vcpu->arch.ctxt.regs.regs[0]);
		return;
	}
#pragma unroll
	for (int i = 0; i < n; i++)
		dst[i] = vcpu->arch.ctxt.regs.regs[i];
}

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
#define KVM_ARM_VCPU_INIT	0x4020aeae	/* uapi: _IOW(KVMIO, 0xae, struct kvm_vcpu_init) */
#define KVM_EXIT_HYPERCALL	3
#define KVM_EXIT_SYSTEM_EVENT	24

/* Bounds of the kernel tables; each one's overflow is a counted loss (enum lost_cause) */
#define MAX_VCPUS		4096	/* vCPUs alive at once that made a traced call */
#define MAX_THREADS		4096	/* threads inside a call at once (kprobe plan) */
#define MAX_VMS			4096	/* VMs alive at once that made a traced call */

/* A vCPU's call state, kept from its first traced call until the vCPU is destroyed;
 * between calls the slot is idle and the next trap fills it in place. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_VCPUS);
	__type(key, __u64);		/* struct kvm_vcpu * */
	__type(value, struct call_slot);
} vcpu_calls SEC(".maps");

/*
 * The vCPU whose exit a thread is handling, for the hooks that get no vcpu argument:
 * kretprobes (kprobe plan: set at the trap) and kvm_userspace_exit (set when a call
 * goes to the VMM). KVM_RUN holds vcpu->mutex, so within one ioctl the thread names
 * the vCPU; the entry goes when the exit ends.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_THREADS);
	__type(key, __u32);		/* tid */
	__type(value, __u64);		/* struct kvm_vcpu * */
} thread_vcpu SEC(".maps");

/* The tracepoint plan sees no vcpu pointer: its calls are kept per thread. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_THREADS);
	__type(key, __u32);		/* tid */
	__type(value, struct call_slot);
} tp_calls SEC(".maps");

/* A new slot's initial value: maps are filled in place, never through per-CPU
 * scratch that another preemptible program could be using. */
static const struct call_slot empty_slot;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} traced_tgids SEC(".maps");

/*
 * VM numbers: kvm pointers stay in the kernel; userspace sees 1, 2, 3... A number is
 * never given twice in a tracer's lifetime: a VM's entry goes when the VM is
 * destroyed, and a VM allocated later at the same address (nVHE reuses them at
 * once) gets the next number.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_VMS);
	__type(key, __u64);		/* struct kvm * */
	__type(value, __u32);
} vm_ids SEC(".maps");
__u32 next_vm_id = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Calls that could not be delivered, per cause (enum lost_cause) and CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LOST__KERNEL);
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

/*
 * --summary: the function IDs the decoder knows (SVE hint cleared), filled by
 * userspace before attach; any other ID is folded into its service's key (the rule
 * is in include/smccctrace.h), so a guest cannot make a key per x0 value.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);		/* sized to the decoder's table by userspace */
	__type(key, __u32);
	__type(value, __u8);
} known_funcs SEC(".maps");
const volatile __u32 nr_fold_blocks = 0;
const volatile struct smccc_func_range fold_blocks[SMCCC_MAX_FOLD_BLOCKS] = {};

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

static __always_inline void count_lost(__u32 cause)
{
	__u64 *n = bpf_map_lookup_elem(&lost, &cause);

	if (n)
		(*n)++;
}

/* The VM's number, 0 when the table of live VMs is full (the caller counts the loss) */
static __always_inline __u32 vm_number(struct kvm *kvm)
{
	__u64 key = (__u64)kvm;
	__u32 *id = bpf_map_lookup_elem(&vm_ids, &key);

	if (id)
		return *id;
	__u32 fresh = __sync_fetch_and_add(&next_vm_id, 1) + 1;
	bpf_map_update_elem(&vm_ids, &key, &fresh, BPF_NOEXIST);
	id = bpf_map_lookup_elem(&vm_ids, &key);	/* another vCPU may have won */
	return id ? *id : 0;
}

/* An AArch32 guest sees only the low halves of KVM's 64-bit register slots. */
static __always_inline void clip_aarch32(__u64 *regs, int n)
{
	for (int i = 0; i < SMCCC_NR_REGS; i++)
		if (i < n)
			regs[i] = (__u32)regs[i];
}

static __always_inline void read_results(enum kread how, struct kvm_vcpu *vcpu, struct smccc_event *ev)
{
	read_regs(how, vcpu, ev->ret, SMCCC_NR_RESULTS);
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

static __always_inline struct call_slot *slot_of(struct kvm_vcpu *vcpu)
{
	__u64 key = (__u64)vcpu;

	return bpf_map_lookup_elem(&vcpu_calls, &key);
}

/*
 * A vCPU's first traced call: its slot, with what never changes for a vCPU (its
 * vcpu_id, its VM and the VM's number), looked up once. The slot lives until
 * kvm_arch_vcpu_destroy, so a vCPU allocated later at the same address starts afresh.
 */
static __always_inline struct call_slot *open_slot(enum kread how, struct kvm_vcpu *vcpu)
{
	struct kvm *kvm = KREAD(how, vcpu, kvm);
	__u64 key = (__u64)vcpu;
	struct call_slot *in;
	__u32 vm = vm_number(kvm);

	if (!vm) {
		count_lost(LOST_VM_TABLE);
		return NULL;
	}
	bpf_map_update_elem(&vcpu_calls, &key, &empty_slot, BPF_NOEXIST);
	in = bpf_map_lookup_elem(&vcpu_calls, &key);
	if (!in) {
		count_lost(LOST_CALL_STATE);
		return NULL;
	}
	in->kvm = (__u64)kvm;
	in->ev.vm = vm;
	in->ev.vcpu = KREAD(how, vcpu, vcpu_id);
	return in;
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

/*
 * The address of the trapping HVC/SMC, as the guest sees it. The preferred return
 * address of an HVC is the next instruction, so at the trap KVM's PC is already past
 * it. A trapped SMC returns to the SMC itself; KVM advances the PC later
 * (kvm_incr_pc() only sets a flag). An AArch32 guest sees the low half.
 */
static __always_inline __u64 trap_pc(enum kread how, struct kvm_vcpu *vcpu, __u8 conduit, __u32 esr, bool aarch32)
{
	__u64 pc = KREAD(how, vcpu, arch.ctxt.regs.pc);

	if (conduit == CONDUIT_HVC)
		pc -= esr & ESR_IL ? 4 : 2;
	return aarch32 ? (__u32)pc : pc;
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

/*
 * The vCPU's virtual counter offset, as KVM's timer_get_offset() computes it for the
 * vtimer: the guest reads CNTVCT = CNTPCT - this. The offsets are behind u64 pointers,
 * which a typed load cannot follow: the pointers are read the plan's way (typed loads
 * under fentry, two probe reads fewer per call), the values with probe reads. Each
 * layout's accesses are guarded by a CO-RE existence check, so the program loads on
 * every kernel and the planner's choice (vtimer_layout) picks the live branch.
 */
static __always_inline __u64 vcpu_cntvoff(enum kread how, struct kvm_vcpu *vcpu, __u16 *missing)
{
	__u64 off = 0, part = 0;
	__u64 *ptr = NULL;

	if (vtimer_layout == VTIMER_OFFSET_PTRS && bpf_core_field_exists(struct arch_timer_context, offset)) {
		struct arch_timer_context *vt = &vcpu->arch.timer_cpu.timers[TIMER_VTIMER];

		ptr = KREAD(how, vt, offset.vm_offset);
		if (ptr && !bpf_probe_read_kernel(&part, sizeof(part), ptr))
			off += part;
		if (bpf_core_field_exists(struct arch_timer_offset, vcpu_offset)) {
			ptr = KREAD(how, vt, offset.vcpu_offset);
			part = 0;
			if (ptr && !bpf_probe_read_kernel(&part, sizeof(part), ptr))
				off += part;
		}
		return off;
	}
	if (vtimer_layout == VTIMER_SYSREG && bpf_core_enum_value_exists(enum vcpu_sysreg, CNTVOFF_EL2)) {
		__u64 idx = bpf_core_enum_value(enum vcpu_sysreg, CNTVOFF_EL2);
		__u64 *regs = (__u64 *)((char *)vcpu + bpf_core_field_offset(struct kvm_vcpu, arch.ctxt.sys_regs));

		if (!bpf_probe_read_kernel(&off, sizeof(off), regs + idx))
			return off;
	}
	*missing |= EVM_GUEST_CLOCK;
	return 0;
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

static __always_inline void remember_vcpu(struct kvm_vcpu *vcpu)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 v = (__u64)vcpu;

	if (bpf_map_update_elem(&thread_vcpu, &tid, &v, BPF_ANY))
		count_lost(LOST_CALL_STATE);
}

static __always_inline struct kvm_vcpu *remembered_vcpu(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *v = bpf_map_lookup_elem(&thread_vcpu, &tid);

	return v ? (struct kvm_vcpu *)*v : NULL;
}

static __always_inline void forget_vcpu(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&thread_vcpu, &tid);
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

/*
 * KVM_ARM_VCPU_INIT: the VMM (re)initialises the vCPU. Its first one, at creation,
 * finds no slot (the vCPU has made no traced call). A later one is a VMM reset (QEMU's
 * system_reset re-initialises every vCPU, with or without a PSCI SYSTEM_RESET before
 * it): the vCPU's next call is flagged, and a call the VMM still held will never be
 * answered. Seen at the ioctl's entry: a VMM does not send an init that fails.
 */
static __always_inline int on_vcpu_ioctl(struct file *filp, unsigned int ioctl)
{
	struct kvm_vcpu *vcpu;
	struct call_slot *in;

	if (ioctl != KVM_ARM_VCPU_INIT)
		return 0;
	vcpu = BPF_CORE_READ(filp, private_data);
	in = vcpu ? slot_of(vcpu) : NULL;
	if (!in)
		return 0;
	if (in->state == CALL_FORWARDED)
		emit_abandoned(in, bpf_ktime_get_ns());
	in->reinit = 1;
	return 0;
}

/* The vCPU goes: a call the VMM still holds is emitted unanswered, the slot freed. */
static __always_inline int on_vcpu_destroy(struct kvm_vcpu *vcpu)
{
	__u64 key = (__u64)vcpu;
	struct call_slot *in = bpf_map_lookup_elem(&vcpu_calls, &key);

	if (!in)
		return 0;
	if (in->state == CALL_FORWARDED)
		emit_abandoned(in, bpf_ktime_get_ns());
	bpf_map_delete_elem(&vcpu_calls, &key);
	return 0;
}

/* The VM goes (its vCPUs go inside kvm_arch_destroy_vm): its number is retired. */
static __always_inline int on_vm_destroy(struct kvm *kvm)
{
	__u64 key = (__u64)kvm;

	bpf_map_delete_elem(&vm_ids, &key);
	return 0;
}

/*
 * fentry/fexit flavour: every hook gets the vCPU as an argument, a typed pointer. The
 * planner retargets the SMCCC handler programs (kvm_hvc_call_handler before 6.4),
 * loads them only where the kernel needs them, and turns off the flavour it does not
 * use.
 */
SEC("fentry/handle_hvc")
int BPF_PROG(hvc_entry, struct kvm_vcpu *vcpu) { on_trap(KREAD_TYPED, vcpu, CONDUIT_HVC); return 0; }
SEC("fexit/handle_hvc")
int BPF_PROG(hvc_exit, struct kvm_vcpu *vcpu, int ret) { on_trap_done(KREAD_TYPED, vcpu, ret); return 0; }
SEC("fentry/handle_smc")
int BPF_PROG(smc_entry, struct kvm_vcpu *vcpu) { on_trap(KREAD_TYPED, vcpu, CONDUIT_SMC); return 0; }
SEC("fexit/handle_smc")
int BPF_PROG(smc_exit, struct kvm_vcpu *vcpu, int ret) { on_trap_done(KREAD_TYPED, vcpu, ret); return 0; }
SEC("fentry/kvm_smccc_call_handler")
int BPF_PROG(handler_entry, struct kvm_vcpu *vcpu) { return on_handler_entry(vcpu); }
SEC("fexit/kvm_smccc_call_handler")
int BPF_PROG(handler_exit, struct kvm_vcpu *vcpu, int ret) { return on_handler_exit(KREAD_TYPED, vcpu, ret); }
SEC("fentry/kvm_arch_vcpu_ioctl_run")
int BPF_PROG(run_entry, struct kvm_vcpu *vcpu) { return on_run_entry(KREAD_TYPED, vcpu); }
SEC("fentry/kvm_arch_vcpu_ioctl")
int BPF_PROG(vcpu_ioctl, struct file *filp, unsigned int ioctl) { return on_vcpu_ioctl(filp, ioctl); }
SEC("fentry/kvm_arch_vcpu_destroy")
int BPF_PROG(vcpu_destroy, struct kvm_vcpu *vcpu) { return on_vcpu_destroy(vcpu); }
SEC("fentry/kvm_arch_destroy_vm")
int BPF_PROG(vm_destroy, struct kvm *kvm) { return on_vm_destroy(kvm); }

/*
 * kprobe flavour, for kernels without BPF trampolines (fentry on arm64 needs 6.4+):
 * probe reads. A kretprobe has no arguments: the trap's kprobe tells thread_vcpu
 * which vCPU the thread is handling, until the exit handler returns. The return
 * value is an int in w0: x0's upper half is not defined.
 */
static __always_inline int kp_trap(struct kvm_vcpu *vcpu, __u8 conduit)
{
	if (on_trap(KREAD_PROBE, vcpu, conduit))
		remember_vcpu(vcpu);
	return 0;
}

static __always_inline int kp_trap_done(long ret)
{
	struct kvm_vcpu *vcpu = remembered_vcpu();

	if (vcpu && !on_trap_done(KREAD_PROBE, vcpu, (int)ret))
		forget_vcpu();	/* a forwarded call keeps it until kvm_userspace_exit */
	return 0;
}

SEC("kprobe/handle_hvc")
int BPF_KPROBE(kp_hvc_entry, struct kvm_vcpu *vcpu) { return kp_trap(vcpu, CONDUIT_HVC); }
SEC("kretprobe/handle_hvc")
int BPF_KRETPROBE(kp_hvc_exit, long ret) { return kp_trap_done(ret); }
SEC("kprobe/handle_smc")
int BPF_KPROBE(kp_smc_entry, struct kvm_vcpu *vcpu) { return kp_trap(vcpu, CONDUIT_SMC); }
SEC("kretprobe/handle_smc")
int BPF_KRETPROBE(kp_smc_exit, long ret) { return kp_trap_done(ret); }
SEC("kprobe/kvm_smccc_call_handler")
int BPF_KPROBE(kp_handler_entry, struct kvm_vcpu *vcpu) { return on_handler_entry(vcpu); }
SEC("kretprobe/kvm_smccc_call_handler")
int BPF_KRETPROBE(kp_handler_exit, long ret)
{
	struct kvm_vcpu *vcpu = remembered_vcpu();

	return vcpu ? on_handler_exit(KREAD_PROBE, vcpu, (int)ret) : 0;
}
SEC("kprobe/kvm_arch_vcpu_ioctl_run")
int BPF_KPROBE(kp_run_entry, struct kvm_vcpu *vcpu) { return on_run_entry(KREAD_PROBE, vcpu); }
SEC("kprobe/kvm_arch_vcpu_ioctl")
int BPF_KPROBE(kp_vcpu_ioctl, struct file *filp, unsigned int ioctl) { return on_vcpu_ioctl(filp, ioctl); }
SEC("kprobe/kvm_arch_vcpu_destroy")
int BPF_KPROBE(kp_vcpu_destroy, struct kvm_vcpu *vcpu) { return on_vcpu_destroy(vcpu); }
SEC("kprobe/kvm_arch_destroy_vm")
int BPF_KPROBE(kp_vm_destroy, struct kvm *kvm) { return on_vm_destroy(kvm); }

/* Both flavours: the exit to the VMM, a stable tracepoint. */
SEC("tp_btf/kvm_userspace_exit")
int BPF_PROG(userspace_exit, __u32 reason, int err) { return on_userspace_exit(reason); }

#include "tracepoint_plan.bpf.h"
