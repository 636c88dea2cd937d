/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMCCC function IDs the guest programs use (Arm DEN0028 SMCCC, DEN0022 PSCI,
 * DEN0098 TRNG, KVM's vendor hypervisor service). FID_ keeps them apart from
 * the kernel uapi's own PSCI macros.
 */
#ifndef SMCCC_TESTVMM_SMCCC_H
#define SMCCC_TESTVMM_SMCCC_H

/* Arm architecture calls: KVM reserves this range, the filter cannot touch it */
#define FID_SMCCC_VERSION		0x80000000u
#define FID_SMCCC_ARCH_FEATURES		0x80000001u

/* Standard hypervisor service: paravirtualised time */
#define FID_SMCCC_HV_PV_TIME_FEATURES	0xc5000020u

/* PSCI (standard secure service, function numbers 0x00-0x1f) */
#define FID_PSCI_VERSION		0x84000000u
#define FID_PSCI_CPU_OFF		0x84000002u
#define FID_PSCI_CPU_ON_32		0x84000003u
#define FID_PSCI_CPU_ON_64		0xc4000003u
#define FID_PSCI_AFFINITY_INFO_32	0x84000004u
#define FID_PSCI_AFFINITY_INFO_64	0xc4000004u
#define FID_PSCI_SYSTEM_OFF		0x84000008u
#define FID_PSCI_FEATURES		0x8400000au
/* PSCI return codes (PSCI_RET_*) and AFFINITY_INFO answers
 * (PSCI_0_2_AFFINITY_LEVEL_*) are the uapi's, <linux/psci.h> */

/* TRNG (standard secure service, 0x50-0x53) */
#define FID_TRNG_VERSION		0x84000050u
#define FID_TRNG_FEATURES		0x84000051u
#define FID_TRNG_GET_UUID		0x84000052u
#define FID_TRNG_RND32			0x84000053u
#define FID_TRNG_RND64			0xc4000053u

/* KVM's vendor-specific hypervisor service */
#define FID_KVM_VENDOR_HYP_FEATURES	0x86000000u
#define FID_KVM_VENDOR_HYP_PTP		0x86000001u
#define FID_KVM_VENDOR_HYP_CALL_UID	0x8600ff01u
/* pKVM's memory-sharing services for protected VMs (Linux 7.x): the first one,
 * HYP_MEMINFO, answers the hypervisor's page size and changes nothing */
#define FID_KVM_VENDOR_HYP_MEMINFO	0xc6000002u

/* Owner ranges no KVM service lives in: free for the SMCCC filter */
#define FID_SIP32_BASE			0x82000000u
#define FID_OEM32_BASE			0x83000000u
#define FID_OEM64_BASE			0xc3000000u

#endif /* SMCCC_TESTVMM_SMCCC_H */
