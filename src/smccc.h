/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMCCC function ID decoder: names, owners and services of the values a guest
 * puts in x0 for HVC/SMC, and names of the return codes it gets back.
 *
 * Function ID layout (Arm DEN0028, "SMC Calling Convention"):
 *   bit  31     1 = fast call, 0 = yielding call
 *   bit  30     1 = SMC64/HVC64 convention, 0 = SMC32/HVC32
 *   bits 29:24  owning entity (enum smccc_owner)
 *   bits 23:16  must be zero for fast calls, except bit 16, the SMCCC v1.3
 *               "no live SVE state" hint; other bits set make the ID invalid
 *   bits 15:0   function number
 *
 * Every known ID lives in one table, smccc_funcs[] (smccc_table.c).
 */
#ifndef SMCCCTRACE_SMCCC_H
#define SMCCCTRACE_SMCCC_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum smccc_owner {
	SMCCC_OWNER_ARCH = 0,
	SMCCC_OWNER_CPU = 1,
	SMCCC_OWNER_SIP = 2,
	SMCCC_OWNER_OEM = 3,
	SMCCC_OWNER_STANDARD = 4,	/* standard secure service calls */
	SMCCC_OWNER_STANDARD_HYP = 5,
	SMCCC_OWNER_VENDOR_HYP = 6,
	SMCCC_OWNER_RESERVED = 7,	/* 7..47 */
	SMCCC_OWNER_TRUSTED_APP = 48,	/* 48..49 */
	SMCCC_OWNER_TRUSTED_OS = 50,	/* 50..63 */
};

/*
 * Services a function ID belongs to. Fast calls in the standard secure owner
 * are split by function number (PSCI, SDEI, ...); every other ID belongs to
 * its owner's service. The lowercase names (smccc_service_name()) are stable:
 * they appear in JSON and Prometheus labels.
 */
enum smccc_service {
	SVC_UNKNOWN,
	SVC_ARCH,
	SVC_PSCI,
	SVC_SDEI,
	SVC_TRNG,
	SVC_FFA,
	SVC_PV_TIME,		/* standard hyp */
	SVC_KVM,		/* vendor hyp: on a KVM host, KVM's own hypercalls */
	SVC_CPU,
	SVC_SIP,
	SVC_OEM,
	SVC_STANDARD_OTHER,	/* standard secure, outside the services above */
	SVC_STANDARD_HYP_OTHER,	/* standard hyp, outside PV time */
	SVC_TRUSTED_APP,
	SVC_TRUSTED_OS,
	SVC_RESERVED,		/* reserved owner, or bits 23:17 set in a fast call */
	SVC_MM,			/* standard secure: Management Mode */
	SVC_COUNT,		/* number of services, not a service */
};

struct smccc_func {
	uint32_t id;
	const char *name;
	enum smccc_service service;
	/*
	 * x0 carries a value on success (a version, a state, a count, an
	 * address...), so only negative x0 are return codes.
	 */
	bool returns_value;
};

struct smccc_decoded {
	uint32_t id;			/* as given, hint bit included */
	const char *name;		/* NULL if unknown */
	enum smccc_owner owner;
	unsigned owner_num;		/* bits 29:24 as they are, 0..63 */
	enum smccc_service service;
	bool fast;
	bool smc64;
	bool sve_hint;			/* fast call with bit 16 set */
	uint16_t number;		/* bits 15:0 */
};

/* Longest name smccc_name() writes, NUL included. */
#define SMCCC_NAME_MAX 48

void smccc_decode(uint32_t id, struct smccc_decoded *out);

/*
 * Writes the table name of id, or for an unknown ID a name made of the
 * service and function number, always NUL-terminated. Returns buf.
 *   fast call, known service        "SIP_0x0042", "PSCI_0x0015", "KVM_0x0030"
 *   trusted app/OS, reserved owner  service + owner: "TRUSTED_OS50_0x0004",
 *                                   "RESERVED7_0x0001"
 *   fast call with bits 23:17 set   "RESERVED_0x84020003" (the whole ID)
 * SMC32 and SMC64 forms of a function share a name, known or not.
 */
const char *smccc_name(uint32_t id, char *buf, size_t len);

/* "psci", "arch", "trng", "kvm", "pv_time", "sip", ...; "unknown" if out of range. */
const char *smccc_service_name(enum smccc_service s);

/* "arch", "cpu", "sip", "oem", "standard_secure", "standard_hyp", "vendor_hyp",
 * "trusted_app", "trusted_os", "reserved" */
const char *smccc_owner_name(enum smccc_owner o);

/*
 * Name of the result value a guest got back in x0 for a call to func_id,
 * under that service's return-code convention (PSCI, SDEI, TRNG; SMCCC for
 * the rest). SMC32 calls compare the low 32 bits of x0, sign-extended.
 * FF-A calls return a function ID in x0 (FFA_SUCCESS, FFA_ERROR, ...): its
 * name is returned. NULL when x0 is not a return code: a value returned by a
 * function that has one (see returns_value), any positive x0, or an unknown
 * code. For unknown functions only negative x0 are named.
 */
const char *smccc_ret_name(uint32_t func_id, uint64_t x0);

/*
 * Parse "0x84000000" (hex needs the 0x), "2214592512" (decimal) or a function
 * name. Names are case-insensitive, and any trailing run of whole '_'-separated
 * words naming exactly one function is enough: "cpu_on" is PSCI_CPU_ON. A name
 * with SMC32 and SMC64 IDs yields the SMC32 one; smccc_lookup_name() gives
 * both. Returns 0 and sets *id, or -1 (unparsable, unknown or ambiguous).
 */
int smccc_parse_func(const char *s, uint32_t *id);

/*
 * All IDs carrying the function name s (same matching as smccc_parse_func()),
 * SMC32 first. Stores up to max_ids of them and returns how many there are;
 * 0 if no function has that name, -1 if s matches several different names.
 */
int smccc_lookup_name(const char *s, uint32_t *ids, size_t max_ids);

/* Parse a service name ("psci", "arch", "trng", "kvm", ...), case-insensitive. Returns 0 or -1. */
int smccc_parse_service(const char *s, enum smccc_service *svc);

/* The table of every known function ID. */
extern const struct smccc_func smccc_funcs[];
extern const size_t smccc_funcs_count;

/* The table entry of id (hint bit ignored), or NULL. */
const struct smccc_func *smccc_lookup(uint32_t id);

/* By owner and number range: any 0x84000000-0x8400001f or 0xc4000000-0xc400001f is psci. */
bool smccc_in_service(uint32_t id, enum smccc_service svc);

/* An inclusive range of function IDs. */
struct smccc_id_range {
	uint32_t lo, hi;
};

/*
 * The IDs of a service as few ascending inclusive ranges, exactly the IDs
 * smccc_in_service() puts in it (SVE-hint forms and, for owner-wide services,
 * yielding calls included): psci is 0x84000000-0x8400001f, 0x84010000-
 * 0x8401001f and the same two at 0xc4...; kvm is four ranges. Stores them and
 * returns how many, or -1 if they take more than max_ranges (trusted_os and
 * reserved always do) or svc is SVC_UNKNOWN or out of range.
 */
int smccc_service_ranges(enum smccc_service svc, struct smccc_id_range *ranges,
			 size_t max_ranges);

/*
 * Bounded cardinality (include/smccctrace.h has the rule): the function a summary key
 * counts a call under. A known ID is itself (*folded false); any other ID gives its
 * service's representative and *folded true. The kernel does the same for --summary
 * and --listen, so report --summary writes what the live summary wrote.
 */
uint32_t smccc_summary_func(uint32_t id, bool *folded);
/* The blocks of fast-call numbers that belong to a service inside an owner (PSCI,
 * SDEI, ...), as ranges of SMC32 IDs without the hint: the kernel's fold_blocks.
 * Stores up to max of them and returns how many there are. */
size_t smccc_fold_blocks(struct smccc_id_range *blocks, size_t max);
/* The name of a folded key's function: its service and "_other" ("OEM_other",
 * "PSCI_other", "TRUSTED_OS_other"; "RESERVED_other" holds malformed fast calls too). */
const char *smccc_fold_name(uint32_t rep, char *buf, size_t len);

/* Return-code names of one convention, ended by an entry with a NULL name. */
struct smccc_ret_code {
	int32_t value;
	const char *name;
};
extern const struct smccc_ret_code smccc_ret_codes_smccc[];
extern const struct smccc_ret_code smccc_ret_codes_psci[];
extern const struct smccc_ret_code smccc_ret_codes_sdei[];
extern const struct smccc_ret_code smccc_ret_codes_trng[];

/* `smccctrace decode ...`; argv[0] is "decode". Returns the exit code: 0, or 2 on bad input. */
int cmd_decode(int argc, char **argv);
/* The same, writing to out and err instead of stdout and stderr. */
int cmd_decode_to(FILE *out, FILE *err, int argc, char **argv);

#endif
