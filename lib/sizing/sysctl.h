/*
 * sysctl.h: read and write numeric kernel settings as files under a root
 * (/proc/sys, or a copy of it in tests).  Names are sysctl(8)'s,
 * "net.core.somaxconn"; root and name are the caller's, never kept.
 */
#ifndef COMET_SYSCTL_H
#define COMET_SYSCTL_H

#include <stddef.h>

#define SYSCTL_MAXV	3

struct sysctl_val {
	int		sv_n;			/* numbers in use, 1..SYSCTL_MAXV */
	long long	sv_v[SYSCTL_MAXV];	/* as the kernel prints them */
};

/*
 * Read setting name under root into *v.  Returns 0, or -1 with errno
 * set: ENOENT if there is no such setting, EINVAL if it is not one to
 * SYSCTL_MAXV integers, ENAMETOOLONG if the path is too long, or what
 * open(2) or read(2) failed with.
 */
int	 sysctl_read(const char *, const char *, struct sysctl_val *);

/*
 * Write *v to setting name under root, tab-separated and ending in a
 * newline as the kernel prints it.  Returns 0, or -1 with errno set:
 * EACCES when not root, EINVAL when the kernel refuses the value, EIO on
 * a short write, or what open(2), write(2) or close(2) failed with.
 */
int	 sysctl_write(const char *, const char *, const struct sysctl_val *);

/*
 * Parse one to SYSCTL_MAXV whitespace-separated decimal integers from s
 * into *v.  Returns 0, or -1 with errno EINVAL if s holds anything else,
 * no number, or too many.
 */
int	 sysctl_parse(const char *, struct sysctl_val *);

/*
 * Format *v as "a b c", single spaces, into buf of len bytes, cut short
 * if it does not fit but always NUL-terminated (len must be at least 1).
 * Returns buf, so it can be an argument of printf.
 */
char	*sysctl_format(const struct sysctl_val *, char *, size_t);

#endif
