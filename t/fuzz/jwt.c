/*
 * libFuzzer harness for HS256 token verification (lib/jwt.c), with the
 * base64url, JSON and HMAC code under it.
 *
 * The first input byte picks the mode.  Even: the rest is a token, as
 * an attacker would send it, verified with a fixed key; whenever the
 * result says the signature verified, the signature part must be exactly
 * the base64url HMAC of the rest.  Odd: the rest is header JSON, a NUL,
 * and payload JSON, which the harness encodes and signs with the key, so
 * the claims parser is reached; the result must then never be
 * JWT_SIGNATURE, and with one signature bit flipped never a verdict that
 * implies a good signature.  In both modes the claims must point into
 * the scratch buffer and the subject must be valid UTF-8 without NULs.
 * Inputs are copied to buffers of their exact size, so ASan catches any
 * read past the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jwt.h"
#include "sha256.h"
#include "utf8.h"

#define NOW	1500000000LL

static const char key[] = "fuzz key: 32 bytes, not a secret";

/* Statuses that jwt_verify gives only after the signature verified. */
static int
signed_ok(enum jwt_status st)
{
	return st == JWT_OK || st == JWT_EXPIRED || st == JWT_NOTYET ||
	    st == JWT_NOEXP || st == JWT_SUBLONG;
}

static enum jwt_status
check(const char *tok, size_t len)
{
	struct jwt_claims c;
	char scratch[24];
	enum jwt_status st;
	const char *z = (const char *)&c;
	size_t i;

	st = jwt_verify(tok, len, key, sizeof(key) - 1, NOW, scratch,
	    sizeof(scratch), &c);
	if (st == JWT_OK || st == JWT_EXPIRED || st == JWT_NOTYET) {
		if (c.jc_sub != NULL && (c.jc_sub != scratch ||
		    c.jc_sublen > sizeof(scratch) ||
		    memchr(c.jc_sub, '\0', c.jc_sublen) != NULL ||
		    !utf8_valid(c.jc_sub, c.jc_sublen)))
			abort();
		if ((st == JWT_OK && (NOW >= c.jc_exp || NOW < c.jc_nbf)) ||
		    (st == JWT_EXPIRED && NOW < c.jc_exp) ||
		    (c.jc_pub != 0 && c.jc_pub != 1))
			abort();
	} else
		for (i = 0; i < sizeof(c); i++)
			if (z[i] != 0)
				abort();
	if (jwt_reason(st) == NULL)
		abort();
	return st;
}

/* A token said to be signed: its last part must be the right HMAC. */
static void
check_signature(const char *tok, size_t len)
{
	uint8_t mac[SHA256_LEN];
	char enc[BASE64URL_LEN(SHA256_LEN)];
	const char *dot = memrchr(tok, '.', len);

	if (dot == NULL)
		abort();
	sha256_hmac(key, sizeof(key) - 1, tok, (size_t)(dot - tok), mac);
	base64url_encode(mac, sizeof(mac), enc);
	if (len - (size_t)(dot + 1 - tok) != sizeof(enc) ||
	    memcmp(dot + 1, enc, sizeof(enc)) != 0)
		abort();
}

/* Sign header[0..hlen) and payload[0..plen) and verify the token. */
static void
sign_and_check(const uint8_t *h, size_t hlen, const uint8_t *p,
    size_t plen, unsigned flip)
{
	uint8_t mac[SHA256_LEN];
	char *tok;
	size_t n;
	enum jwt_status st, fst;

	n = BASE64URL_LEN(hlen) + BASE64URL_LEN(plen) + 2 +
	    BASE64URL_LEN(SHA256_LEN);
	if ((tok = malloc(n)) == NULL)
		abort();
	n = base64url_encode(h, hlen, tok);
	tok[n++] = '.';
	n += base64url_encode(p, plen, tok + n);
	sha256_hmac(key, sizeof(key) - 1, tok, n, mac);
	tok[n++] = '.';
	n += base64url_encode(mac, sizeof(mac), tok + n);
	st = check(tok, n);
	if (st == JWT_SIGNATURE || (st == JWT_TOOLONG) != (n > JWT_MAXLEN))
		abort();
	if (signed_ok(st))
		check_signature(tok, n);
	mac[flip / 8 % SHA256_LEN] ^= (uint8_t)(1 << flip % 8);
	base64url_encode(mac, sizeof(mac), tok + n - BASE64URL_LEN(SHA256_LEN));
	/* a bad payload is found after the signature, a bad header before */
	fst = check(tok, n);
	if (signed_ok(st) ? fst != JWT_SIGNATURE : st == JWT_MALFORMED ?
	    fst != st && fst != JWT_SIGNATURE : fst != st)
		abort();
	free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const uint8_t *nul;
	char *tok;
	size_t hlen;

	if (len < 1)
		return 0;
	if (data[0] & 1) {
		nul = memchr(data + 1, '\0', len - 1);
		hlen = nul != NULL ? (size_t)(nul - data - 1) : len - 1;
		sign_and_check(data + 1, hlen, data + 1 + hlen + (nul != NULL),
		    len - 1 - hlen - (nul != NULL), data[0]);
		return 0;
	}
	if ((tok = malloc(len - 1 + (len == 1))) == NULL)
		abort();
	memcpy(tok, data + 1, len - 1);
	if (signed_ok(check(tok, len - 1)))
		check_signature(tok, len - 1);
	free(tok);
	return 0;
}
