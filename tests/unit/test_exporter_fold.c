// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the exporter's folding rules (src/exporter_fold.c): a live VMM's
 * destroyed VMs keep their series for one more collection, then fold into the VMM's
 * vm "destroyed" series (vCPU, function and disposition kept); an exited VMM's series
 * (its destroyed VMs' too) fold into pid "exited"; no VM folds when the live VMs are
 * unknown; vm 0 never folds; a full list of gone VMs folds at once. Every collection
 * keeps the total calls and every folded series only grows. The page labels the
 * folded series vm="destroyed".
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "aggregate.h"
#include "exporter_fold.h"
#include "exporter_metrics.h"
#include "smccc.h"

#define LIVE_PID 100
#define GONE_PID 200	/* a VMM that exits during a test */
#define DEAD_VM ((__u32)-1)
#define SMCCC_VERSION_ID 0x80000000u

static bool gone_pid_alive = true;

static bool fake_pid_alive(__u32 pid)
{
	return pid != GONE_PID || gone_pid_alive;
}

static struct agg_key key(__u32 pid, __u32 vm, __u32 vcpu, __u32 func, __u8 disp)
{
	struct agg_key k;

	memset(&k, 0, sizeof(k));
	k.pid = pid;
	k.vm = vm;
	k.vcpu = vcpu;
	k.func_id = func;
	k.disposition = disp;
	return k;
}

/* count calls under k, each 1000 ns in KVM */
static void add(struct agg_table *t, struct agg_key k, __u64 count)
{
	struct agg_stats s;

	memset(&s, 0, sizeof(s));
	for (__u64 i = 0; i < count; i++)
		latency_add(&s.kvm, 1000);
	s.count = count;
	CHECK_INT(agg_merge(t, &k, &s), 0);
}

/* the count under k, 0 when there is no such row; its KVM time histogram follows it */
static __u64 count_of(const struct agg_table *t, struct agg_key k)
{
	struct agg_row *rows = NULL;
	size_t n = agg_rows(t, AGG_BY__ALL, &rows);
	__u64 c = 0;

	for (size_t i = 0; i < n; i++)
		if (!memcmp(&rows[i].key, &k, sizeof(k))) {
			c = rows[i].stats.count;
			CHECK_INT(rows[i].stats.kvm.count, c);
			CHECK_INT(rows[i].stats.kvm.sum_ns, c * 1000);
		}
	free(rows);
	return c;
}

/* rows of (pid, vm) */
static size_t rows_of(const struct agg_table *t, __u32 pid, __u32 vm)
{
	struct agg_row *rows = NULL;
	size_t n = agg_rows(t, AGG_BY__ALL, &rows), found = 0;

	for (size_t i = 0; i < n; i++)
		found += rows[i].key.pid == pid && rows[i].key.vm == vm;
	free(rows);
	return found;
}

/* one collection with these live VMs; the total never changes */
static void collect(struct exporter_fold *f, struct agg_table *t, const __u32 *live, size_t nr)
{
	__u32 copy[8];
	__u64 before = agg_calls(t, NULL);

	if (live)
		memcpy(copy, live, nr * sizeof(*live));
	CHECK_INT(exporter_fold_gone(f, t, live ? copy : NULL, nr), 0);
	CHECK_INT(agg_calls(t, NULL), before);
}

static void test_destroyed_vm(void)
{
	const __u32 live12[] = { 2, 1 }, live2[] = { 2 }, live2_4[] = { 4, 2, 4 };	/* any order, repeats */
	struct agg_table *t = agg_new();
	struct exporter_fold f;

	exporter_fold_init(&f, fake_pid_alive);
	add(t, key(LIVE_PID, 1, 0, SMCCC_VERSION_ID, DISP_KVM), 3);
	add(t, key(LIVE_PID, 1, 1, SMCCC_VERSION_ID, DISP_KVM), 2);
	add(t, key(LIVE_PID, 1, 0, 0x83000021, DISP_FORWARDED), 4);
	add(t, key(LIVE_PID, 2, 0, SMCCC_VERSION_ID, DISP_KVM), 7);
	collect(&f, t, live12, 2);
	CHECK_INT(rows_of(t, LIVE_PID, 1), 3);
	CHECK_INT(rows_of(t, LIVE_PID, EXPORTER_DESTROYED_VM), 0);

	/* VM 1 destroyed: shown once more, with the calls counted since */
	add(t, key(LIVE_PID, 1, 0, 0x83000021, DISP_FORWARDED), 1);
	collect(&f, t, live2, 1);
	CHECK_INT(rows_of(t, LIVE_PID, 1), 3);
	CHECK_INT(rows_of(t, LIVE_PID, EXPORTER_DESTROYED_VM), 0);
	/* ... a straggler (a call abandoned as its vCPU went) still joins its row */
	add(t, key(LIVE_PID, 1, 1, SMCCC_VERSION_ID, DISP_KVM), 1);
	collect(&f, t, live2, 1);
	CHECK_INT(rows_of(t, LIVE_PID, 1), 0);
	CHECK_INT(rows_of(t, LIVE_PID, EXPORTER_DESTROYED_VM), 3);
	CHECK_INT(count_of(t, key(LIVE_PID, EXPORTER_DESTROYED_VM, 0, SMCCC_VERSION_ID, DISP_KVM)), 3);
	CHECK_INT(count_of(t, key(LIVE_PID, EXPORTER_DESTROYED_VM, 1, SMCCC_VERSION_ID, DISP_KVM)), 3);
	CHECK_INT(count_of(t, key(LIVE_PID, EXPORTER_DESTROYED_VM, 0, 0x83000021, DISP_FORWARDED)), 5);
	CHECK_INT(count_of(t, key(LIVE_PID, 2, 0, SMCCC_VERSION_ID, DISP_KVM)), 7);

	/* VM 3 came and went between two collections: never live, folded after one more */
	add(t, key(LIVE_PID, 3, 0, SMCCC_VERSION_ID, DISP_KVM), 10);
	add(t, key(LIVE_PID, 4, 0, SMCCC_VERSION_ID, DISP_KVM), 1);
	collect(&f, t, live2_4, 3);
	CHECK_INT(count_of(t, key(LIVE_PID, 3, 0, SMCCC_VERSION_ID, DISP_KVM)), 10);
	CHECK_INT(count_of(t, key(LIVE_PID, EXPORTER_DESTROYED_VM, 0, SMCCC_VERSION_ID, DISP_KVM)), 3);
	collect(&f, t, live2_4, 3);
	CHECK_INT(rows_of(t, LIVE_PID, 3), 0);
	/* the folded series only grew */
	CHECK_INT(count_of(t, key(LIVE_PID, EXPORTER_DESTROYED_VM, 0, SMCCC_VERSION_ID, DISP_KVM)), 13);
	CHECK_INT(count_of(t, key(LIVE_PID, 4, 0, SMCCC_VERSION_ID, DISP_KVM)), 1);
	CHECK_INT(count_of(t, key(LIVE_PID, 2, 0, SMCCC_VERSION_ID, DISP_KVM)), 7);
	CHECK_INT(agg_calls(t, NULL), 3 + 2 + 4 + 7 + 1 + 1 + 10 + 1);
	agg_free(t);
}

/* Without the VM-destroy hook (live VMs unknown) and for vm 0, nothing folds. */
static void test_unknown_and_vm0(void)
{
	const __u32 none[] = { 7 };
	struct agg_table *t = agg_new();
	struct exporter_fold f;

	exporter_fold_init(&f, fake_pid_alive);
	add(t, key(LIVE_PID, 1, 0, SMCCC_VERSION_ID, DISP_KVM), 3);
	add(t, key(LIVE_PID, 0, 0, SMCCC_VERSION_ID, DISP_KVM), 5);
	for (int i = 0; i < 3; i++)
		collect(&f, t, NULL, 0);
	CHECK_INT(count_of(t, key(LIVE_PID, 1, 0, SMCCC_VERSION_ID, DISP_KVM)), 3);
	for (int i = 0; i < 3; i++)
		collect(&f, t, none, 1);
	CHECK_INT(rows_of(t, LIVE_PID, 1), 0);
	CHECK_INT(count_of(t, key(LIVE_PID, EXPORTER_DESTROYED_VM, 0, SMCCC_VERSION_ID, DISP_KVM)), 3);
	CHECK_INT(count_of(t, key(LIVE_PID, 0, 0, SMCCC_VERSION_ID, DISP_KVM)), 5);
	agg_free(t);
}

/* An exited VMM: its VMs' and its destroyed series alike fold into pid "exited". */
static void test_exited_vmm(void)
{
	const __u32 live[] = { 5 }, none[] = { 0 };
	struct agg_table *t = agg_new();
	struct exporter_fold f;

	exporter_fold_init(&f, fake_pid_alive);
	gone_pid_alive = true;
	add(t, key(GONE_PID, 6, 0, SMCCC_VERSION_ID, DISP_KVM), 2);
	add(t, key(GONE_PID, 5, 0, SMCCC_VERSION_ID, DISP_KVM), 1);
	add(t, key(LIVE_PID, 5, 0, SMCCC_VERSION_ID, DISP_KVM), 1);	/* not a real case: one VM, two pids */
	collect(&f, t, live, 1);
	collect(&f, t, live, 1);
	CHECK_INT(count_of(t, key(GONE_PID, EXPORTER_DESTROYED_VM, 0, SMCCC_VERSION_ID, DISP_KVM)), 2);
	gone_pid_alive = false;
	collect(&f, t, none, 0);
	CHECK_INT(rows_of(t, GONE_PID, 5), 1);
	CHECK_INT(rows_of(t, GONE_PID, EXPORTER_DESTROYED_VM), 1);
	collect(&f, t, none, 0);
	CHECK_INT(rows_of(t, GONE_PID, 5) + rows_of(t, GONE_PID, EXPORTER_DESTROYED_VM), 0);
	CHECK_INT(count_of(t, key(EXPORTER_EXITED_PID, 0, 0, SMCCC_VERSION_ID, DISP_KVM)), 3);
	/* the live VMM's VM 5 went at the same collection: its own rule */
	CHECK_INT(count_of(t, key(LIVE_PID, EXPORTER_DESTROYED_VM, 0, SMCCC_VERSION_ID, DISP_KVM)), 1);
	gone_pid_alive = true;
	agg_free(t);
}

/* More VMs gone at once than the list holds: the rest fold at once, none is lost. */
static void test_full_list(void)
{
	const __u32 n = EXPORTER_MAX_GONE_VMS + 10;
	struct agg_table *t = agg_new();
	struct exporter_fold f;

	exporter_fold_init(&f, fake_pid_alive);
	for (__u32 vm = 1; vm <= n; vm++)
		add(t, key(LIVE_PID, vm, 0, SMCCC_VERSION_ID, DISP_KVM), 1);
	collect(&f, t, NULL, 0);
	CHECK_INT(agg_size(t), n);
	collect(&f, t, (const __u32[]){ DEAD_VM - 1 }, 1);
	CHECK_INT(count_of(t, key(LIVE_PID, EXPORTER_DESTROYED_VM, 0, SMCCC_VERSION_ID, DISP_KVM)), 10);
	CHECK_INT(agg_size(t), EXPORTER_MAX_GONE_VMS + 1);
	collect(&f, t, (const __u32[]){ DEAD_VM - 1 }, 1);
	CHECK_INT(agg_size(t), 1);
	CHECK_INT(count_of(t, key(LIVE_PID, EXPORTER_DESTROYED_VM, 0, SMCCC_VERSION_ID, DISP_KVM)), n);
	agg_free(t);
}

/* The page: vm="destroyed" for the folded series, the VMM's pid kept. */
static void test_label(void)
{
	struct exporter_status st = { .up = true };
	struct agg_table *t = agg_new();
	char *page = NULL;
	size_t len;
	FILE *out = open_memstream(&page, &len);

	add(t, key(LIVE_PID, EXPORTER_DESTROYED_VM, 1, SMCCC_VERSION_ID, DISP_KVM), 6);
	CHECK_INT(exporter_metrics_render(out, t, &st), 0);
	fclose(out);
	CHECK(strstr(page, "smccctrace_calls_total{pid=\"100\",vm=\"destroyed\",vcpu=\"1\",service=\"arch\","
			   "func=\"SMCCC_VERSION\",disposition=\"kvm\"} 6\n"),
	      "%s", page);
	CHECK(strstr(page, "smccctrace_kvm_time_seconds_count{pid=\"100\",vm=\"destroyed\",service=\"arch\","
			   "func=\"SMCCC_VERSION\",disposition=\"kvm\"} 6\n"),
	      "%s", page);
	free(page);
	agg_free(t);
}

int main(void)
{
	test_destroyed_vm();
	test_unknown_and_vm0();
	test_exited_vmm();
	test_full_list();
	test_label();
	return unit_report("test_exporter_fold");
}
