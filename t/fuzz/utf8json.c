/*
 * libFuzzer harness for the text primitives: lib/utf8.c, lib/json.c and
 * lib/base64.c.  Every input is used whole, four ways:
 *
 * - UTF-8: the incremental validator, fed in pieces whose sizes come
 *   from the first byte (empty pieces included), agrees with the
 *   one-shot one, and once it says no it keeps saying no.
 * - JSON escaping: the output is valid UTF-8 with no raw control
 *   characters, and decodes through json_string_decode to the input with
 *   each maximal ill-formed subsequence replaced by U+FFFD.
 * - JSON reading: if the input is an object, every member's spans lie
 *   inside it, its strings decode to valid UTF-8 that escapes and decodes
 *   back to itself, and json_string_eq agrees with the decoder.
 * - base64 and base64url: decode(encode(x)) == x; the input decoded as
 *   either form never writes past the capacity, and when it is accepted
 *   it is the one canonical encoding of what it decoded to.
 *
 * Every buffer handed to the library is allocated at its exact size, so
 * ASan reports any access past it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "json.h"
#include "utf8.h"

static void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n > 0 ? n : 1)) == NULL)
		abort();
	return p;
}

static void
check_utf8(const uint8_t *d, size_t len, unsigned pattern)
{
	struct utf8 u;
	size_t off = 0, n;
	unsigned k;
	int live = 1, r;

	utf8_init(&u);
	/* odd pieces are at least one byte, so this ends */
	for (k = 0; off < len; k++, off += n) {
		n = ((pattern >> (k % 8)) & 7) + (k & 1);
		if (n > len - off)
			n = len - off;
		r = utf8_feed(&u, d + off, n);
		if (r && !live)
			abort();
		live = r;
	}
	if (utf8_done(&u) != utf8_valid(d, len) || (!live && utf8_done(&u)))
		abort();
}

/* d with each maximal ill-formed subsequence as U+FFFD; sets *rlen. */
static char *
replaced(const uint8_t *d, size_t len, size_t *rlen)
{
	char *r = xmalloc(len * 3);
	size_t i = 0, o = 0;
	uint32_t cp;
	int n;

	while (i < len) {
		if ((n = utf8_next(d + i, len - i, &cp)) > 0) {
			memcpy(r + o, d + i, (size_t)n);
			o += (size_t)n;
			i += (size_t)n;
		} else {
			memcpy(r + o, "\xef\xbf\xbd", 3);
			o += 3;
			i += (size_t)-n;
		}
	}
	*rlen = o;
	return r;
}

/* "escaped d", quotes included; sets *qlen. */
static char *
quoted(const void *d, size_t len, size_t *qlen)
{
	size_t elen = json_escape_len(d, len);
	char *q = xmalloc(elen + 2);

	q[0] = '"';
	if (json_escape(d, len, q + 1, elen) != elen)
		abort();
	q[elen + 1] = '"';
	*qlen = elen + 2;
	return q;
}

static void
check_escape(const uint8_t *d, size_t len, unsigned pattern)
{
	size_t qlen, rlen, i, cap;
	char *q, *rep, *out;

	q = quoted(d, len, &qlen);
	if (!utf8_valid(q, qlen))
		abort();
	for (i = 0; i < qlen; i++)
		if ((unsigned char)q[i] < 0x20 || q[i] == 0x7f)
			abort();
	rep = replaced(d, len, &rlen);
	out = xmalloc(rlen);
	if (json_string_decode(q, qlen, out, rlen) != (ssize_t)rlen ||
	    memcmp(out, rep, rlen) != 0)
		abort();
	free(out);
	/* a short buffer: the full length comes back, nothing overflows */
	cap = pattern % (qlen - 1);
	out = xmalloc(cap);
	if (json_escape(d, len, out, cap) != qlen - 2)
		abort();
	free(out);
	free(rep);
	free(q);
}

/* A string token known well-formed. */
static void
check_string(const char *tok, size_t len)
{
	char *out = xmalloc(len), *q, *back, *z;
	size_t qlen;
	ssize_t n;

	if ((n = json_string_decode(tok, len, out, len)) < 0 ||
	    !utf8_valid(out, (size_t)n))
		abort();
	q = quoted(out, (size_t)n, &qlen);
	back = xmalloc((size_t)n);
	if (json_string_decode(q, qlen, back, (size_t)n) != n ||
	    memcmp(back, out, (size_t)n) != 0)
		abort();
	if (n > 0 && (json_string_decode(tok, len, back, (size_t)n - 1) !=
	    -1 || errno != ENOSPC))
		abort();
	if (memchr(out, '\0', (size_t)n) == NULL) {
		z = xmalloc((size_t)n + 1);
		memcpy(z, out, (size_t)n);
		z[n] = '\0';
		if (!json_string_eq(tok, len, z))
			abort();
		z[n > 0 ? n - 1 : 0] ^= 1;
		if (n > 0 && json_string_eq(tok, len, z))
			abort();
		free(z);
	}
	free(back);
	free(q);
	free(out);
}

static void
check_json(const char *d, size_t len)
{
	struct json_obj o;
	struct json_member m;
	long long v;

	if (json_obj_init(&o, d, len) < 0)
		return;
	while (json_obj_next(&o, &m)) {
		if (m.jm_name < d || m.jm_val < m.jm_name + m.jm_namelen ||
		    m.jm_val + m.jm_vallen > d + len || m.jm_vallen == 0)
			abort();
		check_string(m.jm_name, m.jm_namelen);
		if (m.jm_type == JSON_STRING)
			check_string(m.jm_val, m.jm_vallen);
		if (m.jm_type == JSON_NUMBER &&
		    json_number_ll(m.jm_val, m.jm_vallen, &v) < 0 &&
		    errno != ERANGE)
			abort();
		if (m.jm_type != JSON_NUMBER &&
		    json_number_ll(m.jm_val, m.jm_vallen, &v) != -1)
			abort();
	}
}

static void
check_base64(const uint8_t *d, size_t len, unsigned pattern, int url)
{
	size_t elen = url ? BASE64URL_LEN(len) : BASE64_LEN(len), cap;
	char *enc = xmalloc(elen), *re;
	uint8_t *dec = xmalloc(len);
	ssize_t n;

	if ((url ? base64url_encode(d, len, enc) : base64_encode(d, len,
	    enc)) != elen)
		abort();
	n = url ? base64url_decode(enc, elen, dec, len) :
	    base64_decode(enc, elen, dec, len);
	if (n != (ssize_t)len || memcmp(dec, d, len) != 0)
		abort();
	free(dec);
	free(enc);
	/* the input itself as base64, into a buffer maybe too small */
	cap = BASE64_DECMAX(len) - pattern % 3 * (BASE64_DECMAX(len) > 2);
	dec = xmalloc(cap);
	n = url ? base64url_decode((const char *)d, len, dec, cap) :
	    base64_decode((const char *)d, len, dec, cap);
	if (n < 0 ? errno != EINVAL && errno != ENOSPC : (size_t)n > cap)
		abort();
	if (n >= 0) {
		re = xmalloc(len);
		if ((url ? base64url_encode(dec, (size_t)n, re) :
		    base64_encode(dec, (size_t)n, re)) != len ||
		    memcmp(re, d, len) != 0)
			abort();
		free(re);
	}
	free(dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	unsigned pattern = len > 0 ? data[0] : 0;

	check_utf8(data, len, pattern);
	check_escape(data, len, pattern);
	check_json((const char *)data, len);
	check_base64(data, len, pattern, 0);
	check_base64(data, len, pattern, 1);
	return 0;
}
