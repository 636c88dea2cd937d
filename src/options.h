/* Command-line options of the tracer (`smccctrace [OPTIONS]`). Parsing is pure so
 * that it can be unit-tested and fuzzed; it never exits or prints. */
#ifndef SMCCCTRACE_OPTIONS_H
#define SMCCCTRACE_OPTIONS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <linux/types.h>
#include "smccctrace.h"
#include "listen_addr.h"
#include "guest_syms.h"

#define MAX_TRACED_PIDS 64
#define MAX_TRACED_GUESTS 16
#define PERFETTO_DEFAULT_MAX_MB 256	/* the Perfetto UI struggles with JSON much larger */

enum plan_force {
	PLAN_AUTO = 0,
	PLAN_FENTRY,
	PLAN_KPROBE,
	PLAN_TRACEPOINT,
};

struct trace_opts {
	uint32_t pids[MAX_TRACED_PIDS];
	int nr_pids;
	const char *guests[MAX_TRACED_GUESTS];	/* -g NAME: VMMs by guest name (src/guest_name.h) */
	int nr_guests;
	uint32_t tid;			/* 0: all */
	int vcpu;			/* -1: all */
	struct smccc_func_range func_ranges[SMCCC_MAX_FUNC_RANGES];
	int nr_func_ranges;
	uint8_t conduit_mask;
	uint8_t disposition_mask;
	bool json;
	bool verbose;
	bool help;
	bool version;			/* -V, --version */
	bool wait;			/* -p names a process that has no KVM file open (yet) */
	double duration_s;		/* 0: until interrupted */
	int nr_args;			/* x1..xN captured and shown: 7, or 17 with --all-args */
	const char *output;		/* -o FILE, NULL: stdout */
	enum plan_force plan;
	const char *record;		/* --record FILE: the raw events, for `smccctrace report` */
	const char *perfetto;		/* --perfetto FILE: Chrome Trace Event JSON timeline */
	uint64_t perfetto_max_bytes;	/* --perfetto-max-mb, in bytes; 0: no cap */
	bool info;			/* report --info: the record file's header and totals */
	bool want_file;			/* set before parsing by `report`: it takes one FILE operand */
	const char *file;		/* that operand */
	bool summary;			/* -s: counts and latency histograms, aggregated in the kernel */
	unsigned summary_by;		/* --by: AGG_BY_* grouping of the summary */
	double interval_s;		/* -i: print a summary every SECS; 0: once, at the end */
	uint32_t interval_count;	/* -c: stop after N intervals; 0: no limit */
	bool timestamps;		/* -T: wall-clock time above each summary */
	bool psci;			/* `psci`, report --psci: the PSCI flow view (src/psci_flow.h) */
	double on_timeout_ms;		/* --on-timeout: CPU_ON target silent this long */
	uint32_t poll_limit;		/* --poll-limit: AFFINITY_INFO polls before it is an anomaly */
	double poll_time_ms;		/* --poll-time: ... or this long */
	double slow_vmm_ms;		/* --slow-vmm: forwarded PSCI call answered this late */
	bool wall_clock;		/* --wall-clock: the PSCI text view's TIME as wall-clock time */
	bool guest_clock;		/* --guest-clock: the text's TIME as the guest's counter seconds */
	bool listen;			/* --listen: a Prometheus exporter (docs/prometheus.md) */
	struct listen_addr listen_addr;	/* where it listens */
	double listen_interval_s;	/* --listen-interval: how often the collector reads the kernel */
	const char *web_config;		/* --web-config: TLS and basic auth (src/web_config.h) */
	uint32_t max_series;		/* --max-series: call series the exporter keeps (docs/prometheus.md) */
	uint32_t buffer_bytes;		/* --buffer: the ring buffer's size; 0: the BPF object's default */
	const char *user;		/* --user: who to run as once attached (src/privileges.c); NULL: nobody */
	uint32_t max_vcpus;		/* --max-vcpus: vcpu_calls' size; 0: the BPF object's default */
	bool top;			/* `top`, report --top: the live view (src/top_view.h) */
	bool batch;			/* -b: top prints plain frames */
	uint32_t iterations;		/* -n: top stops after N frames; 0: no limit */
	struct guest_syms_specs guest_syms;	/* --guest-kallsyms, ...: pc_sym (src/guest_syms.h) */
};

void trace_opts_init(struct trace_opts *o);
/* Returns 0, or -1 with a one-line reason in err. */
int trace_opts_parse(struct trace_opts *o, int argc, char **argv, char *err, size_t errlen);
void trace_usage(FILE *out);

/* Strict number parsing: the whole string must be a number in range. */
int parse_u32(const char *s, uint32_t *out);
int parse_seconds(const char *s, double *out);
/* A size in bytes, with an optional K or M (KiB, MiB) suffix */
int parse_size(const char *s, uint64_t *out);
const char *disposition_name(unsigned d);
int disposition_parse(const char *s);
const char *conduit_name(unsigned c);
const char *isa_name(unsigned isa);
#endif
