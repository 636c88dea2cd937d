// SPDX-License-Identifier: GPL-2.0
/* Scenario compiler: step tables -> guest code + the VMM's plan. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "program.h"
#include "smccc.h"

/*
 * Guest-memory flags the boot vCPU and a secondary hand over with, so only
 * one vCPU makes calls at any time and the order of the log is fixed:
 * release(v) is set by the boot vCPU once its CPU_ON has been recorded,
 * done(v) by the secondary after its last call.
 */
static unsigned int flag_release(unsigned int vcpu)
{
	return vcpu * 16;
}

static unsigned int flag_done(unsigned int vcpu)
{
	return vcpu * 16 + 8;
}

uint64_t program_context_id(const struct program_config *cfg,
			    unsigned int vcpu)
{
	uint64_t id = 0xc0de0000u | vcpu;

	/* AArch64 CPU_ON passes a 64-bit context id: use the upper half too */
	if (cfg->isa == ISA_A64)
		id |= 0x5ec0000000000000ull;
	return id;
}

uint64_t program_life_context_id(const struct program_config *cfg,
				 unsigned int vcpu, unsigned int life)
{
	return program_context_id(cfg, vcpu) | (uint64_t)life << 8;
}

static bool step_applies(const struct step *s, const struct program_config *cfg)
{
	if (s->flags & STEP_A64_ONLY && cfg->isa != ISA_A64)
		return false;
	if (s->flags & STEP_AA32_ONLY && cfg->isa == ISA_A64)
		return false;
	if (s->flags & STEP_NEEDS_FILTER && !cfg->filter)
		return false;
	if (s->flags & STEP_PVM_ONLY && !cfg->protected_vm)
		return false;
	return true;
}

/*
 * What the kernel will do with the call. Kernels before 6.4 (no SMCCC
 * filter either) answer every SMC with -1 in handle_smc. In a protected VM,
 * pKVM's hypervisor keeps some calls to itself.
 */
static enum disposition resolve_expect(const struct step *s,
				       const struct program_config *cfg)
{
	if (s->flags & STEP_PVM_HYP && cfg->protected_vm)
		return DISP_HYP;
	if (s->conduit == CONDUIT_SMC && !cfg->smc_reaches_handler)
		return DISP_REFUSED;
	return s->expect;
}

static struct plan_item *new_item(struct vcpu_plan *plan, enum plan_kind kind,
				  const char *label, enum isa isa)
{
	struct plan_item *item;

	if (plan->nr_items >= PLAN_MAX_ITEMS) {
		vmm_err("vcpu %u: more than %u calls in one program",
			plan->vcpu, (unsigned int)PLAN_MAX_ITEMS);
		return NULL;
	}
	item = &plan->items[plan->nr_items++];
	memset(item, 0, sizeof(*item));
	item->kind = kind;
	item->isa = isa;
	snprintf(item->label, sizeof(item->label), "%s", label ? label : "");
	return item;
}

static unsigned int item_index(const struct vcpu_plan *plan,
			       const struct plan_item *item)
{
	return item - plan->items;
}

static int emit_call_item(struct emitter *e, struct vcpu_plan *plan,
			  const struct step *s, const char *label,
			  const uint64_t regs[8], enum disposition expect)
{
	struct plan_item *item;
	unsigned int i, idx;

	item = new_item(plan, PLAN_CALL, label, e->isa);
	if (!item)
		return -1;
	idx = item_index(plan, item);
	if (e->isa != ISA_A64 && s->conduit == CONDUIT_SMC && s->imm) {
		/* An AArch32 SMC syndrome has no immediate: KVM cannot tell */
		vmm_err("step %s: AArch32 SMC with an immediate is not modelled",
			label);
		return -1;
	}
	if (expect == DISP_REFUSED && s->conduit != CONDUIT_SMC) {
		vmm_err("step %s: only SMC can be refused", label);
		return -1;
	}
	for (i = 0; i < 8; i++) {
		item->regs[i] = e->isa == ISA_A64 ? regs[i] : (uint32_t)regs[i];
		emit_load_arg(e, i, item->regs[i]);
	}
	item->func_id = (uint32_t)regs[0];
	item->conduit = s->conduit;
	item->imm = s->imm;
	item->width = 32;	/* A64, A32 and T32 HVC/SMC are all 32-bit */
	item->expect = expect;
	item->no_return = s->flags & STEP_NO_RETURN;
	item->vmm = s->vmm;

	item->marker_pc = emit_pc(e);
	emit_marker(e, idx * 8);
	/* A64: the guest's virtual counter right before and right after the call, the
	 * truth the tracer's guest_cntvct must lie between */
	item->counter = e->isa == ISA_A64;
	if (item->counter)
		emit_read_counter(e, A64_CALL_COUNTER_BEFORE);
	item->call_pc = emit_pc(e);
	emit_call(e, s->conduit, s->imm);
	if (item->counter)
		emit_read_counter(e, A64_CALL_COUNTER_AFTER);
	item->return_pc = emit_pc(e);
	if (item->no_return)
		emit_park(e);	/* if KVM ever resumed it */
	else
		emit_marker(e, idx * 8 + 4);
	return 0;
}

static int emit_step_call(struct emitter *e, struct vcpu_plan *plan,
			  const struct step *s,
			  const struct program_config *cfg)
{
	uint64_t regs[8];

	regs[0] = (uint64_t)s->x0_hi << 32 | s->func_id;
	memcpy(&regs[1], s->args, sizeof(s->args));
	return emit_call_item(e, plan, s, s->label, regs,
			      resolve_expect(s, cfg));
}

/* Boot vCPU: start each secondary, let it run its calls, wait for it */
static int emit_cpu_on_all(struct emitter *e, struct vcpu_plan *plan,
			   const struct step *s,
			   const struct program_config *cfg)
{
	struct step on = *s;
	unsigned int v;

	on.conduit = CONDUIT_HVC;
	on.imm = 0;
	for (v = 1; v < cfg->nr_vcpus; v++) {
		uint64_t regs[8] = { 0 };
		char label[32];

		regs[0] = cfg->isa == ISA_A64 ? FID_PSCI_CPU_ON_64 : FID_PSCI_CPU_ON_32;
		regs[1] = cfg->mpidr[v];
		regs[2] = guest_code_ipa(v);	/* entry point */
		regs[3] = program_context_id(cfg, v);
		snprintf(label, sizeof(label), "%s_%u", s->label, v);
		if (emit_call_item(e, plan, &on, label, regs, DISP_KVM))
			return -1;
		emit_flag_set(e, flag_release(v));
		emit_flag_wait(e, flag_done(v));
	}
	return 0;
}

/* Hotplug boot vCPU: one CPU_ON, of a secondary's life or of a bare MPIDR */
static int emit_cpu_on(struct emitter *e, struct vcpu_plan *plan,
		       const struct step *s, const struct program_config *cfg)
{
	uint64_t regs[8] = { FID_PSCI_CPU_ON_64 };

	if (e->isa != ISA_A64 || s->target >= cfg->nr_vcpus || s->life >= HOTPLUG_MAX_LIVES) {
		vmm_err("step %s: CPU_ON of vCPU %u life %u: no such life (A64 only)",
			s->label, s->target, s->life);
		return -1;
	}
	regs[1] = s->mpidr ? s->mpidr : cfg->mpidr[s->target];
	regs[2] = cfg->life_entry[s->target][s->life];
	regs[3] = program_life_context_id(cfg, s->target, s->life);
	return emit_call_item(e, plan, s, s->label, regs,
			      cfg->userspace_psci ? DISP_FORWARDED : DISP_KVM);
}

/* A secondary's life: the entry point CPU_ON gives, then the context id check */
static int emit_life(struct emitter *e, struct vcpu_plan *plan,
		     const struct step *s, const struct program_config *cfg,
		     unsigned int vcpu)
{
	struct plan_item *item;

	if (s->life != plan->nr_lives || s->life >= HOTPLUG_MAX_LIVES) {
		vmm_err("vcpu %u: life %u out of order", vcpu, s->life);
		return -1;
	}
	plan->life_entry[plan->nr_lives++] = emit_pc(e);
	/* a restarted vCPU keeps no registers but x0: set the bases again */
	emit_set_marker_base(e, guest_marker_ipa(vcpu));
	emit_set_flags_base(e, GUEST_FLAGS_IPA);
	item = new_item(plan, PLAN_ENTRY_CHECK, s->label, e->isa);
	if (!item)
		return -1;
	item->life = s->life;
	item->regs[0] = program_life_context_id(cfg, vcpu, s->life);
	item->marker_pc = emit_pc(e);
	emit_marker(e, item_index(plan, item) * 8);
	return 0;
}

/* The call, repeated until it returns x0 == want */
static int emit_poll(struct emitter *e, struct vcpu_plan *plan,
		     const struct step *s, const struct program_config *cfg)
{
	uint64_t top = emit_pc(e);

	if (emit_step_call(e, plan, s, cfg))
		return -1;
	plan->items[plan->nr_items - 1].poll = true;
	plan->items[plan->nr_items - 1].want = s->want;
	emit_branch_x0_ne(e, (uint32_t)s->want, top);
	return 0;
}

/*
 * Virtual EL2: KVM reflects the vCPU's HVCs into its own EL2 vectors (VBAR_EL2). The
 * guest hypervisor is one answer at the "current EL, SPx, synchronous" entry (the vCPU
 * runs at EL2h) and, defensively, at the SP0 one; the program stays below the table.
 */
static void emit_el2_vectors(struct emitter *e, uint8_t *ram, unsigned int vcpu)
{
	static const uint64_t entries[] = { 0x000, 0x200 };
	uint64_t table = guest_code_ipa(vcpu) + GUEST_EL2_VECTORS_OFF;

	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		struct emitter v;

		emit_init(&v, ram + (table + entries[i] - GUEST_RAM_IPA), table + entries[i], 0x80, ISA_A64);
		emit_reflected_answer(&v, GUEST_REFLECTED_ANSWER);
		if (v.error)
			e->error = v.error;
	}
	e->size = GUEST_EL2_VECTORS_OFF;
	emit_set_vbar_el2(e, table);
}

int program_build(const struct scenario *sc, const struct program_config *cfg,
		  unsigned int vcpu, uint8_t *ram, struct vcpu_plan *plan)
{
	const struct step *steps = vcpu ? sc->secondary : sc->boot;
	size_t nr_steps = vcpu ? sc->nr_secondary : sc->nr_boot;
	uint64_t loop_label = 0;
	struct emitter e;
	struct plan_item *item;
	size_t i;

	if (sc->vcpu_steps) {
		steps = sc->vcpu_steps[vcpu];
		nr_steps = sc->nr_vcpu_steps[vcpu];
	}
	memset(plan, 0, sizeof(*plan));
	plan->vcpu = vcpu;
	plan->iterations = 1;
	plan->entry_pc = guest_code_ipa(vcpu);
	emit_init(&e, ram + (guest_code_ipa(vcpu) - GUEST_RAM_IPA),
		  guest_code_ipa(vcpu), GUEST_CODE_SIZE, cfg->isa);

	/* x28/r11 and x26/r12 first: x0 still holds a secondary's context id */
	emit_set_marker_base(&e, guest_marker_ipa(vcpu));
	emit_set_flags_base(&e, GUEST_FLAGS_IPA);
	if (cfg->el2)
		emit_el2_vectors(&e, ram, vcpu);

	for (i = 0; i < nr_steps; i++) {
		const struct step *s = &steps[i];

		if (!step_applies(s, cfg))
			continue;
		switch (s->kind) {
		case STEP_CALL:
			if (emit_step_call(&e, plan, s, cfg))
				return -1;
			break;
		case STEP_CPU_ON_ALL:
			if (emit_cpu_on_all(&e, plan, s, cfg))
				return -1;
			break;
		case STEP_ENTRY_CHECK:
			item = new_item(plan, PLAN_ENTRY_CHECK, s->label, e.isa);
			if (!item)
				return -1;
			item->regs[0] = program_context_id(cfg, vcpu);
			if (e.isa != ISA_A64)
				item->regs[0] = (uint32_t)item->regs[0];
			item->marker_pc = emit_pc(&e);
			emit_marker(&e, item_index(plan, item) * 8);
			break;
		case STEP_WAIT_RELEASE:
			emit_flag_wait(&e, flag_release(vcpu));
			break;
		case STEP_DONE:
			emit_flag_set(&e, flag_done(vcpu));
			emit_park(&e);
			break;
		case STEP_LOOP_BEGIN:
			plan->loop_first = plan->nr_items;
			plan->iterations = cfg->iterations;
			loop_label = emit_loop_begin(&e, cfg->iterations);
			break;
		case STEP_LOOP_END:
			plan->loop_end = plan->nr_items;
			emit_loop_end(&e, loop_label);
			break;
		case STEP_TO_T32:
			emit_to_t32(&e);
			break;
		case STEP_TO_A32:
			emit_to_a32(&e);
			break;
		case STEP_LIFE:
			if (emit_life(&e, plan, s, cfg, vcpu))
				return -1;
			break;
		case STEP_CPU_ON:
			if (emit_cpu_on(&e, plan, s, cfg))
				return -1;
			break;
		case STEP_SET_FLAG:
			emit_flag_set(&e, s->flag);
			break;
		case STEP_WAIT_FLAG:
			emit_flag_wait(&e, s->flag);
			break;
		case STEP_POLL:
			if (emit_poll(&e, plan, s, cfg))
				return -1;
			break;
		}
		if (e.error) {
			vmm_err("vcpu %u: emitting step %zu (%s): %s", vcpu, i,
				s->label ? s->label : "-", e.error);
			return -1;
		}
	}
	/* Whatever happens, never run off the end into zeroed memory */
	emit_park(&e);
	if (e.error) {
		vmm_err("vcpu %u: %s", vcpu, e.error);
		return -1;
	}
	if (plan->iterations > 1 && plan->loop_end <= plan->loop_first) {
		vmm_err("vcpu %u: --iterations needs a loop in the scenario",
			vcpu);
		return -1;
	}
	plan->code_bytes = e.pos;
	return 0;
}
