/* A small streaming JSON writer in the style of bpftool's: commas are automatic,
 * strings are escaped (including control characters), and 64-bit values that
 * JavaScript cannot hold exactly are written as "0x..." strings by the callers.
 *
 * The writer formats into its own buffer and hands the text to its stream with
 * fwrite when a top-level value ends (its last '}' or ']'), at jw_end_line, at
 * jw_flush, and when the buffer fills. A caller that writes to the same stream
 * itself while a value is still open calls jw_flush first, or its bytes would come
 * before the writer's; jw_init discards what was not handed on. */
#ifndef SMCCCTRACE_JSON_WRITER_H
#define SMCCCTRACE_JSON_WRITER_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16
#define JW_BUF_SIZE 4096	/* a call record is some 700 bytes; a Perfetto event 1 KiB */

struct json_writer {
	FILE *out;
	int depth;
	bool need_comma[JW_MAX_DEPTH];
	bool after_name;
	size_t len;		/* bytes of buf not yet handed to out */
	char buf[JW_BUF_SIZE];
};

void jw_init(struct json_writer *w, FILE *out);
/* Hands what the writer holds to its stream (fwrite; the stream's own flushing is
 * the caller's, as is checking ferror()) */
void jw_flush(struct json_writer *w);
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

/*
 * A field's key as the fast path writes it, "name": with both quotes and the colon,
 * packed at compile time when the name is a short string literal that needs no
 * escaping (every name of a call record): copied as two words, not scanned byte by
 * byte (which was a tenth of `report --json`). The last byte holds the key's length;
 * 0 means no key: the writer scans and escapes the name itself.
 */
struct jw_key {
	uint64_t text[2];
};
#define JW_KEY_MAX 15	/* bytes of "name": that the key holds, its length aside */

/* Folds to a constant for a literal once inlined (GCC evaluates __builtin_constant_p
 * after inlining); any other name, or a compiler that does not fold it, gets no key:
 * slower, never wrong. */
static inline __attribute__((always_inline)) struct jw_key jw_key_of(const char *name)
{
	union {
		struct jw_key key;
		unsigned char c[sizeof(struct jw_key)];
	} u = { .c = { 0 } };
	size_t n;

	if (!__builtin_constant_p(__builtin_strlen(name)))
		return u.key;
	n = __builtin_strlen(name);
	if (n + 3 > JW_KEY_MAX)
		return u.key;
	u.c[0] = '"';
#pragma GCC unroll 16	/* unrolled, the loop folds to constants; a loop would stay a loop */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)	/* JSON escapes it */
			return (struct jw_key){ { 0, 0 } };
		u.c[i + 1] = c;
	}
	u.c[n + 1] = '"';
	u.c[n + 2] = ':';
	u.c[sizeof(u.c) - 1] = (unsigned char)(n + 3);
	return u.key;
}

/* name + value in one call; each passes the name's key to its _k form (name is still
 * what the slow path writes) */
void jw_string_field_k(struct json_writer *w, const char *name, struct jw_key k, const char *s);
void jw_uint_field_k(struct json_writer *w, const char *name, struct jw_key k, uint64_t v);
void jw_int_field_k(struct json_writer *w, const char *name, struct jw_key k, int64_t v);
void jw_bool_field_k(struct json_writer *w, const char *name, struct jw_key k, bool v);
void jw_hex_field_k(struct json_writer *w, const char *name, struct jw_key k, uint64_t v);
void jw_null_field_k(struct json_writer *w, const char *name, struct jw_key k);
void jw_uint_safe_field_k(struct json_writer *w, const char *name, struct jw_key k, uint64_t v);
void jw_uint_scaled_field_k(struct json_writer *w, const char *name, struct jw_key k, uint64_t v,
			    unsigned decimals);
void jw_hex_array_field_k(struct json_writer *w, const char *name, struct jw_key k, const uint64_t *v,
			  size_t n);

#define JW_INLINE static inline __attribute__((always_inline)) void

/* NULL -> null */
JW_INLINE jw_string_field(struct json_writer *w, const char *name, const char *s)
{ jw_string_field_k(w, name, jw_key_of(name), s); }
JW_INLINE jw_uint_field(struct json_writer *w, const char *name, uint64_t v)
{ jw_uint_field_k(w, name, jw_key_of(name), v); }
JW_INLINE jw_int_field(struct json_writer *w, const char *name, int64_t v)
{ jw_int_field_k(w, name, jw_key_of(name), v); }
JW_INLINE jw_bool_field(struct json_writer *w, const char *name, bool v)
{ jw_bool_field_k(w, name, jw_key_of(name), v); }
JW_INLINE jw_hex_field(struct json_writer *w, const char *name, uint64_t v)
{ jw_hex_field_k(w, name, jw_key_of(name), v); }
JW_INLINE jw_null_field(struct json_writer *w, const char *name)
{ jw_null_field_k(w, name, jw_key_of(name)); }
JW_INLINE jw_uint_safe_field(struct json_writer *w, const char *name, uint64_t v)
{ jw_uint_safe_field_k(w, name, jw_key_of(name), v); }
JW_INLINE jw_uint_scaled_field(struct json_writer *w, const char *name, uint64_t v, unsigned decimals)
{ jw_uint_scaled_field_k(w, name, jw_key_of(name), v, decimals); }
/* "name":["0x1f",...]: registers, in one go rather than a call per value */
JW_INLINE jw_hex_array_field(struct json_writer *w, const char *name, const uint64_t *v, size_t n)
{ jw_hex_array_field_k(w, name, jw_key_of(name), v, n); }
#undef JW_INLINE
void jw_double_field(struct json_writer *w, const char *name, double v);
/* Fields a writer formatted before ("a":1,"b":"x": what follows the '{' of an object
 * holding only them), written again into the open object, with the comma before
 * them: text rendered once and repeated (a function's fields, src/render.c). */
void jw_fields_text(struct json_writer *w, const char *text, size_t len);
#endif
