/* The rules between options (src/options_rules.c), checked once the command line is read */
#ifndef SMCCCTRACE_OPTIONS_RULES_H
#define SMCCCTRACE_OPTIONS_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

/* What the command line set itself, where a default cannot tell (src/options.c fills it) */
struct opts_seen {
	bool conduit, disposition;	/* the first one replaces the default "all" */
	bool by, listen_interval, max_series;
	const char *psci_threshold;	/* the last PSCI flow threshold given, for "applies to" */
};

/* 0, or -1 with a one-line message in err; sets what depends on the view (top's --by) */
int trace_opts_check(struct trace_opts *o, const struct opts_seen *seen, char *err, size_t len);

#endif
