/* Guest symbol tables: a sorted array and a binary search (src/guest_syms.h). The
 * sources that fill them are in src/guest_syms_read.c, the options in
 * src/guest_syms_opts.c. */
#include "guest_syms.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE_GUESS 4096ULL	/* the last symbol without a size ends at its page's end, as in perf */

struct guest_sym {
	uint64_t addr;
	uint64_t end;			/* exclusive; set by guest_syms_finish() */
	uint64_t size;			/* 0: not known (kallsyms, System.map) */
	const char *name;
	const char *module;		/* NULL: the kernel's own */
	bool code;			/* a function; other symbols only end the one before them */
	bool global;
	unsigned order;			/* in the source, for a stable choice among aliases */
};

struct guest_syms {
	struct guest_sym *sym;
	size_t nr, cap;
	size_t nr_code;
	void *buffers[4];		/* the source text, names: freed with the table */
	int nr_buffers;
};

struct guest_syms *guest_syms_new(void)
{
	return calloc(1, sizeof(struct guest_syms));
}

int guest_syms_push(struct guest_syms *t, uint64_t addr, uint64_t size, const char *name, const char *module,
		    bool code, bool global)
{
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		struct guest_sym *n = realloc(t->sym, cap * sizeof(*n));

		if (!n)
			return -1;
		t->sym = n;
		t->cap = cap;
	}
	t->sym[t->nr] = (struct guest_sym){ .addr = addr, .size = size, .name = name, .module = module,
					    .code = code, .global = global, .order = (unsigned)t->nr };
	t->nr++;
	return 0;
}

void guest_syms_keep(struct guest_syms *t, void *buffer)
{
	if (t->nr_buffers < (int)(sizeof(t->buffers) / sizeof(t->buffers[0])))
		t->buffers[t->nr_buffers++] = buffer;
}

/* By address; at one address the symbol to show first: code, global, sized, first seen */
static int by_address(const void *a, const void *b)
{
	const struct guest_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->code != y->code)
		return x->code ? -1 : 1;
	if (x->global != y->global)
		return x->global ? -1 : 1;
	if ((x->size != 0) != (y->size != 0))
		return x->size ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void guest_syms_finish(struct guest_syms *t)
{
	size_t n = 0;

	qsort(t->sym, t->nr, sizeof(*t->sym), by_address);
	/* one symbol per address: the aliases after the first name nothing new */
	for (size_t i = 0; i < t->nr; i++)
		if (!n || t->sym[n - 1].addr != t->sym[i].addr)
			t->sym[n++] = t->sym[i];
	t->nr = n;
	t->nr_code = 0;
	for (size_t i = 0; i < n; i++) {
		struct guest_sym *s = &t->sym[i];

		if (s->size)
			s->end = s->addr + s->size < s->addr ? UINT64_MAX : s->addr + s->size;
		else if (i + 1 < n)
			s->end = t->sym[i + 1].addr;
		else if ((s->addr | (PAGE_SIZE_GUESS - 1)) == UINT64_MAX)
			s->end = UINT64_MAX;	/* the top page: its last byte cannot be a PC */
		else
			s->end = (s->addr | (PAGE_SIZE_GUESS - 1)) + 1;
		t->nr_code += s->code;
	}
}

int guest_syms_shift(struct guest_syms *t, uint64_t offset)
{
	size_t wrapped = 0;

	/* modulo 2^64, as long as no symbol crosses the top of the address space */
	for (size_t i = 0; i < t->nr; i++) {
		wrapped += t->sym[i].addr + offset < t->sym[i].addr;
		t->sym[i].addr += offset;
	}
	return wrapped && wrapped != t->nr ? -1 : 0;
}

void guest_syms_free(struct guest_syms *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nr_buffers; i++)
		free(t->buffers[i]);
	free(t->sym);
	free(t);
}

size_t guest_syms_count(const struct guest_syms *t)
{
	return t ? t->nr_code : 0;
}

/* The last symbol at or below pc, or NULL */
static const struct guest_sym *at_or_below(const struct guest_syms *t, uint64_t pc)
{
	size_t lo = 0, hi = t->nr;	/* the answer is below hi */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->sym[mid].addr <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->sym[lo - 1] : NULL;
}

int guest_syms_lookup(const struct guest_syms *t, uint64_t pc, const char **name, const char **module,
		      uint64_t *off)
{
	const struct guest_sym *s = t ? at_or_below(t, pc) : NULL;

	if (!s || !s->code || pc >= s->end)
		return -1;
	*name = s->name;
	*module = s->module;
	*off = pc - s->addr;
	return 0;
}

int guest_syms_format(const struct guest_syms *t, uint64_t pc, char *buf, size_t len)
{
	const char *name, *module;
	uint64_t off;

	if (!len)
		return -1;
	buf[0] = 0;
	if (guest_syms_lookup(t, pc, &name, &module, &off))
		return -1;
	if (module)
		snprintf(buf, len, "%s+0x%" PRIx64 " [%s]", name, off, module);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, name, off);
	return 0;
}

int guest_syms_address_of(const struct guest_syms *t, const char *name, uint64_t *addr)
{
	for (size_t i = 0; i < t->nr; i++) {
		if (!strcmp(t->sym[i].name, name) && !t->sym[i].module) {
			*addr = t->sym[i].addr;
			return 0;
		}
	}
	return -1;
}

int guest_syms_set_load(struct guest_syms_set *set, const struct guest_syms_specs *specs, char *err, size_t len)
{
	memset(set, 0, sizeof(*set));
	for (int i = 0; i < specs->nr; i++) {
		struct guest_syms *t = guest_syms_load(&specs->spec[i], err, len);

		if (!t) {
			guest_syms_set_free(set);
			return -1;
		}
		set->table[set->nr] = t;
		set->pid[set->nr++] = specs->spec[i].pid;
	}
	return 0;
}

void guest_syms_set_free(struct guest_syms_set *set)
{
	for (int i = 0; i < set->nr; i++)
		guest_syms_free(set->table[i]);
	set->nr = 0;
}

const struct guest_syms *guest_syms_for(const struct guest_syms_set *set, uint32_t pid)
{
	const struct guest_syms *any = NULL;

	if (!set)
		return NULL;
	for (int i = 0; i < set->nr; i++) {
		if (set->pid[i] == pid)
			return set->table[i];
		if (!set->pid[i])
			any = set->table[i];
	}
	return any;
}
