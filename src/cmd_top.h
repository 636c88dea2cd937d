/* `smccctrace top`: the live full-screen view (src/top_live.c, src/top_view.c). */
#ifndef SMCCCTRACE_CMD_TOP_H
#define SMCCCTRACE_CMD_TOP_H
#include <stdio.h>

void top_usage(FILE *out);
int cmd_top(int argc, char **argv);
#endif
