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

#include <stddef.h>
#include <stdint.h>

#include "emit.h"

/* Who answers a call: the "expect" field of the ground truth */
enum disposition {
	DISP_KVM,	/* KVM's SMCCC handler, in the kernel */
	DISP_DENIED,	/* the SMCCC filter's DENY: -1, in the kernel */
	DISP_FORWARDED,	/* KVM_EXIT_HYPERCALL: the VMM answers */
	DISP_REFUSED,	/* SMC #imm != 0: handle_smc answers -1 itself */
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
};

#define STEP_A64_ONLY		(1u << 0)
#define STEP_AA32_ONLY		(1u << 1)
/* Only meaningful with an SMCCC filter installed (denied, forwarded) */
#define STEP_NEEDS_FILTER	(1u << 2)
/* The guest never returns from it (SYSTEM_OFF): no result */
#define STEP_NO_RETURN		(1u << 3)

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
};

const struct scenario *scenario_find(const char *name);
const char *scenario_names(void);
const char *disposition_name(enum disposition disp);

#endif /* SMCCC_TESTVMM_SCENARIO_H */
