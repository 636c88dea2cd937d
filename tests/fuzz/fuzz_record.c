// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the record file reader (src/record_read.c) on any bytes, and whatever
 * it accepts rendered through the report's outputs (text, JSON Lines, Perfetto), as
 * `smccctrace report` would. Built with clang -fsanitize=fuzzer,address,undefined
 * (`make fuzz`); any crash, leak, out-of-bounds access or undefined behaviour fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest_name.h"
#include "record.h"
#include "render.h"
#include "sink.h"

static FILE *devnull;

/* What the reader promises about every call it returns; users index arrays with
 * these (the report's per-disposition counts), so a broken promise is a crash. */
static void check_promises(const struct smccc_event *ev)
{
	if (ev->disposition >= DISP__COUNT || ev->conduit >= CONDUIT__COUNT || ev->isa > ISA_T32 ||
	    ev->nr_args > SMCCC_MAX_ARGS || (ev->insn_bits != 16 && ev->insn_bits != 32))
		abort();
	for (int i = ev->nr_args + 1; i < SMCCC_NR_REGS; i++)
		if (ev->regs[i])
			abort();
}

static void render_all(struct record_reader *r)
{
	struct sink sinks[2];
	struct trace_totals totals = { .plan = r->info.plan, .handler = r->info.handler };
	struct record_item it;
	struct call_view v;
	int n, nr = 0;

	if (!sink_stream_open(&sinks[nr], devnull, "null", true, false))
		nr++;
	if (!sink_perfetto_open(&sinks[nr], "/dev/null", 0, false))
		nr++;
	for (int i = 0; i < nr; i++)
		if (sinks[i].start)
			sinks[i].start(&sinks[i], &r->info);
	while ((n = record_reader_next(r, &it)) > 0) {
		if (it.kind == RECORD_ITEM_PROCESS) {
			/* the reader promises a pid and a printable, non-empty name */
			if (!it.pid || !it.guest || !*it.guest)
				abort();
			for (const char *c = it.guest; *c; c++)
				if (*c < 0x20 || *c > 0x7e)
					abort();
			guest_names_set(it.pid, it.guest);
			continue;
		}
		if (it.kind == RECORD_ITEM_LOST) {
			if (!it.count || (it.cause >= LOST__COUNT && it.cause != RECORD_CAUSE_UNKNOWN))
				abort();	/* the reader promises a count and a known cause or none */
			for (int i = 0; i < nr; i++)
				if (sinks[i].lost)
					sinks[i].lost(&sinks[i], it.ts_ns - r->info.monotonic_ns, it.cause, it.count);
			continue;
		}
		check_promises(&it.ev);
		call_view_init(&v, &it.ev, r->info.monotonic_ns);
		render_text(devnull, &v);
		for (int i = 0; i < nr; i++)
			sinks[i].event(&sinks[i], &v);
		totals.calls++;
	}
	if (n == 0) {
		if (r->end.calls != totals.calls)
			abort();
		totals.duration_s = r->end.duration_s;
		for (int i = 0; i < nr; i++)
			sinks[i].finish(&sinks[i], &totals);
	}
	for (int i = 0; i < nr; i++)
		sinks[i].destroy(&sinks[i]);
	guest_names_free();	/* one input's names are not the next one's */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct record_reader r;
	FILE *in;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	in = fmemopen((void *)data, size, "rb");
	if (!in)
		return 0;
	if (record_reader_open(&r, in) == 0)
		render_all(&r);
	fclose(in);
	return 0;
}
