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
	/* the VMMs whose PROCESS record is written: a set of pids, open addressing */
	__u32 *named;
	size_t named_cap, named_used;
	__u32 last_pid;		/* the last call's VMM: most calls need no look-up */
};

static __u32 *named_slot(__u32 *set, size_t cap, __u32 pid)
{
	size_t i = (pid * 2654435761u) & (cap - 1);

	while (set[i] && set[i] != pid)
		i = (i + 1) & (cap - 1);
	return &set[i];
}

/* Adds pid to the set; returns 1 if it is new, 0 if it was there, -1 out of memory */
static int name_once(struct recorder *rc, __u32 pid)
{
	__u32 *slot;

	if ((rc->named_used + 1) * 2 > rc->named_cap) {
		size_t cap = rc->named_cap ? rc->named_cap * 2 : 64;
		__u32 *set = calloc(cap, sizeof(*set));

		if (!set)
			return -1;
		for (size_t i = 0; i < rc->named_cap; i++)
			if (rc->named[i])
				*named_slot(set, cap, rc->named[i]) = rc->named[i];
		free(rc->named);
		rc->named = set;
		rc->named_cap = cap;
	}
	slot = named_slot(rc->named, rc->named_cap, pid);
	if (*slot)
		return 0;
	*slot = pid;
	rc->named_used++;
	return 1;
}

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

	/* a VMM's name before its first call, so that `report` reads it in time (-g) */
	if (v->guest && v->ev->pid != rc->last_pid) {
		int fresh = name_once(rc, v->ev->pid);

		if (fresh < 0)
			return -1;
		if (fresh && recorder_status(rc, record_write_process(rc->out, v->ev->pid, v->guest)))
			return -1;
		rc->last_pid = v->ev->pid;
	}
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

	if (rc) {
		fclose(rc->out);	/* write errors were reported by finish */
		free(rc->named);
	}
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
