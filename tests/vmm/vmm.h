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
};

struct vmm {
	struct kvm_vm vm;
	uint8_t *ram;
	struct truth truth;
	unsigned int nr_vcpus;
	bool aarch32;
	unsigned int delay_us;
	struct vcpu_ctx vcpus[GUEST_MAX_VCPUS];

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

#endif /* SMCCC_TESTVMM_VMM_H */
