/* `smccctrace report FILE --top`: a recording replayed through the top view. Calls
 * are binned into frames of -i seconds of recorded time; batch mode prints every
 * frame at once, the interactive view shows them at the recorded pace (one frame per
 * interval) and keeps the last one up, with the keys, until the user quits. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "options.h"
#include "sink.h"
#include "top_view.h"

struct top_sink {
	struct top_view_opts vo;
	struct top_view *view;
	struct agg_table *table;	/* the frame being filled */
	__u64 interval_ns;
	__u64 frame_start, frame_end;	/* recorded time, since the trace started */
	__u64 realtime_ns;		/* the recording's start, wall-clock */
	__u64 lost;
	__u64 shown_at;			/* CLOCK_MONOTONIC of the last frame shown */
};

static volatile sig_atomic_t stop_replay;

static void on_signal(int sig)
{
	stop_replay = sig;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static int top_start(struct sink *s, const struct trace_info *info)
{
	struct top_sink *ts = s->ctx;

	ts->realtime_ns = info->realtime_ns;
	top_view_set_guest_syms(ts->view, info->guest_syms);	/* --by site: the sites' names */
	return 0;
}

/* The frame [frame_start, end): shown, at the recorded pace when interactive. Returns
 * 0, or -1 with errno; EPIPE when the user quit (a quiet end, as a closed pipe). */
static int show_frame(struct top_sink *ts, __u64 end)
{
	struct top_frame f = {
		.elapsed_s = end / 1e9, .realtime_ns = ts->realtime_ns + end, .lost = ts->lost,
	};

	if (!ts->vo.batch && ts->shown_at)
		top_view_wait(ts->view, ts->shown_at + ts->interval_ns);
	if (top_view_done(ts->view)) {
		errno = EPIPE;
		return -1;
	}
	if (top_view_frame(ts->view, ts->table, (end - ts->frame_start) / 1e9, &f))
		return -1;
	ts->shown_at = now_ns();
	agg_reset(ts->table);
	ts->frame_start = end;
	if (top_view_done(ts->view)) {	/* -n frames */
		errno = EPIPE;
		return -1;
	}
	return 0;
}

static int top_event(struct sink *s, const struct call_view *v)
{
	struct top_sink *ts = s->ctx;

	while (v->ts_ns >= ts->frame_end) {
		if (show_frame(ts, ts->frame_end))
			return -1;
		ts->frame_end += ts->interval_ns;
	}
	agg_add_call(ts->table, v->ev, v->incarnation);
	return 0;
}

static int top_lost(struct sink *s, __u64 ts_ns, unsigned cause, __u64 count)
{
	struct top_sink *ts = s->ctx;

	(void)ts_ns;
	(void)cause;
	ts->lost += count;
	return 0;
}

static int top_finish(struct sink *s, const struct trace_totals *t)
{
	struct top_sink *ts = s->ctx;
	__u64 end = (__u64)(t->duration_s * 1e9);

	while (end > ts->frame_end) {
		if (show_frame(ts, ts->frame_end))
			return errno == EPIPE ? 0 : -1;
		ts->frame_end += ts->interval_ns;
	}
	/* the last, partial frame: up to the end of the recording */
	if (show_frame(ts, end > ts->frame_start ? end : ts->frame_start) && errno != EPIPE)
		return -1;
	top_view_hold(ts->view, "end of the recording; q quits");
	return 0;
}

static void top_destroy(struct sink *s)
{
	struct top_sink *ts = s->ctx;

	top_view_free(ts->view);
	agg_free(ts->table);
	free(ts);
	s->ctx = NULL;
}

int sink_top_open(struct sink *s, FILE *out, const char *name, const struct trace_opts *o, char *err,
		  unsigned errlen)
{
	struct top_sink *ts = calloc(1, sizeof(*ts));
	double interval_s = o->interval_s > 0 ? o->interval_s : TOP_DEFAULT_INTERVAL_S;

	if (!ts || !(ts->table = agg_new())) {
		free(ts);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (o->summary_by & AGG_BY_SITE)
		agg_keep_sites(ts->table);
	ts->vo = (struct top_view_opts){
		.out = out, .batch = o->batch, .iterations = o->iterations, .by = o->summary_by, .stop = &stop_replay,
	};
	if (!o->batch) {	/* the terminal is given back on Ctrl-C too */
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	ts->view = top_view_new(&ts->vo, err, errlen);
	if (!ts->view) {
		agg_free(ts->table);
		free(ts);
		return -1;
	}
	ts->interval_ns = (__u64)(interval_s * 1e9);
	ts->frame_end = ts->interval_ns;
	*s = (struct sink){
		.name = name,
		.ctx = ts,
		.start = top_start,
		.event = top_event,
		.lost = top_lost,
		.finish = top_finish,
		.destroy = top_destroy,
	};
	return 0;
}
