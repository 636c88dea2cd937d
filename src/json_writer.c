#include "json_writer.h"

#include <endian.h>
#include <math.h>
#include <string.h>

/*
 * Speed (docs/performance.md): a JSON Lines record is some 25 fields. printf's format
 * parsing per number, a stream call per character and a call per piece were most of
 * the cost of `smccctrace --json`, so a field ("name": value, with its comma) is
 * formatted by hand in one go into the writer's own buffer, which goes to the stream
 * in one fwrite per record (json_writer.h says when). Names and strings that need
 * escaping, or are long, take the slow path, piece by piece. A writer's stream is
 * written by one thread at a time (the tracer's loop, a report, an HTTP handler's own
 * memory stream): the unlocked stdio call is enough.
 */
#define NAME_FAST_MAX	64	/* longest name the fast path copies */
#define STRING_FAST_MAX	128	/* longest string value */
#define HEX_ARRAY_FAST_MAX 20	/* most values of an array of hex strings */
#define HEX_MAX		21	/* ,"0x" 16 digits " */
#define SCRATCH		16	/* a key or 16 hex digits copied as words past the text's end */
/* above the longest field the fast path formats (,"name":"string" or an array), with
 * the scratch bytes past its end that the next write covers */
#define ROOM		(1 + NAME_FAST_MAX + 3 + 2 + HEX_ARRAY_FAST_MAX * HEX_MAX + SCRATCH)
_Static_assert(JW_BUF_SIZE >= 2 * ROOM, "a record's fields fit the buffer between flushes");

void jw_flush(struct json_writer *w)
{
	if (w->len)
		fwrite_unlocked(w->buf, 1, w->len, w->out);
	w->len = 0;
}

/* Where a field is formatted: the buffer's free end, with ROOM bytes to spare
 * (handing what it holds to the stream first when it has less) */
static inline char *room_open(struct json_writer *w)
{
	if (JW_BUF_SIZE - w->len < ROOM)
		jw_flush(w);
	return w->buf + w->len;
}

/* The field formatted at room_open() ends at end; what lies past it is scratch */
static inline void room_close(struct json_writer *w, const char *end)
{
	w->len = (size_t)(end - w->buf);
}

static void put_bytes(struct json_writer *w, const void *p, size_t n)
{
	if (JW_BUF_SIZE - w->len < n) {
		jw_flush(w);
		if (n > JW_BUF_SIZE) {
			fwrite_unlocked(p, 1, n, w->out);
			return;
		}
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static inline void put_char(struct json_writer *w, char c)
{
	if (w->len == JW_BUF_SIZE)
		jw_flush(w);
	w->buf[w->len++] = c;
}

/* After each value: a finished top-level value goes to the stream, so callers may
 * write to it between values (a Perfetto file's separators, text after JSON) */
static inline void value_done(struct json_writer *w)
{
	if (!w->depth)
		jw_flush(w);
}

/* ---- formatting into a buffer with room, forwards; each returns the new end ---- */

static unsigned dec_digits(uint64_t v)
{
	unsigned n = 1;

	for (; v >= 10000; v /= 10000)
		n += 4;
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* two digits per division */
static char *fmt_dec(char *p, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char *end = p + dec_digits(v), *q = end;

	for (; v >= 100; v /= 100) {
		q -= 2;
		memcpy(q, pairs + 2 * (v % 100), 2);
	}
	if (v >= 10) {
		q -= 2;
		memcpy(q, pairs + 2 * v, 2);
	} else {
		*--q = (char)('0' + v);
	}
	return end;
}

/* `decimals` digits, zero-padded */
static char *fmt_dec_fixed(char *p, uint64_t v, unsigned decimals)
{
	for (char *q = p + decimals; q > p; v /= 10)
		*--q = (char)('0' + v % 10);
	return p + decimals;
}

/* The 8 lowercase hex digits of x, most significant first in memory: each nibble
 * spread to a byte, then made a digit, all bytes at once (a table look-up per byte
 * pair was an eighth of `report --json`). */
static inline uint64_t hex_digits8(uint32_t x)
{
	uint64_t y = x, above9;

	y = (y | y << 16) & 0x0000ffff0000ffffull;
	y = (y | y << 8) & 0x00ff00ff00ff00ffull;
	y = (y | y << 4) & 0x0f0f0f0f0f0f0f0full;	/* byte i: nibble i */
	above9 = ((y + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull;	/* no carry across bytes */
	y += 0x3030303030303030ull + above9 * ('a' - '0' - 10);
	return htobe64(y);	/* nibble 0 last */
}

/* lowercase, no leading zeros. Writes 16 bytes (room_open leaves SCRATCH to spare):
 * the digits, shifted to the front, and scratch past them that the next write
 * covers or the buffer never hands on. */
static char *fmt_hex(char *p, uint64_t v)
{
	unsigned n = v ? (64 - (unsigned)__builtin_clzll(v) + 3) / 4 : 1;
	uint64_t hi, lo;

	v <<= 4 * (16 - n);
	hi = hex_digits8((uint32_t)(v >> 32));
	lo = hex_digits8((uint32_t)v);
	memcpy(p, &hi, sizeof(hi));
	memcpy(p + 8, &lo, sizeof(lo));
	return p + n;
}

static char *fmt_lit(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* Bytes that stand for themselves in a JSON string: printable ASCII but '"' (0x22)
 * and '\\' (0x5c), and UTF-8's bytes */
static const bool plain_byte[256] = {
	[0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7e] = true, [0x80 ... 0xff] = true,
};

/* "s" when s is plain and at most max bytes, else NULL (the slow path escapes it) */
static char *fmt_plain_quoted(char *p, const char *s, size_t max)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t i;

	*p++ = '"';
	for (i = 0; i < max && plain_byte[c[i]]; i++)	/* NUL is not plain */
		p[i] = (char)c[i];
	if (c[i])
		return NULL;	/* a byte to escape, or longer than max */
	p += i;
	*p++ = '"';
	return p;
}

/* ---- values ---- */

enum value_kind {
	V_UINT,
	V_INT,
	V_HEX,		/* "0x1f" */
	V_SCALED,	/* u / 10^decimals, exactly */
	V_SAFE,		/* a string above 2^53 - 1 */
	V_BOOL,
	V_NULL,
	V_STRING,
	V_HEX_ARRAY,	/* ["0x1f",...], at most HEX_ARRAY_FAST_MAX */
};

struct value {
	enum value_kind kind;
	uint64_t u;
	const char *s;
	unsigned decimals;
	const uint64_t *array;
	size_t n;
};

static char *fmt_hex_string(char *p, uint64_t v)
{
	p = fmt_lit(p, "\"0x", 3);
	p = fmt_hex(p, v);
	*p++ = '"';
	return p;
}

#define JS_MAX_SAFE_INTEGER ((1ull << 53) - 1)

/* The value's text; NULL only for a string the slow path must write. Inlined into
 * each caller, where the kind is a constant. */
static inline __attribute__((always_inline)) char *fmt_value(char *p, const struct value *v)
{
	switch (v->kind) {
	case V_UINT:
		return fmt_dec(p, v->u);
	case V_INT:
		if ((int64_t)v->u >= 0)
			return fmt_dec(p, v->u);
		*p++ = '-';
		return fmt_dec(p, -v->u);
	case V_HEX:
		return fmt_hex_string(p, v->u);
	case V_SCALED: {
		uint64_t scale = 1;

		for (unsigned i = 0; i < v->decimals; i++)
			scale *= 10;
		p = fmt_dec(p, v->u / scale);
		if (!v->decimals)
			return p;
		*p++ = '.';
		return fmt_dec_fixed(p, v->u % scale, v->decimals);
	}
	case V_SAFE:
		if (v->u <= JS_MAX_SAFE_INTEGER)
			return fmt_dec(p, v->u);
		*p++ = '"';
		p = fmt_dec(p, v->u);
		*p++ = '"';
		return p;
	case V_BOOL:
		return v->u ? fmt_lit(p, "true", 4) : fmt_lit(p, "false", 5);
	case V_NULL:
		return fmt_lit(p, "null", 4);
	case V_STRING:
		return fmt_plain_quoted(p, v->s, STRING_FAST_MAX);
	case V_HEX_ARRAY:
		*p++ = '[';
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				*p++ = ',';
			p = fmt_hex_string(p, v->array[i]);
		}
		*p++ = ']';
		return p;
	}
	return p;
}

void jw_init(struct json_writer *w, FILE *out)
{
	w->out = out;
	w->depth = 0;
	w->need_comma[0] = false;
	w->after_name = false;
	w->len = 0;
}

/* Emits the separator that must precede a value at the current position. */
static void jw_value_prefix(struct json_writer *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->need_comma[w->depth])
		put_char(w, ',');
	w->need_comma[w->depth] = true;
}

static void jw_open(struct json_writer *w, char c)
{
	jw_value_prefix(w);
	put_char(w, c);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void jw_close(struct json_writer *w, char c)
{
	put_char(w, c);
	if (w->depth > 0)
		w->depth--;
	value_done(w);
}

void jw_start_object(struct json_writer *w) { jw_open(w, '{'); }
void jw_end_object(struct json_writer *w) { jw_close(w, '}'); }
void jw_start_array(struct json_writer *w) { jw_open(w, '['); }
void jw_end_array(struct json_writer *w) { jw_close(w, ']'); }

/* The escape of a byte that is not plain */
static const char *escape_of(unsigned char c, char u[7])
{
	static const char hex[] = "0123456789abcdef";

	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	case '\b': return "\\b";
	case '\f': return "\\f";
	}
	u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0', u[4] = hex[c >> 4], u[5] = hex[c & 0xf], u[6] = 0;
	return u;
}

/* The slow path of a string: any length, escaped */
static void jw_quoted(struct json_writer *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run;
	char u[7];

	put_char(w, '"');
	for (;;) {
		const char *esc;

		for (run = p; plain_byte[*p]; p++)
			;
		put_bytes(w, run, (size_t)(p - run));	/* the plain bytes, at once */
		if (!*p)
			break;
		esc = escape_of(*p++, u);
		put_bytes(w, esc, strlen(esc));
	}
	put_char(w, '"');
}

void jw_name(struct json_writer *w, const char *name)
{
	char *p = room_open(w);

	if (!w->after_name && w->need_comma[w->depth])
		*p++ = ',';
	p = fmt_plain_quoted(p, name, NAME_FAST_MAX);
	if (p) {
		*p++ = ':';
		room_close(w, p);
		if (!w->after_name)	/* as jw_value_prefix */
			w->need_comma[w->depth] = true;
	} else {
		jw_value_prefix(w);
		jw_quoted(w, name);
		put_char(w, ':');
	}
	w->after_name = true;
}

static unsigned key_len(struct jw_key k)
{
	unsigned char c[sizeof(k)];

	memcpy(c, &k, sizeof(c));
	return c[sizeof(c) - 1];
}

/* "name": from its key, two words (past the end: filler the value covers), else
 * scanned; NULL when the name needs escaping or is long */
static inline char *fmt_name(char *p, const char *name, struct jw_key k)
{
	unsigned len = key_len(k);

	if (len) {
		memcpy(p, k.text, sizeof(k.text));
		return p + len;
	}
	p = fmt_plain_quoted(p, name, NAME_FAST_MAX);
	if (p)
		*p++ = ':';
	return p;
}

static const struct jw_key no_key;

/* Writes [,]["name":]value: the fast path when it can, else piece by piece */
static inline __attribute__((always_inline)) void emit(struct json_writer *w, const char *name,
						       struct jw_key k, const struct value *v)
{
	char *p = room_open(w);

	if (name && w->after_name)
		goto slow;	/* a field right after a bare name: not JSON, but keep it as it was */
	if ((name || !w->after_name) && w->need_comma[w->depth])
		*p++ = ',';
	if (name) {
		p = fmt_name(p, name, k);
		if (!p)
			goto slow;
	}
	p = fmt_value(p, v);
	if (!p)
		goto slow;
	room_close(w, p);
	if (w->after_name)
		w->after_name = false;
	else
		w->need_comma[w->depth] = true;
	value_done(w);
	return;
slow:
	if (name)
		jw_name(w, name);
	jw_value_prefix(w);
	if (v->kind == V_STRING)
		jw_quoted(w, v->s);
	else
		room_close(w, fmt_value(room_open(w), v));
	value_done(w);
}

void jw_string(struct json_writer *w, const char *s)
{
	emit(w, NULL, no_key, &(struct value){ .kind = s ? V_STRING : V_NULL, .s = s });
}

void jw_uint(struct json_writer *w, uint64_t v)
{
	emit(w, NULL, no_key, &(struct value){ .kind = V_UINT, .u = v });
}

void jw_int(struct json_writer *w, int64_t v)
{
	emit(w, NULL, no_key, &(struct value){ .kind = V_INT, .u = (uint64_t)v });
}

void jw_double(struct json_writer *w, double v)
{
	char *p;

	jw_value_prefix(w);
	p = room_open(w);
	if (isfinite(v))
		p += snprintf(p, ROOM, "%.17g", v);	/* at most 24 bytes */
	else
		p = fmt_lit(p, "null", 4);	/* JSON has no NaN or infinity */
	room_close(w, p);
	value_done(w);
}

void jw_bool(struct json_writer *w, bool v)
{
	emit(w, NULL, no_key, &(struct value){ .kind = V_BOOL, .u = v });
}

void jw_null(struct json_writer *w)
{
	emit(w, NULL, no_key, &(struct value){ .kind = V_NULL });
}

void jw_hex(struct json_writer *w, uint64_t v)
{
	emit(w, NULL, no_key, &(struct value){ .kind = V_HEX, .u = v });
}

void jw_uint_scaled(struct json_writer *w, uint64_t v, unsigned decimals)
{
	emit(w, NULL, no_key, &(struct value){ .kind = V_SCALED, .u = v, .decimals = decimals > 19 ? 19 : decimals });
}

void jw_uint_safe(struct json_writer *w, uint64_t v)
{
	emit(w, NULL, no_key, &(struct value){ .kind = V_SAFE, .u = v });
}

void jw_end_line(struct json_writer *w)
{
	put_char(w, '\n');
	jw_flush(w);
	w->depth = 0;
	w->need_comma[0] = false;
	w->after_name = false;
}

void jw_string_field_k(struct json_writer *w, const char *name, struct jw_key k, const char *s)
{
	emit(w, name, k, &(struct value){ .kind = s ? V_STRING : V_NULL, .s = s });
}

void jw_uint_field_k(struct json_writer *w, const char *name, struct jw_key k, uint64_t v)
{
	emit(w, name, k, &(struct value){ .kind = V_UINT, .u = v });
}

void jw_int_field_k(struct json_writer *w, const char *name, struct jw_key k, int64_t v)
{
	emit(w, name, k, &(struct value){ .kind = V_INT, .u = (uint64_t)v });
}

void jw_bool_field_k(struct json_writer *w, const char *name, struct jw_key k, bool v)
{
	emit(w, name, k, &(struct value){ .kind = V_BOOL, .u = v });
}

void jw_hex_field_k(struct json_writer *w, const char *name, struct jw_key k, uint64_t v)
{
	emit(w, name, k, &(struct value){ .kind = V_HEX, .u = v });
}

void jw_null_field_k(struct json_writer *w, const char *name, struct jw_key k)
{
	emit(w, name, k, &(struct value){ .kind = V_NULL });
}

void jw_double_field(struct json_writer *w, const char *name, double v) { jw_name(w, name); jw_double(w, v); }

void jw_uint_scaled_field_k(struct json_writer *w, const char *name, struct jw_key k, uint64_t v,
			    unsigned decimals)
{
	emit(w, name, k, &(struct value){ .kind = V_SCALED, .u = v, .decimals = decimals > 19 ? 19 : decimals });
}

void jw_uint_safe_field_k(struct json_writer *w, const char *name, struct jw_key k, uint64_t v)
{
	emit(w, name, k, &(struct value){ .kind = V_SAFE, .u = v });
}

void jw_hex_array_field_k(struct json_writer *w, const char *name, struct jw_key k, const uint64_t *v,
			  size_t n)
{
	if (n <= HEX_ARRAY_FAST_MAX) {
		emit(w, name, k, &(struct value){ .kind = V_HEX_ARRAY, .array = v, .n = n });
		return;
	}
	jw_name(w, name);
	jw_start_array(w);
	for (size_t i = 0; i < n; i++)
		jw_hex(w, v[i]);
	jw_end_array(w);
}

void jw_fields_text(struct json_writer *w, const char *text, size_t len)
{
	if (!len)
		return;
	if (w->need_comma[w->depth])
		put_char(w, ',');
	put_bytes(w, text, len);
	w->need_comma[w->depth] = true;
}
