// SPDX-License-Identifier: GPL-2.0
/*
 * smccctrace decode [--json] ID|NAME|SERVICE...
 *
 * Prints what each SMCCC function ID is, one line per ID. Every argument is
 * checked before anything is printed, so bad input leaves stdout empty.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "smccc.h"

#define EXIT_BAD_INPUT 2

static const char usage[] =
"Usage: smccctrace decode [--json] ID|NAME|SERVICE...\n"
"\n"
"Decode SMCCC function IDs, the value a guest puts in x0 for HVC or SMC.\n"
"\n"
"  ID       hex with 0x, or decimal: 0xc4000003, 3288334339\n"
"  NAME     function name, any case: PSCI_CPU_ON; trailing words naming one\n"
"           function are enough: cpu_on. A name with SMC32 and SMC64 IDs\n"
"           prints both.\n"
"  SERVICE  every known ID of a service: arch, psci, sdei, trng, ffa,\n"
"           pv_time, kvm, cpu\n"
"\n"
"Output columns: ID, name, owner/service, fast or yielding, SMC32 or SMC64,\n"
"then notes: \"unknown\" (not in the table: the name is made of the service\n"
"and function number) and \"sve-hint\" (bit 16, SMCCC v1.3 SVE hint, set).\n"
"\n"
"Options:\n"
"  --json      one JSON object per line: func_id, name, owner, service,\n"
"              call_type, convention, number, known\n"
"  --names     list every service and function name that decode and --func\n"
"              accept, one per line (for shell completion)\n"
"  -h, --help  this text\n"
"\n"
"Examples:\n"
"  smccctrace decode 0xc4000003\n"
"  smccctrace decode cpu_on 0x86000000 0x82000042\n"
"  smccctrace decode --json psci\n"
"\n"
"Exit status: 0, or 2 for an unknown option, function or service.\n";

struct id_list {
	uint32_t *ids;
	size_t count, cap;
};

static int id_list_add(struct id_list *list, uint32_t id)
{
	uint32_t *grown;

	if (list->count == list->cap) {
		list->cap = list->cap ? 2 * list->cap : 16;
		grown = realloc(list->ids, list->cap * sizeof(*grown));
		if (!grown)
			return -1;
		list->ids = grown;
	}
	list->ids[list->count++] = id;
	return 0;
}

static int add_service(struct id_list *list, enum smccc_service svc)
{
	size_t i;

	for (i = 0; i < smccc_funcs_count; i++) {
		if (smccc_funcs[i].service == svc && id_list_add(list, smccc_funcs[i].id))
			return -1;
	}
	return 0;
}

/* --names: the services, then the function names of the one table, one per line */
static void print_names(FILE *out)
{
	for (int s = 0; s < SVC_COUNT; s++) {
		enum smccc_service svc;
		const char *name = smccc_service_name((enum smccc_service)s);

		if (name && !smccc_parse_service(name, &svc) && (int)svc == s)
			fprintf(out, "%s\n", name);
	}
	for (size_t i = 0; i < smccc_funcs_count; i++)
		if (i == 0 || strcmp(smccc_funcs[i].name, smccc_funcs[i - 1].name))
			fprintf(out, "%s\n", smccc_funcs[i].name);
}

/* Adds the IDs arg stands for; returns 0, or EXIT_BAD_INPUT after saying why. */
static int add_arg(struct id_list *list, const char *arg, FILE *err)
{
	enum smccc_service svc;
	uint32_t ids[2];
	size_t before = list->count;
	int n, i;

	/* Names start with a letter, so a leading digit means a number. */
	if (isdigit((unsigned char)arg[0])) {
		if (smccc_parse_func(arg, &ids[0])) {
			fprintf(err, "smccctrace: decode: unknown function '%s'\n", arg);
			return EXIT_BAD_INPUT;
		}
		return id_list_add(list, ids[0]) ? -1 : 0;
	}
	if (!smccc_parse_service(arg, &svc)) {
		if (add_service(list, svc))
			return -1;
		if (list->count == before)
			fprintf(err, "smccctrace: decode: no named functions in service '%s'\n", arg);
		return 0;
	}
	n = smccc_lookup_name(arg, ids, 2);
	if (n < 0) {
		fprintf(err, "smccctrace: decode: ambiguous function '%s'\n", arg);
		return EXIT_BAD_INPUT;
	}
	if (n == 0) {
		fprintf(err, "smccctrace: decode: unknown function '%s'\n", arg);
		return EXIT_BAD_INPUT;
	}
	for (i = 0; i < n && i < 2; i++) {
		if (id_list_add(list, ids[i]))
			return -1;
	}
	return 0;
}

static void print_json(FILE *out, uint32_t id)
{
	struct smccc_decoded d;
	char name[SMCCC_NAME_MAX], summary[SMCCC_NAME_MAX];
	uint32_t summary_id;
	bool folded;

	smccc_decode(id, &d);
	/* what --summary and --listen count it under (unknown IDs folded per service) */
	summary_id = smccc_summary_func(id, &folded);
	if (folded)
		smccc_fold_name(summary_id, summary, sizeof(summary));
	else
		smccc_name(summary_id, summary, sizeof(summary));
	/* Names are [A-Za-z0-9_] only: nothing to escape. */
	fprintf(out, "{\"func_id\":\"0x%08x\",\"name\":\"%s\",\"owner\":\"%s\","
		"\"service\":\"%s\",\"call_type\":\"%s\",\"convention\":\"%s\","
		"\"number\":%u,\"known\":%s,\"summary_label\":\"%s\"}\n",
		id, smccc_name(id, name, sizeof(name)), smccc_owner_name(d.owner),
		smccc_service_name(d.service), d.fast ? "fast" : "yielding",
		d.smc64 ? "smc64" : "smc32", d.number, d.name ? "true" : "false", summary);
}

static int where_len(const struct smccc_decoded *d)
{
	return (int)(strlen(smccc_owner_name(d->owner)) + 1 +
		     strlen(smccc_service_name(d->service)));
}

static void print_text(FILE *out, const struct id_list *list)
{
	struct smccc_decoded d;
	char name[SMCCC_NAME_MAX], where[64];
	int name_width = 0, where_width = 0, len;
	size_t i;

	for (i = 0; i < list->count; i++) {
		smccc_decode(list->ids[i], &d);
		len = (int)strlen(smccc_name(list->ids[i], name, sizeof(name)));
		if (len > name_width)
			name_width = len;
		if (where_len(&d) > where_width)
			where_width = where_len(&d);
	}
	for (i = 0; i < list->count; i++) {
		smccc_decode(list->ids[i], &d);
		snprintf(where, sizeof(where), "%s/%s", smccc_owner_name(d.owner),
			 smccc_service_name(d.service));
		fprintf(out, "0x%08x  %-*s  %-*s  %-8s  %s%s%s\n", list->ids[i],
			name_width, smccc_name(list->ids[i], name, sizeof(name)),
			where_width, where, d.fast ? "fast" : "yielding",
			d.smc64 ? "SMC64" : "SMC32", d.name ? "" : "  unknown",
			d.sve_hint ? "  sve-hint" : "");
	}
}

int cmd_decode_to(FILE *out, FILE *err, int argc, char **argv)
{
	struct id_list list = { 0 };
	bool json = false, options_done = false;
	int i, ret = 0, nargs = 0;
	size_t j;

	for (i = 1; i < argc && !ret; i++) {
		const char *arg = argv[i];

		if (!options_done && arg[0] == '-') {
			if (!strcmp(arg, "--json")) {
				json = true;
			} else if (!strcmp(arg, "--names")) {
				print_names(out);
				free(list.ids);
				return 0;
			} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
				fputs(usage, out);
				free(list.ids);
				return 0;
			} else if (!strcmp(arg, "--")) {
				options_done = true;
			} else {
				fprintf(err, "smccctrace: decode: unknown option '%s'\n", arg);
				ret = EXIT_BAD_INPUT;
			}
			continue;
		}
		nargs++;
		ret = add_arg(&list, arg, err);
	}
	if (!ret && !nargs) {
		fputs(usage, err);
		ret = EXIT_BAD_INPUT;
	}
	if (ret < 0) {
		fprintf(err, "smccctrace: decode: out of memory\n");
		ret = 1;
	}
	if (!ret) {
		if (json) {
			for (j = 0; j < list.count; j++)
				print_json(out, list.ids[j]);
		} else {
			print_text(out, &list);
		}
	}
	free(list.ids);
	return ret;
}

int cmd_decode(int argc, char **argv)
{
	return cmd_decode_to(stdout, stderr, argc, argv);
}
