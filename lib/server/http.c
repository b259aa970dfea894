/*
 * http.c: request-head parsing per RFC 9112, strict where it says MUST
 * and where leniency has let requests be smuggled past proxies: no bare
 * LF line ends, no whitespace before a colon, no obs-fold, no control
 * characters, exactly one Host in HTTP/1.1, one plain Content-Length,
 * Transfer-Encoding only as "chunked" and never with Content-Length.
 *
 * The parser rescans from the start of the head on every call, as
 * picohttpparser does; the head is bounded (hl_head) so a byte-at-a-time
 * client costs at most O(hl_head^2) over its whole request.  Errors are
 * reported as soon as the bad byte arrives, not at the end of the head.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "http.h"

/* tchar from RFC 9110 5.6.2: the characters of a token */
static const char http_tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

#define TCHAR(c)	(http_tchar[(unsigned char)(c)])
/* field-value bytes: VCHAR, obs-text, SP, HTAB */
#define VALCHAR(c)	(((unsigned char)(c) >= 0x20 && (c) != 0x7f) || (c) == '\t')

/* Where a scan stands: the cursor, the end of data, and a limit flag. */
struct scan {
	const char	*sn_p;		/* the cursor */
	const char	*sn_end;	/* min(len, head limit) */
	int		 sn_full;	/* sn_end is the head limit, not the data */
};

/* Out of bytes: the head is incomplete, or over the limit if it hit it. */
static int
scan_short(const struct scan *s)
{
	return s->sn_full ? -431 : HTTP_INCOMPLETE;
}

/* Expect CRLF at the cursor.  1 if consumed, else 0 / -status. */
static int
scan_crlf(struct scan *s)
{
	if (s->sn_p == s->sn_end)
		return scan_short(s);
	if (*s->sn_p != '\r')
		return -400;
	if (++s->sn_p == s->sn_end)
		return scan_short(s);
	if (*s->sn_p++ != '\n')
		return -400;
	return 1;
}

/* method SP request-target SP HTTP-version CRLF */
static int
parse_reqline(struct scan *s, struct http_req *r, const struct http_limits *l)
{
	static const char ver[] = "HTTP/1.";
	const char *p;
	size_t i;

	for (p = s->sn_p; p < s->sn_end && TCHAR(*p); p++)
		;
	if (p == s->sn_end)
		return scan_short(s);
	if (*p != ' ' || p == s->sn_p)
		return -400;
	r->rq_method = s->sn_p;
	r->rq_methodlen = p - s->sn_p;
	r->rq_target = ++p;
	for (; p < s->sn_end && *p > 0x20 && *p < 0x7f; p++)
		if ((size_t)(p - r->rq_target) >= l->hl_target)
			return -414;
	if (p == s->sn_end)
		return scan_short(s);
	if (*p != ' ' || p == r->rq_target)
		return -400;
	r->rq_targetlen = p - r->rq_target;
	p++;
	/* "HTTP/" DIGIT "." DIGIT; any other 1.x or n.m is 505 */
	for (i = 0; i < 8; i++, p++) {
		if (p == s->sn_end)
			return scan_short(s);
		if (i < 5 && *p != ver[i])
			return -400;
		if ((i == 5 || i == 7) && !isdigit((unsigned char)*p))
			return -400;
		if (i == 6 && *p != '.')
			return -400;
	}
	if (p[-3] != '1' || (p[-1] != '0' && p[-1] != '1'))
		r->rq_minor = -1;
	else
		r->rq_minor = p[-1] - '0';
	s->sn_p = p;
	return scan_crlf(s);
}

/* One field line: name ":" OWS value OWS CRLF.  1, or 0 / -status. */
static int
parse_field(struct scan *s, struct http_hdr *h)
{
	const char *p, *v, *e;

	for (p = s->sn_p; p < s->sn_end && TCHAR(*p); p++)
		;
	if (p == s->sn_end)
		return scan_short(s);
	/* whitespace before the colon and obs-fold both land here */
	if (*p != ':' || p == s->sn_p)
		return -400;
	h->hh_name = s->sn_p;
	h->hh_namelen = p - s->sn_p;
	for (p++; p < s->sn_end && (*p == ' ' || *p == '\t'); p++)
		;
	for (v = p; p < s->sn_end && VALCHAR(*p); p++)
		;
	for (e = p; e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	h->hh_val = v;
	h->hh_vallen = e - v;
	s->sn_p = p;
	return scan_crlf(s);
}

/* Content-Length: 1*DIGIT, at most 18 digits.  -1 if not plain. */
static long long
parse_clen(const char *v, size_t n)
{
	long long x = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x;
}

int
http_has_token(const char *v, size_t n, const char *tok)
{
	size_t i = 0, j;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		for (j = i; j < n && v[j] != ',' && v[j] != ' ' &&
		    v[j] != '\t'; j++)
			;
		if (j > i && http_eq(v + i, j - i, tok))
			return 1;
		i = j;
	}
	return 0;
}

/* Is the last element of the comma-separated list v the token tok? */
static int
last_is(const char *v, size_t n, const char *tok)
{
	size_t i = n;

	while (i > 0 && v[i - 1] != ',' && v[i - 1] != ' ' && v[i - 1] != '\t')
		i--;
	return http_eq(v + i, n - i, tok);
}

/* Message framing and connection handling from the parsed headers. */
static int
parse_framing(struct http_req *r, const struct http_hdr *h)
{
	size_t i, nhost = 0, nte = 0;
	long long cl;

	r->rq_clen = -1;
	r->rq_chunked = 0;
	r->rq_close = r->rq_minor == 0;
	for (i = 0; i < r->rq_nhdrs; i++, h++) {
		if (http_eq(h->hh_name, h->hh_namelen, "host")) {
			nhost++;
		} else if (http_eq(h->hh_name, h->hh_namelen,
		    "content-length")) {
			cl = parse_clen(h->hh_val, h->hh_vallen);
			if (cl < 0 || (r->rq_clen >= 0 && cl != r->rq_clen))
				return -400;
			r->rq_clen = cl;
		} else if (http_eq(h->hh_name, h->hh_namelen,
		    "transfer-encoding")) {
			nte++;
			/* 9112 6.3: chunked must be the final coding */
			if (!http_eq(h->hh_val, h->hh_vallen, "chunked"))
				return last_is(h->hh_val, h->hh_vallen,
				    "chunked") ? -501 : -400;
			r->rq_chunked = 1;
		} else if (http_eq(h->hh_name, h->hh_namelen, "connection")) {
			if (http_has_token(h->hh_val, h->hh_vallen, "close"))
				r->rq_close = 1;
		}
	}
	if (nhost > 1 || (nhost == 0 && r->rq_minor == 1))
		return -400;
	/* TE with CL smuggles; TE in HTTP/1.0 is faulty framing (9112 6.1) */
	if (nte > 1 || (nte && (r->rq_clen >= 0 || r->rq_minor == 0)))
		return -400;
	return 1;
}

int
http_parse_req(const char *buf, size_t len, struct http_req *r,
    struct http_hdr *hdrs, const struct http_limits *l)
{
	struct scan s;
	int rc;

	s.sn_p = buf;
	s.sn_full = len >= l->hl_head;
	s.sn_end = buf + (s.sn_full ? l->hl_head : len);
	r->rq_nhdrs = 0;
	/* RFC 9112 2.2: ignore empty lines before the request-line */
	while (s.sn_end - s.sn_p >= 2 && s.sn_p[0] == '\r' && s.sn_p[1] == '\n')
		s.sn_p += 2;
	if (s.sn_end - s.sn_p == 1 && *s.sn_p == '\r')
		return scan_short(&s);
	if ((rc = parse_reqline(&s, r, l)) <= 0)
		return rc;
	for (;;) {
		if (s.sn_p == s.sn_end)
			return scan_short(&s);
		if (*s.sn_p == '\r')
			break;
		if (r->rq_nhdrs >= l->hl_lines)
			return -431;
		if ((rc = parse_field(&s, &hdrs[r->rq_nhdrs])) <= 0)
			return rc;
		r->rq_nhdrs++;
	}
	if ((rc = scan_crlf(&s)) <= 0)
		return rc;
	if (r->rq_minor < 0)
		return -505;
	if ((rc = parse_framing(r, hdrs)) < 0)
		return rc;
	return s.sn_p - buf;
}

char *
http_chunk_head(char *end, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	*--end = '\n';
	*--end = '\r';
	do {
		*--end = hex[len & 15];
		len >>= 4;
	} while (len);
	return end;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 426: return "Upgrade Required";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "";
	}
}

int
http_eq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' ||
		    tolower((unsigned char)s[i]) != (unsigned char)lit[i])
			return 0;
	return lit[n] == '\0';
}

const struct http_hdr *
http_find(const struct http_hdr *hdrs, size_t n, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < n; i++)
		if (hdrs[i].hh_namelen == len &&
		    http_eq(hdrs[i].hh_name, len, name))
			return &hdrs[i];
	return NULL;
}
