/* The aggregation table: call counts and latency histograms per (VMM pid, VM, vCPU,
 * function, disposition). Fed either from the kernel's "stats" map (live --summary,
 * src/stats_map.c) or one call at a time (offline report, exporters); read back as
 * rows grouped by any combination of the key's fields, sorted by count.
 *
 * The key, the per-key stats and the histogram layout are shared with the BPF program:
 * see include/smccctrace.h (struct agg_key, struct latency, struct agg_stats). */
#ifndef SMCCCTRACE_AGGREGATE_H
#define SMCCCTRACE_AGGREGATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "guest_syms.h"
#include "smccc.h"
#include "smccctrace.h"

/* Grouping: which key fields rows keep (--by). The others are summed over. */
enum agg_by {
	AGG_BY_PID = 1u << 0,
	AGG_BY_VM = 1u << 1,
	AGG_BY_VCPU = 1u << 2,
	AGG_BY_FUNC = 1u << 3,
	AGG_BY_SERVICE = 1u << 4,	/* implied by AGG_BY_FUNC */
	AGG_BY_DISPOSITION = 1u << 5,
	/* the VMM's guest name (src/guest_name.h): VMMs of one name are one group; with
	 * AGG_BY_PID each VMM is its own, named */
	AGG_BY_GUEST = 1u << 6,
	/* the trapping PC (a call site). A PC is an address in one guest: a site row is
	 * one VMM's (pid) and one VM's, as if those were grouped too. Live, the kernel
	 * keys its counts by PC only when asked (agg_keep_sites()). */
	AGG_BY_SITE = 1u << 7,
	AGG_BY__ALL = (1u << 8) - 1,
};
/* The key fields a grouping keeps and shows: by, and with site its VMM and VM (a PC
 * is an address in one guest). Every projection and table of rows goes through it. */
static inline unsigned agg_by_keys(unsigned by)
{
	return by & AGG_BY_SITE ? by | AGG_BY_PID | AGG_BY_VM : by;
}
#define AGG_BY_DEFAULT (AGG_BY_FUNC | AGG_BY_DISPOSITION)

struct agg_table;

struct agg_row {
	struct agg_key key;		/* fields outside the grouping are 0; with AGG_BY_GUEST
					 * alone, pid is the group's first VMM of that name */
	enum smccc_service service;	/* with AGG_BY_SERVICE or AGG_BY_FUNC */
	const char *guest;		/* with AGG_BY_GUEST: the name, NULL when unknown */
	struct agg_stats stats;
};

struct agg_table *agg_new(void);
void agg_free(struct agg_table *t);
/* agg_add_event() keys calls by their PC as well (for AGG_BY_SITE); otherwise a
 * call's key has pc 0, as the kernel's have without --by site. */
void agg_keep_sites(struct agg_table *t);
/* Empties the table (a new interval); keeps its memory. */
void agg_reset(struct agg_table *t);
/* One call: counts it, its time in KVM and, if forwarded and answered, the VMM's. */
void agg_add_event(struct agg_table *t, const struct smccc_event *ev);
/* The same for a call of the VMM's given incarnation (call_view.incarnation): a reused
 * pid's VMMs are counted apart, each under its own name with AGG_BY_GUEST. */
void agg_add_call(struct agg_table *t, const struct smccc_event *ev, __u32 incarnation);
/* Adds stats collected elsewhere (the kernel's map) under key k. Returns 0, or -1
 * when out of memory. */
int agg_merge(struct agg_table *t, const struct agg_key *k, const struct agg_stats *s);
/* The same under key k of the pid's given incarnation (agg_each_as()) */
int agg_merge_as(struct agg_table *t, const struct agg_key *k, __u32 incarnation, const struct agg_stats *s);
/* Whether t has a row under key k (of the pid's given incarnation). */
bool agg_contains(const struct agg_table *t, const struct agg_key *k);
bool agg_contains_as(const struct agg_table *t, const struct agg_key *k, __u32 incarnation);
/* The function's name in a key: the decoder's, or a folded key's "OEM_other". */
const char *agg_func_label(const struct agg_key *k, char *buf, size_t len);
/* A site: "symbol+0xoff" from the table for the key's VMM in syms (1), else the PC
 * in hex ("0x..."; 0, or -1 when syms has tables but none names the PC). */
int agg_site_label(const struct agg_key *k, const struct guest_syms_set *syms, char *buf, size_t len);
/* The text tables' key columns (PID, GUEST, VM, VCPU, SITE, SERVICE or FUNCTION) of a
 * grouping, each followed by a space: their titles, and one row's cells. --summary and
 * top share them. syms names the sites (NULL: none). */
void agg_text_key_header(FILE *out, unsigned by, const struct guest_syms_set *syms);
void agg_text_key_cells(FILE *out, unsigned by, const struct agg_key *k, enum smccc_service service,
			const char *guest, const struct guest_syms_set *syms);
/* Number of distinct keys. */
size_t agg_size(const struct agg_table *t);
/* Keeps only the rows keep() says yes to (e.g. the exporter forgets VMMs long gone). */
void agg_retain(struct agg_table *t, bool (*keep)(const struct agg_key *k, const struct agg_stats *s, void *ctx),
		void *ctx);
/* Calls fn on each key of t and its stats, in no set order, without copying rows (top's
 * totals are too big to copy every frame); stops at fn's first non-zero return value
 * and returns it, else 0. fn must not change t. */
int agg_each(const struct agg_table *t, int (*fn)(const struct agg_key *k, const struct agg_stats *s, void *ctx),
	     void *ctx);
/* The same, with the key's VMM incarnation (agg_add_call(); 0 for the kernel's keys) */
int agg_each_as(const struct agg_table *t,
		int (*fn)(const struct agg_key *k, __u32 incarnation, const struct agg_stats *s, void *ctx), void *ctx);
/* Calls in the table, in total and per disposition (by_disp may be NULL). */
__u64 agg_calls(const struct agg_table *t, __u64 by_disp[DISP__COUNT]);

/*
 * The rows of t grouped by by_mask (AGG_BY_*), sorted by count, most first (ties in
 * key order). *rows is malloc'ed (free() it), NULL when there are none. Returns the
 * number of rows, or (size_t)-1 when out of memory.
 */
size_t agg_rows(const struct agg_table *t, unsigned by_mask, struct agg_row **rows);

/* --by LIST: "vm,func", "vcpu", ... (pid, guest, vm, vcpu, func, service, disposition,
 * site).
 * Returns 0 and sets *mask, or -1 with a one-line reason in err. */
int agg_by_parse(const char *list, unsigned *mask, char *err, size_t errlen);
/* The name of one AGG_BY_* bit ("pid", "vm", "vcpu", "func", "service", "disposition",
 * "guest", "site"). */
const char *agg_by_name(unsigned bit);

/* Histogram arithmetic (the layout is in include/smccctrace.h). */
void latency_add(struct latency *l, __u64 ns);
void latency_merge(struct latency *into, const struct latency *from);
/* Inclusive value bounds of a slot; the last slot's upper bound is UINT64_MAX. */
uint64_t latency_slot_lo(unsigned slot);
uint64_t latency_slot_hi(unsigned slot);
/*
 * The p-th percentile (0 < p <= 100) by nearest rank: the upper bound of the slot
 * holding the ceil(p/100 * count)-th smallest value, capped at max_ns. Never below
 * the true value, less than 1/AGG_HIST_SUB (12.5%) above it; exact below 16 ns.
 * 0 when the histogram is empty.
 */
uint64_t latency_percentile(const struct latency *l, double p);
/* The libbpf-tools log2 view: log2[i] counts values in [2^i, 2^(i+1)) (slot 0: 0..1).
 * Returns the number of log2 slots used (highest non-empty + 1), 0 if empty. */
int latency_log2(const struct latency *l, __u64 log2[64]);
#endif
