/* The record file (`smccctrace --record FILE`): the raw event stream of one trace,
 * re-rendered offline by `smccctrace report FILE`. docs/record-format.md is the spec.
 *
 *   preamble  "SMCCCREC", u32 format version
 *   records   u16 type, u16 zero, u32 payload length, payload
 *             HEADER first; then CALL and LOST in stream order; END last.
 *
 * Version 2 added the cause to each LOST record (enum lost_cause); version 1 files,
 * whose LOST records have none, are still read: their losses' causes are unknown.
 * Version 3 added the counter frequency to the HEADER and guest_cntvct to each CALL.
 * Version 4 added PROCESS records (a VMM's guest name, before its first CALL); files
 * of versions 1 to 3 have none, and their calls have no guest name. A PROCESS record
 * names its pid's calls after it, up to the next PROCESS record for that pid: a writer
 * writes one again when another VMM took the pid (pid reuse) under another name, and
 * may repeat one (the same name changes nothing). Readers before that kept a pid's
 * first name: such files still read, the later VMM under the first one's name.
 *
 * Every integer is little-endian, whatever the host, so a file recorded on arm64
 * reads the same on x86_64. The reader trusts nothing: any short, oversized or
 * out-of-range field is an error that names its offset, never a crash. */
#ifndef SMCCCTRACE_RECORD_H
#define SMCCCTRACE_RECORD_H
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "sink.h"
#include "smccctrace.h"

#define RECORD_MAGIC		"SMCCCREC"
#define RECORD_MAGIC_LEN	8
#define RECORD_VERSION		4	/* written; RECORD_VERSION_MIN.. are read */
#define RECORD_VERSION_MIN	1
#define RECORD_PREAMBLE_LEN	(RECORD_MAGIC_LEN + 4)
#define RECORD_FRAME_LEN	8		/* type, zero, payload length */
#define RECORD_STRING_MAX	255		/* header strings: u8 length, printable ASCII */
/* the header's strings: five, then role, kind and target of each hook */
#define RECORD_MAX_STRINGS	(5 + 3 * TRACE_MAX_HOOKS)

enum record_type {
	REC_HEADER = 1,
	REC_CALL = 2,
	REC_LOST = 3,
	REC_END = 4,
	REC_PROCESS = 5,	/* version 4: u32 pid, u32 zero, string guest name */
};

/* A CALL payload: the fixed fields of struct smccc_event, then x0..x(nr_args).
 * Version 3 added guest_cntvct to the fixed fields (102 -> 110 bytes). */
#define RECORD_CALL_FIXED	110
#define RECORD_CALL_FIXED_V2	102
#define RECORD_CALL_SIZE_FIXED(fixed, nr_args)	((fixed) + 8 * ((nr_args) + 1))
#define RECORD_CALL_SIZE(nr_args)	RECORD_CALL_SIZE_FIXED(RECORD_CALL_FIXED, nr_args)
#define RECORD_LOST_SIZE	24		/* ts, count, u32 cause, u32 zero */
#define RECORD_LOST_SIZE_V1	16		/* ts, count */
/* a LOST record's cause when it is not known (a version 1 file, or a copy of one) */
#define RECORD_CAUSE_UNKNOWN	0xffffffffu
#define RECORD_END_SIZE		24
#define RECORD_HEADER_MIN	33		/* version 3 added cntfrq (8 bytes) before the hook count */
#define RECORD_HEADER_MIN_V2	25
#define RECORD_PROCESS_MIN	9		/* pid, zero, a name of at least 1 byte */
#define RECORD_PROCESS_MAX	(8 + 1 + RECORD_STRING_MAX)
#define RECORD_PID_MAX		4194304		/* a pid is 1..PID_MAX_LIMIT, in calls and processes */
#define RECORD_HEADER_MAX	(RECORD_HEADER_MIN + RECORD_MAX_STRINGS * (1 + RECORD_STRING_MAX))

/* The END record: the live tracer's totals, so that a report says the same. */
struct record_end {
	__u64 calls;			/* CALL records in the file */
	__u64 lost;			/* sum of the LOST records */
	double duration_s;		/* stored as its IEEE 754 bits: reports repeat it exactly */
};

/* Writing. Each returns 0, or -1 with errno set. */
int record_write_start(FILE *out, const struct trace_info *info);	/* preamble + HEADER */
int record_write_call(FILE *out, const struct smccc_event *ev);
/* ts: CLOCK_MONOTONIC; cause: enum lost_cause, or RECORD_CAUSE_UNKNOWN */
int record_write_lost(FILE *out, __u64 ts_ns, unsigned cause, __u64 count);
int record_write_end(FILE *out, const struct record_end *end);
/* A VMM's guest name (src/guest_name.h), written before its first call (and again
 * when the pid's name changes: the reader applies PROCESS records in order) */
int record_write_process(FILE *out, __u32 pid, const char *guest);

/* Reading. */
enum record_item_kind {
	RECORD_ITEM_CALL,
	RECORD_ITEM_LOST,
	RECORD_ITEM_PROCESS,
};

struct record_item {
	enum record_item_kind kind;
	struct smccc_event ev;		/* CALL: regs past nr_args are zero */
	__u64 ts_ns, count;		/* LOST: CLOCK_MONOTONIC, calls lost */
	unsigned cause;			/* LOST: enum lost_cause, or RECORD_CAUSE_UNKNOWN */
	__u32 pid;			/* PROCESS: the VMM */
	const char *guest;		/* PROCESS: its guest name, in the reader until the next item */
	__u64 offset;			/* of the record, for messages */
};

/* The reader takes the file in blocks of this size and decodes records in place: a
 * fread per record (and a copy of each) was a tenth of `report --json`'s time. A
 * block holds the largest record. */
#define RECORD_BLOCK		(1 << 16)

struct record_reader {
	FILE *in;
	__u64 offset;			/* of the next record */
	size_t head, tail;		/* block[head..tail): read, not yet decoded; head is at offset */
	__u32 version;
	struct trace_info info;		/* valid after record_reader_open; strings live in pool */
	char pool[RECORD_MAX_STRINGS][RECORD_STRING_MAX + 1];
	int nr_strings;
	__u64 calls, lost;		/* seen so far */
	__u64 lost_by_cause[LOST__COUNT];	/* of lost, the part whose cause is known */
	bool causes_known;		/* every LOST record so far named its cause */
	bool ended;
	/* after -1: the file ends inside (or at) the record at truncated_at (a tracer
	 * that did not finish: killed, or its host went down); every record before it
	 * was whole. Any other error is corruption. */
	bool truncated;
	__u64 truncated_at;
	struct record_end end;		/* valid once record_reader_next returned 0 */
	char guest[RECORD_STRING_MAX + 1];	/* the last PROCESS record's name */
	char err[192];			/* "corrupt record at offset N: ..." or "truncated at offset N: ..." */
	unsigned char block[RECORD_BLOCK];
};

/* Reads and checks the preamble and the HEADER. Returns 0, or -1 with r->err.
 * The reader reads ahead of the records it returns: to read the file again, rewind
 * it and open the reader again. */
int record_reader_open(struct record_reader *r, FILE *in);
/* Returns 1 with the next CALL, LOST or PROCESS in *it; 0 after a valid END at the end of the
 * file (r->end holds it); -1 with r->err on any corruption or truncation. */
int record_reader_next(struct record_reader *r, struct record_item *it);
#endif
