/* KVM's mode from the running kernel's state (see kvm_mode.h, bpf/kvm_mode.bpf.c). */
#include "kvm_mode.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "kvm_mode_bpf.h"
#include "kvm_mode.skel.h"

/* The capabilities that decide the mode, by their arm64_features[] description (the
 * text the boot log's "CPU features: detected:" lines print; the same from 6.1 to
 * 7.2, while the capability numbers change). */
static const char CAP_VHE[] = "Virtualization Host Extensions";
static const char CAP_HVHE[] = "VHE for hypervisor only";
static const char CAP_PROTECTED[] = "Protected KVM";
static const char CAP_NESTED[] = "Nested Virtualization Support";

const char *kvm_mode_from_state(const struct kvm_kernel_state *s)
{
	if (!s->have_caps)
		return NULL;
	/* pKVM runs its hypervisor at EL2 with the host at EL1: never with VHE proper */
	if (s->protected_kvm)
		return s->hvhe ? "protected-hvhe" : "protected-nvhe";
	if (s->vhe)
		return s->nested ? "nested" : "vhe";
	return s->hvhe ? "hvhe" : "nvhe";
}

/* KVM's line, 7.x: "%s%sVHE%s mode initialized successfully" with "Protected "/"Hyp ",
 * "h"/"n" and "+NV2"; 6.x: "VHE mode", "Hyp nVHE mode", "Hyp hVHE mode" (6.6+),
 * "Protected nVHE mode"; 5.x: "Hyp mode". The last such line counts. */
const char *kvm_mode_from_boot_log(const char *log)
{
	static const struct {
		const char *text, *mode;
	} names[] = {	/* longest first: "VHE mode" ends "nVHE mode" too */
		{ "Protected hVHE mode initialized", "protected-hvhe" },
		{ "Protected nVHE mode initialized", "protected-nvhe" },
		{ "VHE+NV2 mode initialized", "nested" },
		{ "hVHE mode initialized", "hvhe" },
		{ "nVHE mode initialized", "nvhe" },
		{ "Hyp mode initialized", "nvhe" },
		{ "VHE mode initialized", "vhe" },
	};
	const char *mode = NULL, *at = NULL;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *p = log, *last = NULL;

		while ((p = strstr(p, names[i].text)))
			last = p++;
		/* the latest line wins; at one position, the longer (earlier) name */
		if (last && (!at || last + strlen(names[i].text) > at)) {
			at = last + strlen(names[i].text);
			mode = names[i].mode;
		}
	}
	return mode;
}

const char *kvm_mode_describe(const char *mode)
{
	static const struct {
		const char *mode, *text;
	} d[] = {
		{ "vhe", "host kernel at EL2 (VHE)" },
		{ "nvhe", "hypervisor at EL2, host at EL1 (nVHE)" },
		{ "hvhe", "hypervisor at EL2 with E2H, host at EL1 (hVHE)" },
		{ "protected-nvhe", "protected KVM (pKVM), nVHE hypervisor: protected guests' calls may stay at EL2" },
		{ "protected-hvhe", "protected KVM (pKVM), hVHE hypervisor: protected guests' calls may stay at EL2" },
		{ "nested", "VHE host, nested virtualisation (NV2): guest hypervisors get their guests' HVCs" },
		{ "none", "no KVM" },
	};

	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (!strcmp(d[i].mode, mode))
			return d[i].text;
	return "not known";
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level; (void)fmt; (void)ap;
	return 0;
}

static bool has_cap(const struct kvm_mode_bpf *s, const char *desc)
{
	const __u64 *words = s->bss->cpucaps;
	size_t nr_bits = sizeof(s->bss->cpucaps) * 8;

	for (__u32 i = 0; i < s->bss->nr_features && i < sizeof(s->bss->features) / sizeof(s->bss->features[0]); i++) {
		unsigned int cap = s->bss->features[i].capability;

		if (!strcmp(s->bss->features[i].desc, desc) && cap < nr_bits && (words[cap / 64] >> (cap % 64) & 1))
			return true;
	}
	return false;
}

static const char *requested_name(const struct kvm_mode_bpf *s)
{
	int v = s->bss->mode_value;

	if (v == 0)
		return "default";	/* KVM_MODE_DEFAULT is 0 in every kernel */
	if (v == s->data->mode_protected)
		return "protected";
	if (v == s->data->mode_nv)
		return "nested";
	return "none";
}

/* Loads and runs bpf/kvm_mode.bpf.c once; fills st, or says why not in why. */
static void read_kernel_state(struct kvm_kernel_state *st, char *why, size_t len)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet_print);
	struct kvm_mode_bpf *s = kvm_mode_bpf__open_and_load();
	LIBBPF_OPTS(bpf_test_run_opts, run);

	memset(st, 0, sizeof(*st));
	libbpf_set_print(old);
	if (!s) {
		snprintf(why, len, "cannot load the BPF program that reads KVM's state: %s", strerror(errno));
		return;
	}
	if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.read_kvm_state), &run)) {
		snprintf(why, len, "cannot run the BPF program that reads KVM's state: %s", strerror(errno));
		kvm_mode_bpf__destroy(s);
		return;
	}
	if (!s->bss->have_features || !s->bss->have_cpucaps)
		snprintf(why, len, "the kernel does not list arm64_features/system_cpucaps in /proc/kallsyms (CONFIG_KALLSYMS_ALL)");
	st->have_caps = s->bss->have_features && s->bss->have_cpucaps;
	st->vhe = has_cap(s, CAP_VHE);
	st->hvhe = has_cap(s, CAP_HVHE);
	st->protected_kvm = has_cap(s, CAP_PROTECTED);
	st->nested = has_cap(s, CAP_NESTED);
	st->have_requested = s->bss->have_kvm_mode;
	st->requested = st->have_requested ? requested_name(s) : NULL;
	kvm_mode_bpf__destroy(s);
}

int kvm_guests_can_nest(void)
{
	struct kvm_kernel_state st;
	char why[160];

	read_kernel_state(&st, why, sizeof(why));
	return st.have_caps ? st.nested : -1;
}

static const char *boot_log_mode(void)
{
	static char buf[1 << 17];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = 0;
	return kvm_mode_from_boot_log(buf);
}

void kvm_mode_probe(struct kvm_mode_report *r, bool have_kvm)
{
	struct kvm_kernel_state st;

	memset(r, 0, sizeof(*r));
	if (!have_kvm) {
		r->mode = "none";
		r->source = "none";
		return;
	}
	read_kernel_state(&st, r->why, sizeof(r->why));
	r->boot_log = boot_log_mode();
	r->requested = st.requested;
	r->mode = kvm_mode_from_state(&st);
	r->source = "kernel";
	if (!r->mode) {
		r->mode = r->boot_log ? r->boot_log : "unknown";
		r->source = r->boot_log ? "boot-log" : "none";
	}
}

void kvm_mode_print_line(FILE *f)
{
	struct kvm_mode_report m;

	kvm_mode_probe(&m, true);
	fprintf(f, "smccctrace: KVM mode %s (%s; from %s)\n", m.mode, kvm_mode_describe(m.mode),
		!strcmp(m.source, "kernel") ? "the kernel's state" :
		!strcmp(m.source, "boot-log") ? "the boot message" : "nowhere: unknown");
}
