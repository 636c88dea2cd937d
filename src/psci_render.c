/* The PSCI flow view as text (one block of tables per VM) or JSON Lines. */
#include "psci_render.h"

#include <inttypes.h>
#include <string.h>

#include "smccc.h"

static const char *func_label(__u32 func_id, char *buf, size_t len)
{
	return smccc_name(func_id, buf, len);
}

/* x0 as its return-code name, or in hex when it is a value */
static const char *result_label(__u32 func_id, __u64 ret0, char *buf, size_t len)
{
	const char *name = smccc_ret_name(func_id, ret0);

	if (name)
		return name;
	snprintf(buf, len, "0x%" PRIx64, (uint64_t)ret0);
	return buf;
}

/* AFFINITY_INFO answers are values: name them as the poller reads them */
static const char *answer_label(__u32 func_id, __u64 ret0, char *buf, size_t len)
{
	enum psci_affinity_answer a = psci_affinity_answer_of(func_id, ret0);

	if (!psci_is_affinity_info(func_id) || a == PSCI_AFF_ERROR)
		return result_label(func_id, ret0, buf, len);
	return psci_affinity_answer_name(a);
}

static const char *vcpu_label(int vcpu, char *buf, size_t len)
{
	if (vcpu < 0)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%d", vcpu);
	return buf;
}

/* "vCPU 3 (mpidr 0x3)", "mpidr 0x100 (no known vCPU)" */
static const char *target_label(int vcpu, bool has_mpidr, __u64 mpidr, char *buf, size_t len)
{
	if (vcpu >= 0 && has_mpidr)
		snprintf(buf, len, "vCPU %d (mpidr 0x%" PRIx64 ")", vcpu, (uint64_t)mpidr);
	else if (vcpu >= 0)
		snprintf(buf, len, "vCPU %d", vcpu);
	else
		snprintf(buf, len, "mpidr 0x%" PRIx64 " (no known vCPU)", (uint64_t)mpidr);
	return buf;
}

void psci_anomaly_message(const struct psci_anomaly *a, const struct psci_flow_config *cfg,
			  char *buf, size_t len)
{
	char fn[SMCCC_NAME_MAX], target[64], res[24];

	func_label(a->func_id, fn, sizeof(fn));
	target_label(a->other_vcpu, a->has_mpidr, a->mpidr, target, sizeof(target));
	switch (a->kind) {
	case PSCI_ANOMALY_CPU_ON_FAILED:
		snprintf(buf, len, "CPU_ON of %s failed: %s (answered by %s)", target,
			 result_label(a->func_id, a->ret0, res, sizeof(res)), a->forwarded ? "the VMM" : "KVM");
		break;
	case PSCI_ANOMALY_CPU_ON_TIMEOUT:
		target_label(a->vcpu, a->has_mpidr, a->mpidr, target, sizeof(target));
		if (a->has_ns)
			snprintf(buf, len, "%s made no call within %.3f ms of its CPU_ON (by vCPU %d); its first came after %.3f ms",
				 target, cfg->on_timeout_ns / 1e6, a->other_vcpu, a->ns / 1e6);
		else
			snprintf(buf, len, "%s made no call within %.3f ms of its CPU_ON (by vCPU %d), nor before the trace ended",
				 target, cfg->on_timeout_ns / 1e6, a->other_vcpu);
		break;
	case PSCI_ANOMALY_AFFINITY_POLL:
		snprintf(buf, len, "AFFINITY_INFO of %s polled %" PRIu64 " times over %.3f ms (limits: %u calls, %.3f ms)",
			 target, (uint64_t)a->count, a->ns / 1e6, cfg->poll_limit, cfg->poll_time_ns / 1e6);
		break;
	case PSCI_ANOMALY_SLOW_VMM:
		snprintf(buf, len, "the VMM took %.3f ms to answer %s (limit %.3f ms): %s", a->ns / 1e6, fn,
			 cfg->slow_vmm_ns / 1e6, result_label(a->func_id, a->ret0, res, sizeof(res)));
		break;
	case PSCI_ANOMALY_CALL_WHILE_OFF:
		snprintf(buf, len, "%s from a vCPU that is off (%s at %.6f s); %" PRIu64 " call%s while off", fn,
			 psci_cause_name(a->off_cause), a->since_ns / 1e9, (uint64_t)a->count, a->count == 1 ? "" : "s");
		break;
	}
}

static bool same_vm(__u32 pid, __u32 vm, __u32 want_pid, __u32 want_vm)
{
	return pid == want_pid && vm == want_vm;
}

/* ---- text ---- */

static void transition_detail(const struct psci_transition *t, char *buf, size_t len)
{
	char fn[SMCCC_NAME_MAX];

	buf[0] = 0;
	switch (t->cause) {
	case PSCI_CAUSE_CPU_ON:
		snprintf(buf, len, "by vCPU %d: mpidr 0x%" PRIx64 ", entry 0x%" PRIx64 ", context id 0x%" PRIx64 "%s",
			 t->by_vcpu, (uint64_t)t->mpidr, (uint64_t)t->entry, (uint64_t)t->context_id,
			 t->forwarded ? " (VMM)" : "");
		break;
	case PSCI_CAUSE_RUNNING:
		snprintf(buf, len, "first call %.3f ms after the CPU_ON: %s", t->latency_ns / 1e6,
			 func_label(t->func_id, fn, sizeof(fn)));
		break;
	case PSCI_CAUSE_WAKEUP:
		snprintf(buf, len, "suspended %.3f ms", t->latency_ns / 1e6);
		break;
	case PSCI_CAUSE_SYSTEM_OFF:
	case PSCI_CAUSE_SYSTEM_RESET:
		snprintf(buf, len, "%s by vCPU %d", func_label(t->func_id, fn, sizeof(fn)), t->by_vcpu);
		break;
	case PSCI_CAUSE_MIGRATE:
		snprintf(buf, len, "Trusted OS to mpidr 0x%" PRIx64, (uint64_t)t->mpidr);
		break;
	default:
		snprintf(buf, len, "%s", func_label(t->func_id, fn, sizeof(fn)));
	}
}

static void text_timeline(FILE *out, const struct psci_flow *f, __u32 pid, __u32 vm)
{
	char detail[192], v[16];

	fprintf(out, "\nPower-state timeline\n%-12s %-5s %-11s %-11s %-13s %s\n", "TIME(s)", "VCPU", "FROM", "TO",
		"CAUSE", "DETAIL");
	for (size_t i = 0; i < f->nr_transitions; i++) {
		const struct psci_transition *t = &f->transitions[i];

		if (!same_vm(t->pid, t->vm, pid, vm))
			continue;
		transition_detail(t, detail, sizeof(detail));
		fprintf(out, "%-12.6f %-5s %-11s %-11s %-13s %s\n", t->ts_ns / 1e9, vcpu_label(t->vcpu, v, sizeof(v)),
			psci_power_name(t->from), psci_power_name(t->to), psci_cause_name(t->cause), detail);
	}
}

static void text_polls(FILE *out, const struct psci_flow *f, __u32 pid, __u32 vm)
{
	char target[48], answers[96], v[16], res[24];
	bool header = false;

	for (size_t i = 0; i < f->nr_polls; i++) {
		const struct psci_poll *p = &f->polls[i];
		int n = 0;

		if (!same_vm(p->pid, p->vm, pid, vm))
			continue;
		if (!header) {
			fprintf(out, "\nAFFINITY_INFO polls\n%-12s %-5s %-20s %-5s %6s %13s  %-30s %s\n", "TIME(s)", "VCPU",
				"TARGET", "LEVEL", "CALLS", "DURATION(ms)", "ANSWERS", "LAST");
			header = true;
		}
		answers[0] = 0;
		for (int a = 0; a < PSCI_AFF__COUNT; a++)
			if (p->answers[a])
				n += snprintf(answers + n, sizeof(answers) - (size_t)n, "%s%s %" PRIu64, n ? ", " : "",
					      psci_affinity_answer_name(a), (uint64_t)p->answers[a]);
		snprintf(target, sizeof(target), "%s (0x%" PRIx64 ")", vcpu_label(p->target_vcpu, v, sizeof(v)),
			 (uint64_t)p->mpidr);
		fprintf(out, "%-12.6f %-5d %-20s %-5u %6" PRIu64 " %13.3f  %-30s %s%s\n", p->first_ts_ns / 1e9, p->vcpu,
			target, p->level, (uint64_t)p->count, (p->last_ts_ns - p->first_ts_ns) / 1e6, answers,
			answer_label(p->func_id, p->last_ret0, res, sizeof(res)), p->over_limit ? "  (anomaly)" : "");
	}
}


static void text_forwarded(FILE *out, const struct psci_flow *f, __u32 pid, __u32 vm)
{
	char fn[SMCCC_NAME_MAX], res[24], vmm[32];
	bool header = false;

	for (size_t i = 0; i < f->nr_forwarded; i++) {
		const struct psci_forwarded *fw = &f->forwarded[i];

		if (!same_vm(fw->pid, fw->vm, pid, vm))
			continue;
		if (!header) {
			fprintf(out, "\nPSCI calls the VMM answered\n%-12s %-5s %-20s %-18s %-18s %-18s %-18s %s\n",
				"TIME(s)", "VCPU", "FUNCTION", "X1", "X2", "X3", "RESULT", "VMM(us)");
			header = true;
		}
		if (!fw->answered)
			snprintf(vmm, sizeof(vmm), "(no answer)");
		else
			snprintf(vmm, sizeof(vmm), "%.1f%s", fw->vmm_ns / 1e3, fw->restarted ? " (off)" : "");
		fprintf(out, "%-12.6f %-5d %-20s 0x%-16" PRIx64 " 0x%-16" PRIx64 " 0x%-16" PRIx64 " %-18s %s\n",
			fw->ts_ns / 1e9, fw->vcpu, func_label(fw->func_id, fn, sizeof(fn)), (uint64_t)fw->args[0],
			(uint64_t)fw->args[1], (uint64_t)fw->args[2],
			!fw->answered ? "-" : fw->restarted ? "(restarted)"
					    : answer_label(fw->func_id, fw->ret0, res, sizeof(res)), vmm);
	}
}

static void text_anomalies(FILE *out, const struct psci_flow *f, __u32 pid, __u32 vm)
{
	char msg[256], v[16];
	size_t n = 0;

	for (size_t i = 0; i < f->nr_anomalies; i++)
		n += same_vm(f->anomalies[i].pid, f->anomalies[i].vm, pid, vm);
	fprintf(out, "\nAnomalies: %zu\n", n);
	if (!n)
		return;
	fprintf(out, "%-12s %-5s %-15s %s\n", "TIME(s)", "VCPU", "ANOMALY", "DETAIL");
	for (size_t i = 0; i < f->nr_anomalies; i++) {
		const struct psci_anomaly *a = &f->anomalies[i];

		if (!same_vm(a->pid, a->vm, pid, vm))
			continue;
		psci_anomaly_message(a, &f->cfg, msg, sizeof(msg));
		fprintf(out, "%-12.6f %-5s %-15s %s\n", a->ts_ns / 1e9, vcpu_label(a->vcpu, v, sizeof(v)),
			psci_anomaly_name(a->kind), msg);
	}
}

static void text_vcpus(FILE *out, const struct psci_flow *f, __u32 pid, __u32 vm)
{
	char mpidr[40], bringup[24];

	fprintf(out, "\nvCPUs at the end\n%-5s %-20s %-11s %7s %9s %9s  %s\n", "VCPU", "MPIDR", "STATE", "CALLS",
		"CPU_ON OK", "FAILED", "LAST BRING-UP(ms)");
	for (size_t i = 0; i < f->nr_vcpus; i++) {
		const struct psci_vcpu_summary *s = &f->vcpus[i];

		if (!same_vm(s->pid, s->vm, pid, vm))
			continue;
		if (s->mpidr_source == PSCI_MPIDR_NONE)
			snprintf(mpidr, sizeof(mpidr), "?");
		else
			snprintf(mpidr, sizeof(mpidr), "0x%" PRIx64 " (%s)", (uint64_t)s->mpidr,
				 psci_mpidr_source_name(s->mpidr_source));
		if (s->has_bringup)
			snprintf(bringup, sizeof(bringup), "%.3f", s->last_bringup_ns / 1e6);
		else
			snprintf(bringup, sizeof(bringup), "-");
		fprintf(out, "%-5d %-20s %-11s %7" PRIu64 " %9" PRIu64 " %9" PRIu64 "  %s\n", s->vcpu, mpidr,
			psci_power_name(s->state), (uint64_t)s->calls, (uint64_t)s->cpu_on_ok, (uint64_t)s->cpu_on_failed,
			bringup);
	}
}

void psci_render_text(FILE *out, const struct psci_flow *f, const struct psci_render_totals *t)
{
	const struct psci_flow_config *c = &f->cfg;

	fprintf(out, "PSCI flow of %" PRIu64 " calls in %.1f s (--on-timeout %.3f ms, --poll-limit %u, "
		"--poll-time %.3f ms, --slow-vmm %.3f ms)\n", (uint64_t)t->calls, t->duration_s, c->on_timeout_ns / 1e6,
		c->poll_limit, c->poll_time_ns / 1e6, c->slow_vmm_ns / 1e6);
	if (!f->nr_vcpus)
		fprintf(out, "no calls from the traced guests\n");
	/* one block per VM; vcpus are sorted by pid and VM */
	for (size_t i = 0; i < f->nr_vcpus; i++) {
		const struct psci_vcpu_summary *s = &f->vcpus[i];
		size_t n = 0;

		if (i && same_vm(s->pid, s->vm, f->vcpus[i - 1].pid, f->vcpus[i - 1].vm))
			continue;
		for (size_t j = i; j < f->nr_vcpus && same_vm(f->vcpus[j].pid, f->vcpus[j].vm, s->pid, s->vm); j++)
			n++;
		fprintf(out, "\n=== pid %u, VM %u: %zu vCPU%s\n", s->pid, s->vm, n, n == 1 ? "" : "s");
		text_timeline(out, f, s->pid, s->vm);
		text_polls(out, f, s->pid, s->vm);
		text_forwarded(out, f, s->pid, s->vm);
		text_anomalies(out, f, s->pid, s->vm);
		text_vcpus(out, f, s->pid, s->vm);
	}
	if (f->skipped)
		fprintf(out, "\nWARNING: %" PRIu64 " calls were left out: this attach plan does not see their vCPU, "
			"function or arguments\n", (uint64_t)f->skipped);
	if (t->lost)
		fprintf(out, "\nWARNING: %" PRIu64 " calls were lost (ring buffer full): the flow has holes\n",
			(uint64_t)t->lost);
}

/* ---- JSON ---- */

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

	jw_string_field(w, name, func_label(func_id, fn, sizeof(fn)));
}

static void json_head(struct json_writer *w, const char *type, __u64 ts, __u32 pid, __u32 vm, int vcpu)
{
	jw_start_object(w);
	jw_string_field(w, "type", type);
	jw_uint_safe_field(w, "ts_ns", ts);
	jw_uint_field(w, "pid", pid);
	jw_uint_field(w, "vm", vm);
	json_vcpu(w, "vcpu", vcpu);
}

static void json_end(struct json_writer *w)
{
	jw_end_object(w);
	jw_end_line(w);
}

static void json_transition(struct json_writer *w, const struct psci_transition *t)
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
	json_end(w);
}

static void json_poll(struct json_writer *w, const struct psci_poll *p)
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
	jw_string_field(w, "last_answer", answer_label(p->func_id, p->last_ret0, res, sizeof(res)));
	jw_bool_field(w, "changed", p->changed);
	jw_bool_field(w, "over_limit", p->over_limit);
	json_end(w);
}

static void json_forwarded(struct json_writer *w, const struct psci_forwarded *fw)
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
	json_end(w);
}

static void json_anomaly(struct json_writer *w, const struct psci_anomaly *a, const struct psci_flow_config *cfg)
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
		jw_string_field(w, "result", result_label(a->func_id, a->ret0, res, sizeof(res)));
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
		jw_string_field(w, "result", result_label(a->func_id, a->ret0, res, sizeof(res)));
		break;
	case PSCI_ANOMALY_CALL_WHILE_OFF:
		jw_uint_safe_field(w, "off_since_ns", a->since_ns);
		jw_string_field(w, "off_cause", psci_cause_name(a->off_cause));
		jw_uint_safe_field(w, "calls", a->count);
		break;
	}
	json_end(w);
}

static void json_vcpu_summary(struct json_writer *w, const struct psci_vcpu_summary *s)
{
	jw_start_object(w);
	jw_string_field(w, "type", "psci_vcpu");
	jw_uint_field(w, "pid", s->pid);
	jw_uint_field(w, "vm", s->vm);
	jw_int_field(w, "vcpu", s->vcpu);
	jw_string_field(w, "state", psci_power_name(s->state));
	if (s->mpidr_source == PSCI_MPIDR_NONE)
		jw_null_field(w, "mpidr");
	else
		jw_hex_field(w, "mpidr", s->mpidr);
	jw_string_field(w, "mpidr_source", psci_mpidr_source_name(s->mpidr_source));
	jw_uint_safe_field(w, "calls", s->calls);
	jw_uint_safe_field(w, "cpu_on_ok", s->cpu_on_ok);
	jw_uint_safe_field(w, "cpu_on_failed", s->cpu_on_failed);
	if (s->has_bringup)
		jw_uint_safe_field(w, "last_bringup_ns", s->last_bringup_ns);
	else
		jw_null_field(w, "last_bringup_ns");
	json_end(w);
}

void psci_render_json(struct json_writer *w, const struct psci_flow *f, const struct psci_render_totals *t)
{
	__u64 by_kind[PSCI_ANOMALY_CALL_WHILE_OFF + 1] = { 0 };

	for (size_t i = 0; i < f->nr_transitions; i++)
		json_transition(w, &f->transitions[i]);
	for (size_t i = 0; i < f->nr_polls; i++)
		json_poll(w, &f->polls[i]);
	for (size_t i = 0; i < f->nr_forwarded; i++)
		json_forwarded(w, &f->forwarded[i]);
	for (size_t i = 0; i < f->nr_anomalies; i++) {
		json_anomaly(w, &f->anomalies[i], &f->cfg);
		by_kind[f->anomalies[i].kind]++;
	}
	for (size_t i = 0; i < f->nr_vcpus; i++)
		json_vcpu_summary(w, &f->vcpus[i]);

	jw_start_object(w);
	jw_string_field(w, "type", "psci_summary");
	jw_uint_safe_field(w, "calls", t->calls);
	jw_uint_safe_field(w, "skipped", f->skipped);
	jw_uint_safe_field(w, "lost", t->lost);
	jw_double_field(w, "duration_s", t->duration_s);
	jw_uint_safe_field(w, "transitions", f->nr_transitions);
	jw_uint_safe_field(w, "polls", f->nr_polls);
	jw_uint_safe_field(w, "forwarded", f->nr_forwarded);
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
	json_end(w);
}
