// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark scenario: every vCPU runs
 *
 *	x28 = its marker window
 *	isb; x20 = CNTVCT_EL0
 *	x27 = calls
 *   1:	x0 = function ID; hvc #0
 *	subs x27, x27, #1; b.ne 1b
 *	isb; x21 = CNTVCT_EL0; x0 = x21 - x20
 *	str x0, [x28]			ticks      (MMIO)
 *	x0 = CNTFRQ_EL0; str x0, [x28, #8]	frequency  (MMIO: the vCPU is done)
 *
 * Nothing inside the loop exits to the VMM except, for --kind forwarded, the
 * call itself, which the VMM answers at once (x0 = SUCCESS) as a VMM that
 * implements an OEM service would.
 *
 * --scenario ids (a guest that controls the tracer's cardinality) runs the same
 * loop on one vCPU, but each call's x0 is the next word of a table in guest RAM:
 * --calls calls to distinct function IDs no decoder knows, from a bijection of 32 bits (so
 * distinct without a search), minus the IDs KVM acts on (well-formed fast calls of
 * the Arm architecture, standard secure, standard hyp and vendor hyp owners: PSCI
 * CPU_OFF or SYSTEM_OFF would end the loop), plus SMCCC_VERSION and PSCI_VERSION
 * every IDS_KNOWN_EVERY calls. KVM answers them all itself (no SMCCC filter). The
 * truth (--truth) has one line per ID with its number of calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "bench.h"
#include "emit.h"
#include "kvm.h"
#include "log.h"
#include "program.h"
#include "smccc.h"

#define BENCH_MARKER_TICKS	0
#define BENCH_MARKER_CNTFRQ	8
/* --scenario ids: the table of IDs in guest RAM, above the flags page */
#define IDS_TABLE_OFF		0x140000ull
#define IDS_MAX_CALLS		((GUEST_RAM_SIZE - IDS_TABLE_OFF) / 4)
#define IDS_KNOWN_EVERY		500

struct bench_vcpu {
	struct kvm_vcpu kvm;
	const struct bench_options *o;
	uint32_t func_id;
	pthread_t thread;
	bool started;
	uint64_t ticks;
	uint64_t cntfrq;
	uint64_t answered;	/* forwarded calls the VMM answered */
	bool ok;
};

int bench_kind_parse(const char *s, enum bench_kind *kind)
{
	if (!strcmp(s, "kvm"))
		*kind = BENCH_KVM;
	else if (!strcmp(s, "ids"))
		*kind = BENCH_IDS;
	else if (!strcmp(s, "forwarded"))
		*kind = BENCH_FORWARDED;
	else
		return -1;
	return 0;
}

static const char *kind_name(enum bench_kind kind)
{
	return kind == BENCH_KVM ? "kvm" : kind == BENCH_IDS ? "ids" : "forwarded";
}

/* 0 for --scenario ids: the IDs come from a table */
static uint32_t kind_func_id(enum bench_kind kind)
{
	return kind == BENCH_KVM ? FID_SMCCC_VERSION : kind == BENCH_IDS ? 0 : FID_OEM32_BASE + 0x01;
}

static int build_program(uint8_t *ram, unsigned int vcpu, uint32_t calls,
			 uint32_t func_id)
{
	uint64_t code = guest_code_ipa(vcpu), loop;
	struct emitter e;

	emit_init(&e, ram + (code - GUEST_RAM_IPA), code, GUEST_CODE_SIZE,
		  ISA_A64);
	emit_set_marker_base(&e, guest_marker_ipa(vcpu));
	emit_timer_start(&e);
	if (func_id == 0)	/* --scenario ids: x0 from the table */
		emit_table_start(&e, GUEST_RAM_IPA + IDS_TABLE_OFF);
	loop = emit_loop_begin(&e, calls);
	if (func_id == 0)
		emit_load_w0_next(&e);
	else
		emit_load_arg(&e, 0, func_id);	/* the call's result overwrote x0 */
	emit_call(&e, CONDUIT_HVC, 0);
	emit_loop_end(&e, loop);
	emit_timer_stop(&e);
	emit_marker64(&e, BENCH_MARKER_TICKS);
	emit_load_cntfrq(&e);
	emit_marker64(&e, BENCH_MARKER_CNTFRQ);
	emit_park(&e);
	if (e.error) {
		vmm_err("bench: vcpu %u: %s", vcpu, e.error);
		return -1;
	}
	return 0;
}

/* A forwarded call: answer SUCCESS at once */
static int on_hypercall(struct bench_vcpu *v)
{
	struct kvm_run *run = v->kvm.run;

	if (v->o->kind != BENCH_FORWARDED || run->hypercall.nr != v->func_id) {
		vmm_err("bench: vcpu %u: unexpected KVM_EXIT_HYPERCALL nr 0x%llx",
			v->kvm.id, (unsigned long long)run->hypercall.nr);
		return -1;
	}
	v->answered++;
	return kvm_set_reg(&v->kvm, KVM_REG_X(0), 0);
}

/* The results: returns 1 once the last one is in */
static int on_mmio(struct bench_vcpu *v)
{
	struct kvm_run *run = v->kvm.run;
	uint64_t off = run->mmio.phys_addr - guest_marker_ipa(v->kvm.id);
	uint64_t val;

	if (!run->mmio.is_write || run->mmio.len != 8 ||
	    (off != BENCH_MARKER_TICKS && off != BENCH_MARKER_CNTFRQ)) {
		vmm_err("bench: vcpu %u: unexpected MMIO %s of %u bytes at 0x%llx",
			v->kvm.id, run->mmio.is_write ? "write" : "read",
			run->mmio.len, (unsigned long long)run->mmio.phys_addr);
		return -1;
	}
	memcpy(&val, run->mmio.data, sizeof(val));
	if (off == BENCH_MARKER_TICKS) {
		v->ticks = val;
		return 0;
	}
	v->cntfrq = val;
	return 1;
}

static void *vcpu_thread(void *arg)
{
	struct bench_vcpu *v = arg;
	char name[16];
	int ret = 0;

	snprintf(name, sizeof(name), "vcpu%u", v->kvm.id);
	pthread_setname_np(pthread_self(), name);
	while (!ret) {
		if (kvm_run(&v->kvm)) {
			if (errno == EINTR)
				continue;
			ret = -1;
			break;
		}
		switch (v->kvm.run->exit_reason) {
		case KVM_EXIT_HYPERCALL:
			ret = on_hypercall(v);
			break;
		case KVM_EXIT_MMIO:
			ret = on_mmio(v);
			break;
		case KVM_EXIT_INTR:
			break;
		default:
			vmm_err("bench: vcpu %u: unexpected exit %s (%u)",
				v->kvm.id,
				kvm_exit_reason_name(v->kvm.run->exit_reason),
				v->kvm.run->exit_reason);
			ret = -1;
		}
	}
	v->ok = ret > 0 && v->cntfrq &&
		(v->o->kind != BENCH_FORWARDED || v->answered == v->o->calls);
	if (ret > 0 && !v->ok)
		vmm_err("bench: vcpu %u: %" PRIu64 " of %" PRIu32 " calls forwarded, CNTFRQ %" PRIu64,
			v->kvm.id, v->answered, v->o->calls, v->cntfrq);
	return NULL;
}

/* A bijection of 32 bits (the finaliser of MurmurHash3): distinct in, distinct out. */
static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

/* An ID KVM acts on: a well-formed fast call of an owner KVM implements. */
static bool kvm_acts_on(uint32_t id)
{
	unsigned int owner = (id >> 24) & 0x3f;

	return (id & 0x80000000u) && !(id & 0x00fe0000u) &&
	       (owner == 0 || owner == 4 || owner == 5 || owner == 6);
}

/* The ID table of --scenario ids, written into guest RAM and the truth. */
static int write_id_table(uint8_t *ram, const struct bench_options *o)
{
	uint32_t *table = (uint32_t *)(ram + IDS_TABLE_OFF);
	FILE *truth = fopen(o->truth, "w");
	uint32_t i, n = 0, known = 0;
	struct utsname uts;

	if (!truth) {
		vmm_err("ids: %s: %s", o->truth, strerror(errno));
		return -1;
	}
	uname(&uts);
	fprintf(truth, "{\"type\":\"vmm\",\"pid\":%d,\"kernel\":\"%s\",\"scenario\":\"ids\",\"vcpus\":1,"
		"\"calls\":%u}\n", (int)getpid(), uts.release, o->calls);
	for (i = 0; n < o->calls; i++) {
		uint32_t id;

		if (n % IDS_KNOWN_EVERY == IDS_KNOWN_EVERY / 2)
			id = known++ % 2 ? FID_PSCI_VERSION : FID_SMCCC_VERSION;
		else if (kvm_acts_on(id = mix32(i)))
			continue;
		table[n++] = id;
	}
	/* one line per distinct ID, the known ones with their repeats */
	for (i = 0; i < n; i++)
		if (table[i] != FID_SMCCC_VERSION && table[i] != FID_PSCI_VERSION)
			fprintf(truth, "{\"type\":\"id_calls\",\"vcpu\":0,\"func_id\":\"0x%x\",\"calls\":1,"
				"\"expect\":\"kvm\"}\n", table[i]);
	fprintf(truth, "{\"type\":\"id_calls\",\"vcpu\":0,\"func_id\":\"0x%x\",\"calls\":%u,\"expect\":\"kvm\"}\n",
		FID_SMCCC_VERSION, (known + 1) / 2);
	fprintf(truth, "{\"type\":\"id_calls\",\"vcpu\":0,\"func_id\":\"0x%x\",\"calls\":%u,\"expect\":\"kvm\"}\n",
		FID_PSCI_VERSION, known / 2);
	fprintf(truth, "{\"type\":\"end\",\"calls\":%u,\"exit\":\"done\"}\n", n);
	if (fclose(truth)) {
		vmm_err("ids: %s: %s", o->truth, strerror(errno));
		return -1;
	}
	return 0;
}

static int setup(struct kvm_vm *vm, struct bench_vcpu *vcpus,
		 const struct bench_options *o)
{
	struct kvm_vcpu_init init;
	uint8_t *ram;
	unsigned int i;

	if (kvm_open(vm) || kvm_create_vm(vm))
		return -1;
	ram = kvm_add_ram(vm, 0, GUEST_RAM_IPA, GUEST_RAM_SIZE);
	if (!ram)
		return -1;
	if (o->kind == BENCH_FORWARDED) {
		if (!kvm_vm_has_attr(vm, KVM_ARM_VM_SMCCC_CTRL,
				     KVM_ARM_VM_SMCCC_FILTER)) {
			vmm_err("bench: --kind forwarded needs the SMCCC filter (Linux 6.4+)");
			return -1;
		}
		if (kvm_set_smccc_filter(vm, FID_OEM32_BASE, 0x10,
					 KVM_SMCCC_FILTER_FWD_TO_USER))
			return -1;
	}
	if (o->kind == BENCH_IDS && write_id_table(ram, o))
		return -1;
	if (kvm_preferred_target(vm, &init))
		return -1;
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	for (i = 0; i < o->vcpus; i++) {
		struct bench_vcpu *v = &vcpus[i];

		v->o = o;
		v->func_id = kind_func_id(o->kind);
		/* every vCPU powered on: they all run the loop at once */
		if (kvm_create_vcpu(vm, i, &v->kvm) ||
		    kvm_vcpu_init(&v->kvm, &init) ||
		    build_program(ram, i, o->calls, v->func_id) ||
		    kvm_set_reg(&v->kvm, KVM_REG_PC, guest_code_ipa(i)))
			return -1;
	}
	return 0;
}

/* Joins every started thread; false if one is still running at the deadline */
static bool join_all(struct bench_vcpu *vcpus, unsigned int n,
		     unsigned int timeout_s)
{
	struct timespec deadline;
	unsigned int i;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_s;
	for (i = 0; i < n; i++) {
		if (!vcpus[i].started)
			continue;
		if (pthread_timedjoin_np(vcpus[i].thread, NULL, &deadline)) {
			vmm_err("bench: timeout: vcpu %u still in its loop after %u s",
				i, timeout_s);
			return false;
		}
	}
	return true;
}

static void print_result(const struct bench_vcpu *vcpus,
			 const struct bench_options *o)
{
	double max_s = 0, sum_ns = 0;
	unsigned int i;

	printf("{\"type\":\"bench\",\"kind\":\"%s\",\"func_id\":\"0x%" PRIx32 "\",\"conduit\":\"hvc\","
	       "\"vcpus\":%u,\"calls\":%" PRIu64 ",\"cntfrq\":%" PRIu64 ",\"ticks\":[",
	       kind_name(o->kind), kind_func_id(o->kind), o->vcpus,
	       (uint64_t)o->calls * o->vcpus, vcpus[0].cntfrq);
	for (i = 0; i < o->vcpus; i++) {
		double s = (double)vcpus[i].ticks / (double)vcpus[i].cntfrq;

		printf("%s%" PRIu64, i ? "," : "", vcpus[i].ticks);
		if (s > max_s)
			max_s = s;
		sum_ns += s * 1e9 / o->calls;
	}
	/* ns_per_call: each vCPU's own loop time per call, averaged over vCPUs */
	printf("],\"seconds\":%.6f,\"ns_per_call\":%.1f,\"calls_per_s\":%.0f}\n",
	       max_s, sum_ns / o->vcpus,
	       max_s > 0 ? (double)o->calls * o->vcpus / max_s : 0.0);
	fflush(stdout);
}

int bench_run(const struct bench_options *o)
{
	static struct bench_vcpu vcpus[GUEST_MAX_VCPUS];
	struct kvm_vm vm;
	bool ok = true;
	unsigned int i;

	memset(vcpus, 0, sizeof(vcpus));
	if (setup(&vm, vcpus, o))
		return 1;
	for (i = 0; i < o->vcpus; i++) {
		int err = pthread_create(&vcpus[i].thread, NULL, vcpu_thread,
					 &vcpus[i]);

		if (err) {
			vmm_err("bench: cannot start the thread of vcpu %u: %s",
				i, strerror(err));
			return 1;
		}
		vcpus[i].started = true;
	}
	if (!join_all(vcpus, o->vcpus, o->timeout_s))
		return 1;	/* exiting ends the threads still in KVM_RUN */
	for (i = 0; i < o->vcpus; i++)
		ok = ok && vcpus[i].ok;
	if (!ok)
		return 1;
	print_result(vcpus, o);
	kvm_close(&vm);
	return 0;
}
