/*
 * libFuzzer harness for cometflood's response decoder (lib/flood/reader.c).
 *
 * The decoder promises that any split of the stream gives the same
 * result.  The input (after its first two bytes) is a response; it is
 * fed whole, then again in pieces whose sizes cycle through the first
 * byte's bits, the way a flood client reads a million sockets into one
 * buffer; the second byte picks the mode (chunks, events, upgrade).
 * Both runs must report the head, the end and broken framing at the same
 * stream offsets and count the same units, status, flags and accept
 * hash, and every call must consume within what it was given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flood/reader.h"

struct run {
	size_t		 r_head;	/* offset just after the head, or 0 */
	size_t		 r_stop;	/* offset of END or BAD, or 0 */
	int		 r_ev;		/* READER_END, READER_BAD or READER_MORE */
	uint32_t	 r_chunks;
	int		 r_status;
	int		 r_chunked;
	int		 r_evstream;
	int		 r_accept;
	uint32_t	 r_hash;
};

/* Feed p[0..len) from stream offset off; returns 1 once decoding stops. */
static int
feed(struct reader *d, struct run *r, const char *p, size_t len,
    size_t off)
{
	enum reader_ev	 ev;
	size_t		 used, i = 0;

	while (i < len) {
		used = (size_t)-1;
		ev = reader_feed(d, p + i, len - i, &used, &r->r_chunks);
		if (used > len - i)
			abort();
		i += used;
		if (ev == READER_HEAD) {
			if (r->r_head != 0 || used == 0)
				abort();
			r->r_head = off + i;
			continue;
		}
		if (ev == READER_MORE) {
			if (i != len)
				abort();
			continue;
		}
		r->r_ev = ev;
		r->r_stop = off + i;
		return 1;
	}
	return 0;
}

static void
decode(const uint8_t *data, size_t len, unsigned pattern,
    enum reader_mode mode, struct run *r)
{
	struct reader	 d;
	char			*buf;
	size_t			 off = 0, n;
	unsigned		 k = 0;

	memset(r, 0, sizeof(*r));
	r->r_ev = READER_MORE;
	reader_init(&d, mode);
	while (off < len) {
		/* pattern 0 is "all at once"; else pieces of 1..8 bytes */
		n = pattern == 0 ? len : ((pattern >> (k++ % 8)) & 7) + 1;
		if (n > len - off)
			n = len - off;
		/* exact-size copies so ASan sees any read past a piece */
		if ((buf = malloc(n)) == NULL)
			abort();
		memcpy(buf, data + off, n);
		if (feed(&d, r, buf, n, off)) {
			free(buf);
			break;
		}
		free(buf);
		off += n;
	}
	r->r_status = reader_status(&d);
	r->r_chunked = reader_chunked(&d);
	r->r_evstream = reader_event_stream(&d);
	r->r_accept = reader_accept(&d, &r->r_hash);
	if (!r->r_accept)
		r->r_hash = 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct run	 a, b;
	enum reader_mode mode;

	if (len < 2)
		return 0;
	mode = data[1] % 3 == 0 ? READER_CHUNKS : data[1] % 3 == 1 ?
	    READER_EVENTS : READER_UPGRADE;
	decode(data + 2, len - 2, 0, mode, &a);
	decode(data + 2, len - 2, data[0] | 0x100, mode, &b);
	if (a.r_head != b.r_head || a.r_stop != b.r_stop ||
	    a.r_ev != b.r_ev || a.r_chunks != b.r_chunks ||
	    a.r_status != b.r_status || a.r_chunked != b.r_chunked ||
	    a.r_evstream != b.r_evstream || a.r_accept != b.r_accept ||
	    a.r_hash != b.r_hash)
		abort();
	/* an upgrade's head is the end of the decoder's part */
	if (mode == READER_UPGRADE && a.r_head != 0 && a.r_stop > a.r_head)
		abort();
	if (a.r_status > 999)
		abort();
	return 0;
}
