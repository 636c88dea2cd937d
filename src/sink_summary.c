/* The summary as a sink: aggregates calls one by one and prints one interval, the
 * whole trace, when it ends. For traces whose calls reach userspace (`smccctrace
 * report --summary`); the live --summary counts in the kernel instead (tracer.c). */
#include <errno.h>

#include "sink.h"
#include "summary.h"

static int summary_event(struct sink *s, const struct call_view *v)
{
	agg_add_event(summary_table(s->ctx), v->ev);
	return 0;
}

static int summary_finish(struct sink *s, const struct trace_totals *t)
{
	struct summary_interval iv = {
		.end_ns = (__u64)(t->duration_s * 1e9),
		.lost = t->lost,
		.final = true,
	};

	return summary_print(s->ctx, &iv);
}

static void summary_destroy(struct sink *s)
{
	summary_free(s->ctx);
	s->ctx = NULL;
}

int sink_summary_open(struct sink *s, FILE *out, const char *name, bool json, unsigned by)
{
	struct summary *sum = summary_new(out, json, by, false);

	if (!sum)
		return -1;
	*s = (struct sink){
		.name = name,
		.ctx = sum,
		.event = summary_event,
		.finish = summary_finish,
		.destroy = summary_destroy,
	};
	return 0;
}
