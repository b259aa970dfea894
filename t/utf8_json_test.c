/*
 * utf8_json_test.c: strict UTF-8, one-shot and incremental with every
 * way of cutting a message in three; the JSON string escaper (and that
 * its output is valid UTF-8 that decodes back); the JSON object reader,
 * string decoder and integer reader on good and bad input.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 20) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

/* A byte string that may hold NULs. */
struct bytes {
	const char	*s;
	size_t		 n;
};
#define B(lit)	{ lit, sizeof(lit) - 1 }

static const struct bytes good[] = {
	B(""), B("abc"), B("\x00"), B("\x7f"), B("\xc2\x80"), B("\xdf\xbf"),
	B("\xe0\xa0\x80"), B("\xed\x9f\xbf"), B("\xee\x80\x80"),
	B("\xef\xbf\xbf"), B("\xf0\x90\x80\x80"), B("\xf4\x8f\xbf\xbf"),
	B("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80!"),
};

static const struct bytes bad[] = {
	B("\xc0\x80"), B("\xc1\xbf"), B("\xe0\x80\x80"), B("\xe0\x9f\xbf"),
	B("\xf0\x80\x80\x80"), B("\xf0\x8f\xbf\xbf"), B("\xed\xa0\x80"),
	B("\xed\xbf\xbf"), B("\xf4\x90\x80\x80"), B("\xf5\x80\x80\x80"),
	B("\xf8\x88\x80\x80\x80"), B("\xfe"), B("\xff"), B("\x80"),
	B("a\xbf"), B("\xc2"), B("\xe0\xa0"), B("\xf0\x90\x80"),
	B("abc\xe2\x82"), B("\xc2\x41"), B("\xe2\x82\x41"),
	B("\xf0\x9f\x98\x80\x80"), B("\xc2\xc2\x80"),
};

/* Feed b in the three pieces cut at i and j; the validator's verdict. */
static int
feed3(const struct bytes *b, size_t i, size_t j)
{
	struct utf8 u;

	utf8_init(&u);
	utf8_feed(&u, b->s, i);
	utf8_feed(&u, b->s + i, j - i);
	utf8_feed(&u, b->s + j, b->n - j);
	return utf8_done(&u);
}

static void
test_utf8_table(const struct bytes *t, size_t n, int want)
{
	size_t k, i, j;

	for (k = 0; k < n; k++) {
		/* every way of cutting it in three pieces, some empty */
		if (utf8_valid(t[k].s, t[k].n) != want) {
			fprintf(stderr, "utf8_valid case %zu: want %d\n", k,
			    want);
			fails++;
		}
		for (i = 0; i <= t[k].n; i++)
			for (j = i; j <= t[k].n; j++)
				if (feed3(&t[k], i, j) != want && fails++ < 20)
					fprintf(stderr, "utf8 case %zu cut %zu,"
					    "%zu: want %d\n", k, i, j, want);
	}
}

static void
test_utf8_next(void)
{
	static const struct {
		struct bytes	 in;
		int		 rc;
		uint32_t	 cp;
	} v[] = {
		{ B("A"), 1, 'A' }, { B("\xc2\x80"), 2, 0x80 },
		{ B("\xdf\xbf"), 2, 0x7ff }, { B("\xe0\xa0\x80"), 3, 0x800 },
		{ B("\xef\xbf\xbf"), 3, 0xffff },
		{ B("\xf0\x90\x80\x80"), 4, 0x10000 },
		{ B("\xf4\x8f\xbf\xbf"), 4, 0x10ffff },
		{ B("\x80"), -1, 0xfffd }, { B("\xc0\x80"), -1, 0xfffd },
		{ B("\xe0\x80\x80"), -1, 0xfffd },
		{ B("\xed\xa0\x80"), -1, 0xfffd },
		{ B("\xf4\x90\x80\x80"), -1, 0xfffd },
		{ B("\xe2\x82\x41"), -2, 0xfffd },
		{ B("\xe2\x82"), -2, 0xfffd },
		{ B("\xf0\x90\x80\x41"), -3, 0xfffd },
		{ B("\xc2"), -1, 0xfffd },
	};
	uint32_t cp;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(utf8_next(v[i].in.s, v[i].in.n, &cp) == v[i].rc);
		CHECK(cp == v[i].cp);
	}
}

/* An invalid message is refused by the byte that makes it so. */
static void
test_utf8_early(void)
{
	struct utf8 u;

	utf8_init(&u);
	CHECK(utf8_feed(&u, "ab\xe2", 3) == 1);
	CHECK(utf8_done(&u) == 0);
	CHECK(utf8_feed(&u, "\x82", 1) == 1);
	CHECK(utf8_feed(&u, "\x41", 1) == 0);
	CHECK(utf8_feed(&u, "ok", 2) == 0);
	CHECK(utf8_done(&u) == 0);
	utf8_init(&u);
	CHECK(utf8_feed(&u, "\xed", 1) == 1);
	CHECK(utf8_feed(&u, "\xa0", 1) == 0);
	CHECK(sizeof(struct utf8) <= 4);
}

static void
escape_is(const char *in, size_t n, const char *want)
{
	char out[128], back[128];
	size_t len = json_escape(in, n, out, sizeof(out));
	ssize_t r;

	CHECK(len == json_escape_len(in, n));
	CHECK(utf8_valid(out, len));
	if (len != strlen(want) || memcmp(out, want, len) != 0) {
		fprintf(stderr, "escape: got \"%.*s\" want \"%s\"\n", (int)len,
		    out, want);
		fails++;
		return;
	}
	/* back through the decoder: the input if it was valid UTF-8 */
	memmove(out + 1, out, len);
	out[0] = out[len + 1] = '"';
	r = json_string_decode(out, len + 2, back, sizeof(back));
	CHECK(r >= 0);
	if (utf8_valid(in, n))
		CHECK((size_t)r == n && memcmp(back, in, n) == 0);
}

static void
test_escape(void)
{
	char out[8];

	escape_is("plain /text/", 12, "plain /text/");
	escape_is("a\"b\\c", 5, "a\\\"b\\\\c");
	escape_is("\n\r\t", 3, "\\n\\r\\t");
	escape_is("\x01\x1f\b\f\x7f", 5, "\\u0001\\u001f\\u0008\\u000c\\u007f");
	escape_is("\0", 1, "\\u0000");
	escape_is("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 12,
	    "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	escape_is("\xff", 1, "\\ufffd");
	escape_is("\xe2\x82\x41", 3, "\\ufffdA");
	escape_is("\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd");
	escape_is("x\xf0\x90\x80", 4, "x\\ufffd");
	escape_is("\xc0\xaf", 2, "\\ufffd\\ufffd");
	escape_is("", 0, "");
	/* too small: the whole length is returned, whole escapes written */
	memset(out, '#', sizeof(out));
	CHECK(json_escape("a\"b", 3, out, 2) == 4);
	CHECK(out[0] == 'a' && out[1] == '#');
	memset(out, '#', sizeof(out));
	CHECK(json_escape("ab\x01", 3, out, 7) == 8);
	CHECK(memcmp(out, "ab#", 3) == 0);
	CHECK(json_escape("abc", 3, NULL, 0) == 3);
}

/* The members of text, as "name type value;" (types by letter). */
static int
walk(const char *text, char *out, size_t cap)
{
	struct json_obj o;
	struct json_member m;
	size_t len = 0;

	if (json_obj_init(&o, text, strlen(text)) < 0)
		return -1;
	out[0] = '\0';
	while (json_obj_next(&o, &m))
		len += (size_t)snprintf(out + len, cap - len, "%.*s %c %.*s;",
		    (int)m.jm_namelen, m.jm_name, "snTFNoa"[m.jm_type],
		    (int)m.jm_vallen, m.jm_val);
	return 0;
}

static void
test_reader_good(void)
{
	char out[512];

	CHECK(walk("{\"a\":\"x\",\"b\":-1.5e3,\"c\":true,\"d\":false,"
	    "\"e\":null,\"f\":{\"g\":[1,{\"h\":[]}]},\"i\":[]}", out,
	    sizeof(out)) == 0);
	CHECK(strcmp(out, "\"a\" s \"x\";\"b\" n -1.5e3;\"c\" T true;"
	    "\"d\" F false;\"e\" N null;\"f\" o {\"g\":[1,{\"h\":[]}]};"
	    "\"i\" a [];") == 0);
	CHECK(walk(" \t\r\n{ \"a\" : 1 , \"b\\n\" :\"\\u0041\" } \n", out,
	    sizeof(out)) == 0);
	CHECK(strcmp(out, "\"a\" n 1;\"b\\n\" s \"\\u0041\";") == 0);
	CHECK(walk("{}", out, sizeof(out)) == 0 && out[0] == '\0');
	CHECK(walk("{\"a\":1,\"a\":2}", out, sizeof(out)) == 0);
	CHECK(strcmp(out, "\"a\" n 1;\"a\" n 2;") == 0);
	CHECK(walk("{\"\xf0\x9f\x98\x80\":\"\\ud83d\\ude00\"}", out,
	    sizeof(out)) == 0);
}

static void
test_reader_bad(void)
{
	static const char *bad[] = { "", " ", "[]", "\"a\"", "1", "{",
	    "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
	    "{\"a\":1 \"b\":2}",
	    "{a:1}", "{'a':1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}",
	    "{\"a\":1e}", "{\"a\":-}", "{\"a\":+1}", "{\"a\":tru}",
	    "{\"a\":True}", "{\"a\":nul}", "{\"a\":[1,]}", "{\"a\":[1 2]}",
	    "{\"a\":{\"b\":1]}", "{\"a\":[}", "{\"a\":1}x", "{\"a\":1}{}",
	    "{\"a\":\"\x01\"}", "{\"a\":\"\x1f\"}",
	    "{\"a\":\"\t\"}", "{\"a\":\"\\q\"}",
	    "{\"a\":\"\\u12\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
	    "{\"a\":[\"\\ud800\\u0041\"]}", "{\"a\":\"\xff\"}",
	    "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"x}", "\xef\xbb\xbf{}",
	    "{\"a\":NaN}", "{\"a\":0x1}", "{\"a\":Infinity}", "{\"a\"\n:\n1,",
	    "{\"a\":1}\x0b", "{\"\x01\":1}", "{\"a\":-01}", "{\"a\":1e+}" };
	char out[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (walk(bad[i], out, sizeof(out)) != -1) {
			fprintf(stderr, "reader took bad case %zu: %s\n", i,
			    bad[i]);
			fails++;
		}
	/* a NUL after the object is not whitespace */
	CHECK(json_obj_init(&(struct json_obj){ 0 }, "{}\0", 3) == -1);
}

/* {"a": and k [ ... ] and }: depth 1 + k. */
static void
test_depth(void)
{
	static char text[200100];
	struct json_obj o;
	size_t n, k;

	for (k = JSON_MAXDEPTH - 1; k <= JSON_MAXDEPTH; k++) {
		n = (size_t)snprintf(text, sizeof(text), "{\"a\":");
		memset(text + n, '[', k);
		memset(text + n + k, ']', k);
		memcpy(text + n + 2 * k, "}", 2);
		CHECK(json_obj_init(&o, text, strlen(text)) ==
		    (k < JSON_MAXDEPTH ? 0 : -1));
	}
	/* far too deep: refused at the limit, not by running out of stack */
	text[0] = '{';
	memset(text + 1, '[', 200000);
	CHECK(json_obj_init(&o, text, 200001) == -1);
}

static void
decode_is(const char *tok, const char *want, size_t wlen)
{
	char out[64];
	ssize_t r = json_string_decode(tok, strlen(tok), out, sizeof(out));

	if (r != (ssize_t)wlen || memcmp(out, want, wlen) != 0) {
		fprintf(stderr, "decode %s: got %zd\n", tok, r);
		fails++;
	}
}

static void
test_decode(void)
{
	static const char *bad[] = { "\"\\ud83d\"", "\"\\ude00\"",
	    "\"\\ud83d\\u0041\"", "\"\\ud83dx\"", "\"\\ud83d\\\"", "\"\\x\"",
	    "\"\\u00g0\"", "\"\t\"", "\"a\"b\"", "abc", "\"abc", "\"", "",
	    "\"\\\"", "\"\\u\"", "\"\xc0\xaf\"", "\"\\U0041\"" };
	char out[4];
	size_t i;

	decode_is("\"a\\u0062c\"", "abc", 3);
	decode_is("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
	decode_is("\"\\u00e9\\u20AC\"", "\xc3\xa9\xe2\x82\xac", 5);
	decode_is("\"\\ud83d\\ude00\\uD83D\\uDE00\"",
	    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 8);
	decode_is("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 4);
	decode_is("\"\\u0000\"", "\0", 1);
	decode_is("\"\"", "", 0);
	decode_is("\"h\xc3\xa9\"", "h\xc3\xa9", 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		if (json_string_decode(bad[i], strlen(bad[i]), out,
		    sizeof(out)) != -1 || errno != EINVAL) {
			fprintf(stderr, "decode took bad case %zu\n", i);
			fails++;
		}
	}
	CHECK(json_string_decode("\"abcd\"", 6, out, 3) == -1 &&
	    errno == ENOSPC);
	CHECK(json_string_decode("\"abcd\\q\"", 8, out, 2) == -1 &&
	    errno == EINVAL);
	CHECK(json_string_decode("\"\\u20ac\"", 8, out, 2) == -1 &&
	    errno == ENOSPC);
	CHECK(json_string_eq("\"alg\"", 5, "alg") == 1);
	CHECK(json_string_eq("\"\\u0061lg\"", 10, "alg") == 1);
	CHECK(json_string_eq("\"al\"", 4, "alg") == 0);
	CHECK(json_string_eq("\"algx\"", 6, "alg") == 0);
	CHECK(json_string_eq("\"\"", 2, "") == 1);
	CHECK(json_string_eq("\"alg\\q\"", 7, "alg") == 0);
	CHECK(json_string_eq("alg", 3, "alg") == 0);
}

static void
number_is(const char *tok, int rc, long long want)
{
	long long v = 12345;

	errno = 0;
	if (json_number_ll(tok, strlen(tok), &v) != (rc ? -1 : 0) ||
	    (rc ? errno != rc : v != want)) {
		fprintf(stderr, "number %s: got %lld errno %d\n", tok, v,
		    errno);
		fails++;
	}
}

static void
test_numbers(void)
{
	static const char *bad[] = { "", "01", "1.", ".1", "+1", "1e", "-",
	    "1x", " 1", "1 ", "0x10", "NaN", "--1", "1e+", "\"1\"" };
	size_t i;

	number_is("0", 0, 0);
	number_is("-0", 0, 0);
	number_is("42", 0, 42);
	number_is("-42", 0, -42);
	number_is("1300819380", 0, 1300819380);
	number_is("9223372036854775807", 0, LLONG_MAX);
	number_is("9223372036854775808", ERANGE, 0);
	number_is("-9223372036854775808", 0, LLONG_MIN);
	number_is("-9223372036854775809", ERANGE, 0);
	number_is("1.9", 0, 1);
	number_is("-1.9", 0, -1);
	number_is("0.5", 0, 0);
	number_is("-0.5", 0, 0);
	number_is("15e-1", 0, 1);
	number_is("1e3", 0, 1000);
	number_is("1E+3", 0, 1000);
	number_is("1.5e1", 0, 15);
	number_is("123.456e2", 0, 12345);
	number_is("1300819380.999", 0, 1300819380);
	number_is("1e-400", 0, 0);
	number_is("1e400", ERANGE, 0);
	number_is("0e999999999999", 0, 0);
	number_is("0.000e5", 0, 0);
	number_is("92233720368547758079e-1", 0, LLONG_MAX);
	number_is("9.223372036854775807e18", 0, LLONG_MAX);
	number_is("9.223372036854775808e18", ERANGE, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		number_is(bad[i], EINVAL, 0);
}

int
main(void)
{
	test_utf8_table(good, sizeof(good) / sizeof(good[0]), 1);
	test_utf8_table(bad, sizeof(bad) / sizeof(bad[0]), 0);
	test_utf8_next();
	test_utf8_early();
	test_escape();
	test_reader_good();
	test_reader_bad();
	test_depth();
	test_decode();
	test_numbers();
	if (fails) {
		fprintf(stderr, "utf8_json_test: %d failed\n", fails);
		return 1;
	}
	printf("utf8_json_test: ok\n");
	return 0;
}
