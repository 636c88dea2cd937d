#include "planner.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kvm_mode.h"
#include "smccctrace.skel.h"

#define TRACEFS_FUNCS "/sys/kernel/tracing/available_filter_functions"
#define DEBUGFS_FUNCS "/sys/kernel/debug/tracing/available_filter_functions"
#define KALLSYMS "/proc/kallsyms"

const char *functions_from_name(enum functions_from f)
{
	switch (f) {
	case FUNCTIONS_FROM_TRACEFS: return "available_filter_functions";
	case FUNCTIONS_FROM_KALLSYMS: return "kallsyms";
	case FUNCTIONS_FROM_NOWHERE: break;
	}
	return NULL;
}

const char *hook_mech_name(enum hook_mech m)
{
	switch (m) {
	case MECH_FENTRY: return "fentry/fexit";
	case MECH_KPROBE: return "kprobe/kretprobe";
	case MECH_TRACEPOINT: return "tracepoints";
	}
	return "unknown";
}

/* Static functions can be inlined: being in BTF is not enough, the function must
 * also exist out of line. Like libbpf-tools' kprobe_exists(): ftrace's list of the
 * functions it can patch when tracefs is there, else the kernel's text symbols in
 * /proc/kallsyms (containers and minimal hosts often have no tracefs). Either way
 * the plan is then tried by attaching, and a refusal falls back to the next plan
 * (src/loader.c). */
struct traceable {
	const char *name;
	bool found;
};

static void match_symbol(struct traceable *t, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!t[i].found && !strcmp(name, t[i].name))
			t[i].found = true;
}

/* A list that names no function at all is no list: a container that masks a file
 * by binding /dev/null over it leaves it readable and empty. Both scans say whether
 * they read a function, so that an empty file falls through to the next source. */

/* available_filter_functions: "name" or "name [module]" per line */
static bool scan_filter_functions(struct traceable *t, int n)
{
	FILE *f = fopen(TRACEFS_FUNCS, "r");
	char line[256];
	bool listed = false;

	if (!f)
		f = fopen(DEBUGFS_FUNCS, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\n")] = 0;
		listed |= line[0] != 0;
		match_symbol(t, n, line);
	}
	fclose(f);
	return listed;
}

/* /proc/kallsyms: "address type name [module]"; functions are text symbols (t, T) */
static bool scan_kallsyms(struct traceable *t, int n)
{
	FILE *f = fopen(KALLSYMS, "r");
	char line[512], type, name[256];
	bool listed = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %c %255s", &type, name) == 2 && (type == 't' || type == 'T')) {
			listed = true;
			match_symbol(t, n, name);
		}
	fclose(f);
	return listed;
}

static bool btf_has_func(const struct btf *btf, const char *name)
{
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

static bool btf_has_tracepoint(const struct btf *btf, const char *name)
{
	char typedef_name[128];

	snprintf(typedef_name, sizeof(typedef_name), "btf_trace_%s", name);
	return btf && btf__find_by_name_kind(btf, typedef_name, BTF_KIND_TYPEDEF) > 0;
}

static bool btf_has_member(const struct btf *btf, const char *type, const char *member)
{
	int id = btf ? btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT) : -1;
	const struct btf_type *t;
	const struct btf_member *m;

	if (id <= 0)
		return false;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), member))
			return true;
	return false;
}

static bool btf_has_enumerator(const struct btf *btf, const char *type, const char *name)
{
	int id = btf ? btf__find_by_name_kind(btf, type, BTF_KIND_ENUM) : -1;
	const struct btf_type *t;
	const struct btf_enum *e;

	if (id <= 0)
		return false;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++, e++)
		if (!strcmp(btf__name_by_offset(btf, e->name_off), name))
			return true;
	return false;
}

/*
 * Where KVM keeps the vCPU's virtual counter offset (the guest's CNTVCT = CNTPCT -
 * it), as timer_get_offset() in arch/arm64/kvm/arch_timer.c reads it: from 6.4 the
 * timer context points at the VM's offset (kvm->arch.timer_data.voffset) and, with
 * nested virtualisation, at a per-vCPU one as well; before, CNTVOFF_EL2 is one of the
 * vCPU's system registers. The BPF program (vcpu_cntvoff) guards each access with
 * CO-RE existence checks as well.
 */
static __u8 vtimer_layout_probe(const struct btf *btf)
{
	if (btf_has_member(btf, "arch_timer_context", "offset") &&
	    btf_has_member(btf, "arch_timer_offset", "vm_offset"))
		return VTIMER_OFFSET_PTRS;
	if (btf_has_member(btf, "kvm_cpu_context", "sys_regs") &&
	    btf_has_enumerator(btf, "vcpu_sysreg", "CNTVOFF_EL2"))
		return VTIMER_SYSREG;
	return VTIMER_UNKNOWN;
}

const char *vtimer_layout_name(__u8 layout)
{
	switch (layout) {
	case VTIMER_OFFSET_PTRS: return "offset pointers";
	case VTIMER_SYSREG: return "sysreg";
	}
	return "unknown";
}

void kernel_facts_probe(struct kernel_facts *k)
{
	struct traceable t[] = {
		{ "handle_hvc" }, { "handle_smc" }, { "kvm_smccc_call_handler" },
		{ "kvm_hvc_call_handler" }, { "kvm_arch_vcpu_ioctl_run" },
		{ "kvm_prepare_hypercall_exit" }, { "kvm_arch_destroy_vm" }, { "kvm_arch_vcpu_destroy" },
		{ "kvm_arch_vcpu_ioctl" },
	};
	struct utsname u;
	struct btf *btf;

	memset(k, 0, sizeof(*k));
	if (uname(&u) == 0) {
		snprintf(k->release, sizeof(k->release), "%s", u.release);
		snprintf(k->machine, sizeof(k->machine), "%s", u.machine);
	}
	k->kvm = access("/dev/kvm", F_OK) == 0;
	k->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	btf = k->btf ? btf__load_vmlinux_btf() : NULL;
	if (!btf)
		return;
	if (scan_filter_functions(t, sizeof(t) / sizeof(t[0])))
		k->functions_from = FUNCTIONS_FROM_TRACEFS;
	else if (scan_kallsyms(t, sizeof(t) / sizeof(t[0])))
		k->functions_from = FUNCTIONS_FROM_KALLSYMS;
	else	/* nothing to check against: BTF alone, attaching decides */
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
			t[i].found = true;
	k->handle_hvc = t[0].found && btf_has_func(btf, "handle_hvc");
	k->handle_smc = t[1].found && btf_has_func(btf, "handle_smc");
	if (t[2].found && btf_has_func(btf, "kvm_smccc_call_handler"))
		k->handler = "kvm_smccc_call_handler";
	else if (t[3].found && btf_has_func(btf, "kvm_hvc_call_handler"))
		k->handler = "kvm_hvc_call_handler";
	k->run = t[4].found && btf_has_func(btf, "kvm_arch_vcpu_ioctl_run");
	k->prepare_hypercall_exit = t[5].found && btf_has_func(btf, "kvm_prepare_hypercall_exit");
	k->destroy_vm = t[6].found && btf_has_func(btf, "kvm_arch_destroy_vm");
	k->destroy_vcpu = t[7].found && btf_has_func(btf, "kvm_arch_vcpu_destroy");
	k->vcpu_ioctl = t[8].found && btf_has_func(btf, "kvm_arch_vcpu_ioctl");
	k->smccc_filter = btf_has_member(btf, "kvm_arch", "smccc_filter");
	k->vtimer_layout = vtimer_layout_probe(btf);
	k->kvm_tracepoints = btf_has_tracepoint(btf, "kvm_exit") && btf_has_tracepoint(btf, "kvm_entry") &&
			     btf_has_tracepoint(btf, "kvm_hvc_arm64") && btf_has_tracepoint(btf, "kvm_userspace_exit");
	btf__free(btf);
	/* only plan_dispatcher_hooked() asks, and only with the 6.4+ dispatcher */
	k->guests_can_nest = -1;
	if (k->kvm && k->handler && !strcmp(k->handler, "kvm_smccc_call_handler"))
		k->guests_can_nest = kvm_guests_can_nest();
}

/*
 * From 6.4 (kvm_smccc_call_handler), handle_hvc and handle_smc return what the SMCCC
 * dispatcher returned, and whether a call reached it follows from the trap: every HVC
 * does, an SMC when its immediate is 0. So the trap's exit sees what KVM did, and an
 * in-kernel call costs two programs (bpf/call_steps.bpf.h, on_trap_done). The
 * dispatcher keeps hooks of its own
 *  - before 6.4 (kvm_hvc_call_handler): handle_hvc turns the dispatcher's errors into
 *    x0 = -1 and returns 1, and handle_smc never calls it;
 *  - on a host whose VMs may give vCPUs virtual EL2 (kvm-arm.mode=nested): KVM reflects
 *    every HVC of such a vCPU into the guest's own hypervisor, and an SMC #0 too when
 *    the guest hypervisor traps SMCs (its HCR_EL2.TSC), which only the dispatcher's
 *    entry tells apart from one KVM handles;
 *  - when KVM's state cannot be read to tell (kvm_guests_can_nest() unknown).
 */
bool plan_dispatcher_hooked(const struct kernel_facts *k)
{
	return !k->handler || strcmp(k->handler, "kvm_smccc_call_handler") || k->guests_can_nest != 0;
}

int kernel_facts_usable(const struct kernel_facts *k, char *err, size_t len)
{
	if (strcmp(k->machine, "aarch64")) {
		snprintf(err, len, "this is a %s machine; smccctrace traces arm64 KVM hosts (see 'smccctrace probe')",
			 k->machine[0] ? k->machine : "non-arm64");
		return -1;
	}
	if (!k->btf) {
		snprintf(err, len, "kernel %s has no BTF (/sys/kernel/btf/vmlinux); CO-RE tracing needs CONFIG_DEBUG_INFO_BTF (see 'smccctrace probe')",
			 k->release);
		return -1;
	}
	if (!k->kvm) {
		snprintf(err, len, "no /dev/kvm: KVM is not running on this host (see 'smccctrace probe')");
		return -1;
	}
	if (!k->handler && !k->kvm_tracepoints) {
		snprintf(err, len, "kernel %s has no traceable KVM SMCCC handler (no KVM, or KVM not built in; see 'smccctrace probe')",
			 k->release);
		return -1;
	}
	return 0;
}

int kernel_facts_functions_usable(const struct kernel_facts *k, char *err, size_t len)
{
	if (!k->handler) {
		snprintf(err, len, "kernel %s has no traceable KVM SMCCC handler (see 'smccctrace probe')", k->release);
		return -1;
	}
	if (!k->handle_hvc || !k->run) {
		snprintf(err, len, "kernel %s: handle_hvc or kvm_arch_vcpu_ioctl_run is not traceable (see 'smccctrace probe')",
			 k->release);
		return -1;
	}
	return 0;
}

/* Every program, by role, in both flavours. */
struct hook_choice {
	const char *role;
	struct bpf_program *fentry, *kprobe;
	struct bpf_link **fentry_link, **kprobe_link;
	const char *target;
	bool retprobe;
	bool wanted;
};

#define HOOK(role, name, kp_name, target, ret, wanted) \
	{ role, s->progs.name, s->progs.kp_name, &s->links.name, &s->links.kp_name, target, ret, wanted }

int plan_prepare(struct smccctrace_bpf *s, const struct kernel_facts *k, enum hook_mech mech,
		 struct attach_plan *plan, char *err, size_t len)
{
	const bool hooked = plan_dispatcher_hooked(k);
	const struct hook_choice choices[] = {
		HOOK("trap hvc", hvc_entry, kp_hvc_entry, "handle_hvc", false, true),
		HOOK("trap hvc done", hvc_exit, kp_hvc_exit, "handle_hvc", true, true),
		HOOK("trap smc", smc_entry, kp_smc_entry, "handle_smc", false, k->handle_smc),
		HOOK("trap smc done", smc_exit, kp_smc_exit, "handle_smc", true, k->handle_smc),
		HOOK("smccc handler", handler_entry, kp_handler_entry, k->handler, false, hooked),
		HOOK("smccc handler done", handler_exit, kp_handler_exit, k->handler, true, hooked),
		HOOK("vcpu run", run_entry, kp_run_entry, "kvm_arch_vcpu_ioctl_run", false, true),
		/* a forwarded call whose vCPU or VM goes is emitted unanswered at once, and
		 * the VM's number retired; without them, at the end of the trace */
		HOOK("vcpu destroy", vcpu_destroy, kp_vcpu_destroy, "kvm_arch_vcpu_destroy", false, k->destroy_vcpu),
		HOOK("vm destroy", vm_destroy, kp_vm_destroy, "kvm_arch_destroy_vm", false, k->destroy_vm),
		/* KVM_ARM_VCPU_INIT of a vCPU that called before: a VMM reset, a new boot in
		 * the PSCI view; without it only a PSCI SYSTEM_RESET starts one */
		HOOK("vcpu init", vcpu_ioctl, kp_vcpu_ioctl, "kvm_arch_vcpu_ioctl", false, k->vcpu_ioctl),
	};

	struct bpf_program *tracepoint_progs[] = {
		s->progs.tp_exit, s->progs.tp_hvc, s->progs.tp_userspace_exit, s->progs.tp_entry,
	};

	memset(plan, 0, sizeof(*plan));
	plan->mech = mech;
	/* the tracepoint plan sees no vCPU: its calls say guest_cntvct is missing */
	s->rodata->vtimer_layout = mech == MECH_TRACEPOINT ? VTIMER_UNKNOWN : k->vtimer_layout;
	plan->handler = mech == MECH_TRACEPOINT ? "kvm tracepoints" : k->handler;
	plan->dispatcher_hooked = mech != MECH_TRACEPOINT && hooked;
	s->rodata->dispatcher_hooked = hooked;
	for (size_t i = 0; i < sizeof(tracepoint_progs) / sizeof(tracepoint_progs[0]); i++)
		bpf_program__set_autoload(tracepoint_progs[i], mech == MECH_TRACEPOINT);
	bpf_program__set_autoload(s->progs.userspace_exit, mech != MECH_TRACEPOINT);
	if (mech == MECH_TRACEPOINT) {
		for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
			bpf_program__set_autoload(choices[i].fentry, false);
			bpf_program__set_autoload(choices[i].kprobe, false);
		}
		return 0;
	}
	if (kernel_facts_functions_usable(k, err, len))
		return -1;
	for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
		const struct hook_choice *c = &choices[i];
		bool fentry = mech == MECH_FENTRY && c->wanted;
		struct planned_hook *h;

		bpf_program__set_autoload(c->fentry, fentry);
		bpf_program__set_autoload(c->kprobe, mech == MECH_KPROBE && c->wanted);
		if (!c->wanted)
			continue;
		if (fentry) {
			int e = bpf_program__set_attach_target(c->fentry, 0, c->target);

			if (e) {
				snprintf(err, len, "cannot target %s at %s: %s", c->role, c->target, strerror(-e));
				return -1;
			}
		}
		h = &plan->hooks[plan->nr_hooks++];
		*h = (struct planned_hook){
			.role = c->role,
			.target = c->target,
			.prog = fentry ? c->fentry : c->kprobe,
			.link = fentry ? c->fentry_link : c->kprobe_link,
			.retprobe = c->retprobe,
		};
	}
	return 0;
}

bool plan_retires_vm_numbers(const struct attach_plan *plan)
{
	for (int i = 0; i < plan->nr_hooks; i++)
		if (!strcmp(plan->hooks[i].target, "kvm_arch_destroy_vm"))
			return true;
	return false;
}

/* The tracepoint plan: every loaded tracepoint program, by its SEC() name. */
static int attach_tracepoints(struct smccctrace_bpf *skel, char *err, size_t len)
{
	struct {
		struct bpf_program *prog;
		struct bpf_link **link;
	} tps[] = {
		{ skel->progs.tp_exit, &skel->links.tp_exit },
		{ skel->progs.tp_hvc, &skel->links.tp_hvc },
		{ skel->progs.tp_userspace_exit, &skel->links.tp_userspace_exit },
		{ skel->progs.tp_entry, &skel->links.tp_entry },
	};

	for (size_t i = 0; i < sizeof(tps) / sizeof(tps[0]); i++) {
		*tps[i].link = bpf_program__attach(tps[i].prog);
		if (!*tps[i].link) {
			snprintf(err, len, "cannot attach tracepoint %s: %s",
				 bpf_program__section_name(tps[i].prog), strerror(errno));
			return -1;
		}
	}
	return 0;
}

int plan_attach(struct smccctrace_bpf *skel, const struct attach_plan *plan, char *err, size_t len)
{
	if (plan->mech == MECH_TRACEPOINT)
		return attach_tracepoints(skel, err, len);

	for (int i = 0; i < plan->nr_hooks; i++) {
		const struct planned_hook *h = &plan->hooks[i];
		struct bpf_link *l;

		if (plan->mech == MECH_FENTRY)
			l = bpf_program__attach_trace(h->prog);
		else
			l = bpf_program__attach_kprobe(h->prog, h->retprobe, h->target);
		if (!l) {
			snprintf(err, len, "cannot attach %s (%s on %s): %s", h->role, hook_mech_name(plan->mech),
				 h->target, strerror(errno));
			return -1;
		}
		*h->link = l;
	}
	skel->links.userspace_exit = bpf_program__attach(skel->progs.userspace_exit);
	if (!skel->links.userspace_exit) {
		snprintf(err, len, "cannot attach tracepoint kvm:kvm_userspace_exit: %s", strerror(errno));
		return -1;
	}
	return 0;
}
