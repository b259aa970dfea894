/*
 * sha256.h: SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 2104) and a
 * constant-time comparison of digests.  cometd verifies HS256 tokens
 * (jwt.c) with them; nothing here allocates.
 */
#ifndef COMET_SHA256_H
#define COMET_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32	/* digest, bytes */
#define SHA256_BLOCK	64	/* block, bytes */

struct sha256 {
	uint32_t	 s2_h[8];		/* chaining state */
	uint64_t	 s2_bytes;		/* message length so far */
	uint8_t		 s2_buf[SHA256_BLOCK];	/* partial block */
};

/* Start a new digest. */
void	sha256_init(struct sha256 *);

/* Add len bytes; any number of calls, of any sizes, including 0. */
void	sha256_update(struct sha256 *, const void *, size_t);

/*
 * Write the 32-byte digest of everything added to out.  The state is
 * spent afterwards: call sha256_init to reuse it.
 */
void	sha256_final(struct sha256 *, uint8_t [SHA256_LEN]);

/* The digest of buf[0..len), into out. */
void	sha256(const void *, size_t, uint8_t [SHA256_LEN]);

/*
 * HMAC-SHA256 (RFC 2104, RFC 4231) of msg[0..mlen) under key[0..klen),
 * into out.  A key longer than 64 bytes is hashed first, as the RFC says;
 * any length works, 0 included, but a key under 32 bytes is weak.
 */
void	sha256_hmac(const void *, size_t, const void *, size_t,
	    uint8_t [SHA256_LEN]);

/*
 * 1 if a[0..len) and b[0..len) are equal, else 0.  The time taken
 * depends on len only, never on the bytes, so comparing a received MAC
 * with the right one leaks nothing about where they differ.
 */
int	sha256_equal(const void *, const void *, size_t);

#endif
