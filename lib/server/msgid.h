/*
 * msgid.h: message ids.  A message published to an Id gets, from the
 * Id's owner, the id "A-B": two decimal numbers, A the epoch of the
 * history that keeps it (the owner worker's start time in ms since
 * 1970, raised past the previous epoch if the clock went back) and B a
 * sequence number of that worker.  Ids compare as (A, B), so they
 * increase per Id and are never reused while cometd runs; after a
 * worker restart A is new and a client's old id is recognisably from
 * another epoch.  Redis stream ids have the same
 * "ms-seq" shape.  An id travels in Last-Event-ID, so it is printable
 * and short: at most MSGID_MAX bytes.
 */
#ifndef COMET_MSGID_H
#define COMET_MSGID_H

#include <stddef.h>
#include <stdint.h>

#define MSGID_MAX	41	/* "18446744073709551615-18446744073709551615" */

struct msgid {
	uint64_t	 mi_a;		/* epoch */
	uint64_t	 mi_b;		/* sequence within the epoch */
};

/*
 * Parse s[0..len) as "A-B" (decimal, no sign, no leading zeros but a lone
 * 0, each part fitting 64 bits).  Returns 0, or -1 if it is not an id.
 */
int	msgid_parse(const char *, size_t, struct msgid *);

/*
 * Write id as "A-B" into buf (MSGID_MAX + 1 bytes, NUL-terminated).
 * Returns the length.
 */
size_t	msgid_format(char *, const struct msgid *);

/*
 * The id just before id, so that "after it" starts at id: (A, B-1), or
 * (A-1, 2^64-1) when B is 0 (Redis stream ids count B from 0).  0-0 has
 * none and is returned as it is.
 */
struct msgid	msgid_prev(const struct msgid *);

/* <0, 0, >0 as a is before, equal to or after b. */
int	msgid_cmp(const struct msgid *, const struct msgid *);

#endif
