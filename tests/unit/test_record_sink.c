// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the record sink (src/sink_record.c) with the reader and `report`
 * (src/cmd_report.c): the PROCESS records a recording holds when a VMM's pid is
 * reused under another name, how `report` renders them, and the sink's bounded memory
 * of the names it wrote. The record format itself is tests/unit/test_record.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "cmd_report.h"
#include "guest_name.h"
#include "record.h"
#include "render.h"

static const struct trace_info sample_info = {
	.tool_version = "9.8.7",
	.kernel_release = "6.12.95+deb12-arm64",
	.machine = "aarch64",
	.plan = "fentry/fexit",
	.handler = "kvm_smccc_call_handler",
	.monotonic_ns = 123456789012ull,
	.realtime_ns = 1790000000123456789ull,
	.boottime_ns = 123999999999ull,
	.cntfrq = 62500000,
};

/* One call of pid named guest (as the live side names it) through the record sink;
 * x1 numbers the call */
static void sink_call(struct sink *s, __u32 pid, const char *guest, int n)
{
	struct smccc_event ev;
	struct call_view v;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = sample_info.monotonic_ns + 1000 * (unsigned)n;
	ev.kvm_ns = 1500;
	ev.pid = pid;
	ev.tid = pid + 1;
	ev.vm = 1;
	ev.insn_bits = 32;
	ev.nr_args = 1;
	ev.regs[0] = 0x84000000;	/* PSCI_VERSION */
	ev.regs[1] = (unsigned)n;
	ev.ret[0] = 0x10001;
	call_view_init(&v, &ev, sample_info.monotonic_ns);
	v.guest = guest;
	CHECK(s->event(s, &v) == 0, "sink call %d", n);
}

/* A file's text (free it): "" when it cannot be read */
static char *text_of(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *in = fopen(path, "r");

	if (!in || getdelim(&text, &len, 0, in) < 0) {
		free(text);
		text = strdup("");
	}
	if (in)
		fclose(in);
	return text;
}

/* Runs `smccctrace report FILE OPTIONS... -o OUT` (opts: NULL-terminated, at most 4)
 * and returns OUT's text (free it) */
static char *report_of(const char *file, const char *out, const char *const *opts)
{
	char *argv[10] = { "report", (char *)file };
	int argc = 2;

	for (int i = 0; opts[i] && i < 4; i++)
		argv[argc++] = (char *)opts[i];
	argv[argc++] = "-o";
	argv[argc++] = (char *)out;
	CHECK(cmd_report(argc, argv) == 0, "report %s", opts[0]);
	return text_of(out);
}

/*
 * Pid reuse: a VMM with pid P exits and another takes P under another name. The
 * recording names P again before the new VMM's first call (only then: the same name
 * again, or another pid's calls between, write nothing), and `report` gives the
 * first calls to the first name and the later ones to the second: in call records, in
 * summary rows by guest, and as two Perfetto processes.
 */
static void test_pid_reuse(void)
{
	char dir[] = "/tmp/smccctrace-unit-XXXXXX", path[64], out[64];
	static struct record_reader r;
	struct record_item it[16];
	struct trace_totals totals = { .calls = 8, .duration_s = 0.5 };
	char names[16][GUEST_NAME_MAX];
	struct sink s;
	FILE *in;
	char *text;
	int n, got = -1;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/reuse.bin", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	CHECK(sink_record_open(&s, path) == 0, "open the record sink");
	CHECK(s.start(&s, &sample_info) == 0, "start");
	sink_call(&s, 1000, "A", 0);
	sink_call(&s, 1000, "A", 1);
	sink_call(&s, 2000, "C", 2);
	sink_call(&s, 1000, "A", 3);
	sink_call(&s, 1000, "B", 4);	/* another VMM has pid 1000 now */
	sink_call(&s, 1000, "B", 5);
	sink_call(&s, 2000, "C", 6);
	sink_call(&s, 1000, "B", 7);
	CHECK(s.finish(&s, &totals) == 0, "finish");
	s.destroy(&s);

	/* the records: P(1000, A) c c P(2000, C) c c P(1000, B) c c c c */
	in = fopen(path, "rb");
	CHECK(in && record_reader_open(&r, in) == 0, "open: %s", r.err);
	n = 0;
	while (in && n < 16 && (got = record_reader_next(&r, &it[n])) > 0) {
		if (it[n].kind == RECORD_ITEM_PROCESS)	/* the reader's buffer: the next one overwrites it */
			snprintf(names[n], sizeof(names[n]), "%s", it[n].guest);
		n++;
	}
	CHECK(in && got == 0, "read to the end: %s", r.err);
	if (in)
		fclose(in);
	CHECK_INT(n, 11);
	if (n == 11) {
		const int proc[] = { 0, 3, 6 };
		const __u32 pids[] = { 1000, 2000, 1000 };
		const char *want[] = { "A", "C", "B" };

		for (int i = 0, p = 0; i < n; i++) {
			if (p < 3 && i == proc[p]) {
				CHECK(it[i].kind == RECORD_ITEM_PROCESS && it[i].pid == pids[p] && !strcmp(names[i], want[p]),
				      "item %d: process %u %s", i, pids[p], want[p]);
				p++;
			} else {
				CHECK(it[i].kind == RECORD_ITEM_CALL, "item %d: a call", i);
			}
		}
	}

	/* report: calls 0, 1, 3 are A's, 4, 5, 7 B's */
	text = report_of(path, out, (const char *[]){ "--json", NULL });
	{
		/* in order: A A C A B B C B, pid 1000 but for C's */
		const char *p = text, *order = "AACABBCB";

		for (int i = 0; i < 8 && p; i++) {
			char want[64];

			snprintf(want, sizeof(want), "\"pid\":%d,\"guest\":\"%c\"", order[i] == 'C' ? 2000 : 1000,
				 order[i]);
			p = strstr(p, want);
			CHECK(p != NULL, "call %d in order: %s", i, want);
			if (p)
				p++;
		}
	}
	free(text);
	text = report_of(path, out, (const char *[]){ "--json", "-s", "--by=pid,guest", NULL });
	CHECK(strstr(text, "{\"pid\":1000,\"guest\":\"A\",\"count\":3,") != NULL, "summary row 1000 A: 3 calls");
	CHECK(strstr(text, "{\"pid\":1000,\"guest\":\"B\",\"count\":3,") != NULL, "summary row 1000 B: 3 calls");
	CHECK(strstr(text, "{\"pid\":2000,\"guest\":\"C\",\"count\":2,") != NULL, "summary row 2000 C: 2 calls");
	free(text);
	text = report_of(path, out, (const char *[]){ "--json", "-s", "--by=guest", NULL });
	CHECK(strstr(text, "{\"guest\":\"A\",\"count\":3,") && strstr(text, "{\"guest\":\"B\",\"count\":3,"),
	      "summary by guest: A 3, B 3");
	free(text);
	{
		char trace[80], want[96];
		char *argv[] = { "report", path, "--perfetto", trace, NULL };

		snprintf(trace, sizeof(trace), "%s/trace.json", dir);
		CHECK(cmd_report(4, argv) == 0, "report --perfetto");
		text = text_of(trace);
		CHECK(strstr(text, "\"pid\":1000,\"tid\":0,\"args\":{\"name\":\"A (VMM pid 1000)\"}") != NULL,
		      "process 1000: A");
		snprintf(want, sizeof(want), "\"pid\":%u,\"tid\":0,\"args\":{\"name\":\"B (VMM pid 1000)\"}",
			 guest_vmm_key(1000, 1));
		CHECK(strstr(text, want) != NULL, "B a process of its own: %s", want);
		free(text);
		unlink(trace);
	}
	unlink(out);
	unlink(path);
	rmdir(dir);
}

/* The record sink's memory of the names it wrote is bounded: past 4096 pids it
 * forgets them, and a pid's next call names it again (the same name: no change). */
static void test_record_names_bounded(void)
{
	char dir[] = "/tmp/smccctrace-unit-XXXXXX", path[64];
	static struct record_reader r;
	struct trace_totals totals = { .calls = 5001, .duration_s = 1 };
	struct record_item it;
	unsigned processes = 0, calls = 0, pid1 = 0;
	struct sink s;
	FILE *in;
	int got;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/many.bin", dir);
	CHECK(sink_record_open(&s, path) == 0, "open the record sink");
	CHECK(s.start(&s, &sample_info) == 0, "start");
	for (int pid = 1; pid <= 5000; pid++)
		sink_call(&s, (__u32)pid, "vm", pid);
	sink_call(&s, 1, "vm", 5001);
	CHECK(s.finish(&s, &totals) == 0, "finish");
	s.destroy(&s);
	in = fopen(path, "rb");
	CHECK(in && record_reader_open(&r, in) == 0, "open: %s", r.err);
	while (in && (got = record_reader_next(&r, &it)) > 0) {
		processes += it.kind == RECORD_ITEM_PROCESS;
		pid1 += it.kind == RECORD_ITEM_PROCESS && it.pid == 1;
		calls += it.kind == RECORD_ITEM_CALL;
	}
	if (in)
		fclose(in);
	CHECK(calls == 5001 && processes == 5001 && pid1 == 2, "5001 calls, each pid named once, pid 1 again: %u %u %u",
	      calls, processes, pid1);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_pid_reuse();
	test_record_names_bounded();
	return unit_report("record_sink");
}
