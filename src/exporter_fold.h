/* The exporter's folding rules (--listen): the series of VMMs that exited and of VMs
 * that were destroyed fold into series of their own, so that a host where VMMs and VMs
 * come and go keeps a bounded table. Pure: src/exporter_mode.c says which VMs are live
 * (the kernel's vm_ids map) and how to tell a live pid; the unit tests pass fixed ones. */
#ifndef SMCCCTRACE_EXPORTER_FOLD_H
#define SMCCCTRACE_EXPORTER_FOLD_H
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "aggregate.h"

/* VMMs and VMs found gone at one collection and shown one last time at the next; past
 * these many, the next ones fold at once (their last value is not shown, their calls
 * are still all counted) */
#define EXPORTER_MAX_GONE_PIDS 256
#define EXPORTER_MAX_GONE_VMS 1024

struct exporter_fold {
	bool (*pid_alive)(__u32 pid);
	/* found gone at the last collection: their own series were shown one last time */
	__u32 gone_pids[EXPORTER_MAX_GONE_PIDS], gone_pids_now[EXPORTER_MAX_GONE_PIDS];
	__u32 gone_vms[EXPORTER_MAX_GONE_VMS], gone_vms_now[EXPORTER_MAX_GONE_VMS];	/* gone_vms sorted */
	size_t nr_gone_pids, nr_gone_pids_now, nr_gone_vms, nr_gone_vms_now;
	/* during exporter_fold_gone() */
	const __u32 *live_vms;		/* sorted; NULL: unknown, no VM is folded */
	size_t nr_live_vms;
	struct agg_table *folded, *calls;
	bool failed;
};

void exporter_fold_init(struct exporter_fold *f, bool (*pid_alive)(__u32 pid));
/*
 * One collection's folding, after its counts joined calls:
 * - the rows of a VMM that is gone (pid_alive false) stay for this collection when it
 *   is first found gone; at the next they fold into pid EXPORTER_EXITED_PID, vm 0;
 * - the rows of a live VMM whose VM number (not 0) is not in live_vms do the same,
 *   into the VMM's own vm EXPORTER_DESTROYED_VM, the vCPU kept (a VM's vCPUs are few:
 *   per VMM the folded rows are bounded by its vCPU ids, functions and dispositions).
 * Folding adds to a row: every sum stays monotonic. live_vms (any order, repeats
 * allowed; sorted here, in place) must be read after the counts, so that a VM number in calls is either live in it or gone
 * for good; NULL when unknown (no VM-destroy hook, or the read failed): no VM folds.
 * Returns 0, or -1 when out of memory (rows that could not be folded are kept: no
 * call is lost, unless a folded row finds no memory for its key).
 */
int exporter_fold_gone(struct exporter_fold *f, struct agg_table *calls, __u32 *live_vms, size_t nr_live_vms);
#endif
