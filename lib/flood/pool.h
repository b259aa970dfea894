/* pool.h: the flood's worker processes, fed through pipes. */
#ifndef COMET_POOL_H
#define COMET_POOL_H

#include <sys/types.h>

#include <stddef.h>

#include "flood.h"

#define POOL_OUTSZ	32768	/* records queued for one worker */

struct worker {
	pid_t		w_pid;
	int		w_fd;		/* write end of its pipe; -1 closed */
	int		w_dead;		/* exited (or its pipe broke) */
	unsigned	w_assigned;	/* URLs handed to it */
	size_t		w_len;		/* bytes queued in w_out */
	char		w_out[POOL_OUTSZ];
};

/* Runs in a new worker: index, read end of its pipe, its stats. */
typedef int	pool_child_fn(int, int, struct flood_stats *, void *);

struct pool {
	struct worker	*p_w;		/* p_max entries, not inherited */
	struct flood_stats *p_st;	/* p_max entries, shared */
	int		 p_n, p_max;
	int		 p_fixed;	/* all p_max started up front */
	unsigned	 p_cap;		/* URLs per worker */
	unsigned	 p_rr;		/* next worker, when p_fixed */
	pool_child_fn	*p_child;
	void		*p_arg;
};

int	pool_init(struct pool *, int, int, unsigned, pool_child_fn *, void *);
int	pool_pick(struct pool *);
int	pool_put(struct pool *, int, const char *, size_t);
int	pool_flush(struct pool *, int);
int	pool_pending(const struct pool *);
void	pool_close(struct pool *);
int	pool_idle(const struct pool *);
int	pool_reap(struct pool *);
void	pool_stop(struct pool *);
void	pool_sum(const struct pool *, struct flood_stats *, int);

#endif
