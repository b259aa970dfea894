/*
 * frame.h: a subscriber's wire format.  Every stream connection has one
 * (struct conn's c_frame), chosen by the stream endpoint from the URL and
 * the request, and everything written to the stream goes through it: the
 * response head with the welcome, each periodic chunk and each message,
 * a heartbeat, the last bytes on stop.  Delivery (conn.c, outq.c) only
 * asks the format for bytes; it knows nothing of chunking or events.
 *
 * Adding a transport is adding a module that fills one struct frame and a
 * line in frame.c's table, and a URL-table line that picks it.
 */
#ifndef COMET_FRAME_H
#define COMET_FRAME_H

#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "msgid.h"

enum frame_kind {
	FRAME_CHUNKED,	/* HTTP/1.1 chunked text: the seed's stream */
	FRAME_HTTP10,	/* HTTP/1.0: the same text, unframed, until close */
	FRAME_SSE,	/* text/event-stream, chunked */
	FRAME_SSE10,	/* text/event-stream for HTTP/1.0, until close */
	FRAME_POLL,	/* long-poll: one JSON answer, then requests again */
	FRAME_WS,	/* WebSocket: JSON text frames */
	FRAME_COUNT
};

#define FRAME_TMP	600	/* per-connection bytes of one piece, at most */
#define FRAME_HEAD_MAX	1024	/* head and welcome, besides the Id */
#define FRAME_FAIL	((size_t)-1)	/* fm_piece: out of memory */

/* What a format knows of the connection it writes to. */
struct frame_ctx {
	const char	*fx_id;		/* the stream's Id */
	size_t		 fx_idlen;
	uint32_t	 fx_n;		/* number of this chunk or message */
	int		 fx_close;	/* the answer ends with the connection */
	struct msgid	 fx_pos;	/* begin: the position the stream starts at */
	const char	*fx_accept;	/* begin, WebSocket: Sec-WebSocket-Accept */
};

struct frame {
	const char	*fm_name;	/* for logs and /stats */
	/*
	 * Write the response head and, unless head_only (a HEAD request),
	 * the welcome into buf, which has FRAME_HEAD_MAX + fx_idlen bytes.
	 * Returns the length.
	 */
	size_t		 (*fm_begin)(char *, const struct frame_ctx *, int);
	/*
	 * Describe message b (or, with b NULL, the periodic chunk) as
	 * iov[0..3): bytes of this connection go into tmp (FRAME_TMP bytes),
	 * a message body is referenced, not copied.  Returns the total
	 * length, or FRAME_FAIL when memory ran out for bytes the format
	 * builds once per message.  The same arguments give the same bytes
	 * every time: a
	 * queue that wrote part of a piece describes it again to go on.
	 */
	size_t		 (*fm_piece)(struct iovec *, char *,
			    const struct frame_ctx *, struct blob *);
	/*
	 * Tell the stream that messages were lost (a resume older than the
	 * history): json is the notice's fields as a JSON object.  Writes
	 * into buf (FRAME_TMP + the json's length) and returns the length.
	 */
	size_t		 (*fm_lost)(char *, const char *, size_t);
	const char	*fm_beat;	/* a heartbeat; NULL: none */
	size_t		 fm_beatlen;
	const char	*fm_end;	/* written on stop; NULL: nothing */
	size_t		 fm_endlen;
	int		 fm_once;	/* the first piece ends the answer */
	int		 fm_ping;	/* the heartbeat wants an answer (pong) */
};

/* The format of kind k (an enum frame_kind). */
const struct frame *frame_of(int);

extern const struct frame frame_chunked;
extern const struct frame frame_http10;
extern const struct frame frame_sse;
extern const struct frame frame_sse10;
extern const struct frame frame_poll;
extern const struct frame frame_ws;

/*
 * The text every format carries: "Mochiconntest welcomes you! Your Id:
 * <Id>\n", "Chunk N for id <Id>\n" and "Recvd msg #N: '" + body + "'\n".
 * Each writes into p and returns the end; the Id is cut to fit FRAME_TMP.
 */
char	*frame_welcome(char *, const struct frame_ctx *);
char	*frame_chunk_line(char *, const struct frame_ctx *);
char	*frame_msg_open(char *, const struct frame_ctx *);

/*
 * A message as a long-poll answer's member, {"id":"A-B","data":"..."},
 * into dst[0..cap) snprintf-style (dst may be NULL with cap 0).  Returns
 * the length it needs.
 */
size_t	frame_poll_member(char *, size_t, const struct blob *);

/*
 * Frame text[0..len), already at text, as one HTTP chunk: its size line
 * goes into the 24 bytes before text.  Returns where the chunk starts;
 * the caller adds "\r\n" after the text.
 */
char	*frame_chunk_around(char *, size_t);

#endif
