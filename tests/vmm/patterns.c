// SPDX-License-Identifier: GPL-2.0
/*
 * Real-VMM patterns (--scenario abandon|one-thread|migrate|thread-exit|park|linger|
 * churn|churn-hold|reset): what VMMs other than this one do with vCPUs, VMs and threads, each with
 * its own ground truth (the machinery and the truth's format: pattern_vm.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvm.h"
#include "log.h"
#include "pattern_vm.h"
#include "patterns.h"
#include "program.h"
#include "smccc.h"

#define FID_FORWARDED		(FID_OEM32_BASE + 0x21)
#define FID_DENIED		(FID_SIP32_BASE + 0x11)
#define PSCI_DENIED		((uint64_t)-3)
#define PARK_CONTEXT_ID		0x5ec0000000c0ffeeull
#define LINGER_WAIT_S		900	/* linger: the longest wait for the scenario's SIGUSR1 */

static const uint32_t two_forwarded[] = { FID_FORWARDED, FID_FORWARDED };

/*
 * abandon: a VMM reads a forwarded call, then frees the VM without answering it (a
 * test harness, a reset), and runs a new VM's vCPU on the same thread.
 */
static int pattern_abandon(void)
{
	struct pvm p;

	for (unsigned int r = 0; r < opts->rounds; r++) {
		if (pvm_create(&p, 2 * r, 1, two_forwarded, 2, false) || advance(&p, 0) || answer_pending(&p, 0) ||
		    advance(&p, 0))
			return -1;
		sleep_ms(opts->hold_ms);
		abandon_pending(&p, 0);
		pvm_destroy(&p);
		if (pvm_create(&p, 2 * r + 1, 1, two_forwarded, 2, false))
			return -1;
		for (int i = 0; i < 2; i++)
			if (advance(&p, 0) || answer_pending(&p, 0))
				return -1;
		pvm_destroy(&p);
	}
	return 0;
}

/*
 * one-thread: one thread runs two vCPUs, alternating, with a forwarded call of each
 * outstanding while it runs the other.
 */
static int pattern_one_thread(void)
{
	static const uint32_t fids[] = { FID_FORWARDED, FID_SMCCC_VERSION, FID_FORWARDED, FID_FORWARDED };
	struct pvm p;

	for (unsigned int r = 0; r < opts->rounds; r++) {
		if (pvm_create(&p, r, 2, fids, 4, false) || advance(&p, 0) || advance(&p, 1))
			return -1;
		while (p.v[0].pending || p.v[1].pending)
			for (unsigned int v = 0; v < 2; v++) {
				if (!p.v[v].pending)
					continue;
				sleep_ms(opts->hold_ms * (v + 1));
				if (answer_pending(&p, v) || advance(&p, v))
					return -1;
			}
		pvm_destroy(&p);
	}
	return 0;
}

struct migrate_step {
	struct pvm *p;
	bool leave_pending;
	int rc;
};

static void *migrate_thread(void *arg)
{
	struct migrate_step *s = arg;
	struct pvcpu *c = &s->p->v[0];

	/* a call the previous thread left with the VMM is answered here */
	if (c->pending && answer_pending(s->p, 0)) {
		s->rc = -1;
		return NULL;
	}
	if (advance(s->p, 0) || (!s->leave_pending && c->pending && answer_pending(s->p, 0)))
		s->rc = -1;
	return NULL;
}

/*
 * migrate: a vCPU moves from thread to thread between calls, and once with a
 * forwarded call in flight (taken on one thread, answered on the next).
 */
static int pattern_migrate(void)
{
	static const uint32_t fids[] = { FID_FORWARDED, FID_FORWARDED, FID_SMCCC_VERSION, FID_FORWARDED,
					 FID_FORWARDED, FID_FORWARDED };
	struct pvm p;

	for (unsigned int r = 0; r < opts->rounds; r++) {
		if (pvm_create(&p, r, 1, fids, 6, false))
			return -1;
		for (unsigned int step = 0; p.v[0].next < p.v[0].ncalls || p.v[0].pending; step++) {
			struct migrate_step s = { .p = &p, .leave_pending = step % 2 };
			pthread_t t;

			if (pthread_create(&t, NULL, migrate_thread, &s) || pthread_join(t, NULL) || s.rc)
				return -1;
		}
		pvm_destroy(&p);
	}
	return 0;
}

/*
 * thread-exit: the thread that took a forwarded call exits with it pending, and
 * another thread runs the vCPU on (KVM allows it): the call is completed there, with
 * that thread's answer (the call belongs to the vCPU, not to the thread that is gone).
 * That thread takes the next forwarded call and exits too; no thread runs the vCPU
 * again, and the VMM frees the VM: the call is unanswered at the free.
 */
static int pattern_thread_exit(void)
{
	static const uint32_t fids[] = { FID_FORWARDED, FID_SMCCC_VERSION, FID_FORWARDED };
	struct pvm p;

	for (unsigned int r = 0; r < opts->rounds; r++) {
		if (pvm_create(&p, r, 1, fids, 3, false))
			return -1;
		for (int step = 0; step < 2; step++) {
			struct migrate_step s = { .p = &p, .leave_pending = true };
			pthread_t t;

			/* joined: the thread has exited before the next one runs the vCPU */
			if (pthread_create(&t, NULL, migrate_thread, &s) || pthread_join(t, NULL) || s.rc)
				return -1;
			if (!p.v[0].pending) {
				vmm_err("thread-exit: no forwarded call held after step %d", step);
				return -1;
			}
		}
		sleep_ms(opts->hold_ms);
		abandon_pending(&p, 0);
		pvm_destroy(&p);
	}
	return 0;
}

/*
 * park: PSCI CPU_OFF forwarded to the VMM. Even rounds, the VMM refuses it (DENIED)
 * and the vCPU goes on after the call; odd rounds, it parks the vCPU for --hold-ms
 * and restarts it at another entry point, as a CPU_ON would: the call never returns.
 */
static int pattern_park(void)
{
	static const uint32_t fids[] = { FID_FORWARDED, FID_PSCI_CPU_OFF, FID_FORWARDED, FID_FORWARDED };
	struct pvm p;

	for (unsigned int r = 0; r < opts->rounds; r++) {
		struct pvcpu *c = &p.v[0];
		bool park = r % 2;
		uint64_t ctx[4] = { PARK_CONTEXT_ID, 0, 0, 0 }, hold;
		unsigned int k;

		if (pvm_create(&p, r, 1, fids, 4, true) || advance(&p, 0) || answer_pending(&p, 0) ||
		    advance(&p, 0))
			return -1;
		if (!c->pending || c->fid[c->k] != FID_PSCI_CPU_OFF) {
			vmm_err("park: no CPU_OFF held");
			return -1;
		}
		if (!park) {
			/* DENIED: the call returns */
			if (kvm_set_reg(&c->kvm, KVM_REG_X(0), PSCI_DENIED))
				return -1;
			hold = now() - c->exit_ns;
			if (run_until(&p, 0, &k) != STOP_MARKER || k != c->k)
				return -1;
			if (read_results(c, ctx))
				return -1;
			write_call(&p, 0, k, c->tid, &(struct outcome){
				.expect = "forwarded", .result = ctx, .hold_ns = hold });
			c->pending = false;
			c->next = k + 1;
			if (advance(&p, 0) || answer_pending(&p, 0))	/* call 2 */
				return -1;
		} else {
			sleep_ms(opts->hold_ms);
			if (kvm_set_reg(&c->kvm, KVM_REG_PC, GUEST_RAM_IPA + ENTRY2_OFFSET) ||
			    kvm_set_reg(&c->kvm, KVM_REG_X(0), PARK_CONTEXT_ID))
				return -1;
			hold = now() - c->exit_ns;
			write_call(&p, 0, c->k, c->tid, &(struct outcome){
				.expect = "forwarded", .parked = true, .hold_ns = hold });
			c->pending = false;
			c->next = c->ncalls - 1;	/* entry 2: the last call */
			if (advance(&p, 0) || answer_pending(&p, 0))
				return -1;
		}
		pvm_destroy(&p);
	}
	return 0;
}

/*
 * linger: the VMM still holds a forwarded call of each of its --rounds VMs, all alive,
 * when the tracers stop, so every tracer delivers those calls as unanswered at its end
 * (the stream and --summary's last interval alike). Before it, each vCPU makes a call
 * of every other kind: one KVM answers, one the VM's SMCCC filter denies, a forwarded
 * one the VMM answers. Once the held calls are in the truth, the VMM says "linger:
 * holding" on stderr and waits for SIGUSR1 (the scenario sends it when the tracers are
 * gone) before it frees the VMs.
 */
static int linger_vms(unsigned int first, unsigned int count)
{
	static const uint32_t fids[] = { FID_SMCCC_VERSION, FID_DENIED, FID_FORWARDED, FID_FORWARDED };
	struct timespec wait = { .tv_sec = LINGER_WAIT_S };
	struct pvm *p = calloc(count, sizeof(*p));
	unsigned int made = 0;
	sigset_t usr1;
	int rc = -1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (!p || sigprocmask(SIG_BLOCK, &usr1, NULL))
		goto out;
	for (; made < count; made++) {
		struct pvcpu *c = &p[made].v[0];

		if (pvm_create(&p[made], first + made, 1, fids, 4, false) || pvm_deny(&p[made], FID_DENIED) ||
		    advance(&p[made], 0) || answer_pending(&p[made], 0) || advance(&p[made], 0)) {
			made++;
			goto out;
		}
		if (!c->pending) {
			vmm_err("linger: vm %u holds no forwarded call", first + made);
			made++;
			goto out;
		}
		write_call(&p[made], 0, c->k, c->tid, &(struct outcome){
			.expect = "forwarded", .unanswered = true, .at_end = true });
	}
	pattern_truth_flush();
	vmm_info("linger: holding %u forwarded calls", made);
	if (sigtimedwait(&usr1, NULL, &wait) != SIGUSR1) {
		vmm_err("linger: no SIGUSR1 in %d s", LINGER_WAIT_S);
		goto out;
	}
	rc = 0;
out:
	for (unsigned int i = 0; p && i < made; i++)
		pvm_destroy(&p[i]);
	free(p);
	return rc;
}

static int pattern_linger(void)
{
	return linger_vms(0, opts->rounds);
}

/*
 * reset: the VMM reboots its guest without any PSCI call, as QEMU's system_reset does:
 * it re-initialises every vCPU (KVM_ARM_VCPU_INIT, which resets its registers) and
 * starts each again at its entry point. --rounds boots of one VM with two vCPUs; each
 * boot, each vCPU makes a call KVM answers, then a forwarded one.
 */
static int pattern_reset(void)
{
	static const uint32_t fids[] = { FID_SMCCC_VERSION, FID_FORWARDED };
	struct kvm_vcpu_init init;
	struct pvm p;

	if (opts->rounds > 15) {
		vmm_err("reset: at most 15 boots (--rounds)");
		return -1;
	}
	if (pvm_create(&p, 0, 2, fids, 2, false) || kvm_preferred_target(&p.vm, &init))
		return -1;
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	for (p.boot = 0; p.boot < opts->rounds; p.boot++) {
		for (unsigned int v = 0; p.boot && v < p.nr_vcpus; v++) {	/* the VMM reset */
			p.v[v].next = 0;
			p.v[v].reinit = true;
			/* the vCPU stopped at its last marker's MMIO exit: KVM completes that
			 * (the PC moves past the store) at the next KVM_RUN unless the exit is
			 * no longer pending, which would skip the new program's first
			 * instruction; a VMM that resets drops the exit it will not complete */
			p.v[v].kvm.run->exit_reason = KVM_EXIT_UNKNOWN;
			if (kvm_vcpu_init(&p.v[v].kvm, &init) || build(&p, v, false))
				return -1;
		}
		for (unsigned int v = 0; v < p.nr_vcpus; v++)
			if (advance(&p, v) || answer_pending(&p, v))
				return -1;
	}
	pvm_destroy(&p);
	return 0;
}

/* churn: VMs created, run and destroyed one after another */
static int pattern_churn(void)
{
	static const uint32_t fids[] = { FID_SMCCC_VERSION, FID_FORWARDED };
	struct pvm p;

	for (unsigned int r = 0; r < opts->rounds; r++) {
		if (pvm_create(&p, r, 1, fids, 2, false) || advance(&p, 0) || answer_pending(&p, 0))
			return -1;
		pvm_destroy(&p);
	}
	return 0;
}

/*
 * churn-hold: a VMM that outlives the VMs it destroyed (a test harness, a Firecracker-
 * like VMM): churn's --rounds VMs, then one more VM (index --rounds) as linger's, held
 * until SIGUSR1. The exporter folds the destroyed VMs' series while this one lives
 * (tests/vm/scenarios/prometheus.sh).
 */
static int pattern_churn_hold(void)
{
	return pattern_churn() ? -1 : linger_vms(opts->rounds, 1);
}

static const struct {
	const char *name;
	int (*run)(void);
} patterns[] = {
	{ "abandon", pattern_abandon },
	{ "one-thread", pattern_one_thread },
	{ "migrate", pattern_migrate },
	{ "thread-exit", pattern_thread_exit },
	{ "park", pattern_park },
	{ "linger", pattern_linger },
	{ "churn", pattern_churn },
	{ "churn-hold", pattern_churn_hold },
	{ "reset", pattern_reset },
};

bool pattern_exists(const char *name)
{
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		if (!strcmp(patterns[i].name, name))
			return true;
	return false;
}

int pattern_run(const struct pattern_options *o)
{
	int rc = -1;

	if (pattern_truth_open(o))
		return 1;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		if (!strcmp(patterns[i].name, o->pattern))
			rc = patterns[i].run();
	return pattern_truth_close(rc);
}
