/*
 * batch.c: split a batch publish body into "Id<TAB>message" lines.
 *
 * The input comes from the network, so every byte sequence must end in a
 * line, a blank, or a counted error, and never read past len.  Lines may
 * end in LF or CRLF; the last line may lack its newline (pipes built with
 * printf often do).
 */
#include <stddef.h>
#include <string.h>

#include "batch.h"

void
batch_init(struct batch *b, size_t maxid, size_t maxmsg)
{
	b->bt_maxid = maxid;
	b->bt_maxmsg = maxmsg;
	b->bt_skip = 0;
}

int
batch_malformed(enum batch_status st)
{
	return st != BATCH_NONE && st != BATCH_OK && st != BATCH_BLANK;
}

static int
batch_idok(const char *id, size_t len, size_t max)
{
	size_t i;

	if (len == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)id[i] <= ' ' || (unsigned char)id[i] > '~')
			return 0;
	return 1;
}

/* Classify one complete line (without its newline). */
static void
batch_line(const struct batch *b, const char *p, size_t len,
    struct batch_line *out)
{
	const char *tab;

	if (len > 0 && p[len - 1] == '\r')
		len--;
	out->bl_status = BATCH_BLANK;
	if (len == 0)
		return;
	out->bl_status = BATCH_NOTAB;
	if ((tab = memchr(p, '\t', len)) == NULL)
		return;
	out->bl_id = p;
	out->bl_idlen = (size_t)(tab - p);
	out->bl_msg = tab + 1;
	out->bl_msglen = len - out->bl_idlen - 1;
	if (!batch_idok(out->bl_id, out->bl_idlen, b->bt_maxid))
		out->bl_status = BATCH_BADID;
	else if (out->bl_msglen == 0)
		out->bl_status = BATCH_EMPTY;
	else if (out->bl_msglen > b->bt_maxmsg)
		out->bl_status = BATCH_TOOLONG;
	else
		out->bl_status = BATCH_OK;
}

/* Inside an over-long line: drop bytes up to and including its newline. */
static size_t
batch_skip(struct batch *b, const char *buf, size_t len, int final)
{
	const char *nl;

	if ((nl = memchr(buf, '\n', len)) == NULL) {
		if (final)
			b->bt_skip = 0;
		return len;
	}
	b->bt_skip = 0;
	return (size_t)(nl - buf) + 1;
}

size_t
batch_next(struct batch *b, const char *buf, size_t len, int final,
    struct batch_line *out)
{
	const char *nl;
	size_t limit, scan;

	out->bl_status = BATCH_NONE;
	if (len == 0)
		return 0;
	if (b->bt_skip)
		return batch_skip(b, buf, len, final);
	/* Id, TAB, message, CR, LF: anything longer cannot be valid. */
	limit = b->bt_maxid + b->bt_maxmsg + 3;
	scan = len < limit ? len : limit;
	if ((nl = memchr(buf, '\n', scan)) != NULL) {
		batch_line(b, buf, (size_t)(nl - buf), out);
		return (size_t)(nl - buf) + 1;
	}
	if (len >= limit) {
		/* Stop at limit: a newline after it ends the skipped line. */
		out->bl_status = BATCH_TOOLONG;
		b->bt_skip = 1;
		return limit;
	}
	if (!final)
		return 0;
	batch_line(b, buf, len, out);
	return len;
}
