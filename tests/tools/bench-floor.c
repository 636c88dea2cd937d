/* bench-floor: the benchmark's floor (docs/performance.md). Loads
 * bpf/bench_floor.bpf.c, which counts HVC traps in a per-CPU array at fentry on
 * handle_hvc, says "bench-floor: attached with ..." on stderr as smccctrace -v does,
 * and on SIGINT/SIGTERM prints "bench-floor: N calls" and exits. With --parts it loads
 * the building-block programs too (bpf/bench_floor.bpf.c) and consumes their ring
 * buffers, every 100 ms or when woken, discarding the records. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
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

static int discard(void *ctx, void *data, size_t size)
{
	(void)ctx, (void)data, (void)size;
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	bool parts = argc > 1 && !strcmp(argv[1], "--parts");
	struct ring_buffer *rb = NULL;
	struct bench_floor_bpf *skel;
	struct bpf_program *prog;

	if (argc > 2 || (argc == 2 && !parts)) {
		fprintf(stderr, "usage: bench-floor [--parts]\n");
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = bench_floor_bpf__open();
	if (skel && parts)
		bpf_object__for_each_program(prog, skel->obj)
			bpf_program__set_autoload(prog, true);
	if (!skel || bench_floor_bpf__load(skel) || bench_floor_bpf__attach(skel)) {
		fprintf(stderr, "bench-floor: cannot load or attach: %s\n", strerror(errno));
		bench_floor_bpf__destroy(skel);
		return 1;
	}
	if (parts) {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.part_ring_quiet), discard, NULL, NULL);
		if (!rb || ring_buffer__add(rb, bpf_map__fd(skel->maps.part_ring_woken), discard, NULL)) {
			fprintf(stderr, "bench-floor: cannot open the ring buffers: %s\n", strerror(errno));
			ring_buffer__free(rb);
			bench_floor_bpf__destroy(skel);
			return 1;
		}
	}
	fprintf(stderr, "bench-floor: attached with fentry on handle_hvc%s\n", parts ? " (and the parts)" : "");
	while (!stop) {
		if (rb)
			ring_buffer__poll(rb, 100);	/* a signal cuts it short */
		else
			sleep(1);
	}
	printf("bench-floor: %llu calls\n", count_calls(skel));
	ring_buffer__free(rb);
	bench_floor_bpf__destroy(skel);
	return 0;
}
