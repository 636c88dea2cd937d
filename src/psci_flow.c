/* The PSCI flow model: see psci_flow.h. The replay has three passes over the calls,
 * sorted by trap time:
 *   1. which vCPUs of each VM ever make a call;
 *   2. MPIDR learning: which vCPU comes up after a CPU_ON of an MPIDR that KVM's
 *      default mapping does not explain;
 *   3. the state machine, which writes the timeline, polls, forwarded calls and
 *      anomalies. */
#include "psci_flow.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "smccc.h"

/* PSCI function numbers (DEN0022), the low 16 bits of the ID */
#define PSCI_FN_CPU_SUSPEND		0x01
#define PSCI_FN_CPU_OFF			0x02
#define PSCI_FN_CPU_ON			0x03
#define PSCI_FN_AFFINITY_INFO		0x04
#define PSCI_FN_MIGRATE			0x05
#define PSCI_FN_SYSTEM_OFF		0x08
#define PSCI_FN_SYSTEM_RESET		0x09
#define PSCI_FN_CPU_FREEZE		0x0b
#define PSCI_FN_CPU_DEFAULT_SUSPEND	0x0c
#define PSCI_FN_SYSTEM_SUSPEND		0x0e
#define PSCI_FN_SYSTEM_RESET2		0x12
#define PSCI_FN_SYSTEM_OFF2		0x15

#define MPIDR_HWID_MASK		0xff00ffffffull	/* Aff3, Aff2, Aff1, Aff0 */
#define SMCCC_SMC64		(1u << 30)

struct binding {
	__u64 mpidr;
	__u32 vcpu;
};

struct flow_vcpu {
	bool seen;		/* pass 1: makes at least one call in the trace */
	bool up;		/* pass 2: running, as far as MPIDR learning is concerned */
	bool came_up;		/* pass 2: it has been up before */
	bool present;		/* pass 3: in the summary */
	enum psci_power state;
	__u64 calls, cpu_on_ok, cpu_on_failed;
	bool has_bringup;
	__u64 last_bringup_ns;
	/* on_pending: the CPU_ON */
	__u64 on_ts;
	int on_by;
	__u32 on_func;
	long timeout_anomaly;	/* -1 until the deadline passed */
	/* off: since when, why, and the call_while_off anomaly of this off period */
	__u64 off_ts;
	enum psci_cause off_cause;
	long off_anomaly;
	long poll;		/* its open AFFINITY_INFO poll, or -1 */
	long poll_anomaly;	/* that poll's affinity_poll anomaly, or -1 */
};

struct flow_vm {
	__u32 pid, vm;
	struct flow_vcpu *vcpus;	/* by vcpu_id */
	size_t nr_vcpus;
	struct binding *learned;	/* pass 2's result */
	size_t nr_learned, cap_learned;
	__u64 *pending_on;		/* pass 2: MPIDRs of CPU_ONs not matched yet */
	size_t nr_pending_on, cap_pending_on;
	bool rebooting;			/* SYSTEM_RESET seen: the next call is the reboot */
	size_t nr_on_pending;		/* vCPUs in on_pending, to skip the deadline scan */
};

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

__u64 psci_kvm_mpidr(__u32 vcpu_id)
{
	return (__u64)(vcpu_id & 0xf) | (__u64)((vcpu_id >> 4) & 0xff) << 8 |
	       (__u64)((vcpu_id >> 12) & 0xff) << 16;
}

long psci_kvm_vcpu_of(__u64 mpidr)
{
	if ((mpidr & ~MPIDR_HWID_MASK) || (mpidr >> 32) || (mpidr & 0xf0))
		return -1;	/* Aff3, or an Aff0 above 15: not KVM's */
	return (long)((mpidr & 0xf) | ((mpidr >> 8) & 0xff) << 4 | ((mpidr >> 16) & 0xff) << 12);
}

/* Grows *arr to hold one more element; returns it zeroed, or NULL. */
static void *grow(void *arr_p, size_t *nr, size_t *cap, size_t size)
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
	c = grow(&f->calls, &f->nr_calls, &f->cap_calls, sizeof(*c));
	if (!c)
		return -1;
	*c = (struct psci_call){
		.ts_ns = v->ts_ns,
		.kvm_ns = ev->kvm_ns,
		.vmm_ns = ev->vmm_ns,
		.args = { ev->regs[1], ev->regs[2], ev->regs[3] },
		.ret0 = ev->ret[0],
		.pid = ev->pid,
		.vm = ev->vm,
		.vcpu = ev->vcpu,
		.func_id = (__u32)ev->regs[0],
		.seq = (__u32)(f->nr_calls - 1),
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

static bool is_psci(const struct psci_call *c)
{
	return smccc_in_service(c->func_id, SVC_PSCI);
}

/* The PSCI function number; PSCI_VERSION's is 0, like any non-PSCI call's */
static unsigned psci_fn(const struct psci_call *c)
{
	return is_psci(c) ? c->func_id & 0xffff : 0;
}

/* SMC32 functions see 32-bit arguments and results (KVM narrows them too) */
static __u64 arg(const struct psci_call *c, int i)
{
	return c->func_id & SMCCC_SMC64 ? c->args[i] : (__u32)c->args[i];
}

static long long sret(const struct psci_call *c)
{
	return c->func_id & SMCCC_SMC64 ? (long long)c->ret0 : (long long)(__s32)c->ret0;
}

/* The call came back with a PSCI error code: x0 a negative number PSCI names (a
 * restarted vCPU's x0 is its context id, which can look negative too) */
static bool returned_error(const struct psci_call *c)
{
	return c->has_result && sret(c) < 0 && smccc_ret_name(c->func_id, c->ret0);
}

static __u64 target_mpidr(const struct psci_call *c)
{
	return arg(c, 0) & MPIDR_HWID_MASK;
}

/* ---- VMs and vCPUs ---- */

static struct flow_vm *find_vm(struct psci_flow *f, __u32 pid, __u32 vm, bool create)
{
	struct flow_vm *m;

	for (size_t i = 0; i < f->nr_vms; i++)
		if (f->vms[i].pid == pid && f->vms[i].vm == vm)
			return &f->vms[i];
	if (!create)
		return NULL;
	m = grow(&f->vms, &f->nr_vms, &f->cap_vms, sizeof(*m));
	if (m) {
		m->pid = pid;
		m->vm = vm;
	}
	return m;
}

static struct flow_vcpu *find_vcpu(struct flow_vm *m, long id)
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
		}
		m->vcpus = v;
		m->nr_vcpus = n;
	}
	return &m->vcpus[id];
}

static long learned_vcpu(const struct flow_vm *m, __u64 mpidr)
{
	for (size_t i = 0; i < m->nr_learned; i++)
		if (m->learned[i].mpidr == mpidr)
			return m->learned[i].vcpu;
	return -1;
}

static bool vcpu_learned(const struct flow_vm *m, __u32 vcpu)
{
	for (size_t i = 0; i < m->nr_learned; i++)
		if (m->learned[i].vcpu == vcpu)
			return true;
	return false;
}

/* The vCPU an MPIDR names: what the trace taught, else KVM's default unless that
 * vCPU was seen to have another MPIDR; -1 when neither applies. */
static long resolve(const struct flow_vm *m, __u64 mpidr)
{
	long v = learned_vcpu(m, mpidr);

	if (v >= 0)
		return v;
	v = psci_kvm_vcpu_of(mpidr);
	return v >= 0 && !vcpu_learned(m, (__u32)v) ? v : -1;
}

static enum psci_mpidr_source mpidr_of(const struct flow_vm *m, __u32 vcpu, __u64 *mpidr)
{
	for (size_t i = 0; i < m->nr_learned; i++) {
		if (m->learned[i].vcpu == vcpu) {
			*mpidr = m->learned[i].mpidr;
			return PSCI_MPIDR_OBSERVED;
		}
	}
	*mpidr = psci_kvm_mpidr(vcpu);
	if (learned_vcpu(m, *mpidr) >= 0) {
		*mpidr = 0;	/* another vCPU has it */
		return PSCI_MPIDR_NONE;
	}
	return PSCI_MPIDR_KVM;
}

/* ---- pass 1 and 2: who exists, and MPIDR learning ---- */

static int mark_seen(struct psci_flow *f)
{
	for (size_t i = 0; i < f->nr_calls; i++) {
		const struct psci_call *c = &f->calls[i];
		struct flow_vm *m = find_vm(f, c->pid, c->vm, true);
		struct flow_vcpu *v = m ? find_vcpu(m, c->vcpu) : NULL;

		if (!v)
			return -1;
		v->seen = true;
	}
	return 0;
}

static int learn(struct flow_vm *m, __u64 mpidr, __u32 vcpu)
{
	struct binding *b = grow(&m->learned, &m->nr_learned, &m->cap_learned, sizeof(*b));

	if (!b)
		return -1;
	*b = (struct binding){ .mpidr = mpidr, .vcpu = vcpu };
	return 0;
}

/*
 * A vCPU W comes up: its first call, or its first since it went off. The CPU_ON that
 * started it is the pending one whose MPIDR KVM maps to W. Failing that, and only on
 * W's very first call (a vCPU back from off already has its MPIDR, or is a zombie the
 * VMM did not park), the oldest pending one whose MPIDR is not bound yet and whose
 * KVM vCPU never makes a call in the whole trace: a VMM that sets MPIDR_EL1 itself.
 */
static int learn_coming_up(struct flow_vm *m, __u32 w, bool first)
{
	size_t pick = m->nr_pending_on;
	bool bind = false;

	for (size_t i = 0; i < m->nr_pending_on && pick == m->nr_pending_on; i++)
		if (psci_kvm_vcpu_of(m->pending_on[i]) == (long)w)
			pick = i;
	for (size_t i = 0; first && !vcpu_learned(m, w) && i < m->nr_pending_on && pick == m->nr_pending_on; i++) {
		long kvm = psci_kvm_vcpu_of(m->pending_on[i]);

		if (learned_vcpu(m, m->pending_on[i]) < 0 &&
		    (kvm < 0 || (size_t)kvm >= m->nr_vcpus || !m->vcpus[kvm].seen)) {
			pick = i;
			bind = true;
		}
	}
	if (pick == m->nr_pending_on)
		return 0;
	if (bind && learn(m, m->pending_on[pick], w))
		return -1;
	memmove(&m->pending_on[pick], &m->pending_on[pick + 1], (m->nr_pending_on - pick - 1) * sizeof(__u64));
	m->nr_pending_on--;
	return 0;
}

static int learn_mpidrs(struct psci_flow *f)
{
	for (size_t i = 0; i < f->nr_calls; i++) {
		const struct psci_call *c = &f->calls[i];
		struct flow_vm *m = find_vm(f, c->pid, c->vm, false);
		struct flow_vcpu *v = find_vcpu(m, c->vcpu);
		unsigned fn = psci_fn(c);

		if (!v->up) {
			v->up = true;
			if (learn_coming_up(m, c->vcpu, !v->came_up))
				return -1;
			v->came_up = true;
		}
		if (fn == PSCI_FN_CPU_ON && c->has_result && sret(c) == 0) {
			__u64 *p = grow(&m->pending_on, &m->nr_pending_on, &m->cap_pending_on, sizeof(*p));

			if (!p)
				return -1;
			*p = target_mpidr(c);
		} else if (fn == PSCI_FN_CPU_OFF && !returned_error(c)) {
			v->up = false;
		} else if ((fn == PSCI_FN_SYSTEM_OFF || fn == PSCI_FN_SYSTEM_OFF2 || fn == PSCI_FN_SYSTEM_RESET ||
			    fn == PSCI_FN_SYSTEM_RESET2) && !returned_error(c)) {
			for (size_t j = 0; j < m->nr_vcpus; j++)
				m->vcpus[j].up = false;
			m->nr_pending_on = 0;
		}
	}
	return 0;
}

/* ---- pass 3: the state machine ---- */

struct replay {
	struct psci_flow *f;
	struct flow_vm *m;
	const struct psci_call *c;	/* the call being replayed */
};

/*
 * A forwarded CPU_OFF the VMM parked ends when the VMM starts the vCPU again: a
 * successful CPU_ON of it comes before the vCPU's next call. The CPU_OFF's x0 is then
 * the new context id and its VMM time the time off. (Its trap time plus kvm_ns and
 * vmm_ns do not bound the restart: the vCPU thread may be preempted between KVM's exit
 * handler and the exit to the VMM, which neither counts.)
 */
static bool restarted_during(const struct replay *r)
{
	const struct psci_call *c = r->c, *end = r->f->calls + r->f->nr_calls;

	if (c->disposition != DISP_FORWARDED || !c->has_result)
		return false;
	for (const struct psci_call *n = c + 1; n < end; n++) {
		if (n->pid != c->pid || n->vm != c->vm)
			continue;
		if (n->vcpu == c->vcpu)
			return false;	/* it ran on: the VMM answered without parking it */
		if (psci_fn(n) == PSCI_FN_CPU_ON && n->has_result && sret(n) == 0 &&
		    resolve(r->m, target_mpidr(n)) == (long)c->vcpu)
			return true;
	}
	return false;
}

static struct psci_transition *transition(struct replay *r, struct flow_vcpu *v, long vcpu,
					  enum psci_power to, enum psci_cause cause, __u64 ts)
{
	struct psci_flow *f = r->f;
	struct psci_transition *t = grow(&f->transitions, &f->nr_transitions, &f->cap_transitions, sizeof(*t));
	enum psci_power from = v ? v->state : PSCI_POWER_UNKNOWN;

	if (!t)
		return NULL;
	*t = (struct psci_transition){
		.ts_ns = ts,
		.pid = r->m->pid,
		.vm = r->m->vm,
		.vcpu = (int)vcpu,
		.from = from,
		.to = to,
		.cause = cause,
		.func_id = r->c->func_id,
		.by_vcpu = -1,
	};
	if (v && from != to) {
		if (to == PSCI_POWER_ON_PENDING) {
			r->m->nr_on_pending++;
		} else if (from == PSCI_POWER_ON_PENDING) {
			r->m->nr_on_pending--;
			v->timeout_anomaly = -1;
		}
		if (to == PSCI_POWER_OFF) {
			v->off_ts = ts;
			v->off_cause = cause;
		}
		if (from == PSCI_POWER_OFF)
			v->off_anomaly = -1;
		v->state = to;
	}
	return t;
}

static struct psci_anomaly *anomaly(struct replay *r, enum psci_anomaly_kind kind, __u64 ts, long vcpu,
				    long *index)
{
	struct psci_flow *f = r->f;
	struct psci_anomaly *a = grow(&f->anomalies, &f->nr_anomalies, &f->cap_anomalies, sizeof(*a));

	if (!a)
		return NULL;
	*a = (struct psci_anomaly){
		.kind = kind,
		.ts_ns = ts,
		.pid = r->m->pid,
		.vm = r->m->vm,
		.vcpu = (int)vcpu,
		.func_id = r->c ? r->c->func_id : 0,
		.other_vcpu = -1,
	};
	if (index)
		*index = (long)(f->nr_anomalies - 1);
	return a;
}

/* CPU_ON targets still on_pending past their deadline, up to time now */
static int check_deadlines(struct replay *r, struct flow_vm *m, __u64 now)
{
	const __u64 timeout = r->f->cfg.on_timeout_ns;

	if (!m->nr_on_pending)
		return 0;
	for (size_t i = 0; i < m->nr_vcpus; i++) {
		struct flow_vcpu *v = &m->vcpus[i];
		struct psci_anomaly *a;

		if (v->state != PSCI_POWER_ON_PENDING || v->timeout_anomaly >= 0 || v->on_ts + timeout > now)
			continue;
		a = anomaly(r, PSCI_ANOMALY_CPU_ON_TIMEOUT, v->on_ts + timeout, (long)i, &v->timeout_anomaly);
		if (!a)
			return -1;
		a->func_id = v->on_func;
		a->other_vcpu = v->on_by;
		a->since_ns = v->on_ts;
		a->has_mpidr = mpidr_of(m, (__u32)i, &a->mpidr) != PSCI_MPIDR_NONE;
	}
	return 0;
}

static int all_deadlines(struct replay *r, __u64 now)
{
	for (size_t i = 0; i < r->f->nr_vms; i++) {
		r->m = &r->f->vms[i];
		if (check_deadlines(r, r->m, now))
			return -1;
	}
	return 0;
}

/* What the caller's call says about the caller itself, before what the call does */
static int caller_state(struct replay *r, struct flow_vcpu *v)
{
	const struct psci_call *c = r->c;
	struct psci_transition *t;
	struct psci_anomaly *a;

	switch (v->state) {
	case PSCI_POWER_UNKNOWN:
	case PSCI_POWER_OFF:
		if (v->state == PSCI_POWER_UNKNOWN || r->m->rebooting) {
			enum psci_cause cause = r->m->rebooting ? PSCI_CAUSE_REBOOT : PSCI_CAUSE_FIRST_CALL;

			r->m->rebooting = false;
			return transition(r, v, c->vcpu, PSCI_POWER_ON, cause, c->ts_ns) ? 0 : -1;
		}
		if (v->off_anomaly >= 0) {
			r->f->anomalies[v->off_anomaly].count++;
			return 0;
		}
		a = anomaly(r, PSCI_ANOMALY_CALL_WHILE_OFF, c->ts_ns, c->vcpu, &v->off_anomaly);
		if (!a)
			return -1;
		a->since_ns = v->off_ts;
		a->off_cause = v->off_cause;
		a->count = 1;
		return 0;
	case PSCI_POWER_ON_PENDING:
		if (v->timeout_anomaly >= 0) {
			struct psci_anomaly *late = &r->f->anomalies[v->timeout_anomaly];

			late->has_ns = true;
			late->ns = c->ts_ns - v->on_ts;
		}
		t = transition(r, v, c->vcpu, PSCI_POWER_ON, PSCI_CAUSE_RUNNING, c->ts_ns);
		if (!t)
			return -1;
		t->has_latency = true;
		t->latency_ns = c->ts_ns - v->on_ts;
		t->by_vcpu = v->on_by;
		v->has_bringup = true;
		v->last_bringup_ns = t->latency_ns;
		return 0;
	case PSCI_POWER_ON:
	case PSCI_POWER_SUSPENDED:
		return 0;
	}
	return 0;
}

static int cpu_on(struct replay *r)
{
	const struct psci_call *c = r->c;
	__u64 mpidr = target_mpidr(c);
	long target = resolve(r->m, mpidr);
	struct flow_vcpu *tv = target >= 0 ? find_vcpu(r->m, target) : NULL;
	bool forwarded = c->disposition == DISP_FORWARDED;

	if (!c->has_result)
		return 0;	/* no answer in the trace: nothing is known */
	if (sret(c) == 0) {
		struct psci_transition *t;

		if (tv && tv->state == PSCI_POWER_UNKNOWN)
			tv->state = PSCI_POWER_OFF;	/* CPU_ON succeeded: it was off */
		t = transition(r, tv, target, PSCI_POWER_ON_PENDING, PSCI_CAUSE_CPU_ON, c->ts_ns);
		if (!t)
			return -1;
		if (!tv)
			t->from = PSCI_POWER_OFF;
		t->by_vcpu = (int)c->vcpu;
		t->has_mpidr = true;
		t->mpidr = mpidr;
		t->entry = arg(c, 1);
		t->context_id = arg(c, 2);
		t->forwarded = forwarded;
		if (tv) {
			tv->on_ts = c->ts_ns;
			tv->on_by = (int)c->vcpu;
			tv->on_func = c->func_id;
			tv->cpu_on_ok++;
		}
		return 0;
	}
	struct psci_anomaly *a = anomaly(r, PSCI_ANOMALY_CPU_ON_FAILED, c->ts_ns, c->vcpu, NULL);

	if (!a)
		return -1;
	a->other_vcpu = (int)target;
	a->has_mpidr = true;
	a->mpidr = mpidr;
	a->ret0 = c->ret0;
	a->forwarded = forwarded;
	if (tv)
		tv->cpu_on_failed++;
	return 0;
}

bool psci_is_affinity_info(__u32 func_id)
{
	return smccc_in_service(func_id, SVC_PSCI) && (func_id & 0xffff) == PSCI_FN_AFFINITY_INFO;
}

enum psci_affinity_answer psci_affinity_answer_of(__u32 func_id, __u64 ret0)
{
	long long x = func_id & SMCCC_SMC64 ? (long long)ret0 : (long long)(__s32)ret0;

	if (x < 0 || x > PSCI_AFF_ON_PENDING)
		return PSCI_AFF_ERROR;	/* a PSCI error, or no answer PSCI defines */
	return (enum psci_affinity_answer)x;
}

static enum psci_affinity_answer affinity_answer(const struct psci_call *c)
{
	return psci_affinity_answer_of(c->func_id, c->ret0);
}

/* The poll's totals so far into its anomaly, if it has one */
static void poll_to_anomaly(struct replay *r, const struct flow_vcpu *v)
{
	const struct psci_poll *p = &r->f->polls[v->poll];
	struct psci_anomaly *a;

	if (v->poll_anomaly < 0)
		return;
	a = &r->f->anomalies[v->poll_anomaly];
	a->count = p->count;
	a->ns = p->last_ts_ns - p->first_ts_ns;
}

static void close_poll(struct replay *r, struct flow_vcpu *v)
{
	if (v->poll < 0)
		return;
	poll_to_anomaly(r, v);
	v->poll = v->poll_anomaly = -1;
}

static int affinity_info(struct replay *r, struct flow_vcpu *v)
{
	const struct psci_call *c = r->c;
	const struct psci_flow_config *cfg = &r->f->cfg;
	__u64 mpidr = target_mpidr(c);
	__u32 level = (__u32)arg(c, 1);
	enum psci_affinity_answer ans;
	struct psci_poll *p = NULL;

	if (!c->has_result)
		return 0;
	ans = affinity_answer(c);
	if (v->poll >= 0) {
		p = &r->f->polls[v->poll];
		if (p->mpidr != mpidr || p->level != level) {
			close_poll(r, v);
			p = NULL;
		}
	}
	if (!p) {
		p = grow(&r->f->polls, &r->f->nr_polls, &r->f->cap_polls, sizeof(*p));
		if (!p)
			return -1;
		*p = (struct psci_poll){
			.first_ts_ns = c->ts_ns,
			.pid = r->m->pid,
			.vm = r->m->vm,
			.vcpu = (int)c->vcpu,
			.mpidr = mpidr,
			.target_vcpu = (int)resolve(r->m, mpidr),
			.level = level,
			.func_id = c->func_id,
			.first_answer = ans,
		};
		v->poll = (long)(r->f->nr_polls - 1);
	}
	p->count++;
	p->last_ts_ns = c->ts_ns;
	p->answers[ans]++;
	p->last_ret0 = c->ret0;
	/* the first answer is what the poller waits to see change */
	p->changed = ans != p->first_answer;
	if (!p->over_limit && (p->count > cfg->poll_limit || p->last_ts_ns - p->first_ts_ns > cfg->poll_time_ns)) {
		struct psci_anomaly *a = anomaly(r, PSCI_ANOMALY_AFFINITY_POLL, c->ts_ns, c->vcpu, &v->poll_anomaly);

		if (!a)
			return -1;
		p->over_limit = true;
		a->other_vcpu = p->target_vcpu;
		a->has_mpidr = true;
		a->mpidr = mpidr;
		a->since_ns = p->first_ts_ns;
		a->has_ns = true;
	}
	poll_to_anomaly(r, v);
	if (p->changed)
		close_poll(r, v);
	return 0;
}

/* Every vCPU of the VM goes off (SYSTEM_OFF, SYSTEM_RESET) */
static int system_event(struct replay *r, enum psci_cause cause)
{
	const struct psci_call *c = r->c;

	for (size_t i = 0; i < r->m->nr_vcpus; i++) {
		struct flow_vcpu *v = &r->m->vcpus[i];
		struct psci_transition *t;

		if (v->state == PSCI_POWER_OFF || v->state == PSCI_POWER_UNKNOWN)
			continue;
		t = transition(r, v, (long)i, PSCI_POWER_OFF, cause, c->ts_ns);
		if (!t)
			return -1;
		t->by_vcpu = (int)c->vcpu;
		close_poll(r, v);
	}
	r->m->rebooting = cause == PSCI_CAUSE_SYSTEM_RESET;
	return 0;
}

/* The VMM holds these until the vCPU wakes up: their time is not its answer's */
static bool suspends(unsigned fn)
{
	return fn == PSCI_FN_CPU_SUSPEND || fn == PSCI_FN_CPU_DEFAULT_SUSPEND || fn == PSCI_FN_CPU_FREEZE ||
	       fn == PSCI_FN_SYSTEM_SUSPEND;
}

static int forwarded(struct replay *r, unsigned fn, bool restarted)
{
	const struct psci_call *c = r->c;
	struct psci_forwarded *fw = grow(&r->f->forwarded, &r->f->nr_forwarded, &r->f->cap_forwarded, sizeof(*fw));

	if (!fw)
		return -1;
	*fw = (struct psci_forwarded){
		.ts_ns = c->ts_ns,
		.pid = r->m->pid,
		.vm = r->m->vm,
		.vcpu = (int)c->vcpu,
		.func_id = c->func_id,
		.args = { arg(c, 0), arg(c, 1), arg(c, 2) },
		.answered = c->has_result,
		.ret0 = c->ret0,
		.vmm_ns = c->vmm_ns,
		.restarted = restarted,
	};
	if (fw->answered && !restarted && !suspends(fn) && c->vmm_ns > r->f->cfg.slow_vmm_ns) {
		struct psci_anomaly *a = anomaly(r, PSCI_ANOMALY_SLOW_VMM, c->ts_ns, c->vcpu, NULL);

		if (!a)
			return -1;
		a->has_ns = true;
		a->ns = c->vmm_ns;
		a->ret0 = c->ret0;
	}
	return 0;
}

static int replay_call(struct replay *r)
{
	const struct psci_call *c = r->c;
	struct flow_vcpu *v = find_vcpu(r->m, c->vcpu);
	unsigned fn = psci_fn(c);
	bool restarted = fn == PSCI_FN_CPU_OFF && restarted_during(r);
	struct psci_transition *t;

	v->present = true;
	v->calls++;
	if (caller_state(r, v))
		return -1;
	if (is_psci(c) && c->disposition == DISP_FORWARDED && forwarded(r, fn, restarted))
		return -1;
	switch (fn) {
	case PSCI_FN_CPU_ON:
		return cpu_on(r);
	case PSCI_FN_AFFINITY_INFO:
		return affinity_info(r, v);
	case PSCI_FN_CPU_OFF:
		/* CPU_OFF only returns on failure (DENIED); a vCPU the VMM forgot to park
		 * resumes with SUCCESS, or its stale x0, and is off as far as PSCI goes */
		if ((!restarted && returned_error(c)) || v->state == PSCI_POWER_OFF)
			return 0;
		close_poll(r, v);
		return transition(r, v, c->vcpu, PSCI_POWER_OFF, PSCI_CAUSE_CPU_OFF, c->ts_ns) ? 0 : -1;
	case PSCI_FN_CPU_SUSPEND:
	case PSCI_FN_CPU_DEFAULT_SUSPEND:
		if (returned_error(c) || v->state != PSCI_POWER_ON)
			return 0;
		if (!transition(r, v, c->vcpu, PSCI_POWER_SUSPENDED, PSCI_CAUSE_CPU_SUSPEND, c->ts_ns))
			return -1;
		if (!c->has_result)
			return 0;	/* still suspended when the trace ended */
		t = transition(r, v, c->vcpu, PSCI_POWER_ON, PSCI_CAUSE_WAKEUP, c->ts_ns + c->kvm_ns + c->vmm_ns);
		if (!t)
			return -1;
		t->has_latency = true;
		t->latency_ns = c->kvm_ns + c->vmm_ns;
		return 0;
	case PSCI_FN_MIGRATE:
		if (!c->has_result || sret(c) != 0)
			return 0;
		t = transition(r, v, c->vcpu, v->state, PSCI_CAUSE_MIGRATE, c->ts_ns);
		if (!t)
			return -1;
		t->has_mpidr = true;
		t->mpidr = target_mpidr(c);
		return 0;
	case PSCI_FN_SYSTEM_OFF:
	case PSCI_FN_SYSTEM_OFF2:
		return returned_error(c) ? 0 : system_event(r, PSCI_CAUSE_SYSTEM_OFF);
	case PSCI_FN_SYSTEM_RESET:
	case PSCI_FN_SYSTEM_RESET2:
		return returned_error(c) ? 0 : system_event(r, PSCI_CAUSE_SYSTEM_RESET);
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
				.calls = v->calls, .cpu_on_ok = v->cpu_on_ok, .cpu_on_failed = v->cpu_on_failed,
				.has_bringup = v->has_bringup, .last_bringup_ns = v->last_bringup_ns,
			};
			s->mpidr_source = mpidr_of(m, (__u32)j, &s->mpidr);
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
	if (learn_mpidrs(f))
		goto nomem;
	for (size_t i = 0; i < f->nr_calls; i++) {
		r.c = &f->calls[i];
		if (all_deadlines(&r, r.c->ts_ns))
			goto nomem;
		r.m = find_vm(f, r.c->pid, r.c->vm, false);
		if (replay_call(&r))
			goto nomem;
	}
	r.c = NULL;
	if (all_deadlines(&r, end_ns))
		goto nomem;
	for (size_t i = 0; i < f->nr_vms; i++) {
		r.m = &f->vms[i];
		for (size_t j = 0; j < r.m->nr_vcpus; j++)
			close_poll(&r, &r.m->vcpus[j]);
	}
	sort_transitions(f);
	if (summarize(f))
		goto nomem;
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
	memset(f, 0, sizeof(*f));
}
