// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario tables. tests/vm/check_truth.py knows these programs too (labels,
 * function IDs, conduits, dispositions, results): change both together.
 */
#include <string.h>

#include <linux/psci.h>

#include "kvm_compat.h"
#include "scenario.h"
#include "smccc.h"

#define CALL(_label, _fid, _conduit, _imm, _expect, ...)		\
	{								\
		.kind = STEP_CALL,					\
		.label = _label,					\
		.func_id = _fid,					\
		.conduit = CONDUIT_##_conduit,				\
		.imm = _imm,						\
		.expect = DISP_##_expect,				\
		__VA_ARGS__						\
	}

/*
 * Recognisable x1..x7 for calls whose arguments nobody interprets: the tag
 * sits in the upper half (AArch64 only), the low half names the register.
 */
#define ARGS(tag)							\
	.args = {							\
		(uint64_t)(tag) << 32 | 0x11111111,			\
		(uint64_t)(tag) << 32 | 0x22222222,			\
		(uint64_t)(tag) << 32 | 0x33333333,			\
		(uint64_t)(tag) << 32 | 0x44444444,			\
		(uint64_t)(tag) << 32 | 0x55555555,			\
		(uint64_t)(tag) << 32 | 0x66666666,			\
		(uint64_t)(tag) << 32 | 0x77777777,			\
	}

#define NF	STEP_NEEDS_FILTER
#define PVM	STEP_PVM_ONLY
#define HYP	STEP_PVM_HYP
#define A64	STEP_A64_ONLY
#define AA32	STEP_AA32_ONLY

/*
 * full: every disposition through every conduit the guest's ISA has, then
 * the secondaries, then SYSTEM_OFF. The loop repeats the call block for
 * --iterations; CPU_ON and SYSTEM_OFF happen once.
 */
static const struct step full_boot[] = {
	{ .kind = STEP_LOOP_BEGIN },

	/* Handled by KVM: architecture, PSCI, TRNG, KVM vendor service */
	CALL("smccc_version", FID_SMCCC_VERSION, HVC, 0, KVM),
	/* SMC #0 reaches the same handler on 6.4+ (refused before) */
	CALL("smccc_version_smc", FID_SMCCC_VERSION, SMC, 0, KVM),
	/* KVM takes the function ID from w0: the upper half is ignored */
	CALL("smccc_version_x0_hi", FID_SMCCC_VERSION, HVC, 0, KVM,
	     .x0_hi = 0xdeadbeef, .flags = A64),
	CALL("smccc_arch_features", FID_SMCCC_ARCH_FEATURES, HVC, 0, KVM,
	     .args = { FID_SMCCC_HV_PV_TIME_FEATURES }),
	CALL("psci_version", FID_PSCI_VERSION, HVC, 0, KVM),
	CALL("psci_features", FID_PSCI_FEATURES, HVC, 0, KVM,
	     .args = { FID_PSCI_VERSION }),
	CALL("psci_features_smc", FID_PSCI_FEATURES, SMC, 0, KVM,
	     .args = { FID_SMCCC_VERSION }),
	CALL("trng_version", FID_TRNG_VERSION, HVC, 0, KVM),
	CALL("trng_features", FID_TRNG_FEATURES, HVC, 0, KVM,
	     .args = { FID_TRNG_RND64 }, .flags = A64),
	CALL("trng_features", FID_TRNG_FEATURES, HVC, 0, KVM,
	     .args = { FID_TRNG_RND32 }, .flags = AA32),
	CALL("trng_get_uuid", FID_TRNG_GET_UUID, HVC, 0, KVM),
	CALL("trng_rnd64", FID_TRNG_RND64, HVC, 0, KVM,
	     .args = { 64 }, .flags = A64),
	CALL("trng_rnd32", FID_TRNG_RND32, HVC, 0, KVM,
	     .args = { 32 }, .flags = AA32),
	CALL("kvm_vendor_uid", FID_KVM_VENDOR_HYP_CALL_UID, HVC, 0, KVM),
	/* a protected VM asks pKVM's hypervisor, which answers at EL2 with its
	 * own services (memory sharing) and never tells the host */
	CALL("kvm_vendor_features", FID_KVM_VENDOR_HYP_FEATURES, HVC, 0, KVM,
	     .flags = HYP),
	CALL("pkvm_hyp_meminfo", FID_KVM_VENDOR_HYP_MEMINFO, HVC, 0, KVM,
	     .flags = PVM | HYP | A64),

	/*
	 * SiP 0x00-0x0f: filter action HANDLE. KVM implements nothing there,
	 * so its handler answers NOT_SUPPORTED (also without a filter).
	 */
	CALL("handle_hvc", FID_SIP32_BASE + 0x01, HVC, 0, KVM, ARGS(0xa1)),
	CALL("handle_smc", FID_SIP32_BASE + 0x02, SMC, 0, KVM, ARGS(0xa2)),
	CALL("handle_hvc_imm", FID_SIP32_BASE + 0x03, HVC, 0x1234, KVM,
	     ARGS(0xa3)),

	/* SiP 0x10-0x1f and KVM's PTP call: filter action DENY */
	CALL("deny_hvc", FID_SIP32_BASE + 0x11, HVC, 0, DENIED, ARGS(0xb1),
	     .flags = NF),
	CALL("deny_smc", FID_SIP32_BASE + 0x12, SMC, 0, DENIED, ARGS(0xb2),
	     .flags = NF),
	CALL("deny_hvc_imm", FID_SIP32_BASE + 0x13, HVC, 0x1234, DENIED,
	     ARGS(0xb3), .flags = NF),
	/* KVM implements PTP, but the filter decides first */
	CALL("deny_kvm_ptp", FID_KVM_VENDOR_HYP_PTP, HVC, 0, DENIED, .flags = NF),

	/* OEM 0x00-0x0f, 32- and 64-bit: FWD_TO_USER, the VMM answers */
	CALL("fwd_hvc", FID_OEM32_BASE + 0x01, HVC, 0, FORWARDED, ARGS(0xc1),
	     .flags = NF),
	CALL("fwd_smc", FID_OEM32_BASE + 0x02, SMC, 0, FORWARDED, ARGS(0xc2),
	     .flags = NF),
	CALL("fwd_hvc_imm", FID_OEM32_BASE + 0x03, HVC, 0x1234, FORWARDED,
	     ARGS(0xc3), .flags = NF),
	CALL("fwd_smc64", FID_OEM64_BASE + 0x04, SMC, 0, FORWARDED,
	     ARGS(0xc4), .flags = NF | A64),
	CALL("fwd_hvc64_imm", FID_OEM64_BASE + 0x05, HVC, 0xffff, FORWARDED,
	     ARGS(0xc5), .flags = NF | A64),

	/*
	 * SMC with a non-zero immediate: handle_smc answers -1 in x0 and
	 * leaves x1..x3 alone, before any filter (the second one would be
	 * forwarded with #0). AArch32 SMC syndromes carry no immediate, so
	 * this only exists for AArch64.
	 */
	CALL("refused_smc_imm", FID_SMCCC_VERSION, SMC, 1, REFUSED, ARGS(0xd1),
	     .flags = A64),
	CALL("refused_smc_imm_fwd_id", FID_OEM32_BASE + 0x01, SMC, 0xffff,
	     REFUSED, ARGS(0xd2), .flags = A64),

	/* AArch32 only: the same conduits from T32 code */
	{ .kind = STEP_TO_T32, .flags = AA32 },
	CALL("t32_smccc_version", FID_SMCCC_VERSION, HVC, 0, KVM, .flags = AA32),
	CALL("t32_psci_version_smc", FID_PSCI_VERSION, SMC, 0, KVM, .flags = AA32),
	CALL("t32_fwd_hvc_imm", FID_OEM32_BASE + 0x06, HVC, 0x4321,
	     FORWARDED, ARGS(0xe1), .flags = AA32 | NF),
	CALL("t32_fwd_smc", FID_OEM32_BASE + 0x07, SMC, 0, FORWARDED,
	     ARGS(0xe2), .flags = AA32 | NF),
	CALL("t32_deny_smc", FID_SIP32_BASE + 0x14, SMC, 0, DENIED,
	     ARGS(0xe3), .flags = AA32 | NF),
	{ .kind = STEP_TO_A32, .flags = AA32 },

	{ .kind = STEP_LOOP_END },

	{ .kind = STEP_CPU_ON_ALL, .label = "psci_cpu_on" },
	CALL("psci_system_off", FID_PSCI_SYSTEM_OFF, HVC, 0, KVM,
	     .flags = STEP_NO_RETURN),
};

/* Each secondary, started by CPU_ON, runs this once the boot vCPU lets it */
static const struct step full_secondary[] = {
	{ .kind = STEP_ENTRY_CHECK, .label = "entry" },
	{ .kind = STEP_WAIT_RELEASE },
	CALL("sec_smccc_version", FID_SMCCC_VERSION, HVC, 0, KVM),
	CALL("sec_psci_version_smc", FID_PSCI_VERSION, SMC, 0, KVM),
	CALL("sec_fwd_hvc_imm", FID_OEM32_BASE + 0x08, HVC, 0x42, FORWARDED,
	     ARGS(0xf1), .flags = NF),
	CALL("sec_deny_smc", FID_SIP32_BASE + 0x15, SMC, 0, DENIED,
	     ARGS(0xf2), .flags = NF),
	CALL("sec_refused_smc_imm", FID_PSCI_VERSION, SMC, 7, REFUSED, ARGS(0xf3),
	     .flags = A64),
	{ .kind = STEP_DONE },
};

/*
 * KVM reserves the Arm architecture range (0x80000000-0x8000ffff and
 * 0xc0000000-0xc000ffff); everything else may be filtered.
 */
static const struct filter_range full_filters[] = {
	{ FID_SIP32_BASE + 0x00, 0x10, KVM_SMCCC_FILTER_HANDLE },
	{ FID_SIP32_BASE + 0x10, 0x10, KVM_SMCCC_FILTER_DENY },
	{ FID_KVM_VENDOR_HYP_PTP, 1, KVM_SMCCC_FILTER_DENY },
	{ FID_OEM32_BASE, 0x10, KVM_SMCCC_FILTER_FWD_TO_USER },
	{ FID_OEM64_BASE, 0x10, KVM_SMCCC_FILTER_FWD_TO_USER },
};

/*
 * hotplug: PSCI CPU_ON, CPU_OFF and AFFINITY_INFO implemented by the VMM, the way a
 * VMM with vCPU hotplug does (psci.c), and every anomaly the flow view reports,
 * provoked on purpose. Five vCPUs:
 *   1  up, down (parked; the VMM says "on" to AFFINITY_INFO for a while: a long
 *      poll), up again in its second life; down again, and up in its third life
 *      the way QEMU starts a vCPU: re-initialised (KVM_ARM_VCPU_INIT) by the CPU_ON,
 *      which is neither a reset nor a reboot
 *   2  started by a CPU_ON the VMM answers slowly; its CPU_OFF is answered and it is
 *      not parked: its next calls come from a vCPU that is off
 *   3  not present: CPU_ON is DENIED
 *   4  started late (an on-timeout), then parked for good: its CPU_OFF is never
 *      answered
 * and CPU_ONs answered ALREADY_ON and INVALID_PARAMETERS. vCPU 0 drives it all and
 * ends with SYSTEM_OFF, which KVM handles.
 */
#define ON(_label, _target, _life, ...)					\
	{ .kind = STEP_CPU_ON, .label = _label, .target = _target,		\
	  .life = _life, __VA_ARGS__ }
#define SET(_vcpu, _life, _what)					\
	{ .kind = STEP_SET_FLAG, .flag = hotplug_flag(_vcpu, _life, _what) }
#define WAIT(_vcpu, _life, _what)					\
	{ .kind = STEP_WAIT_FLAG, .flag = hotplug_flag(_vcpu, _life, _what) }
#define LIFE(_life)							\
	{ .kind = STEP_LIFE, .label = "entry", .life = _life }
#define CPU_OFF(_label, ...)						\
	CALL(_label, FID_PSCI_CPU_OFF, HVC, 0, FORWARDED, __VA_ARGS__)
#define AFFINITY_POLL(_label, _mpidr, _until)				\
	{ .kind = STEP_POLL, .label = _label,				\
	  .func_id = FID_PSCI_AFFINITY_INFO_64, .conduit = CONDUIT_HVC,	\
	  .expect = DISP_FORWARDED, .args = { _mpidr, 0 }, .want = _until }

static const struct step hotplug_vcpu0[] = {
	CALL("psci_version", FID_PSCI_VERSION, HVC, 0, KVM),
	ON("cpu_on_1", 1, 0),
	WAIT(1, 0, FLAG_UP),
	ON("cpu_on_1_again", 1, 0),			/* ALREADY_ON */
	ON("cpu_on_3", 3, 0),				/* DENIED: not present */
	ON("cpu_on_bad_mpidr", 0, 0, .mpidr = 0xff),	/* INVALID_PARAMETERS */
	SET(1, 0, FLAG_OFF),
	AFFINITY_POLL("affinity_1", 1, PSCI_0_2_AFFINITY_LEVEL_OFF),
	ON("cpu_on_1_life_1", 1, 1),
	WAIT(1, 1, FLAG_UP),
	SET(1, 1, FLAG_OFF),
	AFFINITY_POLL("affinity_1_again", 1, PSCI_0_2_AFFINITY_LEVEL_OFF),
	ON("cpu_on_1_life_2", 1, 2, .vmm = VMM_REINIT_START),
	WAIT(1, 2, FLAG_UP),
	ON("cpu_on_2", 2, 0, .vmm = VMM_SLOW_ANSWER),
	WAIT(2, 0, FLAG_DONE),
	ON("cpu_on_4", 4, 0, .vmm = VMM_LATE_START),
	WAIT(4, 0, FLAG_UP),
	SET(4, 0, FLAG_OFF),
	AFFINITY_POLL("affinity_4", 4, PSCI_0_2_AFFINITY_LEVEL_OFF),
	CALL("psci_system_off", FID_PSCI_SYSTEM_OFF, HVC, 0, KVM,
	     .flags = STEP_NO_RETURN),
};

static const struct step hotplug_vcpu1[] = {
	LIFE(0),
	CALL("smccc_version", FID_SMCCC_VERSION, HVC, 0, KVM),
	SET(1, 0, FLAG_UP),
	WAIT(1, 0, FLAG_OFF),
	CPU_OFF("cpu_off", .flags = STEP_NO_RETURN, .vmm = VMM_LAZY_OFF),
	LIFE(1),
	CALL("psci_version", FID_PSCI_VERSION, HVC, 0, KVM),
	SET(1, 1, FLAG_UP),
	WAIT(1, 1, FLAG_OFF),
	CPU_OFF("cpu_off_again", .flags = STEP_NO_RETURN),
	LIFE(2),	/* its first call comes after KVM_ARM_VCPU_INIT */
	CALL("smccc_version_life_2", FID_SMCCC_VERSION, HVC, 0, KVM),
	SET(1, 2, FLAG_UP),
};

static const struct step hotplug_vcpu2[] = {
	LIFE(0),
	CALL("smccc_version", FID_SMCCC_VERSION, HVC, 0, KVM),
	CPU_OFF("cpu_off_unparked", .vmm = VMM_FORGET_PARK),
	CALL("after_off_1", FID_SMCCC_VERSION, HVC, 0, KVM),
	CALL("after_off_2", FID_PSCI_VERSION, HVC, 0, KVM),
	CALL("after_off_3", FID_TRNG_VERSION, HVC, 0, KVM),
	SET(2, 0, FLAG_DONE),
};

static const struct step hotplug_vcpu3[] = {
	LIFE(0),	/* never runs */
};

static const struct step hotplug_vcpu4[] = {
	LIFE(0),
	CALL("smccc_version", FID_SMCCC_VERSION, HVC, 0, KVM),
	SET(4, 0, FLAG_UP),
	WAIT(4, 0, FLAG_OFF),
	CPU_OFF("cpu_off_final", .flags = STEP_NO_RETURN),
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * nested: one vCPU at virtual EL2 (kvm-arm.mode=nested, 7.x). KVM reflects each HVC
 * into the guest's own EL2 vectors, never reaching its SMCCC dispatcher: the guest
 * hypervisor answers. SMCs from EL2 go to KVM as usual (kvm, denied, forwarded,
 * refused); SYSTEM_OFF goes by SMC, an HVC would only be reflected.
 */
static const struct step nested_boot[] = {
	CALL("nested_hvc_smccc_version", FID_SMCCC_VERSION, HVC, 0, REFLECTED),
	CALL("nested_hvc_psci_version", FID_PSCI_VERSION, HVC, 0, REFLECTED),
	CALL("nested_hvc_imm", FID_SIP32_BASE + 0x21, HVC, 0x1234, REFLECTED, ARGS(0x91)),
	CALL("nested_hvc_fwd_id", FID_OEM32_BASE + 0x21, HVC, 0, REFLECTED, ARGS(0x92)),
	CALL("nested_smc_smccc_version", FID_SMCCC_VERSION, SMC, 0, KVM),
	CALL("nested_smc_psci_version", FID_PSCI_VERSION, SMC, 0, KVM),
	CALL("nested_smc_handled", FID_SIP32_BASE + 0x02, SMC, 0, KVM, ARGS(0x93)),
	CALL("nested_smc_deny", FID_SIP32_BASE + 0x12, SMC, 0, DENIED, ARGS(0x94), .flags = NF),
	CALL("nested_smc_fwd", FID_OEM32_BASE + 0x02, SMC, 0, FORWARDED, ARGS(0x95), .flags = NF),
	CALL("nested_smc_refused", FID_SMCCC_VERSION, SMC, 1, REFUSED, ARGS(0x96)),
	CALL("psci_system_off_smc", FID_PSCI_SYSTEM_OFF, SMC, 0, KVM, .flags = STEP_NO_RETURN),
};

static const struct step *const hotplug_steps[] = {
	hotplug_vcpu0, hotplug_vcpu1, hotplug_vcpu2, hotplug_vcpu3, hotplug_vcpu4,
};
static const size_t hotplug_nr_steps[] = {
	ARRAY_SIZE(hotplug_vcpu0), ARRAY_SIZE(hotplug_vcpu1), ARRAY_SIZE(hotplug_vcpu2),
	ARRAY_SIZE(hotplug_vcpu3), ARRAY_SIZE(hotplug_vcpu4),
};

/* The PSCI calls a hotplug-capable VMM takes over; KVM keeps the rest */
static const struct filter_range hotplug_filters[] = {
	{ FID_PSCI_CPU_OFF, 3, KVM_SMCCC_FILTER_FWD_TO_USER },	/* CPU_OFF, CPU_ON, AFFINITY_INFO */
	{ FID_PSCI_CPU_ON_64, 2, KVM_SMCCC_FILTER_FWD_TO_USER },	/* CPU_ON, AFFINITY_INFO (SMC64) */
};

static const struct scenario scenarios[] = {
	{
		.name = "full",
		.boot = full_boot,
		.nr_boot = ARRAY_SIZE(full_boot),
		.secondary = full_secondary,
		.nr_secondary = ARRAY_SIZE(full_secondary),
		.filters = full_filters,
		.nr_filters = ARRAY_SIZE(full_filters),
	},
	{
		.name = "hotplug",
		.vcpu_steps = hotplug_steps,
		.nr_vcpu_steps = hotplug_nr_steps,
		.nr_vcpus = ARRAY_SIZE(hotplug_steps),
		.filters = hotplug_filters,
		.nr_filters = ARRAY_SIZE(hotplug_filters),
		.userspace_psci = true,
		.not_present = 1u << 3,
	},
	{
		.name = "nested",
		.boot = nested_boot,
		.nr_boot = ARRAY_SIZE(nested_boot),
		.nr_vcpus = 1,
		.filters = full_filters,
		.nr_filters = ARRAY_SIZE(full_filters),
		.el2 = true,
	},
};

const struct scenario *scenario_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

const char *scenario_names(void)
{
	return "full, hotplug, nested";
}

const char *disposition_name(enum disposition disp)
{
	switch (disp) {
	case DISP_KVM:		return "kvm";
	case DISP_DENIED:	return "denied";
	case DISP_FORWARDED:	return "forwarded";
	case DISP_REFUSED:	return "refused";
	case DISP_REFLECTED:	return "reflected";
	case DISP_HYP:		return "hyp";
	}
	return "?";
}
