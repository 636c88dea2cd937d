/* A strict reader of the Prometheus text exposition format, for the unit tests: it
 * checks the grammar of every line (names, label names, escapes, values), that each
 * family has one HELP and one TYPE before its samples, that samples belong to the
 * family above them, and that no series repeats; then tests look samples up. */
#ifndef SMCCCTRACE_TEST_EXPOSITION_H
#define SMCCCTRACE_TEST_EXPOSITION_H
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct expo_sample {
	char name[96];
	char labels[512];	/* as written between the braces, escapes kept */
	double value;
};

struct expo_page {
	struct expo_sample *s;
	size_t n;
	char error[256];	/* the first violation, empty if none */
};

static inline bool expo_name_char(int c, bool first, bool metric)
{
	return isalpha(c) || c == '_' || (metric && c == ':') || (!first && isdigit(c));
}

/* Skips a name at *p; returns its length, 0 if there is none. */
static inline size_t expo_name(const char **p, bool metric)
{
	const char *s = *p;

	if (!expo_name_char((unsigned char)*s, true, metric))
		return 0;
	while (expo_name_char((unsigned char)*s, false, metric))
		s++;
	size_t n = (size_t)(s - *p);
	*p = s;
	return n;
}

static inline bool expo_fail(struct expo_page *pg, size_t line, const char *why)
{
	if (!pg->error[0])
		snprintf(pg->error, sizeof(pg->error), "line %zu: %s", line, why);
	return false;
}

/* labels: {name="value",...}; a value escapes only backslash, quote and newline */
static inline bool expo_labels(const char **p, char *out, size_t outlen, struct expo_page *pg, size_t line)
{
	const char *s = *p + 1, *start = s;

	while (*s != '}') {
		if (!expo_name(&s, false))
			return expo_fail(pg, line, "bad label name");
		if (*s++ != '=' || *s++ != '"')
			return expo_fail(pg, line, "label without =\"");
		for (; *s != '"'; s++) {
			if (!*s || *s == '\n')
				return expo_fail(pg, line, "unterminated label value");
			if (*s == '\\' && (s[1] == '\\' || s[1] == '"' || s[1] == 'n'))
				s++;
			else if (*s == '\\')
				return expo_fail(pg, line, "bad escape in label value");
		}
		s++;
		if (*s == ',')
			s++;
		else if (*s != '}')
			return expo_fail(pg, line, "expected , or } after a label");
	}
	if ((size_t)(s - start) >= outlen)
		return expo_fail(pg, line, "labels too long for the test");
	memcpy(out, start, (size_t)(s - start));
	out[s - start] = 0;
	*p = s + 1;
	return true;
}

static inline bool expo_sample_in_family(const char *name, const char *family, const char *type)
{
	size_t n = strlen(family);

	if (!strcmp(name, family))
		return strcmp(type, "histogram") != 0;
	if (strncmp(name, family, n) || strcmp(type, "histogram"))
		return false;
	return !strcmp(name + n, "_bucket") || !strcmp(name + n, "_sum") || !strcmp(name + n, "_count");
}

/* Parses page; returns false with pg->error set at the first violation. */
static inline bool expo_parse(const char *page, struct expo_page *pg)
{
	char family[96] = "", type[16] = "", help_of[96] = "", families[64][96];
	size_t line = 0, cap = 0, nr_families = 0;
	const char *p = page;

	memset(pg, 0, sizeof(*pg));
	if (!*page || page[strlen(page) - 1] != '\n')
		return expo_fail(pg, 0, "the page does not end with a newline");
	while (*p) {
		const char *eol = strchr(p, '\n'), *s = p;

		line++;
		if (!strncmp(s, "# HELP ", 7) || !strncmp(s, "# TYPE ", 7)) {
			bool help = s[2] == 'H';
			const char *name = s + 7;
			size_t n;

			s = name;
			n = expo_name(&s, true);
			if (!n || n >= sizeof(family) || *s != ' ')
				return expo_fail(pg, line, "bad metric name after # HELP/TYPE");
			if (help) {
				if (!strncmp(help_of, name, n) && !help_of[n])
					return expo_fail(pg, line, "second HELP for a family");
				memcpy(help_of, name, n);
				help_of[n] = 0;
				for (s++; s < eol; s++)
					if (*s == '\\' && s[1] != '\\' && s[1] != 'n')
						return expo_fail(pg, line, "bad escape in HELP");
					else if (*s == '\\')
						s++;
			} else {
				if (strncmp(help_of, name, n) || help_of[n])
					return expo_fail(pg, line, "TYPE without its HELP just before");
				memcpy(family, name, n);
				family[n] = 0;
				for (size_t i = 0; i < nr_families; i++)
					if (!strcmp(families[i], family))
						return expo_fail(pg, line, "a family in two places");
				if (nr_families == 64)
					return expo_fail(pg, line, "too many families for the test");
				strcpy(families[nr_families++], family);
				size_t tl = (size_t)(eol - s - 1);
				if (tl >= sizeof(type))
					return expo_fail(pg, line, "bad type");
				memcpy(type, s + 1, tl);
				type[tl] = 0;
				if (strcmp(type, "counter") && strcmp(type, "gauge") && strcmp(type, "histogram"))
					return expo_fail(pg, line, "unknown type");
			}
			p = eol + 1;
			continue;
		}
		if (*s == '#' || *s == '\n')
			return expo_fail(pg, line, "unexpected comment or empty line");
		if (pg->n == cap) {
			cap = cap ? 2 * cap : 64;
			pg->s = realloc(pg->s, cap * sizeof(*pg->s));
		}
		struct expo_sample *x = &pg->s[pg->n];
		size_t n = expo_name(&s, true);

		if (!n || n >= sizeof(x->name))
			return expo_fail(pg, line, "bad metric name");
		memcpy(x->name, p, n);
		x->name[n] = 0;
		x->labels[0] = 0;
		if (*s == '{' && !expo_labels(&s, x->labels, sizeof(x->labels), pg, line))
			return false;
		if (*s++ != ' ')
			return expo_fail(pg, line, "no space before the value");
		char *end;
		if (!strncmp(s, "+Inf", 4)) {
			x->value = __builtin_inf();
			end = (char *)s + 4;
		} else {
			x->value = strtod(s, &end);
		}
		if (end == s || end != eol)
			return expo_fail(pg, line, "bad value (or a timestamp, which we never write)");
		if (!family[0] || !expo_sample_in_family(x->name, family, type))
			return expo_fail(pg, line, "sample outside its family");
		for (size_t i = 0; i < pg->n; i++)
			if (!strcmp(pg->s[i].name, x->name) && !strcmp(pg->s[i].labels, x->labels))
				return expo_fail(pg, line, "the same series twice");
		pg->n++;
		p = eol + 1;
	}
	return true;
}

/* The value of NAME{LABELS} (labels exactly as rendered), or NaN if absent. */
static inline double expo_value(const struct expo_page *pg, const char *name, const char *labels)
{
	for (size_t i = 0; i < pg->n; i++)
		if (!strcmp(pg->s[i].name, name) && !strcmp(pg->s[i].labels, labels))
			return pg->s[i].value;
	return __builtin_nan("");
}

/* How many samples are called name. */
static inline size_t expo_count(const struct expo_page *pg, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < pg->n; i++)
		n += !strcmp(pg->s[i].name, name);
	return n;
}

static inline void expo_free(struct expo_page *pg)
{
	free(pg->s);
	pg->s = NULL;
	pg->n = 0;
}
#endif
