/*
 * frame.c: the table of subscriber formats, and the seed's texts that
 * every format carries in its own framing.
 */
#include <stdint.h>
#include <string.h>

#include "frame.h"
#include "http.h"

static const struct frame *const frames[FRAME_COUNT] = {
	[FRAME_CHUNKED] = &frame_chunked,
	[FRAME_HTTP10] = &frame_http10,
	[FRAME_SSE] = &frame_sse,
	[FRAME_SSE10] = &frame_sse10,
	[FRAME_POLL] = &frame_poll,
	[FRAME_WS] = &frame_ws,
};

const struct frame *
frame_of(int kind)
{
	return frames[kind];
}

/* Write n in decimal at p; returns the end. */
static char *
put_u32(char *p, uint32_t n)
{
	char tmp[10];
	int i = 0;

	do {
		tmp[i++] = '0' + n % 10;
		n /= 10;
	} while (n);
	while (i > 0)
		*p++ = tmp[--i];
	return p;
}

/* The Id, cut so that a line of text always fits FRAME_TMP. */
static char *
put_id(char *p, const struct frame_ctx *x)
{
	size_t n = x->fx_idlen > 500 ? 500 : x->fx_idlen;

	memcpy(p, x->fx_id, n);
	return p + n;
}

char *
frame_welcome(char *p, const struct frame_ctx *x)
{
	static const char w[] = "Mochiconntest welcomes you! Your Id: ";

	memcpy(p, w, sizeof(w) - 1);
	p = put_id(p + sizeof(w) - 1, x);
	*p++ = '\n';
	return p;
}

char *
frame_chunk_line(char *p, const struct frame_ctx *x)
{
	memcpy(p, "Chunk ", 6);
	p = put_u32(p + 6, x->fx_n);
	memcpy(p, " for id ", 8);
	p = put_id(p + 8, x);
	*p++ = '\n';
	return p;
}

char *
frame_msg_open(char *p, const struct frame_ctx *x)
{
	memcpy(p, "Recvd msg #", 11);
	p = put_u32(p + 11, x->fx_n);
	memcpy(p, ": '", 3);
	return p + 3;
}

char *
frame_chunk_around(char *text, size_t len)
{
	return http_chunk_head(text, len);
}
