// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of `smccctrace --version` (src/version.c) and of -V/--version in the
 * option parser: the lines a bug report quotes, in order, with the libbpf the binary
 * runs with.
 */
#include <bpf/libbpf.h>
#include "unit.h"
#include "options.h"
#include "version.h"

static void test_text(void)
{
	char buf[512], want[64];
	int n = version_text(buf, sizeof(buf));

	CHECK(n > 0 && (size_t)n < sizeof(buf), "length %d", n);
	CHECK(strncmp(buf, "smccctrace " SMCCCTRACE_VERSION "\ngit: ", 16 + strlen(SMCCCTRACE_VERSION)) == 0,
	      "first lines: %s", buf);
	/* built without the Makefile's SMCCCTRACE_GIT: a release */
	CHECK(strstr(buf, "\ngit: release\n") != NULL, "git line: %s", buf);
	snprintf(want, sizeof(want), "\nlibbpf: %u.%u\n", libbpf_major_version(), libbpf_minor_version());
	CHECK(strstr(buf, want) != NULL, "libbpf line %s in: %s", want, buf);
	CHECK(strstr(buf, "\nlibmicrohttpd: 0.9.") != NULL, "libmicrohttpd line: %s", buf);
	/* unit tests build without SMCCCTRACE_TLS: no TLS claimed */
	CHECK(strstr(buf, "\nbuild: dynamic, no TLS\n") != NULL, "build line: %s", buf);
	CHECK(buf[n - 1] == '\n', "ends with a newline");

	char small[20];
	CHECK_INT(version_text(small, sizeof(small)), n);
	CHECK(strlen(small) == sizeof(small) - 1, "truncated, terminated: '%s'", small);
}

static void test_options(void)
{
	const char *const cases[][3] = { { "smccctrace", "--version", NULL }, { "smccctrace", "-V", NULL } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct trace_opts o;
		char err[256] = "";
		char *argv[] = { (char *)cases[i][0], (char *)cases[i][1], NULL };

		trace_opts_init(&o);
		CHECK_INT(trace_opts_parse(&o, 2, argv, err, sizeof(err)), 0);
		CHECK(o.version && !o.help, "%s sets version only", cases[i][1]);
	}
	struct trace_opts o;
	char err[256] = "";
	char *argv[] = { "smccctrace", "--version=x", NULL };

	trace_opts_init(&o);
	CHECK_INT(trace_opts_parse(&o, 2, argv, err, sizeof(err)), -1);
}

int main(void)
{
	test_text();
	test_options();
	return unit_report("version");
}
