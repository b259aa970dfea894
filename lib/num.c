/*
 * num.c: strtonum(3) for libc-only builds, and durations.  Options are
 * checked with these so that every bad number is named back to the user
 * instead of silently read as 0.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

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

/* Milliseconds per unit u[0..n), or 0 if u is not a unit. */
static long long
num_unit(const char *u, size_t n)
{
	if (n == 0 || (n == 1 && u[0] == 's'))
		return 1000;
	if (n == 2 && u[0] == 'm' && u[1] == 's')
		return 1;
	if (n == 1 && u[0] == 'm')
		return 60000;
	if (n == 1 && u[0] == 'h')
		return 3600000;
	return 0;
}

static long long
num_fail(const char **errstr, const char *why, int e)
{
	*errstr = why;
	errno = e;
	return 0;
}

/*
 * "<digits>[.<digits>]<unit>" without floating point: the fraction is
 * scaled by the unit and must come out in whole milliseconds.
 */
long long
num_duration(const char *s, long long min, long long max, const char **errstr)
{
	long long whole = 0, frac = 0, scale = 1, mul;
	const char *p = s;

	*errstr = NULL;
	if (s == NULL || !isdigit((unsigned char)*p))
		return num_fail(errstr, "invalid", EINVAL);
	for (; isdigit((unsigned char)*p); p++)
		if ((whole = whole * 10 + (*p - '0')) > LLONG_MAX / 3600000 / 10)
			return num_fail(errstr, "too large", ERANGE);
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return num_fail(errstr, "invalid", EINVAL);
		for (; isdigit((unsigned char)*p); p++)
			if (scale < 1000000000) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			} else if (*p != '0')
				return num_fail(errstr, "invalid", EINVAL);
	}
	if ((mul = num_unit(p, strlen(p))) == 0)
		return num_fail(errstr, "invalid", EINVAL);
	if (frac * mul % scale != 0)
		return num_fail(errstr, "finer than a millisecond", EINVAL);
	whole = whole * mul + frac * mul / scale;
	if (whole < min)
		return num_fail(errstr, "too small", ERANGE);
	if (whole > max)
		return num_fail(errstr, "too large", ERANGE);
	return whole;
}

long long
num_size(const char *s, long long min, long long max, const char **errstr)
{
	char buf[32];
	size_t n = s != NULL ? strlen(s) : 0;
	long long v, mul = 1;

	if (n == 0 || n >= sizeof(buf))
		return num_fail(errstr, "invalid", EINVAL);
	memcpy(buf, s, n + 1);
	switch (buf[n - 1]) {
	case 'k': case 'K': mul = 1LL << 10; break;
	case 'M': mul = 1LL << 20; break;
	case 'G': mul = 1LL << 30; break;
	}
	if (mul > 1)
		buf[n - 1] = '\0';
	v = num_parse(buf, 0, LLONG_MAX / mul, errstr);
	if (*errstr != NULL)
		return 0;
	v *= mul;
	if (v < min)
		return num_fail(errstr, "too small", ERANGE);
	if (v > max)
		return num_fail(errstr, "too large", ERANGE);
	return v;
}

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
