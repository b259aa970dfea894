/*
 * body_test.c: request bodies, Content-Length and chunked, decoded in
 * place whole and split at every byte; malformed framing is an error,
 * and bytes after the body are left for the next request.
 */
#include <stdio.h>
#include <string.h>

#include "server/body.h"

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 20) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

/*
 * Decode in in pieces of step bytes; returns the final status and sets
 * out to the decoded bytes and *rest to the bytes left after the body.
 */
static int
decode(long long clen, const char *in, size_t step, char *out, size_t *rest)
{
	struct body b;
	char buf[512];
	size_t len = strlen(in), off = 0, n, used, olen = 0;
	int rc = 0;

	body_init(&b, clen);
	while (off < len && rc == 0) {
		n = len - off < step ? len - off : step;
		memcpy(buf, in + off, n);
		rc = body_decode(&b, buf, &n, &used);
		memcpy(out + olen, buf, n);
		olen += n;
		off += used;
	}
	if (rc == 0 && b.bd_state == BODY_DONE)
		rc = 1;
	out[olen] = '\0';
	*rest = len - off;
	return rc;
}

static void
expect(long long clen, const char *in, int rc, const char *out, size_t rest)
{
	char got[512];
	size_t step, r;
	int g;

	for (step = 1; step <= strlen(in) + 1; step++) {
		g = decode(clen, in, step, got, &r);
		CHECK(g == rc);
		if (rc >= 0) {
			CHECK(strcmp(got, out) == 0);
			CHECK(r == rest);
		}
		if (g != rc || (rc >= 0 && (strcmp(got, out) || r != rest))) {
			fprintf(stderr, "in \"%s\" step %zu: rc %d out \"%s\" "
			    "rest %zu\n", in, step, g, got, r);
			return;
		}
	}
}

int
main(void)
{
	expect(5, "hello", 1, "hello", 0);
	expect(5, "helloGET /", 1, "hello", 5);
	expect(10, "hello", 0, "hello", 0);
	expect(0, "GET", 1, "", 3);
	expect(-1, "5\r\nhello\r\n0\r\n\r\n", 1, "hello", 0);
	expect(-1, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nX", 1,
	    "hello world", 1);
	expect(-1, "A;ext=1\r\n0123456789\r\n0\r\nT: v\r\n\r\n", 1,
	    "0123456789", 0);
	expect(-1, "a\nabcdefghij\n0\n\n", 1, "abcdefghij", 0);
	expect(-1, "5\r\nhel", 0, "hel", 0);
	expect(-1, "x\r\n", -1, "", 0);
	expect(-1, "5\r\nhelloXX", -1, "", 0);
	expect(-1, "1234567890123456\r\n", -1, "", 0);
	expect(-1, "5g\r\nhello\r\n0\r\n\r\n", -1, "", 0);
	expect(-1, "5 ;a\r\nhello\r\n0\r\n\r\n", 1, "hello", 0);
	if (fails) {
		fprintf(stderr, "body_test: %d failed\n", fails);
		return 1;
	}
	printf("body_test: ok\n");
	return 0;
}
