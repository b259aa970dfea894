/*
 * crypto_test.c: SHA-1 and SHA-256 against the FIPS 180 examples, whole
 * and streamed in odd pieces; HMAC-SHA256 against RFC 4231; the
 * constant-time compare; base64 and base64url against RFC 4648 section
 * 10 both ways, and what the strict decoders refuse; the RFC 6455
 * handshake example end to end.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "sha1.h"
#include "sha256.h"

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 20) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

static const char abc448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

/* 1 if d[0..n) is the hex string hex. */
static int
hexeq(const uint8_t *d, size_t n, const char *hex)
{
	char got[2 * SHA256_LEN + 1];
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(got + 2 * i, 3, "%02x", d[i]);
	if (strlen(hex) == 2 * n && memcmp(got, hex, 2 * n) == 0)
		return 1;
	fprintf(stderr, "got %.*s\nwant %s\n", (int)(2 * n), got, hex);
	return 0;
}

/* A small deterministic generator, so failures repeat. */
static uint32_t
rnd(void)
{
	static uint32_t x = 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static void
test_vectors(void)
{
	static const struct {
		const char *in, *s1, *s256;
	} v[] = {
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d",
		    "ba7816bf8f01cfea414140de5dae2223"
		    "b00361a396177a9cb410ff61f20015ad" },
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
		    "e3b0c44298fc1c149afbf4c8996fb924"
		    "27ae41e4649b934ca495991b7852b855" },
		{ abc448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
		    "248d6a61d20638b8e5c026930c3e6039"
		    "a33ce45964ff2167f6ecedd419db06c1" },
	};
	uint8_t d1[SHA1_LEN], d2[SHA256_LEN];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha1(v[i].in, strlen(v[i].in), d1);
		CHECK(hexeq(d1, SHA1_LEN, v[i].s1));
		sha256(v[i].in, strlen(v[i].in), d2);
		CHECK(hexeq(d2, SHA256_LEN, v[i].s256));
	}
}

/* One million 'a', in updates of 1, 2, ... 150 bytes round and round. */
static void
test_million(void)
{
	static char a[150];
	struct sha1 s1;
	struct sha256 s2;
	uint8_t d1[SHA1_LEN], d2[SHA256_LEN];
	size_t left = 1000000, n, k = 0;

	memset(a, 'a', sizeof(a));
	sha1_init(&s1);
	sha256_init(&s2);
	for (; left > 0; left -= n) {
		n = k++ % sizeof(a) + 1;
		if (n > left)
			n = left;
		sha1_update(&s1, a, n);
		sha256_update(&s2, a, n);
	}
	sha1_final(&s1, d1);
	sha256_final(&s2, d2);
	CHECK(hexeq(d1, SHA1_LEN, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"));
	CHECK(hexeq(d2, SHA256_LEN,
	    "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0"));
}

/* Random messages of 0..300 bytes cut at random points. */
static void
test_splits(void)
{
	uint8_t m[300], a1[SHA1_LEN], b1[SHA1_LEN], a2[SHA256_LEN],
	    b2[SHA256_LEN];
	struct sha1 s1;
	struct sha256 s2;
	size_t len, off, n, i;
	int round;

	for (round = 0; round < 2000; round++) {
		len = rnd() % (sizeof(m) + 1);
		for (i = 0; i < len; i++)
			m[i] = (uint8_t)rnd();
		sha1(m, len, a1);
		sha256(m, len, a2);
		sha1_init(&s1);
		sha256_init(&s2);
		for (off = 0; off < len; off += n) {
			n = rnd() % (len - off + 1);
			sha1_update(&s1, m + off, n);
			sha256_update(&s2, m + off, n);
		}
		sha1_final(&s1, b1);
		sha256_final(&s2, b2);
		CHECK(memcmp(a1, b1, SHA1_LEN) == 0);
		CHECK(memcmp(a2, b2, SHA256_LEN) == 0);
	}
}

/* RFC 4231 section 4, test cases 1 to 7. */
static void
test_hmac(void)
{
	static const char c7[] = "This is a test using a larger than "
	    "block-size key and a larger than block-size data. The key needs "
	    "to be hashed before being used by the HMAC algorithm.";
	static const char c6[] =
	    "Test Using Larger Than Block-Size Key - Hash Key First";
	uint8_t k[131], m[50], d[SHA256_LEN];
	size_t i;

	memset(k, 0x0b, 20);
	sha256_hmac(k, 20, "Hi There", 8, d);
	CHECK(hexeq(d, 32, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7"));
	sha256_hmac("Jefe", 4, "what do ya want for nothing?", 28, d);
	CHECK(hexeq(d, 32, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843"));
	memset(k, 0xaa, 20);
	memset(m, 0xdd, 50);
	sha256_hmac(k, 20, m, 50, d);
	CHECK(hexeq(d, 32, "773ea91e36800e46854db8ebd09181a7"
	    "2959098b3ef8c122d9635514ced565fe"));
	for (i = 0; i < 25; i++)
		k[i] = (uint8_t)(i + 1);
	memset(m, 0xcd, 50);
	sha256_hmac(k, 25, m, 50, d);
	CHECK(hexeq(d, 32, "82558a389a443c0ea4cc819899f2083a"
	    "85f0faa3e578f8077a2e3ff46729665b"));
	memset(k, 0x0c, 20);
	sha256_hmac(k, 20, "Test With Truncation", 20, d);
	CHECK(hexeq(d, 16, "a3b6167473100ee06e0c796c2955552b"));
	memset(k, 0xaa, 131);
	sha256_hmac(k, 131, c6, strlen(c6), d);
	CHECK(hexeq(d, 32, "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54"));
	sha256_hmac(k, 131, c7, strlen(c7), d);
	CHECK(hexeq(d, 32, "9b09ffa71b942fcb27635fbcd5b0e944"
	    "bfdc63644f0713938a7f51535c3a35e2"));
}

static void
test_equal(void)
{
	uint8_t a[SHA256_LEN], b[SHA256_LEN];
	size_t i;
	int bit;

	sha256("x", 1, a);
	memcpy(b, a, sizeof(b));
	CHECK(sha256_equal(a, b, sizeof(a)) == 1);
	CHECK(sha256_equal(a, b, 0) == 1);
	for (i = 0; i < sizeof(a); i++)
		for (bit = 0; bit < 8; bit++) {
			b[i] ^= (uint8_t)(1 << bit);
			CHECK(sha256_equal(a, b, sizeof(a)) == 0);
			b[i] ^= (uint8_t)(1 << bit);
		}
	b[5] = (uint8_t)~a[5];
	CHECK(sha256_equal(a, b, 5) == 1);
	CHECK(sha256_equal(a, b, 6) == 0);
}

static void
test_base64_vectors(void)
{
	static const char *in[] = { "", "f", "fo", "foo", "foob", "fooba",
	    "foobar" };
	static const char *std[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
	    "Zm9vYmE=", "Zm9vYmFy" };
	static const char *url[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg",
	    "Zm9vYmE", "Zm9vYmFy" };
	char enc[16], dec[16];
	size_t i, n;

	for (i = 0; i < 7; i++) {
		n = strlen(in[i]);
		CHECK(base64_encode(in[i], n, enc) == strlen(std[i]));
		CHECK(BASE64_LEN(n) == strlen(std[i]));
		CHECK(memcmp(enc, std[i], strlen(std[i])) == 0);
		CHECK(base64url_encode(in[i], n, enc) == strlen(url[i]));
		CHECK(BASE64URL_LEN(n) == strlen(url[i]));
		CHECK(memcmp(enc, url[i], strlen(url[i])) == 0);
		CHECK(base64_decode(std[i], strlen(std[i]), dec, n) ==
		    (ssize_t)n);
		CHECK(memcmp(dec, in[i], n) == 0);
		CHECK(base64url_decode(url[i], strlen(url[i]), dec, n) ==
		    (ssize_t)n);
		CHECK(memcmp(dec, in[i], n) == 0);
		CHECK(BASE64_DECMAX(strlen(url[i])) == n);
		CHECK(BASE64_DECMAX(strlen(std[i])) >= n);
	}
	/* the two characters where the alphabets differ */
	CHECK(base64_encode("\xfb\xff", 2, enc) == 4 &&
	    memcmp(enc, "+/8=", 4) == 0);
	CHECK(base64url_encode("\xfb\xff", 2, enc) == 3 &&
	    memcmp(enc, "-_8", 3) == 0);
	CHECK(base64_decode("+/8=", 4, dec, 2) == 2 &&
	    memcmp(dec, "\xfb\xff", 2) == 0);
	CHECK(base64url_decode("-_8", 3, dec, 2) == 2 &&
	    memcmp(dec, "\xfb\xff", 2) == 0);
}

/* dec(s) must fail with errno e. */
static void
refuse(ssize_t (*dec)(const char *, size_t, void *, size_t), const char *s,
    size_t cap, int e)
{
	char out[64];

	errno = 0;
	if (dec(s, strlen(s), out, cap) != -1 || errno != e) {
		fprintf(stderr, "decode \"%s\" cap %zu: want errno %d, "
		    "got %d\n", s, cap, e, errno);
		fails++;
	}
}

static void
test_base64_refuse(void)
{
	static const char *bad[] = { "Zg", "Zg=", "Zm8", "Zh==", "Zm9=",
	    "Z===", "====", "=", "Zg==Zg==", "Zm=v", "Zm9v\n", "Zm9-",
	    "Zm9_", "Zm 9", "Zm9v====", "Zg=a", "\xc3\xa9Zm" };
	static const char *badurl[] = { "Zg==", "Zg=", "Z", "Zm9vY", "Zh",
	    "Zm9", "Zm9+", "Zm9/", "Zm9v=", "Zm\n9", "Z-_" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuse(base64_decode, bad[i], 64, EINVAL);
	for (i = 0; i < sizeof(badurl) / sizeof(badurl[0]); i++)
		refuse(base64url_decode, badurl[i], 64, EINVAL);
	refuse(base64_decode, "Zm9v", 2, ENOSPC);
	refuse(base64_decode, "Zm8=", 1, ENOSPC);
	refuse(base64url_decode, "Zm9vYg", 3, ENOSPC);
	CHECK(base64_decode("Zm8=", 4, NULL, 0) == -1 && errno == ENOSPC);
	CHECK(base64_decode("", 0, NULL, 0) == 0);
	CHECK(base64url_decode("", 0, NULL, 0) == 0);
}

/* RFC 6455 section 1.3: the server's Sec-WebSocket-Accept. */
static void
test_websocket(void)
{
	static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==",
	    guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
	    want[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
	struct sha1 s;
	uint8_t d[SHA1_LEN];
	char acc[BASE64_LEN(SHA1_LEN)];

	sha1_init(&s);
	sha1_update(&s, key, strlen(key));
	sha1_update(&s, guid, strlen(guid));
	sha1_final(&s, d);
	CHECK(base64_encode(d, sizeof(d), acc) == sizeof(acc));
	CHECK(sizeof(acc) == strlen(want));
	CHECK(memcmp(acc, want, sizeof(acc)) == 0);
}

int
main(void)
{
	test_vectors();
	test_million();
	test_splits();
	test_hmac();
	test_equal();
	test_base64_vectors();
	test_base64_refuse();
	test_websocket();
	if (fails) {
		fprintf(stderr, "crypto_test: %d failed\n", fails);
		return 1;
	}
	printf("crypto_test: ok\n");
	return 0;
}
