/*
 * frame_http10.c: the seed's stream for an HTTP/1.0 client, which cannot
 * read chunks: the same text unframed, and the end of the body is the
 * close of the connection.
 */
#include <string.h>

#include "frame.h"
#include "http.h"

static const char head[] = "HTTP/1.1 200 OK\r\n" HTTP_TEXT_HEADERS
    "Cache-Control: no-cache\r\nConnection: close\r\n\r\n";

static size_t
http10_begin(char *b, const struct frame_ctx *x, int head_only)
{
	memcpy(b, head, sizeof(head) - 1);
	if (head_only)
		return sizeof(head) - 1;
	return frame_welcome(b + sizeof(head) - 1, x) - b;
}

static size_t
http10_piece(struct iovec *iov, char *tmp, const struct frame_ctx *x,
    struct blob *b)
{
	char *end;

	end = b != NULL ? frame_msg_open(tmp, x) : frame_chunk_line(tmp, x);
	iov[0].iov_base = tmp;
	iov[0].iov_len = end - tmp;
	iov[1].iov_base = b != NULL ? (void *)b->b_data : NULL;
	iov[1].iov_len = b != NULL ? b->b_len : 0;
	iov[2].iov_base = "'\n";
	iov[2].iov_len = b != NULL ? 2 : 0;
	return iov[0].iov_len + iov[1].iov_len + iov[2].iov_len;
}

static size_t
http10_lost(char *b, const char *json, size_t len)
{
	memcpy(b, "Lost messages: ", 15);
	memcpy(b + 15, json, len);
	b[15 + len] = '\n';
	return 16 + len;
}

const struct frame frame_http10 = {
	.fm_name = "http10",
	.fm_begin = http10_begin,
	.fm_piece = http10_piece,
	.fm_lost = http10_lost,
};
