/* --summary output: per-interval tables, log2 histograms and JSON documents of an
 * aggregation table, whether it was filled by the kernel (live) or call by call. */
#ifndef SMCCCTRACE_SUMMARY_H
#define SMCCCTRACE_SUMMARY_H
#include <stdbool.h>
#include <stdio.h>
#include "aggregate.h"
#include "drops.h"

struct summary;

struct summary_interval {
	__u64 start_ns, end_ns;	/* since the trace started */
	__u64 lost;		/* calls that could not be counted in this interval */
	struct drops lost_by_cause;	/* the same by cause, when causes_known (live) */
	bool causes_known;
	bool final;		/* the last one: the trace ends */
	__u64 realtime_ns;	/* wall-clock time of end_ns (a recording's, from its clock
				 * bases); 0: now (live) */
};

/* by: AGG_BY_* grouping; timestamps: -T, the wall-clock time above each text interval. */
struct summary *summary_new(FILE *out, bool json, unsigned by, bool timestamps);
void summary_free(struct summary *s);
/* Names the sites of a --by site summary (guest symbols); syms must outlive s. */
void summary_set_guest_syms(struct summary *s, const struct guest_syms_set *syms);
/* The table the next interval is collected into. */
struct agg_table *summary_table(struct summary *s);
/* Prints the table as one interval (a text block, or one JSON Lines document) and
 * empties it. Returns 0, or -1 with errno when the output failed. */
int summary_print(struct summary *s, const struct summary_interval *iv);
/* Calls printed so far, in total and per disposition. */
__u64 summary_calls(const struct summary *s, __u64 by_disp[DISP__COUNT]);
#endif
