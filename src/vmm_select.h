/* -g NAME --wait over a long run: the VMMs of the names come and go, the pid list
 * (o->pids, at most MAX_TRACED_PIDS) follows the live ones. src/vmm_select.c. */
#ifndef SMCCCTRACE_VMM_SELECT_H
#define SMCCCTRACE_VMM_SELECT_H
#include <stdbool.h>
#include <linux/types.h>
#include "options.h"

/* What the looks for new VMMs remember between them. */
struct vmm_watch {
	__u64 scanned_ns;			/* /proc was last searched for the names */
	__u32 refused[MAX_TRACED_PIDS];		/* VMMs found while the list was full of live ones */
	int nr_refused;
	__u64 refusals;				/* such VMMs, each counted once */
	bool uncounted;				/* more were refused than the list could hold */
	bool warned;				/* the one warning about the cap was printed */
};

/* What one look changed in o->pids, for the kernel's filter (traced_tgids). */
struct vmm_changes {
	__u32 added[MAX_TRACED_PIDS], gone[MAX_TRACED_PIDS];
	int nr_added, nr_gone;
};

/* One look for VMMs of o's names (-g) that are new since the last. When the list is
 * full, the pids of processes that have exited (kill: ESRCH; EPERM is alive) leave it
 * first, so that the cap bounds the VMMs alive at once; a VMM that still finds no room
 * is refused: counted once in w->refusals, one warning for the whole run. */
void vmm_watch_scan(struct vmm_watch *w, struct trace_opts *o, struct vmm_changes *c);
#endif
