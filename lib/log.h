/*
 * log.h: a running daemon's events on stderr, one line each, as
 * "prog: level: message", written with one write(2) so that lines from
 * many workers sharing stderr never interleave.  (Command-line errors
 * are err(3)'s and opt.c's.)
 */
#ifndef COMET_LOG_H
#define COMET_LOG_H

#define LOG_PRINTF(a, b) __attribute__((__format__(printf, a, b)))

/* Name the program; verbose 0 is quiet, 1 (-v) adds log_debug lines. */
void	log_init(const char *prog, int verbose);

/* A warning, with strerror(errno) appended (log_warn) or not (_warnx). */
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);

/* Lifecycle events (start, stop, restarts): always written. */
void	log_info(const char *, ...) LOG_PRINTF(1, 2);

/* Per-connection detail: only with -v. */
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);

#endif
