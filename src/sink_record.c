/* --record FILE: the raw event stream in the record format (src/record.h), so that
 * `smccctrace report FILE` can render any output later, on any machine. */
#include <errno.h>
#include <stdlib.h>

#include "record.h"
#include "sink.h"

struct recorder {
	FILE *out;
	__u64 t0_ns;		/* the header's CLOCK_MONOTONIC base */
	bool started;
};

static int recorder_status(struct recorder *rc, int err)
{
	if (err || ferror(rc->out)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

static int record_start(struct sink *s, const struct trace_info *info)
{
	struct recorder *rc = s->ctx;

	rc->t0_ns = info->monotonic_ns;
	rc->started = true;
	return recorder_status(rc, record_write_start(rc->out, info));
}

static int record_event(struct sink *s, const struct call_view *v)
{
	struct recorder *rc = s->ctx;

	return recorder_status(rc, record_write_call(rc->out, v->ev));
}

static int record_lost(struct sink *s, __u64 ts_ns, unsigned cause, __u64 count)
{
	struct recorder *rc = s->ctx;

	return recorder_status(rc, record_write_lost(rc->out, rc->t0_ns + ts_ns, cause, count));
}

static int record_flush(struct sink *s)
{
	struct recorder *rc = s->ctx;

	return fflush(rc->out) ? -1 : recorder_status(rc, 0);
}

static int record_finish(struct sink *s, const struct trace_totals *t)
{
	struct recorder *rc = s->ctx;
	struct record_end end = {
		.calls = t->calls,
		.lost = t->lost,
		.duration_s = t->duration_s,
	};

	if (!rc->started) {
		errno = EINVAL;		/* a programming error: finish without start */
		return -1;
	}
	if (recorder_status(rc, record_write_end(rc->out, &end)) || fflush(rc->out))
		return -1;
	return recorder_status(rc, 0);
}

static void record_destroy(struct sink *s)
{
	struct recorder *rc = s->ctx;

	if (rc)
		fclose(rc->out);	/* write errors were reported by finish */
	free(rc);
	s->ctx = NULL;
}

int sink_record_open(struct sink *s, const char *path)
{
	struct recorder *rc = calloc(1, sizeof(*rc));

	if (!rc)
		return -1;
	rc->out = fopen(path, "wb");
	if (!rc->out) {
		free(rc);
		return -1;
	}
	*s = (struct sink){
		.name = path,
		.ctx = rc,
		.start = record_start,
		.event = record_event,
		.lost = record_lost,
		.flush = record_flush,
		.finish = record_finish,
		.destroy = record_destroy,
	};
	return 0;
}
