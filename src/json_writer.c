#include "json_writer.h"

#include <inttypes.h>
#include <math.h>

void jw_init(struct json_writer *w, FILE *out)
{
	*w = (struct json_writer){ .out = out };
}

/* Emits the separator that must precede a value at the current position. */
static void jw_value_prefix(struct json_writer *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->need_comma[w->depth])
		fputc(',', w->out);
	w->need_comma[w->depth] = true;
}

static void jw_open(struct json_writer *w, char c)
{
	jw_value_prefix(w);
	fputc(c, w->out);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void jw_close(struct json_writer *w, char c)
{
	fputc(c, w->out);
	if (w->depth > 0)
		w->depth--;
}

void jw_start_object(struct json_writer *w) { jw_open(w, '{'); }
void jw_end_object(struct json_writer *w) { jw_close(w, '}'); }
void jw_start_array(struct json_writer *w) { jw_open(w, '['); }
void jw_end_array(struct json_writer *w) { jw_close(w, ']'); }

static void jw_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void jw_name(struct json_writer *w, const char *name)
{
	jw_value_prefix(w);
	jw_quoted(w->out, name);
	fputc(':', w->out);
	w->after_name = true;
}

void jw_string(struct json_writer *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_value_prefix(w);
	jw_quoted(w->out, s);
}

void jw_uint(struct json_writer *w, uint64_t v)
{
	jw_value_prefix(w);
	fprintf(w->out, "%" PRIu64, v);
}

void jw_int(struct json_writer *w, int64_t v)
{
	jw_value_prefix(w);
	fprintf(w->out, "%" PRId64, v);
}

void jw_double(struct json_writer *w, double v)
{
	jw_value_prefix(w);
	if (isfinite(v))
		fprintf(w->out, "%.17g", v);
	else
		fputs("null", w->out);	/* JSON has no NaN or infinity */
}

void jw_bool(struct json_writer *w, bool v)
{
	jw_value_prefix(w);
	fputs(v ? "true" : "false", w->out);
}

void jw_null(struct json_writer *w)
{
	jw_value_prefix(w);
	fputs("null", w->out);
}

void jw_hex(struct json_writer *w, uint64_t v)
{
	jw_value_prefix(w);
	fprintf(w->out, "\"0x%" PRIx64 "\"", v);
}

void jw_end_line(struct json_writer *w)
{
	fputc('\n', w->out);
	w->depth = 0;
	w->need_comma[0] = false;
	w->after_name = false;
}

void jw_string_field(struct json_writer *w, const char *name, const char *s) { jw_name(w, name); jw_string(w, s); }
void jw_uint_field(struct json_writer *w, const char *name, uint64_t v) { jw_name(w, name); jw_uint(w, v); }
void jw_int_field(struct json_writer *w, const char *name, int64_t v) { jw_name(w, name); jw_int(w, v); }
void jw_bool_field(struct json_writer *w, const char *name, bool v) { jw_name(w, name); jw_bool(w, v); }
void jw_hex_field(struct json_writer *w, const char *name, uint64_t v) { jw_name(w, name); jw_hex(w, v); }
void jw_null_field(struct json_writer *w, const char *name) { jw_name(w, name); jw_null(w); }
void jw_double_field(struct json_writer *w, const char *name, double v) { jw_name(w, name); jw_double(w, v); }
