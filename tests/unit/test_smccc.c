// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the SMCCC decoder (src/smccc*.c) and `smccctrace decode`.
 *
 * The expected IDs are not taken from the code under test: kernel_funcs[]
 * rebuilds every ID with the kernel headers' own macros (copied below), and
 * when the host has the uapi headers, their PSCI/SDEI macros are checked too.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include "unit.h"
#include <linux/types.h>
#include "smccc.h"
#include "smccctrace.h"

#if __has_include(<linux/psci.h>)
#include <linux/psci.h>
#define HAVE_UAPI_PSCI 1
#endif
#if __has_include(<linux/arm_sdei.h>)
#include <linux/arm_sdei.h>
#define HAVE_UAPI_SDEI 1
#endif

/* include/linux/arm-smccc.h */
#define CALL_VAL(type, conv, owner, num) \
	((uint32_t)(((type) << 31) | ((conv) << 30) | (((owner) & 0x3f) << 24) | ((num) & 0xffff)))
#define FAST 1u
#define SMC_32 0u
#define SMC_64 1u
#define OWNER_ARCH 0u
#define OWNER_CPU 1u
#define OWNER_STANDARD 4u
#define OWNER_STANDARD_HYP 5u
#define OWNER_VENDOR_HYP 6u
/* include/uapi/linux/psci.h */
#define PSCI_FN(n) (0x84000000u + (n))
#define PSCI_FN64(n) (0x84000000u + 0x40000000u + (n))
/* include/uapi/linux/arm_sdei.h */
#define SDEI_FN(n) (0xC4000020u + (n))
/* include/linux/arm_ffa.h */
#define FFA_SMC_32(n) CALL_VAL(FAST, SMC_32, OWNER_STANDARD, (n))
#define FFA_SMC_64(n) CALL_VAL(FAST, SMC_64, OWNER_STANDARD, (n))
/* KVM vendor hyp calls */
#define KVM_FN32(n) CALL_VAL(FAST, SMC_32, OWNER_VENDOR_HYP, (n))
#define KVM_FN64(n) CALL_VAL(FAST, SMC_64, OWNER_VENDOR_HYP, (n))

struct named_id {
	uint32_t id;
	const char *name;
};

/* Every ID the kernel headers define (and the spec-only ones we carry), with its name. */
static const struct named_id kernel_funcs[] = {
	/* arm-smccc.h */
	{ CALL_VAL(FAST, SMC_32, OWNER_ARCH, 0), "SMCCC_VERSION" },
	{ CALL_VAL(FAST, SMC_32, OWNER_ARCH, 1), "SMCCC_ARCH_FEATURES" },
	{ CALL_VAL(FAST, SMC_32, OWNER_ARCH, 2), "SMCCC_ARCH_SOC_ID" },
	{ CALL_VAL(FAST, SMC_64, OWNER_ARCH, 2), "SMCCC_ARCH_SOC_ID" },
	{ CALL_VAL(FAST, SMC_32, OWNER_ARCH, 0x8000), "SMCCC_ARCH_WORKAROUND_1" },
	{ CALL_VAL(FAST, SMC_32, OWNER_ARCH, 0x7fff), "SMCCC_ARCH_WORKAROUND_2" },
	{ CALL_VAL(FAST, SMC_32, OWNER_ARCH, 0x3fff), "SMCCC_ARCH_WORKAROUND_3" },
	{ CALL_VAL(FAST, SMC_32, OWNER_CPU, 0x10), "SMCCC_CPU_WORKAROUND_4193714" },
	{ CALL_VAL(FAST, SMC_64, OWNER_STANDARD_HYP, 0x20), "PV_TIME_FEATURES" },
	{ CALL_VAL(FAST, SMC_64, OWNER_STANDARD_HYP, 0x21), "PV_TIME_ST" },
	{ CALL_VAL(FAST, SMC_32, OWNER_STANDARD, 0x50), "TRNG_VERSION" },
	{ CALL_VAL(FAST, SMC_32, OWNER_STANDARD, 0x51), "TRNG_FEATURES" },
	{ CALL_VAL(FAST, SMC_32, OWNER_STANDARD, 0x52), "TRNG_GET_UUID" },
	{ CALL_VAL(FAST, SMC_32, OWNER_STANDARD, 0x53), "TRNG_RND32" },
	{ CALL_VAL(FAST, SMC_64, OWNER_STANDARD, 0x53), "TRNG_RND64" },
	{ CALL_VAL(FAST, SMC_32, OWNER_VENDOR_HYP, 0xff01), "VENDOR_HYP_CALL_UID" },
	{ CALL_VAL(FAST, SMC_32, OWNER_VENDOR_HYP, 0xff00), "VENDOR_HYP_CALL_COUNT" },
	{ CALL_VAL(FAST, SMC_32, OWNER_VENDOR_HYP, 0xff03), "VENDOR_HYP_REVISION" },
	/* ARM_SMCCC_KVM_FUNC_* */
	{ KVM_FN32(0), "KVM_FEATURES" },
	{ KVM_FN32(1), "KVM_PTP" },
	{ KVM_FN64(2), "KVM_HYP_MEMINFO" },
	{ KVM_FN64(3), "KVM_MEM_SHARE" },
	{ KVM_FN64(4), "KVM_MEM_UNSHARE" },
	{ KVM_FN64(5), "KVM_MMIO_GUARD_INFO" },
	{ KVM_FN64(6), "KVM_MMIO_GUARD_ENROLL" },
	{ KVM_FN64(7), "KVM_MMIO_GUARD" },
	{ KVM_FN64(8), "KVM_MMIO_GUARD_UNMAP" },
	{ KVM_FN64(9), "KVM_MEM_RELINQUISH" },
	{ KVM_FN64(10), "KVM_MMIO_RGUARD_MAP" },
	{ KVM_FN64(11), "KVM_MMIO_RGUARD_UNMAP" },
	{ KVM_FN64(64), "KVM_DISCOVER_IMPL_VER" },
	{ KVM_FN64(65), "KVM_DISCOVER_IMPL_CPUS" },
	/* psci.h */
	{ PSCI_FN(0), "PSCI_VERSION" },
	{ PSCI_FN(1), "PSCI_CPU_SUSPEND" },
	{ PSCI_FN(2), "PSCI_CPU_OFF" },
	{ PSCI_FN(3), "PSCI_CPU_ON" },
	{ PSCI_FN(4), "PSCI_AFFINITY_INFO" },
	{ PSCI_FN(5), "PSCI_MIGRATE" },
	{ PSCI_FN(6), "PSCI_MIGRATE_INFO_TYPE" },
	{ PSCI_FN(7), "PSCI_MIGRATE_INFO_UP_CPU" },
	{ PSCI_FN(8), "PSCI_SYSTEM_OFF" },
	{ PSCI_FN(9), "PSCI_SYSTEM_RESET" },
	{ PSCI_FN64(1), "PSCI_CPU_SUSPEND" },
	{ PSCI_FN64(3), "PSCI_CPU_ON" },
	{ PSCI_FN64(4), "PSCI_AFFINITY_INFO" },
	{ PSCI_FN64(5), "PSCI_MIGRATE" },
	{ PSCI_FN64(7), "PSCI_MIGRATE_INFO_UP_CPU" },
	{ PSCI_FN(10), "PSCI_FEATURES" },
	{ PSCI_FN(11), "PSCI_CPU_FREEZE" },
	{ PSCI_FN(12), "PSCI_CPU_DEFAULT_SUSPEND" },
	{ PSCI_FN(13), "PSCI_NODE_HW_STATE" },
	{ PSCI_FN(14), "PSCI_SYSTEM_SUSPEND" },
	{ PSCI_FN(15), "PSCI_SET_SUSPEND_MODE" },
	{ PSCI_FN(16), "PSCI_STAT_RESIDENCY" },
	{ PSCI_FN(17), "PSCI_STAT_COUNT" },
	{ PSCI_FN(18), "PSCI_SYSTEM_RESET2" },
	{ PSCI_FN(19), "PSCI_MEM_PROTECT" },
	{ PSCI_FN(20), "PSCI_MEM_PROTECT_CHECK_RANGE" },
	{ PSCI_FN(21), "PSCI_SYSTEM_OFF2" },
	{ PSCI_FN(23), "PSCI_CLEAN_INV_MEMREGION_ATTRIBUTES" },
	{ PSCI_FN64(12), "PSCI_CPU_DEFAULT_SUSPEND" },
	{ PSCI_FN64(13), "PSCI_NODE_HW_STATE" },
	{ PSCI_FN64(14), "PSCI_SYSTEM_SUSPEND" },
	{ PSCI_FN64(16), "PSCI_STAT_RESIDENCY" },
	{ PSCI_FN64(17), "PSCI_STAT_COUNT" },
	{ PSCI_FN64(18), "PSCI_SYSTEM_RESET2" },
	{ PSCI_FN64(20), "PSCI_MEM_PROTECT_CHECK_RANGE" },
	{ PSCI_FN64(21), "PSCI_SYSTEM_OFF2" },
	{ PSCI_FN64(22), "PSCI_CLEAN_INV_MEMREGION" },
	/* arm_sdei.h */
	{ SDEI_FN(0x00), "SDEI_VERSION" },
	{ SDEI_FN(0x01), "SDEI_EVENT_REGISTER" },
	{ SDEI_FN(0x02), "SDEI_EVENT_ENABLE" },
	{ SDEI_FN(0x03), "SDEI_EVENT_DISABLE" },
	{ SDEI_FN(0x04), "SDEI_EVENT_CONTEXT" },
	{ SDEI_FN(0x05), "SDEI_EVENT_COMPLETE" },
	{ SDEI_FN(0x06), "SDEI_EVENT_COMPLETE_AND_RESUME" },
	{ SDEI_FN(0x07), "SDEI_EVENT_UNREGISTER" },
	{ SDEI_FN(0x08), "SDEI_EVENT_STATUS" },
	{ SDEI_FN(0x09), "SDEI_EVENT_GET_INFO" },
	{ SDEI_FN(0x0A), "SDEI_EVENT_ROUTING_SET" },
	{ SDEI_FN(0x0B), "SDEI_PE_MASK" },
	{ SDEI_FN(0x0C), "SDEI_PE_UNMASK" },
	{ SDEI_FN(0x0D), "SDEI_INTERRUPT_BIND" },
	{ SDEI_FN(0x0E), "SDEI_INTERRUPT_RELEASE" },
	{ SDEI_FN(0x0F), "SDEI_EVENT_SIGNAL" },
	{ SDEI_FN(0x10), "SDEI_FEATURES" },
	{ SDEI_FN(0x11), "SDEI_PRIVATE_RESET" },
	{ SDEI_FN(0x12), "SDEI_SHARED_RESET" },
	/* arm_ffa.h */
	{ FFA_SMC_32(0x60), "FFA_ERROR" },
	{ FFA_SMC_32(0x61), "FFA_SUCCESS" },
	{ FFA_SMC_64(0x61), "FFA_SUCCESS" },
	{ FFA_SMC_32(0x62), "FFA_INTERRUPT" },
	{ FFA_SMC_32(0x63), "FFA_VERSION" },
	{ FFA_SMC_32(0x64), "FFA_FEATURES" },
	{ FFA_SMC_32(0x65), "FFA_RX_RELEASE" },
	{ FFA_SMC_32(0x66), "FFA_RXTX_MAP" },
	{ FFA_SMC_64(0x66), "FFA_RXTX_MAP" },
	{ FFA_SMC_32(0x67), "FFA_RXTX_UNMAP" },
	{ FFA_SMC_32(0x68), "FFA_PARTITION_INFO_GET" },
	{ FFA_SMC_32(0x69), "FFA_ID_GET" },
	{ FFA_SMC_32(0x6A), "FFA_MSG_POLL" },
	{ FFA_SMC_32(0x6B), "FFA_MSG_WAIT" },
	{ FFA_SMC_32(0x6C), "FFA_YIELD" },
	{ FFA_SMC_32(0x6D), "FFA_RUN" },
	{ FFA_SMC_32(0x6E), "FFA_MSG_SEND" },
	{ FFA_SMC_32(0x6F), "FFA_MSG_SEND_DIRECT_REQ" },
	{ FFA_SMC_64(0x6F), "FFA_MSG_SEND_DIRECT_REQ" },
	{ FFA_SMC_32(0x70), "FFA_MSG_SEND_DIRECT_RESP" },
	{ FFA_SMC_64(0x70), "FFA_MSG_SEND_DIRECT_RESP" },
	{ FFA_SMC_32(0x71), "FFA_MEM_DONATE" },
	{ FFA_SMC_64(0x71), "FFA_MEM_DONATE" },
	{ FFA_SMC_32(0x72), "FFA_MEM_LEND" },
	{ FFA_SMC_64(0x72), "FFA_MEM_LEND" },
	{ FFA_SMC_32(0x73), "FFA_MEM_SHARE" },
	{ FFA_SMC_64(0x73), "FFA_MEM_SHARE" },
	{ FFA_SMC_32(0x74), "FFA_MEM_RETRIEVE_REQ" },
	{ FFA_SMC_64(0x74), "FFA_MEM_RETRIEVE_REQ" },
	{ FFA_SMC_32(0x75), "FFA_MEM_RETRIEVE_RESP" },
	{ FFA_SMC_32(0x76), "FFA_MEM_RELINQUISH" },
	{ FFA_SMC_32(0x77), "FFA_MEM_RECLAIM" },
	{ FFA_SMC_32(0x78), "FFA_MEM_OP_PAUSE" },
	{ FFA_SMC_32(0x79), "FFA_MEM_OP_RESUME" },
	{ FFA_SMC_32(0x7A), "FFA_MEM_FRAG_RX" },
	{ FFA_SMC_32(0x7B), "FFA_MEM_FRAG_TX" },
	{ FFA_SMC_32(0x7C), "FFA_NORMAL_WORLD_RESUME" },
	{ FFA_SMC_32(0x7D), "FFA_NOTIFICATION_BITMAP_CREATE" },
	{ FFA_SMC_32(0x7E), "FFA_NOTIFICATION_BITMAP_DESTROY" },
	{ FFA_SMC_32(0x7F), "FFA_NOTIFICATION_BIND" },
	{ FFA_SMC_32(0x80), "FFA_NOTIFICATION_UNBIND" },
	{ FFA_SMC_32(0x81), "FFA_NOTIFICATION_SET" },
	{ FFA_SMC_32(0x82), "FFA_NOTIFICATION_GET" },
	{ FFA_SMC_32(0x83), "FFA_NOTIFICATION_INFO_GET" },
	{ FFA_SMC_64(0x83), "FFA_NOTIFICATION_INFO_GET" },
	{ FFA_SMC_32(0x84), "FFA_RX_ACQUIRE" },
	{ FFA_SMC_32(0x85), "FFA_SPM_ID_GET" },
	{ FFA_SMC_32(0x86), "FFA_MSG_SEND2" },
	{ FFA_SMC_32(0x87), "FFA_SECONDARY_EP_REGISTER" },
	{ FFA_SMC_64(0x87), "FFA_SECONDARY_EP_REGISTER" },
	{ FFA_SMC_32(0x88), "FFA_MEM_PERM_GET" },
	{ FFA_SMC_64(0x88), "FFA_MEM_PERM_GET" },
	{ FFA_SMC_32(0x89), "FFA_MEM_PERM_SET" },
	{ FFA_SMC_64(0x89), "FFA_MEM_PERM_SET" },
	{ FFA_SMC_32(0x8A), "FFA_CONSOLE_LOG" },
	{ FFA_SMC_64(0x8A), "FFA_CONSOLE_LOG" },
	{ FFA_SMC_64(0x8B), "FFA_PARTITION_INFO_GET_REGS" },
	{ FFA_SMC_32(0x8C), "FFA_EL3_INTR_HANDLE" },
	{ FFA_SMC_64(0x8D), "FFA_MSG_SEND_DIRECT_REQ2" },
	{ FFA_SMC_64(0x8E), "FFA_MSG_SEND_DIRECT_RESP2" },
};
#define N_KERNEL_FUNCS (sizeof(kernel_funcs) / sizeof(kernel_funcs[0]))

static size_t count_kernel_funcs_with_prefix(const char *prefix)
{
	size_t i, n = 0;

	for (i = 0; i < N_KERNEL_FUNCS; i++)
		n += !strncmp(kernel_funcs[i].name, prefix, strlen(prefix));
	return n;
}

static const char *name_of(uint32_t id)
{
	static char buf[SMCCC_NAME_MAX];

	return smccc_name(id, buf, sizeof(buf));
}

/* Every kernel-defined ID is in the table under its name, and nothing else is. */
static void test_kernel_ids(void)
{
	const struct smccc_func *func;
	size_t i;

	for (i = 0; i < N_KERNEL_FUNCS; i++) {
		func = smccc_lookup(kernel_funcs[i].id);
		CHECK(func != NULL, "0x%08x (%s) missing from the table",
		      kernel_funcs[i].id, kernel_funcs[i].name);
		CHECK_STR(name_of(kernel_funcs[i].id), kernel_funcs[i].name);
	}
	CHECK_INT(smccc_funcs_count, N_KERNEL_FUNCS);
}

#ifdef HAVE_UAPI_PSCI
static void test_uapi_psci(void)
{
	static const struct named_id uapi[] = {
		{ PSCI_0_2_FN_PSCI_VERSION, "PSCI_VERSION" },
		{ PSCI_0_2_FN_CPU_SUSPEND, "PSCI_CPU_SUSPEND" },
		{ PSCI_0_2_FN_CPU_OFF, "PSCI_CPU_OFF" },
		{ PSCI_0_2_FN_CPU_ON, "PSCI_CPU_ON" },
		{ PSCI_0_2_FN_AFFINITY_INFO, "PSCI_AFFINITY_INFO" },
		{ PSCI_0_2_FN_MIGRATE, "PSCI_MIGRATE" },
		{ PSCI_0_2_FN_MIGRATE_INFO_TYPE, "PSCI_MIGRATE_INFO_TYPE" },
		{ PSCI_0_2_FN_MIGRATE_INFO_UP_CPU, "PSCI_MIGRATE_INFO_UP_CPU" },
		{ PSCI_0_2_FN_SYSTEM_OFF, "PSCI_SYSTEM_OFF" },
		{ PSCI_0_2_FN_SYSTEM_RESET, "PSCI_SYSTEM_RESET" },
		{ PSCI_0_2_FN64_CPU_SUSPEND, "PSCI_CPU_SUSPEND" },
		{ PSCI_0_2_FN64_CPU_ON, "PSCI_CPU_ON" },
		{ PSCI_0_2_FN64_AFFINITY_INFO, "PSCI_AFFINITY_INFO" },
		{ PSCI_0_2_FN64_MIGRATE, "PSCI_MIGRATE" },
		{ PSCI_0_2_FN64_MIGRATE_INFO_UP_CPU, "PSCI_MIGRATE_INFO_UP_CPU" },
		{ PSCI_1_0_FN_PSCI_FEATURES, "PSCI_FEATURES" },
		{ PSCI_1_0_FN_SYSTEM_SUSPEND, "PSCI_SYSTEM_SUSPEND" },
		{ PSCI_1_0_FN64_SYSTEM_SUSPEND, "PSCI_SYSTEM_SUSPEND" },
#ifdef PSCI_1_0_FN_CPU_FREEZE
		{ PSCI_1_0_FN_CPU_FREEZE, "PSCI_CPU_FREEZE" },
		{ PSCI_1_0_FN_CPU_DEFAULT_SUSPEND, "PSCI_CPU_DEFAULT_SUSPEND" },
		{ PSCI_1_0_FN_NODE_HW_STATE, "PSCI_NODE_HW_STATE" },
		{ PSCI_1_0_FN_SET_SUSPEND_MODE, "PSCI_SET_SUSPEND_MODE" },
		{ PSCI_1_0_FN_STAT_RESIDENCY, "PSCI_STAT_RESIDENCY" },
		{ PSCI_1_0_FN_STAT_COUNT, "PSCI_STAT_COUNT" },
		{ PSCI_1_0_FN64_CPU_DEFAULT_SUSPEND, "PSCI_CPU_DEFAULT_SUSPEND" },
		{ PSCI_1_0_FN64_NODE_HW_STATE, "PSCI_NODE_HW_STATE" },
		{ PSCI_1_0_FN64_STAT_RESIDENCY, "PSCI_STAT_RESIDENCY" },
		{ PSCI_1_0_FN64_STAT_COUNT, "PSCI_STAT_COUNT" },
#endif
#ifdef PSCI_1_1_FN_SYSTEM_RESET2
		{ PSCI_1_1_FN_SYSTEM_RESET2, "PSCI_SYSTEM_RESET2" },
		{ PSCI_1_1_FN_MEM_PROTECT, "PSCI_MEM_PROTECT" },
		{ PSCI_1_1_FN_MEM_PROTECT_CHECK_RANGE, "PSCI_MEM_PROTECT_CHECK_RANGE" },
		{ PSCI_1_1_FN64_SYSTEM_RESET2, "PSCI_SYSTEM_RESET2" },
		{ PSCI_1_1_FN64_MEM_PROTECT_CHECK_RANGE, "PSCI_MEM_PROTECT_CHECK_RANGE" },
#endif
#ifdef PSCI_1_3_FN_SYSTEM_OFF2
		{ PSCI_1_3_FN_SYSTEM_OFF2, "PSCI_SYSTEM_OFF2" },
		{ PSCI_1_3_FN64_SYSTEM_OFF2, "PSCI_SYSTEM_OFF2" },
#endif
	};
	static const struct { int value; const char *name; } rets[] = {
		{ PSCI_RET_SUCCESS, "SUCCESS" },
		{ PSCI_RET_NOT_SUPPORTED, "NOT_SUPPORTED" },
		{ PSCI_RET_INVALID_PARAMS, "INVALID_PARAMETERS" },
		{ PSCI_RET_DENIED, "DENIED" },
		{ PSCI_RET_ALREADY_ON, "ALREADY_ON" },
		{ PSCI_RET_ON_PENDING, "ON_PENDING" },
		{ PSCI_RET_INTERNAL_FAILURE, "INTERNAL_FAILURE" },
		{ PSCI_RET_NOT_PRESENT, "NOT_PRESENT" },
		{ PSCI_RET_DISABLED, "DISABLED" },
		{ PSCI_RET_INVALID_ADDRESS, "INVALID_ADDRESS" },
	};
	size_t i;

	for (i = 0; i < sizeof(uapi) / sizeof(uapi[0]); i++)
		CHECK_STR(name_of(uapi[i].id), uapi[i].name);
	for (i = 0; i < sizeof(rets) / sizeof(rets[0]); i++)
		CHECK_STR(smccc_ret_name(PSCI_0_2_FN64_CPU_ON, (uint64_t)(int64_t)rets[i].value),
			  rets[i].name);
}
#endif

#ifdef HAVE_UAPI_SDEI
static void test_uapi_sdei(void)
{
	static const struct named_id uapi[] = {
		{ SDEI_1_0_FN_SDEI_VERSION, "SDEI_VERSION" },
		{ SDEI_1_0_FN_SDEI_EVENT_REGISTER, "SDEI_EVENT_REGISTER" },
		{ SDEI_1_0_FN_SDEI_EVENT_ENABLE, "SDEI_EVENT_ENABLE" },
		{ SDEI_1_0_FN_SDEI_EVENT_DISABLE, "SDEI_EVENT_DISABLE" },
		{ SDEI_1_0_FN_SDEI_EVENT_CONTEXT, "SDEI_EVENT_CONTEXT" },
		{ SDEI_1_0_FN_SDEI_EVENT_COMPLETE, "SDEI_EVENT_COMPLETE" },
		{ SDEI_1_0_FN_SDEI_EVENT_COMPLETE_AND_RESUME, "SDEI_EVENT_COMPLETE_AND_RESUME" },
		{ SDEI_1_0_FN_SDEI_EVENT_UNREGISTER, "SDEI_EVENT_UNREGISTER" },
		{ SDEI_1_0_FN_SDEI_EVENT_STATUS, "SDEI_EVENT_STATUS" },
		{ SDEI_1_0_FN_SDEI_EVENT_GET_INFO, "SDEI_EVENT_GET_INFO" },
		{ SDEI_1_0_FN_SDEI_EVENT_ROUTING_SET, "SDEI_EVENT_ROUTING_SET" },
		{ SDEI_1_0_FN_SDEI_PE_MASK, "SDEI_PE_MASK" },
		{ SDEI_1_0_FN_SDEI_PE_UNMASK, "SDEI_PE_UNMASK" },
		{ SDEI_1_0_FN_SDEI_INTERRUPT_BIND, "SDEI_INTERRUPT_BIND" },
		{ SDEI_1_0_FN_SDEI_INTERRUPT_RELEASE, "SDEI_INTERRUPT_RELEASE" },
		{ SDEI_1_0_FN_SDEI_PRIVATE_RESET, "SDEI_PRIVATE_RESET" },
		{ SDEI_1_0_FN_SDEI_SHARED_RESET, "SDEI_SHARED_RESET" },
	};
	static const struct { int value; const char *name; } rets[] = {
		{ SDEI_SUCCESS, "SUCCESS" },
		{ SDEI_NOT_SUPPORTED, "NOT_SUPPORTED" },
		{ SDEI_INVALID_PARAMETERS, "INVALID_PARAMETERS" },
		{ SDEI_DENIED, "DENIED" },
		{ SDEI_PENDING, "PENDING" },
		{ SDEI_OUT_OF_RESOURCE, "OUT_OF_RESOURCE" },
	};
	size_t i;

	for (i = 0; i < sizeof(uapi) / sizeof(uapi[0]); i++)
		CHECK_STR(name_of(uapi[i].id), uapi[i].name);
	for (i = 0; i < sizeof(rets) / sizeof(rets[0]); i++)
		CHECK_STR(smccc_ret_name(SDEI_1_0_FN_SDEI_EVENT_REGISTER,
					 (uint64_t)(int64_t)rets[i].value), rets[i].name);
}
#endif

/* The owner and number block each service's IDs must lie in (DEN0028). */
static void check_service_range(const struct smccc_func *func)
{
	unsigned owner = (func->id >> 24) & 0x3f, number = func->id & 0xffff;

	switch (func->service) {
	case SVC_ARCH:
		CHECK(owner == 0, "%s owner %u", func->name, owner);
		break;
	case SVC_CPU:
		CHECK(owner == 1, "%s owner %u", func->name, owner);
		break;
	case SVC_PSCI:
		CHECK(owner == 4 && number <= 0x1f, "%s 0x%08x", func->name, func->id);
		break;
	case SVC_SDEI:
		CHECK(owner == 4 && number >= 0x20 && number <= 0x3f, "%s 0x%08x",
		      func->name, func->id);
		break;
	case SVC_TRNG:
		CHECK(owner == 4 && number >= 0x50 && number <= 0x5f, "%s 0x%08x",
		      func->name, func->id);
		break;
	case SVC_FFA:
		CHECK(owner == 4 && number >= 0x60 && number <= 0xef, "%s 0x%08x",
		      func->name, func->id);
		break;
	case SVC_PV_TIME:
		CHECK(owner == 5 && number >= 0x20 && number <= 0x21, "%s 0x%08x",
		      func->name, func->id);
		break;
	case SVC_KVM:
		CHECK(owner == 6, "%s owner %u", func->name, owner);
		break;
	default:
		CHECK(0, "%s has unexpected service %s", func->name,
		      smccc_service_name(func->service));
	}
}

static bool name_is_identifier(const char *name)
{
	for (; *name; name++) {
		if (!((*name >= 'A' && *name <= 'Z') || (*name >= '0' && *name <= '9') || *name == '_'))
			return false;
	}
	return true;
}

/* Each entry: ID -> name -> IDs -> name round trip, and decoded fields agree. */
static void test_table_entries(void)
{
	struct smccc_decoded d;
	char lower[SMCCC_NAME_MAX];
	uint32_t ids[4], parsed;
	size_t i, j, k, twice;
	int n;

	for (i = 0; i < smccc_funcs_count; i++) {
		const struct smccc_func *func = &smccc_funcs[i];
		bool listed = false;

		CHECK(strlen(func->name) < SMCCC_NAME_MAX, "%s too long", func->name);
		CHECK(name_is_identifier(func->name), "%s", func->name);
		CHECK_STR(name_of(func->id), func->name);

		smccc_decode(func->id, &d);
		CHECK_STR(d.name, func->name);
		CHECK_INT(d.id, func->id);
		CHECK(d.fast, "%s is not a fast call", func->name);
		CHECK(!d.sve_hint, "%s", func->name);
		CHECK_INT(func->id & 0x00ff0000, 0);
		CHECK_INT(d.service, func->service);
		CHECK_INT(d.number, func->id & 0xffff);
		CHECK_INT(d.owner_num, (func->id >> 24) & 0x3f);
		CHECK_INT(d.smc64, (func->id >> 30) & 1);
		CHECK(smccc_in_service(func->id, func->service), "%s", func->name);
		check_service_range(func);

		n = smccc_lookup_name(func->name, ids, 4);
		CHECK(n == 1 || n == 2, "%s: %d IDs", func->name, n);
		for (k = 0; k < (size_t)n && k < 4; k++)
			listed |= ids[k] == func->id;
		CHECK(listed, "%s: 0x%08x not among its IDs", func->name, func->id);
		if (n == 2) {
			/* one SMC32 and one SMC64 form of the same function number */
			CHECK_INT(ids[0] ^ ids[1], 0x40000000);
			CHECK(!(ids[0] & 0x40000000), "%s: SMC32 first", func->name);
		}

		for (k = 0; func->name[k]; k++)
			lower[k] = (char)tolower((unsigned char)func->name[k]);
		lower[k] = '\0';
		CHECK(!smccc_parse_func(lower, &parsed), "%s", lower);
		CHECK_STR(name_of(parsed), func->name);

		/* Every convention names -1, so a refused call is always readable. */
		CHECK_STR(smccc_ret_name(func->id, (uint64_t)-1), "NOT_SUPPORTED");

		for (j = i + 1, twice = 0; j < smccc_funcs_count; j++)
			twice += smccc_funcs[j].id == func->id;
		CHECK(!twice, "0x%08x listed more than once", func->id);
	}
}

static void test_conventions(void)
{
	struct smccc_decoded d32, d64;
	uint32_t ids[2];

	smccc_decode(0x84000003, &d32);
	smccc_decode(0xc4000003, &d64);
	CHECK_STR(d32.name, "PSCI_CPU_ON");
	CHECK_STR(d64.name, "PSCI_CPU_ON");
	CHECK(!d32.smc64 && d64.smc64, "smc64 %d %d", d32.smc64, d64.smc64);
	CHECK(d32.fast && d64.fast, "fast");
	CHECK_INT(d32.owner, SMCCC_OWNER_STANDARD);
	CHECK_INT(d64.owner, SMCCC_OWNER_STANDARD);
	CHECK_INT(d32.service, SVC_PSCI);
	CHECK_INT(d64.service, SVC_PSCI);
	CHECK_INT(d32.number, 3);
	CHECK_INT(d64.number, 3);

	CHECK_INT(smccc_lookup_name("PSCI_CPU_ON", ids, 2), 2);
	CHECK_INT(ids[0], 0x84000003);
	CHECK_INT(ids[1], 0xc4000003);
	CHECK_INT(smccc_lookup_name("PSCI_CPU_OFF", ids, 2), 1);
	CHECK_INT(ids[0], 0x84000002);
	CHECK_INT(smccc_lookup_name("SDEI_VERSION", ids, 2), 1);
	CHECK_INT(ids[0], 0xc4000020);
	CHECK_INT(smccc_lookup_name("SMCCC_ARCH_SOC_ID", ids, 2), 2);
	CHECK_INT(ids[0], 0x80000002);
	CHECK_INT(ids[1], 0xc0000002);
	/* The count is exact even when only part fits. */
	CHECK_INT(smccc_lookup_name("PSCI_CPU_ON", NULL, 0), 2);

	/* An SMC64 function with no SMC32 form (0x84000016 is not defined) */
	CHECK(smccc_lookup(0x84000016) == NULL, "SMC32 CLEAN_INV_MEMREGION");
	CHECK_STR(name_of(0xc4000016), "PSCI_CLEAN_INV_MEMREGION");
	CHECK(smccc_lookup(0x84000053) != smccc_lookup(0xc4000053), "RND32/RND64");
}

struct unknown_case {
	uint32_t id;
	const char *name;
	enum smccc_owner owner;
	enum smccc_service service;
	bool fast, smc64;
};

static void test_unknown_ids(void)
{
	static const struct unknown_case cases[] = {
		{ 0x80000003, "ARCH_0x0003", SMCCC_OWNER_ARCH, SVC_ARCH, true, false },
		{ 0xc0000001, "ARCH_0x0001", SMCCC_OWNER_ARCH, SVC_ARCH, true, true },
		{ 0x81000001, "CPU_0x0001", SMCCC_OWNER_CPU, SVC_CPU, true, false },
		{ 0x82000042, "SIP_0x0042", SMCCC_OWNER_SIP, SVC_SIP, true, false },
		{ 0xc2000042, "SIP_0x0042", SMCCC_OWNER_SIP, SVC_SIP, true, true },
		{ 0x8200ffff, "SIP_0xffff", SMCCC_OWNER_SIP, SVC_SIP, true, false },
		{ 0x83000100, "OEM_0x0100", SMCCC_OWNER_OEM, SVC_OEM, true, false },
		{ 0x8400001f, "PSCI_0x001f", SMCCC_OWNER_STANDARD, SVC_PSCI, true, false },
		{ 0xc4000016 - 0x40000000, "PSCI_0x0016", SMCCC_OWNER_STANDARD, SVC_PSCI, true, false },
		{ 0xc400003f, "SDEI_0x003f", SMCCC_OWNER_STANDARD, SVC_SDEI, true, true },
		{ 0x84000041, "MM_0x0041", SMCCC_OWNER_STANDARD, SVC_MM, true, false },
		{ 0x8400005f, "TRNG_0x005f", SMCCC_OWNER_STANDARD, SVC_TRNG, true, false },
		{ 0x840000ef, "FFA_0x00ef", SMCCC_OWNER_STANDARD, SVC_FFA, true, false },
		{ 0x840000f0, "STANDARD_0x00f0", SMCCC_OWNER_STANDARD, SVC_STANDARD_OTHER, true, false },
		{ 0x8400ff01, "STANDARD_0xff01", SMCCC_OWNER_STANDARD, SVC_STANDARD_OTHER, true, false },
		{ 0x8500001f, "STANDARD_HYP_0x001f", SMCCC_OWNER_STANDARD_HYP, SVC_STANDARD_HYP_OTHER, true, false },
		{ 0xc5000022, "STANDARD_HYP_0x0022", SMCCC_OWNER_STANDARD_HYP, SVC_STANDARD_HYP_OTHER, true, true },
		{ 0x86000042, "KVM_0x0042", SMCCC_OWNER_VENDOR_HYP, SVC_KVM, true, false },
		{ 0xc600003f, "KVM_0x003f", SMCCC_OWNER_VENDOR_HYP, SVC_KVM, true, true },
		{ 0x87000001, "RESERVED7_0x0001", SMCCC_OWNER_RESERVED, SVC_RESERVED, true, false },
		{ 0xaf000001, "RESERVED47_0x0001", SMCCC_OWNER_RESERVED, SVC_RESERVED, true, false },
		{ 0xb0000002, "TRUSTED_APP48_0x0002", SMCCC_OWNER_TRUSTED_APP, SVC_TRUSTED_APP, true, false },
		{ 0xf1000002, "TRUSTED_APP49_0x0002", SMCCC_OWNER_TRUSTED_APP, SVC_TRUSTED_APP, true, true },
		{ 0xb2000004, "TRUSTED_OS50_0x0004", SMCCC_OWNER_TRUSTED_OS, SVC_TRUSTED_OS, true, false },
		{ 0xbf000004, "TRUSTED_OS63_0x0004", SMCCC_OWNER_TRUSTED_OS, SVC_TRUSTED_OS, true, false },
		/* yielding calls: OP-TEE's OPTEE_SMC_CALL_WITH_ARG is 0x32000004 */
		{ 0x32000004, "TRUSTED_OS50_0x0004", SMCCC_OWNER_TRUSTED_OS, SVC_TRUSTED_OS, false, false },
		{ 0x04000003, "STANDARD_0x0003", SMCCC_OWNER_STANDARD, SVC_STANDARD_OTHER, false, false },
		{ 0x46000000, "KVM_0x0000", SMCCC_OWNER_VENDOR_HYP, SVC_KVM, false, true },
		/* fast calls with bits 23:17 set are not valid IDs */
		{ 0x84020003, "RESERVED_0x84020003", SMCCC_OWNER_STANDARD, SVC_RESERVED, true, false },
		{ 0xc6800000, "RESERVED_0xc6800000", SMCCC_OWNER_VENDOR_HYP, SVC_RESERVED, true, true },
	};
	struct smccc_decoded d;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct unknown_case *c = &cases[i];

		smccc_decode(c->id, &d);
		CHECK(d.name == NULL, "0x%08x has name %s", c->id, d.name);
		CHECK_STR(name_of(c->id), c->name);
		CHECK_INT(d.owner, c->owner);
		CHECK_INT(d.service, c->service);
		CHECK_INT(d.fast, c->fast);
		CHECK_INT(d.smc64, c->smc64);
		CHECK_INT(d.number, c->id & 0xffff);
		CHECK(smccc_in_service(c->id, c->service), "0x%08x", c->id);
	}

	/* The SMCCC v1.3 SVE hint (bit 16) does not change the function. */
	smccc_decode(0x84010003, &d);
	CHECK_STR(d.name, "PSCI_CPU_ON");
	CHECK(d.sve_hint, "hint");
	CHECK_INT(d.id, 0x84010003);
	CHECK_INT(d.service, SVC_PSCI);
	CHECK_STR(name_of(0xc4010003), "PSCI_CPU_ON");
	/* ...but only fast calls have it */
	smccc_decode(0x04010003, &d);
	CHECK(!d.sve_hint && d.name == NULL, "yielding with bit 16");

	CHECK(!smccc_in_service(0x84020003, SVC_PSCI), "malformed is not psci");
	CHECK(!smccc_in_service(0x04000003, SVC_PSCI), "yielding is not psci");
	CHECK(!smccc_in_service(0x84000003, SVC_UNKNOWN), "nothing is unknown");
}

/* Bounded cardinality: the summary key of an ID (smccc_summary_func; the BPF program
 * applies the same rule with the blocks smccc_fold_blocks gives it). */
static void test_summary_fold(void)
{
	static const char *const expected[] = {
		"ARCH_other", "ARCH_other", "CPU_other", "SIP_other", "SIP_other", "SIP_other", "OEM_other",
		"PSCI_other", "PSCI_other", "SDEI_other", "MM_other", "TRNG_other", "FFA_other", "STANDARD_other",
		"STANDARD_other", "STANDARD_HYP_other", "STANDARD_HYP_other", "KVM_other", "KVM_other",
		"RESERVED_other", "RESERVED_other", "TRUSTED_APP_other", "TRUSTED_APP_other", "TRUSTED_OS_other",
		"TRUSTED_OS_other", "TRUSTED_OS_other", "STANDARD_other", "KVM_other", "RESERVED_other",
		"RESERVED_other",
	};
	static const uint32_t ids[] = {
		0x80000003, 0xc0000001, 0x81000001, 0x82000042, 0xc2000042, 0x8200ffff, 0x83000100,
		0x8400001f, 0x84000016, 0xc400003f, 0x84000041, 0x8400005f, 0x840000ef, 0x840000f0,
		0x8400ff01, 0x8500001f, 0xc5000022, 0x86000042, 0xc600003f, 0x87000001, 0xaf000001,
		0xb0000002, 0xf1000002, 0xb2000004, 0xbf000004, 0x32000004, 0x04000003, 0x46000000,
		0x84020003, 0xc6800000,
	};
	struct smccc_id_range blocks[SMCCC_MAX_FOLD_BLOCKS + 1];
	uint32_t reps[64], x;
	size_t nr_reps = 0, i, j;
	char name[SMCCC_NAME_MAX];
	struct smccc_decoded d, r;
	bool folded;

	CHECK(smccc_fold_blocks(blocks, SMCCC_MAX_FOLD_BLOCKS + 1) <= SMCCC_MAX_FOLD_BLOCKS,
	      "the fold blocks fit the BPF program's table");
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		uint32_t rep = smccc_summary_func(ids[i], &folded);

		CHECK(folded, "0x%08x folded", ids[i]);
		CHECK_STR(smccc_fold_name(rep, name, sizeof(name)), expected[i]);
		smccc_decode(ids[i], &d);
		smccc_decode(rep, &r);
		CHECK(r.service == d.service || (d.service == SVC_RESERVED && r.service == SVC_RESERVED),
		      "0x%08x: representative 0x%08x of service %s", ids[i], rep, smccc_service_name(r.service));
		/* the SMC32 and SMC64 forms of an unknown function fold together */
		if (!smccc_lookup(ids[i] ^ 0x40000000u))
			CHECK_INT(smccc_summary_func(ids[i] ^ 0x40000000u, &folded), rep);
	}
	/* known IDs are their own key, with or without the hint */
	for (i = 0; i < smccc_funcs_count; i++) {
		CHECK_INT(smccc_summary_func(smccc_funcs[i].id, &folded), smccc_funcs[i].id);
		CHECK(!folded, "0x%08x not folded", smccc_funcs[i].id);
	}
	CHECK_INT(smccc_summary_func(0x84010003, &folded), 0x84010003);
	CHECK(!folded, "PSCI_CPU_ON with the hint is known");
	/* a million IDs spread over all 32 bits: at most 16 folded keys, each of its service */
	for (x = 0, i = 0; i < 1000000; i++, x += 0x9e3779b9u) {
		uint32_t rep = smccc_summary_func(x, &folded);

		if (!folded)
			continue;
		for (j = 0; j < nr_reps && reps[j] != rep; j++)
			;
		if (j == nr_reps && nr_reps < sizeof(reps) / sizeof(reps[0]))
			reps[nr_reps++] = rep;
	}
	CHECK(nr_reps <= 16, "%zu folded keys for a million IDs, at most 16", nr_reps);
}

static void test_name_buffer(void)
{
	char buf[8] = "xxxxxxx";

	CHECK_STR(smccc_name(0x84000003, buf, 5), "PSCI");
	CHECK(smccc_name(0x82000042, buf, sizeof(buf)) == buf, "returns buf");
	CHECK_STR(buf, "SIP_0x0");
	memcpy(buf, "xyz", 4);
	smccc_name(0x84000003, buf, 0);
	CHECK_STR(buf, "xyz");
}

static void test_service_ranges(void)
{
	static const struct { uint32_t id; enum smccc_service svc; bool in; } cases[] = {
		{ 0x84000000, SVC_PSCI, true },
		{ 0x8400001f, SVC_PSCI, true },
		{ 0xc400001f, SVC_PSCI, true },
		{ 0x84000020, SVC_PSCI, false },
		{ 0x84000020, SVC_SDEI, true },
		{ 0xc400003f, SVC_SDEI, true },
		{ 0xc4000040, SVC_SDEI, false },
		{ 0x8400004f, SVC_MM, true },
		{ 0x84000050, SVC_TRNG, true },
		{ 0x8400005f, SVC_TRNG, true },
		{ 0x84000060, SVC_FFA, true },
		{ 0x840000ef, SVC_FFA, true },
		{ 0x840000f0, SVC_FFA, false },
		{ 0x85000000, SVC_PSCI, false },
		{ 0x8500001f, SVC_PV_TIME, false },
		{ 0xc5000020, SVC_PV_TIME, true },
		{ 0xc5000021, SVC_PV_TIME, true },
		{ 0xc5000022, SVC_PV_TIME, false },
		{ 0x86000000, SVC_KVM, true },
		{ 0x8600ffff, SVC_KVM, true },
		{ 0x80000000, SVC_ARCH, true },
		{ 0x81000000, SVC_CPU, true },
		{ 0x82000000, SVC_SIP, true },
		{ 0x83000000, SVC_OEM, true },
		{ 0x80000000, SVC_KVM, false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(smccc_in_service(cases[i].id, cases[i].svc) == cases[i].in,
		      "0x%08x in %s", cases[i].id, smccc_service_name(cases[i].svc));
}

static bool in_ranges(const struct smccc_id_range *r, int n, uint32_t id)
{
	for (int i = 0; i < n; i++) {
		if (id >= r[i].lo && id <= r[i].hi)
			return true;
	}
	return false;
}

/* Which IDs disagree between the ranges and smccc_in_service(), over a sample. */
static unsigned range_mismatches(enum smccc_service svc, const struct smccc_id_range *r, int n)
{
	static const uint32_t edges[] = { 0, 1, 0xffff, 0x10000, 0x1ffff, 0x20000, 0xffffff };
	unsigned mismatches = 0, owner, top, e;
	uint32_t id, seed = 12345;
	int i;

	for (top = 0; top < 4; top++) {
		for (owner = 0; owner < 64; owner++) {
			for (e = 0; e < sizeof(edges) / sizeof(edges[0]); e++) {
				id = top << 30 | owner << 24 | edges[e];
				mismatches += in_ranges(r, n, id) != smccc_in_service(id, svc);
			}
		}
	}
	for (i = 0; i < n; i++) {
		mismatches += !smccc_in_service(r[i].lo, svc) + !smccc_in_service(r[i].hi, svc);
		if (r[i].lo)
			mismatches += smccc_in_service(r[i].lo - 1, svc);
		if (r[i].hi != UINT32_MAX)
			mismatches += smccc_in_service(r[i].hi + 1, svc);
	}
	for (i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		/* keep bits 23:17 clear half the time, so valid fast calls get sampled */
		id = (i & 1) ? seed : (seed & ~0x00fe0000u);
		mismatches += in_ranges(r, n, id) != smccc_in_service(id, svc);
	}
	for (i = 0; i < (int)smccc_funcs_count; i++)
		mismatches += in_ranges(r, n, smccc_funcs[i].id) !=
			      smccc_in_service(smccc_funcs[i].id, svc);
	return mismatches;
}

static void test_service_id_ranges(void)
{
	static const struct smccc_id_range psci[] = {
		{ 0x84000000, 0x8400001f }, { 0x84010000, 0x8401001f },
		{ 0xc4000000, 0xc400001f }, { 0xc4010000, 0xc401001f },
	};
	static const struct smccc_id_range kvm[] = {
		{ 0x06000000, 0x06ffffff }, { 0x46000000, 0x46ffffff },
		{ 0x86000000, 0x8601ffff }, { 0xc6000000, 0xc601ffff },
	};
	static const struct smccc_id_range standard[] = {
		{ 0x04000000, 0x04ffffff }, { 0x44000000, 0x44ffffff },
		{ 0x840000f0, 0x8400ffff }, { 0x840100f0, 0x8401ffff },
		{ 0xc40000f0, 0xc400ffff }, { 0xc40100f0, 0xc401ffff },
	};
	struct smccc_id_range r[64];
	int n, i, svc;

	n = smccc_service_ranges(SVC_PSCI, r, 16);
	CHECK_INT(n, 4);
	for (i = 0; i < n && i < 4; i++) {
		CHECK_INT(r[i].lo, psci[i].lo);
		CHECK_INT(r[i].hi, psci[i].hi);
	}
	n = smccc_service_ranges(SVC_KVM, r, 16);
	CHECK_INT(n, 4);
	for (i = 0; i < n && i < 4; i++) {
		CHECK_INT(r[i].lo, kvm[i].lo);
		CHECK_INT(r[i].hi, kvm[i].hi);
	}
	n = smccc_service_ranges(SVC_STANDARD_OTHER, r, 16);
	CHECK_INT(n, 6);
	for (i = 0; i < n && i < 6; i++) {
		CHECK_INT(r[i].lo, standard[i].lo);
		CHECK_INT(r[i].hi, standard[i].hi);
	}
	CHECK_INT(smccc_service_ranges(SVC_PSCI, r, 3), -1);
	CHECK_INT(smccc_service_ranges(SVC_TRUSTED_OS, r, 16), -1);
	CHECK_INT(smccc_service_ranges(SVC_RESERVED, r, 64), -1);
	CHECK_INT(smccc_service_ranges(SVC_UNKNOWN, r, 64), -1);
	CHECK_INT(smccc_service_ranges(SVC_COUNT, r, 64), -1);

	/* Every service that fits: sorted, apart, and exactly smccc_in_service(). */
	for (svc = SVC_UNKNOWN + 1; svc < SVC_COUNT; svc++) {
		if (svc == SVC_RESERVED || svc == SVC_TRUSTED_OS)
			continue;
		n = smccc_service_ranges(svc, r, 64);
		CHECK(n > 0, "%s: %d ranges", smccc_service_name(svc), n);
		for (i = 1; i < n; i++)
			CHECK(r[i - 1].hi + 1 < r[i].lo, "%s: ranges %d and %d",
			      smccc_service_name(svc), i - 1, i);
		CHECK_INT(range_mismatches(svc, r, n), 0);
	}
}

static void test_owner_and_service_names(void)
{
	static const struct { enum smccc_service svc; const char *name; } services[] = {
		{ SVC_ARCH, "arch" }, { SVC_PSCI, "psci" }, { SVC_SDEI, "sdei" },
		{ SVC_TRNG, "trng" }, { SVC_FFA, "ffa" }, { SVC_PV_TIME, "pv_time" },
		{ SVC_KVM, "kvm" }, { SVC_CPU, "cpu" }, { SVC_SIP, "sip" }, { SVC_OEM, "oem" },
		{ SVC_STANDARD_OTHER, "standard" }, { SVC_STANDARD_HYP_OTHER, "standard_hyp" },
		{ SVC_TRUSTED_APP, "trusted_app" }, { SVC_TRUSTED_OS, "trusted_os" },
		{ SVC_RESERVED, "reserved" }, { SVC_MM, "mm" },
	};
	static const struct { enum smccc_owner owner; const char *name; } owners[] = {
		{ SMCCC_OWNER_ARCH, "arch" }, { SMCCC_OWNER_CPU, "cpu" },
		{ SMCCC_OWNER_SIP, "sip" }, { SMCCC_OWNER_OEM, "oem" },
		{ SMCCC_OWNER_STANDARD, "standard_secure" },
		{ SMCCC_OWNER_STANDARD_HYP, "standard_hyp" },
		{ SMCCC_OWNER_VENDOR_HYP, "vendor_hyp" },
		{ SMCCC_OWNER_RESERVED, "reserved" },
		{ SMCCC_OWNER_TRUSTED_APP, "trusted_app" },
		{ SMCCC_OWNER_TRUSTED_OS, "trusted_os" },
	};
	enum smccc_service svc;
	size_t i;

	CHECK_INT(sizeof(services) / sizeof(services[0]), SVC_COUNT - 1);
	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		CHECK_STR(smccc_service_name(services[i].svc), services[i].name);
		svc = SVC_UNKNOWN;
		CHECK(!smccc_parse_service(services[i].name, &svc), "%s", services[i].name);
		CHECK_INT(svc, services[i].svc);
	}
	for (i = 0; i < sizeof(owners) / sizeof(owners[0]); i++)
		CHECK_STR(smccc_owner_name(owners[i].owner), owners[i].name);
	CHECK_STR(smccc_service_name(SVC_UNKNOWN), "unknown");
	CHECK_STR(smccc_service_name(SVC_COUNT), "unknown");
	CHECK_STR(smccc_service_name((enum smccc_service)-1), "unknown");
	CHECK(!smccc_parse_service("PSCI", &svc) && svc == SVC_PSCI, "PSCI");
	CHECK(smccc_parse_service("unknown", &svc) == -1, "unknown is not a service");
	CHECK(smccc_parse_service("psci2", &svc) == -1, "psci2");
	CHECK(smccc_parse_service("", &svc) == -1, "empty");
}

struct ret_case {
	uint32_t func_id;
	uint64_t x0;
	const char *name;	/* NULL: not a return code */
};

static void test_return_codes(void)
{
	/* Values from the headers: SMCCC_RET_*, PSCI_RET_*, TRNG (DEN0098), SDEI_* */
	static const struct ret_case cases[] = {
		/* SMCCC, for a function that returns a status */
		{ 0x80000001, 0, "SUCCESS" },
		{ 0x80000001, (uint64_t)-1, "NOT_SUPPORTED" },
		{ 0x80000001, (uint64_t)-2, "NOT_REQUIRED" },
		{ 0x80000001, (uint64_t)-3, "INVALID_PARAMETER" },
		{ 0x80000001, (uint64_t)-4, NULL },
		{ 0x80000001, 1, NULL },	/* SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED */
		{ 0xc6000003, 0, "SUCCESS" },	/* KVM_MEM_SHARE */
		{ 0xc6000003, (uint64_t)-3, "INVALID_PARAMETER" },
		{ 0xc5000020, (uint64_t)-1, "NOT_SUPPORTED" },
		/* PSCI */
		{ 0xc4000003, 0, "SUCCESS" },
		{ 0xc4000003, (uint64_t)-1, "NOT_SUPPORTED" },
		{ 0xc4000003, (uint64_t)-2, "INVALID_PARAMETERS" },
		{ 0xc4000003, (uint64_t)-3, "DENIED" },
		{ 0xc4000003, (uint64_t)-4, "ALREADY_ON" },
		{ 0xc4000003, (uint64_t)-5, "ON_PENDING" },
		{ 0xc4000003, (uint64_t)-6, "INTERNAL_FAILURE" },
		{ 0xc4000003, (uint64_t)-7, "NOT_PRESENT" },
		{ 0xc4000003, (uint64_t)-8, "DISABLED" },
		{ 0xc4000003, (uint64_t)-9, "INVALID_ADDRESS" },
		{ 0xc4000003, (uint64_t)-10, "TIMEOUT" },
		{ 0xc4000003, (uint64_t)-11, "RATE_LIMITED" },
		{ 0xc4000003, (uint64_t)-12, "BUSY" },
		{ 0xc4000003, (uint64_t)-13, NULL },
		{ 0xc4000003, 1, NULL },
		/* TRNG */
		{ 0xc4000053, 0, "SUCCESS" },
		{ 0xc4000053, (uint64_t)-1, "NOT_SUPPORTED" },
		{ 0xc4000053, (uint64_t)-2, "INVALID_PARAMETERS" },
		{ 0xc4000053, (uint64_t)-3, "NO_ENTROPY" },
		{ 0x84000053, 0xfffffffd, "NO_ENTROPY" },
		/* SDEI */
		{ 0xc4000021, (uint64_t)-5, "PENDING" },
		{ 0xc4000021, (uint64_t)-10, "OUT_OF_RESOURCE" },
		{ 0xc4000021, (uint64_t)-4, NULL },
		/* SMC32: the low 32 bits, sign-extended */
		{ 0x84000003, 0xfffffffe, "INVALID_PARAMETERS" },
		{ 0x84000003, 0xfffffffffffffffe, "INVALID_PARAMETERS" },
		{ 0x84000003, 0xdeadbeef00000000, "SUCCESS" },
		/* SMC64: all 64 bits; 0xfffffffe is a large positive value */
		{ 0xc4000003, 0xfffffffe, NULL },
		/* functions returning values: only negative x0 are codes */
		{ 0x84000000, 0x10001, NULL },	/* PSCI_VERSION 1.1 */
		{ 0x84000000, 0, NULL },
		{ 0x84000000, (uint64_t)-1, "NOT_SUPPORTED" },
		{ 0xc4000004, 1, NULL },	/* AFFINITY_INFO: OFF */
		{ 0xc4000004, 0, NULL },	/* AFFINITY_INFO: ON */
		{ 0xc4000004, (uint64_t)-2, "INVALID_PARAMETERS" },
		{ 0x80000000, 0x10001, NULL },	/* SMCCC_VERSION */
		{ 0x86000000, 0, NULL },	/* KVM_FEATURES bitmap */
		{ 0xc5000021, 0, NULL },	/* PV_TIME_ST address */
		/* unknown functions: negative codes only, by the owner's convention */
		{ 0x82000042, (uint64_t)-1, "NOT_SUPPORTED" },
		{ 0x82000042, (uint64_t)-3, "INVALID_PARAMETER" },
		{ 0x82000042, 0, NULL },
		{ 0x86000042, (uint64_t)-1, "NOT_SUPPORTED" },
		{ 0x84000018, (uint64_t)-2, "INVALID_PARAMETERS" },	/* PSCI range */
		/* FF-A returns a function ID in x0 */
		{ 0x84000063, 0x84000061, "FFA_SUCCESS" },
		{ 0x84000063, 0x84000060, "FFA_ERROR" },
		{ 0xc4000073, 0xc4000061, "FFA_SUCCESS" },
		{ 0xc4000073, 0x84000062, "FFA_INTERRUPT" },
		{ 0xc4000073, 0x1c4000061, NULL },
		/* SMC32: the upper half of x0 is not part of the answer */
		{ 0x84000063, 0xdeadbeef84000061, "FFA_SUCCESS" },
		{ 0x8400006d, 0x84000003, NULL },	/* a PSCI ID is no FF-A answer */
		{ 0x84000063, (uint64_t)-1, "NOT_SUPPORTED" },
		{ 0x84000063, 0x10001, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = smccc_ret_name(cases[i].func_id, cases[i].x0);

		if (cases[i].name)
			CHECK_STR(got, cases[i].name);
		else
			CHECK(got == NULL, "0x%08x x0=0x%" PRIx64 ": got %s",
			      cases[i].func_id, cases[i].x0, got);
	}
}

/* Each convention's table: values unique, terminated by a NULL name. */
static void test_ret_tables(void)
{
	static const struct { const struct smccc_ret_code *codes; size_t count; } tables[] = {
		{ smccc_ret_codes_smccc, 4 },
		{ smccc_ret_codes_psci, 13 },
		{ smccc_ret_codes_sdei, 6 },
		{ smccc_ret_codes_trng, 4 },
	};
	size_t t, i, j;

	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		const struct smccc_ret_code *codes = tables[t].codes;

		for (i = 0; i < tables[t].count; i++) {
			CHECK(codes[i].name != NULL, "table %zu entry %zu", t, i);
			for (j = 0; j < i; j++)
				CHECK(codes[i].value != codes[j].value, "table %zu value %d twice",
				      t, codes[i].value);
		}
		CHECK(codes[tables[t].count].name == NULL, "table %zu length", t);
	}
}

static void test_parse(void)
{
	static const struct { const char *s; uint32_t id; } good[] = {
		{ "0x84000000", 0x84000000 },
		{ "0X84000000", 0x84000000 },
		{ "0xC4000003", 0xc4000003 },
		{ "0x3", 3 },
		{ "2214592512", 0x84000000 },
		{ "3288334339", 0xc4000003 },
		{ "0", 0 },
		{ "4294967295", 0xffffffff },
		{ "0xffffffff", 0xffffffff },
		{ "PSCI_CPU_ON", 0x84000003 },
		{ "psci_cpu_on", 0x84000003 },
		{ "Psci_Cpu_On", 0x84000003 },
		{ "CPU_ON", 0x84000003 },
		{ "cpu_on", 0x84000003 },
		{ "system_reset2", 0x84000012 },
		{ "TRNG_RND64", 0xc4000053 },
		{ "rnd64", 0xc4000053 },
		{ "FFA_MSG_SEND", 0x8400006e },
		{ "msg_send2", 0x84000086 },
		{ "MMIO_GUARD", 0xc6000007 },
		{ "mmio_guard_unmap", 0xc6000008 },
		{ "SMCCC_VERSION", 0x80000000 },
		{ "arch_workaround_1", 0x80008000 },
		{ "VENDOR_HYP_CALL_UID", 0x8600ff01 },
		{ "PV_TIME_ST", 0xc5000021 },
		{ "SDEI_EVENT_REGISTER", 0xc4000021 },
	};
	static const char *const bad[] = {
		"", "FOO", "0x", "0x100000000", "4294967296", "-1", "+1", " 1", "1 ",
		"0x12g", "0x-1", "00x1", "1e3", "PSCI_CPU_ON_", "_CPU_ON", "U_ON",
		"PSCI CPU_ON", "VERSION", "features", "SIP_0x0042",
		"mem_share",	/* KVM_MEM_SHARE or FFA_MEM_SHARE */
	};
	uint32_t id;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		id = 0xdeadbeef;
		CHECK(!smccc_parse_func(good[i].s, &id), "parse \"%s\"", good[i].s);
		CHECK_INT(id, good[i].id);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		id = 0xdeadbeef;
		CHECK(smccc_parse_func(bad[i], &id) == -1, "parse \"%s\" gave 0x%08x", bad[i], id);
	}
	CHECK_INT(smccc_lookup_name("VERSION", &id, 1), -1);
	CHECK_INT(smccc_lookup_name("FOO", &id, 1), 0);
	CHECK_INT(smccc_lookup_name("0x84000000", &id, 1), 0);
}

struct run {
	int rc;
	char *out, *err;
};

/* Runs `decode` with the given arguments (NULL-terminated), capturing its output. */
static struct run run_decode(const char *arg, ...)
{
	struct run r = { 0 };
	char *argv[16];
	size_t out_len, err_len;
	FILE *out, *err;
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)"decode";
	va_start(ap, arg);
	for (; arg && argc < 15; arg = va_arg(ap, const char *))
		argv[argc++] = (char *)arg;
	va_end(ap);
	argv[argc] = NULL;

	out = open_memstream(&r.out, &out_len);
	err = open_memstream(&r.err, &err_len);
	if (!out || !err) {
		perror("open_memstream");
		exit(1);
	}
	r.rc = cmd_decode_to(out, err, argc, argv);
	fclose(out);
	fclose(err);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_cmd_decode(void)
{
	struct run r;
	const char *second;

	r = run_decode("0xc4000003", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.out, "0xc4000003  PSCI_CPU_ON  standard_secure/psci  fast      SMC64\n");
	CHECK_STR(r.err, "");
	run_free(&r);

	r = run_decode("3288334339", NULL);
	CHECK_STR(r.out, "0xc4000003  PSCI_CPU_ON  standard_secure/psci  fast      SMC64\n");
	run_free(&r);

	r = run_decode("--json", "0xc4000003", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.out, "{\"func_id\":\"0xc4000003\",\"name\":\"PSCI_CPU_ON\","
		  "\"owner\":\"standard_secure\",\"service\":\"psci\",\"call_type\":\"fast\","
		  "\"convention\":\"smc64\",\"number\":3,\"known\":true,\"summary_label\":\"PSCI_CPU_ON\"}\n");
	run_free(&r);

	r = run_decode("0x32000004", "--json", "0x82000042", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.out,
		  "{\"func_id\":\"0x32000004\",\"name\":\"TRUSTED_OS50_0x0004\","
		  "\"owner\":\"trusted_os\",\"service\":\"trusted_os\",\"call_type\":\"yielding\","
		  "\"convention\":\"smc32\",\"number\":4,\"known\":false,\"summary_label\":\"TRUSTED_OS_other\"}\n"
		  "{\"func_id\":\"0x82000042\",\"name\":\"SIP_0x0042\","
		  "\"owner\":\"sip\",\"service\":\"sip\",\"call_type\":\"fast\","
		  "\"convention\":\"smc32\",\"number\":66,\"known\":false,\"summary_label\":\"SIP_other\"}\n");
	run_free(&r);

	/* a name with two IDs prints both, SMC32 first; columns line up */
	r = run_decode("cpu_on", "0x82000042", "0x84010003", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.out,
		  "0x84000003  PSCI_CPU_ON  standard_secure/psci  fast      SMC32\n"
		  "0xc4000003  PSCI_CPU_ON  standard_secure/psci  fast      SMC64\n"
		  "0x82000042  SIP_0x0042   sip/sip               fast      SMC32  unknown\n"
		  "0x84010003  PSCI_CPU_ON  standard_secure/psci  fast      SMC32  sve-hint\n");
	run_free(&r);

	r = run_decode("0x84000000", "0x84000014", NULL);
	second = strchr(r.out, '\n');
	CHECK(second && strstr(r.out, "standard_secure") - r.out ==
		strstr(second, "standard_secure") - (second + 1), "aligned:\n%s", r.out);
	run_free(&r);

	r = run_decode("psci", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_INT(count_lines(r.out), count_kernel_funcs_with_prefix("PSCI_"));
	run_free(&r);

	r = run_decode("--json", "FFA", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_INT(count_lines(r.out), count_kernel_funcs_with_prefix("FFA_"));
	CHECK(r.out[0] == '{' && strstr(r.out, "\"known\":false") == NULL, "%s", r.out);
	run_free(&r);

	r = run_decode("--", "0x84000000", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_INT(count_lines(r.out), 1);
	run_free(&r);

	/* bad input: one line on stderr, exit 2, nothing on stdout */
	r = run_decode("FOO", NULL);
	CHECK_INT(r.rc, 2);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "smccctrace: decode: unknown function 'FOO'\n");
	run_free(&r);

	r = run_decode("0xc4000003", "0xzz", NULL);
	CHECK_INT(r.rc, 2);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "smccctrace: decode: unknown function '0xzz'\n");
	run_free(&r);

	r = run_decode("0x100000000", NULL);
	CHECK_INT(r.rc, 2);
	run_free(&r);

	r = run_decode("version", NULL);
	CHECK_INT(r.rc, 2);
	CHECK_STR(r.err, "smccctrace: decode: ambiguous function 'version'\n");
	run_free(&r);

	r = run_decode("--bogus", "0x84000000", NULL);
	CHECK_INT(r.rc, 2);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "smccctrace: decode: unknown option '--bogus'\n");
	run_free(&r);

	r = run_decode(NULL);
	CHECK_INT(r.rc, 2);
	CHECK(strstr(r.err, "Usage: smccctrace decode") != NULL, "%s", r.err);
	run_free(&r);

	r = run_decode("--json", NULL);
	CHECK_INT(r.rc, 2);
	run_free(&r);

	r = run_decode("--help", NULL);
	CHECK_INT(r.rc, 0);
	CHECK(strstr(r.out, "Usage: smccctrace decode") != NULL, "%s", r.out);
	CHECK(strstr(r.out, "Examples:") != NULL, "%s", r.out);
	CHECK_STR(r.err, "");
	run_free(&r);

	r = run_decode("0x84000000", "-h", NULL);
	CHECK_INT(r.rc, 0);
	CHECK(strncmp(r.out, "Usage:", 6) == 0, "%s", r.out);
	run_free(&r);

	/* a service with no named functions: nothing to print, and a note why */
	r = run_decode("sip", NULL);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "smccctrace: decode: no named functions in service 'sip'\n");
	run_free(&r);
}

int main(void)
{
	test_kernel_ids();
#ifdef HAVE_UAPI_PSCI
	test_uapi_psci();
#endif
#ifdef HAVE_UAPI_SDEI
	test_uapi_sdei();
#endif
	test_table_entries();
	test_conventions();
	test_unknown_ids();
	test_summary_fold();
	test_name_buffer();
	test_service_ranges();
	test_service_id_ranges();
	test_owner_and_service_names();
	test_return_codes();
	test_ret_tables();
	test_parse();
	test_cmd_decode();
	return unit_report("smccc");
}
