/*
 * jwt.c: HS256 JWS verification, RFC 7515 section 5.2 trimmed to one
 * algorithm.  Allowing only HS256 closes the classic holes by
 * construction: no "none", no key confusion between HMAC and RSA.  The
 * header is read before the signature (it names the algorithm), but the
 * payload only after it verified.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "base64.h"
#include "json.h"
#include "jwt.h"
#include "sha256.h"

/* The claims jwt_verify reads, as bits of a set. */
#define JWT_SUB		1
#define JWT_EXP		2
#define JWT_NBF		4
#define JWT_PUB		8

/* Where the three parts are: lengths of the first two, '.' after each. */
static int
jwt_split(const char *tok, size_t len, size_t *hlen, size_t *plen)
{
	const char *d1, *d2;

	if ((d1 = memchr(tok, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) != NULL)
		return -1;
	*hlen = (size_t)(d1 - tok);
	*plen = (size_t)(d2 - d1 - 1);
	return 0;
}

/* 1 if the typ value (a JSON token) is "JWT" in any case. */
static int
jwt_typ(const struct json_member *m)
{
	char t[3];

	return m->jm_type == JSON_STRING &&
	    json_string_decode(m->jm_val, m->jm_vallen, t, sizeof(t)) == 3 &&
	    strncasecmp(t, "JWT", 3) == 0;
}

static enum jwt_status
jwt_header(const char *h, size_t len)
{
	struct json_obj o;
	struct json_member m;
	int alg = 0, typ = 0;

	if (json_obj_init(&o, h, len) < 0)
		return JWT_MALFORMED;
	while (json_obj_next(&o, &m)) {
		if (json_string_eq(m.jm_name, m.jm_namelen, "alg")) {
			if (alg++)
				return JWT_MALFORMED;
			if (m.jm_type != JSON_STRING ||
			    !json_string_eq(m.jm_val, m.jm_vallen, "HS256"))
				return JWT_ALG;
		} else if (json_string_eq(m.jm_name, m.jm_namelen, "typ")) {
			if (typ++)
				return JWT_MALFORMED;
			if (!jwt_typ(&m))
				return JWT_HEADER;
		} else if (json_string_eq(m.jm_name, m.jm_namelen, "crit"))
			return JWT_HEADER;
	}
	return alg ? JWT_OK : JWT_ALG;
}

/* Which of the claims we read m is, as a JWT_* bit, or 0. */
static int
jwt_which(const struct json_member *m)
{
	static const char *names[] = { "sub", "exp", "nbf", "pub" };
	int i;

	for (i = 0; i < 4; i++)
		if (json_string_eq(m->jm_name, m->jm_namelen, names[i]))
			return 1 << i;
	return 0;
}

/* Take the claim m (which is bit) into c. */
static enum jwt_status
jwt_claim(const struct json_member *m, int bit, char *scratch, size_t cap,
    struct jwt_claims *c)
{
	ssize_t n;

	switch (bit) {
	case JWT_SUB:
		if (m->jm_type != JSON_STRING)
			return JWT_MALFORMED;
		if ((n = json_string_decode(m->jm_val, m->jm_vallen, scratch,
		    cap)) < 0)
			return errno == ENOSPC ? JWT_SUBLONG : JWT_MALFORMED;
		/* a NUL would cut the subject short for a C-string user */
		if (n > 0 && memchr(scratch, '\0', (size_t)n) != NULL)
			return JWT_MALFORMED;
		c->jc_sub = scratch != NULL ? scratch : "";
		c->jc_sublen = (size_t)n;
		return JWT_OK;
	case JWT_EXP:
	case JWT_NBF:
		if (m->jm_type != JSON_NUMBER || json_number_ll(m->jm_val,
		    m->jm_vallen, bit == JWT_EXP ? &c->jc_exp : &c->jc_nbf) < 0)
			return JWT_MALFORMED;
		return JWT_OK;
	default:
		if (m->jm_type != JSON_TRUE && m->jm_type != JSON_FALSE)
			return JWT_MALFORMED;
		c->jc_pub = m->jm_type == JSON_TRUE;
		return JWT_OK;
	}
}

static enum jwt_status
jwt_claims(const char *p, size_t len, long long now, char *scratch,
    size_t cap, struct jwt_claims *c)
{
	struct json_obj o;
	struct json_member m;
	enum jwt_status st;
	int seen = 0, bit;

	if (json_obj_init(&o, p, len) < 0)
		return JWT_MALFORMED;
	while (json_obj_next(&o, &m)) {
		if ((bit = jwt_which(&m)) == 0)
			continue;
		if (seen & bit)
			return JWT_MALFORMED;
		seen |= bit;
		if ((st = jwt_claim(&m, bit, scratch, cap, c)) != JWT_OK)
			return st;
	}
	if (!(seen & JWT_EXP))
		return JWT_NOEXP;
	if (now >= c->jc_exp)
		return JWT_EXPIRED;
	if ((seen & JWT_NBF) && now < c->jc_nbf)
		return JWT_NOTYET;
	return JWT_OK;
}

/* The signature part s[0..len) against the HMAC of signed[0..slen). */
static enum jwt_status
jwt_signature(const char *s, size_t len, const char *signed_, size_t slen,
    const void *key, size_t klen)
{
	uint8_t sig[SHA256_LEN], mac[SHA256_LEN];
	ssize_t n;

	if ((n = base64url_decode(s, len, sig, sizeof(sig))) < 0 &&
	    errno != ENOSPC)
		return JWT_MALFORMED;
	if (n != SHA256_LEN)
		return JWT_SIGNATURE;
	sha256_hmac(key, klen, signed_, slen, mac);
	return sha256_equal(sig, mac, SHA256_LEN) ? JWT_OK : JWT_SIGNATURE;
}

static enum jwt_status
jwt_check(const char *tok, size_t len, const void *key, size_t klen,
    long long now, char *scratch, size_t cap, struct jwt_claims *c)
{
	char buf[BASE64_DECMAX(JWT_MAXLEN)];
	size_t hlen, plen;
	enum jwt_status st;
	ssize_t n;

	if (len > JWT_MAXLEN)
		return JWT_TOOLONG;
	if (jwt_split(tok, len, &hlen, &plen) < 0 ||
	    (n = base64url_decode(tok, hlen, buf, sizeof(buf))) < 0)
		return JWT_MALFORMED;
	if ((st = jwt_header(buf, (size_t)n)) != JWT_OK)
		return st;
	if ((st = jwt_signature(tok + hlen + plen + 2, len - hlen - plen - 2,
	    tok, hlen + 1 + plen, key, klen)) != JWT_OK)
		return st;
	if ((n = base64url_decode(tok + hlen + 1, plen, buf, sizeof(buf))) < 0)
		return JWT_MALFORMED;
	return jwt_claims(buf, (size_t)n, now, scratch, cap, c);
}

enum jwt_status
jwt_verify(const char *tok, size_t len, const void *key, size_t klen,
    long long now, char *scratch, size_t cap, struct jwt_claims *c)
{
	enum jwt_status st;

	memset(c, 0, sizeof(*c));
	st = jwt_check(tok, len, key, klen, now, scratch, cap, c);
	if (st != JWT_OK && st != JWT_EXPIRED && st != JWT_NOTYET)
		memset(c, 0, sizeof(*c));
	return st;
}

const char *
jwt_reason(enum jwt_status st)
{
	static const char *reasons[] = {
		[JWT_OK] = "valid token",
		[JWT_MALFORMED] = "malformed token",
		[JWT_TOOLONG] = "token too long",
		[JWT_ALG] = "unsupported algorithm",
		[JWT_HEADER] = "unsupported token header",
		[JWT_SIGNATURE] = "invalid signature",
		[JWT_EXPIRED] = "token expired",
		[JWT_NOTYET] = "token not yet valid",
		[JWT_NOEXP] = "token has no expiry",
		[JWT_SUBLONG] = "subject too long"
	};

	if ((unsigned)st >= sizeof(reasons) / sizeof(reasons[0]))
		return "unknown status";
	return reasons[st];
}
