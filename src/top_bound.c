/* What keeps top's totals bounded on a host where VMMs come and go and guests choose
 * their call sites, as the exporter's are (src/exporter_mode.c): a cap on keys with
 * overflow rows past it, and, live, the rows of exited VMMs leave the view one
 * interval after they are found gone, their calls still in the header's totals.
 * docs/top.md, "Bounds". */
#include "top_model.h"

#include <stdlib.h>
#include <string.h>

static int pid_cmp(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* inc: a reused pid's VMMs apart (report --top of a recording) */
static int admit(const struct agg_key *key, __u32 inc, const struct agg_stats *st, void *ctx)
{
	struct top_model *m = ctx;
	struct agg_key k = *key;

	if (agg_size(m->total) >= m->max_keys && !agg_contains_as(m->total, &k, inc)) {
		k.pid = TOP_OVERFLOW_PID;	/* its function and disposition stay */
		k.vm = k.vcpu = 0;
		k.pc = 0;
		inc = 0;
		m->overflow_keys++;
	}
	/* held gets the same key: the rows find their last interval's calls by it */
	return agg_merge_as(m->total, &k, inc, st) || agg_merge_as(m->held, &k, inc, st) ? -1 : 0;
}

int top_bound_admit(struct top_model *m, const struct agg_table *interval)
{
	return agg_each_as(interval, admit, m);
}

/* agg_retain's look at one key of the totals during top_bound_retire(). */
struct retire {
	struct top_model *m;
	__u32 *gone_now;		/* pids found gone now (one entry a key; sorted later) */
	size_t nr_gone_now;
	bool *left;			/* m->gone[i]'s rows left */
};

static bool keep_row(const struct agg_key *k, const struct agg_stats *s, void *ctx)
{
	struct retire *r = ctx;
	struct top_model *m = r->m;
	__u32 *was;

	if (k->pid == TOP_OVERFLOW_PID || k->pid == 0 || m->alive(k->pid))
		return true;
	was = m->nr_gone ? bsearch(&k->pid, m->gone, m->nr_gone, sizeof(*m->gone), pid_cmp) : NULL;
	if (!was) {	/* its last calls are on screen for one more frame */
		r->gone_now[r->nr_gone_now++] = k->pid;
		return true;
	}
	r->left[was - m->gone] = true;
	if (k->disposition < DISP__COUNT)
		m->exited_by_disp[k->disposition] += s->count;
	return false;
}

int top_bound_retire(struct top_model *m)
{
	struct retire r = { .m = m };
	size_t keys = agg_size(m->total), w = 0;

	if (!m->alive)
		return 0;
	r.gone_now = malloc((keys ? keys : 1) * sizeof(*r.gone_now));
	r.left = calloc(m->nr_gone ? m->nr_gone : 1, sizeof(*r.left));
	if (!r.gone_now || !r.left) {
		free(r.gone_now);
		free(r.left);
		return -1;
	}
	agg_retain(m->total, keep_row, &r);
	for (size_t i = 0; i < m->nr_gone; i++)
		m->exited_vmms += r.left[i];
	qsort(r.gone_now, r.nr_gone_now, sizeof(*r.gone_now), pid_cmp);
	for (size_t i = 0; i < r.nr_gone_now; i++)
		if (!w || r.gone_now[w - 1] != r.gone_now[i])
			r.gone_now[w++] = r.gone_now[i];
	free(m->gone);
	free(r.left);
	m->gone = r.gone_now;
	m->nr_gone = w;
	return 0;
}

void top_bound_reset(struct top_model *m)
{
	m->overflow_keys = 0;
	m->exited_vmms = 0;
	memset(m->exited_by_disp, 0, sizeof(m->exited_by_disp));
	m->nr_gone = 0;
}
