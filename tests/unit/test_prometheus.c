// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the Prometheus text exposition (src/prometheus.c) and of
 * smccctrace's metrics (src/exporter_metrics.c): exact seconds, escaping, histogram
 * invariants (cumulative buckets, +Inf == _count, _sum in seconds), and a whole page
 * rendered from a fixed table of calls whose counts and latencies are known.
 */
#include <math.h>
#include <stdlib.h>
#include "unit.h"
#include "guest_name.h"
#include "test_call.h"
#include "exposition.h"
#include "aggregate.h"
#include "exporter_metrics.h"
#include "prometheus.h"

/* Renders through a memory stream; the caller frees. */
#define CAPTURE(buf, stmt) do {						\
	size_t len_;							\
	FILE *out = open_memstream(&(buf), &len_);			\
	stmt;								\
	fclose(out);							\
} while (0)

static void test_seconds(void)
{
	char b[32];

	CHECK_STR(prom_seconds(b, 0), "0");
	CHECK_STR(prom_seconds(b, 1), "0.000000001");
	CHECK_STR(prom_seconds(b, 1023), "0.000001023");
	CHECK_STR(prom_seconds(b, 1500000000), "1.5");
	CHECK_STR(prom_seconds(b, 2000000000), "2");
	CHECK_STR(prom_seconds(b, 34359738367ull), "34.359738367");
	CHECK_STR(prom_seconds(b, UINT64_MAX), "18446744073.709551615");
}

static void test_escaping(void)
{
	const struct prom_label l[] = {
		{ "a", "back\\slash \"quoted\"\nnewline" },
		{ "b", "" },
	};
	char *page = NULL;

	CAPTURE(page, prom_family(out, "x_total", "counter", "help with \\ and \"quotes\"\nand a newline"));
	CHECK_STR(page, "# HELP x_total help with \\\\ and \"quotes\"\\nand a newline\n# TYPE x_total counter\n");
	free(page);
	CAPTURE(page, prom_sample_u64(out, "x_total", l, 2, 18446744073709551615ull));
	CHECK_STR(page, "x_total{a=\"back\\\\slash \\\"quoted\\\"\\nnewline\",b=\"\"} 18446744073709551615\n");
	free(page);
	CAPTURE(page, prom_sample_u64(out, "x", NULL, 0, 0));
	CHECK_STR(page, "x 0\n");
	free(page);
	CAPTURE(page, prom_sample_seconds(out, "t_seconds", l + 1, 1, 2500));
	CHECK_STR(page, "t_seconds{b=\"\"} 0.0000025\n");
	free(page);
}

static void test_histogram(void)
{
	const __u64 bounds[] = { 255, 1023, 1000000000 };
	const __u64 cum[] = { 1, 3, 3 };
	const struct prom_histogram h = {
		.bounds_ns = bounds, .cumulative = cum, .nr_bounds = 3, .count = 4, .sum_ns = 1500000300,
	};
	const struct prom_label l[] = { { "f", "x" } };
	char *page = NULL;

	CAPTURE(page, prom_histogram(out, "h_seconds", l, 1, &h));
	CHECK_STR(page,
		  "h_seconds_bucket{f=\"x\",le=\"0.000000255\"} 1\n"
		  "h_seconds_bucket{f=\"x\",le=\"0.000001023\"} 3\n"
		  "h_seconds_bucket{f=\"x\",le=\"1\"} 3\n"
		  "h_seconds_bucket{f=\"x\",le=\"+Inf\"} 4\n"
		  "h_seconds_sum{f=\"x\"} 1.5000003\n"
		  "h_seconds_count{f=\"x\"} 4\n");
	free(page);
	CAPTURE(page, prom_histogram(out, "h_seconds", NULL, 0, &h));
	CHECK(strstr(page, "h_seconds_bucket{le=\"+Inf\"} 4\nh_seconds_sum 1.5000003\nh_seconds_count 4\n") != NULL,
	      "no labels but le: %s", page);
	free(page);
}

#define CPU_ON_LABELS(vcpu) "pid=\"100\",vm=\"1\"," vcpu "service=\"psci\",func=\"PSCI_CPU_ON\",disposition=\"kvm\""
/* KVM_0x0030 is unknown to the decoder: counted under its service, KVM_other */
#define FWD_LABELS "pid=\"100\",vm=\"1\",service=\"kvm\",func=\"KVM_other\",disposition=\"forwarded\""

/* Every label name on the page is one of these: never a PC or an argument. */
static bool labels_allowed(const char *labels)
{
	static const char *const allowed[] = {
		"pid", "vm", "vcpu", "service", "func", "disposition", "le", "version", "plan", "handler", "kernel",
		"cause", "guest",
	};
	const char *p = labels;

	while (*p) {
		size_t n = strcspn(p, "=");
		bool ok = false;

		for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			ok |= strlen(allowed[i]) == n && !strncmp(allowed[i], p, n);
		if (!ok)
			return false;
		p += n + 2;	/* =" */
		while (*p != '"')
			p += *p == '\\' ? 2 : 1;
		p++;		/* the closing quote */
		if (*p == ',')
			p++;
	}
	return true;
}

/* Histogram series on the page: le ascending, buckets cumulative, +Inf == _count. */
static void check_histograms(const struct expo_page *pg, const char *name)
{
	char bucket[128], count[128];
	size_t series = 0;

	snprintf(bucket, sizeof(bucket), "%s_bucket", name);
	snprintf(count, sizeof(count), "%s_count", name);
	for (size_t i = 0; i < pg->n; i++) {
		const struct expo_sample *c = &pg->s[i];
		double prev_le = -1, prev = 0;
		int buckets = 0;
		bool ok = true;

		if (strcmp(c->name, count))
			continue;
		series++;
		for (size_t j = 0; j < pg->n; j++) {
			const struct expo_sample *b = &pg->s[j];
			const char *le = strstr(b->labels, "le=\"");
			size_t common = le ? (size_t)(le - b->labels) : 0;

			if (strcmp(b->name, bucket) || !le || strncmp(b->labels, c->labels, common - (common > 0)) ||
			    strlen(c->labels) != common - (common > 0))
				continue;
			double v = !strncmp(le + 4, "+Inf", 4) ? INFINITY : strtod(le + 4, NULL);
			ok &= v > prev_le && b->value >= prev;
			if (isinf(v))
				ok &= b->value == c->value;
			prev_le = v;
			prev = b->value;
			buckets++;
		}
		CHECK(ok && buckets == EXPORTER_NR_BOUNDS + 1 && isinf(prev_le),
		      "%s{%s}: %d buckets, cumulative, ascending, +Inf last and == _count", name, c->labels, buckets);
	}
	CHECK(series > 0, "%s has series", name);
}

/* The guest label: after pid, one value per VMM (its name), absent when unknown */
static void test_guest_label(void)
{
	struct smccc_event a = test_call(300, 0, 0x84000000, DISP_KVM, 1000, 0);
	struct smccc_event b = test_call(400, 0, 0x84000000, DISP_KVM, 1000, 0);
	const struct exporter_status st = { .up = true, .version = "0.1.0", .plan = "fentry/fexit" };
	struct agg_table *t = agg_new();
	struct expo_page pg;
	char *page = NULL;
	int rc;

	guest_names_set(300, "web \"1\"");
	agg_add_event(t, &a);
	agg_add_event(t, &b);
	CAPTURE(page, rc = exporter_metrics_render(out, t, &st));
	CHECK_INT(rc, 0);
	CHECK(expo_parse(page, &pg), "the page parses: %s", pg.error);
	CHECK_INT(expo_value(&pg, "smccctrace_calls_total",
			     "pid=\"300\",guest=\"web \\\"1\\\"\",vm=\"1\",vcpu=\"0\",service=\"psci\",func=\"PSCI_VERSION\","
			     "disposition=\"kvm\""), 1);
	CHECK_INT(expo_value(&pg, "smccctrace_calls_total",
			     "pid=\"400\",vm=\"1\",vcpu=\"0\",service=\"psci\",func=\"PSCI_VERSION\",disposition=\"kvm\""), 1);
	expo_free(&pg);
	free(page);
	agg_free(t);
	guest_names_free();
}

static void test_page(void)
{
	struct smccc_event ev[] = {
		test_call(100, 0, 0x84000000, DISP_KVM, 1000, 0),		/* PSCI_VERSION */
		test_call(100, 1, 0xc4000003, DISP_KVM, 255, 0),		/* CPU_ON, SMC64: at the first bound */
		test_call(100, 1, 0x84000003, DISP_KVM, 256, 0),		/* CPU_ON, SMC32: just above it */
		test_call(100, 1, 0xc4000003, DISP_KVM, 100000000000ull, 0),	/* 100 s: past the last bound */
		test_call(100, 0, 0xc6000030, DISP_FORWARDED, 5000, 2000000),	/* vendor hyp, forwarded */
		test_call(100, 1, 0xc6000030, DISP_FORWARDED, 7000, 3000000),
		test_call(200, 0, 0x84000000, DISP_DENIED, 1500, 0),
	};
	struct smccc_event gone = test_call(100, 1, 0xc6000030, DISP_FORWARDED, 9000, 0);
	const struct exporter_status st = {
		.up = true, .version = "0.1.0", .plan = "fentry/fexit", .handler = "kvm_smccc_call_handler",
		.kernel = "6.12.95+deb12-arm64", .start_time_ns = 1700000000123000000ull, .lost = 3,
		.lost_by_cause = { .by_cause = { [LOST_RING_BUFFER] = 1, [LOST_CALL_STATE] = 2 } },
		.keys = 6, .dropped_series = 4,
	};
	struct agg_table *t = agg_new();
	struct expo_page pg;
	char *page = NULL;
	int rc;

	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		agg_add_event(t, &ev[i]);
	gone.flags = EVF_VMM_GONE;	/* counted, but no VMM round trip */
	agg_add_event(t, &gone);
	CAPTURE(page, rc = exporter_metrics_render(out, t, &st));
	CHECK_INT(rc, 0);
	bool parsed = expo_parse(page, &pg);
	CHECK(parsed, "the page parses: %s", pg.error);
	if (!parsed) {
		printf("%s", page);
		goto out;
	}

	/* counters: SMC32 and SMC64 CPU_ON are one series */
	CHECK_INT(expo_value(&pg, "smccctrace_calls_total", CPU_ON_LABELS("vcpu=\"1\",")), 3);
	CHECK_INT(expo_value(&pg, "smccctrace_calls_total",
			     "pid=\"100\",vm=\"1\",vcpu=\"0\",service=\"psci\",func=\"PSCI_VERSION\",disposition=\"kvm\""), 1);
	CHECK_INT(expo_value(&pg, "smccctrace_calls_total",
			     "pid=\"200\",vm=\"1\",vcpu=\"0\",service=\"psci\",func=\"PSCI_VERSION\",disposition=\"denied\""), 1);
	CHECK_INT(expo_value(&pg, "smccctrace_calls_total",
			     "pid=\"100\",vm=\"1\",vcpu=\"1\",service=\"kvm\",func=\"KVM_other\",disposition=\"forwarded\""), 2);
	CHECK_INT(expo_count(&pg, "smccctrace_calls_total"), 5);

	/* KVM time, summed over vCPUs: 255 ns is in the first bucket, 256 ns is not */
	CHECK_INT(expo_value(&pg, "smccctrace_kvm_time_seconds_bucket", CPU_ON_LABELS("") ",le=\"0.000000255\""), 1);
	CHECK_INT(expo_value(&pg, "smccctrace_kvm_time_seconds_bucket", CPU_ON_LABELS("") ",le=\"0.000000511\""), 2);
	CHECK_INT(expo_value(&pg, "smccctrace_kvm_time_seconds_bucket", CPU_ON_LABELS("") ",le=\"34.359738367\""), 2);
	CHECK_INT(expo_value(&pg, "smccctrace_kvm_time_seconds_bucket", CPU_ON_LABELS("") ",le=\"+Inf\""), 3);
	CHECK_INT(expo_value(&pg, "smccctrace_kvm_time_seconds_count", CPU_ON_LABELS("")), 3);
	CHECK(expo_value(&pg, "smccctrace_kvm_time_seconds_sum", CPU_ON_LABELS("")) == 100.000000511,
	      "_sum is 100.000000511 s");
	CHECK(isnan(expo_value(&pg, "smccctrace_kvm_time_seconds_count", CPU_ON_LABELS("vcpu=\"1\","))),
	      "histograms have no vcpu label");
	/* VMM round trip: forwarded calls that got an answer only */
	CHECK_INT(expo_value(&pg, "smccctrace_vmm_round_trip_seconds_count", FWD_LABELS), 2);
	CHECK(expo_value(&pg, "smccctrace_vmm_round_trip_seconds_sum", FWD_LABELS) == 0.005, "VMM _sum is 5 ms");
	CHECK_INT(expo_value(&pg, "smccctrace_vmm_round_trip_seconds_bucket", FWD_LABELS ",le=\"0.002097151\""), 1);
	CHECK_INT(expo_value(&pg, "smccctrace_vmm_round_trip_seconds_bucket", FWD_LABELS ",le=\"0.004194303\""), 2);
	CHECK_INT(expo_value(&pg, "smccctrace_kvm_time_seconds_count", FWD_LABELS), 3);
	CHECK_INT(expo_count(&pg, "smccctrace_vmm_round_trip_seconds_count"), 1);
	check_histograms(&pg, "smccctrace_kvm_time_seconds");
	check_histograms(&pg, "smccctrace_vmm_round_trip_seconds");

	/* health */
	CHECK_INT(expo_value(&pg, "smccctrace_up", ""), 1);
	/* every cause, zero or not, with its own series */
	CHECK_INT(expo_value(&pg, "smccctrace_lost_events_total", "cause=\"ring_buffer_full\""), 1);
	CHECK_INT(expo_value(&pg, "smccctrace_lost_events_total", "cause=\"call_state_full\""), 2);
	CHECK_INT(expo_value(&pg, "smccctrace_lost_events_total", "cause=\"kprobe_missed\""), 0);
	CHECK_INT(expo_count(&pg, "smccctrace_lost_events_total"), LOST__COUNT);
	/* the call the VMM never answered: counted as a call and as unanswered */
	CHECK_INT(expo_value(&pg, "smccctrace_unanswered_calls_total",
			     "pid=\"100\",vm=\"1\",vcpu=\"1\",service=\"kvm\",func=\"KVM_other\",disposition=\"forwarded\""), 1);
	CHECK_INT(expo_value(&pg, "smccctrace_parked_calls_total",
			     "pid=\"100\",vm=\"1\",vcpu=\"1\",service=\"kvm\",func=\"KVM_other\",disposition=\"forwarded\""), 0);
	CHECK_INT(expo_value(&pg, "smccctrace_calls_seen_total", ""), 11);
	CHECK_INT(expo_value(&pg, "smccctrace_keys", ""), 6);
	CHECK_INT(expo_value(&pg, "smccctrace_dropped_series_total", ""), 4);
	CHECK_INT(expo_value(&pg, "smccctrace_attach_info",
			     "version=\"0.1.0\",plan=\"fentry/fexit\",handler=\"kvm_smccc_call_handler\","
			     "kernel=\"6.12.95+deb12-arm64\""), 1);
	CHECK(strstr(page, "\nsmccctrace_start_time_seconds 1700000000.123\n") != NULL, "start time in seconds");

	bool allowed = true;
	for (size_t i = 0; i < pg.n; i++)
		allowed &= labels_allowed(pg.s[i].labels);
	CHECK(allowed, "only the documented label names");
	expo_free(&pg);
out:
	free(page);
	agg_free(t);
}

/* No calls yet: health only, and the page is still well formed. */
static void test_empty(void)
{
	const struct exporter_status st = { .up = false };
	struct expo_page pg;
	char *page = NULL;
	int rc;

	CAPTURE(page, rc = exporter_metrics_render(out, NULL, &st));
	CHECK_INT(rc, 0);
	CHECK(expo_parse(page, &pg), "the empty page parses: %s", pg.error);
	CHECK_INT(expo_value(&pg, "smccctrace_up", ""), 0);
	CHECK_INT(expo_count(&pg, "smccctrace_calls_total"), 0);
	CHECK(strstr(page, "# TYPE smccctrace_calls_total counter\n") != NULL, "families are declared even when empty");
	expo_free(&pg);
	free(page);
}

/* The test's reader catches what a scrape would reject. */
static void test_reader(void)
{
	static const char *const bad[] = {
		"x 1",						/* no newline at the end */
		"# HELP x h\n# TYPE x counter\nx{a=\"\\q\"} 1\n",	/* bad escape */
		"# HELP x h\n# TYPE x counter\nx 1\nx 2\n",	/* a series twice */
		"# HELP x h\n# TYPE x counter\ny 1\n",		/* outside its family */
		"# HELP x h\n# TYPE x counter\nx{1a=\"v\"} 1\n",	/* bad label name */
		"# HELP x h\n# TYPE x counter\nx one\n",		/* bad value */
	};
	struct expo_page pg;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!expo_parse(bad[i], &pg), "rejects bad page %zu", i);
		expo_free(&pg);
	}
}

int main(void)
{
	test_seconds();
	test_escaping();
	test_histogram();
	test_page();
	test_guest_label();
	test_empty();
	test_reader();
	return unit_report("test_prometheus");
}
