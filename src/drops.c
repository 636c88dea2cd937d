/*
 * Counting what was lost, by cause. The BPF programs count what they drop themselves
 * (the "lost" per-CPU array: ring buffer, call state, stats keys, VM table). What the
 * kernel drops before a program runs is only in the kernel's own counters: a kprobe
 * that could not run (nmissed: another kprobe was running on that CPU) and an fentry
 * program skipped because it was already running on that CPU (recursion_misses).
 * Both are read from the kernel through the link and program info.
 */
#include "drops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "planner.h"
#include "smccctrace.skel.h"

static const char *const cause_names[LOST__COUNT] = {
	[LOST_RING_BUFFER] = "ring_buffer_full",
	[LOST_CALL_STATE] = "call_state_full",
	[LOST_STATS] = "stats_full",
	[LOST_VM_TABLE] = "vm_table_full",
	[LOST_KPROBE_MISSED] = "kprobe_missed",
	[LOST_RECURSION] = "recursion_missed",
};

const char *lost_cause_name(unsigned cause)
{
	return cause < LOST__COUNT && cause_names[cause] ? cause_names[cause] : "unknown";
}

void lost_causes_text(char *buf, size_t len, const __u64 *by_cause)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (!by_cause) {
		snprintf(buf, len, "causes not recorded");
		return;
	}
	for (unsigned c = 0; c < LOST__COUNT && used < len; c++) {
		int n;

		if (!by_cause[c])
			continue;
		n = snprintf(buf + used, len - used, "%s%s %llu", used ? ", " : "", lost_cause_name(c),
			     (unsigned long long)by_cause[c]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static void read_kernel_counters(struct smccctrace_bpf *skel, struct drops *d)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *per_cpu;

	if (ncpu <= 0 || !(per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu))))
		return;
	for (__u32 cause = 0; cause < LOST__KERNEL; cause++) {
		if (bpf_map__lookup_elem(skel->maps.lost, &cause, sizeof(cause), per_cpu,
					 sizeof(*per_cpu) * (size_t)ncpu, 0))
			continue;
		for (int i = 0; i < ncpu; i++)
			d->by_cause[cause] += per_cpu[i];
	}
	free(per_cpu);
}

/*
 * A kprobe link's missed count (Linux 6.7+: bpf_link_info.perf_event.kprobe.missed).
 * The arm64 build's uapi headers are older than that member, so its place in the
 * kernel's stable uapi layout is spelled out here; an older kernel returns a shorter
 * info and the count stays 0.
 */
struct kprobe_link_info {
	__u32 type, id, prog_id, pad;
	struct {
		__u32 type, pad;
		__u64 func_name;
		__u32 name_len, offset;
		__u64 addr, missed, cookie;
	} perf_event;
};
#define LINK_TYPE_PERF_EVENT	7	/* BPF_LINK_TYPE_PERF_EVENT */
#define PERF_EVENT_KPROBE	3	/* BPF_PERF_EVENT_KPROBE, then KRETPROBE */
#define PERF_EVENT_KRETPROBE	4

static __u64 kprobe_missed(struct bpf_link *link)
{
	struct kprobe_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (!link || bpf_link_get_info_by_fd(bpf_link__fd(link), (void *)&info, &len) ||
	    info.type != LINK_TYPE_PERF_EVENT || len < sizeof(info) ||
	    (info.perf_event.type != PERF_EVENT_KPROBE && info.perf_event.type != PERF_EVENT_KRETPROBE))
		return 0;
	return info.perf_event.missed;
}

static __u64 recursion_misses(const struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_prog_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return 0;
	return info.recursion_misses;
}

void drops_read(struct smccctrace_bpf *skel, const struct attach_plan *plan, struct drops *d)
{
	memset(d, 0, sizeof(*d));
	if (!skel)
		return;
	read_kernel_counters(skel, d);
	for (int i = 0; plan && i < plan->nr_hooks; i++) {
		const struct planned_hook *h = &plan->hooks[i];

		if (plan->mech == MECH_KPROBE)
			d->by_cause[LOST_KPROBE_MISSED] += *h->link ? kprobe_missed(*h->link) : h->missed_at_detach;
		else if (plan->mech == MECH_FENTRY)
			d->by_cause[LOST_RECURSION] += recursion_misses(h->prog);
	}
}

void drops_keep_link_counters(struct attach_plan *plan)
{
	for (int i = 0; plan->mech == MECH_KPROBE && i < plan->nr_hooks; i++)
		plan->hooks[i].missed_at_detach = kprobe_missed(*plan->hooks[i].link);
}

__u64 drops_total(const struct drops *d)
{
	__u64 total = 0;

	for (int i = 0; i < LOST__COUNT; i++)
		total += d->by_cause[i];
	return total;
}

void drops_since(const struct drops *d, const struct drops *before, struct drops *out)
{
	for (int i = 0; i < LOST__COUNT; i++)
		out->by_cause[i] = d->by_cause[i] - before->by_cause[i];
}
