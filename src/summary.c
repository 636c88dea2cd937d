/* --summary rendering: a table sorted by count with p50/p90/p99/max, then the log2
 * histograms of each group (text), or one JSON Lines document per interval. */
#include "summary.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hist.h"
#include "json_writer.h"
#include "options.h"
#include "smccc.h"

static const double percentiles[] = { 50, 90, 99 };
static const char *const percentile_names[] = { "p50", "p90", "p99" };
#define NR_PERCENTILES (sizeof(percentiles) / sizeof(percentiles[0]))

struct summary {
	FILE *out;
	bool json;
	bool timestamps;
	unsigned by;
	unsigned intervals;		/* printed so far */
	__u64 calls, by_disp[DISP__COUNT];
	struct agg_table *table;
	const struct guest_syms_set *syms;	/* names the sites (--by site); NULL: none */
	struct json_writer jw;
};

struct summary *summary_new(FILE *out, bool json, unsigned by, bool timestamps)
{
	struct summary *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->table = agg_new();
	if (!s->table) {
		free(s);
		return NULL;
	}
	if (by & AGG_BY_SITE)
		agg_keep_sites(s->table);
	s->out = out;
	s->json = json;
	s->by = by;
	s->timestamps = timestamps;
	jw_init(&s->jw, out);
	return s;
}

void summary_free(struct summary *s)
{
	if (!s)
		return;
	agg_free(s->table);
	free(s);
}

void summary_set_guest_syms(struct summary *s, const struct guest_syms_set *syms)
{
	s->syms = syms;
}

struct agg_table *summary_table(struct summary *s)
{
	return s->table;
}

__u64 summary_calls(const struct summary *s, __u64 by_disp[DISP__COUNT])
{
	if (by_disp)
		memcpy(by_disp, s->by_disp, sizeof(s->by_disp));
	return s->calls;
}

static const char *func_label(const struct agg_row *r, char *buf, size_t len)
{
	return agg_func_label(&r->key, buf, len);
}

/* Text */

/* "1.2" µs, or "-" for a latency nothing was measured for */
static void us_cell(char *buf, size_t len, const struct latency *l, uint64_t ns)
{
	if (!l->count)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", ns / 1000.0);
}

static void text_header(FILE *out, unsigned by, const struct guest_syms_set *syms)
{
	agg_text_key_header(out, by, syms);
	if (by & AGG_BY_DISPOSITION)
		fprintf(out, "%-10s ", "DISP");
	fprintf(out, "%8s  %8s %8s %8s %8s  %8s %8s %8s %8s\n", "COUNT",
		"KVM p50", "p90", "p99", "max(us)", "VMM p50", "p90", "p99", "max(us)");
}

static void text_latency_cells(FILE *out, const struct latency *l)
{
	char cell[32];

	for (size_t i = 0; i < NR_PERCENTILES; i++) {
		us_cell(cell, sizeof(cell), l, latency_percentile(l, percentiles[i]));
		fprintf(out, " %8s", cell);
	}
	us_cell(cell, sizeof(cell), l, l->max_ns);
	fprintf(out, " %8s", cell);
}

static void text_row(FILE *out, unsigned by, const struct agg_row *r, const struct guest_syms_set *syms)
{
	agg_text_key_cells(out, by, &r->key, r->service, r->guest, syms);
	if (by & AGG_BY_DISPOSITION)
		fprintf(out, "%-10s ", disposition_name(r->key.disposition));
	fprintf(out, "%8" PRIu64 " ", (uint64_t)r->stats.count);
	text_latency_cells(out, &r->stats.kvm);
	fputc(' ', out);
	text_latency_cells(out, &r->stats.vmm);
	fputc('\n', out);
}

static void text_group_title(FILE *out, const struct summary *s, const struct agg_row *r, const char *what);

/* Forwarded calls without a round trip, which the VMM columns leave out */
static void text_not_answered(FILE *out, const struct summary *s, const struct agg_row *r)
{
	char what[96];

	if (!r->stats.unanswered && !r->stats.parked)
		return;
	snprintf(what, sizeof(what), "%" PRIu64 " unanswered, %" PRIu64 " parked (not in the VMM columns)",
		 (uint64_t)r->stats.unanswered, (uint64_t)r->stats.parked);
	text_group_title(out, s, r, what);
}

static void text_lost(FILE *out, const struct summary_interval *iv)
{
	const char *sep = "";

	fprintf(out, "(%" PRIu64 " calls not counted%s", (uint64_t)iv->lost, iv->causes_known ? ":" : ")\n");
	if (!iv->causes_known)
		return;
	for (unsigned c = 0; c < LOST__COUNT; c++)
		if (iv->lost_by_cause.by_cause[c]) {
			fprintf(out, "%s %s %" PRIu64, sep, lost_cause_name(c), (uint64_t)iv->lost_by_cause.by_cause[c]);
			sep = ",";
		}
	fprintf(out, ")\n");
}

/* "vcpu = 1, func = PSCI_CPU_ON, disposition = kvm", in the style of runqlat -P */
static void text_group_title(FILE *out, const struct summary *s, const struct agg_row *r, const char *what)
{
	char name[SMCCC_NAME_MAX], site[GUEST_SYM_TEXT_MAX];
	unsigned by = agg_by_keys(s->by);
	const char *sep = "";

	fputc('\n', out);
	if (by & AGG_BY_PID)
		fprintf(out, "%spid = %u", sep, r->key.pid), sep = ", ";
	if (by & AGG_BY_GUEST)
		fprintf(out, "%sguest = %s", sep, r->guest ? r->guest : "?"), sep = ", ";
	if (by & AGG_BY_VM)
		fprintf(out, "%svm = %u", sep, r->key.vm), sep = ", ";
	if (by & AGG_BY_VCPU)
		fprintf(out, "%svcpu = %u", sep, r->key.vcpu), sep = ", ";
	if (by & AGG_BY_SITE) {
		agg_site_label(&r->key, s->syms, site, sizeof(site));
		fprintf(out, "%ssite = %s", sep, site), sep = ", ";
	}
	if ((by & AGG_BY_SERVICE) && !(by & AGG_BY_FUNC))
		fprintf(out, "%sservice = %s", sep, smccc_service_name(r->service)), sep = ", ";
	if (by & AGG_BY_FUNC)
		fprintf(out, "%sfunc = %s", sep, func_label(r, name, sizeof(name))), sep = ", ";
	if (by & AGG_BY_DISPOSITION)
		fprintf(out, "%sdisposition = %s", sep, disposition_name(r->key.disposition)), sep = ", ";
	fprintf(out, "%s%s\n", *sep ? ": " : "all calls: ", what);
}

static void print_text(struct summary *s, const struct agg_row *rows, size_t n, const struct summary_interval *iv)
{
	FILE *out = s->out;

	if (s->intervals > 1)
		fputc('\n', out);
	if (s->timestamps) {
		char buf[32];
		time_t now = time(NULL);
		struct tm tm;

		strftime(buf, sizeof(buf), "%H:%M:%S", localtime_r(&now, &tm));
		fprintf(out, "%-8s\n", buf);
	}
	text_header(out, s->by, s->syms);
	for (size_t i = 0; i < n; i++)
		text_row(out, s->by, &rows[i], s->syms);
	for (size_t i = 0; i < n; i++)
		text_not_answered(out, s, &rows[i]);
	if (iv->lost)
		text_lost(out, iv);
	for (size_t i = 0; i < n; i++) {
		text_group_title(out, s, &rows[i], "time in KVM");
		print_log2_hist(out, &rows[i].stats.kvm, "nsecs");
		if (rows[i].stats.vmm.count) {
			text_group_title(out, s, &rows[i], "VMM round trip");
			print_log2_hist(out, &rows[i].stats.vmm, "nsecs");
		}
	}
}

/* JSON */

static void json_latency(struct json_writer *w, const char *name, const struct latency *l)
{
	jw_name(w, name);
	if (!l->count) {
		jw_null(w);
		return;
	}
	jw_start_object(w);
	jw_uint_safe_field(w, "count", l->count);
	jw_uint_safe_field(w, "sum", l->sum_ns);
	jw_uint_safe_field(w, "max", l->max_ns);
	for (size_t i = 0; i < NR_PERCENTILES; i++)
		jw_uint_safe_field(w, percentile_names[i], latency_percentile(l, percentiles[i]));
	/* the non-empty sub-buckets, inclusive bounds */
	jw_name(w, "buckets");
	jw_start_array(w);
	for (unsigned i = 0; i < AGG_HIST_SLOTS; i++) {
		if (!l->slots[i])
			continue;
		jw_start_object(w);
		jw_uint_safe_field(w, "lo", latency_slot_lo(i));
		jw_uint_safe_field(w, "hi", latency_slot_hi(i));
		jw_uint_safe_field(w, "count", l->slots[i]);
		jw_end_object(w);
	}
	jw_end_array(w);
	jw_end_object(w);
}

/* A site: its PC, and with guest symbols its name (null: no symbol contains it) */
static void json_site(struct json_writer *w, const struct agg_row *r, const struct guest_syms_set *syms)
{
	char site[GUEST_SYM_TEXT_MAX];

	jw_hex_field(w, "pc", r->key.pc);
	if (syms && syms->nr)
		jw_string_field(w, "pc_sym", agg_site_label(&r->key, syms, site, sizeof(site)) > 0 ? site : NULL);
}

static void json_group(struct json_writer *w, unsigned by, const struct agg_row *r, const struct guest_syms_set *syms)
{
	char name[SMCCC_NAME_MAX];
	struct smccc_decoded dec;

	by = agg_by_keys(by);	/* a site is one VMM's and one VM's */
	jw_start_object(w);
	if (by & AGG_BY_PID)
		jw_uint_field(w, "pid", r->key.pid);
	if (by & AGG_BY_GUEST)	/* null: a VMM gone before it was named */
		jw_string_field(w, "guest", r->guest);
	if (by & AGG_BY_VM)
		jw_uint_field(w, "vm", r->key.vm);
	if (by & AGG_BY_VCPU)
		jw_uint_field(w, "vcpu", r->key.vcpu);
	if (by & AGG_BY_SITE)
		json_site(w, r, syms);
	if (by & AGG_BY_FUNC) {
		smccc_decode(r->key.func_id, &dec);
		jw_uint_field(w, "func_id", r->key.func_id);
		jw_string_field(w, "func", r->key.folded ? NULL : dec.name);
		jw_string_field(w, "func_label", func_label(r, name, sizeof(name)));
		if (r->key.folded)
			jw_bool_field(w, "folded", true);
	}
	if (by & (AGG_BY_FUNC | AGG_BY_SERVICE))
		jw_string_field(w, "service", smccc_service_name(r->service));
	if (by & AGG_BY_DISPOSITION)
		jw_string_field(w, "disposition", disposition_name(r->key.disposition));
	jw_uint_safe_field(w, "count", r->stats.count);
	jw_uint_safe_field(w, "unanswered", r->stats.unanswered);
	jw_uint_safe_field(w, "parked", r->stats.parked);
	json_latency(w, "kvm_ns", &r->stats.kvm);
	json_latency(w, "vmm_ns", &r->stats.vmm);
	jw_end_object(w);
}

static void print_json(struct summary *s, const struct agg_row *rows, size_t n, const struct summary_interval *iv)
{
	struct json_writer *w = &s->jw;
	__u64 by_disp[DISP__COUNT];
	struct timespec now;
	struct tm tm;
	char when[48];

	if (iv->realtime_ns) {
		now.tv_sec = (time_t)(iv->realtime_ns / 1000000000u);
		now.tv_nsec = (long)(iv->realtime_ns % 1000000000u);
	} else {
		clock_gettime(CLOCK_REALTIME, &now);
	}
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", gmtime_r(&now.tv_sec, &tm));
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ", now.tv_nsec / 1000000);
	jw_start_object(w);
	jw_string_field(w, "type", "interval");
	jw_uint_field(w, "interval", s->intervals);
	jw_bool_field(w, "final", iv->final);
	jw_string_field(w, "time", when);
	jw_uint_safe_field(w, "start_ns", iv->start_ns);
	jw_uint_safe_field(w, "end_ns", iv->end_ns);
	jw_name(w, "by");
	jw_start_array(w);
	for (unsigned bit = 1; bit & AGG_BY__ALL; bit <<= 1)
		if (s->by & bit)
			jw_string(w, agg_by_name(bit));
	jw_end_array(w);
	jw_uint_safe_field(w, "calls", agg_calls(s->table, by_disp));
	jw_uint_safe_field(w, "lost", iv->lost);
	if (iv->causes_known && iv->lost) {
		jw_name(w, "lost_by_cause");
		jw_start_object(w);
		for (unsigned c = 0; c < LOST__COUNT; c++)
			jw_uint_safe_field(w, lost_cause_name(c), iv->lost_by_cause.by_cause[c]);
		jw_end_object(w);
	}
	jw_name(w, "by_disposition");
	jw_start_object(w);
	for (unsigned d = 0; d < DISP__COUNT; d++)
		jw_uint_safe_field(w, disposition_name(d), by_disp[d]);
	jw_end_object(w);
	jw_name(w, "groups");
	jw_start_array(w);
	for (size_t i = 0; i < n; i++)
		json_group(w, s->by, &rows[i], s->syms);
	jw_end_array(w);
	jw_end_object(w);
	jw_end_line(w);
}

int summary_print(struct summary *s, const struct summary_interval *iv)
{
	struct agg_row *rows;
	__u64 by_disp[DISP__COUNT];
	size_t n = agg_rows(s->table, s->by, &rows);

	if (n == (size_t)-1) {
		errno = ENOMEM;
		return -1;
	}
	s->intervals++;
	s->calls += agg_calls(s->table, by_disp);
	for (unsigned d = 0; d < DISP__COUNT; d++)
		s->by_disp[d] += by_disp[d];
	if (s->json)
		print_json(s, rows, n, iv);
	else
		print_text(s, rows, n, iv);
	free(rows);
	agg_reset(s->table);
	if (fflush(s->out) || ferror(s->out)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}
