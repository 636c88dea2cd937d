// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of guest names (src/guest_name.c): QEMU's and kvmtool's command-line
 * forms, QEMU's doubled commas, the comm when the command line names no guest, and the
 * pid table live and offline; -g in the option parser.
 */
#include <stdlib.h>
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
	/* a pid's first name stays (pointers handed out stay valid) */
	const char *first = guest_names_get(5);

	CHECK(guest_names_set(5, "other") == 0, "set again");
	CHECK(guest_names_get(5) == first, "same pointer");
	CHECK_STR(guest_names_get(5), "vm5");
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
	test_options();
	test_text_column();
	return unit_report("guest_name");
}
