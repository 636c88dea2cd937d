// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the record file format (src/record_write.c, src/record_read.c):
 * a round trip keeps every field, and every truncation and every kind of corruption
 * is an error naming the right offset.
 *
 * The byte offsets below are written from docs/record-format.md, not taken from the
 * code, so a change of layout that the writer and reader make together (and a
 * round trip would not notice) still fails here.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "unit.h"
#include "record.h"

/* docs/record-format.md */
#define PREAMBLE	12
#define FRAME		8
#define CALL_PID	76
#define CALL_VCPU	88
#define CALL_MISSING	94
#define CALL_CONDUIT	96
#define CALL_DISP	97
#define CALL_ISA	98
#define CALL_BITS	99
#define CALL_NR_ARGS	100
#define CALL_FLAGS	101
#define CALL_GUEST_CNTVCT	102	/* format 3 */
#define CALL_REGS	110
#define HDR_CNTFRQ	24		/* format 3 */
#define HDR_NR_HOOKS	32
#define HDR_STRINGS	33
#define CALL_REGS_V2	102
#define HDR_NR_HOOKS_V2	24

struct file {
	unsigned char *buf;
	size_t len;
	size_t header, call[4], lost, end;	/* record offsets */
	struct smccc_event ev[4];
};

static const struct trace_info sample_info = {
	.tool_version = "9.8.7",
	.kernel_release = "6.12.95+deb12-arm64",
	.machine = "aarch64",
	.plan = "fentry/fexit",
	.handler = "kvm_smccc_call_handler",
	.hooks = {
		{ "trap hvc", "fentry", "handle_hvc" },
		{ "trap hvc done", "fexit", "handle_hvc" },
	},
	.nr_hooks = 2,
	.monotonic_ns = 123456789012ull,
	.realtime_ns = 1790000000123456789ull,
	.boottime_ns = 123999999999ull,
	.cntfrq = 62500000,
};

static void sample_event(struct smccc_event *ev, int i)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = sample_info.monotonic_ns + 1000 * (unsigned)i + 7;
	ev->kvm_ns = 1500 + (unsigned)i;
	ev->vmm_ns = i == 1 ? 2000000 : 0;
	ev->pc = 0xffff800080001234ull + (unsigned)i;
	ev->pstate = 0x3c5;
	ev->esr = 0x5a000000u | (unsigned)i;
	ev->pid = 4242;
	ev->tid = 4243 + (unsigned)i;
	ev->vm = 1;
	ev->vcpu = (unsigned)i;
	ev->imm = (__u16)(i == 3 ? 0xffff : 0);
	ev->conduit = i == 2 ? CONDUIT_SMC : CONDUIT_HVC;
	ev->disposition = (__u8)i;	/* kvm, denied, forwarded, refused */
	ev->isa = (__u8)(i % 3);
	ev->insn_bits = i == 2 ? 16 : 32;
	ev->nr_args = (__u8)(i == 0 ? 7 : i == 1 ? 17 : i == 2 ? 0 : 3);
	ev->flags = (__u8)(i == 3 ? EVF_SYSTEM_EVENT | EVF_VMM_GONE | EVF_HANDLER_ERROR : 0);
	ev->missing = (__u16)(i == 3 ? EVM_ARGS | EVM_RET | EVM_FUNC | EVM_IMM | EVM_VCPU | EVM_ISA | EVM_DISPOSITION |
				     EVM_GUEST_CLOCK : 0);
	ev->guest_cntvct = i == 3 ? 0 : 0x0102030405060708ull + (unsigned)i;
	for (int r = 0; r <= ev->nr_args; r++)
		ev->regs[r] = 0x0123456789abcdefull * (unsigned)(r + 1) + (unsigned)i;
	ev->regs[0] = 0xc4000003;
	for (int r = 0; r < SMCCC_NR_RESULTS; r++)
		ev->ret[r] = 0xf0d0000000000000ull | (unsigned)(i << 8) | (unsigned)r;
}

/* header, 4 calls, a lost record, end */
static void build(struct file *f)
{
	FILE *out;
	struct record_end end = { .calls = 4, .lost = 5, .duration_s = 1.0 / 3.0 };

	memset(f, 0, sizeof(*f));
	out = open_memstream((char **)&f->buf, &f->len);
	CHECK(record_write_start(out, &sample_info) == 0, "write header");
	f->header = PREAMBLE;
	for (int i = 0; i < 4; i++) {
		fflush(out);
		f->call[i] = (size_t)ftell(out);
		sample_event(&f->ev[i], i);
		CHECK(record_write_call(out, &f->ev[i]) == 0, "write call %d", i);
	}
	f->lost = (size_t)ftell(out);
	CHECK(record_write_lost(out, sample_info.monotonic_ns + 500, LOST_CALL_STATE, 5) == 0, "write lost");
	f->end = (size_t)ftell(out);
	CHECK(record_write_end(out, &end) == 0, "write end");
	fclose(out);
}

/* Reads buf fully; returns 0 and the items, or -1 with the reader's error. */
static int read_all(const unsigned char *buf, size_t len, struct record_reader *r, struct record_item *items,
		    int max, int *n)
{
	FILE *in = fmemopen((void *)buf, len, "rb");
	int rc;

	*n = 0;
	if (!in)
		return -2;
	rc = record_reader_open(r, in);
	while (rc == 0) {
		struct record_item it;
		int got = record_reader_next(r, &it);

		if (got < 0)
			rc = -1;
		else if (got == 0)
			break;
		else if (*n < max)
			items[(*n)++] = it;
	}
	fclose(in);
	return rc;
}

static bool same_event(const struct smccc_event *a, const struct smccc_event *b)
{
	bool same = a->ts_ns == b->ts_ns && a->kvm_ns == b->kvm_ns && a->vmm_ns == b->vmm_ns && a->pc == b->pc &&
		    a->pstate == b->pstate && a->esr == b->esr && a->pid == b->pid && a->tid == b->tid &&
		    a->vm == b->vm && a->vcpu == b->vcpu && a->imm == b->imm && a->conduit == b->conduit &&
		    a->disposition == b->disposition && a->isa == b->isa && a->insn_bits == b->insn_bits &&
		    a->nr_args == b->nr_args && a->flags == b->flags && a->missing == b->missing &&
		    a->guest_cntvct == b->guest_cntvct;

	for (int i = 0; i < SMCCC_NR_RESULTS; i++)
		same = same && a->ret[i] == b->ret[i];
	for (int i = 0; i < SMCCC_NR_REGS; i++)
		same = same && a->regs[i] == (i <= a->nr_args ? b->regs[i] : 0);
	return same;
}

static void test_round_trip(void)
{
	static struct record_reader r;
	struct record_item it[8];
	struct file f;
	int n;

	build(&f);
	CHECK(read_all(f.buf, f.len, &r, it, 8, &n) == 0, "read: %s", r.err);
	CHECK_INT(n, 5);
	for (int i = 0; i < 4 && i < n; i++) {
		CHECK(it[i].kind == RECORD_ITEM_CALL, "item %d is a call", i);
		CHECK(same_event(&it[i].ev, &f.ev[i]), "call %d equal after the round trip", i);
		CHECK_INT(it[i].offset, f.call[i]);
	}
	if (n == 5) {
		CHECK(it[4].kind == RECORD_ITEM_LOST, "item 4 is a lost record");
		CHECK_INT(it[4].ts_ns, sample_info.monotonic_ns + 500);
		CHECK_INT(it[4].count, 5);
		CHECK_INT(it[4].cause, LOST_CALL_STATE);
	}
	CHECK(r.causes_known, "format 2: the causes are known");
	CHECK_INT(r.lost_by_cause[LOST_CALL_STATE], 5);
	CHECK_INT(r.lost_by_cause[LOST_RING_BUFFER], 0);
	CHECK_STR(r.info.tool_version, "9.8.7");
	CHECK_STR(r.info.kernel_release, "6.12.95+deb12-arm64");
	CHECK_STR(r.info.machine, "aarch64");
	CHECK_STR(r.info.plan, "fentry/fexit");
	CHECK_STR(r.info.handler, "kvm_smccc_call_handler");
	CHECK_INT(r.info.nr_hooks, 2);
	CHECK_STR(r.info.hooks[1].role, "trap hvc done");
	CHECK_STR(r.info.hooks[1].kind, "fexit");
	CHECK_STR(r.info.hooks[1].target, "handle_hvc");
	CHECK(r.info.monotonic_ns == sample_info.monotonic_ns && r.info.realtime_ns == sample_info.realtime_ns &&
	      r.info.boottime_ns == sample_info.boottime_ns, "clocks kept");
	CHECK_INT(r.info.cntfrq, 62500000);
	CHECK_INT(r.end.calls, 4);
	CHECK_INT(r.end.lost, 5);
	CHECK(r.end.duration_s == 1.0 / 3.0, "duration kept bit for bit: %.17g", r.end.duration_s);
	/* the layout of docs/record-format.md, field by field */
	CHECK(!memcmp(f.buf, "SMCCCREC\4\0\0\0", 12), "magic and version 4");
	CHECK_INT(f.buf[f.header + FRAME + HDR_CNTFRQ] | f.buf[f.header + FRAME + HDR_CNTFRQ + 1] << 8 |
		  f.buf[f.header + FRAME + HDR_CNTFRQ + 2] << 16 | f.buf[f.header + FRAME + HDR_CNTFRQ + 3] << 24, 62500000);
	CHECK_INT(f.buf[f.call[1] + FRAME + CALL_GUEST_CNTVCT], 0x09);	/* 0x0102030405060709, little-endian */
	CHECK_INT(f.buf[f.call[1] + FRAME + CALL_GUEST_CNTVCT + 7], 0x01);
	CHECK_INT(f.buf[f.header], REC_HEADER);
	CHECK_INT(f.buf[f.header + FRAME + HDR_NR_HOOKS], 2);
	CHECK_INT(f.buf[f.header + FRAME + HDR_STRINGS], 5);	/* strlen("9.8.7") */
	CHECK_INT(f.call[1] - f.call[0], FRAME + CALL_REGS + 8 * 8);	/* x0..x7 */
	CHECK_INT(f.call[2] - f.call[1], FRAME + CALL_REGS + 18 * 8);	/* x0..x17 */
	CHECK_INT(f.buf[f.call[1]], REC_CALL);
	CHECK_INT(f.buf[f.call[1] + FRAME + CALL_DISP], DISP_DENIED);
	CHECK_INT(f.buf[f.call[2] + FRAME + CALL_CONDUIT], CONDUIT_SMC);
	CHECK_INT(f.buf[f.call[2] + FRAME + CALL_BITS], 16);
	CHECK_INT(f.buf[f.call[1] + FRAME + CALL_NR_ARGS], 17);
	CHECK_INT(f.buf[f.call[3] + FRAME + CALL_FLAGS], 7);
	CHECK_INT(f.buf[f.call[3] + FRAME + CALL_MISSING], 0xff);
	CHECK_INT(f.buf[f.call[0] + FRAME + CALL_PID] | f.buf[f.call[0] + FRAME + CALL_PID + 1] << 8, 4242);
	CHECK_INT(f.buf[f.call[0] + FRAME + CALL_REGS], 0x03);	/* x0 = 0xc4000003, little-endian */
	CHECK_INT(f.buf[f.call[0] + FRAME + CALL_REGS + 3], 0xc4);
	CHECK_INT(f.buf[f.lost], REC_LOST);
	CHECK_INT(f.buf[f.lost + 4], 24);	/* payload: ts, count, cause, reserved */
	CHECK_INT(f.buf[f.lost + FRAME + 16], LOST_CALL_STATE);
	CHECK_INT(f.end - f.lost, FRAME + 24);
	CHECK_INT(f.buf[f.end], REC_END);
	CHECK_INT(f.len, f.end + FRAME + 24);
	free(f.buf);
}

/* Every prefix of a valid file is an error naming a record boundary at or before
 * the cut, never a crash or a success. */
static void test_every_truncation(void)
{
	static struct record_reader r;
	struct record_item it[8];
	struct file f;
	int bad = 0, n;

	build(&f);
	for (size_t cut = 0; cut < f.len; cut++) {
		unsigned long long at;
		const char *p;

		if (read_all(f.buf, cut, &r, it, 8, &n) != -1) {
			bad++;
			printf("not ok - a file cut at %zu bytes was read without error\n", cut);
			continue;
		}
		p = strstr(r.err, "truncated at offset ");
		if (!p || sscanf(p, "truncated at offset %llu", &at) != 1 || at > cut) {
			bad++;
			printf("not ok - cut at %zu: '%s'\n", cut, r.err);
		} else if (!r.truncated || r.truncated_at != at) {
			/* report renders the whole records before truncated_at */
			bad++;
			printf("not ok - cut at %zu: not flagged truncated at %llu\n", cut, at);
		}
	}
	CHECK(bad == 0, "%d of %zu truncations misreported", bad, f.len);
	/* the cut at a record boundary names it: the end record is missing */
	CHECK(read_all(f.buf, f.end, &r, it, 8, &n) == -1, "no end record");
	CHECK(strstr(r.err, "no end record") != NULL, "%s", r.err);
	CHECK_INT(strtoull(strstr(r.err, "offset ") + 7, NULL, 10), f.end);
	free(f.buf);
}

static void put32(unsigned char *p, __u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* One corruption: edit a copy of the file, expect an error with want and "offset at". */
static void expect_corrupt(const char *what, const struct file *f, size_t pos, int byte, size_t append,
			   const char *want, size_t at)
{
	static struct record_reader r;
	struct record_item it[8];
	unsigned char *buf = calloc(1, f->len + append + 1);
	char offset[64];
	const char *p;
	int n;

	memcpy(buf, f->buf, f->len);
	if (byte >= 0)
		buf[pos] = (unsigned char)byte;
	CHECK(read_all(buf, f->len + append, &r, it, 8, &n) == -1, "%s: read without error", what);
	snprintf(offset, sizeof(offset), "offset %zu", at);
	p = strstr(r.err, offset);
	CHECK(strstr(r.err, want) && p && !isdigit((unsigned char)p[strlen(offset)]),
	      "%s: got '%s', want '%s' at %s", what, r.err, want, offset);
	CHECK(!r.truncated || strstr(want, "truncated"), "%s: a corruption taken for a truncated file", what);
	free(buf);
}

static void test_corruptions(void)
{
	struct file f;
	size_t c0, c1, c2;

	build(&f);
	c0 = f.call[0], c1 = f.call[1], c2 = f.call[2];
	expect_corrupt("magic", &f, 3, 'X', 0, "not a smccctrace record file", 0);
	expect_corrupt("format version", &f, 8, 5, 0, "unsupported format version 5", 8);
	expect_corrupt("format version 0", &f, 8, 0, 0, "unsupported format version 0", 8);
	expect_corrupt("first record not a header", &f, f.header, REC_CALL, 0, "not the header", f.header);
	expect_corrupt("header hooks", &f, f.header + FRAME + HDR_NR_HOOKS, 200, 0, "200 attach hooks", f.header);
	expect_corrupt("header string byte", &f, f.header + FRAME + HDR_STRINGS + 2, 0x07, 0, "holds byte 0x07", f.header);
	expect_corrupt("header string length", &f, f.header + FRAME + HDR_STRINGS, 250, 0, "runs past the record", f.header);
	expect_corrupt("unknown record type", &f, c0, 9, 0, "unknown record type 9", c0);
	expect_corrupt("reserved field", &f, c0 + 2, 1, 0, "reserved field", c0);
	expect_corrupt("second header", &f, c1, REC_HEADER, 0, "a second header", c1);
	expect_corrupt("call nr_args", &f, c0 + FRAME + CALL_NR_ARGS, 18, 0, "18 arguments", c0);
	expect_corrupt("call size", &f, c0 + FRAME + CALL_NR_ARGS, 6, 0, "expected for 6 arguments", c0);
	expect_corrupt("conduit", &f, c0 + FRAME + CALL_CONDUIT, 2, 0, "conduit 2", c0);
	expect_corrupt("disposition", &f, c1 + FRAME + CALL_DISP, 5, 0, "disposition 5", c1);	/* 4 is reflected */
	expect_corrupt("isa", &f, c2 + FRAME + CALL_ISA, 3, 0, "instruction set 3", c2);
	expect_corrupt("insn bits", &f, c2 + FRAME + CALL_BITS, 8, 0, "width 8", c2);
	expect_corrupt("flags", &f, c0 + FRAME + CALL_FLAGS, 0x80, 0, "unknown flags 0x80", c0);
	expect_corrupt("missing bits", &f, c0 + FRAME + CALL_MISSING + 1, 0x80, 0, "missing-field bits 0x8000", c0);
	expect_corrupt("lost count 0", &f, f.lost + FRAME + 8, 0, 0, "lost record of 0 calls", f.lost);
	expect_corrupt("lost length", &f, f.lost + 4, 17, 0, "lost record of 17 bytes", f.lost);
	expect_corrupt("lost length of version 1", &f, f.lost + 4, 16, 0, "lost record of 16 bytes", f.lost);
	expect_corrupt("lost cause", &f, f.lost + FRAME + 16, LOST__COUNT, 0, "loss cause", f.lost);
	expect_corrupt("lost reserved", &f, f.lost + FRAME + 20, 1, 0, "reserved field is 0x1", f.lost);
	expect_corrupt("end calls", &f, f.end + FRAME, 3, 0, "counts 3 calls, the file holds 4", f.end);
	expect_corrupt("end lost", &f, f.end + FRAME + 8, 6, 0, "counts 6 lost calls", f.end);
	expect_corrupt("end duration", &f, f.end + FRAME + 23, 0xff, 0, "not a number of seconds", f.end);
	expect_corrupt("data after the end", &f, 0, -1, 1, "data after the end record", f.len);

	/* a call length past any valid size */
	{
		struct file g = f;

		g.buf = malloc(f.len);
		memcpy(g.buf, f.buf, f.len);
		put32(g.buf + c0 + 4, 1u << 30);
		expect_corrupt("huge call", &g, 0, -1, 0, "call record of 1073741824 bytes", c0);
		put32(g.buf + f.header + 4, 1u << 20);
		expect_corrupt("huge header", &g, 0, -1, 0, "header record of 1048576 bytes", f.header);
		free(g.buf);
	}
	free(f.buf);
}

/* The same file in format 2: the header without cntfrq, the calls without
 * guest_cntvct (docs/record-format.md, "Versions"). */
static unsigned char *to_version_2(const struct file *f, size_t *len)
{
	unsigned char *out = malloc(f->len);
	size_t in = PREAMBLE, o = PREAMBLE;

	memcpy(out, f->buf, PREAMBLE);
	out[8] = 2;
	while (in + FRAME <= f->len) {
		unsigned type = f->buf[in];
		__u32 n = (__u32)f->buf[in + 4] | (__u32)f->buf[in + 5] << 8 | (__u32)f->buf[in + 6] << 16;
		size_t cut = type == REC_HEADER ? HDR_CNTFRQ : type == REC_CALL ? CALL_GUEST_CNTVCT : n;
		size_t drop = type == REC_HEADER || type == REC_CALL ? 8 : 0;

		memcpy(out + o, f->buf + in, FRAME);
		put32(out + o + 4, n - (__u32)drop);
		memcpy(out + o + FRAME, f->buf + in + FRAME, cut);
		memcpy(out + o + FRAME + cut, f->buf + in + FRAME + cut + drop, n - cut - drop);
		if (type == REC_CALL)	/* format 2 has no guest-clock bit */
			out[o + FRAME + CALL_MISSING] &= (unsigned char)~EVM_GUEST_CLOCK;
		in += FRAME + n;
		o += FRAME + n - drop;
	}
	*len = o;
	return out;
}

/* A version 2 file is read: no cntfrq, and every call's guest_cntvct is missing. */
static void test_version_2(void)
{
	static struct record_reader r;
	struct record_item it[8];
	unsigned char *v2;
	struct file f;
	size_t len;
	int n;

	build(&f);
	v2 = to_version_2(&f, &len);
	CHECK_INT(len, f.len - 5 * 8);	/* a header and four calls, 8 bytes each */
	CHECK_INT(v2[PREAMBLE + FRAME + HDR_NR_HOOKS_V2], 2);
	CHECK(read_all(v2, len, &r, it, 8, &n) == 0, "version 2 read: %s", r.err);
	CHECK_INT(r.version, 2);
	CHECK_INT(r.info.cntfrq, 0);
	CHECK_INT(n, 5);
	for (int i = 0; i < 4 && i < n; i++) {
		struct smccc_event want = f.ev[i];

		want.missing |= EVM_GUEST_CLOCK;
		want.guest_cntvct = 0;
		CHECK(same_event(&it[i].ev, &want), "version 2 call %d: as written, guest_cntvct missing", i);
	}
	CHECK(r.causes_known, "version 2: the causes are known");
	/* format 2 knows no guest-clock bit: a call claiming it is corrupt */
	v2[f.call[0] - 8 + FRAME + CALL_MISSING] = 0x80;
	CHECK(read_all(v2, len, &r, it, 8, &n) == -1 && strstr(r.err, "missing-field bits 0x80"),
	      "version 2: missing bit 0x80 refused: %s", r.err);
	free(v2);
	free(f.buf);
}

/* Version 4's PROCESS records: a VMM's guest name, read back before its calls; a
 * version 3 file cannot hold one; a bad one is corruption that names its offset. */
static void test_process_records(void)
{
	static struct record_reader r;
	struct record_item it[8];
	unsigned char *buf = NULL;
	size_t len = 0, proc;
	struct smccc_event ev;
	FILE *out = open_memstream((char **)&buf, &len);
	struct record_end end = { .calls = 1, .lost = 0, .duration_s = 1.0 };
	int n;

	sample_event(&ev, 0);
	CHECK(record_write_start(out, &sample_info) == 0, "header");
	fflush(out);
	proc = (size_t)ftell(out);
	CHECK(record_write_process(out, ev.pid, "vm,1\t") == 0, "process");
	CHECK(record_write_call(out, &ev) == 0, "call");
	CHECK(record_write_end(out, &end) == 0, "end");
	fclose(out);
	CHECK(read_all(buf, len, &r, it, 8, &n) == 0, "read: %s", r.err);
	CHECK_INT(n, 2);
	CHECK(it[0].kind == RECORD_ITEM_PROCESS && it[0].pid == ev.pid, "process item first");
	/* the pointer is the reader's: still the last name read */
	CHECK_STR(it[0].guest, "vm,1?");
	CHECK(it[1].kind == RECORD_ITEM_CALL && it[1].ev.pid == ev.pid, "then the call");
	CHECK_INT(len - proc >= FRAME + 9, 1);

	struct file f = { .buf = buf, .len = len };

	expect_corrupt("process name byte", &f, proc + FRAME + 9, 0x01, 0, "guest name holds byte 0x01", proc);
	expect_corrupt("process pid out of range", &f, proc + FRAME + 3, 0xff, 0, "process id", proc);
	expect_corrupt("process reserved", &f, proc + FRAME + 4, 1, 0, "reserved field is 0x1", proc);
	expect_corrupt("process name length", &f, proc + FRAME + 8, 9, 0, "a process record of", proc);
	expect_corrupt("process name empty", &f, proc + FRAME + 8, 0, 0, "a process record of", proc);
	expect_corrupt("process record in a version 3 file", &f, 8, 3, 0, "unknown record type 5", proc);
	free(buf);
}

/* The writer never produces what the reader rejects, whatever the strings. */
/* A version 1 file (LOST records of 16 bytes, no cause) is still read; its losses'
 * causes are unknown. Made from the version 2 file: version byte, LOST frame cut. */
static void test_version_1(void)
{
	static struct record_reader r;
	struct record_item it[8];
	unsigned char *v1;
	struct file f;
	size_t len;
	int n;

	unsigned char *v2;
	size_t len2, lost, end;

	build(&f);
	v2 = to_version_2(&f, &len2);
	lost = f.lost - 5 * 8, end = f.end - 5 * 8;	/* where they are in format 2 */
	len = len2 - 8;
	v1 = malloc(len);
	memcpy(v1, v2, lost + FRAME + 16);			/* up to the cause */
	memcpy(v1 + lost + FRAME + 16, v2 + end, len2 - end);	/* the end record */
	free(v2);
	v1[8] = 1;
	v1[lost + 4] = 16;
	CHECK(read_all(v1, len, &r, it, 8, &n) == 0, "version 1 read: %s", r.err);
	CHECK_INT(r.version, 1);
	CHECK_INT(n, 5);
	if (n == 5) {
		CHECK(it[4].kind == RECORD_ITEM_LOST && it[4].count == 5, "version 1 lost record");
		CHECK(it[4].cause == RECORD_CAUSE_UNKNOWN, "version 1: cause unknown (%u)", it[4].cause);
	}
	CHECK(!r.causes_known, "version 1: causes not known");
	CHECK_INT(r.lost, 5);
	CHECK_INT(r.end.lost, 5);
	v1[lost + 4] = 24;	/* a version 1 file with a version 2 lost record */
	CHECK(read_all(v1, len, &r, it, 8, &n) == -1 && strstr(r.err, "lost record of 24 bytes (must be 16)"),
	      "version 1 takes 16-byte lost records: %s", r.err);
	free(v1);
	free(f.buf);
}

/* An unknown cause is written as RECORD_CAUSE_UNKNOWN (report --record of a version 1 file). */
static void test_unknown_cause(void)
{
	static struct record_reader r;
	struct record_item it[8];
	struct record_end end = { .calls = 0, .lost = 7 };
	unsigned char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream((char **)&buf, &len);
	int n;

	CHECK(record_write_start(out, &sample_info) == 0, "write header");
	CHECK(record_write_lost(out, sample_info.monotonic_ns, RECORD_CAUSE_UNKNOWN, 3) == 0, "write unknown");
	CHECK(record_write_lost(out, sample_info.monotonic_ns, LOST_RING_BUFFER, 4) == 0, "write ring buffer");
	CHECK(record_write_end(out, &end) == 0, "write end");
	fclose(out);
	CHECK(read_all(buf, len, &r, it, 8, &n) == 0, "read: %s", r.err);
	CHECK(n == 2 && it[0].cause == RECORD_CAUSE_UNKNOWN && it[1].cause == LOST_RING_BUFFER, "causes read back");
	CHECK(!r.causes_known, "one unknown cause: the causes are not known");
	CHECK_INT(r.lost_by_cause[LOST_RING_BUFFER], 4);
	free(buf);
}

static void test_writer_sanitizes(void)
{
	static struct record_reader r;
	struct trace_info in = sample_info;
	char longs[600];
	struct record_item it[1];
	unsigned char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream((char **)&buf, &len);
	struct record_end end = { 0 };
	int n;

	memset(longs, 'a', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = 0;
	in.kernel_release = "bad\nrelease\xff";
	in.machine = longs;
	in.handler = NULL;
	record_write_start(out, &in);
	record_write_end(out, &end);
	fclose(out);
	CHECK(read_all(buf, len, &r, it, 1, &n) == 0, "sanitised header reads: %s", r.err);
	CHECK_STR(r.info.kernel_release, "bad?release?");
	CHECK_INT(strlen(r.info.machine), RECORD_STRING_MAX);
	CHECK_STR(r.info.handler, "");
	free(buf);
}

int main(void)
{
	test_round_trip();
	test_every_truncation();
	test_corruptions();
	test_version_2();
	test_process_records();
	test_version_1();
	test_unknown_cause();
	test_writer_sanitizes();
	return unit_report("record");
}
