/*
 * frame_sse.c: EventSource streams (text/event-stream, the "server-sent
 * events" section of the WHATWG HTML standard), chunked for HTTP/1.1 and
 * unframed until close for HTTP/1.0.
 *
 *   retry: 3000           once, first: the browser's reconnection delay
 *   id: A-B               the position the stream starts at, then each
 *   event: welcome        message's id, so that a browser reconnecting
 *   data: Mochiconntest welcomes you! Your Id: <Id>   sends Last-Event-ID
 *
 *   event: chunk          the periodic chunk
 *   data: Chunk N for id <Id>
 *
 *   id: A-B               a message: one data line per line of it
 *   data: ...
 *
 *   :                     a heartbeat (a comment: no event)
 *
 * A message's event is the same for every stream, so it is built once
 * per message and kept with the blob (BLOB_SSE).  The format cannot
 * carry a CR: CR and CRLF in a message arrive as LF.
 */
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "http.h"

/* X-Accel-Buffering: no tells nginx not to hold the stream back. */
#define SSE_HEAD(te)	"HTTP/1.1 200 OK\r\nServer: cometd\r\n" \
	"Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n" \
	"X-Accel-Buffering: no\r\nAccess-Control-Allow-Origin: *\r\n" \
	te "\r\n"

static const char head11[] = SSE_HEAD("Transfer-Encoding: chunked\r\n");
static const char head10[] = SSE_HEAD("Connection: close\r\n");

/* "id: A-B\n" at p, or nothing for a position of 0-0; returns the end. */
static char *
sse_id(char *p, const struct msgid *id)
{
	if (id->mi_a == 0 && id->mi_b == 0)
		return p;
	memcpy(p, "id: ", 4);
	p += 4 + msgid_format(p + 4, id);
	*p++ = '\n';
	return p;
}

/* The welcome event at p; returns its end. */
static char *
sse_welcome(char *p, const struct frame_ctx *x)
{
	memcpy(p, "retry: 3000\n", 12);
	p = sse_id(p + 12, &x->fx_pos);
	memcpy(p, "event: welcome\ndata: ", 21);
	p = frame_welcome(p + 21, x);
	*p++ = '\n';
	return p;
}

/* Bytes of msg's event: an id line, "data: " + line + LF a line, LF. */
static size_t
sse_event_len(const struct blob *b)
{
	size_t n = 6 + MSGID_MAX + 7 + 1, i;

	for (i = 0; i < b->b_len; i++)
		if (b->b_data[i] == '\n' || b->b_data[i] == '\r')
			n += 7;
	return n + b->b_len;
}

/* Build b's event once; NULL if memory runs out. */
static const char *
sse_form(struct blob *b, size_t *len)
{
	const char *d = b->b_data, *end = d + b->b_len;
	char *f, *p;

	if (b->b_form[BLOB_SSE] != NULL) {
		*len = b->b_formlen[BLOB_SSE];
		return b->b_form[BLOB_SSE];
	}
	if ((f = malloc(sse_event_len(b))) == NULL)
		return NULL;
	p = b->b_noid ? f : sse_id(f, &b->b_id);
	while (d <= end) {
		memcpy(p, "data: ", 6);
		for (p += 6; d < end && *d != '\n' && *d != '\r'; )
			*p++ = *d++;
		*p++ = '\n';
		if (d < end && *d == '\r' && d + 1 < end && d[1] == '\n')
			d++;
		if (d++ == end)
			break;
	}
	*p++ = '\n';
	*len = p - f;
	return blob_set_form(b, BLOB_SSE, f, *len);
}

/* The event of b (or the periodic chunk) as iov[1], nothing around it. */
static size_t
sse_text(struct iovec *iov, char *tmp, const struct frame_ctx *x,
    struct blob *b)
{
	const char *f;
	char *p;
	size_t len;

	iov[0].iov_len = iov[2].iov_len = 0;
	iov[0].iov_base = iov[2].iov_base = NULL;
	if (b != NULL) {
		if ((f = sse_form(b, &len)) == NULL)
			return FRAME_FAIL;
		iov[1].iov_base = (void *)f;
		iov[1].iov_len = len;
		return len;
	}
	memcpy(tmp, "event: chunk\ndata: ", 19);
	p = frame_chunk_line(tmp + 19, x);
	*p++ = '\n';
	iov[1].iov_base = tmp;
	iov[1].iov_len = p - tmp;
	return iov[1].iov_len;
}

static size_t
sse10_piece(struct iovec *iov, char *tmp, const struct frame_ctx *x,
    struct blob *b)
{
	return sse_text(iov, tmp + 24, x, b);
}

/* The same, chunk-framed: the size line in tmp, CRLF after. */
static size_t
sse_piece(struct iovec *iov, char *tmp, const struct frame_ctx *x,
    struct blob *b)
{
	size_t len = sse_text(iov, tmp + 24, x, b);
	char *s;

	if (len == FRAME_FAIL)
		return FRAME_FAIL;
	/* the text may sit at tmp + 24: the size line goes before it */
	s = frame_chunk_around(tmp + 24, len);
	iov[0].iov_base = s;
	iov[0].iov_len = tmp + 24 - s;
	iov[2].iov_base = "\r\n";
	iov[2].iov_len = 2;
	return iov[0].iov_len + len + 2;
}

static size_t
sse10_begin(char *b, const struct frame_ctx *x, int head_only)
{
	memcpy(b, head10, sizeof(head10) - 1);
	if (head_only)
		return sizeof(head10) - 1;
	return sse_welcome(b + sizeof(head10) - 1, x) - b;
}

static size_t
sse_begin(char *b, const struct frame_ctx *x, int head_only)
{
	char *p = b + sizeof(head11) - 1, *end, *h;

	memcpy(b, head11, sizeof(head11) - 1);
	if (head_only)
		return p - b;
	end = sse_welcome(p + 24, x);
	h = frame_chunk_around(p + 24, end - (p + 24));
	memmove(p, h, end - h);
	p += end - h;
	memcpy(p, "\r\n", 2);
	return p + 2 - b;
}

/* "event: lost" with the notice as its data, at b; returns the length. */
static size_t
sse10_lost(char *b, const char *json, size_t len)
{
	memcpy(b, "event: lost\ndata: ", 18);
	memcpy(b + 18, json, len);
	memcpy(b + 18 + len, "\n\n", 2);
	return 20 + len;
}

static size_t
sse_lost(char *b, const char *json, size_t len)
{
	size_t n = sse10_lost(b + 24, json, len);
	char *h = frame_chunk_around(b + 24, n);

	memmove(b, h, b + 24 + n - h);
	n += b + 24 - h;
	memcpy(b + n, "\r\n", 2);
	return n + 2;
}

const struct frame frame_sse = {
	.fm_name = "sse",
	.fm_begin = sse_begin,
	.fm_piece = sse_piece,
	.fm_lost = sse_lost,
	.fm_beat = "2\r\n:\n\r\n",
	.fm_beatlen = 7,
	.fm_end = "0\r\n\r\n",
	.fm_endlen = 5,
};

const struct frame frame_sse10 = {
	.fm_name = "sse10",
	.fm_begin = sse10_begin,
	.fm_piece = sse10_piece,
	.fm_lost = sse10_lost,
	.fm_beat = ":\n",
	.fm_beatlen = 2,
};
