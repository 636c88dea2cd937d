/* SPDX-License-Identifier: GPL-2.0 */
/* Synthetic call sequences for the PSCI flow model's unit tests (test_psci_flow.c,
 * test_psci_boots.c): function IDs, return codes, one call as a table row, and
 * run(), which feeds them through call_view_init() as the sinks do and replays them. */
#ifndef SMCCCTRACE_PSCI_CALLS_H
#define SMCCCTRACE_PSCI_CALLS_H
#include "unit.h"
#include "json_writer.h"
#include "psci_flow.h"
#include "psci_render.h"
#include "smccctrace.h"

#define MS 1000000ull

/* PSCI function IDs (DEN0022) */
#define VERSION		0x84000000u
#define CPU_SUSPEND64	0xc4000001u
#define CPU_OFF		0x84000002u
#define CPU_ON32	0x84000003u
#define CPU_ON64	0xc4000003u
#define AFFINITY64	0xc4000004u
#define MIGRATE64	0xc4000005u
#define SYSTEM_OFF	0x84000008u
#define SYSTEM_RESET	0x84000009u
#define SYSTEM_RESET2	0xc4000012u
#define SYSTEM_SUSPEND64 0xc400000eu
#define SMCCC_VERSION	0x80000000u
#define TRNG_RND64	0xc4000053u

/* PSCI return codes */
#define SUCCESS			0ull
#define NOT_SUPPORTED		((__u64)-1)
#define INVALID_PARAMETERS	((__u64)-2)
#define DENIED			((__u64)-3)
#define ALREADY_ON		((__u64)-4)
#define ON_PENDING		((__u64)-5)
#define INTERNAL_FAILURE	((__u64)-6)
#define NOT_PRESENT		((__u64)-7)
#define DISABLED		((__u64)-8)
#define INVALID_ADDRESS		((__u64)-9)

struct call {
	__u64 ts_ms;
	__u32 vcpu;
	__u32 func;
	__u64 x1, x2, x3;
	__u64 ret;
	__u8 disp;
	__u64 vmm_ms;		/* forwarded */
	__u8 flags;		/* EVF_* */
	__u32 vm;		/* 0: VM 1 */
	__u16 missing;
};

static inline struct psci_flow_config cfg(void)
{
	struct psci_flow_config c;

	psci_flow_config_default(&c);	/* 1000 ms, 10 polls, 100 ms, 10 ms */
	return c;
}

/* Feeds the calls in the given order (the arrival order) and replays them. */
static inline void run(struct psci_flow *f, const struct psci_flow_config *c, const struct call *calls, size_t n,
		__u64 end_ms)
{
	psci_flow_init(f, c);
	for (size_t i = 0; i < n; i++) {
		struct smccc_event ev = { 0 };
		struct call_view v;

		ev.ts_ns = 1000 * MS + calls[i].ts_ms * MS;	/* t0 = 1 s */
		ev.kvm_ns = 2000;
		ev.vmm_ns = calls[i].vmm_ms * MS;
		ev.pid = 4242;
		ev.tid = 5000 + calls[i].vcpu;
		ev.vm = calls[i].vm ? calls[i].vm : 1;
		ev.vcpu = calls[i].vcpu;
		ev.regs[0] = calls[i].func;
		ev.regs[1] = calls[i].x1;
		ev.regs[2] = calls[i].x2;
		ev.regs[3] = calls[i].x3;
		ev.ret[0] = calls[i].ret;
		ev.nr_args = 7;
		ev.disposition = calls[i].disp;
		ev.flags = calls[i].flags;
		ev.missing = calls[i].missing;
		call_view_init(&v, &ev, 1000 * MS);
		CHECK(psci_flow_add(f, &v) == 0, "add call %zu", i);
	}
	CHECK(psci_flow_run(f, end_ms * MS) == 0, "run");
}

static inline size_t count_anomalies(const struct psci_flow *f, enum psci_anomaly_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nr_anomalies; i++)
		n += f->anomalies[i].kind == k;
	return n;
}

static inline const struct psci_anomaly *find_anomaly(const struct psci_flow *f, enum psci_anomaly_kind k, size_t nth)
{
	for (size_t i = 0; i < f->nr_anomalies; i++)
		if (f->anomalies[i].kind == k && !nth--)
			return &f->anomalies[i];
	return NULL;
}

static inline const struct psci_vcpu_summary *vcpu_summary(const struct psci_flow *f, __u32 vm, int vcpu)
{
	for (size_t i = 0; i < f->nr_vcpus; i++)
		if (f->vcpus[i].vm == vm && f->vcpus[i].vcpu == vcpu)
			return &f->vcpus[i];
	return NULL;
}

#define CHECK_T(t, ts, vcpu_, from_, to_, cause_) do {					\
	CHECK_INT((t)->ts_ns, (ts) * MS);						\
	CHECK_INT((t)->vcpu, vcpu_);							\
	CHECK_STR(psci_power_name((t)->from), from_);					\
	CHECK_STR(psci_power_name((t)->to), to_);					\
	CHECK_STR(psci_cause_name((t)->cause), cause_);				\
} while (0)

/* The flow as both outputs render it, JSON Lines then text, in one string to search
 * (free it); an empty one when the stream cannot be opened (every search then fails). */
static inline char *rendered(const struct psci_flow *f, const struct psci_render_totals *t)
{
	struct json_writer w;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return calloc(1, 1);
	jw_init(&w, out);
	psci_render_json(&w, f, t);
	psci_render_text(out, f, t);
	fclose(out);
	return buf;
}

#endif
