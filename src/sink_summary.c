/* The summary as a sink: aggregates calls one by one and prints one interval, the
 * whole trace, when it ends. For traces whose calls reach userspace (`smccctrace
 * report --summary`); the live --summary counts in the kernel instead (tracer.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"
#include "summary.h"

struct summary_sink {
	struct summary *sum;
	__u64 realtime_ns;	/* the trace's start in wall-clock time, from its header */
};

static int summary_start(struct sink *s, const struct trace_info *info)
{
	struct summary_sink *ss = s->ctx;

	ss->realtime_ns = info->realtime_ns;
	summary_set_guest_syms(ss->sum, info->guest_syms);	/* --by site: the sites' names */
	return 0;
}

static int summary_event(struct sink *s, const struct call_view *v)
{
	struct summary_sink *ss = s->ctx;

	agg_add_call(summary_table(ss->sum), v->ev, v->incarnation);
	return 0;
}

static int summary_finish(struct sink *s, const struct trace_totals *t)
{
	struct summary_sink *ss = s->ctx;
	struct summary_interval iv = {
		.end_ns = (__u64)(t->duration_s * 1e9),
		.lost = t->lost,
		.final = true,
	};

	memcpy(iv.lost_by_cause.by_cause, t->lost_by_cause, sizeof(iv.lost_by_cause.by_cause));
	iv.causes_known = t->causes_known;
	/* the interval's time is the recorded one, not the time of the report */
	if (ss->realtime_ns)
		iv.realtime_ns = ss->realtime_ns + iv.end_ns;
	return summary_print(ss->sum, &iv);
}

static void summary_destroy(struct sink *s)
{
	struct summary_sink *ss = s->ctx;

	summary_free(ss->sum);
	free(ss);
	s->ctx = NULL;
}

int sink_summary_open(struct sink *s, FILE *out, const char *name, bool json, unsigned by)
{
	struct summary_sink *ss = calloc(1, sizeof(*ss));

	if (!ss || !(ss->sum = summary_new(out, json, by, false))) {
		free(ss);
		return -1;
	}
	*s = (struct sink){
		.name = name,
		.ctx = ss,
		.start = summary_start,
		.event = summary_event,
		.finish = summary_finish,
		.destroy = summary_destroy,
	};
	return 0;
}
