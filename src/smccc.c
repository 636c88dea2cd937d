// SPDX-License-Identifier: GPL-2.0
/*
 * SMCCC function ID decoding: owner, service, call type and convention from
 * the ID's bits, names from smccc_funcs[], and the name parser.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/types.h>
#include "smccc.h"
#include "smccctrace.h"

#define SMCCC_FAST_CALL		(1u << 31)
#define SMCCC_SMC64		(1u << 30)
#define SMCCC_OWNER_SHIFT	24
#define SMCCC_OWNER_MASK	0x3f
#define SMCCC_SVE_HINT		(1u << 16)	/* SMCCC v1.3; ARM_SMCCC_1_3_SVE_HINT */
#define SMCCC_FAST_MBZ		0x00fe0000u	/* bits 23:17 of a fast call */
#define SMCCC_NUMBER_MASK	0xffff

/*
 * Services that own a block of function numbers inside an owner's range
 * (DEN0028 "Standard Secure Service Call ranges"). They define fast calls
 * only; yielding calls and the numbers in between belong to the owner's
 * catch-all service. Sorted by number within an owner, and apart:
 * smccc_service_ranges() walks them in order.
 */
static const struct {
	unsigned owner;
	uint16_t lo, hi;
	enum smccc_service service;
} service_ranges[] = {
	{ SMCCC_OWNER_STANDARD, 0x0000, 0x001f, SVC_PSCI },
	{ SMCCC_OWNER_STANDARD, 0x0020, 0x003f, SVC_SDEI },
	{ SMCCC_OWNER_STANDARD, 0x0040, 0x004f, SVC_MM },
	{ SMCCC_OWNER_STANDARD, 0x0050, 0x005f, SVC_TRNG },
	{ SMCCC_OWNER_STANDARD, 0x0060, 0x00ef, SVC_FFA },
	/* DEN0057 allocates these two; no wider block is published for PV time */
	{ SMCCC_OWNER_STANDARD_HYP, 0x0020, 0x0021, SVC_PV_TIME },
};

static const char *const service_names[SVC_COUNT] = {
	[SVC_UNKNOWN] = "unknown",
	[SVC_ARCH] = "arch",
	[SVC_PSCI] = "psci",
	[SVC_SDEI] = "sdei",
	[SVC_TRNG] = "trng",
	[SVC_FFA] = "ffa",
	[SVC_PV_TIME] = "pv_time",
	[SVC_KVM] = "kvm",
	[SVC_CPU] = "cpu",
	[SVC_SIP] = "sip",
	[SVC_OEM] = "oem",
	[SVC_STANDARD_OTHER] = "standard",
	[SVC_STANDARD_HYP_OTHER] = "standard_hyp",
	[SVC_TRUSTED_APP] = "trusted_app",
	[SVC_TRUSTED_OS] = "trusted_os",
	[SVC_RESERVED] = "reserved",
	[SVC_MM] = "mm",
};

static enum smccc_owner owner_of(unsigned owner_num)
{
	if (owner_num <= SMCCC_OWNER_VENDOR_HYP)
		return (enum smccc_owner)owner_num;
	if (owner_num < SMCCC_OWNER_TRUSTED_APP)
		return SMCCC_OWNER_RESERVED;
	if (owner_num < SMCCC_OWNER_TRUSTED_OS)
		return SMCCC_OWNER_TRUSTED_APP;
	return SMCCC_OWNER_TRUSTED_OS;
}

/* The service of every ID of an owner that no block in service_ranges[] claims. */
static enum smccc_service owner_service(enum smccc_owner owner)
{
	switch (owner) {
	case SMCCC_OWNER_ARCH:		return SVC_ARCH;
	case SMCCC_OWNER_CPU:		return SVC_CPU;
	case SMCCC_OWNER_SIP:		return SVC_SIP;
	case SMCCC_OWNER_OEM:		return SVC_OEM;
	case SMCCC_OWNER_STANDARD:	return SVC_STANDARD_OTHER;
	case SMCCC_OWNER_STANDARD_HYP:	return SVC_STANDARD_HYP_OTHER;
	case SMCCC_OWNER_VENDOR_HYP:	return SVC_KVM;
	case SMCCC_OWNER_TRUSTED_APP:	return SVC_TRUSTED_APP;
	case SMCCC_OWNER_TRUSTED_OS:	return SVC_TRUSTED_OS;
	case SMCCC_OWNER_RESERVED:	break;
	}
	return SVC_RESERVED;
}

static bool fast_call_malformed(uint32_t id)
{
	return (id & SMCCC_FAST_CALL) && (id & SMCCC_FAST_MBZ);
}

static enum smccc_service service_of(uint32_t id)
{
	unsigned owner_num = (id >> SMCCC_OWNER_SHIFT) & SMCCC_OWNER_MASK;
	uint16_t number = id & SMCCC_NUMBER_MASK;
	size_t i;

	if (fast_call_malformed(id))
		return SVC_RESERVED;
	if (id & SMCCC_FAST_CALL) {
		for (i = 0; i < sizeof(service_ranges) / sizeof(service_ranges[0]); i++) {
			if (service_ranges[i].owner == owner_num &&
			    number >= service_ranges[i].lo && number <= service_ranges[i].hi)
				return service_ranges[i].service;
		}
	}
	return owner_service(owner_of(owner_num));
}

const struct smccc_func *smccc_lookup(uint32_t id)
{
	/* A trace asks about the same few IDs again and again: the last answers, per
	 * thread, spare a scan of the whole table (docs/performance.md) */
	static __thread struct {
		bool valid;
		uint32_t id;
		const struct smccc_func *func;
	} recent[16];
	unsigned slot;
	size_t i;

	/* The hint says nothing about which function is called. */
	if (id & SMCCC_FAST_CALL)
		id &= ~SMCCC_SVE_HINT;
	slot = (id ^ id >> 16 ^ id >> 24) % 16;
	if (recent[slot].valid && recent[slot].id == id)
		return recent[slot].func;
	recent[slot].valid = true;
	recent[slot].id = id;
	recent[slot].func = NULL;
	for (i = 0; i < smccc_funcs_count; i++) {
		if (smccc_funcs[i].id == id) {
			recent[slot].func = &smccc_funcs[i];
			break;
		}
	}
	return recent[slot].func;
}

void smccc_decode(uint32_t id, struct smccc_decoded *out)
{
	const struct smccc_func *func = smccc_lookup(id);

	memset(out, 0, sizeof(*out));
	out->id = id;
	out->name = func ? func->name : NULL;
	out->owner_num = (id >> SMCCC_OWNER_SHIFT) & SMCCC_OWNER_MASK;
	out->owner = owner_of(out->owner_num);
	out->service = service_of(id);
	out->fast = id & SMCCC_FAST_CALL;
	out->smc64 = id & SMCCC_SMC64;
	out->sve_hint = out->fast && (id & SMCCC_SVE_HINT);
	out->number = id & SMCCC_NUMBER_MASK;
}

const char *smccc_service_name(enum smccc_service s)
{
	if ((unsigned)s >= SVC_COUNT || !service_names[s])
		return service_names[SVC_UNKNOWN];
	return service_names[s];
}

const char *smccc_owner_name(enum smccc_owner o)
{
	switch (o) {
	case SMCCC_OWNER_ARCH:		return "arch";
	case SMCCC_OWNER_CPU:		return "cpu";
	case SMCCC_OWNER_SIP:		return "sip";
	case SMCCC_OWNER_OEM:		return "oem";
	case SMCCC_OWNER_STANDARD:	return "standard_secure";
	case SMCCC_OWNER_STANDARD_HYP:	return "standard_hyp";
	case SMCCC_OWNER_VENDOR_HYP:	return "vendor_hyp";
	case SMCCC_OWNER_TRUSTED_APP:	return "trusted_app";
	case SMCCC_OWNER_TRUSTED_OS:	return "trusted_os";
	case SMCCC_OWNER_RESERVED:	break;
	}
	return "reserved";
}

/* Services that span several owners carry the owner number in made-up names. */
static bool service_spans_owners(enum smccc_service s)
{
	return s == SVC_TRUSTED_APP || s == SVC_TRUSTED_OS || s == SVC_RESERVED;
}

const char *smccc_name(uint32_t id, char *buf, size_t len)
{
	struct smccc_decoded d;
	char prefix[32];
	size_t i;

	smccc_decode(id, &d);
	if (d.name) {
		snprintf(buf, len, "%s", d.name);
		return buf;
	}
	if (fast_call_malformed(id)) {
		snprintf(buf, len, "RESERVED_0x%08x", id);
		return buf;
	}
	snprintf(prefix, sizeof(prefix), "%s", smccc_service_name(d.service));
	for (i = 0; prefix[i]; i++)
		prefix[i] = toupper((unsigned char)prefix[i]);
	if (service_spans_owners(d.service))
		snprintf(buf, len, "%s%u_0x%04x", prefix, d.owner_num, d.number);
	else
		snprintf(buf, len, "%s_0x%04x", prefix, d.number);
	return buf;
}

uint32_t smccc_summary_func(uint32_t id, bool *folded)
{
	uint32_t canon = smccc_fold_canonical(id);
	size_t i;

	*folded = !smccc_lookup(id);
	if (!*folded)
		return id;
	if (!(id & SMCCC_FAST_CALL) || fast_call_malformed(id))
		return smccc_fold_catch_all(id);
	for (i = 0; i < sizeof(service_ranges) / sizeof(service_ranges[0]); i++) {
		uint32_t base = SMCCC_FAST_CALL | service_ranges[i].owner << SMCCC_OWNER_SHIFT;

		if (canon >= (base | service_ranges[i].lo) && canon <= (base | service_ranges[i].hi))
			return base | service_ranges[i].lo;
	}
	return smccc_fold_catch_all(id);
}

size_t smccc_fold_blocks(struct smccc_id_range *blocks, size_t max)
{
	size_t n = sizeof(service_ranges) / sizeof(service_ranges[0]);

	for (size_t i = 0; i < n && i < max; i++) {
		uint32_t base = SMCCC_FAST_CALL | service_ranges[i].owner << SMCCC_OWNER_SHIFT;

		blocks[i].lo = base | service_ranges[i].lo;
		blocks[i].hi = base | service_ranges[i].hi;
	}
	return n;
}

const char *smccc_fold_name(uint32_t rep, char *buf, size_t len)
{
	struct smccc_decoded d;
	char prefix[32];
	size_t i;

	smccc_decode(rep, &d);
	snprintf(prefix, sizeof(prefix), "%s", smccc_service_name(d.service));
	for (i = 0; prefix[i]; i++)
		prefix[i] = toupper((unsigned char)prefix[i]);
	snprintf(buf, len, "%s_other", prefix);
	return buf;
}

struct range_builder {
	struct smccc_id_range *ranges;
	size_t count, max;
	bool overflow;
};

/* Appends [lo, hi], merging it into the last range when they touch. */
static void range_add(struct range_builder *b, uint32_t lo, uint32_t hi)
{
	struct smccc_id_range *last = b->count ? &b->ranges[b->count - 1] : NULL;

	if (last && last->hi != UINT32_MAX && last->hi + 1 == lo) {
		last->hi = hi;
		return;
	}
	if (b->count == b->max) {
		b->overflow = true;
		return;
	}
	b->ranges[b->count].lo = lo;
	b->ranges[b->count].hi = hi;
	b->count++;
}

/*
 * The function numbers of svc among the fast calls of one owner, added to b
 * on top of base (fast bit, convention, owner and hint bit), in ascending
 * order. Numbers claimed by service_ranges[] go to their service, all the
 * others to the owner's catch-all service.
 */
static void add_fast_numbers(struct range_builder *b, uint32_t base, unsigned owner_num,
			     enum smccc_service svc)
{
	bool catch_all = owner_service(owner_of(owner_num)) == svc;
	uint32_t next = 0;	/* first number not yet handed out */
	size_t i;

	for (i = 0; i < sizeof(service_ranges) / sizeof(service_ranges[0]); i++) {
		if (service_ranges[i].owner != owner_num)
			continue;
		if (catch_all && service_ranges[i].lo > next)
			range_add(b, base | next, base | (service_ranges[i].lo - 1u));
		if (service_ranges[i].service == svc)
			range_add(b, base | service_ranges[i].lo, base | service_ranges[i].hi);
		next = service_ranges[i].hi + 1u;
	}
	if (catch_all && next <= SMCCC_NUMBER_MASK)
		range_add(b, base | next, base | SMCCC_NUMBER_MASK);
}

int smccc_service_ranges(enum smccc_service svc, struct smccc_id_range *ranges,
			 size_t max_ranges)
{
	struct range_builder b = { .ranges = ranges, .max = max_ranges };
	unsigned fast, smc64, owner_num, hint;
	uint32_t base;

	/* Reserved takes every malformed fast call of every owner: no short list. */
	if (svc <= SVC_UNKNOWN || svc >= SVC_COUNT || svc == SVC_RESERVED)
		return -1;
	/* Loops go from the ID's high bits to its low bits: ranges come out sorted. */
	for (fast = 0; fast <= 1; fast++) {
		for (smc64 = 0; smc64 <= 1; smc64++) {
			for (owner_num = 0; owner_num <= SMCCC_OWNER_MASK; owner_num++) {
				base = (fast ? SMCCC_FAST_CALL : 0) | (smc64 ? SMCCC_SMC64 : 0) |
				       owner_num << SMCCC_OWNER_SHIFT;
				if (!fast) {
					/* yielding calls go to the owner's catch-all service */
					if (owner_service(owner_of(owner_num)) == svc)
						range_add(&b, base, base | 0x00ffffff);
					continue;
				}
				for (hint = 0; hint <= 1; hint++)
					add_fast_numbers(&b, base | (hint ? SMCCC_SVE_HINT : 0),
							 owner_num, svc);
			}
		}
	}
	return b.overflow || !b.count ? -1 : (int)b.count;
}

static const struct smccc_ret_code *ret_codes_of(enum smccc_service s)
{
	switch (s) {
	case SVC_PSCI:	return smccc_ret_codes_psci;
	case SVC_SDEI:	return smccc_ret_codes_sdei;
	case SVC_TRNG:	return smccc_ret_codes_trng;
	default:	return smccc_ret_codes_smccc;
	}
}

/* FF-A answers with a function ID in x0: FFA_SUCCESS, FFA_ERROR, FFA_INTERRUPT... */
static const char *ffa_ret_name(uint64_t x0)
{
	const struct smccc_func *func;

	if (x0 >> 32)
		return NULL;
	func = smccc_lookup((uint32_t)x0);
	return func && func->service == SVC_FFA ? func->name : NULL;
}

const char *smccc_ret_name(uint32_t func_id, uint64_t x0)
{
	const struct smccc_func *func = smccc_lookup(func_id);
	const struct smccc_ret_code *rc;
	enum smccc_service service = service_of(func_id);
	const char *ffa_name;
	int64_t code;

	if (!(func_id & SMCCC_SMC64))
		x0 = (uint32_t)x0;
	if (service == SVC_FFA) {
		ffa_name = ffa_ret_name(x0);
		if (ffa_name)
			return ffa_name;
	}

	code = (func_id & SMCCC_SMC64) ? (int64_t)x0 : (int64_t)(int32_t)x0;
	if (code > 0 || code < INT32_MIN)
		return NULL;
	/* Without a table entry we cannot tell a returned 0 from SUCCESS. */
	if (code == 0 && (!func || func->returns_value))
		return NULL;
	for (rc = ret_codes_of(service); rc->name; rc++) {
		if (rc->value == code)
			return rc->name;
	}
	return NULL;
}

/* "0x" + hex digits, or decimal digits; nothing else, and no more than 32 bits. */
static int parse_number(const char *s, uint32_t *id)
{
	unsigned long long value;
	const char *digits = s;
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		digits = s + 2;
		base = 16;
		if (!isxdigit((unsigned char)digits[0]))
			return -1;
	} else if (!isdigit((unsigned char)s[0])) {
		return -1;
	}
	errno = 0;
	value = strtoull(digits, &end, base);
	if (errno || *end || value > UINT32_MAX)
		return -1;
	*id = (uint32_t)value;
	return 0;
}

/* Is s the whole of name, or a trailing run of its '_'-separated words? */
static bool name_tail_matches(const char *name, const char *s)
{
	size_t name_len = strlen(name), s_len = strlen(s);

	if (!s_len || s_len > name_len || strcasecmp(name + name_len - s_len, s))
		return false;
	return s_len == name_len || name[name_len - s_len - 1] == '_';
}

/* The table name s stands for; NULL if none, and *ambiguous if several. */
static const char *resolve_name(const char *s, bool *ambiguous)
{
	const char *found = NULL;
	size_t i;

	*ambiguous = false;
	for (i = 0; i < smccc_funcs_count; i++) {
		if (!strcasecmp(smccc_funcs[i].name, s))
			return smccc_funcs[i].name;
	}
	for (i = 0; i < smccc_funcs_count; i++) {
		if (!name_tail_matches(smccc_funcs[i].name, s))
			continue;
		if (found && strcmp(found, smccc_funcs[i].name)) {
			*ambiguous = true;
			return NULL;
		}
		found = smccc_funcs[i].name;
	}
	return found;
}

int smccc_lookup_name(const char *s, uint32_t *ids, size_t max_ids)
{
	const char *name;
	bool ambiguous;
	size_t i, n = 0;

	name = resolve_name(s, &ambiguous);
	if (!name)
		return ambiguous ? -1 : 0;
	/* The table lists SMC32 before SMC64, and so do we. */
	for (i = 0; i < smccc_funcs_count; i++) {
		if (strcmp(smccc_funcs[i].name, name))
			continue;
		if (n < max_ids)
			ids[n] = smccc_funcs[i].id;
		n++;
	}
	return (int)n;
}

int smccc_parse_func(const char *s, uint32_t *id)
{
	uint32_t ids[2];

	if (!parse_number(s, id))
		return 0;
	if (smccc_lookup_name(s, ids, 2) <= 0)
		return -1;
	*id = ids[0];
	return 0;
}

int smccc_parse_service(const char *s, enum smccc_service *svc)
{
	int i;

	for (i = SVC_UNKNOWN + 1; i < SVC_COUNT; i++) {
		if (service_names[i] && !strcasecmp(service_names[i], s)) {
			*svc = (enum smccc_service)i;
			return 0;
		}
	}
	return -1;
}

bool smccc_in_service(uint32_t id, enum smccc_service svc)
{
	return svc != SVC_UNKNOWN && service_of(id) == svc;
}
