/* Opens, configures, loads and attaches the BPF skeleton following the planner,
 * falling back from fentry/fexit to kprobes when trampolines are unavailable. */
#ifndef SMCCCTRACE_LOADER_H
#define SMCCCTRACE_LOADER_H
#include <stddef.h>
#include "options.h"
#include "planner.h"

struct smccctrace_bpf;

struct loaded {
	struct smccctrace_bpf *skel;
	struct attach_plan plan;
	char fentry_error[256];		/* why fentry/fexit was not used, if it was tried */
	char kprobe_error[256];		/* why kprobes were not used, if they were tried */
};

/* Returns 0, or -1 with a one-line reason in err. opts may be NULL (no filters). */
int load_and_attach(struct loaded *l, const struct kernel_facts *k, const struct trace_opts *opts,
		    enum plan_force force, char *err, size_t len);
/*
 * Detaches every program and keeps the maps: what the kernel holds (the ring buffer,
 * the counts, the calls still with their VMM) stops changing, so the end of a trace
 * reads one consistent state.
 */
void loaded_detach(struct loaded *l);
void loaded_destroy(struct loaded *l);
#endif
