/*
 * resp.h: a client codec for the Redis protocol, RESP2 and RESP3, for an
 * event loop that reads replies into its own buffer.  Commands are
 * encoded into a caller's buffer; a reply is parsed in place into a
 * caller's array of items that point into the buffer.  Nothing here
 * allocates, touches a socket or reads past the bytes it is given.
 */
#ifndef COMET_RESP_H
#define COMET_RESP_H

#include <stddef.h>
#include <stdint.h>

enum resp_type {
	RESP_SIMPLE,	/* +text: ri_str */
	RESP_ERROR,	/* -text: ri_str */
	RESP_INT,	/* :n: ri_int */
	RESP_BULK,	/* $n: ri_str, binary safe */
	RESP_NULL,	/* _, and RESP2's $-1 and *-1 */
	RESP_BOOL,	/* #t or #f: ri_int 1 or 0 */
	RESP_DOUBLE,	/* ,text: ri_str as sent ("1.5", "inf", "nan") */
	RESP_BIGNUM,	/* (digits: ri_str as sent, sign and digits */
	RESP_BULKERR,	/* !n: ri_str */
	RESP_VERBATIM,	/* =n: ri_str after "txt:"; the format is ri_str - 4 */
	RESP_ARRAY,	/* *n: the n replies that follow */
	RESP_MAP,	/* %n: 2n replies that follow, key then value */
	RESP_SET,	/* ~n */
	RESP_PUSH	/* >n: out of band, e.g. a pub/sub message */
};

/*
 * One reply, or one element of an aggregate, in pre-order: an aggregate
 * comes first, then its elements.  Its ri_span says how many items its
 * whole subtree takes (itself included), so items + ri_span is the next
 * sibling.
 */
struct resp_item {
	const char	*ri_str;	/* strings: into the parsed buffer */
	size_t		 ri_len;	/* bytes at ri_str */
	long long	 ri_int;	/* RESP_INT, RESP_BOOL; aggregates: the
					   number of replies that follow as
					   elements (2n for a map) */
	uint32_t	 ri_span;	/* items in this subtree */
	uint8_t		 ri_type;	/* enum resp_type */
};

/* What the caller accepts from the server; see resp_parse. */
struct resp_limits {
	size_t		 rl_maxitems;	/* items the array holds */
	unsigned	 rl_maxdepth;	/* aggregates open at once */
	size_t		 rl_maxbulk;	/* longest string, bytes */
};

enum resp_status {
	RESP_OK,		/* one reply parsed */
	RESP_INCOMPLETE,	/* read more and parse again from the start */
	RESP_BAD,		/* malformed: drop the connection */
	RESP_TOOMANY,		/* more than rl_maxitems items */
	RESP_TOODEEP,		/* nested deeper than rl_maxdepth */
	RESP_TOOBIG		/* a string longer than rl_maxbulk */
};

/*
 * Encode a command of argc arguments, argv[i] being lens[i] bytes (or a
 * C string when lens is NULL), as an array of bulk strings into
 * buf[0..size).  Returns the length of the whole command, as snprintf
 * does: it is in buf only when that is <= size (nothing is terminated).
 */
size_t	resp_encode(char *, size_t, int, const char *const *,
	    const size_t *);

/*
 * Parse exactly one reply from the start of buf[0..len) into items,
 * in pre-order; a RESP3 attribute (|) is checked and skipped, and the
 * reply after it is returned.  Returns RESP_OK with *nitems set and *used
 * the reply's length (the next reply starts there); RESP_INCOMPLETE when
 * buf holds only a prefix of a reply (nothing is kept: parse again from
 * the start once more bytes are in); otherwise an error.  RESP_BAD is a
 * wrong type byte, a CR or LF that is not part of a CRLF ending a line,
 * a bulk string not followed by CRLF, a length that is negative but for
 * the -1 of $ and *, an integer or length that is empty, not decimal,
 * beyond 64 bits or longer than 20 bytes, a bad boolean, double or big
 * number, a verbatim string without its "xxx:" prefix, and a RESP3
 * streamed string or aggregate ($? or *?), which Redis never sends.  The
 * limits give RESP_TOOMANY, RESP_TOODEEP (a top-level aggregate is at
 * depth 1) and RESP_TOOBIG as soon as the header that exceeds them is
 * in, so a huge reply fails before it is read; a simple string, error,
 * double or big number line longer than rl_maxbulk is RESP_TOOBIG too.
 * Items of an attribute count against rl_maxitems until it is dropped.
 * A prefix of any input gives RESP_INCOMPLETE or the same answer as the
 * whole.  On anything but RESP_OK the items hold nothing useful.
 */
enum resp_status	resp_parse(const char *, size_t,
			    const struct resp_limits *, struct resp_item *,
			    size_t *, size_t *);

#endif
