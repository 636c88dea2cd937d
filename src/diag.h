/* One-line diagnostics: every error the tool reports reads "smccctrace: ...". */
#ifndef SMCCCTRACE_DIAG_H
#define SMCCCTRACE_DIAG_H

/* Prints "smccctrace: <message>" on stderr and returns 1, the exit status of a failure. */
int errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
