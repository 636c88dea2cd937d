// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the --summary rendering (src/summary.c, src/hist.c): the text
 * table and print_log2_hist lines, and the JSON document, including counts above 2^53
 * (decimal strings) that the end-to-end tests cannot reach.
 */
#include <stdlib.h>
#include "unit.h"
#include "test_call.h"
#include "hist.h"
#include "summary.h"

static char *render(struct summary *s, const struct summary_interval *iv, FILE *f, char **buf)
{
	CHECK_INT(summary_print(s, iv), 0);
	fflush(f);
	return *buf;
}

static void test_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct summary *s = summary_new(f, false, AGG_BY_VCPU | AGG_BY_FUNC | AGG_BY_DISPOSITION, false);
	struct summary_interval iv = { .end_ns = 1000000000, .final = true };
	struct smccc_event ev;
	__u64 by_disp[DISP__COUNT];

	for (int i = 0; i < 3; i++) {
		ev = test_call(42, 0, 0x84000000, DISP_KVM, 1100 + 100 * i, 0);
		agg_add_event(summary_table(s), &ev);
	}
	ev = test_call(42, 1, 0xc3000001, DISP_FORWARDED, 3000, 2500000);
	agg_add_event(summary_table(s), &ev);
	render(s, &iv, f, &buf);
	CHECK(strstr(buf, "VCPU FUNCTION") == buf, "header first: %.40s", buf);
	/* PSCI_VERSION: 3 calls of 1100, 1200, 1300 ns; p50 = 1200 is in [1152, 1279] */
	CHECK(strstr(buf, "\n0    PSCI_VERSION               kvm               3       1.3      1.3      1.3      1.3"
		      "         -        -        -        -\n") != NULL, "PSCI_VERSION row:\n%s", buf);
	CHECK(strstr(buf, "\n1    OEM_other                  forwarded         1       3.0      3.0      3.0      3.0"
		      "    2500.0   2500.0   2500.0   2500.0\n") != NULL, "forwarded row has VMM times:\n%s", buf);
	/* most calls first */
	CHECK(strstr(buf, "PSCI_VERSION") < strstr(buf, "OEM_other"), "sorted by count");
	CHECK(strstr(buf, "\nvcpu = 0, func = PSCI_VERSION, disposition = kvm: time in KVM\n"
		      "     nsecs               : count    distribution\n"
		      "      1024 -> 2047       : 3        |****************************************|\n") != NULL,
	      "log2 histogram, libbpf-tools layout:\n%s", buf);
	CHECK(strstr(buf, "vcpu = 1, func = OEM_other, disposition = forwarded: VMM round trip\n") != NULL,
	      "VMM histogram of the forwarded call");
	CHECK(strstr(buf, "disposition = kvm: VMM round trip") == NULL, "no VMM histogram unless forwarded");
	CHECK_INT(summary_calls(s, by_disp), 4);
	CHECK_INT(by_disp[DISP_FORWARDED], 1);
	CHECK_INT(agg_size(summary_table(s)), 0);	/* printed: the table starts again */
	summary_free(s);
	fclose(f);
	free(buf);
}

/* Unanswered and parked calls: counted, named under the table and in JSON, out of the
 * VMM columns; the lost calls by cause */
static void test_unanswered_parked(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct summary *s = summary_new(f, false, AGG_BY_FUNC | AGG_BY_DISPOSITION, false);
	struct summary_interval iv = { .end_ns = 1000000000, .final = true, .lost = 3, .causes_known = true,
				       .lost_by_cause = { .by_cause = { [LOST_CALL_STATE] = 1, [LOST_VM_TABLE] = 2 } } };
	struct smccc_event ev[3] = {
		test_call(42, 0, 0xc3000001, DISP_FORWARDED, 3000, 2500000),
		test_call(42, 0, 0xc3000001, DISP_FORWARDED, 3000, 7000000000ull),
		test_call(42, 1, 0x84000002, DISP_FORWARDED, 3000, 9000000000ull),
	};
	__u64 by_disp[DISP__COUNT];

	ev[1].flags = EVF_VMM_GONE | EVF_ABANDONED;
	ev[2].flags = EVF_PARKED;
	for (int i = 0; i < 3; i++)
		agg_add_event(summary_table(s), &ev[i]);
	render(s, &iv, f, &buf);
	/* the 7 s and 9 s are no round trips: the VMM columns hold the 2.5 ms one only */
	CHECK(strstr(buf, "\nOEM_other                  forwarded         2       3.0      3.0      3.0      3.0"
		      "    2500.0   2500.0   2500.0   2500.0\n") != NULL, "VMM columns: the answered call:\n%s", buf);
	CHECK(strstr(buf, "\nfunc = OEM_other, disposition = forwarded: 1 unanswered, 0 parked (not in the VMM columns)\n")
	      != NULL, "unanswered named:\n%s", buf);
	CHECK(strstr(buf, "\nfunc = PSCI_CPU_OFF, disposition = forwarded: 0 unanswered, 1 parked (not in the VMM columns)\n")
	      != NULL, "parked named:\n%s", buf);
	CHECK(strstr(buf, "(3 calls not counted: call_state_full 1, vm_table_full 2)\n") != NULL, "lost by cause:\n%s", buf);
	CHECK_INT(summary_calls(s, by_disp), 3);
	summary_free(s);
	fclose(f);
	free(buf);
	buf = NULL;

	f = open_memstream(&buf, &len);
	s = summary_new(f, true, AGG_BY_FUNC, false);
	for (int i = 0; i < 3; i++)
		agg_add_event(summary_table(s), &ev[i]);
	render(s, &iv, f, &buf);
	CHECK(strstr(buf, "\"func_label\":\"OEM_other\",\"folded\":true,\"service\":\"oem\",\"count\":2,\"unanswered\":1,\"parked\":0,")
	      != NULL, "JSON unanswered:\n%s", buf);
	CHECK(strstr(buf, "\"count\":1,\"unanswered\":0,\"parked\":1,") != NULL, "JSON parked:\n%s", buf);
	CHECK(strstr(buf, "\"lost\":3,\"lost_by_cause\":{\"ring_buffer_full\":0,\"call_state_full\":1,"
		      "\"stats_full\":0,\"vm_table_full\":2,\"kprobe_missed\":0,\"recursion_missed\":0},") != NULL,
	      "JSON lost_by_cause:\n%s", buf);
	summary_free(s);
	fclose(f);
	free(buf);
}

/* Interval documents: each holds its own unanswered and parked calls (the call
 * abandoned at a VM's free in the first, the parked one and the one the trace's end
 * drained in the last), and the table starts again after each, so the documents add up
 * to the calls, no call in two */
static void test_intervals_unanswered_parked(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct summary *s = summary_new(f, true, AGG_BY_VCPU | AGG_BY_DISPOSITION, false);
	struct summary_interval iv1 = { .start_ns = 0, .end_ns = 1000000000 };
	struct summary_interval iv2 = { .start_ns = 1000000000, .end_ns = 1500000000, .final = true };
	struct smccc_event ev[5] = {
		test_call(42, 0, 0xc3000001, DISP_FORWARDED, 3000, 2500000),
		test_call(42, 0, 0xc3000001, DISP_FORWARDED, 3000, 7000000),	/* abandoned at the free */
		test_call(42, 0, 0x84000002, DISP_FORWARDED, 3000, 9000000000ull),	/* parked */
		test_call(42, 0, 0xc3000001, DISP_FORWARDED, 3000, 0),		/* drained at the end */
		test_call(42, 0, 0x80000000, DISP_KVM, 1000, 0),
	};
	char *second;
	__u64 by_disp[DISP__COUNT];

	ev[1].flags = EVF_VMM_GONE | EVF_ABANDONED;
	ev[2].flags = EVF_PARKED;
	ev[3].flags = EVF_VMM_GONE;
	agg_add_event(summary_table(s), &ev[0]);
	agg_add_event(summary_table(s), &ev[1]);
	render(s, &iv1, f, &buf);
	for (int i = 2; i < 5; i++)
		agg_add_event(summary_table(s), &ev[i]);
	render(s, &iv2, f, &buf);
	second = strstr(buf, "\n{\"type\":\"interval\",\"interval\":2,\"final\":true,");
	CHECK(second != NULL, "two documents, the second final:\n%s", buf);
	if (second) {
		*second = '\0';	/* buf: the first document only */
		CHECK(strstr(buf, "\"interval\":1,\"final\":false,") != NULL, "the first not final:\n%s", buf);
		CHECK(strstr(buf, "\"calls\":2,") && strstr(buf, "\"vcpu\":0,\"disposition\":\"forwarded\","
			      "\"count\":2,\"unanswered\":1,\"parked\":0,"), "interval 1: 2 calls, 1 unanswered:\n%s", buf);
		CHECK(strstr(buf, "\"vmm_ns\":{\"count\":1,\"sum\":2500000,") != NULL,
		      "interval 1: the answered round trip only:\n%s", buf);
		second++;
		CHECK(strstr(second, "\"calls\":3,") && strstr(second, "\"vcpu\":0,\"disposition\":\"forwarded\","
			      "\"count\":2,\"unanswered\":1,\"parked\":1,"), "interval 2: 3 calls, 1 unanswered, "
		      "1 parked:\n%s", second);
		CHECK(strstr(second, "\"vmm_ns\":null") != NULL && strstr(second, "2500000") == NULL,
		      "interval 2: no round trip, nothing of interval 1:\n%s", second);
	}
	CHECK_INT(summary_calls(s, by_disp), 5);
	CHECK_INT(by_disp[DISP_FORWARDED], 4);
	summary_free(s);
	fclose(f);
	free(buf);
}

static void test_print_log2_hist(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct latency l = { 0 };

	print_log2_hist(f, &l, "nsecs");
	fflush(f);
	CHECK_INT(len, 0);
	latency_add(&l, 1);
	latency_add(&l, 5);
	latency_add(&l, 6);
	latency_add(&l, 7);
	latency_add(&l, 20);
	print_log2_hist(f, &l, "nsecs");
	fclose(f);
	CHECK_STR(buf,
		  "     nsecs               : count    distribution\n"
		  "         0 -> 1          : 1        |*************                           |\n"
		  "         2 -> 3          : 0        |                                        |\n"
		  "         4 -> 7          : 3        |****************************************|\n"
		  "         8 -> 15         : 0        |                                        |\n"
		  "        16 -> 31         : 1        |*************                           |\n");
	free(buf);
}

static void test_json_large(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct summary *s = summary_new(f, true, AGG_BY_SERVICE, false);
	struct summary_interval iv = { .start_ns = 5, .end_ns = 10, .lost = 2 };
	struct agg_key k = { .pid = 42, .vm = 1, .vcpu = 0, .func_id = 0x84000000, .disposition = DISP_KVM };
	struct agg_stats *st = calloc(1, sizeof(*st));

	/* 2^53 + 1 calls, each of 2^40 ns: beyond JavaScript's integers, in the last bucket */
	st->count = (1ull << 53) + 1;
	st->kvm.count = st->count;
	st->kvm.sum_ns = UINT64_MAX;
	st->kvm.max_ns = 1ull << 40;
	st->kvm.slots[AGG_HIST_SLOTS - 1] = st->count;
	CHECK_INT(agg_merge(summary_table(s), &k, st), 0);
	render(s, &iv, f, &buf);
	CHECK(strncmp(buf, "{\"type\":\"interval\",\"interval\":1,\"final\":false,\"time\":\"", 54) == 0, "%s", buf);
	CHECK(strstr(buf, "\"start_ns\":5,\"end_ns\":10,\"by\":[\"service\"],\"calls\":\"9007199254740993\",\"lost\":2,"
		      "\"by_disposition\":{\"kvm\":\"9007199254740993\",\"denied\":0,\"forwarded\":0,\"refused\":0,\"reflected\":0},"
		      "\"groups\":[{\"service\":\"psci\",\"count\":\"9007199254740993\",\"unanswered\":0,\"parked\":0,\"kvm_ns\":{"
		      "\"count\":\"9007199254740993\",\"sum\":\"18446744073709551615\",\"max\":1099511627776,"
		      "\"p50\":1099511627776,\"p90\":1099511627776,\"p99\":1099511627776,"
		      "\"buckets\":[{\"lo\":64424509440,\"hi\":\"18446744073709551615\",\"count\":\"9007199254740993\"}]},"
		      "\"vmm_ns\":null}]}\n") != NULL, "large values as strings:\n%s", buf);
	/* 2^53 - 1 is still a number */
	rewind(f);
	st->count = (1ull << 53) - 1;
	st->kvm.count = 0;
	memset(st->kvm.slots, 0, sizeof(st->kvm.slots));
	agg_merge(summary_table(s), &k, st);
	render(s, &iv, f, &buf);
	CHECK(strstr(buf, "\"count\":9007199254740991,\"unanswered\":0,\"parked\":0,\"kvm_ns\":null") != NULL, "2^53 - 1 as a number:\n%s", buf);
	CHECK(strstr(buf, "\"interval\":2,") != NULL, "the second interval is numbered 2");
	summary_free(s);
	free(st);
	fclose(f);
	free(buf);
}

/* --by site: the SITE column and the JSON pc/pc_sym, named from the VMM's guest
 * symbols (per pid, else every VMM's), the hex PC where none contains it. */
static void test_site(void)
{
	static const char kallsyms[] = "ffff800080010000 T psci_cpu_on\n"
				       "ffff800080010100 T __invoke_psci_fn_hvc\n"
				       "ffff800080010180 t next_fn\n"
				       "ffff800080020000 D some_data\n";
	static const char other[] = "ffff800090000000 T other_fn\n";
	char err[128], *buf = NULL, *text = strdup(kallsyms), *text2 = strdup(other);
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct guest_syms_set set = { .nr = 2 };
	struct summary *s = summary_new(f, false, AGG_BY_SITE | AGG_BY_FUNC, false);
	struct summary_interval iv = { .end_ns = 1000000000, .final = true };
	const __u64 pcs[] = { 0xffff800080010118, 0xffff800080010118, 0xffff800080010118, 0xffff800080030000 };
	struct smccc_event ev;

	set.table[0] = guest_syms_from_text(text, strlen(text), GUEST_SYMS_KALLSYMS, 0, "k", err, sizeof(err));
	set.pid[0] = 0;		/* every VMM's */
	set.table[1] = guest_syms_from_text(text2, strlen(text2), GUEST_SYMS_KALLSYMS, 0, "k2", err, sizeof(err));
	set.pid[1] = 43;	/* VMM 43's own */
	CHECK(set.table[0] && set.table[1], "tables: %s", err);
	for (int i = 0; i < 4; i++) {
		ev = test_call(42, 0, 0x84000000, DISP_KVM, 1000, 0);
		ev.pc = pcs[i];
		agg_add_event(summary_table(s), &ev);
	}
	ev = test_call(43, 0, 0x84000000, DISP_KVM, 1000, 0);
	ev.pc = 0xffff800090000010;
	agg_add_event(summary_table(s), &ev);
	/* without symbols: the hex PC */
	render(s, &iv, f, &buf);
	CHECK(strstr(buf, "PID     VM  SITE               FUNCTION") == buf, "header: %.60s", buf);
	CHECK(strstr(buf, "\n42      1   0xffff800080010118 PSCI_VERSION                      3 ") != NULL, "hex site:\n%s", buf);
	CHECK(strstr(buf, "\npid = 42, vm = 1, site = 0xffff800080010118, func = PSCI_VERSION: time in KVM\n") != NULL,
	      "histogram title names the site:\n%s", buf);
	/* with symbols */
	for (int i = 0; i < 4; i++) {
		ev = test_call(42, 0, 0x84000000, DISP_KVM, 1000, 0);
		ev.pc = pcs[i];
		agg_add_event(summary_table(s), &ev);
	}
	ev = test_call(43, 0, 0x84000000, DISP_KVM, 1000, 0);
	ev.pc = 0xffff800090000010;
	agg_add_event(summary_table(s), &ev);
	summary_set_guest_syms(s, &set);
	rewind(f);
	render(s, &iv, f, &buf);
	CHECK(strstr(buf, "\nPID     VM  SITE                               FUNCTION") == buf, "wider (second interval: a blank line first): %.60s", buf);
	CHECK(strstr(buf, "\n42      1   __invoke_psci_fn_hvc+0x18          PSCI_VERSION                      3 ") != NULL,
	      "symbolized site:\n%s", buf);
	CHECK(strstr(buf, "\n43      1   other_fn+0x10                      PSCI_VERSION                      1 ") != NULL,
	      "VMM 43 by its own table:\n%s", buf);
	CHECK(strstr(buf, "\n42      1   0xffff800080030000                 PSCI_VERSION                      1 ") != NULL,
	      "in data: the hex PC:\n%s", buf);
	summary_free(s);
	fclose(f);
	free(buf);

	/* JSON */
	buf = NULL;
	f = open_memstream(&buf, &len);
	s = summary_new(f, true, AGG_BY_SITE, false);
	summary_set_guest_syms(s, &set);
	for (int i = 0; i < 4; i++) {
		ev = test_call(42, 0, 0x84000000, DISP_KVM, 1000, 0);
		ev.pc = pcs[i];
		agg_add_event(summary_table(s), &ev);
	}
	render(s, &iv, f, &buf);
	CHECK(strstr(buf, "\"by\":[\"site\"]") != NULL, "by lists site:\n%s", buf);
	CHECK(strstr(buf, "{\"pid\":42,\"vm\":1,\"pc\":\"0xffff800080010118\",\"pc_sym\":\"__invoke_psci_fn_hvc+0x18\","
		      "\"count\":3,") != NULL, "JSON site:\n%s", buf);
	CHECK(strstr(buf, "{\"pid\":42,\"vm\":1,\"pc\":\"0xffff800080030000\",\"pc_sym\":null,\"count\":1,") != NULL,
	      "unknown: pc_sym null:\n%s", buf);
	summary_free(s);
	fclose(f);
	free(buf);
	/* without symbols, no pc_sym */
	buf = NULL;
	f = open_memstream(&buf, &len);
	s = summary_new(f, true, AGG_BY_SITE | AGG_BY_DISPOSITION, false);
	ev = test_call(42, 0, 0x84000000, DISP_KVM, 1000, 0);
	ev.pc = 0x8000003c;
	agg_add_event(summary_table(s), &ev);
	render(s, &iv, f, &buf);
	CHECK(strstr(buf, "{\"pid\":42,\"vm\":1,\"pc\":\"0x8000003c\",\"disposition\":\"kvm\",\"count\":1,") != NULL,
	      "JSON site without symbols:\n%s", buf);
	summary_free(s);
	fclose(f);
	free(buf);
	guest_syms_set_free(&set);
}

int main(void)
{
	test_site();
	test_unanswered_parked();
	test_intervals_unanswered_parked();
	test_text();
	test_print_log2_hist();
	test_json_large();
	return unit_report("summary");
}
