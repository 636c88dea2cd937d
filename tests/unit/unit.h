/* Minimal TAP-style assertions for host unit tests. Each test binary prints one
 * "ok"/"not ok" line per check and a final "# N passed, N failed" line that
 * tests/run-unit.sh adds up. */
#ifndef SMCCCTRACE_UNIT_H
#define SMCCCTRACE_UNIT_H
#include <stdio.h>
#include <string.h>
#include <inttypes.h>

static int unit_passed, unit_failed;

#define CHECK(cond, ...) do {						\
	if (cond) { unit_passed++; }					\
	else {								\
		unit_failed++;						\
		printf("not ok - %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	CHECK(g_ && w_ && strcmp(g_, w_) == 0, "got \"%s\", want \"%s\"", \
	      g_ ? g_ : "(null)", w_ ? w_ : "(null)");			\
} while (0)

#define CHECK_INT(got, want) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	CHECK(g_ == w_, "got %lld, want %lld", g_, w_);			\
} while (0)

static inline int unit_report(const char *name)
{
	printf("# %s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
#endif
