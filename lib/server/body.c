/*
 * body.c: request bodies, RFC 9112 section 6 and 7.1.  The chunked
 * decoder is a byte-at-a-time state machine for the framing and a memmove
 * for the data, so a body may arrive split anywhere, even inside "\r\n".
 */
#include <stddef.h>
#include <string.h>

#include "body.h"
#include "num.h"

/* Chunk sizes above this are refused: a publisher's body is small. */
#define BODY_MAXDIGITS	15

void
body_init(struct body *b, long long clen)
{
	memset(b, 0, sizeof(*b));
	if (clen >= 0) {
		b->bd_state = clen == 0 ? BODY_DONE : BODY_LENGTH;
		b->bd_left = (unsigned long long)clen;
	} else
		b->bd_state = BODY_SIZE;
}

/* One framing byte of a chunked body; returns the new state. */
static enum body_state
body_frame(struct body *b, int c)
{
	int v;

	switch (b->bd_state) {
	case BODY_SIZE:
		if ((v = num_hexdigit(c)) >= 0 && b->bd_digits < BODY_MAXDIGITS) {
			b->bd_left = b->bd_left * 16 + (unsigned)v;
			b->bd_digits++;
			return BODY_SIZE;
		}
		if (b->bd_digits == 0 || v >= 0)
			return BODY_ERROR;
		/* after the size: an extension (";", maybe after BWS) or CRLF */
		if (c != ';' && c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return BODY_ERROR;
		/* FALLTHROUGH */
	case BODY_EXT:
		if (c != '\n')
			return BODY_EXT;
		b->bd_digits = 0;
		return b->bd_left == 0 ? BODY_TRAILER : BODY_DATA;
	case BODY_DATA_CR:
		return c == '\r' ? BODY_DATA_LF : c == '\n' ? BODY_SIZE :
		    BODY_ERROR;
	case BODY_DATA_LF:
		return c == '\n' ? BODY_SIZE : BODY_ERROR;
	case BODY_TRAILER:
		if (c == '\n')
			return BODY_DONE;
		if (c == '\r' && !b->bd_cr) {
			b->bd_cr = 1;
			return BODY_TRAILER;
		}
		b->bd_cr = 0;
		return BODY_TRAILER_LF;
	case BODY_TRAILER_LF:
		return c == '\n' ? BODY_TRAILER : BODY_TRAILER_LF;
	default:
		return BODY_ERROR;
	}
}

int
body_decode(struct body *b, char *buf, size_t *len, size_t *used)
{
	size_t in = 0, out = 0, n;

	while (in < *len && b->bd_state != BODY_DONE &&
	    b->bd_state != BODY_ERROR) {
		if (b->bd_state == BODY_LENGTH || b->bd_state == BODY_DATA) {
			n = *len - in;
			if (n > b->bd_left)
				n = (size_t)b->bd_left;
			memmove(buf + out, buf + in, n);
			in += n;
			out += n;
			b->bd_left -= n;
			if (b->bd_left == 0)
				b->bd_state = b->bd_state == BODY_LENGTH ?
				    BODY_DONE : BODY_DATA_CR;
			continue;
		}
		b->bd_state = body_frame(b, (unsigned char)buf[in++]);
	}
	*len = out;
	*used = in;
	if (b->bd_state == BODY_ERROR)
		return -1;
	return b->bd_state == BODY_DONE;
}
