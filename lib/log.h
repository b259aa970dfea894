/* log.h: the one place that writes to stderr, as "prog: level: message". */
#ifndef COMET_LOG_H
#define COMET_LOG_H

#define LOG_PRINTF(a, b) __attribute__((__format__(printf, a, b)))

void	log_init(const char *prog, int verbose);
int	log_verbose(void);
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
void	fatal(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif
