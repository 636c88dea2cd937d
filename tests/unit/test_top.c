// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the top view's model and frames (src/top_model.c,
 * src/top_render.c): grouping and regrouping, the disposition split, rates, the
 * filters and the keys that set them, sorting, pause, reset, and the rendered rows.
 */
#include <stdlib.h>
#include "unit.h"
#include "test_call.h"
#include "top_model.h"

static void add(struct agg_table *t, __u32 pid, __u32 vcpu, __u32 func, __u8 disp, __u64 kvm_ns, __u64 vmm_ns, int n)
{
	for (int i = 0; i < n; i++) {
		struct smccc_event ev = test_call(pid, vcpu, func, disp, kvm_ns, vmm_ns);

		agg_add_event(t, &ev);
	}
}

static const struct top_row *find(const struct top_model *m, __u32 vcpu, __u32 func)
{
	for (size_t i = 0; i < m->nr_rows; i++)
		if (m->rows[i].key.vcpu == vcpu && m->rows[i].key.func_id == func)
			return &m->rows[i];
	return NULL;
}

static char *frame(const struct top_model *m, bool interactive)
{
	struct top_frame f = { .number = m->frames, .elapsed_s = 2, .interactive = interactive };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	top_render(out, m, &f);
	fclose(out);
	return buf;
}

static void keys(struct top_model *m, const char *typed)
{
	for (; *typed; typed++)
		top_model_key(m, (unsigned char)*typed);
}

static void test_frames(void)
{
	struct top_model m;
	struct agg_table *iv = agg_new();
	const struct top_row *r;
	char *text;

	CHECK_INT(top_model_init(&m, TOP_BY_DEFAULT, NULL), 0);
	/* interval 1: vCPU 0 PSCI_VERSION 4 kvm; vCPU 1 an OEM call 2 forwarded, 1 denied */
	add(iv, 42, 0, 0x84000000, DISP_KVM, 1000, 0, 4);
	add(iv, 42, 1, 0xc3000001, DISP_FORWARDED, 2000, 50000, 2);
	add(iv, 42, 1, 0xc3000001, DISP_DENIED, 1500, 0, 1);
	CHECK_INT(top_model_add(&m, iv, 2.0), 0);
	CHECK_INT(m.nr_rows, 2);
	r = find(&m, 1, 0x0300ffff);	/* 0xc3000001 is unknown: counted as OEM_other */
	CHECK(r != NULL, "the OEM row");
	if (r) {
		CHECK_INT(r->count, 3);
		CHECK_INT(r->by_disp[DISP_FORWARDED], 2);
		CHECK_INT(r->by_disp[DISP_DENIED], 1);
		CHECK(r->rate == 1.5, "rate %f, want 1.5", r->rate);
		CHECK_INT(r->vmm.count, 2);
	}
	CHECK_INT(m.rows[0].key.func_id, 0x84000000);	/* sorted by count */
	/* interval 2: only vCPU 1 */
	agg_reset(iv);
	add(iv, 42, 1, 0xc3000001, DISP_FORWARDED, 2000, 50000, 5);
	CHECK_INT(top_model_add(&m, iv, 1.0), 0);
	r = find(&m, 0, 0x84000000);
	CHECK(r && r->count == 4 && r->rate == 0, "PSCI_VERSION: totals kept, no rate now");
	r = find(&m, 1, 0x0300ffff);	/* 0xc3000001 is unknown: counted as OEM_other */
	CHECK(r && r->count == 8 && r->interval == 5 && r->rate == 5.0, "OEM: 8 in all, 5 now");
	CHECK_INT(m.rows[0].key.func_id, 0x0300ffff);

	text = frame(&m, false);
	CHECK(strstr(text, "smccctrace top - frame 2, ") == text, "frame line: %.60s", text);
	CHECK(strstr(text, "\ncalls 12 (5.0/s): kvm 4, denied 1, forwarded 7, refused 0, reflected 0; lost 0\n"),
	      "totals line:\n%s", text);
	CHECK(strstr(text, "\nby vm,vcpu,func; sort count; disposition all; filter none; rows 2\n"), "state line:\n%s", text);
	CHECK(strstr(text, "\nVM  VCPU FUNCTION                       COUNT    RATE/s       KVM    DENIED FORWARDED"
		      "   REFUSED REFLECTED   KVM p50  p99(us)   VMM p50  p99(us)\n"), "column header:\n%s", text);
	CHECK(strstr(text, "\n1   1    OEM_other                          8       5.0         0         1         7"
		      "         0         0       2.0      2.0      50.0     50.0\n"), "OEM row:\n%s", text);
	CHECK(strstr(text, "\n1   0    PSCI_VERSION                       4       0.0         4         0         0"
		      "         0         0       1.0      1.0         -        -\n"), "PSCI row:\n%s", text);
	CHECK(!strstr(text, "h: help"), "batch frames have no key line");
	free(text);
	text = frame(&m, true);
	CHECK(strstr(text, "\nh: help, q: quit\n") != NULL, "interactive: the key line");
	free(text);

	/* regroup: '3' drops vcpu, '1' adds pid */
	CHECK_INT(top_model_key(&m, '3'), TOP_REDRAW);
	CHECK_INT(m.nr_rows, 2);
	keys(&m, "5");	/* no function: everything in one row */
	CHECK_INT(m.nr_rows, 1);
	CHECK_INT(m.rows[0].count, 12);
	keys(&m, "4");	/* by service: psci and oem */
	CHECK_INT(m.nr_rows, 2);
	text = frame(&m, false);
	CHECK(strstr(text, "\nby vm,service;") && strstr(text, "\nVM  SERVICE      ") && strstr(text, "\n1   oem          "),
	      "service rows:\n%s", text);
	free(text);
	keys(&m, "435");
	CHECK_INT(m.by, TOP_BY_DEFAULT);

	/* the disposition filter: kvm, then denied */
	keys(&m, "d");
	CHECK_INT(m.disposition, DISP_KVM);
	CHECK_INT(m.nr_rows, 1);
	keys(&m, "d");
	CHECK(m.nr_rows == 1 && m.rows[0].count == 1 && m.rows[0].by_disp[DISP_DENIED] == 1, "denied only");
	keys(&m, "ddd");	/* forwarded, refused, reflected */
	CHECK_INT(m.disposition, DISP_REFLECTED);
	CHECK_INT(m.nr_rows, 0);
	keys(&m, "d");
	CHECK_INT(m.disposition, -1);
	CHECK_INT(m.nr_rows, 2);

	/* the name filter: typed after '/', any case, function or service */
	keys(&m, "/oem");
	CHECK_INT(m.nr_rows, 2);	/* not applied before Enter */
	CHECK(m.prompting, "prompting");
	text = frame(&m, true);
	CHECK(strstr(text, "\nfilter (function or service, Enter applies, Esc cancels): oem_\n") != NULL, "prompt:\n%s", text);
	free(text);
	keys(&m, "\r");
	CHECK(m.nr_rows == 1 && m.rows[0].key.func_id == 0x0300ffff, "oem only");
	keys(&m, "/\x7f\x7f\x7fpsci_ver\n");	/* backspaces erase the old filter */
	CHECK_STR(m.filter, "psci_ver");
	CHECK(m.nr_rows == 1 && m.rows[0].key.func_id == 0x84000000, "PSCI_VERSION only");
	keys(&m, "/x\x1b");	/* Esc: the filter stays */
	CHECK_STR(m.filter, "psci_ver");
	keys(&m, "c");
	CHECK(m.filter[0] == 0 && m.nr_rows == 2, "c clears");

	/* sort keys */
	keys(&m, "s");
	CHECK_INT(m.sort, TOP_SORT_RATE);
	CHECK_INT(m.rows[0].key.func_id, 0x0300ffff);
	keys(&m, "s");	/* kvm p99: the OEM calls (2 us) first */
	CHECK_INT(m.rows[0].key.func_id, 0x0300ffff);
	keys(&m, "ss");	/* key: vCPU 0 first */
	CHECK_INT(m.sort, TOP_SORT_KEY);
	CHECK_INT(m.rows[0].key.vcpu, 0);
	keys(&m, "s");
	CHECK_INT(m.sort, TOP_SORT_COUNT);

	/* pause: no frame, the calls wait; resume: they come in the next frame */
	keys(&m, " ");
	CHECK(m.paused, "paused");
	agg_reset(iv);
	add(iv, 42, 0, 0x84000000, DISP_KVM, 1000, 0, 10);
	CHECK_INT(top_model_add(&m, iv, 1.0), 0);
	CHECK_INT(m.frames, 2);
	r = find(&m, 0, 0x84000000);
	CHECK(r && r->count == 4, "paused: the rows stay");
	keys(&m, " ");
	agg_reset(iv);
	add(iv, 42, 0, 0x84000000, DISP_KVM, 1000, 0, 2);
	CHECK_INT(top_model_add(&m, iv, 1.0), 0);
	r = find(&m, 0, 0x84000000);
	CHECK(r && r->count == 16 && r->interval == 12 && r->rate == 6.0, "resumed: 12 calls over 2 s");
	CHECK_INT(m.frames, 3);

	/* reset, quit, unknown keys */
	keys(&m, "r");
	CHECK_INT(m.nr_rows, 0);
	CHECK_INT(top_model_key(&m, 'q'), TOP_QUIT);
	CHECK_INT(top_model_key(&m, 'Z'), TOP_NONE);
	keys(&m, "h");
	text = frame(&m, true);
	CHECK(strstr(text, "keys: q quit, space pause") != NULL, "help:\n%s", text);
	free(text);
	top_model_free(&m);
	agg_free(iv);
}

/* By site: the '7' key regroups only a view started by site (its counts carry PCs);
 * rows per (VMM, VM, PC), named from the guest symbols. */
static void test_sites(void)
{
	static const char kallsyms[] = "0000000080000000 T hvc_caller\n0000000080000100 T smc_caller\n";
	char err[128], *text, *copy = strdup(kallsyms);
	struct guest_syms_set set = { .nr = 1 };
	struct agg_table *iv = agg_new();
	struct top_model m;
	struct smccc_event ev;

	set.table[0] = guest_syms_from_text(copy, strlen(copy), GUEST_SYMS_KALLSYMS, 0, "k", err, sizeof(err));
	CHECK(set.table[0] != NULL, "table: %s", err);
	agg_keep_sites(iv);
	for (int i = 0; i < 5; i++) {
		ev = test_call(42, i % 2, i < 3 ? 0x84000000 : 0x84000003, DISP_KVM, 1000, 0);
		ev.pc = i < 3 ? 0x80000010 : 0x80000104;
		agg_add_event(iv, &ev);
	}
	/* without site at the start: '7' does nothing */
	CHECK_INT(top_model_init(&m, AGG_BY_FUNC, &set), 0);
	CHECK_INT(top_model_add(&m, iv, 1.0), 0);
	CHECK_INT(top_model_key(&m, '7'), TOP_NONE);
	CHECK_INT(m.by, AGG_BY_FUNC);
	top_model_free(&m);
	/* started by site: two sites, named */
	CHECK_INT(top_model_init(&m, AGG_BY_SITE, &set), 0);
	CHECK_INT(top_model_add(&m, iv, 1.0), 0);
	CHECK_INT(m.nr_rows, 2);
	CHECK(m.nr_rows == 2 && m.rows[0].key.pc == 0x80000010 && m.rows[0].count == 3 && m.rows[0].key.pid == 42 &&
	      m.rows[0].key.vm == 1, "the busiest site first, its VMM and VM kept");
	text = frame(&m, false);
	CHECK(strstr(text, "\nby site;") != NULL, "state line names site:\n%s", text);
	CHECK(strstr(text, "\nPID     VM  SITE                                   COUNT") != NULL, "columns:\n%s", text);
	CHECK(strstr(text, "\n42      1   hvc_caller+0x10                            3 ") != NULL, "named site:\n%s", text);
	CHECK(strstr(text, "\n42      1   smc_caller+0x4                             2 ") != NULL, "named site:\n%s", text);
	free(text);
	/* '5' adds func: three rows; '7' drops site, '7' brings it back */
	keys(&m, "5");
	CHECK_INT(m.nr_rows, 2);	/* each site calls one function */
	keys(&m, "7");
	CHECK(m.by == AGG_BY_FUNC && m.nr_rows == 2 && m.rows[0].key.pc == 0, "by func: no PC");
	keys(&m, "3");
	CHECK_INT(m.nr_rows, 4);	/* vCPU 0 and 1 of each function */
	keys(&m, "37");
	CHECK(m.by == (AGG_BY_FUNC | AGG_BY_SITE) && m.nr_rows == 2, "site again");
	top_model_free(&m);
	agg_free(iv);
	guest_syms_set_free(&set);
}

/* A fake host for the live view's liveness: pids below `first_alive` have exited. */
static __u32 first_alive;

static bool fake_alive(__u32 pid)
{
	return pid >= first_alive;
}

static __u64 rows_sum(const struct top_model *m)
{
	__u64 sum = 0;

	for (size_t i = 0; i < m->nr_rows; i++)
		sum += m->rows[i].count;
	return sum;
}

static __u64 exited_calls(const struct top_model *m)
{
	__u64 sum = 0;

	for (unsigned d = 0; d < DISP__COUNT; d++)
		sum += m->exited_by_disp[d];
	return sum;
}

static bool has_pid_row(const struct top_model *m, __u32 pid)
{
	for (size_t i = 0; i < m->nr_rows; i++)
		if (m->rows[i].key.pid == pid)
			return true;
	return false;
}

/* VMMs come and go, one an interval (each with 4 vCPUs, 2 functions, 2 dispositions):
 * an exited VMM's rows leave one frame after it is found gone, the totals keep its
 * calls, and the table holds the live VMMs' keys, not every VMM's. */
static void test_churn(void)
{
	struct top_model m;
	struct agg_table *iv = agg_new();
	__u64 added = 0;
	size_t most = 0;
	char *text;

	CHECK_INT(top_model_init(&m, TOP_BY_DEFAULT | AGG_BY_PID, NULL), 0);
	m.alive = fake_alive;
	first_alive = 1000;
	for (__u32 pid = 1000; pid < 1500; pid++) {
		agg_reset(iv);
		for (__u32 vcpu = 0; vcpu < 4; vcpu++) {
			add(iv, pid, vcpu, 0x84000000, DISP_KVM, 1000, 0, 3);
			add(iv, pid, vcpu, 0xc6000001, DISP_FORWARDED, 1000, 9000, 2);
			add(iv, pid, vcpu, 0xc6000001, DISP_DENIED, 1000, 0, 1);
			added += 6;
		}
		if (pid > 1000)
			first_alive = pid;	/* the VMM before this one exits */
		if (top_model_add(&m, iv, 1.0)) {
			CHECK(false, "top_model_add failed at pid %u", pid);
			break;
		}
		most = agg_size(m.total) > most ? agg_size(m.total) : most;
		if (rows_sum(&m) + exited_calls(&m) != added || agg_calls(m.total, NULL) + exited_calls(&m) != added) {
			CHECK(false, "pid %u: rows %llu + exited %llu != %llu calls", pid,
			      (unsigned long long)rows_sum(&m), (unsigned long long)exited_calls(&m),
			      (unsigned long long)added);
			break;
		}
		/* found gone at this frame: still shown; gone a frame before: left */
		if (pid > 1001 && (!has_pid_row(&m, pid - 1) || has_pid_row(&m, pid - 2))) {
			CHECK(false, "pid %u: the previous VMM's rows shown one frame, the one before gone", pid);
			break;
		}
	}
	CHECK(most <= 3 * 12, "at most the keys of 3 VMMs: %zu", most);
	CHECK_INT(m.exited_vmms, 498);
	CHECK_INT(exited_calls(&m), 498 * 24);
	CHECK_INT(m.exited_by_disp[DISP_DENIED], 498 * 4);
	text = frame(&m, false);
	CHECK(strstr(text, "calls 12000 (24.0/s): kvm 6000, denied 2000, forwarded 4000,") != NULL,
	      "the header counts exited VMMs' calls: %s", text);
	CHECK(strstr(text, "rows 16; exited VMMs 498 (11952 calls, in the totals, not the rows)\n") != NULL,
	      "the header says where they went: %s", text);
	free(text);
	keys(&m, "r");
	CHECK(m.exited_vmms == 0 && exited_calls(&m) == 0 && m.nr_gone == 0, "r resets the exited counts");
	top_model_free(&m);

	/* a recording (alive NULL) keeps every VMM */
	CHECK_INT(top_model_init(&m, TOP_BY_DEFAULT, NULL), 0);
	for (__u32 pid = 1; pid <= 20; pid++) {
		agg_reset(iv);
		add(iv, pid, 0, 0x84000000, DISP_KVM, 1000, 0, 1);
		CHECK_INT(top_model_add(&m, iv, 1.0), 0);
	}
	CHECK_INT(agg_size(m.total), 20);
	CHECK_INT(m.exited_vmms, 0);
	top_model_free(&m);
	agg_free(iv);
}

/* The cap: keys new to a full table go to overflow rows, counted in the header; no
 * call lost, and the table stays within the cap and an overflow key per function and
 * disposition. */
static void test_cap(void)
{
	struct top_model m;
	struct agg_table *iv = agg_new();
	const struct top_row *over = NULL;
	char *text;

	CHECK_INT(top_model_init(&m, TOP_BY_DEFAULT, NULL), 0);
	CHECK_INT(m.max_keys, 2 * AGG_MAX_KEYS);
	m.max_keys = 10;
	for (__u32 vcpu = 0; vcpu < 10; vcpu++)	/* 10 keys: the table is full */
		add(iv, 7, vcpu, 0x84000000, DISP_KVM, 1000, 0, 100);
	CHECK_INT(top_model_add(&m, iv, 1.0), 0);
	CHECK_INT(m.overflow_keys, 0);
	text = frame(&m, false);
	CHECK(!strstr(text, "overflow"), "no overflow yet: %s", text);
	free(text);
	for (int round = 0; round < 3; round++) {	/* 30 new keys a round; the 10 old ones again */
		agg_reset(iv);
		for (__u32 vcpu = 0; vcpu < 40; vcpu++) {
			add(iv, 7, vcpu, 0x84000000, DISP_KVM, 1000, 0, 1);
			add(iv, 8 + (__u32)round, vcpu, 0xc6000001, vcpu % 2 ? DISP_FORWARDED : DISP_DENIED, 1000, 0, 2);
		}
		CHECK_INT(top_model_add(&m, iv, 1.0), 0);
	}
	CHECK_INT(agg_size(m.total), 10 + 3);	/* the overflow keys: PSCI kvm, OEM denied and forwarded */
	CHECK_INT(m.overflow_keys, 3 * (30 + 40));
	CHECK_INT(agg_calls(m.total, NULL), 1000 + 3 * (40 + 80));
	CHECK_INT(rows_sum(&m), 1000 + 3 * (40 + 80));
	for (size_t i = 0; i < m.nr_rows; i++)
		if (m.rows[i].overflow && m.rows[i].key.func_id == 0x84000000)
			over = &m.rows[i];
	CHECK(over && over->count == 3 * 30 && over->interval == 30 && over->rate == 30.0,
	      "the PSCI_VERSION overflow row: 90 calls, 30 now");
	CHECK_INT(m.nr_rows, 10 + 2);	/* the OEM overflow rows are one by function */
	text = frame(&m, false);
	CHECK(strstr(text, "; overflow: 210 keys past 10 in overflow rows\n") != NULL, "the header: %s", text);
	CHECK(strstr(text, "\noverflow PSCI_VERSION ") != NULL, "the row says overflow: %s", text);
	free(text);
	/* grouped by function only, overflow calls join their function's row */
	keys(&m, "23");
	CHECK_INT(m.nr_rows, 2);
	CHECK(m.rows[0].count == 1120 && !m.rows[0].overflow, "PSCI_VERSION, all of it: %llu",
	      (unsigned long long)m.rows[0].count);
	keys(&m, "r");
	CHECK(m.overflow_keys == 0 && agg_size(m.total) == 0, "r resets");
	top_model_free(&m);
	agg_free(iv);
}

int main(void)
{
	test_frames();
	test_sites();
	test_churn();
	test_cap();
	return unit_report("top");
}
