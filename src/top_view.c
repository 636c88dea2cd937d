/* The top view's driver: the model (src/top_model.c), its frames (src/top_render.c),
 * and in interactive mode the terminal (src/top_screen.c) and its keys. */
#include "top_view.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "top_screen.h"

struct top_view {
	struct top_view_opts o;
	struct top_model m;
	struct top_frame last;		/* the frame on screen, drawn again after a key */
	bool quit;
	bool terminal;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

void top_view_set_guest_syms(struct top_view *v, const struct guest_syms_set *syms)
{
	v->m.syms = syms;
}

struct top_view *top_view_new(const struct top_view_opts *o, char *err, unsigned errlen)
{
	struct top_view *v = calloc(1, sizeof(*v));

	if (!v || top_model_init(&v->m, o->by, o->syms)) {
		free(v);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	v->o = *o;
	v->m.alive = o->alive;	/* live: exited VMMs' rows leave (src/top_bound.c) */
	if (!o->batch) {
		if (screen_open(err, errlen)) {
			top_view_free(v);
			return NULL;
		}
		v->terminal = true;
	}
	return v;
}

void top_view_free(struct top_view *v)
{
	if (!v)
		return;
	if (v->terminal)
		screen_close();
	top_model_free(&v->m);
	free(v);
}

static int draw(struct top_view *v)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		return -1;
	v->last.interactive = true;
	top_render(f, &v->m, &v->last);
	if (fclose(f)) {
		free(text);
		return -1;
	}
	rc = screen_draw(text);
	free(text);
	return rc;
}

bool top_view_paused(const struct top_view *v)
{
	return v->m.paused;
}

int top_view_frame(struct top_view *v, const struct agg_table *interval, double seconds, struct top_frame *f)
{
	if (top_model_add(&v->m, interval, seconds)) {
		errno = ENOMEM;
		return -1;
	}
	if (v->m.paused)
		return 0;	/* the counts go on; the screen keeps its frame */
	f->number = v->m.frames;
	if (v->o.batch) {
		top_render(v->o.out, &v->m, f);
		fputc('\n', v->o.out);
		return fflush(v->o.out) ? -1 : 0;
	}
	v->last = *f;
	return draw(v);
}

bool top_view_done(const struct top_view *v)
{
	return v->quit || (v->o.stop && *v->o.stop) || (v->o.iterations && v->m.frames >= v->o.iterations);
}

static void handle_key(struct top_view *v, int key)
{
	switch (top_model_key(&v->m, key)) {
	case TOP_QUIT:
		v->quit = true;
		break;
	case TOP_REDRAW:
		if (v->last.number)	/* nothing to redraw before the first frame */
			draw(v);
		break;
	case TOP_NONE:
		break;
	}
}

void top_view_wait(struct top_view *v, __u64 until)
{
	for (;;) {
		__u64 now = now_ns();

		if (top_view_done(v) || now >= until)
			return;
		if (!v->terminal) {
			struct timespec ts = { .tv_nsec = (long)(until - now < 100000000ull ? until - now : 100000000ull) };

			nanosleep(&ts, NULL);
			continue;
		}
		/* at most 100 ms between looks at *stop */
		int key = screen_key((int)((until - now) / 1000000ull < 100 ? (until - now) / 1000000ull : 100));

		if (key >= 0)
			handle_key(v, key);
	}
}

void top_view_hold(struct top_view *v, const char *status)
{
	if (!v->terminal)
		return;
	if (v->m.paused) {	/* the end: show what came in during the pause */
		v->m.paused = false;
		if (top_model_add(&v->m, NULL, 0))
			return;
		v->last.number = v->m.frames;
	}
	v->last.status = status;
	draw(v);
	while (!v->quit && !(v->o.stop && *v->o.stop)) {
		int key = screen_key(100);

		if (key >= 0)
			handle_key(v, key);
	}
}
