// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the aggregation table (src/aggregate.c) and of the histogram
 * layout shared with the BPF program (include/smccctrace.h): bucket placement,
 * percentiles against exactly known distributions, grouping, and merging the kernel's
 * per-key stats giving the same rows as adding the calls one by one.
 */
#include <stdlib.h>
#include "unit.h"
#include "guest_name.h"
#include "test_call.h"
#include "aggregate.h"

/* xorshift64*: reproducible pseudo-random values */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_log2(void)
{
	CHECK_INT(agg_log2(0), 0);
	CHECK_INT(agg_log2(1), 0);
	CHECK_INT(agg_log2(2), 1);
	CHECK_INT(agg_log2(3), 1);
	CHECK_INT(agg_log2(1000), 9);
	CHECK_INT(agg_log2(1ull << 40), 40);
	CHECK_INT(agg_log2((1ull << 40) - 1), 39);
	CHECK_INT(agg_log2(UINT64_MAX), 63);
	for (int i = 0; i < 64; i++)
		CHECK(agg_log2(1ull << i) == (unsigned)i && (i == 0 || agg_log2((1ull << i) - 1) == (unsigned)i - 1),
		      "log2 around 2^%d", i);
}

static void test_slots(void)
{
	bool ok = true;

	CHECK_INT(AGG_HIST_SLOTS, 272);
	/* small values are exact */
	for (uint64_t x = 0; x < 2 * AGG_HIST_SUB; x++)
		CHECK(agg_hist_slot(x) == x && latency_slot_lo((unsigned)x) == x && latency_slot_hi((unsigned)x) == x,
		      "value %" PRIu64 " has its own slot", x);
	/* hand-computed: 100 is in [96, 103], 1000 in [960, 1023], 10000 in [9216, 10239] */
	CHECK_INT(latency_slot_lo(agg_hist_slot(100)), 96);
	CHECK_INT(latency_slot_hi(agg_hist_slot(100)), 103);
	CHECK_INT(latency_slot_lo(agg_hist_slot(1000)), 960);
	CHECK_INT(latency_slot_hi(agg_hist_slot(1000)), 1023);
	CHECK_INT(latency_slot_lo(agg_hist_slot(10000)), 9216);
	CHECK_INT(latency_slot_hi(agg_hist_slot(10000)), 10239);
	/* the slots tile [0, 2^64) without gaps, and each is at most 1/8 of its lower bound wide */
	unsigned i;
	for (i = 0; i + 1 < AGG_HIST_SLOTS && ok; i++) {
		uint64_t lo = latency_slot_lo(i), hi = latency_slot_hi(i);

		ok = latency_slot_lo(i + 1) == hi + 1 && agg_hist_slot(lo) == i && agg_hist_slot(hi) == i &&
		     (i < 2 * AGG_HIST_SUB || (hi - lo + 1) * AGG_HIST_SUB <= lo);
	}
	CHECK(ok, "slot %u [%" PRIu64 ", %" PRIu64 "] tiles and is narrow", i - 1, latency_slot_lo(i - 1),
	      latency_slot_hi(i - 1));
	CHECK_INT(latency_slot_lo(AGG_HIST_SLOTS - 1), (15ull << 32));
	CHECK(latency_slot_hi(AGG_HIST_SLOTS - 1) == UINT64_MAX, "the last slot is open-ended");
	CHECK_INT(agg_hist_slot(1ull << AGG_HIST_MAX_LOG2), AGG_HIST_SLOTS - 1);
	CHECK_INT(agg_hist_slot(UINT64_MAX), AGG_HIST_SLOTS - 1);
	CHECK_INT(agg_hist_slot((1ull << AGG_HIST_MAX_LOG2) - 1), AGG_HIST_SLOTS - 1);
	/* random values fall inside their slot's bounds */
	ok = true;
	uint64_t v = 0;
	for (int n = 0; n < 100000 && ok; n++) {
		unsigned s;

		v = rnd() >> (rnd() % 64);
		s = agg_hist_slot(v);
		ok = s < AGG_HIST_SLOTS && latency_slot_lo(s) <= v && v <= latency_slot_hi(s);
	}
	CHECK(ok, "100000 random values inside their slots (last: %" PRIu64 ")", v);
}

static void test_percentiles(void)
{
	static uint64_t values[20000];
	struct latency l = { 0 };
	bool ok = true;

	CHECK_INT(latency_percentile(&l, 50), 0);

	/* 1..1000 once each: the nearest-rank p50 is 500, p99 990, p100 1000 */
	for (uint64_t v = 1; v <= 1000; v++)
		latency_add(&l, v);
	CHECK_INT(l.count, 1000);
	CHECK_INT(l.sum_ns, 500500);
	CHECK_INT(l.max_ns, 1000);
	CHECK_INT(latency_percentile(&l, 50), 511);	/* 500 is in [480, 511] */
	CHECK_INT(latency_percentile(&l, 90), 959);	/* 900 in [896, 959] */
	CHECK_INT(latency_percentile(&l, 99), 1000);	/* 990 in [960, 1023], capped at max_ns */
	CHECK_INT(latency_percentile(&l, 100), 1000);

	/* 90 fast calls and 10 slow ones */
	memset(&l, 0, sizeof(l));
	for (int i = 0; i < 90; i++)
		latency_add(&l, 100);
	for (int i = 0; i < 10; i++)
		latency_add(&l, 10000);
	CHECK_INT(latency_percentile(&l, 50), 103);
	CHECK_INT(latency_percentile(&l, 90), 103);
	CHECK_INT(latency_percentile(&l, 91), 10000);	/* [9216, 10239] capped at max */
	CHECK_INT(latency_percentile(&l, 99), 10000);

	/* exact below 16 ns */
	memset(&l, 0, sizeof(l));
	for (uint64_t v = 0; v < 10; v++)
		latency_add(&l, v);
	CHECK_INT(latency_percentile(&l, 50), 4);
	CHECK_INT(latency_percentile(&l, 10), 0);
	CHECK_INT(latency_percentile(&l, 11), 1);

	/* random log-uniform data: never below the exact percentile, less than 12.5% above */
	memset(&l, 0, sizeof(l));
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		values[i] = rnd() >> (28 + rnd() % 36);
		latency_add(&l, values[i]);
	}
	qsort(values, sizeof(values) / sizeof(values[0]), sizeof(values[0]), cmp_u64);
	uint64_t want = 0, got = 0;
	int tenth;
	for (tenth = 1; tenth <= 1000 && ok; tenth++) {
		size_t n = sizeof(values) / sizeof(values[0]);
		size_t rank = ((size_t)tenth * n + 999) / 1000;	/* ceil(p/100 * n) */

		want = values[rank - 1];
		got = latency_percentile(&l, tenth / 10.0);
		ok = got >= want && (want < 16 ? got == want : (got - want) * AGG_HIST_SUB < want);
	}
	CHECK(ok, "p0.1..p100 within the bound; p%.1f: got %" PRIu64 ", exact %" PRIu64, (tenth - 1) / 10.0, got, want);
}

static void test_log2_view(void)
{
	struct latency l = { 0 };
	__u64 log2[64];
	__u64 total = 0;

	CHECK_INT(latency_log2(&l, log2), 0);
	latency_add(&l, 0);
	latency_add(&l, 1);
	latency_add(&l, 3);
	latency_add(&l, 1000);
	latency_add(&l, 1023);
	latency_add(&l, 1024);
	CHECK_INT(latency_log2(&l, log2), 11);
	CHECK_INT(log2[0], 2);	/* 0, 1 (libbpf-tools' slot 0 holds both) */
	CHECK_INT(log2[1], 1);
	CHECK_INT(log2[9], 2);
	CHECK_INT(log2[10], 1);
	for (int i = 0; i < 64; i++)
		total += log2[i];
	CHECK_INT(total, l.count);
}

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_ON 0xc4000003u
#define TRNG_RND64 0xc4000053u
#define VENDOR_X 0x86000001u	/* KVM_PTP: known, so counted exactly */
#define PSCI_CPU_OFF 0x84000002u

static size_t fill_sample(struct smccc_event *ev, size_t max)
{
	size_t n = 0;

	for (int i = 0; i < 5 && n < max; i++)
		ev[n++] = test_call(100, 0, PSCI_VERSION, DISP_KVM, 1000 + i, 0);
	for (int i = 0; i < 3 && n < max; i++)
		ev[n++] = test_call(100, 1, PSCI_VERSION, DISP_KVM, 2000 + i, 0);
	ev[n++] = test_call(100, 0, PSCI_CPU_ON, DISP_KVM, 5000, 0);
	for (int i = 0; i < 4 && n < max; i++)
		ev[n++] = test_call(100, 1, VENDOR_X, DISP_FORWARDED, 3000, 2000000 + i);
	for (int i = 0; i < 2 && n < max; i++)
		ev[n++] = test_call(100, 0, TRNG_RND64, DISP_DENIED, 700, 0);
	ev[n++] = test_call(200, 0, PSCI_VERSION, DISP_KVM, 900, 0);
	return n;
}

static const struct agg_row *find_row(const struct agg_row *rows, size_t n, __u32 vcpu, __u32 func, __u8 disp)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].key.vcpu == vcpu && rows[i].key.func_id == func && rows[i].key.disposition == disp)
			return &rows[i];
	return NULL;
}

static void test_grouping(void)
{
	struct smccc_event ev[32];
	size_t n = fill_sample(ev, 32);
	struct agg_table *t = agg_new();
	struct agg_row *rows;
	const struct agg_row *r;
	__u64 by_disp[DISP__COUNT];
	size_t nr;

	for (size_t i = 0; i < n; i++)
		agg_add_event(t, &ev[i]);
	CHECK_INT(agg_size(t), 6);
	CHECK_INT(agg_calls(t, by_disp), 16);
	CHECK_INT(by_disp[DISP_KVM], 10);
	CHECK_INT(by_disp[DISP_FORWARDED], 4);
	CHECK_INT(by_disp[DISP_DENIED], 2);

	/* the whole key: 6 rows, most calls first, ties in key order */
	nr = agg_rows(t, AGG_BY__ALL, &rows);
	CHECK_INT(nr, 6);
	CHECK_INT(rows[0].stats.count, 5);
	CHECK_INT(rows[1].stats.count, 4);
	CHECK_INT(rows[1].key.func_id, VENDOR_X);
	CHECK_INT(rows[1].stats.vmm.count, 4);
	CHECK_INT(rows[1].stats.vmm.max_ns, 2000003);
	CHECK_INT(rows[5].key.pid, 200);
	for (size_t i = 0; i + 1 < nr; i++)
		CHECK(rows[i].stats.count >= rows[i + 1].stats.count, "row %zu sorted by count", i);
	free(rows);

	/* by vcpu, func, disposition: pids 100 and 200 merge on vCPU 0 PSCI_VERSION */
	nr = agg_rows(t, AGG_BY_VCPU | AGG_BY_FUNC | AGG_BY_DISPOSITION, &rows);
	CHECK_INT(nr, 5);
	r = find_row(rows, nr, 0, PSCI_VERSION, DISP_KVM);
	CHECK(r && r->stats.count == 6 && r->stats.kvm.count == 6 && r->stats.kvm.max_ns == 1004 &&
	      r->stats.kvm.sum_ns == 1000 + 1001 + 1002 + 1003 + 1004 + 900 && r->key.pid == 0,
	      "vCPU 0 PSCI_VERSION: 6 calls from two VMMs");
	CHECK(r && r->service == SVC_PSCI, "service filled in with func");
	free(rows);

	/* by vcpu only */
	nr = agg_rows(t, AGG_BY_VCPU, &rows);
	CHECK_INT(nr, 2);
	CHECK(nr == 2 && rows[0].key.vcpu == 0 && rows[0].stats.count == 9 && rows[1].stats.count == 7 &&
	      rows[0].key.func_id == 0 && rows[0].key.disposition == 0, "by vcpu: 9 and 7 calls");
	free(rows);

	/* by service: psci 10 (version 9 + cpu_on 1), kvm 4, trng 2 */
	nr = agg_rows(t, AGG_BY_SERVICE, &rows);
	CHECK_INT(nr, 3);
	CHECK(nr == 3 && rows[0].service == SVC_PSCI && rows[0].stats.count == 10 && rows[0].key.func_id == 0 &&
	      rows[1].service == SVC_KVM && rows[2].service == SVC_TRNG, "by service");
	free(rows);

	/* no grouping: one row with everything; histogram totals equal the count */
	nr = agg_rows(t, 0, &rows);
	CHECK_INT(nr, 1);
	if (nr == 1) {
		__u64 kvm = 0, vmm = 0;

		for (unsigned i = 0; i < AGG_HIST_SLOTS; i++) {
			kvm += rows[0].stats.kvm.slots[i];
			vmm += rows[0].stats.vmm.slots[i];
		}
		CHECK_INT(rows[0].stats.count, 16);
		CHECK_INT(kvm, 16);
		CHECK_INT(vmm, 4);
	}
	free(rows);

	agg_reset(t);
	CHECK_INT(agg_size(t), 0);
	CHECK_INT(agg_rows(t, AGG_BY__ALL, &rows), 0);
	CHECK(rows == NULL, "no rows after reset");
	agg_add_event(t, &ev[0]);
	CHECK_INT(agg_calls(t, NULL), 1);
	agg_free(t);
}

/* What the BPF program does for one call: the same rules, into a map value. */
/* what aggregate_call() in the BPF program does with one call */
static void kernel_count(struct agg_stats *s, const struct smccc_event *ev)
{
	s->count++;
	s->unanswered += !!(ev->flags & EVF_VMM_GONE);
	s->parked += !!(ev->flags & EVF_PARKED);
	latency_add(&s->kvm, ev->kvm_ns);
	if (smccc_vmm_round_trip(ev->disposition, ev->flags))
		latency_add(&s->vmm, ev->vmm_ns);
}

static bool same_rows(struct agg_table *a, struct agg_table *b, unsigned by)
{
	struct agg_row *ra, *rb;
	size_t na = agg_rows(a, by, &ra), nb = agg_rows(b, by, &rb);
	bool same = na == nb && (na == 0 || !memcmp(ra, rb, na * sizeof(*ra)));

	free(ra);
	free(rb);
	return same;
}

static void test_merge(void)
{
	struct smccc_event ev[2000];
	struct agg_table *direct = agg_new(), *merged = agg_new();
	struct { struct agg_key key; struct agg_stats stats; } *kernel = calloc(128, sizeof(*kernel));
	size_t nk = 0, n = sizeof(ev) / sizeof(ev[0]);
	static const __u8 disps[] = { DISP_KVM, DISP_DENIED, DISP_FORWARDED, DISP_REFUSED };

	for (size_t i = 0; i < n; i++) {
		ev[i] = test_call(100 + (__u32)(rnd() % 2), (__u32)(rnd() % 4), PSCI_VERSION + (__u32)(rnd() % 3),
			     disps[rnd() % 4], rnd() >> (30 + rnd() % 30), rnd() >> (20 + rnd() % 40));
		if (ev[i].disposition == DISP_FORWARDED)	/* some never answered, some parked */
			ev[i].flags = (__u8[]){ 0, 0, EVF_VMM_GONE, EVF_VMM_GONE | EVF_ABANDONED, EVF_PARKED }[rnd() % 5];
		agg_add_event(direct, &ev[i]);
	}
	/* the kernel's way: per key, then two "intervals" merged into one table */
	for (int half = 0; half < 2; half++) {
		nk = 0;
		memset(kernel, 0, 128 * sizeof(*kernel));
		for (size_t i = half * n / 2; i < (half + 1) * n / 2; i++) {
			struct agg_key k = { .pid = ev[i].pid, .vm = ev[i].vm, .vcpu = ev[i].vcpu,
					     .func_id = (__u32)ev[i].regs[0], .disposition = ev[i].disposition };
			size_t j;

			for (j = 0; j < nk && memcmp(&kernel[j].key, &k, sizeof(k)); j++)
				;
			if (j == nk)
				kernel[nk++].key = k;
			kernel_count(&kernel[j].stats, &ev[i]);
		}
		for (size_t j = 0; j < nk; j++)
			CHECK(agg_merge(merged, &kernel[j].key, &kernel[j].stats) == 0, "merge key %zu", j);
	}
	CHECK_INT(agg_calls(merged, NULL), n);
	CHECK_INT(agg_size(merged), agg_size(direct));
	CHECK(same_rows(direct, merged, AGG_BY__ALL), "merge == add_event, whole key");
	CHECK(same_rows(direct, merged, AGG_BY_VCPU | AGG_BY_DISPOSITION), "merge == add_event, by vcpu,disposition");
	CHECK(same_rows(direct, merged, AGG_BY_SERVICE), "merge == add_event, by service");
	CHECK(same_rows(direct, merged, 0), "merge == add_event, total");
	/* a key with nothing counted adds no row */
	{
		struct agg_key k = { .pid = 999 };
		struct agg_stats zero = { 0 };

		agg_merge(merged, &k, &zero);
		CHECK_INT(agg_size(merged), agg_size(direct));
	}
	/* and one call less is noticed */
	agg_reset(merged);
	for (size_t i = 1; i < n; i++)
		agg_add_event(merged, &ev[i]);
	CHECK(!same_rows(direct, merged, AGG_BY__ALL), "a missing call changes the rows");
	free(kernel);
	agg_free(direct);
	agg_free(merged);
}

/*
 * Forwarded calls without a round trip: an unanswered one (the VM went, or the trace
 * ended) and a parked one (CPU_OFF, restarted much later) count as calls, each in its
 * own count, and stay out of the VMM histogram, whose numbers are round trips only.
 */
static void test_unanswered_parked(void)
{
	struct smccc_event ev[] = {
		test_call(100, 0, VENDOR_X, DISP_FORWARDED, 3000, 2000),
		test_call(100, 0, VENDOR_X, DISP_FORWARDED, 3000, 4000),
		test_call(100, 0, VENDOR_X, DISP_FORWARDED, 3000, 7000000000ull),	/* abandoned after 7 s */
		test_call(100, 0, VENDOR_X, DISP_FORWARDED, 3000, 0),		/* pending at the end */
		test_call(100, 1, PSCI_CPU_OFF, DISP_FORWARDED, 3000, 9000000000ull),	/* off for 9 s */
		test_call(100, 1, PSCI_CPU_OFF, DISP_FORWARDED, 3000, 5000),	/* DENIED: answered */
		test_call(100, 1, PSCI_VERSION, DISP_KVM, 1000, 0),
	};
	struct agg_table *t = agg_new(), *k = agg_new();
	struct agg_stats per_key[2] = { 0 };
	struct agg_row *rows;
	__u64 by_disp[DISP__COUNT];
	size_t n;

	ev[2].flags = EVF_VMM_GONE | EVF_ABANDONED;
	ev[3].flags = EVF_VMM_GONE;
	ev[4].flags = EVF_PARKED;
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		agg_add_event(t, &ev[i]);
	/* every call counts: the summary adds up to the stream */
	CHECK_INT(agg_calls(t, by_disp), 7);
	CHECK_INT(by_disp[DISP_FORWARDED], 6);
	n = agg_rows(t, AGG_BY_FUNC | AGG_BY_DISPOSITION, &rows);
	CHECK_INT(n, 3);
	for (size_t i = 0; i < n; i++) {
		const struct agg_stats *s = &rows[i].stats;

		if (rows[i].key.func_id == VENDOR_X) {
			CHECK_INT(s->count, 4);
			CHECK_INT(s->unanswered, 2);
			CHECK_INT(s->parked, 0);
			CHECK_INT(s->kvm.count, 4);
			CHECK_INT(s->vmm.count, 2);	/* the two answered ones */
			CHECK_INT(s->vmm.max_ns, 4000);
			CHECK_INT(s->vmm.sum_ns, 6000);
		} else if (rows[i].key.func_id == PSCI_CPU_OFF) {
			CHECK_INT(s->count, 2);
			CHECK_INT(s->unanswered, 0);
			CHECK_INT(s->parked, 1);
			CHECK_INT(s->vmm.count, 1);	/* the DENIED answer only, not the 9 s off */
			CHECK_INT(s->vmm.max_ns, 5000);
		} else {
			CHECK_INT(s->unanswered + s->parked + s->vmm.count, 0);
		}
	}
	free(rows);
	/* grouped away (by vcpu only): the counts add up */
	n = agg_rows(t, AGG_BY_VCPU, &rows);
	CHECK_INT(n, 2);
	CHECK_INT(rows[0].stats.unanswered + rows[1].stats.unanswered, 2);
	CHECK_INT(rows[0].stats.parked + rows[1].stats.parked, 1);
	free(rows);
	/* the kernel's counts, merged, give the same */
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		kernel_count(&per_key[ev[i].vcpu], &ev[i]);
	for (__u32 v = 0; v < 2; v++) {
		struct agg_key key = { .pid = 100, .vm = 1, .vcpu = v };

		agg_merge(k, &key, &per_key[v]);
	}
	n = agg_rows(k, AGG_BY_VCPU, &rows);
	CHECK_INT(n, 2);
	for (size_t i = 0; i < n; i++) {
		CHECK_INT(rows[i].stats.unanswered, rows[i].key.vcpu == 0 ? 2 : 0);
		CHECK_INT(rows[i].stats.parked, rows[i].key.vcpu == 1 ? 1 : 0);
		CHECK_INT(rows[i].stats.vmm.count, rows[i].key.vcpu == 0 ? 2 : 1);
	}
	free(rows);
	agg_free(t);
	agg_free(k);
}

/*
 * The summary arithmetic of unanswered and parked calls over intervals: a stream of
 * calls (a third of the forwarded ones unanswered, at a VM's free or at the end, a
 * sixth parked), counted the kernel's way into intervals cut at random points (the
 * last one also gets the calls the trace's end drains as unanswered), each interval's
 * table summed. Per key the sums equal the stream: count, unanswered, parked; a
 * forwarded key's count is its round trips + unanswered + parked, and no other key has
 * any; the VMM histogram holds the answered round trips only.
 */
static void test_unanswered_parked_intervals(void)
{
	enum { N = 3000, KEYS = 96 };
	static struct smccc_event ev[N];
	static const __u8 disps[] = { DISP_KVM, DISP_DENIED, DISP_FORWARDED, DISP_FORWARDED };
	static const __u8 fwd_flags[] = { 0, 0, 0, EVF_VMM_GONE | EVF_ABANDONED, EVF_VMM_GONE, EVF_PARKED };
	struct { struct agg_key key; struct agg_stats stats; } *iv = calloc(KEYS, sizeof(*iv));
	struct agg_table *stream = agg_new(), *sums = agg_new();
	__u64 unanswered = 0, parked = 0, answered = 0, vmm_sum = 0;
	struct agg_row *rows;
	size_t n, start = 0;

	for (size_t i = 0; i < N; i++) {
		ev[i] = test_call(100 + (__u32)(rnd() % 2), (__u32)(rnd() % 3), PSCI_VERSION + (__u32)(rnd() % 2),
				  disps[rnd() % 4], 1000 + rnd() % 5000, 0);
		if (ev[i].disposition == DISP_FORWARDED) {
			ev[i].flags = fwd_flags[rnd() % 6];
			ev[i].vmm_ns = ev[i].flags & EVF_VMM_GONE && !(ev[i].flags & EVF_ABANDONED) ? 0 :
				       10000 + rnd() % 9000000000ull;
			unanswered += !!(ev[i].flags & EVF_VMM_GONE);
			parked += !!(ev[i].flags & EVF_PARKED);
			if (!ev[i].flags) {
				answered++;
				vmm_sum += ev[i].vmm_ns;
			}
		}
		agg_add_event(stream, &ev[i]);
	}
	/* intervals of 0 to ~300 calls; the last one ends at N */
	while (start < N) {
		size_t end = start + rnd() % 300, nk = 0;

		if (end > N)
			end = N;
		memset(iv, 0, KEYS * sizeof(*iv));
		for (size_t i = start; i < end; i++) {
			struct agg_key k = { .pid = ev[i].pid, .vm = ev[i].vm, .vcpu = ev[i].vcpu,
					     .func_id = (__u32)ev[i].regs[0], .disposition = ev[i].disposition };
			size_t j;

			for (j = 0; j < nk && memcmp(&iv[j].key, &k, sizeof(k)); j++)
				;
			if (j == nk) {
				if (nk == KEYS)
					break;
				iv[nk++].key = k;
			}
			kernel_count(&iv[j].stats, &ev[i]);
		}
		for (size_t j = 0; j < nk; j++)
			CHECK(agg_merge(sums, &iv[j].key, &iv[j].stats) == 0, "merge an interval's key");
		start = end;
	}
	CHECK(same_rows(stream, sums, AGG_BY__ALL), "the intervals add up to the stream, key by key");
	CHECK(same_rows(stream, sums, AGG_BY_PID | AGG_BY_DISPOSITION), "and grouped by pid,disposition");
	n = agg_rows(sums, AGG_BY__ALL, &rows);
	CHECK(n > 12, "a dozen keys at least (%zu)", n);
	{
		__u64 u = 0, p = 0, a = 0, sum = 0, calls = 0;

		for (size_t i = 0; i < n; i++) {
			const struct agg_stats *st = &rows[i].stats;

			calls += st->count;
			u += st->unanswered;
			p += st->parked;
			a += st->vmm.count;
			sum += st->vmm.sum_ns;
			if (rows[i].key.disposition == DISP_FORWARDED)
				CHECK(st->vmm.count + st->unanswered + st->parked == st->count,
				      "forwarded key: %llu round trips + %llu unanswered + %llu parked = %llu calls",
				      (unsigned long long)st->vmm.count, (unsigned long long)st->unanswered,
				      (unsigned long long)st->parked, (unsigned long long)st->count);
			else
				CHECK(st->vmm.count + st->unanswered + st->parked == 0, "no VMM part unless forwarded");
			CHECK(st->kvm.count == st->count, "every call has its time in KVM");
		}
		CHECK_INT(calls, N);
		CHECK_INT(u, unanswered);
		CHECK_INT(p, parked);
		CHECK_INT(a, answered);
		CHECK(sum == vmm_sum, "the VMM histogram sums the answered round trips only");
		CHECK(unanswered > 100 && parked > 50, "the mix has both (%llu unanswered, %llu parked)",
		      (unsigned long long)unanswered, (unsigned long long)parked);
	}
	free(rows);
	/* one interval that forgets an unanswered call is caught */
	for (size_t i = 0; i < N; i++)
		if (ev[i].flags & EVF_VMM_GONE) {
			struct agg_key k = { .pid = ev[i].pid, .vm = ev[i].vm, .vcpu = ev[i].vcpu,
					     .func_id = (__u32)ev[i].regs[0], .disposition = ev[i].disposition };
			agg_reset(sums);
			n = agg_rows(stream, AGG_BY__ALL, &rows);
			for (size_t j = 0; j < n; j++) {
				if (!memcmp(&rows[j].key, &k, sizeof(k))) {
					rows[j].stats.count--;
					rows[j].stats.unanswered--;
					rows[j].stats.kvm.count--;
				}
				agg_merge(sums, &rows[j].key, &rows[j].stats);
			}
			free(rows);
			CHECK(!same_rows(stream, sums, AGG_BY__ALL), "an unanswered call left out changes the rows");
			break;
		}
	free(iv);
	agg_free(stream);
	agg_free(sums);
}

/* --by guest: VMMs of one name are one group (the lowest pid stands for it), with pid
 * each its own; a VMM without a name is a group of its own, named NULL. */
static void test_by_guest(void)
{
	struct agg_table *t = agg_new();
	struct agg_row *rows = NULL;
	struct smccc_event ev = { .regs = { 0x84000000 }, .disposition = DISP_KVM, .kvm_ns = 100 };
	const __u32 pids[] = { 30, 10, 20, 40 };
	const unsigned calls[] = { 3, 1, 5, 2 };
	size_t n;

	guest_names_set(10, "web");
	guest_names_set(20, "db");
	guest_names_set(30, "web");	/* 40 has no name */
	for (size_t i = 0; i < 4; i++)
		for (unsigned c = 0; c < calls[i]; c++) {
			ev.pid = pids[i];
			agg_add_event(t, &ev);
		}
	n = agg_rows(t, AGG_BY_GUEST, &rows);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(rows[0].guest, "db");
		CHECK_INT(rows[0].stats.count, 5);
		CHECK_STR(rows[1].guest, "web");
		CHECK_INT(rows[1].stats.count, 4);
		CHECK_INT(rows[1].key.pid, 10);
		CHECK(rows[2].guest == NULL && rows[2].stats.count == 2 && rows[2].key.pid == 40, "unnamed VMM");
	}
	free(rows);
	n = agg_rows(t, AGG_BY_GUEST | AGG_BY_PID, &rows);
	CHECK_INT(n, 4);
	for (size_t i = 0; i < n; i++)
		CHECK(rows[i].key.pid == 40 ? !rows[i].guest :
		      !strcmp(rows[i].guest, rows[i].key.pid == 20 ? "db" : "web"), "row %zu named", i);
	free(rows);
	/* without guest in the grouping, rows carry no name */
	n = agg_rows(t, AGG_BY_PID, &rows);
	CHECK(n == 4 && !rows[0].guest, "no guest unless grouped");
	free(rows);
	agg_free(t);
	guest_names_free();
}

/* A record file that names a pid again (its VMM exited, another took the pid: reuse):
 * the second VMM's calls, counted as its incarnation, are rows of their own under its
 * own name, never merged into the first one's nor renaming them. */
static int count_second_incarnation(const struct agg_key *k, __u32 inc, const struct agg_stats *s, void *ctx)
{
	*(__u64 *)ctx += k->pid == 20 && inc == 1 ? s->count : 0;
	return 0;
}

static void test_by_guest_reused_pid(void)
{
	struct agg_table *t = agg_new();
	struct agg_row *rows = NULL;
	struct smccc_event ev = { .regs = { 0x84000000 }, .disposition = DISP_KVM, .kvm_ns = 100 };
	__u64 seconds = 0;
	__u32 inc;
	size_t n;

	guest_names_set(20, "web");
	ev.pid = 20;
	agg_add_call(t, &ev, 0);
	agg_add_call(t, &ev, 0);
	guest_names_set(20, "db");	/* pid 20 is another VMM now */
	guest_names_set(30, "web");
	guest_names_lookup(20, &inc);
	CHECK_INT(inc, 1);
	for (int i = 0; i < 3; i++)
		agg_add_call(t, &ev, inc);
	ev.pid = 30;
	agg_add_call(t, &ev, 0);
	CHECK_INT(agg_size(t), 3);
	CHECK_INT(agg_each_as(t, count_second_incarnation, &seconds), 0);
	CHECK_INT(seconds, 3);	/* agg_each_as() gives each key its incarnation */
	n = agg_rows(t, AGG_BY_GUEST, &rows);
	CHECK_INT(n, 2);
	if (n == 2) {	/* 3 calls each: in key order, pid then name */
		CHECK_STR(rows[0].guest, "db");
		CHECK_INT(rows[0].stats.count, 3);
		CHECK_INT(rows[0].key.pid, 20);
		CHECK_STR(rows[1].guest, "web");
		CHECK_INT(rows[1].stats.count, 3);	/* pid 20's first VMM and pid 30 */
		CHECK_INT(rows[1].key.pid, 20);
	}
	free(rows);
	n = agg_rows(t, AGG_BY_GUEST | AGG_BY_PID, &rows);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK(rows[0].key.pid == 20 && !strcmp(rows[0].guest, "db") && rows[0].stats.count == 3, "20 db");
		CHECK(rows[1].key.pid == 20 && !strcmp(rows[1].guest, "web") && rows[1].stats.count == 2, "20 web");
		CHECK(rows[2].key.pid == 30 && !strcmp(rows[2].guest, "web") && rows[2].stats.count == 1, "30 web");
	}
	free(rows);
	/* by pid alone a pid is one row, whoever had it */
	n = agg_rows(t, AGG_BY_PID, &rows);
	CHECK(n == 2 && rows[0].key.pid == 20 && rows[0].stats.count == 5, "pid 20: one row of 5");
	free(rows);
	agg_free(t);
	guest_names_free();
}

/* --by site: rows per (VMM, VM, PC), the PC only in tables that keep it; a table that
 * does not (the kernel's without --by site) has every call at PC 0. */
static void test_by_site(void)
{
	struct agg_table *t = agg_new(), *plain = agg_new();
	struct agg_row *rows = NULL;
	struct {
		__u32 pid, vm;
		__u64 pc;
		__u32 func;
		unsigned calls;
	} calls[] = {
		{ 10, 1, 0x80000040, 0x84000000, 3 },	/* one site, two functions */
		{ 10, 1, 0x80000040, 0x84000003, 1 },
		{ 10, 1, 0x80000080, 0x84000000, 5 },
		{ 10, 2, 0x80000040, 0x84000000, 2 },	/* the same PC in another VM */
		{ 20, 1, 0x80000040, 0x84000000, 4 },	/* and in another VMM */
	};
	size_t n;

	agg_keep_sites(t);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		for (unsigned c = 0; c < calls[i].calls; c++) {
			struct smccc_event ev = test_call(calls[i].pid, c % 2, calls[i].func, DISP_KVM, 100, 0);

			ev.vm = calls[i].vm;
			ev.pc = calls[i].pc;
			agg_add_event(t, &ev);
			agg_add_event(plain, &ev);
		}
	n = agg_rows(t, AGG_BY_SITE, &rows);
	CHECK_INT(n, 4);
	if (n == 4) {
		/* most calls first: 5 at 0x80000080, 4 (3 + 1) at 0x80000040 of pid 10 VM 1 */
		CHECK(rows[0].key.pid == 10 && rows[0].key.vm == 1 && rows[0].key.pc == 0x80000080 &&
		      rows[0].stats.count == 5, "site 0x80000080: %u %u %llx %llu", rows[0].key.pid, rows[0].key.vm,
		      (unsigned long long)rows[0].key.pc, (unsigned long long)rows[0].stats.count);
		CHECK(rows[1].key.pid == 10 && rows[1].key.vm == 1 && rows[1].key.pc == 0x80000040 &&
		      rows[1].stats.count == 4, "both functions of one site in one row");
		CHECK(rows[2].key.pid == 20 && rows[2].stats.count == 4, "another VMM's PC is its own site");
		CHECK(rows[3].key.vm == 2 && rows[3].stats.count == 2, "another VM's PC is its own site");
		CHECK(rows[0].key.func_id == 0 && rows[0].key.vcpu == 0, "fields outside the grouping are 0");
	}
	free(rows);
	n = agg_rows(t, AGG_BY_SITE | AGG_BY_FUNC, &rows);
	CHECK_INT(n, 5);
	free(rows);
	/* without site the PC is summed over */
	n = agg_rows(t, AGG_BY_FUNC, &rows);
	CHECK(n == 2 && rows[0].stats.count == 14 && rows[0].key.pc == 0, "no PC unless grouped: %zu", n);
	free(rows);
	/* a table that keeps no PCs: one site per VMM and VM, at 0 */
	n = agg_rows(plain, AGG_BY_SITE, &rows);
	CHECK(n == 3 && rows[0].key.pc == 0 && rows[0].stats.count == 9, "no PCs kept: %zu rows", n);
	free(rows);
	/* the check can fail: one call moved to another site changes the rows */
	{
		struct agg_table *moved = agg_new();
		struct agg_row *a = NULL, *b = NULL;
		size_t na, nb;
		bool same;

		agg_keep_sites(moved);
		for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
			for (unsigned c = 0; c < calls[i].calls; c++) {
				struct smccc_event ev = test_call(calls[i].pid, c % 2, calls[i].func, DISP_KVM, 100, 0);

				ev.vm = calls[i].vm;
				ev.pc = i == 2 && c == 0 ? 0x80000084 : calls[i].pc;
				agg_add_event(moved, &ev);
			}
		na = agg_rows(t, AGG_BY_SITE, &a);
		nb = agg_rows(moved, AGG_BY_SITE, &b);
		same = na == nb;
		for (size_t i = 0; same && i < na; i++)
			same = a[i].key.pc == b[i].key.pc && a[i].stats.count == b[i].stats.count;
		CHECK(!same, "a call at another PC is another site");
		free(a);
		free(b);
		agg_free(moved);
	}
	agg_free(t);
	agg_free(plain);
}

static void test_by_parse(void)
{
	char err[128];
	unsigned mask;

	CHECK_INT(agg_by_parse("vm,func", &mask, err, sizeof(err)), 0);
	CHECK_INT(mask, AGG_BY_VM | AGG_BY_FUNC);
	CHECK_INT(agg_by_parse("pid,vm,vcpu,func,service,disposition,guest,site", &mask, err, sizeof(err)), 0);
	CHECK_INT(mask, AGG_BY__ALL);
	CHECK_INT(agg_by_parse("site,func", &mask, err, sizeof(err)), 0);
	CHECK_INT(mask, AGG_BY_SITE | AGG_BY_FUNC);
	CHECK_INT(agg_by_parse("sites", &mask, err, sizeof(err)), -1);
	CHECK(strstr(err, "or site,") != NULL, "the list names site: %s", err);
	CHECK_STR(agg_by_name(AGG_BY_SITE), "site");
	CHECK_INT(agg_by_parse("guest", &mask, err, sizeof(err)), 0);
	CHECK_INT(mask, AGG_BY_GUEST);
	CHECK_INT(agg_by_parse("vcpu", &mask, err, sizeof(err)), 0);
	CHECK_INT(mask, AGG_BY_VCPU);
	CHECK_INT(agg_by_parse("vm,bogus", &mask, err, sizeof(err)), -1);
	CHECK(strstr(err, "'bogus'") != NULL, "names the bad item: %s", err);
	CHECK_INT(agg_by_parse("", &mask, err, sizeof(err)), -1);
	CHECK_INT(agg_by_parse("vm,", &mask, err, sizeof(err)), -1);
	CHECK_INT(agg_by_parse(",vm", &mask, err, sizeof(err)), -1);
	CHECK_INT(agg_by_parse("funcs", &mask, err, sizeof(err)), -1);
	CHECK_STR(agg_by_name(AGG_BY_DISPOSITION), "disposition");
	CHECK_STR(agg_by_name(AGG_BY_PID), "pid");
}

/* Bounded cardinality: unknown IDs are counted per service, known ones exactly. */
static void test_fold(void)
{
	struct agg_table *t = agg_new();
	struct agg_row *rows = NULL;
	char name[SMCCC_NAME_MAX];
	struct smccc_event ev;
	size_t n;

	for (__u32 i = 0; i < 1000; i++) {
		ev = test_call(100, 0, 0x83000000u + i, DISP_KVM, 1000, 0);	/* OEM_0x0000.. OEM_0x03e7 */
		agg_add_event(t, &ev);
	}
	ev = test_call(100, 0, 0x03001234u, DISP_KVM, 1000, 0);		/* a yielding OEM call */
	agg_add_event(t, &ev);
	ev = test_call(100, 0, PSCI_VERSION, DISP_KVM, 1000, 0);
	agg_add_event(t, &ev);
	CHECK_INT(agg_size(t), 2);
	n = agg_rows(t, AGG_BY__ALL, &rows);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(rows[0].stats.count, 1001);
		CHECK(rows[0].key.folded && rows[0].service == SVC_OEM, "the OEM calls folded into one row");
		CHECK_STR(agg_func_label(&rows[0].key, name, sizeof(name)), "OEM_other");
		CHECK(!rows[1].key.folded && rows[1].key.func_id == PSCI_VERSION, "PSCI_VERSION exact");
		CHECK(agg_contains(t, &rows[0].key) && agg_contains(t, &rows[1].key), "agg_contains finds both");
	}
	free(rows);
	agg_free(t);
}

/* agg_each: every key once with its own stats; a non-zero return stops the walk. */
struct each_sum {
	__u64 calls, keys, stop_after;
};

static int each_add(const struct agg_key *k, const struct agg_stats *s, void *ctx)
{
	struct each_sum *e = ctx;

	(void)k;
	e->calls += s->count;
	e->keys++;
	return e->stop_after && e->keys == e->stop_after ? 7 : 0;
}

static void test_each(void)
{
	struct agg_table *t = agg_new();
	struct each_sum e = { 0 };

	CHECK_INT(agg_each(t, each_add, &e), 0);
	CHECK_INT(e.keys, 0);
	for (__u32 vcpu = 0; vcpu < 5; vcpu++)
		for (__u32 n = 0; n <= vcpu; n++) {
			struct smccc_event ev = test_call(9, vcpu, 0x84000000, DISP_KVM, 100, 0);

			agg_add_event(t, &ev);
		}
	CHECK_INT(agg_each(t, each_add, &e), 0);
	CHECK_INT(e.keys, 5);
	CHECK_INT(e.calls, 15);
	CHECK_INT(e.calls, agg_calls(t, NULL));
	e = (struct each_sum){ .stop_after = 2 };
	CHECK_INT(agg_each(t, each_add, &e), 7);
	CHECK_INT(e.keys, 2);
	agg_free(t);
}

int main(void)
{
	test_log2();
	test_slots();
	test_percentiles();
	test_log2_view();
	test_grouping();
	test_merge();
	test_unanswered_parked();
	test_unanswered_parked_intervals();
	test_by_parse();
	test_by_site();
	test_by_guest();
	test_by_guest_reused_pid();
	test_fold();
	test_each();
	return unit_report("aggregate");
}
