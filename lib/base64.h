/*
 * base64.h: base64 (RFC 4648 section 4, padded) and base64url (section
 * 5, unpadded, as JWS compact serialization uses).  The decoders are
 * strict, so every byte string has exactly one accepted encoding: that
 * keeps a signature from having a second spelling.  Nothing allocates and
 * nothing reads past the length given; no output is NUL-terminated.
 */
#ifndef COMET_BASE64_H
#define COMET_BASE64_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Encoded length of n bytes: padded base64, and unpadded base64url.
 * These macros use n more than once.
 */
#define BASE64_LEN(n)		(((n) + 2) / 3 * 4)
#define BASE64URL_LEN(n)	(((n) / 3 * 4) + ((n) % 3 * 4 + 2) / 3)

/*
 * Most bytes that n characters of either form decode to: exact for
 * base64url, an upper bound for base64 (padding counts in n).
 */
#define BASE64_DECMAX(n)	((n) / 4 * 3 + (n) % 4 * 3 / 4)

/*
 * Encode src[0..len) into dst, which must hold BASE64_LEN(len) bytes
 * (base64) or BASE64URL_LEN(len) bytes (base64url).  Returns the number
 * of characters written; writes no NUL.
 */
size_t	base64_encode(const void *, size_t, char *);
size_t	base64url_encode(const void *, size_t, char *);

/*
 * Decode src[0..len) into dst[0..cap).  Returns the number of bytes
 * decoded, or -1 with errno EINVAL if src is not in canonical form
 * (a character outside the alphabet; for base64 a length not a multiple
 * of 4 or '=' other than one or two at the end; for base64url any '=' or
 * a length of 1 mod 4; in both, non-zero unused bits in the last
 * character), or ENOSPC if the result would not fit in cap bytes.  On
 * failure dst may hold partial output.  An empty src decodes to 0 bytes.
 */
ssize_t	base64_decode(const char *, size_t, void *, size_t);
ssize_t	base64url_decode(const char *, size_t, void *, size_t);

#endif
