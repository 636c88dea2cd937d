/* The PSCI flow model: see psci_flow.h. The replay has three passes over the calls,
 * sorted by trap time:
 *   1. which vCPUs of each VM ever make a call;
 *   2. MPIDR learning: which vCPU comes up after a CPU_ON of an MPIDR that KVM's
 *      default mapping does not explain;
 *   3. the state machine (src/psci_replay.c), which writes the timeline, forwarded
 *      calls, anomalies and boots, and hands AFFINITY_INFO polls and hotplug
 *      operations to src/psci_hotplug.c. */
#include "guest_name.h"
#include "psci_replay.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "smccc.h"

static const char *const power_names[] = {
	[PSCI_POWER_UNKNOWN] = "unknown",
	[PSCI_POWER_OFF] = "off",
	[PSCI_POWER_ON_PENDING] = "on_pending",
	[PSCI_POWER_ON] = "on",
	[PSCI_POWER_SUSPENDED] = "suspended",
};

static const char *const cause_names[] = {
	[PSCI_CAUSE_FIRST_CALL] = "first_call",
	[PSCI_CAUSE_CPU_ON] = "cpu_on",
	[PSCI_CAUSE_RUNNING] = "running",
	[PSCI_CAUSE_CPU_OFF] = "cpu_off",
	[PSCI_CAUSE_CPU_SUSPEND] = "cpu_suspend",
	[PSCI_CAUSE_WAKEUP] = "wakeup",
	[PSCI_CAUSE_SYSTEM_OFF] = "system_off",
	[PSCI_CAUSE_SYSTEM_RESET] = "system_reset",
	[PSCI_CAUSE_REBOOT] = "reboot",
	[PSCI_CAUSE_MIGRATE] = "migrate",
	[PSCI_CAUSE_SYSTEM_SUSPEND] = "system_suspend",
	[PSCI_CAUSE_VMM_RESET] = "vmm_reset",
};

static const char *const boot_start_names[] = {
	[PSCI_BOOT_FIRST_CALL] = "first_call",
	[PSCI_BOOT_SYSTEM_RESET] = "system_reset",
	[PSCI_BOOT_VMM_RESET] = "vmm_reset",
};

static const char *const anomaly_names[] = {
	[PSCI_ANOMALY_CPU_ON_FAILED] = "cpu_on_failed",
	[PSCI_ANOMALY_CPU_ON_TIMEOUT] = "cpu_on_timeout",
	[PSCI_ANOMALY_AFFINITY_POLL] = "affinity_poll",
	[PSCI_ANOMALY_SLOW_VMM] = "slow_vmm",
	[PSCI_ANOMALY_CALL_WHILE_OFF] = "call_while_off",
};

#define NAME_OF(table, i) ((size_t)(i) < sizeof(table) / sizeof(table[0]) ? table[i] : "?")

const char *psci_power_name(enum psci_power p) { return NAME_OF(power_names, p); }
const char *psci_cause_name(enum psci_cause c) { return NAME_OF(cause_names, c); }
const char *psci_anomaly_name(enum psci_anomaly_kind k) { return NAME_OF(anomaly_names, k); }
const char *psci_boot_start_name(enum psci_boot_start s) { return NAME_OF(boot_start_names, s); }

const char *psci_mpidr_source_name(enum psci_mpidr_source s)
{
	return s == PSCI_MPIDR_KVM ? "kvm" : s == PSCI_MPIDR_OBSERVED ? "observed" : NULL;
}

const char *psci_affinity_answer_name(enum psci_affinity_answer a)
{
	static const char *const names[] = { "on", "off", "on_pending", "error" };

	return NAME_OF(names, a);
}

void psci_flow_config_default(struct psci_flow_config *c)
{
	*c = (struct psci_flow_config){
		.on_timeout_ns = PSCI_DEFAULT_ON_TIMEOUT_MS * 1000000ull,
		.poll_limit = PSCI_DEFAULT_POLL_LIMIT,
		.poll_time_ns = PSCI_DEFAULT_POLL_TIME_MS * 1000000ull,
		.slow_vmm_ns = PSCI_DEFAULT_SLOW_VMM_MS * 1000000ull,
	};
}

/* Grows *arr to hold one more element; returns it zeroed, or NULL. */
void *psci_grow(void *arr_p, size_t *nr, size_t *cap, size_t size)
{
	void **arr = arr_p;

	if (*nr == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *n = realloc(*arr, ncap * size);

		if (!n)
			return NULL;
		*arr = n;
		*cap = ncap;
	}
	memset((char *)*arr + *nr * size, 0, size);
	return (char *)*arr + (*nr)++ * size;
}

void psci_flow_init(struct psci_flow *f, const struct psci_flow_config *cfg)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
}

int psci_flow_add(struct psci_flow *f, const struct call_view *v)
{
	const struct smccc_event *ev = v->ev;
	struct psci_call *c;

	/* the tracepoint plan sees no vCPU ids nor arguments: nothing to follow */
	if ((ev->missing & (EVM_VCPU | EVM_FUNC | EVM_ARGS)) || ev->vcpu > PSCI_MAX_VCPU_ID) {
		f->skipped++;
		return 0;
	}
	c = psci_grow(&f->calls, &f->nr_calls, &f->cap_calls, sizeof(*c));
	if (!c)
		return -1;
	*c = (struct psci_call){
		.ts_ns = v->ts_ns,
		.kvm_ns = ev->kvm_ns,
		.vmm_ns = ev->vmm_ns,
		.args = { ev->regs[1], ev->regs[2], ev->regs[3] },
		.ret0 = ev->ret[0],
		.pid = guest_vmm_key(ev->pid, v->incarnation),	/* a reused pid's VMMs apart */
		.vm = ev->vm,
		.vcpu = ev->vcpu,
		.func_id = (__u32)ev->regs[0],
		.seq = (__u32)(f->nr_calls - 1),
		.pc = ev->pc,
		.disposition = ev->disposition,
		.flags = ev->flags,
		.has_result = v->has_result,
	};
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct psci_call *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- the calls, read the PSCI way ---- */

bool psci_call_is_psci(const struct psci_call *c)
{
	return smccc_in_service(c->func_id, SVC_PSCI);
}

/* The PSCI function number; PSCI_VERSION's is 0, like any non-PSCI call's */
unsigned psci_call_fn(const struct psci_call *c)
{
	return psci_call_is_psci(c) ? c->func_id & 0xffff : 0;
}

/* SMC32 functions see 32-bit arguments and results (KVM narrows them too) */
__u64 psci_call_arg(const struct psci_call *c, int i)
{
	return c->func_id & SMCCC_SMC64 ? c->args[i] : (__u32)c->args[i];
}

long long psci_call_sret(const struct psci_call *c)
{
	return c->func_id & SMCCC_SMC64 ? (long long)c->ret0 : (long long)(__s32)c->ret0;
}

/* The call came back with a PSCI error code: x0 a negative number PSCI names (a
 * restarted vCPU's x0 is its context id, which can look negative too) */
bool psci_call_error(const struct psci_call *c)
{
	return c->has_result && psci_call_sret(c) < 0 && smccc_ret_name(c->func_id, c->ret0);
}

__u64 psci_call_target(const struct psci_call *c)
{
	return psci_call_arg(c, 0) & MPIDR_HWID_MASK;
}

__u64 psci_call_return_ns(const struct psci_call *c)
{
	return c->ts_ns + c->kvm_ns + c->vmm_ns;
}

/* ---- VMs and vCPUs ---- */

struct flow_vm *psci_find_vm(struct psci_flow *f, __u32 pid, __u32 vm, bool create)
{
	struct flow_vm *m;

	for (size_t i = 0; i < f->nr_vms; i++)
		if (f->vms[i].pid == pid && f->vms[i].vm == vm)
			return &f->vms[i];
	if (!create)
		return NULL;
	m = psci_grow(&f->vms, &f->nr_vms, &f->cap_vms, sizeof(*m));
	if (m) {
		m->pid = pid;
		m->vm = vm;
		m->boot = -1;
	}
	return m;
}

struct flow_vcpu *psci_find_vcpu(struct flow_vm *m, long id)
{
	if (id < 0 || id > PSCI_MAX_VCPU_ID)
		return NULL;
	if ((size_t)id >= m->nr_vcpus) {
		size_t n = (size_t)id + 1;
		struct flow_vcpu *v = realloc(m->vcpus, n * sizeof(*v));

		if (!v)
			return NULL;
		memset(v + m->nr_vcpus, 0, (n - m->nr_vcpus) * sizeof(*v));
		for (size_t i = m->nr_vcpus; i < n; i++) {
			v[i].on_by = -1;
			v[i].timeout_anomaly = v[i].off_anomaly = v[i].poll = v[i].poll_anomaly = -1;
			for (int k = 0; k < PSCI_OP__COUNT; k++)
				v[i].op[k] = -1;
		}
		m->vcpus = v;
		m->nr_vcpus = n;
	}
	return &m->vcpus[id];
}

/* ---- pass 1: who exists (pass 2, MPIDR learning, is src/psci_mpidr.c) ---- */

static int mark_seen(struct psci_flow *f)
{
	for (size_t i = 0; i < f->nr_calls; i++) {
		const struct psci_call *c = &f->calls[i];
		struct flow_vm *m = psci_find_vm(f, c->pid, c->vm, true);
		struct flow_vcpu *v = m ? psci_find_vcpu(m, c->vcpu) : NULL;

		if (!v)
			return -1;
		v->seen = true;
	}
	return 0;
}

/* Transitions are made in time order but for wakeups, which are made with their
 * CPU_SUSPEND: an insertion sort is stable and linear on nearly sorted input. The
 * other lists are made in time order. */
static void sort_transitions(struct psci_flow *f)
{
	for (size_t i = 1; i < f->nr_transitions; i++) {
		struct psci_transition t = f->transitions[i];
		size_t j = i;

		for (; j > 0 && f->transitions[j - 1].ts_ns > t.ts_ns; j--)
			f->transitions[j] = f->transitions[j - 1];
		f->transitions[j] = t;
	}
}

static int summarize(struct psci_flow *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nr_vms; i++)
		for (size_t j = 0; j < f->vms[i].nr_vcpus; j++)
			n += f->vms[i].vcpus[j].present || f->vms[i].vcpus[j].cpu_on_ok || f->vms[i].vcpus[j].cpu_on_failed;
	f->vcpus = calloc(n ? n : 1, sizeof(*f->vcpus));
	if (!f->vcpus)
		return -1;
	for (size_t i = 0; i < f->nr_vms; i++) {
		const struct flow_vm *m = &f->vms[i];

		for (size_t j = 0; j < m->nr_vcpus; j++) {
			const struct flow_vcpu *v = &m->vcpus[j];
			struct psci_vcpu_summary *s;

			if (!v->present && !v->cpu_on_ok && !v->cpu_on_failed)
				continue;
			s = &f->vcpus[f->nr_vcpus++];
			*s = (struct psci_vcpu_summary){
				.pid = m->pid, .vm = m->vm, .vcpu = (int)j, .state = v->state,
				.calls = v->calls, .unanswered = v->unanswered, .parked = v->parked,
				.cpu_on_ok = v->cpu_on_ok, .cpu_on_failed = v->cpu_on_failed,
				.has_bringup = v->has_bringup, .last_bringup_ns = v->last_bringup_ns,
				.cpu_off = v->cpu_off, .offline_ns = v->offline_ns,
			};
			s->mpidr_source = psci_mpidr_of(m, (__u32)j, &s->mpidr);
		}
	}
	return 0;
}

static int by_vm(const void *a, const void *b)
{
	const struct flow_vm *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->vm < y->vm ? -1 : x->vm > y->vm;
}

static int by_boot(const void *a, const void *b)
{
	const struct psci_boot *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->vm != y->vm)
		return x->vm < y->vm ? -1 : 1;
	return x->boot < y->boot ? -1 : x->boot > y->boot;
}

/* What is still open when the trace ends: polls, operations, time offline */
int psci_flow_run(struct psci_flow *f, __u64 end_ns)
{
	struct replay r = { .f = f };

	f->end_ns = end_ns;
	if (f->nr_calls > 1)
		qsort(f->calls, f->nr_calls, sizeof(*f->calls), by_time);
	if (mark_seen(f))
		goto nomem;
	if (f->nr_vms > 1)
		qsort(f->vms, f->nr_vms, sizeof(*f->vms), by_vm);
	if (psci_learn_mpidrs(f))
		goto nomem;
	for (size_t i = 0; i < f->nr_calls; i++) {
		r.c = &f->calls[i];
		if (psci_all_deadlines(&r, r.c->ts_ns))
			goto nomem;
		r.m = psci_find_vm(f, r.c->pid, r.c->vm, false);
		if (psci_replay_call(&r))
			goto nomem;
	}
	r.c = NULL;
	if (psci_all_deadlines(&r, end_ns))
		goto nomem;
	psci_end_of_trace(&r, end_ns);
	sort_transitions(f);
	if (summarize(f) || psci_op_statistics(f))
		goto nomem;
	if (f->nr_boots > 1)
		qsort(f->boots, f->nr_boots, sizeof(*f->boots), by_boot);
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

void psci_flow_free(struct psci_flow *f)
{
	for (size_t i = 0; i < f->nr_vms; i++) {
		free(f->vms[i].vcpus);
		free(f->vms[i].learned);
		free(f->vms[i].pending_on);
	}
	free(f->vms);
	free(f->calls);
	free(f->transitions);
	free(f->anomalies);
	free(f->polls);
	free(f->forwarded);
	free(f->vcpus);
	free(f->ops);
	free(f->boots);
	memset(f, 0, sizeof(*f));
}
