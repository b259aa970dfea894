/*
 * batch.h: the body of a batch publish (POST /send), lines of
 * "Id<TAB>message".  A pure parser: it reads only the bytes it is given,
 * never allocates, and turns any input into lines or counted errors.
 */
#ifndef COMET_BATCH_H
#define COMET_BATCH_H

#include <stddef.h>

enum batch_status {
	BATCH_NONE,	/* no line finished: feed more bytes (or skipped) */
	BATCH_OK,	/* bl_id and bl_msg are set */
	BATCH_BLANK,	/* an empty line: ignored, not an error */
	BATCH_NOTAB,	/* no TAB in the line */
	BATCH_BADID,	/* Id empty, too long or not visible ASCII */
	BATCH_EMPTY,	/* empty message */
	BATCH_TOOLONG	/* message longer than bt_maxmsg */
};

struct batch {
	size_t		 bt_maxid;	/* longest Id accepted, bytes */
	size_t		 bt_maxmsg;	/* longest message accepted, bytes */
	int		 bt_skip;	/* inside an over-long line: drop to \n */
};

struct batch_line {
	enum batch_status bl_status;
	const char	*bl_id;		/* into the caller's buffer */
	size_t		 bl_idlen;
	const char	*bl_msg;	/* into the caller's buffer */
	size_t		 bl_msglen;
};

/* Start parsing a body with the given limits. */
void	batch_init(struct batch *, size_t, size_t);

/*
 * Take at most one line from buf[0..len).  final says no more bytes will
 * follow, so a last line without a newline still counts.  Returns the
 * bytes consumed (the line and its newline; a trailing CR is not part of
 * the message) and sets out->bl_status.  Returns 0 only when more input
 * is needed (or buf is empty).  A line longer than the limits is reported
 * once as BATCH_TOOLONG and its remaining bytes are skipped, so a caller
 * may keep a buffer no longer than bt_maxid + bt_maxmsg + 3 bytes.
 */
size_t	batch_next(struct batch *, const char *, size_t, int,
	    struct batch_line *);

/* Nonzero if status is one of the malformed-line errors. */
int	batch_malformed(enum batch_status);

#endif
