/* Reading the kernel's per-key call statistics (--summary), one epoch at a time. */
#ifndef SMCCCTRACE_STATS_MAP_H
#define SMCCCTRACE_STATS_MAP_H
#include "aggregate.h"

struct smccctrace_bpf;

/*
 * Closes the current epoch of the "stats" map and moves every call counted under it
 * into t (agg_merge); the kernel counts new calls under the next epoch meanwhile.
 * Nothing is lost or counted twice (see stats_map.c). Returns 0, or -1 with errno.
 */
int stats_map_collect(struct smccctrace_bpf *skel, struct agg_table *t);
#endif
