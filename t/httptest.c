/*
 * httptest: table tests for http_parse_req and http_chunk_head.  Each
 * input is copied to the end of a page that is followed by a PROT_NONE
 * page, so a read past the input faults even without ASan.  Every
 * prefix of an input is parsed too: it must be incomplete or give the
 * same answer, as a byte-at-a-time client would see.
 * Prints one line per failure; exits 0 if all pass, 1 otherwise.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/http.h"

#define OK	1	/* any complete head: the whole input */

struct tcase {
	const char	*t_name;
	const char	*t_in;
	int		 t_want;	/* OK, HTTP_INCOMPLETE, or -status */
	long long	 t_clen;	/* for OK: Content-Length */
	int		 t_flags;	/* for OK: 1 chunked, 2 close, 4 HTTP/1.0 */
};

static const struct tcase cases[] = {
	{ "simple get", "GET /test/a HTTP/1.1\r\nHost: x\r\n\r\n", OK, -1, 0 },
	{ "http/1.0 no host", "GET / HTTP/1.0\r\n\r\n", OK, -1, 6 },
	{ "leading crlf", "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", OK, -1, 0 },
	{ "ows around value", "GET / HTTP/1.1\r\nHost: \t x \t\r\n\r\n", OK, -1,
	    0 },
	{ "empty value", "GET / HTTP/1.1\r\nHost: x\r\nA:\r\n\r\n", OK, -1, 0 },
	{ "obs-text value", "GET / HTTP/1.1\r\nHost: x\r\nA: \xe9t\xe9\r\n\r\n",
	    OK, -1, 0 },
	{ "content-length", "POST /s HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 12\r\n\r\n", OK, 12, 0 },
	{ "same content-length twice", "POST /s HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 3\r\ncontent-length: 3\r\n\r\n", OK, 3, 0 },
	{ "chunked", "POST /s HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: Chunked\r\n\r\n", OK, -1, 1 },
	{ "connection close", "GET / HTTP/1.1\r\nHost: x\r\n"
	    "Connection: keep-alive, close\r\n\r\n", OK, -1, 2 },
	{ "absolute-form", "GET http://x/test/a HTTP/1.1\r\nHost: x\r\n\r\n",
	    OK, -1, 0 },
	{ "incomplete line", "GET /test/a HTTP/1.1\r\nHos", HTTP_INCOMPLETE, 0, 0 },
	{ "incomplete end", "GET / HTTP/1.1\r\nHost: x\r\n\r", HTTP_INCOMPLETE, 0, 0 },
	{ "garbage", "garbage\r\n\r\n", -400, 0, 0 },
	{ "lower-case version", "GET / http/1.1\r\nHost: x\r\n\r\n", -400, 0, 0 },
	{ "no version", "GET /\r\n\r\n", -400, 0, 0 },
	{ "two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", -400, 0, 0 },
	{ "tab separator", "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", -400, 0, 0 },
	{ "bare lf", "GET / HTTP/1.1\nHost: x\n\n", -400, 0, 0 },
	{ "bare cr", "GET / HTTP/1.1\rHost: x\r\n\r\n", -400, 0, 0 },
	{ "space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", -400, 0, 0 },
	{ "no colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", -400, 0, 0 },
	{ "empty name", "GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", -400, 0, 0 },
	{ "obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n", -400, 0, 0 },
	{ "nul in value", "GET / HTTP/1.1\r\nHost: x\r\nA: b\0c\r\n\r\n", -400, 0, 0 },
	{ "ctl in value", "GET / HTTP/1.1\r\nHost: x\r\nA: b\x01\r\n\r\n",
	    -400, 0, 0 },
	{ "del in value", "GET / HTTP/1.1\r\nHost: x\r\nA: b\x7f\r\n\r\n",
	    -400, 0, 0 },
	{ "ctl in target", "GET /test/a\x01 HTTP/1.1\r\nHost: x\r\n\r\n", -400, 0, 0 },
	{ "nul in target", "GET /test/\0 HTTP/1.1\r\nHost: x\r\n\r\n", -400, 0, 0 },
	{ "utf-8 in target", "GET /test/\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n",
	    -400, 0, 0 },
	{ "cr in target", "GET /test/a\rb HTTP/1.1\r\nHost: x\r\n\r\n", -400, 0, 0 },
	{ "missing host", "GET / HTTP/1.1\r\n\r\n", -400, 0, 0 },
	{ "two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", -400, 0, 0 },
	{ "content-length sign", "POST / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: +3\r\n\r\n", -400, 0, 0 },
	{ "content-length list", "POST / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 3, 3\r\n\r\n", -400, 0, 0 },
	{ "content-length differ", "POST / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 3\r\nContent-Length: 4\r\n\r\n", -400, 0, 0 },
	{ "content-length overflow", "POST / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 99999999999999999999\r\n\r\n", -400, 0, 0 },
	{ "te and cl", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", -400, 0, 0 },
	{ "te in http/1.0", "POST / HTTP/1.0\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", -400, 0, 0 },
	{ "te gzip, chunked", "POST / HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: gzip, chunked\r\n\r\n", -501, 0, 0 },
	{ "te chunked not last", "POST / HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: chunked, gzip\r\n\r\n", -400, 0, 0 },
	{ "te unknown", "POST / HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: gzip\r\n\r\n", -400, 0, 0 },
	{ "http/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", -505, 0, 0 },
	{ "http/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", -505, 0, 0 },
	{ "http/0.9 form", "GET /\r\n", -400, 0, 0 },
};

static const struct http_limits lim = { 8192, 100, 1024 };
static char *page;		/* two pages: data page, then PROT_NONE */
static long pagesz;

/* Parse n bytes of in placed right before the guard page. */
static int
parse_at_end(const char *in, size_t n, struct http_req *r,
    struct http_hdr *h, const struct http_limits *l)
{
	char *p = page + pagesz - n;

	memcpy(p, in, n);
	return http_parse_req(p, n, r, h, l);
}

static int
check(const struct tcase *t)
{
	struct http_hdr h[100];
	struct http_req r;
	size_t n = strlen(t->t_in), i;
	int rc, want, flags;

	/* the NUL cases hold one NUL: count the bytes after it too */
	if (strstr(t->t_name, "nul"))
		n += 1 + strlen(t->t_in + n + 1);
	rc = parse_at_end(t->t_in, n, &r, h, &lim);
	want = t->t_want == OK ? (int)n : t->t_want;
	if (rc != want) {
		printf("not ok: %s: got %d, want %d\n", t->t_name, rc, want);
		return 1;
	}
	if (t->t_want == OK) {
		flags = r.rq_chunked | r.rq_close << 1 | (r.rq_minor == 0) << 2;
		if (r.rq_clen != t->t_clen || flags != t->t_flags) {
			printf("not ok: %s: clen %lld flags %d\n", t->t_name,
			    r.rq_clen, flags);
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		rc = parse_at_end(t->t_in, i, &r, h, &lim);
		if (rc != HTTP_INCOMPLETE && (rc != want || want > 0)) {
			printf("not ok: %s: prefix %zu got %d\n", t->t_name, i,
			    rc);
			return 1;
		}
	}
	return 0;
}

/* Limits: 431 for head bytes and header lines, 414 for the target. */
static int
check_limits(void)
{
	static const struct http_limits small = { 64, 2, 8 };
	static const char *tgt = "GET /123456789 HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char *lines = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\n"
	    "B: 2\r\n\r\n";
	static const char *big = "GET / HTTP/1.1\r\nHost: x\r\nA: "
	    "0123456789012345678901234567890123456789\r\n\r\n";
	struct http_hdr h[2];
	struct http_req r;
	int fail = 0, rc;

	if ((rc = parse_at_end(tgt, strlen(tgt), &r, h, &small)) != -414)
		fail |= printf("not ok: target limit: got %d\n", rc) > 0;
	if ((rc = parse_at_end(lines, strlen(lines), &r, h, &small)) != -431)
		fail |= printf("not ok: line limit: got %d\n", rc) > 0;
	if ((rc = parse_at_end(big, strlen(big), &r, h, &small)) != -431)
		fail |= printf("not ok: head limit: got %d\n", rc) > 0;
	return fail;
}

/* The fields of a parsed request point at the right bytes. */
static int
check_fields(void)
{
	static const char *in = "GET /test/abc?x=1 HTTP/1.1\r\n"
	    "Host: h\r\nX-A:  v w \r\n\r\n";
	struct http_hdr h[100];
	struct http_req r;

	if (parse_at_end(in, strlen(in), &r, h, &lim) != (int)strlen(in) ||
	    r.rq_methodlen != 3 || memcmp(r.rq_method, "GET", 3) != 0 ||
	    r.rq_targetlen != 13 || memcmp(r.rq_target, "/test/abc?x=1", 13) ||
	    r.rq_minor != 1 || r.rq_nhdrs != 2 || h[1].hh_namelen != 3 ||
	    memcmp(h[1].hh_name, "X-A", 3) != 0 || h[1].hh_vallen != 3 ||
	    memcmp(h[1].hh_val, "v w", 3) != 0) {
		printf("not ok: fields\n");
		return 1;
	}
	return 0;
}

static int
check_chunk(void)
{
	static const struct { size_t len; const char *want; } c[] = {
		{ 0, "0\r\n" }, { 10, "a\r\n" }, { 41, "29\r\n" },
		{ 65535, "ffff\r\n" },
	};
	char buf[32], *p;
	size_t i;
	int fail = 0;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		p = http_chunk_head(buf + sizeof(buf), c[i].len);
		if ((size_t)(buf + sizeof(buf) - p) != strlen(c[i].want) ||
		    memcmp(p, c[i].want, strlen(c[i].want)) != 0)
			fail |= printf("not ok: chunk head %zu\n", c[i].len) > 0;
	}
	return fail;
}

int
main(void)
{
	size_t i, n = sizeof(cases) / sizeof(cases[0]);
	int fail = 0;

	pagesz = sysconf(_SC_PAGESIZE);
	page = mmap(NULL, pagesz * 2, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || mprotect(page + pagesz, pagesz, PROT_NONE))
		return 2;
	for (i = 0; i < n; i++)
		fail += check(&cases[i]);
	fail += check_limits();
	fail += check_fields();
	fail += check_chunk();
	printf("%zu cases, %d failed\n", n + 3, fail);
	return fail != 0;
}
