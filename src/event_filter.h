/* The tracer's filters (-p, -g, -t, --vcpu, --func, --conduit, --disposition) applied in
 * userspace to recorded calls, for `smccctrace report`. Live, the same options are
 * checked in the kernel (the rodata in bpf/smccctrace.bpf.c, tested in bpf/call_steps.bpf.h,
 * bpf/stream.bpf.h and bpf/tracepoint_plan.bpf.h); this is their offline twin. */
#ifndef SMCCCTRACE_EVENT_FILTER_H
#define SMCCCTRACE_EVENT_FILTER_H
#include <stdbool.h>
#include "options.h"
#include "smccctrace.h"

/* True when ev passes every filter in o. A filter on a field the recording's plan
 * could not see (ev->missing) never passes. */
bool event_filter_match(const struct trace_opts *o, const struct smccc_event *ev);
#endif
