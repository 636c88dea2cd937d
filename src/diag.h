/* One-line diagnostics: every error the tool reports reads "smccctrace: ...". */
#ifndef SMCCCTRACE_DIAG_H
#define SMCCCTRACE_DIAG_H

#include <stddef.h>

/* Prints "smccctrace: <message>" on stderr and returns 1, the exit status of a failure. */
int errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Writes a one-line message into the caller's buffer err (len bytes) and returns -1: the
 * parsers' way to fail with a reason that their caller prints (errorf) or tests compare.
 */
int errbuf_printf(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif
