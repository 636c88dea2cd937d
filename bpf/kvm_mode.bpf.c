// SPDX-License-Identifier: GPL-2.0
/*
 * What `smccctrace probe` reads to tell KVM's mode from the running kernel, not from
 * its boot message (src/kvm_mode.c decides; docs/kernels.md lists the modes):
 *
 *  - kvm_mode, arch/arm64/kvm/arm.c's record of kvm-arm.mode= (default, protected,
 *    nested, none), its values named by CO-RE from the kernel's enum kvm_mode;
 *  - the CPU capabilities the kernel finalised (system_cpucaps, cpu_hwcaps before
 *    6.4), each named by its entry in arm64_features[] (desc, capability number): the
 *    numbers differ from kernel to kernel, the descriptions are what the boot log's
 *    "CPU features: detected:" lines print.
 *
 * These are static or data symbols: libbpf resolves them from /proc/kallsyms, which
 * lists data only with CONFIG_KALLSYMS_ALL (Debian's 6.12 and 7.x; not 6.1). A symbol
 * the kernel lacks resolves to 0 (__weak) and is reported missing. Run once with
 * BPF_PROG_TEST_RUN, never attached.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "kvm_mode_bpf.h"

char LICENSE[] SEC("license") = "GPL";

extern const void kvm_mode __ksym __weak;
extern const void arm64_features __ksym __weak;
extern const void system_cpucaps __ksym __weak;
extern const void cpu_hwcaps __ksym __weak;

/* results, read by userspace from the skeleton's .bss */
bool have_kvm_mode, have_features, have_cpucaps;
int mode_value;				/* kvm_mode's value */
int mode_protected = -1, mode_nv = -1;	/* KVM_MODE_PROTECTED and KVM_MODE_NV on this kernel */
__u32 nr_features;
struct cpu_feature features[KVM_MODE_MAX_FEATURES];
__u64 cpucaps[KVM_MODE_CAP_WORDS];

static void read_kvm_mode(void)
{
	if (!&kvm_mode || !bpf_core_type_exists(enum kvm_mode))
		return;
	if (bpf_probe_read_kernel(&mode_value, sizeof(mode_value), &kvm_mode))
		return;
	have_kvm_mode = true;
	if (bpf_core_enum_value_exists(enum kvm_mode, KVM_MODE_PROTECTED))
		mode_protected = bpf_core_enum_value(enum kvm_mode, KVM_MODE_PROTECTED);
	if (bpf_core_enum_value_exists(enum kvm_mode, KVM_MODE_NV))
		mode_nv = bpf_core_enum_value(enum kvm_mode, KVM_MODE_NV);
}

static void read_features(void)
{
	const void *caps = &system_cpucaps ? &system_cpucaps : &cpu_hwcaps;
	__u64 stride = bpf_core_type_size(struct arm64_cpu_capabilities);

	if (caps && !bpf_probe_read_kernel(cpucaps, sizeof(cpucaps), caps))
		have_cpucaps = true;
	if (!&arm64_features || !stride)
		return;
	for (__u32 i = 0; i < KVM_MODE_MAX_FEATURES; i++) {
		const struct arm64_cpu_capabilities *c = (const void *)&arm64_features + i * stride;
		const char *desc = NULL;
		void *matches = NULL;

		/* the array ends with an empty entry; every real one has .matches (some,
		 * like ARM64_ALWAYS_BOOT, have no .desc) */
		if (bpf_core_read(&matches, sizeof(matches), &c->matches) || !matches)
			break;
		if (bpf_core_read(&features[i].capability, sizeof(features[i].capability), &c->capability) ||
		    bpf_core_read(&desc, sizeof(desc), &c->desc))
			break;
		if (desc)
			bpf_probe_read_kernel_str(features[i].desc, KVM_MODE_DESC_LEN, desc);
		nr_features = i + 1;
	}
	have_features = nr_features > 0;
}

SEC("raw_tp")
int read_kvm_state(void *ctx)
{
	read_kvm_mode();
	read_features();
	return 0;
}
