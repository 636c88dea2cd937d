#include "render.h"
#include "guest_clock.h"

#include <inttypes.h>
#include <string.h>

#include "guest_name.h"
#include "options.h"

/* Names of the fields an attach plan may not see, for the "unavailable" key. */
static const struct {
	__u16 bit;
	const char *field;
} missing_fields[] = {
	{ EVM_FUNC, "func_id" }, { EVM_IMM, "imm" }, { EVM_ARGS, "args" }, { EVM_RET, "ret" },
	{ EVM_VCPU, "vcpu" }, { EVM_ISA, "isa" }, { EVM_DISPOSITION, "disposition" },
	{ EVM_GUEST_CLOCK, "guest_cntvct" },
};

static bool missing(const struct call_view *v, __u16 bit)
{
	return v->ev->missing & bit;
}

/*
 * A trace repeats a few function IDs, and decoding one (a scan of the function table,
 * a snprintf for its name) cost more than a third of rendering its call as JSON: the
 * last decodings are kept, per thread, in a small direct-mapped cache. So are their
 * seven JSON fields (func_id .. call_type: over a quarter of a call record's fields
 * and most of its strings), rendered once an ID is seen again: an ID seen once (a
 * trace of many IDs) is not worth rendering twice.
 */
#define DECODE_CACHE_SLOTS 64
#define FUNC_JSON_MAX 512

struct decoded_id {
	bool valid;
	__u32 id;
	struct smccc_decoded dec;
	char name[SMCCC_NAME_MAX];
	unsigned json_uses;		/* calls rendered as JSON before json was */
	size_t json_len;		/* 0: json not rendered */
	char json[FUNC_JSON_MAX];	/* "func_id":...,"call_type":"fast" */
};

static __thread struct decoded_id decode_cache[DECODE_CACHE_SLOTS];

static struct decoded_id *decode_slot(__u32 id)
{
	return &decode_cache[(id ^ id >> 16 ^ id >> 24) % DECODE_CACHE_SLOTS];
}

static const struct decoded_id *decode_cached(__u32 id)
{
	struct decoded_id *d = decode_slot(id);

	if (!d->valid || d->id != id) {
		d->valid = true;
		d->id = id;
		smccc_decode(id, &d->dec);
		smccc_name(id, d->name, sizeof(d->name));
		d->json_uses = 0;
		d->json_len = 0;
	}
	return d;
}

void call_view_init(struct call_view *v, const struct smccc_event *ev, __u64 t0_ns)
{
	__u32 func_id = (__u32)ev->regs[0];
	const struct decoded_id *d = decode_cached(func_id);

	memset(v, 0, sizeof(*v));
	v->ev = ev;
	v->dec = d->dec;
	memcpy(v->name, d->name, sizeof(v->name));
	v->ts_ns = ev->ts_ns >= t0_ns ? ev->ts_ns - t0_ns : 0;
	v->has_result = !(ev->flags & (EVF_SYSTEM_EVENT | EVF_VMM_GONE | EVF_PARKED)) && !(ev->missing & EVM_RET);
	v->ret_name = v->has_result ? smccc_ret_name(func_id, ev->ret[0]) : NULL;
	v->guest = guest_names_lookup(ev->pid, &v->incarnation);
}

void call_view_symbolize(struct call_view *v, const struct guest_syms_set *syms)
{
	if (!syms || !syms->nr)
		return;
	v->pc_sym = guest_syms_format(guest_syms_for(syms, v->ev->pid), v->ev->pc, v->pc_sym_text,
				      sizeof(v->pc_sym_text)) ? PC_SYM_UNKNOWN : PC_SYM_KNOWN;
}

/* The PC column: 0x and 16 digits, or symbol+0xoff (wider, and longer names push on) */
#define PC_WIDTH 18
#define PC_SYM_WIDTH 34

void render_text_header(FILE *out, bool pc_sym, bool guest_clock)
{
	fprintf(out, "%-12s %-*s %-7s %-3s %-4s %-26s %-11s %-*s %-10s %-22s %9s %9s  %s\n",
		guest_clock ? "GUEST(s)" : "TIME(s)", GUEST_COLUMN_WIDTH, "GUEST", "PID", "VM", "VCPU", "FUNCTION", "CONDUIT",
		pc_sym ? PC_SYM_WIDTH : PC_WIDTH, "PC", "DISP", "RESULT", "KVM(us)", "VMM(us)", "ARGS");
}

const char *render_guest_column(const char *guest, char *buf, size_t len)
{
	size_t n = guest ? strlen(guest) : 0;

	if (!guest || !n)
		snprintf(buf, len, "?");
	else if (n <= GUEST_COLUMN_WIDTH)
		snprintf(buf, len, "%s", guest);
	else
		snprintf(buf, len, "%.*s+", GUEST_COLUMN_WIDTH - 1, guest);
	return buf;
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
	char conduit[16], result[64], vmm[24], args[400], pc[GUEST_SYM_TEXT_MAX], guest[GUEST_COLUMN_WIDTH + 1];

	const char *name = missing(v, EVM_FUNC) ? "?" : v->name;
	const char *disp = missing(v, EVM_DISPOSITION) ? "?" : disposition_name(ev->disposition);

	/* as the Arm ARM, objdump and the kernel write it: "hvc #0x1234" */
	if (missing(v, EVM_IMM))
		snprintf(conduit, sizeof(conduit), "%s #?", conduit_name(ev->conduit));
	else
		snprintf(conduit, sizeof(conduit), "%s #0x%x", conduit_name(ev->conduit), ev->imm);
	if (ev->flags & EVF_SYSTEM_EVENT)
		snprintf(result, sizeof(result), "(system event)");
	else if (ev->disposition == DISP_REFLECTED && !missing(v, EVM_DISPOSITION))
		snprintf(result, sizeof(result), "(guest hypervisor)");	/* it answers, out of sight */
	else if (ev->flags & EVF_PARKED)
		snprintf(result, sizeof(result), "(parked)");
	else if (!v->has_result)
		snprintf(result, sizeof(result), "%s", missing(v, EVM_RET) ? "?" : "(no reply)");
	else if (v->ret_name)
		snprintf(result, sizeof(result), "%s", v->ret_name);
	else
		snprintf(result, sizeof(result), "0x%" PRIx64, (uint64_t)ev->ret[0]);
	if (smccc_vmm_round_trip(ev->disposition, ev->flags))
		snprintf(vmm, sizeof(vmm), "%9.1f", ev->vmm_ns / 1000.0);
	else
		snprintf(vmm, sizeof(vmm), "%9s", "-");
	if (missing(v, EVM_ARGS))
		snprintf(args, sizeof(args), "?");
	else
		format_args(args, sizeof(args), ev);
	/* --guest-clock: the guest's counter seconds, as its printk and ftrace show them */
	if (v->cntfrq && missing(v, EVM_GUEST_CLOCK))
		fprintf(out, "%-12s ", "?");
	else if (v->cntfrq)
		fprintf(out, "%-12.6f ", guest_clock_ns(ev->guest_cntvct, v->cntfrq) / 1e9);
	else
		fprintf(out, "%-12.6f ", v->ts_ns / 1e9);
	fprintf(out, "%-*s ", GUEST_COLUMN_WIDTH, render_guest_column(v->guest, guest, sizeof(guest)));
	if (missing(v, EVM_VCPU))
		fprintf(out, "%-7u %-3s %-4s ", ev->pid, "?", "?");
	else
		fprintf(out, "%-7u %-3u %-4u ", ev->pid, ev->vm, ev->vcpu);
	if (v->pc_sym == PC_SYM_KNOWN)
		snprintf(pc, sizeof(pc), "%s", v->pc_sym_text);
	else
		snprintf(pc, sizeof(pc), "0x%" PRIx64, (uint64_t)ev->pc);
	fprintf(out, "%-26s %-11s %-*s %-10s %-22s %9.1f %s  %s\n", name, conduit,
		v->pc_sym == PC_SYM_OFF ? PC_WIDTH : PC_SYM_WIDTH, pc, disp, result, ev->kvm_ns / 1000.0, vmm, args);
}

void render_json(struct json_writer *w, const struct call_view *v)
{
	jw_start_object(w);
	jw_string_field(w, "type", "call");
	render_json_fields(w, v);
	jw_end_object(w);
	jw_end_line(w);
}

static void func_fields(struct json_writer *w, const struct call_view *v)
{
	jw_uint_field(w, "func_id", (__u32)v->ev->regs[0]);
	jw_string_field(w, "func", v->dec.name);
	jw_string_field(w, "func_label", v->name);
	jw_string_field(w, "service", smccc_service_name(v->dec.service));
	jw_string_field(w, "owner", smccc_owner_name(v->dec.owner));
	jw_string_field(w, "convention", v->dec.smc64 ? "smc64" : "smc32");
	jw_string_field(w, "call_type", v->dec.fast ? "fast" : "yielding");
}

/* d->json: v's function fields, as func_fields writes them after an object's '{' */
static void render_func_json(struct decoded_id *d, const struct call_view *v)
{
	FILE *f = fmemopen(d->json, sizeof(d->json), "w");
	struct json_writer fw;
	long len;

	if (!f)
		return;
	jw_init(&fw, f);
	jw_start_object(&fw);
	func_fields(&fw, v);
	jw_flush(&fw);	/* the object stays open: the writer keeps it until told */
	len = fflush(f) || ferror(f) ? -1 : ftell(f);
	fclose(f);
	/* all of it, and room for fmemopen's NUL: nothing was cut */
	if (len > 1 && len < (long)sizeof(d->json) - 1) {
		memmove(d->json, d->json + 1, (size_t)len - 1);	/* without the '{' */
		d->json_len = (size_t)len - 1;
	}
}

/* The function fields from the cache, when v's ID is still in it (as it is right
 * after call_view_init) and seen before; else written as usual */
static void func_fields_cached(struct json_writer *w, const struct call_view *v)
{
	__u32 id = (__u32)v->ev->regs[0];
	struct decoded_id *d = decode_slot(id);

	if (d->valid && d->id == id && !d->json_len && d->json_uses++ == 1)	/* once, on the second */
		render_func_json(d, v);
	if (d->valid && d->id == id && d->json_len)
		jw_fields_text(w, d->json, d->json_len);
	else
		func_fields(w, v);
}

/* n registers as an array of hex strings */
static void hex_array_field(struct json_writer *w, const char *name, const __u64 *regs, int n)
{
	uint64_t v[SMCCC_NR_REGS];

	for (int i = 0; i < n; i++)
		v[i] = regs[i];
	jw_hex_array_field(w, name, v, (size_t)n);
}

void render_json_fields(struct json_writer *w, const struct call_view *v)
{
	const struct smccc_event *ev = v->ev;

	jw_uint_field(w, "ts_ns", v->ts_ns);
	jw_uint_field(w, "pid", ev->pid);
	if (v->guest)	/* absent when unknown: a VMM gone before it was named, an old recording */
		jw_string_field(w, "guest", v->guest);
	jw_uint_field(w, "tid", ev->tid);
	if (missing(v, EVM_VCPU)) {
		jw_null_field(w, "vm");
		jw_null_field(w, "vcpu");
	} else {
		jw_uint_field(w, "vm", ev->vm);
		jw_uint_field(w, "vcpu", ev->vcpu);
	}
	if (!missing(v, EVM_FUNC)) {
		func_fields_cached(w, v);
	} else {
		static const char *const func_keys[] = { "func_id", "func", "func_label", "service", "owner",
							 "convention", "call_type" };

		for (size_t i = 0; i < sizeof(func_keys) / sizeof(func_keys[0]); i++)
			jw_null_field(w, func_keys[i]);
	}
	jw_string_field(w, "conduit", conduit_name(ev->conduit));
	if (missing(v, EVM_IMM))
		jw_null_field(w, "imm");
	else
		jw_uint_field(w, "imm", ev->imm);
	jw_uint_field(w, "insn_bits", ev->insn_bits);
	jw_string_field(w, "isa", missing(v, EVM_ISA) ? NULL : isa_name(ev->isa));
	jw_hex_field(w, "pc", ev->pc);
	if (v->pc_sym != PC_SYM_OFF)
		jw_string_field(w, "pc_sym", v->pc_sym == PC_SYM_KNOWN ? v->pc_sym_text : NULL);
	jw_hex_field(w, "esr", ev->esr);
	if (missing(v, EVM_ARGS))
		jw_null_field(w, "args");
	else
		hex_array_field(w, "args", &ev->regs[1], ev->nr_args < SMCCC_NR_REGS ? ev->nr_args : SMCCC_NR_REGS - 1);
	if (v->has_result)
		hex_array_field(w, "ret", ev->ret, SMCCC_NR_RESULTS);
	else
		jw_null_field(w, "ret");
	jw_string_field(w, "disposition", missing(v, EVM_DISPOSITION) ? NULL : disposition_name(ev->disposition));
	jw_string_field(w, "ret_name", v->ret_name);
	jw_uint_field(w, "kvm_ns", ev->kvm_ns);
	if (smccc_vmm_round_trip(ev->disposition, ev->flags) && !missing(v, EVM_DISPOSITION))
		jw_uint_field(w, "vmm_ns", ev->vmm_ns);
	else
		jw_null_field(w, "vmm_ns");
	/* the guest's virtual counter at the trap (CNTVCT_EL0 as the guest would have read it) */
	if (missing(v, EVM_GUEST_CLOCK))
		jw_null_field(w, "guest_cntvct");
	else
		jw_uint_safe_field(w, "guest_cntvct", ev->guest_cntvct);
	if (ev->flags & EVF_SYSTEM_EVENT)
		jw_bool_field(w, "system_event", true);
	if (ev->flags & EVF_VMM_GONE)
		jw_bool_field(w, "unanswered", true);	/* forwarded, and the vCPU never ran again */
	if ((ev->flags & (EVF_VMM_GONE | EVF_ABANDONED)) == (EVF_VMM_GONE | EVF_ABANDONED))
		jw_uint_field(w, "abandoned_ns", ev->vmm_ns);	/* from the exit to the VMM until the vCPU went */
	if (ev->flags & EVF_PARKED) {
		jw_bool_field(w, "parked", true);
		jw_uint_field(w, "parked_ns", ev->vmm_ns);	/* the time off, from the exit to the restart */
	}
	if (ev->flags & EVF_VCPU_REINIT)
		jw_bool_field(w, "vcpu_reinit", true);	/* the VMM reset the vCPU before this call */
	if (ev->missing) {
		/* null above means "this plan cannot see it", never "zero" */
		jw_name(w, "unavailable");
		jw_start_array(w);
		for (size_t i = 0; i < sizeof(missing_fields) / sizeof(missing_fields[0]); i++)
			if (missing(v, missing_fields[i].bit))
				jw_string(w, missing_fields[i].field);
		jw_end_array(w);
	}
}
