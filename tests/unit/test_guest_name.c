// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of guest names (src/guest_name.c): QEMU's and kvmtool's command-line
 * forms, QEMU's doubled commas, the comm when the command line names no guest, and the
 * pid table live and offline, pid reuse and exited VMMs in it (a fake /proc, and a real
 * child process); -g in the option parser.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unit.h"
#include "guest_name.h"
#include "render.h"
#include "options.h"

/* argv joined as /proc/PID/cmdline has it: each argument NUL-terminated */
static size_t cmdline(char *buf, size_t len, const char *const *argv)
{
	size_t n = 0;

	for (; *argv; argv++) {
		size_t l = strlen(*argv) + 1;

		if (n + l > len)
			break;
		memcpy(buf + n, *argv, l);
		n += l;
	}
	return n;
}

struct cmdline_case {
	const char *argv[8];
	const char *want;	/* NULL: no guest name */
};

static void test_cmdline(void)
{
	static const struct cmdline_case cases[] = {
		{ { "/usr/bin/qemu-system-aarch64", "-M", "virt", "-name", "guest=vm1,debug-threads=on", NULL }, "vm1" },
		{ { "qemu-system-aarch64", "-name", "vm2", NULL }, "vm2" },
		{ { "qemu-system-aarch64", "--name", "vm3", NULL }, "vm3" },
		{ { "qemu-system-aarch64", "-name=vm4", NULL }, "vm4" },
		{ { "qemu-system-aarch64", "--name=guest=vm5,process=q5", NULL }, "vm5" },
		{ { "qemu-system-aarch64", "-name", "process=qemu-x,guest=vm6", NULL }, "vm6" },
		{ { "qemu-system-aarch64", "-name", "vm7,process=qemu-x", NULL }, "vm7" },
		/* QEMU's escaped commas: ",," is one comma in a value */
		{ { "qemu-system-aarch64", "-name", "guest=a,,b,debug-threads=on", NULL }, "a,b" },
		{ { "qemu-system-aarch64", "-name", "x,,y", NULL }, "x,y" },
		/* the last -name wins, as in QEMU */
		{ { "qemu-system-aarch64", "-name", "first", "-smp", "2", "-name", "guest=second", NULL }, "second" },
		/* a value that names no guest */
		{ { "qemu-system-aarch64", "-name", "process=only", NULL }, NULL },
		{ { "qemu-system-aarch64", "-name", NULL }, NULL },
		{ { "qemu-system-aarch64", "-M", "virt", NULL }, NULL },
		{ { "qemu-system-aarch64", "-named", "x", NULL }, NULL },
		/* kvmtool: --name NAME as it is (commas and '=' too) */
		{ { "lkvm", "run", "-k", "Image", "--name", "guest=a,b", NULL }, "guest=a,b" },
		{ { "/usr/bin/lkvm", "run", "--name=kvm1", NULL }, "kvm1" },
		/* after "--": the guest's command line, not ours */
		{ { "lkvm", "run", "--", "--name", "inner", NULL }, NULL },
		/* bytes a terminal or a label must not get */
		{ { "qemu-system-aarch64", "-name", "v\tm\x7f", NULL }, "v?m?" },
		/* the test VMM started as libvirt starts QEMU */
		{ { "smccc-testvmm", "--scenario", "full", "-name", "guest=rec-guest,debug-threads=on", NULL },
		  "rec-guest" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[512], name[GUEST_NAME_MAX] = "";
		size_t len = cmdline(buf, sizeof(buf), cases[i].argv);
		bool found = guest_name_from_cmdline(buf, len, name, sizeof(name));

		if (cases[i].want) {
			CHECK(found, "case %zu: no name", i);
			CHECK_STR(name, cases[i].want);
		} else {
			CHECK(!found, "case %zu: found '%s'", i, name);
		}
	}

	/* a command line cut short (no final NUL) and an empty one */
	char cut[] = { 'q', 0, '-', 'n', 'a', 'm', 'e', 0, 'a', 'b', 'c' };
	char name[GUEST_NAME_MAX];

	CHECK(guest_name_from_cmdline(cut, sizeof(cut), name, sizeof(name)), "cut command line");
	CHECK_STR(name, "abc");
	CHECK(!guest_name_from_cmdline("", 0, name, sizeof(name)), "empty command line");

	/* a long name is cut, terminated */
	char longname[400], longbuf[512];
	const char *argv[] = { "qemu", "-name", longname, NULL };

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	CHECK(guest_name_from_cmdline(longbuf, cmdline(longbuf, sizeof(longbuf), argv), name, sizeof(name)),
	      "long name");
	CHECK_INT(strlen(name), GUEST_NAME_MAX - 1);
}

static void test_process(void)
{
	char name[GUEST_NAME_MAX], comm[64] = "";
	FILE *f = fopen("/proc/self/comm", "r");

	/* this test's own command line names no guest: its comm */
	CHECK(f && fgets(comm, sizeof(comm), f), "read comm");
	if (f)
		fclose(f);
	comm[strcspn(comm, "\n")] = 0;
	CHECK(guest_name_of_process((__u32)getpid(), name, sizeof(name)), "own name");
	CHECK_STR(name, comm);
	CHECK(!guest_name_of_process(4194304, name, sizeof(name)), "no such process");

	/* live: looked up once, then kept */
	CHECK(guest_names_get((__u32)getpid()) == NULL, "offline by default: no /proc lookup");
	guest_names_live();
	CHECK_STR(guest_names_get((__u32)getpid()), comm);
	CHECK(guest_names_get(4194304) == NULL, "a pid gone has no name");
	CHECK(guest_names_get(0) == NULL, "pid 0");
	__u32 pids[4];
	int n = guest_names_find(comm, pids, 4);

	/* guest_names_find leaves its caller out */
	CHECK(n >= 0, "find: %d", n);
	for (int i = 0; i < n && i < 4; i++)
		CHECK(pids[i] != (__u32)getpid(), "own pid found");
	CHECK_INT(guest_names_find("no-such-guest-name-anywhere", pids, 4), 0);
	guest_names_free();

	/* offline (after free): only what was set, and many of them (the table grows) */
	for (__u32 pid = 1; pid <= 1000; pid++) {
		char nm[32];

		snprintf(nm, sizeof(nm), "vm%u", pid);
		CHECK(guest_names_set(pid, nm) == 0, "set %u", pid);
	}
	CHECK_STR(guest_names_get(1), "vm1");
	CHECK_STR(guest_names_get(777), "vm777");
	CHECK(guest_names_get(1001) == NULL, "unset pid");
	CHECK(guest_names_get((__u32)getpid() + 5000) == NULL, "no /proc lookup offline");
	/* the same name again changes nothing */
	const char *first = guest_names_get(5), *now;
	__u32 inc = 99;

	CHECK(guest_names_set(5, "vm5") == 0, "set the same");
	CHECK(guest_names_lookup(5, &inc) == first && inc == 0, "same pointer, first incarnation (%u)", inc);
	/* another name: the pid's next VMM (a record file's pid reuse); the first name
	 * handed out stays valid, and each incarnation keeps its own */
	CHECK(guest_names_set(5, "other") == 0, "set again");
	now = guest_names_lookup(5, &inc);
	CHECK_STR(now, "other");
	CHECK_INT(inc, 1);
	CHECK_STR(first, "vm5");
	CHECK(guest_names_get_incarnation(5, 0) == first, "incarnation 0: the first name");
	CHECK(guest_names_get_incarnation(5, 1) == now, "incarnation 1: the second");
	CHECK(guest_names_get_incarnation(5, 2) == NULL, "no incarnation 2");
	CHECK(guest_names_get_incarnation(6, 0) == guest_names_get(6), "other pids as they were");
	CHECK(guest_names_set(5, "vm5") == 0 && guest_names_lookup(5, &inc) && inc == 2,
	      "back to the first name: a third incarnation (%u)", inc);
	CHECK_STR(guest_names_get(5), "vm5");
	/* --by guest groups: pid 5 had "other", pid 4 never */
	CHECK_INT(guest_names_first_pid_named("other", 900), 5);
	CHECK_INT(guest_names_first_pid_named("vm5", 900), 5);
	CHECK_INT(guest_names_first_pid_named("vm5", 3), 3);
	CHECK_INT(guest_names_first_pid_named(NULL, 900), 900);
	guest_names_free();
}


/* A fake /proc for the live table: each pid's process (start time 0: none) and name,
 * and how often the table read them. */
#define FAKE_PIDS 6000
static struct {
	__u64 start[FAKE_PIDS];
	char name[FAKE_PIDS][24];
	unsigned name_reads;
} fake;

static bool fake_name(__u32 pid, char *out, size_t outlen)
{
	fake.name_reads++;
	if (pid >= FAKE_PIDS || !fake.start[pid])
		return false;
	snprintf(out, outlen, "%s", fake.name[pid]);
	return true;
}

static __u64 fake_start(__u32 pid)
{
	return pid < FAKE_PIDS ? fake.start[pid] : 0;
}

static const struct guest_names_source fake_source = { fake_name, fake_start };

static void fake_process(__u32 pid, __u64 start, const char *name)
{
	fake.start[pid] = start;
	snprintf(fake.name[pid], sizeof(fake.name[pid]), "%s", name);
}

static void fake_live(size_t keep_gone)
{
	guest_names_free();
	memset(&fake, 0, sizeof(fake));
	guest_names_live();
	guest_names_use_source(&fake_source);
	guest_names_keep_gone(keep_gone);
}

static struct guest_names_counts counts(void)
{
	struct guest_names_counts c;

	guest_names_counts(&c);
	return c;
}

/* A pid reused by a new VMM gets the new VMM's name from the next sweep on; the old
 * name stays readable across that sweep (ASan would catch a use after free). */
static void test_reuse(void)
{
	fake_live(GUEST_NAMES_KEEP_GONE);
	fake_process(100, 5000, "old-vm");
	const char *old = guest_names_get(100);

	CHECK_STR(old, "old-vm");
	CHECK(guest_names_get(100) == old, "looked up once");
	CHECK_INT(fake.name_reads, 1);
	guest_names_sweep();
	CHECK(guest_names_get(100) == old, "alive: kept by the sweep");
	CHECK_INT(fake.name_reads, 1);
	/* the VMM exits and a new one gets its pid, both between two sweeps */
	fake_process(100, 7000, "new-vm");
	guest_names_sweep();
	CHECK_STR(old, "old-vm");	/* a name handed out lives one more sweep */
	CHECK_STR(guest_names_get(100), "new-vm");
	CHECK_INT(fake.name_reads, 2);
	CHECK_INT(counts().entries, 1);
	CHECK_INT(counts().forgotten, 0);
	guest_names_sweep();
	CHECK_STR(guest_names_get(100), "new-vm");
	CHECK_INT(fake.name_reads, 2);

	/* gone when first asked for, then a process with the pid appears: named then */
	CHECK(guest_names_get(300) == NULL, "no process");
	fake_process(300, 9000, "late-vm");
	CHECK(guest_names_get(300) == NULL, "until the next sweep");
	guest_names_sweep();
	CHECK_STR(guest_names_get(300), "late-vm");

	/* --by guest groups by name among the pids the table has */
	fake_process(90, 100, "new-vm");
	CHECK_INT(guest_names_first_pid(100), 100);
	CHECK_STR(guest_names_get(90), "new-vm");
	CHECK_INT(guest_names_first_pid(100), 90);
	guest_names_free();
}

/* An exited VMM's entry goes: after one grace sweep with keep_gone 0 (the exporter),
 * or once it is not among the newest keep_gone gone ones (counted). */
static void test_forget(void)
{
	fake_live(0);
	fake_process(200, 10, "short-lived");
	CHECK_STR(guest_names_get(200), "short-lived");
	fake.start[200] = 0;	/* exits */
	guest_names_sweep();
	CHECK_STR(guest_names_get(200), "short-lived");	/* its last calls are still named */
	CHECK_INT(counts().gone, 1);
	guest_names_sweep();
	CHECK_INT(counts().entries, 0);
	CHECK_INT(counts().forgotten, 0);	/* by design with keep_gone 0, not the bound */
	CHECK(guest_names_get(200) == NULL, "gone: no name once forgotten");
	guest_names_sweep();
	guest_names_sweep();
	CHECK_INT(counts().entries, 0);

	/* thousands of VMMs come and go: the table follows the live ones */
	for (__u32 pid = 1; pid < 5000; pid++) {
		fake_process(pid, pid, "vm");
		CHECK(guest_names_get(pid) != NULL, "pid %u", pid);
		if (pid % 1000 == 0) {
			for (__u32 p = pid - 1000 + 1; p <= pid; p++)
				if (p % 10)
					fake.start[p] = 0;
			guest_names_sweep();
		}
	}
	guest_names_sweep();
	guest_names_sweep();
	CHECK_INT(counts().entries, 400 + 999);	/* every 10th of the first 4000, and the last 999 */
	for (__u32 pid = 1; pid < 5000; pid++)
		fake.start[pid] = 0;
	guest_names_sweep();
	guest_names_sweep();
	CHECK_INT(counts().entries, 0);

	/* keep 3 gone VMMs: the newest 3 stay named, the older are forgotten and counted */
	fake_live(3);
	for (__u32 pid = 1; pid <= 10; pid++) {
		char nm[16];

		snprintf(nm, sizeof(nm), "vm%u", pid);
		fake_process(pid, pid, nm);
		CHECK(guest_names_get(pid) != NULL, "pid %u", pid);
	}
	for (__u32 pid = 1; pid <= 10; pid++) {
		fake.start[pid] = 0;	/* one exits per sweep */
		guest_names_sweep();
	}
	guest_names_sweep();
	CHECK_INT(counts().entries, 3);
	CHECK_INT(counts().forgotten, 7);
	CHECK_STR(guest_names_get(8), "vm8");
	CHECK_STR(guest_names_get(10), "vm10");
	CHECK(guest_names_get(7) == NULL, "vm7 forgotten");
	CHECK_INT(counts().entries, 4);	/* looked up again: gone */
	guest_names_free();
	guest_names_use_source(NULL);
}

/* The real /proc: a child process named by its comm, then gone after it exits. */
static void test_real_exit(void)
{
	int ready[2];
	char c;
	pid_t child;

	guest_names_free();
	guest_names_live();
	guest_names_keep_gone(0);
	CHECK(pipe(ready) == 0, "pipe");
	child = fork();
	if (!child) {
		prctl(PR_SET_NAME, "soak-guest-vm", 0, 0, 0);
		close(ready[0]);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	CHECK(read(ready[0], &c, 1) == 1, "child ready");
	close(ready[0]);
	CHECK_STR(guest_names_get((__u32)child), "soak-guest-vm");
	guest_names_sweep();
	CHECK_INT(counts().entries, 1);
	CHECK_INT(counts().gone, 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	guest_names_sweep();
	CHECK_INT(counts().gone, 1);
	guest_names_sweep();
	CHECK_INT(counts().entries, 0);
	guest_names_free();
}

static void test_options(void)
{
	struct trace_opts o;
	char err[256] = "";
	char *ok[] = { "smccctrace", "-g", "vm1", "--guest", "vm2", "-p", "42", "--guest=vm3", NULL };
	char *empty[] = { "smccctrace", "-g", "", NULL };

	trace_opts_init(&o);
	CHECK(trace_opts_parse(&o, 8, ok, err, sizeof(err)) == 0, "parse: %s", err);
	CHECK_INT(o.nr_guests, 3);
	CHECK_STR(o.guests[0], "vm1");
	CHECK_STR(o.guests[2], "vm3");
	CHECK_INT(o.nr_pids, 1);
	trace_opts_init(&o);
	CHECK(trace_opts_parse(&o, 3, empty, err, sizeof(err)) == -1, "empty name accepted");
	CHECK(strstr(err, "-g") != NULL, "error names -g: %s", err);
}

/* The text trace line's GUEST column: fixed width, a longer name cut with '+', "?" unknown */
static void test_text_column(void)
{
	static const struct {
		const char *guest, *want;
	} cases[] = {
		{ "web", "web" },
		{ "sixteen-chars-vm", "sixteen-chars-vm" },
		{ "seventeen-chars-v", "seventeen-chars+" },
		{ "a guest with spaces and more", "a guest with sp+" },
		{ NULL, "?" },
		{ "", "?" },
	};
	struct smccc_event ev = { .pid = 4242, .vm = 1, .vcpu = 3, .regs = { 0x84000000 } };
	char line[1024], head[1024];
	FILE *f;

	f = fmemopen(head, sizeof(head), "w");
	render_text_header(f, false, false);
	fclose(f);
	const char *want_head = "TIME(s)      GUEST            PID     VM  VCPU FUNCTION";

	CHECK(strncmp(head, want_head, strlen(want_head)) == 0, "header: %s", head);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct call_view v;
		char want[64];

		call_view_init(&v, &ev, 0);
		v.guest = cases[i].guest;
		f = fmemopen(line, sizeof(line), "w");
		render_text(f, &v);
		fclose(f);
		/* the column is 16 wide wherever the name ends: PID is under its header */
		snprintf(want, sizeof(want), "%-16s 4242    1   3    PSCI_VERSION", cases[i].want);
		CHECK(strncmp(line + 13, want, strlen(want)) == 0, "guest %s: line %s", cases[i].guest, line);
		CHECK_INT(strstr(line, "4242") - line, strstr(head, "PID") - head);
	}
}

int main(void)
{
	test_cmdline();
	test_process();
	test_reuse();
	test_forget();
	test_real_exit();
	test_options();
	test_text_column();
	return unit_report("guest_name");
}
