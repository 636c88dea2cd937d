/* `smccctrace [-p PID]...` and its views (psci, top): the options, the VMMs, the
 * kernel and the privileges checked, the outputs opened, the plan loaded and attached;
 * then one of the trace modes runs (src/tracer.c: the stream, --summary;
 * src/exporter_mode.c: --listen; src/top_live.c: top), and everything is released. */
#include "tracer.h"
#include "tracer_internal.h"
#include "web_config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <bpf/libbpf.h>

#include "cmd_psci.h"
#include "cmd_top.h"
#include "diag.h"
#include "guest_name.h"
#include "kvm_mode.h"
#include "loader.h"
#include "options.h"
#include "privileges.h"
#include "version.h"

static void on_signal(int sig)
{
	stop_signal = sig;
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

/* -v: what tracing cost this process, for the overhead numbers of docs/performance.md */
static void print_resource_usage(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return;
	fprintf(stderr, "smccctrace: CPU user %.3fs system %.3fs, peak RSS %ld KiB\n",
		ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
		ru.ru_maxrss);
}

/*
 * The options: their own answers (--help, --version) and what is bad input whatever
 * the machine (a bad --web-config, unreadable guest symbols: exit 2), before anything
 * is probed. Returns the exit status, or -1 to go on.
 */
static int trace_opts_check(struct tracer *t, int argc, char **argv)
{
	char err[256];

	trace_opts_init(&t->opts);
	if (trace_opts_parse(&t->opts, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "smccctrace: %s\n", err);
		return 2;
	}
	if (t->opts.help) {
		if (t->opts.psci)
			psci_usage(stdout);
		else if (t->opts.top)
			top_usage(stdout);
		else
			trace_usage(stdout);
		return 0;
	}
	if (t->opts.version) {
		print_version(stdout);
		return 0;
	}
	if (t->opts.info)
		return errorf("--info applies to 'smccctrace report FILE'") + 1;
	/* a bad --web-config is bad input, whatever the machine: said first, exit 2 */
	if (t->opts.web_config && !(t->web = web_config_load(t->opts.web_config, err, sizeof(err))))
		return errorf("%s", err) + 1;
	/* so are the guest's symbols: read before anything is attached */
	if (guest_syms_set_load(&t->syms, &t->opts.guest_syms, err, sizeof(err)))
		return errorf("%s", err) + 1;
	return -1;
}

/* The VMMs to trace, the kernel's facts and the privileges to attach with (and the
 * user to drop to). Returns 0, or the exit status. */
static int trace_prepare(struct tracer *t, struct run_as *who)
{
	char err[256];

	verbose_libbpf = t->opts.verbose;
	libbpf_set_print(libbpf_print);
	guest_names_live();
	if (select_vmms(t))
		return 1;
	kernel_facts_probe(&t->kernel);
	if (kernel_facts_usable(&t->kernel, err, sizeof(err)))
		return errorf("%s", err);
	if (privileges_check(err, sizeof(err)) || privileges_resolve(t->opts.user, who, err, sizeof(err)))
		return errorf("%s", err);
	if (t->opts.verbose)	/* before privileges are dropped */
		kvm_mode_print_line(stderr);
	return 0;
}

/* -o and the sinks the options ask for. Returns 0, or the exit status. */
static int open_outputs(struct tracer *t)
{
	t->out = stdout;
	if (t->opts.output) {
		t->out = fopen(t->opts.output, "w");
		if (!t->out)
			return errorf("cannot write '%s': %s", t->opts.output, strerror(errno));
	}
	/* like perf record: --record or --perfetto alone print only the totals */
	/* --psci (`smccctrace psci`): the PSCI flow view takes the stream's place */
	if (t->opts.psci && sink_psci_open(&t->sinks[t->nr_sinks++], t->out,
					   t->opts.output ? t->opts.output : "standard output", &t->opts))
		return errorf("out of memory");
	if (!t->opts.summary && !t->opts.psci && !t->opts.top &&
	    (t->opts.json || t->opts.output || (!t->opts.record && !t->opts.perfetto)) &&
	    sink_stream_open(&t->sinks[t->nr_sinks++], t->out,
			     t->opts.output ? t->opts.output : "standard output", t->opts.json, t->opts.guest_syms.nr > 0))
		return errorf("out of memory");
	if (t->opts.record && sink_record_open(&t->sinks[t->nr_sinks++], t->opts.record))
		return errorf("cannot write '%s': %s", t->opts.record, strerror(errno));
	if (t->opts.perfetto && sink_perfetto_open(&t->sinks[t->nr_sinks++], t->opts.perfetto,
						   t->opts.perfetto_max_bytes, t->opts.guest_clock))
		return errorf("cannot write '%s': %s", t->opts.perfetto, strerror(errno));
	return 0;
}

static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);	/* a closed terminal or ssh session: stop cleanly too */
	signal(SIGPIPE, SIG_IGN);	/* a closed pipe shows up as EPIPE: a quiet exit */
}

/* Load and attach the plan, drop privileges, run the mode the options chose.
 * Returns its exit status. */
static int attach_and_run(struct tracer *t, const struct run_as *who)
{
	char err[256];

	if (load_and_attach(&t->bpf, &t->kernel, &t->opts, t->opts.plan, err, sizeof(err)))
		return errorf("%s", err);
	if (t->opts.verbose && t->bpf.fentry_error[0])
		fprintf(stderr, "smccctrace: fentry/fexit unavailable (%s)\n", t->bpf.fentry_error);
	if (t->opts.verbose && t->bpf.kprobe_error[0])
		fprintf(stderr, "smccctrace: kprobes unavailable (%s)\n", t->bpf.kprobe_error);
	if (t->bpf.plan.mech == MECH_TRACEPOINT)
		fprintf(stderr, "smccctrace: tracepoint plan: no arguments, results or vCPU ids, "
			"and kvm/denied/refused are not told apart (see 'smccctrace probe')\n");
	/* attached: from here on only map reads are needed */
	if (drop_privileges(who, err, sizeof(err)))
		return errorf("%s", err);
	return t->opts.listen ? run_exporter(t) : t->opts.top ? run_top(t) :
	       t->opts.summary ? run_summary(t) : run_stream(t);
}

/* Detaches and frees what the trace took; closing -o can still fail. Returns rc, or
 * the status of that failure. */
static int trace_release(struct tracer *t, int rc)
{
	struct guest_names_counts names;

	exporter_release(t);
	ring_buffer__free(t->rb);
	loaded_destroy(&t->bpf);
	guest_syms_set_free(&t->syms);
	for (int i = 0; i < t->nr_sinks; i++)
		if (t->sinks[i].destroy)
			t->sinks[i].destroy(&t->sinks[i]);
	guest_names_counts(&names);
	if (names.forgotten)
		fprintf(stderr, "smccctrace: the guest names of %llu exited VMMs were forgotten (the newest %u are kept); "
			"their rows show none\n", (unsigned long long)names.forgotten, GUEST_NAMES_KEEP_GONE);
	guest_names_free();
	if (t->out != stdout && fclose(t->out) && !rc)
		rc = errorf("cannot write '%s': %s", t->opts.output, strerror(errno));
	return rc;
}

int cmd_trace(int argc, char **argv)
{
	struct tracer t = { 0 };
	struct run_as who;
	int rc;

	rc = trace_opts_check(&t, argc, argv);
	if (rc >= 0)
		return rc;
	rc = trace_prepare(&t, &who);
	if (!rc)
		rc = open_outputs(&t);
	if (rc)
		return rc;
	catch_stop_signals();
	/* --listen binds (and reads --web-config) with every privilege: a port below 1024
	 * needs CAP_NET_BIND_SERVICE, a key file is often root's only */
	t.listen_fd = -1;
	if (t.opts.listen && exporter_prepare(&t))
		return 1;
	rc = attach_and_run(&t, &who);
	if (t.opts.verbose)
		print_resource_usage();
	return trace_release(&t, rc);
}

int cmd_trace_view(int argc, char **argv, const char *view)
{
	char flag[32], err[256], **args;
	struct trace_opts o;
	int rc;

	args = calloc((size_t)argc + 2, sizeof(*args));
	if (!args) {
		fprintf(stderr, "smccctrace: out of memory\n");
		return 1;
	}
	snprintf(flag, sizeof(flag), "--%s", view);
	args[0] = argv[0];
	args[1] = flag;
	memcpy(&args[2], &argv[1], (size_t)(argc - 1) * sizeof(*args));
	/* parsed here first only so that a bad option names the subcommand */
	trace_opts_init(&o);
	if (trace_opts_parse(&o, argc + 1, args, err, sizeof(err))) {
		fprintf(stderr, "smccctrace: %s: %s\n", view, err);
		free(args);
		return 2;
	}
	rc = cmd_trace(argc + 1, args);
	free(args);
	return rc;
}
