/*
 * reader.c: decode an HTTP/1.1 response as it arrives, in place.
 *
 * A flood client holds a million responses open, so it cannot keep a
 * receive buffer per connection.  This decoder is a byte-at-a-time state
 * machine whose whole state fits in struct reader: any split of the
 * stream into segments gives the same result, and the caller reads every
 * connection into one shared buffer.  Chunk data is skipped in one step,
 * so the per-byte loop only runs over the head and the size lines.
 *
 * Only what a streaming client needs is parsed: the status code, whether
 * Transfer-Encoding names "chunked", and the chunk framing (RFC 9112,
 * section 7.1).  Extensions and trailers are skipped.
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
	S_HNAME,	/* matching "transfer-encoding:" */
	S_HVALUE,	/* looking for "chunked" in its value */
	S_HSKIP,	/* rest of a header line */
	S_HEND,		/* LF of the empty line */
	S_SIZE,		/* hex chunk size */
	S_EXT,		/* chunk extension up to LF */
	S_SIZELF,	/* LF after the size */
	S_DATA,		/* chunk data */
	S_DATACR,	/* CR after the data */
	S_DATALF,	/* LF after the data */
	S_TLINE,	/* start of a trailer line */
	S_TSKIP,	/* rest of a trailer line */
	S_TEND,		/* LF of the final empty line */
	S_END,
	S_BAD
};

static const char te_name[] = "transfer-encoding:";
static const char te_chunked[] = "chunked";

/* A chunk size past this is refused: no stream sends 256 MiB chunks. */
#define READER_MAXSIZE	0x0fffffffU

void
reader_init(struct reader *d)
{
	memset(d, 0, sizeof(*d));
	d->rd_state = S_VERSION;
}

/* Returns the status code of the head, 0 until it has been read. */
int
reader_status(const struct reader *d)
{
	return d->rd_status;
}

/* Returns 1 if the head announced a chunked body, else 0. */
int
reader_chunked(const struct reader *d)
{
	return (d->rd_flags & READER_F_CHUNKED) != 0;
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

/* One byte of the header block; returns the next state. */
static int
step_header(struct reader *d, int ch)
{
	switch (d->rd_state) {
	case S_HLINE:
		if (ch == '\r')
			return S_HEND;
		if (ch == '\n')
			return S_SIZE;	/* bare LF ends the head too */
		d->rd_match = 0;
		/* FALLTHROUGH */
	case S_HNAME:
		if (ch == '\n')
			return S_HLINE;
		if (tolower(ch) != te_name[d->rd_match])
			return S_HSKIP;
		if (te_name[++d->rd_match] != '\0')
			return S_HNAME;
		d->rd_match = 0;
		return S_HVALUE;
	case S_HVALUE:
		if (ch == '\n')
			return S_HLINE;
		/* "chunked" has no repeated prefix, so a restart is enough */
		if (tolower(ch) != te_chunked[d->rd_match])
			d->rd_match = tolower(ch) == te_chunked[0];
		else if (te_chunked[++d->rd_match] == '\0') {
			d->rd_flags |= READER_F_CHUNKED;
			return S_HSKIP;
		}
		return S_HVALUE;
	}
	/* S_HSKIP */
	return ch == '\n' ? S_HLINE : S_HSKIP;
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
		d->rd_flags |= READER_F_DIGIT;
		return S_SIZE;
	}
	if (!(d->rd_flags & READER_F_DIGIT))
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
		d->rd_flags &= ~READER_F_DIGIT;
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

/*
 * Feed len bytes of the response.  Stops early right after the head
 * (READER_HEAD, so the caller can check the status before the body), at
 * the end of the body (READER_END) or at broken framing (READER_BAD);
 * otherwise uses everything and returns READER_MORE.  *used is set to the
 * bytes consumed and *chunks is increased by the chunk-data units
 * completed.  READER_END stops right after the last byte of the body;
 * any byte fed after that is broken framing.  After READER_BAD every
 * call returns READER_BAD.
 */
enum reader_ev
reader_feed(struct reader *d, const char *p, size_t len, size_t *used,
    uint32_t *chunks)
{
	size_t i = 0, n;
	int st = d->rd_state;

	while (i < len) {
		if (st == S_DATA) {
			n = len - i < d->rd_num ? len - i : d->rd_num;
			i += n;
			if ((d->rd_num -= n) == 0) {
				(*chunks)++;
				st = S_DATACR;
			}
			continue;
		}
		if (st >= S_END)
			break;
		d->rd_state = st;
		if (st <= S_REASON)
			st = step_status(d, (unsigned char)p[i++]);
		else if (st <= S_HEND)
			st = st == S_HEND ? (p[i++] == '\n' ? S_SIZE : S_BAD) :
			    step_header(d, (unsigned char)p[i++]);
		else
			st = step_frame(d, (unsigned char)p[i++]);
		if (st == S_SIZE && d->rd_state <= S_HEND) {
			d->rd_state = st;
			d->rd_num = 0;
			d->rd_flags &= ~READER_F_DIGIT;
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
