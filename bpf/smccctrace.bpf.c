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
 * describe what to do at each point. This file holds the configuration, the maps and
 * the programs; the steps they share are in the headers it includes (one
 * object, one skeleton).
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

/* What the programs below do, one concern per file, each after what it uses. */
#include "kernel_read.bpf.h"	/* KVM's structs, the trap's PC, the guest's clock */
#include "call_state.bpf.h"	/* the vCPU's slot, the VM's number, the thread's vCPU */
#include "summary.bpf.h"		/* the counted path: the trap's few fields, the "stats" map */
#include "stream.bpf.h"		/* the full snapshot; delivery of a finished call */
#include "call_steps.bpf.h"	/* trap, dispatcher, trap's exit, exit to the VMM, answer */
#include "lifecycle.bpf.h"	/* VMM reset, vCPU and VM destroyed */

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
