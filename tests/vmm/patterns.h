/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-VMM patterns (patterns.c): VMs freed with a call pending, one thread for two
 * vCPUs, a vCPU moving between threads, a thread exiting with a call pending, VM
 * churn, a vCPU parked by a userspace CPU_OFF, calls still held when the tracers stop,
 * VMM resets. Each writes its own ground truth (one line per call).
 */
#ifndef SMCCC_TESTVMM_PATTERNS_H
#define SMCCC_TESTVMM_PATTERNS_H

#include <stdbool.h>

struct pattern_options {
	const char *pattern;	/* abandon, one-thread, migrate, thread-exit, park, linger, churn, reset */
	const char *truth;	/* NULL or "-": stdout */
	unsigned int rounds;	/* repetitions (churn: VMs) */
	unsigned int hold_ms;	/* how long the VMM holds a call it answers late, or a parked vCPU */
};

bool pattern_exists(const char *name);
/* Returns the process exit status: 0, or 1 after one error line */
int pattern_run(const struct pattern_options *o);

#endif
