/* The terminal under the interactive top view: raw keys, the screen's size, and a
 * frame drawn in place with a handful of VT100/ANSI sequences (docs/design.md says
 * why not ncurses). */
#ifndef SMCCCTRACE_TOP_SCREEN_H
#define SMCCCTRACE_TOP_SCREEN_H
#include <stdbool.h>

/* Takes the terminal (stdin and stdout must be one): keys unbuffered and not echoed,
 * the alternate screen, no cursor. Returns 0, or -1 with a reason in err. */
int screen_open(char *err, unsigned errlen);
/* Gives the terminal back as it was; safe to call twice. */
void screen_close(void);
/* Draws text (lines ending in '\n') from the top left corner, each line cut to the
 * screen's width, as many lines as fit, the rest of the screen cleared. Returns 0, or
 * -1 with errno when the terminal cannot be written. */
int screen_draw(const char *text);
/* The next key typed within timeout_ms: its byte, or -1 when none (or on a signal).
 * Escape sequences (arrows, ...) are read whole and dropped; a lone Esc is 27. */
int screen_key(int timeout_ms);
#endif
