#include "options.h"
#include "options_rules.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "diag.h"
#include "psci_flow.h"
#include "top_model.h"
#include "smccc.h"

static const char *const disposition_names[DISP__COUNT] = {
	[DISP_KVM] = "kvm",
	[DISP_DENIED] = "denied",
	[DISP_FORWARDED] = "forwarded",
	[DISP_REFUSED] = "refused",
	[DISP_REFLECTED] = "reflected",
};

static const char *const conduit_names[CONDUIT__COUNT] = {
	[CONDUIT_HVC] = "hvc",
	[CONDUIT_SMC] = "smc",
};

const char *disposition_name(unsigned d)
{
	return d < DISP__COUNT ? disposition_names[d] : "unknown";
}

int disposition_parse(const char *s)
{
	for (unsigned d = 0; d < DISP__COUNT; d++)
		if (!strcmp(s, disposition_names[d]))
			return (int)d;
	return -1;
}

const char *conduit_name(unsigned c)
{
	return c < CONDUIT__COUNT ? conduit_names[c] : "unknown";
}

const char *isa_name(unsigned isa)
{
	switch (isa) {
	case ISA_A64: return "a64";
	case ISA_A32: return "a32";
	case ISA_T32: return "t32";
	}
	return "unknown";
}

int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v <= 0 || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned shift = 0;
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

void trace_opts_init(struct trace_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->vcpu = -1;
	o->conduit_mask = (1u << CONDUIT__COUNT) - 1;
	o->disposition_mask = (1u << DISP__COUNT) - 1;
	o->nr_args = 7;
	o->summary_by = AGG_BY_DEFAULT;
	o->perfetto_max_bytes = (uint64_t)PERFETTO_DEFAULT_MAX_MB << 20;
	o->on_timeout_ms = PSCI_DEFAULT_ON_TIMEOUT_MS;
	o->poll_limit = PSCI_DEFAULT_POLL_LIMIT;
	o->poll_time_ms = PSCI_DEFAULT_POLL_TIME_MS;
	o->slow_vmm_ms = PSCI_DEFAULT_SLOW_VMM_MS;
	o->listen_interval_s = 2.0;	/* a few seconds: scrapes see counts at most this old */
	o->max_series = 2000;		/* a page of a few MB (docs/prometheus.md) */
}

static int add_range(struct trace_opts *o, uint32_t lo, uint32_t hi, char *err, size_t len)
{
	if (o->nr_func_ranges >= SMCCC_MAX_FUNC_RANGES)
		return errbuf_printf(err, len, "too many --func filters (at most %d ranges)", SMCCC_MAX_FUNC_RANGES);
	o->func_ranges[o->nr_func_ranges++] = (struct smccc_func_range){ .lo = lo, .hi = hi };
	return 0;
}

/* One --func item: a service ("psci"), a function name ("PSCI_CPU_ON") or an ID. */
static int add_func(struct trace_opts *o, const char *item, char *err, size_t len)
{
	enum smccc_service svc;
	uint32_t id;

	if (smccc_parse_service(item, &svc) == 0) {
		struct smccc_id_range r[SMCCC_MAX_FUNC_RANGES];
		int n = smccc_service_ranges(svc, r, SMCCC_MAX_FUNC_RANGES);

		if (n <= 0)
			return errbuf_printf(err, len, "--func: service '%s' has no fixed ID range", item);
		for (int i = 0; i < n; i++)
			if (add_range(o, r[i].lo, r[i].hi, err, len))
				return -1;
		return 0;
	}
	/* a name stands for both its SMC32 and SMC64 forms: arm64 guests use the latter */
	uint32_t ids[2];
	int n = smccc_lookup_name(item, ids, 2);

	if (n > 0) {
		for (int i = 0; i < n; i++)
			if (add_range(o, ids[i], ids[i], err, len))
				return -1;
		return 0;
	}
	if (n < 0)
		return errbuf_printf(err, len, "--func: '%s' names more than one function", item);
	if (smccc_parse_func(item, &id) == 0)
		return add_range(o, id, id, err, len);
	return errbuf_printf(err, len, "--func: unknown function or service '%s' (try 'smccctrace decode %s')", item, item);
}

/* Applies fn to each item of a comma-separated list. */
static int each_item(const char *list, int (*fn)(struct trace_opts *, const char *, char *, size_t),
		     struct trace_opts *o, char *err, size_t len)
{
	char buf[256];
	char *save = NULL, *tok;

	if (strlen(list) >= sizeof(buf))
		return errbuf_printf(err, len, "option value too long: '%.32s...'", list);
	strcpy(buf, list);
	if (!*buf)
		return errbuf_printf(err, len, "empty option value");
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (fn(o, tok, err, len))
			return -1;
	return 0;
}

static int add_conduit(struct trace_opts *o, const char *item, char *err, size_t len)
{
	for (unsigned c = 0; c < CONDUIT__COUNT; c++) {
		if (!strcmp(item, conduit_names[c])) {
			o->conduit_mask |= 1u << c;
			return 0;
		}
	}
	return errbuf_printf(err, len, "--conduit: expected hvc or smc, got '%s'", item);
}

static int add_disposition(struct trace_opts *o, const char *item, char *err, size_t len)
{
	int d = disposition_parse(item);

	if (d < 0)
		return errbuf_printf(err, len, "--disposition: expected kvm, denied, forwarded, refused or reflected, got '%s'", item);
	o->disposition_mask |= 1u << d;
	return 0;
}

enum {
	OPT_VCPU = 0x100,
	OPT_FUNC,
	OPT_CONDUIT,
	OPT_DISPOSITION,
	OPT_JSON,
	OPT_ALL_ARGS,
	OPT_PLAN,
	OPT_RECORD,
	OPT_PERFETTO,
	OPT_PERFETTO_MAX_MB,
	OPT_INFO,
	OPT_BY,
	OPT_PSCI,
	OPT_ON_TIMEOUT,
	OPT_POLL_LIMIT,
	OPT_POLL_TIME,
	OPT_SLOW_VMM,
	OPT_WAIT,
	OPT_LISTEN,
	OPT_BUFFER,
	OPT_USER,
	OPT_WALL_CLOCK,
	OPT_LISTEN_INTERVAL,
	OPT_MAX_SERIES,
	OPT_WEB_CONFIG,
	OPT_MAX_VCPUS,
	OPT_TOP,
	OPT_GUEST_KALLSYMS,
	OPT_GUEST_SYSTEM_MAP,
	OPT_GUEST_VMLINUX,
	OPT_GUEST_KASLR_OFFSET,
	OPT_GUEST_SYMBOLS,
	OPT_GUEST_CLOCK,
};

static const struct option long_options[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "guest", required_argument, NULL, 'g' },
	{ "tid", required_argument, NULL, 't' },
	{ "vcpu", required_argument, NULL, OPT_VCPU },
	{ "func", required_argument, NULL, OPT_FUNC },
	{ "conduit", required_argument, NULL, OPT_CONDUIT },
	{ "disposition", required_argument, NULL, OPT_DISPOSITION },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "duration", required_argument, NULL, 'd' },
	{ "all-args", no_argument, NULL, OPT_ALL_ARGS },
	{ "output", required_argument, NULL, 'o' },
	{ "plan", required_argument, NULL, OPT_PLAN },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "perfetto", required_argument, NULL, OPT_PERFETTO },
	{ "perfetto-max-mb", required_argument, NULL, OPT_PERFETTO_MAX_MB },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "summary", no_argument, NULL, 's' },
	{ "by", required_argument, NULL, OPT_BY },
	{ "psci", no_argument, NULL, OPT_PSCI },
	{ "on-timeout", required_argument, NULL, OPT_ON_TIMEOUT },
	{ "poll-limit", required_argument, NULL, OPT_POLL_LIMIT },
	{ "poll-time", required_argument, NULL, OPT_POLL_TIME },
	{ "slow-vmm", required_argument, NULL, OPT_SLOW_VMM },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'c' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "buffer", required_argument, NULL, OPT_BUFFER },
	{ "user", required_argument, NULL, OPT_USER },
	{ "wall-clock", no_argument, NULL, OPT_WALL_CLOCK },
	{ "listen-interval", required_argument, NULL, OPT_LISTEN_INTERVAL },
	{ "max-series", required_argument, NULL, OPT_MAX_SERIES },
	{ "web-config", required_argument, NULL, OPT_WEB_CONFIG },
	{ "max-vcpus", required_argument, NULL, OPT_MAX_VCPUS },
	{ "top", no_argument, NULL, OPT_TOP },
	{ "guest-kallsyms", required_argument, NULL, OPT_GUEST_KALLSYMS },
	{ "guest-system-map", required_argument, NULL, OPT_GUEST_SYSTEM_MAP },
	{ "guest-vmlinux", required_argument, NULL, OPT_GUEST_VMLINUX },
	{ "guest-kaslr-offset", required_argument, NULL, OPT_GUEST_KASLR_OFFSET },
	{ "guest-symbols", required_argument, NULL, OPT_GUEST_SYMBOLS },
	{ "guest-clock", no_argument, NULL, OPT_GUEST_CLOCK },
	{ "batch", no_argument, NULL, 'b' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};

/* One guest symbol option (src/guest_syms_opts.c) */
static int guest_syms_option(struct trace_opts *o, int c, const char *arg, char *err, size_t len)
{
	switch (c) {
	case OPT_GUEST_KALLSYMS:
		return guest_syms_add_file(&o->guest_syms, 0, GUEST_SYMS_KALLSYMS, arg, "--guest-kallsyms", err, len);
	case OPT_GUEST_SYSTEM_MAP:
		return guest_syms_add_file(&o->guest_syms, 0, GUEST_SYMS_SYSTEM_MAP, arg, "--guest-system-map", err, len);
	case OPT_GUEST_VMLINUX:
		return guest_syms_add_file(&o->guest_syms, 0, GUEST_SYMS_VMLINUX, arg, "--guest-vmlinux", err, len);
	case OPT_GUEST_KASLR_OFFSET:
		return guest_syms_add_offset(&o->guest_syms, 0, arg, "--guest-kaslr-offset", err, len);
	default:
		return guest_syms_add_spec(&o->guest_syms, arg, err, len);
	}
}

/* The option groups below return 0 when they took the option, -1 on an error (in err),
 * NOT_MINE when the option belongs to another group. */
enum { NOT_MINE = 1 };

/* Which processes, threads, vCPUs and calls are traced, and how KVM is hooked */
static int parse_selection(struct trace_opts *o, struct opts_seen *seen, int c, const char *arg, char *err,
			   size_t len)
{
	uint32_t v;

	switch (c) {
	case 'p':
		if (parse_u32(arg, &v) || v == 0 || v > 4194304)
			return errbuf_printf(err, len, "-p: not a process id: '%s'", arg);
		if (o->nr_pids >= MAX_TRACED_PIDS)
			return errbuf_printf(err, len, "-p: at most %d processes", MAX_TRACED_PIDS);
		o->pids[o->nr_pids++] = v;
		return 0;
	case 'g':
		if (!*arg)
			return errbuf_printf(err, len, "-g: empty guest name");
		if (o->nr_guests >= MAX_TRACED_GUESTS)
			return errbuf_printf(err, len, "-g: at most %d guest names", MAX_TRACED_GUESTS);
		o->guests[o->nr_guests++] = arg;
		return 0;
	case 't':
		if (parse_u32(arg, &v) || v == 0 || v > 4194304)
			return errbuf_printf(err, len, "-t: not a thread id: '%s'", arg);
		o->tid = v;
		return 0;
	case OPT_VCPU:
		if (parse_u32(arg, &v) || v > 4095)
			return errbuf_printf(err, len, "--vcpu: not a vCPU number: '%s'", arg);
		o->vcpu = (int)v;
		return 0;
	case OPT_FUNC:
		return each_item(arg, add_func, o, err, len) ? -1 : 0;
	case OPT_CONDUIT:
		if (!seen->conduit)	/* the first --conduit replaces the default "all" */
			o->conduit_mask = 0;
		seen->conduit = true;
		return each_item(arg, add_conduit, o, err, len) ? -1 : 0;
	case OPT_DISPOSITION:
		if (!seen->disposition)
			o->disposition_mask = 0;
		seen->disposition = true;
		return each_item(arg, add_disposition, o, err, len) ? -1 : 0;
	case OPT_PLAN:
		if (!strcmp(arg, "auto"))
			o->plan = PLAN_AUTO;
		else if (!strcmp(arg, "fentry"))
			o->plan = PLAN_FENTRY;
		else if (!strcmp(arg, "kprobe"))
			o->plan = PLAN_KPROBE;
		else if (!strcmp(arg, "tracepoint"))
			o->plan = PLAN_TRACEPOINT;
		else
			return errbuf_printf(err, len, "--plan: expected auto, fentry, kprobe or tracepoint, got '%s'", arg);
		return 0;
	case OPT_WAIT:
		o->wait = true;
		return 0;
	}
	return NOT_MINE;
}

/* The call stream's outputs: text, JSON, recordings, Perfetto, their clocks */
static int parse_stream_output(struct trace_opts *o, int c, const char *arg, char *err, size_t len)
{
	uint32_t v;

	switch (c) {
	case OPT_JSON:
		o->json = true;
		return 0;
	case 'd':
		if (parse_seconds(arg, &o->duration_s))
			return errbuf_printf(err, len, "-d: not a duration in seconds: '%s'", arg);
		return 0;
	case OPT_ALL_ARGS:
		o->nr_args = SMCCC_MAX_ARGS;
		return 0;
	case 'o':
		if (!*arg)
			return errbuf_printf(err, len, "-o: empty file name");
		o->output = arg;
		return 0;
	case OPT_RECORD:
		if (!*arg)
			return errbuf_printf(err, len, "--record: empty file name");
		o->record = arg;
		return 0;
	case OPT_PERFETTO:
		if (!*arg)
			return errbuf_printf(err, len, "--perfetto: empty file name");
		o->perfetto = arg;
		return 0;
	case OPT_PERFETTO_MAX_MB:
		if (parse_u32(arg, &v) || v > 1u << 20)
			return errbuf_printf(err, len, "--perfetto-max-mb: not a size in MiB (0: no cap): '%s'", arg);
		o->perfetto_max_bytes = (uint64_t)v << 20;
		return 0;
	case OPT_INFO:
		o->info = true;
		return 0;
	case OPT_GUEST_CLOCK:
		o->guest_clock = true;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case OPT_BUFFER: {
		uint64_t size;

		/* the kernel wants a power of two and a page multiple; that is checked at load */
		if (parse_size(arg, &size) || size < 4096 || size > 1u << 30 || (size & (size - 1)))
			return errbuf_printf(err, len, "--buffer: not a power of two from 4K to 1024M: '%s'", arg);
		o->buffer_bytes = (uint32_t)size;
		return 0;
	}
	case OPT_GUEST_KALLSYMS:
	case OPT_GUEST_SYSTEM_MAP:
	case OPT_GUEST_VMLINUX:
	case OPT_GUEST_KASLR_OFFSET:
	case OPT_GUEST_SYMBOLS:
		return guest_syms_option(o, c, arg, err, len) ? -1 : 0;
	}
	return NOT_MINE;
}

/* The views that count (--summary, top) and the PSCI flow view */
static int parse_views(struct trace_opts *o, struct opts_seen *seen, int c, const char *arg, char *err, size_t len)
{
	switch (c) {
	case 's':
		o->summary = true;
		return 0;
	case OPT_BY:
		seen->by = true;
		return agg_by_parse(arg, &o->summary_by, err, len) ? -1 : 0;
	case 'i':
		if (parse_seconds(arg, &o->interval_s) || o->interval_s < 0.1)
			return errbuf_printf(err, len, "-i: not an interval in seconds (at least 0.1): '%s'", arg);
		return 0;
	case 'c':
		if (parse_u32(arg, &o->interval_count) || !o->interval_count)
			return errbuf_printf(err, len, "-c: not a number of intervals: '%s'", arg);
		return 0;
	case 'T':
		o->timestamps = true;
		return 0;
	case OPT_TOP:
		o->top = true;
		return 0;
	case 'b':
		o->batch = true;
		return 0;
	case 'n':
		if (parse_u32(arg, &o->iterations) || !o->iterations)
			return errbuf_printf(err, len, "-n: not a number of frames: '%s'", arg);
		return 0;
	case OPT_PSCI:
		o->psci = true;
		return 0;
	case OPT_ON_TIMEOUT:
	case OPT_POLL_TIME:
	case OPT_SLOW_VMM: {
		double *ms = c == OPT_ON_TIMEOUT ? &o->on_timeout_ms : c == OPT_POLL_TIME ? &o->poll_time_ms
										: &o->slow_vmm_ms;

		seen->psci_threshold = c == OPT_ON_TIMEOUT ? "--on-timeout" : c == OPT_POLL_TIME ? "--poll-time"
											: "--slow-vmm";
		if (parse_seconds(arg, ms) || *ms > 1e9 / 1000)
			return errbuf_printf(err, len, "%s: not a time in milliseconds: '%s'", seen->psci_threshold, arg);
		return 0;
	}
	case OPT_POLL_LIMIT:
		seen->psci_threshold = "--poll-limit";
		if (parse_u32(arg, &o->poll_limit) || !o->poll_limit)
			return errbuf_printf(err, len, "--poll-limit: not a number of calls: '%s'", arg);
		return 0;
	case OPT_WALL_CLOCK:
		o->wall_clock = true;
		seen->psci_threshold = "--wall-clock";
		return 0;
	}
	return NOT_MINE;
}

/* The Prometheus exporter (--listen) and the live tracer's process */
static int parse_exporter(struct trace_opts *o, struct opts_seen *seen, int c, const char *arg, char *err,
			  size_t len)
{
	switch (c) {
	case OPT_LISTEN:
		if (listen_addr_parse(arg, &o->listen_addr, err, len))
			return -1;
		o->listen = true;
		return 0;
	case OPT_LISTEN_INTERVAL:
		if (parse_seconds(arg, &o->listen_interval_s) || o->listen_interval_s < 0.1 || o->listen_interval_s > 3600)
			return errbuf_printf(err, len, "--listen-interval: not a number of seconds from 0.1 to 3600: '%s'",
					     arg);
		seen->listen_interval = true;
		return 0;
	case OPT_WEB_CONFIG:
		if (!*arg)
			return errbuf_printf(err, len, "--web-config: which file?");
		o->web_config = arg;
		return 0;
	case OPT_MAX_SERIES: {
		char *end;
		unsigned long series;

		errno = 0;
		series = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || *arg == '-' || series < 1 || series > 1000000)
			return errbuf_printf(err, len, "--max-series: not a number from 1 to 1000000: '%s'", arg);
		o->max_series = (uint32_t)series;
		seen->max_series = true;
		return 0;
	}
	case OPT_USER:
		if (!*arg)
			return errbuf_printf(err, len, "--user: which user?");
		o->user = arg;
		return 0;
	case OPT_MAX_VCPUS:
		if (parse_u32(arg, &o->max_vcpus) || !o->max_vcpus || o->max_vcpus > 1u << 20)
			return errbuf_printf(err, len, "--max-vcpus: not a number of vCPUs from 1 to 1048576: '%s'", arg);
		return 0;
	}
	return NOT_MINE;
}

static int parse_option(struct trace_opts *o, struct opts_seen *seen, int c, const char *arg, char *err, size_t len)
{
	int rc;

	if ((rc = parse_selection(o, seen, c, arg, err, len)) != NOT_MINE ||
	    (rc = parse_stream_output(o, c, arg, err, len)) != NOT_MINE ||
	    (rc = parse_views(o, seen, c, arg, err, len)) != NOT_MINE ||
	    (rc = parse_exporter(o, seen, c, arg, err, len)) != NOT_MINE)
		return rc;
	switch (c) {
	case 'h':
		o->help = true;
		return 0;
	case 'V':
		o->version = true;
		return 0;
	}
	return NOT_MINE;
}

int trace_opts_parse(struct trace_opts *o, int argc, char **argv, char *err, size_t len)
{
	struct opts_seen seen = { 0 };
	int c;

	optind = 0;	/* full reset of getopt state: parsing may run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:g:t:d:o:si:c:TvhVbn:", long_options, NULL)) != -1) {
		if (c == ':')
			return errbuf_printf(err, len, "option '%s' needs a value", argv[optind - 1]);
		switch (parse_option(o, &seen, c, optarg, err, len)) {
		case 0:
			break;
		case NOT_MINE:
			return errbuf_printf(err, len, "unknown option '%s' (see --help)", argv[optind - 1]);
		default:
			return -1;
		}
	}
	if (o->want_file && optind < argc)
		o->file = argv[optind++];
	if (optind < argc)
		return errbuf_printf(err, len, "unexpected argument '%s' (see --help)", argv[optind]);
	return trace_opts_check(o, &seen, err, len);
}
