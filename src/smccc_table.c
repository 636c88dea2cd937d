// SPDX-License-Identifier: GPL-2.0
/*
 * Every SMCCC function ID smccctrace knows by name, and the return-code names
 * of each service's convention. This is the only place IDs are written down;
 * tests/unit/test_smccc.c checks them against the kernel headers' macros.
 *
 * Names are the specification's, prefixed by the service (PSCI_, SDEI_,
 * TRNG_, FFA_, KVM_...). A function with both an SMC32 and an SMC64 ID has
 * one entry per ID under the same name, SMC32 first.
 *
 * The last column says what x0 holds when the call succeeds: STATUS means a
 * return code (0 is SUCCESS), VALUE means data (only negative x0 are codes).
 */
#include "smccc.h"

#define STATUS false
#define VALUE true

const struct smccc_func smccc_funcs[] = {
	/* Arm architecture calls, owner 0: include/linux/arm-smccc.h (DEN0028) */
	{ 0x80000000, "SMCCC_VERSION",			SVC_ARCH, VALUE },
	{ 0x80000001, "SMCCC_ARCH_FEATURES",		SVC_ARCH, STATUS },
	{ 0x80000002, "SMCCC_ARCH_SOC_ID",		SVC_ARCH, VALUE },
	/* ARM_SMCCC_ARCH_SOC_ID64: the SMCCC v1.6 SoC name query */
	{ 0xc0000002, "SMCCC_ARCH_SOC_ID",		SVC_ARCH, VALUE },
	{ 0x80003fff, "SMCCC_ARCH_WORKAROUND_3",	SVC_ARCH, STATUS },
	{ 0x80007fff, "SMCCC_ARCH_WORKAROUND_2",	SVC_ARCH, STATUS },
	{ 0x80008000, "SMCCC_ARCH_WORKAROUND_1",	SVC_ARCH, STATUS },

	/* CPU service calls, owner 1: include/linux/arm-smccc.h (C1-Pro erratum) */
	{ 0x81000010, "SMCCC_CPU_WORKAROUND_4193714",	SVC_CPU, STATUS },

	/* PSCI, standard secure 0x00-0x1f: include/uapi/linux/psci.h (DEN0022) */
	{ 0x84000000, "PSCI_VERSION",			SVC_PSCI, VALUE },
	{ 0x84000001, "PSCI_CPU_SUSPEND",		SVC_PSCI, STATUS },
	{ 0xc4000001, "PSCI_CPU_SUSPEND",		SVC_PSCI, STATUS },
	{ 0x84000002, "PSCI_CPU_OFF",			SVC_PSCI, STATUS },
	{ 0x84000003, "PSCI_CPU_ON",			SVC_PSCI, STATUS },
	{ 0xc4000003, "PSCI_CPU_ON",			SVC_PSCI, STATUS },
	{ 0x84000004, "PSCI_AFFINITY_INFO",		SVC_PSCI, VALUE },
	{ 0xc4000004, "PSCI_AFFINITY_INFO",		SVC_PSCI, VALUE },
	{ 0x84000005, "PSCI_MIGRATE",			SVC_PSCI, STATUS },
	{ 0xc4000005, "PSCI_MIGRATE",			SVC_PSCI, STATUS },
	{ 0x84000006, "PSCI_MIGRATE_INFO_TYPE",		SVC_PSCI, VALUE },
	{ 0x84000007, "PSCI_MIGRATE_INFO_UP_CPU",	SVC_PSCI, VALUE },
	{ 0xc4000007, "PSCI_MIGRATE_INFO_UP_CPU",	SVC_PSCI, VALUE },
	{ 0x84000008, "PSCI_SYSTEM_OFF",		SVC_PSCI, STATUS },
	{ 0x84000009, "PSCI_SYSTEM_RESET",		SVC_PSCI, STATUS },
	{ 0x8400000a, "PSCI_FEATURES",			SVC_PSCI, VALUE },
	{ 0x8400000b, "PSCI_CPU_FREEZE",		SVC_PSCI, STATUS },
	{ 0x8400000c, "PSCI_CPU_DEFAULT_SUSPEND",	SVC_PSCI, STATUS },
	{ 0xc400000c, "PSCI_CPU_DEFAULT_SUSPEND",	SVC_PSCI, STATUS },
	{ 0x8400000d, "PSCI_NODE_HW_STATE",		SVC_PSCI, VALUE },
	{ 0xc400000d, "PSCI_NODE_HW_STATE",		SVC_PSCI, VALUE },
	{ 0x8400000e, "PSCI_SYSTEM_SUSPEND",		SVC_PSCI, STATUS },
	{ 0xc400000e, "PSCI_SYSTEM_SUSPEND",		SVC_PSCI, STATUS },
	{ 0x8400000f, "PSCI_SET_SUSPEND_MODE",		SVC_PSCI, STATUS },
	{ 0x84000010, "PSCI_STAT_RESIDENCY",		SVC_PSCI, VALUE },
	{ 0xc4000010, "PSCI_STAT_RESIDENCY",		SVC_PSCI, VALUE },
	{ 0x84000011, "PSCI_STAT_COUNT",		SVC_PSCI, VALUE },
	{ 0xc4000011, "PSCI_STAT_COUNT",		SVC_PSCI, VALUE },
	{ 0x84000012, "PSCI_SYSTEM_RESET2",		SVC_PSCI, STATUS },
	{ 0xc4000012, "PSCI_SYSTEM_RESET2",		SVC_PSCI, STATUS },
	/* MEM_PROTECT returns the previous enable state */
	{ 0x84000013, "PSCI_MEM_PROTECT",		SVC_PSCI, VALUE },
	{ 0x84000014, "PSCI_MEM_PROTECT_CHECK_RANGE",	SVC_PSCI, STATUS },
	{ 0xc4000014, "PSCI_MEM_PROTECT_CHECK_RANGE",	SVC_PSCI, STATUS },
	{ 0x84000015, "PSCI_SYSTEM_OFF2",		SVC_PSCI, STATUS },
	{ 0xc4000015, "PSCI_SYSTEM_OFF2",		SVC_PSCI, STATUS },
	/* PSCI 1.3 (DEN0022F.b), not in the uapi header yet */
	{ 0xc4000016, "PSCI_CLEAN_INV_MEMREGION",	SVC_PSCI, STATUS },
	{ 0x84000017, "PSCI_CLEAN_INV_MEMREGION_ATTRIBUTES", SVC_PSCI, STATUS },

	/* SDEI, standard secure 0x20-0x3f, SMC64 only: include/uapi/linux/arm_sdei.h (DEN0054) */
	{ 0xc4000020, "SDEI_VERSION",			SVC_SDEI, VALUE },
	{ 0xc4000021, "SDEI_EVENT_REGISTER",		SVC_SDEI, STATUS },
	{ 0xc4000022, "SDEI_EVENT_ENABLE",		SVC_SDEI, STATUS },
	{ 0xc4000023, "SDEI_EVENT_DISABLE",		SVC_SDEI, STATUS },
	{ 0xc4000024, "SDEI_EVENT_CONTEXT",		SVC_SDEI, VALUE },
	{ 0xc4000025, "SDEI_EVENT_COMPLETE",		SVC_SDEI, STATUS },
	{ 0xc4000026, "SDEI_EVENT_COMPLETE_AND_RESUME",	SVC_SDEI, STATUS },
	{ 0xc4000027, "SDEI_EVENT_UNREGISTER",		SVC_SDEI, STATUS },
	{ 0xc4000028, "SDEI_EVENT_STATUS",		SVC_SDEI, VALUE },
	{ 0xc4000029, "SDEI_EVENT_GET_INFO",		SVC_SDEI, VALUE },
	{ 0xc400002a, "SDEI_EVENT_ROUTING_SET",		SVC_SDEI, STATUS },
	/* PE_MASK returns whether the PE was already masked */
	{ 0xc400002b, "SDEI_PE_MASK",			SVC_SDEI, VALUE },
	{ 0xc400002c, "SDEI_PE_UNMASK",			SVC_SDEI, STATUS },
	/* INTERRUPT_BIND returns the event number */
	{ 0xc400002d, "SDEI_INTERRUPT_BIND",		SVC_SDEI, VALUE },
	{ 0xc400002e, "SDEI_INTERRUPT_RELEASE",		SVC_SDEI, STATUS },
	/* SDEI v1.1, not in the uapi header */
	{ 0xc400002f, "SDEI_EVENT_SIGNAL",		SVC_SDEI, STATUS },
	{ 0xc4000030, "SDEI_FEATURES",			SVC_SDEI, VALUE },
	{ 0xc4000031, "SDEI_PRIVATE_RESET",		SVC_SDEI, STATUS },
	{ 0xc4000032, "SDEI_SHARED_RESET",		SVC_SDEI, STATUS },

	/* TRNG, standard secure 0x50-0x5f: include/linux/arm-smccc.h (DEN0098) */
	{ 0x84000050, "TRNG_VERSION",			SVC_TRNG, VALUE },
	{ 0x84000051, "TRNG_FEATURES",			SVC_TRNG, STATUS },
	/* GET_UUID returns the UUID's first word */
	{ 0x84000052, "TRNG_GET_UUID",			SVC_TRNG, VALUE },
	{ 0x84000053, "TRNG_RND32",			SVC_TRNG, STATUS },
	{ 0xc4000053, "TRNG_RND64",			SVC_TRNG, STATUS },

	/*
	 * FF-A, standard secure 0x60-0xef: include/linux/arm_ffa.h (DEN0077).
	 * x0 on return is a function ID (FFA_SUCCESS, FFA_ERROR...), see
	 * smccc_ret_name(), so the last column does not matter here.
	 */
	{ 0x84000060, "FFA_ERROR",			SVC_FFA, STATUS },
	{ 0x84000061, "FFA_SUCCESS",			SVC_FFA, STATUS },
	{ 0xc4000061, "FFA_SUCCESS",			SVC_FFA, STATUS },
	{ 0x84000062, "FFA_INTERRUPT",			SVC_FFA, STATUS },
	{ 0x84000063, "FFA_VERSION",			SVC_FFA, STATUS },
	{ 0x84000064, "FFA_FEATURES",			SVC_FFA, STATUS },
	{ 0x84000065, "FFA_RX_RELEASE",			SVC_FFA, STATUS },
	{ 0x84000066, "FFA_RXTX_MAP",			SVC_FFA, STATUS },
	{ 0xc4000066, "FFA_RXTX_MAP",			SVC_FFA, STATUS },
	{ 0x84000067, "FFA_RXTX_UNMAP",			SVC_FFA, STATUS },
	{ 0x84000068, "FFA_PARTITION_INFO_GET",		SVC_FFA, STATUS },
	{ 0x84000069, "FFA_ID_GET",			SVC_FFA, STATUS },
	{ 0x8400006a, "FFA_MSG_POLL",			SVC_FFA, STATUS },
	{ 0x8400006b, "FFA_MSG_WAIT",			SVC_FFA, STATUS },
	{ 0x8400006c, "FFA_YIELD",			SVC_FFA, STATUS },
	{ 0x8400006d, "FFA_RUN",			SVC_FFA, STATUS },
	{ 0x8400006e, "FFA_MSG_SEND",			SVC_FFA, STATUS },
	{ 0x8400006f, "FFA_MSG_SEND_DIRECT_REQ",	SVC_FFA, STATUS },
	{ 0xc400006f, "FFA_MSG_SEND_DIRECT_REQ",	SVC_FFA, STATUS },
	{ 0x84000070, "FFA_MSG_SEND_DIRECT_RESP",	SVC_FFA, STATUS },
	{ 0xc4000070, "FFA_MSG_SEND_DIRECT_RESP",	SVC_FFA, STATUS },
	{ 0x84000071, "FFA_MEM_DONATE",			SVC_FFA, STATUS },
	{ 0xc4000071, "FFA_MEM_DONATE",			SVC_FFA, STATUS },
	{ 0x84000072, "FFA_MEM_LEND",			SVC_FFA, STATUS },
	{ 0xc4000072, "FFA_MEM_LEND",			SVC_FFA, STATUS },
	{ 0x84000073, "FFA_MEM_SHARE",			SVC_FFA, STATUS },
	{ 0xc4000073, "FFA_MEM_SHARE",			SVC_FFA, STATUS },
	{ 0x84000074, "FFA_MEM_RETRIEVE_REQ",		SVC_FFA, STATUS },
	{ 0xc4000074, "FFA_MEM_RETRIEVE_REQ",		SVC_FFA, STATUS },
	{ 0x84000075, "FFA_MEM_RETRIEVE_RESP",		SVC_FFA, STATUS },
	{ 0x84000076, "FFA_MEM_RELINQUISH",		SVC_FFA, STATUS },
	{ 0x84000077, "FFA_MEM_RECLAIM",		SVC_FFA, STATUS },
	{ 0x84000078, "FFA_MEM_OP_PAUSE",		SVC_FFA, STATUS },
	{ 0x84000079, "FFA_MEM_OP_RESUME",		SVC_FFA, STATUS },
	{ 0x8400007a, "FFA_MEM_FRAG_RX",		SVC_FFA, STATUS },
	{ 0x8400007b, "FFA_MEM_FRAG_TX",		SVC_FFA, STATUS },
	{ 0x8400007c, "FFA_NORMAL_WORLD_RESUME",	SVC_FFA, STATUS },
	{ 0x8400007d, "FFA_NOTIFICATION_BITMAP_CREATE",	SVC_FFA, STATUS },
	{ 0x8400007e, "FFA_NOTIFICATION_BITMAP_DESTROY", SVC_FFA, STATUS },
	{ 0x8400007f, "FFA_NOTIFICATION_BIND",		SVC_FFA, STATUS },
	{ 0x84000080, "FFA_NOTIFICATION_UNBIND",	SVC_FFA, STATUS },
	{ 0x84000081, "FFA_NOTIFICATION_SET",		SVC_FFA, STATUS },
	{ 0x84000082, "FFA_NOTIFICATION_GET",		SVC_FFA, STATUS },
	{ 0x84000083, "FFA_NOTIFICATION_INFO_GET",	SVC_FFA, STATUS },
	{ 0xc4000083, "FFA_NOTIFICATION_INFO_GET",	SVC_FFA, STATUS },
	{ 0x84000084, "FFA_RX_ACQUIRE",			SVC_FFA, STATUS },
	{ 0x84000085, "FFA_SPM_ID_GET",			SVC_FFA, STATUS },
	{ 0x84000086, "FFA_MSG_SEND2",			SVC_FFA, STATUS },
	{ 0x84000087, "FFA_SECONDARY_EP_REGISTER",	SVC_FFA, STATUS },
	{ 0xc4000087, "FFA_SECONDARY_EP_REGISTER",	SVC_FFA, STATUS },
	{ 0x84000088, "FFA_MEM_PERM_GET",		SVC_FFA, STATUS },
	{ 0xc4000088, "FFA_MEM_PERM_GET",		SVC_FFA, STATUS },
	{ 0x84000089, "FFA_MEM_PERM_SET",		SVC_FFA, STATUS },
	{ 0xc4000089, "FFA_MEM_PERM_SET",		SVC_FFA, STATUS },
	{ 0x8400008a, "FFA_CONSOLE_LOG",		SVC_FFA, STATUS },
	/* FF-A v1.2 SMC64 form; Linux defines only the SMC32 one */
	{ 0xc400008a, "FFA_CONSOLE_LOG",		SVC_FFA, STATUS },
	{ 0xc400008b, "FFA_PARTITION_INFO_GET_REGS",	SVC_FFA, STATUS },
	{ 0x8400008c, "FFA_EL3_INTR_HANDLE",		SVC_FFA, STATUS },
	{ 0xc400008d, "FFA_MSG_SEND_DIRECT_REQ2",	SVC_FFA, STATUS },
	{ 0xc400008e, "FFA_MSG_SEND_DIRECT_RESP2",	SVC_FFA, STATUS },

	/* Paravirtualised time, standard hyp: include/linux/arm-smccc.h (DEN0057) */
	{ 0xc5000020, "PV_TIME_FEATURES",		SVC_PV_TIME, STATUS },
	/* PV_TIME_ST returns the IPA of the stolen-time structure */
	{ 0xc5000021, "PV_TIME_ST",			SVC_PV_TIME, VALUE },

	/* Vendor hyp general queries (DEN0028); Linux defines CALL_UID only */
	{ 0x8600ff00, "VENDOR_HYP_CALL_COUNT",		SVC_KVM, VALUE },
	{ 0x8600ff01, "VENDOR_HYP_CALL_UID",		SVC_KVM, VALUE },
	{ 0x8600ff03, "VENDOR_HYP_REVISION",		SVC_KVM, VALUE },
	/*
	 * KVM's vendor hyp calls, ARM_SMCCC_VENDOR_HYP_KVM_*_FUNC_ID in
	 * include/linux/arm-smccc.h; Documentation/virt/kvm/arm/hypercalls.rst.
	 */
	{ 0x86000000, "KVM_FEATURES",			SVC_KVM, VALUE },
	/* PTP returns the upper 32 bits of the wall clock */
	{ 0x86000001, "KVM_PTP",			SVC_KVM, VALUE },
	/* pKVM guest calls, numbers 2..63; HYP_MEMINFO returns the granule size */
	{ 0xc6000002, "KVM_HYP_MEMINFO",		SVC_KVM, VALUE },
	{ 0xc6000003, "KVM_MEM_SHARE",			SVC_KVM, STATUS },
	{ 0xc6000004, "KVM_MEM_UNSHARE",		SVC_KVM, STATUS },
	/*
	 * Android common kernel pKVM calls; mainline reserves these numbers
	 * (ARM_SMCCC_KVM_FUNC_PKVM_RESV_n) for them. MMIO_GUARD_INFO returns
	 * the MMIO guard granule.
	 */
	{ 0xc6000005, "KVM_MMIO_GUARD_INFO",		SVC_KVM, VALUE },
	{ 0xc6000006, "KVM_MMIO_GUARD_ENROLL",		SVC_KVM, STATUS },
	/* mainline's name; Android calls it MMIO_GUARD_MAP */
	{ 0xc6000007, "KVM_MMIO_GUARD",			SVC_KVM, STATUS },
	{ 0xc6000008, "KVM_MMIO_GUARD_UNMAP",		SVC_KVM, STATUS },
	{ 0xc6000009, "KVM_MEM_RELINQUISH",		SVC_KVM, STATUS },
	{ 0xc600000a, "KVM_MMIO_RGUARD_MAP",		SVC_KVM, STATUS },
	{ 0xc600000b, "KVM_MMIO_RGUARD_UNMAP",		SVC_KVM, STATUS },
	/* Implementation CPUs a guest may migrate across */
	{ 0xc6000040, "KVM_DISCOVER_IMPL_VER",		SVC_KVM, STATUS },
	{ 0xc6000041, "KVM_DISCOVER_IMPL_CPUS",		SVC_KVM, STATUS },
};

const size_t smccc_funcs_count = sizeof(smccc_funcs) / sizeof(smccc_funcs[0]);

/* SMCCC_RET_*: include/linux/arm-smccc.h (DEN0028). Also used by arch, KVM, PV time. */
const struct smccc_ret_code smccc_ret_codes_smccc[] = {
	{ 0, "SUCCESS" },
	{ -1, "NOT_SUPPORTED" },
	{ -2, "NOT_REQUIRED" },
	{ -3, "INVALID_PARAMETER" },
	{ 0, NULL },
};

/* PSCI_RET_*: include/uapi/linux/psci.h (DEN0022); -10..-12 are PSCI 1.3 */
const struct smccc_ret_code smccc_ret_codes_psci[] = {
	{ 0, "SUCCESS" },
	{ -1, "NOT_SUPPORTED" },
	{ -2, "INVALID_PARAMETERS" },
	{ -3, "DENIED" },
	{ -4, "ALREADY_ON" },
	{ -5, "ON_PENDING" },
	{ -6, "INTERNAL_FAILURE" },
	{ -7, "NOT_PRESENT" },
	{ -8, "DISABLED" },
	{ -9, "INVALID_ADDRESS" },
	{ -10, "TIMEOUT" },
	{ -11, "RATE_LIMITED" },
	{ -12, "BUSY" },
	{ 0, NULL },
};

/* SDEI_*: include/uapi/linux/arm_sdei.h (DEN0054) */
const struct smccc_ret_code smccc_ret_codes_sdei[] = {
	{ 0, "SUCCESS" },
	{ -1, "NOT_SUPPORTED" },
	{ -2, "INVALID_PARAMETERS" },
	{ -3, "DENIED" },
	{ -5, "PENDING" },
	{ -10, "OUT_OF_RESOURCE" },
	{ 0, NULL },
};

/* TRNG_*: DEN0098; drivers/char/hw_random/arm_smccc_trng.c */
const struct smccc_ret_code smccc_ret_codes_trng[] = {
	{ 0, "SUCCESS" },
	{ -1, "NOT_SUPPORTED" },
	{ -2, "INVALID_PARAMETERS" },
	{ -3, "NO_ENTROPY" },
	{ 0, NULL },
};
