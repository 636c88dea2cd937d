/* The model of `smccctrace top` and `report --top` (src/top_view.c drives it): the
 * calls counted since the view started (or was reset) and in the last interval, the
 * grouping, sort order and filters the keys change, and the rows they give. Pure: no
 * terminal, no kernel, so that the host unit tests drive it (tests/unit/test_top.c). */
#ifndef SMCCCTRACE_TOP_MODEL_H
#define SMCCCTRACE_TOP_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "aggregate.h"

/* Default grouping: a row per VM, vCPU and function */
#define TOP_BY_DEFAULT (AGG_BY_VM | AGG_BY_VCPU | AGG_BY_FUNC)
/* The keys that regroup, in order: '1' pid ... '5' func, '6' guest, '7' site (when the
 * view started grouped by site: only then do the counts carry PCs) */
#define TOP_GROUP_KEYS "1234567"
#define TOP_FILTER_MAX 48
/* The totals' cap on keys (pid, vm, vcpu, func, disposition, site): a busy epoch of the
 * kernel (AGG_MAX_KEYS) twice over. Past it, new keys' calls go to overflow rows. */
#define TOP_MAX_KEYS (2 * AGG_MAX_KEYS)
/* The pid of the overflow rows' keys (vm, vcpu and site 0): no process has it */
#define TOP_OVERFLOW_PID 0xffffffffu

enum top_sort {
	TOP_SORT_COUNT = 0,	/* calls since the start, most first */
	TOP_SORT_RATE,		/* calls per second in the last interval */
	TOP_SORT_KVM_P99,	/* time in KVM, p99 */
	TOP_SORT_VMM_P99,	/* the VMM's round trip, p99 */
	TOP_SORT_KEY,		/* pid, VM, vCPU, function: a stable order */
	TOP_SORT__COUNT,
};

struct top_row {
	struct agg_key key;		/* the grouped fields; the others and disposition are 0 */
	enum smccc_service service;	/* grouped by service or function */
	const char *guest;		/* grouped by guest: its name (NULL: unknown) */
	bool overflow;			/* the calls of keys past the cap (TOP_MAX_KEYS) */
	__u64 count;			/* calls since the start (or the last reset) */
	__u64 by_disp[DISP__COUNT];	/* the same by disposition */
	__u64 interval;			/* calls in the last interval */
	double rate;			/* interval / the interval's seconds */
	struct latency kvm, vmm;	/* since the start */
};

enum top_action {
	TOP_NONE = 0,		/* the key meant nothing */
	TOP_REDRAW,		/* the view changed: draw it again now */
	TOP_QUIT,
};

struct top_model {
	unsigned by;			/* AGG_BY_*, never AGG_BY_DISPOSITION (it is the columns) */
	bool sites;			/* started by site: the counts carry PCs, '7' regroups */
	const struct guest_syms_set *syms;	/* names the sites; NULL: none */
	enum top_sort sort;
	int disposition;		/* only calls of this disposition; -1: all */
	char filter[TOP_FILTER_MAX];	/* function or service name contains this (any case) */
	bool paused;			/* the screen keeps its frame; counting goes on */
	bool prompting;			/* '/' typed: keys edit `prompt` until Enter or Esc */
	char prompt[TOP_FILTER_MAX];
	bool help;			/* 'h': the keys, under the header */
	struct agg_table *total;	/* every call since the start or the last reset */
	struct agg_table *last;		/* the last interval's */
	double last_s;			/* its length */
	struct agg_table *held;		/* calls that came in while paused */
	double held_s;
	__u64 frames;			/* frames shown (intervals taken in while paused join the next) */
	/* The bounds (src/top_bound.c); the counts are since the start or the last reset */
	size_t max_keys;		/* total's cap (TOP_MAX_KEYS; tests set less) */
	__u64 overflow_keys;		/* keys that came past the cap, once an interval each */
	/* live: whether a VMM still runs (NULL: a recording, every VMM stays) */
	bool (*alive)(__u32 pid);
	__u32 *gone;			/* VMMs found gone at the last interval, sorted */
	size_t nr_gone;
	__u64 exited_vmms;		/* VMMs whose rows left after they exited */
	__u64 exited_by_disp[DISP__COUNT];	/* and their calls, still in the header's totals */
	struct top_row *rows;		/* top_model_rows(): grouped, filtered, sorted */
	size_t nr_rows;
};

/* syms names the sites (NULL: none). Returns 0, or -1 when out of memory. */
int top_model_init(struct top_model *m, unsigned by, const struct guest_syms_set *syms);
void top_model_free(struct top_model *m);
/* One interval's calls (seconds long) join the totals and make the next frame's rows
 * (paused: they wait for the frame after the pause; NULL: no new calls, only those
 * held). Returns 0, or -1 (memory). */
int top_model_add(struct top_model *m, const struct agg_table *interval, double seconds);
/* src/top_bound.c. One interval's calls into the totals and `held`: a key new to the
 * totals past m->max_keys keys goes to the overflow key of its function and disposition
 * (counted in m->overflow_keys). 0, or -1 (memory). */
int top_bound_admit(struct top_model *m, const struct agg_table *interval);
/* Live (m->alive): the rows of VMMs found gone at the last interval and gone still
 * leave the totals (their calls stay in m->exited_by_disp); those gone now are noted. */
int top_bound_retire(struct top_model *m);
/* 'r': the bounds' counts from zero. */
void top_bound_reset(struct top_model *m);
/* Rebuilds the rows after a change of grouping, sort or filter. 0, or -1 (memory). */
int top_model_rows(struct top_model *m);
/* One key typed in the interactive view (docs/top.md has the list). */
enum top_action top_model_key(struct top_model *m, int key);
const char *top_sort_name(enum top_sort s);
/* "vm,vcpu,func" */
void top_by_string(unsigned by, char *buf, size_t len);

/* What a frame says above its rows. */
struct top_frame {
	__u64 number;			/* 1, 2, ... */
	double elapsed_s;		/* since the view started (a recording: since it started) */
	__u64 realtime_ns;		/* wall-clock time of the frame */
	__u64 lost;			/* calls lost so far */
	const char *status;		/* "paused", "the traced process exited", ...; NULL: none */
	bool interactive;		/* the key line and the filter prompt */
};

/* The frame as plain lines, as `top -b` prints them; the terminal view fits them to
 * its size (src/top_screen.c). */
void top_render(FILE *out, const struct top_model *m, const struct top_frame *f);
#endif
