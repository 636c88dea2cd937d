/* The Prometheus text exposition format (version 0.0.4), written to a stdio stream:
 * metric families, samples with escaped label values, and histograms of integer
 * nanoseconds rendered in seconds. Knows nothing about smccctrace's metrics
 * (src/exporter_metrics.c) or HTTP (src/exporter.c). */
#ifndef SMCCCTRACE_PROMETHEUS_H
#define SMCCCTRACE_PROMETHEUS_H
#include <stdio.h>
#include <linux/types.h>

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct prom_label {
	const char *name;		/* [a-zA-Z_][a-zA-Z0-9_]*, never escaped */
	const char *value;		/* any UTF-8; escaped as the format requires */
};

/* "# HELP NAME HELP" and "# TYPE NAME TYPE" (counter, gauge, histogram, ...). */
void prom_family(FILE *out, const char *name, const char *type, const char *help);

/* One sample: NAME{LABELS} VALUE, for an integer and for nanoseconds shown in seconds. */
void prom_sample_u64(FILE *out, const char *name, const struct prom_label *labels, int nr_labels,
		     __u64 value);
void prom_sample_seconds(FILE *out, const char *name, const struct prom_label *labels, int nr_labels,
			 __u64 ns);

/*
 * A histogram's samples: NAME_bucket{LABELS,le="B"} for each bound, then le="+Inf",
 * NAME_sum and NAME_count. bounds_ns are inclusive upper bounds in ns, ascending;
 * cumulative[i] counts the values <= bounds_ns[i]. The +Inf bucket is count.
 */
struct prom_histogram {
	const __u64 *bounds_ns;
	const __u64 *cumulative;
	int nr_bounds;
	__u64 count;
	__u64 sum_ns;
};

void prom_histogram(FILE *out, const char *name, const struct prom_label *labels, int nr_labels,
		    const struct prom_histogram *h);

/* Nanoseconds as an exact decimal number of seconds, without trailing zeros:
 * 1500000000 -> "1.5", 1023 -> "0.000001023", 0 -> "0". buf holds 32 bytes. */
const char *prom_seconds(char buf[32], __u64 ns);
#endif
