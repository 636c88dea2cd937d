/* Least privilege: smccctrace needs CAP_BPF and CAP_PERFMON to load and attach, and
 * once attached runs as an unprivileged user keeping only what reading its maps
 * needs. */
#ifndef SMCCCTRACE_PRIVILEGES_H
#define SMCCCTRACE_PRIVILEGES_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Who the tracer becomes once attached. */
struct run_as {
	bool change;		/* false: a non-root caller stays who it is */
	uid_t uid;
	gid_t gid;
	char name[64];		/* for messages: "nobody", "65534:65534", ... */
};

/* Checks that this process may load and attach the tracer: CAP_BPF and CAP_PERFMON
 * in its effective set. Returns 0, or -1 with a one-line reason naming what is
 * missing in err. */
int privileges_check(char *err, size_t len);
/* Resolves --user (NULL: nobody when the caller is root, else no change) from
 * /etc/passwd (no NSS: the arm64 tool is static) or UID[:GID]. A uid change needs
 * CAP_SETUID and CAP_SETGID. Returns 0, or -1 with a one-line reason in err. */
int privileges_resolve(const char *user, struct run_as *who, char *err, size_t len);
/* After attach: switches to who (groups dropped), keeps only CAP_BPF (effective and
 * permitted; the bounding set too when CAP_SETPCAP allows), clears the inheritable
 * and ambient sets, and sets no_new_privs. Returns 0, or -1 with a reason in err. */
int drop_privileges(const struct run_as *who, char *err, size_t len);
#endif
