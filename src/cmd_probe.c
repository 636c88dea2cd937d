/* `smccctrace probe`: what this kernel lets smccctrace see, and why. Every error
 * about the environment points here. */
#include "cmd_probe.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "json_writer.h"
#include "kvm_mode.h"
#include "loader.h"
#include "planner.h"

struct probe_result {
	struct kernel_facts k;
	struct kvm_mode_report mode;
	bool usable;
	char unusable[256];
	bool fentry_ok, kprobe_ok, tracepoint_ok;
	char fentry_err[256], kprobe_err[256], tracepoint_err[256];
	const char *plan;
};

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level; (void)fmt; (void)ap;
	return 0;
}

static void try_mech(const struct kernel_facts *k, enum plan_force force, bool *ok, char *err, size_t len)
{
	struct loaded l;

	*ok = load_and_attach(&l, k, NULL, force, err, len) == 0;
	if (*ok)
		loaded_destroy(&l);
}

static void probe(struct probe_result *r)
{
	memset(r, 0, sizeof(*r));
	kernel_facts_probe(&r->k);
	kvm_mode_probe(&r->mode, r->k.kvm);
	r->usable = kernel_facts_usable(&r->k, r->unusable, sizeof(r->unusable)) == 0;
	if (!r->usable)
		return;
	if (geteuid() != 0) {
		snprintf(r->fentry_err, sizeof(r->fentry_err), "not root");
		snprintf(r->kprobe_err, sizeof(r->kprobe_err), "not root");
		snprintf(r->tracepoint_err, sizeof(r->tracepoint_err), "not root");
	} else {
		libbpf_set_print(silent_print);
		try_mech(&r->k, PLAN_FENTRY, &r->fentry_ok, r->fentry_err, sizeof(r->fentry_err));
		try_mech(&r->k, PLAN_KPROBE, &r->kprobe_ok, r->kprobe_err, sizeof(r->kprobe_err));
		try_mech(&r->k, PLAN_TRACEPOINT, &r->tracepoint_ok, r->tracepoint_err, sizeof(r->tracepoint_err));
	}
	/* the planner's order of preference (src/loader.c) */
	r->plan = r->fentry_ok ? "fentry/fexit" : r->kprobe_ok ? "kprobe/kretprobe" :
		  r->tracepoint_ok ? "tracepoints" : NULL;
}

struct hook_row {
	const char *name;
	bool present;
	const char *role;
};

/* What a missing hook costs, so that the output says what cannot be seen. */
static int hook_rows(const struct kernel_facts *k, struct hook_row *rows)
{
	int n = 0;

	rows[n++] = (struct hook_row){ "handle_hvc", k->handle_hvc, "HVC traps (required)" };
	rows[n++] = (struct hook_row){ "handle_smc", k->handle_smc, "SMC traps; without it SMC calls are invisible" };
	rows[n++] = (struct hook_row){ k->handler ? k->handler : "kvm_smccc_call_handler", k->handler != NULL,
				       "SMCCC dispatcher: dispositions (required)" };
	rows[n++] = (struct hook_row){ "kvm_arch_vcpu_ioctl_run", k->run, "VMM re-entry: forwarded results, vmm_ns (required)" };
	rows[n++] = (struct hook_row){ "kvm_arch_vcpu_destroy", k->destroy_vcpu,
				       "vCPU destroyed: its unanswered forwarded call emitted at once (else at the end)" };
	rows[n++] = (struct hook_row){ "kvm_arch_destroy_vm", k->destroy_vm,
				       "VM destroyed: its number retired (else a reused address keeps it)" };
	rows[n++] = (struct hook_row){ "kvm_arch_vcpu_ioctl", k->vcpu_ioctl,
				       "KVM_ARM_VCPU_INIT: a VMM reset starts a new boot (else only PSCI SYSTEM_RESET)" };
	rows[n++] = (struct hook_row){ "kvm_prepare_hypercall_exit", k->prepare_hypercall_exit,
				       "not needed: the handler's return and exit reason say the same" };
	return n;
}

/* Where the mode came from, and whether the boot message agrees. */
static void print_mode_source(const struct kvm_mode_report *m)
{
	if (!strcmp(m->source, "kernel"))
		printf("                read from the kernel's state (CPU capabilities%s); boot log: %s%s\n",
		       m->requested ? ", kvm_mode" : "",
		       m->boot_log ? m->boot_log : "gone",
		       !m->boot_log ? "" : strcmp(m->boot_log, m->mode) ? " (disagrees)" : " (agrees)");
	else
		printf("                %s; %s\n", m->why[0] ? m->why : "kernel state not readable",
		       !strcmp(m->source, "boot-log") ? "taken from KVM's boot message" : "and the boot message is gone");
	if (m->requested)
		printf("                kvm-arm.mode: %s\n", m->requested);
}

/* What could be checked before attaching, and against what. */
static const char *functions_checked(enum functions_from f)
{
	switch (f) {
	case FUNCTIONS_FROM_TRACEFS:
		return "checked against ftrace's available_filter_functions (tracefs)";
	case FUNCTIONS_FROM_KALLSYMS:
		return "no tracefs: checked against /proc/kallsyms (out of line, not whether ftrace may patch them)";
	case FUNCTIONS_FROM_NOWHERE:
		break;
	}
	return "no tracefs, no /proc/kallsyms: BTF only (inlining not checked)";
}

static void print_text(const struct probe_result *r)
{
	struct hook_row rows[10];
	int n = hook_rows(&r->k, rows);

	printf("kernel:         %s (%s)\n", r->k.release, r->k.machine);
	printf("btf:            %s\n", r->k.btf ? "yes (/sys/kernel/btf/vmlinux)" : "no");
	printf("kvm:            %s, mode %s: %s\n", r->k.kvm ? "/dev/kvm" : "no /dev/kvm", r->mode.mode,
	       kvm_mode_describe(r->mode.mode));
	if (r->k.kvm)
		print_mode_source(&r->mode);
	printf("smccc filter:   %s\n", r->k.smccc_filter ? "yes (denied calls are told apart)" :
	       r->k.handler ? "no (kernel < 6.4: no filter, no forwarding)" : "n/a");
	printf("functions:      %s\n", functions_checked(r->k.functions_from));
	printf("hooks:          (present: in BTF and out of line; each plan below was tried by attaching)\n");
	for (int i = 0; i < n; i++)
		printf("  %-28s %-4s %s\n", rows[i].name, rows[i].present ? "yes" : "no", rows[i].role);
	if (!r->usable) {
		printf("plan:           none: %s\n", r->unusable);
		return;
	}
	printf("fentry/fexit:   %s\n", r->fentry_ok ? "works" : r->fentry_err);
	printf("kprobes:        %s\n", r->kprobe_ok ? "works" : r->kprobe_err);
	printf("tracepoints:    %s\n", r->tracepoint_ok ? "works" : r->tracepoint_err);
	printf("plan:           %s\n", r->plan ? r->plan : "none");
	if (!r->plan)
		printf("fields:         none\n");
	else if (!r->fentry_ok && !r->kprobe_ok)
		printf("fields:         no args, results or vCPU ids; function ID and imm of HVCs only;\n"
		       "                kvm/denied/refused not told apart (docs/kernels.md)\n");
	else if (!r->k.handle_smc)
		printf("fields:         all, for HVC calls only (SMC traps not traceable)\n");
	else if (!r->k.smccc_filter)
		printf("fields:         all (this kernel has no SMCCC filter and no forwarding)\n");
	else
		printf("fields:         all\n");
}

static void print_json(const struct probe_result *r)
{
	struct hook_row rows[10];
	int n = hook_rows(&r->k, rows);
	struct json_writer w;

	jw_init(&w, stdout);
	jw_start_object(&w);
	jw_string_field(&w, "kernel", r->k.release);
	jw_string_field(&w, "machine", r->k.machine);
	jw_bool_field(&w, "btf", r->k.btf);
	jw_bool_field(&w, "kvm", r->k.kvm);
	jw_string_field(&w, "kvm_mode", r->mode.mode);
	jw_string_field(&w, "kvm_mode_source", r->mode.source);
	jw_string_field(&w, "kvm_mode_boot_log", r->mode.boot_log);
	jw_string_field(&w, "kvm_mode_requested", r->mode.requested);
	jw_bool_field(&w, "smccc_filter", r->k.smccc_filter);
	jw_string_field(&w, "functions_from", functions_from_name(r->k.functions_from));
	jw_name(&w, "hooks");
	jw_start_object(&w);
	for (int i = 0; i < n; i++)
		jw_bool_field(&w, rows[i].name, rows[i].present);
	jw_end_object(&w);
	jw_bool_field(&w, "usable", r->usable);
	jw_string_field(&w, "reason", r->usable ? NULL : r->unusable);
	jw_bool_field(&w, "fentry", r->fentry_ok);
	jw_bool_field(&w, "kprobe", r->kprobe_ok);
	jw_bool_field(&w, "tracepoint", r->tracepoint_ok);
	jw_string_field(&w, "plan", r->plan);
	jw_end_object(&w);
	jw_end_line(&w);
}

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct probe_result r;
	bool json = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("Usage: smccctrace probe [--json]\n\n"
			       "Show what this kernel lets smccctrace see: release, BTF, KVM mode, which\n"
			       "hooks are attachable and how, the chosen plan and the fields it gives.\n"
			       "Exits 0 when tracing is possible, 1 when it is not.\n");
			return 0;
		default:
			fprintf(stderr, "smccctrace: probe: unknown option '%s'\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "smccctrace: probe: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	probe(&r);
	if (json)
		print_json(&r);
	else
		print_text(&r);
	return r.plan ? 0 : 1;
}
