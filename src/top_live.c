/* `smccctrace top`: the live view. The kernel counts calls in its stats map, as for
 * --summary (no call crosses the ring buffer); every -i interval the counts are
 * collected (src/stats_map.c) and handed to the view (src/top_view.c) as a frame. */
#include "guest_name.h"
#include "tracer_internal.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "aggregate.h"
#include "diag.h"
#include "stats_map.h"
#include "top_view.h"

static __u64 realtime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* kill(pid, 0): ESRCH is gone; EPERM (another user's VMM) is alive */
static bool vmm_alive(__u32 pid)
{
	return pid > INT_MAX || !(kill((pid_t)pid, 0) && errno == ESRCH);
}

int run_top(struct tracer *t)
{
	struct top_view_opts vo = {
		.out = t->out, .batch = t->opts.batch, .iterations = t->opts.iterations,
		.by = t->opts.summary_by, .syms = &t->syms, .stop = &stop_signal, .alive = vmm_alive,
	};
	double interval_s = t->opts.interval_s > 0 ? t->opts.interval_s : TOP_DEFAULT_INTERVAL_S;
	__u64 interval_ns = (__u64)(interval_s * 1e9), deadline = 0, next, prev, now;
	const char *ended = NULL;
	struct agg_table *table;
	struct top_view *v;
	bool final = false;
	char err[160];
	int rc = 0;

	if (t->bpf.plan.mech == MECH_TRACEPOINT)
		return errorf("top needs the function ID of every call; the tracepoint plan does not see it for SMCs");
	table = agg_new();
	if (!table)
		return errorf("out of memory");
	if (t->opts.summary_by & AGG_BY_SITE)	/* the unanswered calls drained at the end */
		agg_keep_sites(table);
	v = top_view_new(&vo, err, sizeof(err));
	if (!v) {
		agg_free(table);
		return errorf("%s", err);
	}
	if (begin_trace(t)) {
		rc = output_error(t);
		goto out;
	}
	if (t->opts.duration_s > 0)
		deadline = t->t0_ns + (__u64)(t->opts.duration_s * 1e9);
	prev = t->t0_ns;
	next = t->t0_ns + interval_ns;
	while (!final) {
		top_view_wait(v, deadline && deadline < next ? deadline : next);
		now = monotonic_ns();
		bool gone = traced_vmms_gone(t);

		final = top_view_done(v) || (deadline && now >= deadline) || gone;
		if (gone)
			ended = "the traced process exited";
		if (!final && now < next)
			continue;
		if (stats_map_collect(t->bpf.skel, table)) {
			rc = errorf("cannot read the kernel's counts: %s", strerror(errno));
			break;
		}
		if (final)	/* as --summary does: calls the VMMs never answered */
			drain_unanswered_into(t, table);
		struct top_frame f = {
			.elapsed_s = (now - t->t0_ns) / 1e9, .realtime_ns = realtime_now(),
			.lost = lost_events(t), .status = ended,
		};

		if (top_view_frame(v, table, (now - prev) / 1e9, &f)) {
			t->output_errno = errno;
			t->output_failed = t->opts.output ? t->opts.output : "standard output";
			rc = output_error(t);
			break;
		}
		__u64 by_disp[DISP__COUNT];

		t->totals.calls += agg_calls(table, by_disp);
		for (unsigned d = 0; d < DISP__COUNT; d++)
			t->totals.by_disposition[d] += by_disp[d];
		agg_reset(table);
		/* here, not more often: the frame's rows hold names until the next frame is
		 * shown, and a paused screen keeps its frame (a redraw reads its names) */
		if (!top_view_paused(v))
			guest_names_sweep();
		prev = now;
		while (next <= now)
			next += interval_ns;
		final = final || top_view_done(v);
	}
	if (!rc && ended)
		top_view_hold(v, "the traced process exited; q quits");
	t->totals.lost = lost_events(t);
	t->totals.duration_s = (monotonic_ns() - t->t0_ns) / 1e9;
out:
	top_view_free(v);	/* the terminal back before the totals line */
	agg_free(table);
	if (!rc)
		print_totals(&t->totals);
	return rc;
}
