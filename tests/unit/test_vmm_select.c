// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of -g NAME --wait's pid list (src/vmm_select.c) with real processes:
 * short-lived children named by their comm, as VMMs of one guest name that come and go.
 * The list holds at most MAX_TRACED_PIDS; exited ones make room for new ones, and a VMM
 * that finds the list full of live ones is refused, counted once, warned about once.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unit.h"
#include "guest_name.h"
#include "vmm_select.h"

static char vmm_name[16];

/* A child named vmm_name that waits to be killed. */
static pid_t spawn_vmm(void)
{
	int ready[2];
	char c = 0;
	pid_t child;

	if (pipe(ready))
		return -1;
	child = fork();
	if (!child) {
		prctl(PR_SET_NAME, vmm_name, 0, 0, 0);
		close(ready[0]);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	if (child < 0 || read(ready[0], &c, 1) != 1)
		child = -1;
	close(ready[0]);
	return child;
}

static void end_vmm(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);	/* a zombie would still answer kill(pid, 0) */
}

static bool listed(const __u32 *pids, int n, pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (pids[i] == (__u32)pid)
			return true;
	return false;
}

/* The warnings the scans printed, from the file stderr went to. */
static int count_lines(FILE *f, const char *needle)
{
	char line[512];
	int n = 0;

	fflush(stderr);
	rewind(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	return n;
}

/* One test's world: a -g NAME --wait watch of a fresh name (prefix-pid), with pid 1
 * (alive: EPERM when not root) listed first, the live name table, and stderr going to
 * a file that count_lines() reads. false when the file cannot be had (checked). */
struct capture {
	FILE *err;
	int saved;	/* the real stderr */
};

static bool watch_begin(struct trace_opts *o, const char *prefix, struct capture *cap)
{
	snprintf(vmm_name, sizeof(vmm_name), "%s-%d", prefix, (int)getpid());
	o->guests[0] = vmm_name;
	o->pids[o->nr_pids++] = 1;	/* -p 1: alive, never forgotten */
	guest_names_free();
	guest_names_live();
	cap->err = tmpfile();
	cap->saved = dup(2);
	CHECK(cap->err && cap->saved >= 0, "tmpfile");
	if (!cap->err || cap->saved < 0)
		return false;
	fflush(stderr);
	dup2(fileno(cap->err), 2);
	return true;
}

static void watch_end(struct capture *cap)
{
	fflush(stderr);
	dup2(cap->saved, 2);
	close(cap->saved);
	fclose(cap->err);
	guest_names_free();
}

static void test_churn(void)
{
	struct trace_opts o = { .wait = true, .nr_guests = 1 };
	struct vmm_watch w = { 0 };
	struct vmm_changes c;
	pid_t vmms[MAX_TRACED_PIDS + 2];
	struct capture cap;
	int nv = MAX_TRACED_PIDS - 1;

	if (!watch_begin(&o, "vmw", &cap))
		return;

	for (int i = 0; i < nv; i++)
		vmms[i] = spawn_vmm();
	vmm_watch_scan(&w, &o, &c);
	CHECK_INT(o.nr_pids, MAX_TRACED_PIDS);
	CHECK_INT(c.nr_added, nv);
	CHECK_INT(c.nr_gone, 0);
	CHECK_INT(w.refusals, 0);

	/* two more while the list is full of live ones: refused, counted once each */
	vmms[nv] = spawn_vmm();
	vmms[nv + 1] = spawn_vmm();
	for (int look = 0; look < 3; look++) {
		vmm_watch_scan(&w, &o, &c);
		CHECK_INT(c.nr_added, 0);
		CHECK_INT(c.nr_gone, 0);
	}
	CHECK_INT(o.nr_pids, MAX_TRACED_PIDS);
	CHECK_INT(w.refusals, 2);
	CHECK(!listed(o.pids, o.nr_pids, vmms[nv]) && !listed(o.pids, o.nr_pids, vmms[nv + 1]), "refused");
	CHECK_INT(count_lines(cap.err, "the most at once"), 1);

	/* two of the traced exit: they leave the list, the two refused take their places */
	end_vmm(vmms[0]);
	end_vmm(vmms[5]);
	vmm_watch_scan(&w, &o, &c);
	CHECK_INT(c.nr_gone, 2);
	CHECK(listed(c.gone, c.nr_gone, vmms[0]) && listed(c.gone, c.nr_gone, vmms[5]), "gone: the exited ones");
	CHECK_INT(c.nr_added, 2);
	CHECK(listed(c.added, c.nr_added, vmms[nv]) && listed(c.added, c.nr_added, vmms[nv + 1]), "the refused admitted");
	CHECK_INT(o.nr_pids, MAX_TRACED_PIDS);
	CHECK(listed(o.pids, o.nr_pids, 1), "pid 1 (alive) kept");
	CHECK(!listed(o.pids, o.nr_pids, vmms[0]) && !listed(o.pids, o.nr_pids, vmms[5]), "exited ones out");
	CHECK_INT(w.nr_refused, 0);

	/* VMMs restarted over and over: each new one is traced, the bound is on live ones */
	for (int round = 0; round < MAX_TRACED_PIDS + 16; round++) {	/* past 64 VMMs found since */
		int victim = 1 + round % (MAX_TRACED_PIDS - 2);

		if (victim == 5)
			continue;
		end_vmm(vmms[victim]);
		vmms[victim] = spawn_vmm();
		vmm_watch_scan(&w, &o, &c);
		if (c.nr_added != 1 || !listed(o.pids, o.nr_pids, vmms[victim])) {
			CHECK(false, "round %d: new VMM %d not traced (%d added)", round, (int)vmms[victim], c.nr_added);
			break;
		}
	}
	CHECK_INT(o.nr_pids, MAX_TRACED_PIDS);
	CHECK_INT(w.refusals, 2);
	CHECK_INT(count_lines(cap.err, "the most at once"), 1);

	for (int i = 0; i < nv + 2; i++)
		if (i != 0 && i != 5)
			end_vmm(vmms[i]);
	watch_end(&cap);
}

/* More refused VMMs alive at once than the refused list holds: each remembered one is
 * counted once, the rest are not counted at all (not again at every look), and the
 * count is flagged as a lower bound. */
static void test_refused_past_the_list(void)
{
	enum { TRACED = MAX_TRACED_PIDS - 1, REFUSED = MAX_TRACED_PIDS + 3 };
	struct trace_opts o = { .wait = true, .nr_guests = 1 };
	struct vmm_watch w = { 0 };
	struct vmm_changes c;
	pid_t vmms[TRACED + REFUSED];
	struct capture cap;

	if (!watch_begin(&o, "vmr", &cap))
		return;
	for (int i = 0; i < TRACED; i++)
		vmms[i] = spawn_vmm();
	vmm_watch_scan(&w, &o, &c);
	CHECK_INT(c.nr_added, TRACED);
	for (int i = TRACED; i < TRACED + REFUSED; i++)
		vmms[i] = spawn_vmm();
	for (int look = 0; look < 4; look++) {
		vmm_watch_scan(&w, &o, &c);
		CHECK_INT(c.nr_added, 0);
	}
	CHECK_INT(w.refusals, MAX_TRACED_PIDS);
	CHECK(w.uncounted, "the count is a lower bound");
	CHECK_INT(w.nr_refused, MAX_TRACED_PIDS);
	CHECK_INT(count_lines(cap.err, "the most at once"), 1);
	for (int i = 0; i < TRACED + REFUSED; i++)
		end_vmm(vmms[i]);
	watch_end(&cap);
}

int main(void)
{
	test_churn();
	test_refused_past_the_list();
	return unit_report("vmm_select");
}
