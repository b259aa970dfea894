/*
 * jwt_test.c: HS256 token verification.  The RFC 7515 appendix A.1
 * example, then tokens built here with base64url_encode and sha256_hmac:
 * valid, expired, not yet valid, tampered with (every bit of the text),
 * other algorithms, bad base64, bad JSON, claims of the wrong type,
 * length limits and broken structure.
 */
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "jwt.h"
#include "sha256.h"

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 20) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

static const char key[] = "a test key that is 32 bytes long";

static const char rfc_tok[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const char rfc_k[] =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4h"
    "cgUuTwjAzZr1Z9CAow";

/* "h.p.sig": the two parts as given, signed with k; returns the length. */
static size_t
tok_raw(char *out, const char *h, const char *p, const char *k)
{
	uint8_t mac[SHA256_LEN];
	size_t n;

	n = (size_t)sprintf(out, "%s.%s", h, p);
	sha256_hmac(k, strlen(k), out, n, mac);
	out[n++] = '.';
	n += base64url_encode(mac, sizeof(mac), out + n);
	out[n] = '\0';
	return n;
}

/* A token of header and payload JSON text, signed with key. */
static size_t
tok(char *out, const char *header, const char *payload)
{
	char h[8192], p[8192];

	h[base64url_encode(header, strlen(header), h)] = '\0';
	p[base64url_encode(payload, strlen(payload), p)] = '\0';
	return tok_raw(out, h, p, key);
}

static enum jwt_status
verify(const char *t, long long now, struct jwt_claims *c)
{
	static char scratch[16];

	return jwt_verify(t, strlen(t), key, strlen(key), now, scratch,
	    sizeof(scratch), c);
}

#define HS256	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define PAY	"{\"sub\":\"x\",\"exp\":2000,\"pub\":true}"

/* Tokens of this header and payload, signed with key, at now = 1000. */
static const struct {
	const char	*c_header;
	const char	*c_payload;
	enum jwt_status	 c_want;
} cases[] = {
	{ HS256, PAY, JWT_OK },
	{ "{\"alg\":\"HS256\"}", "{\"exp\":2000,\"aud\":[\"x\",{\"y\":[1,2]}],"
	    "\"iat\":1.5,\"ctx\":{\"a\":{\"b\":null}}}", JWT_OK },
	{ " {\r\n\"alg\" : \"HS256\"\n} ", " { \"exp\" : 2e3 } ", JWT_OK },
	/* the algorithm */
	{ "{\"alg\":\"none\"}", PAY, JWT_ALG },
	{ "{\"alg\":\"HS512\"}", PAY, JWT_ALG },
	{ "{\"alg\":\"RS256\"}", PAY, JWT_ALG },
	{ "{\"alg\":\"hs256\"}", PAY, JWT_ALG },
	{ "{\"alg\":\"HS256 \"}", PAY, JWT_ALG },
	{ "{\"alg\":256}", PAY, JWT_ALG }, { "{\"alg\":null}", PAY, JWT_ALG },
	{ "{\"typ\":\"JWT\"}", PAY, JWT_ALG }, { "{}", PAY, JWT_ALG },
	{ "{\"alg\":\"HS256\",\"alg\":\"none\"}", PAY, JWT_MALFORMED },
	{ "{\"\\u0061lg\":\"HS\\u0032\\u0035\\u0036\"}", PAY, JWT_OK },
	/* the rest of the header */
	{ "{\"alg\":\"HS256\",\"typ\":\"jwt\"}", PAY, JWT_OK },
	{ "{\"alg\":\"HS256\",\"typ\":\"jWt\"}", PAY, JWT_OK },
	{ "{\"alg\":\"HS256\",\"typ\":\"JOSE\"}", PAY, JWT_HEADER },
	{ "{\"alg\":\"HS256\",\"typ\":\"JW\"}", PAY, JWT_HEADER },
	{ "{\"alg\":\"HS256\",\"typ\":1}", PAY, JWT_HEADER },
	{ "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"typ\":\"JWT\"}", PAY,
	    JWT_MALFORMED },
	{ "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", PAY, JWT_HEADER },
	/* not JSON objects */
	{ "hello", PAY, JWT_MALFORMED }, { "[\"HS256\"]", PAY, JWT_MALFORMED },
	{ "{\"alg\":\"HS256\"", PAY, JWT_MALFORMED },
	{ "", PAY, JWT_MALFORMED }, { HS256, "hello", JWT_MALFORMED },
	{ HS256, "[{\"exp\":2000}]", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000}x", JWT_MALFORMED },
	{ HS256, "", JWT_MALFORMED },
	/* exp and nbf */
	{ HS256, "{}", JWT_NOEXP },
	{ HS256, "{\"sub\":\"a\",\"pub\":true}", JWT_NOEXP },
	{ HS256, "{\"exp\":\"2000\"}", JWT_MALFORMED },
	{ HS256, "{\"exp\":null}", JWT_MALFORMED },
	{ HS256, "{\"exp\":true}", JWT_MALFORMED },
	{ HS256, "{\"exp\":[2000]}", JWT_MALFORMED },
	{ HS256, "{\"exp\":1e400}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"exp\":3000}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"nbf\":\"1\"}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"nbf\":999.9}", JWT_OK },
	{ HS256, "{\"exp\":2000,\"nbf\":1000.9}", JWT_OK },
	{ HS256, "{\"exp\":2000,\"nbf\":1001.5}", JWT_NOTYET },
	/* sub */
	{ HS256, "{\"exp\":1,\"sub\":5}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"sub\":null}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"sub\":{}}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"sub\":\"a\\u0000b\"}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"sub\":\"\\ud800\"}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"sub\":\"0123456789abcdef\"}", JWT_OK },
	{ HS256, "{\"exp\":2000,\"sub\":\"0123456789abcdefg\"}", JWT_SUBLONG },
	{ HS256, "{\"exp\":2000,\"sub\":\"a\",\"sub\":\"b\"}", JWT_MALFORMED },
	/* pub */
	{ HS256, "{\"exp\":2000,\"pub\":\"true\"}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"pub\":1}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"pub\":null}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"pub\":[true]}", JWT_MALFORMED },
	{ HS256, "{\"exp\":2000,\"pub\":true,\"pub\":true}", JWT_MALFORMED },
};

static void
test_cases(void)
{
	struct jwt_claims c;
	char t[1024];
	enum jwt_status st;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tok(t, cases[i].c_header, cases[i].c_payload);
		if ((st = verify(t, 1000, &c)) != cases[i].c_want) {
			fprintf(stderr, "case %zu %s %s: got %s\n", i,
			    cases[i].c_header, cases[i].c_payload,
			    jwt_reason(st));
			fails++;
		}
	}
}

static void
test_rfc7515(void)
{
	struct jwt_claims c;
	uint8_t k[64];
	ssize_t kl = base64url_decode(rfc_k, strlen(rfc_k), k, sizeof(k));
	size_t n = strlen(rfc_tok);

	CHECK(kl == 64);
	CHECK(jwt_verify(rfc_tok, n, k, 64, 1300819379, NULL, 0, &c) == JWT_OK);
	CHECK(c.jc_sub == NULL && c.jc_sublen == 0);
	CHECK(c.jc_exp == 1300819380 && c.jc_pub == 0 && c.jc_nbf == 0);
	CHECK(jwt_verify(rfc_tok, n, k, 64, 1300819380, NULL, 0, &c) ==
	    JWT_EXPIRED);
	CHECK(c.jc_exp == 1300819380);
	k[0] ^= 1;
	CHECK(jwt_verify(rfc_tok, n, k, 64, 0, NULL, 0, &c) == JWT_SIGNATURE);
	CHECK(c.jc_exp == 0);
}

static void
test_valid(void)
{
	struct jwt_claims c;
	char t[512], k[101];

	tok(t, HS256, "{\"sub\":\"alice\",\"exp\":2000,\"pub\":true}");
	CHECK(verify(t, 1000, &c) == JWT_OK);
	CHECK(c.jc_sublen == 5 && memcmp(c.jc_sub, "alice", 5) == 0);
	CHECK(c.jc_exp == 2000 && c.jc_pub == 1);
	CHECK(verify(t, 1999, &c) == JWT_OK);
	CHECK(verify(t, 2000, &c) == JWT_EXPIRED);
	CHECK(verify(t, 5000, &c) == JWT_EXPIRED);
	CHECK(c.jc_sublen == 5 && c.jc_exp == 2000);
	tok(t, HS256, "{\"sub\":\"a\",\"exp\":2000,\"nbf\":1500}");
	CHECK(verify(t, 1000, &c) == JWT_NOTYET);
	CHECK(c.jc_nbf == 1500);
	CHECK(verify(t, 1499, &c) == JWT_NOTYET);
	CHECK(verify(t, 1500, &c) == JWT_OK);
	CHECK(c.jc_pub == 0);
	/* a different key, and a key longer than a block */
	CHECK(jwt_verify(t, strlen(t), "other", 5, 1500, NULL, 0, &c) ==
	    JWT_SIGNATURE);
	CHECK(c.jc_sub == NULL && c.jc_exp == 0 && c.jc_nbf == 0);
	memset(k, 'k', sizeof(k) - 1);
	k[sizeof(k) - 1] = '\0';
	tok_raw(t, "eyJhbGciOiJIUzI1NiJ9", "eyJleHAiOjJ9", k);
	CHECK(jwt_verify(t, strlen(t), k, sizeof(k) - 1, 1, NULL, 0, &c) ==
	    JWT_OK);
	CHECK(jwt_verify(t, strlen(t), k, sizeof(k) - 2, 1, NULL, 0, &c) ==
	    JWT_SIGNATURE);
}

/* Any bit flipped anywhere in the text: never JWT_OK. */
static void
test_tamper(void)
{
	struct jwt_claims c;
	char t[512];
	size_t n, i;
	int bit;

	n = tok(t, HS256, "{\"sub\":\"alice\",\"exp\":2000,\"pub\":true}");
	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			t[i] ^= (char)(1 << bit);
			CHECK(jwt_verify(t, n, key, strlen(key), 1000, NULL, 0,
			    &c) != JWT_OK);
			t[i] ^= (char)(1 << bit);
		}
	CHECK(verify(t, 1000, &c) == JWT_OK);
}

/* "enc(header).enc(payload).sig": not signed here. */
static void
tok_unsigned(char *out, const char *header, const char *payload,
    const char *sig)
{
	size_t n;

	n = base64url_encode(header, strlen(header), out);
	out[n++] = '.';
	n += base64url_encode(payload, strlen(payload), out + n);
	sprintf(out + n, ".%s", sig);
}

/* A bit flipped in each decoded part, re-encoded, old signature kept. */
static void
test_flip_parts(void)
{
	static const char hdr[] = "{\"alg\":\"HS256\",\"kid\":\"k1\"}",
	    pay[] = "{\"exp\":2000,\"sub\":\"bob\"}";
	struct jwt_claims c;
	char t[256], u[256], h[64], p[64], sig[64], s2[64];
	uint8_t mac[64];
	int i;

	tok(t, hdr, pay);
	strcpy(sig, strrchr(t, '.') + 1);
	tok_unsigned(u, hdr, pay, sig);
	CHECK(verify(u, 1000, &c) == JWT_OK);
	strcpy(h, hdr);
	h[sizeof(hdr) - 4] ^= 1;		/* "k1" becomes "k0" */
	tok_unsigned(u, h, pay, sig);
	CHECK(verify(u, 1000, &c) == JWT_SIGNATURE);
	strcpy(p, pay);
	p[sizeof(pay) - 5] ^= 2;		/* "bob" becomes "bmb" */
	tok_unsigned(u, hdr, p, sig);
	CHECK(verify(u, 1000, &c) == JWT_SIGNATURE);
	CHECK(base64url_decode(sig, strlen(sig), mac, sizeof(mac)) == 32);
	for (i = 0; i < 256; i++) {
		mac[i / 8] ^= (uint8_t)(1 << i % 8);
		s2[base64url_encode(mac, 32, s2)] = '\0';
		tok_unsigned(u, hdr, pay, s2);
		CHECK(verify(u, 1000, &c) == JWT_SIGNATURE);
		mac[i / 8] ^= (uint8_t)(1 << i % 8);
	}
	/* a signature of the wrong length */
	s2[base64url_encode(mac, 31, s2)] = '\0';
	tok_unsigned(u, hdr, pay, s2);
	CHECK(verify(u, 1000, &c) == JWT_SIGNATURE);
	s2[base64url_encode(mac, 33, s2)] = '\0';
	tok_unsigned(u, hdr, pay, s2);
	CHECK(verify(u, 1000, &c) == JWT_SIGNATURE);
}

/* alg none, with and without a signature part. */
static void
test_none(void)
{
	static const char pay[] = "{\"sub\":\"x\",\"exp\":2000,\"pub\":true}";
	struct jwt_claims c;
	char t[512], h[128], p[128];

	h[base64url_encode("{\"alg\":\"none\"}", 14, h)] = '\0';
	p[base64url_encode(pay, strlen(pay), p)] = '\0';
	snprintf(t, sizeof(t), "%s.%s.", h, p);
	CHECK(verify(t, 1000, &c) == JWT_ALG);
	snprintf(t, sizeof(t), "%s.%s", h, p);
	CHECK(verify(t, 1000, &c) == JWT_MALFORMED);
	tok_raw(t, h, p, key);
	CHECK(verify(t, 1000, &c) == JWT_ALG);
}

/*
 * Parts that are not canonical base64url, signed as they are (the
 * payload is decoded only after the signature verified).  H is
 * {"alg":"HS256"} and P is {"exp":2000 }.
 */
#define H	"eyJhbGciOiJIUzI1NiJ9"
#define P	"eyJleHAiOjIwMDAgfQ"
static void
test_base64(void)
{
	static const char *bad[][2] = {
		{ "eyJhb*ciOiJIUzI1NiJ9", P }, { "eyJhb+ciOiJIUzI1NiJ9", P },
		{ "eyJhb/ciOiJIUzI1NiJ9", P }, { H "A", P }, { H "=", P },
		{ "=" H, P }, { H, P "=" }, { H, P "==" }, { H, P "A" },
		{ H, "eyJleHAiOjIwMDAgfR" }, { H, "eyJleHAiOj/wMDAgfQ" },
		{ H, "eyJleH AiOjIwMDAgfQ" },
	};
	struct jwt_claims c;
	char t[256];
	size_t i;

	tok_raw(t, H, P, key);
	CHECK(verify(t, 1000, &c) == JWT_OK);
	t[strlen(t) - 1] = '=';
	CHECK(verify(t, 1000, &c) == JWT_MALFORMED);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tok_raw(t, bad[i][0], bad[i][1], key);
		if (verify(t, 1000, &c) != JWT_MALFORMED && fails++ < 20)
			fprintf(stderr, "base64 case %zu: %s\n", i, t);
	}
}

static void
test_claims(void)
{
	struct jwt_claims c;
	char t[512];

	tok(t, HS256, "{\"exp\":2000.9,\"sub\":\"a\\u0062c\\/\\u00e9\"}");
	CHECK(verify(t, 1000, &c) == JWT_OK);
	CHECK(c.jc_exp == 2000);
	CHECK(c.jc_sublen == 6 && memcmp(c.jc_sub, "abc/\xc3\xa9", 6) == 0);
	tok(t, HS256, "{\"exp\":2000,\"sub\":\"\"}");
	CHECK(verify(t, 1000, &c) == JWT_OK);
	CHECK(c.jc_sub != NULL && c.jc_sublen == 0);
	CHECK(jwt_verify(t, strlen(t), key, strlen(key), 1000, NULL, 0, &c) ==
	    JWT_OK && c.jc_sub != NULL && c.jc_sublen == 0);
	tok(t, HS256, "{\"exp\":2000,\"sub\":\"x\"}");
	CHECK(jwt_verify(t, strlen(t), key, strlen(key), 1000, NULL, 0, &c) ==
	    JWT_SUBLONG);
	CHECK(c.jc_sub == NULL && c.jc_exp == 0);
	tok(t, HS256, "{\"exp\":2000,\"pub\":true}");
	CHECK(verify(t, 1000, &c) == JWT_OK && c.jc_pub == 1);
	tok(t, HS256, "{\"exp\":2000,\"pub\":false}");
	CHECK(verify(t, 1000, &c) == JWT_OK && c.jc_pub == 0);
	tok(t, HS256, "{\"exp\":2000}");
	CHECK(verify(t, 1000, &c) == JWT_OK && c.jc_pub == 0);
}

/* Padding in a claim brings a valid token to exactly JWT_MAXLEN bytes. */
static void
test_length(void)
{
	static char t[8192], pay[8192];
	struct jwt_claims c;
	size_t fill, n = 0;

	for (fill = 2900; fill < 3200; fill++) {
		snprintf(pay, sizeof(pay), "{\"exp\":2000,\"x\":\"%0*d\"}",
		    (int)fill, 0);
		if ((n = tok(t, HS256, pay)) >= JWT_MAXLEN - 1)
			break;
	}
	CHECK(n == JWT_MAXLEN - 1 || n == JWT_MAXLEN);
	CHECK(verify(t, 1000, &c) == JWT_OK);
	snprintf(pay, sizeof(pay), "{\"exp\":2000,\"x\":\"%0*d\"}",
	    (int)fill + 2, 0);
	CHECK(tok(t, HS256, pay) > JWT_MAXLEN);
	CHECK(verify(t, 1000, &c) == JWT_TOOLONG);
	memset(t, 'A', JWT_MAXLEN + 1);
	CHECK(jwt_verify(t, JWT_MAXLEN + 1, key, 1, 0, NULL, 0, &c) ==
	    JWT_TOOLONG);
}

static void
test_structure(void)
{
	static const char *bad[] = { "", ".", "..", "...", "....", "a", "a.b",
	    "a.b.c.d", "a..", ".b.", "..c" };
	struct jwt_claims c;
	char t[512], u[600];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(verify(bad[i], 1000, &c) == JWT_MALFORMED);
	tok(t, HS256, "{\"exp\":2000}");
	snprintf(u, sizeof(u), "%s.", t);
	CHECK(verify(u, 1000, &c) == JWT_MALFORMED);
	snprintf(u, sizeof(u), "%s.%s", t, strrchr(t, '.') + 1);
	CHECK(verify(u, 1000, &c) == JWT_MALFORMED);
	snprintf(u, sizeof(u), " %s", t);
	CHECK(verify(u, 1000, &c) == JWT_MALFORMED);
	snprintf(u, sizeof(u), "%s\n", t);
	CHECK(verify(u, 1000, &c) != JWT_OK);
	/* a NUL inside the length given is part of the token */
	CHECK(jwt_verify(t, strlen(t) + 1, key, strlen(key), 1000, NULL, 0,
	    &c) != JWT_OK);
}

static void
test_reason(void)
{
	const char *r;
	int st, j;

	for (st = JWT_OK; st <= JWT_SUBLONG; st++) {
		r = jwt_reason((enum jwt_status)st);
		CHECK(r != NULL && *r != '\0');
		CHECK(strpbrk(r, "\"\\") == NULL);
		for (j = JWT_OK; j < st; j++)
			CHECK(strcmp(r, jwt_reason((enum jwt_status)j)) != 0);
	}
	CHECK(jwt_reason((enum jwt_status)99) != NULL);
	CHECK(jwt_reason((enum jwt_status)-1) != NULL);
}

int
main(void)
{
	test_rfc7515();
	test_valid();
	test_cases();
	test_tamper();
	test_flip_parts();
	test_none();
	test_base64();
	test_claims();
	test_length();
	test_structure();
	test_reason();
	if (fails) {
		fprintf(stderr, "jwt_test: %d failed\n", fails);
		return 1;
	}
	printf("jwt_test: ok\n");
	return 0;
}
