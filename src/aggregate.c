/* The aggregation table (see aggregate.h): an open-addressing hash of agg_key ->
 * agg_stats, rows grouped on demand. */
#include "aggregate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_name.h"

struct agg_entry {
	struct agg_key key;
	/* with the key, the entry's identity: the VMM's incarnation (a reused pid's
	 * VMMs apart, src/guest_name.h); 0 for the kernel's keys */
	__u32 incarnation;
	struct agg_stats stats;
};

struct agg_table {
	struct agg_entry *entries;	/* dense, in order of first sight */
	size_t nr, cap;
	__u32 *index;			/* hash slots: entry number + 1, 0 = free */
	size_t index_size;		/* a power of two, at least twice nr */
	bool sites;			/* agg_add_event() keys by PC (agg_keep_sites()) */
};

static const char *const by_names[] = {
	"pid", "vm", "vcpu", "func", "service", "disposition", "guest", "site",
};

const char *agg_by_name(unsigned bit)
{
	for (unsigned i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++)
		if (bit == 1u << i)
			return by_names[i];
	return "unknown";
}

int agg_by_parse(const char *list, unsigned *mask, char *err, size_t errlen)
{
	const char *p = list;

	*mask = 0;
	if (!*list) {
		snprintf(err, errlen, "--by: empty list");
		return -1;
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		unsigned i;

		for (i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++)
			if (len == strlen(by_names[i]) && !strncmp(p, by_names[i], len))
				break;
		if (i == sizeof(by_names) / sizeof(by_names[0])) {
			snprintf(err, errlen, "--by: expected pid, guest, vm, vcpu, func, service, disposition or site, got '%.*s'",
				 (int)(len > 32 ? 32 : len), p);
			return -1;
		}
		*mask |= 1u << i;
		p += len;
		if (*p == ',' && *++p == 0) {
			snprintf(err, errlen, "--by: empty item at the end of '%s'", list);
			return -1;
		}
	}
	return 0;
}

/* Histograms */

uint64_t latency_slot_lo(unsigned slot)
{
	unsigned group = slot / AGG_HIST_SUB, sub = slot % AGG_HIST_SUB;

	if (group == 0)
		return slot;
	return (uint64_t)(AGG_HIST_SUB + sub) << (group - 1);
}

uint64_t latency_slot_hi(unsigned slot)
{
	if (slot + 1 >= AGG_HIST_SLOTS)
		return UINT64_MAX;
	return latency_slot_lo(slot + 1) - 1;
}

void latency_add(struct latency *l, __u64 ns)
{
	l->count++;
	l->sum_ns += ns;
	if (ns > l->max_ns)
		l->max_ns = ns;
	l->slots[agg_hist_slot(ns)]++;
}

void latency_merge(struct latency *into, const struct latency *from)
{
	into->count += from->count;
	into->sum_ns += from->sum_ns;
	if (from->max_ns > into->max_ns)
		into->max_ns = from->max_ns;
	for (unsigned i = 0; i < AGG_HIST_SLOTS; i++)
		into->slots[i] += from->slots[i];
}

uint64_t latency_percentile(const struct latency *l, double p)
{
	__u64 total = 0, rank, seen = 0;
	long double x;

	for (unsigned i = 0; i < AGG_HIST_SLOTS; i++)
		total += l->slots[i];
	if (!total || !(p > 0))
		return 0;
	if (p >= 100)
		return l->max_ns;
	x = (long double)p / 100 * (long double)total;
	rank = (__u64)x;
	if ((long double)rank < x)
		rank++;	/* ceil, without libm */
	if (rank < 1)
		rank = 1;
	if (rank > total)
		rank = total;
	for (unsigned i = 0; i < AGG_HIST_SLOTS; i++) {
		seen += l->slots[i];
		if (seen >= rank) {
			uint64_t hi = latency_slot_hi(i);

			/* max_ns is exact: never report more than the slowest call */
			return l->max_ns && hi > l->max_ns ? l->max_ns : hi;
		}
	}
	return l->max_ns;
}

int latency_log2(const struct latency *l, __u64 log2[64])
{
	int used = 0;

	memset(log2, 0, 64 * sizeof(log2[0]));
	for (unsigned i = 0; i < AGG_HIST_SLOTS; i++) {
		__u32 octave;

		if (!l->slots[i])
			continue;
		/* a sub-bucket never straddles a power of two */
		octave = agg_log2(latency_slot_lo(i));
		log2[octave] += l->slots[i];
		if ((int)octave + 1 > used)
			used = (int)octave + 1;
	}
	return used;
}

static void stats_merge(struct agg_stats *into, const struct agg_stats *from)
{
	into->count += from->count;
	into->unanswered += from->unanswered;
	into->parked += from->parked;
	latency_merge(&into->kvm, &from->kvm);
	latency_merge(&into->vmm, &from->vmm);
}

/* The table */

struct agg_table *agg_new(void)
{
	return calloc(1, sizeof(struct agg_table));
}

void agg_keep_sites(struct agg_table *t)
{
	t->sites = true;
}

void agg_free(struct agg_table *t)
{
	if (!t)
		return;
	free(t->entries);
	free(t->index);
	free(t);
}

void agg_reset(struct agg_table *t)
{
	t->nr = 0;
	if (t->index)
		memset(t->index, 0, t->index_size * sizeof(t->index[0]));
}

size_t agg_size(const struct agg_table *t)
{
	return t->nr;
}

__u64 agg_calls(const struct agg_table *t, __u64 by_disp[DISP__COUNT])
{
	__u64 total = 0;

	if (by_disp)
		memset(by_disp, 0, DISP__COUNT * sizeof(by_disp[0]));
	for (size_t i = 0; i < t->nr; i++) {
		total += t->entries[i].stats.count;
		if (by_disp && t->entries[i].key.disposition < DISP__COUNT)
			by_disp[t->entries[i].key.disposition] += t->entries[i].stats.count;
	}
	return total;
}

/* FNV-1a over the key's bytes (its padding is always zero), then the incarnation's */
static size_t key_hash(const struct agg_key *k, __u32 incarnation)
{
	const unsigned char *p = (const void *)k;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	for (; incarnation; incarnation >>= 8)
		h = (h ^ (incarnation & 0xff)) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 32));
}

static bool entry_is(const struct agg_entry *e, const struct agg_key *k, __u32 incarnation)
{
	return e->incarnation == incarnation && !memcmp(&e->key, k, sizeof(*k));
}

static int rebuild_index(struct agg_table *t, size_t size)
{
	__u32 *index = calloc(size, sizeof(*index));

	if (!index)
		return -1;
	for (size_t i = 0; i < t->nr; i++) {
		size_t h = key_hash(&t->entries[i].key, t->entries[i].incarnation) & (size - 1);

		while (index[h])
			h = (h + 1) & (size - 1);
		index[h] = (__u32)(i + 1);
	}
	free(t->index);
	t->index = index;
	t->index_size = size;
	return 0;
}

static int grow_index(struct agg_table *t)
{
	return rebuild_index(t, t->index_size ? t->index_size * 2 : 64);
}

void agg_retain(struct agg_table *t, bool (*keep)(const struct agg_key *k, const struct agg_stats *s, void *ctx),
		void *ctx)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->nr; i++)
		if (keep(&t->entries[i].key, &t->entries[i].stats, ctx))
			t->entries[kept++] = t->entries[i];
	if (kept == t->nr)
		return;
	t->nr = kept;
	if (t->index_size && rebuild_index(t, t->index_size)) {
		/* out of memory: drop the stale index; the next insert builds a new one */
		free(t->index);
		t->index = NULL;
		t->index_size = 0;
	}
}

int agg_each(const struct agg_table *t, int (*fn)(const struct agg_key *k, const struct agg_stats *s, void *ctx),
	     void *ctx)
{
	int rc = 0;

	for (size_t i = 0; i < t->nr && !rc; i++)
		rc = fn(&t->entries[i].key, &t->entries[i].stats, ctx);
	return rc;
}

int agg_each_as(const struct agg_table *t,
		int (*fn)(const struct agg_key *k, __u32 incarnation, const struct agg_stats *s, void *ctx), void *ctx)
{
	int rc = 0;

	for (size_t i = 0; i < t->nr && !rc; i++)
		rc = fn(&t->entries[i].key, t->entries[i].incarnation, &t->entries[i].stats, ctx);
	return rc;
}

/* The stats of key k (of the pid's incarnation), added zeroed if new; NULL when out
 * of memory. */
static struct agg_stats *lookup_or_add(struct agg_table *t, const struct agg_key *k, __u32 incarnation)
{
	struct agg_key key = *k;
	size_t h;

	memset(key.__pad, 0, sizeof(key.__pad));
	if ((t->nr + 1) * 2 > t->index_size && grow_index(t))
		return NULL;
	for (h = key_hash(&key, incarnation) & (t->index_size - 1); t->index[h]; h = (h + 1) & (t->index_size - 1)) {
		struct agg_entry *e = &t->entries[t->index[h] - 1];

		if (entry_is(e, &key, incarnation))
			return &e->stats;
	}
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct agg_entry *entries = realloc(t->entries, cap * sizeof(*entries));

		if (!entries)
			return NULL;
		t->entries = entries;
		t->cap = cap;
	}
	memset(&t->entries[t->nr], 0, sizeof(t->entries[t->nr]));
	t->entries[t->nr].key = key;
	t->entries[t->nr].incarnation = incarnation;
	t->index[h] = (__u32)++t->nr;
	return &t->entries[t->nr - 1].stats;
}

bool agg_contains_as(const struct agg_table *t, const struct agg_key *k, __u32 incarnation)
{
	struct agg_key key = *k;

	memset(key.__pad, 0, sizeof(key.__pad));
	if (!t->index_size)
		return false;
	for (size_t h = key_hash(&key, incarnation) & (t->index_size - 1); t->index[h]; h = (h + 1) & (t->index_size - 1))
		if (entry_is(&t->entries[t->index[h] - 1], &key, incarnation))
			return true;
	return false;
}

bool agg_contains(const struct agg_table *t, const struct agg_key *k)
{
	return agg_contains_as(t, k, 0);
}

const char *agg_func_label(const struct agg_key *k, char *buf, size_t len)
{
	return k->folded ? smccc_fold_name(k->func_id, buf, len) : smccc_name(k->func_id, buf, len);
}

/* The SITE column: 0x and 16 digits, or symbol+0xoff (wider; longer names push on), as
 * the stream's PC column */
#define SITE_WIDTH 18
#define SITE_SYM_WIDTH 34

static int site_width(const struct guest_syms_set *syms)
{
	return syms && syms->nr ? SITE_SYM_WIDTH : SITE_WIDTH;
}

int agg_site_label(const struct agg_key *k, const struct guest_syms_set *syms, char *buf, size_t len)
{
	if (syms && syms->nr) {
		if (!guest_syms_format(guest_syms_for(syms, k->pid), k->pc, buf, len))
			return 1;
		snprintf(buf, len, "0x%" PRIx64, (uint64_t)k->pc);
		return -1;
	}
	snprintf(buf, len, "0x%" PRIx64, (uint64_t)k->pc);
	return 0;
}

void agg_text_key_header(FILE *out, unsigned by, const struct guest_syms_set *syms)
{
	by = agg_by_keys(by);
	if (by & AGG_BY_PID)
		fprintf(out, "%-7s ", "PID");
	if (by & AGG_BY_GUEST)
		fprintf(out, "%-16s ", "GUEST");
	if (by & AGG_BY_VM)
		fprintf(out, "%-3s ", "VM");
	if (by & AGG_BY_VCPU)
		fprintf(out, "%-4s ", "VCPU");
	if (by & AGG_BY_SITE)
		fprintf(out, "%-*s ", site_width(syms), "SITE");
	if ((by & AGG_BY_SERVICE) && !(by & AGG_BY_FUNC))
		fprintf(out, "%-12s ", "SERVICE");
	if (by & AGG_BY_FUNC)
		fprintf(out, "%-26s ", "FUNCTION");
}

void agg_text_key_cells(FILE *out, unsigned by, const struct agg_key *k, enum smccc_service service,
			const char *guest, const struct guest_syms_set *syms)
{
	char name[SMCCC_NAME_MAX], site[GUEST_SYM_TEXT_MAX];

	by = agg_by_keys(by);
	if (by & AGG_BY_PID)
		fprintf(out, "%-7u ", k->pid);
	if (by & AGG_BY_GUEST)
		fprintf(out, "%-16s ", guest ? guest : "?");
	if (by & AGG_BY_VM)
		fprintf(out, "%-3u ", k->vm);
	if (by & AGG_BY_VCPU)
		fprintf(out, "%-4u ", k->vcpu);
	if (by & AGG_BY_SITE) {
		agg_site_label(k, syms, site, sizeof(site));
		fprintf(out, "%-*s ", site_width(syms), site);
	}
	if ((by & AGG_BY_SERVICE) && !(by & AGG_BY_FUNC))
		fprintf(out, "%-12s ", smccc_service_name(service));
	if (by & AGG_BY_FUNC)
		fprintf(out, "%-26s ", agg_func_label(k, name, sizeof(name)));
}

int agg_merge(struct agg_table *t, const struct agg_key *k, const struct agg_stats *s)
{
	return agg_merge_as(t, k, 0, s);
}

int agg_merge_as(struct agg_table *t, const struct agg_key *k, __u32 incarnation, const struct agg_stats *s)
{
	struct agg_stats *into;

	if (!s->count && !s->kvm.count && !s->vmm.count)
		return 0;	/* nothing happened under this key */
	into = lookup_or_add(t, k, incarnation);
	if (!into)
		return -1;
	stats_merge(into, s);
	return 0;
}

void agg_add_event(struct agg_table *t, const struct smccc_event *ev)
{
	agg_add_call(t, ev, 0);
}

void agg_add_call(struct agg_table *t, const struct smccc_event *ev, __u32 incarnation)
{
	struct agg_key k = {
		.pid = ev->pid,
		.vm = ev->vm,
		.vcpu = ev->vcpu,
		.disposition = ev->disposition,
	};
	struct agg_stats *s;
	bool folded;

	/* the kernel's rule (summary_func()): unknown IDs counted per service */
	k.func_id = smccc_summary_func((__u32)ev->regs[0], &folded);
	k.folded = folded;
	if (t->sites)
		k.pc = ev->pc;
	s = lookup_or_add(t, &k, incarnation);

	if (!s)
		return;	/* out of memory: the call is not counted */
	s->count++;
	if (ev->flags & EVF_VMM_GONE)
		s->unanswered++;
	if (ev->flags & EVF_PARKED)
		s->parked++;
	latency_add(&s->kvm, ev->kvm_ns);
	/* the same rule as the kernel's (aggregate_call) and the call record's vmm_ns */
	if (smccc_vmm_round_trip(ev->disposition, ev->flags))
		latency_add(&s->vmm, ev->vmm_ns);
}

/* Rows */

static int row_key_cmp(const struct agg_row *a, const struct agg_row *b)
{
	if (a->key.pid != b->key.pid)
		return a->key.pid < b->key.pid ? -1 : 1;
	/* --by guest: a reused pid's VMMs of other names are other rows */
	if (a->guest != b->guest) {
		int c = strcmp(a->guest ? a->guest : "", b->guest ? b->guest : "");

		if (c)
			return c < 0 ? -1 : 1;
	}
	if (a->key.vm != b->key.vm)
		return a->key.vm < b->key.vm ? -1 : 1;
	if (a->key.vcpu != b->key.vcpu)
		return a->key.vcpu < b->key.vcpu ? -1 : 1;
	if (a->key.pc != b->key.pc)
		return a->key.pc < b->key.pc ? -1 : 1;
	if (a->service != b->service)
		return a->service < b->service ? -1 : 1;
	if (a->key.func_id != b->key.func_id)
		return a->key.func_id < b->key.func_id ? -1 : 1;
	if (a->key.folded != b->key.folded)
		return a->key.folded < b->key.folded ? -1 : 1;
	if (a->key.disposition != b->key.disposition)
		return a->key.disposition < b->key.disposition ? -1 : 1;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return row_key_cmp(a, b);
}

static int by_count_desc(const void *pa, const void *pb)
{
	const struct agg_row *a = pa, *b = pb;

	if (a->stats.count != b->stats.count)
		return a->stats.count > b->stats.count ? -1 : 1;
	return row_key_cmp(a, b);
}

static void project(struct agg_row *row, const struct agg_entry *e, unsigned by)
{
	struct smccc_decoded dec;

	memset(row, 0, sizeof(*row));
	by = agg_by_keys(by);
	if (by & AGG_BY_GUEST)	/* the name of the VMM that made the calls */
		row->guest = guest_names_get_incarnation(e->key.pid, e->incarnation);
	if (by & AGG_BY_PID)
		row->key.pid = e->key.pid;
	else if (by & AGG_BY_GUEST)	/* one group per name */
		row->key.pid = guest_names_first_pid_named(row->guest, e->key.pid);
	if (by & AGG_BY_VM)
		row->key.vm = e->key.vm;
	if (by & AGG_BY_VCPU)
		row->key.vcpu = e->key.vcpu;
	if (by & AGG_BY_SITE)
		row->key.pc = e->key.pc;
	if (by & AGG_BY_FUNC) {
		row->key.func_id = e->key.func_id;
		row->key.folded = e->key.folded;
	}
	if (by & (AGG_BY_FUNC | AGG_BY_SERVICE)) {
		smccc_decode(e->key.func_id, &dec);
		row->service = dec.service;
	}
	if (by & AGG_BY_DISPOSITION)
		row->key.disposition = e->key.disposition;
	row->stats = e->stats;
}

size_t agg_rows(const struct agg_table *t, unsigned by, struct agg_row **rows)
{
	struct agg_row *r;
	size_t n = 0;

	*rows = NULL;
	if (!t->nr)
		return 0;
	r = malloc(t->nr * sizeof(*r));
	if (!r)
		return (size_t)-1;
	for (size_t i = 0; i < t->nr; i++)
		project(&r[i], &t->entries[i], by);
	qsort(r, t->nr, sizeof(*r), by_key);
	for (size_t i = 0; i < t->nr; i++) {
		if (n && !row_key_cmp(&r[n - 1], &r[i]))
			stats_merge(&r[n - 1].stats, &r[i].stats);
		else if (n++ != i)
			r[n - 1] = r[i];
	}
	qsort(r, n, sizeof(*r), by_count_desc);
	*rows = r;
	return n;
}
