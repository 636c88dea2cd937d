/* The per-call stream: aligned text lines, or JSON Lines ending with a summary record. */
#include <errno.h>
#include <stdlib.h>

#include "json_writer.h"
#include "options.h"
#include "drops.h"
#include "sink.h"

struct stream {
	FILE *out;
	bool json;
	bool pc_sym;			/* guest symbols: a wider PC column */
	bool header_done;
	bool guest_clock;	/* the TIME column is the guest's (--guest-clock) */
	struct json_writer jw;
};

static int stream_status(struct stream *st)
{
	if (ferror(st->out)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

static int stream_event(struct sink *s, const struct call_view *v)
{
	struct stream *st = s->ctx;

	if (st->json) {
		render_json(&st->jw, v);
	} else {
		if (!st->header_done) {
			st->guest_clock = v->cntfrq != 0;
			render_text_header(st->out, st->pc_sym, st->guest_clock);
			st->header_done = true;
		}
		render_text(st->out, v);
	}
	return stream_status(st);
}

static void json_summary(struct json_writer *w, const struct trace_totals *t)
{
	jw_start_object(w);
	jw_string_field(w, "type", "summary");
	jw_uint_field(w, "calls", t->calls);
	jw_uint_field(w, "lost", t->lost);
	if (t->causes_known && t->lost) {	/* a record file of format 1 keeps only the total */
		jw_name(w, "lost_by_cause");
		jw_start_object(w);
		for (unsigned c = 0; c < LOST__COUNT; c++)
			jw_uint_field(w, lost_cause_name(c), t->lost_by_cause[c]);
		jw_end_object(w);
	}
	jw_name(w, "by_disposition");
	jw_start_object(w);
	for (unsigned d = 0; d < DISP__COUNT; d++)
		jw_uint_field(w, disposition_name(d), t->by_disposition[d]);
	jw_end_object(w);
	jw_double_field(w, "duration_s", t->duration_s);
	if (t->cntfrq)	/* guest_cntvct / cntfrq: the guest's counter seconds */
		jw_uint_field(w, "cntfrq", t->cntfrq);
	jw_string_field(w, "plan", t->plan);
	jw_string_field(w, "handler", t->handler);
	jw_end_object(w);
	jw_end_line(w);
}

static int stream_finish(struct sink *s, const struct trace_totals *t)
{
	struct stream *st = s->ctx;

	if (st->json)
		json_summary(&st->jw, t);
	else if (!st->header_done)
		render_text_header(st->out, st->pc_sym, st->guest_clock);
	if (fflush(st->out))
		return -1;
	return stream_status(st);
}

static void stream_destroy(struct sink *s)
{
	free(s->ctx);
	s->ctx = NULL;
}

int sink_stream_open(struct sink *s, FILE *out, const char *name, bool json, bool pc_sym)
{
	struct stream *st = calloc(1, sizeof(*st));

	if (!st)
		return -1;
	st->out = out;
	st->json = json;
	st->pc_sym = pc_sym;
	jw_init(&st->jw, out);
	*s = (struct sink){
		.name = name,
		.ctx = st,
		.event = stream_event,
		.finish = stream_finish,
		.destroy = stream_destroy,
	};
	return 0;
}
