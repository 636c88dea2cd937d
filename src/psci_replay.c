/* Pass 3 of the PSCI flow model (src/psci_flow.h): the state machine. Each call, in
 * trap order, first says something about its caller (it runs: a pending CPU_ON is
 * answered, a reboot starts a boot, a call while off is an anomaly), then does what
 * its function does (CPU_ON, CPU_OFF, suspends, system events, MIGRATE); AFFINITY_INFO
 * polls and hotplug operations are src/psci_hotplug.c's. */
#include "psci_replay.h"

/* The tracer emitted the call unanswered when the VMM re-initialised its vCPU, or
 * destroyed it (EVF_ABANDONED), not because the trace ended */
static bool abandoned(const struct psci_call *c)
{
	return (c->flags & (EVF_VMM_GONE | EVF_ABANDONED)) == (EVF_VMM_GONE | EVF_ABANDONED);
}

/*
 * A forwarded CPU_OFF the VMM parked ends when the VMM starts the vCPU again: a
 * successful CPU_ON of it comes before the vCPU's next call. The CPU_OFF's x0 is then
 * the new context id and its VMM time the time off. (Its trap time plus kvm_ns and
 * vmm_ns do not bound the restart: the vCPU thread may be preempted between KVM's exit
 * handler and the exit to the VMM, which neither counts.)
 * A VMM that starts the vCPU as QEMU does, re-initialising it (KVM_ARM_VCPU_INIT)
 * before it sets the entry point, leaves the CPU_OFF abandoned at that re-init (its
 * VMM time: the time off until then) and flags the vCPU's next call: the same restart,
 * by a CPU_ON that trapped before the re-init. One that traps later comes after a
 * reset that abandoned the CPU_OFF (SYSTEM_RESET, a VMM reset: every vCPU
 * re-initialised). The re-init's time is at least trap + kvm_ns + vmm_ns (the exit to
 * the VMM may come later than the handler's end): a bound that never takes a reset for
 * a restart.
 */
static bool restarted_during(const struct replay *r)
{
	const struct psci_call *c = r->c, *end = r->f->calls + r->f->nr_calls;
	bool reinit = abandoned(c);
	__u64 given_up_ns = c->ts_ns + c->kvm_ns + c->vmm_ns;

	if (c->disposition != DISP_FORWARDED || !(c->has_result || reinit))
		return false;
	for (const struct psci_call *n = c + 1; n < end; n++) {
		if (n->pid != c->pid || n->vm != c->vm)
			continue;
		if (n->vcpu == c->vcpu)
			return false;	/* it ran on: the VMM answered without parking it, or
					 * re-initialised it without a CPU_ON */
		if (reinit && n->ts_ns >= given_up_ns)
			return false;
		if (psci_call_fn(n) == PSCI_FN_CPU_ON && n->has_result && psci_call_sret(n) == 0 &&
		    psci_resolve(r->m, psci_call_target(n)) == (long)c->vcpu)
			return true;
	}
	return false;
}

/* An off period that began with the vCPU's own CPU_OFF ends: its time offline */
static void end_offline(struct flow_vcpu *v, __u64 ts)
{
	if (v->counting_offline && ts > v->off_ts)
		v->offline_ns += ts - v->off_ts;
	v->counting_offline = false;
}

__u32 psci_current_boot(const struct replay *r)
{
	return r->m && r->m->boot >= 0 ? r->f->boots[r->m->boot].boot : 0;
}

static struct psci_transition *transition(struct replay *r, struct flow_vcpu *v, long vcpu,
					  enum psci_power to, enum psci_cause cause, __u64 ts)
{
	struct psci_flow *f = r->f;
	struct psci_transition *t = psci_grow(&f->transitions, &f->nr_transitions, &f->cap_transitions, sizeof(*t));
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
		.pc = r->c->pc,
		.by_vcpu = -1,
		.boot = psci_current_boot(r),
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
			v->counting_offline = cause == PSCI_CAUSE_CPU_OFF;
		}
		if (from == PSCI_POWER_OFF) {
			v->off_anomaly = -1;
			end_offline(v, ts);
		}
		v->state = to;
		psci_target_changed(r, vcpu, from, to);
	}
	return t;
}

struct psci_anomaly *psci_new_anomaly(struct replay *r, enum psci_anomaly_kind kind, __u64 ts, long vcpu,
				      long *index)
{
	struct psci_flow *f = r->f;
	struct psci_anomaly *a = psci_grow(&f->anomalies, &f->nr_anomalies, &f->cap_anomalies, sizeof(*a));

	if (!a)
		return NULL;
	*a = (struct psci_anomaly){
		.kind = kind,
		.ts_ns = ts,
		.pid = r->m->pid,
		.vm = r->m->vm,
		.vcpu = (int)vcpu,
		.func_id = r->c ? r->c->func_id : 0,
		.pc = r->c ? r->c->pc : 0,
		.other_vcpu = -1,
		.boot = psci_current_boot(r),
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
		a = psci_new_anomaly(r, PSCI_ANOMALY_CPU_ON_TIMEOUT, v->on_ts + timeout, (long)i, &v->timeout_anomaly);
		if (!a)
			return -1;
		a->func_id = v->on_func;
		a->pc = v->on_pc;
		a->other_vcpu = v->on_by;
		a->since_ns = v->on_ts;
		a->has_mpidr = psci_mpidr_of(m, (__u32)i, &a->mpidr) != PSCI_MPIDR_NONE;
	}
	return 0;
}

int psci_all_deadlines(struct replay *r, __u64 now)
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
		a = psci_new_anomaly(r, PSCI_ANOMALY_CALL_WHILE_OFF, c->ts_ns, c->vcpu, &v->off_anomaly);
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
		psci_op_end(r, v, PSCI_OP_CPU_ON, v->timeout_anomaly >= 0 ? PSCI_OP_TIMEOUT : PSCI_OP_OK, true, c->ts_ns,
			    -1);
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

/* The VM's current boot, where its counts go (replay_call makes one first) */
static struct psci_boot *boot_count(struct replay *r)
{
	return &r->f->boots[r->m->boot];
}

/* A boot starts: the VM's first call, or its first after a reset */
static int new_boot(struct replay *r)
{
	struct psci_boot *b = psci_grow(&r->f->boots, &r->f->nr_boots, &r->f->cap_boots, sizeof(*b));
	__u32 n = psci_current_boot(r);

	if (!b)
		return -1;
	*b = (struct psci_boot){ .pid = r->m->pid, .vm = r->m->vm, .boot = n + 1, .ts_ns = r->c->ts_ns,
				 .started_by = r->m->boot < 0 ? PSCI_BOOT_FIRST_CALL : r->m->next_start };
	r->m->boot = (long)(r->f->nr_boots - 1);
	return 0;
}

/* A vCPU's open operations end without their confirmation: a CPU_OFF nobody saw
 * answered off, a CPU_ON whose target did not run (system: the system went down) */
static void end_ops(struct replay *r, struct flow_vcpu *v, bool system)
{
	long off = v->op[PSCI_OP_CPU_OFF];

	if (off >= 0)
		psci_op_end(r, v, PSCI_OP_CPU_OFF, r->f->ops[off].polls ? PSCI_OP_TIMEOUT : PSCI_OP_UNCONFIRMED,
			    false, 0, -1);
	if (v->op[PSCI_OP_CPU_ON] >= 0)
		psci_op_end(r, v, PSCI_OP_CPU_ON, v->timeout_anomaly >= 0 ? PSCI_OP_TIMEOUT :
			    system ? PSCI_OP_INCOMPLETE : PSCI_OP_UNCONFIRMED, false, 0, -1);
}

static int cpu_on(struct replay *r)
{
	const struct psci_call *c = r->c;
	__u64 mpidr = psci_call_target(c);
	long target = psci_resolve(r->m, mpidr);
	struct flow_vcpu *tv = target >= 0 ? psci_find_vcpu(r->m, target) : NULL;
	bool forwarded = c->disposition == DISP_FORWARDED;

	if (!c->has_result)
		return 0;	/* no answer in the trace: nothing is known */
	if (psci_call_sret(c) == 0) {
		struct psci_transition *t;

		if (tv && tv->state == PSCI_POWER_UNKNOWN)
			tv->state = PSCI_POWER_OFF;	/* CPU_ON succeeded: it was off */
		if (tv)
			end_ops(r, tv, false);	/* a CPU_OFF nobody saw confirmed, a CPU_ON again */
		if (psci_op_start(r, PSCI_OP_CPU_ON, target, tv))
			return -1;
		t = transition(r, tv, target, PSCI_POWER_ON_PENDING, PSCI_CAUSE_CPU_ON, c->ts_ns);
		if (!t)
			return -1;
		if (!tv)
			t->from = PSCI_POWER_OFF;
		t->by_vcpu = (int)c->vcpu;
		t->has_mpidr = true;
		t->mpidr = mpidr;
		t->entry = psci_call_arg(c, 1);
		t->context_id = psci_call_arg(c, 2);
		t->forwarded = forwarded;
		if (tv) {
			tv->on_ts = c->ts_ns;
			tv->on_by = (int)c->vcpu;
			tv->on_func = c->func_id;
			tv->on_pc = c->pc;
			tv->cpu_on_ok++;
		}
		boot_count(r)->cpu_on_ok++;
		return 0;
	}
	struct psci_anomaly *a = psci_new_anomaly(r, PSCI_ANOMALY_CPU_ON_FAILED, c->ts_ns, c->vcpu, NULL);

	if (!a || psci_op_failed(r, PSCI_OP_CPU_ON, target))
		return -1;
	boot_count(r)->cpu_on_failed++;
	a->other_vcpu = (int)target;
	a->has_mpidr = true;
	a->mpidr = mpidr;
	a->ret0 = c->ret0;
	a->forwarded = forwarded;
	if (tv)
		tv->cpu_on_failed++;
	return 0;
}

/* Every vCPU of the VM goes off (SYSTEM_OFF, SYSTEM_RESET): the boot ends, and with it
 * every poll, operation and time offline */
static int system_event(struct replay *r, enum psci_cause cause)
{
	const struct psci_call *c = r->c;
	struct psci_boot *b = boot_count(r);

	for (size_t i = 0; i < r->m->nr_vcpus; i++) {
		struct flow_vcpu *v = &r->m->vcpus[i];
		struct psci_transition *t;

		psci_close_poll(r, v, PSCI_POLL_END_POWER);
		end_ops(r, v, true);
		end_offline(v, c->ts_ns);
		if (v->state == PSCI_POWER_OFF || v->state == PSCI_POWER_UNKNOWN)
			continue;
		t = transition(r, v, (long)i, PSCI_POWER_OFF, cause, c->ts_ns);
		if (!t)
			return -1;
		t->by_vcpu = (int)c->vcpu;
	}
	b->has_end = true;
	b->end_ns = c->ts_ns;
	b->end_func = cause == PSCI_CAUSE_VMM_RESET ? 0 : c->func_id;
	r->m->rebooting = cause == PSCI_CAUSE_SYSTEM_RESET || cause == PSCI_CAUSE_VMM_RESET;
	r->m->next_start = cause == PSCI_CAUSE_VMM_RESET ? PSCI_BOOT_VMM_RESET : PSCI_BOOT_SYSTEM_RESET;
	return 0;
}

/*
 * A VMM reset without a PSCI call: the tracer flags a vCPU's first call after the VMM
 * re-initialised it (KVM_ARM_VCPU_INIT). It is a reboot when that vCPU had run in the
 * current boot and was running (on or suspended) when the VMM re-initialised it. These
 * start nothing: a vCPU first initialised after its last call in an earlier boot (QEMU
 * re-initialises every vCPU: the secondaries' first calls after the reboot are flagged
 * too); a reset the guest asked for with SYSTEM_RESET (the reboot is pending already);
 * a vCPU that was off or being started (on_pending): QEMU's CPU_ON re-initialises its
 * target before it sets the entry point (arm_set_cpu_on -> cpu_reset), so every
 * hotplug online of a vCPU that ran before is flagged. The boot ends, and the next
 * starts, at this call: the reset itself is not seen.
 */
static bool vmm_reset(const struct replay *r, const struct flow_vcpu *v)
{
	return (r->c->flags & EVF_VCPU_REINIT) && !r->m->rebooting && r->m->boot >= 0 &&
	       v->last_boot == psci_current_boot(r) &&
	       (v->state == PSCI_POWER_ON || v->state == PSCI_POWER_SUSPENDED);
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
	struct psci_forwarded *fw = psci_grow(&r->f->forwarded, &r->f->nr_forwarded, &r->f->cap_forwarded, sizeof(*fw));
	/* parked, or re-initialised by the CPU_ON: the VMM restarted it */
	bool answered = c->has_result || (c->flags & EVF_PARKED) || restarted;

	if (!fw)
		return -1;
	*fw = (struct psci_forwarded){
		.ts_ns = c->ts_ns,
		.pid = r->m->pid,
		.vm = r->m->vm,
		.vcpu = (int)c->vcpu,
		.func_id = c->func_id,
		.args = { psci_call_arg(c, 0), psci_call_arg(c, 1), psci_call_arg(c, 2) },
		.answered = answered,
		.ret0 = c->ret0,
		.vmm_ns = c->vmm_ns,
		.restarted = restarted,
		.boot = psci_current_boot(r),
	};
	if (fw->answered && !restarted && !suspends(fn) && c->vmm_ns > r->f->cfg.slow_vmm_ns) {
		struct psci_anomaly *a = psci_new_anomaly(r, PSCI_ANOMALY_SLOW_VMM, c->ts_ns, c->vcpu, NULL);

		if (!a)
			return -1;
		a->has_ns = true;
		a->ns = c->vmm_ns;
		a->ret0 = c->ret0;
	}
	return 0;
}

/* CPU_OFF only returns on failure (DENIED); a vCPU the VMM forgot to park resumes
 * with SUCCESS, or its stale x0, and is off as far as PSCI goes */
static int cpu_off(struct replay *r, struct flow_vcpu *v, bool restarted)
{
	const struct psci_call *c = r->c;

	if (v->state == PSCI_POWER_OFF)
		return 0;
	if (!restarted && psci_call_error(c))
		return psci_op_failed(r, PSCI_OP_CPU_OFF, c->vcpu);
	if (psci_op_start(r, PSCI_OP_CPU_OFF, c->vcpu, v))
		return -1;
	psci_close_poll(r, v, PSCI_POLL_END_POWER);	/* the poller itself goes off */
	v->cpu_off++;
	boot_count(r)->cpu_off++;
	return transition(r, v, c->vcpu, PSCI_POWER_OFF, PSCI_CAUSE_CPU_OFF, c->ts_ns) ? 0 : -1;
}

/* A forwarded call the VMM never answered, or after which it parked the vCPU (the
 * tracer's flags; a CPU_OFF whose vCPU a CPU_ON re-initialised is parked too, though
 * the tracer saw it abandoned): counted per vCPU, per boot and in all, like --summary's
 * groups */
static void count_unanswered(struct replay *r, struct flow_vcpu *v, bool restarted)
{
	const struct psci_call *c = r->c;
	struct psci_boot *b = boot_count(r);

	if (c->disposition != DISP_FORWARDED)
		return;
	if ((c->flags & EVF_VMM_GONE) && !restarted) {
		v->unanswered++;
		b->unanswered++;
		r->f->unanswered++;
	} else if (c->flags & (EVF_PARKED | EVF_VMM_GONE)) {
		v->parked++;
		b->parked++;
		r->f->parked++;
	}
}

int psci_replay_call(struct replay *r)
{
	const struct psci_call *c = r->c;
	struct flow_vcpu *v = psci_find_vcpu(r->m, c->vcpu);
	unsigned fn = psci_call_fn(c);
	/* the tracer saw the vCPU resume at its entry point (parked); a recording made
	 * before that flag existed tells by the CPU_ON that followed */
	bool restarted = fn == PSCI_FN_CPU_OFF && ((c->flags & EVF_PARKED) || restarted_during(r));
	struct psci_transition *t;

	v->present = true;
	v->calls++;
	if (vmm_reset(r, v) && system_event(r, PSCI_CAUSE_VMM_RESET))
		return -1;
	if ((r->m->boot < 0 || r->m->rebooting) && new_boot(r))
		return -1;
	v->last_boot = psci_current_boot(r);
	boot_count(r)->calls++;
	count_unanswered(r, v, restarted);
	if (caller_state(r, v))
		return -1;
	if (psci_call_is_psci(c) && c->disposition == DISP_FORWARDED && forwarded(r, fn, restarted))
		return -1;
	switch (fn) {
	case PSCI_FN_CPU_ON:
		return cpu_on(r);
	case PSCI_FN_AFFINITY_INFO:
		return psci_affinity_info(r, v);
	case PSCI_FN_CPU_OFF:
		return cpu_off(r, v, restarted);
	case PSCI_FN_CPU_SUSPEND:
	case PSCI_FN_CPU_DEFAULT_SUSPEND:
	case PSCI_FN_SYSTEM_SUSPEND:
		if (psci_call_error(c) || v->state != PSCI_POWER_ON)
			return 0;
		if (!transition(r, v, c->vcpu, PSCI_POWER_SUSPENDED, fn == PSCI_FN_SYSTEM_SUSPEND ?
				PSCI_CAUSE_SYSTEM_SUSPEND : PSCI_CAUSE_CPU_SUSPEND, c->ts_ns))
			return -1;
		if (!c->has_result && !(c->flags & EVF_PARKED))
			return 0;	/* still suspended when the trace ended */
		/* answered, or parked and resumed at its entry point: awake again */
		t = transition(r, v, c->vcpu, PSCI_POWER_ON, PSCI_CAUSE_WAKEUP, c->ts_ns + c->kvm_ns + c->vmm_ns);
		if (!t)
			return -1;
		t->has_latency = true;
		t->latency_ns = c->kvm_ns + c->vmm_ns;
		return 0;
	case PSCI_FN_MIGRATE:
		if (!c->has_result || psci_call_sret(c) != 0)
			return 0;
		t = transition(r, v, c->vcpu, v->state, PSCI_CAUSE_MIGRATE, c->ts_ns);
		if (!t)
			return -1;
		t->has_mpidr = true;
		t->mpidr = psci_call_target(c);
		return 0;
	case PSCI_FN_SYSTEM_OFF:
	case PSCI_FN_SYSTEM_OFF2:
		return psci_call_error(c) ? 0 : system_event(r, PSCI_CAUSE_SYSTEM_OFF);
	case PSCI_FN_SYSTEM_RESET:
	case PSCI_FN_SYSTEM_RESET2:
		return psci_call_error(c) ? 0 : system_event(r, PSCI_CAUSE_SYSTEM_RESET);
	}
	return 0;
}

void psci_end_of_trace(struct replay *r, __u64 end_ns)
{
	for (size_t i = 0; i < r->f->nr_vms; i++) {
		r->m = &r->f->vms[i];
		for (size_t j = 0; j < r->m->nr_vcpus; j++) {
			struct flow_vcpu *v = &r->m->vcpus[j];
			long off = v->op[PSCI_OP_CPU_OFF];

			psci_close_poll(r, v, PSCI_POLL_END_TRACE);
			if (off >= 0)
				psci_op_end(r, v, PSCI_OP_CPU_OFF, r->f->ops[off].polls ? PSCI_OP_TIMEOUT :
					    PSCI_OP_INCOMPLETE, false, 0, -1);
			if (v->op[PSCI_OP_CPU_ON] >= 0)
				psci_op_end(r, v, PSCI_OP_CPU_ON, v->timeout_anomaly >= 0 ? PSCI_OP_TIMEOUT :
					    PSCI_OP_INCOMPLETE, false, 0, -1);
			end_offline(v, end_ns);
		}
	}
}
