/* What the trace modes share inside the tracer: src/cmd_trace.c (options, load,
 * attach, release), src/tracer.c (the stream, --summary), src/exporter_mode.c
 * (--listen) and src/top_live.c (top). Not an interface for other files. */
#ifndef SMCCCTRACE_TRACER_INTERNAL_H
#define SMCCCTRACE_TRACER_INTERNAL_H
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "drops.h"
#include "guest_clock.h"
#include "loader.h"
#include "options.h"
#include "planner.h"
#include "sink.h"
#include "vmm_select.h"

#define MAX_SINKS 8

struct tracer {
	struct trace_opts opts;
	struct loaded bpf;
	struct kernel_facts kernel;
	struct ring_buffer *rb;
	FILE *out;
	struct sink sinks[MAX_SINKS];
	int nr_sinks;
	__u64 t0_ns;
	struct trace_info info;		/* handed to the sinks when tracing starts */
	struct guest_clock clock;	/* the host counter against CLOCK_MONOTONIC: guest_cntvct */
	__u64 lost_checked_ns;
	__u64 flushed_ns;		/* the sinks were last flushed (flush_sinks) */
	__u64 names_swept_ns;		/* guest names were last swept (sweep_guest_names) */
	struct trace_totals totals;
	struct drops drops;		/* as last read */
	struct drops drops_sent;	/* handed to the sinks' lost() (poll_lost) */
	int output_errno;		/* first output failure; stops the trace */
	const char *output_failed;	/* the file that failed */
	const struct sink *failed_sink;	/* the sink whose output failed, if one did */
	/* --listen: bound, and --web-config read, before the privileges are dropped */
	int listen_fd;
	struct web_config *web;
	struct guest_syms_set syms;	/* --guest-kallsyms, ...: read before attaching */
	struct vmm_watch watch;		/* -g --wait: the looks for new VMMs */
};

/* the signal that asked the trace to stop (SIGINT, SIGTERM, SIGHUP), or 0 */
extern volatile sig_atomic_t stop_signal;

__u64 monotonic_ns(void);
/* Sleeps until `until` (monotonic ns), at most 100 ms, so that stops are noticed. */
void nap_until(__u64 until);
/* guest_names_sweep() about once a second (pid reuse, exited VMMs); only where the
 * caller holds no name from guest_names_get(). */
void sweep_guest_names(struct tracer *t, __u64 now);
/* Calls that could not be handed over, every cause, since the start; t->drops and
 * t->totals.lost_by_cause get them by cause. */
__u64 lost_events(struct tracer *t);
/* src/vmm_select.c: which VMMs are traced (-p, -g, --wait). select_vmms checks the -p
 * pids and adds the pids of the -g names to t->opts.pids, before loading; returns 0, or
 * 1 after one error line. */
int select_vmms(struct tracer *t);
/* Lets a pid's calls through the kernel's filter (traced_tgids). */
void let_vmm_through(struct tracer *t, __u32 pid);
/* Every traced VMM has exited (false when all VMMs are traced, and while -g --wait
 * has found none yet). With -g --wait, first looks for new VMMs of those names. */
bool traced_vmms_gone(struct tracer *t);
/* Starts the trace proper: the pid filter, t0, the sinks. Returns 0, or -1 when a
 * sink could not start (t->output_failed). */
int begin_trace(struct tracer *t);
/* The one-line error for t->output_failed; 0 for a closed pipe. */
int output_error(struct tracer *t);
/* The totals line on stderr, and a warning naming each cause of loss. */
void print_totals(const struct trace_totals *t);

/* Forwarded calls still with the VMM when the trace ends, into table as unanswered
 * (as the stream would write them). */
struct agg_table;
void drain_unanswered_into(struct tracer *t, struct agg_table *table);

/* The stream: every call to the sinks (text, JSON Lines, --record, --perfetto,
 * psci), until the trace ends. */
int run_stream(struct tracer *t);
/* --summary: the kernel's counts, read and printed per -i interval and at the end. */
int run_summary(struct tracer *t);
/* --listen: serves the kernel's counts to Prometheus until the trace ends. */
int run_exporter(struct tracer *t);
/* top: the live view of the kernel's counts (src/top_live.c). */
int run_top(struct tracer *t);
/* --listen, before attaching (with every privilege): binds the address, warns once
 * about plain HTTP beyond loopback (t->web: --web-config, read first of all). Returns 0
 * or -1 after one error line. exporter_release() closes what run_exporter() did not
 * take and frees t->web. */
int exporter_prepare(struct tracer *t);
void exporter_release(struct tracer *t);
#endif
