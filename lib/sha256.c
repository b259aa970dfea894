/*
 * sha256.c: SHA-256, FIPS 180-4 section 6.2, written from the standard,
 * with HMAC (RFC 2104) on top.  The message schedule rolls over 16 words
 * as in sha1.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sha256.h"

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

static uint32_t
sha256_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Word t of the schedule, t >= 16, computed in place in w[t & 15]. */
static uint32_t
sha256_w(uint32_t *w, int t)
{
	uint32_t a = w[(t + 1) & 15], b = w[(t + 14) & 15];

	w[t & 15] += (ROR(b, 17) ^ ROR(b, 19) ^ (b >> 10)) + w[(t + 9) & 15] +
	    (ROR(a, 7) ^ ROR(a, 18) ^ (a >> 3));
	return w[t & 15];
}

static void
sha256_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[16], v[8], t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = sha256_be32(p + 4 * i);
	memcpy(v, s->s2_h, sizeof(v));
	for (i = 0; i < 64; i++) {
		t1 = v[7] + (ROR(v[4], 6) ^ ROR(v[4], 11) ^ ROR(v[4], 25)) +
		    ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha256_k[i] +
		    (i < 16 ? w[i] : sha256_w(w, i));
		t2 = (ROR(v[0], 2) ^ ROR(v[0], 13) ^ ROR(v[0], 22)) +
		    ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		s->s2_h[i] += v[i];
}

void
sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(s->s2_h, h0, sizeof(h0));
	s->s2_bytes = 0;
}

void
sha256_update(struct sha256 *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t fill = s->s2_bytes % SHA256_BLOCK, n;

	s->s2_bytes += len;
	if (fill > 0) {
		n = SHA256_BLOCK - fill < len ? SHA256_BLOCK - fill : len;
		memcpy(s->s2_buf + fill, p, n);
		p += n;
		len -= n;
		if (fill + n < SHA256_BLOCK)
			return;
		sha256_block(s, s->s2_buf);
	}
	for (; len >= SHA256_BLOCK; p += SHA256_BLOCK, len -= SHA256_BLOCK)
		sha256_block(s, p);
	if (len > 0)
		memcpy(s->s2_buf, p, len);
}

void
sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN])
{
	uint64_t bits = s->s2_bytes * 8;
	uint8_t pad[SHA256_BLOCK + 8] = { 0x80 };
	size_t fill = s->s2_bytes % SHA256_BLOCK, n;
	int i;

	/* 0x80, zeros to 56 mod 64, then the bit length big-endian */
	n = (fill < 56 ? 56 : 120) - fill;
	for (i = 0; i < 8; i++)
		pad[n + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(s, pad, n + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->s2_h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->s2_h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->s2_h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->s2_h[i];
	}
}

void
sha256(const void *buf, size_t len, uint8_t out[SHA256_LEN])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, buf, len);
	sha256_final(&s, out);
}

void
sha256_hmac(const void *key, size_t klen, const void *msg, size_t mlen,
    uint8_t out[SHA256_LEN])
{
	struct sha256 s;
	uint8_t k[SHA256_BLOCK] = { 0 }, pad[SHA256_BLOCK];
	int i;

	if (klen > SHA256_BLOCK)
		sha256(key, klen, k);
	else if (klen > 0)
		memcpy(k, key, klen);
	for (i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	sha256_init(&s);
	sha256_update(&s, pad, sizeof(pad));
	sha256_update(&s, msg, mlen);
	sha256_final(&s, out);
	for (i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	sha256_init(&s);
	sha256_update(&s, pad, sizeof(pad));
	sha256_update(&s, out, SHA256_LEN);
	sha256_final(&s, out);
	/* leave no key material on the stack */
	explicit_bzero(k, sizeof(k));
	explicit_bzero(pad, sizeof(pad));
	explicit_bzero(&s, sizeof(s));
}

int
sha256_equal(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a, *y = b;
	unsigned diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	/* diff is 0..255: diff - 1 borrows into bit 8 only when it is 0 */
	return (int)(1 & ((diff - 1) >> 8));
}
