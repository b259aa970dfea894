/*
 * utf8.c: UTF-8 per RFC 3629 section 4 (the table of well-formed byte
 * sequences).  Each lead byte fixes how many continuation bytes follow
 * and the range of the first one; that range is what rules out overlong
 * forms (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
 * Later continuations are always 80..BF.
 *
 * utf8_valid goes through utf8_next and utf8_feed is a separate byte
 * state machine, so tests and fuzzing that compare the two compare two
 * implementations of the table.
 */
#include <stddef.h>
#include <stdint.h>

#include "utf8.h"

/*
 * For a lead byte b >= 0x80: the number of continuation bytes it
 * announces and the range of the first one, or -1 if b cannot start a
 * sequence (a continuation byte, C0, C1, F5..FF).
 */
static int
utf8_lead(unsigned b, uint8_t *lo, uint8_t *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (b >= 0xc2 && b <= 0xdf)
		return 1;
	if (b >= 0xe0 && b <= 0xef) {
		if (b == 0xe0)
			*lo = 0xa0;
		else if (b == 0xed)
			*hi = 0x9f;
		return 2;
	}
	if (b >= 0xf0 && b <= 0xf4) {
		if (b == 0xf0)
			*lo = 0x90;
		else if (b == 0xf4)
			*hi = 0x8f;
		return 3;
	}
	return -1;
}

int
utf8_next(const void *buf, size_t len, uint32_t *cp)
{
	const uint8_t *p = buf;
	uint8_t lo, hi;
	uint32_t v;
	int need, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	*cp = UTF8_REPLACEMENT;
	if ((need = utf8_lead(p[0], &lo, &hi)) < 0)
		return -1;
	v = p[0] & (0x3f >> need);
	for (i = 1; i <= need; i++) {
		if ((size_t)i >= len || p[i] < lo || p[i] > hi)
			return -i;
		v = v << 6 | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return need + 1;
}

int
utf8_valid(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t cp;
	size_t i;
	int n;

	for (i = 0; i < len; i += (size_t)n) {
		if (p[i] < 0x80) {
			n = 1;
			continue;
		}
		if ((n = utf8_next(p + i, len - i, &cp)) < 0)
			return 0;
	}
	return 1;
}

void
utf8_init(struct utf8 *u)
{
	u->u8_need = 0;
	u->u8_lo = 0x80;
	u->u8_hi = 0xbf;
	u->u8_bad = 0;
}

int
utf8_feed(struct utf8 *u, const void *buf, size_t len)
{
	const uint8_t *p = buf, *end = p + len;
	int n;

	for (; p < end && !u->u8_bad; p++) {
		if (u->u8_need > 0) {
			if (*p < u->u8_lo || *p > u->u8_hi)
				u->u8_bad = 1;
			u->u8_need--;
			u->u8_lo = 0x80;
			u->u8_hi = 0xbf;
		} else if (*p >= 0x80) {
			if ((n = utf8_lead(*p, &u->u8_lo, &u->u8_hi)) < 0)
				u->u8_bad = 1;
			else
				u->u8_need = (uint8_t)n;
		}
	}
	return !u->u8_bad;
}

int
utf8_done(const struct utf8 *u)
{
	return !u->u8_bad && u->u8_need == 0;
}
