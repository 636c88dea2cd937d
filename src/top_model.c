/* The top view's model: totals and the last interval in two aggregation tables, rows
 * grouped, filtered and sorted on demand, and what each key does. */
#include "top_model.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guest_name.h"
#include "options.h"
#include "smccc.h"

static const char *const sort_names[TOP_SORT__COUNT] = {
	[TOP_SORT_COUNT] = "count",
	[TOP_SORT_RATE] = "rate",
	[TOP_SORT_KVM_P99] = "kvm p99",
	[TOP_SORT_VMM_P99] = "vmm p99",
	[TOP_SORT_KEY] = "key",
};

/* '1'..'7' of TOP_GROUP_KEYS toggle these */
static const unsigned group_bits[] = { AGG_BY_PID, AGG_BY_VM, AGG_BY_VCPU, AGG_BY_SERVICE, AGG_BY_FUNC,
				       AGG_BY_GUEST, AGG_BY_SITE };

const char *top_sort_name(enum top_sort s)
{
	return s < TOP_SORT__COUNT ? sort_names[s] : "?";
}

void top_by_string(unsigned by, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (unsigned bit = 1; bit < AGG_BY__ALL; bit <<= 1) {
		/* func implies its service: "func" says it all */
		if (!(by & bit) || (bit == AGG_BY_SERVICE && (by & AGG_BY_FUNC)))
			continue;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s", used ? "," : "",
					 agg_by_name(bit));
	}
	if (!used)
		snprintf(buf, len, "all");
}

int top_model_init(struct top_model *m, unsigned by, const struct guest_syms_set *syms)
{
	memset(m, 0, sizeof(*m));
	m->by = by & ~AGG_BY_DISPOSITION;
	m->sites = by & AGG_BY_SITE;
	m->syms = syms;
	m->disposition = -1;
	m->max_keys = TOP_MAX_KEYS;
	m->total = agg_new();
	m->last = agg_new();
	m->held = agg_new();
	if (!m->total || !m->last || !m->held) {
		top_model_free(m);
		return -1;
	}
	if (m->sites) {
		agg_keep_sites(m->total);
		agg_keep_sites(m->last);
		agg_keep_sites(m->held);
	}
	return 0;
}

void top_model_free(struct top_model *m)
{
	agg_free(m->total);
	agg_free(m->last);
	agg_free(m->held);
	free(m->rows);
	free(m->gone);
	memset(m, 0, sizeof(*m));
}

int top_model_add(struct top_model *m, const struct agg_table *interval, double seconds)
{
	/* paused: the screen keeps its frame, the calls wait in `held` for the next one */
	if ((interval && top_bound_admit(m, interval)) || top_bound_retire(m))
		return -1;
	m->held_s += seconds;
	if (m->paused)
		return 0;
	/* the calls held become the last interval's; the old last, emptied, holds the next */
	struct agg_table *emptied = m->last;

	m->last = m->held;
	m->held = emptied;
	agg_reset(m->held);
	m->last_s = m->held_s;
	m->held_s = 0;
	m->frames++;
	return top_model_rows(m);
}

static enum smccc_service service_of(uint32_t func_id)
{
	struct smccc_decoded dec;

	smccc_decode(func_id, &dec);
	return dec.service;
}

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return !n;
}

/* The filters look at each call's own key, whatever the grouping. */
static bool key_matches(const struct top_model *m, const struct agg_key *k, const char *guest)
{
	char name[SMCCC_NAME_MAX];

	if (m->disposition >= 0 && k->disposition != m->disposition)
		return false;
	if (!m->filter[0])
		return true;
	return contains_nocase(agg_func_label(k, name, sizeof(name)), m->filter) ||
	       contains_nocase(smccc_service_name(service_of(k->func_id)), m->filter) ||
	       (guest && contains_nocase(guest, m->filter));
}

/* What makes a row: its grouped fields (a top_row's key, service and overflow) */
struct top_id {
	bool overflow;
	struct agg_key key;
	const char *guest;		/* grouped by guest: a reused pid's VMMs of other names apart */
	enum smccc_service service;
};

/* A key of a table as a member of its row: the row's id and the key's own stats, not
 * copied (a key's histograms are 4.4 KiB: top's totals are too big to copy each frame). */
struct member {
	struct top_id id;
	const char *guest;		/* grouped by guest: the row's name */
	__u8 disposition;
	const struct agg_stats *stats;
};

static int id_cmp(const struct top_id *x, const struct top_id *y)
{
#define CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
	CMP(overflow);
	CMP(key.pid);
	if (x->guest != y->guest) {
		int c = strcmp(x->guest ? x->guest : "", y->guest ? y->guest : "");

		if (c)
			return c < 0 ? -1 : 1;
	}
	CMP(key.vm);
	CMP(key.vcpu);
	CMP(key.pc);
	CMP(service);
	CMP(key.func_id);
	CMP(key.folded);
#undef CMP
	return 0;
}

static struct top_id id_of(const struct top_row *r)
{
	return (struct top_id){ .overflow = r->overflow, .key = r->key, .guest = r->guest, .service = r->service };
}

/* Rows are ordered by their ids alone. */
static int group_cmp(const struct top_row *x, const struct top_row *y)
{
	struct top_id a = id_of(x), b = id_of(y);

	return id_cmp(&a, &b);
}

static int member_cmp(const void *a, const void *b)
{
	return id_cmp(&((const struct member *)a)->id, &((const struct member *)b)->id);
}

/* bsearch: an id against a row */
static int id_row_cmp(const void *id, const void *row)
{
	struct top_id r = id_of(row);

	return id_cmp(id, &r);
}

/* Key k (of its pid's incarnation inc, agg_add_call()) as a member of the grouping
 * m->by; false when the filters leave it out. */
static bool member_of(const struct top_model *m, const struct agg_key *k, __u32 inc, const struct agg_stats *st,
		      struct member *x)
{
	unsigned keys = agg_by_keys(m->by);
	bool overflow = k->pid == TOP_OVERFLOW_PID;
	/* every frame, as a VMM is seen: a name read while it runs is there for '6' later */
	const char *guest = overflow ? NULL : guest_names_get_incarnation(k->pid, inc);

	if (!key_matches(m, k, guest))
		return false;
	memset(x, 0, sizeof(*x));
	x->disposition = k->disposition;
	x->stats = st;
	/* overflow rows stand apart when the grouping has a column to say so */
	x->id.overflow = overflow && (keys & (AGG_BY_PID | AGG_BY_GUEST | AGG_BY_VM | AGG_BY_VCPU | AGG_BY_SITE));
	if (!overflow) {
		/* a site is one VMM's and one VM's PC (agg_by_keys()) */
		x->id.key.pid = keys & AGG_BY_PID ? k->pid :
				keys & AGG_BY_GUEST ? guest_names_first_pid_named(guest, k->pid) : 0;	/* a group per name */
		x->guest = m->by & AGG_BY_GUEST ? guest : NULL;
		x->id.guest = x->guest;
		x->id.key.vm = keys & AGG_BY_VM ? k->vm : 0;
		x->id.key.pc = m->by & AGG_BY_SITE ? k->pc : 0;
		x->id.key.vcpu = m->by & AGG_BY_VCPU ? k->vcpu : 0;
	}
	x->id.key.func_id = m->by & AGG_BY_FUNC ? k->func_id : 0;
	x->id.key.folded = m->by & AGG_BY_FUNC ? k->folded : 0;	/* unknown IDs, per service */
	x->id.service = m->by & (AGG_BY_SERVICE | AGG_BY_FUNC) ? service_of(k->func_id) : 0;
	return true;
}

struct members {
	const struct top_model *m;
	struct member *v;
	size_t n;
};

static int add_member(const struct agg_key *k, __u32 inc, const struct agg_stats *st, void *ctx)
{
	struct members *g = ctx;

	g->n += member_of(g->m, k, inc, st, &g->v[g->n]);
	return 0;
}

/* The calls of the totals that pass the filters, grouped by m->by, in group order:
 * the keys sorted as small members, then summed into one row a group. */
static size_t group(const struct top_model *m, struct top_row **out)
{
	struct members g = { .m = m, .v = malloc((agg_size(m->total) ? agg_size(m->total) : 1) * sizeof(*g.v)) };
	struct top_row *rows;
	size_t n = 0;

	*out = NULL;
	if (!g.v)
		return (size_t)-1;
	agg_each_as(m->total, add_member, &g);
	qsort(g.v, g.n, sizeof(*g.v), member_cmp);
	for (size_t i = 0; i < g.n; i++)
		n += !i || member_cmp(&g.v[i - 1], &g.v[i]);
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		free(g.v);
		return (size_t)-1;
	}
	n = 0;
	for (size_t i = 0; i < g.n; i++) {
		struct top_row *x;

		if (!i || member_cmp(&g.v[i - 1], &g.v[i])) {
			rows[n].overflow = g.v[i].id.overflow;
			rows[n].key = g.v[i].id.key;
			rows[n].service = g.v[i].id.service;
			rows[n++].guest = g.v[i].guest;
		}
		x = &rows[n - 1];
		x->count += g.v[i].stats->count;
		if (g.v[i].disposition < DISP__COUNT)
			x->by_disp[g.v[i].disposition] += g.v[i].stats->count;
		latency_merge(&x->kvm, &g.v[i].stats->kvm);
		latency_merge(&x->vmm, &g.v[i].stats->vmm);
	}
	free(g.v);
	*out = rows;
	return n;
}

/* The last interval's calls into the rows (in group order) they belong to. */
struct interval {
	const struct top_model *m;
	struct top_row *rows;
	size_t n;
};

static int add_interval(const struct agg_key *k, __u32 inc, const struct agg_stats *st, void *ctx)
{
	struct interval *iv = ctx;
	struct member x;
	struct top_row *r;

	if (!member_of(iv->m, k, inc, st, &x))
		return 0;
	r = bsearch(&x.id, iv->rows, iv->n, sizeof(*iv->rows), id_row_cmp);
	if (r)	/* none: an exited VMM's row that just left */
		r->interval += st->count;
	return 0;
}

static int row_order(const struct top_row *x, const struct top_row *y, enum top_sort s)
{
	uint64_t a = 0, b = 0;

	switch (s) {
	case TOP_SORT_COUNT: a = x->count; b = y->count; break;
	case TOP_SORT_RATE:
		if (x->rate != y->rate)
			return x->rate > y->rate ? -1 : 1;
		break;
	case TOP_SORT_KVM_P99: a = latency_percentile(&x->kvm, 99); b = latency_percentile(&y->kvm, 99); break;
	case TOP_SORT_VMM_P99: a = latency_percentile(&x->vmm, 99); b = latency_percentile(&y->vmm, 99); break;
	default: break;
	}
	if (a != b)
		return a > b ? -1 : 1;	/* most first */
	if (s != TOP_SORT_KEY && x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return group_cmp(x, y);
}

static enum top_sort sort_by;	/* qsort has no context argument */

static int sort_cmp(const void *a, const void *b)
{
	return row_order(a, b, sort_by);
}

int top_model_rows(struct top_model *m)
{
	struct top_row *rows;
	struct interval iv = { .m = m };
	size_t n;

	free(m->rows);	/* first: the old rows and the new are each as big as the totals */
	m->rows = NULL;
	m->nr_rows = 0;
	n = group(m, &rows);
	if (n == (size_t)-1)
		return -1;
	iv.rows = rows;
	iv.n = n;
	agg_each_as(m->last, add_interval, &iv);
	for (size_t i = 0; i < n; i++)
		rows[i].rate = m->last_s > 0 ? rows[i].interval / m->last_s : 0;
	sort_by = m->sort;
	qsort(rows, n, sizeof(*rows), sort_cmp);
	m->rows = rows;
	m->nr_rows = n;
	return 0;
}

/* The filter prompt: printable keys type, Backspace erases, Enter applies, Esc drops. */
static enum top_action prompt_key(struct top_model *m, int key)
{
	size_t len = strlen(m->prompt);

	if (key == '\r' || key == '\n') {
		m->prompting = false;
		snprintf(m->filter, sizeof(m->filter), "%s", m->prompt);
		return top_model_rows(m) ? TOP_QUIT : TOP_REDRAW;
	}
	if (key == 27) {	/* Esc */
		m->prompting = false;
		return TOP_REDRAW;
	}
	if ((key == 127 || key == 8) && len) {
		m->prompt[len - 1] = 0;
		return TOP_REDRAW;
	}
	if (isprint(key) && len + 1 < sizeof(m->prompt)) {
		m->prompt[len] = (char)key;
		m->prompt[len + 1] = 0;
		return TOP_REDRAW;
	}
	return TOP_NONE;
}

enum top_action top_model_key(struct top_model *m, int key)
{
	const char *group = key > 0 ? strchr(TOP_GROUP_KEYS, key) : NULL;

	if (m->prompting)
		return prompt_key(m, key);
	if (group) {
		if (group_bits[group - TOP_GROUP_KEYS] == AGG_BY_SITE && !m->sites)
			return TOP_NONE;	/* the counts have no PCs */
		m->by ^= group_bits[group - TOP_GROUP_KEYS];
	} else {
		switch (key) {
		case 'q':
			return TOP_QUIT;
		case ' ':
			m->paused = !m->paused;
			return TOP_REDRAW;
		case 'h':
		case '?':
			m->help = !m->help;
			return TOP_REDRAW;
		case 's':
			m->sort = (m->sort + 1) % TOP_SORT__COUNT;
			break;
		case 'd':	/* all -> kvm -> denied -> ... -> reflected -> all */
			m->disposition = m->disposition + 1 >= DISP__COUNT ? -1 : m->disposition + 1;
			break;
		case '/':
			m->prompting = true;
			snprintf(m->prompt, sizeof(m->prompt), "%s", m->filter);
			return TOP_REDRAW;
		case 'c':
			m->filter[0] = 0;
			m->disposition = -1;
			break;
		case 'r':	/* kvm_stat's reset: count from now */
			agg_reset(m->total);
			agg_reset(m->last);
			agg_reset(m->held);
			top_bound_reset(m);
			break;
		default:
			return TOP_NONE;
		}
	}
	return top_model_rows(m) ? TOP_QUIT : TOP_REDRAW;
}
