/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin wrappers around the /dev/kvm ioctls the test VMM uses. Each one prints
 * a one-line error naming the ioctl and returns -1 (errno kept), so callers
 * only have to propagate failure.
 */
#ifndef SMCCC_TESTVMM_KVM_H
#define SMCCC_TESTVMM_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvm_compat.h"

struct kvm_vm {
	int kvm_fd;
	int vm_fd;
	size_t run_size;	/* KVM_GET_VCPU_MMAP_SIZE */
};

struct kvm_vcpu {
	unsigned int id;
	int fd;
	struct kvm_run *run;
};

/* Core register ids for KVM_{GET,SET}_ONE_REG */
#define KVM_CORE_REG(off)						\
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |		\
	 ((off) / sizeof(__u32)))
#define KVM_REG_X(n)							\
	KVM_CORE_REG(offsetof(struct kvm_regs, regs.regs) + (n) * sizeof(__u64))
#define KVM_REG_PC	KVM_CORE_REG(offsetof(struct kvm_regs, regs.pc))
#define KVM_REG_PSTATE	KVM_CORE_REG(offsetof(struct kvm_regs, regs.pstate))
#define KVM_REG_MPIDR_EL1	ARM64_SYS_REG(3, 0, 0, 0, 5)

/* PSTATE bits that tell the guest's execution state */
#define PSTATE_NRW	(1u << 4)	/* AArch32 */
#define PSTATE_T	(1u << 5)	/* T32 (Thumb) when AArch32 */

/* MPIDR affinity fields (what PSCI CPU_ON takes as target) */
#define MPIDR_HWID_MASK	0xff00ffffffull

int kvm_open(struct kvm_vm *vm);
int kvm_check_extension(struct kvm_vm *vm, long cap);
int kvm_create_vm(struct kvm_vm *vm);
/* a protected VM (pKVM); EINVAL where the kernel has none */
int kvm_create_protected_vm(struct kvm_vm *vm);
void *kvm_add_ram(struct kvm_vm *vm, unsigned int slot, uint64_t ipa,
		  uint64_t size);
bool kvm_vm_has_attr(struct kvm_vm *vm, uint32_t group, uint64_t attr);
int kvm_set_smccc_filter(struct kvm_vm *vm, uint32_t base, uint32_t nr,
			 uint8_t action);
int kvm_preferred_target(struct kvm_vm *vm, struct kvm_vcpu_init *init);
int kvm_create_vcpu(struct kvm_vm *vm, unsigned int id, struct kvm_vcpu *vcpu);
int kvm_vcpu_init(struct kvm_vcpu *vcpu, const struct kvm_vcpu_init *init);
int kvm_get_reg(struct kvm_vcpu *vcpu, uint64_t id, uint64_t *val);

/*
 * What this kernel's KVM answers a guest's discovery calls with, read from the
 * firmware pseudo-registers (Documentation/virt/kvm/arm/fw-pseudo-registers.rst),
 * so that the truth checker needs no per-kernel constants: PSCI_VERSION (0x10001 on
 * 6.1-6.12, 0x10003 on 7.x) and the KVM_FEATURES bitmaps (x0, and x2 where the kernel
 * has a second one).
 */
struct kvm_fw_answers {
	uint64_t psci_version;
	uint64_t vendor_hyp_bmap;	/* KVM_FEATURES' x0 */
	uint64_t vendor_hyp_bmap_2;	/* KVM_FEATURES' x2; 0 where the kernel has none */
};
int kvm_read_fw_answers(struct kvm_vcpu *vcpu, struct kvm_fw_answers *fw);

/*
 * An in-kernel GICv3, which KVM requires of a VM with virtual EL2 (nested scenario):
 * distributor and redistributors at fixed IPAs clear of guest RAM and the markers.
 * After the vCPUs exist; returns 0 or -1 after printing why.
 */
int kvm_create_vgic_v3(struct kvm_vm *vm, unsigned int nr_vcpus);
int kvm_set_reg(struct kvm_vcpu *vcpu, uint64_t id, uint64_t val);
/* KVM_RUN; returns -1 with errno, and prints nothing for EINTR */
int kvm_run(struct kvm_vcpu *vcpu);
void kvm_close(struct kvm_vm *vm);

const char *kvm_exit_reason_name(uint32_t reason);

#endif /* SMCCC_TESTVMM_KVM_H */
