// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-testvmm: a minimal arm64 VMM whose guests make scripted SMCCC calls,
 * and which writes the ground truth of every call as JSON Lines (truth.h).
 *
 * Exit status: 0 the scenario ran to SYSTEM_OFF, 1 failure, 2 usage,
 * 3 AArch32 guest asked for but this host cannot run one, 4 a protected VM
 * asked for but this kernel creates none.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "log.h"
#include "vmm.h"
#include "bench.h"
#include "patterns.h"
#include "options.h"

#define EXIT_USAGE		2
#define EXIT_NO_AARCH32		3
#define EXIT_NO_PROTECTED_VM	4


static void ignore_signal(int sig)
{
	(void)sig;	/* only there to interrupt KVM_RUN */
}

static int install_kick_signal(void)
{
	struct sigaction sa = { .sa_handler = ignore_signal };

	/* no SA_RESTART: KVM_RUN must return EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL)) {
		vmm_err("sigaction: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int install_filters(struct vmm *vmm, const struct scenario *sc)
{
	size_t i;

	for (i = 0; i < sc->nr_filters; i++) {
		const struct filter_range *r = &sc->filters[i];

		if (kvm_set_smccc_filter(&vmm->vm, r->base, r->nr, r->action))
			return -1;
		vmm_debug("SMCCC filter 0x%08x..0x%08x: action %u", r->base,
			  r->base + r->nr - 1, r->action);
	}
	return 0;
}

/*
 * Create and initialise the vCPUs. Secondaries start powered off: only the
 * boot vCPU's PSCI CPU_ON brings them up. With userspace PSCI, "off" is the
 * VMM's doing: their threads only start on CPU_ON, so KVM keeps them on.
 * Returns EXIT_NO_AARCH32 when the kernel refuses an AArch32 vCPU.
 */
static int create_vcpus(struct vmm *vmm, struct program_config *cfg)
{
	struct kvm_vcpu_init init;
	unsigned int i;

	if (kvm_preferred_target(&vmm->vm, &init))
		return -1;
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (vmm->aarch32)
		init.features[0] |= 1u << KVM_ARM_VCPU_EL1_32BIT;
	if (cfg->el2)	/* the vCPU resets into virtual EL2 (EL2h) */
		init.features[0] |= 1u << KVM_ARM_VCPU_HAS_EL2;
	vmm->vcpu_init = init;	/* a QEMU-style CPU_ON re-initialises with the same */

	for (i = 0; i < vmm->nr_vcpus; i++) {
		struct vcpu_ctx *ctx = &vmm->vcpus[i];
		struct kvm_vcpu_init vcpu_init = init;
		uint64_t mpidr;

		ctx->vmm = vmm;
		if (kvm_create_vcpu(&vmm->vm, i, &ctx->kvm))
			return -1;
		if (i && !vmm->userspace_psci)
			vcpu_init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
		if (kvm_vcpu_init(&ctx->kvm, &vcpu_init)) {
			if (vmm->aarch32 && errno == EINVAL) {
				vmm_err("AArch32 guest not supported: KVM refuses KVM_ARM_VCPU_EL1_32BIT");
				return EXIT_NO_AARCH32;
			}
			return -1;
		}
		/* CPU_ON targets what KVM put in MPIDR_EL1, not our guess */
		if (kvm_get_reg(&ctx->kvm, KVM_REG_MPIDR_EL1, &mpidr))
			return -1;
		if (i == 0 && kvm_read_fw_answers(&ctx->kvm, &vmm->fw))
			return -1;
		cfg->mpidr[i] = mpidr & MPIDR_HWID_MASK;
		vmm->mpidr[i] = cfg->mpidr[i];
		vmm_debug("vcpu %u: MPIDR_EL1 0x%" PRIx64, i, mpidr);
	}
	return 0;
}

/*
 * The guest's symbol table, as a guest kernel's /proc/kallsyms would give it: each
 * call's label (a text symbol) at its pre-call marker store, so that the HVC/SMC is a
 * few instructions in (past the store and, in A64, the counter read). A symbol ends
 * where the next one starts (kallsyms has no sizes): the call, its post marker and
 * the next call's register loads. Labels
 * repeat per vCPU, at each vCPU's own addresses. The end of each program is a data
 * symbol, so that no PC past the last call lands in it.
 */
static int write_kallsyms(const struct vmm *vmm, const struct vcpu_plan *plans, const char *path)
{
	FILE *f = fopen(path, "w");
	unsigned int i, j;

	if (!f) {
		vmm_err("%s: %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < vmm->nr_vcpus; i++) {
		for (j = 0; j < plans[i].nr_items; j++) {
			const struct plan_item *it = &plans[i].items[j];

			if (it->kind == PLAN_CALL && it->label[0])
				fprintf(f, "%016" PRIx64 " t %s\n", it->marker_pc, it->label);
		}
		fprintf(f, "%016" PRIx64 " d vcpu%u_code_end\n", plans[i].entry_pc + plans[i].code_bytes, i);
	}
	if (fclose(f)) {
		vmm_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int build_programs(struct vmm *vmm, const struct scenario *sc,
			  struct program_config *cfg,
			  struct vcpu_plan *plans)
{
	unsigned int n, i;

	/* secondaries first: the boot vCPU's CPU_ONs point into their lives */
	for (n = 0; n < vmm->nr_vcpus; n++) {
		i = (n + 1) % vmm->nr_vcpus;
		if (program_build(sc, cfg, i, vmm->ram, &plans[i]))
			return -1;
		memcpy(cfg->life_entry[i], plans[i].life_entry,
		       sizeof(cfg->life_entry[i]));
		vmm->vcpus[i].plan = &plans[i];
		vmm_debug("vcpu %u: %u plan items, %zu bytes of code at 0x%" PRIx64,
			  i, plans[i].nr_items, plans[i].code_bytes,
			  plans[i].entry_pc);
	}
	/* Secondaries get their entry point from CPU_ON */
	return kvm_set_reg(&vmm->vcpus[0].kvm, KVM_REG_PC, plans[0].entry_pc);
}

static enum vmm_outcome wait_outcome(struct vmm *vmm, unsigned int timeout_s)
{
	struct timespec deadline;
	enum vmm_outcome outcome;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_s;
	pthread_mutex_lock(&vmm->lock);
	while (vmm->outcome == VMM_RUNNING) {
		if (pthread_cond_timedwait(&vmm->cond, &vmm->lock, &deadline) ==
		    ETIMEDOUT) {
			vmm->outcome = VMM_TIMEOUT;
			break;
		}
	}
	outcome = vmm->outcome;
	pthread_mutex_unlock(&vmm->lock);
	return outcome;
}

/* After SYSTEM_OFF every vCPU must have gone through its whole plan */
static bool plans_complete(struct vmm *vmm)
{
	bool complete = true;
	unsigned int i;

	for (i = 0; i < vmm->nr_vcpus; i++) {
		const struct vcpu_ctx *ctx = &vmm->vcpus[i];
		const struct vcpu_plan *plan = ctx->plan;

		if (ctx->next == plan->nr_items &&
		    ctx->iteration + 1 == plan->iterations)
			continue;
		if (vmm->userspace_psci && !ctx->present)
			continue;	/* never runs: CPU_ON is DENIED */
		vmm_err("vcpu %u stopped at plan item %u of %u (%s), iteration %u of %u",
			i, ctx->next, plan->nr_items,
			ctx->next < plan->nr_items ?
			plan->items[ctx->next].label : "end",
			ctx->iteration + 1, plan->iterations);
		complete = false;
	}
	return complete;
}

static const char *outcome_name(enum vmm_outcome outcome)
{
	switch (outcome) {
	case VMM_SYSTEM_OFF:	return "system_off";
	case VMM_TIMEOUT:	return "timeout";
	default:		return "error";
	}
}

/*
 * Publish each vCPU thread's tid, then stop until continued. The threads wait on
 * the setup barrier, so no guest code runs before the process is continued.
 */
static int stop_after_setup(struct vmm *vmm, const char *path)
{
	unsigned int i;
	FILE *f;

	for (i = 0; i < vmm->nr_vcpus; i++)
		while (vmm->vcpus[i].at_setup &&
		       !__atomic_load_n(&vmm->vcpus[i].tid, __ATOMIC_ACQUIRE))
			usleep(1000);
	f = fopen(path, "w");
	if (!f) {
		vmm_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < vmm->nr_vcpus; i++)
		if (vmm->vcpus[i].at_setup)
			fprintf(f, "%u %d\n", vmm->vcpus[i].kvm.id, (int)vmm->vcpus[i].tid);
	if (fclose(f)) {
		vmm_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	raise(SIGSTOP);
	return 0;
}

static int run(const struct options *o)
{
	static struct vcpu_plan plans[GUEST_MAX_VCPUS];
	static struct vmm vmm;
	static pthread_barrier_t setup_barrier;
	const struct scenario *sc;
	struct program_config cfg;
	pthread_condattr_t cattr;
	enum vmm_outcome outcome;
	struct utsname uts;
	bool filter;
	unsigned int i;
	int ret;

	sc = scenario_find(o->scenario);
	if (!sc) {
		vmm_err("unknown scenario '%s' (have: %s)", o->scenario,
			scenario_names());
		return EXIT_USAGE;
	}
	if (sc->nr_vcpus && o->vcpus_set && o->vcpus != sc->nr_vcpus) {
		vmm_err("scenario %s has %u vCPUs, not %u", sc->name, sc->nr_vcpus, o->vcpus);
		return EXIT_USAGE;
	}
	if (sc->userspace_psci && o->aarch32) {
		vmm_err("scenario %s is AArch64 only", sc->name);
		return EXIT_USAGE;
	}
	if (sc->el2 && o->aarch32) {
		vmm_err("scenario %s is AArch64 only (virtual EL2)", sc->name);
		return EXIT_USAGE;
	}
	if (sc->vcpu_steps && o->iterations != 1) {
		vmm_err("scenario %s has no --iterations loop", sc->name);
		return EXIT_USAGE;
	}
	if (install_kick_signal())
		return 1;

	memset(&vmm, 0, sizeof(vmm));
	vmm.nr_vcpus = sc->nr_vcpus ? sc->nr_vcpus : o->vcpus;
	vmm.aarch32 = o->aarch32;
	vmm.delay_us = o->delay_us;
	vmm.userspace_psci = sc->userspace_psci;
	vmm.slow_ms = o->slow_ms;
	vmm.start_delay_ms = o->start_delay_ms;
	vmm.affinity_lag = o->affinity_lag;
	pthread_mutex_init(&vmm.lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&vmm.cond, &cattr);
	pthread_cond_init(&vmm.psci_cond, NULL);
	for (i = 0; i < vmm.nr_vcpus; i++) {
		struct vcpu_ctx *ctx = &vmm.vcpus[i];

		ctx->present = !(sc->not_present & (1u << i));
		/* with userspace PSCI, only the boot vCPU runs from the start */
		ctx->at_setup = !vmm.userspace_psci || i == 0;
		ctx->running = ctx->at_setup;
	}

	if (kvm_open(&vmm.vm))
		return 1;
	if (o->aarch32 && !kvm_check_extension(&vmm.vm, KVM_CAP_ARM_EL1_32BIT)) {
		vmm_err("AArch32 guest not supported: KVM_CAP_ARM_EL1_32BIT is 0 (no AArch32 at EL1 on this CPU)");
		return EXIT_NO_AARCH32;
	}
	if (sc->el2 && !kvm_check_extension(&vmm.vm, KVM_CAP_ARM_EL2)) {
		vmm_err("scenario %s needs virtual EL2: KVM_CAP_ARM_EL2 is 0 (boot with kvm-arm.mode=nested on a CPU with FEAT_NV2)",
			sc->name);
		return 1;
	}
	if (o->protected_vm && (sc->userspace_psci || sc->el2 || o->aarch32)) {
		vmm_err("--protected runs the full scenario with an AArch64 guest");
		return EXIT_USAGE;
	}
	if (o->protected_vm ? kvm_create_protected_vm(&vmm.vm) : kvm_create_vm(&vmm.vm))
		return o->protected_vm && errno == EINVAL ? EXIT_NO_PROTECTED_VM : 1;
	vmm.ram = kvm_add_ram(&vmm.vm, 0, GUEST_RAM_IPA, GUEST_RAM_SIZE);
	if (!vmm.ram)
		return 1;

	/*
	 * No KVM_CAP for the filter: probe the VM attribute. The filter came
	 * in 6.4 together with routing SMC #0 to the SMCCC handler.
	 */
	filter = kvm_vm_has_attr(&vmm.vm, KVM_ARM_VM_SMCCC_CTRL,
				 KVM_ARM_VM_SMCCC_FILTER);
	if (!filter)
		vmm_info("no SMCCC filter on this kernel: denied and forwarded calls skipped, SMC #0 expected refused");
	if (filter && install_filters(&vmm, sc))	/* before any KVM_RUN */
		return 1;
	if (!filter && sc->userspace_psci) {
		vmm_err("scenario %s needs the SMCCC filter (Linux 6.4+) to forward PSCI", sc->name);
		return 1;
	}

	cfg = (struct program_config) {
		.isa = o->aarch32 ? ISA_A32 : ISA_A64,
		.filter = filter,
		/* a protected VM has no filter (pKVM refuses it), on 7.x */
		.smc_reaches_handler = filter || o->protected_vm,
		.nr_vcpus = vmm.nr_vcpus,
		.iterations = o->iterations,
		.userspace_psci = sc->userspace_psci,
		.el2 = sc->el2,
		.protected_vm = o->protected_vm,
	};
	ret = create_vcpus(&vmm, &cfg);
	if (ret)
		return ret < 0 ? 1 : ret;
	if (sc->el2 && kvm_create_vgic_v3(&vmm.vm, vmm.nr_vcpus))	/* KVM's condition for NV */
		return 1;
	if (build_programs(&vmm, sc, &cfg, plans))
		return 1;
	if (o->kallsyms && write_kallsyms(&vmm, plans, o->kallsyms))
		return 1;

	if (truth_open(&vmm.truth, o->truth))
		return 1;
	uname(&uts);
	truth_write_header(&vmm.truth, &(struct truth_header) {
		.pid = getpid(),
		.kernel = uts.release,
		.fw = &vmm.fw,
		.filter = filter,
		.aarch32 = o->aarch32,
		.protected_vm = o->protected_vm,
		.vcpus = vmm.nr_vcpus,
		.scenario = sc->name,
		.iterations = o->iterations,
		.delay_us = o->delay_us,
		.name_arg = o->name_arg,
	});

	if (o->stop_after_setup) {
		unsigned int n = 0;

		for (i = 0; i < vmm.nr_vcpus; i++)
			n += vmm.vcpus[i].at_setup;
		pthread_barrier_init(&setup_barrier, NULL, n + 1);
		vmm.setup_barrier = &setup_barrier;
	}
	for (i = 0; i < vmm.nr_vcpus; i++)
		if (vmm.vcpus[i].at_setup && vcpu_start(&vmm.vcpus[i])) {
			vmm_finish(&vmm, VMM_FAILED);
			break;
		}
	if (o->stop_after_setup && i == vmm.nr_vcpus) {
		if (stop_after_setup(&vmm, o->stop_after_setup))
			vmm_finish(&vmm, VMM_FAILED);
		pthread_barrier_wait(&setup_barrier);
	}
	outcome = wait_outcome(&vmm, o->timeout_s);
	if (outcome == VMM_TIMEOUT)
		vmm_err("timeout: the guest did not reach SYSTEM_OFF in %u s",
			o->timeout_s);
	vcpu_stop_all(&vmm);
	if (outcome == VMM_SYSTEM_OFF && !plans_complete(&vmm))
		outcome = VMM_FAILED;
	if (outcome == VMM_TIMEOUT)
		plans_complete(&vmm);	/* says where each vCPU got stuck */

	truth_write_end(&vmm.truth, outcome_name(outcome));
	ret = truth_close(&vmm.truth) ? 1 : 0;
	kvm_close(&vmm.vm);
	if (outcome != VMM_SYSTEM_OFF)
		return 1;
	vmm_info("%s: %lu calls, %u vcpus, %s guest, filter %s", sc->name,
		 vmm.truth.calls, vmm.nr_vcpus,
		 o->aarch32 ? "AArch32" : "AArch64", filter ? "on" : "off");
	return ret;
}

int main(int argc, char **argv)
{
	struct options o;

	if (parse_options(argc, argv, &o))
		return EXIT_USAGE;
	if (o.protected_vm && (!strcmp(o.scenario, "bench") || !strcmp(o.scenario, "ids") ||
			       pattern_exists(o.scenario))) {
		vmm_err("--protected runs the full scenario with an AArch64 guest");
		return EXIT_USAGE;
	}
	if (!strcmp(o.scenario, "ids")) {
		if (!o.truth || o.calls > 196608) {
			vmm_err("--scenario ids needs --truth FILE and --calls of at most 196608");
			return EXIT_USAGE;
		}
		return bench_run(&(struct bench_options) {
			.calls = o.calls,
			.kind = BENCH_IDS,
			.vcpus = 1,
			.timeout_s = o.timeout_s,
			.truth = o.truth,
		});
	}
	if (!strcmp(o.scenario, "bench"))
		return bench_run(&(struct bench_options) {
			.calls = o.calls,
			.kind = o.kind,
			.vcpus = o.vcpus_set ? o.vcpus : 1,
			.timeout_s = o.timeout_s,
		});
	if (pattern_exists(o.scenario))
		return pattern_run(&(struct pattern_options) {
			.pattern = o.scenario,
			.truth = o.truth,
			.rounds = o.rounds,
			.hold_ms = o.hold_ms,
		});
	return run(&o);
}
