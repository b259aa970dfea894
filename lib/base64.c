/*
 * base64.c: RFC 4648 base64 and base64url.  The two alphabets differ in
 * their last two characters only; padding is required by one form and
 * forbidden by the other.  One encoder and one decoder serve both.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base64.h"

static const char base64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char base64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t
base64_enc(const uint8_t *s, size_t len, char *d, const char *a, int pad)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		d[o++] = a[v >> 18];
		d[o++] = a[(v >> 12) & 63];
		d[o++] = a[(v >> 6) & 63];
		d[o++] = a[v & 63];
	}
	if (i == len)
		return o;
	v = (uint32_t)s[i] << 16 | (i + 1 < len ? (uint32_t)s[i + 1] << 8 : 0);
	d[o++] = a[v >> 18];
	d[o++] = a[(v >> 12) & 63];
	if (i + 1 < len)
		d[o++] = a[(v >> 6) & 63];
	else if (pad)
		d[o++] = '=';
	if (pad)
		d[o++] = '=';
	return o;
}

size_t
base64_encode(const void *src, size_t len, char *dst)
{
	return base64_enc(src, len, dst, base64_std, 1);
}

size_t
base64url_encode(const void *src, size_t len, char *dst)
{
	return base64_enc(src, len, dst, base64_url, 0);
}

/* The 6-bit value of c in alphabet a, or -1. */
static int
base64_val(int c, const char *a)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == a[62])
		return 62;
	if (c == a[63])
		return 63;
	return -1;
}

/*
 * Decode n (2 to 4) characters of s into n - 1 bytes of d.  Returns -1
 * for a character outside the alphabet or, in a short last group, for
 * bits that the bytes do not use.
 */
static int
base64_group(const char *s, size_t n, uint8_t *d, const char *a)
{
	uint32_t v = 0;
	size_t i;
	int x;

	for (i = 0; i < 4; i++) {
		x = i < n ? base64_val((unsigned char)s[i], a) : 0;
		if (x < 0)
			return -1;
		v = v << 6 | (uint32_t)x;
	}
	if ((n == 2 && (v & 0xffff)) || (n == 3 && (v & 0xff)))
		return -1;
	for (i = 0; i + 1 < n; i++)
		d[i] = (uint8_t)(v >> (16 - 8 * i));
	return 0;
}

static ssize_t
base64_dec(const char *s, size_t len, uint8_t *d, size_t cap, const char *a,
    int pad)
{
	size_t n, out, i, o;

	if (pad && len % 4 != 0)
		goto inval;
	if (pad && len > 0 && s[len - 1] == '=')
		len -= len > 1 && s[len - 2] == '=' ? 2 : 1;
	if (len % 4 == 1)
		goto inval;
	out = BASE64_DECMAX(len);
	if (out > cap) {
		errno = ENOSPC;
		return -1;
	}
	for (i = 0, o = 0; i < len; i += n, o += n - 1) {
		n = len - i < 4 ? len - i : 4;
		if (base64_group(s + i, n, d + o, a) == -1)
			goto inval;
	}
	return (ssize_t)out;
inval:
	errno = EINVAL;
	return -1;
}

ssize_t
base64_decode(const char *src, size_t len, void *dst, size_t cap)
{
	return base64_dec(src, len, dst, cap, base64_std, 1);
}

ssize_t
base64url_decode(const char *src, size_t len, void *dst, size_t cap)
{
	return base64_dec(src, len, dst, cap, base64_url, 0);
}
