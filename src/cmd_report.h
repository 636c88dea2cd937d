/* `smccctrace report FILE`: render a --record file again, offline. */
#ifndef SMCCCTRACE_CMD_REPORT_H
#define SMCCCTRACE_CMD_REPORT_H
int cmd_report(int argc, char **argv);
#endif
