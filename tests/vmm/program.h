/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenario compiler: turns a scenario's step table into guest code for one
 * vCPU (written into guest RAM) plus the plan the VMM checks that vCPU's
 * exits against.
 *
 * Every call is emitted as
 *	load x0..x7; str w0, [marker + 8*i]; HVC/SMC; str w0, [marker + 8*i + 4]
 * The first store (pre marker) lets the VMM read the arguments the guest
 * really holds at the call, the second one (post marker) the results it
 * really got. Marker addresses are unmapped IPAs, so each store is a
 * KVM_EXIT_MMIO whose address names the plan item.
 */
#ifndef SMCCC_TESTVMM_PROGRAM_H
#define SMCCC_TESTVMM_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "emit.h"
#include "scenario.h"

/* Guest physical layout (check_truth.py relies on the code regions) */
#define GUEST_RAM_IPA		0x80000000ull
#define GUEST_RAM_SIZE		0x200000ull		/* 2 MiB */
#define GUEST_CODE_SIZE		0x10000ull		/* per vCPU */
/* A vCPU with virtual EL2 (the nested scenario): its EL2 vector table, in the upper
 * half of its code region, and what its guest hypervisor answers every call KVM
 * reflects to it with (x0; x1..x3 stay). */
#define GUEST_EL2_VECTORS_OFF	0x8000ull
#define GUEST_REFLECTED_ANSWER	0x4e455354ull		/* "NEST" */
#define GUEST_FLAGS_IPA		(GUEST_RAM_IPA + 0x100000ull)
#define GUEST_MARKER_IPA	0x10000000ull		/* unmapped: MMIO */
#define GUEST_MARKER_WINDOW	0x1000ull		/* per vCPU */
#define GUEST_MAX_VCPUS		8

#define PLAN_MAX_ITEMS		(GUEST_MARKER_WINDOW / 8)

static inline uint64_t guest_code_ipa(unsigned int vcpu)
{
	return GUEST_RAM_IPA + vcpu * GUEST_CODE_SIZE;
}

static inline uint64_t guest_marker_ipa(unsigned int vcpu)
{
	return GUEST_MARKER_IPA + vcpu * GUEST_MARKER_WINDOW;
}

enum plan_kind {
	PLAN_CALL,		/* pre marker, call, post marker */
	PLAN_ENTRY_CHECK,	/* one marker: x0 holds the CPU_ON context id */
};

struct plan_item {
	enum plan_kind kind;
	char label[32];
	enum isa isa;		/* ISA of the code around the call */
	uint64_t regs[8];	/* x0..x7 as loaded (low half on AArch32) */
	uint32_t func_id;
	enum conduit conduit;
	uint16_t imm;
	unsigned int width;	/* bits of the HVC/SMC encoding */
	enum disposition expect;
	bool no_return;
	uint64_t marker_pc;	/* the pre-call marker store */
	uint64_t call_pc;	/* the HVC/SMC itself */
	uint64_t return_pc;	/* the post marker store: where the guest resumes */
	bool counter;		/* A64: x22/x23 hold CNTVCT_EL0 read right before/after the call */
	/* hotplug */
	bool poll;		/* repeated until x0 == want */
	uint64_t want;
	unsigned int vmm;	/* VMM_* of scenario.h */
	unsigned int life;	/* PLAN_ENTRY_CHECK: the life it starts */
};

struct vcpu_plan {
	unsigned int vcpu;
	struct plan_item items[PLAN_MAX_ITEMS];
	unsigned int nr_items;
	/* items [loop_first, loop_end) repeat `iterations` times */
	unsigned int loop_first;
	unsigned int loop_end;
	unsigned int iterations;
	uint64_t entry_pc;
	size_t code_bytes;
	uint64_t life_entry[HOTPLUG_MAX_LIVES];	/* hotplug: CPU_ON entry points */
	unsigned int nr_lives;
};

struct program_config {
	enum isa isa;			/* ISA_A64 or ISA_A32 */
	bool filter;			/* SMCCC filter installed */
	bool smc_reaches_handler;	/* SMC #0 goes to KVM's SMCCC handler */
	unsigned int nr_vcpus;
	unsigned int iterations;
	uint64_t mpidr[GUEST_MAX_VCPUS];	/* affinity, for CPU_ON */
	bool userspace_psci;		/* CPU_ON and friends are forwarded */
	bool el2;			/* the vCPU starts at virtual EL2 */
	bool protected_vm;		/* a pKVM protected VM (--protected) */
	/* hotplug: each secondary's lives, known once it is built */
	uint64_t life_entry[GUEST_MAX_VCPUS][HOTPLUG_MAX_LIVES];
};

/* Context id the boot vCPU passes to CPU_ON for a secondary (its life 0) */
uint64_t program_context_id(const struct program_config *cfg,
			    unsigned int vcpu);
/* ... and for a given life of it (hotplug) */
uint64_t program_life_context_id(const struct program_config *cfg,
				 unsigned int vcpu, unsigned int life);

/*
 * Compile the program of `vcpu` (0: the boot steps, else the secondary
 * steps; hotplug scenarios: its own steps) into its code region of `ram`
 * (the host view of GUEST_RAM_IPA). A hotplug boot program needs the
 * secondaries built first: it targets their lives. Returns 0, or -1 after
 * printing why.
 */
int program_build(const struct scenario *sc, const struct program_config *cfg,
		  unsigned int vcpu, uint8_t *ram, struct vcpu_plan *plan);

#endif /* SMCCC_TESTVMM_PROGRAM_H */
