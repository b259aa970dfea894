/*
 * num.h: numbers and durations, parsed one way for every tool.  A
 * duration is a decimal number with an optional unit, "ms", "s", "m" or
 * "h"; a bare number is seconds (as for sleep(1) and timeout(1)), and
 * fractions are allowed ("1.5s", "0.25").  Durations come out in
 * milliseconds.
 */
#ifndef COMET_NUM_H
#define COMET_NUM_H

/*
 * A decimal integer in [min, max].  Returns it; on failure returns 0 and
 * sets *errstr to "invalid", "too small" or "too large" (errno EINVAL or
 * ERANGE).  On success *errstr is NULL.
 */
long long	num_parse(const char *, long long, long long, const char **);

/*
 * A duration in milliseconds, in [min, max].  Fails as num_parse does,
 * or with *errstr "finer than a millisecond" (EINVAL).
 */
long long	num_duration(const char *, long long, long long, const char **);

/*
 * A size in bytes, in [min, max]: a decimal integer with an optional
 * unit k, M or G (powers of 1024).  Fails as num_parse does.
 */
long long	num_size(const char *, long long, long long, const char **);

/* The value of one hex digit (either case), or -1 for any other byte. */
int		num_hexdigit(int);

#endif
