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

/* Copies every key of `from` into `into`. */
static int merge_table(struct agg_table *into, const struct agg_table *from)
{
	struct agg_row *rows;
	size_t n = agg_rows(from, AGG_BY__ALL & ~AGG_BY_SERVICE, &rows);

	if (n == (size_t)-1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (agg_merge(into, &rows[i].key, &rows[i].stats)) {
			free(rows);
			return -1;
		}
	free(rows);
	return 0;
}

int top_model_add(struct top_model *m, const struct agg_table *interval, double seconds)
{
	/* paused: the screen keeps its frame, the calls wait in `held` for the next one */
	if ((interval && top_bound_admit(m, interval)) || top_bound_retire(m))
		return -1;
	m->held_s += seconds;
	if (m->paused)
		return 0;
	agg_reset(m->last);
	if (merge_table(m->last, m->held))
		return -1;
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
static bool row_matches(const struct top_model *m, const struct agg_row *r)
{
	char name[SMCCC_NAME_MAX];

	if (m->disposition >= 0 && r->key.disposition != m->disposition)
		return false;
	if (!m->filter[0])
		return true;
	return contains_nocase(agg_func_label(&r->key, name, sizeof(name)), m->filter) ||
	       contains_nocase(smccc_service_name(service_of(r->key.func_id)), m->filter) ||
	       (r->guest && contains_nocase(r->guest, m->filter));
}

static int group_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

#define CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
	CMP(overflow);
	CMP(key.pid);
	CMP(key.vm);
	CMP(key.vcpu);
	CMP(key.pc);
	CMP(service);
	CMP(key.func_id);
	CMP(key.folded);
#undef CMP
	return 0;
}

/* The calls of t that pass the filters, grouped by m->by, in group order. */
static size_t group(const struct top_model *m, const struct agg_table *t, struct top_row **out)
{
	struct agg_row *rows;
	size_t n = agg_rows(t, AGG_BY__ALL & ~AGG_BY_SERVICE, &rows), used = 0;
	struct top_row *g;
	unsigned keys = agg_by_keys(m->by);

	*out = NULL;
	if (n == (size_t)-1)
		return n;
	g = calloc(n ? n : 1, sizeof(*g));
	if (!g) {
		free(rows);
		return (size_t)-1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct agg_row *r = &rows[i];
		struct top_row *x = &g[used];

		if (!row_matches(m, r))
			continue;
		used++;
		/* overflow rows stand apart when the grouping has a column to say so */
		x->overflow = r->key.pid == TOP_OVERFLOW_PID &&
			      (keys & (AGG_BY_PID | AGG_BY_GUEST | AGG_BY_VM | AGG_BY_VCPU | AGG_BY_SITE));
		/* a site is one VMM's and one VM's PC (agg_by_keys()) */
		x->key.pid = keys & AGG_BY_PID ? r->key.pid :
			     keys & AGG_BY_GUEST ? guest_names_first_pid(r->key.pid) : 0;	/* a group per name */
		x->guest = m->by & AGG_BY_GUEST ? r->guest : NULL;
		x->key.vm = keys & AGG_BY_VM ? r->key.vm : 0;
		x->key.pc = m->by & AGG_BY_SITE ? r->key.pc : 0;
		x->key.vcpu = m->by & AGG_BY_VCPU ? r->key.vcpu : 0;
		if (x->overflow) {
			x->key.pid = x->key.vm = x->key.vcpu = 0;
			x->key.pc = 0;
			x->guest = NULL;
		}
		x->key.func_id = m->by & AGG_BY_FUNC ? r->key.func_id : 0;
		x->key.folded = m->by & AGG_BY_FUNC ? r->key.folded : 0;	/* unknown IDs, per service */
		x->service = m->by & (AGG_BY_SERVICE | AGG_BY_FUNC) ? service_of(r->key.func_id) : 0;
		x->count = r->stats.count;
		if (r->key.disposition < DISP__COUNT)
			x->by_disp[r->key.disposition] = r->stats.count;
		x->kvm = r->stats.kvm;
		x->vmm = r->stats.vmm;
	}
	free(rows);
	qsort(g, used, sizeof(*g), group_cmp);
	size_t w = 0;

	for (size_t i = 0; i < used; i++) {
		if (w && !group_cmp(&g[w - 1], &g[i])) {
			struct top_row *x = &g[w - 1];

			x->count += g[i].count;
			for (unsigned d = 0; d < DISP__COUNT; d++)
				x->by_disp[d] += g[i].by_disp[d];
			latency_merge(&x->kvm, &g[i].kvm);
			latency_merge(&x->vmm, &g[i].vmm);
			continue;
		}
		if (w != i)
			g[w] = g[i];
		w++;
	}
	*out = g;
	return w;
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
	struct top_row *rows, *last;
	size_t n = group(m, m->total, &rows), nl;

	if (n == (size_t)-1)
		return -1;
	nl = group(m, m->last, &last);
	if (nl == (size_t)-1) {
		free(rows);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct top_row *l = nl ? bsearch(&rows[i], last, nl, sizeof(*last), group_cmp) : NULL;

		rows[i].interval = l ? l->count : 0;
		rows[i].rate = l && m->last_s > 0 ? l->count / m->last_s : 0;
	}
	free(last);
	sort_by = m->sort;
	qsort(rows, n, sizeof(*rows), sort_cmp);
	free(m->rows);
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
