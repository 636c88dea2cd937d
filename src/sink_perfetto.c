/* --perfetto FILE: a Chrome Trace Event JSON timeline (opens in ui.perfetto.dev and
 * chrome://tracing). Layout and guarantees: docs/perfetto.md.
 *
 * Each VMM is a process, each vCPU thread a track. A call is a complete slice
 * (ph "X") from its trap to the guest's resumption, named by its function, with the
 * call's JSON Lines record as args. A forwarded call holds a nested "VMM round trip"
 * slice. Lost events are global instant events; PSCI CPU_ON draws a flow arrow to
 * the woken vCPU's first call. Times are µs with ns precision, relative to the start
 * of the trace like ts_ns in JSON Lines; with --guest-clock, the guest's virtual
 * counter (guest_cntvct / cntfrq), as its printk and counter-clock ftrace read it. */
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest_clock.h"
#include "guest_name.h"
#include "json_writer.h"
#include "options.h"
#include "sink.h"

#define PSCI_SUCCESS		0

struct timeline {
	FILE *out;			/* buffered, counting stream over fd */
	int fd;
	__u64 bytes;			/* written to fd so far */
	__u64 max_bytes;		/* 0: no cap */
	const char *path;
	struct json_writer jw;
	bool started, any_event;
	void *processes, *threads;	/* tsearch trees of struct track_key: metadata written */
	void *pending_flows;		/* CPU_ON flows waiting for their target's first call */
	__u64 next_flow_id;
	__u64 dropped, first_dropped_ts_ns;
	bool guest_clock;		/* --guest-clock asked for */
	__u64 cntfrq;			/* ... and the counter's frequency: ts is guest time; 0: trace time */
	__u64 no_guest_clock;		/* calls left out: the plan did not see their guest_cntvct */
	__s64 last_guest_offset_ns;	/* guest time - trace time of the last call, for instants */
	__u64 last_ts_ns;		/* the last call slice's ts */
	__u32 pid;			/* the call's process track (struct track_key) */
};

/* A process (pid), a thread (pid, tid) or a vCPU (pid, vm, vcpu) seen in the trace.
 * pid is the process track's: the VMM's pid, or for a later VMM that a record file
 * shows with the same pid under another name (pid reuse) its guest_vmm_key(), so that
 * it is a process of its own rather than a rename of the first. Its name and each
 * call's args give the real pid. */
struct track_key {
	__u32 pid, tid, vm, vcpu;
	__u64 flow_id;			/* pending_flows only */
};

static int key_cmp(const void *a, const void *b)
{
	const struct track_key *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->vm != y->vm)
		return x->vm < y->vm ? -1 : 1;
	if (x->vcpu != y->vcpu)
		return x->vcpu < y->vcpu ? -1 : 1;
	return 0;
}

/* Inserts key into *tree; returns 1 if it is new, 0 if it was there, -1 on ENOMEM. */
static int remember(void **tree, const struct track_key *key)
{
	struct track_key *k = malloc(sizeof(*k)), **found;

	if (!k)
		return -1;
	*k = *key;
	found = tsearch(k, tree, key_cmp);
	if (!found) {
		free(k);
		return -1;
	}
	if (*found != k) {
		free(k);
		return 0;
	}
	return 1;
}

/* ---- the counting stream: the cap needs the file's size without a syscall per call ---- */

static ssize_t counting_write(void *cookie, const char *buf, size_t n)
{
	struct timeline *tl = cookie;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(tl->fd, buf + done, n - done);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return done ? (ssize_t)done : -1;
		}
		done += (size_t)w;
		tl->bytes += (__u64)w;
	}
	return (ssize_t)n;
}

static int counting_close(void *cookie)
{
	struct timeline *tl = cookie;

	return close(tl->fd);
}

/* ---- events ---- */

static void event_begin(struct timeline *tl, const char *ph, const char *name, __u32 pid, __u32 tid)
{
	/* one event per line: the file stays greppable and diffable */
	fputs(tl->any_event ? ",\n" : "\n", tl->out);
	tl->any_event = true;
	jw_init(&tl->jw, tl->out);
	jw_start_object(&tl->jw);
	jw_string_field(&tl->jw, "ph", ph);
	jw_string_field(&tl->jw, "name", name);
	jw_uint_field(&tl->jw, "pid", pid);
	jw_uint_field(&tl->jw, "tid", tid);
}

static void metadata(struct timeline *tl, const char *what, __u32 pid, __u32 tid, const char *key,
		     const char *str, __u64 num)
{
	event_begin(tl, "M", what, pid, tid);
	jw_name(&tl->jw, "args");
	jw_start_object(&tl->jw);
	if (str)
		jw_string_field(&tl->jw, key, str);
	else
		jw_uint_field(&tl->jw, key, num);
	jw_end_object(&tl->jw);
	jw_end_object(&tl->jw);
}

/* Names the process and thread tracks the first time they appear: a VMM by its
 * guest's name when it is known (src/guest_name.h). */
static int name_tracks(struct timeline *tl, const struct smccc_event *ev, const char *guest)
{
	struct track_key proc = { .pid = tl->pid }, thread = { .pid = tl->pid, .tid = ev->tid };
	char name[GUEST_NAME_MAX + 32];
	int fresh;

	fresh = remember(&tl->processes, &proc);
	if (fresh < 0)
		return -1;
	if (fresh) {
		if (guest)
			snprintf(name, sizeof(name), "%s (VMM pid %u)", guest, ev->pid);
		else
			snprintf(name, sizeof(name), "VMM pid %u", ev->pid);
		metadata(tl, "process_name", tl->pid, 0, "name", name, 0);
	}
	fresh = remember(&tl->threads, &thread);
	if (fresh < 0)
		return -1;
	if (fresh) {
		if (ev->missing & EVM_VCPU)	/* the tracepoint plan: no vcpu_id */
			snprintf(name, sizeof(name), "thread %u", ev->tid);
		else if (ev->vm == 1)
			snprintf(name, sizeof(name), "vCPU %u", ev->vcpu);
		else
			snprintf(name, sizeof(name), "VM %u vCPU %u", ev->vm, ev->vcpu);
		metadata(tl, "thread_name", tl->pid, ev->tid, "name", name, 0);
		/* tracks in VM, then vCPU order, not in order of tid */
		metadata(tl, "thread_sort_index", tl->pid, ev->tid, "sort_index", NULL,
			 (__u64)ev->vm * 65536 + ev->vcpu);
	}
	return 0;
}

static void slice(struct timeline *tl, const char *name, const char *cat, const struct smccc_event *ev,
		  __u64 ts_ns, __u64 dur_ns)
{
	event_begin(tl, "X", name, tl->pid, ev->tid);
	jw_string_field(&tl->jw, "cat", cat);
	jw_uint_scaled_field(&tl->jw, "ts", ts_ns, 3);
	jw_uint_scaled_field(&tl->jw, "dur", dur_ns, 3);
}

/* A flow end point. Viewers bind it to the slice that encloses its ts, so it sits
 * in the middle of the slice rather than on an edge shared with a neighbour. */
static void flow(struct timeline *tl, const char *ph, const struct smccc_event *ev, __u64 ts_ns,
		 __u64 dur_ns, __u64 id)
{
	event_begin(tl, ph, "CPU_ON", tl->pid, ev->tid);
	jw_string_field(&tl->jw, "cat", "psci");
	jw_uint_field(&tl->jw, "id", id);
	jw_uint_scaled_field(&tl->jw, "ts", ts_ns + dur_ns / 2, 3);
	if (ph[0] == 'f')
		jw_string_field(&tl->jw, "bp", "e");
	jw_end_object(&tl->jw);
}

/* KVM's default MPIDR for a vcpu_id (arch/arm64/kvm/sys_regs.c, reset_mpidr): Aff0 =
 * id[3:0], Aff1 = id[11:4], Aff2 = id[19:12]. VMMs that set their own MPIDR (QEMU
 * does, with the same layout for up to 16 vCPUs per cluster) may not match. */
static __u32 mpidr_to_vcpu(__u64 mpidr)
{
	return (__u32)((mpidr & 0xf) | ((mpidr >> 8) & 0xff) << 4 | ((mpidr >> 16) & 0xff) << 12);
}

static bool is_cpu_on(const struct call_view *v)
{
	return v->dec.name && !strcmp(v->dec.name, "PSCI_CPU_ON") && v->has_result &&
	       v->ev->ret[0] == PSCI_SUCCESS;
}

static int flows(struct timeline *tl, const struct call_view *v, __u64 ts_ns, __u64 dur_ns)
{
	const struct smccc_event *ev = v->ev;
	struct track_key self = { .pid = tl->pid, .vm = ev->vm, .vcpu = ev->vcpu }, **found;

	/* this vCPU's first call after another vCPU turned it on */
	if (ev->missing & EVM_VCPU)
		return 0;
	found = tfind(&self, &tl->pending_flows, key_cmp);
	if (found) {
		struct track_key *k = *found;

		flow(tl, "f", ev, ts_ns, dur_ns, k->flow_id);
		tdelete(k, &tl->pending_flows, key_cmp);
		free(k);
	}
	if (is_cpu_on(v)) {
		struct track_key target = {
			.pid = tl->pid, .vm = ev->vm, .vcpu = mpidr_to_vcpu(ev->regs[1]),
			.flow_id = ++tl->next_flow_id,
		};

		if (remember(&tl->pending_flows, &target) < 0)
			return -1;
		flow(tl, "s", ev, ts_ns, dur_ns, target.flow_id);
	}
	return 0;
}

static int timeline_status(struct timeline *tl)
{
	if (ferror(tl->out)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

static int perfetto_start(struct sink *s, const struct trace_info *info)
{
	struct timeline *tl = s->ctx;
	struct json_writer *w = &tl->jw;

	tl->started = true;
	/* otherData first: viewers ignore it, people and scripts read it */
	jw_init(w, tl->out);
	jw_start_object(w);
	jw_name(w, "otherData");
	jw_start_object(w);
	jw_string_field(w, "tool", "smccctrace");
	jw_string_field(w, "version", info->tool_version);
	jw_string_field(w, "kernel_release", info->kernel_release);
	jw_string_field(w, "machine", info->machine);
	jw_string_field(w, "plan", info->plan);
	jw_string_field(w, "handler", info->handler);
	jw_uint_safe_field(w, "start_realtime_ns", info->realtime_ns);
	jw_uint_safe_field(w, "start_monotonic_ns", info->monotonic_ns);
	jw_uint_field(w, "max_bytes", tl->max_bytes);
	/* which clock ts counts: the trace's (from its start), or each guest's counter */
	tl->cntfrq = tl->guest_clock ? info->cntfrq : 0;
	jw_string_field(w, "clock", tl->cntfrq ? "guest_counter" : "trace");
	if (tl->cntfrq)
		jw_uint_field(w, "cntfrq", tl->cntfrq);
	jw_end_object(w);
	jw_name(w, "traceEvents");
	jw_flush(w);	/* the events are written one by one, each its own top-level value */
	fputc('[', tl->out);
	return timeline_status(tl);
}

static int perfetto_event(struct sink *s, const struct call_view *v)
{
	struct timeline *tl = s->ctx;
	const struct smccc_event *ev = v->ev;
	/* the same rule as vmm_ns in the call's JSON record (render.c) */
	bool vmm = smccc_vmm_round_trip(ev->disposition, ev->flags) && !(ev->missing & EVM_DISPOSITION);
	const char *name = ev->missing & EVM_FUNC ? "?" : v->name;
	__u64 dur_ns = ev->kvm_ns + (vmm ? ev->vmm_ns : 0);
	__u64 ts_ns = v->ts_ns;

	if (tl->cntfrq) {
		/* a call without the guest's counter has no place on the guest's clock */
		if (ev->missing & EVM_GUEST_CLOCK) {
			if (!tl->no_guest_clock++)
				fprintf(stderr, "smccctrace: WARNING: %s: --guest-clock: this plan does not see the guest's "
					"counter; calls without it are left out (counted at the end of the file)\n", tl->path);
			return 0;
		}
		ts_ns = guest_clock_ns(ev->guest_cntvct, tl->cntfrq);
		tl->last_guest_offset_ns = (__s64)(ts_ns - v->ts_ns);
	}

	/* bytes counts what left the stdio buffer: the file ends at most one buffer
	 * (64 KiB) and the closing events past the cap */
	if (tl->max_bytes && tl->bytes >= tl->max_bytes) {
		if (!tl->dropped++) {
			tl->first_dropped_ts_ns = ts_ns;
			fprintf(stderr, "smccctrace: WARNING: %s reached its cap of %llu MiB; later calls are left out "
				"(raise it with --perfetto-max-mb, or narrow the trace with filters)\n",
				tl->path, (unsigned long long)(tl->max_bytes >> 20));
		}
		return 0;
	}
	tl->pid = guest_vmm_key(ev->pid, v->incarnation);
	if (name_tracks(tl, ev, v->guest))
		return -1;
	tl->last_ts_ns = ts_ns;
	slice(tl, name, "call", ev, ts_ns, dur_ns);
	jw_name(&tl->jw, "args");
	jw_start_object(&tl->jw);
	render_json_fields(&tl->jw, v);
	jw_end_object(&tl->jw);
	jw_end_object(&tl->jw);
	/* The VMM's part: from the exit to userspace to the next KVM_RUN. It is placed
	 * right after KVM's part; the few µs KVM takes to reach userspace are not
	 * measured, so the slice may start slightly early, never late. */
	if (vmm) {
		slice(tl, "VMM round trip", "vmm", ev, ts_ns + ev->kvm_ns, ev->vmm_ns);
		jw_name(&tl->jw, "args");
		jw_start_object(&tl->jw);
		jw_string_field(&tl->jw, "func", name);
		jw_uint_field(&tl->jw, "vmm_ns", ev->vmm_ns);
		jw_end_object(&tl->jw);
		jw_end_object(&tl->jw);
	}
	if (flows(tl, v, ts_ns, dur_ns))
		return -1;
	return timeline_status(tl);
}

static void instant(struct timeline *tl, const char *name, __u64 ts_ns, const char *key, __u64 value)
{
	event_begin(tl, "i", name, 0, 0);
	jw_string_field(&tl->jw, "s", "g");	/* global: not tied to a vCPU */
	jw_uint_scaled_field(&tl->jw, "ts", ts_ns, 3);
	jw_name(&tl->jw, "args");
	jw_start_object(&tl->jw);
	jw_uint_field(&tl->jw, key, value);
	jw_end_object(&tl->jw);
	jw_end_object(&tl->jw);
}

static int perfetto_lost(struct sink *s, __u64 ts_ns, unsigned cause, __u64 count)
{
	struct timeline *tl = s->ctx;

	(void)cause;	/* one kind of marker: the summary names the causes */
	/* on the guest's clock, at the trace time of the loss as the last call's guest
	 * saw it (approximate: each guest has its own offset) */
	if (tl->cntfrq)
		ts_ns = (__u64)((__s64)ts_ns + tl->last_guest_offset_ns);
	instant(tl, "lost calls", ts_ns, "count", count);
	return timeline_status(tl);
}

static int perfetto_finish(struct sink *s, const struct trace_totals *t)
{
	struct timeline *tl = s->ctx;

	(void)t;
	if (!tl->started) {
		errno = EINVAL;		/* a programming error: finish without start */
		return -1;
	}
	if (tl->dropped)
		instant(tl, "calls left out: file cap reached", tl->first_dropped_ts_ns, "count", tl->dropped);
	if (tl->no_guest_clock)	/* after the last call placed */
		instant(tl, "calls left out: no guest clock", tl->last_ts_ns, "count", tl->no_guest_clock);
	fputs("\n]}\n", tl->out);
	if (fflush(tl->out))
		return -1;
	return timeline_status(tl);
}

static void free_key(void *k)
{
	free(k);
}

static void perfetto_destroy(struct sink *s)
{
	struct timeline *tl = s->ctx;

	if (!tl)
		return;
	fclose(tl->out);	/* closes fd; write errors were reported by finish */
	tdestroy(tl->processes, free_key);
	tdestroy(tl->threads, free_key);
	tdestroy(tl->pending_flows, free_key);
	free(tl);
	s->ctx = NULL;
}

int sink_perfetto_open(struct sink *s, const char *path, __u64 max_bytes, bool guest_clock)
{
	static const cookie_io_functions_t io = { .write = counting_write, .close = counting_close };
	struct timeline *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return -1;
	tl->path = path;
	tl->max_bytes = max_bytes;
	tl->guest_clock = guest_clock;
	tl->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (tl->fd < 0) {
		free(tl);
		return -1;
	}
	tl->out = fopencookie(tl, "w", io);
	if (!tl->out) {
		close(tl->fd);
		free(tl);
		return -1;
	}
	setvbuf(tl->out, NULL, _IOFBF, 1 << 16);
	*s = (struct sink){
		.name = path,
		.ctx = tl,
		.start = perfetto_start,
		.event = perfetto_event,
		.lost = perfetto_lost,
		.finish = perfetto_finish,
		.destroy = perfetto_destroy,
	};
	return 0;
}
