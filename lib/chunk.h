/* chunk.h: incremental decoder for an HTTP/1.1 response head and chunked body. */
#ifndef COMET_CHUNK_H
#define COMET_CHUNK_H

#include <stddef.h>
#include <stdint.h>

/*
 * The whole per-connection state: a few bytes, no buffer.  Bytes are fed
 * as they arrive, split anywhere, and are never looked at twice.
 */
struct chunk_dec {
	uint32_t	cd_num;		/* chunk bytes left, or size being read */
	uint16_t	cd_status;	/* HTTP status code, once read */
	uint8_t		cd_state;	/* enum in chunk.c */
	uint8_t		cd_match;	/* bytes of a token matched so far */
	uint8_t		cd_flags;	/* CHUNK_F_* */
};

#define CHUNK_F_CHUNKED	0x01	/* Transfer-Encoding: chunked was seen */
#define CHUNK_F_DIGIT	0x02	/* a digit of the current number was seen */

enum chunk_ev {
	CHUNK_MORE,		/* all bytes used, feed more */
	CHUNK_HEAD,		/* the response head just ended */
	CHUNK_END,		/* the last chunk and trailers ended */
	CHUNK_BAD		/* the framing is broken */
};

void		chunk_init(struct chunk_dec *);
enum chunk_ev	chunk_feed(struct chunk_dec *, const char *, size_t, size_t *,
		    uint32_t *);
int		chunk_status(const struct chunk_dec *);
int		chunk_is_chunked(const struct chunk_dec *);

#endif
