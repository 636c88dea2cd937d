// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of guest symbols (src/guest_syms*.c): kallsyms with modules and
 * non-code types, System.map with a KASLR offset and an anchor, a vmlinux read with
 * libelf (a small ELF linked by the compiler here, at test time), the lookup's edges,
 * the options and their errors.
 */
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "guest_syms.h"
#include "options.h"

static const char kallsyms[] =
	"ffff800080000000 T _text\n"
	"ffff800080010000 t __invoke_psci_fn_hvc\n"
	"ffff800080010040 T psci_cpu_on\n"
	"ffff800080010100 r psci_rodata_table\n"	/* data ends psci_cpu_on */
	"ffff800080010200 W weak_func\n"
	"ffff800080010200 T weak_alias\n"		/* an alias: one of them is shown */
	"ffff800080010300 A abs_sym\n"		/* absolute: no place in the image */
	"ffff800080010400 d some_data\n"
	"ffff800080020000 t mod_func\t[virtio_blk]\n"
	"ffff800080020080 T mod_last\t[virtio_blk]\n";

static struct guest_syms *text_table(const char *text, enum guest_syms_kind kind, uint64_t offset, char *err,
				     size_t len)
{
	char *copy = strdup(text);

	return guest_syms_from_text(copy, strlen(copy), kind, offset, "test", err, len);
}

static const char *sym(const struct guest_syms *t, uint64_t pc)
{
	static char buf[GUEST_SYM_TEXT_MAX];

	return guest_syms_format(t, pc, buf, sizeof(buf)) ? NULL : buf;
}

static void test_kallsyms(void)
{
	char err[256] = "";
	struct guest_syms *t = text_table(kallsyms, GUEST_SYMS_KALLSYMS, 0, err, sizeof(err));

	CHECK(t != NULL, "parsed: %s", err);
	if (!t)
		return;
	CHECK_INT(guest_syms_count(t), 6);	/* the weak alias folded */
	CHECK(sym(t, 0xffff80007fffffffULL) == NULL, "before the first symbol: unknown");
	CHECK_STR(sym(t, 0xffff800080000000ULL), "_text+0x0");
	CHECK_STR(sym(t, 0xffff800080010000ULL), "__invoke_psci_fn_hvc+0x0");	/* exact hit */
	CHECK_STR(sym(t, 0xffff80008001003cULL), "__invoke_psci_fn_hvc+0x3c");	/* up to the next */
	CHECK_STR(sym(t, 0xffff800080010064ULL), "psci_cpu_on+0x24");
	CHECK(sym(t, 0xffff800080010100ULL) == NULL, "rodata: unknown");
	CHECK(sym(t, 0xffff8000800101fcULL) == NULL, "inside rodata: unknown");
	/* a weak W and a global T at one address: the global one */
	CHECK_STR(sym(t, 0xffff800080010204ULL), "weak_alias+0x4");
	/* the absolute symbol is no boundary: weak_alias runs to some_data */
	CHECK_STR(sym(t, 0xffff800080010300ULL), "weak_alias+0x100");
	CHECK(sym(t, 0xffff800080010400ULL) == NULL, "data: unknown");
	CHECK_STR(sym(t, 0xffff800080020010ULL), "mod_func+0x10 [virtio_blk]");
	const char *name, *module;
	uint64_t off;

	CHECK_INT(guest_syms_lookup(t, 0xffff800080020084ULL, &name, &module, &off), 0);
	CHECK_STR(name, "mod_last");
	CHECK_STR(module, "virtio_blk");
	CHECK_INT(off, 4);
	/* the last symbol, without a size, ends at its page's end */
	CHECK_STR(sym(t, 0xffff800080020ffcULL), "mod_last+0xf7c [virtio_blk]");
	CHECK(sym(t, 0xffff800080021000ULL) == NULL, "past the last symbol's page: unknown");
	CHECK(sym(t, UINT64_MAX) == NULL, "the top: unknown");
	guest_syms_free(t);
}

static void test_bad_text(void)
{
	static const char *const bad[] = {
		"ffff800080000000 T\n",			/* no name */
		"xyz T name\n",				/* no address */
		"ffff800080000000 T two names\n",
		"ffff800080000000  T name\n",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		CHECK(text_table(bad[i], GUEST_SYMS_KALLSYMS, 0, err, sizeof(err)) == NULL, "refused: %s", bad[i]);
		CHECK(strstr(err, "line 1 is not") != NULL, "says which line: %s", err);
	}
	/* kallsyms read without root: every address 0 */
	err[0] = 0;
	CHECK(text_table("0000000000000000 T _text\n0000000000000000 t foo\n", GUEST_SYMS_KALLSYMS, 0, err,
			 sizeof(err)) == NULL, "all zero refused");
	CHECK(strstr(err, "as root") != NULL, "says why: %s", err);
	err[0] = 0;
	CHECK(text_table("ffff800080000000 d data\n", GUEST_SYMS_SYSTEM_MAP, 0, err, sizeof(err)) == NULL,
	      "no code refused");
	CHECK(strstr(err, "no code symbol") != NULL, "says why: %s", err);
	err[0] = 0;
	CHECK(text_table("ffffffffffff0000 T f\n0000000000001000 T g\n", GUEST_SYMS_SYSTEM_MAP, 0x20000, err,
			 sizeof(err)) == NULL, "an offset that wraps some symbols refused");
	CHECK(strstr(err, "KASLR offset") != NULL, "says why: %s", err);
}

static const char system_map[] =
	"ffff800080000000 T _text\n"
	"ffff800080010000 t __invoke_psci_fn_hvc\n"
	"ffff800080010040 T psci_cpu_on\n"
	"ffff800080010100 D data\n";

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/smccctrace-unit-XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static void test_system_map(void)
{
	char err[256] = "";
	char *path = write_temp(system_map);
	struct guest_syms_spec spec = { .kind = GUEST_SYMS_SYSTEM_MAP, .path = path, .offset_set = true,
					.offset = 0x1a2b400000ULL };
	struct guest_syms *t = guest_syms_load(&spec, err, sizeof(err));

	CHECK(t != NULL, "loaded: %s", err);
	CHECK_STR(sym(t, 0xffff800080010064ULL + 0x1a2b400000ULL), "psci_cpu_on+0x24");
	CHECK(sym(t, 0xffff800080010064ULL) == NULL, "the link address is not the guest's");
	guest_syms_free(t);
	/* the anchor: the guest's _text, as its kallsyms has it */
	spec = (struct guest_syms_spec){ .kind = GUEST_SYMS_SYSTEM_MAP, .path = path,
					 .anchor = "_text=ffff801aab400000", .anchor_addr = 0xffff801aab400000ULL };
	t = guest_syms_load(&spec, err, sizeof(err));
	CHECK(t != NULL, "loaded with an anchor: %s", err);
	CHECK_STR(sym(t, 0xffff801aab410008ULL), "__invoke_psci_fn_hvc+0x8");
	guest_syms_free(t);
	spec.anchor = "no_such=ffff801a2b400000";
	err[0] = 0;
	CHECK(guest_syms_load(&spec, err, sizeof(err)) == NULL, "an unknown anchor refused");
	CHECK(strstr(err, "no symbol 'no_such'") != NULL, "says which: %s", err);
	/* no offset: the link addresses (a nokaslr guest) */
	spec = (struct guest_syms_spec){ .kind = GUEST_SYMS_SYSTEM_MAP, .path = path };
	t = guest_syms_load(&spec, err, sizeof(err));
	CHECK_STR(sym(t, 0xffff800080010064ULL), "psci_cpu_on+0x24");
	guest_syms_free(t);
	unlink(path);
	free(path);
	spec = (struct guest_syms_spec){ .kind = GUEST_SYMS_KALLSYMS, .path = "/nonexistent/kallsyms" };
	err[0] = 0;
	CHECK(guest_syms_load(&spec, err, sizeof(err)) == NULL, "a missing file refused");
	CHECK(strstr(err, "/nonexistent/kallsyms: No such file") != NULL, "says why: %s", err);
}

/* A small ELF, linked here: two functions of known sizes, a data object between */
static void test_vmlinux(void)
{
	char dir[] = "/tmp/smccctrace-elf-XXXXXX", src[128], elf[128], cmd[1024], err[256] = "";
	FILE *f;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(src, sizeof(src), "%s/vmlinux.c", dir);
	snprintf(elf, sizeof(elf), "%s/vmlinux", dir);
	f = fopen(src, "w");
	fputs("int data_between = 1;\n"
	      "__attribute__((noinline)) int first_func(int x) { return x * 3 + data_between; }\n"
	      "__attribute__((noinline)) int psci_cpu_on(int x) { return first_func(x) + 7; }\n"
	      "void _start(void) { for (;;) psci_cpu_on(1); }\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gcc -O1 -nostdlib -static -fno-pie -no-pie -o %s %s && "
		 "nm -S %s > %s.nm", elf, src, elf, elf);
	CHECK_INT(system(cmd), 0);
	struct guest_syms_spec spec = { .kind = GUEST_SYMS_VMLINUX, .path = elf };
	struct guest_syms *t = guest_syms_load(&spec, err, sizeof(err));

	CHECK(t != NULL, "libelf read it: %s", err);
	/* where nm says psci_cpu_on is */
	unsigned long long addr = 0, size = 0;
	char line[256], name[128], type;

	snprintf(cmd, sizeof(cmd), "%s.nm", elf);
	f = fopen(cmd, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %llx %c %127s", &addr, &size, &type, name) == 4 && !strcmp(name, "psci_cpu_on"))
			break;
	if (f)
		fclose(f);
	CHECK(!strcmp(name, "psci_cpu_on") && size > 0, "nm found psci_cpu_on (%s)", name);
	CHECK_STR(sym(t, addr), "psci_cpu_on+0x0");
	snprintf(line, sizeof(line), "psci_cpu_on+0x%llx", size - 1);
	CHECK_STR(sym(t, addr + size - 1), line);	/* its last byte */
	/* past its ELF size: not psci_cpu_on (padding, or the next function) */
	const char *past = sym(t, addr + size);

	CHECK(!past || strncmp(past, "psci_cpu_on+", 12), "past the size: %s", past ? past : "(unknown)");
	CHECK(sym(t, 0x1000) == NULL, "below the image: unknown");
	guest_syms_free(t);
	/* with an offset, as a KASLR guest */
	spec.offset_set = true;
	spec.offset = 0x200000;
	t = guest_syms_load(&spec, err, sizeof(err));
	CHECK_STR(sym(t, addr + 0x200000 + 1), "psci_cpu_on+0x1");
	guest_syms_free(t);
	/* not an ELF; no symbol table */
	spec = (struct guest_syms_spec){ .kind = GUEST_SYMS_VMLINUX, .path = src };
	err[0] = 0;
	CHECK(guest_syms_load(&spec, err, sizeof(err)) == NULL, "a C file is not a vmlinux");
	CHECK(strstr(err, "not an ELF file") != NULL, "says why: %s", err);
	snprintf(cmd, sizeof(cmd), "strip %s", elf);
	CHECK_INT(system(cmd), 0);
	spec.path = elf;
	err[0] = 0;
	CHECK(guest_syms_load(&spec, err, sizeof(err)) == NULL, "a stripped ELF refused");
	CHECK(strstr(err, "no symbol table") != NULL, "says why: %s", err);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
}

static int parse(const char *a0, const char *a1, const char *a2, const char *a3, struct trace_opts *o, char *err,
		 size_t len)
{
	char *argv[] = { "smccctrace", (char *)a0, (char *)a1, (char *)a2, (char *)a3, NULL };
	int argc = 1 + !!a0 + !!a1 + !!a2 + !!a3;

	trace_opts_init(o);
	return trace_opts_parse(o, argc, argv, err, len);
}

static void test_options(void)
{
	struct trace_opts o;
	char err[256];

	CHECK_INT(parse("--guest-kallsyms", "k", NULL, NULL, &o, err, sizeof(err)), 0);
	CHECK(o.guest_syms.nr == 1 && o.guest_syms.spec[0].kind == GUEST_SYMS_KALLSYMS &&
	      !o.guest_syms.spec[0].pid, "one table for every VMM");
	CHECK_INT(parse("--guest-system-map", "m", "--guest-kaslr-offset", "0x2000000", &o, err, sizeof(err)), 0);
	CHECK(o.guest_syms.spec[0].offset_set && o.guest_syms.spec[0].offset == 0x2000000, "offset");
	CHECK_INT(parse("--guest-vmlinux", "v", "--guest-kaslr-offset", "_text=ffff800081000000", &o, err,
			sizeof(err)), 0);
	CHECK(o.guest_syms.spec[0].anchor_addr == 0xffff800081000000ULL, "anchor");
	CHECK_INT(parse("--guest-symbols", "12:kallsyms=/a:b=c", "--guest-symbols", "13:vmlinux=v", &o, err,
			sizeof(err)), 0);
	CHECK(o.guest_syms.nr == 2 && o.guest_syms.spec[0].pid == 12 && !strcmp(o.guest_syms.spec[0].path, "/a:b=c"),
	      "per VMM, the file name kept whole");
	/* one System.map, an offset per guest */
	CHECK_INT(parse("--guest-system-map", "m", "--guest-symbols", "12:kaslr-offset=0x400000", &o, err,
			sizeof(err)), 0);
	CHECK(o.guest_syms.nr == 2 && o.guest_syms.spec[1].kind == GUEST_SYMS_SYSTEM_MAP &&
	      !strcmp(o.guest_syms.spec[1].path, "m"), "the pid takes every VMM's System.map");

	static const char *const bad[][5] = {
		{ "--guest-kallsyms", "k", "--guest-kaslr-offset", "0x1000", "a guest's kallsyms has its KASLR" },
		{ "--guest-kaslr-offset", "0x1000", NULL, NULL, "needs its --guest-system-map" },
		{ "--guest-kallsyms", "k", "--guest-vmlinux", "v", "already has its symbols from k" },
		{ "--guest-symbols", "x:kallsyms=k", NULL, NULL, "not a process id" },
		{ "--guest-symbols", "12:elf=k", NULL, NULL, "is not kallsyms, system-map, vmlinux" },
		{ "--guest-symbols", "12kallsyms", NULL, NULL, "expected PID:KIND=FILE" },
		{ "--guest-symbols", "12:kallsyms=", NULL, NULL, "empty file name" },
		{ "--guest-system-map", "m", "--guest-kaslr-offset", "=ff", "expected SYMBOL=ADDRESS" },
		{ "--guest-system-map", "m", "--guest-kaslr-offset", "-5", "expected an offset" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		CHECK_INT(parse(bad[i][0], bad[i][1], bad[i][2], bad[i][3], &o, err, sizeof(err)), -1);
		CHECK(strstr(err, bad[i][4]) != NULL, "case %zu: '%s' says '%s'", i, err, bad[i][4]);
	}
}

static void test_set(void)
{
	char err[256] = "", *a = write_temp(system_map), *b = write_temp("ffff900000000000 T other_kernel\n");
	struct guest_syms_specs specs = { 0 };
	struct guest_syms_set set;

	CHECK_INT(guest_syms_add_file(&specs, 0, GUEST_SYMS_KALLSYMS, a, "--guest-kallsyms", err, sizeof(err)), 0);
	CHECK_INT(guest_syms_add_file(&specs, 77, GUEST_SYMS_KALLSYMS, b, "--guest-symbols", err, sizeof(err)), 0);
	CHECK_INT(guest_syms_set_load(&set, &specs, err, sizeof(err)), 0);
	CHECK_STR(sym(guest_syms_for(&set, 77), 0xffff900000000004ULL), "other_kernel+0x4");
	CHECK_STR(sym(guest_syms_for(&set, 78), 0xffff800080010004ULL), "__invoke_psci_fn_hvc+0x4");
	CHECK(guest_syms_for(NULL, 78) == NULL, "no set, no table");
	guest_syms_set_free(&set);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

int main(void)
{
	test_kallsyms();
	test_bad_text();
	test_system_map();
	test_vmlinux();
	test_options();
	test_set();
	return unit_report("guest_syms");
}
