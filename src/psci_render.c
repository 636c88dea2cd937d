/* The PSCI flow view as text (one block of tables per VM); src/psci_json.c writes it
 * as JSON Lines. */
#include "psci_render.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "guest_name.h"
#include "smccc.h"

/* x0 as its return-code name, or in hex when it is a value */
const char *psci_result_label(__u32 func_id, __u64 ret0, char *buf, size_t len)
{
	const char *name = smccc_ret_name(func_id, ret0);

	if (name)
		return name;
	snprintf(buf, len, "0x%" PRIx64, (uint64_t)ret0);
	return buf;
}

/* AFFINITY_INFO answers are values: name them as the poller reads them */
const char *psci_answer_label(__u32 func_id, __u64 ret0, char *buf, size_t len)
{
	enum psci_affinity_answer a = psci_affinity_answer_of(func_id, ret0);

	if (!psci_is_affinity_info(func_id) || a == PSCI_AFF_ERROR)
		return psci_result_label(func_id, ret0, buf, len);
	return psci_affinity_answer_name(a);
}

const char *psci_wall_clock(const struct psci_render_totals *t, __u64 ts_ns, char *buf, size_t len)
{
	__u64 ns = t->realtime_ns + ts_ns;
	time_t secs = (time_t)(ns / 1000000000ull);
	struct tm tm;
	size_t n;

	if (!t->realtime_ns || !gmtime_r(&secs, &tm) || !(n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)))
		return NULL;
	snprintf(buf + n, len - n, ".%09uZ", (unsigned)(ns % 1000000000ull));
	return buf;
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

	smccc_name(a->func_id, fn, sizeof(fn));
	target_label(a->other_vcpu, a->has_mpidr, a->mpidr, target, sizeof(target));
	switch (a->kind) {
	case PSCI_ANOMALY_CPU_ON_FAILED:
		snprintf(buf, len, "CPU_ON of %s failed: %s (answered by %s)", target,
			 psci_result_label(a->func_id, a->ret0, res, sizeof(res)), a->forwarded ? "the VMM" : "KVM");
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
			 cfg->slow_vmm_ns / 1e6, psci_result_label(a->func_id, a->ret0, res, sizeof(res)));
		break;
	case PSCI_ANOMALY_CALL_WHILE_OFF:
		snprintf(buf, len, "%s from a vCPU that is off (%s at %.6f s); %" PRIu64 " call%s while off", fn,
			 psci_cause_name(a->off_cause), a->since_ns / 1e9, (uint64_t)a->count, a->count == 1 ? "" : "s");
		break;
	}
}

/* The TIME column: seconds since the trace started, or with --wall-clock the
 * wall-clock time (RFC 3339, UTC, to the microsecond) */
#define TIME_WIDTH(rt) ((rt)->wall_clock ? 27 : 12)

static const char *time_label(const struct psci_render_totals *rt, __u64 ts_ns, char *buf, size_t len)
{
	if (rt->wall_clock && psci_wall_clock(rt, ts_ns, buf, len) && strlen(buf) == 30) {
		buf[26] = 'Z';	/* ns to us */
		buf[27] = 0;
		return buf;
	}
	snprintf(buf, len, "%.6f", ts_ns / 1e9);
	return buf;
}

static const char *time_header(const struct psci_render_totals *rt)
{
	return rt->wall_clock ? "TIME(UTC)" : "TIME(s)";
}

static bool same_vm(__u32 pid, __u32 vm, __u32 want_pid, __u32 want_vm)
{
	return pid == want_pid && vm == want_vm;
}

/* ---- text ---- */

/* With guest symbols, a DETAIL ends with where its call was made: "; from
 * psci_cpu_on+0x24" (nothing when no symbol of the VMM's table contains the PC) */
static void append_call_site(char *detail, size_t len, const struct psci_render_totals *rt, __u32 pid, __u64 pc)
{
	char sym[GUEST_SYM_TEXT_MAX];
	size_t n = strlen(detail);

	if (rt->guest_syms && rt->guest_syms->nr && n < len &&
	    !guest_syms_format(guest_syms_for(rt->guest_syms, guest_vmm_key_pid(pid)), pc, sym, sizeof(sym)))
		snprintf(detail + n, len - n, "; from %s", sym);
}

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
			 smccc_name(t->func_id, fn, sizeof(fn)));
		break;
	case PSCI_CAUSE_WAKEUP:
		snprintf(buf, len, "suspended %.3f ms", t->latency_ns / 1e6);
		break;
	case PSCI_CAUSE_SYSTEM_OFF:
	case PSCI_CAUSE_SYSTEM_RESET:
		snprintf(buf, len, "%s by vCPU %d", smccc_name(t->func_id, fn, sizeof(fn)), t->by_vcpu);
		break;
	case PSCI_CAUSE_MIGRATE:
		snprintf(buf, len, "Trusted OS to mpidr 0x%" PRIx64, (uint64_t)t->mpidr);
		break;
	default:
		snprintf(buf, len, "%s", smccc_name(t->func_id, fn, sizeof(fn)));
	}
}

static void text_timeline(FILE *out, const struct psci_flow *f, const struct psci_render_totals *rt, __u32 pid, __u32 vm)
{
	char detail[192 + GUEST_SYM_TEXT_MAX], v[16], when[48];

	fprintf(out, "\nPower-state timeline\n%-*s %-5s %-11s %-11s %-14s %s\n", TIME_WIDTH(rt), time_header(rt), "VCPU",
		"FROM", "TO", "CAUSE", "DETAIL");
	for (size_t i = 0; i < f->nr_transitions; i++) {
		const struct psci_transition *t = &f->transitions[i];

		if (!same_vm(t->pid, t->vm, pid, vm))
			continue;
		transition_detail(t, detail, sizeof(detail));
		append_call_site(detail, sizeof(detail), rt, t->pid, t->pc);
		fprintf(out, "%-*s %-5s %-11s %-11s %-14s %s\n", TIME_WIDTH(rt), time_label(rt, t->ts_ns, when, sizeof(when)),
			vcpu_label(t->vcpu, v, sizeof(v)),
			psci_power_name(t->from), psci_power_name(t->to), psci_cause_name(t->cause), detail);
	}
}

static void text_polls(FILE *out, const struct psci_flow *f, const struct psci_render_totals *rt, __u32 pid, __u32 vm)
{
	char target[48], answers[96], v[16], res[24], when[48];
	bool header = false;

	for (size_t i = 0; i < f->nr_polls; i++) {
		const struct psci_poll *p = &f->polls[i];
		int n = 0;

		if (!same_vm(p->pid, p->vm, pid, vm))
			continue;
		if (!header) {
			fprintf(out, "\nAFFINITY_INFO polls\n%-*s %-5s %-20s %-5s %6s %13s  %-30s %-10s %s\n", TIME_WIDTH(rt),
				time_header(rt), "VCPU", "TARGET", "LEVEL", "CALLS", "DURATION(ms)", "ANSWERS", "LAST",
				"ENDED BY");
			header = true;
		}
		answers[0] = 0;
		for (int a = 0; a < PSCI_AFF__COUNT; a++)
			if (p->answers[a])
				n += snprintf(answers + n, sizeof(answers) - (size_t)n, "%s%s %" PRIu64, n ? ", " : "",
					      psci_affinity_answer_name(a), (uint64_t)p->answers[a]);
		snprintf(target, sizeof(target), "%s (0x%" PRIx64 ")", vcpu_label(p->target_vcpu, v, sizeof(v)),
			 (uint64_t)p->mpidr);
		/* first trap to the last call's return: a one-call poll lasts its time in KVM */
		fprintf(out, "%-*s %-5d %-20s %-5u %6" PRIu64 " %13.3f  %-30s %-10s %s%s\n", TIME_WIDTH(rt),
			time_label(rt, p->first_ts_ns, when, sizeof(when)), p->vcpu, target, p->level, (uint64_t)p->count,
			(p->end_ns - p->first_ts_ns) / 1e6, answers,
			psci_answer_label(p->func_id, p->last_ret0, res, sizeof(res)), psci_poll_end_name(p->ended_by),
			p->over_limit ? "  (anomaly)" : p->resolved ? "" : "  (unresolved)");
	}
}


static void text_forwarded(FILE *out, const struct psci_flow *f, const struct psci_render_totals *rt, __u32 pid, __u32 vm)
{
	char fn[SMCCC_NAME_MAX], res[24], vmm[32], when[48];
	bool header = false;

	for (size_t i = 0; i < f->nr_forwarded; i++) {
		const struct psci_forwarded *fw = &f->forwarded[i];

		if (!same_vm(fw->pid, fw->vm, pid, vm))
			continue;
		if (!header) {
			fprintf(out, "\nPSCI calls the VMM answered\n%-*s %-5s %-20s %-18s %-18s %-18s %-18s %s\n",
				TIME_WIDTH(rt), time_header(rt), "VCPU", "FUNCTION", "X1", "X2", "X3", "RESULT", "VMM(us)");
			header = true;
		}
		if (!fw->answered)
			snprintf(vmm, sizeof(vmm), "(no answer)");
		else
			snprintf(vmm, sizeof(vmm), "%.1f%s", fw->vmm_ns / 1e3, fw->restarted ? " (off)" : "");
		fprintf(out, "%-*s %-5d %-20s 0x%-16" PRIx64 " 0x%-16" PRIx64 " 0x%-16" PRIx64 " %-18s %s\n",
			TIME_WIDTH(rt), time_label(rt, fw->ts_ns, when, sizeof(when)), fw->vcpu, smccc_name(fw->func_id, fn, sizeof(fn)), (uint64_t)fw->args[0],
			(uint64_t)fw->args[1], (uint64_t)fw->args[2],
			!fw->answered ? "-" : fw->restarted ? "(restarted)"
					    : psci_answer_label(fw->func_id, fw->ret0, res, sizeof(res)), vmm);
	}
}

static void text_anomalies(FILE *out, const struct psci_flow *f, const struct psci_render_totals *rt, __u32 pid, __u32 vm)
{
	char msg[256 + GUEST_SYM_TEXT_MAX], v[16], when[48];
	size_t n = 0;

	for (size_t i = 0; i < f->nr_anomalies; i++)
		n += same_vm(f->anomalies[i].pid, f->anomalies[i].vm, pid, vm);
	fprintf(out, "\nAnomalies: %zu\n", n);
	if (!n)
		return;
	fprintf(out, "%-*s %-5s %-15s %s\n", TIME_WIDTH(rt), time_header(rt), "VCPU", "ANOMALY", "DETAIL");
	for (size_t i = 0; i < f->nr_anomalies; i++) {
		const struct psci_anomaly *a = &f->anomalies[i];

		if (!same_vm(a->pid, a->vm, pid, vm))
			continue;
		psci_anomaly_message(a, &f->cfg, msg, sizeof(msg));
		append_call_site(msg, sizeof(msg), rt, a->pid, a->pc);
		fprintf(out, "%-*s %-5s %-15s %s\n", TIME_WIDTH(rt), time_label(rt, a->ts_ns, when, sizeof(when)),
			vcpu_label(a->vcpu, v, sizeof(v)),
			psci_anomaly_name(a->kind), msg);
	}
}

/* "8 1.234/5.678": operations, and the p50 and max latency of those with one */
static const char *stats_label(const struct psci_op_stats *st, char *buf, size_t len)
{
	if (st->with_latency)
		snprintf(buf, len, "%" PRIu64 " %.3f/%.3f", (uint64_t)st->count, st->p50_ns / 1e6, st->max_ns / 1e6);
	else
		snprintf(buf, len, "%" PRIu64 " -", (uint64_t)st->count);
	return buf;
}

static void text_vcpus(FILE *out, const struct psci_flow *f, __u32 pid, __u32 vm)
{
	char mpidr[40], bringup[24], off[48], on[48];

	fprintf(out, "\nvCPUs at the end\n%-5s %-20s %-11s %7s %10s %6s %9s %9s  %-17s %7s %10s  %-22s %s\n", "VCPU",
		"MPIDR", "STATE", "CALLS", "UNANSWERED", "PARKED", "CPU_ON OK", "FAILED", "LAST BRING-UP(ms)", "CPU_OFF",
		"OFFLINE(s)", "OFFLINES p50/max(ms)", "ONLINES p50/max(ms)");
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
		fprintf(out, "%-5d %-20s %-11s %7" PRIu64 " %10" PRIu64 " %6" PRIu64 " %9" PRIu64 " %9" PRIu64
			"  %-17s %7" PRIu64 " %10.3f  %-22s %s\n",
			s->vcpu, mpidr, psci_power_name(s->state), (uint64_t)s->calls, (uint64_t)s->unanswered,
			(uint64_t)s->parked, (uint64_t)s->cpu_on_ok,
			(uint64_t)s->cpu_on_failed, bringup, (uint64_t)s->cpu_off, s->offline_ns / 1e9,
			stats_label(&s->ops[PSCI_OP_CPU_OFF], off, sizeof(off)),
			stats_label(&s->ops[PSCI_OP_CPU_ON], on, sizeof(on)));
	}
}

static void operation_detail(const struct psci_operation *op, char *buf, size_t len)
{
	char res[24], by[16];

	vcpu_label(op->by_vcpu, by, sizeof(by));
	switch (op->outcome) {
	case PSCI_OP_FAILED:
		snprintf(buf, len, "%s: %s (answered by %s)", op->kind == PSCI_OP_CPU_ON ? "CPU_ON" : "CPU_OFF",
			 psci_result_label(op->func_id, op->ret0, res, sizeof(res)), op->forwarded ? "the VMM" : "KVM");
		return;
	case PSCI_OP_OK:
	case PSCI_OP_TIMEOUT:
		if (op->kind == PSCI_OP_CPU_OFF && op->has_end)
			snprintf(buf, len, "CPU_OFF to AFFINITY_INFO \"off\" to vCPU %s (%" PRIu64 " poll%s)", by,
				 (uint64_t)op->polls, op->polls == 1 ? "" : "s");
		else if (op->kind == PSCI_OP_CPU_OFF)
			snprintf(buf, len, "AFFINITY_INFO never answered off (%" PRIu64 " poll%s)", (uint64_t)op->polls,
				 op->polls == 1 ? "" : "s");
		else if (op->has_end)
			snprintf(buf, len, "CPU_ON by vCPU %s to the target's first call", by);
		else
			snprintf(buf, len, "CPU_ON by vCPU %s: the target never made a call", by);
		return;
	case PSCI_OP_UNCONFIRMED:
		snprintf(buf, len, op->kind == PSCI_OP_CPU_OFF ? "no AFFINITY_INFO saw it off before it changed again"
							       : "the target was reset before it made a call");
		return;
	default:
		snprintf(buf, len, "still going when the %s", op->has_end ? "system went down" : "trace ended");
	}
}

static void text_operations(FILE *out, const struct psci_flow *f, const struct psci_render_totals *rt, __u32 pid,
			    __u32 vm)
{
	char detail[160 + GUEST_SYM_TEXT_MAX], v[16], by[16], lat[24], when[48];
	bool header = false;

	for (size_t i = 0; i < f->nr_ops; i++) {
		const struct psci_operation *op = &f->ops[i];

		if (!same_vm(op->pid, op->vm, pid, vm))
			continue;
		if (!header) {
			fprintf(out, "\nHotplug operations\n%-*s %-5s %-8s %-5s %-12s %12s  %s\n", TIME_WIDTH(rt),
				time_header(rt), "VCPU", "OP", "BY", "OUTCOME", "LATENCY(ms)", "DETAIL");
			header = true;
		}
		if (op->has_latency)
			snprintf(lat, sizeof(lat), "%.3f", op->latency_ns / 1e6);
		else
			snprintf(lat, sizeof(lat), "-");
		operation_detail(op, detail, sizeof(detail));
		append_call_site(detail, sizeof(detail), rt, op->pid, op->pc);
		fprintf(out, "%-*s %-5s %-8s %-5s %-12s %12s  %s\n", TIME_WIDTH(rt),
			time_label(rt, op->ts_ns, when, sizeof(when)), vcpu_label(op->vcpu, v, sizeof(v)),
			op->kind == PSCI_OP_CPU_OFF ? "offline" : "online", vcpu_label(op->by_vcpu, by, sizeof(by)),
			psci_op_outcome_name(op->outcome), lat, detail);
	}
}

static void text_boots(FILE *out, const struct psci_flow *f, const struct psci_render_totals *rt, __u32 pid,
		       __u32 vm)
{
	char fn[SMCCC_NAME_MAX], off[48], on[48], when[48];

	fprintf(out, "\nBoots\n%-4s %-*s %-20s %7s %10s %6s %9s %7s %7s  %-22s %s\n", "BOOT", TIME_WIDTH(rt), "START",
		"ENDED BY", "CALLS", "UNANSWERED", "PARKED", "CPU_ON OK", "FAILED", "CPU_OFF", "OFFLINES p50/max(ms)",
		"ONLINES p50/max(ms)");
	for (size_t i = 0; i < f->nr_boots; i++) {
		const struct psci_boot *b = &f->boots[i];

		if (!same_vm(b->pid, b->vm, pid, vm))
			continue;
		fprintf(out, "%-4u %-*s %-20s %7" PRIu64 " %10" PRIu64 " %6" PRIu64 " %9" PRIu64 " %7" PRIu64 " %7" PRIu64
			"  %-22s %s\n", b->boot,
			TIME_WIDTH(rt), time_label(rt, b->ts_ns, when, sizeof(when)),
			!b->has_end ? "-" : b->end_func ? smccc_name(b->end_func, fn, sizeof(fn)) : "(VMM reset)",
			(uint64_t)b->calls,
			(uint64_t)b->unanswered, (uint64_t)b->parked,
			(uint64_t)b->cpu_on_ok, (uint64_t)b->cpu_on_failed, (uint64_t)b->cpu_off,
			stats_label(&b->ops[PSCI_OP_CPU_OFF], off, sizeof(off)),
			stats_label(&b->ops[PSCI_OP_CPU_ON], on, sizeof(on)));
	}
}

/* "offline: 17 (17 ok), p50 0.512 ms, max 1.203 ms" */
static void text_op_totals(FILE *out, const char *what, const struct psci_op_stats *st)
{
	fprintf(out, "%s: %" PRIu64 " (", what, (uint64_t)st->count);
	for (int o = 0, n = 0; o < PSCI_OP__OUTCOMES; o++)
		if (st->by_outcome[o])
			fprintf(out, "%s%" PRIu64 " %s", n++ ? ", " : "", (uint64_t)st->by_outcome[o],
				psci_op_outcome_name(o));
	if (st->with_latency)
		fprintf(out, "), p50 %.3f ms, max %.3f ms\n", st->p50_ns / 1e6, st->max_ns / 1e6);
	else
		fprintf(out, ")\n");
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
		const char *guest = guest_names_of_key(s->pid);

		fprintf(out, "\n=== %s%s%spid %u, VM %u: %zu vCPU%s\n", guest ? "guest " : "", guest ? guest : "",
			guest ? ", " : "", guest_vmm_key_pid(s->pid), s->vm, n, n == 1 ? "" : "s");
		text_timeline(out, f, t, s->pid, s->vm);
		text_polls(out, f, t, s->pid, s->vm);
		text_forwarded(out, f, t, s->pid, s->vm);
		text_anomalies(out, f, t, s->pid, s->vm);
		text_operations(out, f, t, s->pid, s->vm);
		text_vcpus(out, f, s->pid, s->vm);
		text_boots(out, f, t, s->pid, s->vm);
	}
	if (f->nr_ops) {
		fprintf(out, "\nHotplug operations, all VMs\n");
		text_op_totals(out, "offline", &f->ops_total[PSCI_OP_CPU_OFF]);
		text_op_totals(out, "online", &f->ops_total[PSCI_OP_CPU_ON]);
	}
	if (t->realtime_ns) {
		char when[48];

		fprintf(out, "\nThe trace started at %s (TIME(s) 0)\n", psci_wall_clock(t, 0, when, sizeof(when)));
	}
	if (f->skipped)
		fprintf(out, "\nWARNING: %" PRIu64 " calls were left out: this attach plan does not see their vCPU, "
			"function or arguments\n", (uint64_t)f->skipped);
	if (t->lost)
		fprintf(out, "\nWARNING: %" PRIu64 " calls were lost (the totals line names the causes): the flow has holes\n",
			(uint64_t)t->lost);
}
