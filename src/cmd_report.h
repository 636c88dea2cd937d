/* `smccctrace report FILE`: render a --record file again, offline. */
#ifndef SMCCCTRACE_CMD_REPORT_H
#define SMCCCTRACE_CMD_REPORT_H
int cmd_report(int argc, char **argv);
/* The exit status of a report of a truncated file (no end record: the tracer was
 * killed or its host went down): every whole record was rendered, a warning on
 * stderr names the offset where the file stops. 1 is an error (nothing rendered),
 * 2 a usage error. */
#define REPORT_EXIT_TRUNCATED 3
#endif
