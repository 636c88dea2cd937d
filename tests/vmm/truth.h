/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ground truth, as JSON Lines (one object per line):
 *
 *   {"type":"vmm","pid":P,"kernel":"6.12...","filter":B,"aarch32":B,"protected":B,
 *    "vcpus":N,"scenario":"full","iterations":N,"delay_us":N,
 *    "psci_version":"0x10001","kvm_features":["0x3","0x0"][,"name_arg":"guest=vm1"]}
 *   {"type":"call","seq":N,"vcpu":V,"tid":T,"func_id":"0x84000000",
 *    "args":[x1..x7],"conduit":"hvc"|"smc","imm":I,"pc":"0x...",
 *    "width":32|16,"mode":"aarch64"|"aarch32"|"t32",
 *    "expect":"kvm"|"denied"|"forwarded"|"refused"|"reflected"|"hyp",
 *    "result":[x0..x3]|null,["vmm_delay_ns":N,]"label":"..."}
 *   {"type":"end","calls":N,"exit":"system_off"|"error"|"timeout"}
 *
 * Numbers that are register values are lowercase hex strings without
 * padding ("0x0"); on AArch32 they are the 32-bit register values.
 * vmm_delay_ns only appears on forwarded calls. psci_version and kvm_features
 * (KVM_FEATURES' x0 and x2) are what this kernel's KVM answers, read from its
 * firmware pseudo-registers: the checker's expectations for those calls.
 */
#ifndef SMCCC_TESTVMM_TRUTH_H
#define SMCCC_TESTVMM_TRUTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "emit.h"
#include "scenario.h"

struct kvm_fw_answers;

struct truth {
	FILE *f;
	bool close_f;
	pthread_mutex_t lock;
	uint64_t next_seq;
	unsigned long calls;
};

struct truth_header {
	pid_t pid;
	const char *kernel;
	const struct kvm_fw_answers *fw;
	bool filter;
	bool aarch32;
	bool protected_vm;
	unsigned int vcpus;
	const char *scenario;
	unsigned int iterations;
	unsigned int delay_us;
	const char *name_arg;	/* QEMU-style -name VALUE it was started with, or NULL */
};

struct truth_call {
	uint64_t seq;
	unsigned int vcpu;
	pid_t tid;
	uint32_t func_id;
	uint64_t args[7];	/* x1..x7 */
	enum conduit conduit;
	uint16_t imm;
	uint64_t pc;
	unsigned int width;
	const char *mode;
	enum disposition expect;
	bool returned;		/* false: result is null */
	uint64_t result[4];	/* x0..x3 */
	bool forwarded;		/* vmm_delay_ns is meaningful */
	uint64_t vmm_delay_ns;
	const char *label;
	bool counter;		/* cntvct_before is known (A64) */
	bool counter_after;	/* ... and cntvct_after (the call returned) */
	uint64_t cntvct_before, cntvct_after;	/* the guest's CNTVCT_EL0 around the call */
};

/* path NULL or "-": stdout */
int truth_open(struct truth *t, const char *path);
void truth_write_header(struct truth *t, const struct truth_header *h);
/* Numbers calls in the order the VMM first sees them */
uint64_t truth_next_seq(struct truth *t);
void truth_write_call(struct truth *t, const struct truth_call *c);
/* {"type":"psci",<fields>}: what the hotplug VMM decided (psci.c) */
void truth_write_fact(struct truth *t, const char *fields_fmt, ...)
	__attribute__((format(printf, 2, 3)));
void truth_write_end(struct truth *t, const char *exit_reason);
int truth_close(struct truth *t);

#endif /* SMCCC_TESTVMM_TRUTH_H */
