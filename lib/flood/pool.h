/* pool.h: the flood's worker processes, fed through pipes. */
#ifndef COMET_POOL_H
#define COMET_POOL_H

#include <sys/types.h>

#include <stddef.h>

#include "flood.h"

#define POOL_OUTSZ	32768	/* records queued for one worker */

struct worker {
	pid_t		wk_pid;
	int		wk_fd;		/* write end of its pipe; -1 closed */
	int		wk_dead;		/* exited (or its pipe broke) */
	unsigned	wk_assigned;	/* URLs handed to it */
	size_t		wk_len;		/* bytes queued in wk_out */
	char		wk_out[POOL_OUTSZ];
};

/* Runs in a new worker: index, read end of its pipe, its stats. */
typedef int	pool_child_fn(int, int, struct flood_stats *, void *);

struct pool {
	struct worker	*pl_w;		/* pl_max entries, not inherited */
	struct flood_stats *pl_st;	/* pl_max entries, shared */
	int		 pl_n, pl_max;
	int		 pl_fixed;	/* all pl_max started up front */
	unsigned	 pl_cap;		/* URLs per worker */
	unsigned	 pl_rr;		/* next worker, when pl_fixed */
	pool_child_fn	*pl_child;
	void		*pl_arg;
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
#define POOL_LAT	0x1	/* pool_sum: the latency histogram */
#define POOL_HISTS	0x2	/* pool_sum: every histogram */

void	pool_sum(const struct pool *, struct flood_stats *, int);

#endif
