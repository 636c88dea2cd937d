// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the PSCI flow model (src/psci_flow.c): synthetic call sequences,
 * built as the tracer's records and fed through call_view_init() as the sinks are,
 * covering every transition, every anomaly and its thresholds, arrival out of trap
 * order, MPIDR mapping and learning, AFFINITY_INFO polls and when they end, hotplug
 * operations and their statistics, and the JSON rendering of the result. Boots and
 * resets: test_psci_boots.c.
 */
#include <stdlib.h>
#include "psci_calls.h"
#include "psci_render.h"

/* Bring-up, hot-unplug with an AFFINITY_INFO wait, bring-up again, SYSTEM_OFF */
static void test_lifecycle(void)
{
	const struct call calls[] = {
		{ 1, 0, VERSION, .ret = 0x10001 },
		{ 2, 0, CPU_ON64, 0x1, 0x80010000, 0x5ec0c0de, SUCCESS },
		{ 7, 1, SMCCC_VERSION, .ret = 0x10001 },
		{ 9, 1, CPU_OFF, .ret = SUCCESS },
		{ 10, 0, AFFINITY64, 0x1, 0, .ret = 0 },	/* on */
		{ 11, 0, AFFINITY64, 0x1, 0, .ret = 0 },
		{ 12, 0, AFFINITY64, 0x1, 0, .ret = 1 },	/* off */
		{ 20, 0, CPU_ON64, 0x1, 0x80010000, 0x2, SUCCESS },
		{ 23, 1, VERSION, .ret = 0x10001 },
		{ 30, 0, SYSTEM_OFF, .flags = EVF_SYSTEM_EVENT },
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 31);
	CHECK_INT(f.nr_transitions, 8);
	if (f.nr_transitions == 8) {
		const struct psci_transition *t = f.transitions;

		CHECK_T(&t[0], 1, 0, "unknown", "on", "first_call");
		CHECK_T(&t[1], 2, 1, "off", "on_pending", "cpu_on");
		CHECK_INT(t[1].by_vcpu, 0);
		CHECK(t[1].has_mpidr && t[1].mpidr == 1, "mpidr 0x%llx", (unsigned long long)t[1].mpidr);
		CHECK_INT(t[1].entry, 0x80010000);
		CHECK_INT(t[1].context_id, 0x5ec0c0de);
		CHECK_T(&t[2], 7, 1, "on_pending", "on", "running");
		CHECK(t[2].has_latency && t[2].latency_ns == 5 * MS, "bring-up 5 ms, got %llu",
		      (unsigned long long)t[2].latency_ns);
		CHECK_T(&t[3], 9, 1, "on", "off", "cpu_off");
		CHECK_T(&t[4], 20, 1, "off", "on_pending", "cpu_on");
		CHECK_INT(t[4].context_id, 2);
		CHECK_T(&t[5], 23, 1, "on_pending", "on", "running");
		CHECK_T(&t[6], 30, 0, "on", "off", "system_off");
		CHECK_T(&t[7], 30, 1, "on", "off", "system_off");
		CHECK_INT(t[7].by_vcpu, 0);
	}
	CHECK_INT(f.nr_anomalies, 0);
	CHECK_INT(f.nr_polls, 1);
	if (f.nr_polls == 1) {
		CHECK_INT(f.polls[0].count, 3);
		CHECK_INT(f.polls[0].answers[PSCI_AFF_ON], 2);
		CHECK_INT(f.polls[0].answers[PSCI_AFF_OFF], 1);
		CHECK_INT(f.polls[0].target_vcpu, 1);
		CHECK(f.polls[0].changed && !f.polls[0].over_limit, "closed by the off answer, under the limit");
		CHECK_INT(f.polls[0].last_ts_ns - f.polls[0].first_ts_ns, 2 * MS);
	}
	CHECK_INT(f.nr_vcpus, 2);
	const struct psci_vcpu_summary *s = vcpu_summary(&f, 1, 1);

	CHECK(s && s->state == PSCI_POWER_OFF && s->cpu_on_ok == 2 && s->calls == 3 && s->has_bringup &&
	      s->last_bringup_ns == 3 * MS && s->mpidr == 1 && s->mpidr_source == PSCI_MPIDR_KVM,
	      "vCPU 1 at the end");
	psci_flow_free(&f);
}

/* Every PSCI error a CPU_ON can get is an anomaly, named; SMC32 reads 32 bits */
static void test_cpu_on_failures(void)
{
	static const struct { __u64 ret; const char *name; } errors[] = {
		{ NOT_SUPPORTED, "NOT_SUPPORTED" }, { INVALID_PARAMETERS, "INVALID_PARAMETERS" },
		{ DENIED, "DENIED" }, { ALREADY_ON, "ALREADY_ON" }, { ON_PENDING, "ON_PENDING" },
		{ INTERNAL_FAILURE, "INTERNAL_FAILURE" }, { NOT_PRESENT, "NOT_PRESENT" },
		{ DISABLED, "DISABLED" }, { INVALID_ADDRESS, "INVALID_ADDRESS" },
	};
	const size_t n = sizeof(errors) / sizeof(errors[0]);
	struct call calls[2 + sizeof(errors) / sizeof(errors[0])] = {
		{ 0, 0, VERSION, .ret = 0x10001 },
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;
	char msg[256];

	for (size_t i = 0; i < n; i++)
		calls[1 + i] = (struct call){ 1 + i, 0, CPU_ON64, 0x2, 0x80020000, 0, errors[i].ret,
					      .disp = i % 2 ? DISP_FORWARDED : DISP_KVM };
	/* an AArch64 guest calling the SMC32 CPU_ON: w0 = DENIED, upper half junk */
	calls[1 + n] = (struct call){ 20, 0, CPU_ON32, 0xdead000000000003ull, 0, 0, 0x00000000fffffffdull };
	run(&f, &c, calls, 2 + n, 30);
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_CPU_ON_FAILED), n + 1);
	for (size_t i = 0; i < n; i++) {
		const struct psci_anomaly *a = find_anomaly(&f, PSCI_ANOMALY_CPU_ON_FAILED, i);

		if (!a)
			break;
		CHECK_INT(a->ts_ns, (1 + i) * MS);
		CHECK_INT(a->vcpu, 0);
		CHECK_INT(a->other_vcpu, 2);
		CHECK_INT(a->mpidr, 2);
		CHECK_INT(a->forwarded, i % 2);
		psci_anomaly_message(a, &c, msg, sizeof(msg));
		CHECK(strstr(msg, errors[i].name) && strstr(msg, "vCPU 2 (mpidr 0x2)"), "message: %s", msg);
	}
	const struct psci_anomaly *a32 = find_anomaly(&f, PSCI_ANOMALY_CPU_ON_FAILED, n);

	CHECK(a32 && a32->mpidr == 3 && a32->other_vcpu == 3, "SMC32 CPU_ON target: the low 32 bits");
	if (a32) {
		psci_anomaly_message(a32, &c, msg, sizeof(msg));
		CHECK(strstr(msg, "DENIED") != NULL, "SMC32 result read as 32 bits: %s", msg);
	}
	/* failures move nobody */
	CHECK_INT(f.nr_transitions, 1);
	const struct psci_vcpu_summary *s = vcpu_summary(&f, 1, 2);

	CHECK(s && s->cpu_on_failed == n && s->cpu_on_ok == 0 && s->state == PSCI_POWER_UNKNOWN,
	      "vCPU 2: %zu failed CPU_ONs, never on", n);
	psci_flow_free(&f);
}

/* --on-timeout: late, never, and not yet when the trace ended */
static void test_on_timeout(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 10, 0, CPU_ON64, 0x2, 0x80020000, 0, SUCCESS },
		{ 20, 0, CPU_ON64, 0x3, 0x80030000, 0, SUCCESS },
		{ 50, 0, CPU_ON64, 0x4, 0x80040000, 0, SUCCESS },	/* runs in time */
		{ 60, 4, VERSION },
		{ 300, 2, VERSION },
		{ 950, 0, CPU_ON64, 0x5, 0x80050000, 0, SUCCESS },	/* trace ends 50 ms later */
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	c.on_timeout_ns = 100 * MS;
	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 1000);
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_CPU_ON_TIMEOUT), 2);
	const struct psci_anomaly *late = find_anomaly(&f, PSCI_ANOMALY_CPU_ON_TIMEOUT, 0);
	const struct psci_anomaly *never = find_anomaly(&f, PSCI_ANOMALY_CPU_ON_TIMEOUT, 1);

	CHECK(late && late->vcpu == 2 && late->ts_ns == 110 * MS && late->since_ns == 10 * MS && late->has_ns &&
	      late->ns == 290 * MS && late->other_vcpu == 0 && late->func_id == CPU_ON64,
	      "vCPU 2: deadline at 110 ms, ran 290 ms after its CPU_ON");
	CHECK(never && never->vcpu == 3 && never->ts_ns == 120 * MS && !never->has_ns,
	      "vCPU 3: deadline at 120 ms, never ran");
	CHECK(vcpu_summary(&f, 1, 3) && vcpu_summary(&f, 1, 3)->state == PSCI_POWER_ON_PENDING, "vCPU 3 on_pending");
	CHECK(vcpu_summary(&f, 1, 5) && vcpu_summary(&f, 1, 5)->state == PSCI_POWER_ON_PENDING,
	      "vCPU 5: on_pending, no anomaly: its deadline is after the trace");
	/* the same trace with a longer timeout: nothing */
	psci_flow_free(&f);
	c.on_timeout_ns = 1000 * MS;
	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 1000);
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_CPU_ON_TIMEOUT), 0);
	psci_flow_free(&f);
}

/* AFFINITY_INFO polls: by count, by time, closed by another target or by the end */
static void test_affinity_polls(void)
{
	struct call calls[40];
	size_t n = 0;
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	calls[n++] = (struct call){ 0, 0, VERSION };
	for (int i = 0; i < 12; i++)		/* 12 x on, then off: 13 polls */
		calls[n++] = (struct call){ 1 + i, 0, AFFINITY64, 0x1, 0, .ret = 0 };
	calls[n++] = (struct call){ 13, 0, AFFINITY64, 0x1, 0, .ret = 1 };
	for (int i = 0; i < 3; i++)		/* 3 polls over 200 ms */
		calls[n++] = (struct call){ 100 + 100 * i, 0, AFFINITY64, 0x2, 0, .ret = 0 };
	calls[n++] = (struct call){ 400, 0, AFFINITY64, 0x3, 0, .ret = 2 };	/* another target: closes */
	calls[n++] = (struct call){ 401, 0, AFFINITY64, 0x3, 0, .ret = INVALID_PARAMETERS };
	calls[n++] = (struct call){ 500, 1, AFFINITY64, 0x3, 1, .ret = 0 };	/* still polling at the end */
	run(&f, &c, calls, n, 600);
	CHECK_INT(f.nr_polls, 4);
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_AFFINITY_POLL), 2);
	if (f.nr_polls == 4) {
		CHECK(f.polls[0].count == 13 && f.polls[0].changed && f.polls[0].over_limit &&
		      f.polls[0].answers[PSCI_AFF_ON] == 12, "first poll: 13 calls, over the limit");
		CHECK(f.polls[1].count == 3 && !f.polls[1].changed && f.polls[1].over_limit, "second: 3 calls, 200 ms");
		CHECK(f.polls[2].count == 2 && f.polls[2].changed && f.polls[2].answers[PSCI_AFF_ERROR] == 1 &&
		      f.polls[2].first_answer == PSCI_AFF_ON_PENDING, "third: on_pending then an error");
		CHECK(f.polls[3].vcpu == 1 && f.polls[3].level == 1 && !f.polls[3].changed, "fourth: vCPU 1, level 1");
	}
	const struct psci_anomaly *by_count = find_anomaly(&f, PSCI_ANOMALY_AFFINITY_POLL, 0);
	const struct psci_anomaly *by_time = find_anomaly(&f, PSCI_ANOMALY_AFFINITY_POLL, 1);

	CHECK(by_count && by_count->ts_ns == 11 * MS && by_count->count == 13 && by_count->ns == 12 * MS &&
	      by_count->other_vcpu == 1 && by_count->since_ns == 1 * MS,
	      "by count: at the 11th call, final totals 13 calls over 12 ms");
	CHECK(by_time && by_time->ts_ns == 300 * MS && by_time->count == 3 && by_time->ns == 200 * MS,
	      "by time: at the call 200 ms in");
	psci_flow_free(&f);
}

/* --slow-vmm: forwarded PSCI calls, with the parking ones exempt */
static void test_slow_vmm(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION, .ret = 0x10001, .disp = DISP_FORWARDED, .vmm_ms = 1 },
		{ 5, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS, .disp = DISP_FORWARDED, .vmm_ms = 25 },
		{ 40, 1, VERSION, .ret = 0x10001, .disp = DISP_FORWARDED, .vmm_ms = 1 },
		{ 50, 1, CPU_OFF, .ret = 0, .disp = DISP_FORWARDED, .vmm_ms = 500 },	/* parked */
		{ 60, 0, AFFINITY64, 0x1, 0, .ret = 1, .disp = DISP_FORWARDED, .vmm_ms = 11 },
		{ 70, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS, .disp = DISP_FORWARDED, .vmm_ms = 1 },
		{ 80, 0, CPU_ON64, 0x2, 0, 0, 0, .disp = DISP_FORWARDED, .flags = EVF_VMM_GONE },
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 1000);
	CHECK_INT(f.nr_forwarded, 7);
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_SLOW_VMM), 2);
	const struct psci_anomaly *a = find_anomaly(&f, PSCI_ANOMALY_SLOW_VMM, 0);
	const struct psci_anomaly *b = find_anomaly(&f, PSCI_ANOMALY_SLOW_VMM, 1);

	CHECK(a && a->ts_ns == 5 * MS && a->ns == 25 * MS && a->func_id == CPU_ON64, "CPU_ON held 25 ms");
	CHECK(b && b->ts_ns == 60 * MS && b->ns == 11 * MS, "AFFINITY_INFO held 11 ms");
	CHECK(f.nr_forwarded == 7 && f.forwarded[3].restarted && f.forwarded[3].vmm_ns == 500 * MS,
	      "the parked CPU_OFF is listed with its time off, not an anomaly");
	CHECK(f.nr_forwarded == 7 && !f.forwarded[6].answered, "no answer in the trace");
	/* a CPU_ON without an answer moves nobody */
	CHECK(!vcpu_summary(&f, 1, 2), "vCPU 2 untouched");
	/* the CPU_ON transition says the VMM answered */
	CHECK(f.nr_transitions > 1 && f.transitions[1].cause == PSCI_CAUSE_CPU_ON && f.transitions[1].forwarded,
	      "forwarded CPU_ON");
	psci_flow_free(&f);
	c.slow_vmm_ns = 30 * MS;
	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 1000);
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_SLOW_VMM), 0);
	psci_flow_free(&f);
}

/* A parked CPU_OFF whose vCPU restarts with a context id that reads as a negative
 * 32-bit value is still a CPU_OFF; one the VMM answers DENIED (not restarted) is
 * not, and one it answers SUCCESS slowly, without parking, is a slow answer */
static void test_cpu_off_answers(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 2, 1, VERSION },
		/* restarted by the CPU_ON at 10 ms, though its trap + VMM time end at 8 ms: the
		 * thread was preempted between KVM's exit handler and the exit to the VMM */
		{ 3, 1, CPU_OFF, .ret = 0x5ec00000c0de0101ull, .disp = DISP_FORWARDED, .vmm_ms = 5 },
		{ 10, 0, CPU_ON64, 0x1, 0x80010000, 0xc0de0101, SUCCESS },
		{ 24, 1, CPU_OFF, .ret = DENIED, .disp = DISP_FORWARDED, .vmm_ms = 1 },
		{ 26, 1, CPU_OFF, .ret = SUCCESS, .disp = DISP_FORWARDED, .vmm_ms = 30 },
		{ 60, 1, VERSION },
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 100);
	CHECK_INT(f.nr_transitions, 7);
	if (f.nr_transitions == 7) {
		CHECK_T(&f.transitions[3], 3, 1, "on", "off", "cpu_off");
		CHECK_T(&f.transitions[4], 10, 1, "off", "on_pending", "cpu_on");
		CHECK_T(&f.transitions[5], 24, 1, "on_pending", "on", "running");
		CHECK_T(&f.transitions[6], 26, 1, "on", "off", "cpu_off");
	}
	CHECK(f.nr_forwarded == 3 && f.forwarded[0].restarted && !f.forwarded[1].restarted &&
	      !f.forwarded[2].restarted, "only the first CPU_OFF was restarted");
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_SLOW_VMM), 1);
	CHECK(find_anomaly(&f, PSCI_ANOMALY_SLOW_VMM, 0) && find_anomaly(&f, PSCI_ANOMALY_SLOW_VMM, 0)->ts_ns == 26 * MS,
	      "the CPU_OFF answered in 30 ms without parking");
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_CALL_WHILE_OFF), 1);
	psci_flow_free(&f);
}

/* Calls from a vCPU the flow believes is off: after a CPU_OFF that came back (a VMM
 * that forgot to park it), after SYSTEM_OFF; and not after a CPU_OFF that failed */
static void test_call_while_off(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 2, 1, VERSION },
		{ 3, 1, CPU_OFF, .ret = SUCCESS, .disp = DISP_FORWARDED },	/* came back */
		{ 4, 1, VERSION },
		{ 5, 1, TRNG_RND64 },
		{ 6, 1, VERSION },
		{ 7, 0, CPU_ON64, 0x2, 0x80020000, 0, SUCCESS },
		{ 8, 2, CPU_OFF, .ret = DENIED },				/* stays on */
		{ 9, 2, VERSION },
		{ 10, 0, SYSTEM_OFF, .flags = EVF_SYSTEM_EVENT },
		{ 11, 2, VERSION },
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 20);
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_CALL_WHILE_OFF), 2);
	const struct psci_anomaly *zombie = find_anomaly(&f, PSCI_ANOMALY_CALL_WHILE_OFF, 0);
	const struct psci_anomaly *late = find_anomaly(&f, PSCI_ANOMALY_CALL_WHILE_OFF, 1);

	CHECK(zombie && zombie->vcpu == 1 && zombie->ts_ns == 4 * MS && zombie->count == 3 &&
	      zombie->since_ns == 3 * MS && zombie->off_cause == PSCI_CAUSE_CPU_OFF && zombie->func_id == VERSION,
	      "vCPU 1: 3 calls after its CPU_OFF");
	CHECK(late && late->vcpu == 2 && late->count == 1 && late->off_cause == PSCI_CAUSE_SYSTEM_OFF,
	      "vCPU 2: a call after SYSTEM_OFF");
	psci_flow_free(&f);
}

/* A VMM that parks a vCPU on CPU_OFF answers that call only when it restarts the
 * vCPU: it arrives after the CPU_ON that restarted it. Trap order is what counts. */
static void test_arrival_order(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 2, 1, VERSION },
		/* arrival: the restart's CPU_ON, the target's first call, then the CPU_OFF */
		{ 20, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS, .disp = DISP_FORWARDED, .vmm_ms = 1 },
		{ 25, 1, VERSION },
		{ 5, 1, CPU_OFF, .ret = 0x5ec0, .disp = DISP_FORWARDED, .vmm_ms = 16 },
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 30);
	CHECK_INT(f.nr_anomalies, 0);
	CHECK_INT(f.nr_transitions, 6);
	if (f.nr_transitions == 6) {
		CHECK_T(&f.transitions[3], 5, 1, "on", "off", "cpu_off");
		CHECK_T(&f.transitions[4], 20, 1, "off", "on_pending", "cpu_on");
		CHECK_T(&f.transitions[5], 25, 1, "on_pending", "on", "running");
	}
	psci_flow_free(&f);
}

/* CPU_SUSPEND, SYSTEM_RESET and the reboot, MIGRATE */
static void test_suspend_reset_migrate(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_SUSPEND64, 0x1, 0x80000000, 0, SUCCESS, .disp = DISP_FORWARDED, .vmm_ms = 4 },
		{ 10, 0, MIGRATE64, 0x2, .ret = SUCCESS },
		{ 11, 0, MIGRATE64, 0x3, .ret = NOT_SUPPORTED },
		{ 12, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 13, 1, VERSION },
		{ 20, 1, SYSTEM_RESET2, .flags = EVF_SYSTEM_EVENT },
		{ 30, 0, VERSION },
		{ 31, 1, VERSION },
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 40);
	CHECK_INT(f.nr_transitions, 9);
	if (f.nr_transitions == 9) {
		const struct psci_transition *t = f.transitions;

		CHECK_T(&t[1], 1, 0, "on", "suspended", "cpu_suspend");
		/* wakeup: trap + kvm_ns (2 us) + vmm_ns */
		CHECK_INT(t[2].ts_ns, 1 * MS + 2000 + 4 * MS);
		CHECK_STR(psci_cause_name(t[2].cause), "wakeup");
		CHECK(t[2].has_latency && t[2].latency_ns == 4 * MS + 2000, "suspended 4.002 ms");
		CHECK_T(&t[3], 10, 0, "on", "on", "migrate");
		CHECK_INT(t[3].mpidr, 2);
		CHECK_T(&t[6], 20, 0, "on", "off", "system_reset");
		CHECK_T(&t[7], 20, 1, "on", "off", "system_reset");
		CHECK_T(&t[8], 30, 0, "off", "on", "reboot");
	}
	/* after the reboot, only CPU_ON brings vCPU 1 back: its call is an anomaly */
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_CALL_WHILE_OFF), 1);
	psci_flow_free(&f);
}

/* KVM's MPIDR mapping both ways, and learning one a VMM chose itself */
static void test_mpidr(void)
{
	CHECK_INT(psci_kvm_mpidr(0), 0);
	CHECK_INT(psci_kvm_mpidr(15), 0xf);
	CHECK_INT(psci_kvm_mpidr(16), 0x100);
	CHECK_INT(psci_kvm_mpidr(0x1234), 0x012304);	/* Aff0 4, Aff1 0x23, Aff2 1 */
	CHECK_INT(psci_kvm_vcpu_of(0x012304), 0x1234);
	CHECK_INT(psci_kvm_vcpu_of(0x100), 16);
	CHECK_INT(psci_kvm_vcpu_of(0x10), -1);		/* Aff0 16: not KVM's */
	CHECK_INT(psci_kvm_vcpu_of(0x100000000ull), -1);	/* Aff3 */
	for (__u32 id = 0; id < 4096; id += 7)
		CHECK(psci_kvm_vcpu_of(psci_kvm_mpidr(id)) == (long)id, "round trip of vcpu_id %u", id);

	/* a VMM that numbers its CPUs 0x80000000 | id << 8: vCPU 1 has MPIDR 0x100 */
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_ON64, 0x100, 0x80010000, 0, SUCCESS },
		{ 2, 0, CPU_ON64, 0x200, 0x80010000, 0, SUCCESS },
		{ 3, 1, VERSION },
		{ 4, 2, VERSION },
		{ 5, 0, AFFINITY64, 0x200, 0, .ret = 0 },
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 10);
	CHECK_INT(f.nr_anomalies, 0);
	CHECK(f.nr_transitions == 5 && f.transitions[1].vcpu == 1 && f.transitions[2].vcpu == 2 &&
	      f.transitions[3].cause == PSCI_CAUSE_RUNNING && f.transitions[4].cause == PSCI_CAUSE_RUNNING,
	      "CPU_ON of 0x100 and 0x200 start vCPUs 1 and 2");
	CHECK(f.nr_polls == 1 && f.polls[0].target_vcpu == 2, "AFFINITY_INFO of 0x200 is about vCPU 2");
	const struct psci_vcpu_summary *s = vcpu_summary(&f, 1, 2);

	CHECK(s && s->mpidr == 0x200 && s->mpidr_source == PSCI_MPIDR_OBSERVED, "vCPU 2's MPIDR was observed");
	CHECK(vcpu_summary(&f, 1, 0) && vcpu_summary(&f, 1, 0)->mpidr_source == PSCI_MPIDR_KVM, "vCPU 0: KVM's");
	CHECK(!vcpu_summary(&f, 1, 16), "no phantom vCPU 16");
	psci_flow_free(&f);
}

/* VMs are separate; calls without vCPU ids (tracepoint plan) are left out */
static void test_vms_and_skipped(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION, .vm = 1 },
		{ 1, 0, VERSION, .vm = 2 },
		{ 2, 0, CPU_ON64, 0x1, 0, 0, SUCCESS, .vm = 1 },
		{ 3, 1, VERSION, .vm = 2 },	/* VM 2's vCPU 1 was never started by VM 1's CPU_ON */
		{ 4, 0, VERSION, .missing = EVM_VCPU | EVM_ARGS | EVM_RET | EVM_DISPOSITION },
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	c.on_timeout_ns = 1 * MS;
	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 10);
	CHECK_INT(f.skipped, 1);
	CHECK_INT(f.nr_vcpus, 4);
	CHECK(vcpu_summary(&f, 2, 1) && vcpu_summary(&f, 2, 1)->state == PSCI_POWER_ON, "VM 2 vCPU 1 on (first call)");
	CHECK(vcpu_summary(&f, 1, 1) && vcpu_summary(&f, 1, 1)->state == PSCI_POWER_ON_PENDING, "VM 1 vCPU 1 pending");
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_CPU_ON_TIMEOUT), 1);
	psci_flow_free(&f);
}

static const struct psci_operation *nth_op(const struct psci_flow *f, enum psci_op_kind k, size_t nth)
{
	for (size_t i = 0; i < f->nr_ops; i++)
		if (f->ops[i].kind == k && !nth--)
			return &f->ops[i];
	return NULL;
}

/* Linux offlines vCPU 1 twice, seconds apart; each time AFFINITY_INFO says off at once:
 * two polls (the CPU_ON in between ends the first), both resolved, no anomaly, and two
 * offline operations with their kill latency */
static void test_off_at_once_twice(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 3, 1, VERSION },
		{ 10, 1, CPU_OFF },
		{ 11, 0, AFFINITY64, 0x1, 0, .ret = 1 },	/* off at once */
		{ 7000, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 7005, 1, VERSION },
		{ 7400, 1, CPU_OFF },
		{ 7402, 0, AFFINITY64, 0x1, 0, .ret = 1 },
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 8000);
	CHECK_INT(f.nr_anomalies, 0);
	CHECK_INT(f.nr_polls, 2);
	if (f.nr_polls == 2) {
		for (int i = 0; i < 2; i++)
			CHECK(f.polls[i].count == 1 && f.polls[i].resolved && !f.polls[i].changed &&
			      f.polls[i].first_answer == PSCI_AFF_OFF && f.polls[i].target_vcpu == 1,
			      "poll %d: one call, off at once, resolved", i);
		CHECK_STR(psci_poll_end_name(f.polls[0].ended_by), "power_change");
		CHECK_STR(psci_poll_end_name(f.polls[1].ended_by), "trace_end");
		/* a one-call poll lasts its call's time in KVM (2 us here) */
		CHECK_INT(f.polls[0].end_ns - f.polls[0].first_ts_ns, 2000);
		CHECK_INT(f.polls[0].in_kvm_ns, 2000);
	}
	CHECK_INT(f.nr_ops, 4);
	const struct psci_operation *off1 = nth_op(&f, PSCI_OP_CPU_OFF, 0), *off2 = nth_op(&f, PSCI_OP_CPU_OFF, 1);
	const struct psci_operation *on2 = nth_op(&f, PSCI_OP_CPU_ON, 1);

	CHECK(off1 && off1->outcome == PSCI_OP_OK && off1->vcpu == 1 && off1->by_vcpu == 0 && off1->polls == 1 &&
	      off1->has_latency && off1->latency_ns == 1 * MS + 2000 && off1->ts_ns == 10 * MS,
	      "first offline: CPU_OFF at 10 ms to the off answer's return, 1.002 ms, confirmed by vCPU 0");
	CHECK(off2 && off2->outcome == PSCI_OP_OK && off2->latency_ns == 2 * MS + 2000, "second offline: 2.002 ms");
	CHECK(on2 && on2->outcome == PSCI_OP_OK && on2->by_vcpu == 0 && on2->latency_ns == 5 * MS,
	      "online: CPU_ON to the first call, 5 ms");
	const struct psci_vcpu_summary *s = vcpu_summary(&f, 1, 1);

	CHECK(s && s->cpu_off == 2 && s->offline_ns == (6990 + 600) * MS, "vCPU 1: 2 CPU_OFFs, 7.59 s offline");
	CHECK(s && s->ops[PSCI_OP_CPU_OFF].count == 2 && s->ops[PSCI_OP_CPU_OFF].by_outcome[PSCI_OP_OK] == 2 &&
	      s->ops[PSCI_OP_CPU_OFF].p50_ns == 1 * MS + 2000 && s->ops[PSCI_OP_CPU_OFF].max_ns == 2 * MS + 2000,
	      "vCPU 1 offline statistics: 2, p50 1.002 ms, max 2.002 ms");
	CHECK(f.ops_total[PSCI_OP_CPU_ON].count == 2 && f.ops_total[PSCI_OP_CPU_ON].p50_ns == 2 * MS &&
	      f.ops_total[PSCI_OP_CPU_ON].max_ns == 5 * MS, "online statistics: 2, p50 2 ms (lower median), max 5 ms");
	psci_flow_free(&f);
}

/* A poll still answered "on" when its target comes back (CPU_ON) ends unresolved; the
 * Linux race (AFFINITY_INFO before the dying CPU's CPU_OFF) is one poll; a long pause
 * starts a new poll */
static void test_poll_endings(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 2, 1, VERSION },
		{ 10, 0, AFFINITY64, 0x1, 0, .ret = 0 },	/* on: waiting */
		{ 11, 0, AFFINITY64, 0x1, 0, .ret = 0 },
		{ 12, 1, CPU_OFF },				/* the poll waits for this: stays open */
		{ 13, 0, AFFINITY64, 0x1, 0, .ret = 1 },	/* off: ends it */
		{ 20, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 22, 1, VERSION },
		{ 30, 0, AFFINITY64, 0x1, 0, .ret = 0 },	/* on, and then vCPU 1 is started again */
		{ 31, 1, CPU_OFF },
		{ 40, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 42, 1, VERSION },
		{ 50, 0, AFFINITY64, 0x1, 0, .ret = 0 },
		{ 3000, 0, AFFINITY64, 0x1, 0, .ret = 0 },	/* 2.95 s later: a gap */
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 4000);
	CHECK_INT(f.nr_anomalies, 0);
	CHECK_INT(f.nr_polls, 4);
	if (f.nr_polls == 4) {
		CHECK(f.polls[0].count == 3 && f.polls[0].changed && f.polls[0].resolved &&
		      f.polls[0].ended_by == PSCI_POLL_END_ANSWER, "the race: on, on, CPU_OFF, off: one poll");
		CHECK(f.polls[1].count == 1 && !f.polls[1].resolved && f.polls[1].ended_by == PSCI_POLL_END_POWER,
		      "on, then the target is started again: ended by the power change, unresolved");
		CHECK(f.polls[2].count == 1 && f.polls[2].ended_by == PSCI_POLL_END_GAP, "ended by the gap");
		CHECK(f.polls[3].count == 1 && f.polls[3].ended_by == PSCI_POLL_END_TRACE && !f.polls[3].resolved,
		      "still polling when the trace ended");
	}
	const struct psci_operation *off1 = nth_op(&f, PSCI_OP_CPU_OFF, 0), *off2 = nth_op(&f, PSCI_OP_CPU_OFF, 1);

	CHECK(off1 && off1->outcome == PSCI_OP_OK && off1->polls == 1 && off1->latency_ns == 1 * MS + 2000,
	      "the race's offline: confirmed by the one poll after the CPU_OFF");
	CHECK(off2 && off2->outcome == PSCI_OP_UNCONFIRMED && !off2->has_latency,
	      "an offline nobody saw off before the next CPU_ON: unconfirmed");
	psci_flow_free(&f);
}

/* Failures and timeouts are operations too */
static void test_operation_outcomes(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_ON64, 0x1, 0x80010000, 0, ALREADY_ON },
		{ 2, 0, CPU_ON64, 0x2, 0x80010000, 0, SUCCESS },	/* never runs */
		{ 3, 0, CPU_ON64, 0x3, 0x80010000, 0, SUCCESS },
		{ 2000, 3, VERSION },					/* 1997 ms later */
		{ 2001, 3, CPU_OFF, .ret = DENIED },
		{ 2002, 3, CPU_OFF },
		{ 2003, 0, AFFINITY64, 0x3, 0, .ret = 0 },		/* on, and never off */
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 5000);
	CHECK_INT(f.nr_ops, 5);
	if (f.nr_ops == 5) {
		CHECK(f.ops[0].kind == PSCI_OP_CPU_ON && f.ops[0].outcome == PSCI_OP_FAILED && f.ops[0].vcpu == 1 &&
		      f.ops[0].ret0 == ALREADY_ON && !f.ops[0].has_latency, "CPU_ON of vCPU 1: failed, ALREADY_ON");
		CHECK(f.ops[1].vcpu == 2 && f.ops[1].outcome == PSCI_OP_TIMEOUT && !f.ops[1].has_latency,
		      "CPU_ON of vCPU 2: timeout, never ran");
		CHECK(f.ops[2].vcpu == 3 && f.ops[2].outcome == PSCI_OP_TIMEOUT && f.ops[2].latency_ns == 1997 * MS,
		      "CPU_ON of vCPU 3: timeout, ran after 1997 ms");
		CHECK(f.ops[3].kind == PSCI_OP_CPU_OFF && f.ops[3].outcome == PSCI_OP_FAILED, "CPU_OFF DENIED: failed");
		CHECK(f.ops[4].kind == PSCI_OP_CPU_OFF && f.ops[4].outcome == PSCI_OP_TIMEOUT && f.ops[4].polls == 1,
		      "CPU_OFF that AFFINITY_INFO never saw off: timeout");
	}
	CHECK(f.ops_total[PSCI_OP_CPU_ON].by_outcome[PSCI_OP_TIMEOUT] == 2 &&
	      f.ops_total[PSCI_OP_CPU_ON].with_latency == 1 && f.ops_total[PSCI_OP_CPU_ON].max_ns == 1997 * MS,
	      "statistics count the outcomes; latency only where there is one");
	psci_flow_free(&f);
}

/* The JSON view: one line per record, stable keys, every kind of record present */
static void test_json(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_ON64, 0x1, 0x80010000, 0x77, DENIED, .disp = DISP_FORWARDED, .vmm_ms = 20 },
		{ 2, 0, AFFINITY64, 0x1, 0, .ret = 1 },
	};
	struct psci_flow_config c = cfg();
	struct psci_render_totals t = { .calls = 3, .duration_s = 4.2192118240000003,
					.realtime_ns = 1764921601000000000ull };	/* 2025-12-05T08:00:01Z */
	struct psci_flow f;
	struct json_writer w;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 10);
	jw_init(&w, out);
	psci_render_json(&w, &f, &t);
	psci_render_text(out, &f, &t);
	fclose(out);
	CHECK(buf && strstr(buf, "{\"type\":\"psci_transition\",\"ts_ns\":0,\"pid\":4242,\"vm\":1,\"vcpu\":0,"
				 "\"from\":\"unknown\",\"to\":\"on\",\"cause\":\"first_call\""), "transition: %s", buf);
	CHECK(buf && strstr(buf, "\"type\":\"psci_anomaly\",\"ts_ns\":1000000,\"pid\":4242,\"vm\":1,\"vcpu\":0,"
				 "\"anomaly\":\"cpu_on_failed\",\"func\":\"PSCI_CPU_ON\""), "cpu_on_failed");
	CHECK(buf && strstr(buf, "\"target_mpidr\":\"0x1\",\"target_vcpu\":1,\"result\":\"DENIED\",\"forwarded\":true"),
	      "cpu_on_failed keys");
	CHECK(buf && strstr(buf, "\"anomaly\":\"slow_vmm\""), "slow_vmm");
	CHECK(buf && strstr(buf, "\"type\":\"psci_forwarded\""), "forwarded");
	CHECK(buf && strstr(buf, "\"type\":\"psci_affinity_poll\""), "poll");
	CHECK(buf && strstr(buf, "\"last_answer\":\"off\""), "poll answer");
	CHECK(buf && strstr(buf, "{\"type\":\"psci_vcpu\",\"pid\":4242,\"vm\":1,\"vcpu\":1,\"state\":\"unknown\""),
	      "vcpu summary");
	CHECK(buf && strstr(buf, "\"by_anomaly\":{\"cpu_on_failed\":1,\"cpu_on_timeout\":0,\"affinity_poll\":0,"
				 "\"slow_vmm\":1,\"call_while_off\":0}"), "summary");
	CHECK(buf && strstr(buf, "CPU_ON of vCPU 1 (mpidr 0x1) failed: DENIED (answered by the VMM)"), "text view");
	CHECK(buf && strstr(buf, "\"latency_ns\":null,\"boot\":1,\"time\":\"2025-12-05T08:00:01.000000000Z\"}"),
	      "the first transition ends with its boot and wall-clock time");
	CHECK(buf && strstr(buf, "{\"type\":\"psci_operation\",\"ts_ns\":1000000,\"pid\":4242,\"vm\":1,\"vcpu\":1,"
				 "\"op\":\"cpu_on\",\"outcome\":\"failed\",\"by_vcpu\":0,\"mpidr\":\"0x1\","
				 "\"func\":\"PSCI_CPU_ON\",\"result\":\"DENIED\",\"forwarded\":true"), "operation: %s", buf);
	CHECK(buf && strstr(buf, "{\"type\":\"psci_boot\",\"ts_ns\":0,\"pid\":4242,\"vm\":1,\"end_ts_ns\":null,"
				 "\"ended_by\":null,\"started_by\":\"first_call\",\"calls\":3,\"unanswered\":0,\"parked\":0,\"cpu_on_ok\":0,"
				 "\"cpu_on_failed\":1,\"cpu_off\":0,"
				 "\"offline\":{\"count\":0,"), "boot");
	CHECK(buf && strstr(buf, "\"duration_s\":4.219211824,"), "duration_s without float noise");
	CHECK(buf && strstr(buf, "\"start_time\":\"2025-12-05T08:00:01.000000000Z\"}"), "summary: start_time");
	CHECK(buf && strstr(buf, "The trace started at 2025-12-05T08:00:01.000000000Z"), "text: the trace's start");
	free(buf);
	/* --wall-clock: the text view's TIME column */
	buf = NULL;
	out = open_memstream(&buf, &len);
	t.wall_clock = true;
	psci_render_text(out, &f, &t);
	fclose(out);
	CHECK(buf && strstr(buf, "\n2025-12-05T08:00:01.001000Z 0     cpu_on_failed   CPU_ON of vCPU 1"),
	      "--wall-clock: %s", buf);
	free(buf);
	psci_flow_free(&f);
}

int main(void)
{
	test_lifecycle();
	test_cpu_on_failures();
	test_on_timeout();
	test_affinity_polls();
	test_slow_vmm();
	test_call_while_off();
	test_cpu_off_answers();
	test_arrival_order();
	test_suspend_reset_migrate();
	test_mpidr();
	test_vms_and_skipped();
	test_off_at_once_twice();
	test_poll_endings();
	test_operation_outcomes();
	test_json();
	return unit_report("psci_flow");
}
