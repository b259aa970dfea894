/*
 * libFuzzer harness for WebSocket framing (lib/wsframe.c).
 *
 * The input after its first byte is a byte stream; the first byte picks
 * how it is cut into pieces (sizes cycling through its bits).  Both sides
 * promise that the cut does not matter:
 *   - the server side (parse each header, unmask each payload in the
 *     pieces it arrives in) logs the same frames and the same error fed
 *     whole or in pieces, and a prefix of a header is SHORT or the same;
 *   - the client decoder reports the same events at the same stream
 *     offsets with the same payload bytes, and every piece it shows lies
 *     in the buffer fed and ends where the call stopped;
 *   - unmasking in pieces at offsets equals unmasking whole;
 *   - a header written by wsframe_header parses back to the same fields.
 * Every piece is an exact-size heap copy, so ASan sees a read past it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wsframe.h"

#define NLOG	256
#define MAXLEN	4096	/* the server's payload limit */

struct log {
	uint64_t	 l_rec[NLOG];	/* one per frame or event */
	size_t		 l_n;
	uint32_t	 l_hash;	/* running hash of payload shown */
};

static void
rec(struct log *l, uint64_t v)
{
	if (l->l_n < NLOG)
		l->l_rec[l->l_n++] = v;
}

static void
hash(struct log *l, const uint8_t *p, size_t n)
{
	while (n-- > 0)
		l->l_hash = (l->l_hash ^ *p++) * 16777619U;
}

static size_t
piece(unsigned pattern, unsigned *k, size_t left)
{
	size_t n = pattern == 0 ? left : ((pattern >> (*k)++ % 8) & 7) + 1;

	return n < left ? n : left;
}

/* A prefix of a header parses SHORT or as the whole does. */
static void
prefixes(const uint8_t *p, size_t len, uint64_t max)
{
	struct wsframe_hdr whole, h;
	enum wsframe_status st, sw;
	uint8_t *cp;
	size_t k;

	sw = wsframe_parse(p, len, max, &whole);
	for (k = 0; k < len && k <= WSFRAME_HDR_MAX; k++) {
		if ((cp = malloc(k + 1)) == NULL)
			abort();
		memcpy(cp, p, k);
		st = wsframe_parse(cp, k, max, &h);
		free(cp);
		if (st == WSFRAME_SHORT) {
			if (h.wh_hlen <= k || h.wh_hlen > WSFRAME_HDR_MAX)
				abort();
		} else if (st != sw || memcmp(&h, &whole, sizeof(h)) != 0)
			abort();
	}
}

/* A server connection: its read buffer and the frame being read. */
struct srv {
	uint8_t		*s_acc;		/* everything read so far */
	size_t		 s_have;	/* bytes in s_acc */
	size_t		 s_pos;		/* bytes of s_acc used */
	struct wsframe_hdr s_h;		/* the frame being read */
	uint64_t	 s_done;	/* of its payload, bytes unmasked */
	int		 s_inframe;
};

/* Parse and unmask what has been read; returns -1 after an error. */
static int
server_use(struct srv *c, struct log *l)
{
	struct wsframe_hdr *h = &c->s_h;
	enum wsframe_status st;
	size_t n;

	for (;;) {
		n = c->s_have - c->s_pos;
		if (!c->s_inframe) {
			st = wsframe_parse(c->s_acc + c->s_pos, n, MAXLEN, h);
			if (st == WSFRAME_SHORT)
				return 0;
			prefixes(c->s_acc + c->s_pos, n, MAXLEN);
			rec(l, (uint64_t)st << 32 |
			    (uint64_t)h->wh_close << 16 |
			    h->wh_opcode << 8 | h->wh_fin);
			if (st == WSFRAME_ERROR)
				return -1;
			rec(l, h->wh_len);
			c->s_pos += h->wh_hlen;
			n -= h->wh_hlen;
			c->s_inframe = 1;
			c->s_done = 0;
		}
		if (n > h->wh_len - c->s_done)
			n = h->wh_len - c->s_done;
		wsframe_unmask(c->s_acc + c->s_pos, n, h->wh_key, c->s_done);
		hash(l, c->s_acc + c->s_pos, n);
		c->s_pos += n;
		if ((c->s_done += n) < h->wh_len)
			return 0;
		c->s_inframe = 0;
	}
}

/* The server side over the whole stream, read in pieces. */
static void
server(const uint8_t *data, size_t len, unsigned pattern, struct log *l)
{
	struct srv c;
	size_t n;
	unsigned k = 0;

	memset(l, 0, sizeof(*l));
	memset(&c, 0, sizeof(c));
	if ((c.s_acc = malloc(len + 1)) == NULL)
		abort();
	while (c.s_have < len) {
		n = piece(pattern, &k, len - c.s_have);
		memcpy(c.s_acc + c.s_have, data + c.s_have, n);
		c.s_have += n;
		if (server_use(&c, l) == -1)
			break;
	}
	free(c.s_acc);
}

/* Feed one piece to the client decoder; returns 1 once it stops. */
static int
client_piece(struct wsframe_dec *d, struct log *l, const char *p,
    size_t len, size_t off)
{
	struct wsframe_piece pc;
	enum wsframe_ev ev;
	size_t used, i = 0;

	while (i < len) {
		used = (size_t)-1;
		ev = wsframe_feed(d, p + i, len - i, &used, &pc);
		if (used > len - i || (pc.wp_data != NULL &&
		    (pc.wp_data < p + i || pc.wp_data + pc.wp_len !=
		    p + i + used)))
			abort();
		if (ev == WSFRAME_MORE && i + used != len)
			abort();
		i += used;
		if (ev == WSFRAME_DATA || ev == WSFRAME_MESSAGE)
			hash(l, (const uint8_t *)pc.wp_data, pc.wp_len);
		if (ev == WSFRAME_DATA && pc.wp_len == 0)
			abort();
		if (ev == WSFRAME_MORE || ev == WSFRAME_DATA)
			continue;
		if ((ev == WSFRAME_PING || ev == WSFRAME_PONG) &&
		    pc.wp_total > WSFRAME_CTL_MAX)
			abort();
		rec(l, (uint64_t)ev << 56 | (uint64_t)pc.wp_total << 40 |
		    (uint64_t)pc.wp_code << 24 | (off + i));
		if (ev == WSFRAME_BAD)
			return 1;
	}
	return 0;
}

static void
client(const uint8_t *data, size_t len, unsigned pattern, struct log *l)
{
	struct wsframe_dec d;
	size_t off = 0, n;
	unsigned k = 0;
	char *buf;
	int stop = 0;

	memset(l, 0, sizeof(*l));
	wsframe_dec_init(&d);
	while (off < len && !stop) {
		n = piece(pattern, &k, len - off);
		if ((buf = malloc(n)) == NULL)
			abort();
		memcpy(buf, data + off, n);
		stop = client_piece(&d, l, buf, n, off);
		free(buf);
		off += n;
	}
}

/* Unmasking in pieces at offsets equals unmasking whole. */
static void
masking(const uint8_t *data, size_t len, unsigned pattern)
{
	uint8_t *a, *b;
	size_t off = 0, n;
	unsigned k = 0;

	if (len < 4)
		return;
	if ((a = malloc(len)) == NULL || (b = malloc(len)) == NULL)
		abort();
	memcpy(a, data, len);
	memcpy(b, data, len);
	wsframe_unmask(a, len, data, 0);
	while (off < len) {
		n = piece(pattern, &k, len - off);
		wsframe_unmask(b + off, n, data, off);
		off += n;
	}
	if (memcmp(a, b, len) != 0)
		abort();
	free(a);
	free(b);
}

/* A header written from fuzz bytes parses back to what was asked. */
static void
header(const uint8_t *data, size_t len)
{
	struct wsframe_hdr h;
	uint8_t b[WSFRAME_HDR_MAX];
	uint64_t n = 0;
	size_t hl, i;
	int fin;

	if (len < 10)
		return;
	for (i = 2; i < 10; i++)
		n = n << 8 | data[i];
	n >>= data[1] & 63;
	fin = data[0] >> 7;
	if ((hl = wsframe_header(b, fin, data[0] & 0xf, n, data + 6)) == 0)
		return;
	if (wsframe_parse(b, hl, UINT64_MAX, &h) != WSFRAME_OK ||
	    h.wh_hlen != hl || h.wh_len != n || h.wh_fin != fin ||
	    h.wh_opcode != (data[0] & 0xf) || memcmp(h.wh_key, data + 6, 4))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct log a, b;
	unsigned code, pattern;

	if (len < 1)
		return 0;
	pattern = data[0] | 0x100;
	data++;
	len--;
	server(data, len, 0, &a);
	server(data, len, pattern, &b);
	if (memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	client(data, len, 0, &a);
	client(data, len, pattern, &b);
	if (memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	masking(data, len, pattern);
	header(data, len);
	if (wsframe_close_check(data, len, &code) == 0 && len > 0 &&
	    code != (unsigned)(data[0] << 8 | data[1]))
		abort();
	return 0;
}
