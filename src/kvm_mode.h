/* KVM's mode on the running host (VHE, nVHE, hVHE, protected, nested), read from the
 * kernel's own state by a small BPF program (bpf/kvm_mode.bpf.c), with KVM's boot
 * message only as a cross-check: the boot log rotates out on a long-running host.
 * The names are public (probe's JSON "kvm_mode"). */
#ifndef SMCCCTRACE_KVM_MODE_H
#define SMCCCTRACE_KVM_MODE_H
#include <stdbool.h>
#include <stdio.h>

/* What the BPF program found, reduced to the facts that decide the mode. */
struct kvm_kernel_state {
	bool have_caps;		/* arm64_features[] and the finalised capability bitmap read */
	bool vhe;		/* "Virtualization Host Extensions": the host kernel runs at EL2 */
	bool hvhe;		/* "VHE for hypervisor only": EL2 code with E2H, host at EL1 */
	bool protected_kvm;	/* "Protected KVM": pKVM */
	bool nested;		/* "Nested Virtualization Support": NV2 for guests */
	bool have_requested;	/* kvm_mode (kvm-arm.mode=) read */
	const char *requested;	/* "default", "protected", "nested", "none" */
};

struct kvm_mode_report {
	const char *mode;	/* vhe, nvhe, hvhe, protected-nvhe, protected-hvhe, nested, none, unknown */
	const char *source;	/* "kernel" (its state), "boot-log" (fallback), "none" */
	const char *boot_log;	/* what KVM's boot message says, or NULL when it is gone */
	const char *requested;	/* kvm-arm.mode= as KVM recorded it, or NULL */
	char why[160];		/* when the kernel state could not be read: why */
};

/* The mode these facts mean, or NULL without the capabilities. */
const char *kvm_mode_from_state(const struct kvm_kernel_state *s);
/* The mode KVM's "... mode initialized successfully" line in LOG names, or NULL. */
const char *kvm_mode_from_boot_log(const char *log);
/* Everything, on this host (needs root for the BPF program and the kernel log). */
void kvm_mode_probe(struct kvm_mode_report *r, bool have_kvm);
/* Whether a VM on this host may give its vCPUs virtual EL2 (the finalised "Nested
 * Virtualization Support" capability): 1, 0, or -1 when KVM's state cannot be read. */
int kvm_guests_can_nest(void);
/* -v's line: "smccctrace: KVM mode nested (...; from the kernel's state)". */
void kvm_mode_print_line(FILE *f);
/* One line for people: "nested (VHE host, NV2 for guests)". */
const char *kvm_mode_describe(const char *mode);
#endif
