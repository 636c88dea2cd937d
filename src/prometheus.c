/* The Prometheus text exposition format: see prometheus.h and
 * https://prometheus.io/docs/instrumenting/exposition_formats/ */
#include "prometheus.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

/* HELP text escapes backslash and newline; label values also the double quote. */
static void put_escaped(FILE *out, const char *s, bool quote)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '"':
			fputs(quote ? "\\\"" : "\"", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

void prom_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s ", name);
	put_escaped(out, help, false);
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

/* NAME{a="x",b="y"[,le="B"]} with an optional last label, then a space */
static void put_series(FILE *out, const char *name, const char *suffix, const struct prom_label *labels,
		       int nr_labels, const char *le)
{
	bool any = nr_labels > 0 || le;

	fputs(name, out);
	fputs(suffix, out);
	if (any)
		fputc('{', out);
	for (int i = 0; i < nr_labels; i++) {
		fprintf(out, "%s%s=\"", i ? "," : "", labels[i].name);
		put_escaped(out, labels[i].value, true);
		fputc('"', out);
	}
	if (le)
		fprintf(out, "%sle=\"%s\"", nr_labels ? "," : "", le);
	if (any)
		fputc('}', out);
	fputc(' ', out);
}

void prom_sample_u64(FILE *out, const char *name, const struct prom_label *labels, int nr_labels, __u64 value)
{
	put_series(out, name, "", labels, nr_labels, NULL);
	fprintf(out, "%" PRIu64 "\n", (uint64_t)value);
}

const char *prom_seconds(char buf[32], __u64 ns)
{
	__u64 s = ns / 1000000000ull, frac = ns % 1000000000ull;
	int len;

	if (!frac) {
		snprintf(buf, 32, "%" PRIu64, (uint64_t)s);
		return buf;
	}
	len = snprintf(buf, 32, "%" PRIu64 ".%09" PRIu64, (uint64_t)s, (uint64_t)frac);
	while (buf[len - 1] == '0')
		buf[--len] = 0;
	return buf;
}

void prom_sample_seconds(FILE *out, const char *name, const struct prom_label *labels, int nr_labels, __u64 ns)
{
	char buf[32];

	put_series(out, name, "", labels, nr_labels, NULL);
	fprintf(out, "%s\n", prom_seconds(buf, ns));
}

void prom_histogram(FILE *out, const char *name, const struct prom_label *labels, int nr_labels,
		    const struct prom_histogram *h)
{
	char buf[32];

	for (int i = 0; i < h->nr_bounds; i++) {
		put_series(out, name, "_bucket", labels, nr_labels, prom_seconds(buf, h->bounds_ns[i]));
		fprintf(out, "%" PRIu64 "\n", (uint64_t)h->cumulative[i]);
	}
	put_series(out, name, "_bucket", labels, nr_labels, "+Inf");
	fprintf(out, "%" PRIu64 "\n", (uint64_t)h->count);
	put_series(out, name, "_sum", labels, nr_labels, NULL);
	fprintf(out, "%s\n", prom_seconds(buf, h->sum_ns));
	put_series(out, name, "_count", labels, nr_labels, NULL);
	fprintf(out, "%" PRIu64 "\n", (uint64_t)h->count);
}
