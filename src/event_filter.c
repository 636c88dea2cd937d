#include "event_filter.h"

#include <string.h>

#include "guest_name.h"

/* -p and -g select VMMs together: a call passes if either names its VMM. Offline the
 * names are the record file's (its process records). */
static bool pid_match(const struct trace_opts *o, __u32 pid)
{
	const char *guest;

	if (!o->nr_pids && !o->nr_guests)
		return true;
	for (int i = 0; i < o->nr_pids; i++)
		if (o->pids[i] == pid)
			return true;
	guest = o->nr_guests ? guest_names_get(pid) : NULL;
	for (int i = 0; guest && i < o->nr_guests; i++)
		if (!strcmp(o->guests[i], guest))
			return true;
	return false;
}

static bool func_match(const struct trace_opts *o, __u32 func_id)
{
	if (!o->nr_func_ranges)
		return true;
	for (int i = 0; i < o->nr_func_ranges; i++)
		if (func_id >= o->func_ranges[i].lo && func_id <= o->func_ranges[i].hi)
			return true;
	return false;
}

bool event_filter_match(const struct trace_opts *o, const struct smccc_event *ev)
{
	const __u8 all_dispositions = (1u << DISP__COUNT) - 1;

	if (!pid_match(o, ev->pid) || (o->tid && ev->tid != o->tid))
		return false;
	if (o->vcpu >= 0 && ((ev->missing & EVM_VCPU) || ev->vcpu != (__u32)o->vcpu))
		return false;
	if (o->nr_func_ranges && ((ev->missing & EVM_FUNC) || !func_match(o, (__u32)ev->regs[0])))
		return false;
	if (ev->conduit >= 8 || !(o->conduit_mask & (1u << ev->conduit)))
		return false;
	if ((o->disposition_mask & all_dispositions) != all_dispositions &&
	    ((ev->missing & EVM_DISPOSITION) || ev->disposition >= 8 || !(o->disposition_mask & (1u << ev->disposition))))
		return false;
	return true;
}
