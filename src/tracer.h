#ifndef SMCCCTRACE_TRACER_H
#define SMCCCTRACE_TRACER_H
/* `smccctrace [-p PID]...`: load, attach, stream calls until told to stop. */
int cmd_trace(int argc, char **argv);
/* `smccctrace VIEW ARGS...` (psci, top): `smccctrace --VIEW ARGS...`, with parse errors
 * naming the subcommand. */
int cmd_trace_view(int argc, char **argv, const char *view);
#endif
