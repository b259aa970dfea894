/*
 * wsframe.c: WebSocket frames, RFC 6455 section 5.
 *
 * The server reads client frames into a buffer it already owns, so its
 * side is a plain function over bytes in memory: parse a header, then
 * unmask the payload in whatever pieces it arrives in.  The load client
 * cannot buffer per connection, so its side is a byte-at-a-time state
 * machine like chunk.c: 12 bytes of state, any split of the stream gives
 * the same events, and payload is skipped (or shown) in one step.
 *
 * No extension is ever negotiated, so every RSV bit is an error, and
 * lengths must be in their shortest form (section 5.2 says MUST).
 */
#include <errno.h>
#include <string.h>

#include "utf8.h"
#include "wsframe.h"

/* Client decoder states, wd_state. */
enum {
	D_HEAD0,	/* FIN, RSV, opcode */
	D_HEAD1,	/* MASK and the 7-bit length */
	D_EXT,		/* extended length: wd_aux bytes to go */
	D_CODE0,	/* close code, high byte */
	D_CODE1,	/* close code, low byte */
	D_PAY,		/* payload: wd_left (and wd_hi) bytes to go */
	D_END,		/* the close frame ended */
	D_BAD
};

/* wd_flags above the opcode. */
#define F_FIN	0x10	/* the frame has FIN */
#define F_INMSG	0x20	/* a fragmented message is open */
#define F_LONG	0x40	/* the length is in the 8-byte form */
#define F_OP	0x0f

static int
op_known(unsigned op)
{
	return op <= WSFRAME_OP_BINARY || (op >= WSFRAME_OP_CLOSE &&
	    op <= WSFRAME_OP_PONG);
}

static enum wsframe_status
parse_fail(struct wsframe_hdr *h, unsigned status)
{
	h->wh_close = status;
	return WSFRAME_ERROR;
}

/*
 * The extended length of ext bytes at p; returns 0 and sets *n, or the
 * close status for a length that is not allowed.
 */
static unsigned
parse_extlen(const uint8_t *p, size_t ext, uint64_t max, uint64_t *n)
{
	size_t i;

	*n = 0;
	for (i = 0; i < ext; i++)
		*n = *n << 8 | p[i];
	if (*n >> 63 || *n < (ext == 2 ? 126U : 65536U))
		return WSFRAME_PROTOCOL;
	return *n > max ? WSFRAME_TOOBIG : 0;
}

enum wsframe_status
wsframe_parse(const void *buf, size_t len, uint64_t max,
    struct wsframe_hdr *h)
{
	const uint8_t *p = buf;
	uint64_t n;
	size_t ext;
	unsigned st;

	memset(h, 0, sizeof(*h));
	h->wh_hlen = 2;
	if (len < 1)
		return WSFRAME_SHORT;
	h->wh_fin = p[0] >> 7;
	h->wh_rsv = (p[0] >> 4) & 7;
	h->wh_opcode = p[0] & F_OP;
	if (h->wh_rsv || !op_known(h->wh_opcode) ||
	    (h->wh_opcode >= WSFRAME_OP_CLOSE && !h->wh_fin))
		return parse_fail(h, WSFRAME_PROTOCOL);
	if (len < 2)
		return WSFRAME_SHORT;
	h->wh_masked = p[1] >> 7;
	n = p[1] & 0x7f;
	if (!h->wh_masked || (h->wh_opcode >= WSFRAME_OP_CLOSE &&
	    n > WSFRAME_CTL_MAX))
		return parse_fail(h, WSFRAME_PROTOCOL);
	ext = n == 126 ? 2 : n == 127 ? 8 : 0;
	if (ext == 0 && n > max)
		return parse_fail(h, WSFRAME_TOOBIG);
	h->wh_hlen = 2 + ext + 4;
	if (len < 2 + ext)
		return WSFRAME_SHORT;
	if (ext > 0 && (st = parse_extlen(p + 2, ext, max, &n)) != 0)
		return parse_fail(h, st);
	if (len < h->wh_hlen)
		return WSFRAME_SHORT;
	memcpy(h->wh_key, p + 2 + ext, 4);
	h->wh_len = n;
	return WSFRAME_OK;
}

void
wsframe_unmask(void *buf, size_t len, const uint8_t key[4], uint64_t off)
{
	uint8_t *p = buf, k[8];
	uint64_t w, k64;
	size_t i;

	/* the key turned to start at off, twice: eight bytes per XOR */
	for (i = 0; i < 8; i++)
		k[i] = key[(off + i) & 3];
	memcpy(&k64, k, 8);
	for (i = 0; len - i >= 8; i += 8) {
		memcpy(&w, p + i, 8);
		w ^= k64;
		memcpy(p + i, &w, 8);
	}
	for (; i < len; i++)
		p[i] ^= k[i & 7];
}

/* Returns 1 if code may appear in a close frame (RFC 6455 7.4). */
static int
code_ok(unsigned code)
{
	return (code >= 1000 && code <= 1003) ||
	    (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

int
wsframe_close_check(const void *buf, size_t len, unsigned *code)
{
	const uint8_t *p = buf;

	*code = WSFRAME_NOSTATUS;
	if (len == 0)
		return 0;
	if (len == 1 || len > WSFRAME_CTL_MAX)
		return WSFRAME_PROTOCOL;
	*code = (unsigned)p[0] << 8 | p[1];
	if (!code_ok(*code))
		return WSFRAME_PROTOCOL;
	return utf8_valid(p + 2, len - 2) ? 0 : WSFRAME_BADDATA;
}

size_t
wsframe_header(void *buf, int fin, unsigned opcode, uint64_t len,
    const uint8_t *key)
{
	uint8_t *p = buf;
	size_t n, ext, i;

	if (!op_known(opcode) || len >> 63 ||
	    (opcode >= WSFRAME_OP_CLOSE && (!fin || len > WSFRAME_CTL_MAX)))
		return 0;
	p[0] = (fin ? 0x80 : 0) | opcode;
	ext = len < 126 ? 0 : len <= 0xffff ? 2 : 8;
	p[1] = (key != NULL ? 0x80 : 0) |
	    (ext == 0 ? len : ext == 2 ? 126 : 127);
	for (i = 0; i < ext; i++)
		p[2 + i] = len >> (8 * (ext - 1 - i));
	n = 2 + ext;
	if (key != NULL) {
		memcpy(p + n, key, 4);
		n += 4;
	}
	return n;
}

int
wsframe_close_build(void *buf, unsigned code, const void *reason,
    size_t rlen)
{
	uint8_t *p = buf;
	const uint8_t *r = reason;

	if (code == 0)
		return 0;
	if (!code_ok(code)) {
		errno = EINVAL;
		return -1;
	}
	if (rlen > WSFRAME_CTL_MAX - 2) {
		/* back off to the lead byte of a character cut in two */
		rlen = WSFRAME_CTL_MAX - 2;
		while (rlen > 0 && (r[rlen] & 0xc0) == 0x80)
			rlen--;
	}
	p[0] = code >> 8;
	p[1] = code & 0xff;
	if (rlen > 0)
		memcpy(p + 2, r, rlen);
	return (int)(2 + rlen);
}

void
wsframe_dec_init(struct wsframe_dec *d)
{
	memset(d, 0, sizeof(*d));
	d->wd_state = D_HEAD0;
}

/* The first header byte; returns the next state. */
static int
dec_head0(struct wsframe_dec *d, unsigned c)
{
	unsigned op = c & F_OP, open = d->wd_flags & F_INMSG;

	if (c & 0x70 || !op_known(op))
		return D_BAD;
	if (op >= WSFRAME_OP_CLOSE) {
		if (!(c & 0x80))
			return D_BAD;
	} else if ((op == WSFRAME_OP_CONT) != (open != 0))
		return D_BAD;	/* CONT outside a message, or TEXT inside */
	else
		open = c & 0x80 ? 0 : F_INMSG;
	d->wd_flags = op | (c & 0x80 ? F_FIN : 0) | open;
	return D_HEAD1;
}

/* The second header byte: no mask, and the 7-bit length. */
static int
dec_head1(struct wsframe_dec *d, unsigned c)
{
	unsigned n = c & 0x7f;

	if (c & 0x80)
		return D_BAD;
	d->wd_left = d->wd_hi = 0;
	if ((d->wd_flags & F_OP) < WSFRAME_OP_CLOSE) {
		if (n < 126) {
			d->wd_left = n;
			return D_PAY;
		}
		d->wd_aux = n == 126 ? 2 : 8;
		if (n == 127)
			d->wd_flags |= F_LONG;
		return D_EXT;
	}
	if (n > WSFRAME_CTL_MAX)
		return D_BAD;
	d->wd_left = d->wd_hi = n;
	if ((d->wd_flags & F_OP) != WSFRAME_OP_CLOSE)
		return D_PAY;
	d->wd_aux = WSFRAME_NOSTATUS;
	if (n == 1)
		return D_BAD;
	d->wd_hi = n == 0 ? 0 : n - 2;
	return n == 0 ? D_PAY : D_CODE0;
}

/* One header byte; returns the next state. */
static int
dec_step(struct wsframe_dec *d, unsigned c)
{
	switch (d->wd_state) {
	case D_HEAD0:
		return dec_head0(d, c);
	case D_HEAD1:
		return dec_head1(d, c);
	case D_EXT:
		if (d->wd_aux == 8 && c & 0x80)
			return D_BAD;
		d->wd_hi = d->wd_hi << 8 | d->wd_left >> 24;
		d->wd_left = d->wd_left << 8 | c;
		if (--d->wd_aux > 0)
			return D_EXT;
		if (d->wd_hi == 0 && d->wd_left <
		    (d->wd_flags & F_LONG ? 65536U : 126U))
			return D_BAD;
		return D_PAY;
	case D_CODE0:
		d->wd_aux = c << 8;
		d->wd_left--;
		return D_CODE1;
	case D_CODE1:
		d->wd_aux |= c;
		d->wd_left--;
		return D_PAY;
	}
	return D_BAD;
}

/* Payload bytes left; a control frame keeps its length in wd_hi. */
static uint64_t
dec_left(const struct wsframe_dec *d)
{
	if ((d->wd_flags & F_OP) >= WSFRAME_OP_CLOSE)
		return d->wd_left;
	return (uint64_t)d->wd_hi << 32 | d->wd_left;
}

/* Skip up to avail payload bytes; returns how many. */
static size_t
dec_take(struct wsframe_dec *d, size_t avail)
{
	uint64_t left = dec_left(d);

	if (avail > left)
		avail = (size_t)left;
	left -= avail;
	d->wd_left = (uint32_t)left;
	if ((d->wd_flags & F_OP) < WSFRAME_OP_CLOSE)
		d->wd_hi = left >> 32;
	return avail;
}

/* A frame ended; returns its event, WSFRAME_MORE for nothing to say. */
static enum wsframe_ev
dec_end(struct wsframe_dec *d, struct wsframe_piece *pc)
{
	d->wd_state = D_HEAD0;
	switch (d->wd_flags & F_OP) {
	case WSFRAME_OP_PING:
		pc->wp_total = d->wd_hi;
		return WSFRAME_PING;
	case WSFRAME_OP_PONG:
		pc->wp_total = d->wd_hi;
		return WSFRAME_PONG;
	case WSFRAME_OP_CLOSE:
		pc->wp_total = d->wd_hi;
		pc->wp_code = d->wd_aux;
		d->wd_state = D_END;
		return WSFRAME_CLOSE;
	}
	if (d->wd_flags & F_FIN)
		return WSFRAME_MESSAGE;
	return pc->wp_len > 0 ? WSFRAME_DATA : WSFRAME_MORE;
}

enum wsframe_ev
wsframe_feed(struct wsframe_dec *d, const char *p, size_t len, size_t *used,
    struct wsframe_piece *pc)
{
	enum wsframe_ev ev;
	size_t i = 0;

	memset(pc, 0, sizeof(*pc));
	while (i < len && d->wd_state < D_END) {
		if (d->wd_state != D_PAY) {
			d->wd_state = dec_step(d, (unsigned char)p[i++]);
			if (d->wd_state != D_PAY || dec_left(d) > 0)
				continue;
			pc->wp_data = p + i;
			pc->wp_len = 0;
		} else {
			pc->wp_data = p + i;
			pc->wp_len = dec_take(d, len - i);
			i += pc->wp_len;
			if (dec_left(d) > 0) {
				*used = i;
				if ((d->wd_flags & F_OP) < WSFRAME_OP_CLOSE)
					return WSFRAME_DATA;
				break;
			}
		}
		if ((ev = dec_end(d, pc)) != WSFRAME_MORE) {
			*used = i;
			return ev;
		}
	}
	if (i < len && d->wd_state == D_END)
		d->wd_state = D_BAD;	/* bytes after the close frame */
	*used = i;
	memset(pc, 0, sizeof(*pc));
	return d->wd_state == D_BAD ? WSFRAME_BAD : WSFRAME_MORE;
}
