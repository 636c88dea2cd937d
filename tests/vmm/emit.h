/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny instruction emitter for the guest programs: writes A64, A32 or T32
 * instruction words straight into guest RAM. It knows only what the scenario
 * compiler needs: immediates, SMCCC conduits, MMIO marker stores, guest-memory
 * flags, a counted loop, A32<->T32 interworking and parking.
 *
 * Fixed register roles (per ISA) keep the generated code readable in a
 * disassembler:
 *   A64: x0-x7 SMCCC args, x9 scratch, x20/x21 benchmark counter readings,
 *        x22/x23 the counter right before and right after a call,
 *        x26 flags base, x27 loop counter, x28 marker base
 *   A32/T32: r0-r7 SMCCC args, r9 scratch, r10 loop counter, r11 marker base,
 *        r12 flags base
 */
#ifndef SMCCC_TESTVMM_EMIT_H
#define SMCCC_TESTVMM_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum isa {
	ISA_A64,
	ISA_A32,
	ISA_T32,
};

enum conduit {
	CONDUIT_HVC,
	CONDUIT_SMC,
};

struct emitter {
	uint8_t *buf;		/* host view of the code region */
	uint64_t base;		/* guest IPA of buf[0] */
	size_t size;
	size_t pos;
	enum isa isa;
	const char *error;	/* first problem met, NULL if none */
};

/* Largest marker offset every ISA can encode in a single store */
#define EMIT_MARKER_MAX_OFFSET	4092u
/* Largest flag offset every ISA can encode in a single load/store */
#define EMIT_FLAG_MAX_OFFSET	4088u

void emit_init(struct emitter *e, void *buf, uint64_t base, size_t size,
	       enum isa isa);
uint64_t emit_pc(const struct emitter *e);

/* reg = 0..7: the SMCCC argument registers. A32/T32 take the low 32 bits. */
void emit_load_arg(struct emitter *e, unsigned int reg, uint64_t val);
void emit_set_marker_base(struct emitter *e, uint64_t ipa);
void emit_set_flags_base(struct emitter *e, uint64_t ipa);

/* Store w0/r0 to marker base + off: an MMIO exit the VMM can attribute */
void emit_marker(struct emitter *e, unsigned int off);
/* The SMCCC call itself. A32/T32 SMC only encodes imm4. */
void emit_call(struct emitter *e, enum conduit conduit, uint16_t imm);

/* Guest-memory flags, for ordering vCPUs without the VMM (A64/A32 only) */
void emit_flag_set(struct emitter *e, unsigned int off);
void emit_flag_wait(struct emitter *e, unsigned int off);

/* Counted loop around a block; returns the label emit_loop_end needs */
uint64_t emit_loop_begin(struct emitter *e, uint32_t count);
void emit_loop_end(struct emitter *e, uint64_t label);

/* Interworking: A32 -> T32 and back, continuing right after */
void emit_to_t32(struct emitter *e);
void emit_to_a32(struct emitter *e);

/* A64: back to label unless x0 == imm (0..4095): the tail of a poll loop */
void emit_branch_x0_ne(struct emitter *e, uint32_t imm, uint64_t label);

/* Sleep forever (wfi loop): the end of a vCPU's program */
void emit_park(struct emitter *e);

/*
 * A guest with virtual EL2 (nested scenario, A64 only): point VBAR_EL2 at ipa
 * (2 KiB aligned; x0 is clobbered), and a guest hypervisor's whole answer to a call
 * reflected to it: x0 = answer, x1..x3 untouched, eret behind the HVC/SMC.
 */
void emit_set_vbar_el2(struct emitter *e, uint64_t ipa);
void emit_reflected_answer(struct emitter *e, uint64_t answer);

/*
 * Benchmark timing, A64 only (x20/x21 hold the counter readings): start
 * reads the virtual counter, stop reads it again and leaves the tick delta
 * in x0. Each read sits behind an ISB so it cannot be taken early.
 */
void emit_timer_start(struct emitter *e);
void emit_timer_stop(struct emitter *e);
/* x0 = CNTFRQ_EL0, the counter's ticks per second */
void emit_load_cntfrq(struct emitter *e);
/* A64: isb; mrs x22 (before) or x23 (after), cntvct_el0: the guest's virtual counter
 * around a call, which the VMM reads at the call's markers (its ground truth) */
#define A64_CALL_COUNTER_BEFORE	22
#define A64_CALL_COUNTER_AFTER	23
void emit_read_counter(struct emitter *e, unsigned int reg);
/* Store all of x0 to marker base + off (off: multiple of 8): an 8-byte MMIO */
void emit_marker64(struct emitter *e, unsigned int off);

/*
 * A table walk, A64 only (x25 is the cursor): table_start points x25 at ipa,
 * load_w0_next loads the next 32-bit word into w0 (x0's upper half zeroed) and
 * moves x25 past it.
 */
void emit_table_start(struct emitter *e, uint64_t ipa);
void emit_load_w0_next(struct emitter *e);

#endif /* SMCCC_TESTVMM_EMIT_H */
