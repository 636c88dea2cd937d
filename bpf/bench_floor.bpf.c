// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's floor (docs/performance.md): the least a BPF tracer can do per
 * SMCCC call, count it in a per-CPU array, at the hook smccctrace's first program
 * uses (fentry on handle_hvc). Loaded by tests/tools/bench-floor.c, never by
 * smccctrace itself.
 *
 * With --parts (the benchmark's "parts" tracer, BENCH_PARTS=1) it also loads one
 * program per building block of smccctrace's programs, each alone at the same hook,
 * so that the BPF run-time pass prices each block by itself (run time per call of
 * each program): an empty program (what the trampoline and the run-time accounting
 * cost any program), a clock read, the pid/tid helper, a hash lookup keyed by the
 * vCPU pointer, task-local storage, an atomic add, a 248-byte copy, and a 248-byte
 * ring-buffer record submitted with and without a wakeup or written by
 * bpf_ringbuf_output, a probe read and a typed load of the vCPU.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

SEC("fentry/handle_hvc")
int BPF_PROG(count_hvc)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&calls, &zero);

	if (n)
		(*n)++;
	return 0;
}

/* --parts: the blocks, one program each. Results go to sink so none is optimised out. */
#define PART_RECORD 248		/* sizeof(struct smccc_event) */
struct part_record {
	__u64 w[PART_RECORD / 8];
};

__u64 sink = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct part_record);
} part_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} part_task_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct part_record);
} part_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} part_ring_quiet SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} part_ring_woken SEC(".maps");

SEC("?fentry/handle_hvc")
int BPF_PROG(part_empty)
{
	return 0;
}

SEC("?fentry/handle_hvc")
int BPF_PROG(part_ktime)
{
	sink += bpf_ktime_get_ns();
	return 0;
}

SEC("?fentry/handle_hvc")
int BPF_PROG(part_pid_tgid)
{
	sink += bpf_get_current_pid_tgid();
	return 0;
}

SEC("?fentry/handle_hvc")
int BPF_PROG(part_hash, struct kvm_vcpu *vcpu)
{
	static const struct part_record empty;
	__u64 key = (__u64)vcpu;
	struct part_record *v = bpf_map_lookup_elem(&part_slots, &key);

	if (!v) {
		bpf_map_update_elem(&part_slots, &key, &empty, BPF_NOEXIST);
		return 0;
	}
	v->w[0]++;
	return 0;
}

SEC("?fentry/handle_hvc")
int BPF_PROG(part_task)
{
	__u64 *v = bpf_task_storage_get(&part_task_map, bpf_get_current_task_btf(), NULL,
					BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (v)
		(*v)++;
	return 0;
}

SEC("?fentry/handle_hvc")
int BPF_PROG(part_atomic)
{
	__u64 old = __sync_fetch_and_add(&sink, 1);

	asm volatile("" : : "r"(old));	/* the fetching (fully ordered) form, as seq_bump */
	return 0;
}

SEC("?fentry/handle_hvc")
int BPF_PROG(part_copy)
{
	__u32 zero = 0, one = 1;
	struct part_record *a = bpf_map_lookup_elem(&part_scratch, &zero);
	struct part_record *b = bpf_map_lookup_elem(&part_scratch, &one);

	if (a && b)
		__builtin_memcpy(b, a, sizeof(*b));
	return 0;
}

static __always_inline void part_ring(void *rb, __u64 flags)
{
	__u32 zero = 0;
	struct part_record *a = bpf_map_lookup_elem(&part_scratch, &zero);
	struct part_record *r;

	if (!a)
		return;
	r = bpf_ringbuf_reserve(rb, sizeof(*r), 0);
	if (!r)
		return;
	__builtin_memcpy(r, a, sizeof(*r));
	bpf_ringbuf_submit(r, flags);
}

SEC("?fentry/handle_hvc")
int BPF_PROG(part_rb_nowake)
{
	part_ring(&part_ring_quiet, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("?fentry/handle_hvc")
int BPF_PROG(part_rb_output)
{
	__u32 zero = 0;
	struct part_record *a = bpf_map_lookup_elem(&part_scratch, &zero);

	if (a)
		bpf_ringbuf_output(&part_ring_quiet, a, sizeof(*a), BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("?fentry/handle_hvc")
int BPF_PROG(part_probe_read, struct kvm_vcpu *vcpu)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &vcpu->arch.ctxt.regs.pc);
	sink += v;
	return 0;
}

SEC("?fentry/handle_hvc")
int BPF_PROG(part_typed_read, struct kvm_vcpu *vcpu)
{
	sink += vcpu->arch.ctxt.regs.pc;
	return 0;
}

/* Last: the wakeup's interrupt (an irq_work IPI) may be taken in the next program at
 * the hook, which would then be charged for it. Programs attach in this order. */
SEC("?fentry/handle_hvc")
int BPF_PROG(part_rb_wake)
{
	part_ring(&part_ring_woken, 0);
	return 0;
}
