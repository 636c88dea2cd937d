/* Which VMMs are traced: -p PID, -g NAME (src/guest_name.h), and --wait for VMMs that
 * have not opened KVM yet, or (-g) do not exist yet. docs/design.md, "Guests by name",
 * argues the rules: a name selects every VMM that has it. */
#include "tracer_internal.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "diag.h"
#include "guest_name.h"
#include "smccctrace.skel.h"

#define GUEST_SCAN_NS 100000000ull	/* -g --wait: how often /proc is searched for new VMMs */

/* A VMM holds /dev/kvm or a KVM VM file descriptor open. */
static bool has_kvm_fd(__u32 pid)
{
	char dir[64], path[320], target[64];
	struct dirent *d;
	bool found = false;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%u/fd", pid);
	fds = opendir(dir);
	if (!fds)
		return true;	/* cannot look: do not cry wolf */
	while (!found && (d = readdir(fds))) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		found = !strcmp(target, "/dev/kvm") || !strncmp(target, "anon_inode:kvm-", 15);
	}
	closedir(fds);
	return found;
}

static bool traced(const struct trace_opts *o, __u32 pid)
{
	for (int i = 0; i < o->nr_pids; i++)
		if (o->pids[i] == pid)
			return true;
	return false;
}

static int check_pids(const struct trace_opts *o)
{
	for (int i = 0; i < o->nr_pids; i++) {
		__u32 pid = o->pids[i];

		if (kill((pid_t)pid, 0) && errno == ESRCH)
			return errorf("-p %u: no such process", pid);
		if (has_kvm_fd(pid))
			continue;
		if (!o->wait)
			return errorf("-p %u: process has no KVM file open: not a VMM? (--wait traces it anyway)", pid);
		fprintf(stderr, "smccctrace: warning: -p %u has no KVM file open yet; waiting for its calls\n", pid);
	}
	return 0;
}

static bool exited(__u32 pid)
{
	return kill((pid_t)pid, 0) && errno == ESRCH;	/* EPERM: alive, not ours */
}

/* A full list makes room: the pids of processes that have exited leave it (into c->gone). */
static void forget_exited(struct trace_opts *o, struct vmm_changes *c)
{
	int kept = 0;

	for (int i = 0; i < o->nr_pids; i++) {
		if (exited(o->pids[i]) && c->nr_gone < MAX_TRACED_PIDS) {
			c->gone[c->nr_gone++] = o->pids[i];
			continue;
		}
		o->pids[kept++] = o->pids[i];
	}
	o->nr_pids = kept;
}

/* A VMM found while MAX_TRACED_PIDS live ones are traced: counted once (the list of
 * refused pids sheds exited ones), warned about once a run. When as many refused VMMs
 * are alive as it holds, a new one cannot be remembered, so it is not counted (it would
 * be again at every look): the count becomes a lower bound, and the end says so. */
static void refuse(struct vmm_watch *w, const char *name, __u32 pid)
{
	int kept = 0;

	for (int i = 0; i < w->nr_refused; i++)
		if (w->refused[i] == pid)
			return;
	if (!w->warned)
		fprintf(stderr, "smccctrace: warning: -g %s: %d VMMs are traced, the most at once; pid %u and any "
			"more are not until one exits (counted at the end)\n", name, MAX_TRACED_PIDS, pid);
	w->warned = true;
	if (w->nr_refused == MAX_TRACED_PIDS) {
		for (int i = 0; i < w->nr_refused; i++)
			if (!exited(w->refused[i]))
				w->refused[kept++] = w->refused[i];
		w->nr_refused = kept;
	}
	if (w->nr_refused == MAX_TRACED_PIDS) {
		w->uncounted = true;
		return;
	}
	w->refusals++;
	w->refused[w->nr_refused++] = pid;
}

static void unrefuse(struct vmm_watch *w, __u32 pid)
{
	for (int i = 0; i < w->nr_refused; i++)
		if (w->refused[i] == pid) {
			w->refused[i] = w->refused[--w->nr_refused];
			return;
		}
}

/* The VMMs named name now: into o->pids (once each). Without --wait only processes
 * with KVM open count (a name falls back to comm: "-g bash" must not pick shells).
 * Before tracing (w NULL) a full list is an error; while watching (w, c) exited
 * VMMs make room and the rest are refused. Returns how many were added, or -1 after
 * an error line. */
static int add_named(struct trace_opts *o, const char *name, bool verbose, struct vmm_watch *w,
		     struct vmm_changes *c)
{
	__u32 some[MAX_TRACED_PIDS], *found = some;
	int n = guest_names_find(name, found, MAX_TRACED_PIDS), added = 0;

	if (n < 0)
		return errorf("-g %s: cannot read /proc: %s", name, strerror(errno)), -1;
	if (n > MAX_TRACED_PIDS && !w)
		return errorf("-g %s: %d processes have that name; at most %d are traced", name, n, MAX_TRACED_PIDS), -1;
	if (n > MAX_TRACED_PIDS) {	/* watching: each one is traced or refused, none unseen */
		int max = n + MAX_TRACED_PIDS;	/* room for more started since */

		found = malloc((size_t)max * sizeof(*found));
		n = found ? guest_names_find(name, found, max) : -1;
		n = n > max ? max : n;	/* the rest at the next look */
	}
	for (int i = 0; i < n; i++) {
		if (traced(o, found[i]) || (!o->wait && !has_kvm_fd(found[i])))
			continue;
		if (o->nr_pids >= MAX_TRACED_PIDS && w)
			forget_exited(o, c);
		if (o->nr_pids >= MAX_TRACED_PIDS) {
			if (!w)
				return errorf("-g %s: at most %d processes are traced", name, MAX_TRACED_PIDS), -1;
			refuse(w, name, found[i]);
			continue;
		}
		if (c && c->nr_added == MAX_TRACED_PIDS)
			break;	/* the rest at the next look */
		o->pids[o->nr_pids++] = found[i];
		if (c)
			c->added[c->nr_added++] = found[i];
		if (w)
			unrefuse(w, found[i]);
		added++;
		if (verbose)
			fprintf(stderr, "smccctrace: -g %s: tracing pid %u\n", name, found[i]);
	}
	if (found != some)
		free(found);
	return added;
}

void vmm_watch_scan(struct vmm_watch *w, struct trace_opts *o, struct vmm_changes *c)
{
	c->nr_added = c->nr_gone = 0;
	for (int i = 0; i < o->nr_guests; i++)
		add_named(o, o->guests[i], true, w, c);
}

int select_vmms(struct tracer *t)
{
	struct trace_opts *o = &t->opts;

	if (check_pids(o))
		return 1;
	for (int i = 0; i < o->nr_guests; i++) {
		int n = add_named(o, o->guests[i], o->verbose, NULL, NULL);

		if (n < 0)
			return 1;
		if (!n && !o->wait)
			return errorf("-g %s: no VMM has that guest name (QEMU's -name, kvmtool's --name, else "
				      "its comm; --wait waits for one)", o->guests[i]);
		if (!n)
			fprintf(stderr, "smccctrace: warning: -g %s: no process has that name yet; waiting for one\n",
				o->guests[i]);
	}
	/* the names of the -p VMMs too, while they are there to be read */
	for (int i = 0; i < o->nr_pids; i++)
		guest_names_get(o->pids[i]);
	return 0;
}

void let_vmm_through(struct tracer *t, __u32 pid)
{
	__u8 one = 1;

	bpf_map__update_elem(t->bpf.skel->maps.traced_tgids, &pid, sizeof(pid), &one, sizeof(one), BPF_ANY);
}

/* -g --wait: VMMs of those names that started since the last look. Calls a VMM made
 * before it was found are not traced: the look is every 0.1 s, and a VMM sets up its VM
 * for longer than that before its guest runs (docs/design.md). */
static void find_new_vmms(struct tracer *t)
{
	struct trace_opts *o = &t->opts;
	__u64 now = monotonic_ns();
	struct vmm_changes c;

	if (!o->wait || !o->nr_guests || now - t->watch.scanned_ns < GUEST_SCAN_NS)
		return;
	t->watch.scanned_ns = now;
	vmm_watch_scan(&t->watch, o, &c);
	/* adds first: a pid added and found exited in the same look must not stay in the map */
	for (int i = 0; i < c.nr_added; i++)
		let_vmm_through(t, c.added[i]);
	for (int i = 0; i < c.nr_gone; i++)
		bpf_map__delete_elem(t->bpf.skel->maps.traced_tgids, &c.gone[i], sizeof(c.gone[i]), 0);
	t->totals.vmms_refused = t->watch.refusals;
	t->totals.vmms_refused_more = t->watch.uncounted;
}

bool traced_vmms_gone(struct tracer *t)
{
	const struct trace_opts *o = &t->opts;

	find_new_vmms(t);
	if (!o->nr_pids)
		return false;
	for (int i = 0; i < o->nr_pids; i++)
		if (!exited(o->pids[i]))
			return false;
	return true;
}
