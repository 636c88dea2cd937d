/* The version of smccctrace, written into record files (src/record.h) so that a
 * report can say which build traced. */
#ifndef SMCCCTRACE_VERSION_H
#define SMCCCTRACE_VERSION_H
#define SMCCCTRACE_VERSION "0.1.0"
#endif
