/* The interactive top view's terminal. A frame is one block of text redrawn whole
 * every interval, so the view needs only: cursor home, clear to the end of a line and
 * of the screen, the alternate screen, hide/show the cursor (VT100/xterm sequences
 * every terminal emulator, the Linux console, screen and tmux understand), and termios
 * for unbuffered keys. */
#include "top_screen.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static bool open_;

int screen_open(char *err, unsigned errlen)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "top: the interactive view needs a terminal (-b prints plain frames)");
		return -1;
	}
	if (tcgetattr(STDIN_FILENO, &saved)) {
		snprintf(err, errlen, "top: cannot read the terminal's settings: %s", strerror(errno));
		return -1;
	}
	raw = saved;
	/* keys one at a time, not echoed; ISIG stays: Ctrl-C stops the view cleanly */
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw)) {
		snprintf(err, errlen, "top: cannot set the terminal up: %s", strerror(errno));
		return -1;
	}
	open_ = true;
	fputs("\033[?1049h\033[?25l", stdout);	/* alternate screen, cursor hidden */
	fflush(stdout);
	return 0;
}

void screen_close(void)
{
	if (!open_)
		return;
	open_ = false;
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
}

static void screen_size(unsigned *width, unsigned *height)
{
	struct winsize ws;

	*width = 80;
	*height = 24;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		*width = ws.ws_col;
		*height = ws.ws_row;
	}
}

int screen_draw(const char *text)
{
	unsigned width, height, row = 0;
	const char *p = text;

	screen_size(&width, &height);
	fputs("\033[H", stdout);
	while (*p && row < height) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		/* the last row gets no newline: it would scroll the screen */
		fprintf(stdout, "%.*s\033[K%s", (int)(len < width ? len : width), p, row + 1 < height ? "\n" : "");
		row++;
		p += len + (nl ? 1 : 0);
	}
	fputs("\033[J", stdout);
	return fflush(stdout) ? -1 : 0;
}

int screen_key(int timeout_ms)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	unsigned char c, rest[16];

	if (poll(&pfd, 1, timeout_ms) <= 0 || read(STDIN_FILENO, &c, 1) != 1)
		return -1;
	/* an escape sequence arrives in one go; a lone Esc has nothing after it */
	if (c == 27 && poll(&pfd, 1, 0) > 0 && read(STDIN_FILENO, rest, sizeof(rest)) > 0)
		return -1;
	return c;
}
