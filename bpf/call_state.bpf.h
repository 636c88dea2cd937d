/* SPDX-License-Identifier: GPL-2.0 */
/* Where a call's state lives: the vCPU's slot, the VM's number, the thread's vCPU, and
 * the count of what could not be kept. Included by smccctrace.bpf.c only, after the maps. */
#ifndef CALL_STATE_BPF_H
#define CALL_STATE_BPF_H

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

#endif
