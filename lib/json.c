/*
 * json.c: RFC 8259 strings, numbers and objects, read strictly: one
 * grammar checker (json_scan_*) validates a whole object up front, and
 * the walker and decoders reuse its pieces on text already known good.
 * Recursion is bounded by JSON_MAXDEPTH.  Every string character goes
 * through json_unit, so checking and decoding agree on what a string is.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "json.h"
#include "num.h"
#include "utf8.h"

/* Past this an exponent only decides between 0 and out of range. */
#define JSON_MAXEXP	100000

static int	json_scan_value(const char *, size_t, size_t *, int,
		    enum json_type *);

/* The escape of one character at p[0..left), into e; sets *used. */
static int
json_esc1(const uint8_t *p, size_t left, size_t *used, char e[6])
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp;
	int n;

	*used = 1;
	if (p[0] == '"' || p[0] == '\\' || p[0] == '\n' || p[0] == '\r' ||
	    p[0] == '\t') {
		e[0] = '\\';
		e[1] = p[0] == '\n' ? 'n' : p[0] == '\r' ? 'r' :
		    p[0] == '\t' ? 't' : (char)p[0];
		return 2;
	}
	if (p[0] < 0x20 || p[0] == 0x7f) {
		memcpy(e, "\\u00", 4);
		e[4] = hex[p[0] >> 4];
		e[5] = hex[p[0] & 15];
		return 6;
	}
	if (p[0] < 0x80) {
		e[0] = (char)p[0];
		return 1;
	}
	if ((n = utf8_next(p, left, &cp)) < 0) {
		*used = (size_t)-n;
		memcpy(e, "\\ufffd", 6);
		return 6;
	}
	*used = (size_t)n;
	memcpy(e, p, (size_t)n);
	return n;
}

size_t
json_escape(const void *src, size_t len, char *dst, size_t cap)
{
	const uint8_t *p = src;
	size_t i, o = 0, used, k;
	char e[6];

	/* once an escape does not fit, o > cap and none after it will */
	for (i = 0; i < len; i += used, o += k) {
		k = (size_t)json_esc1(p + i, len - i, &used, e);
		if (o + k <= cap)
			memcpy(dst + o, e, k);
	}
	return o;
}

size_t
json_escape_len(const void *src, size_t len)
{
	return json_escape(src, len, NULL, 0);
}

/* Four hex digits at s[off..off+4) as a number, or -1. */
static long
json_hex4(const char *s, size_t end, size_t off)
{
	long v = 0;
	int i, d;

	if (end - off < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((d = num_hexdigit((unsigned char)s[off + i])) < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Code point cp as UTF-8 into out; returns the length. */
static int
json_put(uint32_t cp, uint8_t out[4])
{
	static const uint8_t lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	int n, i;

	n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	for (i = n - 1; i > 0; i--, cp >>= 6)
		out[i] = (uint8_t)(0x80 | (cp & 0x3f));
	out[0] = (uint8_t)(lead[n] | cp);
	return n;
}

/* The \uXXXX escape at s[*off] (after the "\u"), a pair if need be. */
static int
json_uesc(const char *s, size_t end, size_t *off, uint8_t out[4])
{
	long hi, lo;

	if ((hi = json_hex4(s, end, *off)) < 0 ||
	    (hi >= 0xdc00 && hi <= 0xdfff))
		return -1;
	*off += 4;
	if (hi < 0xd800 || hi > 0xdbff)
		return json_put((uint32_t)hi, out);
	if (end - *off < 6 || s[*off] != '\\' || s[*off + 1] != 'u' ||
	    (lo = json_hex4(s, end, *off + 2)) < 0xdc00 || lo > 0xdfff)
		return -1;
	*off += 6;
	return json_put(0x10000 + ((uint32_t)(hi - 0xd800) << 10) +
	    (uint32_t)(lo - 0xdc00), out);
}

/*
 * One character of string contents at s[*off], *off < end, the closing
 * quote not being one.  Writes its UTF-8 to out, advances *off and
 * returns the length, or -1: raw control, bad UTF-8, bad escape.
 */
static int
json_unit(const char *s, size_t end, size_t *off, uint8_t out[4])
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	const uint8_t *p = (const uint8_t *)s + *off;
	uint32_t cp;
	int n, i;

	if (p[0] < 0x20)
		return -1;
	if (p[0] != '\\') {
		if ((n = utf8_next(p, end - *off, &cp)) < 0)
			return -1;
		memcpy(out, p, (size_t)n);
		*off += (size_t)n;
		return n;
	}
	if (end - *off < 2)
		return -1;
	*off += 2;
	if (p[1] == 'u')
		return json_uesc(s, end, off, out);
	for (i = 0; esc[i] != '\0'; i += 2)
		if (p[1] == esc[i]) {
			out[0] = (uint8_t)esc[i + 1];
			return 1;
		}
	return -1;
}

static void
json_ws(const char *s, size_t len, size_t *off)
{
	while (*off < len && (s[*off] == ' ' || s[*off] == '\t' ||
	    s[*off] == '\n' || s[*off] == '\r'))
		(*off)++;
}

static int
json_scan_string(const char *s, size_t len, size_t *off)
{
	uint8_t tmp[4];

	if (*off >= len || s[*off] != '"')
		return -1;
	for ((*off)++; *off < len; ) {
		if (s[*off] == '"') {
			(*off)++;
			return 0;
		}
		if (json_unit(s, len, off, tmp) < 0)
			return -1;
	}
	return -1;
}

/* Past the run of digits at s[i]. */
static size_t
json_digits(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
json_scan_number(const char *s, size_t len, size_t *off)
{
	size_t i = *off, j;

	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if (i < len && s[i] >= '1' && s[i] <= '9')
		i = json_digits(s, len, i);
	else
		return -1;
	if (i < len && s[i] == '.') {
		if ((j = json_digits(s, len, i + 1)) == i + 1)
			return -1;
		i = j;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if ((j = json_digits(s, len, i)) == i)
			return -1;
		i = j;
	}
	*off = i;
	return 0;
}

/* ws "name" ws ':' ws value ws, the value at depth+1 if nested. */
static int
json_scan_member(const char *s, size_t len, size_t *off, int depth,
    struct json_member *m)
{
	size_t start;

	json_ws(s, len, off);
	start = *off;
	if (json_scan_string(s, len, off) < 0)
		return -1;
	m->jm_name = s + start;
	m->jm_namelen = *off - start;
	json_ws(s, len, off);
	if (*off >= len || s[*off] != ':')
		return -1;
	(*off)++;
	json_ws(s, len, off);
	start = *off;
	if (json_scan_value(s, len, off, depth, &m->jm_type) < 0)
		return -1;
	m->jm_val = s + start;
	m->jm_vallen = *off - start;
	json_ws(s, len, off);
	return 0;
}

/*
 * The object or array (close is '}' or ']') at s[*off] that is at the
 * given depth: its members or elements, each followed by ',' or close.
 */
static int
json_scan_container(const char *s, size_t len, size_t *off, int depth,
    char close)
{
	struct json_member m;
	enum json_type t;
	int rc;

	if (depth > JSON_MAXDEPTH)
		return -1;
	(*off)++;
	json_ws(s, len, off);
	if (*off < len && s[*off] == close) {
		(*off)++;
		return 0;
	}
	for (;;) {
		if (close == '}')
			rc = json_scan_member(s, len, off, depth, &m);
		else {
			json_ws(s, len, off);
			rc = json_scan_value(s, len, off, depth, &t);
			json_ws(s, len, off);
		}
		if (rc < 0 || *off >= len)
			return -1;
		if (s[(*off)++] == close)
			return 0;
		if (s[*off - 1] != ',')
			return -1;
	}
}

/* Any value at s[*off], inside a container at the given depth. */
static int
json_scan_value(const char *s, size_t len, size_t *off, int depth,
    enum json_type *t)
{
	static const struct {
		const char	*w;
		enum json_type	 t;
	} words[] = { { "true", JSON_TRUE }, { "false", JSON_FALSE },
	    { "null", JSON_NULL } };
	size_t i, n;

	if (*off >= len)
		return -1;
	switch (s[*off]) {
	case '"':
		*t = JSON_STRING;
		return json_scan_string(s, len, off);
	case '{':
		*t = JSON_OBJECT;
		return json_scan_container(s, len, off, depth + 1, '}');
	case '[':
		*t = JSON_ARRAY;
		return json_scan_container(s, len, off, depth + 1, ']');
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i].w);
		if (len - *off >= n && memcmp(s + *off, words[i].w, n) == 0) {
			*off += n;
			*t = words[i].t;
			return 0;
		}
	}
	*t = JSON_NUMBER;
	return json_scan_number(s, len, off);
}

int
json_obj_init(struct json_obj *o, const char *buf, size_t len)
{
	size_t off = 0, start;

	json_ws(buf, len, &off);
	start = off;
	if (off >= len || buf[off] != '{' ||
	    json_scan_container(buf, len, &off, 1, '}') < 0)
		goto inval;
	json_ws(buf, len, &off);
	if (off != len)
		goto inval;
	o->jo_buf = buf;
	o->jo_len = len;
	o->jo_off = start + 1;
	return 0;
inval:
	errno = EINVAL;
	return -1;
}

int
json_obj_next(struct json_obj *o, struct json_member *m)
{
	size_t off = o->jo_off;

	json_ws(o->jo_buf, o->jo_len, &off);
	if (off >= o->jo_len || o->jo_buf[off] == '}')
		return 0;
	if (o->jo_buf[off] == ',')
		off++;
	/* json_obj_init checked all of it: this cannot fail */
	if (json_scan_member(o->jo_buf, o->jo_len, &off, 1, m) < 0)
		return 0;
	o->jo_off = off;
	return 1;
}

/*
 * The next character of the string token tok[0..len), whose quotes the
 * caller checked, at tok[*off]: as json_unit, but 0 at the closing quote.
 */
static int
json_strnext(const char *tok, size_t len, size_t *off, uint8_t u[4])
{
	if (*off >= len - 1)
		return 0;
	if (tok[*off] == '"')
		return -1;
	return json_unit(tok, len - 1, off, u);
}

static int
json_quoted(const char *tok, size_t len)
{
	return len >= 2 && tok[0] == '"' && tok[len - 1] == '"';
}

ssize_t
json_string_decode(const char *tok, size_t len, char *dst, size_t cap)
{
	uint8_t u[4];
	size_t off = 1, o = 0;
	int n = -1;

	/* past cap keep counting: a bad string is EINVAL, not ENOSPC */
	if (json_quoted(tok, len))
		while ((n = json_strnext(tok, len, &off, u)) > 0) {
			if (o + (size_t)n <= cap)
				memcpy(dst + o, u, (size_t)n);
			o += (size_t)n;
		}
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if (o > cap) {
		errno = ENOSPC;
		return -1;
	}
	return (ssize_t)o;
}

int
json_string_eq(const char *tok, size_t len, const char *s)
{
	uint8_t u[4];
	size_t off = 1, o = 0, slen = strlen(s);
	int n;

	if (!json_quoted(tok, len))
		return 0;
	for (; (n = json_strnext(tok, len, &off, u)) > 0; o += (size_t)n)
		if (slen - o < (size_t)n || memcmp(s + o, u, (size_t)n) != 0)
			return 0;
	return n == 0 && o == slen;
}

/* The exponent after 'e' in s[0..len), clamped to +-JSON_MAXEXP. */
static long long
json_exponent(const char *s, size_t len)
{
	long long e = 0;
	size_t i = s[0] == '+' || s[0] == '-';

	for (; i < len && e < JSON_MAXEXP; i++)
		e = e * 10 + (s[i] - '0');
	return s[0] == '-' ? -e : e;
}

/*
 * The first keep digits of the digit string d[0..ndig) (a '.' after nint
 * of them is skipped; zeros are implied past the end) as an integer.
 */
static int
json_trunc(const char *d, size_t nint, size_t ndig, long long keep, int neg,
    long long *out)
{
	unsigned long long v = 0, lim = LLONG_MAX;
	unsigned dig;
	long long k;

	lim += (unsigned long long)neg;
	for (k = 0; k < keep; k++) {
		/* past the digits come zeros: 0 stays 0, others overflow */
		if ((size_t)k >= ndig && v == 0)
			break;
		dig = (size_t)k >= ndig ? 0 :
		    (unsigned)(d[k + ((size_t)k >= nint)] - '0');
		if (v > (lim - dig) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + dig;
	}
	*out = neg && v > 0 ? -(long long)(v - 1) - 1 : (long long)v;
	return 0;
}

int
json_number_ll(const char *tok, size_t len, long long *out)
{
	size_t off = 0, d, nint, ndig, end;
	long long e = 0;
	int neg;

	if (json_scan_number(tok, len, &off) < 0 || off != len) {
		errno = EINVAL;
		return -1;
	}
	neg = tok[0] == '-';
	d = (size_t)neg;
	end = nint = json_digits(tok, len, d) - d;
	ndig = nint;
	end += d;
	if (end < len && tok[end] == '.') {
		end = json_digits(tok, len, end + 1);
		ndig = end - d - 1;
	}
	if (end < len)
		e = json_exponent(tok + end + 1, len - end - 1);
	return json_trunc(tok + d, nint, ndig, (long long)nint + e, neg, out);
}
