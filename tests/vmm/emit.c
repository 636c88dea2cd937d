// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction emitter for the guest programs (A64, A32, T32).
 *
 * Encodings follow the Arm ARM (DDI0487). Only unconditional (AL) A32
 * instructions are emitted: a conditional HVC is UNPREDICTABLE and a
 * conditional SMC would add a condition-check path KVM handles elsewhere.
 * T32 instructions are emitted as 32-bit encodings (plus the 16-bit BX/NOP
 * needed to interwork), so every T32 call site stays 4-byte aligned.
 */
#include <string.h>

#include "emit.h"

/* Register roles, see emit.h */
#define A64_SCRATCH	9
#define A64_FLAGS	26
#define A64_LOOP	27
#define A64_MARKER	28
#define A64_TIMER_START	20
#define A64_TIMER_STOP	21
#define A64_TABLE	25
#define A32_SCRATCH	9
#define A32_LOOP	10
#define A32_MARKER	11
#define A32_FLAGS	12

void emit_init(struct emitter *e, void *buf, uint64_t base, size_t size,
	       enum isa isa)
{
	memset(e, 0, sizeof(*e));
	e->buf = buf;
	e->base = base;
	e->size = size;
	e->isa = isa;
}

uint64_t emit_pc(const struct emitter *e)
{
	return e->base + e->pos;
}

static void emit_fail(struct emitter *e, const char *why)
{
	if (!e->error)
		e->error = why;
}

static void put16(struct emitter *e, uint16_t hw)
{
	if (e->pos + 2 > e->size) {
		emit_fail(e, "code region full");
		return;
	}
	e->buf[e->pos++] = hw & 0xff;
	e->buf[e->pos++] = hw >> 8;
}

static void put32(struct emitter *e, uint32_t insn)
{
	if (e->pos + 4 > e->size) {
		emit_fail(e, "code region full");
		return;
	}
	memcpy(e->buf + e->pos, &insn, 4);	/* arm64 hosts are little-endian */
	e->pos += 4;
}

/* A 32-bit T32 instruction: first halfword at the lower address */
static void put_t32(struct emitter *e, uint16_t hw1, uint16_t hw2)
{
	put16(e, hw1);
	put16(e, hw2);
}

/* ---- A64 ---- */

static void a64_movz(struct emitter *e, unsigned int rd, uint16_t imm,
		     unsigned int hw)
{
	put32(e, 0xd2800000u | hw << 21 | (uint32_t)imm << 5 | rd);
}

static void a64_movk(struct emitter *e, unsigned int rd, uint16_t imm,
		     unsigned int hw)
{
	put32(e, 0xf2800000u | hw << 21 | (uint32_t)imm << 5 | rd);
}

static void a64_load_imm(struct emitter *e, unsigned int rd, uint64_t val)
{
	unsigned int hw;

	a64_movz(e, rd, val & 0xffff, 0);
	for (hw = 1; hw < 4; hw++) {
		uint16_t part = val >> (16 * hw);

		if (part)
			a64_movk(e, rd, part, hw);
	}
}

/* b.cond / cbz style 19-bit word offsets */
static uint32_t a64_imm19(struct emitter *e, uint64_t target)
{
	int64_t off = (int64_t)(target - emit_pc(e));

	if (off & 3 || off < -(1 << 20) || off >= (1 << 20))
		emit_fail(e, "A64 branch out of range");
	return ((uint32_t)(off >> 2) & 0x7ffff) << 5;
}

static uint32_t a64_imm26(struct emitter *e, uint64_t target)
{
	int64_t off = (int64_t)(target - emit_pc(e));

	if (off & 3 || off < -(1 << 27) || off >= (1 << 27))
		emit_fail(e, "A64 branch out of range");
	return (uint32_t)(off >> 2) & 0x3ffffff;
}

#define A64_WFI		0xd503207fu
#define A64_YIELD	0xd503203fu

/* ---- A32 ---- */

static void a32_movw(struct emitter *e, unsigned int rd, uint16_t imm)
{
	put32(e, 0xe3000000u | (uint32_t)(imm >> 12) << 16 | rd << 12 |
		 (imm & 0xfff));
}

static void a32_movt(struct emitter *e, unsigned int rd, uint16_t imm)
{
	put32(e, 0xe3400000u | (uint32_t)(imm >> 12) << 16 | rd << 12 |
		 (imm & 0xfff));
}

/* cond is the 4-bit condition field, 0xe for always */
static void a32_b(struct emitter *e, unsigned int cond, uint64_t target)
{
	/* A32 branches are relative to the instruction address + 8 */
	int64_t off = (int64_t)(target - (emit_pc(e) + 8));

	if (off & 3 || off < -(1 << 25) || off >= (1 << 25))
		emit_fail(e, "A32 branch out of range");
	put32(e, (uint32_t)cond << 28 | 0x0a000000u |
		 ((uint32_t)(off >> 2) & 0xffffff));
}

#define A32_COND_EQ	0x0
#define A32_COND_NE	0x1
#define A32_COND_AL	0xe
#define A32_WFI		0xe320f003u
#define A32_YIELD	0xe320f001u

/* ---- T32 ---- */

/* MOVW (T3) and MOVT (T1) split imm16 as imm4:i:imm3:imm8 */
static void t32_mov16(struct emitter *e, uint16_t op, unsigned int rd,
		      uint16_t imm)
{
	uint16_t hw1 = op | ((imm >> 11) & 1) << 10 | imm >> 12;
	uint16_t hw2 = ((imm >> 8) & 7) << 12 | rd << 8 | (imm & 0xff);

	put_t32(e, hw1, hw2);
}

#define T32_MOVW	0xf240u
#define T32_MOVT	0xf2c0u
#define T32_NOP		0xbf00u

/* ---- 32-bit immediates shared by A32 and T32 ---- */

static void aa32_load_imm(struct emitter *e, unsigned int rd, uint32_t val)
{
	if (e->isa == ISA_A32) {
		a32_movw(e, rd, val & 0xffff);
		if (val >> 16)
			a32_movt(e, rd, val >> 16);
	} else {
		t32_mov16(e, T32_MOVW, rd, val & 0xffff);
		if (val >> 16)
			t32_mov16(e, T32_MOVT, rd, val >> 16);
	}
}

/* Both halves always, so the length is known before emitting */
static void aa32_load_imm_fixed(struct emitter *e, unsigned int rd,
				uint32_t val)
{
	if (e->isa == ISA_A32) {
		a32_movw(e, rd, val & 0xffff);
		a32_movt(e, rd, val >> 16);
	} else {
		t32_mov16(e, T32_MOVW, rd, val & 0xffff);
		t32_mov16(e, T32_MOVT, rd, val >> 16);
	}
}

/* ---- public ---- */

void emit_load_arg(struct emitter *e, unsigned int reg, uint64_t val)
{
	if (reg > 7) {
		emit_fail(e, "SMCCC argument register out of range");
		return;
	}
	if (e->isa == ISA_A64)
		a64_load_imm(e, reg, val);
	else
		aa32_load_imm(e, reg, (uint32_t)val);
}

void emit_set_marker_base(struct emitter *e, uint64_t ipa)
{
	if (e->isa == ISA_A64)
		a64_load_imm(e, A64_MARKER, ipa);
	else
		aa32_load_imm(e, A32_MARKER, (uint32_t)ipa);
}

void emit_set_flags_base(struct emitter *e, uint64_t ipa)
{
	if (e->isa == ISA_A64)
		a64_load_imm(e, A64_FLAGS, ipa);
	else
		aa32_load_imm(e, A32_FLAGS, (uint32_t)ipa);
}

void emit_marker(struct emitter *e, unsigned int off)
{
	if (off > EMIT_MARKER_MAX_OFFSET || off & 3) {
		emit_fail(e, "marker offset not encodable");
		return;
	}
	switch (e->isa) {
	case ISA_A64:	/* str w0, [x28, #off] */
		put32(e, 0xb9000000u | (off / 4) << 10 | A64_MARKER << 5 | 0);
		break;
	case ISA_A32:	/* str r0, [r11, #off] */
		put32(e, 0xe5800000u | A32_MARKER << 16 | 0 << 12 | off);
		break;
	case ISA_T32:	/* str.w r0, [r11, #off] */
		put_t32(e, 0xf8c0u | A32_MARKER, 0 << 12 | off);
		break;
	}
}

void emit_call(struct emitter *e, enum conduit conduit, uint16_t imm)
{
	switch (e->isa) {
	case ISA_A64:
		put32(e, (conduit == CONDUIT_HVC ? 0xd4000002u : 0xd4000003u) |
			 (uint32_t)imm << 5);
		break;
	case ISA_A32:
		if (conduit == CONDUIT_HVC) {
			put32(e, 0xe1400070u | (uint32_t)(imm >> 4) << 8 |
				 (imm & 0xf));
		} else {
			if (imm > 0xf)
				emit_fail(e, "A32 SMC immediate is 4 bits");
			put32(e, 0xe1600070u | (imm & 0xf));
		}
		break;
	case ISA_T32:
		if (conduit == CONDUIT_HVC) {
			put_t32(e, 0xf7e0u | imm >> 12, 0x8000u | (imm & 0xfff));
		} else {
			if (imm > 0xf)
				emit_fail(e, "T32 SMC immediate is 4 bits");
			put_t32(e, 0xf7f0u | (imm & 0xf), 0x8000u);
		}
		break;
	}
}

void emit_flag_set(struct emitter *e, unsigned int off)
{
	if (off > EMIT_FLAG_MAX_OFFSET || off & 7) {
		emit_fail(e, "flag offset not encodable");
		return;
	}
	switch (e->isa) {
	case ISA_A64:	/* movz x9, #1; str x9, [x26, #off] */
		a64_movz(e, A64_SCRATCH, 1, 0);
		put32(e, 0xf9000000u | (off / 8) << 10 | A64_FLAGS << 5 |
			 A64_SCRATCH);
		break;
	case ISA_A32:	/* movw r9, #1; str r9, [r12, #off] */
		a32_movw(e, A32_SCRATCH, 1);
		put32(e, 0xe5800000u | A32_FLAGS << 16 | A32_SCRATCH << 12 |
			 off);
		break;
	case ISA_T32:
		emit_fail(e, "flags are not implemented for T32");
		break;
	}
}

void emit_flag_wait(struct emitter *e, unsigned int off)
{
	uint64_t loop = emit_pc(e);

	if (off > EMIT_FLAG_MAX_OFFSET || off & 7) {
		emit_fail(e, "flag offset not encodable");
		return;
	}
	switch (e->isa) {
	case ISA_A64:	/* 1: yield; ldr x9, [x26, #off]; cbz x9, 1b */
		put32(e, A64_YIELD);
		put32(e, 0xf9400000u | (off / 8) << 10 | A64_FLAGS << 5 |
			 A64_SCRATCH);
		put32(e, 0xb4000000u | a64_imm19(e, loop) | A64_SCRATCH);
		break;
	case ISA_A32:	/* 1: yield; ldr r9, [r12, #off]; cmp r9, #0; beq 1b */
		put32(e, A32_YIELD);
		put32(e, 0xe5900000u | A32_FLAGS << 16 | A32_SCRATCH << 12 |
			 off);
		put32(e, 0xe3500000u | A32_SCRATCH << 16);
		a32_b(e, A32_COND_EQ, loop);
		break;
	case ISA_T32:
		emit_fail(e, "flags are not implemented for T32");
		break;
	}
}

uint64_t emit_loop_begin(struct emitter *e, uint32_t count)
{
	switch (e->isa) {
	case ISA_A64:
		a64_load_imm(e, A64_LOOP, count);
		break;
	case ISA_A32:
		aa32_load_imm(e, A32_LOOP, count);
		break;
	case ISA_T32:
		emit_fail(e, "loops are not implemented for T32");
		break;
	}
	return emit_pc(e);
}

void emit_loop_end(struct emitter *e, uint64_t label)
{
	switch (e->isa) {
	case ISA_A64:	/* subs x27, x27, #1; b.ne label */
		put32(e, 0xf1000400u | A64_LOOP << 5 | A64_LOOP);
		put32(e, 0x54000000u | a64_imm19(e, label) | 0x1 /* NE */);
		break;
	case ISA_A32:	/* subs r10, r10, #1; bne label */
		put32(e, 0xe2500001u | A32_LOOP << 16 | A32_LOOP << 12);
		a32_b(e, A32_COND_NE, label);
		break;
	case ISA_T32:
		emit_fail(e, "loops are not implemented for T32");
		break;
	}
}

void emit_branch_x0_ne(struct emitter *e, uint32_t imm, uint64_t label)
{
	if (e->isa != ISA_A64 || imm > 0xfff) {
		emit_fail(e, "poll loops are A64, with a 12-bit value");
		return;
	}
	/* cmp x0, #imm (subs xzr, x0, #imm); b.ne label */
	put32(e, 0xf100001fu | imm << 10 | 0 << 5);
	put32(e, 0x54000000u | a64_imm19(e, label) | 0x1 /* NE */);
}

void emit_to_t32(struct emitter *e)
{
	uint64_t target;

	if (e->isa != ISA_A32) {
		emit_fail(e, "switch to T32 from something else than A32");
		return;
	}
	/* movw, movt, bx: 12 bytes, T32 code follows; bit 0 selects Thumb */
	target = emit_pc(e) + 12;
	aa32_load_imm_fixed(e, A32_SCRATCH, (uint32_t)target | 1);
	put32(e, 0xe12fff10u | A32_SCRATCH);	/* bx r9 */
	e->isa = ISA_T32;
}

void emit_to_a32(struct emitter *e)
{
	uint64_t target;

	if (e->isa != ISA_T32) {
		emit_fail(e, "switch to A32 from something else than T32");
		return;
	}
	/* movw, movt (4 bytes each), bx (2), then pad to a word boundary */
	target = (emit_pc(e) + 10 + 3) & ~3ull;
	aa32_load_imm_fixed(e, A32_SCRATCH, (uint32_t)target);
	put16(e, 0x4700u | A32_SCRATCH << 3);	/* bx r9 */
	while (emit_pc(e) < target)
		put16(e, T32_NOP);
	e->isa = ISA_A32;
}

void emit_park(struct emitter *e)
{
	uint64_t loop = emit_pc(e);

	switch (e->isa) {
	case ISA_A64:	/* 1: wfi; b 1b */
		put32(e, A64_WFI);
		put32(e, 0x14000000u | a64_imm26(e, loop));
		break;
	case ISA_A32:
		put32(e, A32_WFI);
		a32_b(e, A32_COND_AL, loop);
		break;
	case ISA_T32:	/* 1: wfi.w; b 1b (16-bit) */
		put_t32(e, 0xf3afu, 0x8003u);
		put16(e, 0xe7fcu);
		break;
	}
}

/* ---- A64 virtual EL2 (nested scenario) ---- */

#define A64_ISB			0xd5033fdfu
#define A64_MSR_VBAR_EL2	0xd51cc000u	/* msr vbar_el2, xN (| N) */
#define A64_ERET		0xd69f03e0u

void emit_set_vbar_el2(struct emitter *e, uint64_t ipa)
{
	if (e->isa != ISA_A64 || ipa & 0x7ff) {
		emit_fail(e, "VBAR_EL2: A64 only, 2 KiB aligned");
		return;
	}
	a64_load_imm(e, 0, ipa);
	put32(e, A64_MSR_VBAR_EL2 | 0);
	put32(e, A64_ISB);
}

void emit_reflected_answer(struct emitter *e, uint64_t answer)
{
	if (e->isa != ISA_A64) {
		emit_fail(e, "virtual EL2 is A64 only");
		return;
	}
	a64_load_imm(e, 0, answer);
	put32(e, A64_ERET);
}

/* ---- A64 benchmark timing ---- */

#define A64_MRS_CNTVCT_EL0	0xd53be040u	/* mrs xN, cntvct_el0 (| N) */
#define A64_MRS_CNTFRQ_EL0	0xd53be000u	/* mrs xN, cntfrq_el0 (| N) */

static bool a64_only(struct emitter *e, const char *what)
{
	if (e->isa == ISA_A64)
		return true;
	emit_fail(e, what);
	return false;
}

void emit_timer_start(struct emitter *e)
{
	if (!a64_only(e, "benchmark timing is A64 only"))
		return;
	put32(e, A64_ISB);
	put32(e, A64_MRS_CNTVCT_EL0 | A64_TIMER_START);
}

void emit_timer_stop(struct emitter *e)
{
	if (!a64_only(e, "benchmark timing is A64 only"))
		return;
	put32(e, A64_ISB);
	put32(e, A64_MRS_CNTVCT_EL0 | A64_TIMER_STOP);
	/* sub x0, x21, x20 */
	put32(e, 0xcb000000u | A64_TIMER_START << 16 | A64_TIMER_STOP << 5 | 0);
}

void emit_read_counter(struct emitter *e, unsigned int reg)
{
	if (!a64_only(e, "call counter readings are A64 only"))
		return;
	put32(e, A64_ISB);
	put32(e, A64_MRS_CNTVCT_EL0 | reg);
}

void emit_load_cntfrq(struct emitter *e)
{
	if (a64_only(e, "benchmark timing is A64 only"))
		put32(e, A64_MRS_CNTFRQ_EL0 | 0);
}

void emit_marker64(struct emitter *e, unsigned int off)
{
	if (!a64_only(e, "64-bit markers are A64 only"))
		return;
	if (off > EMIT_FLAG_MAX_OFFSET || off & 7) {
		emit_fail(e, "marker offset not encodable");
		return;
	}
	/* str x0, [x28, #off] */
	put32(e, 0xf9000000u | (off / 8) << 10 | A64_MARKER << 5 | 0);
}

void emit_table_start(struct emitter *e, uint64_t ipa)
{
	if (e->isa != ISA_A64) {
		emit_fail(e, "table walks are A64 only");
		return;
	}
	a64_load_imm(e, A64_TABLE, ipa);
}

void emit_load_w0_next(struct emitter *e)
{
	if (e->isa != ISA_A64) {
		emit_fail(e, "table walks are A64 only");
		return;
	}
	/* ldr w0, [x25], #4 */
	put32(e, 0xb8400400u | 4u << 12 | A64_TABLE << 5 | 0);
}
