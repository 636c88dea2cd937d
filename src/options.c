#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smccc.h"

static const char *const disposition_names[DISP__COUNT] = {
	[DISP_KVM] = "kvm",
	[DISP_DENIED] = "denied",
	[DISP_FORWARDED] = "forwarded",
	[DISP_REFUSED] = "refused",
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

void trace_opts_init(struct trace_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->vcpu = -1;
	o->conduit_mask = (1u << CONDUIT__COUNT) - 1;
	o->disposition_mask = (1u << DISP__COUNT) - 1;
	o->nr_args = 7;
}

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int add_range(struct trace_opts *o, uint32_t lo, uint32_t hi, char *err, size_t len)
{
	if (o->nr_func_ranges >= SMCCC_MAX_FUNC_RANGES)
		return fail(err, len, "too many --func filters (at most %d ranges)", SMCCC_MAX_FUNC_RANGES);
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
			return fail(err, len, "--func: service '%s' has no fixed ID range", item);
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
		return fail(err, len, "--func: '%s' names more than one function", item);
	if (smccc_parse_func(item, &id) == 0)
		return add_range(o, id, id, err, len);
	return fail(err, len, "--func: unknown function or service '%s' (try 'smccctrace decode %s')", item, item);
}

/* Applies fn to each item of a comma-separated list. */
static int each_item(const char *list, int (*fn)(struct trace_opts *, const char *, char *, size_t),
		     struct trace_opts *o, char *err, size_t len)
{
	char buf[256];
	char *save = NULL, *tok;

	if (strlen(list) >= sizeof(buf))
		return fail(err, len, "option value too long: '%.32s...'", list);
	strcpy(buf, list);
	if (!*buf)
		return fail(err, len, "empty option value");
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
	return fail(err, len, "--conduit: expected hvc or smc, got '%s'", item);
}

static int add_disposition(struct trace_opts *o, const char *item, char *err, size_t len)
{
	int d = disposition_parse(item);

	if (d < 0)
		return fail(err, len, "--disposition: expected kvm, denied, forwarded or refused, got '%s'", item);
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
};

static const struct option long_options[] = {
	{ "pid", required_argument, NULL, 'p' },
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
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

int trace_opts_parse(struct trace_opts *o, int argc, char **argv, char *err, size_t len)
{
	bool conduit_set = false, disposition_set = false;
	uint32_t v;
	int c;

	optind = 0;	/* full reset of getopt state: parsing may run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:t:d:o:vh", long_options, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_u32(optarg, &v) || v == 0 || v > 4194304)
				return fail(err, len, "-p: not a process id: '%s'", optarg);
			if (o->nr_pids >= MAX_TRACED_PIDS)
				return fail(err, len, "-p: at most %d processes", MAX_TRACED_PIDS);
			o->pids[o->nr_pids++] = v;
			break;
		case 't':
			if (parse_u32(optarg, &v) || v == 0 || v > 4194304)
				return fail(err, len, "-t: not a thread id: '%s'", optarg);
			o->tid = v;
			break;
		case OPT_VCPU:
			if (parse_u32(optarg, &v) || v > 4095)
				return fail(err, len, "--vcpu: not a vCPU number: '%s'", optarg);
			o->vcpu = (int)v;
			break;
		case OPT_FUNC:
			if (each_item(optarg, add_func, o, err, len))
				return -1;
			break;
		case OPT_CONDUIT:
			if (!conduit_set)
				o->conduit_mask = 0;
			conduit_set = true;
			if (each_item(optarg, add_conduit, o, err, len))
				return -1;
			break;
		case OPT_DISPOSITION:
			if (!disposition_set)
				o->disposition_mask = 0;
			disposition_set = true;
			if (each_item(optarg, add_disposition, o, err, len))
				return -1;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'd':
			if (parse_seconds(optarg, &o->duration_s))
				return fail(err, len, "-d: not a duration in seconds: '%s'", optarg);
			break;
		case OPT_ALL_ARGS:
			o->nr_args = SMCCC_MAX_ARGS;
			break;
		case 'o':
			if (!*optarg)
				return fail(err, len, "-o: empty file name");
			o->output = optarg;
			break;
		case OPT_PLAN:
			if (!strcmp(optarg, "auto"))
				o->plan = PLAN_AUTO;
			else if (!strcmp(optarg, "fentry"))
				o->plan = PLAN_FENTRY;
			else if (!strcmp(optarg, "kprobe"))
				o->plan = PLAN_KPROBE;
			else
				return fail(err, len, "--plan: expected auto, fentry or kprobe, got '%s'", optarg);
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			o->help = true;
			break;
		case ':':
			return fail(err, len, "option '%s' needs a value", argv[optind - 1]);
		default:
			return fail(err, len, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(err, len, "unexpected argument '%s' (see --help)", argv[optind]);
	return 0;
}

void trace_usage(FILE *out)
{
	fputs(
"Usage: smccctrace [-p PID]... [OPTIONS]\n"
"       smccctrace decode ID|NAME|SERVICE...\n"
"\n"
"Trace the SMCCC calls (HVC/SMC) that KVM guests make: decoded function, arguments,\n"
"conduit, immediate, trapping PC, what KVM did with the call, the result the guest\n"
"got, the time in KVM and, for calls forwarded to the VMM, the VMM's round trip.\n"
"\n"
"  -p, --pid PID          trace the guests of this VMM process (repeatable)\n"
"  -t, --tid TID          only this vCPU thread\n"
"      --vcpu N           only vCPU N\n"
"      --func LIST        only these functions: IDs, names or services, comma-separated\n"
"                         (e.g. psci, PSCI_CPU_ON, 0x84000000)\n"
"      --conduit LIST     hvc, smc\n"
"      --disposition LIST kvm, denied, forwarded, refused\n"
"      --json             JSON Lines, one object per call, then a summary record\n"
"  -o, --output FILE      write the trace to FILE instead of stdout\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"      --all-args         capture x1..x17 instead of x1..x7\n"
"      --plan auto|fentry|kprobe  force an attach mechanism (default: best available)\n"
"  -v, --verbose          explain the attach plan and libbpf messages\n"
"  -h, --help             this help\n"
"\n"
"Subcommands:\n"
"  decode ID|NAME|SERVICE...  decode SMCCC function IDs (runs anywhere)\n"
"  probe [--json]             what this kernel lets smccctrace see, and why\n"
"\n"
"Examples:\n"
"  smccctrace -p $(pidof qemu-system-aarch64)    # every call of that VMM's guests\n"
"  smccctrace -p 1234 --func psci                # PSCI only\n"
"  smccctrace -p 1234 --disposition forwarded    # calls the VMM answers\n"
"  smccctrace -p 1234 --json -d 10 > calls.jsonl # 10 s of JSON Lines\n"
"  smccctrace decode 0xc4000003                  # -> PSCI_CPU_ON (SMC64)\n",
	      out);
}
