/* Guest symbols: the trapping PC of a call as `symbol+0xoff` of the guest's kernel.
 *
 * A table comes from one of three sources, as perf kvm takes them:
 *   - a copy of the guest's /proc/kallsyms (exact under KASLR: the running kernel's
 *     addresses; modules' symbols carry their "[module]");
 *   - the kernel's System.map, or its vmlinux (ELF .symtab, read with libelf), plus the
 *     guest's KASLR offset: a number, or an anchor "SYM=ADDR" (ADDR is SYM's address in
 *     the guest's /proc/kallsyms, usually _text), offset = ADDR - SYM's link address.
 *     No offset: 0, the kernel runs where it was linked (nokaslr).
 * A PC belongs to the symbol at or below it when it lies before that symbol's end: its
 * ELF size when it has one, else the next symbol of any kind in the table (kallsyms
 * and System.map have no sizes); the last symbol without a size ends at its page's end,
 * as perf rounds it. PCs in data, before the first or past the last symbol: unknown.
 *
 * Which table symbolizes a call: the one given for its VMM's pid (`--guest-symbols
 * PID:KIND=FILE`), else the one given for every VMM (`--guest-kallsyms FILE`, ...).
 * Parsing options is pure (no file is read); guest_syms_set_load() reads the files. */
#ifndef SMCCCTRACE_GUEST_SYMS_H
#define SMCCCTRACE_GUEST_SYMS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_SYMS_MAX_SPECS 16
#define GUEST_SYM_TEXT_MAX 160	/* "name+0xoff [module]", cut at this length */

enum guest_syms_kind {
	GUEST_SYMS_NONE = 0,
	GUEST_SYMS_KALLSYMS,
	GUEST_SYMS_SYSTEM_MAP,
	GUEST_SYMS_VMLINUX,
};

/* One table as the options name it: which VMM, which file, which KASLR offset. */
struct guest_syms_spec {
	uint32_t pid;			/* 0: every VMM without a table of its own */
	enum guest_syms_kind kind;	/* NONE: only an offset was given (so far) */
	const char *path;
	bool offset_set;
	uint64_t offset;		/* added to System.map or vmlinux addresses */
	const char *anchor;		/* "SYM=ADDR": offset = ADDR - SYM's link address */
	uint64_t anchor_addr;
};

struct guest_syms_specs {
	struct guest_syms_spec spec[GUEST_SYMS_MAX_SPECS];
	int nr;
};

/* Option parsing (pure). --guest-kallsyms, --guest-system-map, --guest-vmlinux: pid 0,
 * kind given; --guest-kaslr-offset VALUE: pid 0; --guest-symbols PID:KIND=FILE or
 * PID:kaslr-offset=VALUE. VALUE is a number (0x...) or SYM=ADDR. Returns 0, or -1 with a
 * one-line reason in err. */
int guest_syms_add_file(struct guest_syms_specs *s, uint32_t pid, enum guest_syms_kind kind, const char *path,
			const char *opt, char *err, size_t len);
int guest_syms_add_offset(struct guest_syms_specs *s, uint32_t pid, const char *value, const char *opt, char *err,
			  size_t len);
int guest_syms_add_spec(struct guest_syms_specs *s, const char *arg, char *err, size_t len);
/* After every option: a pid given only an offset takes the System.map or vmlinux of
 * every VMM; each offset has its System.map or vmlinux, kallsyms none. */
int guest_syms_specs_finish(struct guest_syms_specs *s, char *err, size_t len);
/* The SYM of an anchor "SYM=ADDR", into buf */
const char *guest_syms_anchor_name(const struct guest_syms_spec *spec, char *buf, size_t len);

/* One loaded table */
struct guest_syms;

struct guest_syms *guest_syms_load(const struct guest_syms_spec *spec, char *err, size_t len);
/* Parses kallsyms or System.map text (modified in place, owned by the table from then
 * on: free()d with it); offset is added to every address. */
struct guest_syms *guest_syms_from_text(char *text, size_t size, enum guest_syms_kind kind, uint64_t offset,
					const char *name, char *err, size_t len);
void guest_syms_free(struct guest_syms *t);
size_t guest_syms_count(const struct guest_syms *t);	/* code symbols */
/* The symbol containing pc: its name (and module, NULL for the kernel's own) and pc's
 * offset into it; -1 when no code symbol contains pc. */
int guest_syms_lookup(const struct guest_syms *t, uint64_t pc, const char **name, const char **module,
		      uint64_t *off);
/* "name+0xoff" or "name+0xoff [module]"; -1 (and "") when unknown */
int guest_syms_format(const struct guest_syms *t, uint64_t pc, char *buf, size_t len);
/* Where an address of the link-time table lands: the anchor's address, for offsets */
int guest_syms_address_of(const struct guest_syms *t, const char *name, uint64_t *addr);

/* Building a table (src/guest_syms_read.c): symbols in any order, then finish, which
 * sorts them and sets each one's end. name and module must outlive the table (keep()
 * hands it a buffer to free with it). */
struct guest_syms *guest_syms_new(void);
int guest_syms_push(struct guest_syms *t, uint64_t addr, uint64_t size, const char *name, const char *module,
		    bool code, bool global);
void guest_syms_keep(struct guest_syms *t, void *buffer);
void guest_syms_finish(struct guest_syms *t);
/* Adds offset to every address (before finish); -1 when that would wrap some of them */
int guest_syms_shift(struct guest_syms *t, uint64_t offset);

/* Every table of a trace, per VMM */
struct guest_syms_set {
	struct guest_syms *table[GUEST_SYMS_MAX_SPECS];
	uint32_t pid[GUEST_SYMS_MAX_SPECS];
	int nr;
};

/* Loads every table the specs name; on error frees what it loaded. */
int guest_syms_set_load(struct guest_syms_set *set, const struct guest_syms_specs *specs, char *err, size_t len);
void guest_syms_set_free(struct guest_syms_set *set);
/* The table for pid's calls, or NULL */
const struct guest_syms *guest_syms_for(const struct guest_syms_set *set, uint32_t pid);
#endif
