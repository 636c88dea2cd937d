// SPDX-License-Identifier: GPL-2.0
/*
 * cntvct: prints the virtual counter (CNTVCT_EL0) in decimal, or with -f its frequency
 * (CNTFRQ_EL0). Runs in the Linux guest that Debian's QEMU boots in the test bed
 * (tests/vm/guest-init): the guest's own readings of its counter around each CPU
 * hotplug action, which the tracer's guest_cntvct of that action's PSCI calls must
 * lie between (tests/vm/check_qemu.py). Linux lets EL0 read the virtual counter.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	uint64_t v;

	if (argc > 1 && !strcmp(argv[1], "-f"))
		__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	else
		__asm__ volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v) :: "memory");
	printf("%" PRIu64 "\n", v);
	return 0;
}
