/* The attach planner: the one place that knows how kernels differ. It probes the
 * running kernel (BTF, traceable functions, BPF trampolines) and decides which
 * kernel function each BPF program attaches to, and how. */
#ifndef SMCCCTRACE_PLANNER_H
#define SMCCCTRACE_PLANNER_H
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "options.h"

struct smccctrace_bpf;

enum hook_mech {
	MECH_FENTRY,		/* BPF trampolines on KVM's functions: everything */
	MECH_KPROBE,		/* kprobes on the same functions: everything */
	MECH_TRACEPOINT,	/* kvm tracepoints only: fewer fields (see docs/kernels.md) */
};

/* Where the planner learnt which of KVM's functions exist out of line. */
enum functions_from {
	FUNCTIONS_FROM_NOWHERE,		/* neither readable: every function hook is unknown */
	FUNCTIONS_FROM_TRACEFS,		/* ftrace's available_filter_functions */
	FUNCTIONS_FROM_KALLSYMS,	/* no tracefs: the text symbols of /proc/kallsyms */
};

struct kernel_facts {
	char release[65];
	char machine[65];
	bool btf;			/* /sys/kernel/btf/vmlinux */
	bool kvm;			/* /dev/kvm */
	enum functions_from functions_from;
	/* functions present in BTF and out of line (functions_from says how that was
	 * checked; only attaching proves them traceable) */
	bool handle_hvc, handle_smc, run;
	bool destroy_vcpu, destroy_vm;	/* kvm_arch_vcpu_destroy, kvm_arch_destroy_vm */
	bool vcpu_ioctl;		/* kvm_arch_vcpu_ioctl: KVM_ARM_VCPU_INIT, a VMM reset */
	const char *handler;		/* SMCCC dispatcher: kvm_smccc_call_handler (6.4+) or kvm_hvc_call_handler */
	bool prepare_hypercall_exit;	/* kvm_prepare_hypercall_exit attachable */
	bool smccc_filter;		/* struct kvm_arch has smccc_filter (6.4+) */
	bool kvm_tracepoints;		/* kvm_exit, kvm_entry, kvm_hvc_arm64, kvm_userspace_exit */
	int guests_can_nest;		/* 1: a VM may have vCPUs with virtual EL2; 0: none can;
					 * -1: unknown (read only with kvm_smccc_call_handler) */
	__u8 vtimer_layout;		/* enum vtimer_layout: where KVM keeps a vCPU's CNTVOFF */
};

#define PLAN_MAX_HOOKS 12

/* One BPF program on one kernel function. */
struct planned_hook {
	const char *role;
	const char *target;
	struct bpf_program *prog;
	struct bpf_link **link;		/* the skeleton's slot, so that destroy detaches it */
	bool retprobe;
	__u64 missed_at_detach;		/* a kprobe's missed runs when its link went (loaded_detach) */
};

struct attach_plan {
	enum hook_mech mech;
	const char *handler;
	bool dispatcher_hooked;		/* the SMCCC dispatcher has hooks (plan_dispatcher_hooked) */
	struct planned_hook hooks[PLAN_MAX_HOOKS];
	int nr_hooks;
};

/* Reads what the running kernel offers. Never fails; missing things are false. */
void kernel_facts_probe(struct kernel_facts *k);
/* Checks that this machine can be traced at all; on failure a one-line reason. */
int kernel_facts_usable(const struct kernel_facts *k, char *err, size_t len);
/* Checks that KVM's functions can be hooked (the fentry and kprobe plans). */
int kernel_facts_functions_usable(const struct kernel_facts *k, char *err, size_t len);

/* Whether the SMCCC dispatcher needs hooks of its own on this kernel, or the trap's
 * exit shows what it did. */
bool plan_dispatcher_hooked(const struct kernel_facts *k);
/* Chooses programs and targets for mech on an opened (not loaded) skeleton. */
int plan_prepare(struct smccctrace_bpf *skel, const struct kernel_facts *k, enum hook_mech mech,
		 struct attach_plan *plan, char *err, size_t len);
/* Whether the plan hooks kvm_arch_destroy_vm, so that a destroyed VM's number leaves
 * the vm_ids map (the exporter folds the series of VMs no longer in it). */
bool plan_retires_vm_numbers(const struct attach_plan *plan);
/* Attaches the chosen programs after load. */
int plan_attach(struct smccctrace_bpf *skel, const struct attach_plan *plan, char *err, size_t len);
const char *hook_mech_name(enum hook_mech m);
/* "offset pointers", "sysreg", or "unknown": for probe and --verbose */
const char *vtimer_layout_name(__u8 layout);
/* "available_filter_functions", "kallsyms", or NULL (FUNCTIONS_FROM_NOWHERE) */
const char *functions_from_name(enum functions_from f);
#endif
