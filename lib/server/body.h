/*
 * body.h: an incremental request-body decoder for Content-Length and
 * chunked bodies.  It decodes in place (chunked framing only ever
 * shrinks), so a publisher's bytes go from the shared read buffer to the
 * message without an extra copy.
 */
#ifndef COMET_BODY_H
#define COMET_BODY_H

#include <stddef.h>

enum body_state {
	BODY_LENGTH,	/* Content-Length: bd_left bytes to go */
	BODY_SIZE,	/* chunked: reading the hex chunk size */
	BODY_EXT,	/* chunked: skipping a chunk extension to LF */
	BODY_DATA,	/* chunked: bd_left data bytes to go */
	BODY_DATA_CR,	/* chunked: CR after data */
	BODY_DATA_LF,	/* chunked: LF after data */
	BODY_TRAILER,	/* chunked: trailer line, or the final empty line */
	BODY_TRAILER_LF, /* chunked: inside a trailer line, to its LF */
	BODY_DONE,
	BODY_ERROR
};

struct body {
	enum body_state	 bd_state;
	unsigned long long bd_left;	/* bytes left in body or chunk */
	int		 bd_digits;	/* hex digits seen in the size */
	int		 bd_cr;		/* a CR seen where LF is due */
};

/* Start a body of clen bytes, or a chunked one when clen < 0. */
void	body_init(struct body *, long long);

/*
 * Decode buf[0..*len) in place: on return buf[0..*len) holds the body
 * bytes found in it and *used says how much input was consumed (less than
 * the input only once the body is complete: the rest belongs to the next
 * request).  Returns 1 when the body is complete, 0 when more input is
 * needed, -1 on malformed chunked framing (the state stays BODY_ERROR).
 */
int	body_decode(struct body *, char *, size_t *, size_t *);

#endif
