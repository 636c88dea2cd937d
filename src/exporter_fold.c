/* The exporter's folding rules: see exporter_fold.h and docs/prometheus.md. */
#include "exporter_fold.h"

#include <stdlib.h>
#include <string.h>

#include "exporter_metrics.h"

void exporter_fold_init(struct exporter_fold *f, bool (*pid_alive)(__u32 pid))
{
	memset(f, 0, sizeof(*f));
	f->pid_alive = pid_alive;
}

static int by_value(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return (x > y) - (x < y);
}

static bool sorted_has(const __u32 *v, size_t n, __u32 x)
{
	return n && bsearch(&x, v, n, sizeof(*v), by_value);
}

static bool listed(const __u32 *v, size_t n, __u32 x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/*
 * Whether a gone thing's rows stay for this collection: the first time it is found
 * gone they do, and it is listed so that the next collection folds them. A full list
 * folds at once: the last value goes unseen, no call is lost.
 */
static bool show_once_more(__u32 x, bool seen_gone, __u32 *now, size_t *nr_now, size_t cap)
{
	if (seen_gone || *nr_now >= cap)
		return false;
	if (!listed(now, *nr_now, x))
		now[(*nr_now)++] = x;
	return true;
}

/* agg_retain's verdict on one row: kept as it is, or merged into f->folded and dropped */
static bool keep_row(const struct agg_key *k, const struct agg_stats *s, void *ctx)
{
	struct exporter_fold *f = ctx;
	struct agg_key folded = *k;

	if (k->pid == EXPORTER_EXITED_PID || k->pid == EXPORTER_OVERFLOW_PID)
		return true;
	if (!f->pid_alive(k->pid)) {
		if (show_once_more(k->pid, listed(f->gone_pids, f->nr_gone_pids, k->pid), f->gone_pids_now,
				   &f->nr_gone_pids_now, EXPORTER_MAX_GONE_PIDS))
			return true;
		folded.pid = EXPORTER_EXITED_PID;
		folded.vm = 0;
	} else {
		/* vm 0: a call whose VM had no number (a counted loss); never folded */
		if (!f->live_vms || !k->vm || k->vm == EXPORTER_DESTROYED_VM ||
		    sorted_has(f->live_vms, f->nr_live_vms, k->vm))
			return true;
		if (show_once_more(k->vm, sorted_has(f->gone_vms, f->nr_gone_vms, k->vm), f->gone_vms_now,
				   &f->nr_gone_vms_now, EXPORTER_MAX_GONE_VMS))
			return true;
		folded.vm = EXPORTER_DESTROYED_VM;
	}
	return agg_merge(f->folded, &folded, s) != 0;	/* out of memory: keep the row rather than lose counts */
}

/* agg_retain's walk of the folded rows: each joins calls (a walk allocates no rows) */
static bool merge_into(const struct agg_key *k, const struct agg_stats *s, void *ctx)
{
	struct exporter_fold *f = ctx;

	if (agg_merge(f->calls, k, s))
		f->failed = true;
	return false;
}

int exporter_fold_gone(struct exporter_fold *f, struct agg_table *calls, __u32 *live_vms, size_t nr_live_vms)
{
	f->folded = agg_new();
	if (!f->folded)
		return -1;
	if (live_vms)
		qsort(live_vms, nr_live_vms, sizeof(*live_vms), by_value);
	f->calls = calls;
	f->failed = false;
	f->live_vms = live_vms;
	f->nr_live_vms = nr_live_vms;
	f->nr_gone_pids_now = f->nr_gone_vms_now = 0;
	agg_retain(calls, keep_row, f);
	memcpy(f->gone_pids, f->gone_pids_now, f->nr_gone_pids_now * sizeof(f->gone_pids[0]));
	f->nr_gone_pids = f->nr_gone_pids_now;
	memcpy(f->gone_vms, f->gone_vms_now, f->nr_gone_vms_now * sizeof(f->gone_vms[0]));
	f->nr_gone_vms = f->nr_gone_vms_now;
	qsort(f->gone_vms, f->nr_gone_vms, sizeof(f->gone_vms[0]), by_value);
	agg_retain(f->folded, merge_into, f);
	agg_free(f->folded);
	f->folded = NULL;
	f->calls = NULL;
	f->live_vms = NULL;
	return f->failed ? -1 : 0;
}
