#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define PASSWD "/etc/passwd"
#define NOBODY "nobody"
#define NOBODY_ID 65534		/* the conventional nobody/nogroup, when /etc/passwd has none */

static int get_caps(struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };

	memset(data, 0, sizeof(*data) * _LINUX_CAPABILITY_U32S_3);
	return (int)syscall(SYS_capget, &hdr, data);
}

static bool has_cap(const struct __user_cap_data_struct *data, unsigned cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

int privileges_check(char *err, size_t len)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	bool bpf, perfmon;

	if (get_caps(data)) {
		snprintf(err, len, "cannot read this process's capabilities: %s", strerror(errno));
		return -1;
	}
	bpf = has_cap(data, CAP_BPF);
	perfmon = has_cap(data, CAP_PERFMON);
	if (bpf && perfmon)
		return 0;
	snprintf(err, len, "permission denied: tracing KVM needs CAP_BPF and CAP_PERFMON (root has both); "
		 "this process lacks %s", !bpf && !perfmon ? "both" : !bpf ? "CAP_BPF" : "CAP_PERFMON");
	return -1;
}

/* name from /etc/passwd, read directly: NSS modules cannot load in a static binary */
static bool passwd_lookup(const char *name, uid_t *uid, gid_t *gid)
{
	FILE *f = fopen(PASSWD, "r");
	struct passwd *pw;
	bool found = false;

	if (!f)
		return false;
	while (!found && (pw = fgetpwent(f)))
		if (!strcmp(pw->pw_name, name)) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
			found = true;
		}
	fclose(f);
	return found;
}

/* "UID" or "UID:GID" */
static bool parse_ids(const char *s, uid_t *uid, gid_t *gid)
{
	char *end;
	unsigned long u = strtoul(s, &end, 10), g;

	if (end == s || (*end && *end != ':') || u > 0xfffffffeul)
		return false;
	g = u;
	if (*end == ':') {
		const char *gs = end + 1;

		g = strtoul(gs, &end, 10);
		if (end == gs || *end || g > 0xfffffffeul)
			return false;
	}
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return true;
}

int privileges_resolve(const char *user, struct run_as *who, char *err, size_t len)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const char *name = user ? user : NOBODY;

	memset(who, 0, sizeof(*who));
	if (!user && geteuid() != 0)
		return 0;	/* already unprivileged: it stays who it is */
	if (parse_ids(name, &who->uid, &who->gid)) {
		snprintf(who->name, sizeof(who->name), "%u:%u", (unsigned)who->uid, (unsigned)who->gid);
	} else if (passwd_lookup(name, &who->uid, &who->gid)) {
		snprintf(who->name, sizeof(who->name), "%s", name);
	} else if (!user) {
		who->uid = who->gid = NOBODY_ID;
		snprintf(who->name, sizeof(who->name), "%u:%u", NOBODY_ID, NOBODY_ID);
	} else {
		snprintf(err, len, "--user: no user '%s' in %s (a name, or UID[:GID])", user, PASSWD);
		return -1;
	}
	if (get_caps(data) || !has_cap(data, CAP_SETUID) || !has_cap(data, CAP_SETGID)) {
		snprintf(err, len, "--user %s: changing user needs CAP_SETUID and CAP_SETGID, which this process lacks",
			 name);
		return -1;
	}
	who->change = true;
	return 0;
}

/*
 * CAP_BPF stays: on kernels before 6.5 with unprivileged BPF disabled (Debian's
 * default), every bpf() command, reading a map by its fd included, needs it, and the
 * summary, the exporter and the lost-event counter read maps until the end. Nothing
 * else is needed after attach: the ring buffer is mmap()ed, outputs and the exporter's
 * socket are open, detaching is closing fds, and VMMs are watched with kill(pid, 0),
 * where EPERM still means alive.
 */
int drop_privileges(const struct run_as *who, char *err, size_t len)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const unsigned keep = CAP_BPF;
	int last_cap = CAP_LAST_CAP;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");

	if (f) {
		if (fscanf(f, "%d", &last_cap) != 1)
			last_cap = CAP_LAST_CAP;
		fclose(f);
	}
	/* the bounding set first: dropping from it needs CAP_SETPCAP, dropped below. A
	 * caller without it (a user given CAP_BPF and CAP_PERFMON) keeps its bounding
	 * set; no_new_privs still stops any exec from gaining capabilities. */
	if (!get_caps(data) && has_cap(data, CAP_SETPCAP))
		for (int cap = 0; cap <= last_cap; cap++) {
			if ((unsigned)cap == keep)
				continue;
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
				snprintf(err, len, "cannot drop capability %d from the bounding set: %s", cap,
					 strerror(errno));
				return -1;
			}
		}
	if (who->change) {
		/* keep the permitted set across the uid change, to keep CAP_BPF below */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) ||
		    setresgid(who->gid, who->gid, who->gid) || setresuid(who->uid, who->uid, who->uid)) {
			snprintf(err, len, "cannot run as %s: %s", who->name, strerror(errno));
			return -1;
		}
	}
	memset(data, 0, sizeof(data));
	data[keep / 32].effective = data[keep / 32].permitted = 1u << (keep % 32);
	if (syscall(SYS_capset, &hdr, data)) {
		snprintf(err, len, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);	/* emptied with inheritable anyway */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, len, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}
