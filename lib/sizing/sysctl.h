/* sysctl.h: read and write kernel settings as files under a root (/proc/sys). */
#ifndef COMET_SYSCTL_H
#define COMET_SYSCTL_H

#include <stddef.h>

#define SYSCTL_MAXV	3

struct sysctl_val {
	int		sv_n;			/* numbers in use, 1..SYSCTL_MAXV */
	long long	sv_v[SYSCTL_MAXV];	/* as the kernel prints them */
};

int	 sysctl_read(const char *, const char *, struct sysctl_val *);
int	 sysctl_write(const char *, const char *, const struct sysctl_val *);
int	 sysctl_parse(const char *, struct sysctl_val *);
char	*sysctl_format(const struct sysctl_val *, char *, size_t);

#endif
