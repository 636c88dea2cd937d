/* libFuzzer target for the tracer's option parser: the input is a command line, its
 * arguments separated by NUL or newline bytes. Whatever it is, parsing must end in
 * a result or a one-line error, within bounds, without undefined behaviour. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2];
	struct trace_opts o;
	char err[256];
	int argc = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	argv[argc++] = "smccctrace";
	for (char *p = buf, *end = buf + size; p <= end && argc <= MAX_ARGS; ) {
		char *q = p;

		while (q < end && *q && *q != '\n')
			q++;
		*q = 0;
		argv[argc++] = p;
		p = q + 1;
	}
	argv[argc] = NULL;
	trace_opts_init(&o);
	err[0] = 0;
	if (trace_opts_parse(&o, argc, argv, err, sizeof(err))) {
		/* a failure always says why, on one line */
		if (!err[0] || strchr(err, '\n'))
			abort();
	} else if (o.nr_func_ranges > SMCCC_MAX_FUNC_RANGES || o.nr_pids > MAX_TRACED_PIDS) {
		abort();
	}
	free(buf);
	return 0;
}
