/*
 * stamp.c: finding "t=<16 digits>".  memchr for '=' does the walking,
 * so a read without stamps costs one pass at memchr speed.
 */
#include <string.h>

#include "stamp.h"

static int
word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_';
}

enum stamp_res
stamp_next(const char *p, size_t len, size_t *off, uint64_t *us)
{
	const char *eq;
	size_t i, d;
	uint64_t v;

	while (*off < len &&
	    (eq = memchr(p + *off, '=', len - *off)) != NULL) {
		i = eq - p;
		*off = i + 1;
		if (i == 0 || p[i - 1] != 't' ||
		    (i >= 2 && word_byte((unsigned char)p[i - 2])))
			continue;
		for (d = 0, v = 0; i + 1 + d < len && d <= STAMP_DIGITS &&
		    p[i + 1 + d] >= '0' && p[i + 1 + d] <= '9'; d++)
			v = v * 10 + (p[i + 1 + d] - '0');
		*off = i + 1 + d;
		if (i + 1 + d == len && d <= STAMP_DIGITS)
			return STAMP_CUT;
		if (d == STAMP_DIGITS) {
			*us = v;
			return STAMP_FOUND;
		}
	}
	*off = len;
	return STAMP_NONE;
}
