/*
 * quote.c: quoting for messages.  Bytes above 0x7e are escaped too, so
 * that a broken UTF-8 sequence (or a terminal escape in 8-bit form)
 * cannot reach the terminal; valid UTF-8 is rare in URLs and Ids.
 */
#include <stdio.h>
#include <string.h>

#include "quote.h"

/* The escape for byte c into e (room for 5); returns its length. */
static size_t
quote_one(unsigned char c, char *e)
{
	switch (c) {
	case '"':
	case '\\':
		e[0] = '\\';
		e[1] = c;
		return 2;
	case '\t':
		memcpy(e, "\\t", 2);
		return 2;
	case '\r':
		memcpy(e, "\\r", 2);
		return 2;
	case '\n':
		memcpy(e, "\\n", 2);
		return 2;
	}
	if (c < 0x20 || c > 0x7e) {
		snprintf(e, 5, "\\x%02x", c);
		return 4;
	}
	e[0] = c;
	return 1;
}

char *
quote_str(char *buf, size_t size, const char *s, size_t len)
{
	size_t i, o = 0, n;
	char e[5];

	buf[o++] = '"';
	for (i = 0; i < len; i++) {
		n = quote_one((unsigned char)s[i], e);
		/* room for this, the closing quote, "..." and the NUL */
		if (o + n + 5 > size) {
			memcpy(buf + o, "\"...", 5);
			return buf;
		}
		memcpy(buf + o, e, n);
		o += n;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}
