/*
 * num.c: strtonum(3) for libc-only builds, plus a duration parser.
 * Options are checked with these so that every bad number is named
 * back to the user ("interval 0x: invalid") instead of silently read as 0.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

/*
 * Parse a decimal integer in [min, max].  Returns the value; on failure
 * returns 0, sets *errstr to "invalid", "too small" or "too large" and
 * errno to EINVAL or ERANGE.  On success *errstr is NULL.
 */
long long
num_parse(const char *s, long long min, long long max, const char **errstr)
{
	char *end;
	long long v;

	*errstr = NULL;
	if (min > max || s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
		*errstr = "invalid";
		errno = EINVAL;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		*errstr = "invalid";
		errno = EINVAL;
		return 0;
	}
	if ((v == LLONG_MIN && errno == ERANGE) || v < min) {
		*errstr = "too small";
		errno = ERANGE;
		return 0;
	}
	if ((v == LLONG_MAX && errno == ERANGE) || v > max) {
		*errstr = "too large";
		errno = ERANGE;
		return 0;
	}
	return v;
}

/*
 * Parse a duration into milliseconds: "250ms", "10s", "2m", or a bare
 * number of seconds ("10").  The result must lie in [min, max] ms.
 * Failure is reported as for num_parse().
 */
long long
num_parse_ms(const char *s, long long min, long long max, const char **errstr)
{
	char buf[32];
	size_t n;
	long long mul = 1000, v;

	n = s ? strlen(s) : 0;
	if (n == 0 || n >= sizeof(buf)) {
		*errstr = "invalid";
		errno = EINVAL;
		return 0;
	}
	memcpy(buf, s, n + 1);
	if (n > 2 && strcmp(buf + n - 2, "ms") == 0) {
		mul = 1;
		buf[n - 2] = '\0';
	} else if (buf[n - 1] == 's') {
		buf[n - 1] = '\0';
	} else if (buf[n - 1] == 'm') {
		mul = 60000;
		buf[n - 1] = '\0';
	}
	v = num_parse(buf, 0, LLONG_MAX / 60000, errstr);
	if (*errstr)
		return 0;
	v *= mul;
	if (v < min) {
		*errstr = "too small";
		errno = ERANGE;
		return 0;
	}
	if (v > max) {
		*errstr = "too large";
		errno = ERANGE;
		return 0;
	}
	return v;
}

/* The value of one hex digit (either case), or -1 for any other byte. */
int
num_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}
