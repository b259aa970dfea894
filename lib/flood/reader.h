/* reader.h: cometflood's incremental decoder for an HTTP/1.1 response head and chunked body. */
#ifndef COMET_READER_H
#define COMET_READER_H

#include <stddef.h>
#include <stdint.h>

/*
 * The whole per-connection state: a few bytes, no buffer.  Bytes are fed
 * as they arrive, split anywhere, and are never looked at twice.
 */
struct reader {
	uint32_t	rd_num;		/* chunk bytes left, or size being read */
	uint16_t	rd_status;	/* HTTP status code, once read */
	uint8_t		rd_state;	/* enum in reader.c */
	uint8_t		rd_match;	/* bytes of a token matched so far */
	uint8_t		rd_flags;	/* READER_F_* */
};

#define READER_F_CHUNKED	0x01	/* Transfer-Encoding: chunked was seen */
#define READER_F_DIGIT	0x02	/* a digit of the current number was seen */

enum reader_ev {
	READER_MORE,		/* all bytes used, feed more */
	READER_HEAD,		/* the response head just ended */
	READER_END,		/* the last chunk and trailers ended */
	READER_BAD		/* the framing is broken */
};

void		reader_init(struct reader *);
enum reader_ev	reader_feed(struct reader *, const char *, size_t, size_t *,
		    uint32_t *);
int		reader_status(const struct reader *);
int		reader_chunked(const struct reader *);

#endif
