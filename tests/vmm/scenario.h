/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenarios: what the guests do, as tables of steps. A scenario names the
 * steps of the boot vCPU (vCPU 0), the steps every secondary vCPU runs after
 * PSCI CPU_ON, and the SMCCC filter ranges the VMM installs. The same tables
 * serve the AArch64 and the AArch32 guest; flags drop steps that only make
 * sense for one of them or that need the SMCCC filter.
 */
#ifndef SMCCC_TESTVMM_SCENARIO_H
#define SMCCC_TESTVMM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emit.h"

/* Who answers a call: the "expect" field of the ground truth */
enum disposition {
	DISP_KVM,	/* KVM's SMCCC handler, in the kernel */
	DISP_DENIED,	/* the SMCCC filter's DENY: -1, in the kernel */
	DISP_FORWARDED,	/* KVM_EXIT_HYPERCALL: the VMM answers */
	DISP_REFUSED,	/* SMC #imm != 0: handle_smc answers -1 itself */
	DISP_REFLECTED,	/* virtual EL2: KVM injects the HVC into the guest's own
			 * hypervisor, which answers (GUEST_REFLECTED_ANSWER) */
	DISP_HYP,	/* protected VM: pKVM's hypervisor answers at EL2; the
			 * host kernel never sees the call */
};

enum step_kind {
	STEP_CALL,		/* one SMCCC call between two MMIO markers */
	STEP_CPU_ON_ALL,	/* boot vCPU: CPU_ON each secondary in turn,
				 * release it, wait until it is done */
	STEP_ENTRY_CHECK,	/* secondary: marker, x0 must be the context id */
	STEP_WAIT_RELEASE,	/* secondary: wait for the boot vCPU's go */
	STEP_DONE,		/* secondary: tell the boot vCPU, then park */
	STEP_LOOP_BEGIN,	/* the block up to STEP_LOOP_END runs */
	STEP_LOOP_END,		/*   --iterations times */
	STEP_TO_T32,		/* AArch32: interwork to T32 ... */
	STEP_TO_A32,		/*   ... and back */
	/* hotplug (userspace PSCI), AArch64 only: */
	STEP_LIFE,		/* secondary: life .life starts here, a CPU_ON entry
				 * point; marker, x0 must be its context id */
	STEP_CPU_ON,		/* CPU_ON of .target's life .life; of .mpidr if set */
	STEP_SET_FLAG,		/* guest flag .flag = 1 */
	STEP_WAIT_FLAG,		/* wait until guest flag .flag is set */
	STEP_POLL,		/* the call, again until x0 == .want */
};

/* What the hotplug VMM does with the forwarded PSCI call of a step (.vmm) */
#define VMM_SLOW_ANSWER		(1u << 0)	/* hold the answer --slow-ms */
#define VMM_LATE_START		(1u << 1)	/* CPU_ON: start the target --start-delay-ms late */
#define VMM_FORGET_PARK		(1u << 2)	/* CPU_OFF: answer SUCCESS, keep running it */
#define VMM_LAZY_OFF		(1u << 3)	/* CPU_OFF: still say "on" to the next
						 * --affinity-lag AFFINITY_INFOs about it */
#define VMM_REINIT_START	(1u << 4)	/* CPU_ON: start the target as QEMU does,
						 * KVM_ARM_VCPU_INIT first */

/* Guest flags of the hotplug programs: one per vCPU, life and meaning */
enum hotplug_flag {
	FLAG_UP,	/* the secondary made its first call of that life */
	FLAG_OFF,	/* the boot vCPU: turn yourself off now */
	FLAG_DONE,	/* the secondary is done with that life */
};
#define HOTPLUG_MAX_LIVES	4

/* a flag's offset, past the full scenario's release/done pairs (vcpu * 16 + 0/8) */
#define hotplug_flag(vcpu, life, what)					\
	(0x200u + (((vcpu) * HOTPLUG_MAX_LIVES + (life)) * 4u + (what)) * 8u)

#define STEP_A64_ONLY		(1u << 0)
#define STEP_AA32_ONLY		(1u << 1)
/* Only meaningful with an SMCCC filter installed (denied, forwarded) */
#define STEP_NEEDS_FILTER	(1u << 2)
/* The guest never returns from it (SYSTEM_OFF): no result */
#define STEP_NO_RETURN		(1u << 3)
/* Only in a protected VM (--protected): pKVM's own services */
#define STEP_PVM_ONLY		(1u << 4)
/* In a protected VM, pKVM's hypervisor answers it at EL2 (DISP_HYP) */
#define STEP_PVM_HYP		(1u << 5)

struct step {
	enum step_kind kind;
	const char *label;
	uint32_t func_id;
	uint32_t x0_hi;		/* upper half of x0, which KVM must ignore */
	uint64_t args[7];	/* x1..x7; AArch32 guests load the low half */
	enum conduit conduit;
	uint16_t imm;
	enum disposition expect;
	unsigned int flags;
	/* hotplug steps */
	unsigned int target;	/* STEP_CPU_ON: the vCPU */
	unsigned int life;	/* STEP_LIFE, STEP_CPU_ON: which of its lives */
	uint64_t mpidr;		/* STEP_CPU_ON: target this MPIDR instead */
	unsigned int flag;	/* STEP_SET_FLAG, STEP_WAIT_FLAG: hotplug_flag() */
	uint64_t want;		/* STEP_POLL: stop when x0 is this */
	unsigned int vmm;	/* VMM_*: the VMM's behaviour for this call */
};

struct filter_range {
	uint32_t base;
	uint32_t nr;
	uint8_t action;		/* KVM_SMCCC_FILTER_* */
};

struct scenario {
	const char *name;
	const struct step *boot;
	size_t nr_boot;
	const struct step *secondary;
	size_t nr_secondary;
	const struct filter_range *filters;
	size_t nr_filters;
	/*
	 * Hotplug scenarios: a program per vCPU (vcpu_steps[0] is the boot vCPU's)
	 * instead of boot/secondary, a fixed vCPU count, and PSCI CPU_ON/CPU_OFF/
	 * AFFINITY_INFO implemented by the VMM (src psci.c) instead of KVM.
	 */
	const struct step *const *vcpu_steps;
	const size_t *nr_vcpu_steps;
	unsigned int nr_vcpus;		/* 0: --vcpus decides */
	bool userspace_psci;
	uint32_t not_present;		/* vCPUs the VMM answers DENIED for */
	bool el2;			/* vCPUs with virtual EL2 (KVM_ARM_VCPU_HAS_EL2) */
};

const struct scenario *scenario_find(const char *name);
const char *scenario_names(void);
const char *disposition_name(enum disposition disp);

#endif /* SMCCC_TESTVMM_SCENARIO_H */
