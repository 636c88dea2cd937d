#include "render.h"

#include <inttypes.h>
#include <string.h>

#include "options.h"

void call_view_init(struct call_view *v, const struct smccc_event *ev, __u64 t0_ns)
{
	__u32 func_id = (__u32)ev->regs[0];

	memset(v, 0, sizeof(*v));
	v->ev = ev;
	smccc_decode(func_id, &v->dec);
	smccc_name(func_id, v->name, sizeof(v->name));
	v->ts_ns = ev->ts_ns >= t0_ns ? ev->ts_ns - t0_ns : 0;
	v->has_result = !(ev->flags & (EVF_SYSTEM_EVENT | EVF_VMM_GONE));
	v->ret_name = v->has_result ? smccc_ret_name(func_id, ev->ret[0]) : NULL;
}

void render_text_header(FILE *out)
{
	fprintf(out, "%-12s %-7s %-3s %-4s %-26s %-9s %-18s %-10s %-22s %9s %9s  %s\n",
		"TIME(s)", "PID", "VM", "VCPU", "FUNCTION", "CONDUIT", "PC", "DISP", "RESULT",
		"KVM(us)", "VMM(us)", "ARGS");
}

/* x1.. up to the last non-zero argument, so PSCI_VERSION shows none and CPU_ON three */
static void format_args(char *buf, size_t len, const struct smccc_event *ev)
{
	int last = 0, n = 0;

	buf[0] = 0;
	for (int i = 1; i <= ev->nr_args && i < SMCCC_NR_REGS; i++)
		if (ev->regs[i])
			last = i;
	for (int i = 1; i <= last && (size_t)n < len; i++)
		n += snprintf(buf + n, len - (size_t)n, "%sx%d=0x%" PRIx64, i > 1 ? " " : "", i,
			      (uint64_t)ev->regs[i]);
}

void render_text(FILE *out, const struct call_view *v)
{
	const struct smccc_event *ev = v->ev;
	char conduit[16], result[64], vmm[24], args[400];

	snprintf(conduit, sizeof(conduit), "%s#%u", conduit_name(ev->conduit), ev->imm);
	if (!v->has_result)
		snprintf(result, sizeof(result), "%s", ev->flags & EVF_SYSTEM_EVENT ? "(system event)" : "(no reply)");
	else if (v->ret_name)
		snprintf(result, sizeof(result), "%s", v->ret_name);
	else
		snprintf(result, sizeof(result), "0x%" PRIx64, (uint64_t)ev->ret[0]);
	if (ev->disposition == DISP_FORWARDED && !(ev->flags & EVF_VMM_GONE))
		snprintf(vmm, sizeof(vmm), "%9.1f", ev->vmm_ns / 1000.0);
	else
		snprintf(vmm, sizeof(vmm), "%9s", "-");
	format_args(args, sizeof(args), ev);
	fprintf(out, "%-12.6f %-7u %-3u %-4u %-26s %-9s 0x%-16" PRIx64 " %-10s %-22s %9.1f %s  %s\n",
		v->ts_ns / 1e9, ev->pid, ev->vm, ev->vcpu, v->name, conduit, (uint64_t)ev->pc,
		disposition_name(ev->disposition), result, ev->kvm_ns / 1000.0, vmm, args);
}

void render_json(struct json_writer *w, const struct call_view *v)
{
	const struct smccc_event *ev = v->ev;

	jw_start_object(w);
	jw_string_field(w, "type", "call");
	jw_uint_field(w, "ts_ns", v->ts_ns);
	jw_uint_field(w, "pid", ev->pid);
	jw_uint_field(w, "tid", ev->tid);
	jw_uint_field(w, "vm", ev->vm);
	jw_uint_field(w, "vcpu", ev->vcpu);
	jw_uint_field(w, "func_id", (__u32)ev->regs[0]);
	jw_string_field(w, "func", v->dec.name);
	jw_string_field(w, "func_label", v->name);
	jw_string_field(w, "service", smccc_service_name(v->dec.service));
	jw_string_field(w, "owner", smccc_owner_name(v->dec.owner));
	jw_string_field(w, "convention", v->dec.smc64 ? "smc64" : "smc32");
	jw_string_field(w, "call_type", v->dec.fast ? "fast" : "yielding");
	jw_string_field(w, "conduit", conduit_name(ev->conduit));
	jw_uint_field(w, "imm", ev->imm);
	jw_uint_field(w, "insn_bits", ev->insn_bits);
	jw_string_field(w, "isa", isa_name(ev->isa));
	jw_hex_field(w, "pc", ev->pc);
	jw_hex_field(w, "esr", ev->esr);
	jw_name(w, "args");
	jw_start_array(w);
	for (int i = 1; i <= ev->nr_args && i < SMCCC_NR_REGS; i++)
		jw_hex(w, ev->regs[i]);
	jw_end_array(w);
	jw_name(w, "ret");
	if (v->has_result) {
		jw_start_array(w);
		for (int i = 0; i < SMCCC_NR_RESULTS; i++)
			jw_hex(w, ev->ret[i]);
		jw_end_array(w);
	} else {
		jw_null(w);
	}
	jw_string_field(w, "disposition", disposition_name(ev->disposition));
	jw_string_field(w, "ret_name", v->ret_name);
	jw_uint_field(w, "kvm_ns", ev->kvm_ns);
	if (ev->disposition == DISP_FORWARDED && !(ev->flags & EVF_VMM_GONE))
		jw_uint_field(w, "vmm_ns", ev->vmm_ns);
	else
		jw_null_field(w, "vmm_ns");
	if (ev->flags & EVF_SYSTEM_EVENT)
		jw_bool_field(w, "system_event", true);
	jw_end_object(w);
	jw_end_line(w);
}
