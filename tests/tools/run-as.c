/* run-as [--caps LIST] UID PROG ARGS...: runs PROG as an unprivileged user (busybox's
 * setpriv cannot change uids), for the privilege tests. --caps bpf,perfmon,... hands
 * PROG those capabilities as ambient ones (what a service manager's
 * AmbientCapabilities= does), and nothing else. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static const struct { const char *name; unsigned cap; } caps[] = {
	{ "bpf", 39 }, { "perfmon", 38 }, { "sys_admin", CAP_SYS_ADMIN }, { "setuid", CAP_SETUID },
	{ "setgid", CAP_SETGID }, { "sys_resource", CAP_SYS_RESOURCE }, { "dac_read_search", CAP_DAC_READ_SEARCH },
};

static int parse_caps(char *list, unsigned *set, int max)
{
	int n = 0;

	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		size_t i;

		for (i = 0; i < sizeof(caps) / sizeof(caps[0]) && strcmp(caps[i].name, tok); i++)
			;
		if (i == sizeof(caps) / sizeof(caps[0]) || n == max) {
			fprintf(stderr, "run-as: unknown capability '%s'\n", tok);
			return -1;
		}
		set[n++] = caps[i].cap;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned set[16];
	int nr_caps = 0, a = 1;
	uid_t id;

	if (argc > 2 && !strcmp(argv[1], "--caps")) {
		nr_caps = parse_caps(argv[2], set, 16);
		if (nr_caps < 0)
			return 2;
		a = 3;
	}
	if (argc < a + 2) {
		fprintf(stderr, "usage: run-as [--caps LIST] UID PROG ARGS...\n");
		return 2;
	}
	id = (uid_t)strtoul(argv[a], NULL, 10);
	if ((nr_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) || setgroups(0, NULL) || setgid(id) || setuid(id)) {
		perror("run-as");
		return 2;
	}
	if (nr_caps) {
		memset(data, 0, sizeof(data));
		for (int i = 0; i < nr_caps; i++) {
			data[set[i] / 32].permitted |= 1u << (set[i] % 32);
			data[set[i] / 32].inheritable |= 1u << (set[i] % 32);
		}
		if (syscall(SYS_capset, &hdr, data)) {
			perror("run-as: capset");
			return 2;
		}
		for (int i = 0; i < nr_caps; i++)
			if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, set[i], 0, 0)) {
				perror("run-as: ambient");
				return 2;
			}
	}
	execvp(argv[a + 1], argv + a + 1);
	perror("run-as: exec");
	return 127;
}
