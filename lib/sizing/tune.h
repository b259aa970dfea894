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

/*
 * Fill tab, which must have room for TUNE_MAX entries, with every
 * setting rq->tr_conns connections depend on, in a fixed order, each with
 * its current value, wanted value and status.  Reads sysctls under
 * rq->tr_root and this process's RLIMIT_NOFILE; changes nothing.  Returns
 * the number of entries filled, or -1 with errno set and *failed naming
 * the setting that could not be read (a static string).  A missing
 * nf_conntrack_max (conntrack not loaded) is left out, not an error.
 * The entries' names point to static strings.
 */
int		 tune_check(const struct tune_req *, struct tune *, const char **);

/*
 * Store in *v the value applying t would write: each judged number moved
 * to its wanted value only where it fails, so nothing already better is
 * undone.  Cannot fail.
 */
void		 tune_target(const struct tune *, struct sysctl_val *);

/*
 * How many processes (cometd -w, cometflood -j) it takes to hold conns
 * connections when each may open nofile descriptors:
 *
 *	ceil(conns / (nofile - TUNE_RESERVE))
 *
 * or ceil(conns / (nofile / 2)) when nofile is 2 * TUNE_RESERVE or less.
 * At least 1; conns must be 1 or more.  Pure arithmetic: cannot fail.
 */
long long	 tune_workers(long long, long long);

/*
 * How many source addresses a flood of conns connections from this host
 * needs: ceil(conns / ports in the range).  range is the
 * net.ipv4.ip_local_port_range entry of a tune_check() table; with
 * target 1 the range applying it would set is used, with 0 the current
 * one.  At least 1; cannot fail.
 */
long long	 tune_addrs(long long, const struct tune *, int);

/* "ok", "low", "high" or "split" (static strings); "?" for no status. */
const char	*tune_status_name(enum tune_status);

#endif
