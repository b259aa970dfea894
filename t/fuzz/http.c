/*
 * libFuzzer harness for http_parse_req (lib/http.c).
 *
 * Besides "no crash, no sanitizer report" it checks what cometd relies on:
 * - the return is a head length within the input, HTTP_INCOMPLETE, or one
 *   of the documented negative statuses;
 * - a parsed head only points inside itself, ends with its empty line, and
 *   holds no byte that could split a response head (CR, LF, NUL) in the
 *   target or any header;
 * - the answer does not depend on how the bytes arrived: a prefix of an
 *   accepted head is incomplete, and a prefix of a rejected one is
 *   incomplete or rejected with the same status (byte-at-a-time clients
 *   get what everyone else gets).
 * The input sits in a heap block of its exact size so ASan catches any
 * read past the end.  Limits are small so the fuzzer reaches them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/http.h"

static const struct http_limits lim = { 1024, 16, 256 };

static int
parse(const char *buf, size_t len, struct http_req *r)
{
	struct http_hdr	 hdrs[16];

	memset(r, 0xa5, sizeof(*r));
	return http_parse_req(buf, len, r, hdrs, &lim);
}

static int
inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p >= buf && n <= len && p - buf <= (ptrdiff_t)(len - n);
}

static void
check_bytes(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0')
			abort();
}

/* A head the parser accepted must be one cometd can safely echo from. */
static void
check_head(const char *buf, size_t n)
{
	struct http_hdr	 hdrs[16];
	struct http_req	 r;
	size_t		 i;

	if (http_parse_req(buf, n, &r, hdrs, &lim) != (int)n)
		abort();
	if (n < 2 || buf[n - 1] != '\n' || n > lim.hl_head + 2)
		abort();
	if (!inside(r.rq_method, r.rq_methodlen, buf, n) || r.rq_methodlen == 0 ||
	    !inside(r.rq_target, r.rq_targetlen, buf, n) || r.rq_targetlen == 0 ||
	    r.rq_targetlen > lim.hl_target)
		abort();
	check_bytes(r.rq_method, r.rq_methodlen);
	check_bytes(r.rq_target, r.rq_targetlen);
	if ((r.rq_minor != 0 && r.rq_minor != 1) || r.rq_nhdrs > lim.hl_lines ||
	    r.rq_clen < -1 || (r.rq_chunked != 0 && r.rq_chunked != 1) ||
	    (r.rq_chunked && r.rq_clen != -1))
		abort();
	for (i = 0; i < r.rq_nhdrs; i++) {
		if (!inside(hdrs[i].hh_name, hdrs[i].hh_namelen, buf, n) ||
		    !inside(hdrs[i].hh_val, hdrs[i].hh_vallen, buf, n) ||
		    hdrs[i].hh_namelen == 0)
			abort();
		check_bytes(hdrs[i].hh_name, hdrs[i].hh_namelen);
		check_bytes(hdrs[i].hh_val, hdrs[i].hh_vallen);
	}
}

static int
valid_status(int rv)
{
	return rv == -400 || rv == -414 || rv == -431 || rv == -501 ||
	    rv == -505;
}

/* The same bytes cut short must give "incomplete" or the same answer. */
static void
check_prefix(const uint8_t *data, size_t len, size_t cut, int full)
{
	struct http_req	 r;
	char		*p;
	int		 rv;

	if (cut >= len)
		return;
	if ((p = malloc(cut > 0 ? cut : 1)) == NULL)
		abort();
	memcpy(p, data, cut);
	rv = parse(p, cut, &r);
	if (full > 0 && (size_t)full <= cut) {
		if (rv != full)
			abort();
	} else if (rv != HTTP_INCOMPLETE && rv != (full > 0 ? 0 : full))
		abort();
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct http_req	 r;
	char		*buf;
	int		 rv;

	if ((buf = malloc(len > 0 ? len : 1)) == NULL)
		return 0;
	memcpy(buf, data, len);
	rv = parse(buf, len, &r);
	if (rv > 0) {
		if ((size_t)rv > len)
			abort();
		check_head(buf, rv);
	} else if (rv != HTTP_INCOMPLETE && !valid_status(rv))
		abort();
	free(buf);
	check_prefix(data, len, len - (len > 0), rv);
	check_prefix(data, len, len / 2, rv);
	if (len > 0)
		check_prefix(data, len, data[0] * len / 256, rv);
	return 0;
}
