/* The version of smccctrace, written into record files (src/record.h) so that a
 * report can say which build traced, and `smccctrace --version`. */
#ifndef SMCCCTRACE_VERSION_H
#define SMCCCTRACE_VERSION_H
#include <stddef.h>
#include <stdio.h>

#define SMCCCTRACE_VERSION "0.1.0"

/* The --version text: version, git describe (or "release"), the libbpf and
 * libmicrohttpd this binary runs with, and its build kind. */
int version_text(char *buf, size_t len);
void print_version(FILE *out);
#endif
