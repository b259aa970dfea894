/*
 * libFuzzer harness for cometd's request-body decoder (lib/body.c), the
 * part of a POST that comes after the head: Content-Length or chunked.
 *
 * The first input byte picks the framing (odd: chunked; even: a
 * Content-Length of the second byte) and the piece sizes; the rest is the
 * body as sent.  It is decoded whole, then again in pieces, in place, as
 * cometd does from its read buffer.  Both runs must produce the same
 * bytes, complete or fail at the same stream offset, and never write more
 * bytes than they were given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/body.h"

struct run {
	char		*r_out;		/* decoded bytes, concatenated */
	size_t		 r_outlen;
	size_t		 r_stop;	/* offset where it completed or failed */
	int		 r_rc;		/* last body_decode result */
};

static void
decode(const uint8_t *data, size_t len, long long clen, unsigned pattern,
    struct run *r)
{
	struct body	 b;
	char		*buf;
	size_t		 off = 0, n, dlen, used;
	unsigned	 k = 0;

	r->r_outlen = 0;
	r->r_stop = 0;
	r->r_rc = 0;
	body_init(&b, clen);
	while (off < len && r->r_rc == 0) {
		n = pattern == 0 ? len : ((pattern >> (k++ % 8)) & 7) + 1;
		if (n > len - off)
			n = len - off;
		if ((buf = malloc(n)) == NULL)
			abort();
		memcpy(buf, data + off, n);
		dlen = n;
		r->r_rc = body_decode(&b, buf, &dlen, &used);
		if (used > n || dlen > used || (r->r_rc == 0 && used != n))
			abort();
		memcpy(r->r_out + r->r_outlen, buf, dlen);
		r->r_outlen += dlen;
		free(buf);
		off += used;
	}
	r->r_stop = off;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct run	 a, b;
	long long	 clen;

	if (len < 2)
		return 0;
	clen = data[0] & 1 ? -1 : data[1];
	if ((a.r_out = malloc(len)) == NULL || (b.r_out = malloc(len)) == NULL)
		abort();
	decode(data + 2, len - 2, clen, 0, &a);
	decode(data + 2, len - 2, clen, data[0] | 0x100, &b);
	if (a.r_rc != b.r_rc || a.r_stop != b.r_stop ||
	    a.r_outlen != b.r_outlen ||
	    memcmp(a.r_out, b.r_out, a.r_outlen) != 0)
		abort();
	if (clen >= 0 && a.r_outlen > (size_t)clen)
		abort();
	free(a.r_out);
	free(b.r_out);
	return 0;
}
