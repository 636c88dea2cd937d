/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machinery of the real-VMM patterns (pattern_vm.c): small VMs whose vCPUs make
 * tagged calls, run to their next forwarded call or marker, answered, abandoned or
 * held by the VMM, and the ground truth each pattern writes (one line per call).
 */
#ifndef SMCCC_TESTVMM_PATTERN_VM_H
#define SMCCC_TESTVMM_PATTERN_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kvm.h"
#include "patterns.h"

#define PATTERN_MAX_VCPUS	8
#define PATTERN_MAX_CALLS	16
#define PATTERN_RAM_SIZE	0x10000ull	/* 64 KiB: 4 KiB of code per vCPU */
#define PATTERN_CODE_SIZE	0x1000ull
#define ENTRY2_OFFSET		0x800		/* park: where a restarted vCPU resumes */

struct pvcpu {
	struct kvm_vcpu kvm;
	unsigned int ncalls;
	uint32_t fid[PATTERN_MAX_CALLS];
	/* the call the VMM holds */
	bool pending;
	unsigned int k;		/* its number */
	pid_t tid;		/* the thread that took its exit */
	uint64_t exit_ns;
	unsigned int next;	/* calls done */
	bool reinit;		/* re-initialised since its last call written */
};

struct pvm {
	struct kvm_vm vm;
	uint8_t *ram;
	unsigned int index, nr_vcpus;
	unsigned int boot;	/* reset: VMM resets so far (in the tags) */
	uint32_t denied;	/* a function ID the VM's SMCCC filter denies (pvm_deny), or 0 */
	struct pvcpu v[PATTERN_MAX_VCPUS];
};

/* How a call ended, as the truth line says it */
struct outcome {
	const char *expect;		/* "kvm", "denied" or "forwarded" */
	const uint64_t *result;		/* x0..x3 the guest resumed with; NULL: it did not */
	bool unanswered;		/* forwarded, never answered */
	bool parked;			/* forwarded, the vCPU restarted elsewhere */
	bool at_end;			/* unanswered, still held when the tracers stopped */
	uint64_t hold_ns;		/* forwarded: how long the VMM held it */
};

enum stop { STOP_ERROR = -1, STOP_HYPERCALL = 1, STOP_MARKER = 2 };

extern const struct pattern_options *opts;

/* The truth: opened by pattern_run, one line per call; flushed by pattern_truth_flush */
int pattern_truth_open(const struct pattern_options *o);
int pattern_truth_close(int rc);
void pattern_truth_flush(void);
void write_call(struct pvm *p, unsigned int vcpu, unsigned int k, pid_t tid, const struct outcome *o);

uint64_t now(void);
void sleep_ms(unsigned int ms);

int build(struct pvm *p, unsigned int v, bool entry2);
int pvm_create(struct pvm *p, unsigned int index, unsigned int nr_vcpus, const uint32_t *fids,
	       unsigned int ncalls, bool entry2);
int pvm_deny(struct pvm *p, uint32_t fid);
void pvm_destroy(struct pvm *p);
enum stop run_until(struct pvm *p, unsigned int v, unsigned int *k);
int read_results(struct pvcpu *c, uint64_t r[4]);
int advance(struct pvm *p, unsigned int v);
int answer_pending(struct pvm *p, unsigned int v);
void abandon_pending(struct pvm *p, unsigned int v);

#endif
