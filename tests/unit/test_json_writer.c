/* The JSON writer's hand-written formatting (numbers, hex, escapes) against printf's,
 * through every kind of stdio buffering it may meet, and its own buffer: filled past
 * its size in one value, handed to the stream when a top-level value ends or when
 * told, so that text the caller writes itself lands where it was written. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "json_writer.h"
#include "unit.h"

enum buffering { FULL, TINY, LINE, NONE };
static const char *const buffering_names[] = { "full", "8-byte", "line", "unbuffered" };

static FILE *out;
static char tiny_buf[8];
static char text[1 << 16];

static struct json_writer *start(enum buffering b)
{
	static struct json_writer w;

	out = tmpfile();
	if (!out) {
		perror("tmpfile");
		exit(1);
	}
	if (b == TINY)
		setvbuf(out, tiny_buf, _IOFBF, sizeof(tiny_buf));
	else if (b == LINE)
		setvbuf(out, NULL, _IOLBF, 0);
	else if (b == NONE)
		setvbuf(out, NULL, _IONBF, 0);
	jw_init(&w, out);
	return &w;
}

static const char *finish(void)
{
	size_t n;

	rewind(out);
	n = fread(text, 1, sizeof(text) - 1, out);
	text[n] = 0;
	fclose(out);
	return text;
}

static const uint64_t values[] = {
	0, 1, 9, 10, 15, 16, 99, 100, 255, 256, 4095, 65535, 1000000, 4294967295ull, 4294967296ull,
	(1ull << 53) - 1, 1ull << 53, 9999999999999999999ull, 10000000000000000000ull,
	0x8000000000000000ull, 0xdeadbeefcafef00dull, UINT64_MAX,
};
#define NR_VALUES (sizeof(values) / sizeof(values[0]))

static void numbers(enum buffering b)
{
	char want[1 << 12], *p = want;
	struct json_writer *w = start(b);

	jw_start_array(w);
	p += sprintf(p, "[");
	for (size_t i = 0; i < NR_VALUES; i++) {
		uint64_t v = values[i];

		jw_uint(w, v);
		jw_int(w, (int64_t)v);
		jw_hex(w, v);
		jw_uint_safe(w, v);
		jw_uint_scaled(w, v, 3);
		jw_uint_scaled(w, v, 19);
		p += sprintf(p, "%s%" PRIu64 ",%" PRId64 ",\"0x%" PRIx64 "\",", i ? "," : "", v, (int64_t)v, v);
		p += sprintf(p, v > (1ull << 53) - 1 ? "\"%" PRIu64 "\"," : "%" PRIu64 ",", v);
		p += sprintf(p, "%" PRIu64 ".%03" PRIu64 ",", v / 1000, v % 1000);
		p += sprintf(p, "%" PRIu64 ".%019" PRIu64, v / (uint64_t)10000000000000000000ull, v % (uint64_t)10000000000000000000ull);
	}
	jw_uint_scaled(w, 12345, 0);
	p += sprintf(p, ",12345");
	jw_end_array(w);
	jw_end_line(w);
	sprintf(p, "]\n");
	CHECK(!strcmp(finish(), want), "%s: numbers: got %s want %s", buffering_names[b], text, want);
}

static void strings(enum buffering b)
{
	struct json_writer *w = start(b);

	jw_start_object(w);
	jw_string_field(w, "plain", "PSCI_CPU_ON");
	jw_string_field(w, "empty", "");
	jw_string_field(w, "quotes \"and\" \\", "a\"b\\c");
	jw_string_field(w, "controls", "\n\r\t\b\f\x01\x1f\x7f");
	jw_string_field(w, "utf8", "\xc2\xb5s");
	jw_string_field(w, "null", NULL);
	jw_name(w, "list");
	jw_start_array(w);
	jw_start_object(w);
	jw_end_object(w);
	jw_bool(w, true);
	jw_null(w);
	jw_end_array(w);
	jw_end_object(w);
	jw_end_line(w);
	CHECK_STR(finish(), "{\"plain\":\"PSCI_CPU_ON\",\"empty\":\"\",\"quotes \\\"and\\\" \\\\\":\"a\\\"b\\\\c\","
			    "\"controls\":\"\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f\",\"utf8\":\"\xc2\xb5s\","
			    "\"null\":null,\"list\":[{},true,null]}\n");
}

/* A long string crosses every buffer boundary */
static void long_string(enum buffering b)
{
	static char s[5000], want[5003];
	struct json_writer *w = start(b);

	for (size_t i = 0; i < sizeof(s) - 1; i++)
		s[i] = (char)('a' + i % 26);
	jw_string(w, s);
	sprintf(want, "\"%s\"", s);
	CHECK(!strcmp(finish(), want), "%s: a 4999-byte string", buffering_names[b]);
}

/* The escape of every kind of byte at every position of strings up to 20 bytes, against
 * a byte-by-byte reference: the fast path checks eight bytes at a time */
static void escape_positions(void)
{
	static const unsigned char kinds[] = { '"', '\\', 0x01, 0x1f, 0x7f, '\n', 0x20, 0x7e, 0x80, 0xff, 'a' };
	char s[32], want[256], *p;
	struct json_writer *w;

	for (size_t len = 1; len <= 20; len++) {
		for (size_t at = 0; at < len; at++) {
			for (size_t k = 0; k < sizeof(kinds); k++) {
				unsigned char c = kinds[k];

				memset(s, 'x', len);
				s[len] = 0;
				s[at] = (char)c;
				w = start(FULL);
				jw_string(w, s);
				finish();
				p = want;
				*p++ = '"';
				for (size_t i = 0; i < len; i++) {
					unsigned char b = (unsigned char)s[i];

					if (b == '"' || b == '\\')
						p += sprintf(p, "\\%c", b);
					else if (b == '\n')
						p += sprintf(p, "\\n");
					else if (b < 0x20 || b == 0x7f)
						p += sprintf(p, "\\u%04x", b);
					else
						*p++ = (char)b;
				}
				*p++ = '"';
				*p = 0;
				CHECK(!strcmp(text, want), "byte 0x%02x at %zu of %zu: got %s want %s", c, at, len,
				      text, want);
			}
		}
	}
}

/* An array field equals its value by value form, at any length (the fast path takes
 * up to 20 values); fields rendered once read the same as written one by one. */
static void arrays_and_text(enum buffering b)
{
	char want[1 << 13], *p = want, again[1 << 13];
	struct json_writer *w = start(b);

	jw_start_object(w);
	p += sprintf(p, "{");
	for (size_t n = 0; n <= 24; n++) {
		jw_hex_array_field(w, "regs", values, n % NR_VALUES + n / NR_VALUES);
		p += sprintf(p, "%s\"regs\":[", n ? "," : "");
		for (size_t i = 0; i < n % NR_VALUES + n / NR_VALUES; i++)
			p += sprintf(p, "%s\"0x%" PRIx64 "\"", i ? "," : "", values[i]);
		p += sprintf(p, "]");
	}
	jw_end_object(w);
	jw_end_line(w);
	sprintf(p, "}\n");
	CHECK(!strcmp(finish(), want), "%s: hex arrays: got %s want %s", buffering_names[b], text, want);

	w = start(b);
	jw_start_object(w);
	jw_string_field(w, "a", "x\"y");
	jw_uint_field(w, "b", 1);
	jw_end_object(w);
	finish();
	strcpy(again, text + 1);		/* "a":"x\"y","b":1} */
	w = start(b);
	jw_start_object(w);
	jw_fields_text(w, again, strlen(again) - 1);
	jw_fields_text(w, "", 0);
	jw_fields_text(w, again, strlen(again) - 1);
	jw_end_object(w);
	jw_end_line(w);
	CHECK_STR(finish(), "{\"a\":\"x\\\"y\",\"b\":1,\"a\":\"x\\\"y\",\"b\":1}\n");
}

/* Names given as literals (a key packed at compile time, up to 12 bytes) and at run
 * time (scanned) read the same, at the key's length limit, and escaped when they must */
static void names(enum buffering b)
{
	static const char *const runtime[] = { "ts_ns", "system_event", "system_event1", "a\tb", "q\"" };
	const char *const want = "{\"ts_ns\":1,\"system_event\":true,\"system_event1\":\"0x1f\",\"a\\tb\":null,"
				 "\"q\\\"\":[\"0x0\"]}\n";
	uint64_t zero = 0;
	struct json_writer *w = start(b);

	jw_start_object(w);
	jw_uint_field(w, "ts_ns", 1);
	jw_bool_field(w, "system_event", true);
	jw_hex_field(w, "system_event1", 0x1f);
	jw_null_field(w, "a\tb");
	jw_hex_array_field(w, "q\"", &zero, 1);
	jw_end_object(w);
	jw_end_line(w);
	CHECK(!strcmp(finish(), want), "%s: literal names: got %s want %s", buffering_names[b], text, want);

	w = start(b);
	jw_start_object(w);
	jw_uint_field(w, runtime[0], 1);
	jw_bool_field(w, runtime[1], true);
	jw_hex_field(w, runtime[2], 0x1f);
	jw_null_field(w, runtime[3]);
	jw_hex_array_field(w, runtime[4], &zero, 1);
	jw_end_object(w);
	jw_end_line(w);
	CHECK(!strcmp(finish(), want), "%s: run-time names: got %s want %s", buffering_names[b], text, want);
}

/* Text the caller writes to the stream itself, between top-level values and (after
 * jw_flush) inside one, lands in order; a finished value is in the stream before
 * jw_end_line */
static void interleaved(enum buffering b)
{
	struct json_writer *w = start(b);
	long at;

	fputs("[\n", out);
	jw_start_object(w);
	jw_uint_field(w, "a", 1);
	jw_end_object(w);
	fflush(out);
	at = ftell(out);
	fputs(",\n", out);
	jw_init(w, out);	/* a new top-level value, without the writer's comma */
	jw_uint(w, 7);
	fputs(",\n", out);
	jw_init(w, out);
	jw_start_object(w);
	jw_name(w, "events");
	jw_flush(w);
	fputc('[', out);
	jw_init(w, out);
	jw_string(w, "x");
	fputs("]}", out);
	jw_init(w, out);
	jw_start_array(w);
	jw_double(w, 0.5);
	jw_double(w, NAN);
	jw_double(w, 1e300);
	jw_double(w, -1.0 / 3);
	jw_end_array(w);
	jw_end_line(w);
	CHECK(at == 9, "%s: an object is in the stream once it ends (%ld bytes, want 9)", buffering_names[b], at);
	CHECK_STR(finish(), "[\n{\"a\":1},\n7,\n{\"events\":[\"x\"]}[0.5,null,1.0000000000000001e+300,"
			    "-0.33333333333333331]\n");
}

/* One value larger than the writer's buffer (fields and text rendered once), and a
 * record with each kind of field near the buffer's end, read as written */
static void larger_than_buffer(enum buffering b)
{
	static char want[1 << 16], again[3 * JW_BUF_SIZE];
	char *p = want;
	struct json_writer *w = start(b);
	size_t n = 0;

	for (int i = 0; n < sizeof(again) - 16; i++)
		n += (size_t)sprintf(again + n, "%s\"k%d\":%d", i ? "," : "", i, i);
	jw_start_object(w);
	p += sprintf(p, "{");
	for (unsigned i = 0; p - want < 2 * JW_BUF_SIZE; i++) {
		uint64_t v = values[i % NR_VALUES];

		jw_hex_field(w, "hex", v);
		jw_uint_safe_field(w, "safe", v);
		jw_string_field(w, "s", i % 2 ? "PSCI_CPU_ON" : "a\tb");
		jw_hex_array_field(w, "regs", values, i % NR_VALUES);
		p += sprintf(p, "%s\"hex\":\"0x%" PRIx64 "\",\"safe\":", i ? "," : "", v);
		p += sprintf(p, v > (1ull << 53) - 1 ? "\"%" PRIu64 "\"" : "%" PRIu64, v);
		p += sprintf(p, ",\"s\":\"%s\",\"regs\":[", i % 2 ? "PSCI_CPU_ON" : "a\\tb");
		for (size_t j = 0; j < i % NR_VALUES; j++)
			p += sprintf(p, "%s\"0x%" PRIx64 "\"", j ? "," : "", values[j]);
		p += sprintf(p, "]");
	}
	jw_fields_text(w, again, n);
	p += sprintf(p, ",%s}\n", again);
	jw_end_object(w);
	jw_end_line(w);
	CHECK(!strcmp(finish(), want), "%s: %zu bytes in one object: got %.200s... want %.200s...", buffering_names[b],
	      strlen(want), text, want);
}

/* Hex of every digit count against printf's, alone and in arrays */
static void hex_lengths(void)
{
	uint64_t v[3];
	char want[128];
	struct json_writer *w;

	for (unsigned s = 0; s < 64; s++) {
		v[0] = 1ull << s, v[1] = (2ull << s) - 1, v[2] = 0xa5a5a5a5a5a5a5a5ull >> s;
		w = start(FULL);
		jw_hex(w, v[1]);
		jw_hex_array_field(w, "x", v, 3);
		finish();
		snprintf(want, sizeof(want), "\"0x%" PRIx64 "\",\"x\":[\"0x%" PRIx64 "\",\"0x%" PRIx64 "\",\"0x%" PRIx64 "\"]",
			 v[1], v[0], v[1], v[2]);
		CHECK(!strcmp(text, want), "hex at bit %u: got %s want %s", s, text, want);
	}
}

int main(void)
{
	hex_lengths();
	escape_positions();
	for (enum buffering b = FULL; b <= NONE; b++) {
		numbers(b);
		strings(b);
		long_string(b);
		arrays_and_text(b);
		names(b);
		interleaved(b);
		larger_than_buffer(b);
	}
	return unit_report("json_writer");
}
