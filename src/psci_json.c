/* The PSCI flow view as JSON Lines (docs/json.md, "PSCI flow"; the schema's
 * $defs/psci_*). Keys are only ever added: new ones go at the end of a record. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "guest_name.h"
#include "psci_render.h"
#include "smccc.h"

static void json_vcpu(struct json_writer *w, const char *name, int vcpu)
{
	if (vcpu < 0)
		jw_null_field(w, name);
	else
		jw_int_field(w, name, vcpu);
}

static void json_func(struct json_writer *w, const char *name, __u32 func_id)
{
	char fn[SMCCC_NAME_MAX];

	jw_string_field(w, name, smccc_name(func_id, fn, sizeof(fn)));
}

/* the VMM's guest name, as call records carry it: absent when unknown */
static void json_guest(struct json_writer *w, __u32 pid)
{
	const char *guest = guest_names_of_key(pid);

	if (guest)
		jw_string_field(w, "guest", guest);
}

static void json_head(struct json_writer *w, const char *type, __u64 ts, __u32 pid, __u32 vm, int vcpu)
{
	jw_start_object(w);
	jw_string_field(w, "type", type);
	jw_uint_safe_field(w, "ts_ns", ts);
	jw_uint_field(w, "pid", guest_vmm_key_pid(pid));
	json_guest(w, pid);
	jw_uint_field(w, "vm", vm);
	json_vcpu(w, "vcpu", vcpu);
}

static void json_end(struct json_writer *w)
{
	jw_end_object(w);
	jw_end_line(w);
}

/* With guest symbols, pc_sym: where the record's call was made, as in call records
 * (null when no symbol of the VMM's table contains the PC); without, no key */
static void json_pc_sym(struct json_writer *w, const struct psci_render_totals *rt, __u32 pid, __u64 pc)
{
	char sym[GUEST_SYM_TEXT_MAX];

	if (!rt->guest_syms || !rt->guest_syms->nr)
		return;
	jw_string_field(w, "pc_sym", guest_syms_format(guest_syms_for(rt->guest_syms, guest_vmm_key_pid(pid)), pc, sym, sizeof(sym)) ?
			NULL : sym);
}

/* The keys every timed record ends with: its boot of the VM and its wall-clock time */
static void json_tail(struct json_writer *w, const struct psci_render_totals *t, __u32 boot, __u64 ts)
{
	char when[48];
	const char *s = psci_wall_clock(t, ts, when, sizeof(when));

	jw_uint_field(w, "boot", boot);
	if (s)
		jw_string_field(w, "time", s);
	else
		jw_null_field(w, "time");
	json_end(w);
}

static void json_ns_or_null(struct json_writer *w, const char *name, bool has, __u64 ns)
{
	if (has)
		jw_uint_safe_field(w, name, ns);
	else
		jw_null_field(w, name);
}

static void json_transition(struct json_writer *w, const struct psci_render_totals *rt,
			    const struct psci_transition *t)
{
	bool on = t->cause == PSCI_CAUSE_CPU_ON;

	json_head(w, "psci_transition", t->ts_ns, t->pid, t->vm, t->vcpu);
	jw_string_field(w, "from", psci_power_name(t->from));
	jw_string_field(w, "to", psci_power_name(t->to));
	jw_string_field(w, "cause", psci_cause_name(t->cause));
	json_func(w, "func", t->func_id);
	json_vcpu(w, "by_vcpu", t->by_vcpu);
	if (t->has_mpidr)
		jw_hex_field(w, "mpidr", t->mpidr);
	else
		jw_null_field(w, "mpidr");
	if (on) {
		jw_hex_field(w, "entry", t->entry);
		jw_hex_field(w, "context_id", t->context_id);
	} else {
		jw_null_field(w, "entry");
		jw_null_field(w, "context_id");
	}
	jw_bool_field(w, "forwarded", t->forwarded);
	if (t->has_latency)
		jw_uint_safe_field(w, "latency_ns", t->latency_ns);
	else
		jw_null_field(w, "latency_ns");
	json_pc_sym(w, rt, t->pid, t->pc);	/* where func was called */
	json_tail(w, rt, t->boot, t->ts_ns);
}

static void json_poll(struct json_writer *w, const struct psci_render_totals *rt, const struct psci_poll *p)
{
	char res[24];

	json_head(w, "psci_affinity_poll", p->first_ts_ns, p->pid, p->vm, p->vcpu);
	jw_uint_safe_field(w, "last_ts_ns", p->last_ts_ns);
	jw_uint_safe_field(w, "duration_ns", p->last_ts_ns - p->first_ts_ns);
	jw_hex_field(w, "target_mpidr", p->mpidr);
	json_vcpu(w, "target_vcpu", p->target_vcpu);
	jw_uint_field(w, "level", p->level);
	jw_uint_safe_field(w, "count", p->count);
	jw_name(w, "answers");
	jw_start_object(w);
	for (int a = 0; a < PSCI_AFF__COUNT; a++)
		jw_uint_safe_field(w, psci_affinity_answer_name(a), p->answers[a]);
	jw_end_object(w);
	jw_string_field(w, "first_answer", psci_affinity_answer_name(p->first_answer));
	jw_string_field(w, "last_answer", psci_answer_label(p->func_id, p->last_ret0, res, sizeof(res)));
	jw_bool_field(w, "changed", p->changed);
	jw_bool_field(w, "over_limit", p->over_limit);
	jw_string_field(w, "ended_by", psci_poll_end_name(p->ended_by));
	jw_bool_field(w, "resolved", p->resolved);
	jw_uint_safe_field(w, "end_ts_ns", p->end_ns);
	jw_uint_safe_field(w, "elapsed_ns", p->end_ns - p->first_ts_ns);
	jw_uint_safe_field(w, "in_kvm_ns", p->in_kvm_ns);
	json_tail(w, rt, p->boot, p->first_ts_ns);
}

static void json_forwarded(struct json_writer *w, const struct psci_render_totals *rt,
			   const struct psci_forwarded *fw)
{
	json_head(w, "psci_forwarded", fw->ts_ns, fw->pid, fw->vm, fw->vcpu);
	jw_uint_field(w, "func_id", fw->func_id);
	json_func(w, "func", fw->func_id);
	jw_name(w, "args");
	jw_start_array(w);
	for (int i = 0; i < 3; i++)
		jw_hex(w, fw->args[i]);
	jw_end_array(w);
	if (fw->answered) {
		jw_hex_field(w, "ret", fw->ret0);
		jw_string_field(w, "ret_name", smccc_ret_name(fw->func_id, fw->ret0));
		jw_uint_safe_field(w, "vmm_ns", fw->vmm_ns);
	} else {
		jw_null_field(w, "ret");
		jw_null_field(w, "ret_name");
		jw_null_field(w, "vmm_ns");
	}
	jw_bool_field(w, "restarted", fw->restarted);
	json_tail(w, rt, fw->boot, fw->ts_ns);
}

static void json_anomaly(struct json_writer *w, const struct psci_render_totals *rt, const struct psci_anomaly *a,
			 const struct psci_flow_config *cfg)
{
	char msg[256], res[24];

	json_head(w, "psci_anomaly", a->ts_ns, a->pid, a->vm, a->vcpu);
	jw_string_field(w, "anomaly", psci_anomaly_name(a->kind));
	json_func(w, "func", a->func_id);
	psci_anomaly_message(a, cfg, msg, sizeof(msg));
	jw_string_field(w, "message", msg);
	switch (a->kind) {
	case PSCI_ANOMALY_CPU_ON_FAILED:
		jw_hex_field(w, "target_mpidr", a->mpidr);
		json_vcpu(w, "target_vcpu", a->other_vcpu);
		jw_string_field(w, "result", psci_result_label(a->func_id, a->ret0, res, sizeof(res)));
		jw_bool_field(w, "forwarded", a->forwarded);
		break;
	case PSCI_ANOMALY_CPU_ON_TIMEOUT:
		if (a->has_mpidr)
			jw_hex_field(w, "target_mpidr", a->mpidr);
		else
			jw_null_field(w, "target_mpidr");
		json_vcpu(w, "by_vcpu", a->other_vcpu);
		jw_uint_safe_field(w, "cpu_on_ts_ns", a->since_ns);
		jw_uint_safe_field(w, "timeout_ns", cfg->on_timeout_ns);
		if (a->has_ns)
			jw_uint_safe_field(w, "ran_after_ns", a->ns);
		else
			jw_null_field(w, "ran_after_ns");
		break;
	case PSCI_ANOMALY_AFFINITY_POLL:
		jw_hex_field(w, "target_mpidr", a->mpidr);
		json_vcpu(w, "target_vcpu", a->other_vcpu);
		jw_uint_safe_field(w, "first_ts_ns", a->since_ns);
		jw_uint_safe_field(w, "polls", a->count);
		jw_uint_safe_field(w, "duration_ns", a->ns);
		break;
	case PSCI_ANOMALY_SLOW_VMM:
		jw_uint_safe_field(w, "vmm_ns", a->ns);
		jw_uint_safe_field(w, "threshold_ns", cfg->slow_vmm_ns);
		jw_string_field(w, "result", psci_result_label(a->func_id, a->ret0, res, sizeof(res)));
		break;
	case PSCI_ANOMALY_CALL_WHILE_OFF:
		jw_uint_safe_field(w, "off_since_ns", a->since_ns);
		jw_string_field(w, "off_cause", psci_cause_name(a->off_cause));
		jw_uint_safe_field(w, "calls", a->count);
		break;
	}
	json_pc_sym(w, rt, a->pid, a->pc);	/* where func was called */
	json_tail(w, rt, a->boot, a->ts_ns);
}

/* {"count":..,"ok":..,..,"p50_ns":..,"max_ns":..}: operations of one kind */
static void json_op_stats(struct json_writer *w, const char *name, const struct psci_op_stats *st)
{
	jw_name(w, name);
	jw_start_object(w);
	jw_uint_safe_field(w, "count", st->count);
	for (int o = 0; o < PSCI_OP__OUTCOMES; o++)
		jw_uint_safe_field(w, psci_op_outcome_name(o), st->by_outcome[o]);
	json_ns_or_null(w, "p50_ns", st->with_latency, st->p50_ns);
	json_ns_or_null(w, "max_ns", st->with_latency, st->max_ns);
	jw_end_object(w);
}

/* "offline" and "online": cpu_off and cpu_on operations */
static void json_ops_pair(struct json_writer *w, const struct psci_op_stats ops[PSCI_OP__COUNT])
{
	json_op_stats(w, "offline", &ops[PSCI_OP_CPU_OFF]);
	json_op_stats(w, "online", &ops[PSCI_OP_CPU_ON]);
}

static void json_operation(struct json_writer *w, const struct psci_render_totals *rt,
			   const struct psci_operation *op)
{
	char res[24];

	json_head(w, "psci_operation", op->ts_ns, op->pid, op->vm, op->vcpu);
	jw_string_field(w, "op", psci_op_kind_name(op->kind));
	jw_string_field(w, "outcome", psci_op_outcome_name(op->outcome));
	json_vcpu(w, "by_vcpu", op->by_vcpu);
	if (op->has_mpidr)
		jw_hex_field(w, "mpidr", op->mpidr);
	else
		jw_null_field(w, "mpidr");
	json_func(w, "func", op->func_id);
	if (op->outcome == PSCI_OP_FAILED)
		jw_string_field(w, "result", psci_result_label(op->func_id, op->ret0, res, sizeof(res)));
	else
		jw_null_field(w, "result");
	jw_bool_field(w, "forwarded", op->forwarded);
	json_ns_or_null(w, "end_ts_ns", op->has_end, op->end_ns);
	json_ns_or_null(w, "latency_ns", op->has_latency, op->latency_ns);
	if (op->kind == PSCI_OP_CPU_OFF)
		jw_uint_safe_field(w, "polls", op->polls);
	else
		jw_null_field(w, "polls");
	json_pc_sym(w, rt, op->pid, op->pc);	/* where the CPU_OFF or CPU_ON was made */
	json_tail(w, rt, op->boot, op->ts_ns);
}

static void json_boot(struct json_writer *w, const struct psci_render_totals *rt, const struct psci_boot *b)
{
	jw_start_object(w);
	jw_string_field(w, "type", "psci_boot");
	jw_uint_safe_field(w, "ts_ns", b->ts_ns);
	jw_uint_field(w, "pid", guest_vmm_key_pid(b->pid));
	json_guest(w, b->pid);
	jw_uint_field(w, "vm", b->vm);
	json_ns_or_null(w, "end_ts_ns", b->has_end, b->end_ns);
	if (b->has_end && !b->end_func)
		jw_string_field(w, "ended_by", "vmm_reset");
	else if (b->has_end)
		json_func(w, "ended_by", b->end_func);
	else
		jw_null_field(w, "ended_by");
	jw_string_field(w, "started_by", psci_boot_start_name(b->started_by));
	jw_uint_safe_field(w, "calls", b->calls);
	jw_uint_safe_field(w, "unanswered", b->unanswered);
	jw_uint_safe_field(w, "parked", b->parked);
	jw_uint_safe_field(w, "cpu_on_ok", b->cpu_on_ok);
	jw_uint_safe_field(w, "cpu_on_failed", b->cpu_on_failed);
	jw_uint_safe_field(w, "cpu_off", b->cpu_off);
	json_ops_pair(w, b->ops);
	json_tail(w, rt, b->boot, b->ts_ns);
}

static void json_vcpu_summary(struct json_writer *w, const struct psci_vcpu_summary *s)
{
	jw_start_object(w);
	jw_string_field(w, "type", "psci_vcpu");
	jw_uint_field(w, "pid", guest_vmm_key_pid(s->pid));
	json_guest(w, s->pid);
	jw_uint_field(w, "vm", s->vm);
	jw_int_field(w, "vcpu", s->vcpu);
	jw_string_field(w, "state", psci_power_name(s->state));
	if (s->mpidr_source == PSCI_MPIDR_NONE)
		jw_null_field(w, "mpidr");
	else
		jw_hex_field(w, "mpidr", s->mpidr);
	jw_string_field(w, "mpidr_source", psci_mpidr_source_name(s->mpidr_source));
	jw_uint_safe_field(w, "calls", s->calls);
	jw_uint_safe_field(w, "unanswered", s->unanswered);
	jw_uint_safe_field(w, "parked", s->parked);
	jw_uint_safe_field(w, "cpu_on_ok", s->cpu_on_ok);
	jw_uint_safe_field(w, "cpu_on_failed", s->cpu_on_failed);
	if (s->has_bringup)
		jw_uint_safe_field(w, "last_bringup_ns", s->last_bringup_ns);
	else
		jw_null_field(w, "last_bringup_ns");
	jw_uint_safe_field(w, "cpu_off", s->cpu_off);
	jw_uint_safe_field(w, "offline_ns", s->offline_ns);
	json_ops_pair(w, s->ops);
	json_end(w);
}

static void json_summary(struct json_writer *w, const struct psci_flow *f, const struct psci_render_totals *t)
{
	__u64 by_kind[PSCI_ANOMALY_CALL_WHILE_OFF + 1] = { 0 };
	char when[48];
	const char *start = psci_wall_clock(t, 0, when, sizeof(when));

	for (size_t i = 0; i < f->nr_anomalies; i++)
		by_kind[f->anomalies[i].kind]++;
	jw_start_object(w);
	jw_string_field(w, "type", "psci_summary");
	jw_uint_safe_field(w, "calls", t->calls);
	jw_uint_safe_field(w, "skipped", f->skipped);
	jw_uint_safe_field(w, "lost", t->lost);
	/* in ns, as a decimal: no binary floating-point noise */
	jw_uint_scaled_field(w, "duration_s", (uint64_t)llround(t->duration_s * 1e9), 9);
	jw_uint_safe_field(w, "transitions", f->nr_transitions);
	jw_uint_safe_field(w, "polls", f->nr_polls);
	jw_uint_safe_field(w, "forwarded", f->nr_forwarded);
	jw_uint_safe_field(w, "unanswered", f->unanswered);
	jw_uint_safe_field(w, "parked", f->parked);
	jw_uint_safe_field(w, "anomalies", f->nr_anomalies);
	jw_name(w, "by_anomaly");
	jw_start_object(w);
	for (int k = 0; k <= PSCI_ANOMALY_CALL_WHILE_OFF; k++)
		jw_uint_safe_field(w, psci_anomaly_name(k), by_kind[k]);
	jw_end_object(w);
	jw_uint_safe_field(w, "on_timeout_ns", f->cfg.on_timeout_ns);
	jw_uint_field(w, "poll_limit", f->cfg.poll_limit);
	jw_uint_safe_field(w, "poll_time_ns", f->cfg.poll_time_ns);
	jw_uint_safe_field(w, "slow_vmm_ns", f->cfg.slow_vmm_ns);
	jw_uint_safe_field(w, "operations", f->nr_ops);
	jw_uint_safe_field(w, "boots", f->nr_boots);
	json_ops_pair(w, f->ops_total);
	if (start)
		jw_string_field(w, "start_time", start);
	else
		jw_null_field(w, "start_time");
	json_end(w);
}

void psci_render_json(struct json_writer *w, const struct psci_flow *f, const struct psci_render_totals *t)
{
	for (size_t i = 0; i < f->nr_transitions; i++)
		json_transition(w, t, &f->transitions[i]);
	for (size_t i = 0; i < f->nr_polls; i++)
		json_poll(w, t, &f->polls[i]);
	for (size_t i = 0; i < f->nr_forwarded; i++)
		json_forwarded(w, t, &f->forwarded[i]);
	for (size_t i = 0; i < f->nr_anomalies; i++)
		json_anomaly(w, t, &f->anomalies[i], &f->cfg);
	for (size_t i = 0; i < f->nr_ops; i++)
		json_operation(w, t, &f->ops[i]);
	for (size_t i = 0; i < f->nr_boots; i++)
		json_boot(w, t, &f->boots[i]);
	for (size_t i = 0; i < f->nr_vcpus; i++)
		json_vcpu_summary(w, &f->vcpus[i]);
	json_summary(w, f, t);
}
