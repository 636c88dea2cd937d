/* smccctrace: trace the SMCCC calls of KVM guests on arm64 hosts.
 * Subcommand dispatch in the style of bpftool; the default is the live tracer. */
#include <stdio.h>
#include <string.h>

#include "cmd_probe.h"
#include "cmd_psci.h"
#include "cmd_report.h"
#include "cmd_top.h"
#include "smccc.h"
#include "tracer.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "decode", cmd_decode },
	{ "probe", cmd_probe },
	{ "psci", cmd_psci },
	{ "report", cmd_report },
	{ "top", cmd_top },
	{ "trace", cmd_trace },
};

int main(int argc, char **argv)
{
	if (argc > 1 && argv[1][0] != '-') {
		for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
			if (!strcmp(argv[1], subcommands[i].name))
				return subcommands[i].fn(argc - 1, argv + 1);
		fprintf(stderr, "smccctrace: unknown command '%s' (see --help)\n", argv[1]);
		return 2;
	}
	return cmd_trace(argc, argv);
}
