/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State shared by the main thread and the vCPU threads: one VM, one thread
 * per vCPU, and a single outcome the main thread waits for.
 */
#ifndef SMCCC_TESTVMM_VMM_H
#define SMCCC_TESTVMM_VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "kvm.h"
#include "program.h"
#include "truth.h"

enum vmm_outcome {
	VMM_RUNNING,
	VMM_SYSTEM_OFF,		/* the boot vCPU called SYSTEM_OFF */
	VMM_FAILED,
	VMM_TIMEOUT,
};

/* The call between its pre marker and its post marker (or system event) */
struct pending_call {
	bool active;
	const struct plan_item *item;
	uint64_t seq;
	uint64_t regs[8];	/* x0..x7 at the call */
	const char *mode;
	bool forwarded;		/* KVM_EXIT_HYPERCALL seen */
	uint64_t vmm_delay_ns;
};

struct vcpu_ctx {
	struct kvm_vcpu kvm;
	struct vmm *vmm;
	struct vcpu_plan *plan;
	pthread_t thread;
	bool started;
	pid_t tid;
	unsigned int next;	/* plan item the next marker must name */
	unsigned int iteration;
	struct pending_call pending;
	/* while the VMM holds a forwarded call */
	bool holding;
	struct timespec hold_start;

	/* userspace PSCI (hotplug scenarios, psci.c); under vmm->lock */
	bool present;		/* false: CPU_ON is DENIED */
	bool running;		/* the VMM runs it (it may still say "off": a bug it has) */
	bool off;		/* the VMM's own bookkeeping says off */
	bool start_pending;	/* a CPU_ON was accepted; the thread has not taken it */
	uint64_t start_pc, start_x0;
	bool start_reinit;	/* re-initialise it (KVM_ARM_VCPU_INIT) before setting them */
	uint64_t start_after_ns;	/* CLOCK_MONOTONIC: not before (late start) */
	uint64_t cpu_on_ns;	/* when that CPU_ON reached the VMM */
	unsigned int life;	/* of the last CPU_ON that started it */
	bool first_call_pending;	/* the next call is its first of that life */
	unsigned int lazy_off_left;	/* AFFINITY_INFOs still answered "on" */
	bool waits_start;	/* this thread does not run the vCPU until a CPU_ON */
	bool at_setup;		/* started with the VM (--stop-after-setup waits for it) */
};

struct vmm {
	struct kvm_vm vm;
	uint8_t *ram;
	struct truth truth;
	unsigned int nr_vcpus;
	bool aarch32;
	unsigned int delay_us;
	struct vcpu_ctx vcpus[GUEST_MAX_VCPUS];
	uint64_t mpidr[GUEST_MAX_VCPUS];	/* what KVM gave each vCPU */
	struct kvm_fw_answers fw;		/* what KVM answers discovery calls with */

	/* userspace PSCI (hotplug scenarios) */
	bool userspace_psci;
	unsigned int slow_ms;		/* VMM_SLOW_ANSWER */
	unsigned int start_delay_ms;	/* VMM_LATE_START */
	unsigned int affinity_lag;	/* VMM_LAZY_OFF */
	struct kvm_vcpu_init vcpu_init;	/* what every vCPU was created with */
	pthread_cond_t psci_cond;	/* a parked or unstarted vCPU got its CPU_ON */

	/* --stop-after-setup: vCPU threads wait here until the VMM is continued */
	pthread_barrier_t *setup_barrier;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum vmm_outcome outcome;
	volatile bool stopping;	/* vCPU threads must leave KVM_RUN */
};

/* Start one thread per vCPU; each runs until the VM stops */
int vcpu_start(struct vcpu_ctx *ctx);
/* Kick every vCPU thread out of KVM_RUN and join them */
void vcpu_stop_all(struct vmm *vmm);

/* Record the outcome (first one wins) and wake the main thread */
void vmm_finish(struct vmm *vmm, enum vmm_outcome outcome);

static inline uint64_t ts_ns_of(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + ts->tv_nsec;
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_ns_of(&ts);
}

/* psci.c: PSCI in the VMM, for the function IDs the hotplug filter forwards */
bool psci_is_userspace(const struct vmm *vmm, uint32_t func_id);
/* The forwarded call pending on ctx. Returns 0 with *x0 the answer, or 1: the
 * caller is now parked (CPU_OFF), no answer; -1 on failure. */
int psci_call(struct vcpu_ctx *ctx, uint64_t *x0);
/* A thread whose vCPU waits for a CPU_ON: wait for it, then point the vCPU at its
 * entry point. Returns 0 to run it, -1 when the VM stops. */
int psci_wait_start(struct vcpu_ctx *ctx);
/* Every call's pre marker: the first call after a CPU_ON is a ground-truth fact */
void psci_call_seen(struct vcpu_ctx *ctx, uint64_t seq);

#endif /* SMCCC_TESTVMM_VMM_H */
