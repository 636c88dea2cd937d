/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM uapi bits the test VMM needs that the arm64 cross headers (Linux 6.1)
 * predate. Values are those of Linux 6.4+ (arch/arm64/include/uapi/asm/kvm.h);
 * each one is guarded so newer headers win.
 */
#ifndef SMCCC_TESTVMM_KVM_COMPAT_H
#define SMCCC_TESTVMM_KVM_COMPAT_H

#include <stddef.h>
#include <linux/kvm.h>

/* VM device attribute group and attribute of the SMCCC filter (6.4+). */
#ifndef KVM_ARM_VM_SMCCC_CTRL
#define KVM_ARM_VM_SMCCC_CTRL		0
#define KVM_ARM_VM_SMCCC_FILTER		0
#endif

/*
 * Filter actions. The uapi makes them an enum, so there is no macro to test
 * for: key everything off KVM_HYPERCALL_EXIT_SMC, which arrived with them.
 */
#ifndef KVM_HYPERCALL_EXIT_SMC
enum kvm_smccc_filter_action {
	KVM_SMCCC_FILTER_HANDLE = 0,
	KVM_SMCCC_FILTER_DENY,
	KVM_SMCCC_FILTER_FWD_TO_USER,
};

struct kvm_smccc_filter {
	__u32 base;
	__u32 nr_functions;
	__u8 action;
	__u8 pad[15];
};

/* arm64 KVM_EXIT_HYPERCALL flags */
#define KVM_HYPERCALL_EXIT_SMC		(1U << 0)
#endif

#ifndef KVM_HYPERCALL_EXIT_16BIT
#define KVM_HYPERCALL_EXIT_16BIT	(1U << 1)
#endif

/*
 * kvm_run.hypercall.flags: the 6.1 headers still call these 8 bytes
 * "__u32 longmode; __u32 pad;", newer ones overlay "__u64 flags" on them.
 */
static inline __u64 kvm_hypercall_flags(const struct kvm_run *run)
{
	const char *p = (const char *)&run->hypercall +
			offsetof(__typeof__(run->hypercall), longmode);
	__u64 flags;

	__builtin_memcpy(&flags, p, sizeof(flags));
	return flags;
}

/* Virtual EL2 (nested virtualisation, 6.x with kvm-arm.mode=nested; NV2 in 7.x) */
#ifndef KVM_CAP_ARM_EL2
#define KVM_CAP_ARM_EL2			240
#endif
#ifndef KVM_ARM_VCPU_HAS_EL2
#define KVM_ARM_VCPU_HAS_EL2		7
#endif

/*
 * KVM_CREATE_VM's type bit for a protected VM (pKVM, kvm-arm.mode=protected): the host
 * gives up access to its memory and vCPU state. Linux 7.x accepts it; 6.12 refuses any
 * type bit outside the IPA size (EINVAL).
 */
#ifndef KVM_VM_TYPE_ARM_PROTECTED
#define KVM_VM_TYPE_ARM_PROTECTED	(1UL << 31)
#endif

#endif /* SMCCC_TESTVMM_KVM_COMPAT_H */
