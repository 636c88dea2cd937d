/* The record file format's validating reader (spec: docs/record-format.md); its writer
 * is src/record_write.c. */
#include "record.h"

#include <endian.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* EVF_* bits this format version knows; anything else in a file is corruption. */
#define RECORD_KNOWN_FLAGS_V1	(EVF_SYSTEM_EVENT | EVF_VMM_GONE | EVF_HANDLER_ERROR | EVF_PARKED | EVF_ABANDONED)
#define RECORD_KNOWN_FLAGS	(RECORD_KNOWN_FLAGS_V1 | EVF_VCPU_REINIT)	/* version 2 */
#define RECORD_KNOWN_MISSING_V2	(EVM_ARGS | EVM_RET | EVM_FUNC | EVM_IMM | EVM_VCPU | EVM_ISA | EVM_DISPOSITION)
#define RECORD_KNOWN_MISSING	(RECORD_KNOWN_MISSING_V2 | EVM_GUEST_CLOCK)	/* version 3 */
#define RECORD_PAYLOAD_MAX	RECORD_HEADER_MAX

/* A payload being decoded; any read past its end sets short_read. */
struct get {
	const unsigned char *buf;
	size_t pos, len;
	bool short_read;
};

/* One load each (bytes is a constant once inlined): this decoding was most of the
 * reader's time when it went byte by byte (docs/performance.md) */
static inline __u64 get_le(struct get *g, int bytes)
{
	const unsigned char *p = g->buf + g->pos;
	__u16 v16;
	__u32 v32;
	__u64 v64;

	if (g->pos + (size_t)bytes > g->len) {
		g->short_read = true;
		g->pos = g->len;
		return 0;
	}
	g->pos += (size_t)bytes;
	switch (bytes) {
	case 1:
		return p[0];
	case 2:
		memcpy(&v16, p, sizeof(v16));
		return le16toh(v16);
	case 4:
		memcpy(&v32, p, sizeof(v32));
		return le32toh(v32);
	default:
		memcpy(&v64, p, sizeof(v64));
		return le64toh(v64);
	}
}

static __u8 get_u8(struct get *g) { return (__u8)get_le(g, 1); }
static __u16 get_u16(struct get *g) { return (__u16)get_le(g, 2); }
static __u32 get_u32(struct get *g) { return (__u32)get_le(g, 4); }
static __u64 get_u64(struct get *g) { return get_le(g, 8); }

static int failf(struct record_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *type_name(__u16 type)
{
	switch (type) {
	case REC_HEADER: return "header";
	case REC_CALL: return "call";
	case REC_LOST: return "lost";
	case REC_END: return "end";
	case REC_PROCESS: return "process";
	}
	return "unknown";
}

_Static_assert(RECORD_PAYLOAD_MAX + RECORD_FRAME_LEN <= RECORD_BLOCK, "a block holds any record");

/* n bytes (fewer only at the end of the file) of the block, from head; reads the
 * next block when it has fewer. Returns how many. */
static size_t fill(struct record_reader *r, size_t n)
{
	size_t have = r->tail - r->head;

	if (have < n) {
		memmove(r->block, r->block + r->head, have);
		r->head = 0;
		r->tail = have + fread(r->block + have, 1, sizeof(r->block) - have, r->in);
		have = r->tail;
	}
	return have < n ? have : n;
}

/* Consumes n bytes (fewer only at the end of the file): *p points at them in the
 * block until the next take. Returns how many. */
static size_t take(struct record_reader *r, size_t n, const unsigned char **p)
{
	size_t got = fill(r, n);

	*p = r->block + r->head;
	r->head += got;
	r->offset += got;
	return got;
}

static int read_string(struct record_reader *r, struct get *g, __u64 rec, const char *what,
		       const char **out)
{
	size_t at = g->pos;
	__u8 n = get_u8(g);
	char *s;

	if (g->short_read || g->pos + n > g->len)
		return failf(r, "corrupt record at offset %llu: header string '%s' (at byte %llu) runs past the record",
			     (unsigned long long)rec, what, (unsigned long long)(rec + RECORD_FRAME_LEN + at));
	if (r->nr_strings >= RECORD_MAX_STRINGS)
		return failf(r, "corrupt record at offset %llu: too many header strings", (unsigned long long)rec);
	s = r->pool[r->nr_strings++];
	for (__u8 i = 0; i < n; i++) {
		unsigned char c = g->buf[g->pos + i];

		if (c < 0x20 || c >= 0x7f)
			return failf(r, "corrupt record at offset %llu: header string '%s' (at byte %llu) holds byte 0x%02x",
				     (unsigned long long)rec, what,
				     (unsigned long long)(rec + RECORD_FRAME_LEN + g->pos + i), c);
		s[i] = (char)c;
	}
	s[n] = 0;
	g->pos += n;
	*out = s;
	return 0;
}

static int decode_header(struct record_reader *r, struct get *g, __u64 rec)
{
	struct trace_info *in = &r->info;
	__u8 nr_hooks;

	in->monotonic_ns = get_u64(g);
	in->realtime_ns = get_u64(g);
	in->boottime_ns = get_u64(g);
	in->cntfrq = r->version >= 3 ? get_u64(g) : 0;
	nr_hooks = get_u8(g);
	if (g->short_read)
		return failf(r, "corrupt record at offset %llu: header of %zu bytes, needs at least %d",
			     (unsigned long long)rec, g->len, r->version >= 3 ? RECORD_HEADER_MIN : RECORD_HEADER_MIN_V2);
	if (nr_hooks > TRACE_MAX_HOOKS)
		return failf(r, "corrupt record at offset %llu: %u attach hooks, at most %d",
			     (unsigned long long)rec, nr_hooks, TRACE_MAX_HOOKS);
	if (read_string(r, g, rec, "tool version", &in->tool_version) ||
	    read_string(r, g, rec, "kernel release", &in->kernel_release) ||
	    read_string(r, g, rec, "machine", &in->machine) ||
	    read_string(r, g, rec, "plan", &in->plan) ||
	    read_string(r, g, rec, "handler", &in->handler))
		return -1;
	for (int i = 0; i < nr_hooks; i++) {
		struct trace_hook *h = &in->hooks[i];

		if (read_string(r, g, rec, "hook role", &h->role) ||
		    read_string(r, g, rec, "hook kind", &h->kind) ||
		    read_string(r, g, rec, "hook target", &h->target))
			return -1;
	}
	in->nr_hooks = nr_hooks;
	return 0;
}

/* *ev is zero (the caller's memset of its item): regs past nr_args stay so */
static int decode_call(struct record_reader *r, struct get *g, __u64 rec, struct smccc_event *ev)
{
	unsigned long long at = rec;
	unsigned known_flags, known_missing;
	int fixed = r->version >= 3 ? RECORD_CALL_FIXED : RECORD_CALL_FIXED_V2;

	if (g->len < (size_t)fixed)
		return failf(r, "corrupt record at offset %llu: call record of %zu bytes, needs at least %d",
			     at, g->len, RECORD_CALL_SIZE_FIXED(fixed, 0));
	ev->ts_ns = get_u64(g);
	ev->kvm_ns = get_u64(g);
	ev->vmm_ns = get_u64(g);
	ev->pc = get_u64(g);
	ev->pstate = get_u64(g);
	for (int i = 0; i < SMCCC_NR_RESULTS; i++)
		ev->ret[i] = get_u64(g);
	ev->esr = get_u32(g);
	ev->pid = get_u32(g);
	ev->tid = get_u32(g);
	ev->vm = get_u32(g);
	ev->vcpu = get_u32(g);
	ev->imm = get_u16(g);
	ev->missing = get_u16(g);
	ev->conduit = get_u8(g);
	ev->disposition = get_u8(g);
	ev->isa = get_u8(g);
	ev->insn_bits = get_u8(g);
	ev->nr_args = get_u8(g);
	ev->flags = get_u8(g);
	if (r->version >= 3)
		ev->guest_cntvct = get_u64(g);
	if (ev->nr_args > SMCCC_MAX_ARGS)
		return failf(r, "corrupt record at offset %llu: call with %u arguments, at most %d",
			     at, ev->nr_args, SMCCC_MAX_ARGS);
	if (g->len != (size_t)RECORD_CALL_SIZE_FIXED(fixed, ev->nr_args))
		return failf(r, "corrupt record at offset %llu: call record of %zu bytes, %d expected for %u arguments",
			     at, g->len, RECORD_CALL_SIZE_FIXED(fixed, ev->nr_args), ev->nr_args);
	/* a pid keys the VMM's name and, with its incarnation, its rows (guest_vmm_key()) */
	if (!ev->pid || ev->pid > RECORD_PID_MAX)
		return failf(r, "corrupt record at offset %llu: call of process id %u", at, ev->pid);
	if (ev->conduit >= CONDUIT__COUNT)
		return failf(r, "corrupt record at offset %llu: conduit %u is not hvc (0) or smc (1)", at, ev->conduit);
	if (ev->disposition >= DISP__COUNT)
		return failf(r, "corrupt record at offset %llu: disposition %u is not 0..%d", at, ev->disposition,
			     DISP__COUNT - 1);
	if (ev->isa > ISA_T32)
		return failf(r, "corrupt record at offset %llu: instruction set %u is not 0..%d", at, ev->isa, ISA_T32);
	if (ev->insn_bits != 16 && ev->insn_bits != 32)
		return failf(r, "corrupt record at offset %llu: instruction width %u is not 16 or 32", at, ev->insn_bits);
	known_flags = r->version >= 2 ? RECORD_KNOWN_FLAGS : RECORD_KNOWN_FLAGS_V1;
	if (ev->flags & ~known_flags)
		return failf(r, "corrupt record at offset %llu: unknown flags 0x%x", at, ev->flags & ~known_flags);
	known_missing = r->version >= 3 ? RECORD_KNOWN_MISSING : RECORD_KNOWN_MISSING_V2;
	if (ev->missing & ~known_missing)
		return failf(r, "corrupt record at offset %llu: unknown missing-field bits 0x%x", at,
			     ev->missing & ~known_missing);
	for (int i = 0; i <= ev->nr_args; i++)
		ev->regs[i] = get_u64(g);
	if (r->version < 3)	/* not recorded before format 3 */
		ev->missing |= EVM_GUEST_CLOCK;
	return 0;
}

static int check_end(struct record_reader *r, struct get *g, __u64 rec)
{
	unsigned long long at = rec;
	__u64 bits;

	r->end.calls = get_u64(g);
	r->end.lost = get_u64(g);
	bits = get_u64(g);
	memcpy(&r->end.duration_s, &bits, sizeof(bits));
	if (r->end.calls != r->calls)
		return failf(r, "corrupt record at offset %llu: the end record counts %llu calls, the file holds %llu",
			     at, (unsigned long long)r->end.calls, (unsigned long long)r->calls);
	if (r->end.lost != r->lost)
		return failf(r, "corrupt record at offset %llu: the end record counts %llu lost calls, the lost records %llu",
			     at, (unsigned long long)r->end.lost, (unsigned long long)r->lost);
	/* NaN fails both comparisons */
	if (!(r->end.duration_s >= 0 && r->end.duration_s <= 1e12))
		return failf(r, "corrupt record at offset %llu: duration 0x%llx is not a number of seconds",
			     at, (unsigned long long)bits);
	if (fill(r, 1))
		return failf(r, "corrupt record at offset %llu: data after the end record", (unsigned long long)r->offset);
	r->ended = true;
	return 0;
}

static size_t lost_size(const struct record_reader *r)
{
	return r->version >= 2 ? RECORD_LOST_SIZE : RECORD_LOST_SIZE_V1;
}

/* A LOST record's payload (the size was checked). */
static int decode_lost(struct record_reader *r, struct get *g, __u64 rec, struct record_item *it)
{
	unsigned long long at = rec;
	__u32 reserved = 0;

	it->kind = RECORD_ITEM_LOST;
	it->ts_ns = get_u64(g);
	it->count = get_u64(g);
	it->cause = RECORD_CAUSE_UNKNOWN;
	if (r->version >= 2) {
		it->cause = get_u32(g);
		reserved = get_u32(g);
	}
	if (!it->count)
		return failf(r, "corrupt record at offset %llu: a lost record of 0 calls", at);
	if (it->cause >= LOST__COUNT && it->cause != RECORD_CAUSE_UNKNOWN)
		return failf(r, "corrupt record at offset %llu: loss cause %u is not 0..%d", at, it->cause, LOST__COUNT - 1);
	if (reserved)
		return failf(r, "corrupt record at offset %llu: reserved field is 0x%x, not 0", at, reserved);
	if (r->lost + it->count < r->lost)
		return failf(r, "corrupt record at offset %llu: lost calls overflow", at);
	r->lost += it->count;
	if (it->cause == RECORD_CAUSE_UNKNOWN)
		r->causes_known = false;
	else
		r->lost_by_cause[it->cause] += it->count;
	return 0;
}

/* A PROCESS record's payload (at most RECORD_PROCESS_MAX bytes): the name in r->guest */
static int decode_process(struct record_reader *r, struct get *g, __u64 rec, struct record_item *it)
{
	unsigned long long at = rec;
	__u32 reserved;
	__u8 n;

	it->kind = RECORD_ITEM_PROCESS;
	it->pid = get_u32(g);
	reserved = get_u32(g);
	n = get_u8(g);
	if (g->short_read || g->len < RECORD_PROCESS_MIN || g->pos + n != g->len || !n)
		return failf(r, "corrupt record at offset %llu: a process record of %zu bytes with a name of %u",
			     at, g->len, n);
	if (!it->pid || it->pid > RECORD_PID_MAX)
		return failf(r, "corrupt record at offset %llu: process id %u", at, it->pid);
	if (reserved)
		return failf(r, "corrupt record at offset %llu: reserved field is 0x%x, not 0", at, reserved);
	for (__u8 i = 0; i < n; i++) {
		unsigned char c = g->buf[g->pos + i];

		if (c < 0x20 || c >= 0x7f)
			return failf(r, "corrupt record at offset %llu: guest name holds byte 0x%02x", at, c);
		r->guest[i] = (char)c;
	}
	r->guest[n] = 0;
	g->pos += n;
	it->guest = r->guest;
	return 0;
}

/* Reads one framed record: *payload points at it in the block until the next read.
 * Returns its type, or -1 with r->err. */
static int read_record(struct record_reader *r, const unsigned char **payload, size_t *len, __u64 *rec)
{
	const unsigned char *frame;
	struct get g;
	size_t got, need;
	__u16 type, zero;
	__u32 n;

	*rec = r->offset;
	got = take(r, RECORD_FRAME_LEN, &frame);
	g = (struct get){ frame, 0, got, false };
	r->truncated = got < RECORD_FRAME_LEN;	/* the file ends here: whole records before */
	r->truncated_at = *rec;
	if (got == 0)
		return failf(r, "truncated at offset %llu: no end record (the tracer did not finish)",
			     (unsigned long long)*rec);
	if (got < RECORD_FRAME_LEN)
		return failf(r, "truncated at offset %llu: a record frame needs %d bytes, %zu left",
			     (unsigned long long)*rec, RECORD_FRAME_LEN, got);
	type = get_u16(&g);
	zero = get_u16(&g);
	n = get_u32(&g);
	if (type < REC_HEADER || type > REC_PROCESS || (type == REC_PROCESS && r->version < 4))
		return failf(r, "corrupt record at offset %llu: unknown record type %u", (unsigned long long)*rec, type);
	if (zero)
		return failf(r, "corrupt record at offset %llu: reserved field is 0x%x, not 0",
			     (unsigned long long)*rec, zero);
	need = type == REC_HEADER ? RECORD_HEADER_MAX :
	       type == REC_CALL ? RECORD_CALL_SIZE(SMCCC_MAX_ARGS) :
	       type == REC_PROCESS ? RECORD_PROCESS_MAX :
	       type == REC_LOST ? lost_size(r) : RECORD_END_SIZE;
	if (n > need || (type == REC_LOST && n != need) || (type == REC_END && n != RECORD_END_SIZE))
		return failf(r, "corrupt record at offset %llu: %s record of %u bytes (%s %zu)",
			     (unsigned long long)*rec, type_name(type), n,
			     type == REC_LOST || type == REC_END ? "must be" : "at most", need);
	got = take(r, n, payload);
	r->truncated = got < n;
	if (got < n)
		return failf(r, "truncated at offset %llu: %s record of %u bytes, %zu left",
			     (unsigned long long)*rec, type_name(type), n, got);
	*len = n;
	return type;
}

int record_reader_open(struct record_reader *r, FILE *in)
{
	const unsigned char *pre, *buf;
	struct get g;
	size_t got, len;
	__u64 rec;
	int type;

	memset(r, 0, offsetof(struct record_reader, block));	/* the block needs no zeros */
	r->in = in;
	got = take(r, RECORD_PREAMBLE_LEN, &pre);
	if (memcmp(pre, RECORD_MAGIC, got < RECORD_MAGIC_LEN ? got : RECORD_MAGIC_LEN))
		return failf(r, "not a smccctrace record file (no %s magic at offset 0)", RECORD_MAGIC);
	g = (struct get){ pre, RECORD_MAGIC_LEN, got, false };
	r->truncated = got < RECORD_PREAMBLE_LEN;	/* truncated_at is 0 */
	if (got < RECORD_PREAMBLE_LEN)
		return failf(r, "truncated at offset 0: the file header needs %d bytes, the file has %zu",
			     RECORD_PREAMBLE_LEN, got);
	r->version = get_u32(&g);
	if (r->version < RECORD_VERSION_MIN || r->version > RECORD_VERSION)
		return failf(r, "unsupported format version %u at offset %d (this smccctrace reads versions %d..%d)",
			     r->version, RECORD_MAGIC_LEN, RECORD_VERSION_MIN, RECORD_VERSION);
	r->causes_known = true;		/* until a LOST record without its cause */
	type = read_record(r, &buf, &len, &rec);
	if (type < 0) {
		if (rec == r->offset)	/* nothing after the preamble */
			return failf(r, "truncated at offset %llu: no header record", (unsigned long long)rec);
		return -1;
	}
	if (type != REC_HEADER)
		return failf(r, "corrupt record at offset %llu: the first record is a %s record, not the header",
			     (unsigned long long)rec, type_name((__u16)type));
	g = (struct get){ buf, 0, len, false };
	if (decode_header(r, &g, rec))
		return -1;
	if (g.pos != len)
		return failf(r, "corrupt record at offset %llu: %zu stray bytes at the end of the header",
			     (unsigned long long)rec, len - g.pos);
	return 0;
}

int record_reader_next(struct record_reader *r, struct record_item *it)
{
	const unsigned char *buf;
	struct get g;
	size_t len;
	__u64 rec;
	int type;

	if (r->ended)
		return 0;
	type = read_record(r, &buf, &len, &rec);
	if (type < 0)
		return -1;
	g = (struct get){ buf, 0, len, false };
	memset(it, 0, sizeof(*it));
	it->offset = rec;
	switch (type) {
	case REC_CALL:
		if (decode_call(r, &g, rec, &it->ev))
			return -1;
		it->kind = RECORD_ITEM_CALL;
		r->calls++;
		return 1;
	case REC_LOST:
		return decode_lost(r, &g, rec, it) ? -1 : 1;
	case REC_PROCESS:
		return decode_process(r, &g, rec, it) ? -1 : 1;
	case REC_END:
		return check_end(r, &g, rec) ? -1 : 0;
	default:
		return failf(r, "corrupt record at offset %llu: a second header", (unsigned long long)rec);
	}
}
