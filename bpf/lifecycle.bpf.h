/* SPDX-License-Identifier: GPL-2.0 */
/* vCPU and VM lifecycle: a VMM reset, a vCPU or VM destroyed. Included by
 * smccctrace.bpf.c only, after call_steps.bpf.h. */
#ifndef LIFECYCLE_BPF_H
#define LIFECYCLE_BPF_H

/*
 * KVM_ARM_VCPU_INIT: the VMM (re)initialises the vCPU. Its first one, at creation,
 * finds no slot (the vCPU has made no traced call). A later one is a VMM reset (QEMU's
 * system_reset re-initialises every vCPU, with or without a PSCI SYSTEM_RESET before
 * it) or a vCPU started by a CPU_ON the VMM handles (QEMU's userspace PSCI resets the
 * target): the vCPU's next call is flagged, and a call the VMM still held (the
 * target's own forwarded CPU_OFF) will never be answered. Which of the two it was is
 * the PSCI view's to tell (src/psci_replay.c). Seen at the ioctl's entry: a VMM does
 * not send an init that fails.
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

#endif
