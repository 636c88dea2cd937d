#ifndef SMCCCTRACE_CMD_PROBE_H
#define SMCCCTRACE_CMD_PROBE_H
int cmd_probe(int argc, char **argv);
#endif
