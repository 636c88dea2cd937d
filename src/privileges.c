#include "privileges.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/*
 * CAP_BPF stays: on kernels before 6.5 with unprivileged BPF disabled (Debian's
 * default), every bpf() command, reading a map by its fd included, needs it, and the
 * summary, the exporter and the lost-event counter read maps until the end. Nothing
 * else is needed after attach: the ring buffer is mmap()ed, outputs are open, and
 * detaching is closing fds.
 */
int drop_privileges(char *err, size_t len)
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
	/* the bounding set first: dropping from it needs CAP_SETPCAP, dropped below */
	for (int cap = 0; cap <= last_cap; cap++) {
		if ((unsigned)cap == keep)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
			snprintf(err, len, "cannot drop capability %d from the bounding set: %s", cap, strerror(errno));
			return -1;
		}
	}
	memset(data, 0, sizeof(data));
	data[keep / 32].effective = data[keep / 32].permitted = 1u << (keep % 32);
	if (syscall(SYS_capset, &hdr, data)) {
		snprintf(err, len, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, len, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}
