// SPDX-License-Identifier: GPL-2.0
/*
 * Real-VMM patterns (--scenario abandon|one-thread|migrate|churn|park|reset): what VMMs
 * other than this one do with vCPUs, VMs and threads, each with its own ground
 * truth. Every guest call is an HVC with x1 = a tag naming it (VM index, vCPU, call
 * number) and x2 = the VM index, followed by a marker store (MMIO) at which the VMM
 * reads what the guest got back. The truth has one line per call:
 *
 *   {"type":"call","pattern":"abandon","pid":P,"vm_index":I,"vcpu":V,"tid":T,
 *    "func_id":"0x83000021","tag":"0x1001","expect":"forwarded"|"kvm",
 *    "result":["0x.."x4]|null,"unanswered":B,"parked":B,"hold_ns":N,"vcpu_reinit":B}
 *
 * vcpu_reinit: the VMM re-initialised the vCPU (KVM_ARM_VCPU_INIT) since its previous
 * call, i.e. this is its first call after a VMM reset (reset).
 *
 * hold_ns: for a forwarded call, from KVM_RUN returning with the hypercall exit to
 * the vCPU's next KVM_RUN (answered or restarted), or to the VM's destruction
 * (unanswered). vm_index is this process's own VM count: the tracer must give each
 * VM its own number, also when the kernel reuses a freed VM's address.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "kvm.h"
#include "log.h"
#include "patterns.h"
#include "program.h"
#include "smccc.h"

#define FID_FORWARDED		(FID_OEM32_BASE + 0x21)
#define PATTERN_RAM_SIZE	0x10000ull	/* 64 KiB: 4 KiB of code per vCPU */
#define PATTERN_CODE_SIZE	0x1000ull
#define PATTERN_MAX_VCPUS	8
#define PATTERN_MAX_CALLS	16
#define ENTRY2_OFFSET		0x800		/* park: where a restarted vCPU resumes */
#define PSCI_DENIED		((uint64_t)-3)
#define PARK_CONTEXT_ID		0x5ec0000000c0ffeeull

struct pvcpu {
	struct kvm_vcpu kvm;
	unsigned int ncalls;
	uint32_t fid[PATTERN_MAX_CALLS];
	/* the call the VMM holds */
	bool pending;
	unsigned int k;		/* its number */
	pid_t tid;		/* the thread that took its exit */
	uint64_t exit_ns;
	unsigned int next;	/* calls done */
	bool reinit;		/* re-initialised since its last call written */
};

struct pvm {
	struct kvm_vm vm;
	uint8_t *ram;
	unsigned int index, nr_vcpus;
	unsigned int boot;	/* reset: VMM resets so far (in the tags) */
	struct pvcpu v[PATTERN_MAX_VCPUS];
};

static const struct pattern_options *opts;
static FILE *truth;
static pthread_mutex_t truth_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long truth_calls;

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t tag_of(const struct pvm *p, unsigned int vcpu, unsigned int k)
{
	return (uint64_t)p->index << 12 | vcpu << 8 | p->boot << 4 | k;	/* k, boot < 16 */
}

/* What the VMM answers in x0..x3 for a call: unique per call */
static uint64_t answer(uint64_t tag, unsigned int n)
{
	return 0xa000000000000000ull | tag << 4 | n;
}

static void write_call(struct pvm *p, unsigned int vcpu, unsigned int k, pid_t tid, uint32_t fid,
		       const char *expect, const uint64_t *result, bool unanswered, bool parked, uint64_t hold_ns)
{
	bool reinit = p->v[vcpu].reinit;

	p->v[vcpu].reinit = false;
	pthread_mutex_lock(&truth_lock);
	fprintf(truth, "{\"type\":\"call\",\"pattern\":\"%s\",\"pid\":%d,\"vm_index\":%u,\"vcpu\":%u,\"tid\":%d,"
		"\"func_id\":\"0x%" PRIx32 "\",\"tag\":\"0x%" PRIx64 "\",\"expect\":\"%s\",\"result\":",
		opts->pattern, (int)getpid(), p->index, vcpu, (int)tid, fid, tag_of(p, vcpu, k), expect);
	if (result)
		fprintf(truth, "[\"0x%" PRIx64 "\",\"0x%" PRIx64 "\",\"0x%" PRIx64 "\",\"0x%" PRIx64 "\"]",
			result[0], result[1], result[2], result[3]);
	else
		fprintf(truth, "null");
	fprintf(truth, ",\"unanswered\":%s,\"parked\":%s,\"hold_ns\":%" PRIu64 ",\"vcpu_reinit\":%s}\n",
		unanswered ? "true" : "false", parked ? "true" : "false", hold_ns, reinit ? "true" : "false");
	truth_calls++;
	pthread_mutex_unlock(&truth_lock);
}

/*
 * vCPU v's program: its calls, each followed by a marker at 8 * k, then it parks.
 * With entry2 (park), a CPU_OFF restarted by the VMM resumes at ENTRY2_OFFSET with
 * one more call (number ncalls - 1).
 */
static int build(struct pvm *p, unsigned int v, bool entry2)
{
	struct pvcpu *c = &p->v[v];
	uint64_t code = GUEST_RAM_IPA + v * PATTERN_CODE_SIZE;
	unsigned int straight = entry2 ? c->ncalls - 1 : c->ncalls;
	struct emitter e;

	emit_init(&e, p->ram + v * PATTERN_CODE_SIZE, code, PATTERN_CODE_SIZE, ISA_A64);
	emit_set_marker_base(&e, guest_marker_ipa(v));
	for (unsigned int k = 0; k < straight; k++) {
		emit_load_arg(&e, 0, c->fid[k]);
		emit_load_arg(&e, 1, tag_of(p, v, k));
		emit_load_arg(&e, 2, p->index);
		emit_call(&e, CONDUIT_HVC, 0);
		emit_marker(&e, 8 * k);
	}
	emit_park(&e);
	if (entry2) {
		unsigned int k = c->ncalls - 1;

		if (e.pos > ENTRY2_OFFSET)
			e.error = "program too long for its restart entry";
		e.pos = ENTRY2_OFFSET;
		emit_load_arg(&e, 0, c->fid[k]);
		emit_load_arg(&e, 1, tag_of(p, v, k));
		emit_load_arg(&e, 2, p->index);
		emit_call(&e, CONDUIT_HVC, 0);
		emit_marker(&e, 8 * k);
		emit_park(&e);
	}
	if (e.error) {
		vmm_err("%s: vcpu %u: %s", opts->pattern, v, e.error);
		return -1;
	}
	return kvm_set_reg(&c->kvm, KVM_REG_PC, code);
}

/* A VM with nr_vcpus vCPUs, each making the calls fids[0..ncalls-1] */
static int pvm_create(struct pvm *p, unsigned int index, unsigned int nr_vcpus, const uint32_t *fids,
		      unsigned int ncalls, bool entry2)
{
	struct kvm_vcpu_init init;

	memset(p, 0, sizeof(*p));
	p->index = index;
	p->nr_vcpus = nr_vcpus;
	if (kvm_open(&p->vm) || kvm_create_vm(&p->vm))
		return -1;
	p->ram = kvm_add_ram(&p->vm, 0, GUEST_RAM_IPA, PATTERN_RAM_SIZE);
	if (!p->ram)
		return -1;
	if (kvm_set_smccc_filter(&p->vm, FID_OEM32_BASE, 0x40, KVM_SMCCC_FILTER_FWD_TO_USER) ||
	    (entry2 && kvm_set_smccc_filter(&p->vm, FID_PSCI_CPU_OFF, 1, KVM_SMCCC_FILTER_FWD_TO_USER)))
		return -1;
	if (kvm_preferred_target(&p->vm, &init))
		return -1;
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	for (unsigned int v = 0; v < nr_vcpus; v++) {
		struct pvcpu *c = &p->v[v];

		c->ncalls = ncalls;
		memcpy(c->fid, fids, ncalls * sizeof(fids[0]));
		if (kvm_create_vcpu(&p->vm, v, &c->kvm) || kvm_vcpu_init(&c->kvm, &init) || build(p, v, entry2))
			return -1;
	}
	return 0;
}

/* Frees everything that holds the VM, so that KVM destroys it now */
static void pvm_destroy(struct pvm *p)
{
	for (unsigned int v = 0; v < p->nr_vcpus; v++) {
		if (p->v[v].kvm.run)
			munmap(p->v[v].kvm.run, p->vm.run_size);
		if (p->v[v].kvm.fd > 0)
			close(p->v[v].kvm.fd);
	}
	kvm_close(&p->vm);
	if (p->ram)
		munmap(p->ram, PATTERN_RAM_SIZE);
	memset(p, 0, sizeof(*p));
}

enum stop { STOP_ERROR = -1, STOP_HYPERCALL = 1, STOP_MARKER = 2 };

/* Runs vCPU v until its next forwarded call or marker */
static enum stop run_until(struct pvm *p, unsigned int v, unsigned int *k)
{
	struct pvcpu *c = &p->v[v];
	struct kvm_run *run = c->kvm.run;

	for (;;) {
		if (kvm_run(&c->kvm)) {
			if (errno == EINTR)
				continue;
			return STOP_ERROR;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_HYPERCALL:
			*k = c->next;
			return STOP_HYPERCALL;
		case KVM_EXIT_MMIO: {
			uint64_t off = run->mmio.phys_addr - guest_marker_ipa(v);

			if (!run->mmio.is_write || off % 8 || off / 8 >= c->ncalls) {
				vmm_err("%s: vcpu %u: unexpected MMIO at 0x%llx", opts->pattern, v,
					(unsigned long long)run->mmio.phys_addr);
				return STOP_ERROR;
			}
			*k = (unsigned int)(off / 8);
			return STOP_MARKER;
		}
		case KVM_EXIT_INTR:
			continue;
		default:
			vmm_err("%s: vcpu %u: unexpected exit %s", opts->pattern, v,
				kvm_exit_reason_name(run->exit_reason));
			return STOP_ERROR;
		}
	}
}

static int read_results(struct pvcpu *c, uint64_t r[4])
{
	for (unsigned int n = 0; n < 4; n++)
		if (kvm_get_reg(&c->kvm, KVM_REG_X(n), &r[n]))
			return -1;
	return 0;
}

/* Runs v to its next forwarded call (held: pending) or to the end of its program.
 * Calls KVM answers on the way are written to the truth. */
static int advance(struct pvm *p, unsigned int v)
{
	struct pvcpu *c = &p->v[v];

	while (c->next < c->ncalls) {
		unsigned int k;
		enum stop s = run_until(p, v, &k);
		uint64_t r[4];

		if (s == STOP_ERROR)
			return -1;
		if (s == STOP_HYPERCALL) {
			if (c->kvm.run->hypercall.nr != c->fid[k]) {
				vmm_err("%s: vcpu %u: hypercall 0x%llx, expected 0x%x", opts->pattern, v,
					(unsigned long long)c->kvm.run->hypercall.nr, c->fid[k]);
				return -1;
			}
			c->pending = true;
			c->k = k;
			c->tid = gettid();
			c->exit_ns = now();
			return 0;
		}
		if (read_results(c, r))
			return -1;
		write_call(p, v, k, gettid(), c->fid[k], "kvm", r, false, false, 0);
		c->next = k + 1;
	}
	return 0;
}

/* The VMM answers v's pending call, runs it to the call's marker, and writes it */
static int answer_pending(struct pvm *p, unsigned int v)
{
	struct pvcpu *c = &p->v[v];
	uint64_t tag = tag_of(p, v, c->k), r[4], hold;
	unsigned int k;

	for (unsigned int n = 0; n < 4; n++)
		if (kvm_set_reg(&c->kvm, KVM_REG_X(n), answer(tag, n)))
			return -1;
	hold = now() - c->exit_ns;
	if (run_until(p, v, &k) != STOP_MARKER || k != c->k) {
		vmm_err("%s: vcpu %u: call %u answered, but no marker", opts->pattern, v, c->k);
		return -1;
	}
	if (read_results(c, r))
		return -1;
	write_call(p, v, k, c->tid, c->fid[k], "forwarded", r, false, false, hold);
	c->pending = false;
	c->next = k + 1;
	return 0;
}

/* The VM goes with v's call still held: unanswered */
static void abandon_pending(struct pvm *p, unsigned int v)
{
	struct pvcpu *c = &p->v[v];

	write_call(p, v, c->k, c->tid, c->fid[c->k], "forwarded", NULL, true, false, now() - c->exit_ns);
	c->pending = false;
}

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
			write_call(&p, 0, k, c->tid, c->fid[k], "forwarded", ctx, false, false, hold);
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
			write_call(&p, 0, c->k, c->tid, c->fid[c->k], "forwarded", NULL, false, true, hold);
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

static const struct {
	const char *name;
	int (*run)(void);
} patterns[] = {
	{ "abandon", pattern_abandon },
	{ "one-thread", pattern_one_thread },
	{ "migrate", pattern_migrate },
	{ "park", pattern_park },
	{ "churn", pattern_churn },
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

	opts = o;
	truth = o->truth && strcmp(o->truth, "-") ? fopen(o->truth, "w") : stdout;
	if (!truth) {
		vmm_err("cannot write %s: %s", o->truth, strerror(errno));
		return 1;
	}
	fprintf(truth, "{\"type\":\"vmm\",\"pid\":%d,\"scenario\":\"%s\",\"rounds\":%u,\"hold_ms\":%u}\n",
		(int)getpid(), o->pattern, o->rounds, o->hold_ms);
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		if (!strcmp(patterns[i].name, o->pattern))
			rc = patterns[i].run();
	fprintf(truth, "{\"type\":\"end\",\"calls\":%lu,\"exit\":\"%s\"}\n", truth_calls, rc ? "error" : "done");
	if (fflush(truth) || (truth != stdout && fclose(truth))) {
		vmm_err("cannot write the truth: %s", strerror(errno));
		return 1;
	}
	return rc ? 1 : 0;
}
