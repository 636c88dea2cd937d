/* Least privilege: once the BPF programs are loaded and attached, smccctrace keeps
 * only what reading its maps needs. */
#ifndef SMCCCTRACE_PRIVILEGES_H
#define SMCCCTRACE_PRIVILEGES_H
#include <stddef.h>

/* Drops every capability but CAP_BPF from the effective, permitted, inheritable and
 * bounding sets, and sets no_new_privs. Returns 0, or -1 with a reason in err. */
int drop_privileges(char *err, size_t len);
#endif
