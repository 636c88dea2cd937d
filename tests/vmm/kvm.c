// SPDX-License-Identifier: GPL-2.0
/* /dev/kvm ioctl wrappers: one error line naming the ioctl on failure. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm.h"
#include "log.h"

int kvm_open(struct kvm_vm *vm)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		vmm_err("cannot open /dev/kvm: %s", strerror(errno));
		return -1;
	}
	ret = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		vmm_err("KVM_GET_API_VERSION: got %d, want %d", ret,
			KVM_API_VERSION);
		return -1;
	}
	ret = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret <= 0) {
		vmm_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -1;
	}
	vm->run_size = ret;
	return 0;
}

int kvm_check_extension(struct kvm_vm *vm, long cap)
{
	int fd = vm->vm_fd >= 0 ? vm->vm_fd : vm->kvm_fd;
	int ret = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? 0 : ret;
}

int kvm_create_vm(struct kvm_vm *vm)
{
	/* type 0: the default 40-bit IPA space, plenty for 0x80000000 */
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		vmm_err("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_create_protected_vm(struct kvm_vm *vm)
{
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, KVM_VM_TYPE_ARM_PROTECTED);
	if (vm->vm_fd < 0) {
		int err = errno;

		vmm_err("KVM_CREATE_VM (type KVM_VM_TYPE_ARM_PROTECTED): %s%s", strerror(err),
			err == EINVAL ? " (no protected VMs: a kernel before 7.x, or not booted with kvm-arm.mode=protected)" : "");
		errno = err;
		return -1;
	}
	return 0;
}

void *kvm_add_ram(struct kvm_vm *vm, unsigned int slot, uint64_t ipa,
		  uint64_t size)
{
	struct kvm_userspace_memory_region region;
	void *mem;

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		vmm_err("mmap of %llu bytes of guest RAM: %s",
			(unsigned long long)size, strerror(errno));
		return NULL;
	}
	region = (struct kvm_userspace_memory_region) {
		.slot = slot,
		.guest_phys_addr = ipa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		vmm_err("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		munmap(mem, size);
		return NULL;
	}
	return mem;
}

bool kvm_vm_has_attr(struct kvm_vm *vm, uint32_t group, uint64_t attr)
{
	struct kvm_device_attr da = { .group = group, .attr = attr };

	/*
	 * Kernels before 6.4 have no VM-level attributes on arm64 and fail
	 * this with ENXIO or ENOTTY: both simply mean "not there".
	 */
	return ioctl(vm->vm_fd, KVM_HAS_DEVICE_ATTR, &da) == 0;
}

int kvm_set_smccc_filter(struct kvm_vm *vm, uint32_t base, uint32_t nr,
			 uint8_t action)
{
	struct kvm_smccc_filter filter = {
		.base = base,
		.nr_functions = nr,
		.action = action,
	};
	struct kvm_device_attr da = {
		.group = KVM_ARM_VM_SMCCC_CTRL,
		.attr = KVM_ARM_VM_SMCCC_FILTER,
		.addr = (uintptr_t)&filter,
	};

	if (ioctl(vm->vm_fd, KVM_SET_DEVICE_ATTR, &da) < 0) {
		vmm_err("KVM_SET_DEVICE_ATTR (SMCCC filter 0x%08x+%u action %u): %s",
			base, nr, action, strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_preferred_target(struct kvm_vm *vm, struct kvm_vcpu_init *init)
{
	memset(init, 0, sizeof(*init));
	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, init) < 0) {
		vmm_err("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_create_vcpu(struct kvm_vm *vm, unsigned int id, struct kvm_vcpu *vcpu)
{
	void *run;

	vcpu->id = id;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0) {
		vmm_err("KVM_CREATE_VCPU (vcpu %u): %s", id, strerror(errno));
		return -1;
	}
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu->fd, 0);
	if (run == MAP_FAILED) {
		vmm_err("mmap of kvm_run (vcpu %u): %s", id, strerror(errno));
		return -1;
	}
	vcpu->run = run;
	return 0;
}

int kvm_vcpu_init(struct kvm_vcpu *vcpu, const struct kvm_vcpu_init *init)
{
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, init) < 0) {
		vmm_err("KVM_ARM_VCPU_INIT (vcpu %u, features 0x%x): %s",
			vcpu->id, init->features[0], strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_get_reg(struct kvm_vcpu *vcpu, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	if (ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg) < 0) {
		vmm_err("KVM_GET_ONE_REG (vcpu %u, reg 0x%llx): %s", vcpu->id,
			(unsigned long long)id, strerror(errno));
		return -1;
	}
	return 0;
}

#define VGIC_DIST_IPA	0x08000000ull	/* 64 KiB */
#define VGIC_REDIST_IPA	0x080a0000ull	/* 128 KiB per vCPU */

static int vgic_attr(int fd, uint32_t group, uint64_t attr, uint64_t *val, const char *what)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uintptr_t)val };

	if (ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0) {
		vmm_err("vGICv3: %s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_create_vgic_v3(struct kvm_vm *vm, unsigned int nr_vcpus)
{
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = VGIC_DIST_IPA, redist = VGIC_REDIST_IPA;

	if (nr_vcpus * 0x20000ull > 0x10000000ull - VGIC_REDIST_IPA) {
		vmm_err("vGICv3: %u vCPUs' redistributors would reach the markers", nr_vcpus);
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &dev) < 0) {
		vmm_err("KVM_CREATE_DEVICE (vGICv3): %s", strerror(errno));
		return -1;
	}
	/* the fd stays open for the VM's life: the VM holds the device */
	if (vgic_attr(dev.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist, "distributor address") ||
	    vgic_attr(dev.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist, "redistributor address") ||
	    vgic_attr(dev.fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "init"))
		return -1;
	return 0;
}

/* The uapi names; 6.1's cross headers lack the second bitmap. */
#define FW_REG(r)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | (0x0014ull << KVM_REG_ARM_COPROC_SHIFT) | (r))
#define FW_BMAP_REG(r)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | (0x0016ull << KVM_REG_ARM_COPROC_SHIFT) | (r))

int kvm_read_fw_answers(struct kvm_vcpu *vcpu, struct kvm_fw_answers *fw)
{
	struct kvm_one_reg bmap2 = { .id = FW_BMAP_REG(3), .addr = (uintptr_t)&fw->vendor_hyp_bmap_2 };

	memset(fw, 0, sizeof(*fw));
	if (kvm_get_reg(vcpu, FW_REG(0), &fw->psci_version) ||
	    kvm_get_reg(vcpu, FW_BMAP_REG(2), &fw->vendor_hyp_bmap))
		return -1;
	/* KVM_REG_ARM_VENDOR_HYP_BMAP_2 is newer than 6.12: absent means none */
	if (ioctl(vcpu->fd, KVM_GET_ONE_REG, &bmap2) < 0) {
		if (errno != ENOENT) {
			vmm_err("KVM_GET_ONE_REG (vcpu %u, VENDOR_HYP_BMAP_2): %s", vcpu->id, strerror(errno));
			return -1;
		}
		fw->vendor_hyp_bmap_2 = 0;
	}
	return 0;
}

int kvm_set_reg(struct kvm_vcpu *vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg) < 0) {
		vmm_err("KVM_SET_ONE_REG (vcpu %u, reg 0x%llx): %s", vcpu->id,
			(unsigned long long)id, strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_run(struct kvm_vcpu *vcpu)
{
	if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
		if (errno != EINTR)
			vmm_err("KVM_RUN (vcpu %u): %s", vcpu->id,
				strerror(errno));
		return -1;
	}
	return 0;
}

void kvm_close(struct kvm_vm *vm)
{
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
}

const char *kvm_exit_reason_name(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_UNKNOWN:		return "UNKNOWN";
	case KVM_EXIT_EXCEPTION:	return "EXCEPTION";
	case KVM_EXIT_HYPERCALL:	return "HYPERCALL";
	case KVM_EXIT_DEBUG:		return "DEBUG";
	case KVM_EXIT_MMIO:		return "MMIO";
	case KVM_EXIT_INTR:		return "INTR";
	case KVM_EXIT_SHUTDOWN:		return "SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY:	return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR:	return "INTERNAL_ERROR";
	case KVM_EXIT_SYSTEM_EVENT:	return "SYSTEM_EVENT";
	case KVM_EXIT_ARM_NISV:		return "ARM_NISV";
	default:			return "?";
	}
}
