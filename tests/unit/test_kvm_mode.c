// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the KVM mode decision (src/kvm_mode.c): the mode the kernel's
 * capabilities mean, and the boot message's cross-check. The boot lines are the ones
 * the kernels print (7.2's "%s%sVHE%s mode initialized successfully" in each of its
 * forms, 6.x's and 5.x's), as seen in the emulated host where it boots them.
 */
#include <stdlib.h>
#include "unit.h"
#include "kvm_mode.h"

static void test_state(void)
{
	struct kvm_kernel_state s = { 0 };

	CHECK(kvm_mode_from_state(&s) == NULL, "no capabilities read: no answer");
	s.have_caps = true;
	CHECK_STR(kvm_mode_from_state(&s), "nvhe");
	s.vhe = true;
	CHECK_STR(kvm_mode_from_state(&s), "vhe");
	s.nested = true;
	CHECK_STR(kvm_mode_from_state(&s), "nested");
	s = (struct kvm_kernel_state){ .have_caps = true, .hvhe = true };
	CHECK_STR(kvm_mode_from_state(&s), "hvhe");
	s.protected_kvm = true;
	CHECK_STR(kvm_mode_from_state(&s), "protected-hvhe");
	s.hvhe = false;
	CHECK_STR(kvm_mode_from_state(&s), "protected-nvhe");
	/* protected wins over a VHE capability (pKVM clears VHE; a stale bit says nothing) */
	s.vhe = true;
	CHECK_STR(kvm_mode_from_state(&s), "protected-nvhe");
}

static void test_boot_log(void)
{
	static const struct {
		const char *log, *mode;
	} cases[] = {
		{ "[    5.69] kvm [1]: VHE mode initialized successfully\n", "vhe" },
		{ "[   11.07] kvm [1]: VHE+NV2 mode initialized successfully\n", "nested" },
		{ "[    3.10] kvm [1]: Hyp nVHE mode initialized successfully\n", "nvhe" },
		{ "[    3.10] kvm [1]: Hyp hVHE mode initialized successfully\n", "hvhe" },
		{ "[    9.90] kvm [1]: Protected nVHE mode initialized successfully\n", "protected-nvhe" },
		{ "[    9.90] kvm [1]: Protected hVHE mode initialized successfully\n", "protected-hvhe" },
		{ "[    2.00] kvm [1]: Hyp mode initialized successfully\n", "nvhe" },	/* 5.x */
		{ "[    0.00] CPU features: detected: Virtualization Host Extensions\n"
		  "[    5.00] kvm [1]: IPA Size Limit: 48 bits\n", NULL },	/* rotated out */
		{ "", NULL },
		/* a later line wins (KVM re-initialised, a log of two boots) */
		{ "kvm [1]: Hyp nVHE mode initialized successfully\nkvm [1]: VHE mode initialized successfully\n", "vhe" },
		{ "kvm [1]: VHE mode initialized successfully\nkvm [1]: Protected hVHE mode initialized successfully\n",
		  "protected-hvhe" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = kvm_mode_from_boot_log(cases[i].log);

		if (cases[i].mode)
			CHECK_STR(got, cases[i].mode);
		else
			CHECK(got == NULL, "case %zu: got %s, want none", i, got);
	}
}

static void test_describe(void)
{
	static const char *modes[] = { "vhe", "nvhe", "hvhe", "protected-nvhe", "protected-hvhe", "nested", "none" };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		CHECK(strcmp(kvm_mode_describe(modes[i]), "not known") != 0, "%s is described", modes[i]);
	CHECK_STR(kvm_mode_describe("unknown"), "not known");
}

int main(void)
{
	test_state();
	test_boot_log();
	test_describe();
	return unit_report("kvm_mode");
}
