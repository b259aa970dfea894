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

enum frame_kind {
	FRAME_CHUNKED,	/* HTTP/1.1 chunked text: the seed's stream */
	FRAME_HTTP10,	/* HTTP/1.0: the same text, unframed, until close */
	FRAME_COUNT
};

#define FRAME_TMP	600	/* per-connection bytes of one piece, at most */
#define FRAME_HEAD_MAX	1024	/* head and welcome, besides the Id */

/* What a format knows of the connection it writes to. */
struct frame_ctx {
	const char	*fx_id;		/* the stream's Id */
	size_t		 fx_idlen;
	uint32_t	 fx_n;		/* number of this chunk or message */
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
	 * length.  The same arguments give the same bytes every time: a
	 * queue that wrote part of a piece describes it again to go on.
	 */
	size_t		 (*fm_piece)(struct iovec *, char *,
			    const struct frame_ctx *, const struct blob *);
	const char	*fm_end;	/* written on stop; NULL: nothing */
	size_t		 fm_endlen;
};

/* The format of kind k (an enum frame_kind). */
const struct frame *frame_of(int);

extern const struct frame frame_chunked;
extern const struct frame frame_http10;

/*
 * The text every format carries: "Mochiconntest welcomes you! Your Id:
 * <Id>\n", "Chunk N for id <Id>\n" and "Recvd msg #N: '" + body + "'\n".
 * Each writes into p and returns the end; the Id is cut to fit FRAME_TMP.
 */
char	*frame_welcome(char *, const struct frame_ctx *);
char	*frame_chunk_line(char *, const struct frame_ctx *);
char	*frame_msg_open(char *, const struct frame_ctx *);

#endif
