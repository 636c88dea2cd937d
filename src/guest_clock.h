/* The guest's clock: the virtual counter a guest reads (CNTVCT_EL0) at each traced
 * call. The BPF program stamps a call with CLOCK_MONOTONIC (bpf_ktime_get_ns, the only
 * clock it has) and the vCPU's counter offset (KVM's CNTVOFF); this maps the first to
 * the host's physical counter, from pairs the tracer reads in userspace, where
 * CNTVCT_EL0 equals the physical counter on VHE and nVHE hosts alike (docs/design.md,
 * "The guest's clock"). */
#ifndef SMCCCTRACE_GUEST_CLOCK_H
#define SMCCCTRACE_GUEST_CLOCK_H
#include <stdbool.h>
#include <linux/types.h>

/* One anchor: the host counter and CLOCK_MONOTONIC read together. */
struct counter_anchor {
	__u64 mono_ns;		/* the midpoint of the two monotonic reads around the counter */
	__u64 count;		/* CNTVCT_EL0 */
	__u64 spread_ns;	/* the time between the two monotonic reads: the anchor's uncertainty */
};

struct guest_clock {
	__u64 cntfrq;		/* CNTFRQ_EL0, Hz; 0: no counter (not arm64): nothing to convert */
	struct counter_anchor anchor;
};

/* Reads CNTFRQ_EL0 and a first anchor. Returns 0, or -1 where there is no counter to
 * read (any machine but arm64) or it reads as unusable (frequency 0). */
int guest_clock_init(struct guest_clock *c);
/* A fresh anchor (the best of a few tries): the tracer takes one per poll, so that a
 * slewed CLOCK_MONOTONIC (NTP) is only extrapolated over a poll period. */
void guest_clock_refresh(struct guest_clock *c);
/* The host counter at CLOCK_MONOTONIC ts_ns, by the anchor and cntfrq. */
__u64 guest_clock_host_count(const struct guest_clock *c, __u64 ts_ns);
/* Fills ev->guest_cntvct (host counter at ts_ns minus the vCPU's offset), or marks it
 * missing when the kernel side had no offset or there is no counter. */
struct smccc_event;
void guest_clock_stamp(const struct guest_clock *c, struct smccc_event *ev);
/* The counter's value in ns and seconds, for display: cntvct / cntfrq. */
__u64 guest_clock_ns(__u64 cntvct, __u64 cntfrq);

/* The arithmetic, exposed for the unit tests: count + (ts - mono) * freq / 1e9. */
__u64 counter_at(const struct counter_anchor *a, __u64 cntfrq, __u64 ts_ns);
#endif
