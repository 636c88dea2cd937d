/* A small streaming JSON writer in the style of bpftool's: commas are automatic,
 * strings are escaped (including control characters), and 64-bit values that
 * JavaScript cannot hold exactly are written as "0x..." strings by the callers. */
#ifndef SMCCCTRACE_JSON_WRITER_H
#define SMCCCTRACE_JSON_WRITER_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

struct json_writer {
	FILE *out;
	int depth;
	bool need_comma[JW_MAX_DEPTH];
	bool after_name;
};

void jw_init(struct json_writer *w, FILE *out);
void jw_start_object(struct json_writer *w);
void jw_end_object(struct json_writer *w);
void jw_start_array(struct json_writer *w);
void jw_end_array(struct json_writer *w);
void jw_name(struct json_writer *w, const char *name);
void jw_string(struct json_writer *w, const char *s);
void jw_uint(struct json_writer *w, uint64_t v);
void jw_int(struct json_writer *w, int64_t v);
void jw_double(struct json_writer *w, double v);
void jw_bool(struct json_writer *w, bool v);
void jw_null(struct json_writer *w);
void jw_hex(struct json_writer *w, uint64_t v);	/* "0x1f" */
/* v / 10^decimals, exactly: (1234567, 3) -> 1234.567 (e.g. ns as µs, no rounding) */
void jw_uint_scaled(struct json_writer *w, uint64_t v, unsigned decimals);
/* A count or a duration: a JSON integer while JavaScript holds it exactly (up to
 * 2^53 - 1), a decimal string ("18446744073709551615") above. */
void jw_uint_safe(struct json_writer *w, uint64_t v);
/* Ends one JSON Lines record. */
void jw_end_line(struct json_writer *w);

/* name + value in one call */
void jw_string_field(struct json_writer *w, const char *name, const char *s);	/* NULL -> null */
void jw_uint_field(struct json_writer *w, const char *name, uint64_t v);
void jw_int_field(struct json_writer *w, const char *name, int64_t v);
void jw_bool_field(struct json_writer *w, const char *name, bool v);
void jw_hex_field(struct json_writer *w, const char *name, uint64_t v);
void jw_null_field(struct json_writer *w, const char *name);
void jw_double_field(struct json_writer *w, const char *name, double v);
void jw_uint_safe_field(struct json_writer *w, const char *name, uint64_t v);
void jw_uint_scaled_field(struct json_writer *w, const char *name, uint64_t v, unsigned decimals);
/* "name":["0x1f",...]: registers, in one go rather than a call per value */
void jw_hex_array_field(struct json_writer *w, const char *name, const uint64_t *v, size_t n);
/* Fields a writer formatted before ("a":1,"b":"x": what follows the '{' of an object
 * holding only them), written again into the open object, with the comma before
 * them: text rendered once and repeated (a function's fields, src/render.c). */
void jw_fields_text(struct json_writer *w, const char *text, size_t len);
#endif
