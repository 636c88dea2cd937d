/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark scenario (--scenario bench): each vCPU's guest makes --calls
 * SMCCC calls in a tight loop, with no MMIO marker inside it, and times the
 * loop with the virtual counter (CNTVCT_EL0). The tick delta and CNTFRQ_EL0
 * come back through two 8-byte MMIO stores after the loop; the VMM prints
 * one JSON line with the rate. No ground truth: tracing a million calls is
 * what it measures, not what it checks.
 */
#ifndef SMCCC_TESTVMM_BENCH_H
#define SMCCC_TESTVMM_BENCH_H

#include <stdint.h>

enum bench_kind {
	BENCH_KVM,		/* SMCCC_VERSION: KVM answers in the kernel */
	BENCH_FORWARDED,	/* an OEM call the SMCCC filter forwards: the VMM answers */
	BENCH_IDS,		/* --scenario ids: --calls distinct function IDs nobody knows,
				 * chosen at random, with a few known calls among them */
};

struct bench_options {
	uint32_t calls;		/* per vCPU */
	enum bench_kind kind;
	unsigned int vcpus;
	unsigned int timeout_s;
	const char *truth;	/* BENCH_IDS: where the IDs called go (JSON Lines) */
};

/* "kvm" or "forwarded"; returns -1 for anything else */
int bench_kind_parse(const char *s, enum bench_kind *kind);
/* Runs the benchmark; returns the process exit status (0, or 1 after one error line) */
int bench_run(const struct bench_options *o);

#endif /* SMCCC_TESTVMM_BENCH_H */
