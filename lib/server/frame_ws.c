/*
 * frame_ws.c: WebSocket streams (RFC 6455): after the 101 answer, every
 * welcome, periodic chunk and message is one text frame of JSON:
 *
 *   {"event":"welcome","id":"A-B","data":"Mochiconntest welcomes you! ..."}
 *   {"event":"chunk","data":"Chunk N for id <Id>"}
 *   {"id":"A-B","data":"<the message>"}            (a broadcast: no "id")
 *   {"event":"lost","last_event_id":...,"reason":...,"first":...}
 *
 * "id" is the message id of the EventSource stream; a client resumes
 * with ?last_event_id=.  A message's frame is the same for every stream,
 * built once and kept with the blob (BLOB_WS).  The heartbeat is a ping
 * (the answer is watched by ep_ws.c); stopping sends a close, 1001.
 * Client frames are ep_ws.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "json.h"
#include "wsframe.h"

/* fm_begin's buffer past the head: FRAME_HEAD_MAX + the Id, at least */
#define SCRATCH_ROOM	(FRAME_HEAD_MAX - 200)

/* A text frame of json[0..len) at p (header first); returns the end. */
static char *
ws_text(char *p, const char *json, size_t len)
{
	size_t h = wsframe_header(p, 1, WSFRAME_OP_TEXT, len, NULL);

	memmove(p + h, json, len);
	return p + h + len;
}

/*
 * {"event":"<ev>","data":"<text>"} at p, with room for cap bytes (text
 * escaped: the Ids in it are visible ASCII, so at most twice as long);
 * returns its end.
 */
static char *
ws_event(char *p, size_t cap, const char *ev, const char *pos,
    const char *text, size_t len)
{
	char *start = p;
	size_t n;

	p += sprintf(p, "{\"event\":\"%s\",%s%s%s\"data\":\"", ev,
	    pos ? "\"id\":\"" : "", pos ? pos : "", pos ? "\"," : "");
	n = json_escape(text, len, p, cap - (p - start) - 2);
	p += n < cap - (p - start) - 2 ? n : cap - (p - start) - 2;
	memcpy(p, "\"}", 2);
	return p + 2;
}

static size_t
ws_begin(char *b, const struct frame_ctx *x, int head_only)
{
	char pos[MSGID_MAX + 1], text[FRAME_TMP], *p, *j;
	size_t n;

	n = (size_t)sprintf(b, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\nServer: cometd\r\n\r\n",
	    x->fx_accept);
	if (head_only)
		return n;
	msgid_format(pos, &x->fx_pos);
	p = frame_welcome(text, x);
	/* the JSON goes past the header's room, then the header before it */
	j = b + n + WSFRAME_HDR_MAX;
	p = ws_event(j, SCRATCH_ROOM, "welcome", pos, text, p - text - 1);
	return ws_text(b + n, j, p - j) - b;
}

/* Build b's frame once; NULL if memory runs out. */
static const char *
ws_form(struct blob *b, size_t *len)
{
	char id[MSGID_MAX + 1], *f, *p;
	size_t cap;

	if (b->b_form[BLOB_WS] != NULL) {
		*len = b->b_formlen[BLOB_WS];
		return b->b_form[BLOB_WS];
	}
	cap = WSFRAME_HDR_MAX + 16 + MSGID_MAX + 12 +
	    json_escape_len(b->b_data, b->b_len) + 2;
	if ((f = malloc(cap)) == NULL)
		return NULL;
	msgid_format(id, &b->b_id);
	p = f + WSFRAME_HDR_MAX;
	p += sprintf(p, b->b_noid ? "{\"data\":\"" :
	    "{\"id\":\"%s\",\"data\":\"", id);
	p += json_escape(b->b_data, b->b_len, p, cap - (p - f));
	memcpy(p, "\"}", 2);
	p += 2;
	p = ws_text(f, f + WSFRAME_HDR_MAX, p - (f + WSFRAME_HDR_MAX));
	*len = p - f;
	return blob_set_form(b, BLOB_WS, f, *len);
}

static size_t
ws_piece(struct iovec *iov, char *tmp, const struct frame_ctx *x,
    struct blob *b)
{
	char text[FRAME_TMP / 2], *p;
	const char *f;
	size_t len;

	iov[0].iov_base = iov[2].iov_base = NULL;
	iov[0].iov_len = iov[2].iov_len = 0;
	if (b != NULL) {
		if ((f = ws_form(b, &len)) == NULL)
			return FRAME_FAIL;
		iov[1].iov_base = (void *)f;
		iov[1].iov_len = len;
		return len;
	}
	/* the chunk line without its LF; an Id over 200 bytes is cut */
	x = &(struct frame_ctx){ .fx_id = x->fx_id, .fx_n = x->fx_n,
	    .fx_idlen = x->fx_idlen > 200 ? 200 : x->fx_idlen };
	p = frame_chunk_line(text, x);
	p = ws_event(tmp + WSFRAME_HDR_MAX, FRAME_TMP - WSFRAME_HDR_MAX,
	    "chunk", NULL, text, p - text - 1);
	p = ws_text(tmp, tmp + WSFRAME_HDR_MAX, p - (tmp + WSFRAME_HDR_MAX));
	iov[1].iov_base = tmp;
	iov[1].iov_len = p - tmp;
	return iov[1].iov_len;
}

/* {"event":"lost", + the notice's fields, as one text frame. */
static size_t
ws_lost(char *b, const char *json, size_t len)
{
	char *j = b + WSFRAME_HDR_MAX;

	memcpy(j, "{\"event\":\"lost\",", 16);
	memcpy(j + 16, json + 1, len - 1);
	return ws_text(b, j, 16 + len - 1) - b;
}

const struct frame frame_ws = {
	.fm_name = "ws",
	.fm_begin = ws_begin,
	.fm_piece = ws_piece,
	.fm_lost = ws_lost,
	.fm_beat = "\x89\x00",
	.fm_beatlen = 2,
	.fm_end = "\x88\x02\x03\xe9",	/* close, 1001 going away */
	.fm_endlen = 4,
	.fm_ping = 1,
};
