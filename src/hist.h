/* Text histograms in the style of libbpf-tools' print_log2_hist(). */
#ifndef SMCCCTRACE_HIST_H
#define SMCCCTRACE_HIST_H
#include <stdio.h>
#include "aggregate.h"

/*
 * The log2 view of a latency histogram, one line per power of two, as libbpf-tools
 * prints it ("     nsecs               : count    distribution"), from the lowest
 * non-empty line to the highest (libbpf-tools starts at 0; ns latencies would open
 * with a dozen empty lines). Prints nothing for an empty histogram.
 */
void print_log2_hist(FILE *out, const struct latency *l, const char *val_type);
#endif
