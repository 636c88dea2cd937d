// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU threads: run a vCPU, attribute each exit to its plan item, and record
 * every SMCCC call from the guest's own registers.
 *
 * Exits a vCPU may take, in order, for one plan item:
 *   MMIO pre marker -> [HYPERCALL if forwarded] -> MMIO post marker
 *   MMIO pre marker -> SYSTEM_EVENT (SYSTEM_OFF, never returns)
 * Anything else fails the run loudly: the ground truth must be exact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "vmm.h"

/*
 * The VMM's answer to a forwarded call: distinct per call and register, and
 * recomputable from the truth line (check_truth.py does):
 *	AArch64: 0xf0d0000000000000 | seq << 8 | n
 *	AArch32: 0xf0000000 | (seq & 0xfffff) << 8 | n
 */
static uint64_t forwarded_answer(bool aarch32, uint64_t seq, unsigned int n)
{
	if (aarch32)
		return 0xf0000000u | (uint32_t)(seq & 0xfffff) << 8 | n;
	return 0xf0d0000000000000ull | seq << 8 | n;
}

static const char *isa_mode(enum isa isa)
{
	switch (isa) {
	case ISA_A64:	return "aarch64";
	case ISA_A32:	return "aarch32";
	case ISA_T32:	return "t32";
	}
	return "?";
}

static const char *pstate_mode(uint64_t pstate)
{
	if (!(pstate & PSTATE_NRW))
		return "aarch64";
	return pstate & PSTATE_T ? "t32" : "aarch32";
}

static bool is_aarch32_mode(const char *mode)
{
	return strcmp(mode, "aarch64") != 0;
}

static int vcpu_fail(struct vcpu_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int vcpu_fail(struct vcpu_ctx *ctx, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vmm_err("vcpu %u: %s", ctx->kvm.id, msg);
	vmm_finish(ctx->vmm, VMM_FAILED);
	return -1;
}

static int read_regs(struct vcpu_ctx *ctx, uint64_t *regs, unsigned int n,
		     bool aarch32)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (kvm_get_reg(&ctx->kvm, KVM_REG_X(i), &regs[i]))
			return -1;
		/* AArch32 sees r0..r7; the upper halves are not its state */
		if (aarch32)
			regs[i] = (uint32_t)regs[i];
	}
	return 0;
}

/* After a plan item is complete: the next one, looping if need be */
static void advance(struct vcpu_ctx *ctx, unsigned int idx)
{
	const struct vcpu_plan *plan = ctx->plan;

	ctx->next = idx + 1;
	if (ctx->next == plan->loop_end && plan->loop_end > plan->loop_first &&
	    ctx->iteration + 1 < plan->iterations) {
		ctx->iteration++;
		ctx->next = plan->loop_first;
	}
}

static void record_call(struct vcpu_ctx *ctx, bool returned,
			const uint64_t *result)
{
	const struct pending_call *p = &ctx->pending;
	const struct plan_item *item = p->item;
	struct truth_call c = {
		.seq = p->seq,
		.vcpu = ctx->kvm.id,
		.tid = ctx->tid,
		.func_id = (uint32_t)p->regs[0],
		.conduit = item->conduit,
		.imm = item->imm,
		.pc = item->call_pc,
		.width = item->width,
		.mode = p->mode,
		.expect = item->expect,
		.returned = returned,
		.forwarded = p->forwarded,
		.vmm_delay_ns = p->vmm_delay_ns,
		.label = item->label,
	};

	memcpy(c.args, &p->regs[1], sizeof(c.args));
	if (returned)
		memcpy(c.result, result, sizeof(c.result));
	/* the guest's counter around the call: before is set once the call is made (the
	 * vCPU is stopped at its exit or its post marker), after only when it returned */
	if (item->counter && !kvm_get_reg(&ctx->kvm, KVM_REG_X(A64_CALL_COUNTER_BEFORE), &c.cntvct_before)) {
		c.counter = true;
		c.counter_after = returned &&
				  !kvm_get_reg(&ctx->kvm, KVM_REG_X(A64_CALL_COUNTER_AFTER), &c.cntvct_after);
	}
	truth_write_call(&ctx->vmm->truth, &c);
}

/* The pre marker: the guest is about to make the call of plan item idx */
static int on_pre_marker(struct vcpu_ctx *ctx, unsigned int idx)
{
	const struct plan_item *item = &ctx->plan->items[idx];
	struct pending_call *p = &ctx->pending;
	uint64_t pc, pstate, regs[8];
	const char *mode;
	unsigned int i;

	if (p->active)
		return vcpu_fail(ctx, "marker of item %u while call %s is still pending",
				 idx, p->item->label);
	if (idx != ctx->next)
		return vcpu_fail(ctx, "marker of item %u (%s), expected item %u (%s)",
				 idx, item->label, ctx->next,
				 ctx->next < ctx->plan->nr_items ?
				 ctx->plan->items[ctx->next].label : "end");
	if (kvm_get_reg(&ctx->kvm, KVM_REG_PC, &pc) ||
	    kvm_get_reg(&ctx->kvm, KVM_REG_PSTATE, &pstate))
		return vcpu_fail(ctx, "cannot read pc/pstate");
	mode = pstate_mode(pstate);
	if (read_regs(ctx, regs, 8, is_aarch32_mode(mode)))
		return vcpu_fail(ctx, "cannot read x0..x7");

	/* The plan and the guest must agree, or the emitter is wrong */
	if (pc != item->marker_pc)
		return vcpu_fail(ctx, "%s: marker at pc 0x%" PRIx64 ", emitted at 0x%" PRIx64,
				 item->label, pc, item->marker_pc);
	if (strcmp(mode, isa_mode(item->isa)))
		return vcpu_fail(ctx, "%s: guest runs %s (pstate 0x%" PRIx64 "), emitted %s",
				 item->label, mode, pstate, isa_mode(item->isa));
	if (item->kind == PLAN_ENTRY_CHECK) {
		if (regs[0] != item->regs[0])
			return vcpu_fail(ctx, "entered with x0 0x%" PRIx64 ", CPU_ON context id 0x%" PRIx64,
					 regs[0], item->regs[0]);
		vmm_debug("vcpu %u: entered at 0x%" PRIx64 " with context id 0x%" PRIx64,
			  ctx->kvm.id, ctx->plan->entry_pc, regs[0]);
		advance(ctx, idx);
		return 0;
	}
	for (i = 0; i < 8; i++)
		if (regs[i] != item->regs[i])
			return vcpu_fail(ctx, "%s: x%u is 0x%" PRIx64 ", emitted 0x%" PRIx64,
					 item->label, i, regs[i], item->regs[i]);

	memset(p, 0, sizeof(*p));
	p->active = true;
	p->item = item;
	p->seq = truth_next_seq(&ctx->vmm->truth);
	p->mode = mode;
	psci_call_seen(ctx, p->seq);
	memcpy(p->regs, regs, sizeof(regs));
	vmm_debug("vcpu %u: seq %" PRIu64 " %s: func 0x%08x %s #%u at 0x%" PRIx64,
		  ctx->kvm.id, p->seq, item->label, item->func_id,
		  item->conduit == CONDUIT_HVC ? "hvc" : "smc", item->imm,
		  item->call_pc);
	return 0;
}

/* The post marker: the call returned; x0..x3 are what the guest got */
static int on_post_marker(struct vcpu_ctx *ctx, unsigned int idx)
{
	struct pending_call *p = &ctx->pending;
	uint64_t result[4], pc;

	if (!p->active || p->item != &ctx->plan->items[idx])
		return vcpu_fail(ctx, "return marker of item %u without its call",
				 idx);
	/* Returned right behind the call, not through some exception */
	if (kvm_get_reg(&ctx->kvm, KVM_REG_PC, &pc))
		return vcpu_fail(ctx, "cannot read pc");
	if (pc != p->item->return_pc)
		return vcpu_fail(ctx, "%s: return marker at pc 0x%" PRIx64 ", the call is at 0x%" PRIx64,
				 p->item->label, pc, p->item->call_pc);
	if (p->item->expect == DISP_FORWARDED && !p->forwarded)
		return vcpu_fail(ctx, "%s: expected KVM_EXIT_HYPERCALL for 0x%08x, but KVM answered the guest itself",
				 p->item->label, p->item->func_id);
	if (read_regs(ctx, result, 4, is_aarch32_mode(p->mode)))
		return vcpu_fail(ctx, "cannot read x0..x3");
	record_call(ctx, true, result);
	vmm_debug("vcpu %u: seq %" PRIu64 " %s: x0 0x%" PRIx64 " x1 0x%" PRIx64
		  " x2 0x%" PRIx64 " x3 0x%" PRIx64, ctx->kvm.id, p->seq,
		  p->item->label, result[0], result[1], result[2], result[3]);
	p->active = false;
	if (p->item->poll && result[0] != p->item->want)
		ctx->next = idx;	/* the guest asks again */
	else
		advance(ctx, idx);
	return 0;
}

static int on_mmio(struct vcpu_ctx *ctx)
{
	struct kvm_run *run = ctx->kvm.run;
	uint64_t base = guest_marker_ipa(ctx->kvm.id);
	uint64_t addr = run->mmio.phys_addr;
	uint64_t off = addr - base;
	unsigned int idx;

	if (addr < base || off >= GUEST_MARKER_WINDOW || !run->mmio.is_write ||
	    run->mmio.len != 4 || off & 3)
		return vcpu_fail(ctx, "unexpected MMIO %s of %u bytes at 0x%" PRIx64,
				 run->mmio.is_write ? "write" : "read",
				 run->mmio.len, addr);
	idx = off / 8;
	if (idx >= ctx->plan->nr_items)
		return vcpu_fail(ctx, "marker 0x%" PRIx64 " names no plan item",
				 addr);
	return off & 4 ? on_post_marker(ctx, idx) : on_pre_marker(ctx, idx);
}

static int hold_call(struct vcpu_ctx *ctx, uint64_t delay_us)
{
	struct timespec until;
	uint64_t deadline = ts_ns_of(&ctx->hold_start) + delay_us * 1000;

	until.tv_sec = deadline / 1000000000ull;
	until.tv_nsec = deadline % 1000000000ull;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL)) {
		if (ctx->vmm->stopping)
			return -1;
	}
	return 0;
}

/*
 * A forwarded PSCI call of a hotplug scenario: the VMM's PSCI answers it after the
 * usual hold (--slow-ms for VMM_SLOW_ANSWER), or parks the caller (CPU_OFF), whose
 * call then never returns: its truth record has no result.
 */
static int on_psci_call(struct vcpu_ctx *ctx)
{
	struct pending_call *p = &ctx->pending;
	uint64_t x0, delay_us = ctx->vmm->delay_us;
	int parked = psci_call(ctx, &x0);

	if (parked < 0)
		return vcpu_fail(ctx, "%s: PSCI failed", p->item->label);
	p->forwarded = true;
	if (parked) {
		if (!p->item->no_return)
			return vcpu_fail(ctx, "%s: parked, but the program expects it to return", p->item->label);
		p->forwarded = false;	/* no VMM time: it never returns */
		record_call(ctx, false, NULL);
		vmm_debug("vcpu %u: seq %" PRIu64 " %s: parked", ctx->kvm.id, p->seq, p->item->label);
		p->active = false;
		advance(ctx, p->item - ctx->plan->items);
		return 0;
	}
	if (p->item->vmm & VMM_SLOW_ANSWER)
		delay_us = (uint64_t)ctx->vmm->slow_ms * 1000;
	if (hold_call(ctx, delay_us))
		return -1;
	if (kvm_set_reg(&ctx->kvm, KVM_REG_X(0), x0))
		return vcpu_fail(ctx, "cannot answer %s", p->item->label);
	ctx->holding = true;
	return 0;
}

/* KVM_EXIT_HYPERCALL: the filter forwarded the pending call to us */
static int on_hypercall(struct vcpu_ctx *ctx)
{
	struct kvm_run *run = ctx->kvm.run;
	struct pending_call *p = &ctx->pending;
	const struct plan_item *item = p->item;
	uint64_t flags = kvm_hypercall_flags(run);
	bool smc = flags & KVM_HYPERCALL_EXIT_SMC;
	unsigned int width = flags & KVM_HYPERCALL_EXIT_16BIT ? 16 : 32;
	bool aarch32;
	uint64_t pc;
	unsigned int i;

	if (!p->active)
		return vcpu_fail(ctx, "KVM_EXIT_HYPERCALL (nr 0x%llx) outside any call",
				 (unsigned long long)run->hypercall.nr);
	if (item->expect != DISP_FORWARDED || p->forwarded)
		return vcpu_fail(ctx, "%s: unexpected KVM_EXIT_HYPERCALL (expected %s)",
				 item->label, disposition_name(item->expect));
	if (run->hypercall.nr != (uint32_t)p->regs[0])
		return vcpu_fail(ctx, "%s: KVM_EXIT_HYPERCALL nr 0x%llx, guest x0 0x%" PRIx64,
				 item->label,
				 (unsigned long long)run->hypercall.nr,
				 p->regs[0]);
	if (smc != (item->conduit == CONDUIT_SMC))
		return vcpu_fail(ctx, "%s: KVM_EXIT_HYPERCALL flags 0x%llx say %s, guest used %s",
				 item->label,
				 (unsigned long long)flags,
				 smc ? "smc" : "hvc",
				 item->conduit == CONDUIT_SMC ? "smc" : "hvc");
	if (width != item->width)
		return vcpu_fail(ctx, "%s: KVM_EXIT_HYPERCALL flags 0x%llx say %u-bit, guest used %u-bit",
				 item->label,
				 (unsigned long long)flags,
				 width, item->width);
	/* The documented ABI: PC already points past the HVC/SMC */
	if (kvm_get_reg(&ctx->kvm, KVM_REG_PC, &pc))
		return vcpu_fail(ctx, "cannot read pc");
	if (pc != item->call_pc + width / 8)
		return vcpu_fail(ctx, "%s: KVM_EXIT_HYPERCALL at pc 0x%" PRIx64 ", the call is at 0x%" PRIx64,
				 item->label, pc, item->call_pc);

	if (psci_is_userspace(ctx->vmm, item->func_id))
		return on_psci_call(ctx);
	if (hold_call(ctx, ctx->vmm->delay_us))
		return -1;
	aarch32 = is_aarch32_mode(p->mode);
	for (i = 0; i < 4; i++)
		if (kvm_set_reg(&ctx->kvm, KVM_REG_X(i),
				forwarded_answer(aarch32, p->seq, i)))
			return vcpu_fail(ctx, "cannot answer %s", item->label);
	p->forwarded = true;
	ctx->holding = true;	/* vmm_delay_ns ends at the next KVM_RUN */
	return 0;
}

static int on_system_event(struct vcpu_ctx *ctx)
{
	struct kvm_run *run = ctx->kvm.run;
	struct pending_call *p = &ctx->pending;

	if (!p->active || !p->item->no_return)
		return vcpu_fail(ctx, "unexpected system event type %u",
				 run->system_event.type);
	if (run->system_event.type != KVM_SYSTEM_EVENT_SHUTDOWN)
		return vcpu_fail(ctx, "%s: system event type %u, expected SHUTDOWN",
				 p->item->label, run->system_event.type);
	record_call(ctx, false, NULL);
	vmm_debug("vcpu %u: seq %" PRIu64 " %s: system off", ctx->kvm.id,
		  p->seq, p->item->label);
	p->active = false;
	advance(ctx, p->item - ctx->plan->items);
	vmm_finish(ctx->vmm, VMM_SYSTEM_OFF);
	return 1;
}

static int handle_exit(struct vcpu_ctx *ctx)
{
	struct kvm_run *run = ctx->kvm.run;
	uint64_t pc = 0;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		return on_mmio(ctx);
	case KVM_EXIT_HYPERCALL:
		return on_hypercall(ctx);
	case KVM_EXIT_SYSTEM_EVENT:
		return on_system_event(ctx);
	case KVM_EXIT_INTR:
		return 0;
	default:
		kvm_get_reg(&ctx->kvm, KVM_REG_PC, &pc);
		return vcpu_fail(ctx, "unexpected exit %s (%u) at pc 0x%" PRIx64,
				 kvm_exit_reason_name(run->exit_reason),
				 run->exit_reason, pc);
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu_ctx *ctx = arg;
	struct vmm *vmm = ctx->vmm;
	char name[16];

	__atomic_store_n(&ctx->tid, gettid(), __ATOMIC_RELEASE);
	snprintf(name, sizeof(name), "vcpu%u", ctx->kvm.id);
	pthread_setname_np(pthread_self(), name);
	if (vmm->setup_barrier && ctx->at_setup)
		pthread_barrier_wait(vmm->setup_barrier);

	while (!vmm->stopping) {
		struct timespec exit_time;

		if (ctx->waits_start) {
			if (psci_wait_start(ctx))
				break;	/* the VM stops */
		}
		if (ctx->holding) {
			ctx->pending.vmm_delay_ns =
				now_ns() - ts_ns_of(&ctx->hold_start);
			ctx->holding = false;
		}
		if (kvm_run(&ctx->kvm)) {
			if (errno == EINTR)
				continue;	/* stopping, or a stray signal */
			vcpu_fail(ctx, "KVM_RUN failed");
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &exit_time);
		ctx->hold_start = exit_time;
		if (handle_exit(ctx))
			break;
	}
	return NULL;
}

int vcpu_start(struct vcpu_ctx *ctx)
{
	int err = pthread_create(&ctx->thread, NULL, vcpu_thread, ctx);

	if (err) {
		vmm_err("cannot start the thread of vcpu %u: %s", ctx->kvm.id,
			strerror(err));
		return -1;
	}
	ctx->started = true;
	return 0;
}

void vcpu_stop_all(struct vmm *vmm)
{
	unsigned int i;

	pthread_mutex_lock(&vmm->lock);
	vmm->stopping = true;
	pthread_cond_broadcast(&vmm->psci_cond);	/* parked and unstarted vCPUs */
	pthread_mutex_unlock(&vmm->lock);
	for (i = 0; i < vmm->nr_vcpus; i++) {
		struct vcpu_ctx *ctx = &vmm->vcpus[i];
		struct timespec deadline;

		if (!ctx->started)
			continue;
		/*
		 * A powered-off or parked vCPU sleeps in KVM_RUN: a signal
		 * gets it out, immediate_exit covers a thread about to enter.
		 */
		ctx->kvm.run->immediate_exit = 1;
		for (;;) {
			pthread_kill(ctx->thread, SIGUSR1);
			clock_gettime(CLOCK_REALTIME, &deadline);
			deadline.tv_nsec += 100 * 1000 * 1000;
			if (deadline.tv_nsec >= 1000000000) {
				deadline.tv_sec++;
				deadline.tv_nsec -= 1000000000;
			}
			if (!pthread_timedjoin_np(ctx->thread, NULL, &deadline))
				break;
		}
		ctx->started = false;
	}
}

void vmm_finish(struct vmm *vmm, enum vmm_outcome outcome)
{
	pthread_mutex_lock(&vmm->lock);
	if (vmm->outcome == VMM_RUNNING)
		vmm->outcome = outcome;
	pthread_cond_broadcast(&vmm->cond);
	pthread_mutex_unlock(&vmm->lock);
}
