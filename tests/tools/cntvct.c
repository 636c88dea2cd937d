// SPDX-License-Identifier: GPL-2.0
/*
 * cntvct: prints the virtual counter (CNTVCT_EL0) in decimal, or with -f its frequency
 * (CNTFRQ_EL0). Runs in the Linux guest that Debian's QEMU boots in the test bed
 * (tests/vm/guest-init): the guest's own readings of its counter around each CPU
 * hotplug action, which the tracer's guest_cntvct of that action's PSCI calls must
 * lie between (tests/vm/check_qemu.py). Linux lets EL0 read the virtual counter.
 *
 * With -k MESSAGE it reads the counter, writes MESSAGE to /dev/kmsg (the kernel stamps
 * it with its printk time, sched_clock) and reads the counter again, in one process so
 * that the two readings are as close as the write allows, and prints "BEFORE AFTER":
 * the bracket of the counter at that printk timestamp, from which the guest's
 * sched_clock epoch is taken out (docs/design.md, "The guest's clock").
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v) :: "memory");
	return v;
}

/* one record per write(2) to /dev/kmsg: the whole line in one call, ending in a
 * newline (a record without one stays open for a continuation, and readers such as
 * dmesg do not see it until the next record is logged) */
static int kmsg_bracket(const char *msg)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	uint64_t before, after;
	char line[1024];
	ssize_t n;
	int len;

	len = snprintf(line, sizeof(line), "%s\n", msg);
	if (len < 0 || (size_t)len >= sizeof(line)) {
		fprintf(stderr, "cntvct: -k: message too long\n");
		return 1;
	}
	if (fd < 0) {
		perror("cntvct: /dev/kmsg");
		return 1;
	}
	before = counter();
	n = write(fd, line, (size_t)len);
	after = counter();
	close(fd);
	if (n != (ssize_t)len) {
		perror("cntvct: write /dev/kmsg");
		return 1;
	}
	printf("%" PRIu64 " %" PRIu64 "\n", before, after);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t v;

	if (argc > 2 && !strcmp(argv[1], "-k"))
		return kmsg_bracket(argv[2]);
	if (argc > 1 && !strcmp(argv[1], "-f"))
		__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	else
		v = counter();
	printf("%" PRIu64 "\n", v);
	return 0;
}
