/*
 * stamp.h: the send time a publisher puts in a message ("t=" and 16
 * digits of microseconds since the epoch, as cometgen -m writes), found
 * again in what a flood connection reads.  Only the bytes of one read
 * are looked at: a connection keeps nothing between reads, so a stamp
 * cut by the end of a read cannot be completed and is reported as cut.
 */
#ifndef COMET_STAMP_H
#define COMET_STAMP_H

#include <stddef.h>
#include <stdint.h>

#define STAMP_DIGITS	16	/* µs since 1970: 2001 to 2286 */

enum stamp_res {
	STAMP_NONE,		/* no more stamps in the buffer */
	STAMP_FOUND,		/* a stamp, in *us */
	STAMP_CUT		/* a stamp whose digits run to the end */
};

/*
 * Look for the next stamp in p[0..len) from offset *off: "t=" at the
 * start of the buffer or after a byte that is not a letter, digit or
 * '_', then exactly 16 digits and a byte that is not a digit.  Returns
 * STAMP_FOUND with *us set, STAMP_CUT when "t=" and only digits reach the
 * end of the buffer (fewer than 17 of them), or STAMP_NONE; *off moves
 * past what was looked at, so calling again finds the next one.  Reads
 * nothing outside p[0..len).
 */
enum stamp_res	stamp_next(const char *, size_t, size_t *, uint64_t *);

#endif
