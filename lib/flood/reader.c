/*
 * reader.c: decode an HTTP/1.1 response as it arrives, in place.
 *
 * A flood client holds a million responses open, so it cannot keep a
 * receive buffer per connection.  This decoder is a byte-at-a-time state
 * machine whose whole state fits in struct reader: any split of the
 * stream into segments gives the same result, and the caller reads every
 * connection into one shared buffer.  Chunk data is skipped in one step
 * (or, for an event stream, only scanned for line ends), so the per-byte
 * loop runs over the head, the size lines and EventSource lines.
 *
 * Only what a streaming client needs is parsed: the status code, whether
 * Transfer-Encoding names "chunked", whether Content-Type is
 * text/event-stream, a hash of Sec-WebSocket-Accept, and the chunk
 * framing (RFC 9112, section 7.1).  Extensions and trailers are skipped.
 */
#include <ctype.h>
#include <string.h>

#include "reader.h"
#include "num.h"

enum {
	S_VERSION,	/* "HTTP/1.x" */
	S_STATUS,	/* three digits */
	S_REASON,	/* rest of the status line */
	S_HLINE,	/* start of a header line */
	S_HNAME_TE,	/* matching "transfer-encoding:" */
	S_HNAME_CT,	/* matching "content-type:" */
	S_HNAME_WA,	/* matching "sec-websocket-accept:" */
	S_HVAL_TE,	/* looking for "chunked" in its value */
	S_HVAL_CT,	/* matching "text/event-stream" */
	S_HVAL_WA,	/* hashing the accept value */
	S_HSKIP,	/* rest of a header line */
	S_HEND,		/* LF of the empty line */
	S_BODY,		/* the head ended: reader_feed picks the body's state */
	S_SIZE,		/* hex chunk size */
	S_EXT,		/* chunk extension up to LF */
	S_SIZELF,	/* LF after the size */
	S_DATA,		/* chunk data */
	S_DATACR,	/* CR after the data */
	S_DATALF,	/* LF after the data */
	S_TLINE,	/* start of a trailer line */
	S_TSKIP,	/* rest of a trailer line */
	S_TEND,		/* LF of the final empty line */
	S_RAW,		/* an event stream until the connection closes */
	S_END,
	S_BAD
};

#define F_CHUNKED	0x01	/* Transfer-Encoding: chunked was seen */
#define F_DIGIT		0x02	/* a digit of the current number was seen */
#define F_EVSTREAM	0x04	/* Content-Type: text/event-stream */
#define F_ACCEPT	0x08	/* Sec-WebSocket-Accept was seen */
#define F_MODE		0x30	/* enum reader_mode << 4 */
#define MODE(d)		(((d)->rd_flags & F_MODE) >> 4)

/* rd_sse: where an EventSource line stands */
#define SSE_M		0x07	/* 0: line start, 1-4: "data" so far, 5: a
				   data field, 6: another line */
#define SSE_DATA	0x08	/* the block has a data field */
#define SSE_CR		0x10	/* the last byte was CR */

#define FNV_BASIS	2166136261u
#define FNV_PRIME	16777619u

/* The header names looked for, by S_HNAME_* - S_HNAME_TE. */
static const char *const hnames[] = {
	"transfer-encoding:", "content-type:", "sec-websocket-accept:"
};
static const char te_chunked[] = "chunked";
static const char ct_events[] = "text/event-stream";

/* A chunk size past this is refused: no stream sends 256 MiB chunks. */
#define READER_MAXSIZE	0x0fffffffU

void
reader_init(struct reader *d, enum reader_mode mode)
{
	memset(d, 0, sizeof(*d));
	d->rd_state = S_VERSION;
	d->rd_flags = (uint8_t)(mode << 4);
}

int
reader_status(const struct reader *d)
{
	return d->rd_status;
}

int
reader_chunked(const struct reader *d)
{
	return (d->rd_flags & F_CHUNKED) != 0;
}

int
reader_event_stream(const struct reader *d)
{
	return (d->rd_flags & F_EVSTREAM) != 0;
}

int
reader_accept(const struct reader *d, uint32_t *hash)
{
	*hash = d->rd_num;
	return (d->rd_flags & F_ACCEPT) != 0;
}

static uint32_t
hash_byte(uint32_t h, int ch)
{
	if (ch == ' ' || ch == '\t' || ch == '\r')
		return h;
	return (h ^ (unsigned char)ch) * FNV_PRIME;
}

uint32_t
reader_hash(const char *p, size_t len)
{
	uint32_t h = FNV_BASIS;
	size_t i;

	for (i = 0; i < len; i++)
		h = hash_byte(h, p[i]);
	return h;
}

/* One byte of the status line; returns the next state. */
static int
step_status(struct reader *d, int ch)
{
	switch (d->rd_state) {
	case S_VERSION:
		if (d->rd_match < 7)
			return ch == "HTTP/1."[d->rd_match++] ? S_VERSION : S_BAD;
		if (d->rd_match++ == 7)
			return isdigit(ch) ? S_VERSION : S_BAD;
		if (ch != ' ')
			return S_BAD;
		d->rd_match = 0;
		return S_STATUS;
	case S_STATUS:
		if (d->rd_match == 3)
			return ch == ' ' || ch == '\r' ? S_REASON :
			    ch == '\n' ? S_HLINE : S_BAD;
		if (!isdigit(ch))
			return S_BAD;
		d->rd_status = d->rd_status * 10 + (ch - '0');
		d->rd_match++;
		return S_STATUS;
	}
	/* S_REASON */
	return ch == '\n' ? S_HLINE : S_REASON;
}

/* One byte of a header name we look for; returns the next state. */
static int
step_name(struct reader *d, int ch)
{
	const char *name = hnames[d->rd_state - S_HNAME_TE];

	if (ch == '\n')
		return S_HLINE;
	if (tolower(ch) != name[d->rd_match])
		return S_HSKIP;
	if (name[++d->rd_match] != '\0')
		return d->rd_state;
	d->rd_match = 0;
	if (d->rd_state == S_HNAME_WA) {
		d->rd_flags |= F_ACCEPT;
		d->rd_num = FNV_BASIS;
	}
	return d->rd_state + (S_HVAL_TE - S_HNAME_TE);
}

/* One byte of a Content-Type value; returns the next state. */
static int
step_ctype(struct reader *d, int ch)
{
	if (ch == '\n') {
		if (d->rd_match == sizeof(ct_events) - 1)
			d->rd_flags |= F_EVSTREAM;
		return S_HLINE;
	}
	if (d->rd_match == 0 && (ch == ' ' || ch == '\t'))
		return S_HVAL_CT;
	if (d->rd_match < sizeof(ct_events) - 1) {
		if (tolower(ch) == ct_events[d->rd_match])
			d->rd_match++;
		else
			return S_HSKIP;
		return S_HVAL_CT;
	}
	if (ch == ';' || ch == ' ' || ch == '\t' || ch == '\r')
		d->rd_flags |= F_EVSTREAM;
	return S_HSKIP;
}

/* One byte of the header block; returns the next state. */
static int
step_header(struct reader *d, int ch)
{
	switch (d->rd_state) {
	case S_HLINE:
		if (ch == '\r')
			return S_HEND;
		if (ch == '\n')
			return S_BODY;	/* bare LF ends the head too */
		d->rd_match = 1;
		switch (tolower(ch)) {
		case 't':
			return S_HNAME_TE;
		case 'c':
			return S_HNAME_CT;
		case 's':
			return S_HNAME_WA;
		}
		return S_HSKIP;
	case S_HNAME_TE:
	case S_HNAME_CT:
	case S_HNAME_WA:
		return step_name(d, ch);
	case S_HVAL_TE:
		if (ch == '\n')
			return S_HLINE;
		/* "chunked" has no repeated prefix, so a restart is enough */
		if (tolower(ch) != te_chunked[d->rd_match])
			d->rd_match = tolower(ch) == te_chunked[0];
		else if (te_chunked[++d->rd_match] == '\0') {
			d->rd_flags |= F_CHUNKED;
			return S_HSKIP;
		}
		return S_HVAL_TE;
	case S_HVAL_CT:
		return step_ctype(d, ch);
	case S_HVAL_WA:
		if (ch == '\n')
			return S_HLINE;
		d->rd_num = hash_byte(d->rd_num, ch);
		return S_HVAL_WA;
	case S_HEND:
		return ch == '\n' ? S_BODY : S_BAD;
	}
	/* S_HSKIP */
	return ch == '\n' ? S_HLINE : S_HSKIP;
}

/* Where the body starts, now that the head is read. */
static int
body_state(struct reader *d)
{
	d->rd_flags &= ~F_DIGIT;
	if (MODE(d) == READER_UPGRADE)
		return S_END;	/* rd_num keeps the accept hash */
	d->rd_num = 0;
	if (MODE(d) == READER_EVENTS && !(d->rd_flags & F_CHUNKED))
		return S_RAW;
	return S_SIZE;
}

/*
 * EventSource lines in n bytes of body: a blank line ends a block, which
 * is an event if it had a data field ("data" alone, or "data:" and a
 * value).  Lines end in CR, LF or CRLF.
 */
static void
sse_feed(struct reader *d, const char *p, size_t n, uint32_t *units)
{
	uint8_t s = d->rd_sse, m;
	size_t i;
	int c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (s & SSE_CR) {
			s &= ~SSE_CR;
			if (c == '\n')
				continue;	/* the LF of a CRLF */
		}
		m = s & SSE_M;
		if (c == '\r' || c == '\n') {
			if (m == 0 && (s & SSE_DATA)) {
				(*units)++;
				s &= ~SSE_DATA;
			} else if (m == 4 || m == 5)
				s |= SSE_DATA;
			s = (s & ~SSE_M) | (c == '\r' ? SSE_CR : 0);
			continue;
		}
		if (m >= 5) {
			/* the rest of the line says nothing: skip to its end */
			while (i + 1 < n && p[i + 1] != '\r' && p[i + 1] != '\n')
				i++;
			continue;
		}
		m = m == 4 ? (c == ':' ? 5 : 6) : c == "data"[m] ? m + 1 : 6;
		s = (s & ~SSE_M) | m;
	}
	d->rd_sse = s;
}

/* One byte of a chunk size; returns the next state. */
static int
step_size(struct reader *d, int ch)
{
	int v;

	if ((v = num_hexdigit(ch)) >= 0) {
		if (d->rd_num > READER_MAXSIZE >> 4)
			return S_BAD;
		d->rd_num = d->rd_num << 4 | v;
		d->rd_flags |= F_DIGIT;
		return S_SIZE;
	}
	if (!(d->rd_flags & F_DIGIT))
		return S_BAD;
	if (ch == ';' || ch == ' ' || ch == '\t')
		return S_EXT;
	return ch == '\r' ? S_SIZELF : S_BAD;
}

/* One byte of a size line or trailer; returns the next state. */
static int
step_frame(struct reader *d, int ch)
{

	switch (d->rd_state) {
	case S_SIZE:
		return step_size(d, ch);
	case S_EXT:
		if (ch != '\n')
			return S_EXT;
		break;
	case S_SIZELF:
		if (ch != '\n')
			return S_BAD;
		break;
	case S_DATACR:
		return ch == '\r' ? S_DATALF : S_BAD;
	case S_DATALF:
		if (ch != '\n')
			return S_BAD;
		d->rd_num = 0;
		d->rd_flags &= ~F_DIGIT;
		return S_SIZE;
	case S_TLINE:
		return ch == '\r' ? S_TEND : ch == '\n' ? S_END : S_TSKIP;
	case S_TSKIP:
		return ch == '\n' ? S_TLINE : S_TSKIP;
	case S_TEND:
		return ch == '\n' ? S_END : S_BAD;
	default:
		return S_BAD;
	}
	/* the size line ended: data, or the last chunk's trailers */
	return d->rd_num ? S_DATA : S_TLINE;
}

/* The body bytes p[0..n) of chunk data or a raw stream. */
static void
body_bytes(struct reader *d, const char *p, size_t n, uint32_t *units)
{
	if (MODE(d) == READER_EVENTS)
		sse_feed(d, p, n, units);
}

enum reader_ev
reader_feed(struct reader *d, const char *p, size_t len, size_t *used,
    uint32_t *units)
{
	size_t i = 0, n;
	int st = d->rd_state;

	while (i < len) {
		if (st == S_DATA || st == S_RAW) {
			n = len - i;
			if (st == S_DATA && n > d->rd_num)
				n = d->rd_num;
			body_bytes(d, p + i, n, units);
			i += n;
			if (st == S_DATA && (d->rd_num -= n) == 0) {
				if (MODE(d) == READER_CHUNKS)
					(*units)++;
				st = S_DATACR;
			}
			continue;
		}
		if (st >= S_END)
			break;
		d->rd_state = st;
		if (st <= S_REASON)
			st = step_status(d, (unsigned char)p[i++]);
		else if (st < S_BODY)
			st = step_header(d, (unsigned char)p[i++]);
		else
			st = step_frame(d, (unsigned char)p[i++]);
		if (st == S_BODY) {
			d->rd_state = body_state(d);
			*used = i;
			return READER_HEAD;
		}
	}
	d->rd_state = st;
	*used = i;
	if (st == S_END && i == 0 && len > 0)
		st = d->rd_state = S_BAD;	/* bytes after the end */
	if (st == S_END)
		return READER_END;
	return st == S_BAD ? READER_BAD : READER_MORE;
}
