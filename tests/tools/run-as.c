/* run-as UID PROG ARGS...: runs PROG as an unprivileged user (busybox's setpriv
 * cannot change uids), for the "no privileges" tests. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t id;

	if (argc < 3) {
		fprintf(stderr, "usage: run-as UID PROG ARGS...\n");
		return 2;
	}
	id = (uid_t)strtoul(argv[1], NULL, 10);
	if (setgroups(0, NULL) || setgid(id) || setuid(id)) {
		perror("run-as");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror("run-as: exec");
	return 127;
}
