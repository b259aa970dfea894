/* tune.h: what the kernel must allow for N connections, and what it does. */
#ifndef COMET_TUNE_H
#define COMET_TUNE_H

#include "sysctl.h"

#define TUNE_MAX	16	/* settings tune_check() may fill */
#define TUNE_RESERVE	1024	/* descriptors a process keeps for non-connections */

enum tune_status {
	TUNE_OK,		/* meets the wanted value */
	TUNE_LOW,		/* too small: raise it */
	TUNE_HIGH,		/* too large: lower it */
	TUNE_SPLIT		/* cannot be raised: spread over processes */
};

struct tune {
	const char		*t_name;	/* sysctl name, or rlimit.* */
	int			 t_rlimit;	/* 1: a process limit, not a sysctl */
	struct sysctl_val	 t_cur;		/* current value */
	struct sysctl_val	 t_want;	/* wanted; unjudged numbers = current */
	signed char		 t_dir[SYSCTL_MAXV]; /* +1 at least, -1 at most, 0 any */
	enum tune_status	 t_status;
};

struct tune_req {
	long long	 tr_conns;	/* connections to hold (N) */
	int		 tr_local;	/* 1: the clients run on this host too */
	const char	*tr_root;	/* where sysctls live: /proc/sys */
};

int		 tune_check(const struct tune_req *, struct tune *, const char **);
void		 tune_target(const struct tune *, struct sysctl_val *);
long long	 tune_procs(long long, long long);
long long	 tune_addrs(long long, const struct tune *, int);
const char	*tune_status_name(enum tune_status);

#endif
