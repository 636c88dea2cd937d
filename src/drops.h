/* Every call the tracer could not deliver, by cause (enum lost_cause in
 * include/smccctrace.h): the BPF programs' own counters, the kprobes' missed runs
 * and the fentry programs' recursion misses. */
#ifndef SMCCCTRACE_DROPS_H
#define SMCCCTRACE_DROPS_H
#include <stddef.h>
#include <linux/types.h>
#include "smccctrace.h"

struct smccctrace_bpf;
struct attach_plan;

struct drops {
	__u64 by_cause[LOST__COUNT];
};

/* The public name of a cause ("ring_buffer_full", ...); "unknown" out of range. */
const char *lost_cause_name(unsigned cause);
/* "ring_buffer_full 3, call_state_full 2": the causes with a count, in enum order;
 * by_cause NULL: "causes not recorded" (a version 1 record file). */
#define LOST_CAUSES_TEXT_MAX	256
void lost_causes_text(char *buf, size_t len, const __u64 *by_cause);
/* Reads every counter since attach. Counters that cannot be read stay 0. */
void drops_read(struct smccctrace_bpf *skel, const struct attach_plan *plan, struct drops *d);
/* Before the links go: keeps the counters that live in them (kprobes' missed runs). */
void drops_keep_link_counters(struct attach_plan *plan);
__u64 drops_total(const struct drops *d);
/* d - before, cause by cause (counters only grow) */
void drops_since(const struct drops *d, const struct drops *before, struct drops *out);
#endif
