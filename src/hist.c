/* print_log2_hist(), after libbpf-tools' trace_helpers.c: same columns, same stars. */
#include "hist.h"

#include <inttypes.h>

static void print_stars(FILE *out, __u64 val, __u64 val_max, int width)
{
	int num_stars = (int)((val < val_max ? val : val_max) * (__u64)width / (val_max ? val_max : 1));
	int num_spaces = width - num_stars;
	bool need_plus = val > val_max;

	for (int i = 0; i < num_stars; i++)
		fputc('*', out);
	for (int i = 0; i < num_spaces; i++)
		fputc(' ', out);
	if (need_plus)
		fputc('+', out);
}

void print_log2_hist(FILE *out, const struct latency *l, const char *val_type)
{
	__u64 vals[64], val_max = 0;
	int idx_max, idx_min = -1, stars, width;

	idx_max = latency_log2(l, vals) - 1;
	if (idx_max < 0)
		return;
	for (int i = 0; i <= idx_max; i++) {
		if (vals[i] > val_max)
			val_max = vals[i];
		if (vals[i] && idx_min < 0)
			idx_min = i;
	}
	/* wider columns when the values need more than 10 digits, as libbpf-tools */
	stars = idx_max <= 32 ? 40 : 20;
	width = idx_max <= 32 ? 10 : 20;
	fprintf(out, "%*s%-*s : count    distribution\n", idx_max <= 32 ? 5 : 15, "",
		idx_max <= 32 ? 19 : 29, val_type);
	for (int i = idx_min; i <= idx_max; i++) {
		unsigned long long low = (1ULL << (i + 1)) >> 1, high = (1ULL << (i + 1)) - 1;

		if (low == high)
			low -= 1;
		fprintf(out, "%*llu -> %-*llu : %-8" PRIu64 " |", width, low, width, high, (uint64_t)vals[i]);
		print_stars(out, vals[i], val_max, stars);
		fputs("|\n", out);
	}
}
