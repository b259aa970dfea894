/*
 * opt.h: the command line of the five tools, one way: numbers and
 * durations (num.h) with one error form, "-x value: what is wrong",
 * named operands, "--help" like -h, and -V.  With log.c, the one part of
 * lib that prints and exits: a bad command line ends the program with
 * status 2 whichever tool it is.
 */
#ifndef COMET_OPT_H
#define COMET_OPT_H

#include <stdio.h>

#ifndef COMET_VERSION
#define COMET_VERSION	"unknown"
#endif

/* A tool's usage(): prints the usage line to f and exits with status. */
typedef void opt_usage_fn(FILE *, int);

/*
 * Remember the tool's usage(); answer "--help" (usage on stdout, exit
 * 0) and "--version" (as -V) if argv[1] is one of them.
 */
void		 opt_init(int, char *[], opt_usage_fn *);

/* The integer value of option -ch in [min, max], or exit 2 saying why. */
long long	 opt_number(int, const char *, long long, long long);

/* The integer value of an operand named what, as opt_number. */
long long	 opt_operand(const char *, const char *, long long, long long);

/* The duration of option -ch in ms, in [min, max], or exit 2. */
long long	 opt_duration(int, const char *, long long, long long);

/* The size in bytes of option -ch (k, M, G units), or exit 2. */
long long	 opt_size(int, const char *, long long, long long);

/* -ch value was not accepted for reason why: say so, exit 2. */
void		 opt_bad(int, const char *, const char *)
		    __attribute__((noreturn));

/*
 * The operands left after the options: exit 2 naming the first extra
 * one beyond max, or saying that fewer than min were given.
 */
void		 opt_operands(int, char *[], int, int);

/* -V: print "<tool> <version>" and exit 0. */
void		 opt_version(void) __attribute__((noreturn));

#endif
