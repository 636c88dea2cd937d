/* Where traced calls go. The live tracer and `smccctrace report` (offline) feed the
 * same sinks, so every output mode renders identically from either source. */
#ifndef SMCCCTRACE_SINK_H
#define SMCCCTRACE_SINK_H
#include <stdio.h>
#include <linux/types.h>
#include "render.h"
#include "smccctrace.h"

/* Totals over the whole trace, handed to each sink when the trace ends. */
struct trace_totals {
	__u64 calls;
	__u64 lost;
	__u64 by_disposition[DISP__COUNT];
	double duration_s;
	const char *plan;		/* "fentry/fexit", "kprobe/kretprobe"; NULL offline if unknown */
	const char *handler;		/* the kernel's SMCCC dispatcher that was hooked */
};

struct sink {
	const char *name;		/* for errors: the file it writes, or "standard output" */
	void *ctx;
	/* one call; returns 0, or -1 when the output failed (errno says why) */
	int (*event)(struct sink *s, const struct call_view *v);
	/* ring-buffer losses noticed at ts_ns (trace-relative); optional */
	int (*lost)(struct sink *s, __u64 ts_ns, __u64 count);
	/* the trace ended: write summaries and flush; returns 0 or -1 (errno) */
	int (*finish)(struct sink *s, const struct trace_totals *totals);
	void (*destroy)(struct sink *s);
};

/* The text or JSON Lines stream (-o FILE or stdout). */
int sink_stream_open(struct sink *s, FILE *out, const char *name, bool json);
#endif
