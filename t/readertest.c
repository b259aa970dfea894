/*
 * readertest: the response decoder gives the same answer however the
 * response is split: whole, byte by byte, and in random pieces, in each
 * of its modes (chunked, EventSource, WebSocket upgrade).  Each piece is
 * copied to the end of a page followed by a PROT_NONE page, so a read
 * past the piece faults.  Also the accept value a WebSocket key must get
 * back (RFC 6455's example).  Exit 0 if all pass, 1 and a line per
 * failure otherwise.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flood/reader.h"
#include "flood/worker.h"

struct result {
	int	heads, status, chunked, evstream, accept, end, bad;
	uint32_t units;
};

struct tcase {
	const char	*name;
	enum reader_mode mode;
	const char	*in;
	struct result	 want;
};

#define HEAD_SSE "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; " \
	"charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
#define RFC_KEY		"dGhlIHNhbXBsZSBub25jZQ=="
#define RFC_ACCEPT	"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static const struct tcase cases[] = {
	{ "stream", READER_CHUNKS, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "28\r\nMochiconntest welcomes you! Your Id: 17\n\r\n"
	    "12;name=val\r\nChunk 1 for id 17\n\r\n"
	    "1A\r\n\r\n0\r\n\r\n\r\n0\r\n\r\n\r\n0\r\n\r\n0\r\n\r\n\r\n"
	    "1\r\nx\r\n",
	    { 1, 200, 1, 0, 0, 0, 0, 4 } },
	{ "end with trailer", READER_CHUNKS, "HTTP/1.0 200 OK\r\n"
	    "transfer-encoding: gzip, Chunked\r\n\r\n"
	    "3\r\nabc\r\n0\r\nX-Trailer: y\r\n\r\n",
	    { 1, 200, 1, 0, 0, 1, 0, 1 } },
	{ "bare LF head", READER_CHUNKS, "HTTP/1.1 200\nTransfer-Encoding: "
	    "chunked\n\n3\r\nabc\r\n", { 1, 200, 1, 0, 0, 0, 0, 1 } },
	{ "503", READER_CHUNKS, "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Length: 4\r\n\r\nbusy", { 1, 503, 0, 0, 0, 0, 0, 0 } },
	{ "not chunked", READER_CHUNKS, "HTTP/1.1 200 OK\r\n"
	    "X-Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello",
	    { 1, 200, 0, 0, 0, 0, 0, 0 } },
	{ "bad size", READER_CHUNKS, "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
	    { 1, 200, 1, 0, 0, 0, 1, 0 } },
	{ "no CRLF after data", READER_CHUNKS, "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
	    { 1, 200, 1, 0, 0, 0, 1, 1 } },
	{ "huge size", READER_CHUNKS, "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\nfffffffff\r\n",
	    { 1, 200, 1, 0, 0, 0, 1, 0 } },
	{ "not http", READER_CHUNKS, "SSH-2.0-OpenSSH_9.2\r\n",
	    { 0, 0, 0, 0, 0, 0, 1, 0 } },
	{ "bad status", READER_CHUNKS, "HTTP/1.1 2x0 OK\r\n\r\n",
	    { 0, 0, 0, 0, 0, 0, 1, 0 } },
	{ "after end", READER_CHUNKS, "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\njunk",
	    { 1, 200, 1, 0, 0, 1, 1, 0 } },
	/* events: welcome, chunk, message, "data", CRLF, CR, split: 7 */
	{ "events", READER_EVENTS, HEAD_SSE
	    "51\r\nretry: 3000\nid: 1-0\nevent: welcome\ndata: Mochiconntest "
	    "welcomes you! Your Id: 1\n\n\r\n"
	    "25\r\nevent: chunk\ndata: Chunk 1 for id 1\n\n\r\n"
	    "2\r\n:\n\r\n"
	    "19\r\nid: 1-1\ndata: a\ndata: b\n\n\r\n"
	    "6\r\ndata\n\n\r\n" "a\r\nretry: 5\n\n\r\n"
	    "b\r\ndata: x\r\n\r\n\r\n" "9\r\ndata: y\r\r\r\n"
	    "a\r\ndatax: z\n\n\r\n" "b\r\n: comment\n\n\r\n"
	    "8\r\ndata: sp\r\n" "5\r\nlit\n\n\r\n"
	    "0\r\n\r\n",
	    { 1, 200, 1, 1, 0, 1, 0, 7 } },
	{ "events until close", READER_EVENTS, "HTTP/1.0 200 OK\r\n"
	    "content-type: TEXT/EVENT-STREAM\r\nConnection: close\r\n\r\n"
	    "data: a\n\n: beat\ndata: b\ndata: c\n\nid: 3\n\ndata:",
	    { 1, 200, 0, 1, 0, 0, 0, 2 } },
	{ "not an event stream", READER_EVENTS, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/event-streams\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n9\r\ndata: x\n\n\r\n",
	    { 1, 200, 1, 0, 0, 0, 0, 1 } },
	{ "plain text", READER_EVENTS, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain\r\n\r\ndata: x\n\n",
	    { 1, 200, 0, 0, 0, 0, 0, 1 } },
	{ "upgrade", READER_UPGRADE, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept:  " RFC_ACCEPT " \r\n\r\n\x81\x05hello",
	    { 1, 101, 0, 0, 1, 0, 0, 0 } },
	{ "upgrade, wrong accept", READER_UPGRADE, "HTTP/1.1 101 OK\r\n"
	    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo\r\n\r\n",
	    { 1, 101, 0, 0, 0, 0, 0, 0 } },
	{ "upgrade refused", READER_UPGRADE, "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Length: 0\r\n\r\n", { 1, 400, 0, 0, 0, 0, 0, 0 } },
};

static char *guard;		/* a page followed by a PROT_NONE page */
static long pagesz;

/* Returns 1 when the caller would stop reading after this head. */
static int
head_stops(const struct reader *d, enum reader_mode mode)
{
	if (mode == READER_UPGRADE)
		return 1;
	return reader_status(d) != 200 ||
	    (mode == READER_CHUNKS && !reader_chunked(d));
}

static void
on_head(struct reader *d, struct result *r)
{
	uint32_t h;

	r->heads++;
	r->status = reader_status(d);
	r->chunked = reader_chunked(d);
	r->evstream = reader_event_stream(d);
	r->accept = reader_accept(d, &h) &&
	    h == reader_hash(RFC_ACCEPT, sizeof(RFC_ACCEPT) - 1);
}

/* Feed one piece from the end of the guarded page. */
static void
feed_piece(struct reader *d, enum reader_mode mode, struct result *r,
    const char *s, size_t n)
{
	char *p = guard + pagesz - n;
	size_t used;
	enum reader_ev ev;

	memcpy(p, s, n);
	while (n > 0 && !r->bad) {
		ev = reader_feed(d, p, n, &used, &r->units);
		p += used;
		n -= used;
		if (ev == READER_HEAD) {
			on_head(d, r);
			if (head_stops(d, mode))
				break;
		} else if (ev == READER_END)
			r->end = 1;
		else if (ev == READER_BAD)
			r->bad = 1;
	}
}

/* Feed in pieces of at most maxpiece bytes (0: random sizes). */
static struct result
run(const struct tcase *t, size_t maxpiece)
{
	struct reader d;
	struct result r;
	size_t len = strlen(t->in), off = 0, n;

	memset(&r, 0, sizeof(r));
	reader_init(&d, t->mode);
	while (off < len && !r.bad && !(r.heads && head_stops(&d, t->mode))) {
		n = maxpiece ? maxpiece : 1 + (size_t)rand() % 40;
		if (n > len - off)
			n = len - off;
		feed_piece(&d, t->mode, &r, t->in + off, n);
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
	printf("FAIL %s (%s): heads %d status %d chunked %d evstream %d "
	    "accept %d end %d bad %d units %u\n", t->name, how, r.heads,
	    r.status, r.chunked, r.evstream, r.accept, r.end, r.bad, r.units);
	return 1;
}

/* RFC 6455 section 1.3: the example key's accept value. */
static int
check_expect(void)
{
	static const char req[] = "GET /ws/1 HTTP/1.1\r\nHost: x\r\n"
	    "Sec-WebSocket-Key: " RFC_KEY "\r\n\r\n";

	if (fws_expect(req, sizeof(req) - 1) ==
	    reader_hash(RFC_ACCEPT, sizeof(RFC_ACCEPT) - 1) &&
	    fws_expect(req, 40) == 0)
		return 0;
	printf("FAIL fws_expect: the RFC 6455 example key\n");
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
		fail |= check(&cases[i], "whole", run(&cases[i], 4096));
		fail |= check(&cases[i], "byte by byte", run(&cases[i], 1));
		for (k = 0; k < 500; k++)
			fail |= check(&cases[i], "random", run(&cases[i], 0));
	}
	fail |= check_expect();
	printf("readertest: %zu cases %s\n", i, fail ? "FAILED" : "ok");
	return fail;
}
