/* Output of the PSCI flow view (src/psci_flow.h): text tables per VM, or JSON Lines
 * (docs/json.md, "PSCI flow"). Both read the same replayed model. */
#ifndef SMCCCTRACE_PSCI_RENDER_H
#define SMCCCTRACE_PSCI_RENDER_H
#include <stdio.h>
#include "json_writer.h"
#include "psci_flow.h"

/* What the trace was, for the closing lines */
struct psci_render_totals {
	__u64 calls;		/* calls the flow was fed */
	__u64 lost;		/* calls the ring buffer dropped: the flow has holes */
	double duration_s;
	__u64 realtime_ns;	/* CLOCK_REALTIME when the trace started (ts_ns 0); 0: unknown */
	bool wall_clock;	/* text: TIME as wall-clock time (--wall-clock) */
	const struct guest_syms_set *guest_syms;	/* operations' call sites (pc_sym); NULL: none */
};

void psci_render_text(FILE *out, const struct psci_flow *f, const struct psci_render_totals *t);
void psci_render_json(struct json_writer *w, const struct psci_flow *f, const struct psci_render_totals *t);

/* One line about an anomaly, e.g. "CPU_ON of vCPU 3 (mpidr 0x3) failed: DENIED
 * (answered by the VMM)": the text view's DETAIL column and JSON's "message". */
void psci_anomaly_message(const struct psci_anomaly *a, const struct psci_flow_config *cfg,
			  char *buf, size_t len);

/* Shared by the text and JSON views */
const char *psci_result_label(__u32 func_id, __u64 ret0, char *buf, size_t len);	/* name, or hex */
const char *psci_answer_label(__u32 func_id, __u64 ret0, char *buf, size_t len);	/* AFFINITY_INFO's */
/* RFC 3339 UTC with ns, "2026-12-05T08:40:01.123456789Z", of trace time ts_ns; NULL
 * when the trace has no clock base */
const char *psci_wall_clock(const struct psci_render_totals *t, __u64 ts_ns, char *buf, size_t len);
#endif
