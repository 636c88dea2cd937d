/* The PSCI flow view as a sink: keeps the calls it is fed and, when the trace ends,
 * replays them through the flow model (src/psci_flow.h) and prints the timeline,
 * polls, forwarded calls and anomalies. `smccctrace psci` (live) and `smccctrace
 * report --psci` (a record file) feed it the same way. */
#include <errno.h>
#include <stdlib.h>

#include "options.h"
#include "psci_render.h"
#include "sink.h"

struct psci_sink {
	FILE *out;
	bool json;
	bool wall_clock;
	__u64 realtime_ns;	/* the trace's clock base: wall-clock time of ts_ns 0 */
	const struct guest_syms_set *guest_syms;
	struct psci_flow flow;
};

static int psci_start(struct sink *s, const struct trace_info *info)
{
	struct psci_sink *ps = s->ctx;

	ps->realtime_ns = info->realtime_ns;
	ps->guest_syms = info->guest_syms;
	return 0;
}

static int psci_event(struct sink *s, const struct call_view *v)
{
	struct psci_sink *ps = s->ctx;

	if (psci_flow_add(&ps->flow, v)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static int psci_finish(struct sink *s, const struct trace_totals *t)
{
	struct psci_sink *ps = s->ctx;
	struct psci_render_totals rt = {
		.calls = t->calls, .lost = t->lost, .duration_s = t->duration_s,
		.realtime_ns = ps->realtime_ns, .wall_clock = ps->wall_clock, .guest_syms = ps->guest_syms,
	};

	if (psci_flow_run(&ps->flow, (__u64)(t->duration_s * 1e9)))
		return -1;
	if (ps->json) {
		struct json_writer w;

		jw_init(&w, ps->out);
		psci_render_json(&w, &ps->flow, &rt);
	} else {
		psci_render_text(ps->out, &ps->flow, &rt);
	}
	if (fflush(ps->out) || ferror(ps->out)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

static void psci_destroy(struct sink *s)
{
	struct psci_sink *ps = s->ctx;

	if (ps)
		psci_flow_free(&ps->flow);
	free(ps);
	s->ctx = NULL;
}

int sink_psci_open(struct sink *s, FILE *out, const char *name, const struct trace_opts *o)
{
	struct psci_sink *ps = calloc(1, sizeof(*ps));
	struct psci_flow_config cfg = {
		.on_timeout_ns = (__u64)(o->on_timeout_ms * 1e6),
		.poll_limit = o->poll_limit,
		.poll_time_ns = (__u64)(o->poll_time_ms * 1e6),
		.slow_vmm_ns = (__u64)(o->slow_vmm_ms * 1e6),
	};

	if (!ps)
		return -1;
	ps->out = out;
	ps->json = o->json;
	ps->wall_clock = o->wall_clock;
	psci_flow_init(&ps->flow, &cfg);
	*s = (struct sink){
		.name = name,
		.ctx = ps,
		.start = psci_start,
		.event = psci_event,
		.finish = psci_finish,
		.destroy = psci_destroy,
	};
	return 0;
}
