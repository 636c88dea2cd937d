/* smccctrace's Prometheus metrics: see exporter_metrics.h and docs/prometheus.md. */
#include "exporter_metrics.h"

#include <stdlib.h>
#include <string.h>

#include "guest_name.h"
#include "options.h"
#include "prometheus.h"
#include "smccc.h"

#define FIRST_BOUND_LOG2 8

__u64 exporter_bound_ns(int i)
{
	return (1ull << (FIRST_BOUND_LOG2 + i)) - 1;
}

/* The labels of one row; the strings live in the struct. */
struct row_labels {
	char pid[12], vm[12], vcpu[12];
	char func[SMCCC_NAME_MAX];
	struct prom_label l[7];
	int n;
};

/* The VMM's guest name, NULL when unknown (no label: Prometheus reads an empty one so),
 * the folded rows' own words */
static const char *row_guest(const struct agg_row *r)
{
	if (r->key.pid == EXPORTER_EXITED_PID)
		return "exited";
	if (r->key.pid == EXPORTER_OVERFLOW_PID)
		return "overflow";
	return guest_names_get(r->key.pid);
}

static void row_labels(struct row_labels *rl, const struct agg_row *r, bool with_vcpu)
{
	if (r->key.pid == EXPORTER_EXITED_PID) {
		snprintf(rl->pid, sizeof(rl->pid), "exited");
		snprintf(rl->vm, sizeof(rl->vm), "exited");
	} else if (r->key.pid == EXPORTER_OVERFLOW_PID) {
		snprintf(rl->pid, sizeof(rl->pid), "overflow");
		snprintf(rl->vm, sizeof(rl->vm), "overflow");
	} else {
		snprintf(rl->pid, sizeof(rl->pid), "%u", r->key.pid);
		if (r->key.vm == EXPORTER_DESTROYED_VM)
			snprintf(rl->vm, sizeof(rl->vm), "destroyed");
		else
			snprintf(rl->vm, sizeof(rl->vm), "%u", r->key.vm);
	}
	if (r->key.pid == EXPORTER_OVERFLOW_PID)
		snprintf(rl->vcpu, sizeof(rl->vcpu), "overflow");
	else
		snprintf(rl->vcpu, sizeof(rl->vcpu), "%u", r->key.vcpu);
	agg_func_label(&r->key, rl->func, sizeof(rl->func));
	rl->n = 0;
	rl->l[rl->n++] = (struct prom_label){ "pid", rl->pid };
	/* one value per VMM process, as pid: the name adds no series (docs/prometheus.md) */
	if (row_guest(r))
		rl->l[rl->n++] = (struct prom_label){ "guest", row_guest(r) };
	rl->l[rl->n++] = (struct prom_label){ "vm", rl->vm };
	if (with_vcpu)
		rl->l[rl->n++] = (struct prom_label){ "vcpu", rl->vcpu };
	rl->l[rl->n++] = (struct prom_label){ "service", smccc_service_name(r->service) };
	rl->l[rl->n++] = (struct prom_label){ "func", rl->func };
	rl->l[rl->n++] = (struct prom_label){ "disposition", disposition_name(r->key.disposition) };
}

/*
 * Several function IDs share a name: the SMC32 and SMC64 forms of a function, and
 * the SMCCC v1.3 SVE hint. They must be one series (a scrape may not repeat a label
 * set), so the rows are merged into a table keyed by the first ID seen for each name.
 * The rows' names are sorted (by name, then row) to find each name's first ID: n log n,
 * where a search of the names seen so far was quadratic in the number of functions a
 * guest chooses to call.
 */
struct named_row {
	char name[SMCCC_NAME_MAX];
	size_t row;
};

static int by_name_then_row(const void *a, const void *b)
{
	const struct named_row *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->row > y->row) - (x->row < y->row);
}

static struct agg_table *merge_by_func_name(const struct agg_table *t)
{
	struct agg_table *named = agg_new();
	struct agg_row *rows = NULL;
	struct named_row *sorted = NULL;
	__u32 *first_id = NULL;		/* per row: the first ID of its name */
	size_t n;

	if (!named)
		return NULL;
	n = t ? agg_rows(t, AGG_BY__ALL, &rows) : 0;
	if (n == (size_t)-1 || (n && (!(sorted = calloc(n, sizeof(*sorted))) || !(first_id = calloc(n, sizeof(*first_id))))))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		agg_func_label(&rows[i].key, sorted[i].name, sizeof(sorted[i].name));
		sorted[i].row = i;
	}
	if (n)
		qsort(sorted, n, sizeof(*sorted), by_name_then_row);
	for (size_t i = 0, group = 0; i < n; i++) {
		if (strcmp(sorted[i].name, sorted[group].name))
			group = i;
		first_id[sorted[i].row] = rows[sorted[group].row].key.func_id;
	}
	for (size_t i = 0; i < n; i++) {
		struct agg_key key = rows[i].key;

		key.func_id = first_id[i];	/* a name is folded or not in every row */
		if (agg_merge(named, &key, &rows[i].stats))
			goto fail;
	}
	free(first_id);
	free(sorted);
	free(rows);
	return named;
fail:
	free(first_id);
	free(sorted);
	free(rows);
	agg_free(named);
	return NULL;
}

static void put_histogram(FILE *out, const char *name, const struct row_labels *rl, const struct latency *l)
{
	__u64 bounds[EXPORTER_NR_BOUNDS], cumulative[EXPORTER_NR_BOUNDS], acc = 0;
	unsigned slot = 0;
	struct prom_histogram h = {
		.bounds_ns = bounds, .cumulative = cumulative, .nr_bounds = EXPORTER_NR_BOUNDS,
		.count = l->count, .sum_ns = l->sum_ns,
	};

	for (int i = 0; i < EXPORTER_NR_BOUNDS; i++) {
		bounds[i] = exporter_bound_ns(i);
		while (slot < AGG_HIST_SLOTS && latency_slot_hi(slot) <= bounds[i])
			acc += l->slots[slot++];
		cumulative[i] = acc;
	}
	prom_histogram(out, name, rl->l, rl->n, &h);
}

static void put_health(FILE *out, const struct exporter_status *st, __u64 counted)
{
	const struct prom_label info[] = {
		{ "version", st->version ? st->version : "" },
		{ "plan", st->plan ? st->plan : "" },
		{ "handler", st->handler ? st->handler : "" },
		{ "kernel", st->kernel ? st->kernel : "" },
	};

	prom_family(out, "smccctrace_up", "gauge",
		    "1 if this scrape read the kernel's call counters, 0 if it could not.");
	prom_sample_u64(out, "smccctrace_up", NULL, 0, st->up);
	prom_family(out, "smccctrace_attach_info", "gauge",
		    "Always 1: how smccctrace is attached to KVM, in its labels.");
	prom_sample_u64(out, "smccctrace_attach_info", info, 4, 1);
	prom_family(out, "smccctrace_start_time_seconds", "gauge",
		    "When smccctrace attached to KVM, in seconds since the Unix epoch.");
	prom_sample_seconds(out, "smccctrace_start_time_seconds", NULL, 0, st->start_time_ns);
	prom_family(out, "smccctrace_calls_seen_total", "counter",
		    "SMCCC calls that passed the filters: counted in smccctrace_calls_total or lost.");
	prom_sample_u64(out, "smccctrace_calls_seen_total", NULL, 0, counted + st->lost);
	prom_family(out, "smccctrace_lost_events_total", "counter",
		    "SMCCC calls that could not be counted, by cause (docs/reliability.md).");
	for (unsigned c = 0; c < LOST__COUNT; c++) {
		const struct prom_label cause = { "cause", lost_cause_name(c) };

		prom_sample_u64(out, "smccctrace_lost_events_total", &cause, 1, st->lost_by_cause.by_cause[c]);
	}
	prom_family(out, "smccctrace_keys", "gauge",
		    "Distinct (pid, vm, vcpu, function, disposition) keys counted since the start.");
	prom_sample_u64(out, "smccctrace_keys", NULL, 0, st->keys);
	prom_family(out, "smccctrace_dropped_series_total", "counter",
		    "Keys refused a series of their own (--max-series), once per collection with calls; their calls are counted under pid=\"overflow\".");
	prom_sample_u64(out, "smccctrace_dropped_series_total", NULL, 0, st->dropped_series);
}

int exporter_metrics_render(FILE *out, const struct agg_table *t, const struct exporter_status *st)
{
	struct agg_table *named = merge_by_func_name(t);
	struct agg_row *rows = NULL;
	struct row_labels rl;
	size_t n;

	if (!named)
		return -1;
	put_health(out, st, agg_calls(named, NULL));

	prom_family(out, "smccctrace_calls_total", "counter",
		    "SMCCC calls made by KVM guests, by VMM process, VM, vCPU, function and what KVM did with them.");
	n = agg_rows(named, AGG_BY__ALL, &rows);
	if (n == (size_t)-1)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		row_labels(&rl, &rows[i], true);
		prom_sample_u64(out, "smccctrace_calls_total", rl.l, rl.n, rows[i].stats.count);
	}
	prom_family(out, "smccctrace_unanswered_calls_total", "counter",
		    "Forwarded SMCCC calls the VMM never answered (its vCPU or VM went, or the trace ended); counted in smccctrace_calls_total too.");
	for (size_t i = 0; i < n; i++) {
		if (rows[i].key.disposition != DISP_FORWARDED)
			continue;
		row_labels(&rl, &rows[i], true);
		prom_sample_u64(out, "smccctrace_unanswered_calls_total", rl.l, rl.n, rows[i].stats.unanswered);
	}
	prom_family(out, "smccctrace_parked_calls_total", "counter",
		    "Forwarded SMCCC calls after which the VMM parked the vCPU (CPU_OFF); out of the round-trip histogram.");
	for (size_t i = 0; i < n; i++) {
		if (rows[i].key.disposition != DISP_FORWARDED)
			continue;
		row_labels(&rl, &rows[i], true);
		prom_sample_u64(out, "smccctrace_parked_calls_total", rl.l, rl.n, rows[i].stats.parked);
	}
	free(rows);

	/* Histograms leave the vCPU out: a series per bucket per vCPU is too many. */
	n = agg_rows(named, AGG_BY__ALL & ~AGG_BY_VCPU, &rows);
	if (n == (size_t)-1)
		goto fail;
	prom_family(out, "smccctrace_kvm_time_seconds", "histogram",
		    "Time KVM spent handling each SMCCC call, from the trap to the return to the guest or VMM.");
	for (size_t i = 0; i < n; i++) {
		row_labels(&rl, &rows[i], false);
		put_histogram(out, "smccctrace_kvm_time_seconds", &rl, &rows[i].stats.kvm);
	}
	prom_family(out, "smccctrace_vmm_round_trip_seconds", "histogram",
		    "For calls forwarded to the VMM: from KVM's exit to the VMM until the vCPU ran again.");
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].stats.vmm.count)
			continue;
		row_labels(&rl, &rows[i], false);
		put_histogram(out, "smccctrace_vmm_round_trip_seconds", &rl, &rows[i].stats.vmm);
	}
	free(rows);
	agg_free(named);
	return 0;
fail:
	agg_free(named);
	return -1;
}
