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

static size_t
chunked_begin(char *b, const struct frame_ctx *x, int head_only)
{
	char *p, *h;

	memcpy(b, head, sizeof(head) - 1);
	if (head_only)
		return sizeof(head) - 1;
	/* the welcome goes 24 bytes on, room for its size line before it */
	p = frame_welcome(b + sizeof(head) - 1 + 24, x);
	h = http_chunk_head(b + sizeof(head) - 1 + 24, p - (b +
	    sizeof(head) - 1 + 24));
	memmove(b + sizeof(head) - 1, h, p - h);
	p = b + sizeof(head) - 1 + (p - h);
	memcpy(p, "\r\n", 2);
	return p + 2 - b;
}

/* "<size>\r\n" + text + body + suffix, the size line written last. */
static size_t
chunked_piece(struct iovec *iov, char *tmp, const struct frame_ctx *x,
    const struct blob *b)
{
	char *text = tmp + 24, *end, *h;
	size_t blen = b != NULL ? b->b_len : 0;

	end = b != NULL ? frame_msg_open(text, x) : frame_chunk_line(text, x);
	iov[2].iov_base = b != NULL ? "'\n\r\n" : "\r\n";
	iov[2].iov_len = b != NULL ? 4 : 2;
	h = http_chunk_head(text, end - text + blen + iov[2].iov_len - 2);
	iov[0].iov_base = h;
	iov[0].iov_len = end - h;
	iov[1].iov_base = b != NULL ? (void *)b->b_data : NULL;
	iov[1].iov_len = blen;
	return iov[0].iov_len + blen + iov[2].iov_len;
}

const struct frame frame_chunked = {
	.fm_name = "chunked",
	.fm_begin = chunked_begin,
	.fm_piece = chunked_piece,
	.fm_end = "0\r\n\r\n",
	.fm_endlen = 5,
};
