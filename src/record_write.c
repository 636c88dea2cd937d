/* The record file format's writer (spec: docs/record-format.md); its validating reader
 * is src/record_read.c. */
#include "record.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* ---- little-endian encoding ---- */

struct put {
	unsigned char *buf;
	size_t pos, cap;
};

static void put_bytes(struct put *p, const void *src, size_t n)
{
	if (p->pos + n <= p->cap)
		memcpy(p->buf + p->pos, src, n);
	p->pos += n;	/* an overrun shows as pos > cap; callers size buffers so it cannot happen */
}

static void put_le(struct put *p, __u64 v, int bytes)
{
	unsigned char b[8];

	for (int i = 0; i < bytes; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	put_bytes(p, b, (size_t)bytes);
}

static void put_u8(struct put *p, __u8 v) { put_le(p, v, 1); }
static void put_u16(struct put *p, __u16 v) { put_le(p, v, 2); }
static void put_u32(struct put *p, __u32 v) { put_le(p, v, 4); }
static void put_u64(struct put *p, __u64 v) { put_le(p, v, 8); }

static __u64 double_bits(double d)
{
	__u64 v;

	memcpy(&v, &d, sizeof(v));
	return v;
}

/* Header strings are at most 255 printable ASCII bytes; others are replaced by '?'
 * and long ones cut, so the writer never produces a file its reader rejects. */
static void put_string(struct put *p, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > RECORD_STRING_MAX)
		n = RECORD_STRING_MAX;
	put_u8(p, (__u8)n);
	for (size_t i = 0; i < n; i++)
		put_u8(p, s[i] >= 0x20 && s[i] < 0x7f ? (__u8)s[i] : '?');
}

static int write_record(FILE *out, enum record_type type, const struct put *payload)
{
	unsigned char frame[RECORD_FRAME_LEN];
	struct put f = { frame, 0, sizeof(frame) };

	if (payload->pos > payload->cap) {
		errno = EOVERFLOW;
		return -1;
	}
	put_u16(&f, (__u16)type);
	put_u16(&f, 0);
	put_u32(&f, (__u32)payload->pos);
	if (fwrite(frame, 1, sizeof(frame), out) != sizeof(frame) ||
	    fwrite(payload->buf, 1, payload->pos, out) != payload->pos) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

int record_write_start(FILE *out, const struct trace_info *info)
{
	unsigned char pre[RECORD_PREAMBLE_LEN], buf[RECORD_HEADER_MAX];
	struct put p = { pre, 0, sizeof(pre) };
	int nr_hooks = info->nr_hooks < TRACE_MAX_HOOKS ? info->nr_hooks : TRACE_MAX_HOOKS;

	put_bytes(&p, RECORD_MAGIC, RECORD_MAGIC_LEN);
	put_u32(&p, RECORD_VERSION);
	if (fwrite(pre, 1, p.pos, out) != p.pos) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	p = (struct put){ buf, 0, sizeof(buf) };
	put_u64(&p, info->monotonic_ns);
	put_u64(&p, info->realtime_ns);
	put_u64(&p, info->boottime_ns);
	put_u64(&p, info->cntfrq);
	put_u8(&p, (__u8)(nr_hooks > 0 ? nr_hooks : 0));
	put_string(&p, info->tool_version);
	put_string(&p, info->kernel_release);
	put_string(&p, info->machine);
	put_string(&p, info->plan);
	put_string(&p, info->handler);
	for (int i = 0; i < nr_hooks; i++) {
		put_string(&p, info->hooks[i].role);
		put_string(&p, info->hooks[i].kind);
		put_string(&p, info->hooks[i].target);
	}
	return write_record(out, REC_HEADER, &p);
}

int record_write_call(FILE *out, const struct smccc_event *ev)
{
	unsigned char buf[RECORD_CALL_SIZE(SMCCC_MAX_ARGS)];
	struct put p = { buf, 0, sizeof(buf) };
	int nr_args = ev->nr_args <= SMCCC_MAX_ARGS ? ev->nr_args : SMCCC_MAX_ARGS;

	put_u64(&p, ev->ts_ns);
	put_u64(&p, ev->kvm_ns);
	put_u64(&p, ev->vmm_ns);
	put_u64(&p, ev->pc);
	put_u64(&p, ev->pstate);
	for (int i = 0; i < SMCCC_NR_RESULTS; i++)
		put_u64(&p, ev->ret[i]);
	put_u32(&p, ev->esr);
	put_u32(&p, ev->pid);
	put_u32(&p, ev->tid);
	put_u32(&p, ev->vm);
	put_u32(&p, ev->vcpu);
	put_u16(&p, ev->imm);
	put_u16(&p, ev->missing);
	put_u8(&p, ev->conduit);
	put_u8(&p, ev->disposition);
	put_u8(&p, ev->isa);
	put_u8(&p, ev->insn_bits);
	put_u8(&p, (__u8)nr_args);
	put_u8(&p, ev->flags);
	put_u64(&p, ev->guest_cntvct);
	for (int i = 0; i <= nr_args; i++)
		put_u64(&p, ev->regs[i]);
	return write_record(out, REC_CALL, &p);
}

int record_write_lost(FILE *out, __u64 ts_ns, unsigned cause, __u64 count)
{
	unsigned char buf[RECORD_LOST_SIZE];
	struct put p = { buf, 0, sizeof(buf) };

	put_u64(&p, ts_ns);
	put_u64(&p, count);
	put_u32(&p, cause < LOST__COUNT ? cause : RECORD_CAUSE_UNKNOWN);
	put_u32(&p, 0);
	return write_record(out, REC_LOST, &p);
}

int record_write_process(FILE *out, __u32 pid, const char *guest)
{
	unsigned char buf[RECORD_PROCESS_MAX];
	struct put p = { buf, 0, sizeof(buf) };

	put_u32(&p, pid);
	put_u32(&p, 0);
	put_string(&p, guest && *guest ? guest : "?");
	return write_record(out, REC_PROCESS, &p);
}

int record_write_end(FILE *out, const struct record_end *end)
{
	unsigned char buf[RECORD_END_SIZE];
	struct put p = { buf, 0, sizeof(buf) };

	put_u64(&p, end->calls);
	put_u64(&p, end->lost);
	put_u64(&p, double_bits(end->duration_s));
	return write_record(out, REC_END, &p);
}
