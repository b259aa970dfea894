/*
 * opt.c: option values and operands for the five mains.  Messages go
 * through warnx(3), so they start with the program's name.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "opt.h"

static opt_usage_fn *opt_usage;

void
opt_init(int argc, char *argv[], opt_usage_fn *usage)
{
	opt_usage = usage;
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout, 0);
		exit(0);
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0)
		opt_version();
}

/* "what value: why", then usage and exit 2. */
static void __attribute__((noreturn))
opt_fail(const char *what, const char *arg, const char *why)
{
	warnx("%s %s: %s", what, arg, why);
	opt_usage(stderr, 2);
	exit(2);
}

void
opt_bad(int ch, const char *arg, const char *why)
{
	char flag[3] = { '-', (char)ch, '\0' };

	opt_fail(flag, arg, why);
}

/* An integer in [min, max], or exit 2 with "what value: why". */
static long long
opt_integer(const char *what, const char *arg, long long min, long long max)
{
	const char *errstr;
	char why[96];
	long long v;

	v = num_parse(arg, min, max, &errstr);
	if (errstr == NULL)
		return v;
	if (errno == ERANGE)
		snprintf(why, sizeof(why), "must be %lld to %lld", min, max);
	else
		snprintf(why, sizeof(why), "not a number");
	opt_fail(what, arg, why);
}

long long
opt_number(int ch, const char *arg, long long min, long long max)
{
	char flag[3] = { '-', (char)ch, '\0' };

	return opt_integer(flag, arg, min, max);
}

long long
opt_operand(const char *what, const char *arg, long long min, long long max)
{
	return opt_integer(what, arg, min, max);
}

/* ms as the shortest duration text: "250ms", "10s", "2m", "1h". */
static const char *
opt_ms(char *buf, size_t len, long long ms)
{
	if (ms % 3600000 == 0 && ms >= 3600000)
		snprintf(buf, len, "%lldh", ms / 3600000);
	else if (ms % 60000 == 0 && ms >= 60000)
		snprintf(buf, len, "%lldm", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%llds", ms / 1000);
	else
		snprintf(buf, len, "%lldms", ms);
	return buf;
}

long long
opt_duration(int ch, const char *arg, long long min, long long max)
{
	const char *errstr;
	char why[128], a[32], b[32];
	long long v;

	v = num_duration(arg, min, max, &errstr);
	if (errstr == NULL)
		return v;
	if (errno == ERANGE)
		snprintf(why, sizeof(why), "must be %s to %s",
		    opt_ms(a, sizeof(a), min), opt_ms(b, sizeof(b), max));
	else if (strcmp(errstr, "invalid") != 0)
		snprintf(why, sizeof(why), "%s", errstr);
	else
		snprintf(why, sizeof(why), "not a duration (a number of "
		    "seconds, or with a unit: 500ms, 1.5s, 2m, 1h)");
	opt_bad(ch, arg, why);
}

long long
opt_size(int ch, const char *arg, long long min, long long max)
{
	const char *errstr;
	char why[96];
	long long v;

	v = num_size(arg, min, max, &errstr);
	if (errstr == NULL)
		return v;
	if (errno == ERANGE)
		snprintf(why, sizeof(why), "must be %lld to %lld bytes", min,
		    max);
	else
		snprintf(why, sizeof(why), "not a size (bytes, or with a "
		    "unit: 64k, 16M, 1G)");
	opt_bad(ch, arg, why);
}

void
opt_operands(int argc, char *argv[], int min, int max)
{
	if (argc > max) {
		warnx("extra operand: %s", argv[max]);
		opt_usage(stderr, 2);
		exit(2);
	}
	if (argc < min) {
		warnx("missing operand");
		opt_usage(stderr, 2);
		exit(2);
	}
}

void
opt_version(void)
{
	printf("%s %s\n", program_invocation_short_name, COMET_VERSION);
	exit(0);
}
