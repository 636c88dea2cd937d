/* A top frame as plain text: a header (time, totals, grouping, sort, filters), then a
 * row per group with counts, the rate, the disposition split and latency percentiles.
 * Batch mode prints it as it is; the terminal view fits it to the screen. ASCII only,
 * so that a line's bytes are its columns. */
#include "top_model.h"

#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#include "options.h"
#include "smccc.h"

#define TOP_KEYS_HELP \
	"keys: q quit, space pause, s sort (count, rate, kvm p99, vmm p99, key), 1-7 group by " \
	"pid/vm/vcpu/service/func/guest/site (site if started by it), d disposition, / filter by function, " \
	"service or guest, c clear filters, " \
	"r reset counts, h help"

static const char *const disp_columns[DISP__COUNT] = {
	[DISP_KVM] = "KVM", [DISP_DENIED] = "DENIED", [DISP_FORWARDED] = "FORWARDED",
	[DISP_REFUSED] = "REFUSED", [DISP_REFLECTED] = "REFLECTED",
};

static void header_lines(FILE *out, const struct top_model *m, const struct top_frame *f)
{
	__u64 by_disp[DISP__COUNT], calls = agg_calls(m->total, by_disp), now = agg_calls(m->last, NULL), exited = 0;
	time_t secs = (time_t)(f->realtime_ns / 1000000000ull);
	char clock[16] = "?", by[64];
	struct tm tm;

	for (unsigned d = 0; d < DISP__COUNT; d++) {	/* exited VMMs' calls count, without rows */
		by_disp[d] += m->exited_by_disp[d];
		exited += m->exited_by_disp[d];
	}
	calls += exited;
	if (localtime_r(&secs, &tm))
		strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	fprintf(out, "smccctrace top - frame %" PRIu64 ", %s, %.1f s, interval %.1f s\n", (uint64_t)f->number, clock,
		f->elapsed_s, m->last_s);
	fprintf(out, "calls %" PRIu64 " (%.1f/s):", (uint64_t)calls, m->last_s > 0 ? now / m->last_s : 0.0);
	for (unsigned d = 0; d < DISP__COUNT; d++)
		fprintf(out, "%s %s %" PRIu64, d ? "," : "", disposition_name(d), (uint64_t)by_disp[d]);
	fprintf(out, "; lost %" PRIu64 "\n", (uint64_t)f->lost);
	top_by_string(m->by, by, sizeof(by));
	fprintf(out, "by %s; sort %s; disposition %s; filter %s; rows %zu", by, top_sort_name(m->sort),
		m->disposition < 0 ? "all" : disposition_name((unsigned)m->disposition),
		m->filter[0] ? m->filter : "none", m->nr_rows);
	/* only when they happen: a recording under the bounds keeps its frames as they were */
	if (m->exited_vmms)
		fprintf(out, "; exited VMMs %" PRIu64 " (%" PRIu64 " calls, in the totals, not the rows)",
			(uint64_t)m->exited_vmms, (uint64_t)exited);
	if (m->overflow_keys)
		fprintf(out, "; overflow: %" PRIu64 " keys past %zu in overflow rows", (uint64_t)m->overflow_keys,
			m->max_keys);
	if (m->paused)
		fprintf(out, "; PAUSED");
	if (f->status)
		fprintf(out, "; %s", f->status);
	fputc('\n', out);
	if (f->interactive && m->prompting)
		fprintf(out, "filter (function or service, Enter applies, Esc cancels): %s_\n", m->prompt);
	else if (f->interactive)
		fprintf(out, "%s\n", m->help ? TOP_KEYS_HELP : "h: help, q: quit");
	fputc('\n', out);
}

static void column_header(FILE *out, unsigned by, const struct guest_syms_set *syms)
{
	agg_text_key_header(out, by, syms);
	fprintf(out, "%9s %9s", "COUNT", "RATE/s");
	for (unsigned d = 0; d < DISP__COUNT; d++)
		fprintf(out, " %9s", disp_columns[d]);
	fprintf(out, "  %8s %8s  %8s %8s\n", "KVM p50", "p99(us)", "VMM p50", "p99(us)");
}

static void us_cell(FILE *out, const struct latency *l, double p)
{
	if (!l->count)
		fprintf(out, " %8s", "-");
	else
		fprintf(out, " %8.1f", latency_percentile(l, p) / 1000.0);
}

/* An overflow row: "overflow" across the columns of what it stands for (pid ... site) */
static void overflow_cells(FILE *out, unsigned by, const struct top_row *r, const struct guest_syms_set *syms)
{
	const unsigned whose = AGG_BY_PID | AGG_BY_GUEST | AGG_BY_VM | AGG_BY_VCPU | AGG_BY_SITE;
	char *title = NULL;
	size_t width = 0;
	FILE *f = open_memstream(&title, &width);

	if (f) {
		agg_text_key_header(f, agg_by_keys(by) & whose, syms);
		fclose(f);
	}
	free(title);
	fprintf(out, "%-*s ", width > 1 ? (int)width - 1 : 0, "overflow");
	agg_text_key_cells(out, by & ~whose, &r->key, r->service, NULL, syms);
}

static void row_line(FILE *out, unsigned by, const struct top_row *r, const struct guest_syms_set *syms)
{
	if (r->overflow)
		overflow_cells(out, by, r, syms);
	else
		agg_text_key_cells(out, by, &r->key, r->service, r->guest, syms);
	fprintf(out, "%9" PRIu64 " %9.1f", (uint64_t)r->count, r->rate);
	for (unsigned d = 0; d < DISP__COUNT; d++)
		fprintf(out, " %9" PRIu64, (uint64_t)r->by_disp[d]);
	fputc(' ', out);
	us_cell(out, &r->kvm, 50);
	us_cell(out, &r->kvm, 99);
	fputc(' ', out);
	us_cell(out, &r->vmm, 50);
	us_cell(out, &r->vmm, 99);
	fputc('\n', out);
}

void top_render(FILE *out, const struct top_model *m, const struct top_frame *f)
{
	header_lines(out, m, f);
	column_header(out, m->by, m->syms);
	for (size_t i = 0; i < m->nr_rows; i++)
		row_line(out, m->by, &m->rows[i], m->syms);
}
