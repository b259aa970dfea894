/*
 * libFuzzer harness for the batch-publish parser (lib/batch.c).
 *
 * The body is parsed twice: once whole, and once streamed through a buffer
 * no larger than the documented bt_maxid + bt_maxmsg + 3 bytes in pieces
 * whose size the first input byte picks, the way cometd reads a body off
 * the network.  Both must see the same lines (status, Id and message),
 * every accepted line must respect the limits and carry no newline, and
 * the parser must always make progress on a full buffer or a final one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/batch.h"

#define MAXID	8
#define MAXMSG	32
#define CAP	(MAXID + MAXMSG + 3)

/* FNV-1a over every line the parser reported, so two runs can compare. */
struct digest {
	uint64_t	 d_hash;
	size_t		 d_lines;
};

static void
mix(struct digest *d, const void *p, size_t n)
{
	const unsigned char	*s = p;

	while (n-- > 0)
		d->d_hash = (d->d_hash ^ *s++) * 1099511628211ULL;
}

static void
record(struct digest *d, const struct batch_line *l, const char *buf,
    size_t len)
{
	int	 st = l->bl_status;

	if (st == BATCH_NONE)
		return;
	d->d_lines++;
	mix(d, &st, sizeof(st));
	if (st != BATCH_OK)
		return;
	if (l->bl_id < buf || l->bl_id + l->bl_idlen > buf + len ||
	    l->bl_msg < buf || l->bl_msg + l->bl_msglen > buf + len ||
	    l->bl_idlen == 0 || l->bl_idlen > MAXID ||
	    l->bl_msglen == 0 || l->bl_msglen > MAXMSG ||
	    memchr(l->bl_id, '\t', l->bl_idlen) != NULL ||
	    memchr(l->bl_msg, '\n', l->bl_msglen) != NULL)
		abort();
	mix(d, l->bl_id, l->bl_idlen);
	mix(d, "\t", 1);
	mix(d, l->bl_msg, l->bl_msglen);
}

/* Parse all of buf[0..len), final; returns bytes left unconsumed. */
static size_t
drain(struct batch *b, struct digest *d, const char *buf, size_t len,
    int final)
{
	struct batch_line	 l;
	size_t			 n, off = 0;

	while (off < len) {
		n = batch_next(b, buf + off, len - off, final, &l);
		if (n > len - off)
			abort();
		if (n == 0) {
			/* Stalling on a full buffer or at the end is a hang. */
			if (final || len - off >= CAP)
				abort();
			break;
		}
		record(d, &l, buf + off, n);
		off += n;
	}
	return len - off;
}

static void
whole(const uint8_t *data, size_t len, struct digest *d)
{
	struct batch	 b;
	char		*buf;

	if ((buf = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(buf, data, len);
	batch_init(&b, MAXID, MAXMSG);
	drain(&b, d, buf, len, 1);
	free(buf);
}

static void
streamed(const uint8_t *data, size_t len, size_t piece, struct digest *d)
{
	struct batch	 b;
	char		 buf[CAP];
	size_t		 have = 0, left, n, off = 0;

	batch_init(&b, MAXID, MAXMSG);
	while (off < len) {
		n = CAP - have;
		if (n > piece)
			n = piece;
		if (n > len - off)
			n = len - off;
		memcpy(buf + have, data + off, n);
		have += n;
		off += n;
		left = drain(&b, d, buf, have, off == len);
		memmove(buf, buf + have - left, left);
		have = left;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct digest	 a = { 14695981039346656037ULL, 0 };
	struct digest	 s = { 14695981039346656037ULL, 0 };

	if (len < 1)
		return 0;
	whole(data + 1, len - 1, &a);
	streamed(data + 1, len - 1, data[0] % CAP + 1, &s);
	if (a.d_hash != s.d_hash || a.d_lines != s.d_lines)
		abort();
	return 0;
}
