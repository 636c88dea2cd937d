/* The hotplug side of the PSCI flow model (src/psci_flow.h): AFFINITY_INFO polls, the
 * hotplug operations (a vCPU taken offline, brought online) and their statistics.
 * src/psci_flow.c replays the calls and calls in here; src/psci_replay.h has the
 * state both share.
 *
 * When a poll ends (docs/psci-walkthrough.md, "AFFINITY_INFO polls"): a poll is the
 * wait of one poller for one target's answer to change. It ends
 *   - with the first different answer, which is its last call (`answer`);
 *   - before a call, when the poller asks about another target or level (`other_target`), or
 *     pauses longer than the poll gap (`gap`: PSCI_POLL_GAP_MS, or --poll-time if
 *     longer: Linux sleeps at most 1 ms between the polls of one CPU kill);
 *   - when a power change makes it stale (`power_change`): a CPU_ON or reboot of its
 *     target; the target's CPU_OFF or first call, for a poll that already saw it off
 *     (a poll still answered "on" waits for exactly that CPU_OFF, so it stays open);
 *     the poller's own CPU_OFF; a system event;
 *   - at the end of the trace (`trace_end`). */
#include <stdlib.h>
#include <string.h>

#include "psci_replay.h"
#include "smccc.h"

static const char *const poll_end_names[] = {
	[PSCI_POLL_END_ANSWER] = "answer",
	[PSCI_POLL_END_POWER] = "power_change",
	[PSCI_POLL_END_GAP] = "gap",
	[PSCI_POLL_END_OTHER] = "other_target",
	[PSCI_POLL_END_TRACE] = "trace_end",
};

static const char *const op_kind_names[] = {
	[PSCI_OP_CPU_OFF] = "cpu_off",
	[PSCI_OP_CPU_ON] = "cpu_on",
};

static const char *const op_outcome_names[] = {
	[PSCI_OP_OK] = "ok",
	[PSCI_OP_FAILED] = "failed",
	[PSCI_OP_TIMEOUT] = "timeout",
	[PSCI_OP_UNCONFIRMED] = "unconfirmed",
	[PSCI_OP_INCOMPLETE] = "incomplete",
};

#define NAME_OF(table, i) ((size_t)(i) < sizeof(table) / sizeof(table[0]) ? table[i] : "?")

const char *psci_poll_end_name(enum psci_poll_end e) { return NAME_OF(poll_end_names, e); }
const char *psci_op_kind_name(enum psci_op_kind k) { return NAME_OF(op_kind_names, k); }
const char *psci_op_outcome_name(enum psci_op_outcome o) { return NAME_OF(op_outcome_names, o); }

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

/* ---- AFFINITY_INFO polls ---- */

static __u64 poll_gap_ns(const struct psci_flow_config *cfg)
{
	__u64 gap = PSCI_POLL_GAP_MS * 1000000ull;

	return cfg->poll_time_ns > gap ? cfg->poll_time_ns : gap;
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

void psci_close_poll(struct replay *r, struct flow_vcpu *v, enum psci_poll_end why)
{
	struct psci_poll *p;

	if (v->poll < 0)
		return;
	p = &r->f->polls[v->poll];
	p->ended_by = why;
	/* what a poller stops at: the answer changed, or the target was off at once */
	p->resolved = p->changed || p->first_answer == PSCI_AFF_OFF;
	poll_to_anomaly(r, v);
	v->poll = v->poll_anomaly = -1;
}

void psci_target_changed(struct replay *r, long target, enum psci_power from, enum psci_power to)
{
	bool any = to == PSCI_POWER_ON_PENDING || from == PSCI_POWER_OFF || from == PSCI_POWER_UNKNOWN;

	if (target < 0)
		return;
	for (size_t i = 0; i < r->m->nr_vcpus; i++) {
		struct flow_vcpu *u = &r->m->vcpus[i];
		const struct psci_poll *p = u->poll >= 0 ? &r->f->polls[u->poll] : NULL;

		if (p && p->target_vcpu == target && (any || p->first_answer == PSCI_AFF_OFF))
			psci_close_poll(r, u, PSCI_POLL_END_POWER);
	}
}

static struct psci_poll *new_poll(struct replay *r, struct flow_vcpu *v, enum psci_affinity_answer ans)
{
	const struct psci_call *c = r->c;
	struct psci_poll *p = psci_grow(&r->f->polls, &r->f->nr_polls, &r->f->cap_polls, sizeof(*p));
	__u64 mpidr = psci_call_target(c);

	if (!p)
		return NULL;
	*p = (struct psci_poll){
		.first_ts_ns = c->ts_ns,
		.pid = r->m->pid,
		.vm = r->m->vm,
		.vcpu = (int)c->vcpu,
		.mpidr = mpidr,
		.target_vcpu = (int)psci_resolve(r->m, mpidr),
		.level = (__u32)psci_call_arg(c, 1),
		.func_id = c->func_id,
		.first_answer = ans,
		.ended_by = PSCI_POLL_END_TRACE,
		.boot = psci_current_boot(r),
	};
	v->poll = (long)(r->f->nr_polls - 1);
	return p;
}

static int over_limit(struct replay *r, struct flow_vcpu *v, struct psci_poll *p)
{
	const struct psci_flow_config *cfg = &r->f->cfg;
	struct psci_anomaly *a;

	if (p->over_limit || (p->count <= cfg->poll_limit && p->last_ts_ns - p->first_ts_ns <= cfg->poll_time_ns))
		return 0;
	a = psci_new_anomaly(r, PSCI_ANOMALY_AFFINITY_POLL, r->c->ts_ns, r->c->vcpu, &v->poll_anomaly);
	if (!a)
		return -1;
	p->over_limit = true;
	a->other_vcpu = p->target_vcpu;
	a->has_mpidr = true;
	a->mpidr = p->mpidr;
	a->since_ns = p->first_ts_ns;
	a->has_ns = true;
	return 0;
}

/* An AFFINITY_INFO about a vCPU going offline: the "off" that confirms it */
static void confirm_offline(struct replay *r, const struct psci_poll *p, enum psci_affinity_answer ans)
{
	struct flow_vcpu *tv = p->target_vcpu >= 0 ? psci_find_vcpu(r->m, p->target_vcpu) : NULL;

	if (!tv || tv->op[PSCI_OP_CPU_OFF] < 0)
		return;
	r->f->ops[tv->op[PSCI_OP_CPU_OFF]].polls++;
	if (ans == PSCI_AFF_OFF)
		psci_op_end(r, tv, PSCI_OP_CPU_OFF, PSCI_OP_OK, true, psci_call_return_ns(r->c), (int)r->c->vcpu);
}

int psci_affinity_info(struct replay *r, struct flow_vcpu *v)
{
	const struct psci_call *c = r->c;
	enum psci_affinity_answer ans;
	struct psci_poll *p = NULL;

	if (!c->has_result)
		return 0;
	ans = psci_affinity_answer_of(c->func_id, c->ret0);
	if (v->poll >= 0) {
		p = &r->f->polls[v->poll];
		if (p->mpidr != psci_call_target(c) || p->level != (__u32)psci_call_arg(c, 1)) {
			psci_close_poll(r, v, PSCI_POLL_END_OTHER);
			p = NULL;
		} else if (c->ts_ns - p->last_ts_ns > poll_gap_ns(&r->f->cfg)) {
			psci_close_poll(r, v, PSCI_POLL_END_GAP);
			p = NULL;
		}
	}
	if (!p && !(p = new_poll(r, v, ans)))
		return -1;
	p->count++;
	p->last_ts_ns = c->ts_ns;
	p->end_ns = psci_call_return_ns(c);
	p->in_kvm_ns += c->kvm_ns + c->vmm_ns;
	p->answers[ans]++;
	p->last_ret0 = c->ret0;
	/* the first answer is what the poller waits to see change */
	p->changed = ans != p->first_answer;
	if (over_limit(r, v, p))
		return -1;
	poll_to_anomaly(r, v);
	confirm_offline(r, p, ans);
	if (p->changed)
		psci_close_poll(r, v, PSCI_POLL_END_ANSWER);
	return 0;
}

/* ---- hotplug operations ---- */

static struct psci_operation *new_op(struct replay *r, enum psci_op_kind kind, long target)
{
	const struct psci_call *c = r->c;
	struct psci_operation *op = psci_grow(&r->f->ops, &r->f->nr_ops, &r->f->cap_ops, sizeof(*op));

	if (!op)
		return NULL;
	*op = (struct psci_operation){
		.kind = kind,
		.outcome = PSCI_OP_INCOMPLETE,
		.ts_ns = c->ts_ns,
		.pid = r->m->pid,
		.vm = r->m->vm,
		.vcpu = (int)target,
		.by_vcpu = kind == PSCI_OP_CPU_ON ? (int)c->vcpu : -1,
		.func_id = c->func_id,
		.ret0 = c->ret0,
		.forwarded = c->disposition == DISP_FORWARDED,
		.pc = c->pc,
		.boot = psci_current_boot(r),
	};
	if (kind == PSCI_OP_CPU_ON) {
		op->has_mpidr = true;
		op->mpidr = psci_call_target(c);
	} else {
		op->has_mpidr = psci_mpidr_of(r->m, (__u32)target, &op->mpidr) != PSCI_MPIDR_NONE;
	}
	return op;
}

int psci_op_start(struct replay *r, enum psci_op_kind kind, long target, struct flow_vcpu *tv)
{
	if (!new_op(r, kind, target))
		return -1;
	if (tv)
		tv->op[kind] = (long)(r->f->nr_ops - 1);
	return 0;	/* without a known target it stays incomplete */
}

int psci_op_failed(struct replay *r, enum psci_op_kind kind, long target)
{
	struct psci_operation *op = new_op(r, kind, target);

	if (!op)
		return -1;
	op->outcome = PSCI_OP_FAILED;
	op->has_end = true;
	op->end_ns = psci_call_return_ns(r->c);
	return 0;
}

void psci_op_end(struct replay *r, struct flow_vcpu *tv, enum psci_op_kind kind, enum psci_op_outcome outcome,
		 bool has_end, __u64 end_ns, int by)
{
	struct psci_operation *op;

	if (tv->op[kind] < 0)
		return;
	op = &r->f->ops[tv->op[kind]];
	tv->op[kind] = -1;
	op->outcome = outcome;
	op->has_end = has_end;
	op->end_ns = end_ns;
	op->has_latency = has_end && end_ns >= op->ts_ns;
	op->latency_ns = op->has_latency ? end_ns - op->ts_ns : 0;
	if (by >= 0)
		op->by_vcpu = by;
}

/* ---- statistics ---- */

struct op_filter {
	__u32 pid, vm;
	int vcpu;		/* -1: any */
	__u32 boot;		/* 0: any */
};

static bool op_matches(const struct psci_operation *op, const struct op_filter *k)
{
	if (!k)
		return true;
	return op->pid == k->pid && op->vm == k->vm && (k->vcpu < 0 || op->vcpu == k->vcpu) &&
	       (!k->boot || op->boot == k->boot);
}

static int by_value(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* scratch: room for every operation's latency */
static void stats_of(const struct psci_flow *f, const struct op_filter *k, __u64 *scratch,
		     struct psci_op_stats out[PSCI_OP__COUNT])
{
	for (int kind = 0; kind < PSCI_OP__COUNT; kind++) {
		struct psci_op_stats *s = &out[kind];
		size_t n = 0;

		memset(s, 0, sizeof(*s));
		for (size_t i = 0; i < f->nr_ops; i++) {
			const struct psci_operation *op = &f->ops[i];

			if (op->kind != (enum psci_op_kind)kind || !op_matches(op, k))
				continue;
			s->count++;
			s->by_outcome[op->outcome]++;
			if (op->has_latency)
				scratch[n++] = op->latency_ns;
		}
		if (!n)
			continue;
		qsort(scratch, n, sizeof(*scratch), by_value);
		s->with_latency = n;
		s->p50_ns = scratch[(n - 1) / 2];
		s->max_ns = scratch[n - 1];
	}
}

int psci_op_statistics(struct psci_flow *f)
{
	__u64 *scratch = malloc((f->nr_ops ? f->nr_ops : 1) * sizeof(*scratch));

	if (!scratch)
		return -1;
	stats_of(f, NULL, scratch, f->ops_total);
	for (size_t i = 0; i < f->nr_vcpus; i++) {
		struct psci_vcpu_summary *s = &f->vcpus[i];
		struct op_filter k = { .pid = s->pid, .vm = s->vm, .vcpu = s->vcpu };

		stats_of(f, &k, scratch, s->ops);
	}
	for (size_t i = 0; i < f->nr_boots; i++) {
		struct psci_boot *b = &f->boots[i];
		struct op_filter k = { .pid = b->pid, .vm = b->vm, .vcpu = -1, .boot = b->boot };

		stats_of(f, &k, scratch, b->ops);
	}
	free(scratch);
	return 0;
}
