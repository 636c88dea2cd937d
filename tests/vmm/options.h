/* SPDX-License-Identifier: GPL-2.0 */
/* The test VMM's command line (smccc-testvmm --help). */
#ifndef SMCCC_TESTVMM_OPTIONS_H
#define SMCCC_TESTVMM_OPTIONS_H

#include <stdbool.h>

#include "bench.h"

struct options {
	const char *scenario;
	const char *truth;
	unsigned int delay_us;
	unsigned int vcpus;
	unsigned int iterations;
	unsigned int timeout_s;
	bool aarch32;
	bool protected_vm;
	bool vcpus_set;
	/* QEMU's -name VALUE (one dash, as libvirt passes it): only carried into the truth,
	 * so that smccctrace -g can find this VMM by a name in its command line */
	const char *name_arg;
	const char *stop_after_setup;	/* write "vcpu tid" lines there, then SIGSTOP */
	const char *kallsyms;		/* write the guest's symbols there (kallsyms lines) */
	/* hotplug: the VMM's PSCI bugs, on the steps that ask for them */
	unsigned int slow_ms;
	unsigned int start_delay_ms;
	unsigned int affinity_lag;
	/* bench: calls per vCPU in the timed loop, and which kind */
	unsigned int calls;
	enum bench_kind kind;
	/* real-VMM patterns: repetitions and hold time */
	unsigned int rounds;
	unsigned int hold_ms;
};

/*
 * Parses argv into o (defaults first). Returns 0, or -1 after printing why (a usage
 * error); --help prints the usage and exits 0.
 */
int parse_options(int argc, char **argv, struct options *o);

#endif /* SMCCC_TESTVMM_OPTIONS_H */
