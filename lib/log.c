/*
 * log.c: one line per event on stderr, "prog: level: message".  No
 * syslog and no daemonizing: a supervisor captures stderr.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "comet";
static int log_level;		/* 0: no debug lines; 1 (-v): debug too */

void
log_init(const char *prog, int verbose)
{
	log_prog = prog;
	log_level = verbose;
}

/* Format and write one line; errnum 0 means no strerror suffix. */
static void
log_line(const char *level, int errnum, const char *fmt, va_list ap)
{
	char line[1024];
	int n, m;

	n = snprintf(line, sizeof(line), "%s: %s%s", log_prog, level,
	    *level ? ": " : "");
	m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (errnum)
		n += snprintf(line + n, sizeof(line) - n, ": %s",
		    strerror(errnum));
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_line("warning", saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("warning", 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("info", 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < 1)
		return;
	va_start(ap, fmt);
	log_line("debug", 0, fmt, ap);
	va_end(ap);
}
