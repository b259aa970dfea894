/*
 * frame_poll.c: a long-poll waiting for its Id's next message.  Its
 * answer is one whole response, then the connection reads requests
 * again:
 *
 *   HTTP/1.1 200 OK
 *   Content-Type: application/json
 *
 *   {"messages":[{"id":"A-B","data":"..."}],"next":"A-B"}
 *
 * "next" is what to ask from next time (GET /poll/<Id>?since=A-B); a
 * broadcast has no "id".  The body is the same for every waiter, so it
 * is built once per message and kept with the blob (BLOB_POLL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "json.h"

size_t
frame_poll_member(char *dst, size_t cap, const struct blob *b)
{
	char id[MSGID_MAX + 1];
	size_t n = 0, k;

	msgid_format(id, &b->b_id);
	n = snprintf(dst, cap, b->b_noid ? "{\"data\":\"" :
	    "{\"id\":\"%s\",\"data\":\"", id);
	k = json_escape(b->b_data, b->b_len, n < cap ? dst + n : NULL,
	    n < cap ? cap - n : 0);
	n += k;
	if (n + 2 <= cap)
		memcpy(dst + n, "\"}", 2);
	return n + 2;
}

/* Build b's answer body once; NULL if memory runs out. */
static const char *
poll_form(struct blob *b, size_t *len)
{
	char next[MSGID_MAX + 1], *f;
	size_t cap, n;

	if (b->b_form[BLOB_POLL] != NULL) {
		*len = b->b_formlen[BLOB_POLL];
		return b->b_form[BLOB_POLL];
	}
	cap = 14 + frame_poll_member(NULL, 0, b) + 12 + MSGID_MAX + 3;
	if ((f = malloc(cap)) == NULL)
		return NULL;
	memcpy(f, "{\"messages\":[", 13);
	n = 13 + frame_poll_member(f + 13, cap - 13, b);
	msgid_format(next, &b->b_id);
	n += snprintf(f + n, cap - n, "],\"next\":\"%s\"}\n", next);
	*len = n;
	return blob_set_form(b, BLOB_POLL, f, n);
}

static size_t
poll_piece(struct iovec *iov, char *tmp, const struct frame_ctx *x,
    struct blob *b)
{
	const char *f;
	size_t len;
	int n;

	/* a waiter gets messages only, never the periodic chunk */
	if (b == NULL || (f = poll_form(b, &len)) == NULL)
		return FRAME_FAIL;
	n = snprintf(tmp, FRAME_TMP, "HTTP/1.1 200 OK\r\nServer: cometd\r\n"
	    "Content-Type: application/json\r\nCache-Control: no-cache\r\n"
	    "Access-Control-Allow-Origin: *\r\nContent-Length: %zu\r\n%s\r\n",
	    len, x->fx_close ?
	    "Connection: close\r\n" : "");
	iov[0].iov_base = tmp;
	iov[0].iov_len = (size_t)n;
	iov[1].iov_base = (void *)f;
	iov[1].iov_len = len;
	iov[2].iov_base = NULL;
	iov[2].iov_len = 0;
	return n + len;
}

static size_t
poll_begin(char *b, const struct frame_ctx *x, int head_only)
{
	(void)b;
	(void)x;
	(void)head_only;
	return 0;
}

const struct frame frame_poll = {
	.fm_name = "poll",
	.fm_begin = poll_begin,
	.fm_piece = poll_piece,
	.fm_once = 1,
};
