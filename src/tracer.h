#ifndef SMCCCTRACE_TRACER_H
#define SMCCCTRACE_TRACER_H
/* `smccctrace [-p PID]...`: load, attach, stream calls until told to stop. */
int cmd_trace(int argc, char **argv);
#endif
