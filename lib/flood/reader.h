/*
 * reader.h: cometflood's incremental decoder for an HTTP/1.1 response:
 * the head, then a chunked body counted in chunks, or an EventSource
 * body counted in events, or (for a WebSocket upgrade) the head alone.
 */
#ifndef COMET_READER_H
#define COMET_READER_H

#include <stddef.h>
#include <stdint.h>

/*
 * The whole per-connection state: 12 bytes, no buffer.  Bytes are fed
 * as they arrive, split anywhere, and are never looked at twice; any
 * split gives the same events, counts and results.
 */
struct reader {
	uint32_t	rd_num;		/* chunk bytes left, or size being read;
					   in the head: the accept hash */
	uint16_t	rd_status;	/* HTTP status code, once read */
	uint8_t		rd_state;	/* enum in reader.c */
	uint8_t		rd_match;	/* bytes of a token matched so far */
	uint8_t		rd_flags;	/* READER_F_* and the mode */
	uint8_t		rd_sse;		/* EventSource line state */
};

/* What the body is, given to reader_init. */
enum reader_mode {
	READER_CHUNKS,		/* chunked; count chunk-data units */
	READER_EVENTS,		/* text/event-stream, chunked or until close;
				   count events */
	READER_UPGRADE		/* a 101 head, then someone else's bytes */
};

enum reader_ev {
	READER_MORE,		/* all bytes used, feed more */
	READER_HEAD,		/* the response head just ended */
	READER_END,		/* the last chunk and trailers ended */
	READER_BAD		/* the framing is broken */
};

/* Start decoding a response whose body is read as mode says. */
void		reader_init(struct reader *, enum reader_mode);

/*
 * Feed len bytes of the response.  Stops early right after the head
 * (READER_HEAD, so the caller can check the status before the body), at
 * the end of a chunked body (READER_END) or at broken framing
 * (READER_BAD); otherwise uses everything and returns READER_MORE.
 * *used is set to the bytes consumed and *units is increased by the
 * units completed: chunk-data units (READER_CHUNKS) or events
 * (READER_EVENTS: an event is a blank line ending a block that had a
 * data field, as the WHATWG rules dispatch them; comments, "retry:" and
 * "id:" alone are no event).  READER_END stops right after the last byte
 * of the body; any byte fed after it is broken framing, and so is any
 * byte after the head of READER_UPGRADE.  An EventSource body that is not
 * chunked runs until the connection closes.  After READER_BAD every call
 * returns READER_BAD.
 */
enum reader_ev	reader_feed(struct reader *, const char *, size_t, size_t *,
		    uint32_t *);

/* Returns the status code of the head, 0 until it has been read. */
int		reader_status(const struct reader *);

/* Returns 1 if the head announced a chunked body, else 0. */
int		reader_chunked(const struct reader *);

/*
 * Returns 1 if the head's Content-Type was text/event-stream (with or
 * without parameters), else 0.
 */
int		reader_event_stream(const struct reader *);

/*
 * After the head of READER_UPGRADE: returns 1 and the hash of the
 * Sec-WebSocket-Accept value in *hash (as reader_hash makes it), or 0 if
 * the head had no such header.
 */
int		reader_accept(const struct reader *, uint32_t *);

/*
 * The hash reader_accept compares with: FNV-1a over p[0..len) without
 * spaces, tabs and CRs.  32 bits: a wrong accept value passes once in
 * four billion, which is enough for a load client's check.
 */
uint32_t	reader_hash(const char *, size_t);

#endif
