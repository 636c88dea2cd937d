/* The trace modes that poll the ring buffer or the "stats" map: the stream
 * (run_stream) and --summary (run_summary), with what they share: the lost counters,
 * the sinks' start, flush and end, unanswered calls and the totals. src/cmd_trace.c
 * sets a trace up and picks the mode. */
#include "tracer_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "diag.h"
#include "drops.h"
#include "guest_name.h"
#include "json_writer.h"
#include "loader.h"
#include "options.h"
#include "planner.h"
#include "render.h"
#include "sink.h"
#include "smccctrace.skel.h"
#include "stats_map.h"
#include "summary.h"
#include "version.h"

#define LOST_POLL_NS 100000000ull	/* how often the per-CPU lost counters are read */
#define SINK_FLUSH_NS 1000000000ull	/* how often buffered outputs (the record file) are flushed */
#define NAMES_SWEEP_NS 1000000000ull	/* how often the guest names of gone or reused pids go */

volatile sig_atomic_t stop_signal;

__u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* Sink s could not write (errno): the trace ends, and the other sinks still finish. */
static void sink_failed(struct tracer *t, const struct sink *s)
{
	t->output_errno = errno;
	t->output_failed = s->name;
	t->failed_sink = s;
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	struct smccc_event ev;	/* a copy: the ring buffer is mapped read-only */
	struct call_view v;

	if (size < sizeof(ev) || t->output_failed)
		return 0;
	memcpy(&ev, data, sizeof(ev));
	guest_clock_stamp(&t->clock, &ev);
	t->totals.calls++;
	if (ev.disposition < DISP__COUNT)
		t->totals.by_disposition[ev.disposition]++;
	call_view_init(&v, &ev, t->t0_ns);
	v.cntfrq = t->opts.guest_clock ? t->clock.cntfrq : 0;
	call_view_symbolize(&v, &t->syms);
	/* a failure ends the trace (-1 stops ring_buffer__poll), but this call still
	 * reaches the other sinks: the totals count it, and the record's end says them */
	for (int i = 0; i < t->nr_sinks; i++) {
		struct sink *s = &t->sinks[i];

		if (s != t->failed_sink && s->event(s, &v) && !t->output_failed)
			sink_failed(t, s);
	}
	return t->output_failed ? -1 : 0;
}

/* Every loss so far, by cause; the sum is what the sinks and totals call lost. */
__u64 lost_events(struct tracer *t)
{
	drops_read(t->bpf.skel, &t->bpf.plan, &t->drops);
	memcpy(t->totals.lost_by_cause, t->drops.by_cause, sizeof(t->totals.lost_by_cause));
	t->totals.causes_known = true;
	return drops_total(&t->drops);
}

/* New losses go to the sinks (timeline markers, record file), cause by cause, with
 * the time they were noticed; totals.lost keeps the sum. */
static int poll_lost(struct tracer *t, __u64 now)
{
	lost_events(t);
	t->lost_checked_ns = now;
	for (unsigned c = 0; c < LOST__COUNT; c++) {
		__u64 seen = t->drops.by_cause[c], sent = t->drops_sent.by_cause[c];

		if (seen <= sent)	/* counters only grow; one that could not be read is 0 */
			continue;
		for (int i = 0; i < t->nr_sinks; i++) {	/* as handle_event(): all but a failed one */
			struct sink *s = &t->sinks[i];

			if (s != t->failed_sink && s->lost && s->lost(s, now - t->t0_ns, c, seen - sent) &&
			    !t->output_failed)
				sink_failed(t, s);
		}
		t->drops_sent.by_cause[c] = seen;
		t->totals.lost += seen - sent;
	}
	/* what the sinks were told, so that the causes add up to totals.lost */
	memcpy(t->totals.lost_by_cause, t->drops_sent.by_cause, sizeof(t->totals.lost_by_cause));
	return t->output_failed ? -1 : 0;
}

static const char *hook_kind(enum hook_mech m, bool retprobe)
{
	switch (m) {
	case MECH_FENTRY: return retprobe ? "fexit" : "fentry";
	case MECH_KPROBE: return retprobe ? "kretprobe" : "kprobe";
	default: return hook_mech_name(m);
	}
}

/* What the record header and the timeline say about this trace, then start the sinks.
 * The clocks are read together with t0, the base of every ts_ns. */
static int start_sinks(struct tracer *t)
{
	struct trace_info *in = &t->info;
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	*in = (struct trace_info){
		.tool_version = SMCCCTRACE_VERSION,
		.kernel_release = t->kernel.release,
		.machine = t->kernel.machine,
		.plan = t->totals.plan,
		.handler = t->totals.handler,
		.monotonic_ns = t->t0_ns,
		.realtime_ns = (__u64)rt.tv_sec * 1000000000ull + (__u64)rt.tv_nsec,
		.boottime_ns = (__u64)bt.tv_sec * 1000000000ull + (__u64)bt.tv_nsec,
		.cntfrq = t->clock.cntfrq,
		.guest_syms = &t->syms,
	};
	t->totals.cntfrq = t->clock.cntfrq;
	for (int i = 0; i < t->bpf.plan.nr_hooks && in->nr_hooks < TRACE_MAX_HOOKS; i++) {
		const struct planned_hook *h = &t->bpf.plan.hooks[i];

		in->hooks[in->nr_hooks++] = (struct trace_hook){
			.role = h->role, .kind = hook_kind(t->bpf.plan.mech, h->retprobe), .target = h->target,
		};
	}
	for (int i = 0; i < t->nr_sinks; i++) {
		struct sink *s = &t->sinks[i];

		if (s->start && s->start(s, in)) {
			sink_failed(t, s);
			return -1;
		}
	}
	return 0;
}

/* Buffered outputs (the record file) go to the kernel every second: a tracer killed
 * with SIGKILL, or by the OOM killer, leaves a file that `report` can read up to
 * there. */
static int flush_sinks(struct tracer *t, __u64 now)
{
	t->flushed_ns = now;
	for (int i = 0; i < t->nr_sinks; i++) {
		struct sink *s = &t->sinks[i];

		if (s->flush && s->flush(s)) {
			sink_failed(t, s);
			return -1;
		}
	}
	return 0;
}

void print_totals(const struct trace_totals *t)
{
	char reflected[40] = "";

	/* only nested hosts reflect calls: elsewhere the line stays as it always was */
	if (t->by_disposition[DISP_REFLECTED])
		snprintf(reflected, sizeof(reflected), ", reflected %llu", (unsigned long long)t->by_disposition[DISP_REFLECTED]);
	fprintf(stderr, "smccctrace: %llu calls in %.1fs (kvm %llu, denied %llu, forwarded %llu, refused %llu%s), %llu lost\n",
		(unsigned long long)t->calls, t->duration_s,
		(unsigned long long)t->by_disposition[DISP_KVM], (unsigned long long)t->by_disposition[DISP_DENIED],
		(unsigned long long)t->by_disposition[DISP_FORWARDED], (unsigned long long)t->by_disposition[DISP_REFUSED],
		reflected, (unsigned long long)t->lost);
	if (t->lost) {
		char causes[LOST_CAUSES_TEXT_MAX];

		lost_causes_text(causes, sizeof(causes), t->causes_known ? t->lost_by_cause : NULL);
		fprintf(stderr, "smccctrace: WARNING: %llu calls were lost (%s)\n", (unsigned long long)t->lost, causes);
	}
	if (t->vmms_refused)
		fprintf(stderr, "smccctrace: WARNING: %s%llu VMMs of the -g names were not traced while %d others were "
			"(at most %d at once)\n", t->vmms_refused_more ? "at least " : "",
			(unsigned long long)t->vmms_refused, MAX_TRACED_PIDS, MAX_TRACED_PIDS);
}

/* A closed pipe (`smccctrace --json | head -1`) ends the trace quietly. */
int output_error(struct tracer *t)
{
	if (t->output_errno == EPIPE)
		return 0;
	return errorf("cannot write %s: %s", t->output_failed, strerror(t->output_errno));
}

/*
 * Every sink but the one that failed ends its output, also when the trace ends
 * because an output failed: `smccctrace --json --record T.bin | head -1` leaves a
 * record file with its end record. The first failure is the one reported; a later
 * one gets its own line (none for a closed pipe).
 */
static int finish_sinks(struct tracer *t)
{
	for (int i = 0; i < t->nr_sinks; i++) {
		struct sink *s = &t->sinks[i];

		if (s == t->failed_sink || !s->finish || !s->finish(s, &t->totals))
			continue;
		if (!t->output_failed)
			sink_failed(t, s);
		else if (errno != EPIPE && strcmp(s->name, t->output_failed))	/* said once a file */
			errorf("cannot write %s: %s", s->name, strerror(errno));
	}
	return t->output_failed ? output_error(t) : 0;
}

/* Starts the trace proper: the pid filter, t0, the sinks. Returns 0, or -1 when a
 * sink could not start (t->output_failed). */
int begin_trace(struct tracer *t)
{
	/* before the pids are let through: with -p, no call can predate t0, so no
	 * ts_ns is clamped to 0 and timeline slices cannot overlap */
	t->t0_ns = monotonic_ns();
	if (guest_clock_init(&t->clock) && t->opts.verbose)
		fprintf(stderr, "smccctrace: no counter to read on this machine: guest_cntvct is unavailable\n");
	else if (t->opts.verbose)
		fprintf(stderr, "smccctrace: counter %llu Hz, anchored to CLOCK_MONOTONIC within %llu ns; vCPU offsets: %s\n",
			(unsigned long long)t->clock.cntfrq, (unsigned long long)t->clock.anchor.spread_ns,
			vtimer_layout_name(t->bpf.plan.mech == MECH_TRACEPOINT ? VTIMER_UNKNOWN : t->kernel.vtimer_layout));
	for (int i = 0; i < t->opts.nr_pids; i++)
		let_vmm_through(t, t->opts.pids[i]);
	t->totals.plan = hook_mech_name(t->bpf.plan.mech);
	t->totals.handler = t->bpf.plan.handler;
	if (start_sinks(t))
		return -1;
	if (t->opts.verbose)
		fprintf(stderr, "smccctrace: attached with %s, SMCCC handler %s; tracing%s\n",
			t->totals.plan, t->totals.handler, t->opts.nr_pids || t->opts.nr_guests ? "" : " all VMMs");
	return 0;
}

/*
 * Forwarded calls still waiting for their vCPU's next KVM_RUN when the trace ends (a
 * vCPU the VMM parked and never restarted, a VMM that exited on a forwarded
 * SYSTEM_OFF and still holds its VM) are in their vCPU's slot (vcpu_calls; tp_calls
 * under the tracepoint plan), not the ring buffer. They are delivered as unanswered
 * (EVF_VMM_GONE: no result, no VMM time) through deliver(): to every sink, or into
 * the summary. Each value is a struct call_slot.
 */
static void drain_unanswered(struct tracer *t, void (*deliver)(struct tracer *t, struct smccc_event *ev, void *ctx),
			     void *ctx)
{
	const struct bpf_map *map = t->bpf.plan.mech == MECH_TRACEPOINT ? t->bpf.skel->maps.tp_calls
									 : t->bpf.skel->maps.vcpu_calls;
	size_t key_size = bpf_map__key_size(map);
	struct call_slot slot;
	__u64 key, next;
	void *prev = NULL;

	if (bpf_map__value_size(map) != sizeof(slot) || key_size > sizeof(key))
		return;
	/* the kernel applies --disposition when a call ends (submit()); these end here */
	if (!(t->opts.disposition_mask & (1u << DISP_FORWARDED)))
		return;
	while (!t->output_failed && !bpf_map__get_next_key(map, prev, &next, key_size)) {
		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(map, &key, key_size, &slot, sizeof(slot), 0))
			continue;
		if (slot.state != CALL_FORWARDED || (slot.ev.missing & EVM_DISPOSITION))
			continue;	/* not with the VMM: idle, or the trap itself was cut short */
		slot.ev.flags |= EVF_VMM_GONE;
		slot.ev.vmm_ns = 0;
		deliver(t, &slot.ev, ctx);
	}
}

static void deliver_to_sinks(struct tracer *t, struct smccc_event *ev, void *ctx)
{
	(void)ctx;
	handle_event(t, ev, sizeof(*ev));
}

static void deliver_to_table(struct tracer *t, struct smccc_event *ev, void *table)
{
	(void)t;
	agg_add_event(table, ev);
}

void drain_unanswered_into(struct tracer *t, struct agg_table *table)
{
	drain_unanswered(t, deliver_to_table, table);
}

int run_stream(struct tracer *t)
{
	__u64 start, deadline = 0;
	int err = 0;

	t->rb = ring_buffer__new(bpf_map__fd(t->bpf.skel->maps.events), handle_event, t, NULL);
	if (!t->rb)
		return errorf("cannot create the ring buffer: %s", strerror(errno));
	if (begin_trace(t))
		return output_error(t);
	start = t->t0_ns;
	if (t->opts.duration_s > 0)
		deadline = start + (__u64)(t->opts.duration_s * 1e9);
	while (!stop_signal && !t->output_failed) {
		int n;

		guest_clock_refresh(&t->clock);
		n = ring_buffer__poll(t->rb, 100);

		if (n < 0 && n != -EINTR && !t->output_failed) {
			err = errorf("ring buffer: %s", strerror(-n));
			break;
		}
		if (!t->output_failed && fflush(t->out)) {
			t->output_errno = errno;
			t->output_failed = t->opts.output ? t->opts.output : "standard output";
		}
		if (!t->output_failed && monotonic_ns() - t->lost_checked_ns >= LOST_POLL_NS)
			poll_lost(t, monotonic_ns());
		if (!t->output_failed && monotonic_ns() - t->flushed_ns >= SINK_FLUSH_NS)
			flush_sinks(t, monotonic_ns());
		sweep_guest_names(t, monotonic_ns());	/* between events: no sink holds a name */
		if (deadline && monotonic_ns() >= deadline)
			break;
		if (traced_vmms_gone(t)) {
			if (t->opts.verbose)
				fprintf(stderr, "smccctrace: the traced process exited\n");
			break;
		}
	}
	/*
	 * The end: no program runs from here on, so a call the VMM answers now cannot be
	 * both in the ring buffer and drained as unanswered, nor be destroyed (and emitted)
	 * between the two reads.
	 */
	loaded_detach(&t->bpf);
	if (!t->output_failed)
		ring_buffer__consume(t->rb);
	if (!t->output_failed)
		drain_unanswered(t, deliver_to_sinks, NULL);
	if (!t->output_failed)
		poll_lost(t, monotonic_ns());
	t->totals.duration_s = (monotonic_ns() - start) / 1e9;
	if (t->output_failed)
		return finish_sinks(t);
	err = finish_sinks(t) ?: err;
	print_totals(&t->totals);
	return err;
}

void sweep_guest_names(struct tracer *t, __u64 now)
{
	if (now - t->names_swept_ns < NAMES_SWEEP_NS)
		return;
	t->names_swept_ns = now;
	guest_names_sweep();
}

/* Sleeps until `until` (monotonic ns), at most 100 ms, so that stops are noticed. */
void nap_until(__u64 until)
{
	__u64 now = monotonic_ns(), ns = 100000000ull;
	struct timespec ts;

	if (until > now && until - now < ns)
		ns = until - now;
	ts = (struct timespec){ .tv_sec = 0, .tv_nsec = (long)ns };
	nanosleep(&ts, NULL);	/* a signal cuts it short: fine */
}

/*
 * --summary: the kernel counts calls in its "stats" map. At the end of each -i
 * interval, and when the trace ends (-d, -c, a signal, the traced VMMs exit), the
 * counts are collected (src/stats_map.c) and printed (src/summary.c).
 */
int run_summary(struct tracer *t)
{
	__u64 now, deadline = 0, interval_ns = 0, next = UINT64_MAX, lost = 0;
	struct summary_interval iv = { 0 };
	struct drops before;
	unsigned printed = 0;
	struct summary *s;
	int err = 0;

	if (t->bpf.plan.mech == MECH_TRACEPOINT)
		return errorf("--summary needs the function ID of every call; the tracepoint plan does not see it for SMCs");
	s = summary_new(t->out, t->opts.json, t->opts.summary_by, t->opts.timestamps);
	if (!s)
		return errorf("out of memory");
	summary_set_guest_syms(s, &t->syms);	/* --by site */
	if (begin_trace(t)) {
		summary_free(s);
		return output_error(t);
	}
	if (t->opts.duration_s > 0)
		deadline = t->t0_ns + (__u64)(t->opts.duration_s * 1e9);
	if (t->opts.interval_s > 0) {
		interval_ns = (__u64)(t->opts.interval_s * 1e9);
		next = t->t0_ns + interval_ns;
	}
	while (!iv.final) {
		nap_until(deadline && deadline < next ? deadline : next);
		now = monotonic_ns();
		bool gone = traced_vmms_gone(t);

		iv.final = stop_signal || (deadline && now >= deadline) || gone;
		sweep_guest_names(t, now);	/* the last interval's rows are printed and freed */
		/* the line the call trace prints (run_trace) */
		if (gone && t->opts.verbose)
			fprintf(stderr, "smccctrace: the traced process exited\n");
		if (!iv.final && now < next)
			continue;
		if (t->opts.interval_count && printed + 1 >= t->opts.interval_count)
			iv.final = true;
		if (iv.final)	/* the counts and the calls still with a VMM, as one state */
			loaded_detach(&t->bpf);
		if (stats_map_collect(t->bpf.skel, summary_table(s))) {
			err = errorf("cannot read the kernel's counts: %s", strerror(errno));
			break;
		}
		if (iv.final)	/* as the stream would: the calls the VMMs never answered */
			drain_unanswered_into(t, summary_table(s));
		iv.start_ns = iv.end_ns;
		iv.end_ns = now - t->t0_ns;
		before = t->drops;
		iv.lost = lost_events(t) - lost;
		lost += iv.lost;
		drops_since(&t->drops, &before, &iv.lost_by_cause);
		iv.causes_known = true;
		printed++;
		if (summary_print(s, &iv)) {
			t->output_errno = errno;
			t->output_failed = t->opts.output ? t->opts.output : "standard output";
			err = output_error(t);
			break;
		}
		while (next <= now)
			next += interval_ns;
	}
	t->totals.calls = summary_calls(s, t->totals.by_disposition);
	t->totals.lost = lost;
	t->totals.duration_s = (monotonic_ns() - t->t0_ns) / 1e9;
	summary_free(s);
	if (!err)
		print_totals(&t->totals);
	return err;
}
