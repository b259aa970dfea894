/*
 * sha1.h: SHA-1 (FIPS 180-4), streaming and one-shot.  Broken for
 * signatures; it is here only because the WebSocket handshake (RFC 6455
 * section 4.2.2) names it for Sec-WebSocket-Accept, and Redis names a
 * loaded script by it (EVALSHA).
 */
#ifndef COMET_SHA1_H
#define COMET_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_LEN	20	/* digest, bytes */
#define SHA1_BLOCK	64	/* block, bytes */

struct sha1 {
	uint32_t	 s1_h[5];		/* chaining state */
	uint64_t	 s1_bytes;		/* message length so far */
	uint8_t		 s1_buf[SHA1_BLOCK];	/* partial block */
};

/* Start a new digest. */
void	sha1_init(struct sha1 *);

/* Add len bytes; any number of calls, of any sizes, including 0. */
void	sha1_update(struct sha1 *, const void *, size_t);

/*
 * Write the 20-byte digest of everything added to out.  The state is
 * spent afterwards: call sha1_init to reuse it.
 */
void	sha1_final(struct sha1 *, uint8_t [SHA1_LEN]);

/* The digest of buf[0..len), into out. */
void	sha1(const void *, size_t, uint8_t [SHA1_LEN]);

#endif
