/*
 * frame_chunked.c: the seed's stream, HTTP/1.1 chunked: each welcome,
 * periodic line and message is one chunk.  Stopping ends the body with
 * the zero-length chunk, so a client can tell a clean end from a cut.
 */
#include <string.h>

#include "frame.h"
#include "http.h"

static const char head[] = "HTTP/1.1 200 OK\r\n" HTTP_TEXT_HEADERS
    "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";

/* The text written at p + 24 becomes one chunk at p; returns its end. */
static char *
chunked_wrap(char *p, char *end)
{
	char *h = frame_chunk_around(p + 24, end - (p + 24));

	memmove(p, h, end - h);
	p += end - h;
	memcpy(p, "\r\n", 2);
	return p + 2;
}

static size_t
chunked_begin(char *b, const struct frame_ctx *x, int head_only)
{
	char *p = b + sizeof(head) - 1;

	memcpy(b, head, sizeof(head) - 1);
	if (head_only)
		return p - b;
	return chunked_wrap(p, frame_welcome(p + 24, x)) - b;
}

/* "<size>\r\n" + text + body + suffix, the size line written last. */
static size_t
chunked_piece(struct iovec *iov, char *tmp, const struct frame_ctx *x,
    struct blob *b)
{
	char *text = tmp + 24, *end, *h;
	size_t blen = b != NULL ? b->b_len : 0;

	end = b != NULL ? frame_msg_open(text, x) : frame_chunk_line(text, x);
	iov[2].iov_base = b != NULL ? "'\n\r\n" : "\r\n";
	iov[2].iov_len = b != NULL ? 4 : 2;
	h = frame_chunk_around(text, end - text + blen + iov[2].iov_len - 2);
	iov[0].iov_base = h;
	iov[0].iov_len = end - h;
	iov[1].iov_base = b != NULL ? (void *)b->b_data : NULL;
	iov[1].iov_len = blen;
	return iov[0].iov_len + blen + iov[2].iov_len;
}

static size_t
chunked_lost(char *b, const char *json, size_t len)
{
	char *p = b + 24;

	memcpy(p, "Lost messages: ", 15);
	memcpy(p + 15, json, len);
	p[15 + len] = '\n';
	return chunked_wrap(b, p + 16 + len) - b;
}

const struct frame frame_chunked = {
	.fm_name = "chunked",
	.fm_begin = chunked_begin,
	.fm_piece = chunked_piece,
	.fm_lost = chunked_lost,
	.fm_end = "0\r\n\r\n",
	.fm_endlen = 5,
};
