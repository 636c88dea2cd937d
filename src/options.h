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

#define MAX_TRACED_PIDS 64

enum plan_force {
	PLAN_AUTO = 0,
	PLAN_FENTRY,
	PLAN_KPROBE,
};

struct trace_opts {
	uint32_t pids[MAX_TRACED_PIDS];
	int nr_pids;
	uint32_t tid;			/* 0: all */
	int vcpu;			/* -1: all */
	struct smccc_func_range func_ranges[SMCCC_MAX_FUNC_RANGES];
	int nr_func_ranges;
	uint8_t conduit_mask;
	uint8_t disposition_mask;
	bool json;
	bool verbose;
	bool help;
	double duration_s;		/* 0: until interrupted */
	int nr_args;			/* x1..xN captured and shown: 7, or 17 with --all-args */
	const char *output;		/* -o FILE, NULL: stdout */
	enum plan_force plan;
};

void trace_opts_init(struct trace_opts *o);
/* Returns 0, or -1 with a one-line reason in err. */
int trace_opts_parse(struct trace_opts *o, int argc, char **argv, char *err, size_t errlen);
void trace_usage(FILE *out);

/* Strict number parsing: the whole string must be a number in range. */
int parse_u32(const char *s, uint32_t *out);
int parse_seconds(const char *s, double *out);
const char *disposition_name(unsigned d);
int disposition_parse(const char *s);
const char *conduit_name(unsigned c);
const char *isa_name(unsigned isa);
#endif
