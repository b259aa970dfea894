/*
 * readertest: the chunked decoder gives the same answer however the
 * response is split: whole, byte by byte, and in random pieces.  Each
 * piece is copied to the end of a page followed by a PROT_NONE page, so a
 * read past the piece faults.  Exit 0 if all pass, 1 and a line per
 * failure otherwise.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flood/reader.h"

struct result {
	int	heads, status, chunked, end, bad;
	uint32_t chunks;
};

struct tcase {
	const char	*name;
	const char	*in;
	struct result	 want;
};

static const struct tcase cases[] = {
	{ "stream", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "28\r\nMochiconntest welcomes you! Your Id: 17\n\r\n"
	    "12;name=val\r\nChunk 1 for id 17\n\r\n"
	    "1A\r\n\r\n0\r\n\r\n\r\n0\r\n\r\n\r\n0\r\n\r\n0\r\n\r\n\r\n"
	    "1\r\nx\r\n",
	    { 1, 200, 1, 0, 0, 4 } },
	{ "end with trailer", "HTTP/1.0 200 OK\r\n"
	    "transfer-encoding: gzip, Chunked\r\n\r\n"
	    "3\r\nabc\r\n0\r\nX-Trailer: y\r\n\r\n",
	    { 1, 200, 1, 1, 0, 1 } },
	{ "bare LF head", "HTTP/1.1 200\nTransfer-Encoding: chunked\n\n"
	    "3\r\nabc\r\n", { 1, 200, 1, 0, 0, 1 } },
	{ "503", "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n"
	    "\r\nbusy", { 1, 503, 0, 0, 0, 0 } },
	{ "not chunked", "HTTP/1.1 200 OK\r\nX-Transfer-Encoding: chunked\r\n"
	    "Content-Length: 5\r\n\r\nhello", { 1, 200, 0, 0, 0, 0 } },
	{ "bad size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "zz\r\n", { 1, 200, 1, 0, 1, 0 } },
	{ "no CRLF after data", "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
	    { 1, 200, 1, 0, 1, 1 } },
	{ "huge size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "fffffffff\r\n", { 1, 200, 1, 0, 1, 0 } },
	{ "not http", "SSH-2.0-OpenSSH_9.2\r\n", { 0, 0, 0, 0, 1, 0 } },
	{ "bad status", "HTTP/1.1 2x0 OK\r\n\r\n", { 0, 0, 0, 0, 1, 0 } },
	{ "after end", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "0\r\n\r\njunk", { 1, 200, 1, 1, 1, 0 } },
};

static char *guard;		/* a page followed by a PROT_NONE page */
static long pagesz;

/* Feed one piece from the end of the guarded page. */
static void
feed_piece(struct reader *d, struct result *r, const char *s, size_t n)
{
	char *p = guard + pagesz - n;
	size_t used;
	enum reader_ev ev;

	memcpy(p, s, n);
	while (n > 0 && !r->bad) {
		ev = reader_feed(d, p, n, &used, &r->chunks);
		p += used;
		n -= used;
		if (ev == READER_HEAD) {
			r->heads++;
			r->status = reader_status(d);
			r->chunked = reader_chunked(d);
			if (r->status != 200 || !r->chunked)
				break;
		} else if (ev == READER_END)
			r->end = 1;
		else if (ev == READER_BAD)
			r->bad = 1;
	}
}

/* Feed in pieces of at most maxpiece bytes (0: random sizes). */
static struct result
run(const char *in, size_t maxpiece)
{
	struct reader d;
	struct result r;
	size_t len = strlen(in), off = 0, n;

	memset(&r, 0, sizeof(r));
	reader_init(&d);
	while (off < len && !r.bad && !(r.heads &&
	    (r.status != 200 || !r.chunked))) {
		n = maxpiece ? maxpiece : 1 + (size_t)rand() % 40;
		if (n > len - off)
			n = len - off;
		feed_piece(&d, &r, in + off, n);
		off += n;
	}
	return r;
}

static int
check(const struct tcase *t, const char *how, struct result r)
{
	if (memcmp(&r, &t->want, sizeof(r)) == 0)
		return 0;
	if (strcmp(how, "random") == 0 && rand() % 50)
		return 1;	/* report a sample, not hundreds of lines */
	printf("FAIL %s (%s): heads %d status %d chunked %d end %d bad %d "
	    "chunks %u\n", t->name, how, r.heads, r.status, r.chunked, r.end,
	    r.bad, r.chunks);
	return 1;
}

int
main(void)
{
	size_t i;
	int fail = 0, k;

	pagesz = sysconf(_SC_PAGESIZE);
	guard = mmap(NULL, pagesz * 2, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED || mprotect(guard + pagesz, pagesz,
	    PROT_NONE) == -1) {
		perror("readertest: mmap");
		return 1;
	}
	srand(42);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fail |= check(&cases[i], "whole", run(cases[i].in, 4096));
		fail |= check(&cases[i], "byte by byte", run(cases[i].in, 1));
		for (k = 0; k < 500; k++)
			fail |= check(&cases[i], "random", run(cases[i].in, 0));
	}
	printf("readertest: %zu cases %s\n", i, fail ? "FAILED" : "ok");
	return fail;
}
