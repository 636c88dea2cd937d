// SPDX-License-Identifier: GPL-2.0
/* The guest's virtual counter at each call (src/guest_clock.h). */
#include "guest_clock.h"

#include <time.h>

#include "smccctrace.h"

#define NS_PER_S	1000000000ull
#define ANCHOR_TRIES	5

#if defined(__aarch64__)
/* Host userspace reads the virtual counter (Linux enables EL0 access to it, not to
 * the physical one). Its offset is 0 there: on VHE the EL0 view of a host (E2H and
 * TGE set) ignores CNTVOFF_EL2; on nVHE KVM zeroes CNTVOFF_EL2 whenever it puts a
 * vCPU (kvm_timer_vcpu_put / timer_save_state), before any userspace can run on the
 * CPU. The ISBs keep the read between the two clock reads around it. */
static __u64 read_cntvct(void)
{
	__u64 v;

	__asm__ volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v) :: "memory");
	return v;
}

static __u64 read_cntfrq(void)
{
	__u64 v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}
#else
static __u64 read_cntvct(void) { return 0; }
static __u64 read_cntfrq(void) { return 0; }
#endif

static __u64 mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NS_PER_S + (__u64)ts.tv_nsec;
}

void guest_clock_refresh(struct guest_clock *c)
{
	struct counter_anchor best = { 0 };

	if (!c->cntfrq)
		return;
	for (int i = 0; i < ANCHOR_TRIES; i++) {
		__u64 before = mono_now(), count = read_cntvct(), after = mono_now();
		struct counter_anchor a = {
			.mono_ns = before + (after - before) / 2, .count = count, .spread_ns = after - before,
		};

		if (i == 0 || a.spread_ns < best.spread_ns)
			best = a;
	}
	c->anchor = best;
}

int guest_clock_init(struct guest_clock *c)
{
	*c = (struct guest_clock){ .cntfrq = read_cntfrq() };
	if (!c->cntfrq)
		return -1;
	guest_clock_refresh(c);
	return 0;
}

__u64 counter_at(const struct counter_anchor *a, __u64 cntfrq, __u64 ts_ns)
{
	__int128 delta = (__int128)(__s64)(ts_ns - a->mono_ns) * cntfrq;
	/* rounded to the nearest tick, halves away from zero */
	__int128 ticks = (delta + (delta < 0 ? -(__int128)NS_PER_S / 2 : (__int128)NS_PER_S / 2)) / NS_PER_S;

	return a->count + (__u64)(__s64)ticks;
}

__u64 guest_clock_host_count(const struct guest_clock *c, __u64 ts_ns)
{
	return counter_at(&c->anchor, c->cntfrq, ts_ns);
}

void guest_clock_stamp(const struct guest_clock *c, struct smccc_event *ev)
{
	if (!c->cntfrq)
		ev->missing |= EVM_GUEST_CLOCK;
	ev->guest_cntvct = ev->missing & EVM_GUEST_CLOCK ? 0 : guest_clock_host_count(c, ev->ts_ns) - ev->cntvoff;
}

__u64 guest_clock_ns(__u64 cntvct, __u64 cntfrq)
{
	if (!cntfrq)
		return 0;
	return (__u64)((unsigned __int128)cntvct * NS_PER_S / cntfrq);
}
