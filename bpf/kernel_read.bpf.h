/* SPDX-License-Identifier: GPL-2.0 */
/* Reading KVM's structs and the architecture's encodings: included by smccctrace.bpf.c
 * only, after the configuration (vtimer_layout). */
#ifndef KERNEL_READ_BPF_H
#define KERNEL_READ_BPF_H

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

#endif
