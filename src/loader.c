#include "loader.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "aggregate.h"
#include "drops.h"
#include "smccc.h"
#include "smccctrace.skel.h"

/* --summary, --listen and top show the kernel's counts, not a stream of calls: one
 * predicate, so that they load the same way (counting, folding, the known IDs). */
static bool counted_in_kernel(const struct trace_opts *o)
{
	return o && (o->summary || o->listen || o->top);
}

static void set_filters(struct smccctrace_bpf *skel, const struct trace_opts *o)
{
	struct smccctrace_bpf__rodata *ro = skel->rodata;

	if (!o)
		return;
	ro->filter_tgid = o->nr_pids > 0 || o->nr_guests > 0;	/* -g --wait may match none yet */
	ro->filter_tid = o->tid;
	ro->filter_vcpu = o->vcpu;
	ro->nr_func_ranges = (__u32)o->nr_func_ranges;
	for (int i = 0; i < o->nr_func_ranges; i++) {
		ro->func_ranges[i].lo = o->func_ranges[i].lo;
		ro->func_ranges[i].hi = o->func_ranges[i].hi;
	}
	ro->conduit_mask = o->conduit_mask;
	ro->disposition_mask = o->disposition_mask;
	ro->nr_args = (__u8)o->nr_args;
	ro->aggregate = counted_in_kernel(o);
	ro->aggregate_pc = counted_in_kernel(o) && (o->summary_by & AGG_BY_SITE);	/* --by site */
}

/* The kernel's counts fold the IDs the decoder does not know (summary_func() in the BPF
 * program): its service blocks before load, its known IDs after. */
static void set_fold_blocks(struct smccctrace_bpf *skel)
{
	struct smccc_id_range blocks[SMCCC_MAX_FOLD_BLOCKS];
	size_t n = smccc_fold_blocks(blocks, SMCCC_MAX_FOLD_BLOCKS);

	if (n > SMCCC_MAX_FOLD_BLOCKS)
		n = SMCCC_MAX_FOLD_BLOCKS;	/* tests/unit/test_smccc.c keeps them in */
	skel->rodata->nr_fold_blocks = (__u32)n;
	for (size_t i = 0; i < n; i++) {
		skel->rodata->fold_blocks[i].lo = blocks[i].lo;
		skel->rodata->fold_blocks[i].hi = blocks[i].hi;
	}
	bpf_map__set_max_entries(skel->maps.known_funcs, (__u32)smccc_funcs_count);
}

static int fill_known_funcs(struct smccctrace_bpf *skel, char *err, size_t len)
{
	__u8 one = 1;

	for (size_t i = 0; i < smccc_funcs_count; i++) {
		__u32 id = smccc_funcs[i].id;

		if (bpf_map__update_elem(skel->maps.known_funcs, &id, sizeof(id), &one, sizeof(one), BPF_ANY)) {
			snprintf(err, len, "cannot fill the table of known functions: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* --buffer: the ring buffer's size, before load. The kernel wants a page multiple. */
static int set_buffer(struct smccctrace_bpf *skel, __u32 bytes, char *err, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);

	if (page > 0 && bytes % (unsigned long)page) {
		snprintf(err, len, "--buffer: %u bytes is not a multiple of the page size (%ld)", bytes, page);
		return -1;
	}
	if (bpf_map__set_max_entries(skel->maps.events, bytes)) {
		snprintf(err, len, "--buffer: cannot size the ring buffer: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int try_load(struct loaded *l, const struct kernel_facts *k, const struct trace_opts *o,
		    enum hook_mech mech, char *err, size_t len)
{
	l->skel = smccctrace_bpf__open();
	if (!l->skel) {
		snprintf(err, len, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	set_filters(l->skel, o);
	if (o && o->buffer_bytes && set_buffer(l->skel, o->buffer_bytes, err, len))
		return -1;
	l->skel->rodata->wakeup_bytes = bpf_map__max_entries(l->skel->maps.events) / 4;
	/* calls live in per-vCPU slots, or per thread under the tracepoint plan (which
	 * sees no vCPU): the other plan's maps are not used */
	if (mech == MECH_TRACEPOINT) {
		bpf_map__set_max_entries(l->skel->maps.vcpu_calls, 1);
		bpf_map__set_max_entries(l->skel->maps.thread_vcpu, 1);
	} else {
		bpf_map__set_max_entries(l->skel->maps.tp_calls, 1);
		if (o && o->max_vcpus)
			bpf_map__set_max_entries(l->skel->maps.vcpu_calls, o->max_vcpus);
	}
	if (counted_in_kernel(o))
		set_fold_blocks(l->skel);
	if (plan_prepare(l->skel, k, mech, &l->plan, err, len))
		return -1;
	if (smccctrace_bpf__load(l->skel)) {
		int e = errno;

		if (e == EPERM || e == EACCES)
			snprintf(err, len, "permission denied loading BPF programs: run as root (CAP_BPF, CAP_PERFMON)");
		else
			snprintf(err, len, "cannot load the BPF programs (%s): %s (see 'smccctrace probe', or -v)",
				 hook_mech_name(mech), strerror(e));
		return -1;
	}
	if (counted_in_kernel(o) && fill_known_funcs(l->skel, err, len))
		return -1;
	return plan_attach(l->skel, &l->plan, err, len);
}

void loaded_detach(struct loaded *l)
{
	if (!l->skel)
		return;
	drops_keep_link_counters(&l->plan);
	smccctrace_bpf__detach(l->skel);
}

void loaded_destroy(struct loaded *l)
{
	smccctrace_bpf__destroy(l->skel);
	l->skel = NULL;
}

int load_and_attach(struct loaded *l, const struct kernel_facts *k, const struct trace_opts *o,
		    enum plan_force force, char *err, size_t len)
{
	memset(l, 0, sizeof(*l));
	if (force == PLAN_TRACEPOINT || (force == PLAN_AUTO && kernel_facts_functions_usable(k, err, len))) {
		/* KVM's functions cannot be hooked here (or we were told not to) */
		if (try_load(l, k, o, MECH_TRACEPOINT, err, len) == 0)
			return 0;
		loaded_destroy(l);
		return -1;
	}
	if (force != PLAN_KPROBE) {
		if (try_load(l, k, o, MECH_FENTRY, err, len) == 0)
			return 0;
		loaded_destroy(l);
		if (force == PLAN_FENTRY || strstr(err, "permission denied"))
			return -1;
		snprintf(l->fentry_error, sizeof(l->fentry_error), "%s", err);
	}
	if (try_load(l, k, o, MECH_KPROBE, err, len) == 0)
		return 0;
	loaded_destroy(l);
	if (force != PLAN_AUTO || strstr(err, "permission denied") || !k->kvm_tracepoints)
		return -1;
	/* functions there but not hookable: the tracepoints still see the calls */
	snprintf(l->kprobe_error, sizeof(l->kprobe_error), "%s", err);
	if (try_load(l, k, o, MECH_TRACEPOINT, err, len) == 0)
		return 0;
	loaded_destroy(l);
	return -1;
}
