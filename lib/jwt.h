/*
 * jwt.h: verification of a compact JWS/JWT (RFC 7515, RFC 7519) signed
 * with HS256, the only algorithm accepted, so that a publisher or a
 * subscriber can show a token instead of an address.  The signature is
 * checked before anything in the payload is believed; nothing allocates.
 */
#ifndef COMET_JWT_H
#define COMET_JWT_H

#include <stddef.h>

/* Longest token accepted, bytes: a header and a few claims need far less. */
#define JWT_MAXLEN	4096

enum jwt_status {
	JWT_OK,
	JWT_MALFORMED,	/* not header.payload.signature of base64url
			   JSON objects; a claim of the wrong type;
			   a duplicate alg, typ or claim */
	JWT_TOOLONG,	/* longer than JWT_MAXLEN */
	JWT_ALG,	/* alg missing or other than "HS256" ("none" too) */
	JWT_HEADER,	/* typ other than "JWT", or a crit header */
	JWT_SIGNATURE,	/* the signature is not the HMAC under the key */
	JWT_EXPIRED,	/* now >= exp */
	JWT_NOTYET,	/* now < nbf */
	JWT_NOEXP,	/* no exp claim: tokens must expire */
	JWT_SUBLONG	/* sub longer than the caller's scratch buffer */
};

/* The claims cometd uses, from a token whose signature verified. */
struct jwt_claims {
	const char	*jc_sub;	/* subject, decoded UTF-8 in the
					   scratch buffer; NULL if absent */
	size_t		 jc_sublen;	/* its length, bytes */
	long long	 jc_exp;	/* expiry, seconds since the epoch */
	long long	 jc_nbf;	/* not before; 0 if absent */
	int		 jc_pub;	/* 1 if "pub": true, may publish */
};

/*
 * Verify token[0..len) with the HMAC key key[0..klen) (raw bytes, not
 * base64; use 32 or more) at time now (seconds since the epoch; subtract
 * any allowed clock skew first).  Checks, in this order: the length,
 * three '.'-separated base64url parts, the header (alg "HS256", typ
 * absent or "JWT" in any case, no crit), the signature (HMAC-SHA256 over
 * "header.payload", compared in constant time; a part that is valid
 * base64url but not 32 bytes is JWT_SIGNATURE), then the claims: sub a
 * string without NUL bytes, maybe empty, decoded into scratch[0..cap)
 * (scratch may be NULL if cap is 0); exp required and nbf optional,
 * numbers truncated toward zero as json_number_ll does (nbf 1000.5 lets
 * the token in at 1000); pub true or false.  Other claims (iss, aud,
 * iat, ...) are not checked.  Returns JWT_OK or the first problem found;
 * a malformed claim outranks expiry.  *claims is filled on JWT_OK,
 * JWT_EXPIRED and JWT_NOTYET, and all zero otherwise.
 */
enum jwt_status	jwt_verify(const char *, size_t, const void *, size_t,
		    long long, char *, size_t, struct jwt_claims *);

/*
 * A short lower-case reason for a status, fit for a WWW-Authenticate
 * error_description (no quote or backslash).  Never NULL.
 */
const char	*jwt_reason(enum jwt_status);

#endif
