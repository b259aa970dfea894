/*
 * sha1.c: SHA-1, FIPS 180-4 section 6.1, written from the standard.
 * Big-endian words, 80 rounds over a 16-word rolling schedule, so one
 * block needs 64 bytes of state beyond the five chaining words.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sha1.h"

#define ROL(x, n)	(((x) << (n)) | ((x) >> (32 - (n))))

static uint32_t
sha1_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The round function and constant of round t (FIPS 180-4 4.1.1, 4.2.1). */
static uint32_t
sha1_f(int t, uint32_t b, uint32_t c, uint32_t d)
{
	if (t < 20)
		return ((b & c) | (~b & d)) + 0x5a827999;
	if (t < 40)
		return (b ^ c ^ d) + 0x6ed9eba1;
	if (t < 60)
		return ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc;
	return (b ^ c ^ d) + 0xca62c1d6;
}

static void
sha1_block(struct sha1 *s, const uint8_t *p)
{
	uint32_t w[16], a, b, c, d, e, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = sha1_be32(p + 4 * i);
	a = s->s1_h[0];
	b = s->s1_h[1];
	c = s->s1_h[2];
	d = s->s1_h[3];
	e = s->s1_h[4];
	for (i = 0; i < 80; i++) {
		if (i >= 16) {
			t = w[(i + 13) & 15] ^ w[(i + 8) & 15] ^
			    w[(i + 2) & 15] ^ w[i & 15];
			w[i & 15] = ROL(t, 1);
		}
		t = ROL(a, 5) + sha1_f(i, b, c, d) + e + w[i & 15];
		e = d;
		d = c;
		c = ROL(b, 30);
		b = a;
		a = t;
	}
	s->s1_h[0] += a;
	s->s1_h[1] += b;
	s->s1_h[2] += c;
	s->s1_h[3] += d;
	s->s1_h[4] += e;
}

void
sha1_init(struct sha1 *s)
{
	static const uint32_t h0[5] = {
		0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0
	};

	memcpy(s->s1_h, h0, sizeof(h0));
	s->s1_bytes = 0;
}

void
sha1_update(struct sha1 *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t fill = s->s1_bytes % SHA1_BLOCK, n;

	s->s1_bytes += len;
	if (fill > 0) {
		n = SHA1_BLOCK - fill < len ? SHA1_BLOCK - fill : len;
		memcpy(s->s1_buf + fill, p, n);
		p += n;
		len -= n;
		if (fill + n < SHA1_BLOCK)
			return;
		sha1_block(s, s->s1_buf);
	}
	for (; len >= SHA1_BLOCK; p += SHA1_BLOCK, len -= SHA1_BLOCK)
		sha1_block(s, p);
	if (len > 0)
		memcpy(s->s1_buf, p, len);
}

void
sha1_final(struct sha1 *s, uint8_t out[SHA1_LEN])
{
	uint64_t bits = s->s1_bytes * 8;
	uint8_t pad[SHA1_BLOCK + 8] = { 0x80 };
	size_t fill = s->s1_bytes % SHA1_BLOCK, n;
	int i;

	/* 0x80, zeros to 56 mod 64, then the bit length big-endian */
	n = (fill < 56 ? 56 : 120) - fill;
	for (i = 0; i < 8; i++)
		pad[n + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_update(s, pad, n + 8);
	for (i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(s->s1_h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->s1_h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->s1_h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->s1_h[i];
	}
}

void
sha1(const void *buf, size_t len, uint8_t out[SHA1_LEN])
{
	struct sha1 s;

	sha1_init(&s);
	sha1_update(&s, buf, len);
	sha1_final(&s, out);
}
