/* smccctrace's Prometheus metrics (docs/prometheus.md): the aggregation table
 * (src/aggregate.h) and the tracer's health, rendered in the text exposition format
 * (src/prometheus.h). Pure: the exporter (src/exporter_mode.c) reads the kernel, the
 * unit tests pass fixed tables. */
#ifndef SMCCCTRACE_EXPORTER_METRICS_H
#define SMCCCTRACE_EXPORTER_METRICS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "aggregate.h"
#include "drops.h"

struct exporter_status {
	bool up;			/* this scrape read the kernel's maps */
	const char *version;		/* of smccctrace */
	const char *plan;		/* "fentry/fexit", "kprobe/kretprobe", ... */
	const char *handler;		/* the kernel's SMCCC dispatcher that was hooked */
	const char *kernel;		/* uname -r */
	__u64 start_time_ns;		/* CLOCK_REALTIME when the probes were attached */
	__u64 lost;			/* calls that could not be counted: the sum of lost_by_cause */
	struct drops lost_by_cause;	/* by enum lost_cause */
	size_t keys;			/* distinct (pid, vm, vcpu, function, disposition) so far */
	__u64 dropped_series;		/* keys refused a series of their own (--max-series), once
					 * per collection in which they had calls */
};

/* The le bounds of every histogram: EXPORTER_NR_BOUNDS bounds, the i-th (from 0)
 * 2^(i + 8) - 1 ns (255 ns .. 34.4 s). They are upper ends of log2 slots of the
 * kernel's histograms, so each bucket is exact. */
#define EXPORTER_NR_BOUNDS 28
__u64 exporter_bound_ns(int i);

/* Writes the whole /metrics page for table t (NULL: no calls yet) to out. Returns 0,
 * or -1 when out of memory. */
int exporter_metrics_render(FILE *out, const struct agg_table *t, const struct exporter_status *st);
/* The pid of the series that hold the counts of VMMs that have exited (label "exited"). */
#define EXPORTER_EXITED_PID 0
/* The pid of the series past --max-series: the calls of keys that found the table
 * full, per function and disposition (labels pid, vm and vcpu "overflow"). */
#define EXPORTER_OVERFLOW_PID 0xffffffffu
/* The VM of the series that hold the counts of a live VMM's destroyed VMs (label
 * "destroyed"; src/exporter_fold.h). The kernel numbers VMs from 1 up, one number per
 * VM in the tracer's lifetime: this one would be the 4,294,967,295th VM. */
#define EXPORTER_DESTROYED_VM 0xffffffffu

#endif
