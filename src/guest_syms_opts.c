/* The guest symbol options (src/guest_syms.h), parsed without reading a file:
 *   --guest-kallsyms FILE, --guest-system-map FILE, --guest-vmlinux FILE
 *   --guest-kaslr-offset OFFSET|SYM=ADDR
 *   --guest-symbols PID:kallsyms=FILE | PID:system-map=FILE | PID:vmlinux=FILE |
 *                   PID:kaslr-offset=OFFSET|SYM=ADDR
 * The first four are for every VMM; --guest-symbols for one (a pid's own table wins).
 * A pid given only an offset takes the System.map or vmlinux given for every VMM: one
 * kernel build, a KASLR offset per guest. */
#include "guest_syms.h"
#include "diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The spec of pid, a new one if it has none yet; NULL when there is no room */
static struct guest_syms_spec *spec_of(struct guest_syms_specs *s, uint32_t pid)
{
	for (int i = 0; i < s->nr; i++)
		if (s->spec[i].pid == pid)
			return &s->spec[i];
	if (s->nr >= GUEST_SYMS_MAX_SPECS)
		return NULL;
	s->spec[s->nr] = (struct guest_syms_spec){ .pid = pid };
	return &s->spec[s->nr++];
}

static const char *who(uint32_t pid, char *buf, size_t len)
{
	if (!pid)
		snprintf(buf, len, "every VMM");
	else
		snprintf(buf, len, "VMM %u", pid);
	return buf;
}

int guest_syms_add_file(struct guest_syms_specs *s, uint32_t pid, enum guest_syms_kind kind, const char *path,
			const char *opt, char *err, size_t len)
{
	struct guest_syms_spec *spec;
	char w[32];

	if (!path || !*path)
		return errbuf_printf(err, len, "%s: empty file name", opt);
	if (!(spec = spec_of(s, pid)))
		return errbuf_printf(err, len, "%s: symbols for at most %d VMMs", opt, GUEST_SYMS_MAX_SPECS);
	if (spec->kind != GUEST_SYMS_NONE)
		return errbuf_printf(err, len, "%s: %s already has its symbols from %s (one file each)", opt,
			    who(pid, w, sizeof(w)), spec->path);
	spec->kind = kind;
	spec->path = path;
	return 0;
}

static int parse_hex(const char *str, uint64_t *out)
{
	char *end;

	if (!*str || *str == '-' || *str == '+')
		return -1;
	errno = 0;
	*out = strtoull(str, &end, 16);
	return errno || *end ? -1 : 0;
}

int guest_syms_add_offset(struct guest_syms_specs *s, uint32_t pid, const char *value, const char *opt, char *err,
			  size_t len)
{
	struct guest_syms_spec *spec;
	const char *eq = strchr(value, '=');
	char w[32];

	if (!(spec = spec_of(s, pid)))
		return errbuf_printf(err, len, "%s: symbols for at most %d VMMs", opt, GUEST_SYMS_MAX_SPECS);
	if (spec->offset_set || spec->anchor)
		return errbuf_printf(err, len, "%s: %s has a KASLR offset already", opt, who(pid, w, sizeof(w)));
	if (eq) {
		/* an anchor, "_text=ffff..." as the guest's kallsyms has it (0x optional) */
		if (eq == value || parse_hex(eq + 1, &spec->anchor_addr))
			return errbuf_printf(err, len, "%s: expected SYMBOL=ADDRESS (e.g. _text=0xffff8000...), got '%s'", opt,
				    value);
		spec->anchor = value;	/* the name ends at '=': guest_syms_anchor_name() */
		return 0;
	}
	char *end;

	errno = 0;
	spec->offset = strtoull(value, &end, 0);
	if (!*value || *value == '-' || *value == '+' || errno || *end)
		return errbuf_printf(err, len, "%s: expected an offset (0x...) or SYMBOL=ADDRESS, got '%s'", opt, value);
	spec->offset_set = true;
	return 0;
}

int guest_syms_add_spec(struct guest_syms_specs *s, const char *arg, char *err, size_t len)
{
	static const struct {
		const char *name;
		enum guest_syms_kind kind;
	} kinds[] = {
		{ "kallsyms", GUEST_SYMS_KALLSYMS },
		{ "system-map", GUEST_SYMS_SYSTEM_MAP },
		{ "vmlinux", GUEST_SYMS_VMLINUX },
	};
	const char *colon = strchr(arg, ':'), *eq = colon ? strchr(colon, '=') : NULL;
	char pidbuf[16], *end;
	unsigned long pid;

	if (!colon || !eq || colon == arg || (size_t)(colon - arg) >= sizeof(pidbuf))
		return errbuf_printf(err, len, "--guest-symbols: expected PID:KIND=FILE (KIND kallsyms, system-map, vmlinux) "
			    "or PID:kaslr-offset=OFFSET, got '%s'", arg);
	memcpy(pidbuf, arg, (size_t)(colon - arg));
	pidbuf[colon - arg] = 0;
	errno = 0;
	pid = strtoul(pidbuf, &end, 10);
	if (errno || *end || *pidbuf == '-' || *pidbuf == '+' || pid == 0 || pid > 4194304)
		return errbuf_printf(err, len, "--guest-symbols: not a process id: '%s'", pidbuf);
	size_t klen = (size_t)(eq - colon - 1);

	if (klen == strlen("kaslr-offset") && !strncmp(colon + 1, "kaslr-offset", klen))
		return guest_syms_add_offset(s, (uint32_t)pid, eq + 1, "--guest-symbols", err, len);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (klen == strlen(kinds[i].name) && !strncmp(colon + 1, kinds[i].name, klen))
			return guest_syms_add_file(s, (uint32_t)pid, kinds[i].kind, eq + 1, "--guest-symbols", err, len);
	return errbuf_printf(err, len, "--guest-symbols: '%.*s' is not kallsyms, system-map, vmlinux or kaslr-offset",
		    (int)klen, colon + 1);
}

int guest_syms_specs_finish(struct guest_syms_specs *s, char *err, size_t len)
{
	const struct guest_syms_spec *every = NULL;
	char w[32];

	for (int i = 0; i < s->nr; i++)
		if (!s->spec[i].pid)
			every = &s->spec[i];
	for (int i = 0; i < s->nr; i++) {
		struct guest_syms_spec *spec = &s->spec[i];
		bool offset = spec->offset_set || spec->anchor;

		if (spec->kind == GUEST_SYMS_NONE && spec->pid && every &&
		    (every->kind == GUEST_SYMS_SYSTEM_MAP || every->kind == GUEST_SYMS_VMLINUX)) {
			spec->kind = every->kind;	/* the same kernel at its own KASLR offset */
			spec->path = every->path;
		}
		if (spec->kind == GUEST_SYMS_NONE)
			return errbuf_printf(err, len, "a KASLR offset for %s needs its --guest-system-map or --guest-vmlinux",
				    who(spec->pid, w, sizeof(w)));
		if (spec->kind == GUEST_SYMS_KALLSYMS && offset)
			return errbuf_printf(err, len, "%s: a guest's kallsyms has its KASLR addresses already: no offset",
				    spec->path);
	}
	return 0;
}

/* An anchor "SYM=ADDR" as given: its name, into buf */
const char *guest_syms_anchor_name(const struct guest_syms_spec *spec, char *buf, size_t len)
{
	const char *eq = strchr(spec->anchor, '=');
	size_t n = eq ? (size_t)(eq - spec->anchor) : strlen(spec->anchor);

	if (n >= len)
		n = len - 1;
	memcpy(buf, spec->anchor, n);
	buf[n] = 0;
	return buf;
}
