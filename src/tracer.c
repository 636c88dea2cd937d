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
#include "sink.h"
#include "smccctrace.skel.h"

#define MAX_SINKS 4

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
	struct sink sinks[MAX_SINKS];
	int nr_sinks;
	__u64 t0_ns;
	struct trace_totals totals;
	int output_errno;		/* first output failure; stops the trace */
	const char *output_failed;	/* the file that failed */
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

	if (size < sizeof(*ev) || t->output_failed)
		return 0;
	t->totals.calls++;
	if (ev->disposition < DISP__COUNT)
		t->totals.by_disposition[ev->disposition]++;
	call_view_init(&v, ev, t->t0_ns);
	for (int i = 0; i < t->nr_sinks; i++) {
		struct sink *s = &t->sinks[i];

		if (s->event(s, &v)) {
			t->output_errno = errno;
			t->output_failed = s->name;
			return -1;	/* stops ring_buffer__poll */
		}
	}
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

static void print_totals(const struct trace_totals *t)
{
	fprintf(stderr, "smccctrace: %llu calls in %.1fs (kvm %llu, denied %llu, forwarded %llu, refused %llu), %llu lost\n",
		(unsigned long long)t->calls, t->duration_s,
		(unsigned long long)t->by_disposition[DISP_KVM], (unsigned long long)t->by_disposition[DISP_DENIED],
		(unsigned long long)t->by_disposition[DISP_FORWARDED], (unsigned long long)t->by_disposition[DISP_REFUSED],
		(unsigned long long)t->lost);
	if (t->lost)
		fprintf(stderr, "smccctrace: WARNING: %llu calls were lost (ring buffer full)\n", (unsigned long long)t->lost);
}

/* A closed pipe (`smccctrace --json | head -1`) ends the trace quietly. */
static int output_error(struct tracer *t)
{
	if (t->output_errno == EPIPE)
		return 0;
	return errorf("cannot write %s: %s", t->output_failed, strerror(t->output_errno));
}

static int finish_sinks(struct tracer *t)
{
	for (int i = 0; i < t->nr_sinks && !t->output_failed; i++) {
		struct sink *s = &t->sinks[i];

		if (s->finish && s->finish(s, &t->totals)) {
			t->output_errno = errno;
			t->output_failed = s->name;
		}
	}
	return t->output_failed ? output_error(t) : 0;
}

static int run(struct tracer *t)
{
	__u64 start, deadline = 0;
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
	t->totals.plan = hook_mech_name(t->bpf.plan.mech);
	t->totals.handler = t->bpf.plan.handler;
	if (t->opts.verbose)
		fprintf(stderr, "smccctrace: attached with %s, SMCCC handler %s; tracing%s\n",
			t->totals.plan, t->totals.handler, t->opts.nr_pids ? "" : " all VMMs");
	while (!stop_signal && !t->output_failed) {
		int n = ring_buffer__poll(t->rb, 100);

		if (n < 0 && n != -EINTR && !t->output_failed) {
			err = errorf("ring buffer: %s", strerror(-n));
			break;
		}
		if (!t->output_failed && fflush(t->out)) {
			t->output_errno = errno;
			t->output_failed = t->opts.output ? t->opts.output : "standard output";
		}
		if (deadline && monotonic_ns() >= deadline)
			break;
		if (all_pids_gone(&t->opts)) {
			if (t->opts.verbose)
				fprintf(stderr, "smccctrace: the traced process exited\n");
			break;
		}
	}
	if (!t->output_failed)
		ring_buffer__consume(t->rb);
	t->totals.lost = lost_events(t);
	t->totals.duration_s = (monotonic_ns() - start) / 1e9;
	if (t->output_failed)
		return output_error(t);
	err = finish_sinks(t) ?: err;
	print_totals(&t->totals);
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
	if (sink_stream_open(&t.sinks[t.nr_sinks++], t.out,
			     t.opts.output ? t.opts.output : "standard output", t.opts.json))
		return errorf("out of memory");

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
	for (int i = 0; i < t.nr_sinks; i++)
		if (t.sinks[i].destroy)
			t.sinks[i].destroy(&t.sinks[i]);
	if (t.out != stdout && fclose(t.out) && !rc)
		rc = errorf("cannot write '%s': %s", t.opts.output, strerror(errno));
	return rc;
}
