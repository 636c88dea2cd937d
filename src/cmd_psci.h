/* `smccctrace psci`: the live tracer with the PSCI flow view as its output. */
#ifndef SMCCCTRACE_CMD_PSCI_H
#define SMCCCTRACE_CMD_PSCI_H
#include <stdio.h>
int cmd_psci(int argc, char **argv);
void psci_usage(FILE *out);
#endif
