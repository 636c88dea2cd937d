// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI in the VMM, the way a VMM with vCPU hotplug does it: the SMCCC filter
 * forwards CPU_ON, CPU_OFF and AFFINITY_INFO (KVM_SMCCC_FILTER_FWD_TO_USER), and
 *   CPU_ON        starts the target's thread, or wakes it if it is parked, with its
 *                 PC and x0 set from the call (KVM_SET_ONE_REG); INVALID_PARAMETERS
 *                 for an MPIDR no vCPU has, DENIED for a vCPU marked not present,
 *                 ALREADY_ON for a running one, ON_PENDING for one starting.
 *                 QEMU's way (the steps marked VMM_REINIT_START): KVM_ARM_VCPU_INIT
 *                 on the target first (arm_set_cpu_on -> cpu_reset ->
 *                 kvm_arm_vcpu_init), which resets it, then PC and x0
 *   CPU_OFF       parks the caller: its thread stops entering KVM_RUN
 *   AFFINITY_INFO answers from the VMM's bookkeeping
 * The scenario's steps also ask for the bugs the flow view must catch (VMM_* in
 * scenario.h): a slow answer, a late start, a vCPU not parked, a lazy "off".
 *
 * What the VMM decided goes to the ground truth as {"type":"psci",...} facts
 * (tests/vmm/README.md); tests/vm/check_psci.py builds the expected flow from them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <linux/psci.h>

#include "log.h"
#include "smccc.h"
#include "vmm.h"

static unsigned int psci_fn(uint32_t func_id)
{
	return func_id & 0xffff;
}

bool psci_is_userspace(const struct vmm *vmm, uint32_t func_id)
{
	if (!vmm->userspace_psci || (func_id & ~0x40000000u) >> 16 != 0x8400)
		return false;
	return func_id == FID_PSCI_CPU_OFF || psci_fn(func_id) == psci_fn(FID_PSCI_CPU_ON_64) ||
	       psci_fn(func_id) == psci_fn(FID_PSCI_AFFINITY_INFO_64);
}

static const char *psci_ret_name(int64_t ret)
{
	switch (ret) {
	case PSCI_RET_SUCCESS:			return "SUCCESS";
	case PSCI_RET_NOT_SUPPORTED:		return "NOT_SUPPORTED";
	case PSCI_RET_INVALID_PARAMS:		return "INVALID_PARAMETERS";
	case PSCI_RET_DENIED:			return "DENIED";
	case PSCI_RET_ALREADY_ON:		return "ALREADY_ON";
	case PSCI_RET_ON_PENDING:		return "ON_PENDING";
	}
	return "?";
}

/* The vCPU with that MPIDR (affinity fields only), or NULL */
static struct vcpu_ctx *by_mpidr(struct vmm *vmm, uint64_t mpidr)
{
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++)
		if (vmm->mpidr[i] == (mpidr & MPIDR_HWID_MASK))
			return &vmm->vcpus[i];
	return NULL;
}

/* "null" or the number, for the facts */
static const char *vcpu_json(const struct vcpu_ctx *t, char *buf, size_t len)
{
	if (!t)
		return "null";
	snprintf(buf, len, "%u", t->kvm.id);
	return buf;
}

static int64_t cpu_on(struct vcpu_ctx *ctx, struct vcpu_ctx *target, const uint64_t *regs)
{
	struct vmm *vmm = ctx->vmm;
	const struct plan_item *item = ctx->pending.item;
	int64_t ret;

	if (!target)
		return PSCI_RET_INVALID_PARAMS;
	if (!target->present)
		return PSCI_RET_DENIED;
	if (target->start_pending)
		return PSCI_RET_ON_PENDING;
	if (target->running)
		return PSCI_RET_ALREADY_ON;
	if (vmm->stopping)
		return PSCI_RET_INTERNAL_FAILURE;
	target->start_pending = true;
	target->start_pc = regs[2];
	target->start_x0 = regs[3];
	target->start_reinit = item->vmm & VMM_REINIT_START;
	target->cpu_on_ns = ts_ns_of(&ctx->hold_start);
	target->start_after_ns = target->cpu_on_ns;
	if (item->vmm & VMM_LATE_START)
		target->start_after_ns += (uint64_t)vmm->start_delay_ms * 1000000;
	target->life = 0;
	for (unsigned int l = 0; l < HOTPLUG_MAX_LIVES; l++)
		if (target->plan->life_entry[l] == regs[2] && l < target->plan->nr_lives)
			target->life = l;
	ret = PSCI_RET_SUCCESS;
	if (!target->started) {
		target->waits_start = true;
		if (vcpu_start(target))
			return PSCI_RET_INTERNAL_FAILURE;
	}
	pthread_cond_broadcast(&vmm->psci_cond);
	return ret;
}

static int64_t affinity_info(struct vcpu_ctx *target, uint64_t level)
{
	if (!target || level)
		return PSCI_RET_INVALID_PARAMS;
	if (target->lazy_off_left) {
		target->lazy_off_left--;
		return PSCI_0_2_AFFINITY_LEVEL_ON;	/* the bug: its off state is published late */
	}
	if (target->start_pending)
		return PSCI_0_2_AFFINITY_LEVEL_ON_PENDING;
	return target->running && !target->off ? PSCI_0_2_AFFINITY_LEVEL_ON : PSCI_0_2_AFFINITY_LEVEL_OFF;
}

static const char *affinity_name(int64_t a)
{
	switch (a) {
	case PSCI_0_2_AFFINITY_LEVEL_ON:		return "on";
	case PSCI_0_2_AFFINITY_LEVEL_OFF:		return "off";
	case PSCI_0_2_AFFINITY_LEVEL_ON_PENDING:	return "on_pending";
	}
	return psci_ret_name(a);
}

int psci_call(struct vcpu_ctx *ctx, uint64_t *x0)
{
	struct vmm *vmm = ctx->vmm;
	const struct pending_call *p = &ctx->pending;
	uint32_t func_id = (uint32_t)p->regs[0];
	bool smc64 = func_id & 0x40000000u;
	uint64_t mpidr = smc64 ? p->regs[1] : (uint32_t)p->regs[1];
	struct vcpu_ctx *target;
	char tv[16];
	int64_t ret;
	int parked = 0;

	pthread_mutex_lock(&vmm->lock);
	target = by_mpidr(vmm, mpidr);
	switch (psci_fn(func_id)) {
	case 0x03:	/* CPU_ON */
		ret = cpu_on(ctx, target, p->regs);
		truth_write_fact(&vmm->truth,
				 "\"event\":\"cpu_on\",\"seq\":%" PRIu64 ",\"vcpu\":%u,\"target_mpidr\":\"0x%" PRIx64
				 "\",\"target_vcpu\":%s,\"entry\":\"0x%" PRIx64 "\",\"context_id\":\"0x%" PRIx64
				 "\",\"result\":\"%s\",\"late_start_ns\":%" PRIu64 ",\"reinit\":%s",
				 p->seq, ctx->kvm.id, (uint64_t)(mpidr & MPIDR_HWID_MASK), vcpu_json(target, tv, sizeof(tv)),
				 p->regs[2], p->regs[3], psci_ret_name(ret),
				 ret == PSCI_RET_SUCCESS ? target->start_after_ns - target->cpu_on_ns : 0,
				 ret == PSCI_RET_SUCCESS && target->start_reinit ? "true" : "false");
		break;
	case 0x02:	/* CPU_OFF */
		ctx->off = true;
		if (p->item->vmm & VMM_FORGET_PARK) {
			ret = PSCI_RET_SUCCESS;	/* the bug: it keeps running */
		} else {
			ctx->running = false;
			ctx->waits_start = true;
			if (p->item->vmm & VMM_LAZY_OFF)
				ctx->lazy_off_left = vmm->affinity_lag;
			parked = 1;
			ret = 0;
		}
		truth_write_fact(&vmm->truth, "\"event\":\"cpu_off\",\"seq\":%" PRIu64 ",\"vcpu\":%u,\"parked\":%s",
				 p->seq, ctx->kvm.id, parked ? "true" : "false");
		break;
	case 0x04:	/* AFFINITY_INFO */
		ret = affinity_info(target, smc64 ? p->regs[2] : (uint32_t)p->regs[2]);
		truth_write_fact(&vmm->truth,
				 "\"event\":\"affinity_info\",\"seq\":%" PRIu64 ",\"vcpu\":%u,\"target_vcpu\":%s,"
				 "\"answer\":\"%s\"", p->seq, ctx->kvm.id, vcpu_json(target, tv, sizeof(tv)),
				 affinity_name(ret));
		break;
	default:
		ret = PSCI_RET_NOT_SUPPORTED;
	}
	pthread_mutex_unlock(&vmm->lock);
	/* an SMC32 call sees w0 */
	*x0 = smc64 ? (uint64_t)ret : (uint32_t)ret;
	return parked;
}

int psci_wait_start(struct vcpu_ctx *ctx)
{
	struct vmm *vmm = ctx->vmm;
	uint64_t pc, x0, after;
	bool reinit;

	pthread_mutex_lock(&vmm->lock);
	while (!ctx->start_pending && !vmm->stopping)
		pthread_cond_wait(&vmm->psci_cond, &vmm->lock);
	after = ctx->start_after_ns;
	pc = ctx->start_pc;
	x0 = ctx->start_x0;
	reinit = ctx->start_reinit;
	pthread_mutex_unlock(&vmm->lock);
	if (vmm->stopping)
		return -1;
	/* VMM_LATE_START: the VMM is slow to get the vCPU going */
	while (now_ns() < after && !vmm->stopping) {
		struct timespec ts = { .tv_sec = after / 1000000000ull, .tv_nsec = after % 1000000000ull };

		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	/* QEMU's CPU_ON resets the target in its own thread: every register to its reset
	 * value (a parked CPU_OFF's exit is left behind), then the entry point */
	if (reinit && kvm_vcpu_init(&ctx->kvm, &vmm->vcpu_init)) {
		vmm_err("vcpu %u: cannot re-initialise it for its CPU_ON", ctx->kvm.id);
		vmm_finish(vmm, VMM_FAILED);
		return -1;
	}
	if (kvm_set_reg(&ctx->kvm, KVM_REG_PC, pc) || kvm_set_reg(&ctx->kvm, KVM_REG_X(0), x0)) {
		vmm_err("vcpu %u: cannot start it at 0x%" PRIx64, ctx->kvm.id, pc);
		vmm_finish(vmm, VMM_FAILED);
		return -1;
	}
	pthread_mutex_lock(&vmm->lock);
	ctx->start_pending = false;
	ctx->waits_start = false;
	ctx->running = true;
	ctx->off = false;
	ctx->lazy_off_left = 0;
	ctx->first_call_pending = true;
	pthread_mutex_unlock(&vmm->lock);
	vmm_debug("vcpu %u: started at 0x%" PRIx64 " with x0 0x%" PRIx64 "%s", ctx->kvm.id, pc, x0,
		  reinit ? " (re-initialised)" : "");
	return 0;
}

void psci_call_seen(struct vcpu_ctx *ctx, uint64_t seq)
{
	struct vmm *vmm = ctx->vmm;

	if (!vmm->userspace_psci)
		return;
	pthread_mutex_lock(&vmm->lock);
	if (ctx->first_call_pending) {
		ctx->first_call_pending = false;
		truth_write_fact(&vmm->truth,
				 "\"event\":\"first_call\",\"seq\":%" PRIu64 ",\"vcpu\":%u,\"life\":%u,"
				 "\"since_cpu_on_ns\":%" PRIu64, seq, ctx->kvm.id, ctx->life,
				 now_ns() - ctx->cpu_on_ns);
	}
	pthread_mutex_unlock(&vmm->lock);
}
