// SPDX-License-Identifier: GPL-2.0
/* Host unit tests of the guest clock (src/guest_clock.c): CLOCK_MONOTONIC to the host
 * counter by an anchor and the counter's frequency, the guest's value after the vCPU's
 * offset, the missing cases, and the counter's seconds for --guest-clock. */
#include "unit.h"
#include "guest_clock.h"
#include "smccctrace.h"

static void test_counter_at(void)
{
	/* 62.5 MHz (16 ns per tick) and 1 GHz, as QEMU's cortex-a57 and max CPUs have */
	const struct counter_anchor a = { .mono_ns = 5000000000ull, .count = 312500000ull };

	CHECK_INT(counter_at(&a, 62500000, a.mono_ns), a.count);
	CHECK_INT(counter_at(&a, 62500000, a.mono_ns + 16), a.count + 1);
	CHECK_INT(counter_at(&a, 62500000, a.mono_ns - 16), a.count - 1);
	CHECK_INT(counter_at(&a, 62500000, a.mono_ns + 1000000000ull), a.count + 62500000);
	CHECK_INT(counter_at(&a, 62500000, a.mono_ns - 1000000000ull), a.count - 62500000);
	/* to the nearest tick: 7 ns is 0.4375 of a tick, 9 ns 0.5625 */
	CHECK_INT(counter_at(&a, 62500000, a.mono_ns + 7), a.count);
	CHECK_INT(counter_at(&a, 62500000, a.mono_ns + 9), a.count + 1);
	CHECK_INT(counter_at(&a, 62500000, a.mono_ns - 9), a.count - 1);
	CHECK_INT(counter_at(&a, 1000000000, a.mono_ns + 123456789), a.count + 123456789);
	/* a day away, at 1 GHz: no overflow in the product */
	CHECK_INT(counter_at(&a, 1000000000, a.mono_ns + 86400000000000ull), a.count + 86400000000000ull);
	/* an odd frequency: 24 MHz (many boards); 1 s and 1 ms later */
	CHECK_INT(counter_at(&a, 24000000, a.mono_ns + 1000000000ull), a.count + 24000000);
	CHECK_INT(counter_at(&a, 24000000, a.mono_ns + 1000000ull), a.count + 24000);
}

static void test_stamp(void)
{
	struct guest_clock c = { .cntfrq = 62500000, .anchor = { .mono_ns = 1000000000ull, .count = 62500000ull } };
	struct smccc_event ev = { .ts_ns = 2000000000ull, .cntvoff = 60000000ull };

	guest_clock_stamp(&c, &ev);
	CHECK_INT(ev.guest_cntvct, 125000000ull - 60000000ull);
	CHECK(!(ev.missing & EVM_GUEST_CLOCK), "stamped");
	/* the kernel side had no offset: missing, and no value */
	ev = (struct smccc_event){ .ts_ns = 2000000000ull, .missing = EVM_GUEST_CLOCK, .guest_cntvct = 99 };
	guest_clock_stamp(&c, &ev);
	CHECK_INT(ev.guest_cntvct, 0);
	CHECK(ev.missing & EVM_GUEST_CLOCK, "still missing");
	/* no counter on this machine: missing */
	c.cntfrq = 0;
	ev = (struct smccc_event){ .ts_ns = 2000000000ull };
	guest_clock_stamp(&c, &ev);
	CHECK(ev.missing & EVM_GUEST_CLOCK, "no counter: missing");
	CHECK_INT(ev.guest_cntvct, 0);
}

static void test_seconds(void)
{
	CHECK_INT(guest_clock_ns(62500000, 62500000), 1000000000);
	CHECK_INT(guest_clock_ns(1, 62500000), 16);
	CHECK_INT(guest_clock_ns(3, 24000000), 125);
	CHECK_INT(guest_clock_ns(86400ull * 1000000000ull * 365, 1000000000), 86400ull * 1000000000ull * 365);
	CHECK_INT(guest_clock_ns(5, 0), 0);
}

/* On the machine the tests run on: an arm64 host reads its counter, any other has none */
static void test_init(void)
{
	struct guest_clock c;
	int rc = guest_clock_init(&c);

#if defined(__aarch64__)
	CHECK(rc == 0 && c.cntfrq > 0 && c.anchor.count > 0, "arm64: the counter reads");
#else
	CHECK(rc == -1 && c.cntfrq == 0, "not arm64: no counter");
#endif
}

int main(void)
{
	test_counter_at();
	test_stamp();
	test_seconds();
	test_init();
	return unit_report("guest_clock");
}
