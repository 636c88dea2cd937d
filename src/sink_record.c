/* --record FILE: the raw event stream in the record format (src/record.h), so that
 * `smccctrace report FILE` can render any output later, on any machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_name.h"
#include "record.h"
#include "sink.h"

/* The names written: a map pid -> hash of the name last written for it, open
 * addressing. Bounded: past RECORDER_NAMED_MAX pids it is emptied, and a pid's next
 * call writes its PROCESS record again (the same name: the reader sees no change).
 * A 64-bit hash, not the name: two names of one pid that collide (1 in 2^64) would
 * hide a rename. */
#define RECORDER_NAMED_MAX	4096

struct named {
	__u32 pid;		/* 0: free */
	__u64 hash;		/* of the name last written for pid */
};

struct recorder {
	FILE *out;
	__u64 t0_ns;		/* the header's CLOCK_MONOTONIC base */
	bool started;
	struct named *named;
	size_t named_cap, named_used;
	/* the last call's VMM and its name: most calls need no look-up */
	__u32 last_pid;
	char last_guest[GUEST_NAME_MAX];
};

static __u64 name_hash(const char *name)
{
	__u64 h = 0xcbf29ce484222325ull;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
	return h;
}

static struct named *named_slot(struct named *set, size_t cap, __u32 pid)
{
	size_t i = (pid * 2654435761u) & (cap - 1);

	while (set[i].pid && set[i].pid != pid)
		i = (i + 1) & (cap - 1);
	return &set[i];
}

/*
 * Whether pid's PROCESS record must be written for name: the pid is new, or the name
 * last written for it differs (its VMM exited and another took the pid: pid reuse;
 * the live side's guest_names_sweep() gave it the new process's name). Records name as
 * pid's. Returns 1 (write it), 0, or -1 out of memory.
 */
static int name_changed(struct recorder *rc, __u32 pid, const char *name)
{
	__u64 hash = name_hash(name);
	struct named *slot;

	if (rc->named_used >= RECORDER_NAMED_MAX) {
		memset(rc->named, 0, rc->named_cap * sizeof(*rc->named));
		rc->named_used = 0;
	}
	if ((rc->named_used + 1) * 2 > rc->named_cap) {
		size_t cap = rc->named_cap ? rc->named_cap * 2 : 64;
		struct named *set = calloc(cap, sizeof(*set));

		if (!set)
			return -1;
		for (size_t i = 0; i < rc->named_cap; i++)
			if (rc->named[i].pid)
				*named_slot(set, cap, rc->named[i].pid) = rc->named[i];
		free(rc->named);
		rc->named = set;
		rc->named_cap = cap;
	}
	slot = named_slot(rc->named, rc->named_cap, pid);
	if (slot->pid && slot->hash == hash)
		return 0;
	if (!slot->pid)
		rc->named_used++;
	*slot = (struct named){ .pid = pid, .hash = hash };
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

	/* a VMM's name before its first call, so that `report` reads it in time (-g), and
	 * again before the first call of another VMM that took the pid */
	if (v->guest && (v->ev->pid != rc->last_pid || strcmp(v->guest, rc->last_guest))) {
		int changed = name_changed(rc, v->ev->pid, v->guest);

		if (changed < 0)
			return -1;
		if (changed && recorder_status(rc, record_write_process(rc->out, v->ev->pid, v->guest)))
			return -1;
		rc->last_pid = v->ev->pid;
		snprintf(rc->last_guest, sizeof(rc->last_guest), "%s", v->guest);
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
