/* bench-floor: the benchmark's floor (docs/performance.md). Loads
 * bpf/bench_floor.bpf.c, which counts HVC traps in a per-CPU array at fentry on
 * handle_hvc, says "bench-floor: attached with ..." on stderr as smccctrace -v does,
 * and on SIGINT/SIGTERM prints "bench-floor: N calls" and exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "bench_floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

/* The per-CPU counters, added up */
static unsigned long long count_calls(struct bench_floor_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long total = 0;
	__u64 *per_cpu;
	__u32 zero = 0;

	if (ncpu <= 0 || !(per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu))))
		return 0;
	if (!bpf_map__lookup_elem(skel->maps.calls, &zero, sizeof(zero), per_cpu,
				  sizeof(*per_cpu) * (size_t)ncpu, 0))
		for (int i = 0; i < ncpu; i++)
			total += per_cpu[i];
	free(per_cpu);
	return total;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct bench_floor_bpf *skel;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = bench_floor_bpf__open_and_load();
	if (!skel || bench_floor_bpf__attach(skel)) {
		fprintf(stderr, "bench-floor: cannot load or attach: %s\n", strerror(errno));
		bench_floor_bpf__destroy(skel);
		return 1;
	}
	fprintf(stderr, "bench-floor: attached with fentry on handle_hvc\n");
	while (!stop)
		sleep(1);	/* a signal cuts it short */
	printf("bench-floor: %llu calls\n", count_calls(skel));
	bench_floor_bpf__destroy(skel);
	return 0;
}
