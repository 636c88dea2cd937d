/* Where traced calls go. The live tracer and `smccctrace report` (offline) feed the
 * same sinks, so every output mode renders identically from either source. */
#ifndef SMCCCTRACE_SINK_H
#define SMCCCTRACE_SINK_H
#include <stdio.h>
#include <linux/types.h>
#include "render.h"
#include "smccctrace.h"

/* What is known about a trace when it starts: live, from the running kernel and the
 * attach plan; offline, from a record file's header (src/record.h). */
#define TRACE_MAX_HOOKS 16

struct trace_hook {
	const char *role;		/* "trap hvc", "smccc handler done", ... */
	const char *kind;		/* "fentry", "fexit", "kprobe", "kretprobe", ... */
	const char *target;		/* kernel function */
};

struct trace_info {
	const char *tool_version;	/* of the smccctrace that traced */
	const char *kernel_release;	/* uname -r of the traced host */
	const char *machine;		/* uname -m of the traced host */
	const char *plan;		/* hook_mech_name(): "fentry/fexit", "kprobe/kretprobe", ... */
	const char *handler;		/* the kernel's SMCCC dispatcher that was hooked */
	struct trace_hook hooks[TRACE_MAX_HOOKS];
	int nr_hooks;
	/* The clocks, read together when the trace started. Event timestamps are
	 * CLOCK_MONOTONIC (bpf_ktime_get_ns); ts_ns in every output is relative to
	 * monotonic_ns, and realtime_ns turns it into wall-clock time. */
	__u64 monotonic_ns;
	__u64 realtime_ns;
	__u64 boottime_ns;
	/* CNTFRQ_EL0 of the traced host (Hz): guest_cntvct / cntfrq is the guest's counter
	 * time in seconds; 0 when unknown (no counter, a record file before format 3) */
	__u64 cntfrq;
	/* the guest symbols given (--guest-kallsyms, ...), for sinks that name PCs after the
	 * call (the PSCI view's operations); NULL: none */
	const struct guest_syms_set *guest_syms;
};

/* Totals over the whole trace, handed to each sink when the trace ends. */
struct trace_totals {
	__u64 calls;
	__u64 lost;			/* the sum of lost_by_cause */
	__u64 lost_by_cause[LOST__COUNT];	/* enum lost_cause, when causes_known */
	bool causes_known;		/* live, and a record file of format 2 or later */
	__u64 by_disposition[DISP__COUNT];
	double duration_s;
	const char *plan;		/* "fentry/fexit", "kprobe/kretprobe"; NULL offline if unknown */
	const char *handler;		/* the kernel's SMCCC dispatcher that was hooked */
	__u64 cntfrq;			/* the host counter's frequency (trace_info.cntfrq); 0: unknown */
	__u64 vmms_refused;		/* -g --wait: VMMs not traced, MAX_TRACED_PIDS live ones were */
	bool vmms_refused_more;		/* ... and more that could not be counted */
};

struct sink {
	const char *name;		/* for errors: the file it writes, or "standard output" */
	void *ctx;
	/* the trace starts (live: attached; offline: header read); optional */
	int (*start)(struct sink *s, const struct trace_info *info);
	/* one call; returns 0, or -1 when the output failed (errno says why) */
	int (*event)(struct sink *s, const struct call_view *v);
	/* count calls lost for one cause (enum lost_cause; RECORD_CAUSE_UNKNOWN from a
	 * version 1 record file), noticed at ts_ns (trace-relative); optional */
	int (*lost)(struct sink *s, __u64 ts_ns, unsigned cause, __u64 count);
	/* live, every second (RECORD_FLUSH_NS): hand what is buffered to the kernel, so
	 * that a tracer killed mid-run leaves all but its last second; optional */
	int (*flush)(struct sink *s);
	/* the trace ended: write summaries and flush; returns 0 or -1 (errno) */
	int (*finish)(struct sink *s, const struct trace_totals *totals);
	void (*destroy)(struct sink *s);
};

/* The text or JSON Lines stream (-o FILE or stdout); pc_sym: guest symbols were given */
int sink_stream_open(struct sink *s, FILE *out, const char *name, bool json, bool pc_sym);
/* The --summary table and histograms (or JSON document) of every call it is fed,
 * grouped by AGG_BY_* (src/summary.h), printed when the trace ends. */
int sink_summary_open(struct sink *s, FILE *out, const char *name, bool json, unsigned by);
/* The raw event stream in the record format (src/record.h), to a file. Returns 0, or
 * -1 with errno when the file cannot be created. */
int sink_record_open(struct sink *s, const char *path);
/* A Chrome Trace Event JSON timeline (docs/perfetto.md). Calls that would take the
 * file past max_bytes (0: no cap) are left out, with a warning and a marker.
 * guest_clock (--guest-clock): ts is each call's guest counter time, when the trace
 * has a counter frequency (trace_info.cntfrq). */
int sink_perfetto_open(struct sink *s, const char *path, __u64 max_bytes, bool guest_clock);
/* The PSCI flow view (src/psci_flow.h): per-vCPU power states, AFFINITY_INFO polls,
 * forwarded PSCI calls and anomalies, printed when the trace ends. */
struct trace_opts;
int sink_psci_open(struct sink *s, FILE *out, const char *name, const struct trace_opts *o);
/* `report --top`: the recording replayed through the top view (src/top_view.h),
 * frames of -i seconds of recorded time. Interactive, it takes the terminal now.
 * Returns 0, or -1 with a one-line reason in err. */
int sink_top_open(struct sink *s, FILE *out, const char *name, const struct trace_opts *o, char *err,
		  unsigned errlen);
#endif
