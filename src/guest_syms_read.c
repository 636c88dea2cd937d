/* The sources of guest symbol tables (src/guest_syms.h): kallsyms and System.map text,
 * and a vmlinux's ELF symbol table through libelf. */
#include "guest_syms.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SOURCE_BYTES (512u << 20)	/* a kallsyms with every module is some 20 MB */

static struct guest_syms *fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return NULL;
}

static const char *kind_name(enum guest_syms_kind kind)
{
	switch (kind) {
	case GUEST_SYMS_KALLSYMS: return "--guest-kallsyms";
	case GUEST_SYMS_SYSTEM_MAP: return "--guest-system-map";
	case GUEST_SYMS_VMLINUX: return "--guest-vmlinux";
	default: return "--guest-symbols";
	}
}

/* nm's letters: text (code) in t, T, w, W; a, A (absolute), U (undefined), N (debug)
 * are not places in the kernel's image; any other letter is data, which ends the code
 * symbol before it */
static int type_class(char type)
{
	if (strchr("tTwW", type))
		return 1;
	if (strchr("aAUuN?", type))
		return -1;
	return 0;
}

/* "ffff800080010000 T name" or "... t name\t[module]"; the line ends in a NUL */
static int parse_line(struct guest_syms *t, char *line, bool *nonzero)
{
	char *end, *name, *module = NULL, *tab;
	unsigned long long addr;
	int cls;

	errno = 0;
	addr = strtoull(line, &end, 16);
	if (errno || end == line || *end != ' ' || !end[1] || end[2] != ' ' || !end[3])
		return -1;
	cls = type_class(end[1]);
	name = end + 3;
	tab = strchr(name, '\t');
	if (tab) {
		*tab = 0;
		module = tab + 1;
		if (*module == '[' && module[strlen(module) - 1] == ']') {
			module[strlen(module) - 1] = 0;
			module++;
		}
	}
	if (strchr(name, ' ') || !*name)
		return -1;
	if (addr)
		*nonzero = true;
	if (cls < 0 || !addr)	/* nothing in the image; address 0 is a weak undefined */
		return 0;
	return guest_syms_push(t, addr, 0, name, module, cls > 0, strchr("TDBRSGV", end[1]) != NULL);
}

/* The symbols of kallsyms or System.map text into t (not yet finished) */
static int parse_text(struct guest_syms *t, char *text, size_t size, enum guest_syms_kind kind, const char *name,
		      char *err, size_t len)
{
	bool nonzero = false;
	unsigned line_no = 0;
	char *p = text, *stop = text + size;

	while (p < stop) {
		char *nl = memchr(p, '\n', (size_t)(stop - p));

		line_no++;
		if (!nl)
			nl = stop;
		*nl = 0;
		if (nl > p && nl[-1] == '\r')
			nl[-1] = 0;
		if (*p && parse_line(t, p, &nonzero)) {
			fail(err, len, "%s: line %u is not 'ADDRESS TYPE NAME': '%.40s'", name, line_no, p);
			return -1;
		}
		p = nl + 1;
	}
	if (!nonzero) {
		fail(err, len, kind == GUEST_SYMS_KALLSYMS ?
		     "%s: no symbol with an address (every address 0: copy /proc/kallsyms as root)" :
		     "%s: no symbol with an address", name);
		return -1;
	}
	return 0;
}

/* Shifted by offset, sorted, ends set; freed on error */
static struct guest_syms *finish(struct guest_syms *t, uint64_t offset, const char *name, char *err, size_t len)
{
	if (offset && guest_syms_shift(t, offset)) {
		guest_syms_free(t);
		return fail(err, len, "%s: the KASLR offset 0x%" PRIx64 " moves symbols past the address space",
			    name, offset);
	}
	guest_syms_finish(t);
	if (!guest_syms_count(t)) {
		guest_syms_free(t);
		return fail(err, len, "%s: no code symbol (t, T, w, W; ELF functions)", name);
	}
	return t;
}

struct guest_syms *guest_syms_from_text(char *text, size_t size, enum guest_syms_kind kind, uint64_t offset,
					const char *name, char *err, size_t len)
{
	struct guest_syms *t = guest_syms_new();

	if (!t) {
		free(text);
		return fail(err, len, "%s: out of memory", name);
	}
	guest_syms_keep(t, text);
	if (parse_text(t, text, size, kind, name, err, len)) {
		guest_syms_free(t);
		return NULL;
	}
	return finish(t, offset, name, err, len);
}

/* The whole file, NUL-terminated */
static char *read_file(const char *path, size_t *size, char *err, size_t len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		fail(err, len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - n < 65536) {
			char *b;

			cap = cap ? cap * 2 : 1u << 20;
			if (cap > MAX_SOURCE_BYTES + 65536 || !(b = realloc(buf, cap + 1))) {
				fail(err, len, "%s: larger than %u MiB", path, MAX_SOURCE_BYTES >> 20);
				goto out;
			}
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fail(err, len, "%s: %s", path, strerror(errno ? errno : EIO));
		goto out;
	}
	fclose(f);
	buf[n] = 0;
	*size = n;
	return buf;
out:
	free(buf);
	fclose(f);
	return NULL;
}

static bool executable_section(Elf *e, size_t index)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(e, index);

	return scn && gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_EXECINSTR);
}

/* The symbols of a .symtab, names in a copy of its string table (kept by the table) */
static int read_symtab(struct guest_syms *t, Elf *e, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	Elf_Data *names = elf_getdata(elf_getscn(e, sh->sh_link), NULL);
	char *strtab;

	if (!data || !names || !sh->sh_entsize || !names->d_size)
		return -1;
	if (!(strtab = malloc(names->d_size + 1)))
		return -1;
	memcpy(strtab, names->d_buf, names->d_size);
	strtab[names->d_size] = 0;
	guest_syms_keep(t, strtab);
	for (size_t i = 0; i < sh->sh_size / sh->sh_entsize; i++) {
		GElf_Sym sym;
		int type;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_name >= names->d_size)
			continue;
		const char *name = strtab + sym.st_name;

		type = GELF_ST_TYPE(sym.st_info);
		/* $x, $d: AArch64 mapping symbols, not names */
		if (!*name || *name == '$' || !sym.st_value || sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS ||
		    type == STT_SECTION || type == STT_FILE)
			continue;
		bool code = type == STT_FUNC ||
			    (type == STT_NOTYPE && sym.st_shndx < SHN_LORESERVE && executable_section(e, sym.st_shndx));

		if (guest_syms_push(t, sym.st_value, code ? sym.st_size : 0, name, NULL, code,
				    GELF_ST_BIND(sym.st_info) == STB_GLOBAL))
			return -1;
	}
	return 0;
}

static struct guest_syms *from_elf(const char *path, char *err, size_t len)
{
	struct guest_syms *t = NULL;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf *e = NULL;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, len, "%s: libelf: %s", path, elf_errmsg(-1));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, len, "%s: %s", path, strerror(errno));
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		fail(err, len, "%s: not an ELF file (%s)", path, elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			break;
	if (!scn) {
		fail(err, len, "%s: no symbol table (.symtab): a stripped image? (give its System.map)", path);
		goto out;
	}
	t = guest_syms_new();
	if (!t || read_symtab(t, e, scn, &sh)) {
		fail(err, len, "%s: cannot read its symbol table (%s)", path, elf_errmsg(-1));
		guest_syms_free(t);
		t = NULL;
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	return t;
}

/* The anchor's link address against where the guest has it: the KASLR offset */
static int anchor_offset(const struct guest_syms *t, const struct guest_syms_spec *spec, uint64_t *offset, char *err,
			 size_t len)
{
	char name[128];
	uint64_t link;

	if (guest_syms_address_of(t, guest_syms_anchor_name(spec, name, sizeof(name)), &link)) {
		fail(err, len, "%s: no symbol '%s' for the KASLR anchor", spec->path, name);
		return -1;
	}
	*offset = spec->anchor_addr - link;
	return 0;
}

struct guest_syms *guest_syms_load(const struct guest_syms_spec *spec, char *err, size_t len)
{
	struct guest_syms *t;
	uint64_t offset = spec->offset_set ? spec->offset : 0;
	size_t size;
	char *text;

	if (spec->kind == GUEST_SYMS_VMLINUX) {
		if (!(t = from_elf(spec->path, err, len)))
			return NULL;
	} else if (spec->kind == GUEST_SYMS_KALLSYMS || spec->kind == GUEST_SYMS_SYSTEM_MAP) {
		if (!(text = read_file(spec->path, &size, err, len)))
			return NULL;
		if (!(t = guest_syms_new())) {
			free(text);
			return fail(err, len, "%s: out of memory", spec->path);
		}
		guest_syms_keep(t, text);
		if (parse_text(t, text, size, spec->kind, spec->path, err, len)) {
			guest_syms_free(t);
			return NULL;
		}
	} else {
		return fail(err, len, "%s: no symbol file given", kind_name(spec->kind));
	}
	/* before finish(): it keeps one name per address, and the anchor may be an alias */
	if (spec->anchor && anchor_offset(t, spec, &offset, err, len)) {
		guest_syms_free(t);
		return NULL;
	}
	return finish(t, offset, spec->path, err, len);
}
