// SPDX-License-Identifier: GPL-2.0
/*
 * The machinery of the real-VMM patterns (patterns.c). Every guest call is an HVC with
 * x1 = a tag naming it (VM index, vCPU, boot, call number) and x2 = the VM index,
 * followed by a marker store (MMIO) at which the VMM reads what the guest got back.
 * The truth has one line per call:
 *
 *   {"type":"call","pattern":"abandon","pid":P,"vm_index":I,"vcpu":V,"tid":T,
 *    "func_id":"0x83000021","tag":"0x1001","expect":"forwarded"|"kvm"|"denied",
 *    "result":["0x.."x4]|null,"unanswered":B,"parked":B,"at_end":B,"hold_ns":N,
 *    "vcpu_reinit":B}
 *
 * vcpu_reinit: the VMM re-initialised the vCPU (KVM_ARM_VCPU_INIT) since its previous
 * call, i.e. this is its first call after a VMM reset (reset).
 *
 * hold_ns: for a forwarded call, from KVM_RUN returning with the hypercall exit to
 * the vCPU's next KVM_RUN (answered or restarted), or to the VM's destruction
 * (unanswered). at_end: unanswered because the VMM still held it, its VM alive, when
 * the tracers stopped (linger); hold_ns is then 0. vm_index is this process's own VM
 * count: the tracer must give each VM its own number, also when the kernel reuses a
 * freed VM's address.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "log.h"
#include "pattern_vm.h"
#include "program.h"
#include "smccc.h"

const struct pattern_options *opts;
static FILE *truth;
static pthread_mutex_t truth_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long truth_calls;

uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void sleep_ms(unsigned int ms)
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

int pattern_truth_open(const struct pattern_options *o)
{
	opts = o;
	truth = o->truth && strcmp(o->truth, "-") ? fopen(o->truth, "w") : stdout;
	if (!truth) {
		vmm_err("cannot write %s: %s", o->truth, strerror(errno));
		return -1;
	}
	fprintf(truth, "{\"type\":\"vmm\",\"pid\":%d,\"scenario\":\"%s\",\"rounds\":%u,\"hold_ms\":%u}\n",
		(int)getpid(), o->pattern, o->rounds, o->hold_ms);
	return 0;
}

/* Ends the truth with the pattern's status rc; returns the process exit status */
int pattern_truth_close(int rc)
{
	fprintf(truth, "{\"type\":\"end\",\"calls\":%lu,\"exit\":\"%s\"}\n", truth_calls, rc ? "error" : "done");
	if (fflush(truth) || (truth != stdout && fclose(truth))) {
		vmm_err("cannot write the truth: %s", strerror(errno));
		return 1;
	}
	return rc ? 1 : 0;
}

/* The lines so far on disk, for a scenario that waits for one */
void pattern_truth_flush(void)
{
	pthread_mutex_lock(&truth_lock);
	fflush(truth);
	pthread_mutex_unlock(&truth_lock);
}

void write_call(struct pvm *p, unsigned int vcpu, unsigned int k, pid_t tid, const struct outcome *o)
{
	bool reinit = p->v[vcpu].reinit;
	const uint64_t *r = o->result;

	p->v[vcpu].reinit = false;
	pthread_mutex_lock(&truth_lock);
	fprintf(truth, "{\"type\":\"call\",\"pattern\":\"%s\",\"pid\":%d,\"vm_index\":%u,\"vcpu\":%u,\"tid\":%d,"
		"\"func_id\":\"0x%" PRIx32 "\",\"tag\":\"0x%" PRIx64 "\",\"expect\":\"%s\",\"result\":",
		opts->pattern, (int)getpid(), p->index, vcpu, (int)tid, p->v[vcpu].fid[k], tag_of(p, vcpu, k),
		o->expect);
	if (r)
		fprintf(truth, "[\"0x%" PRIx64 "\",\"0x%" PRIx64 "\",\"0x%" PRIx64 "\",\"0x%" PRIx64 "\"]",
			r[0], r[1], r[2], r[3]);
	else
		fprintf(truth, "null");
	fprintf(truth, ",\"unanswered\":%s,\"parked\":%s,\"at_end\":%s,\"hold_ns\":%" PRIu64 ",\"vcpu_reinit\":%s}\n",
		o->unanswered ? "true" : "false", o->parked ? "true" : "false", o->at_end ? "true" : "false",
		o->hold_ns, reinit ? "true" : "false");
	truth_calls++;
	pthread_mutex_unlock(&truth_lock);
}

/*
 * vCPU v's program: its calls, each followed by a marker at 8 * k, then it parks.
 * With entry2 (park), a CPU_OFF restarted by the VMM resumes at ENTRY2_OFFSET with
 * one more call (number ncalls - 1).
 */
int build(struct pvm *p, unsigned int v, bool entry2)
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
int pvm_create(struct pvm *p, unsigned int index, unsigned int nr_vcpus, const uint32_t *fids,
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

/* The VM's SMCCC filter denies fid (before the VM first runs): its calls are "denied" */
int pvm_deny(struct pvm *p, uint32_t fid)
{
	if (kvm_set_smccc_filter(&p->vm, fid, 1, KVM_SMCCC_FILTER_DENY))
		return -1;
	p->denied = fid;
	return 0;
}

/* Frees everything that holds the VM, so that KVM destroys it now */
void pvm_destroy(struct pvm *p)
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

/* Runs vCPU v until its next forwarded call or marker */
enum stop run_until(struct pvm *p, unsigned int v, unsigned int *k)
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

int read_results(struct pvcpu *c, uint64_t r[4])
{
	for (unsigned int n = 0; n < 4; n++)
		if (kvm_get_reg(&c->kvm, KVM_REG_X(n), &r[n]))
			return -1;
	return 0;
}

/* Runs v to its next forwarded call (held: pending) or to the end of its program.
 * Calls KVM answers on the way are written to the truth. */
int advance(struct pvm *p, unsigned int v)
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
		write_call(p, v, k, gettid(), &(struct outcome){
			.expect = p->denied && c->fid[k] == p->denied ? "denied" : "kvm", .result = r });
		c->next = k + 1;
	}
	return 0;
}

/* The VMM answers v's pending call, runs it to the call's marker, and writes it */
int answer_pending(struct pvm *p, unsigned int v)
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
	write_call(p, v, k, c->tid, &(struct outcome){ .expect = "forwarded", .result = r, .hold_ns = hold });
	c->pending = false;
	c->next = k + 1;
	return 0;
}

/* The VM goes with v's call still held: unanswered */
void abandon_pending(struct pvm *p, unsigned int v)
{
	struct pvcpu *c = &p->v[v];

	write_call(p, v, c->k, c->tid, &(struct outcome){
		.expect = "forwarded", .unanswered = true, .hold_ns = now() - c->exit_ns });
	c->pending = false;
}

