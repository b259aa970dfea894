/*
 * resp.c: the Redis protocol from the client's side: RESP2, and RESP3
 * as HELLO 3 turns it on (github.com/redis/redis-specifications,
 * protocol/RESP3.md).
 *
 * A reply is parsed from the start each time more bytes arrive, the way
 * picohttpparser parses a request: no state is kept between calls, so
 * the caller needs only its read buffer.  A reply is short next to the
 * cost of reading it, and a huge one is refused by the limits as soon as
 * its header says so.  The tree of a reply is flattened into the
 * caller's item array in pre-order; the parser needs no stack of its
 * own, because an open aggregate keeps its parent's index and its count
 * of elements still due in its own item until it is complete.
 */
#include <limits.h>
#include <string.h>

#include "resp.h"

#define RESP_ATTR	(RESP_PUSH + 1)	/* |n: checked, then dropped */
#define NUM_MAX		20		/* digits and sign of a 64-bit number */
#define NO_TOP		((size_t)-1)	/* no aggregate is open */

struct resp_parse {
	const char	*ps_buf;
	size_t		 ps_len;
	size_t		 ps_off;	/* next byte to read */
	const struct resp_limits *ps_lim;
	struct resp_item *ps_items;
	size_t		 ps_n;		/* items placed */
	size_t		 ps_top;	/* innermost open aggregate or NO_TOP */
	unsigned	 ps_depth;	/* aggregates open */
};

/* Append n bytes at pos as far as they fit; returns the new end. */
static size_t
put(char *buf, size_t size, size_t pos, const void *p, size_t n)
{
	if (pos < size)
		memcpy(buf + pos, p, n < size - pos ? n : size - pos);
	return pos + n;
}

/* Append "<c><v>\r\n". */
static size_t
put_len(char *buf, size_t size, size_t pos, int c, size_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	tmp[--i] = '\n';
	tmp[--i] = '\r';
	do
		tmp[--i] = '0' + v % 10;
	while ((v /= 10) > 0);
	tmp[--i] = c;
	return put(buf, size, pos, tmp + i, sizeof(tmp) - i);
}

size_t
resp_encode(char *buf, size_t size, int argc, const char *const *argv,
    const size_t *lens)
{
	size_t pos, n;
	int i;

	pos = put_len(buf, size, 0, '*', argc > 0 ? (size_t)argc : 0);
	for (i = 0; i < argc; i++) {
		n = lens != NULL ? lens[i] : strlen(argv[i]);
		pos = put_len(buf, size, pos, '$', n);
		pos = put(buf, size, pos, argv[i], n);
		pos = put(buf, size, pos, "\r\n", 2);
	}
	return pos;
}

/*
 * The line after the type byte: at most max bytes, no CR or LF in it,
 * then CRLF.  Returns RESP_OK and moves past it, RESP_INCOMPLETE, RESP_BAD
 * for a stray CR or LF, or toolong when no CR comes within max bytes.
 */
static enum resp_status
parse_line(struct resp_parse *ps, size_t max, enum resp_status toolong,
    const char **s, size_t *n)
{
	const char *p = ps->ps_buf + ps->ps_off;
	size_t avail = ps->ps_len - ps->ps_off, i;

	for (i = 0; i < avail && i <= max; i++)
		if (p[i] == '\r' || p[i] == '\n')
			break;
	if (i > max)
		return toolong;
	if (i == avail)
		return RESP_INCOMPLETE;
	if (p[i] == '\n')
		return RESP_BAD;
	if (i + 1 == avail)
		return RESP_INCOMPLETE;
	if (p[i + 1] != '\n')
		return RESP_BAD;
	*s = p;
	*n = i;
	ps->ps_off += i + 2;
	return RESP_OK;
}

/* A decimal integer with an optional sign; returns 0, or -1 if bad. */
static int
parse_int(const char *s, size_t n, long long *v)
{
	unsigned long long u = 0, lim;
	size_t i = 0;
	int neg = 0;

	if (n > 0 && (s[0] == '-' || s[0] == '+'))
		neg = s[i++] == '-';
	if (i == n)
		return -1;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    u > (lim - (unsigned)(s[i] - '0')) / 10)
			return -1;
		u = u * 10 + (unsigned)(s[i] - '0');
	}
	*v = neg && u > 0 ? -(long long)(u - 1) - 1 : (long long)u;
	return 0;
}

/* A length or count line: digits, or -1. */
static enum resp_status
parse_count(struct resp_parse *ps, long long *v)
{
	enum resp_status st;
	const char *s;
	size_t n;

	if ((st = parse_line(ps, NUM_MAX, RESP_BAD, &s, &n)) != RESP_OK)
		return st;
	if (n == 0 || s[0] == '+' || (s[0] == '-' && (n != 2 || s[1] != '1')) ||
	    parse_int(s, n, v) == -1)
		return RESP_BAD;
	return RESP_OK;
}

/* $, ! and =: a length line, the bytes, CRLF. */
static enum resp_status
parse_bulk(struct resp_parse *ps, int c, struct resp_item *it)
{
	enum resp_status st;
	const char *p;
	size_t avail;
	long long v;

	if ((st = parse_count(ps, &v)) != RESP_OK)
		return st;
	if (v == -1) {
		it->ri_type = RESP_NULL;
		return c == '$' ? RESP_OK : RESP_BAD;
	}
	if ((unsigned long long)v > ps->ps_lim->rl_maxbulk)
		return RESP_TOOBIG;
	p = ps->ps_buf + ps->ps_off;
	avail = ps->ps_len - ps->ps_off;
	if (avail < 2 || avail - 2 < (size_t)v)
		return RESP_INCOMPLETE;
	if (p[v] != '\r' || p[v + 1] != '\n')
		return RESP_BAD;
	ps->ps_off += (size_t)v + 2;
	it->ri_type = c == '$' ? RESP_BULK : c == '!' ? RESP_BULKERR :
	    RESP_VERBATIM;
	it->ri_str = p;
	it->ri_len = (size_t)v;
	if (c == '=') {
		/* "txt:" or "mkd:" before the text */
		if (v < 4 || p[3] != ':')
			return RESP_BAD;
		it->ri_str += 4;
		it->ri_len -= 4;
	}
	return RESP_OK;
}

/* *, %, ~, > and |: a count line; the elements follow. */
static enum resp_status
parse_agg(struct resp_parse *ps, int c, struct resp_item *it)
{
	enum resp_status st;
	long long v;

	if ((st = parse_count(ps, &v)) != RESP_OK)
		return st;
	if (v == -1) {
		it->ri_type = RESP_NULL;
		return c == '*' ? RESP_OK : RESP_BAD;
	}
	it->ri_type = c == '*' ? RESP_ARRAY : c == '%' ? RESP_MAP :
	    c == '~' ? RESP_SET : c == '>' ? RESP_PUSH : RESP_ATTR;
	if (c == '%' || c == '|') {
		if (v > LLONG_MAX / 2)
			return RESP_TOOMANY;
		v *= 2;
	}
	it->ri_int = v;
	return RESP_OK;
}

/* Returns 1 if s[0..n) is a RESP3 double or big number as sent. */
static int
text_ok(int c, const char *s, size_t n)
{
	size_t i = n > 0 && (s[0] == '-' || s[0] == '+');

	if (i == n)
		return 0;
	for (; i < n; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && (c == '(' ||
		    strchr(".eE+-infa", s[i]) == NULL || s[i] == '\0'))
			return 0;
	return 1;
}

/* +, -, :, _, #, , and (: one line. */
static enum resp_status
parse_simple(struct resp_parse *ps, int c, struct resp_item *it)
{
	enum resp_status st;
	size_t max = c == ':' ? NUM_MAX : c == '_' ? 0 : c == '#' ? 1 :
	    ps->ps_lim->rl_maxbulk;

	st = parse_line(ps, max, strchr("+-,(", c) != NULL ? RESP_TOOBIG :
	    RESP_BAD, &it->ri_str, &it->ri_len);
	if (st != RESP_OK)
		return st;
	switch (c) {
	case '+':
		it->ri_type = RESP_SIMPLE;
		return RESP_OK;
	case '-':
		it->ri_type = RESP_ERROR;
		return RESP_OK;
	case ':':
		it->ri_type = RESP_INT;
		return parse_int(it->ri_str, it->ri_len, &it->ri_int) == 0 ?
		    RESP_OK : RESP_BAD;
	case '_':
		it->ri_type = RESP_NULL;
		return RESP_OK;
	case '#':
		it->ri_type = RESP_BOOL;
		it->ri_int = it->ri_len == 1 && it->ri_str[0] == 't';
		return it->ri_len == 1 && (it->ri_int || it->ri_str[0] == 'f') ?
		    RESP_OK : RESP_BAD;
	}
	it->ri_type = c == ',' ? RESP_DOUBLE : RESP_BIGNUM;
	return text_ok(c, it->ri_str, it->ri_len) ? RESP_OK : RESP_BAD;
}

/* The next reply's header, or the whole of a scalar, into *it. */
static enum resp_status
parse_one(struct resp_parse *ps, struct resp_item *it)
{
	int c;

	if (ps->ps_off >= ps->ps_len)
		return RESP_INCOMPLETE;
	memset(it, 0, sizeof(*it));
	c = ps->ps_buf[ps->ps_off++];
	if (c != '\0' && strchr("$!=", c) != NULL)
		return parse_bulk(ps, c, it);
	if (c != '\0' && strchr("*%~>|", c) != NULL)
		return parse_agg(ps, c, it);
	if (c != '\0' && strchr("+-:_#,(", c) != NULL)
		return parse_simple(ps, c, it);
	return RESP_BAD;
}

/* Put *it in the array; an aggregate with elements is opened. */
static enum resp_status
place(struct resp_parse *ps, const struct resp_item *it)
{
	const struct resp_limits *lim = ps->ps_lim;
	size_t max = lim->rl_maxitems < UINT32_MAX ? lim->rl_maxitems :
	    UINT32_MAX;
	struct resp_item *p;

	if (ps->ps_n >= max)
		return RESP_TOOMANY;
	if (it->ri_type >= RESP_ARRAY) {
		if (ps->ps_depth >= lim->rl_maxdepth)
			return RESP_TOODEEP;
		if ((unsigned long long)it->ri_int > max - ps->ps_n - 1)
			return RESP_TOOMANY;
	}
	p = &ps->ps_items[ps->ps_n];
	*p = *it;
	p->ri_span = 1;
	if (it->ri_type >= RESP_ARRAY && it->ri_int > 0) {
		/* until it is complete: elements due, and its parent */
		p->ri_span = (uint32_t)it->ri_int;
		p->ri_len = ps->ps_top;
		ps->ps_top = ps->ps_n;
		ps->ps_depth++;
	}
	ps->ps_n++;
	return RESP_OK;
}

/*
 * The item at idx is complete: count it in its parent, and complete
 * every aggregate that thereby has all its elements.  A complete
 * attribute is dropped and not counted.  Returns 1 once the reply is.
 */
static int
complete(struct resp_parse *ps, size_t idx)
{
	struct resp_item *it = ps->ps_items;

	for (;;) {
		if (it[idx].ri_type == RESP_ATTR) {
			ps->ps_n = idx;
			return 0;
		}
		it[idx].ri_span = (uint32_t)(ps->ps_n - idx);
		if (ps->ps_top == NO_TOP)
			return 1;
		if (--it[ps->ps_top].ri_span > 0)
			return 0;
		idx = ps->ps_top;
		ps->ps_top = it[idx].ri_len;
		it[idx].ri_len = 0;
		ps->ps_depth--;
	}
}

enum resp_status
resp_parse(const char *buf, size_t len, const struct resp_limits *lim,
    struct resp_item *items, size_t *nitems, size_t *used)
{
	struct resp_parse ps;
	struct resp_item it;
	enum resp_status st;

	memset(&ps, 0, sizeof(ps));
	ps.ps_buf = buf;
	ps.ps_len = len;
	ps.ps_lim = lim;
	ps.ps_items = items;
	ps.ps_top = NO_TOP;
	for (;;) {
		if ((st = parse_one(&ps, &it)) != RESP_OK ||
		    (st = place(&ps, &it)) != RESP_OK)
			return st;
		if (it.ri_type >= RESP_ARRAY && it.ri_int > 0)
			continue;	/* opened: its elements come next */
		if (complete(&ps, ps.ps_n - 1))
			break;
	}
	*nitems = ps.ps_n;
	*used = ps.ps_off;
	return RESP_OK;
}
