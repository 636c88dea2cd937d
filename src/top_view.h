/* `smccctrace top` and `report --top`: the view's driver, shared by the live tracer
 * (src/top_live.c, counts from the kernel's stats map) and the replay of a recording
 * (src/sink_top.c). Each interval's calls come in as an aggregation table; the view
 * prints a frame (batch, -b) or redraws the terminal and handles keys in between. */
#ifndef SMCCCTRACE_TOP_VIEW_H
#define SMCCCTRACE_TOP_VIEW_H
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "top_model.h"

#define TOP_DEFAULT_INTERVAL_S 2.0

struct top_view_opts {
	FILE *out;			/* batch: where frames go */
	bool batch;			/* -b: plain frames, no terminal, no keys */
	__u32 iterations;		/* -n: stop after this many frames; 0: no limit */
	unsigned by;			/* the initial grouping */
	const struct guest_syms_set *syms;	/* names the sites (by site); NULL: none */
	volatile sig_atomic_t *stop;	/* set by a signal handler: stop waiting */
	bool (*alive)(__u32 pid);	/* live: whether a VMM still runs; NULL: a recording */
};

struct top_view;

/* Interactive: takes the terminal. Returns NULL with a reason in err. */
struct top_view *top_view_new(const struct top_view_opts *o, char *err, unsigned errlen);
/* Names the sites of a view by site (guest symbols; syms outlives v). */
void top_view_set_guest_syms(struct top_view *v, const struct guest_syms_set *syms);
/* Gives the terminal back and frees the view. */
void top_view_free(struct top_view *v);
/* One interval of calls (seconds long): counted, then printed or drawn (unless
 * paused). f->number is filled in. Returns 0, or -1 with errno (output or memory). */
int top_view_frame(struct top_view *v, const struct agg_table *interval, double seconds, struct top_frame *f);
/* Waits until `until` (CLOCK_MONOTONIC ns) handling keys; returns early when the user
 * quits or *stop is set. Batch: just waits. */
void top_view_wait(struct top_view *v, __u64 until);
/* The user paused the screen: it keeps the frame it shows (and the names in it). */
bool top_view_paused(const struct top_view *v);
/* The user quit, a signal came, or -n frames were printed. */
bool top_view_done(const struct top_view *v);
/* The end (the traced VMMs exited, the recording ended): interactive, the last frame
 * stays up with `status` until the user quits. */
void top_view_hold(struct top_view *v, const char *status);
#endif
