// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the PSCI flow model's boots (src/psci_replay.c): SYSTEM_RESET and
 * VMM resets (KVM_ARM_VCPU_INIT, EVF_VCPU_REINIT), QEMU's CPU_ON that re-initialises its
 * target (not a reset), and the unanswered and parked calls counted per vCPU and boot.
 * The rest of the model: test_psci_flow.c.
 */
#include <stdlib.h>
#include "psci_calls.h"
#include "psci_render.h"

/* SYSTEM_RESET and SYSTEM_RESET2 start boots; counts per boot; SYSTEM_SUSPEND suspends */
static void test_boots(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 2, 1, VERSION },
		{ 5, 1, CPU_OFF },
		{ 6, 0, AFFINITY64, 0x1, 0, .ret = 1 },
		{ 10, 0, SYSTEM_RESET, .flags = EVF_SYSTEM_EVENT },
		{ 20, 0, VERSION },
		{ 21, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 25, 1, VERSION },
		{ 30, 1, SYSTEM_RESET2, .flags = EVF_SYSTEM_EVENT },
		{ 40, 0, VERSION },
		{ 41, 0, SYSTEM_SUSPEND64, 0x80000000, 0, .ret = SUCCESS },
		{ 45, 0, SYSTEM_OFF, .flags = EVF_SYSTEM_EVENT },
	};
	struct psci_flow_config c = cfg();
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 50);
	CHECK_INT(f.nr_anomalies, 0);
	CHECK_INT(f.nr_boots, 3);
	if (f.nr_boots == 3) {
		CHECK(f.boots[0].boot == 1 && f.boots[0].ts_ns == 0 && f.boots[0].end_ns == 10 * MS &&
		      f.boots[0].end_func == SYSTEM_RESET && f.boots[0].cpu_on_ok == 1 && f.boots[0].cpu_off == 1 &&
		      f.boots[0].calls == 6 && f.boots[0].ops[PSCI_OP_CPU_OFF].by_outcome[PSCI_OP_OK] == 1,
		      "boot 1: to the SYSTEM_RESET, 6 calls, a CPU_ON, a CPU_OFF");
		CHECK(f.boots[1].boot == 2 && f.boots[1].ts_ns == 20 * MS && f.boots[1].end_func == SYSTEM_RESET2 &&
		      f.boots[1].cpu_on_ok == 1 && f.boots[1].cpu_off == 0, "boot 2: from the reboot to the SYSTEM_RESET2");
		CHECK(f.boots[2].boot == 3 && f.boots[2].end_func == SYSTEM_OFF && f.boots[2].cpu_on_ok == 0,
		      "boot 3: to the SYSTEM_OFF");
	}
	size_t boot2 = 0, suspended = 0;

	for (size_t i = 0; i < f.nr_transitions; i++) {
		const struct psci_transition *t = &f.transitions[i];

		boot2 += t->boot == 2;
		suspended += t->cause == PSCI_CAUSE_SYSTEM_SUSPEND && t->to == PSCI_POWER_SUSPENDED && t->vcpu == 0;
		if (t->cause == PSCI_CAUSE_REBOOT)
			CHECK(t->boot == (t->ts_ns == 20 * MS ? 2u : 3u), "the reboot at %llu ns starts its boot",
			      (unsigned long long)t->ts_ns);
	}
	CHECK_INT(boot2, 5);	/* reboot, CPU_ON, running, and the two resets */
	CHECK_INT(suspended, 1);
	CHECK(vcpu_summary(&f, 1, 1) && vcpu_summary(&f, 1, 1)->cpu_on_ok == 2, "vCPU 1: 2 CPU_ONs over the boots");
	CHECK(f.nr_ops == 3 && f.ops[2].boot == 2, "the second CPU_ON is boot 2's");
	psci_flow_free(&f);
}

/* A VMM reset without a PSCI call (EVF_VCPU_REINIT on the first call after
 * KVM_ARM_VCPU_INIT) starts a new boot; the re-initialised secondaries' first calls
 * do not, nor does the re-init that follows a guest's SYSTEM_RESET (QEMU does both). */
static void test_vmm_reset(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION, .flags = EVF_VCPU_REINIT },	/* a first call: boot 1 all the same */
		{ 1, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 2, 1, VERSION },
		{ 10, 0, VERSION, .flags = EVF_VCPU_REINIT },	/* the VMM reset: boot 2 */
		{ 11, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 12, 1, VERSION, .flags = EVF_VCPU_REINIT },	/* re-initialised with the rest */
		{ 20, 0, SYSTEM_RESET, .flags = EVF_SYSTEM_EVENT },
		{ 30, 0, VERSION, .flags = EVF_VCPU_REINIT },	/* the reset the guest asked for */
		{ 31, 0, VERSION },
	};
	struct psci_flow_config c = cfg();
	size_t resets = 0, reboots = 0;
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 40);
	CHECK_INT(f.nr_anomalies, 0);
	CHECK_INT(f.nr_boots, 3);
	if (f.nr_boots == 3) {
		CHECK(f.boots[0].started_by == PSCI_BOOT_FIRST_CALL && f.boots[0].has_end && f.boots[0].end_func == 0 &&
		      f.boots[0].end_ns == 10 * MS && f.boots[0].calls == 3, "boot 1: ended by the VMM reset at 10 ms");
		CHECK(f.boots[1].started_by == PSCI_BOOT_VMM_RESET && f.boots[1].ts_ns == 10 * MS &&
		      f.boots[1].end_func == SYSTEM_RESET && f.boots[1].calls == 4 && f.boots[1].cpu_on_ok == 1,
		      "boot 2: from the VMM reset to the SYSTEM_RESET");
		CHECK(f.boots[2].started_by == PSCI_BOOT_SYSTEM_RESET && f.boots[2].ts_ns == 30 * MS && !f.boots[2].has_end &&
		      f.boots[2].calls == 2, "boot 3: after the SYSTEM_RESET, one boot although the VMM re-initialised");
	}
	for (size_t i = 0; i < f.nr_transitions; i++) {
		const struct psci_transition *t = &f.transitions[i];

		resets += t->cause == PSCI_CAUSE_VMM_RESET;
		reboots += t->cause == PSCI_CAUSE_REBOOT;
		if (t->cause == PSCI_CAUSE_VMM_RESET)
			CHECK(t->to == PSCI_POWER_OFF && t->ts_ns == 10 * MS, "vmm_reset: vCPU %d off at 10 ms", t->vcpu);
	}
	CHECK_INT(resets, 2);	/* vCPUs 0 and 1 were on */
	CHECK_INT(reboots, 2);
	{
		struct psci_render_totals t = { .calls = 9, .duration_s = 0.04 };
		char *buf = rendered(&f, &t);

		CHECK(buf && strstr(buf, "\"end_ts_ns\":10000000,\"ended_by\":\"vmm_reset\",\"started_by\":\"first_call\","),
		      "psci_boot 1 JSON: %s", buf ? buf : "(none)");
		CHECK(buf && strstr(buf, "\"ended_by\":\"PSCI_SYSTEM_RESET\",\"started_by\":\"vmm_reset\","), "psci_boot 2 JSON");
		CHECK(buf && strstr(buf, "\"ended_by\":null,\"started_by\":\"system_reset\","), "psci_boot 3 JSON");
		CHECK(buf && strstr(buf, "\"cause\":\"vmm_reset\""), "transition JSON");
		CHECK(buf && strstr(buf, " (VMM reset) "), "text: the boot ended by the VMM reset");
		free(buf);
	}
	psci_flow_free(&f);
}

/*
 * QEMU's userspace CPU_ON re-initialises its target (KVM_ARM_VCPU_INIT) before setting
 * its entry point: the target's parked CPU_OFF is emitted abandoned at that re-init and
 * its first call is flagged. A hotplug online, not a VMM reset: one boot, the CPU_OFF
 * restarted (parked). A re-init of a vCPU that is on is still a VMM reset, and a
 * CPU_OFF a reset abandoned is not restarted by the next boot's CPU_ON.
 */
static void test_qemu_cpu_on(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_ON64, 0x1, 0x80010000, 0x11, SUCCESS, .disp = DISP_FORWARDED, .vmm_ms = 1 },
		{ 2, 1, VERSION },
		/* parked; abandoned by the re-init of the CPU_ON at 5 ms, 10 ms after its exit */
		{ 3, 1, CPU_OFF, .disp = DISP_FORWARDED, .vmm_ms = 10, .flags = EVF_VMM_GONE | EVF_ABANDONED },
		{ 4, 0, AFFINITY64, 0x1, 0, .ret = 1, .disp = DISP_FORWARDED },	/* off */
		{ 5, 0, CPU_ON64, 0x1, 0x80020000, 0x22, SUCCESS, .disp = DISP_FORWARDED, .vmm_ms = 1 },
		{ 14, 1, VERSION, .flags = EVF_VCPU_REINIT },	/* online again, re-initialised */
		{ 20, 0, VERSION, .flags = EVF_VCPU_REINIT },	/* a VMM reset: vCPU 0 was on */
		{ 21, 0, CPU_ON64, 0x1, 0x80010000, 0x11, SUCCESS, .disp = DISP_FORWARDED, .vmm_ms = 1 },
		{ 22, 1, VERSION, .flags = EVF_VCPU_REINIT },
		/* parked; abandoned 2 ms after its exit by the next VMM reset */
		{ 23, 1, CPU_OFF, .disp = DISP_FORWARDED, .vmm_ms = 2, .flags = EVF_VMM_GONE | EVF_ABANDONED },
		{ 30, 0, VERSION, .flags = EVF_VCPU_REINIT },	/* the reset: boot 3 */
		{ 31, 0, CPU_ON64, 0x1, 0x80010000, 0x11, SUCCESS, .disp = DISP_FORWARDED, .vmm_ms = 1 },
		{ 32, 1, VERSION, .flags = EVF_VCPU_REINIT },
	};
	struct psci_flow_config c = cfg();
	const struct psci_vcpu_summary *v1;
	size_t resets = 0;
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 40);
	CHECK_INT(f.nr_anomalies, 0);
	CHECK_INT(f.nr_boots, 3);
	if (f.nr_boots == 3) {
		CHECK(f.boots[0].started_by == PSCI_BOOT_FIRST_CALL && f.boots[0].end_ns == 20 * MS &&
		      f.boots[0].calls == 7 && f.boots[0].cpu_off == 1 && f.boots[0].cpu_on_ok == 2 &&
		      f.boots[0].parked == 1 && f.boots[0].unanswered == 0,
		      "boot 1: the hotplug online did not end it; its CPU_OFF parked, not unanswered");
		CHECK(f.boots[1].started_by == PSCI_BOOT_VMM_RESET && f.boots[1].ts_ns == 20 * MS &&
		      f.boots[1].end_ns == 30 * MS && f.boots[1].calls == 4 && f.boots[1].parked == 0 &&
		      f.boots[1].unanswered == 1, "boot 2: from the VMM reset; the CPU_OFF the next reset abandoned "
		      "is unanswered");
		CHECK(f.boots[2].started_by == PSCI_BOOT_VMM_RESET && f.boots[2].ts_ns == 30 * MS &&
		      f.boots[2].calls == 3, "boot 3: the second VMM reset");
	}
	CHECK_INT(f.nr_transitions, 16);
	if (f.nr_transitions == 16) {
		CHECK_T(&f.transitions[3], 3, 1, "on", "off", "cpu_off");
		CHECK_T(&f.transitions[4], 5, 1, "off", "on_pending", "cpu_on");
		CHECK_T(&f.transitions[5], 14, 1, "on_pending", "on", "running");
		CHECK_T(&f.transitions[6], 20, 0, "on", "off", "vmm_reset");
		CHECK_T(&f.transitions[7], 20, 1, "on", "off", "vmm_reset");
		CHECK_T(&f.transitions[11], 23, 1, "on", "off", "cpu_off");
		CHECK_T(&f.transitions[12], 30, 0, "on", "off", "vmm_reset");
	}
	for (size_t i = 0; i < f.nr_transitions; i++)
		resets += f.transitions[i].cause == PSCI_CAUSE_VMM_RESET;
	CHECK_INT(resets, 3);	/* at 20 ms vCPUs 0 and 1; at 30 ms vCPU 0 (1 was off) */
	CHECK(f.nr_forwarded == 7 && f.forwarded[1].func_id == CPU_OFF && f.forwarded[1].restarted &&
	      f.forwarded[1].answered && f.forwarded[5].func_id == CPU_OFF && !f.forwarded[5].restarted &&
	      !f.forwarded[5].answered, "the first CPU_OFF restarted by the CPU_ON, the second abandoned by a reset");
	CHECK(f.nr_ops >= 3 && f.ops[1].kind == PSCI_OP_CPU_OFF && f.ops[1].outcome == PSCI_OP_OK &&
	      f.ops[2].kind == PSCI_OP_CPU_ON && f.ops[2].outcome == PSCI_OP_OK && f.ops[2].boot == 1,
	      "offline and online again: both ok, in boot 1");
	v1 = vcpu_summary(&f, 1, 1);
	CHECK(v1 && v1->parked == 1 && v1->unanswered == 1, "vCPU 1: 1 parked, 1 unanswered");
	psci_flow_free(&f);
}

/* Forwarded calls the VMM never answered, or after which it parked the vCPU, are
 * counted per vCPU, per boot and in all; answered ones and KVM's are not. */
static void test_unanswered_parked(void)
{
	const struct call calls[] = {
		{ 0, 0, VERSION },
		{ 1, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 2, 1, TRNG_RND64, .disp = DISP_FORWARDED, .flags = EVF_VMM_GONE },		/* unanswered */
		{ 3, 1, VERSION, .disp = DISP_FORWARDED, .vmm_ms = 1 },				/* answered */
		{ 4, 1, CPU_OFF, .ret = 0, .disp = DISP_FORWARDED, .vmm_ms = 5, .flags = EVF_PARKED },
		{ 10, 0, CPU_ON64, 0x1, 0x80010000, 0, SUCCESS },
		{ 11, 1, VERSION },
		{ 20, 0, SYSTEM_RESET, .flags = EVF_SYSTEM_EVENT },
		{ 30, 0, VERSION },
		{ 31, 0, TRNG_RND64, .disp = DISP_FORWARDED, .flags = EVF_VMM_GONE | EVF_ABANDONED },
		{ 32, 0, TRNG_RND64, .disp = DISP_FORWARDED, .flags = EVF_VMM_GONE },
	};
	struct psci_flow_config c = cfg();
	const struct psci_vcpu_summary *v0, *v1;
	struct psci_flow f;

	run(&f, &c, calls, sizeof(calls) / sizeof(calls[0]), 40);
	v0 = vcpu_summary(&f, 1, 0);
	v1 = vcpu_summary(&f, 1, 1);
	CHECK(v0 && v0->unanswered == 2 && v0->parked == 0, "vCPU 0: 2 unanswered (%llu), 0 parked",
	      v0 ? (unsigned long long)v0->unanswered : 0ull);
	CHECK(v1 && v1->unanswered == 1 && v1->parked == 1, "vCPU 1: 1 unanswered, 1 parked (%llu, %llu)",
	      v1 ? (unsigned long long)v1->unanswered : 0ull, v1 ? (unsigned long long)v1->parked : 0ull);
	CHECK_INT(f.nr_boots, 2);
	if (f.nr_boots == 2) {
		CHECK(f.boots[0].unanswered == 1 && f.boots[0].parked == 1, "boot 1: 1 unanswered, 1 parked");
		CHECK(f.boots[1].unanswered == 2 && f.boots[1].parked == 0, "boot 2: 2 unanswered");
	}
	CHECK(f.unanswered == 3 && f.parked == 1, "all: 3 unanswered, 1 parked (%llu, %llu)",
	      (unsigned long long)f.unanswered, (unsigned long long)f.parked);
	CHECK_INT(count_anomalies(&f, PSCI_ANOMALY_SLOW_VMM), 0);
	{
		struct psci_render_totals t = { .calls = 11, .duration_s = 0.04 };
		char *buf = rendered(&f, &t);

		CHECK(buf && strstr(buf, "\"vcpu\":1,\"state\":\"off\",\"mpidr\":\"0x1\",\"mpidr_source\":\"kvm\","
					 "\"calls\":4,\"unanswered\":1,\"parked\":1,"), "psci_vcpu: %s", buf ? buf : "(none)");
		CHECK(buf && strstr(buf, "\"forwarded\":2,\"unanswered\":3,\"parked\":1,"), "psci_summary");
		CHECK(buf && strstr(buf, "CALLS UNANSWERED PARKED CPU_ON OK"), "text: the columns");
		CHECK(buf && strstr(buf, "\n1     0x1 (kvm)            off               4          1      1 "),
		      "text: vCPU 1's row");
		free(buf);
	}
	psci_flow_free(&f);
}

int main(void)
{
	test_boots();
	test_unanswered_parked();
	test_vmm_reset();
	test_qemu_cpu_on();
	return unit_report("psci_boots");
}
