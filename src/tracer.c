#include "tracer.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "json_writer.h"
#include "loader.h"
#include "options.h"
#include "planner.h"
#include "render.h"
#include "smccctrace.skel.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct tracer {
	struct trace_opts opts;
	struct loaded bpf;
	struct kernel_facts kernel;
	struct ring_buffer *rb;
	FILE *out;
	struct json_writer jw;
	__u64 t0_ns;
	__u64 calls;
	__u64 by_disposition[DISP__COUNT];
	bool output_broken;
};

static __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static int errorf(const char *fmt, ...)
{
	va_list ap;

	fputs("smccctrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG || (!verbose_libbpf && level == LIBBPF_INFO))
		return 0;
	if (!verbose_libbpf)
		return 0;	/* our own one-line errors say what failed */
	return vfprintf(stderr, fmt, args);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	const struct smccc_event *ev = data;
	struct call_view v;

	if (size < sizeof(*ev) || t->output_broken)
		return 0;
	t->calls++;
	if (ev->disposition < DISP__COUNT)
		t->by_disposition[ev->disposition]++;
	call_view_init(&v, ev, t->t0_ns);
	if (t->opts.json)
		render_json(&t->jw, &v);
	else
		render_text(t->out, &v);
	return 0;
}

static __u64 lost_events(struct tracer *t)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 total = 0, *per_cpu;
	__u32 zero = 0;

	if (ncpu <= 0)
		return 0;
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return 0;
	if (!bpf_map__lookup_elem(t->bpf.skel->maps.lost, &zero, sizeof(zero), per_cpu,
				  sizeof(*per_cpu) * (size_t)ncpu, 0))
		for (int i = 0; i < ncpu; i++)
			total += per_cpu[i];
	free(per_cpu);
	return total;
}

static int check_pids(const struct trace_opts *o)
{
	for (int i = 0; i < o->nr_pids; i++)
		if (kill((pid_t)o->pids[i], 0) && errno == ESRCH)
			return errorf("-p %u: no such process", o->pids[i]);
	return 0;
}

static bool all_pids_gone(const struct trace_opts *o)
{
	if (!o->nr_pids)
		return false;
	for (int i = 0; i < o->nr_pids; i++)
		if (!(kill((pid_t)o->pids[i], 0) && errno == ESRCH))
			return false;
	return true;
}

static void print_summary(struct tracer *t, __u64 lost, double seconds)
{
	if (t->opts.json) {
		struct json_writer *w = &t->jw;

		jw_start_object(w);
		jw_string_field(w, "type", "summary");
		jw_uint_field(w, "calls", t->calls);
		jw_uint_field(w, "lost", lost);
		jw_name(w, "by_disposition");
		jw_start_object(w);
		for (unsigned d = 0; d < DISP__COUNT; d++)
			jw_uint_field(w, disposition_name(d), t->by_disposition[d]);
		jw_end_object(w);
		jw_double_field(w, "duration_s", seconds);
		jw_string_field(w, "plan", hook_mech_name(t->bpf.plan.mech));
		jw_string_field(w, "handler", t->bpf.plan.handler);
		jw_end_object(w);
		jw_end_line(w);
	}
	fprintf(stderr, "smccctrace: %llu calls in %.1fs (kvm %llu, denied %llu, forwarded %llu, refused %llu), %llu lost\n",
		(unsigned long long)t->calls, seconds,
		(unsigned long long)t->by_disposition[DISP_KVM], (unsigned long long)t->by_disposition[DISP_DENIED],
		(unsigned long long)t->by_disposition[DISP_FORWARDED], (unsigned long long)t->by_disposition[DISP_REFUSED],
		(unsigned long long)lost);
	if (lost)
		fprintf(stderr, "smccctrace: WARNING: %llu calls were lost (ring buffer full)\n", (unsigned long long)lost);
}

static int run(struct tracer *t)
{
	__u64 start, deadline = 0;
	__u64 reported_lost = 0;
	int err = 0;

	t->rb = ring_buffer__new(bpf_map__fd(t->bpf.skel->maps.events), handle_event, t, NULL);
	if (!t->rb)
		return errorf("cannot create the ring buffer: %s", strerror(errno));
	for (int i = 0; i < t->opts.nr_pids; i++) {
		__u8 one = 1;

		bpf_map__update_elem(t->bpf.skel->maps.traced_tgids, &t->opts.pids[i], sizeof(__u32),
				     &one, sizeof(one), BPF_ANY);
	}
	start = t->t0_ns = monotonic_ns();
	if (t->opts.duration_s > 0)
		deadline = start + (__u64)(t->opts.duration_s * 1e9);
	if (t->opts.verbose)
		fprintf(stderr, "smccctrace: attached with %s, SMCCC handler %s; tracing%s\n",
			hook_mech_name(t->bpf.plan.mech), t->bpf.plan.handler, t->opts.nr_pids ? "" : " all VMMs");
	if (!t->opts.json) {
		render_text_header(t->out);
		fflush(t->out);
	}
	while (!stop_signal) {
		int n = ring_buffer__poll(t->rb, 100);

		if (n < 0 && n != -EINTR) {
			err = errorf("ring buffer: %s", strerror(-n));
			break;
		}
		if (fflush(t->out) || ferror(t->out)) {
			if (errno != EPIPE)
				err = errorf("cannot write %s: %s", t->opts.output ? t->opts.output : "standard output",
					     strerror(errno));
			t->output_broken = true;
			break;
		}
		if (deadline && monotonic_ns() >= deadline)
			break;
		if (all_pids_gone(&t->opts)) {
			ring_buffer__consume(t->rb);
			if (t->opts.verbose)
				fprintf(stderr, "smccctrace: the traced process exited\n");
			break;
		}
		(void)reported_lost;
	}
	if (!t->output_broken) {
		ring_buffer__consume(t->rb);
		print_summary(t, lost_events(t), (monotonic_ns() - start) / 1e9);
		if (fflush(t->out) || ferror(t->out)) {
			if (errno != EPIPE)
				err = errorf("cannot write %s: %s", t->opts.output ? t->opts.output : "standard output",
					     strerror(errno));
		}
	}
	return err;
}

int cmd_trace(int argc, char **argv)
{
	struct tracer t = { 0 };
	char err[256];
	int rc;

	trace_opts_init(&t.opts);
	if (trace_opts_parse(&t.opts, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "smccctrace: %s\n", err);
		return 2;
	}
	if (t.opts.help) {
		trace_usage(stdout);
		return 0;
	}
	verbose_libbpf = t.opts.verbose;
	libbpf_set_print(libbpf_print);
	if (check_pids(&t.opts))
		return 1;
	kernel_facts_probe(&t.kernel);
	if (kernel_facts_usable(&t.kernel, err, sizeof(err)))
		return errorf("%s", err);
	if (geteuid() != 0)
		return errorf("permission denied: tracing KVM needs root (CAP_BPF and CAP_PERFMON)");
	t.out = stdout;
	if (t.opts.output) {
		t.out = fopen(t.opts.output, "w");
		if (!t.out)
			return errorf("cannot write '%s': %s", t.opts.output, strerror(errno));
	}
	jw_init(&t.jw, t.out);

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a closed pipe shows up as EPIPE: a quiet exit */

	if (load_and_attach(&t.bpf, &t.kernel, &t.opts, t.opts.plan, err, sizeof(err))) {
		rc = errorf("%s", err);
	} else {
		if (t.opts.verbose && t.bpf.fentry_error[0])
			fprintf(stderr, "smccctrace: fentry/fexit unavailable (%s); using kprobes\n", t.bpf.fentry_error);
		rc = run(&t);
	}
	ring_buffer__free(t.rb);
	loaded_destroy(&t.bpf);
	if (t.out != stdout && fclose(t.out) && !rc)
		rc = errorf("cannot write '%s': %s", t.opts.output, strerror(errno));
	return rc;
}
