/* `smccctrace report FILE [OPTIONS]`: renders a --record file again, offline, on any
 * machine (x86_64 included), through the same sinks as the live tracer, so that its
 * outputs equal the live ones; --summary aggregates the calls in userspace
 * (src/sink_summary.c) into the tables the live --summary prints from the kernel's
 * counts. The file is read twice: the first pass validates all of it, so a corrupt
 * file produces an error and no partial output. A truncated file (a tracer killed
 * while recording) is rendered up to its last whole record, with a warning and exit
 * status REPORT_EXIT_TRUNCATED. */
#include "cmd_report.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "drops.h"
#include "event_filter.h"
#include "guest_name.h"
#include "json_writer.h"
#include "options.h"
#include "record.h"
#include "render.h"
#include "sink.h"

#define MAX_REPORT_SINKS 4

struct report {
	struct trace_opts opts;
	const char *path;
	FILE *in;
	FILE *out;			/* the stream sink's: stdout or -o */
	struct record_reader rd;
	struct sink sinks[MAX_REPORT_SINKS];
	int nr_sinks;
	bool failed[MAX_REPORT_SINKS];	/* its output failed: it gets nothing more */
	int nr_failed;
	const struct sink *first_failed;	/* the failure reported, with its errno */
	int first_errno;
	struct trace_totals totals;
	__u64 file_calls, file_by_disposition[DISP__COUNT];	/* unfiltered, for --info */
	__u64 last_call_ns;		/* CLOCK_MONOTONIC of the last call in the file */
	bool truncated;			/* no end record: the file stops at truncated_at */
	char truncated_why[192];	/* the reader's "truncated at offset N: ..." */
	struct guest_syms_set syms;	/* --guest-kallsyms, ...: pc_sym */
};

/* Options that only mean something while tracing live. */
static const char *live_only_option(const struct trace_opts *o)
{
	if (o->duration_s > 0)
		return "-d";
	if (o->plan != PLAN_AUTO)
		return "--plan";
	if (o->nr_args != 7)
		return "--all-args (the arguments were captured when recording)";
	if ((o->interval_s > 0 && !o->top) || o->interval_count)	/* top: frames of recorded time */
		return o->interval_s > 0 ? "-i" : "-c";
	if (o->timestamps)
		return "-T";
	return NULL;
}

/* First pass: every record is checked before anything is written. */
static int validate(struct report *r)
{
	struct record_item it;
	int n;

	while ((n = record_reader_next(&r->rd, &it)) > 0) {
		if (it.kind != RECORD_ITEM_CALL)
			continue;
		r->file_calls++;
		r->file_by_disposition[it.ev.disposition]++;
		if (it.ev.ts_ns > r->last_call_ns)
			r->last_call_ns = it.ev.ts_ns;
	}
	if (n < 0 && !r->rd.truncated)
		return errorf("%s: %s", r->path, r->rd.err);
	if (n < 0) {
		r->truncated = true;
		snprintf(r->truncated_why, sizeof(r->truncated_why), "%s", r->rd.err);
	}
	return 0;
}

/* What the end record would have said. A truncated file has none: its calls and
 * losses are counted, its duration runs to its last call. */
static struct record_end file_totals(const struct report *r)
{
	__u64 t0 = r->rd.info.monotonic_ns;

	if (!r->truncated)
		return r->rd.end;
	return (struct record_end){
		.calls = r->rd.calls,
		.lost = r->rd.lost,
		.duration_s = r->last_call_ns > t0 ? (r->last_call_ns - t0) / 1e9 : 0,
	};
}

static void format_realtime(char *buf, size_t len, __u64 ns)
{
	time_t secs = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!gmtime_r(&secs, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf + strlen(buf), len - strlen(buf), ".%09llu UTC", (unsigned long long)(ns % 1000000000ull));
}

static void info_text(const struct report *r, long long bytes)
{
	const struct trace_info *in = &r->rd.info;
	const struct record_end totals = file_totals(r), *end = &totals;
	char started[64];

	format_realtime(started, sizeof(started), in->realtime_ns);
	printf("%s: smccctrace record, format %u, %lld bytes\n", r->path, r->rd.version, bytes);
	printf("  recorded by  smccctrace %s\n", in->tool_version);
	printf("  kernel       %s (%s)\n", in->kernel_release, in->machine);
	printf("  started      %s (CLOCK_MONOTONIC %llu.%09llu s, CLOCK_BOOTTIME %llu.%09llu s)\n", started,
	       (unsigned long long)(in->monotonic_ns / 1000000000ull), (unsigned long long)(in->monotonic_ns % 1000000000ull),
	       (unsigned long long)(in->boottime_ns / 1000000000ull), (unsigned long long)(in->boottime_ns % 1000000000ull));
	if (in->cntfrq)
		printf("  counter      %llu Hz (guest_cntvct / cntfrq: the guest's counter seconds)\n",
		       (unsigned long long)in->cntfrq);
	printf("  plan         %s, SMCCC handler %s\n", in->plan, in->handler);
	for (int i = 0; i < in->nr_hooks; i++)
		printf("  hook         %-20s %-10s %s\n", in->hooks[i].role, in->hooks[i].kind, in->hooks[i].target);
	printf("  calls        %llu (kvm %llu, denied %llu, forwarded %llu, refused %llu",
	       (unsigned long long)end->calls,
	       (unsigned long long)r->file_by_disposition[DISP_KVM], (unsigned long long)r->file_by_disposition[DISP_DENIED],
	       (unsigned long long)r->file_by_disposition[DISP_FORWARDED],
	       (unsigned long long)r->file_by_disposition[DISP_REFUSED]);
	if (r->file_by_disposition[DISP_REFLECTED])
		printf(", reflected %llu", (unsigned long long)r->file_by_disposition[DISP_REFLECTED]);
	printf(") in %.3f s\n", end->duration_s);
	if (end->lost) {
		char causes[LOST_CAUSES_TEXT_MAX];

		lost_causes_text(causes, sizeof(causes), r->rd.causes_known ? r->rd.lost_by_cause : NULL);
		printf("  lost         %llu (%s)\n", (unsigned long long)end->lost, causes);
	} else {
		printf("  lost         0\n");
	}
	if (r->truncated)
		printf("  truncated    at offset %llu: no end record (the tracer did not finish); "
		       "calls and duration up to there\n", (unsigned long long)r->rd.truncated_at);
}

static void info_json(const struct report *r, long long bytes)
{
	const struct trace_info *in = &r->rd.info;
	const struct record_end end = file_totals(r);
	struct json_writer w;

	jw_init(&w, stdout);
	jw_start_object(&w);
	jw_string_field(&w, "type", "record_info");
	jw_uint_field(&w, "format_version", r->rd.version);
	jw_int_field(&w, "bytes", bytes);
	jw_string_field(&w, "tool_version", in->tool_version);
	jw_string_field(&w, "kernel_release", in->kernel_release);
	jw_string_field(&w, "machine", in->machine);
	jw_uint_safe_field(&w, "start_realtime_ns", in->realtime_ns);
	jw_uint_safe_field(&w, "start_monotonic_ns", in->monotonic_ns);
	jw_uint_safe_field(&w, "start_boottime_ns", in->boottime_ns);
	if (in->cntfrq)
		jw_uint_field(&w, "cntfrq", in->cntfrq);
	jw_string_field(&w, "plan", in->plan);
	jw_string_field(&w, "handler", in->handler);
	jw_name(&w, "hooks");
	jw_start_array(&w);
	for (int i = 0; i < in->nr_hooks; i++) {
		jw_start_object(&w);
		jw_string_field(&w, "role", in->hooks[i].role);
		jw_string_field(&w, "kind", in->hooks[i].kind);
		jw_string_field(&w, "target", in->hooks[i].target);
		jw_end_object(&w);
	}
	jw_end_array(&w);
	jw_uint_safe_field(&w, "calls", end.calls);
	jw_uint_safe_field(&w, "lost", end.lost);
	if (r->rd.causes_known) {	/* format 2 on: every cause, 0 included */
		jw_name(&w, "lost_by_cause");
		jw_start_object(&w);
		for (unsigned c = 0; c < LOST__COUNT; c++)
			jw_uint_safe_field(&w, lost_cause_name(c), r->rd.lost_by_cause[c]);
		jw_end_object(&w);
	}
	jw_name(&w, "by_disposition");
	jw_start_object(&w);
	for (unsigned d = 0; d < DISP__COUNT; d++)
		jw_uint_safe_field(&w, disposition_name(d), r->file_by_disposition[d]);
	jw_end_object(&w);
	jw_double_field(&w, "duration_s", end.duration_s);
	jw_bool_field(&w, "truncated", r->truncated);
	if (r->truncated)
		jw_uint_safe_field(&w, "truncated_offset", r->rd.truncated_at);
	jw_end_object(&w);
	jw_end_line(&w);
}

static int info(const struct report *r)
{
	struct stat st;
	long long bytes = fstat(fileno(r->in), &st) ? -1 : (long long)st.st_size;

	if (r->opts.json)
		info_json(r, bytes);
	else
		info_text(r, bytes);
	return fflush(stdout) ? errorf("cannot write standard output: %s", strerror(errno)) : 0;
}

/* True when path names the file being read: writing it would truncate the input. */
static bool is_input(const struct report *r, const char *path)
{
	struct stat in, out;

	return path && !fstat(fileno(r->in), &in) && !stat(path, &out) &&
	       in.st_dev == out.st_dev && in.st_ino == out.st_ino;
}

/* A report writes hundreds of bytes per call: stdio's default buffer (4 KiB for a
 * file or a pipe) meant a write(2) every few calls, and the JSON writer's fast path
 * (which needs room in the buffer for a field) was often missed. A terminal keeps its
 * line buffering. */
#define REPORT_OUT_BUFFER (1 << 16)

static void out_buffer(FILE *out)
{
	static char buf[REPORT_OUT_BUFFER];	/* glibc ignores the size without a buffer */

	if (!isatty(fileno(out)))
		setvbuf(out, buf, _IOFBF, sizeof(buf));
}

/* The same outputs the live tracer would have written with these options. */
static int open_sinks(struct report *r)
{
	const struct trace_opts *o = &r->opts;
	const char *name = o->output ? o->output : "standard output";
	bool stream = o->json || o->output || (!o->record && !o->perfetto);
	const char *outputs[] = { o->output, o->record, o->perfetto };

	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		if (is_input(r, outputs[i]))
			return errorf("report: '%s' is the record file being read", outputs[i]) + 1;
	r->out = stdout;
	if ((stream || o->summary || o->psci || o->top) && o->output && !(r->out = fopen(o->output, "w")))
		return errorf("cannot write '%s': %s", o->output, strerror(errno));
	out_buffer(r->out);
	/* --summary, --psci and --top replace the per-call stream, as they do live */
	if (o->top) {
		char err[160];

		if (sink_top_open(&r->sinks[r->nr_sinks], r->out, name, o, err, sizeof(err)))
			return errorf("%s", err);
		r->nr_sinks++;
	} else if (o->psci) {
		if (sink_psci_open(&r->sinks[r->nr_sinks++], r->out, name, o))
			return errorf("out of memory");
	} else if (o->summary) {
		if (sink_summary_open(&r->sinks[r->nr_sinks++], r->out, name, o->json, o->summary_by))
			return errorf("out of memory");
	} else if (stream && sink_stream_open(&r->sinks[r->nr_sinks++], r->out, name, o->json, o->guest_syms.nr > 0)) {
		return errorf("out of memory");
	}
	if (o->record && sink_record_open(&r->sinks[r->nr_sinks++], o->record)) {
		r->nr_sinks--;
		return errorf("cannot write '%s': %s", o->record, strerror(errno));
	}
	if (o->perfetto && sink_perfetto_open(&r->sinks[r->nr_sinks++], o->perfetto, o->perfetto_max_bytes, o->guest_clock)) {
		r->nr_sinks--;
		return errorf("cannot write '%s': %s", o->perfetto, strerror(errno));
	}
	return 0;
}

/* A closed pipe (`smccctrace report rec.bin | head`) ends the report quietly. */
static int output_error(const struct sink *s)
{
	if (errno == EPIPE)
		return 0;
	return errorf("cannot write %s: %s", s->name, strerror(errno));
}

/*
 * Sink i's output failed (errno): it gets nothing more, and the others go on, so that
 * `report FILE --json --perfetto T.json | head -1` still writes the whole timeline and
 * a --record copy still gets its end. Returns true when no sink is left. The first
 * failure is the one reported (quietly for a closed pipe).
 */
static bool sink_failed(struct report *r, int i)
{
	if (!r->first_failed) {
		r->first_failed = &r->sinks[i];
		r->first_errno = errno;
	} else if (errno != EPIPE) {
		errorf("cannot write %s: %s", r->sinks[i].name, strerror(errno));
	}
	r->failed[i] = true;
	return ++r->nr_failed == r->nr_sinks;
}

static int render_outcome(const struct report *r)
{
	if (!r->first_failed)
		return 0;
	errno = r->first_errno;
	return output_error(r->first_failed);
}

/* Second pass: the calls that pass the filters, and the losses, to every sink. */
static int render(struct report *r)
{
	const struct trace_info *in = &r->rd.info;
	struct record_item it;
	struct call_view v;
	int n = 0;

	r->rd.info.guest_syms = &r->syms;
	r->totals.plan = in->plan;
	r->totals.handler = in->handler;
	r->totals.cntfrq = in->cntfrq;
	if (r->opts.guest_clock && !in->cntfrq)
		fprintf(stderr, "smccctrace: warning: %s: no counter frequency recorded (format %u): --guest-clock has no guest time to show\n",
			r->path, r->rd.version);
	for (int i = 0; i < r->nr_sinks; i++) {
		struct sink *s = &r->sinks[i];

		if (s->start && s->start(s, in))
			return output_error(s);
	}
	while (r->nr_failed < r->nr_sinks && (n = record_reader_next(&r->rd, &it)) > 0) {
		if (it.kind == RECORD_ITEM_LOST) {
			__u64 ts = it.ts_ns >= in->monotonic_ns ? it.ts_ns - in->monotonic_ns : 0;

			r->totals.lost += it.count;
			if (it.cause < LOST__COUNT)
				r->totals.lost_by_cause[it.cause] += it.count;
			for (int i = 0; i < r->nr_sinks; i++) {
				struct sink *s = &r->sinks[i];

				if (!r->failed[i] && s->lost && s->lost(s, ts, it.cause, it.count) && sink_failed(r, i))
					return render_outcome(r);
			}
			continue;
		}
		/* before the VMM's first call; again for a VMM that took the pid (reuse) */
		if (it.kind == RECORD_ITEM_PROCESS) {
			if (guest_names_set(it.pid, it.guest))
				return errorf("out of memory");
			continue;
		}
		if (!event_filter_match(&r->opts, &it.ev))
			continue;
		r->totals.calls++;
		r->totals.by_disposition[it.ev.disposition]++;
		call_view_init(&v, &it.ev, in->monotonic_ns);
		call_view_symbolize(&v, &r->syms);
		v.cntfrq = r->opts.guest_clock ? in->cntfrq : 0;
		for (int i = 0; i < r->nr_sinks; i++) {
			struct sink *s = &r->sinks[i];

			if (!r->failed[i] && s->event(s, &v) && sink_failed(r, i))
				return render_outcome(r);
		}
	}
	if (n < 0 && !(r->truncated && r->rd.truncated))	/* the file changed since the first pass */
		return errorf("%s: %s", r->path, r->rd.err);
	r->totals.duration_s = file_totals(r).duration_s;
	r->totals.causes_known = r->rd.causes_known;
	for (int i = 0; i < r->nr_sinks; i++) {
		struct sink *s = &r->sinks[i];

		if (!r->failed[i] && s->finish && s->finish(s, &r->totals))
			sink_failed(r, i);
	}
	if (r->first_failed)
		return render_outcome(r);
	if (r->totals.lost) {
		char causes[LOST_CAUSES_TEXT_MAX];

		lost_causes_text(causes, sizeof(causes), r->totals.causes_known ? r->totals.lost_by_cause : NULL);
		fprintf(stderr, "smccctrace: WARNING: %llu calls were lost while recording (%s)\n",
			(unsigned long long)r->totals.lost, causes);
	}
	return 0;
}

/* A truncated file was rendered up to its last whole record: say where it stops. */
static int truncation_warning(const struct report *r)
{
	if (!r->truncated)
		return 0;
	fprintf(stderr, "smccctrace: warning: %s: %s; reported the %llu calls recorded before it\n", r->path,
		r->truncated_why, (unsigned long long)r->rd.calls);
	return REPORT_EXIT_TRUNCATED;
}

static int report(struct report *r)
{
	char err[256];
	const char *live;
	int rc;

	if (!r->opts.file)
		return errorf("report: which record file? (smccctrace report FILE [OPTIONS])") + 1;
	r->path = r->opts.file;
	live = live_only_option(&r->opts);
	if (live)
		return errorf("report: %s applies to live tracing only", live) + 1;
	if (guest_syms_set_load(&r->syms, &r->opts.guest_syms, err, sizeof(err)))
		return errorf("%s", err) + 1;
	r->in = fopen(r->path, "rb");
	if (!r->in)
		return errorf("cannot read '%s': %s", r->path, strerror(errno));
	if (record_reader_open(&r->rd, r->in))
		return errorf("%s: %s", r->path, r->rd.err);
	if (validate(r))
		return 1;
	if (r->opts.info)
		return info(r) ?: truncation_warning(r);
	rewind(r->in);
	if (record_reader_open(&r->rd, r->in))
		return errorf("%s: %s", r->path, r->rd.err);
	rc = open_sinks(r);
	if (!rc)
		rc = render(r);
	return rc ? rc : truncation_warning(r);
}

int cmd_report(int argc, char **argv)
{
	static struct report r;		/* the reader holds a few pages of header strings */
	char err[256];
	int rc;

	memset(&r, 0, sizeof(r));
	trace_opts_init(&r.opts);
	r.opts.want_file = true;
	if (trace_opts_parse(&r.opts, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "smccctrace: report: %s\n", err);
		return 2;
	}
	if (r.opts.help) {
		trace_usage(stdout);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);	/* a closed pipe shows up as EPIPE: a quiet exit */
	rc = report(&r);
	for (int i = 0; i < r.nr_sinks; i++)
		if (r.sinks[i].destroy)
			r.sinks[i].destroy(&r.sinks[i]);
	if (r.out && r.out != stdout && fclose(r.out) && !rc)
		rc = errorf("cannot write '%s': %s", r.opts.output, strerror(errno));
	if (r.in)
		fclose(r.in);
	guest_syms_set_free(&r.syms);
	guest_names_free();
	return rc;
}
