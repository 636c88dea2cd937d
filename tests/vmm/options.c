// SPDX-License-Identifier: GPL-2.0
/* The test VMM's command line: usage text, defaults, parsing (options.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "options.h"
#include "program.h"
#include "scenario.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: smccc-testvmm [--scenario NAME] [--truth FILE] [--delay-us N]\n"
"                     [--aarch32] [--protected] [--vcpus N] [--iterations N]\n"
"                     [--timeout S] [--slow-ms N] [--start-delay-ms N]\n"
"                     [--affinity-lag N] [--calls N] [--kind kvm|forwarded] [-v]\n"
"\n"
"Runs guests that make scripted SMCCC calls under KVM and writes the ground\n"
"truth of every call as JSON Lines.\n"
"\n"
"  --scenario NAME   scenario to run (%s; default full)\n"
"  --truth FILE      write the ground truth there (default: stdout)\n"
"  --delay-us N      hold each forwarded call N us before answering (2000)\n"
"  --aarch32         AArch32 guest (exit status 3 if the host has none)\n"
"  --protected       a protected VM (pKVM: kvm-arm.mode=protected, Linux 7.x)\n"
"  --vcpus N         vCPUs, 1..%u; vCPU 0 starts the others with CPU_ON (2)\n"
"  --iterations N    repeat the scenario's call block N times (1)\n"
"  --timeout S       give up after S seconds (900)\n"
"  --slow-ms N       hotplug: hold the answers the scenario marks slow N ms (250)\n"
"  --start-delay-ms N\n"
"                    hotplug: start the vCPU of a late CPU_ON N ms late (600)\n"
"  --affinity-lag N  hotplug: after a lazy CPU_OFF, answer \"on\" to N more\n"
"                    AFFINITY_INFOs about that vCPU (14)\n"
"  --stop-after-setup FILE\n"
"                    once the vCPU threads exist, write 'VCPU TID' lines to FILE\n"
"                    and stop (SIGSTOP) until continued, so that a tracer can\n"
"                    be pointed at one vCPU thread before any call\n"
"  --kallsyms FILE   write the guest programs' symbols to FILE before any call,\n"
"                    as /proc/kallsyms lines: each call's label at its pre-call\n"
"                    marker store, for smccctrace's guest symbols\n"
"                    (--guest-kallsyms)\n"
"  --calls N         bench: calls per vCPU in the timed loop (1000000)\n"
"  --kind KIND       bench: kvm (SMCCC_VERSION, answered by KVM) or forwarded\n"
"                    (an OEM call the VMM answers at once) (kvm); --scenario\n"
"                    bench prints one JSON line with the rate, no truth (1 vCPU)\n"
"  --scenario ids    --calls calls on 1 vCPU, KVM answering: distinct random\n"
"                    function IDs nobody knows, and SMCCC_VERSION and\n"
"                    PSCI_VERSION every 500th; the truth (--truth, required)\n"
"                    has one line per ID\n"
"  --rounds N        real-VMM patterns (abandon, one-thread, migrate,\n"
"                    thread-exit, park, linger, churn, churn-hold, reset):\n"
"                    repetitions; churn: VMs created and destroyed; linger:\n"
"                    VMs holding a call until SIGUSR1; churn-hold: churn's,\n"
"                    then one VM as linger's; reset: boots (at most 15) (10)\n"
"  --hold-ms N       patterns: how long the VMM holds a late answer or a\n"
"                    parked vCPU (20)\n"
"  -name VALUE       ignored but for the truth: QEMU's option (e.g.\n"
"                    guest=vm1,debug-threads=on), for smccctrace -g\n"
"  -v, --verbose     log every call on stderr\n",
		scenario_names(), GUEST_MAX_VCPUS);
}

static int parse_uint(const char *arg, const char *opt, unsigned int min,
		      unsigned int max, unsigned int *out)
{
	unsigned long val;
	char *end;

	errno = 0;
	val = strtoul(arg, &end, 0);
	if (errno || !*arg || *end || val < min || val > max) {
		vmm_err("%s wants a number in %u..%u, not '%s'", opt, min, max,
			arg);
		return -1;
	}
	*out = val;
	return 0;
}

int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "scenario",	required_argument, NULL, 's' },
		{ "truth",	required_argument, NULL, 't' },
		{ "delay-us",	required_argument, NULL, 'd' },
		{ "aarch32",	no_argument,       NULL, '3' },
		{ "protected",	no_argument,       NULL, 'P' },
		{ "vcpus",	required_argument, NULL, 'c' },
		{ "iterations",	required_argument, NULL, 'i' },
		{ "timeout",	required_argument, NULL, 'T' },
		{ "verbose",	no_argument,       NULL, 'v' },
		{ "stop-after-setup", required_argument, NULL, 'S' },
		{ "kallsyms",	required_argument, NULL, 'K' },
		{ "slow-ms",	required_argument, NULL, 'W' },
		{ "start-delay-ms", required_argument, NULL, 'L' },
		{ "affinity-lag", required_argument, NULL, 'A' },
		{ "calls",	required_argument, NULL, 'n' },
		{ "kind",	required_argument, NULL, 'k' },
		{ "rounds",	required_argument, NULL, 'R' },
		{ "hold-ms",	required_argument, NULL, 'H' },
		{ "help",	no_argument,       NULL, 'h' },
		{ }
	};
	int opt;

	*o = (struct options) {
		.scenario = "full",
		.delay_us = 2000,
		.vcpus = 2,
		.iterations = 1,
		.timeout_s = 900,	/* a hang is the test bed's to catch (SCENARIO_STALL); a loaded host is slow */
		.slow_ms = 250,
		.start_delay_ms = 600,
		.affinity_lag = 14,
		.calls = 1000000,
		.kind = BENCH_KVM,
		.rounds = 10,
		.hold_ms = 20,
	};
	/* -name VALUE is QEMU's spelling, which getopt would read as -n -a -m -e: taken
	 * out first (argv itself stays as it was: /proc/PID/cmdline shows it) */
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	int nargs = 0;

	if (!args)
		return -1;
	for (int i = 0; i < argc; i++) {
		if (i && !strcmp(argv[i], "-name") && i + 1 < argc) {
			o->name_arg = argv[++i];
			continue;
		}
		args[nargs++] = argv[i];
	}
	argc = nargs;
	argv = args;
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			o->scenario = optarg;
			break;
		case 't':
			o->truth = optarg;
			break;
		case 'd':
			if (parse_uint(optarg, "--delay-us", 0, 10000000,
				       &o->delay_us))
				return -1;
			break;
		case '3':
			o->aarch32 = true;
			break;
		case 'P':
			o->protected_vm = true;
			break;
		case 'S':
			o->stop_after_setup = optarg;
			break;
		case 'K':
			o->kallsyms = optarg;
			break;
		case 'c':
			if (parse_uint(optarg, "--vcpus", 1, GUEST_MAX_VCPUS,
				       &o->vcpus))
				return -1;
			o->vcpus_set = true;
			break;
		case 'W':
			if (parse_uint(optarg, "--slow-ms", 0, 60000, &o->slow_ms))
				return -1;
			break;
		case 'L':
			if (parse_uint(optarg, "--start-delay-ms", 0, 60000,
				       &o->start_delay_ms))
				return -1;
			break;
		case 'A':
			if (parse_uint(optarg, "--affinity-lag", 0, 1000,
				       &o->affinity_lag))
				return -1;
			break;
		case 'i':
			/* AArch32 answers keep 20 bits of seq: stay below */
			if (parse_uint(optarg, "--iterations", 1, 10000,
				       &o->iterations))
				return -1;
			break;
		case 'T':
			if (parse_uint(optarg, "--timeout", 1, 86400,
				       &o->timeout_s))
				return -1;
			break;
		case 'n':
			if (parse_uint(optarg, "--calls", 1, 1000000000,
				       &o->calls))
				return -1;
			break;
		case 'k':
			if (bench_kind_parse(optarg, &o->kind)) {
				vmm_err("--kind wants kvm or forwarded, not '%s'",
					optarg);
				return -1;
			}
			break;
		case 'R':
			if (parse_uint(optarg, "--rounds", 1, 100000, &o->rounds))
				return -1;
			break;
		case 'H':
			if (parse_uint(optarg, "--hold-ms", 0, 60000, &o->hold_ms))
				return -1;
			break;
		case 'v':
			vmm_verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		vmm_err("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}
