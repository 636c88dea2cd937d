// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's floor (docs/performance.md): the least a BPF tracer can do per
 * SMCCC call, count it in a per-CPU array, at the hook smccctrace's first program
 * uses (fentry on handle_hvc). Loaded by tests/tools/bench-floor.c, never by
 * smccctrace itself.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

SEC("fentry/handle_hvc")
int BPF_PROG(count_hvc)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&calls, &zero);

	if (n)
		(*n)++;
	return 0;
}
