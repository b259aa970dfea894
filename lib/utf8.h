/*
 * utf8.h: strict UTF-8 (RFC 3629): no overlong forms, no surrogates
 * U+D800..U+DFFF, nothing above U+10FFFF.  A one-shot check, an
 * incremental one for messages that arrive in pieces split anywhere (a
 * fragmented WebSocket text message), and a decoder of one code point
 * that reports ill-formed input the way Unicode's "maximal subparts"
 * practice counts it, for replacing bad bytes with U+FFFD.
 */
#ifndef COMET_UTF8_H
#define COMET_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT	0xfffd	/* U+FFFD REPLACEMENT CHARACTER */

/* An incremental validator: 4 bytes, no pointers. */
struct utf8 {
	uint8_t		 u8_need;	/* continuation bytes due */
	uint8_t		 u8_lo;		/* range of the next one */
	uint8_t		 u8_hi;
	uint8_t		 u8_bad;	/* an error was seen: sticky */
};

/* 1 if buf[0..len) is well-formed UTF-8, else 0.  Empty is valid. */
int	utf8_valid(const void *, size_t);

/* Start a message. */
void	utf8_init(struct utf8 *);

/*
 * Check the next piece of a message.  Returns 1 while the bytes so far
 * can begin a valid message, 0 as soon as they cannot (and from then on,
 * whatever is fed): a caller may fail the message at once.
 */
int	utf8_feed(struct utf8 *, const void *, size_t);

/*
 * At the end of a message: 1 if everything fed was valid and did not
 * stop inside a code point, else 0.
 */
int	utf8_done(const struct utf8 *);

/*
 * Decode the code point at buf[0..len), len > 0.  Returns its length
 * (1 to 4) and sets *cp.  If buf does not start with a well-formed code
 * point, returns minus the length (1 to 3) of the maximal subpart there,
 * the longest prefix of some well-formed sequence, at least one byte;
 * replacing each such subpart with U+FFFD is Unicode's recommended
 * practice (chapter 3, "U+FFFD Substitution of Maximal Subparts"), and
 * *cp is then UTF8_REPLACEMENT.
 */
int	utf8_next(const void *, size_t, uint32_t *);

#endif
