/* Rendering of one traced call: the aligned human line and the JSON Lines object.
 * Both read the same decoded view, so they never disagree. */
#ifndef SMCCCTRACE_RENDER_H
#define SMCCCTRACE_RENDER_H
#include <stdio.h>
#include <linux/types.h>
#include "guest_syms.h"
#include "json_writer.h"
#include "smccc.h"
#include "smccctrace.h"

struct call_view {
	const struct smccc_event *ev;
	struct smccc_decoded dec;
	char name[SMCCC_NAME_MAX];
	const char *ret_name;		/* NULL: x0 is a value, not a code */
	__u64 ts_ns;			/* since the trace started */
	bool has_result;		/* the guest resumed with ret[] */
	enum { PC_SYM_OFF, PC_SYM_UNKNOWN, PC_SYM_KNOWN } pc_sym;	/* OFF: no guest symbols given */
	char pc_sym_text[GUEST_SYM_TEXT_MAX];	/* "psci_cpu_on+0x24", when KNOWN */
	__u64 cntfrq;			/* --guest-clock: the text's time is guest_cntvct / cntfrq; 0: off */
	const char *guest;		/* the VMM's guest name (src/guest_name.h); NULL: unknown */
	__u32 incarnation;		/* a reused pid's VMMs apart (report: the file renamed the pid) */
};

void call_view_init(struct call_view *v, const struct smccc_event *ev, __u64 t0_ns);
/* The PC as a symbol of the guest's kernel, from the table for the call's VMM (none:
 * the view stays PC_SYM_OFF) */
void call_view_symbolize(struct call_view *v, const struct guest_syms_set *syms);
/* pc_sym: the PC column is wide enough for symbols; guest_clock: the TIME column holds
 * the guest's counter seconds (--guest-clock) */
void render_text_header(FILE *out, bool pc_sym, bool guest_clock);
/* The GUEST column, like perf's COMM: always there, this wide, the VMM's guest name
 * (or comm: src/guest_name.h); a longer name is cut, its last shown character '+'
 * (as top marks a cut field); "?" when unknown (an old recording, a VMM gone first) */
#define GUEST_COLUMN_WIDTH 16
const char *render_guest_column(const char *guest, char *buf, size_t len);
void render_text(FILE *out, const struct call_view *v);
void render_json(struct json_writer *w, const struct call_view *v);
/* The call record's fields after "type", into an object the caller opened (the
 * Perfetto timeline puts them in a slice's args). */
void render_json_fields(struct json_writer *w, const struct call_view *v);
#endif
