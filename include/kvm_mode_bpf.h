/* SPDX-License-Identifier: GPL-2.0 */
/* What bpf/kvm_mode.bpf.c reads for src/kvm_mode.c: one arm64_features[] entry per
 * element. Shared by BPF (vmlinux.h types) and userspace (<linux/types.h>). */
#ifndef SMCCCTRACE_KVM_MODE_BPF_H
#define SMCCCTRACE_KVM_MODE_BPF_H

#define KVM_MODE_MAX_FEATURES	192	/* arm64_features[] has ~110 entries in 7.2 */
#define KVM_MODE_DESC_LEN	48
#define KVM_MODE_CAP_WORDS	4	/* 256 capability bits; ARM64_NCAPS is ~120 */

struct cpu_feature {
	char desc[KVM_MODE_DESC_LEN];	/* e.g. "Virtualization Host Extensions"; "" if none */
	__u16 capability;		/* its bit in system_cpucaps on this kernel */
};
#endif
